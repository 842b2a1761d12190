//! @file fuzz_regressions_test.cpp
//! @brief Replays every input of tests/fuzz/regressions/ (inputs that once crashed, hung or ended
//!        in an "internal error", found by the fuzzers of tests/fuzz or by hand): each must load
//!        or be rejected with nngen::Error, nothing else. Built with NNGEN_SANITIZE (CI's
//!        build-asan), a sanitizer report fails the test as well.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "../fuzz/fuzz_files.h"
#include "passes/passes.h"
#include "spec/npy.h"
#include "spec/spec_loader.h"

namespace fs = std::filesystem;

namespace {

const fs::path kRegressions = fs::path(NNGEN_TEST_DATA) / "fuzz" / "regressions";

/// The files of one regression folder, sorted.
std::vector<fs::path> inputs(const std::string& kind) {
  std::vector<fs::path> out;
  for (const auto& e : fs::directory_iterator(kRegressions / kind))
    if (e.is_regular_file()) out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

std::string readAll(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(FuzzRegressions, SpecInputsLoadOrGiveAnError) {
  // As fuzz_spec: the spec in a folder with the small weight files, loaded and compiled.
  const fs::path dir =
      fs::temp_directory_path() / ("nngen_fuzz_regr_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  nngen::fuzz::writeWeightFiles(dir);
  const auto files = inputs("spec");
  ASSERT_FALSE(files.empty());
  for (const fs::path& f : files) {
    fs::copy_file(f, dir / "net.yaml", fs::copy_options::overwrite_existing);
    try {
      nngen::runPasses(nngen::loadSpec((dir / "net.yaml").string()));
    } catch (const nngen::Error&) {
    } catch (const std::exception& e) {
      ADD_FAILURE() << f.filename() << ": not an nngen::Error: " << e.what();
    }
  }
  fs::remove_all(dir);
}

TEST(FuzzRegressions, NpyInputsLoadOrGiveAnError) {
  const auto files = inputs("npy");
  ASSERT_FALSE(files.empty());
  for (const fs::path& f : files) {
    try {
      nngen::parseNpy(readAll(f), f.string(), nngen::SourceLoc{}, "");
    } catch (const nngen::Error&) {
    } catch (const std::exception& e) {
      ADD_FAILURE() << f.filename() << ": not an nngen::Error: " << e.what();
    }
  }
}

}  // namespace
