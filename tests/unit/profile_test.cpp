//! @file profile_test.cpp
//! @brief `nngen profile` (issue 10): value statistics, the integer bits a range needs, the
//!        per-layer ranges, overflow and unused-bit findings, the plot and --suggest.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "flow/flow.h"
#include "spec/npy.h"
#include "spec_fixture.h"

namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

TEST(ValueStats, RangeZerosAndLog2Quantiles) {
  nngen::ValueStats s;
  EXPECT_EQ(s.log2Quantile(0.5), -INFINITY);
  for (double v : {0.0, 0.0, -0.25, 0.5, 1.0, -2.0, 4.0, 8.0, -16.0, 32.0}) s.add(v);
  EXPECT_EQ(s.count, 10u);
  EXPECT_EQ(s.zeros, 2u);
  EXPECT_EQ(s.min, -16.0);
  EXPECT_EQ(s.max, 32.0);
  // nonzero |v| in log2: -2 -1 0 1 2 3 4 5
  EXPECT_EQ(s.log2Quantile(0), -2);
  EXPECT_EQ(s.log2Quantile(0.5), 2);
  EXPECT_EQ(s.log2Quantile(1), 5);
  nngen::ValueStats t;
  t.add(3.0);  // log2 3 = 1.58..: the quarter-octave bin [1.5, 1.75)
  EXPECT_EQ(t.log2Quantile(0.5), 1.5);
}

TEST(IntBitsFor, FewestIntegerBitsHoldingARange) {
  using nngen::intBitsFor;
  EXPECT_EQ(intBitsFor(-0.434, 0.444, 10, true), 0);  // [-0.5, 0.5): ap_fixed<10,0>
  EXPECT_EQ(intBitsFor(-0.5, 0.4, 10, true), 0);
  EXPECT_EQ(intBitsFor(0, 0.5, 10, true), 1);       // 0.5 is one LSB past ap_fixed<10,0>
  EXPECT_EQ(intBitsFor(-6.25, 5.38, 10, true), 4);  // [-8, 8)
  EXPECT_EQ(intBitsFor(-8, 7.999, 10, true), 4);
  EXPECT_EQ(intBitsFor(0, 7.999, 10, false), 3);           // [0, 8) unsigned
  EXPECT_EQ(intBitsFor(0, 0, 4, true), -2);                // the narrowest type, 2 bits
  EXPECT_EQ(intBitsFor(0, 0, 4, false), -3);               // 1 bit
  EXPECT_EQ(intBitsFor(-1, 3, 4, false), std::nullopt);    // negative values, unsigned type
  EXPECT_EQ(intBitsFor(0, 1e30, 10, true), std::nullopt);  // more than 62 bits
}

class Profile : public nngen::test::SpecFixture {
 protected:
  /// conv0 (3x3, all 0.25) on 5x5x1 inputs in [-2, 2): outputs in [-4.5, 4.43], result type
  /// `result`; 20 float inputs in inputs.npy.
  std::string net(const std::string& result, bool testData = true) {
    std::vector<double> x(20 * 25);
    for (size_t i = 0; i < x.size(); ++i) x[i] = -2.0 + 4.0 * double((i * 37) % 64) / 64.0;
    for (int r = 0; r < 3; ++r)  // one window of the largest inputs, one of the smallest
      for (int c = 0; c < 3; ++c) {
        x[size_t(r) * 5 + c] = 1.96875;
        x[25 + size_t(r) * 5 + c] = -2.0;
      }
    nngen::saveNpyFloat32((dir_ / "inputs.npy").string(), {20, 5, 5, 1}, x);
    return spec(
        "  - {name: conv0, type: Conv2D, filters: 2, kernel_size: 3, use_bias: false, kernel: "
        "k.npy, precision: {weight: 'ap_fixed<8,4>', result: '" +
            result + "'}}\n",
        testData ? "test_data: {images: inputs.npy}\n" : "",
        "[5, 5, 1]\n  precision: ap_fixed<8,2>");
  }
  nngen::ProfileSummary profile(const std::string& path, bool suggest = false) {
    nngen::ProfileOptions o;
    o.spec = path;
    o.outDir = (dir_ / "prof").string();
    o.suggest = suggest;
    return nngen::profileNetwork(o, [](const std::string&) {});
  }
};

TEST_F(Profile, RangesOverflowsAndUnusedBitsPerLayer) {
  const nngen::ProfileSummary s = profile(net("ap_fixed<8,2>"));  // [-2, 2): too narrow
  EXPECT_EQ(s.images, 20u);
  ASSERT_EQ(s.layers.size(), 1u);
  const nngen::LayerProfile& l = s.layers[0];
  EXPECT_EQ(l.weights.count, 18u);
  EXPECT_EQ(l.weights.min, 0.25);
  EXPECT_EQ(l.out.count, 20u * 9 * 2);
  EXPECT_EQ(l.acc.count, 20u * 9 * 2);
  EXPECT_EQ(l.out.max, 9 * 1.96875 * 0.25);
  EXPECT_EQ(l.out.min, -4.5);
  EXPECT_GT(l.outOverflow, 0u);
  EXPECT_EQ(l.weightOverflow, 0u);
  // the sums of nine inputs of [-2, 2) times 0.25, exactly as the reference computes them
  EXPECT_LE(l.out.max, 4.5);
  EXPECT_GE(l.out.min, -4.5);
  bool overflow = false, unused = false;
  for (const std::string& f : s.findings) {
    const bool conv0Outputs =
        f.find("layer 'conv0': ") == 0 && f.find("outputs") != std::string::npos;
    overflow =
        overflow || (conv0Outputs && f.find("lie outside ap_fixed<8,2> [-2, 1.98438] "
                                            "(observed [-4.5, 4.42969])") != std::string::npos);
    unused = unused || f.find(
                           "weights ap_fixed<8,4> has 4 integer bits, the observed weights "
                           "[0.25, 0.25] need 0: 4 bit(s) unused") != std::string::npos;
  }
  EXPECT_TRUE(overflow) << s.table;
  EXPECT_TRUE(unused) << s.table;
  EXPECT_THAT(s.table, HasSubstr("conv0            outputs"));
  // the files, and the plot is a PNG image
  for (const char* f : {"profile.txt", "profile.json", "profile.png", "profile.gp", "profile.dat"})
    EXPECT_TRUE(fs::exists(dir_ / "prof" / f)) << f;
  std::ifstream png(dir_ / "prof" / "profile.png", std::ios::binary);
  char magic[8] = {};
  png.read(magic, 8);
  EXPECT_EQ(std::string(magic, 8), std::string("\x89PNG\r\n\x1a\n", 8));
  EXPECT_FALSE(fs::exists(dir_ / "prof" / "suggested.yaml"));
}

TEST_F(Profile, SuggestWritesTheNarrowestTypesThatHoldTheValues) {
  const nngen::ProfileSummary s = profile(net("ap_fixed<16,8>"), true);
  EXPECT_TRUE(s.findings.size() >= 2);  // unused bits of weights and outputs
  std::ifstream f(dir_ / "prof" / "suggested.yaml");
  const std::string y((std::istreambuf_iterator<char>(f)), {});
  // weights 0.25 exactly: ap_fixed<4,0>; outputs in [-4.5, 4.43] times 1.5: 4 integer bits
  EXPECT_THAT(y, HasSubstr("weight: \"ap_fixed<4,0>\""));
  EXPECT_THAT(y, HasSubstr("result: \"ap_fixed<12,4>\""));
  EXPECT_THAT(y, HasSubstr("kernel: ../k.npy"));  // paths relative to the output folder
  // it is a spec nngen loads, and its outputs no longer overflow nor waste bits
  nngen::ProfileOptions o;
  o.spec = (dir_ / "prof" / "suggested.yaml").string();
  o.outDir = (dir_ / "prof2").string();
  const nngen::ProfileSummary t = nngen::profileNetwork(o, [](const std::string&) {});
  EXPECT_EQ(t.layers[0].outOverflow, 0u);
  EXPECT_EQ(t.layers[0].resultType.str(), "ap_fixed<12,4>");
}

TEST_F(Profile, NoTestDataIsOneClearErrorAndNothingIsWritten) {
  const std::string p = net("ap_fixed<8,2>", false);
  for (bool suggest : {false, true}) {
    std::string what;
    try {
      profile(p, suggest);
    } catch (const nngen::Error& e) {
      what = e.what();
    }
    EXPECT_THAT(what, HasSubstr("nothing to profile: no --input given and the spec has no "
                                "test_data"));
    if (suggest) {
      EXPECT_THAT(what, HasSubstr("--suggest needs the values"));
    }
    EXPECT_FALSE(fs::exists(dir_ / "prof"));
  }
}

}  // namespace
