//! @file graph.cpp
//! @brief IR helpers: kind names, invariant checks, dumps.
#include "ir/graph.h"

#include <fmt/format.h>

namespace nngen {

const char* kindName(LayerKind kind) {
  switch (kind) {
    case LayerKind::Conv2D: return "Conv2D";
    case LayerKind::Dense: return "Dense";
    case LayerKind::MaxPool2D: return "MaxPooling2D";
    case LayerKind::AvgPool2D: return "AveragePooling2D";
    case LayerKind::BatchNorm: return "BatchNormalization";
    case LayerKind::ReLU: return "ReLU";
    case LayerKind::Flatten: return "Flatten";
  }
  return "?";
}

static std::string shapeStr(const Shape& s) { return fmt::format("{}x{}x{}", s.h, s.w, s.c); }

void verifyGraph(const Graph& g, const std::string& afterPass) {
  auto fail = [&](const Layer& l, const std::string& what) {
    throw Error(l.loc, l.name, fmt::format("IR invariant broken after pass '{}': {}", afterPass, what));
  };
  Shape cur = g.input;
  for (const Layer& l : g.layers) {
    if (!(l.in == cur))
      fail(l, fmt::format("input shape {} but the previous output is {}", shapeStr(l.in),
                          shapeStr(cur)));
    if (l.out.h < 1 || l.out.w < 1 || l.out.c < 1) fail(l, "empty output shape");
    if (l.kind == LayerKind::Conv2D || l.kind == LayerKind::Dense) {
      const int64_t n = int64_t{l.kernelH} * l.kernelW * l.in.c * l.out.c;
      if (static_cast<int64_t>(l.kernel.data.size()) != n)
        fail(l, fmt::format("kernel has {} values, expected {}", l.kernel.data.size(), n));
      if (!l.bias.empty() && static_cast<int>(l.bias.data.size()) != l.out.c)
        fail(l, "bias size differs from the output channels");
      if (!l.q.kernel.empty() && static_cast<int64_t>(l.q.kernel.size()) != n)
        fail(l, "quantized kernel size differs from the float kernel");
    }
    if (l.kind == LayerKind::BatchNorm && !(l.in == l.out)) fail(l, "BatchNorm changes shape");
    cur = l.out;
  }
}

std::string dumpGraph(const Graph& g) {
  std::string s = fmt::format("graph {}: input {} {}\n", g.name, shapeStr(g.input),
                              g.inputType.str());
  for (const Layer& l : g.layers) {
    s += fmt::format("  {:<12} {:<18} {} -> {}", l.name, kindName(l.kind), shapeStr(l.in),
                     shapeStr(l.out));
    if (l.kind == LayerKind::Conv2D || l.kind == LayerKind::MaxPool2D ||
        l.kind == LayerKind::AvgPool2D)
      s += fmt::format(" k{}x{} s{}x{} pad{},{},{},{}", l.kernelH, l.kernelW, l.strideH,
                       l.strideW, l.pad.top, l.pad.bottom, l.pad.left, l.pad.right);
    if (l.kind == LayerKind::Conv2D || l.kind == LayerKind::Dense ||
        l.kind == LayerKind::BatchNorm)
      s += fmt::format(" weight {} bias {}", l.weightType.str(), l.biasType.str());
    if (l.accumType) s += fmt::format(" accum {}", l.accumType->str());
    if (l.kind != LayerKind::Flatten) s += fmt::format(" result {}", l.resultType.str());
    if (!l.foldedLayers.empty()) {
      s += " folded:";
      for (auto& f : l.foldedLayers) s += " " + f;
    }
    if (!l.q.kernel.empty()) s += fmt::format(" quantized({} weights)", l.q.kernel.size());
    if (l.kind == LayerKind::AvgPool2D && l.arith.divisor > 1)
      s += fmt::format(" mean: sum*2^{}/{} exact (hardware: (sum*2^{}+{})*{} >> {})", l.arith.numShift,
                       l.arith.divisor, l.arith.numShift, l.arith.divider.offset,
                       l.arith.divider.multiplier, l.arith.divider.shift);
    s += "\n";
  }
  return s;
}

}  // namespace nngen
