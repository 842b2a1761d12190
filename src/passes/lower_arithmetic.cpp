//! @file lower_arithmetic.cpp
//! @brief Pass lower-arithmetic: integer arithmetic and proven accumulator bounds per layer.
#include <fmt/format.h>

#include <bit>

#include "passes/passes.h"

namespace nngen {

namespace {

constexpr int kMaxBits = 62;  // every raw value and bound must fit in this many bits

/// Extra fractional bits of the AveragePooling2D reciprocal beyond log2(kh*kw).
constexpr int kReciprocalGuardBits = 16;

Int128 shiftLeft(const Layer& l, int64_t v, int s) {
  if (s >= kMaxBits) throw Error(l.loc, l.name, "fractional-bit alignment exceeds 62 bits");
  return Int128{v} << s;
}

int64_t checked(const Layer& l, Int128 v, const char* what) {
  const Int128 lim = Int128{1} << kMaxBits;
  if (v >= lim || v <= -lim)
    throw Error(l.loc, l.name, fmt::format("{} exceeds 62 bits; use narrower types", what));
  return static_cast<int64_t>(v);
}

/// Fills coeff/bias/accFrac for a weighted sum and proves its per-channel bounds.
/// taps(n) lists the coefficient indices feeding output channel n.
void lowerDot(Layer& l, const std::vector<int64_t>& w, const std::vector<int64_t>& b, int cout,
              const std::function<std::vector<size_t>(int)>& taps) {
  auto& a = l.arith;
  const int fx = l.inType.fracBits(), fw = l.weightType.fracBits(), fb = l.biasType.fracBits();
  if (l.accumType) {
    a.coeffFrac = fw;
    a.accFrac = l.accumType->fracBits();
    a.coeff = w;
    for (int64_t v : b) a.bias.push_back(requantize(v, fb, *l.accumType));
  } else {
    a.accFrac = b.empty() ? fx + fw : std::max(fx + fw, fb);
    a.coeffFrac = a.accFrac - fx;
    for (int64_t v : w) a.coeff.push_back(checked(l, shiftLeft(l, v, a.accFrac - fx - fw), "a weight"));
    for (int64_t v : b) a.bias.push_back(checked(l, shiftLeft(l, v, a.accFrac - fb), "a bias"));
  }
  const Int128 xmin = l.inType.minRaw(), xmax = l.inType.maxRaw();
  a.accMin.assign(cout, 0);
  a.accMax.assign(cout, 0);
  for (int n = 0; n < cout; ++n) {
    if (l.accumType) {
      a.accMin[n] = l.accumType->minRaw();
      a.accMax[n] = l.accumType->maxRaw();
      continue;
    }
    Int128 lo = a.bias.empty() ? 0 : a.bias[n], hi = lo;
    for (size_t i : taps(n)) {
      const Int128 p1 = a.coeff[i] * xmin, p2 = a.coeff[i] * xmax;
      lo += std::min(p1, p2);
      hi += std::max(p1, p2);
    }
    a.accMin[n] = checked(l, lo, "the accumulator bound");
    a.accMax[n] = checked(l, hi, "the accumulator bound");
  }
}

}  // namespace

void lowerArithmetic(Graph& g) {
  FixedType in = g.inputType;
  for (Layer& l : g.layers) {
    l.inType = in;
    l.arith = Layer::Arith{};
    switch (l.kind) {
      case LayerKind::Conv2D:
      case LayerKind::Dense: {
        const int cout = l.out.c;
        const size_t perOut = l.q.kernel.size() / cout;
        lowerDot(l, l.q.kernel, l.q.bias, cout, [&](int n) {
          std::vector<size_t> idx(perOut);
          for (size_t k = 0; k < perOut; ++k) idx[k] = k * cout + n;
          return idx;
        });
        break;
      }
      case LayerKind::BatchNorm:
        lowerDot(l, l.q.kernel, l.q.bias, l.out.c,
                 [](int n) { return std::vector<size_t>{size_t(n)}; });
        break;
      case LayerKind::AvgPool2D: {
        const int taps = l.kernelH * l.kernelW;
        const int log2n = std::bit_width(static_cast<unsigned>(taps - 1));  // ceil(log2 taps)
        auto& a = l.arith;
        if (std::has_single_bit(static_cast<unsigned>(taps))) {
          a.coeff = {1};
          a.coeffFrac = log2n;
        } else {
          a.coeffFrac = log2n + kReciprocalGuardBits;
          // round(2^Rf / taps), half up, in integers
          a.coeff = {((int64_t{1} << (a.coeffFrac + 1)) / taps + 1) / 2};
        }
        a.accFrac = l.inType.fracBits() + a.coeffFrac;
        a.accMin.assign(l.out.c, checked(l, Int128{taps} * l.inType.minRaw() * a.coeff[0], "the pooling sum"));
        a.accMax.assign(l.out.c, checked(l, Int128{taps} * l.inType.maxRaw() * a.coeff[0], "the pooling sum"));
        break;
      }
      case LayerKind::MaxPool2D:
      case LayerKind::ReLU:
        break;
      case LayerKind::Flatten:
        continue;  // no arithmetic, the type passes through
    }
    in = l.resultType;
  }
}

}  // namespace nngen
