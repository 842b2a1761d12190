//! @file fuzz_import.cpp
//! @brief libFuzzer targets of the importers (issue 11): any bytes as a Keras architecture
//!        JSON (NNGEN_FUZZ_KERAS_JSON) or HDF5 weights file (NNGEN_FUZZ_KERAS_H5), the other part
//!        being hls4ml's KERAS_3layer fixture, or as an ONNX model (NNGEN_FUZZ_ONNX), through
//!        importInto, loadSpec and every compiler pass. Only nngen::Error (a clear rejection) is an
//!        expected outcome; any other exception, crash or sanitizer report is a finding.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

#include "import/import.h"
#include "passes/passes.h"
#include "spec/spec_loader.h"

namespace fs = std::filesystem;

namespace {

fs::path gDir;
const fs::path kFixtures = fs::path(NNGEN_TEST_DATA) / "import" / "keras";

void removeDir() { fs::remove_all(gDir); }

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  gDir = fs::temp_directory_path() / ("nngen_fuzz_import_" + std::to_string(::getpid()));
  fs::create_directories(gDir);
  std::atexit(removeDir);
#if defined(NNGEN_FUZZ_KERAS_JSON)
  fs::copy_file(kFixtures / "KERAS_3layer_weights.h5", gDir / "m_weights.h5");
#elif defined(NNGEN_FUZZ_KERAS_H5)
  fs::copy_file(kFixtures / "KERAS_3layer.json", gDir / "m.json");
#endif
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
#if defined(NNGEN_FUZZ_KERAS_JSON)
  const fs::path input = gDir / "m.json", model = input;
#elif defined(NNGEN_FUZZ_KERAS_H5)
  const fs::path input = gDir / "m_weights.h5", model = gDir / "m.json";
#else
  const fs::path input = gDir / "m.onnx", model = input;
#endif
  {
    std::ofstream out(input, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  }
  const fs::path out = gDir / "out";
  fs::remove_all(out);
  fs::create_directories(out);
  try {
    nngen::ImportOptions opt;
    opt.model = model.string();
    const nngen::ImportSummary s = nngen::importInto(opt, out);
    nngen::runPasses(nngen::loadSpec((out / s.spec).string()));
  } catch (const nngen::Error&) {
  }
  return 0;
}
