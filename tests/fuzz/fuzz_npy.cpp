//! @file fuzz_npy.cpp
//! @brief libFuzzer target: any bytes through the .npy reader. Only nngen::Error (a clear
//!        rejection) is an expected outcome; any other exception, crash or sanitizer report is a
//!        finding.
#include <cstddef>
#include <cstdint>
#include <string>

#include "spec/npy.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  try {
    const nngen::NpyArray a = nngen::parseNpy(bytes, "fuzz.npy", nngen::SourceLoc{}, "");
    size_t n = 1;
    for (size_t d : a.shape) n *= d;
    if (n != a.values.size()) __builtin_trap();  // the shape must describe the values read
  } catch (const nngen::Error&) {
  }
  return 0;
}
