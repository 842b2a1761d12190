//! @file divide.cpp
//! @brief Exact constant division: true division (definition) and multiply-shift (hardware).
#include "ir/divide.h"

#include <stdexcept>

namespace nngen {

namespace {

constexpr int kMaxBits = 62;

int64_t fits(Int128 v, const char* what) {
  const Int128 lim = Int128{1} << kMaxBits;
  if (v >= lim || v <= -lim) throw std::overflow_error(std::string(what) + " exceeds 62 bits");
  return static_cast<int64_t>(v);
}

/// ceil(a / b) for a >= 0, b > 0.
Int128 ceilDiv(Int128 a, Int128 b) { return (a + b - 1) / b; }

}  // namespace

int64_t stickyQuotient(Int128 t, int64_t d) {
  if (d < 1) throw std::invalid_argument("divisor must be >= 1");
  Int128 q = t / d, rem = t % d;
  if (rem < 0) {  // C++ truncates toward zero; floor instead
    rem += d;
    q -= 1;
  }
  const bool half = 2 * rem >= d;
  const bool rest = rem != 0 && 2 * rem != d;
  return fits(4 * q + (half ? 2 : 0) + (rest ? 1 : 0), "the quotient");
}

ConstDivider makeDivider(int64_t d, Int128 tMin, Int128 tMax) {
  if (d < 1) throw std::invalid_argument("divisor must be >= 1");
  ConstDivider div;
  div.divisor = d;
  div.offset = tMin < 0 ? fits(ceilDiv(-tMin, d) * d, "the division offset") : 0;
  const Int128 uMax = tMax + div.offset;  // t' = t + offset lies in [0, uMax]
  fits(uMax, "the dividend");
  for (int s = 0;; ++s) {
    if (s > 64) throw std::overflow_error("no multiply-shift divider within 62 bits");
    const Int128 pow = Int128{1} << s;
    const Int128 m = ceilDiv(pow, d);
    const Int128 e = m * d - pow;  // 0 <= e < d
    if (uMax * e >= pow) continue;
    div.shift = s;
    div.multiplier = fits(m, "the divider's multiplier");
    div.productMax = fits(uMax * m, "the divider's product");
    const int64_t c = (d + 1) / 2;  // ceil(d/2)
    div.zeroBelow = static_cast<int64_t>(ceilDiv(pow, d));
    div.halfAt = fits(ceilDiv(Int128{c} * pow, d), "a divider threshold");
    div.aboveHalfAt =
        d % 2 == 0 ? fits(ceilDiv(Int128{d / 2 + 1} * pow, d), "a divider threshold") : div.halfAt;
    return div;
  }
}

int64_t stickyByMultiply(const ConstDivider& div, Int128 t) {
  const Int128 p = (t + div.offset) * div.multiplier;
  const Int128 q = p >> div.shift;
  const Int128 f = p - (q << div.shift);
  const bool half = f >= div.halfAt;
  const bool rest = f >= div.zeroBelow && (f < div.halfAt || f >= div.aboveHalfAt);
  return fits(4 * (q - div.offset / div.divisor) + (half ? 2 : 0) + (rest ? 1 : 0), "the quotient");
}

}  // namespace nngen
