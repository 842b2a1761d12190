// The C++ fixed-point reference against PyTorch's float model on the shipped example: the
// logits exported by tools/train_svhn_paper.py (data/float_logits.npy) must be close to the
// reference's at ap_fixed<16,6>. A wrong weight layout, flatten order, BatchNorm fold or
// preprocessing step would scramble them, which the golden tests (RTL against this same
// reference) cannot see.
#include "ref/reference.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>

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

}  // namespace
}  // namespace nngen
