//! @file passes_test.cpp
//! @brief Each pass alone on a small hand-built Graph (not only through golden networks), the
//!        kind table and its kernel index.
#include "passes/passes.h"

#include <gtest/gtest.h>

#include <cmath>

#include "ir/graph.h"

namespace nngen {
namespace {

/// conv (1x1, 2 -> 2 channels, bias) -> MaxPooling2D 2x2 -> BatchNormalization on a 4x4x2 input.
Graph convPoolBn(std::vector<double> gamma) {
  Graph g;
  g.name = "t";
  g.input = Shape{4, 4, 2};
  Layer conv;
  conv.name = "conv";
  conv.kind = LayerKind::Conv2D;
  conv.in = conv.out = Shape{4, 4, 2};
  conv.kernel = FloatTensor{{1, 1, 2, 2}, {0.5, -0.25, 1.0, 0.75}};  // [0][0][cin][cout]
  conv.bias = FloatTensor{{2}, {0.125, -0.5}};
  Layer pool;
  pool.name = "pool";
  pool.kind = LayerKind::MaxPool2D;
  pool.in = Shape{4, 4, 2};
  pool.out = Shape{2, 2, 2};
  pool.kernelH = pool.kernelW = pool.strideH = pool.strideW = 2;
  Layer bn;
  bn.name = "bn";
  bn.kind = LayerKind::BatchNorm;
  bn.in = bn.out = pool.out;
  bn.gamma = FloatTensor{{2}, gamma};
  bn.beta = FloatTensor{{2}, {0.5, -1.0}};
  bn.movingMean = FloatTensor{{2}, {1.0, 0.25}};
  bn.movingVariance = FloatTensor{{2}, {1.0, 3.0}};
  bn.epsilon = 1e-3;
  g.layers = {conv, pool, bn};
  verifyGraph(g, "test setup");
  return g;
}

TEST(FoldBatchNorm, ZeroScaleFoldsThroughMaxPooling) {
  // max commutes with a scale >= 0: a zero scale folds, its channel becomes the constant beta
  Graph g = convPoolBn({0.0, 2.0});
  const std::string summary = foldBatchNorm(g);
  verifyGraph(g, "fold-batchnorm");
  ASSERT_EQ(g.layers.size(), 2u);
  const Layer& conv = g.layers[0];
  EXPECT_EQ(conv.foldedLayers, std::vector<std::string>{"bn"});
  const double s1 = 2.0 / std::sqrt(3.0 + 1e-3);
  // kernel [cin][cout]: output channel 0 (scale 0) is all zero, channel 1 scaled by s1
  EXPECT_EQ(conv.kernel.data[0], 0.0);
  EXPECT_EQ(conv.kernel.data[2], 0.0);
  EXPECT_DOUBLE_EQ(conv.kernel.data[1], -0.25 * s1);
  EXPECT_DOUBLE_EQ(conv.kernel.data[3], 0.75 * s1);
  EXPECT_EQ(conv.bias.data[0], 0.5);  // beta: b*0 + beta - mean*0
  EXPECT_DOUBLE_EQ(conv.bias.data[1], -0.5 * s1 + (-1.0 - 0.25 * s1));
  EXPECT_EQ(summary, "folded 1 (bn into conv), kept 0 as scale-and-shift");
}

TEST(FoldBatchNorm, NegativeScaleIsNotFoldedThroughMaxPooling) {
  // max(-a, -b) != -max(a, b): the BatchNorm stays as scale-and-shift, the conv is untouched
  Graph g = convPoolBn({-1.0, 1.0});
  const Graph before = g;
  EXPECT_EQ(foldBatchNorm(g), "folded 0, kept 1 as scale-and-shift");
  ASSERT_EQ(g.layers.size(), 3u);
  EXPECT_EQ(g.layers[2].kind, LayerKind::BatchNorm);
  EXPECT_EQ(g.layers[0].kernel.data, before.layers[0].kernel.data);
  EXPECT_EQ(g.layers[0].bias.data, before.layers[0].bias.data);
  EXPECT_TRUE(g.layers[0].foldedLayers.empty());
}

TEST(FoldBatchNorm, NegativeScaleFoldsDirectlyAfterConv) {
  Graph g = convPoolBn({-1.0, 1.0});
  std::swap(g.layers[1], g.layers[2]);  // conv -> bn -> pool: bn on the 4x4x2 conv output
  g.layers[1].in = g.layers[1].out = Shape{4, 4, 2};
  g.layers[2].in = Shape{4, 4, 2};
  verifyGraph(g, "test setup");
  EXPECT_EQ(foldBatchNorm(g), "folded 1 (bn into conv), kept 0 as scale-and-shift");
  ASSERT_EQ(g.layers.size(), 2u);
  EXPECT_DOUBLE_EQ(g.layers[0].kernel.data[0], 0.5 * -1.0 / std::sqrt(1.0 + 1e-3));
}

TEST(LowerArithmetic, DenseAccumulatorBoundsAreTheSumOfExtremeProducts) {
  Graph g;
  g.name = "t";
  g.input = Shape{1, 1, 3};
  g.inputType = parseFixedType("ap_fixed<4,2>");  // raw -8 .. 7, 2 fraction bits
  Layer d;
  d.name = "d";
  d.kind = LayerKind::Dense;
  d.in = g.input;
  d.out = Shape{1, 1, 2};
  d.weightType = parseFixedType("ap_fixed<4,2>");  // 2 fraction bits: products have 4
  d.biasType = parseFixedType("ap_fixed<8,6>");    // 2 fraction bits: shifted by 2 to the products'
  d.resultType = parseFixedType("ap_fixed<16,6>");
  d.kernel = FloatTensor{{3, 2}, std::vector<double>(6, 0.0)};
  d.q.kernel = {1, -2, 3, 0, -4, 5};  // raw [cin][cout]
  d.q.bias = {1, -1};
  g.layers = {d};
  const std::string summary = lowerArithmetic(g);
  const Layer::Arith& a = g.layers[0].arith;
  EXPECT_EQ(a.accFrac, 4);
  EXPECT_EQ(a.bias, (std::vector<int64_t>{4, -4}));
  // channel 0, weights 1, 3, -4: min 1*-8 + 3*-8 + -4*7 + 4 = -56, max 1*7 + 3*7 + -4*-8 + 4 = 64
  // channel 1, weights -2, 0, 5: min -2*7 + 5*-8 - 4 = -58,   max -2*-8 + 5*7 - 4 = 47
  EXPECT_EQ(a.accMin, (std::vector<int64_t>{-56, -58}));
  EXPECT_EQ(a.accMax, (std::vector<int64_t>{64, 47}));
  EXPECT_EQ(summary, "1 weighted layer(s), widest accumulator bound 8 bits (d)");  // 64 needs 8
}

TEST(KindTable, KernelIndexIsKerasLayout) {
  // numpy C order of a (kh, kw, cin, cout) array: walking the indices in that order visits
  // 0, 1, 2, ... in turn
  const KernelDims d{3, 2, 4, 5};
  size_t expected = 0;
  for (int a = 0; a < d.h; ++a)
    for (int b = 0; b < d.w; ++b)
      for (int c = 0; c < d.cin; ++c)
        for (int n = 0; n < d.cout; ++n) EXPECT_EQ(kernelIndex(d, a, b, c, n), expected++);
  EXPECT_EQ(expected, d.size());
  EXPECT_EQ(kernelIndex(d, 1, 0, 2, 3), size_t(((1 * 2 + 0) * 4 + 2) * 5 + 3));
}

TEST(KindTable, ConvTapsPairWindowAndKernel) {
  Layer l;
  l.kind = LayerKind::Conv2D;
  l.kernelH = 2;
  l.kernelW = 3;
  l.in = Shape{5, 5, 2};
  l.out = Shape{4, 3, 4};
  const std::vector<Tap> taps = layerTaps(l, 3);
  ASSERT_EQ(taps.size(), 2u * 3 * 2);
  for (size_t i = 0; i < taps.size(); ++i) {
    EXPECT_EQ(taps[i].input, i);          // the window in nn_sliding_window order
    EXPECT_EQ(taps[i].coeff, i * 4 + 3);  // [kh][kw][cin][3]
  }
  l.kind = LayerKind::MaxPool2D;  // pooling: channel 1 of each window position
  l.out.c = 2;
  const std::vector<Tap> pool = layerTaps(l, 1);
  ASSERT_EQ(pool.size(), 6u);
  for (size_t i = 0; i < pool.size(); ++i) EXPECT_EQ(pool[i].input, i * 2 + 1);
}

TEST(KindTable, EveryKindHasOneRowAndRoundTripsItsSpecName) {
  for (LayerKind k :
       {LayerKind::Conv2D, LayerKind::Dense, LayerKind::MaxPool2D, LayerKind::AvgPool2D,
        LayerKind::BatchNorm, LayerKind::ReLU, LayerKind::Flatten}) {
    EXPECT_EQ(kindInfo(k).kind, k);
    EXPECT_EQ(kindFromSpecName(kindName(k)), k);
  }
  EXPECT_FALSE(kindFromSpecName("DepthwiseConv2D"));
  EXPECT_STREQ(kindName(LayerKind::MaxPool2D), "MaxPooling2D");
  EXPECT_TRUE(kindInfo(LayerKind::Dense).windowed);  // a Dense's window is its whole input
  EXPECT_FALSE(kindInfo(LayerKind::BatchNorm).windowed);
}

TEST(Pipeline, RunPassesLogsOneLinePerPass) {
  Graph g = convPoolBn({0.0, 2.0});
  g.inputType = parseFixedType("ap_fixed<8,3>");
  for (Layer& l : g.layers) {
    l.weightType = parseFixedType("ap_fixed<8,3>");
    l.biasType = parseFixedType("ap_fixed<8,3>");
    l.resultType = parseFixedType("ap_fixed<12,5>");
  }
  std::vector<std::string> log;
  runPasses(g, "", nullptr, &log);
  ASSERT_EQ(log.size(), passPipeline().size());
  EXPECT_EQ(log[0], "fold-batchnorm: folded 1 (bn into conv), kept 0 as scale-and-shift");
  EXPECT_EQ(log[1], "absorb-flatten: removed 0 Flatten");
  EXPECT_EQ(log[2],
            "quantize: 4 weights, 2 biases, 0 BatchNorm scale/shift pairs into their types (0 "
            "overflowed)");
  EXPECT_EQ(log[3].rfind("lower-arithmetic: 1 weighted layer(s), widest accumulator bound ", 0), 0u)
      << log[3];
}

}  // namespace
}  // namespace nngen
