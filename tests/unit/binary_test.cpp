//! @file binary_test.cpp
//! @brief Binary and ternary networks (issue 10): where the spec takes `binary`, the BatchNorm +
//!        sign threshold, BatchNorm folding left alone, and modules without multipliers.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <regex>

#include "emit/design.h"
#include "flow/flow.h"
#include "passes/passes.h"
#include "spec/npy.h"
#include "spec_fixture.h"

namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

class Binary : public nngen::test::SpecFixture {
 protected:
  void SetUp() override {
    SpecFixture::SetUp();
    // pm.npy: a 3x3x1x2 kernel of +-1; pm2.npy: a 3x3x2x2 one; bn*.npy: BatchNorm vectors of 2
    std::vector<double> pm(18), pm2(36);
    for (size_t i = 0; i < pm.size(); ++i) pm[i] = (i * 7 % 3) ? 1.0 : -1.0;
    for (size_t i = 0; i < pm2.size(); ++i) pm2[i] = (i * 5 % 4) ? -1.0 : 1.0;
    nngen::saveNpyFloat32((dir_ / "pm.npy").string(), {3, 3, 1, 2}, pm);
    nngen::saveNpyFloat32((dir_ / "pm2.npy").string(), {3, 3, 2, 2}, pm2);
    nngen::saveNpyFloat32((dir_ / "g.npy").string(), {2}, {1.5, -0.75});
    nngen::saveNpyFloat32((dir_ / "m.npy").string(), {2}, {0.3, -1.2});
    nngen::saveNpyFloat32((dir_ / "var.npy").string(), {2}, {2.0, 0.5});
  }
  static std::string bn(const std::string& name, const std::string& precision) {
    return "  - {name: " + name +
           ", type: BatchNormalization, gamma: g.npy, moving_mean: m.npy, moving_variance: "
           "var.npy, precision: " +
           precision + "}\n";
  }
  /// 5x5x1 -> conv0 (fixed weights) -> bn0 + sign -> conv1 3x3 (binary weights, binary input)
  /// -> bn1 + sign ... -> `tail`.
  std::string binaryNet(const std::string& conv1Extra, const std::string& tail) {
    return spec(
        "  - {name: conv0, type: Conv2D, filters: 2, kernel_size: 3, padding: same, use_bias: "
        "false, kernel: k.npy}\n" +  // line 6
        bn("bn0", "{result: binary}") +
        "  - {name: conv1, type: Conv2D, filters: 2, kernel_size: 3, use_bias: false, kernel: "
        "pm2.npy, precision: {weight: binary, result: 'ap_int<6>'}" +
        conv1Extra + "}\n" +  // line 8
        tail);
  }
};

const char* kOut =
    "  - {name: flat, type: Flatten}\n"
    "  - {name: out, type: Dense, units: 2, use_bias: false, kernel: ok.npy}\n";

TEST_F(Binary, ValidNetworkLoadsBinaryLayersFullyParallel) {
  nngen::saveNpyFloat32((dir_ / "ok.npy").string(), {18, 2}, std::vector<double>(36, 0.5));
  const nngen::Graph g = nngen::loadSpec(
      binaryNet("", bn("bn1", "{result: binary}") + kOut + "hardware: {reuse_factor: 2}\n"));
  ASSERT_EQ(g.layers.size(), 6u);
  EXPECT_TRUE(g.layers[1].resultType.binary);
  EXPECT_TRUE(g.layers[2].weightType.binary);
  EXPECT_EQ(g.layers[0].reuseFactor, 2);  // the hardware default applies to conv0 ...
  EXPECT_EQ(g.layers[2].reuseFactor, 1);  // ... not to the binary conv1 and out (binary input)
  EXPECT_EQ(g.layers[5].reuseFactor, 1);
}

TEST_F(Binary, BinaryWhereItMeansNothingIsOneClearErrorAndNothingIsWritten) {
  nngen::saveNpyFloat32((dir_ / "ok.npy").string(), {18, 2}, std::vector<double>(36, 0.5));
  struct Case {
    std::string yaml, want;
  };
  const std::string conv = "  - {name: c, type: Conv2D, filters: 2, kernel_size: 3, kernel: k.npy";
  const Case cases[] = {
      {conv + ", use_bias: false, precision: binary}\n" + kOut, "bias"},  // sets the bias too
      {conv + ", bias: v.npy, precision: {bias: binary}}\n" + kOut,
       "net.yaml:6: layer 'c': a bias cannot be binary"},
      {conv + ", use_bias: false, precision: {accum: binary}}\n" + kOut,
       "layer 'c': an accumulator cannot be binary"},
      {conv + ", use_bias: false}\n" + bn("b", "{weight: binary}") + kOut,
       "net.yaml:7: layer 'b': a BatchNormalization layer cannot have binary weights"},
      {conv + ", use_bias: false}\n  - {name: r, type: ReLU, precision: {result: binary}}\n" + kOut,
       "net.yaml:7: layer 'r': a ReLU layer cannot have a binary result"},
      {conv + ", use_bias: false, precision: {result: binary}}\n" + bn("b", "{}") + kOut,
       "net.yaml:7: layer 'b': its input is binary (the result of 'c'); a BatchNormalization "
       "layer cannot take a binary input"},
      {conv + ", use_bias: false, precision: {result: binary}, activation: relu}\n" + kOut,
       "layer 'c_relu': its input is binary (the result of 'c'); a ReLU layer cannot take"},
      {conv + ", use_bias: false, precision: {result: binary}}\n" +
           "  - {name: p, type: MaxPooling2D, pool_size: 1, precision: {result: "
           "'ap_fixed<8,3>'}}\n" +
           kOut,
       "layer 'p': the maximum of a binary input is binary; the result type cannot be "
       "ap_fixed<8,3>"},
      {conv + ", use_bias: false, precision: {result: binary}}\n" +
           "  - {name: c2, type: Conv2D, filters: 2, kernel_size: 3, padding: same, use_bias: "
           "false, kernel: pm2.npy}\n",
       "layer 'c2': its input is binary (the result of 'c'), which cannot hold the zero of "
       "'same' padding"},
      {conv + ", use_bias: false}\n  - {name: flat, type: Flatten}\n" +
           "  - {name: out, type: Dense, units: 2, use_bias: false, kernel: ok.npy, precision: "
           "{result: binary}}\n",
       "layer 'out': the network's output cannot be binary"},
      {conv + ", use_bias: false, precision: {result: binary}}\n" +
           "  - {name: c2, type: Conv2D, filters: 2, kernel_size: 3, use_bias: false, kernel: "
           "pm2.npy, reuse_factor: 2}\n",
       "layer 'c2': reuse_factor 2: a layer with binary inputs or binary or ternary weights is "
       "built fully parallel"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.yaml);
    EXPECT_THAT(buildError(spec(c.yaml)), HasSubstr(c.want));
  }
  // the network input and the default precision
  const std::string p = spec(conv + ", use_bias: false}\n" + kOut);
  std::string text;
  {
    std::ifstream f(p);
    text.assign(std::istreambuf_iterator<char>(f), {});
  }
  auto variant = [&](const std::string& from, const std::string& to) {
    std::string t = text;
    t.replace(t.find(from), from.size(), to);
    std::ofstream(p) << t;
    return p;
  };
  EXPECT_THAT(
      buildError(variant("  shape: [5, 5, 1]\n", "  shape: [5, 5, 1]\n  precision: binary\n")),
      HasSubstr("net.yaml:5: the network input cannot be binary"));
  EXPECT_THAT(buildError(variant("nngen: 1\n", "nngen: 1\nprecision: {default: binary}\n")),
              HasSubstr("net.yaml:2: precision.default cannot be binary"));
}

TEST_F(Binary, BatchNormIsNotFoldedIntoBinaryOrTernaryWeights) {
  nngen::saveNpyFloat32((dir_ / "ok.npy").string(), {18, 2}, std::vector<double>(36, 0.5));
  for (const char* w : {"binary", "ternary"}) {
    SCOPED_TRACE(w);
    nngen::Graph g = nngen::loadSpec(
        spec("  - {name: c, type: Conv2D, filters: 2, kernel_size: 3, use_bias: false, kernel: "
             "pm.npy, precision: {weight: " +
             std::string(w) + "}}\n" + bn("b", "{result: binary}") +
             "  - {name: flat, type: Flatten}\n"
             "  - {name: out, type: Dense, units: 2, use_bias: false, kernel: ok.npy}\n"));
    EXPECT_THAT(nngen::foldBatchNorm(g), HasSubstr("folded 0, kept 1"));
    ASSERT_EQ(g.layers[1].kind, nngen::LayerKind::BatchNorm);
  }
}

/// The threshold rewrite keeps sign(x * c + b) for every input value: the BatchNorm's own
/// integer arithmetic before the rewrite (lowered with a non-binary result) against after.
TEST_F(Binary, BatchNormAndSignBecomeAnExactThresholdPerChannel) {
  nngen::saveNpyFloat32((dir_ / "ok.npy").string(), {18, 2}, std::vector<double>(36, 0.5));
  // g.npy: scales > 0 and < 0; z.npy: a zero scale and one so small that the threshold lies
  // beyond conv1's 6-bit result
  nngen::saveNpyFloat32((dir_ / "z.npy").string(), {2}, {0.0, 1e-4});
  for (const char* gamma : {"g.npy", "z.npy"}) {
    SCOPED_TRACE(gamma);
    const std::string path =
        binaryNet("", "  - {name: bn1, type: BatchNormalization, gamma: " + std::string(gamma) +
                          ", moving_mean: m.npy, moving_variance: var.npy, precision: {weight: "
                          "'ap_fixed<10,2>', bias: 'ap_fixed<10,4>', result: binary}}\n" +
                          kOut);
    const nngen::Graph lowered = nngen::runPasses(nngen::loadSpec(path));
    nngen::Graph plain = nngen::loadSpec(path);  // the same BatchNorm with a 16-bit result
    plain.layers[3].resultType = nngen::parseFixedType("ap_fixed<16,6>");
    nngen::foldBatchNorm(plain);
    nngen::absorbFlatten(plain);
    nngen::quantize(plain);
    nngen::lowerArithmetic(plain);
    const nngen::Layer& t = lowered.layers[2];
    const nngen::Layer& p = plain.layers[2];
    ASSERT_EQ(t.kind, nngen::LayerKind::BatchNorm);
    ASSERT_TRUE(t.resultType.binary);
    ASSERT_EQ(t.inType, nngen::parseFixedType("ap_int<6>"));
    for (int c = 0; c < 2; ++c) {
      EXPECT_LE(std::abs(t.arith.coeff[c]), 1) << "a comparison, no multiplication";
      for (int64_t x = t.inType.minRaw(); x <= t.inType.maxRaw(); ++x) {
        const int64_t before = p.arith.coeff[c] * x + p.arith.bias[c];
        const int64_t after = t.arith.coeff[c] * x + t.arith.bias[c];
        ASSERT_EQ(before >= 0, after >= 0) << "channel " << c << " x " << x;
        ASSERT_GE(after, t.arith.accMin[c]);
        ASSERT_LE(after, t.arith.accMax[c]);
      }
    }
    if (gamma == std::string("g.npy")) {
      EXPECT_EQ(t.arith.coeff[0], 1);   // gamma 1.5 > 0: x >= threshold
      EXPECT_EQ(t.arith.coeff[1], -1);  // gamma -0.75 < 0: x <= threshold
    } else {
      EXPECT_EQ(t.arith.coeff[0], 0);  // zero scale: a constant sign
      // the threshold beyond the range is clamped just outside it: a narrow constant
      EXPECT_LE(std::abs(t.arith.bias[1]), 33);
    }
  }
}

/// Binary and ternary layers are built without any multiplier: no folded module, no multiplier
/// or DSP primitive, no '*' in the Verilog; binary x binary products are one-bit XNORs summed
/// by an adder tree of one-bit leaves (a popcount).
TEST_F(Binary, BinaryAndTernaryModulesHaveNoMultiplier) {
  nngen::saveNpyFloat32((dir_ / "ok.npy").string(), {18, 2}, std::vector<double>(36, 0.5));
  nngen::saveNpyFloat32((dir_ / "t.npy").string(), {18, 2},
                        {1,  0, -1, 1, 1, 0,  0, 0, -1, -1, 1, 1, 0,  1, -1, 0, 1,  1,
                         -1, 0, 1,  1, 0, -1, 1, 1, -1, 0,  0, 1, -1, 1, 1,  0, -1, 1});
  const std::string path =
      binaryNet("", bn("bn1", "{result: binary}") +
                        "  - {name: flat, type: Flatten}\n"
                        "  - {name: out, type: Dense, units: 2, use_bias: false, kernel: t.npy, "
                        "precision: {weight: ternary}}\n");
  const nngen::Graph g = nngen::runPasses(nngen::loadSpec(path));
  const nngen::Design d = nngen::emitDesign(g, "test", nngen::FoldPlan{});
  int checked = 0;
  for (const nngen::ModuleInfo& m : d.modules) {
    if (m.layers.empty() || (m.layers[0] != "conv1" && m.layers[0] != "out")) continue;
    SCOPED_TRACE(m.name);
    ++checked;
    EXPECT_FALSE(m.fold);
    // the Verilog without comments
    const std::string code = std::regex_replace(m.verilog, std::regex("//[^\n]*"), "");
    EXPECT_EQ(code.find('*'), std::string::npos);
    EXPECT_EQ(code.find("nn_mul"), std::string::npos);
    EXPECT_EQ(code.find("nn_mac_chain"), std::string::npos);
    // every input of the window is one bit: XNOR with the weight's sign is the bit or ~bit
    EXPECT_THAT(code, HasSubstr("wire [0:0] x_r0_c0_ch0 = window[0+:1];"));
    EXPECT_THAT(code, HasSubstr("= ~x_r"));
  }
  EXPECT_EQ(checked, 2);
}

}  // namespace

namespace {

/// The report and design.json count each layer's zero (pruned) weights and the products built:
/// a fully parallel layer builds one per nonzero weight, a folded one PE x SIMD.
TEST_F(Binary, ReportCountsPrunedWeightsAndProductsBuilt) {
  std::vector<double> k(18, 0.25);
  for (size_t i = 0; i < k.size(); i += 3) k[i] = 0.0;  // 6 of 18 pruned
  nngen::saveNpyFloat32((dir_ / "kp.npy").string(), {3, 3, 1, 2}, k);
  std::vector<double> d(72, 0.5);
  for (size_t i = 0; i < 36; ++i) d[i] = 0.0;  // half of the Dense
  nngen::saveNpyFloat32((dir_ / "dp.npy").string(), {18, 4}, d);
  nngen::BuildOptions opt;
  opt.spec = spec(
      "  - {name: conv0, type: Conv2D, filters: 2, kernel_size: 3, use_bias: false, kernel: "
      "kp.npy, reuse_factor: 1}\n"
      "  - {name: flat, type: Flatten}\n"
      "  - {name: fc, type: Dense, units: 4, use_bias: false, kernel: dp.npy, reuse_factor: 6, "
      "multipliers: lut}\n");
  opt.outDir = (dir_ / "rtl").string();
  const nngen::BuildSummary s = nngen::buildDesign(opt, [](const std::string&) {});
  EXPECT_THAT(s.table, HasSubstr("6 (33.3 %)"));
  std::ifstream f(dir_ / "rtl" / "design.json");
  const std::string json((std::istreambuf_iterator<char>(f)), {});
  const std::string compact = std::regex_replace(json, std::regex("\\s+"), "");
  EXPECT_THAT(compact, HasSubstr("{\"layer\":\"conv0\",\"weight_type\":\"ap_fixed<16,6>\","
                                 "\"weights\":18,\"zero_weights\":6,\"products_built\":12,"
                                 "\"arithmetic\":\"CSDconstantmultipliers\"}"));
  // 72 products per output pixel at R 6: 12 multipliers, whatever the zeros
  EXPECT_THAT(compact, HasSubstr("{\"layer\":\"fc\",\"weight_type\":\"ap_fixed<16,6>\","
                                 "\"weights\":72,\"zero_weights\":36,\"products_built\":12,"));
}

}  // namespace
