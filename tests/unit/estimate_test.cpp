//! @file estimate_test.cpp
//! @brief The resource estimate (issue 9): LUT-RAM rule, inventory of unfolded and folded
//!        modules, exact DSP counts, totals and estimate.json.
#include "emit/estimate.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "emit/design.h"
#include "emit/plan.h"
#include "passes/passes.h"
#include "spec/npy.h"
#include "spec_fixture.h"

namespace {

class Estimate : public nngen::test::SpecFixture {
 protected:
  /// An 8x8x4 input, a 3x3 Conv2D with 16 filters (weights that are not powers of two) and a
  /// 2x2 max pool.
  nngen::Graph graph(const std::string& convExtra) {
    std::vector<double> w(3 * 3 * 4 * 16);
    for (size_t i = 0; i < w.size(); ++i)
      w[i] = 0.013 + 0.37 * static_cast<double>(i % 11) - 1.9 + 0.0007 * static_cast<double>(i);
    nngen::saveNpyFloat32((dir_ / "w.npy").string(), {3, 3, 4, 16}, w);
    return nngen::runPasses(nngen::loadSpec(
        spec("  - {name: conv0, type: Conv2D, filters: 16, kernel_size: 3, use_bias: false, "
             "kernel: w.npy" +
                 convExtra +
                 "}\n"
                 "  - {name: pool0, type: MaxPooling2D, pool_size: 2}\n",
             "", "[8, 8, 4]")));
  }
};

TEST(EstimateMemory, LutRamFollowsTheSliceRamShapes) {
  nngen::ResourceInventory a, b, c, d;
  // 32 words: RAM32M holds 6 bits in 4 LUTs (7-series), RAM32M16 14 bits in 8 (UltraScale+).
  nngen::addMemoryCost({32, 12}, "xc7", a);
  EXPECT_EQ(a.memLuts, 8);
  nngen::addMemoryCost({32, 15}, "xcup", b);
  EXPECT_EQ(b.memLuts, 16);
  // 64 words: RAM64M holds 3 bits in 4 LUTs.
  nngen::addMemoryCost({64, 7}, "xc7", c);
  EXPECT_EQ(c.memLuts, 12);
  // More words cost more LUTs, never fewer.
  nngen::addMemoryCost({256, 7}, "xc7", d);
  EXPECT_GT(d.memLuts, c.memLuts);
}

TEST(EstimateMemory, DeepWeightRomsGoToBlockRam) {
  nngen::ResourceInventory small, deep, shallow;
  nngen::addRomCost({252, 84, 84}, small);  // the 7-bit model's dense1 at R 252: logic
  EXPECT_EQ(small.romLuts, 84 * 4);
  EXPECT_EQ(small.bram36, 0);
  nngen::addRomCost({672, 42, 42}, deep);  // its dense0 at R 672: three RAMB18 in 1K x 18
  EXPECT_EQ(deep.romLuts, 0);
  EXPECT_EQ(deep.bram36, 1.5);
  // 4 words: at most 16 distinct columns, shared by synthesis however wide the word.
  nngen::addRomCost({4, 9000, 14}, shallow);
  EXPECT_EQ(shallow.romLuts, 14);
}

TEST_F(Estimate, UnfoldedModulesCountTheirAdderBitsAndWindow) {
  const nngen::Design d = nngen::emitDesign(graph(""), "test", nngen::FoldPlan{});
  ASSERT_EQ(d.modules.size(), 2u);
  const nngen::ResourceInventory conv = nngen::moduleInventory(d.modules[0], "xc7");
  EXPECT_EQ(conv.adderBits, static_cast<double>(d.modules[0].stats.adderBits));
  EXPECT_GT(conv.adderBits, 0);
  // The 3x3 window of 4 channels x 8 bits, plus the registered line-buffer read (2 rows).
  const int bits = d.modules[0].inChannelBits;
  EXPECT_EQ(conv.windowBits, 9 * 4 * bits + 2 * 4 * bits);
  EXPECT_GT(conv.memLuts, 0);  // the line buffer, in LUT-RAM
  EXPECT_EQ(conv.dsps, 0);
  EXPECT_GT(conv.regBits, 0);
  const nngen::ResourceInventory pool = nngen::moduleInventory(d.modules[1], "xc7");
  EXPECT_GT(pool.compareBits, 0);
  EXPECT_EQ(pool.adderBits, 0);
}

TEST_F(Estimate, FoldedDspModulesCountExactlyTheirDspsAndTotalsAddUp) {
  const nngen::Graph g = graph(", reuse_factor: 6, multipliers: dsp");
  const nngen::FoldPlan plan = nngen::planFolding(g, {}, "test");
  const nngen::Design d = nngen::emitDesign(g, "test", plan);
  ASSERT_TRUE(d.modules[0].fold);
  const nngen::LayerFold& f = *d.modules[0].fold;
  for (const char* family : {"xc7", "xcup"}) {
    const nngen::DesignEstimate e = nngen::estimateDesign(d, family);
    ASSERT_EQ(e.modules.size(), d.modules.size() + 1);  // the modules and the top level
    EXPECT_EQ(e.modules[0].second.dsp, f.multipliers());
    EXPECT_EQ(e.total.dsp, f.multipliers());
    double lut = 0, ff = 0;
    for (const auto& [name, r] : e.modules) {
      EXPECT_GT(r.lut, 0) << name;
      EXPECT_GT(r.ff, 0) << name;
      lut += r.lut;
      ff += r.ff;
    }
    EXPECT_DOUBLE_EQ(e.total.lut, lut);
    EXPECT_DOUBLE_EQ(e.total.ff, ff);
    const nngen::ResourceInventory inv = nngen::moduleInventory(d.modules[0], family);
    EXPECT_GT(inv.romLuts, 0);
    EXPECT_EQ(inv.lutMultBits, 0);
  }
  // The same layer folded on LUT multipliers uses no DSP and costs more LUTs.
  const nngen::Graph gl = graph(", reuse_factor: 6, multipliers: lut");
  const nngen::Design dl = nngen::emitDesign(gl, "test", nngen::planFolding(gl, {}, "test"));
  const nngen::DesignEstimate el = nngen::estimateDesign(dl, "xc7");
  EXPECT_EQ(el.total.dsp, 0);
  EXPECT_GT(el.modules[0].second.lut, nngen::estimateDesign(d, "xc7").modules[0].second.lut);
}

TEST_F(Estimate, JsonListsBothFamiliesWithInventories) {
  const nngen::Design d = nngen::emitDesign(graph(""), "test", nngen::FoldPlan{});
  const std::vector<nngen::DesignEstimate> es = {nngen::estimateDesign(d, "xcup"),
                                                 nngen::estimateDesign(d, "xc7")};
  const nlohmann::json j = nlohmann::json::parse(nngen::estimateJson(d, es));
  ASSERT_EQ(j["parts"].size(), 2u);
  EXPECT_EQ(j["parts"][0]["family"], "xcup");
  EXPECT_EQ(j["parts"][1]["modules"].size(), d.modules.size() + 1);
  EXPECT_DOUBLE_EQ(j["parts"][1]["total"]["lut"].get<double>(), es[1].total.lut);
  EXPECT_TRUE(j["parts"][1]["modules"][0]["inventory"].contains("adder_bits"));
  const std::string text = nngen::formatEstimate(es);
  EXPECT_NE(text.find("xc7z020"), std::string::npos);
  EXPECT_NE(text.find("total"), std::string::npos);
}

}  // namespace
