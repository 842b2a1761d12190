//! @file spec_fixture.h
//! @brief The test fixture of the spec-loader tests: a temporary folder per test with small
//!        weight files, a writer of net.yaml with a fixed 5-line header, and the error a load
//!        or a build throws.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "flow/flow.h"
#include "spec/npy.h"
#include "spec/spec_loader.h"

namespace nngen::test {

/// One temporary folder per test (removed afterwards) holding k.npy (3x3x1x2 Conv2D kernel, all
/// 0.25), d.npy (18x4 Dense kernel, all 0.5) and v.npy (two values 1, 2).
class SpecFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("nngen_spec_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    saveNpyFloat32((dir_ / "k.npy").string(), {3, 3, 1, 2}, std::vector<double>(18, 0.25));
    saveNpyFloat32((dir_ / "d.npy").string(), {18, 4}, std::vector<double>(72, 0.5));
    saveNpyFloat32((dir_ / "v.npy").string(), {2}, {1.0, 2.0});
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  /// Writes net.yaml: a 5-line header with the given input shape, then `layers` (from line 6),
  /// then `top` (more top-level keys). @returns its path
  std::string spec(const std::string& layers, const std::string& top = "",
                   const std::string& input = "[5, 5, 1]") {
    const std::filesystem::path p = dir_ / "net.yaml";
    std::ofstream(p) << "nngen: 1\nname: t\ninput:\n  shape: " << input << "\nlayers:\n"
                     << layers << top;
    return p.string();
  }

  /// The message of the nngen::Error that loading `path` throws; "" if it loads. Any other
  /// exception fails the test (it would be an "internal error" of the CLI).
  std::string error(const std::string& path) {
    try {
      loadSpec(path);
    } catch (const Error& e) {
      return e.what();
    } catch (const std::exception& e) {
      ADD_FAILURE() << "not an nngen::Error: " << e.what();
      return "internal error";
    }
    return "";
  }

  /// The message of the nngen::Error a build of `path` into dir_/rtl throws (with `target`),
  /// checking that the build wrote nothing (no output folder, no temporary beside it).
  std::string buildError(const std::string& path, const FoldTarget& target = {}) {
    BuildOptions opt;
    opt.spec = path;
    opt.outDir = (dir_ / "rtl").string();
    opt.fold = target;
    std::string what;
    try {
      buildDesign(opt, [](const std::string&) {});
    } catch (const Error& e) {
      what = e.what();
    }
    EXPECT_FALSE(std::filesystem::exists(dir_ / "rtl")) << "a failed build left its output folder";
    for (auto& e : std::filesystem::directory_iterator(dir_))
      EXPECT_EQ(e.path().filename().string().find("nngen-tmp"), std::string::npos);
    return what;
  }

  std::filesystem::path dir_;
};

}  // namespace nngen::test
