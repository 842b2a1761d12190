//! @file npy.h
//! @brief Reading NumPy .npy files (every format version numpy writes) and writing them (through
//!        xtensor's xnpy).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ir/diagnostic.h"

namespace nngen {

/// The contents of one .npy file, converted to double (exact for every integer dtype up to
/// 32 bits and for float32/float64).
struct NpyArray {
  std::vector<size_t> shape;   ///< dimensions, C order
  std::string dtype;           ///< numpy descr, e.g. "<f4", "|u1", "<i8"
  std::vector<double> values;  ///< elements in C (row-major) order, whatever the file's order
  bool isInteger() const { return !dtype.empty() && (dtype[1] == 'i' || dtype[1] == 'u'); }
  size_t size() const { return values.size(); }
};

/// Loads a .npy file: format versions 1.0, 2.0 and 3.0 (the NEP 1 format as numpy writes it:
/// magic, version, 2- or 4-byte little-endian header length, a Python dict literal with the
/// keys 'descr', 'fortran_order' and 'shape' in any order, then the raw data). Accepts float32,
/// float64 and signed or unsigned 8/16/32/64-bit integers, little-endian, C or Fortran
/// order, any shape including () (one element) and zero-size shapes.
/// @param path the file to read; it must be a regular file (directories, FIFOs and devices are
///             refused without being read)
/// @param loc  where in the spec the file is referenced (for the error message)
/// @param layer the layer it belongs to (for the error message; may be empty)
/// @throws Error naming the file when it is missing, not a regular file, not a .npy file, of an
///         unsupported format version or dtype, or truncated.
NpyArray loadNpy(const std::string& path, const SourceLoc& loc, const std::string& layer);

/// Parses the bytes of a .npy file (as loadNpy, without the file system).
/// @param bytes the whole file
/// @param path  the file's name, for messages only
/// @throws Error as loadNpy
NpyArray parseNpy(const std::string& bytes, const std::string& path, const SourceLoc& loc,
                  const std::string& layer);

/// Writes a float64 .npy file of the given shape (C order).
/// @throws Error when the file cannot be written.
void saveNpyFloat64(const std::string& path, const std::vector<size_t>& shape,
                    const std::vector<double>& values);

/// Writes a float32 .npy file of the given shape (C order).
/// @throws Error when the file cannot be written.
void saveNpyFloat32(const std::string& path, const std::vector<size_t>& shape,
                    const std::vector<double>& values);

/// Writes an int64 .npy file of the given shape (C order).
/// @throws Error when the file cannot be written.
void saveNpyInt64(const std::string& path, const std::vector<size_t>& shape,
                  const std::vector<int64_t>& values);

}  // namespace nngen
