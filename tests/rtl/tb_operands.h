//! @file tb_operands.h
//! @brief Operand helpers shared by the DSP primitives' testbenches (tb_mul_packed.cpp,
//!        tb_mac_chain.cpp) and their co-simulation drivers: raw bit patterns of w-bit
//!        operands, their values, their extreme values, and writing fields into a Verilator
//!        port of any width.
#pragma once

#include <cstdint>
#include <type_traits>
#include <vector>

namespace tb {

/// The low `w` bits of v.
inline uint64_t lowBits(uint64_t v, int w) { return w >= 64 ? v : v & ((uint64_t{1} << w) - 1); }

/// The value of the low `w` bits of `bits`, two's complement or unsigned.
inline int64_t valueOf(uint64_t bits, int w, bool isSigned) {
  uint64_t v = lowBits(bits, w);
  if (isSigned && w < 64 && (v >> (w - 1)) != 0) v |= ~((uint64_t{1} << w) - 1);
  return static_cast<int64_t>(v);
}

/// The extreme values of a `w`-bit operand as raw bit patterns, without repeats (signed: min,
/// min+1, -1, 0, 1, max; unsigned: 0, 1, max-1, max).
inline std::vector<uint64_t> extremes(int w, bool isSigned) {
  const uint64_t all = lowBits(~uint64_t{0}, w);
  std::vector<uint64_t> v;
  if (isSigned) {
    const uint64_t minV = uint64_t{1} << (w - 1);
    for (uint64_t e : {minV, minV + 1, all, uint64_t{0}, uint64_t{1}, minV - 1})
      v.push_back(lowBits(e, w));
  } else {
    for (uint64_t e : {uint64_t{0}, uint64_t{1}, all - 1, all}) v.push_back(lowBits(e, w));
  }
  std::vector<uint64_t> unique;
  for (uint64_t e : v) {
    bool seen = false;
    for (uint64_t u : unique) seen = seen || u == e;
    if (!seen) unique.push_back(e);
  }
  return unique;
}

/// Writes `width`-bit fields, field i at bit i*width, into a Verilator port: an integer
/// (CData ... QData) or a VlWide of 32-bit words.
template <typename Port>
void setPort(Port& port, const std::vector<uint64_t>& fields, int width) {
  if constexpr (std::is_integral_v<Port>) {
    uint64_t v = 0;
    for (size_t i = 0; i < fields.size(); ++i) v |= lowBits(fields[i], width) << (i * width);
    port = static_cast<Port>(v);
  } else {
    for (auto& word : port.m_storage) word = 0;
    for (size_t i = 0; i < fields.size(); ++i)
      for (int b = 0; b < width; ++b)
        if ((fields[i] >> b) & 1) {
          const size_t bit = i * width + b;
          port.m_storage[bit / 32] |= uint32_t{1} << (bit % 32);
        }
  }
}

}  // namespace tb
