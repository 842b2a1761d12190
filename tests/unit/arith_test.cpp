//! @file arith_test.cpp
//! @brief Issue 7: exact average pooling (multiply-shift division proven over whole ranges,
//!        every rounding mode against an independent rational model), one overflow step of a
//!        user accumulator, the BatchNorm's result type after folding, and constants far outside
//!        their type accepted with a warning.
#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>

#include "ir/divide.h"
#include "passes/passes.h"
#include "ref/reference.h"
#include "spec/npy.h"
#include "spec/spec_loader.h"

namespace fs = std::filesystem;
using ::testing::HasSubstr;

namespace nngen {
namespace {

constexpr Rounding kModes[] = {Rounding::Trn,     Rounding::TrnZero,   Rounding::Rnd,
                               Rounding::RndZero, Rounding::RndMinInf, Rounding::RndInf,
                               Rounding::RndConv};

/// Independent model of ap_fixed quantization of the rational num / den (den > 0) to an integer,
/// written from the rounding table of docs/fixed_point.md (not from src/ir).
Int128 roundRational(Int128 num, Int128 den, Rounding m) {
  Int128 q = num / den, r = num % den;
  if (r < 0) {
    r += den;
    --q;
  }
  if (r == 0) return q;  // exact values are unchanged in every mode
  const bool neg = num < 0;
  const int cmp = 2 * r < den ? -1 : (2 * r == den ? 0 : 1);  // fraction vs one half
  switch (m) {
    case Rounding::Trn:
      return q;
    case Rounding::TrnZero:
      return neg ? q + 1 : q;
    default:
      break;
  }
  if (cmp < 0) return q;
  if (cmp > 0) return q + 1;
  switch (m) {  // a tie
    case Rounding::Rnd:
      return q + 1;
    case Rounding::RndZero:
      return neg ? q + 1 : q;
    case Rounding::RndMinInf:
      return q;
    case Rounding::RndInf:
      return neg ? q : q + 1;
    case Rounding::RndConv:
      return (q & 1) ? q + 1 : q;
    default:
      return q;
  }
}

// --------------------------------------------------------------------------------------------
// The divider: multiply-shift equals exact division over the whole range.
// --------------------------------------------------------------------------------------------

TEST(ExactDivision, StickyQuotientRoundsLikeTheExactQuotient) {
  for (int64_t d = 1; d <= 60; ++d)
    for (int64_t t = -400; t <= 400; ++t)
      for (Rounding m : kModes) {
        const FixedType to{40, 40, true, m, Overflow::Wrap};  // integers, no overflow here
        ASSERT_EQ(requantize(stickyQuotient(t, d), 2, to),
                  static_cast<int64_t>(roundRational(t, d, m)))
            << "t=" << int64_t(t) << " d=" << d << " mode " << roundingName(m);
      }
}

TEST(ExactDivision, MultiplyShiftIsExactOverWholeSmallRanges) {
  // Every divisor up to 100 (pool windows up to 10x10, times powers of two) and every range an
  // 8-bit input summed over the window can take, signed and unsigned, at shifts 0..3.
  size_t checked = 0;
  for (int64_t n = 1; n <= 100; ++n)
    for (int signedIn = 0; signedIn <= 1; ++signedIn)
      for (int sh = 0; sh <= 3; ++sh) {
        const int64_t xmin = signedIn ? -128 : 0, xmax = signedIn ? 127 : 255;
        const Int128 tMin = Int128{n * xmin} << sh, tMax = Int128{n * xmax} << sh;
        const ConstDivider div = makeDivider(n, tMin, tMax);
        ASSERT_LT(Int128{div.productMax}, Int128{1} << 62);
        for (Int128 t = tMin; t <= tMax; ++t) {
          ASSERT_EQ(stickyByMultiply(div, t), stickyQuotient(t, n))
              << "n=" << n << " t=" << int64_t(t);
          ++checked;
        }
      }
  EXPECT_GT(checked, 10'000'000u);
}

TEST(ExactDivision, MultiplyShiftAtTheEdgesOfWideRanges) {
  // ap_fixed<24,8> inputs over 3x3, 3x2, 5x1, 7x7 windows, result frac 0..4 below the input's,
  // and ap_fixed<16,6> inputs with the result frac -4..4 around the input's.
  std::mt19937_64 rng(7);
  for (int bits : {24, 16})
    for (int64_t n : {9, 6, 5, 49, 3, 7, 25})
      for (int k = -4; k <= (bits == 24 ? 0 : 4); ++k) {
        const int64_t d = n << std::max(-k, 0);
        const Int128 tMin = Int128{n * -(int64_t{1} << (bits - 1))} << std::max(k, 0);
        const Int128 tMax = Int128{n * ((int64_t{1} << (bits - 1)) - 1)} << std::max(k, 0);
        const ConstDivider div = makeDivider(d, tMin, tMax);
        auto check = [&](Int128 t) {
          ASSERT_EQ(stickyByMultiply(div, t), stickyQuotient(t, d))
              << "d=" << d << " t=" << int64_t(t);
        };
        for (Int128 e = 0; e < 3000; ++e) {
          check(tMin + e);
          check(tMax - e);
          check(e - 1500);
        }
        std::uniform_int_distribution<int64_t> u(static_cast<int64_t>(tMin),
                                                 static_cast<int64_t>(tMax));
        for (int i = 0; i < 20000; ++i) check(u(rng));
        // every multiple of d +-1 near the ends and the middle (where ties and exact values are)
        for (Int128 c : {tMin, Int128{0}, tMax})
          for (Int128 m = c / d - 200; m <= c / d + 200; ++m)
            for (int off : {-1, 0, 1})
              if (m * d + off >= tMin && m * d + off <= tMax) check(m * d + off);
      }
}

// --------------------------------------------------------------------------------------------
// Layers through the loader, the passes and the reference.
// --------------------------------------------------------------------------------------------

class ArithLayers : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           fs::path("nngen_arith_" + std::to_string(::getpid()) + "_" +
                    ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  /// Loads and lowers a spec with the given input and layers blocks.
  Graph build(const std::string& input, const std::string& layers) {
    const fs::path p = dir_ / "net.yaml";
    std::ofstream(p) << "nngen: 1\nname: t\ninput:\n" << input << "layers:\n" << layers;
    return runPasses(loadSpec(p.string()));
  }
  std::string npy(const std::string& name, const std::vector<size_t>& shape,
                  const std::vector<double>& v) {
    saveNpyFloat64((dir_ / name).string(), shape, v);
    return name;
  }

  fs::path dir_;
};

TEST_F(ArithLayers, AveragePoolIssueExampleIsExact) {
  // ap_fixed<8,3> 3x3x1, every pixel 1.0 (raw 32), 3x3 pool: the mean is exactly 1.0.
  const Graph g = build("  shape: [3, 3, 1]\n  precision: \"ap_fixed<8,3>\"\n",
                        "  - {name: p, type: AveragePooling2D, pool_size: 3, precision: {result: "
                        "\"ap_fixed<8,3>\"}}\n");
  const IntTensor in{Shape{3, 3, 1}, std::vector<int64_t>(9, 32)};
  EXPECT_EQ(runNetwork(g, in).v[0], 32);  // nngen before issue 7: 31
}

TEST_F(ArithLayers, AveragePoolDocExamples) {
  // docs/fixed_point.md, "Average pooling"
  auto mean = [&](int kh, int kw, const char* mode, std::vector<int64_t> x) {
    const Graph g =
        build("  shape: [" + std::to_string(kh) + ", " + std::to_string(kw) +
                  ", 1]\n  precision: \"ap_fixed<8,3>\"\n",
              fmt::format("  - {{name: p, type: AveragePooling2D, pool_size: [{}, {}], precision: "
                          "{{result: \"ap_fixed<8,3,{}>\"}}}}\n",
                          kh, kw, mode));
    return runNetwork(g, IntTensor{Shape{kh, kw, 1}, std::move(x)}).v[0];
  };
  std::vector<int64_t> s292(9, 32), s302(9, 34), s195(6, 32);
  s292[0] = 36;  // 292
  s302[0] = 30;  // 302
  s195[0] = 35;  // 195
  for (const char* m : {"AP_TRN", "AP_TRN_ZERO", "AP_RND", "AP_RND_ZERO", "AP_RND_MIN_INF",
                        "AP_RND_INF", "AP_RND_CONV"}) {
    EXPECT_EQ(mean(3, 3, m, std::vector<int64_t>(9, 32)), 32) << m;
    EXPECT_EQ(mean(3, 3, m, s292), 32) << m;
  }
  EXPECT_EQ(mean(3, 3, "AP_TRN", s302), 33);
  EXPECT_EQ(mean(3, 3, "AP_RND", s302), 34);
  EXPECT_EQ(mean(3, 2, "AP_RND", s195), 33);
  EXPECT_EQ(mean(3, 2, "AP_RND_MIN_INF", s195), 32);
  EXPECT_EQ(mean(3, 2, "AP_RND_CONV", s195), 32);
  EXPECT_EQ(mean(3, 2, "AP_RND_INF", s195), 33);
}

TEST_F(ArithLayers, UnfoldedBatchNormDocExample) {
  // docs/fixed_point.md, "BatchNormalization": scale 0.7071, shift -0.1 on x = 1.25
  const std::string g1 = npy("g.npy", {1}, {0.7071});
  const std::string b1 = npy("b.npy", {1}, {-0.1});
  npy("m.npy", {1}, {0.0});
  npy("v.npy", {1}, {1.0});
  const Graph g =
      build("  shape: [1]\n",
            "  - {name: bn, type: BatchNormalization, epsilon: 0, gamma: g.npy, beta: b.npy, "
            "moving_mean: m.npy, moving_variance: v.npy}\n");
  ASSERT_EQ(g.layers[0].kind, LayerKind::BatchNorm);
  EXPECT_EQ(g.layers[0].q.kernel[0], 724);
  EXPECT_EQ(g.layers[0].q.bias[0], -103);
  EXPECT_EQ(runNetwork(g, IntTensor{Shape{1, 1, 1}, {1280}}).v[0], 802);
}

TEST_F(ArithLayers, ActivationReluTakesTheLayersResultType) {
  const std::string k = npy("k.npy", {2, 2}, {0.5, -0.5, 0.25, 1.0});
  const Graph g =
      build("  shape: [2]\n",
            "  - {name: fc, type: Dense, units: 2, use_bias: false, kernel: " + k +
                ", activation: relu, precision: {result: \"ap_fixed<10,4,AP_RND,AP_SAT>\"}}\n");
  ASSERT_EQ(g.layers.size(), 2u);
  EXPECT_EQ(g.layers[1].name, "fc_relu");
  EXPECT_EQ(g.layers[1].resultType.str(), "ap_fixed<10,4,AP_RND,AP_SAT>");
}

TEST_F(ArithLayers, PreprocessPadHoldsOffsetUnlessPadValueIsGiven) {
  // a uint8 (1, 1, 1) image of pixel 200, padded by one on every side to 3x3
  {
    std::ofstream f(dir_ / "img.npy", std::ios::binary);
    std::string header = "{'descr': '|u1', 'fortran_order': False, 'shape': (1, 1, 1), }";
    header.append(128 - 10 - header.size() - 1, ' ');
    header += '\n';
    f << std::string("\x93NUMPY\x01\x00", 8) << char(header.size() & 255)
      << char(header.size() >> 8) << header << char(200);
  }
  const std::string in =
      "  shape: [3, 3, 1]\n  precision: \"ap_fixed<16,6>\"\n  preprocess: {pad: [1, 1, 1, 1], "
      "scale: 0.01, offset: -1.0";
  const std::string layers = "  - {name: r, type: ReLU, precision: \"ap_fixed<16,6>\"}\n";
  Graph g = build(in + "}\n", layers);
  InputBatch b = loadInputs(g, (dir_ / "img.npy").string(), "");
  ASSERT_EQ(b.images.size(), 1u);
  EXPECT_EQ(b.images[0].v[0], -1024);  // padding: pixel 0 * 0.01 - 1.0 = -1.0 (the offset)
  EXPECT_EQ(b.images[0].v[4], 1024);   // the pixel: 200 * 0.01 - 1.0 = 1.0
  g = build(in + ", pad_value: 0.0}\n", layers);
  b = loadInputs(g, (dir_ / "img.npy").string(), "");
  EXPECT_EQ(b.images[0].v[0], 0);  // zero padding after normalization
  EXPECT_EQ(b.images[0].v[4], 1024);
}

TEST_F(ArithLayers, AveragePoolEveryRoundingModeMatchesTheExactMean) {
  struct Case {
    int kh, kw;
  };
  const Case pools[] = {{3, 3}, {3, 2}, {5, 1}, {7, 7}};
  // input type, result type without modes: result frac above, equal to and below the input's
  const std::pair<const char*, const char*> types[] = {
      {"ap_fixed<8,3", "ap_fixed<8,3"},   {"ap_fixed<8,3", "ap_fixed<12,3"},
      {"ap_fixed<8,3", "ap_fixed<6,3"},   {"ap_ufixed<7,2", "ap_fixed<6,2"},
      {"ap_fixed<24,8", "ap_fixed<24,8"}, {"ap_fixed<24,8", "ap_fixed<10,4"}};
  const std::pair<Overflow, const char*> overflows[] = {{Overflow::Wrap, "AP_WRAP"},
                                                        {Overflow::Sat, "AP_SAT"}};
  std::mt19937_64 rng(11);
  size_t ties = 0;
  for (const Case& pc : pools)
    for (const auto& [inT, outT] : types)
      for (Rounding m : kModes)
        for (const auto& [ovf, ovfName] : overflows) {
          const std::string input =
              fmt::format("  shape: [{}, {}, 2]\n  precision: \"{}>\"\n", pc.kh, pc.kw, inT);
          const std::string layer = fmt::format(
              "  - {{name: p, type: AveragePooling2D, pool_size: [{}, {}], precision: {{result: "
              "\"{},{},{}>\"}}}}\n",
              pc.kh, pc.kw, outT, roundingName(m), ovfName);
          const Graph g = build(input, layer);
          const Layer& l = g.layers[0];
          const int n = pc.kh * pc.kw;
          const int fx = l.inType.fracBits(), fr = l.resultType.fracBits();
          for (int trial = 0; trial < 300; ++trial) {
            IntTensor x{Shape{pc.kh, pc.kw, 2}, std::vector<int64_t>(size_t(n) * 2)};
            std::uniform_int_distribution<int64_t> u(l.inType.minRaw(), l.inType.maxRaw());
            for (auto& v : x.v) v = u(rng);
            if (trial % 3 == 0) {  // make channel 0's sum a tie or an exact multiple
              int64_t sum = 0;
              for (int i = 0; i < n - 1; ++i) sum += x.v[size_t(i) * 2];
              const int64_t want = (trial % 2 ? n / 2 : 0) + (sum / n) * n;  // remainder n/2 or 0
              const int64_t last = want - sum;
              if (last >= l.inType.minRaw() && last <= l.inType.maxRaw())
                x.v[size_t(n - 1) * 2] = last;
            }
            const IntTensor y = runLayer(l, x);
            for (int c = 0; c < 2; ++c) {
              Int128 sum = 0;
              for (int i = 0; i < n; ++i) sum += x.v[size_t(i) * 2 + c];
              // exact mean at the result's fraction bits: sum * 2^(fr - fx) / n
              Int128 num = sum, den = n;
              if (fr >= fx)
                num <<= (fr - fx);
              else
                den <<= (fx - fr);
              ties += (2 * ((num % den + den) % den) == den);
              const Int128 r = roundRational(num, den, m);
              // the overflow step of docs/fixed_point.md, on the rounded integer
              FixedType t = l.resultType;
              const int64_t want = requantize(static_cast<int64_t>(r), t.fracBits(), t);
              ASSERT_EQ(y.v[size_t(c)], want) << layer << "sum " << int64_t(sum);
            }
          }
        }
  EXPECT_GT(ties, 1000u);  // the ties were exercised
}

TEST_F(ArithLayers, SaturatingAccumulatorOverflowsOnceOnTheExactSum) {
  const std::string k = npy("k.npy", {2, 1}, {1.5, -1.5});
  const Graph g =
      build("  shape: [2]\n  precision: \"ap_fixed<8,3>\"\n",
            "  - {name: fc, type: Dense, units: 1, use_bias: false, kernel: " + k +
                ", precision: {weight: \"ap_fixed<8,2>\", accum: \"ap_fixed<8,2,AP_TRN,AP_SAT>\", "
                "result: \"ap_fixed<8,3>\"}}\n");
  const IntTensor in{Shape{1, 1, 2}, {3 << 5, 3 << 5}};  // [3, 3]
  EXPECT_EQ(runNetwork(g, in).v[0], 0);  // 4.5 - 4.5 = 0; before issue 7: -1 (each saturated)
}

TEST_F(ArithLayers, SatZeroAccumulatorDoesNotZeroAProductAlone) {
  // [3, 3] . [1.5, -1.0] = 4.5 - 3 = 1.5: in range of ap_fixed<8,2>; 4.5 alone is not.
  const std::string k = npy("k.npy", {2, 1}, {1.5, -1.0});
  const std::string b =
      npy("b.npy", {1}, {0.1875});  // 0.1875 = 3/16, rounded to accum's 1/64 LSB: exact
  const Graph g =
      build("  shape: [2]\n  precision: \"ap_fixed<8,3>\"\n",
            "  - {name: fc, type: Dense, units: 1, kernel: " + k + ", bias: " + b +
                ", precision: {weight: \"ap_fixed<8,2>\", bias: \"ap_fixed<8,1>\", "
                "accum: \"ap_fixed<8,2,AP_RND,AP_SAT_ZERO>\", result: \"ap_fixed<10,3>\"}}\n");
  const IntTensor in{Shape{1, 1, 2}, {3 << 5, 3 << 5}};
  EXPECT_EQ(runNetwork(g, in).v[0], (3 << 7) / 2 + 24);  // 1.6875 * 2^7 = 216
  // and a sum that overflows as a whole is zeroed once: [3, -3] . [1.5, -1] = 7.5 + bias
  const IntTensor in2{Shape{1, 1, 2}, {3 << 5, -(3 << 5)}};
  EXPECT_EQ(runNetwork(g, in2).v[0], 0);
}

TEST_F(ArithLayers, AccumulatorRoundsEachProductWithItsMode) {
  // products with more fraction bits than the accumulator: each one is rounded (AP_RND) before
  // the sum. x = 0.125 (3 frac bits of ap_fixed<8,5>), w = 0.25 * 3 = 0.75 -> 0.09375 = 3/32;
  // accum ap_fixed<12,8> has 4 frac bits: 3/32 = 1.5/16 rounds to 2/16 (AP_RND) per product.
  const std::string k = npy("k.npy", {2, 1}, {0.75, 0.75});
  const Graph g =
      build("  shape: [2]\n  precision: \"ap_fixed<8,5>\"\n",
            "  - {name: fc, type: Dense, units: 1, use_bias: false, kernel: " + k +
                ", precision: {weight: \"ap_fixed<8,2>\", accum: \"ap_fixed<12,8,AP_RND,AP_SAT>\", "
                "result: \"ap_fixed<16,8>\"}}\n");
  const IntTensor in{Shape{1, 1, 2}, {1, 1}};
  EXPECT_EQ(runNetwork(g, in).v[0], 4 << 4);  // 2/16 + 2/16 = 0.25 at 8 frac bits = 64
}

TEST_F(ArithLayers, FoldedBatchNormSetsTheResultType) {
  const std::string k = npy("k.npy", {3, 3, 1, 2}, std::vector<double>(18, 0.25));
  const std::string bn = "moving_mean: m.npy, moving_variance: v.npy";
  npy("m.npy", {2}, {0.1, -0.2});
  npy("v.npy", {2}, {1.0, 2.0});
  const std::string in = "  shape: [5, 5, 1]\n";
  const std::string conv =
      "  - {name: c, type: Conv2D, filters: 2, kernel_size: 3, use_bias: false, kernel: " + k;
  // only the BatchNorm sets one: the folded conv produces it
  Graph g = build(in, conv + "}\n  - {name: bn, type: BatchNormalization, " + bn +
                          ", precision: {result: \"ap_fixed<10,4,AP_RND>\"}}\n");
  ASSERT_EQ(g.layers.size(), 1u);
  EXPECT_EQ(g.layers[0].resultType.str(), "ap_fixed<10,4,AP_RND>");
  // both set one: the BatchNorm's wins
  g = build(
      in,
      conv +
          ", precision: {result: \"ap_fixed<12,5>\"}}\n  - {name: bn, type: BatchNormalization, " +
          bn + ", precision: {result: \"ap_fixed<9,3,AP_RND_CONV,AP_SAT>\"}}\n");
  ASSERT_EQ(g.layers.size(), 1u);
  EXPECT_EQ(g.layers[0].resultType.str(), "ap_fixed<9,3,AP_RND_CONV,AP_SAT>");
  // only the conv sets one: it stays
  g = build(
      in,
      conv +
          ", precision: {result: \"ap_fixed<12,5>\"}}\n  - {name: bn, type: BatchNormalization, " +
          bn + "}\n");
  ASSERT_EQ(g.layers.size(), 1u);
  EXPECT_EQ(g.layers[0].resultType.str(), "ap_fixed<12,5>");
  // through an average pool: conv and pool both produce the BatchNorm's type
  g = build(in, conv +
                    "}\n  - {name: p, type: AveragePooling2D, pool_size: 3}\n"
                    "  - {name: bn, type: BatchNormalization, " +
                    bn + ", precision: {result: \"ap_fixed<11,4>\"}}\n");
  ASSERT_EQ(g.layers.size(), 2u);
  EXPECT_EQ(g.layers[0].resultType.str(), "ap_fixed<11,4>");
  EXPECT_EQ(g.layers[1].resultType.str(), "ap_fixed<11,4>");
}

TEST_F(ArithLayers, HugeWeightSaturatesWithAWarning) {
  const std::string k = npy("k.npy", {2, 2}, {1e30, 0.5, -1e30, 0.25});
  const Graph g = build("  shape: [2]\n",
                        "  - {name: fc, type: Dense, units: 2, use_bias: false, kernel: " + k +
                            ", precision: {weight: \"ap_fixed<8,3,AP_RND,AP_SAT>\"}}\n");
  ASSERT_EQ(g.layers[0].q.kernel.size(), 4u);
  EXPECT_EQ(g.layers[0].q.kernel[0], 127);
  EXPECT_EQ(g.layers[0].q.kernel[2], -128);
  ASSERT_EQ(g.warnings.size(), 1u);
  const std::string w = g.warnings[0].str();
  EXPECT_THAT(w,
              HasSubstr("net.yaml:6: layer 'fc': 2 of 4 kernel value(s) lie outside the range of "
                        "ap_fixed<8,3,AP_RND,AP_SAT> (the farthest: 1e+30)"));
}

}  // namespace
}  // namespace nngen
