//! @file fuzz_spec.cpp
//! @brief libFuzzer target: any text as a spec file through loadSpec and every compiler pass.
//!        Only nngen::Error (a clear rejection) is an expected outcome; any other exception,
//!        crash or sanitizer report is a finding.
//!
//! The spec is written to net.yaml in a private temporary folder that also holds small weight
//! files (k3312.npy: (3, 3, 1, 2) float32, d184.npy: (18, 4), b2.npy: (2,), b4.npy: (4,),
//! v2.npy: (2,) positive, l2.npy: (2,) int64), so that mutated specs reach the weight
//! checks and the passes. tools/fuzz.sh rewrites the seed specs' weight paths to absolute paths.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

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
  auto ramp = [](size_t n, double step) {
    std::vector<double> v(n);
    for (size_t i = 0; i < n; ++i) v[i] = step * double(i) - 0.5;
    return v;
  };
  nngen::saveNpyFloat32((gDir / "k3312.npy").string(), {3, 3, 1, 2}, ramp(18, 0.0625));
  nngen::saveNpyFloat32((gDir / "d184.npy").string(), {18, 4}, ramp(72, 0.015625));
  nngen::saveNpyFloat32((gDir / "b2.npy").string(), {2}, {0.25, -0.125});
  nngen::saveNpyFloat32((gDir / "b4.npy").string(), {4}, {0.5, -0.25, 0.125, 0.0});
  nngen::saveNpyFloat32((gDir / "v2.npy").string(), {2}, {0.5, 2.0});
  nngen::saveNpyInt64((gDir / "l2.npy").string(), {2}, {0, 1});
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
