//! @file spec_errors_test.cpp
//! @brief Every kind of bad input gives one clear error naming the file, the YAML line and the
//!        layer; and `nngen build` never leaves a half-written output folder.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "flow/flow.h"
#include "spec/npy.h"
#include "spec/spec_loader.h"
#include "spec_fixture.h"

namespace fs = std::filesystem;
using ::testing::HasSubstr;

namespace {

class SpecErrors : public nngen::test::SpecFixture {};

const char* kConv =
    "  - name: conv0\n"      // line 6
    "    type: Conv2D\n"     // 7
    "    filters: 2\n"       // 8
    "    kernel_size: 3\n"   // 9
    "    use_bias: false\n"  // 10
    "    kernel: k.npy\n";   // 11

TEST_F(SpecErrors, ValidSpecLoads) {
  const auto g = nngen::loadSpec(spec(kConv));
  ASSERT_EQ(g.layers.size(), 1u);
  EXPECT_EQ(g.layers[0].out.h, 3);
  EXPECT_EQ(g.layers[0].out.c, 2);
}

TEST_F(SpecErrors, MissingWeightFile) {
  const std::string p = spec(
      "  - {name: conv0, type: Conv2D, filters: 2, kernel_size: 3, use_bias: false, kernel: "
      "nope.npy}\n");
  const std::string e = error(p);
  EXPECT_THAT(e, HasSubstr(p + ":6:"));
  EXPECT_THAT(e, HasSubstr("layer 'conv0'"));
  EXPECT_THAT(e, HasSubstr("nope.npy': no such file"));
}

TEST_F(SpecErrors, TruncatedWeightFile) {
  fs::resize_file(dir_ / "k.npy", fs::file_size(dir_ / "k.npy") - 10);
  const std::string e = error(spec(kConv));
  EXPECT_THAT(e, HasSubstr("net.yaml:11:"));
  EXPECT_THAT(e, HasSubstr("layer 'conv0'"));
  EXPECT_THAT(e, HasSubstr("truncated"));
}

TEST_F(SpecErrors, NotAnNpyFile) {
  std::ofstream(dir_ / "k.npy") << "hello";
  EXPECT_THAT(error(spec(kConv)), HasSubstr("not a readable .npy file"));
}

TEST_F(SpecErrors, UnsupportedDtype) {
  // A big-endian float32 header written by hand.
  std::string header = "{'descr': '>f4', 'fortran_order': False, 'shape': (3, 3, 1, 2), }";
  while ((10 + header.size() + 1) % 64) header += ' ';
  header += '\n';
  std::ofstream o(dir_ / "k.npy", std::ios::binary);
  o.write("\x93NUMPY\x01\x00", 8);
  const uint16_t len = static_cast<uint16_t>(header.size());
  o.write(reinterpret_cast<const char*>(&len), 2);
  o << header << std::string(72, '\0');
  o.close();
  const std::string e = error(spec(kConv));
  EXPECT_THAT(e, HasSubstr("unsupported dtype '>f4'"));
  EXPECT_THAT(e, HasSubstr("layer 'conv0'"));
}

TEST_F(SpecErrors, ShapeMismatch) {
  nngen::saveNpyFloat32((dir_ / "k.npy").string(), {3, 3, 2, 2}, std::vector<double>(36, 0.1));
  const std::string e = error(spec(kConv));
  EXPECT_THAT(e, HasSubstr("net.yaml:11: layer 'conv0': kernel"));
  EXPECT_THAT(e, HasSubstr("has shape (3, 3, 2, 2) but the spec needs (3, 3, 1, 2)"));
}

TEST_F(SpecErrors, UnknownLayerType) {
  const std::string e = error(spec("  - name: c\n    type: Conv3D\n"));
  EXPECT_THAT(e, HasSubstr("net.yaml:7: layer 'c': unknown layer type 'Conv3D'"));
}

TEST_F(SpecErrors, UnknownKey) {
  const std::string e = error(spec(std::string(kConv) + "    dilation: 2\n"));
  EXPECT_THAT(e, HasSubstr("net.yaml:12: layer 'conv0': unknown key 'dilation'"));
}

TEST_F(SpecErrors, UnknownTopLevelKey) {
  const fs::path p = dir_ / "net.yaml";
  std::ofstream(p) << "nngen: 1\nname: t\nlayerz: []\n";
  EXPECT_THAT(error(p.string()), HasSubstr("net.yaml:3: unknown key 'layerz'"));
}

TEST_F(SpecErrors, InvalidPrecision) {
  const std::string e = error(spec(std::string(kConv) + "    precision: {result: ap_fixed<16>}\n"));
  EXPECT_THAT(e, HasSubstr("net.yaml:12: layer 'conv0': invalid precision 'ap_fixed<16>'"));
  const std::string e2 = error(
      spec(std::string(kConv) + "    precision: {weight: 'ap_fixed<8,3,AP_RND,AP_WRAP_SM>'}\n"));
  EXPECT_THAT(e2, HasSubstr("AP_WRAP_SM"));
}

TEST_F(SpecErrors, KernelLargerThanInput) {
  const std::string e = error(spec(kConv, "", "[2, 5, 1]"));
  EXPECT_THAT(
      e, HasSubstr("net.yaml:9: layer 'conv0': kernel 3x3 is larger than its valid input 2x5"));
}

TEST_F(SpecErrors, DenseNeedsFlatInput) {
  const std::string e = error(spec("  - {name: fc, type: Dense, units: 4, kernel: d.npy}\n"));
  EXPECT_THAT(e, HasSubstr("layer 'fc': Dense needs a flat input"));
}

TEST_F(SpecErrors, YamlSyntaxError) {
  const std::string e = error(spec("  - name: [unclosed\n"));
  EXPECT_THAT(e, HasSubstr("net.yaml:"));
  EXPECT_THAT(e, HasSubstr("YAML syntax error"));
}

TEST_F(SpecErrors, DuplicateLayerNames) {
  const std::string e = error(spec("  - {name: r, type: ReLU}\n  - {name: r, type: ReLU}\n"));
  EXPECT_THAT(e, HasSubstr("net.yaml:7: layer 'r': duplicate layer name"));
}

TEST_F(SpecErrors, BuildLeavesNoHalfWrittenOutput) {
  // An existing output folder survives a failing build untouched, and nothing is left beside it.
  const fs::path out = dir_ / "rtl";
  fs::create_directories(out);
  std::ofstream(out / "keep.txt") << "old";
  nngen::BuildOptions opt;
  opt.spec = spec(
      "  - {name: conv0, type: Conv2D, filters: 2, kernel_size: 3, use_bias: false, kernel: "
      "nope.npy}\n");
  opt.outDir = out.string();
  EXPECT_THROW(nngen::buildDesign(opt, [](const std::string&) {}), nngen::Error);
  EXPECT_TRUE(fs::exists(out / "keep.txt"));
  int entries = 0;
  for (auto& e : fs::directory_iterator(dir_))
    entries += e.path().filename().string().find("nngen-tmp") != std::string::npos;
  EXPECT_EQ(entries, 0);
}

}  // namespace
