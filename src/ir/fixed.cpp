//! @file fixed.cpp
//! @brief ap_fixed rounding/overflow semantics on raw integers.
#include "ir/fixed.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <regex>
#include <stdexcept>

namespace nngen {

int64_t FixedType::minRaw() const {
  if (binary) return -1;
  return isSigned ? -(int64_t{1} << (width - 1)) : 0;
}

int64_t FixedType::maxRaw() const {
  if (binary) return 1;
  return isSigned ? (int64_t{1} << (width - 1)) - 1 : (int64_t{1} << width) - 1;
}

FixedType FixedType::makeBinary() {
  FixedType t;
  t.width = 1;
  t.intBits = 1;
  t.isSigned = false;
  t.binary = true;
  return t;
}

FixedType FixedType::makeTernary() {
  FixedType t;
  t.width = 2;
  t.intBits = 2;
  t.rounding = Rounding::RndZero;
  t.overflow = Overflow::SatSym;
  return t;
}

const char* roundingName(Rounding r) {
  switch (r) {
    case Rounding::Trn:
      return "AP_TRN";
    case Rounding::TrnZero:
      return "AP_TRN_ZERO";
    case Rounding::Rnd:
      return "AP_RND";
    case Rounding::RndZero:
      return "AP_RND_ZERO";
    case Rounding::RndMinInf:
      return "AP_RND_MIN_INF";
    case Rounding::RndInf:
      return "AP_RND_INF";
    case Rounding::RndConv:
      return "AP_RND_CONV";
  }
  return "?";
}

const char* overflowName(Overflow o) {
  switch (o) {
    case Overflow::Wrap:
      return "AP_WRAP";
    case Overflow::Sat:
      return "AP_SAT";
    case Overflow::SatZero:
      return "AP_SAT_ZERO";
    case Overflow::SatSym:
      return "AP_SAT_SYM";
  }
  return "?";
}

std::string FixedType::str() const {
  if (binary) return "binary";
  if (isTernary()) return "ternary";
  std::string s = fmt::format("{}<{},{}", isSigned ? "ap_fixed" : "ap_ufixed", width, intBits);
  if (rounding != Rounding::Trn || overflow != Overflow::Wrap) {
    s += fmt::format(",{}", roundingName(rounding));
    if (overflow != Overflow::Wrap) s += fmt::format(",{}", overflowName(overflow));
  }
  return s + ">";
}

static std::string upper(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::toupper(c); });
  return s;
}

/// std::stoi, but a number too large for an int is an invalid_argument naming the text.
static int toInt(const std::string& digits, const std::string& text) {
  try {
    return std::stoi(digits);
  } catch (const std::out_of_range&) {
    throw std::invalid_argument(
        fmt::format("invalid precision '{}': number {} is out of range", text, digits));
  }
}

FixedType parseFixedType(const std::string& text) {
  static const std::regex named(R"(\s*(binary|ternary)\s*)");
  std::smatch b;
  if (std::regex_match(text, b, named))
    return b[1] == "binary" ? FixedType::makeBinary() : FixedType::makeTernary();
  static const std::regex re(
      R"(\s*(ap_fixed|ap_ufixed|fixed|ufixed|ap_int|ap_uint|int|uint)\s*<\s*([-+]?\d+)\s*)"
      R"((?:,\s*([-+]?\d+)\s*)?(?:,\s*(\w+)\s*)?(?:,\s*(\w+)\s*)?(?:,\s*(\d+)\s*)?>\s*)");
  std::smatch m;
  if (!std::regex_match(text, m, re)) {
    throw std::invalid_argument(fmt::format(
        "invalid precision '{}': expected e.g. ap_fixed<16,6>, ap_ufixed<8,3,AP_RND,AP_SAT>, "
        "fixed<16,6>, binary or ternary",
        text));
  }
  const std::string kind = m[1];
  const bool isInt = kind.find("int") != std::string::npos;
  FixedType t;
  t.isSigned = kind.find('u') == std::string::npos;
  t.width = toInt(m[2], text);
  if (isInt) {
    if (m[3].matched || m[4].matched)
      throw std::invalid_argument(
          fmt::format("invalid precision '{}': {} takes one width", text, kind));
    t.intBits = t.width;
  } else {
    if (!m[3].matched)
      throw std::invalid_argument(
          fmt::format("invalid precision '{}': {} needs <width,integer bits>", text, kind));
    t.intBits = toInt(m[3], text);
  }
  if (t.width < 1 || t.width > 62)
    throw std::invalid_argument(
        fmt::format("invalid precision '{}': width must be 1..62 bits", text));
  if (t.isSigned && t.width < 2 && !isInt)
    throw std::invalid_argument(
        fmt::format("invalid precision '{}': a signed type needs at least 2 bits", text));
  if (m[4].matched) {
    std::string q = upper(m[4]);
    if (q.rfind("AP_", 0) != 0) q = "AP_" + q;
    static const std::pair<const char*, Rounding> modes[] = {
        {"AP_TRN", Rounding::Trn},
        {"AP_TRN_ZERO", Rounding::TrnZero},
        {"AP_RND", Rounding::Rnd},
        {"AP_RND_ZERO", Rounding::RndZero},
        {"AP_RND_MIN_INF", Rounding::RndMinInf},
        {"AP_RND_INF", Rounding::RndInf},
        {"AP_RND_CONV", Rounding::RndConv}};
    bool found = false;
    for (auto& [name, mode] : modes)
      if (q == name) {
        t.rounding = mode;
        found = true;
      }
    if (!found)
      throw std::invalid_argument(fmt::format(
          "invalid precision '{}': unknown rounding mode '{}' (AP_TRN, AP_TRN_ZERO, AP_RND, "
          "AP_RND_ZERO, AP_RND_MIN_INF, AP_RND_INF, AP_RND_CONV)",
          text, std::string(m[4])));
  }
  if (m[5].matched) {
    std::string o = upper(m[5]);
    if (o.rfind("AP_", 0) != 0) o = "AP_" + o;
    static const std::pair<const char*, Overflow> modes[] = {{"AP_WRAP", Overflow::Wrap},
                                                             {"AP_SAT", Overflow::Sat},
                                                             {"AP_SAT_ZERO", Overflow::SatZero},
                                                             {"AP_SAT_SYM", Overflow::SatSym}};
    bool found = false;
    for (auto& [name, mode] : modes)
      if (o == name) {
        t.overflow = mode;
        found = true;
      }
    if (!found)
      throw std::invalid_argument(fmt::format(
          "invalid precision '{}': unknown overflow mode '{}' (AP_WRAP, AP_SAT, AP_SAT_ZERO, "
          "AP_SAT_SYM; AP_WRAP_SM is not supported)",
          text, std::string(m[5])));
  }
  if (m[6].matched && toInt(m[6], text) != 0)
    throw std::invalid_argument(fmt::format(
        "invalid precision '{}': saturation bits N other than 0 are not supported", text));
  return t;
}

/// Whether to add one LSB to the floor `q` of a value being rounded. `half`: the dropped part is
/// >= one half LSB; `rest`: bits below the half bit are non-zero; `neg`: the value is negative.
static bool roundUp(Rounding mode, bool qOdd, bool half, bool rest, bool neg) {
  const bool any = half || rest;
  switch (mode) {
    case Rounding::Trn:
      return false;
    case Rounding::TrnZero:
      return neg && any;
    case Rounding::Rnd:
      return half;
    case Rounding::RndZero:
      return half && (rest || neg);
    case Rounding::RndMinInf:
      return half && rest;
    case Rounding::RndInf:
      return half && (rest || !neg);
    case Rounding::RndConv:
      return half && (rest || qOdd);
  }
  return false;
}

/// Applies the overflow mode to an exact integer (already at `to`'s fractional bits).
static int64_t applyOverflow(Int128 v, const FixedType& to) {
  const Int128 lo = to.minRaw(), hi = to.maxRaw();
  if (v >= lo && v <= hi) {
    if (to.overflow == Overflow::SatSym && to.isSigned && v == lo) return lo + 1;
    return static_cast<int64_t>(v);
  }
  switch (to.overflow) {
    case Overflow::Wrap: {
      const Int128 mod = Int128{1} << to.width;
      Int128 w = v % mod;
      if (w < 0) w += mod;
      if (to.isSigned && w > hi) w -= mod;
      return static_cast<int64_t>(w);
    }
    case Overflow::Sat:
      return static_cast<int64_t>(v < lo ? lo : hi);
    case Overflow::SatZero:
      return 0;
    case Overflow::SatSym:
      if (v > hi) return static_cast<int64_t>(hi);
      return static_cast<int64_t>(to.isSigned ? -hi : lo);
  }
  return 0;
}

/// The value raw * 2^-fromFrac at `toFrac` fractional bits, rounded with `mode`; exact integer,
/// no overflow applied (a value beyond 2^100 stands for "surely overflows").
static Int128 roundToFrac(int64_t raw, int fromFrac, int toFrac, Rounding mode) {
  const int shift = fromFrac - toFrac;
  if (shift <= 0) {
    if (-shift > 62) return raw == 0 ? 0 : (raw > 0 ? Int128{1} << 100 : -(Int128{1} << 100));
    return Int128{raw} << -shift;
  }
  if (shift > 63) {
    // |raw| <= 2^63 <= half an LSB of the result: the floor is 0 (raw >= 0, below the half
    // point) or -1 (raw < 0, at or above the half point).
    const bool neg = raw < 0;
    const bool rest = neg ? !(shift == 64 && raw == INT64_MIN) : raw != 0;
    return (neg ? -1 : 0) + (roundUp(mode, neg, neg, rest, neg) ? 1 : 0);
  }
  const Int128 r = raw;
  const Int128 q = r >> shift;  // arithmetic shift: floor
  const Int128 rem = r - (q << shift);
  const Int128 halfLsb = Int128{1} << (shift - 1);
  const bool half = rem >= halfLsb;
  const bool rest = (rem & (halfLsb - 1)) != 0;
  return q + (roundUp(mode, (q & 1) != 0, half, rest, raw < 0) ? 1 : 0);
}

int64_t requantize(int64_t raw, int fromFrac, const FixedType& to) {
  if (to.binary) return raw >= 0 ? 1 : -1;  // the sign at any scale
  return applyOverflow(roundToFrac(raw, fromFrac, to.fracBits(), to.rounding), to);
}

int64_t roundFrac(int64_t raw, int fromFrac, int toFrac, Rounding mode) {
  const Int128 v = roundToFrac(raw, fromFrac, toFrac, mode);
  const Int128 lim = Int128{1} << 62;
  if (v >= lim || v <= -lim)
    throw std::overflow_error(
        fmt::format("rounding {} * 2^-{} to {} fractional bits exceeds 62 bits", int64_t(raw),
                    fromFrac, toFrac));
  return static_cast<int64_t>(v);
}

int64_t quantizeReal(double x, const FixedType& to) {
  if (!std::isfinite(x)) throw std::invalid_argument(fmt::format("value {} is not finite", x));
  if (to.binary) return x >= 0 ? 1 : -1;
  const double scaled = std::ldexp(x, to.fracBits());  // exact: a power-of-two scaling
  if (std::fabs(scaled) >= std::ldexp(1.0, 62)) {
    // Beyond every type (widths are at most 62 bits), so it overflows; being >= 2^62 the double
    // is an integer, m * 2^sh with a 53-bit m and sh >= 10. AP_WRAP keeps its low W bits (zero
    // once sh >= W); the saturating modes only need its sign.
    int e = 0;
    const double m = std::frexp(scaled, &e);
    const int sh = e - 53;
    const Int128 mi = static_cast<int64_t>(std::ldexp(m, 53));
    if (to.overflow == Overflow::Wrap)
      return applyOverflow(sh >= to.width ? Int128{0} : mi << sh, to);
    return applyOverflow(scaled > 0 ? Int128{1} << 100 : -(Int128{1} << 100), to);
  }
  const double fl = std::floor(scaled);
  const double frac = scaled - fl;  // exact for doubles
  const bool half = frac >= 0.5;
  const bool rest = half ? frac != 0.5 : frac != 0.0;
  const Int128 q = static_cast<int64_t>(fl);
  const bool qOdd = (static_cast<int64_t>(fl) & 1) != 0;
  return applyOverflow(q + (roundUp(to.rounding, qOdd, half, rest, x < 0) ? 1 : 0), to);
}

bool fitsReal(double x, const FixedType& to) {
  if (!std::isfinite(x)) return false;
  if (to.binary) return true;  // binarization takes every value
  const double scaled = std::ldexp(x, to.fracBits());
  if (std::fabs(scaled) >= std::ldexp(1.0, 62)) return false;
  const double fl = std::floor(scaled);
  const double frac = scaled - fl;
  const bool half = frac >= 0.5;
  const bool rest = half ? frac != 0.5 : frac != 0.0;
  const bool qOdd = (static_cast<int64_t>(fl) & 1) != 0;
  const Int128 v =
      Int128{static_cast<int64_t>(fl)} + (roundUp(to.rounding, qOdd, half, rest, x < 0) ? 1 : 0);
  // AP_SAT_SYM moves the most negative value to -max: that value does not fit either
  const Int128 lo = to.minRaw() + (to.overflow == Overflow::SatSym && to.isSigned ? 1 : 0);
  return v >= lo && v <= to.maxRaw();
}

std::optional<int> intBitsFor(double lo, double hi, int frac, bool isSigned) {
  if (!isSigned && lo < 0) return std::nullopt;
  const double lsb = std::ldexp(1.0, -frac);
  for (int i = (isSigned ? 2 : 1) - frac; i + frac <= 62; ++i) {
    const double top = std::ldexp(1.0, isSigned ? i - 1 : i);
    if ((!isSigned || lo >= -top) && hi <= top - lsb) return i;
  }
  return std::nullopt;
}

double rawToReal(int64_t raw, int frac) { return std::ldexp(static_cast<double>(raw), -frac); }

int signedBitsFor(int64_t lo, int64_t hi) {
  int bits = 1;
  while (bits < 64) {
    const Int128 mn = -(Int128{1} << (bits - 1)), mx = (Int128{1} << (bits - 1)) - 1;
    if (lo >= mn && hi <= mx) break;
    ++bits;
  }
  return bits;
}

}  // namespace nngen
