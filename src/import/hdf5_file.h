//! @file hdf5_file.h
//! @brief Read-only access to the parts of an HDF5 file a Keras model uses (string attributes,
//!        float datasets), through Debian's libhdf5; every failure is an nngen::Error naming the
//!        file and the object inside it.
#pragma once

#include <hdf5.h>

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace nngen {

/// A float array read from a dataset: its dimensions (C order, last index fastest) and values.
struct Hdf5Array {
  std::vector<size_t> dims;
  std::vector<double> values;
};

/// One HDF5 file opened read-only. Not copyable; closes the file when destroyed.
class Hdf5File {
 public:
  /// Opens `path` (HDF5 error printing is turned off for the process).
  /// @throws Error naming the file when it is missing, not an HDF5 file, or truncated
  explicit Hdf5File(const std::string& path);
  ~Hdf5File();
  Hdf5File(const Hdf5File&) = delete;
  Hdf5File& operator=(const Hdf5File&) = delete;

  /// Whether the group or dataset at `objPath` ("/a/b", every link on the way) exists.
  bool exists(const std::string& objPath) const;
  /// The string (or list of strings: the first) attribute `name` of the object at `objPath`,
  /// fixed-length or variable-length; nothing when there is no such attribute.
  /// @throws Error when it exists but is not a string
  std::optional<std::string> stringAttribute(const std::string& objPath,
                                             const std::string& name) const;
  /// The list-of-strings attribute `name` (e.g. Keras's layer_names, weight_names); empty
  /// when absent. Trailing NUL padding of fixed-length strings is removed.
  /// @throws Error when it exists but is not a string attribute
  std::vector<std::string> stringListAttribute(const std::string& objPath,
                                               const std::string& name) const;
  /// The float (or integer) dataset at `objPath`, converted to double.
  /// @throws Error naming the dataset when it is missing, not numeric, or cannot be read
  Hdf5Array dataset(const std::string& objPath) const;

  /// The file's path as given.
  const std::string& path() const { return path_; }

 private:
  std::vector<std::string> strings(const std::string& objPath, const std::string& name) const;
  std::string path_;
  hid_t file_ = -1;
};

}  // namespace nngen
