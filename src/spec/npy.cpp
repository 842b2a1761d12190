//! @file npy.cpp
//! @brief .npy I/O on top of xtensor's reader, with nngen's error messages.
#include "spec/npy.h"

#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <xtensor/xadapt.hpp>
#include <xtensor/xarray.hpp>
#include <xtensor/xnpy.hpp>

namespace nngen {

namespace {

template <typename T>
std::vector<double> toDoubles(xt::detail::npy_file& file) {
  auto arr = file.cast<T>();  // xtensor checks the dtype; iteration is row-major
  std::vector<double> out;
  out.reserve(arr.size());
  for (auto v : arr) out.push_back(static_cast<double>(v));
  return out;
}

}  // namespace

NpyArray loadNpy(const std::string& path, const SourceLoc& loc, const std::string& layer) {
  auto fail = [&](const std::string& what) {
    throw Error(loc, layer, fmt::format("weight/data file '{}': {}", path, what));
  };
  if (!std::filesystem::exists(path)) fail("no such file");
  std::ifstream stream(path, std::ios::binary);
  if (!stream) fail("cannot be opened");
  const auto fileSize = std::filesystem::file_size(path);
  NpyArray out;
  try {
    xt::detail::npy_file file = xt::detail::load_npy_file(stream);
    if (!stream) {
      fail(fmt::format("truncated: the header promises {} data bytes but the file has {} bytes "
                       "in all",
                       file.m_n_bytes, fileSize));
    }
    out.shape = file.m_shape;
    out.dtype = file.m_typestring;
    // The descr is stored quoted, e.g. '<f4'.
    if (out.dtype.size() >= 2 && out.dtype.front() == '\'') out.dtype = out.dtype.substr(1, out.dtype.size() - 2);
    const std::string& d = out.dtype;
    if (d == "<f4") out.values = toDoubles<float>(file);
    else if (d == "<f8") out.values = toDoubles<double>(file);
    else if (d == "|u1") out.values = toDoubles<uint8_t>(file);
    else if (d == "|i1") out.values = toDoubles<int8_t>(file);
    else if (d == "<u2") out.values = toDoubles<uint16_t>(file);
    else if (d == "<i2") out.values = toDoubles<int16_t>(file);
    else if (d == "<u4") out.values = toDoubles<uint32_t>(file);
    else if (d == "<i4") out.values = toDoubles<int32_t>(file);
    else if (d == "<u8") out.values = toDoubles<uint64_t>(file);
    else if (d == "<i8") out.values = toDoubles<int64_t>(file);
    else
      fail(fmt::format("unsupported dtype '{}' (use float32, float64 or a little-endian integer "
                       "type)",
                       d));
  } catch (const Error&) {
    throw;
  } catch (const std::exception& e) {
    fail(fmt::format("not a readable .npy file ({})", e.what()));
  }
  return out;
}

template <typename T>
static void saveNpy(const std::string& path, const std::vector<size_t>& shape,
                    const std::vector<T>& values) {
  auto arr = xt::adapt(values, shape);
  std::ofstream stream(path, std::ios::binary);
  if (!stream) throw Error(fmt::format("cannot write '{}'", path));
  xt::detail::dump_npy_stream(stream, arr);
  if (!stream) throw Error(fmt::format("cannot write '{}'", path));
}

void saveNpyFloat64(const std::string& path, const std::vector<size_t>& shape,
                    const std::vector<double>& values) {
  saveNpy(path, shape, values);
}

void saveNpyFloat32(const std::string& path, const std::vector<size_t>& shape,
                    const std::vector<double>& values) {
  saveNpy(path, shape, std::vector<float>(values.begin(), values.end()));
}

void saveNpyInt64(const std::string& path, const std::vector<size_t>& shape,
                  const std::vector<int64_t>& values) {
  saveNpy(path, shape, values);
}

}  // namespace nngen
