//! @file fold_batchnorm.cpp
//! @brief Pass fold-batchnorm: BatchNormalization folded into the preceding Conv2D/Dense.
#include <cmath>

#include "passes/passes.h"

namespace nngen {

void foldBatchNorm(Graph& g) {
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
    // Walk back over pooling layers the affine map commutes with.
    size_t j = i;
    while (j > 0) {
      const LayerKind k = g.layers[j - 1].kind;
      if (k == LayerKind::AvgPool2D || (k == LayerKind::MaxPool2D && nonNegative)) --j;
      else break;
    }
    if (j == 0) continue;
    Layer& target = g.layers[j - 1];
    if (target.kind != LayerKind::Conv2D && target.kind != LayerKind::Dense) continue;
    const int cout = target.out.c;
    for (size_t k = 0; k < target.kernel.data.size(); ++k) target.kernel.data[k] *= scale[k % cout];
    std::vector<double> bias(cout);
    for (int n = 0; n < cout; ++n) {
      const double b = target.bias.empty() ? 0.0 : target.bias.data[n];
      bias[n] = b * scale[n] + shift[n];
    }
    target.bias = FloatTensor{{size_t(cout)}, bias};
    target.foldedLayers.push_back(bn.name);
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
}

}  // namespace nngen
