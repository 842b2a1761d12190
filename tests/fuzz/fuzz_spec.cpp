//! @file fuzz_spec.cpp
//! @brief libFuzzer target: any text as a spec file through loadSpec and every compiler pass.
//!        Only nngen::Error (a clear rejection) is an expected outcome; any other exception,
//!        crash or sanitizer report is a finding.
//!
//! The spec is written to net.yaml in a private temporary folder that also holds the small
//! weight files of fuzz_files.h, so that mutated specs reach the weight checks and the passes.
//! tools/fuzz.sh rewrites the seed specs' weight paths to absolute paths.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

#include "fuzz_files.h"
#include "passes/passes.h"
#include "spec/npy.h"
#include "spec/spec_loader.h"

namespace fs = std::filesystem;

namespace {

fs::path gDir;

void removeDir() { fs::remove_all(gDir); }

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  gDir = fs::temp_directory_path() / ("nngen_fuzz_spec_" + std::to_string(::getpid()));
  fs::create_directories(gDir);
  std::atexit(removeDir);
  nngen::fuzz::writeWeightFiles(gDir);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const fs::path spec = gDir / "net.yaml";
  {
    std::ofstream out(spec, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  }
  try {
    nngen::runPasses(nngen::loadSpec(spec.string()));
  } catch (const nngen::Error&) {
  }
  return 0;
}
