//! @file quantize.cpp
//! @brief Pass quantize: post-training quantization (PTQ) of all constants.
#include <fmt/format.h>

#include <cmath>

#include "passes/passes.h"

namespace nngen {

/// Quantizes every value into t. Values that overflow t (saturate or wrap, as ap_fixed does)
/// are accepted; one warning per tensor names how many and the farthest one.
/// `overflowed` counts the values that overflow.
static std::vector<int64_t> quantizeAll(Graph& g, const Layer& l, const std::vector<double>& values,
                                        const FixedType& t, const char* what, size_t& overflowed) {
  std::vector<int64_t> out;
  out.reserve(values.size());
  size_t overflowing = 0;
  double worst = 0;
  for (double v : values) {
    try {
      out.push_back(quantizeReal(v, t));
    } catch (const std::invalid_argument& e) {
      throw Error(l.loc, l.name, fmt::format("cannot quantize {}: {}", what, e.what()));
    }
    if (!fitsReal(v, t)) {
      ++overflowing;
      if (std::fabs(v) > std::fabs(worst)) worst = v;
    }
  }
  overflowed += overflowing;
  if (overflowing)
    g.warnings.push_back(Warning{
        l.loc, l.name,
        fmt::format("{} of {} {} value(s) lie outside the range of {} (the farthest: {:g}); "
                    "they overflow with {}, as ap_fixed does",
                    overflowing, values.size(), what, t.str(), worst, overflowName(t.overflow))});
  return out;
}

std::string quantize(Graph& g) {
  size_t weights = 0, biases = 0, scales = 0, overflowed = 0;
  for (Layer& l : g.layers) {
    if (kindInfo(l.kind).hasWeights) {
      l.q.kernel = quantizeAll(g, l, l.kernel.data, l.weightType, "kernel", overflowed);
      if (!l.bias.empty())
        l.q.bias = quantizeAll(g, l, l.bias.data, l.biasType, "bias", overflowed);
      weights += l.q.kernel.size();
      biases += l.q.bias.size();
    } else if (l.kind == LayerKind::BatchNorm) {
      std::vector<double> scale(l.in.c), shift(l.in.c);
      for (int c = 0; c < l.in.c; ++c) {
        scale[c] = l.gamma.data[c] / std::sqrt(l.movingVariance.data[c] + l.epsilon);
        shift[c] = l.beta.data[c] - l.movingMean.data[c] * scale[c];
      }
      l.q.kernel = quantizeAll(g, l, scale, l.weightType, "scale gamma/sqrt(var+eps)", overflowed);
      l.q.bias = quantizeAll(g, l, shift, l.biasType, "shift beta-mean*scale", overflowed);
      scales += l.q.kernel.size();
    }
  }
  return fmt::format(
      "{} weights, {} biases, {} BatchNorm scale/shift pairs into their types ({} overflowed)",
      weights, biases, scales, overflowed);
}

}  // namespace nngen
