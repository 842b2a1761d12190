//! @file npy.cpp
//! @brief .npy reading (own parser of the NEP 1 header: xtensor's reader misreads header lengths
//!        with a byte >= 0x80, needs the keys in one order and has no version 3.0) and writing
//!        (xtensor's xnpy), with nngen's error messages.
#include "spec/npy.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <stdexcept>
#include <string_view>
#include <tuple>
#include <xtensor/xadapt.hpp>
#include <xtensor/xarray.hpp>
#include <xtensor/xnpy.hpp>

#include "spec/regular_file.h"

namespace nngen {

namespace {

/// One Python literal of a .npy header (numpy writes it with repr(); np.load reads it with
/// ast.literal_eval): a dict, tuple or list, string, integer, True/False or None.
struct PyLiteral {
  enum class Kind { Dict, Tuple, List, Str, Int, Bool, None } kind = Kind::None;
  std::string str;               ///< Str
  uint64_t num = 0;              ///< Int (non-negative; shapes and sizes only)
  bool flag = false;             ///< Bool
  std::vector<PyLiteral> items;  ///< Tuple/List elements; Dict: key, value, key, value, ...
};

/// A recursive-descent parser of the header's literal. Throws std::invalid_argument with a
/// short reason on anything numpy would not have written.
class LiteralParser {
 public:
  explicit LiteralParser(std::string_view text) : s_(text) {}

  PyLiteral parseAll() {
    PyLiteral v = value(0);
    skipSpace();
    if (pos_ != s_.size()) bad("unexpected text after the header dict");
    return v;
  }

 private:
  static constexpr int kMaxDepth = 32;  // numpy's headers nest 3 deep (structured dtypes: more)
  std::string_view s_;
  size_t pos_ = 0;

  [[noreturn]] void bad(const std::string& what) const { throw std::invalid_argument(what); }
  void skipSpace() {
    while (pos_ < s_.size() &&
           (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\n' || s_[pos_] == '\r'))
      ++pos_;
  }
  bool eat(char c) {
    skipSpace();
    if (pos_ < s_.size() && s_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }

  PyLiteral value(int depth) {
    if (depth > kMaxDepth) bad("nested too deeply");
    skipSpace();
    if (pos_ >= s_.size()) bad("ends early");
    const char c = s_[pos_];
    PyLiteral v;
    if (c == '{' || c == '(' || c == '[') {
      ++pos_;
      const char close = c == '{' ? '}' : c == '(' ? ')' : ']';
      v.kind = c == '{'   ? PyLiteral::Kind::Dict
               : c == '(' ? PyLiteral::Kind::Tuple
                          : PyLiteral::Kind::List;
      bool single = false;  // (x) without a comma is just x in Python
      while (!eat(close)) {
        v.items.push_back(value(depth + 1));
        if (v.kind == PyLiteral::Kind::Dict) {
          if (!eat(':')) bad("expected ':' in a dict");
          v.items.push_back(value(depth + 1));
        }
        if (eat(',')) continue;
        if (!eat(close)) bad(fmt::format("expected ',' or '{}'", close));
        single = v.kind == PyLiteral::Kind::Tuple && v.items.size() == 1;
        break;
      }
      if (single) return std::move(v.items[0]);
      return v;
    }
    if (c == '\'' || c == '"') {
      ++pos_;
      v.kind = PyLiteral::Kind::Str;
      for (;;) {
        if (pos_ >= s_.size() || s_[pos_] == '\n') bad("unterminated string");
        char ch = s_[pos_++];
        if (ch == c) break;
        if (ch == '\\') {
          if (pos_ >= s_.size()) bad("unterminated string");
          ch = s_[pos_++];
        }
        v.str += ch;
      }
      return v;
    }
    if (c >= '0' && c <= '9') {
      v.kind = PyLiteral::Kind::Int;
      while (pos_ < s_.size() && s_[pos_] >= '0' && s_[pos_] <= '9') {
        const uint64_t d = static_cast<uint64_t>(s_[pos_++] - '0');
        if (v.num > (UINT64_MAX - d) / 10) bad("integer too large");
        v.num = v.num * 10 + d;
      }
      if (pos_ < s_.size() && s_[pos_] == 'L') ++pos_;  // Python 2 longs: (3L, 4L)
      return v;
    }
    for (const auto& [word, kind, flag] : {std::tuple{"True", PyLiteral::Kind::Bool, true},
                                           std::tuple{"False", PyLiteral::Kind::Bool, false},
                                           std::tuple{"None", PyLiteral::Kind::None, false}}) {
      const std::string_view w(word);
      if (s_.substr(pos_, w.size()) == w) {
        pos_ += w.size();
        v.kind = kind;
        v.flag = flag;
        return v;
      }
    }
    bad(fmt::format("unexpected character '{}'", c));
  }
};

/// Little-endian unsigned integer of `n` bytes at `p`.
uint64_t readLe(const unsigned char* p, size_t n) {
  uint64_t v = 0;
  for (size_t i = n; i-- > 0;) v = (v << 8) | p[i];
  return v;
}

/// Converts one little-endian element of `size` bytes of dtype kind 'f', 'i' or 'u' to double.
double elementToDouble(const unsigned char* p, char kind, size_t size) {
  const uint64_t bits = readLe(p, size);
  if (kind == 'f') {
    if (size == 4) {
      float f;
      const uint32_t b32 = static_cast<uint32_t>(bits);
      std::memcpy(&f, &b32, 4);
      return f;
    }
    double d;
    std::memcpy(&d, &bits, 8);
    return d;
  }
  if (kind == 'u') return static_cast<double>(bits);
  // Sign-extend an n-byte two's complement integer.
  const unsigned shift = static_cast<unsigned>(64 - 8 * size);
  return static_cast<double>(static_cast<int64_t>(bits << shift) >> shift);
}

}  // namespace

NpyArray parseNpy(const std::string& bytes, const std::string& path, const SourceLoc& loc,
                  const std::string& layer) {
  auto fail = [&](const std::string& what) {
    throw Error(loc, layer, fmt::format("weight/data file '{}': {}", path, what));
  };
  const auto* data = reinterpret_cast<const unsigned char*>(bytes.data());
  static const char kMagic[] = "\x93NUMPY";
  if (bytes.size() < 8 || bytes.compare(0, 6, kMagic) != 0)
    fail("not a readable .npy file (no \\x93NUMPY magic at its start)");
  const int major = data[6], minor = data[7];
  if ((major != 1 && major != 2 && major != 3) || minor != 0)
    fail(fmt::format("unsupported .npy format version {}.{} (nngen reads 1.0, 2.0 and 3.0)", major,
                     minor));
  const size_t lenBytes = major == 1 ? 2 : 4;
  if (bytes.size() < 8 + lenBytes) fail("truncated in its header");
  const uint64_t headerLen = readLe(data + 8, lenBytes);
  const size_t dataStart = 8 + lenBytes;
  if (headerLen > bytes.size() - dataStart)
    fail(fmt::format("truncated: its header is {} bytes long but the file has only {} bytes in all",
                     headerLen, bytes.size()));

  NpyArray out;
  bool fortran = false;
  try {
    const PyLiteral h =
        LiteralParser(std::string_view(bytes).substr(dataStart, headerLen)).parseAll();
    if (h.kind != PyLiteral::Kind::Dict) throw std::invalid_argument("the header is not a dict");
    bool haveDescr = false, haveFortran = false, haveShape = false;
    for (size_t i = 0; i + 1 < h.items.size(); i += 2) {
      const PyLiteral& k = h.items[i];
      const PyLiteral& v = h.items[i + 1];
      if (k.kind != PyLiteral::Kind::Str)
        throw std::invalid_argument("a header key is not a string");
      bool* seen = k.str == "descr"           ? &haveDescr
                   : k.str == "fortran_order" ? &haveFortran
                   : k.str == "shape"         ? &haveShape
                                              : nullptr;
      if (!seen) throw std::invalid_argument(fmt::format("unknown header key '{}'", k.str));
      if (*seen) throw std::invalid_argument(fmt::format("header key '{}' given twice", k.str));
      *seen = true;
      if (k.str == "descr") {
        if (v.kind != PyLiteral::Kind::Str)
          fail("unsupported dtype: a structured dtype (use float32, float64 or an integer type)");
        out.dtype = v.str;
      } else if (k.str == "fortran_order") {
        if (v.kind != PyLiteral::Kind::Bool)
          throw std::invalid_argument("fortran_order is not True or False");
        fortran = v.flag;
      } else {
        if (v.kind != PyLiteral::Kind::Tuple) throw std::invalid_argument("shape is not a tuple");
        for (const PyLiteral& d : v.items) {
          if (d.kind != PyLiteral::Kind::Int)
            throw std::invalid_argument("shape has a non-integer entry");
          out.shape.push_back(static_cast<size_t>(d.num));
        }
      }
    }
    if (!haveDescr || !haveFortran || !haveShape)
      throw std::invalid_argument("the header lacks one of 'descr', 'fortran_order', 'shape'");
  } catch (const std::invalid_argument& e) {
    fail(fmt::format("not a readable .npy file (invalid header: {})", e.what()));
  }

  // dtype: byte order, kind, item size, e.g. '<f4', '|u1'.
  const std::string& d = out.dtype;
  const bool shapeOk = d.size() == 3 && (d[0] == '<' || d[0] == '|');
  const char kind = shapeOk ? d[1] : 0;
  const size_t item = shapeOk && d[2] >= '1' && d[2] <= '8' ? size_t(d[2] - '0') : 0;
  const bool supported =
      (kind == 'f' && (item == 4 || item == 8)) ||
      ((kind == 'i' || kind == 'u') && (item == 1 || item == 2 || item == 4 || item == 8));
  if (!supported || (item == 1) != (d[0] == '|'))
    fail(fmt::format(
        "unsupported dtype '{}' (use float32, float64 or a little-endian integer type)", d));

  uint64_t count = 1;
  for (size_t dim : out.shape) {
    if (dim != 0 && count > UINT64_MAX / dim) fail("its shape has more elements than can exist");
    count *= dim;
  }
  const size_t payload = bytes.size() - dataStart - headerLen;
  if (count > payload / item)
    fail(fmt::format(
        "truncated: the header promises {} data bytes but the file has {} bytes in all",
        count > UINT64_MAX / item ? std::string("more than 2^64") : std::to_string(count * item),
        bytes.size()));

  // Element k of the file, in C order: Fortran files store the first index fastest.
  const unsigned char* base = data + dataStart + headerLen;
  out.values.resize(count);
  std::vector<size_t> idx(out.shape.size(), 0);
  for (uint64_t k = 0; k < count; ++k) {
    uint64_t src = k;
    if (fortran && out.shape.size() > 1) {
      src = 0;
      for (size_t a = out.shape.size(); a-- > 0;) src = src * out.shape[a] + idx[a];
      for (size_t a = out.shape.size(); a-- > 0;) {  // next C-order index
        if (++idx[a] < out.shape[a]) break;
        idx[a] = 0;
      }
    }
    out.values[k] = elementToDouble(base + src * item, kind, item);
  }
  return out;
}

NpyArray loadNpy(const std::string& path, const SourceLoc& loc, const std::string& layer) {
  std::string why;
  const std::optional<std::string> bytes = readRegularFile(path, why);
  if (!bytes) throw Error(loc, layer, fmt::format("weight/data file '{}': {}", path, why));
  return parseNpy(*bytes, path, loc, layer);
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
