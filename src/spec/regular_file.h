//! @file regular_file.h
//! @brief Reading a whole input file, refusing (without blocking) anything that is not a
//!        regular file: directories, FIFOs, sockets, character and block devices.
#pragma once

#include <optional>
#include <string>

namespace nngen {

/// Why `path` cannot be read as an input file, or "" when it is a regular file.
/// Does not open the file (so a FIFO never blocks) and never throws.
/// @returns e.g. "no such file", "is a directory, not a file", "is not a regular file (a FIFO,
///          socket or device)", or the system's reason ("permission denied", ...)
std::string regularFileProblem(const std::string& path);

/// Reads a whole regular file into memory. The file is opened non-blocking and checked with
/// fstat before reading, so a FIFO or device swapped in after a check is refused as well.
/// @param[out] why the reason (as regularFileProblem) when it returns std::nullopt
/// @returns the bytes, or std::nullopt when `path` is missing, not a regular file or unreadable
std::optional<std::string> readRegularFile(const std::string& path, std::string& why);

}  // namespace nngen
