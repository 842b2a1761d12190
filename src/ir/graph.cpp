//! @file graph.cpp
//! @brief IR helpers: taps, invariant checks, dumps.
#include "ir/graph.h"

#include <fmt/format.h>

namespace nngen {

const char* multipliersName(Multipliers m) {
  switch (m) {
    case Multipliers::Lut:
      return "lut";
    case Multipliers::Dsp:
      return "dsp";
    case Multipliers::Auto:
      break;
  }
  return "auto";
}

int64_t accumulatedProduct(const Layer& l, int64_t product) {
  if (!l.accumType) return product;
  return roundFrac(product, l.inType.fracBits() + l.arith.coeffFrac, l.arith.accFrac,
                   l.accumType->rounding);
}

std::vector<Tap> layerTaps(const Layer& l, int n) {
  std::vector<Tap> taps;
  switch (kindInfo(l.kind).taps) {
    case TapPattern::None:
      break;
    case TapPattern::AllChannels: {
      const KernelDims d = l.kernelDims();
      taps.reserve(size_t(d.h) * d.w * d.cin);
      for (int r = 0; r < d.h; ++r)
        for (int c = 0; c < d.w; ++c)
          for (int ch = 0; ch < d.cin; ++ch)
            taps.push_back(Tap{windowIndex(d.w, d.cin, r, c, ch), kernelIndex(d, r, c, ch, n)});
      break;
    }
    case TapPattern::SameChannel:
      for (int r = 0; r < l.kernelH; ++r)
        for (int c = 0; c < l.kernelW; ++c)
          taps.push_back(Tap{windowIndex(l.kernelW, l.in.c, r, c, n), 0});
      break;
    case TapPattern::Pointwise:
      taps.push_back(Tap{size_t(n), size_t(n)});
      break;
    case TapPattern::WholePixel:
      for (int c = 0; c < l.in.c; ++c) taps.push_back(Tap{size_t(c), size_t(c)});
      break;
  }
  return taps;
}

size_t LookupTable::index(int64_t x) const {
  const Int128 off = Int128{x} - inLo;
  if (off < 0) return 0;
  const Int128 i = off >> shift;
  return i >= Int128(values.size()) ? values.size() - 1 : static_cast<size_t>(i);
}

static std::string shapeStr(const Shape& s) { return fmt::format("{}x{}x{}", s.h, s.w, s.c); }

void verifyGraph(const Graph& g, const std::string& afterPass) {
  auto fail = [&](const Layer& l, const std::string& what) {
    throw Error(l.loc, l.name,
                fmt::format("IR invariant broken after pass '{}': {}", afterPass, what));
  };
  Shape cur = g.input;
  for (const Layer& l : g.layers) {
    if (!(l.in == cur))
      fail(l, fmt::format("input shape {} but the previous output is {}", shapeStr(l.in),
                          shapeStr(cur)));
    if (l.out.h < 1 || l.out.w < 1 || l.out.c < 1) fail(l, "empty output shape");
    if (kindInfo(l.kind).hasWeights) {
      const int64_t n = static_cast<int64_t>(l.kernelDims().size());
      if (static_cast<int64_t>(l.kernel.data.size()) != n)
        fail(l, fmt::format("kernel has {} values, expected {}", l.kernel.data.size(), n));
      if (!l.bias.empty() && static_cast<int>(l.bias.data.size()) != l.out.c)
        fail(l, "bias size differs from the output channels");
      if (!l.q.kernel.empty() && static_cast<int64_t>(l.q.kernel.size()) != n)
        fail(l, "quantized kernel size differs from the float kernel");
    }
    if (kindInfo(l.kind).taps == TapPattern::Pointwise && !(l.in == l.out))
      fail(l, fmt::format("{} changes shape", kindName(l.kind)));
    cur = l.out;
  }
}

std::string dumpGraph(const Graph& g) {
  std::string s =
      fmt::format("graph {}: input {} {}\n", g.name, shapeStr(g.input), g.inputType.str());
  for (const Layer& l : g.layers) {
    s += fmt::format("  {:<12} {:<18} {} -> {}", l.name, kindName(l.kind), shapeStr(l.in),
                     shapeStr(l.out));
    const LayerKindInfo& k = kindInfo(l.kind);
    if (k.windowed && l.kind != LayerKind::Dense)  // a Dense's window is its whole input
      s += fmt::format(" k{}x{} s{}x{} pad{},{},{},{}", l.kernelH, l.kernelW, l.strideH, l.strideW,
                       l.pad.top, l.pad.bottom, l.pad.left, l.pad.right);
    if (k.dotProduct) s += fmt::format(" weight {} bias {}", l.weightType.str(), l.biasType.str());
    if (l.accumType) s += fmt::format(" accum {}", l.accumType->str());
    if (k.taps != TapPattern::None) s += fmt::format(" result {}", l.resultType.str());
    if (!l.foldedLayers.empty()) {
      s += " folded:";
      for (auto& f : l.foldedLayers) s += " " + f;
    }
    if (!l.q.kernel.empty()) s += fmt::format(" quantized({} weights)", l.q.kernel.size());
    if (l.kind == LayerKind::AvgPool2D && l.arith.divisor > 1)
      s += fmt::format(" mean: sum*2^{}/{} exact (hardware: (sum*2^{}+{})*{} >> {})",
                       l.arith.numShift, l.arith.divisor, l.arith.numShift, l.arith.divider.offset,
                       l.arith.divider.multiplier, l.arith.divider.shift);
    s += "\n";
  }
  return s;
}

}  // namespace nngen
