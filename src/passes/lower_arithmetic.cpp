//! @file lower_arithmetic.cpp
//! @brief Pass lower-arithmetic: integer arithmetic and proven accumulator bounds per layer.
#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <tuple>

#include "ir/divide.h"
#include "passes/passes.h"

namespace nngen {

namespace {

constexpr int kMaxBits = 62;  // every raw value and bound must fit in this many bits

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

/// Rounds v (fromFrac) to the user accumulator's fraction bits with its rounding mode.
int64_t roundToAccum(const Layer& l, Int128 v, int fromFrac, const char* what) {
  try {
    return roundFrac(checked(l, v, what), fromFrac, l.accumType->fracBits(), l.accumType->rounding);
  } catch (const std::overflow_error&) {
    throw Error(l.loc, l.name, fmt::format("{} exceeds 62 bits; use narrower types", what));
  }
}

/// Fills coeff/bias/accFrac for a weighted sum and proves its per-channel bounds; the
/// coefficients feeding output channel n are those of layerTaps(l, n).
void lowerDot(Layer& l, const std::vector<int64_t>& w, const std::vector<int64_t>& b, int cout) {
  auto& a = l.arith;
  const int fx = l.inType.fracBits(), fw = l.weightType.fracBits(), fb = l.biasType.fracBits();
  if (l.accumType) {
    // Products and bias are rounded to the accumulator's fraction bits (its rounding mode, no
    // overflow), summed exactly, and the sum is overflowed once (Layer::Arith).
    a.coeffFrac = fw;
    a.accFrac = l.accumType->fracBits();
    a.coeff = w;
    for (int64_t v : b) a.bias.push_back(roundToAccum(l, v, fb, "a bias"));
  } else {
    a.accFrac = b.empty() ? fx + fw : std::max(fx + fw, fb);
    a.coeffFrac = a.accFrac - fx;
    for (int64_t v : w)
      a.coeff.push_back(checked(l, shiftLeft(l, v, a.accFrac - fx - fw), "a weight"));
    for (int64_t v : b) a.bias.push_back(checked(l, shiftLeft(l, v, a.accFrac - fb), "a bias"));
  }
  const Int128 xmin = l.inType.minRaw(), xmax = l.inType.maxRaw();
  a.accMin.assign(cout, 0);
  a.accMax.assign(cout, 0);
  for (int n = 0; n < cout; ++n) {
    Int128 lo = a.bias.empty() ? 0 : a.bias[n], hi = lo;
    for (const Tap& t : layerTaps(l, n)) {
      const size_t i = t.coeff;
      if (a.coeff[i] == 0) continue;  // zero weights contribute nothing (and emit no logic)
      const Int128 p1 = a.coeff[i] * xmin, p2 = a.coeff[i] * xmax;
      Int128 pLo = std::min(p1, p2), pHi = std::max(p1, p2);
      if (l.accumType) {  // rounding is monotonic: the bounds of the rounded products
        pLo = roundToAccum(l, pLo, fx + fw, "a product");
        pHi = roundToAccum(l, pHi, fx + fw, "a product");
      }
      lo += pLo;
      hi += pHi;
    }
    a.accMin[n] = checked(l, lo, "the accumulator bound");
    a.accMax[n] = checked(l, hi, "the accumulator bound");
  }
}

/// floor(a / b) for b > 0.
int64_t floorDiv(int64_t a, int64_t b) { return a / b - ((a % b) != 0 && a < 0); }

/// A BatchNorm with a binary result computes sign(x * c + b) per channel (the fused BatchNorm
/// and sign activation of binary networks, arXiv 2003.06308): rewritten as the same sign of
/// x - theta (c > 0), theta - x (c < 0) or a constant (c = 0), theta = the integer threshold, so
/// that the hardware is one comparison of x against a constant per channel. Exact: for c > 0,
/// x*c + b >= 0 <=> x >= ceil(-b/c) = -floor(b/c); for c < 0, <=> x <= floor(b/|c|). Thresholds
/// beyond the input's range are clamped to just outside it (same signs, narrower constants).
void lowerThreshold(Layer& l) {
  auto& a = l.arith;
  const int64_t xmin = l.inType.minRaw(), xmax = l.inType.maxRaw();
  for (int n = 0; n < l.out.c; ++n) {
    const int64_t c = a.coeff[n], b = a.bias.empty() ? 0 : a.bias[n];
    int64_t coeff = 0, bias = b >= 0 ? 0 : -1;
    if (c > 0) {
      coeff = 1;
      bias = std::clamp(floorDiv(b, c), -xmax - 1, -xmin);
    } else if (c < 0) {
      coeff = -1;
      bias = std::clamp(floorDiv(b, -c), xmin - 1, xmax);
    }
    a.coeff[n] = coeff;
    if (a.bias.empty()) a.bias.assign(l.out.c, 0);
    a.bias[n] = bias;
    a.accMin[n] = std::min(coeff * xmin, coeff * xmax) + bias;
    a.accMax[n] = std::max(coeff * xmin, coeff * xmax) + bias;
  }
  a.coeffFrac = 0;
  a.accFrac = l.inType.fracBits();
}

/// Average pooling (Layer::Arith, AveragePooling2D): acc = the sum of the window's raw inputs;
/// the result is the exact mean acc / taps rounded into the result type: a shift for a
/// power-of-two window, else an exact constant division (src/ir/divide.h).
void lowerAveragePool(Layer& l) {
  const int taps = l.kernelH * l.kernelW;
  auto& a = l.arith;
  a.coeff = {1};
  const Int128 sMin = Int128{taps} * l.inType.minRaw(), sMax = Int128{taps} * l.inType.maxRaw();
  a.accMin.assign(l.out.c, checked(l, sMin, "the pooling sum"));
  a.accMax.assign(l.out.c, checked(l, sMax, "the pooling sum"));
  if (std::has_single_bit(static_cast<unsigned>(taps))) {
    a.coeffFrac = std::countr_zero(static_cast<unsigned>(taps));
    a.accFrac = l.inType.fracBits() + a.coeffFrac;
    return;
  }
  a.accFrac = l.inType.fracBits();
  const int k = l.resultType.fracBits() - l.inType.fracBits();  // sum/taps at the result's frac
  a.numShift = std::max(k, 0);
  const int divShift = std::max(-k, 0);
  a.divisor =
      checked(l, shiftLeft(l, taps, divShift), "the divisor taps * 2^(input frac - result frac)");
  try {
    a.divider = makeDivider(a.divisor, shiftLeft(l, a.accMin[0], a.numShift),
                            shiftLeft(l, a.accMax[0], a.numShift));
  } catch (const std::overflow_error& e) {
    throw Error(l.loc, l.name, fmt::format("average pooling: {}; use narrower types", e.what()));
  }
}

/// Fills the entries of `tab` (inLo and shift set, `entries` entries from inLo on) that the raw
/// inputs [xmin, xmax] (at `frac` fraction bits) reach: the table is cut to them (inLo moved to
/// the first), padded to a power of two with the last one, and each holds f at the middle of
/// the inputs that read it (the end entries: with those the clamp sends there), converted into
/// tab.type (LookupTable).
template <typename F>
void fillTable(const Layer& l, LookupTable& tab, size_t entries, int64_t xmin, int64_t xmax,
               int frac, F f) {
  tab.values.assign(entries, 0);  // for index() only
  const size_t first = tab.index(xmin), last = tab.index(xmax);
  const Int128 span = Int128{1} << tab.shift;
  tab.inLo = checked(l, tab.inLo + Int128(first) * span, "the table's input range");
  tab.values.assign(std::bit_ceil(last - first + 1), 0);
  for (size_t i = 0; i < tab.values.size(); ++i) {
    const size_t k = std::min(i, last - first);  // padding repeats the last reachable entry
    // the inputs reading entry k: its own, and at the ends those the clamp sends there
    Int128 a = tab.inLo + Int128(k) * span, b = a + span - 1;
    a = k == 0 ? Int128{xmin} : std::max<Int128>(a, xmin);
    b = k == last - first ? Int128{xmax} : std::min<Int128>(b, xmax);
    const double mid = std::ldexp(static_cast<double>(a + b) / 2, -frac);
    try {
      tab.values[i] = quantizeReal(f(mid), tab.type);
    } catch (const std::invalid_argument& ex) {
      throw Error(l.loc, l.name, fmt::format("table entry for input {}: {}", mid, ex.what()));
    }
  }
}

/// The table of an activation over inputs [-R, R) (`nonPositive`: [-R, 0], the inputs of
/// Softmax's exponential) in tableSize entries of width 2R / tableSize (R / tableSize), or one
/// entry per input value when the input type is coarser, for the raw inputs [xmin, xmax] at
/// `frac` fraction bits; values in type t.
template <typename F>
LookupTable rangeTable(const Layer& l, int64_t xmin, int64_t xmax, int frac, bool nonPositive,
                       const FixedType& t, F f) {
  LookupTable tab;
  tab.type = t;
  const int e = std::ilogb(l.tableRange) + (nonPositive ? 0 : 1) -
                std::countr_zero(static_cast<unsigned>(l.tableSize));  // entry width 2^e
  tab.shift = std::max(0, e + frac);
  const double lo = std::floor(std::ldexp(-l.tableRange, frac));  // raw -R
  if (lo < -std::ldexp(1.0, kMaxBits))
    throw Error(l.loc, l.name, "the table's input range exceeds 62 bits; use a smaller range");
  tab.inLo = static_cast<int64_t>(lo);
  const double entries =
      std::ceil(std::ldexp(l.tableRange * (nonPositive ? 1 : 2), frac - tab.shift));
  fillTable(l, tab, static_cast<size_t>(std::max(1.0, entries)), xmin, xmax, frac, f);
  return tab;
}

/// Sigmoid and Tanh: the function table over the input type (LookupTable).
void lowerActivationTable(Layer& l) {
  const bool sigmoid = l.kind == LayerKind::Sigmoid;
  l.arith.table =
      rangeTable(l, l.inType.minRaw(), l.inType.maxRaw(), l.inType.fracBits(), false, l.resultType,
                 [&](double x) { return sigmoid ? 1.0 / (1.0 + std::exp(-x)) : std::tanh(x); });
}

/// Softmax (Layer::Arith): the exponential over the differences x - max in [xmin - xmax, 0],
/// and the reciprocal over the sums S of the n exponentials, from the largest element's entry
/// plus n - 1 of the smallest to n times the largest entry, in tableSize entries.
void lowerSoftmax(Layer& l) {
  auto& a = l.arith;
  const int64_t dmin =
      checked(l, Int128{l.inType.minRaw()} - l.inType.maxRaw(), "the input difference");
  a.table = rangeTable(l, dmin, 0, l.inType.fracBits(), true, l.expTableType,
                       [](double d) { return std::exp(d); });
  const int64_t top = a.table.lookup(0);
  const int64_t low = *std::min_element(a.table.values.begin(), a.table.values.end());
  if (top <= 0)
    throw Error(l.loc, l.name,
                fmt::format("e^0 = 1 is 0 in precision.exp_table {}: use a type that holds 1",
                            l.expTableType.str()));
  const int64_t n = l.in.c;
  const int64_t sMin = checked(l, Int128{top} + Int128{n - 1} * std::max<int64_t>(low, 0), "a sum");
  const int64_t sMax = checked(l, Int128{top} * n, "the sum of the exponentials");
  a.invTable.type = l.invTableType;
  a.invTable.inLo = sMin;
  while ((Int128{l.tableSize} << a.invTable.shift) < Int128{sMax} - sMin + 1) ++a.invTable.shift;
  fillTable(l, a.invTable, size_t(l.tableSize), sMin, sMax, l.expTableType.fracBits(),
            [](double s) { return 1.0 / s; });
}

}  // namespace

std::string lowerArithmetic(Graph& g) {
  FixedType in = g.inputType;
  int dotLayers = 0, widest = 0;
  std::string widestLayer;
  for (Layer& l : g.layers) {
    l.inType = in;
    l.arith = Layer::Arith{};
    // no arithmetic (Flatten), the type passes through
    if (kindInfo(l.kind).taps == TapPattern::None) continue;
    if (kindInfo(l.kind).dotProduct) {  // Conv2D, Dense, BatchNorm kept as scale-and-shift
      lowerDot(l, l.q.kernel, l.q.bias, l.out.c);
      if (l.kind == LayerKind::BatchNorm && l.resultType.binary && !l.accumType) lowerThreshold(l);
      ++dotLayers;
    }
    // The one kind whose arithmetic is neither a dot product nor decided by its result type
    // (max pooling and ReLU just requantize).
    if (l.kind == LayerKind::AvgPool2D) lowerAveragePool(l);
    if (l.kind == LayerKind::Sigmoid || l.kind == LayerKind::Tanh) lowerActivationTable(l);
    if (l.kind == LayerKind::Softmax) lowerSoftmax(l);
    for (size_t n = 0; n < l.arith.accMin.size(); ++n) {
      const int bits = signedBitsFor(l.arith.accMin[n], l.arith.accMax[n]);
      if (bits > widest) std::tie(widest, widestLayer) = std::pair{bits, l.name};
    }
    in = l.resultType;
  }
  return fmt::format("{} weighted layer(s), widest accumulator bound {} bits{}", dotLayers, widest,
                     widestLayer.empty() ? "" : " (" + widestLayer + ")");
}

}  // namespace nngen
