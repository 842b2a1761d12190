// The C++ fixed-point reference against PyTorch's float model on the shipped example: the
// logits exported by tools/train_svhn_paper.py (data/float_logits.npy) must be close to the
// reference's at ap_fixed<16,6>. A wrong weight layout, flatten order, BatchNorm fold or
// preprocessing step would scramble them, which the golden tests (RTL against this same
// reference) cannot see.
#include "ref/reference.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "passes/passes.h"
#include "spec/npy.h"
#include "spec/spec_loader.h"

namespace nngen {
namespace {

const std::string kExample = std::string(NNGEN_TEST_DATA) + "/../configs/svhn_paper/";

TEST(Reference, MatchesFloatPyTorchLogitsOnShippedExample) {
  const Graph g = runPasses(loadSpec(kExample + "bf.yaml"));
  ASSERT_TRUE(g.testData.has_value());
  constexpr size_t kImages = 300;
  const InputBatch batch = loadInputs(g, g.testData->images, g.testData->labels, kImages);
  const NpyArray ref = loadNpy(kExample + "data/float_logits.npy", {}, "");
  ASSERT_EQ(batch.images.size(), kImages);
  ASSERT_EQ(ref.shape.size(), 2u);
  ASSERT_EQ(ref.shape[1], 10u);

  const int frac = g.layers.back().resultType.fracBits();
  double maxDiff = 0, sumDiff = 0, sumFloat = 0;
  size_t sameClass = 0;
  for (size_t i = 0; i < kImages; ++i) {
    const IntTensor out = runNetwork(g, batch.images[i]);
    ASSERT_EQ(out.v.size(), 10u);
    int floatClass = 0;
    for (int c = 0; c < 10; ++c) {
      const double fl = ref.values[i * 10 + c];
      const double d = std::abs(std::ldexp(static_cast<double>(out.v[c]), -frac) - fl);
      maxDiff = std::max(maxDiff, d);
      sumDiff += d;
      sumFloat += std::abs(fl);
      if (fl > ref.values[i * 10 + floatClass]) floatClass = c;
    }
    sameClass += argmax(out) == floatClass;
  }
  const double meanDiff = sumDiff / (kImages * 10), meanFloat = sumFloat / (kImages * 10);
  RecordProperty("max_abs_logit_diff", std::to_string(maxDiff));
  RecordProperty("mean_abs_logit_diff", std::to_string(meanDiff));
  std::printf(
      "reference vs float on %zu images: same class %zu, mean |logit diff| %.4f (mean |logit| "
      "%.4f), max %.4f\n",
      kImages, sameClass, meanDiff, meanFloat, maxDiff);
  // Quantization noise of <16,6> (10 fractional bits) through 6 layers stays a few percent of
  // the logits (measured: 0.127 of 4.68); a layout error gives differences of their own size.
  EXPECT_LT(meanDiff, 0.05 * meanFloat);
  EXPECT_GE(sameClass, kImages * 97 / 100);
}

// The 7-bit, 50 %-pruned model fine-tuned by tools/train_svhn_paper.py --finetune-bits 7
// (configs/svhn_paper/qp7.yaml): the script's PyTorch forward pass fake-quantizes with nngen's
// rounding and overflow rules, so the reference must reproduce its logits
// (data/qp7_logits.npy) bit for bit on every shipped image, score within 2 points of the float
// model's 0.9120 and keep half of every kernel at exactly zero after PTQ.
TEST(Reference, ReproducesFineTuned7BitModelBitExactly) {
  const Graph g = runPasses(loadSpec(kExample + "qp7.yaml"));
  ASSERT_TRUE(g.testData.has_value());
  const InputBatch batch = loadInputs(g, g.testData->images, g.testData->labels, 0);
  const NpyArray ref = loadNpy(kExample + "data/qp7_logits.npy", {}, "");
  ASSERT_EQ(batch.images.size(), 1000u);
  ASSERT_EQ(ref.shape, (std::vector<size_t>{1000, 10}));

  const int frac = g.layers.back().resultType.fracBits();
  size_t sameLogits = 0, correct = 0;
  for (size_t i = 0; i < batch.images.size(); ++i) {
    const IntTensor out = runNetwork(g, batch.images[i]);
    ASSERT_EQ(out.v.size(), 10u);
    bool same = true;
    for (int c = 0; c < 10; ++c)
      same = same && std::ldexp(static_cast<double>(out.v[c]), -frac) == ref.values[i * 10 + c];
    sameLogits += same;
    correct += argmax(out) == batch.labels[i];
  }
  const double acc = static_cast<double>(correct) / static_cast<double>(batch.images.size());
  std::printf("qp7: reference accuracy %.4f, logits identical to PyTorch's on %zu/%zu images\n",
              acc, sameLogits, batch.images.size());
  EXPECT_EQ(sameLogits, batch.images.size());
  EXPECT_GE(acc, 0.892);
  ASSERT_TRUE(g.metadata.count("nngen_accuracy"));
  EXPECT_EQ(fmt::format("{:.4f}", acc), g.metadata.at("nngen_accuracy"));

  int weighted = 0;
  for (const Layer& l : g.layers) {
    if (!kindInfo(l.kind).hasWeights) continue;
    ++weighted;
    const auto zeros = std::count(l.q.kernel.begin(), l.q.kernel.end(), int64_t{0});
    std::printf("qp7: %s: %td of %zu quantized weights are zero\n", l.name.c_str(), zeros,
                l.q.kernel.size());
    EXPECT_GE(2 * static_cast<size_t>(zeros), l.q.kernel.size()) << l.name;
  }
  EXPECT_EQ(weighted, 6);
}

}  // namespace
}  // namespace nngen
