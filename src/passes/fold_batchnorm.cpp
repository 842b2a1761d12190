//! @file fold_batchnorm.cpp
//! @brief Pass fold-batchnorm: BatchNormalization folded into the preceding Conv2D/Dense.
#include <fmt/format.h>

#include <cmath>

#include "passes/passes.h"

namespace nngen {

std::string foldBatchNorm(Graph& g) {
  std::vector<std::string> folded;
  int kept = 0;
  for (size_t i = 0; i < g.layers.size(); ++i) {
    Layer& bn = g.layers[i];
    if (bn.kind != LayerKind::BatchNorm) continue;
    std::vector<double> scale(bn.in.c), shift(bn.in.c);
    bool nonNegative = true;
    for (int c = 0; c < bn.in.c; ++c) {
      scale[c] = bn.gamma.data[c] / std::sqrt(bn.movingVariance.data[c] + bn.epsilon);
      shift[c] = bn.beta.data[c] - bn.movingMean.data[c] * scale[c];
      nonNegative = nonNegative && scale[c] >= 0;
    }
    // Walk back over layers the affine map commutes with (pooling, see ScaleCommute).
    size_t j = i;
    while (j > 0) {
      const ScaleCommute sc = kindInfo(g.layers[j - 1].kind).passesScale;
      if (sc == ScaleCommute::Always || (sc == ScaleCommute::NonNegative && nonNegative))
        --j;
      else
        break;
    }
    // Binary and ternary weights stay what they were trained to be: w * s would not be.
    if (j == 0 || !kindInfo(g.layers[j - 1].kind).foldsBatchNorm ||
        g.layers[j - 1].weightType.binary || g.layers[j - 1].weightType.isTernary()) {
      ++kept;
      continue;
    }
    Layer& target = g.layers[j - 1];
    const int cout = target.out.c;
    for (int n = 0; n < cout; ++n)  // every weight feeding output channel n scales by scale[n]
      for (const Tap& t : layerTaps(target, n)) target.kernel.data[t.coeff] *= scale[n];
    std::vector<double> bias(cout);
    for (int n = 0; n < cout; ++n) {
      const double b = target.bias.empty() ? 0.0 : target.bias.data[n];
      bias[n] = b * scale[n] + shift[n];
    }
    target.bias = FloatTensor{{size_t(cout)}, bias};
    target.foldedLayers.push_back(bn.name);
    folded.push_back(fmt::format("{} into {}", bn.name, target.name));
    // The folded layers now produce the BatchNorm's output: its result type, when it sets one,
    // replaces theirs (the Conv2D/Dense and any pooling in between), as hls4ml's fused layer
    // takes the BatchNorm's output type.
    if (bn.resultTypeSet)
      for (size_t k = j - 1; k < i; ++k) {
        g.layers[k].resultType = bn.resultType;
        g.layers[k].resultTypeSet = true;
      }
    g.layers.erase(g.layers.begin() + static_cast<long>(i));
    --i;
  }
  std::string list;
  for (const auto& f : folded) list += (list.empty() ? " (" : ", ") + f;
  if (!list.empty()) list += ")";
  return fmt::format("folded {}{}, kept {} as scale-and-shift", folded.size(), list, kept);
}

}  // namespace nngen
