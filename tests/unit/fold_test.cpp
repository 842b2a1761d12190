//! @file fold_test.cpp
//! @brief Folding (issue 9): the reuse_factor / multipliers spec keys and their errors, the
//!        PE x SIMD split of foldLayer, and the planner's bounds and --fit error.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "emit/design.h"
#include "emit/estimate.h"
#include "emit/plan.h"
#include "flow/flow.h"
#include "passes/passes.h"
#include "spec/npy.h"
#include "spec_fixture.h"

namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

class Folding : public nngen::test::SpecFixture {
 protected:
  static std::string conv(const std::string& extra) {
    return "  - {name: conv0, type: Conv2D, filters: 2, kernel_size: 3, use_bias: false, "
           "kernel: k.npy" +
           extra + "}\n";
  }
};

TEST_F(Folding, SpecKeysAreRead) {
  const nngen::Graph g = nngen::loadSpec(spec(conv(", reuse_factor: 3, multipliers: lut")));
  EXPECT_EQ(g.layers[0].reuseFactor, 3);
  EXPECT_EQ(g.layers[0].multipliers, nngen::Multipliers::Lut);
  // The hardware section sets the default of every layer.
  const nngen::Graph h =
      nngen::loadSpec(spec(conv(""), "hardware: {reuse_factor: 2, multipliers: dsp}\n"));
  EXPECT_EQ(h.layers[0].reuseFactor, 2);
  EXPECT_EQ(h.layers[0].multipliers, nngen::Multipliers::Dsp);
}

TEST_F(Folding, BadReuseFactorsAndMultipliersNameTheLayerAndWriteNothing) {
  EXPECT_THAT(buildError(spec(conv(", reuse_factor: 0"))),
              HasSubstr("net.yaml:6: layer 'conv0': 'reuse_factor' must be >= 1, got 0"));
  EXPECT_THAT(buildError(spec(conv(", reuse_factor: -4"))),
              HasSubstr("'reuse_factor' must be >= 1, got -4"));
  EXPECT_THAT(buildError(spec(conv(", multipliers: fast"))),
              HasSubstr("layer 'conv0': unknown multipliers 'fast' (lut, dsp or auto)"));
  // 3x3x1 inputs x 2 filters = 18 products per output pixel.
  EXPECT_THAT(buildError(spec(conv(", reuse_factor: 19"))),
              HasSubstr("layer 'conv0': reuse_factor 19 cannot be used: Conv2D conv0 computes "
                        "18 products per output pixel, so R must be in [1, 18]"));
}

TEST_F(Folding, SplitNeedsFewestMultipliersAndCoversTheWork) {
  const nngen::Graph g = nngen::runPasses(nngen::loadSpec(spec(conv(", reuse_factor: 5"))));
  const nngen::Layer& l = g.layers[0];
  for (int r = 2; r <= 18; ++r) {
    const nngen::LayerFold f =
        nngen::foldLayer(l, r, nngen::Multipliers::Lut, nngen::DspFamily::Series7);
    SCOPED_TRACE(r);
    EXPECT_LE(f.reuse, r);                        // never slower than asked
    EXPECT_GE(f.pe * f.nf, 2);                    // every output channel has a lane
    EXPECT_GE(f.simd * f.sf, 9);                  // every input has a slot
    EXPECT_EQ(f.reuse, f.vectors * f.nf * f.sf);  // R is the cycles per output pixel
    EXPECT_GE(int64_t{f.pe} * f.simd * r, 18);    // enough products per cycle
  }
  // R = 5 on 9 inputs: SIMD 2, five synapse folds, the last one half empty.
  const nngen::LayerFold f5 =
      nngen::foldLayer(l, 5, nngen::Multipliers::Lut, nngen::DspFamily::Series7);
  EXPECT_EQ(f5.sf, 5);
  EXPECT_EQ(f5.simd, 2);
  EXPECT_EQ(f5.pe, 2);
}

TEST_F(Folding, DenseAccumulatesPixelByPixel) {
  // 3x3x2 input flattened into a Dense of 4 units: 9 pixels of 2 values.
  nngen::saveNpyFloat32((dir_ / "c.npy").string(), {1, 1, 1, 2}, {0.5, -0.25});
  const nngen::Graph g = nngen::runPasses(nngen::loadSpec(spec(
      "  - {name: c, type: Conv2D, filters: 2, kernel_size: 1, use_bias: false, kernel: c.npy}\n"
      "  - {name: f, type: Flatten}\n"
      "  - {name: d, type: Dense, units: 4, use_bias: false, kernel: d.npy}\n",
      "", "[3, 3, 1]")));
  const nngen::Layer& d = g.layers.back();
  const nngen::LayerFold pixel =
      nngen::foldLayer(d, 18, nngen::Multipliers::Lut, nngen::DspFamily::Series7);
  EXPECT_EQ(pixel.vectors, 9);
  EXPECT_EQ(pixel.vectorLen, 2);
  EXPECT_EQ(pixel.reuse, 18);
  // Fewer cycles than pixels: the whole vector at once.
  const nngen::LayerFold whole =
      nngen::foldLayer(d, 4, nngen::Multipliers::Lut, nngen::DspFamily::Series7);
  EXPECT_EQ(whole.vectors, 1);
  EXPECT_EQ(whole.vectorLen, 18);
}

TEST_F(Folding, OneProductPerDspSumsInDspCascades) {
  // 3x3x1 windows of 16-bit values, 2 filters: R = 2 gives PE 1 x SIMD 9, one product per DSP.
  const nngen::Graph g =
      nngen::runPasses(nngen::loadSpec(spec(conv(", reuse_factor: 2, multipliers: dsp"))));
  const nngen::Layer& l = g.layers[0];
  using nngen::DspFamily;
  using nngen::Multipliers;
  const nngen::LayerFold f = nngen::foldLayer(l, 2, Multipliers::Dsp, DspFamily::Series7);
  ASSERT_EQ(f.lanes, 1);
  ASSERT_EQ(f.simd, 9);
  EXPECT_EQ(f.chain, 9);  // one cascade of 9
  EXPECT_EQ(nngen::foldLayer(l, 2, Multipliers::Dsp, DspFamily::Series7, 4).chain, 3);  // 3x3
  EXPECT_EQ(nngen::foldLayer(l, 2, Multipliers::Dsp, DspFamily::Series7, 0).chain, 0);
  EXPECT_EQ(nngen::foldLayer(l, 2, Multipliers::Lut, DspFamily::Series7).chain, 0);
  // The module: cascades instead of multipliers, their registers inside the DSPs, and the
  // latency of the cascade (9 + 2 cycles) instead of multiplier + adder tree.
  const nngen::ModuleInfo m = nngen::emitFoldedModule(g, l, {}, f, "test");
  EXPECT_THAT(m.verilog, HasSubstr("nn_mac_chain #(.N(9)"));
  EXPECT_THAT(m.verilog, ::testing::Not(HasSubstr("nn_mul_packed #(")));
  EXPECT_EQ(nngen::moduleInventory(m, "xcup").multRegBits, 0);
  EXPECT_EQ(nngen::moduleInventory(m, "xcup").dsps, 9);
  const nngen::LayerFold tree = nngen::foldLayer(l, 2, Multipliers::Dsp, DspFamily::Series7, 0);
  const nngen::ModuleInfo t = nngen::emitFoldedModule(g, l, {}, tree, "test");
  EXPECT_GT(nngen::moduleInventory(t, "xcup").multRegBits, 0);
  EXPECT_GT(t.stats.adderBits, m.stats.adderBits);  // the tree's adders are in the fabric
  // A user accumulator that rounds every product keeps the fabric adders (rounding between
  // the products and the sum cannot happen inside a cascade).
  const nngen::Graph r = nngen::runPasses(nngen::loadSpec(
      spec(conv(", reuse_factor: 2, multipliers: dsp, precision: {accum: \"ap_fixed<20,14>\"}"))));
  EXPECT_EQ(nngen::foldLayer(r.layers[0], 2, Multipliers::Dsp, DspFamily::Series7).chain, 0);
}

TEST_F(Folding, PlannerKeepsTheTargetIIAndLatencyBound) {
  // 576 weights that are not powers of two, so constant multipliers cost several adders each.
  std::vector<double> w(3 * 3 * 4 * 16);
  for (size_t i = 0; i < w.size(); ++i)
    w[i] = 0.013 + 0.37 * static_cast<double>(i % 11) - 1.9 + 0.0007 * static_cast<double>(i);
  nngen::saveNpyFloat32((dir_ / "w.npy").string(), {3, 3, 4, 16}, w);
  const nngen::Graph g = nngen::runPasses(nngen::loadSpec(
      spec("  - {name: conv0, type: Conv2D, filters: 16, kernel_size: 3, use_bias: false, "
           "kernel: w.npy}\n",
           "", "[8, 8, 4]")));
  nngen::FoldTarget t;
  t.targetII = 200;
  t.maxLatency = 600;  // (for `nngen sim`'s back-to-back stream, where a slow layer queues)
  const nngen::FoldPlan p = nngen::planFolding(g, t, "test");
  const nngen::Design d = nngen::emitDesign(g, "test", p);
  EXPECT_LE(d.iiCycles, 200);
  EXPECT_LE(d.latencyCycles, 600);
  // With room to spare the planner folds: 36 windows in up to 200 cycles per image.
  ASSERT_TRUE(p.layers.count("conv0"));
  EXPECT_GT(p.layers.at("conv0").reuse, 1);
  // A DSP budget holds.
  t.maxDsp = 100;
  const nngen::FoldPlan pb = nngen::planFolding(g, t, "test");
  int dsps = 0;
  for (const auto& [name, f] : pb.layers)
    if (f.style == nngen::Multipliers::Dsp) dsps += f.multipliers();
  EXPECT_LE(dsps, 100);
  EXPECT_LE(nngen::emitDesign(g, "test", pb).latencyCycles, 600);
  // The planner's timing offers the images at the target II (a paced source): its plan keeps
  // the bounds for that stream.
  nngen::FoldTarget paced;
  paced.targetII = 200;
  paced.maxLatency = 200;
  const nngen::FoldPlan pp = nngen::planFolding(g, paced, "test");
  ASSERT_TRUE(pp.layers.count("conv0"));
  EXPECT_GT(pp.layers.at("conv0").reuse, 1);
  const nngen::StreamTiming tp = nngen::streamTiming(nngen::emitDesign(g, "test", pp), 3, 200);
  EXPECT_LE(tp.latency, 200);
  EXPECT_LE(tp.ii, 200);
  // A latency bound the unfolded design just meets leaves it unfolded.
  nngen::FoldTarget tight;
  tight.maxLatency = nngen::emitDesign(g, "test", nngen::FoldPlan{}).latencyCycles;
  const nngen::Design dt = nngen::emitDesign(g, "test", nngen::planFolding(g, tight, "test"));
  EXPECT_LE(dt.latencyCycles, *tight.maxLatency);
}

TEST_F(Folding, FitThatCannotHoldTheModelIsAnError) {
  // 18 inputs x 4000 units: the accumulators alone need more LUTs than an XC7Z020 has.
  nngen::saveNpyFloat32((dir_ / "big.npy").string(), {18, 4000}, std::vector<double>(72000, 0.3));
  nngen::FoldTarget t;
  t.fitPart = "xc7z020";
  EXPECT_THAT(buildError(spec("  - {name: d, type: Dense, units: 4000, use_bias: false, kernel: "
                              "big.npy}\n",
                              "", "[18]"),
                         t),
              HasSubstr("--fit xc7z020: the model does not fit at any reuse factor"));
}

}  // namespace
