//! @file hdf5_file.cpp
//! @brief Read-only HDF5 access through the libhdf5 C API.
#include "import/hdf5_file.h"

#include <fmt/format.h>

#include <algorithm>
#include <functional>

#include "ir/diagnostic.h"
#include "spec/regular_file.h"

namespace nngen {

namespace {

/// Closes an HDF5 handle when it goes out of scope.
class Handle {
 public:
  Handle(hid_t id, herr_t (*close)(hid_t)) : id_(id), close_(close) {}
  ~Handle() {
    if (id_ >= 0) close_(id_);
  }
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  hid_t get() const { return id_; }
  bool ok() const { return id_ >= 0; }

 private:
  hid_t id_;
  herr_t (*close_)(hid_t);
};

}  // namespace

Hdf5File::Hdf5File(const std::string& path) : path_(path) {
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);  // errors are reported as nngen::Error
  if (const std::string why = regularFileProblem(path); !why.empty())
    throw Error(SourceLoc{path, 0}, "", fmt::format("cannot read the HDF5 file: {}", why));
  if (H5Fis_hdf5(path.c_str()) <= 0)
    throw Error(SourceLoc{path, 0}, "", "not an HDF5 file (no HDF5 signature)");
  file_ = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  if (file_ < 0)
    throw Error(SourceLoc{path, 0}, "", "the HDF5 file cannot be opened (truncated or damaged?)");
}

Hdf5File::~Hdf5File() {
  if (file_ >= 0) H5Fclose(file_);
}

bool Hdf5File::exists(const std::string& objPath) const {
  if (objPath == "/") return true;
  std::string prefix;
  size_t pos = 1;
  while (pos <= objPath.size()) {
    const size_t next = std::min(objPath.find('/', pos), objPath.size());
    prefix = objPath.substr(0, next);
    if (H5Lexists(file_, prefix.c_str(), H5P_DEFAULT) <= 0) return false;
    pos = next + 1;
  }
  return H5Oexists_by_name(file_, objPath.c_str(), H5P_DEFAULT) > 0;
}

std::vector<std::string> Hdf5File::strings(const std::string& objPath,
                                           const std::string& name) const {
  if (!exists(objPath) || H5Aexists_by_name(file_, objPath.c_str(), name.c_str(), H5P_DEFAULT) <= 0)
    return {};
  auto fail = [&](const std::string& what) -> std::vector<std::string> {
    throw Error(SourceLoc{path_, 0}, "",
                fmt::format("attribute '{}' of '{}': {}", name, objPath, what));
  };
  Handle attr(H5Aopen_by_name(file_, objPath.c_str(), name.c_str(), H5P_DEFAULT, H5P_DEFAULT),
              H5Aclose);
  if (!attr.ok()) return fail("cannot be opened");
  Handle type(H5Aget_type(attr.get()), H5Tclose);
  if (H5Tget_class(type.get()) != H5T_STRING) return fail("is not a string");
  Handle space(H5Aget_space(attr.get()), H5Sclose);
  const hssize_t n = H5Sget_simple_extent_npoints(space.get());
  if (n < 0 || n > (1 << 20)) return fail("has an invalid size");
  std::vector<std::string> out;
  if (H5Tis_variable_str(type.get()) > 0) {
    Handle mem(H5Tcopy(H5T_C_S1), H5Tclose);
    H5Tset_size(mem.get(), H5T_VARIABLE);
    std::vector<char*> buf(static_cast<size_t>(n), nullptr);
    if (H5Aread(attr.get(), mem.get(), buf.data()) < 0) return fail("cannot be read");
    for (char* s : buf) out.emplace_back(s ? s : "");
    H5Dvlen_reclaim(mem.get(), space.get(), H5P_DEFAULT, buf.data());
  } else {
    const size_t size = H5Tget_size(type.get());
    if (size == 0 || size > (1 << 24)) return fail("has an invalid string size");
    std::vector<char> buf(size * static_cast<size_t>(n) + 1, '\0');
    if (H5Aread(attr.get(), type.get(), buf.data()) < 0) return fail("cannot be read");
    for (hssize_t i = 0; i < n; ++i) {
      std::string s(buf.data() + size * static_cast<size_t>(i), size);
      s.erase(std::find(s.begin(), s.end(), '\0'), s.end());
      out.push_back(std::move(s));
    }
  }
  return out;
}

std::optional<std::string> Hdf5File::stringAttribute(const std::string& objPath,
                                                     const std::string& name) const {
  std::vector<std::string> v = strings(objPath, name);
  if (v.empty()) return std::nullopt;
  return v[0];
}

std::vector<std::string> Hdf5File::stringListAttribute(const std::string& objPath,
                                                       const std::string& name) const {
  return strings(objPath, name);
}

Hdf5Array Hdf5File::dataset(const std::string& objPath) const {
  auto fail = [&](const std::string& what) -> Hdf5Array {
    throw Error(SourceLoc{path_, 0}, "", fmt::format("dataset '{}': {}", objPath, what));
  };
  if (!exists(objPath)) return fail("not in the file");
  Handle ds(H5Dopen2(file_, objPath.c_str(), H5P_DEFAULT), H5Dclose);
  if (!ds.ok()) return fail("cannot be opened (not a dataset?)");
  Handle type(H5Dget_type(ds.get()), H5Tclose);
  const H5T_class_t cls = H5Tget_class(type.get());
  if (cls != H5T_FLOAT && cls != H5T_INTEGER) return fail("is not numeric");
  Handle space(H5Dget_space(ds.get()), H5Sclose);
  const int rank = H5Sget_simple_extent_ndims(space.get());
  if (rank < 0 || rank > 8) return fail("has an invalid rank");
  std::vector<hsize_t> dims(static_cast<size_t>(rank));
  H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr);
  Hdf5Array a;
  size_t n = 1;
  for (hsize_t d : dims) {
    if (d > (hsize_t{1} << 28) || n * d > (size_t{1} << 28)) return fail("is too large");
    a.dims.push_back(static_cast<size_t>(d));
    n *= static_cast<size_t>(d);
  }
  a.values.assign(n, 0.0);
  if (n > 0 &&
      H5Dread(ds.get(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, a.values.data()) < 0)
    return fail("cannot be read (truncated file?)");
  return a;
}

}  // namespace nngen
