//! @file fuzz_files.h
//! @brief The small weight files that fuzzed specs can name (shared by tests/fuzz/fuzz_spec.cpp
//!        and the replay of tests/fuzz/regressions in tests/unit/fuzz_regressions_test.cpp).
#pragma once

#include <filesystem>
#include <vector>

#include "spec/npy.h"

namespace nngen::fuzz {

/// Writes into `dir`: k3312.npy (3, 3, 1, 2) float32, d184.npy (18, 4), b2.npy (2,), b4.npy (4,),
/// v2.npy (2,) positive, l2.npy (2,) int64 - the files of tests/fuzz/seeds/spec/*.yaml.
inline void writeWeightFiles(const std::filesystem::path& dir) {
  auto ramp = [](size_t n, double step) {
    std::vector<double> v(n);
    for (size_t i = 0; i < n; ++i) v[i] = step * double(i) - 0.5;
    return v;
  };
  saveNpyFloat32((dir / "k3312.npy").string(), {3, 3, 1, 2}, ramp(18, 0.0625));
  saveNpyFloat32((dir / "d184.npy").string(), {18, 4}, ramp(72, 0.015625));
  saveNpyFloat32((dir / "b2.npy").string(), {2}, {0.25, -0.125});
  saveNpyFloat32((dir / "b4.npy").string(), {4}, {0.5, -0.25, 0.125, 0.0});
  saveNpyFloat32((dir / "v2.npy").string(), {2}, {0.5, 2.0});
  saveNpyInt64((dir / "l2.npy").string(), {2}, {0, 1});
}

}  // namespace nngen::fuzz
