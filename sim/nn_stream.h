// nn_stream.h - valid/ready stream helpers shared by the Verilator driver (sim/nn_sim.cpp) and
// the testbenches of the hand-written primitives (tests/rtl).
//
// - setPort / getPort move a beat between a Verilator port of any width and little-endian
//   uint32 words (word 0 = bits 31:0), the layout of sim/nn_beats.h.
// - AxiMonitor checks the AXI4-Stream hold rule on one interface: once tvalid is up it stays up,
//   with tdata unchanged, until the beat is taken (tvalid && tready at a rising edge).
//
// Needs only the C++ standard library and Verilator's runtime headers: `nngen build` copies this
// file next to nn_sim.cpp, which Verilator's makefiles compile without include paths.
#pragma once

#include <algorithm>
#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <string>
#include <type_traits>
#include <vector>

#include "nn_beats.h"
#include "verilated.h"

namespace nnstream {

using nnbeats::wordsFor;

/// Mask of the valid bits of the top word of a `bits`-bit value (all ones if a multiple of 32).
constexpr uint32_t topWordMask(uint32_t bits) {
  return (bits % 32u) == 0 ? 0xFFFFFFFFu : ((1u << (bits % 32u)) - 1u);
}

// Verilator maps a port of width W to CData (W <= 8), SData (<= 16), IData (<= 32), QData (<= 64)
// or VlWide<ceil(W/32)> (W > 64, word 0 = bits 31:0).

/// The port widths (bits) a Verilator port type is used for.
template <typename T>
struct PortTraits;
template <>
struct PortTraits<CData> {
  static constexpr uint32_t kMin = 1, kMax = 8;
};
template <>
struct PortTraits<SData> {
  static constexpr uint32_t kMin = 9, kMax = 16;
};
template <>
struct PortTraits<IData> {
  static constexpr uint32_t kMin = 17, kMax = 32;
};
template <>
struct PortTraits<QData> {
  static constexpr uint32_t kMin = 33, kMax = 64;
};
template <std::size_t N>
struct PortTraits<VlWide<N>> {
  static constexpr uint32_t kMin = 32u * static_cast<uint32_t>(N - 1) + 1u;
  static constexpr uint32_t kMax = 32u * static_cast<uint32_t>(N);
};

/// True if Verilator would have chosen the C++ type of `port` for a port `bits` wide.
template <typename T>
bool portWidthMatches(const T& /*port*/, uint32_t bits) {
  using P = PortTraits<std::remove_cv_t<T>>;
  return bits >= P::kMin && bits <= P::kMax;
}

/// The bit range the type of `port` is used for ("17..32"), for error messages.
template <typename T>
std::string portWidthRange(const T& /*port*/) {
  using P = PortTraits<std::remove_cv_t<T>>;
  return std::to_string(P::kMin) + ".." + std::to_string(P::kMax);
}

/// Drives a scalar port from `words`, clearing bits above `bits`; reads words[1] only when the
/// value is wider than 32 bits.
template <typename T, std::enable_if_t<std::is_integral_v<T>, int> = 0>
inline void setPort(T& port, const uint32_t* words, uint32_t bits = 8 * sizeof(T)) {
  uint64_t v = words[0];
  if constexpr (sizeof(T) > 4) {
    if (bits > 32) v |= static_cast<uint64_t>(words[1]) << 32;
  }
  if (bits < 64) v &= (uint64_t{1} << bits) - 1u;
  port = static_cast<T>(v);
}

/// Drives a wide (VlWide<N>) port from ceil(bits/32) `words`; the words above read as 0.
template <std::size_t N>
inline void setPort(VlWide<N>& port, const uint32_t* words, uint32_t bits = 32u * N) {
  const uint32_t nw = std::min<uint32_t>(wordsFor(bits), static_cast<uint32_t>(N));
  for (uint32_t i = 0; i < nw; ++i) port.m_storage[i] = words[i];
  if (nw > 0) port.m_storage[nw - 1] &= topWordMask(bits);
  for (uint32_t i = nw; i < N; ++i) port.m_storage[i] = 0;
}

/// Reads a scalar port into ceil(bits/32) `words`, clearing bits above `bits`.
template <typename T, std::enable_if_t<std::is_integral_v<T>, int> = 0>
inline void getPort(const T& port, uint32_t* words, uint32_t bits = 8 * sizeof(T)) {
  uint64_t v = static_cast<uint64_t>(port);
  if (bits < 64) v &= (uint64_t{1} << bits) - 1u;
  words[0] = static_cast<uint32_t>(v);
  if (bits > 32) words[1] = static_cast<uint32_t>(v >> 32);
}

/// Reads a wide port into ceil(bits/32) `words`, clearing bits above `bits`.
template <std::size_t N>
inline void getPort(const VlWide<N>& port, uint32_t* words, uint32_t bits = 32u * N) {
  const uint32_t nw = wordsFor(bits);
  for (uint32_t i = 0; i < nw; ++i) words[i] = i < N ? port.m_storage[i] : 0u;
  if (nw > 0) words[nw - 1] &= topWordMask(bits);
}

/// `words` (ceil(bits/32) of them) as one hexadecimal number, most significant word first.
inline std::string hexWords(const uint32_t* words, uint32_t bits) {
  std::string s = "0x";
  char buf[16];
  for (uint32_t i = wordsFor(bits); i-- > 0;) {
    std::snprintf(buf, sizeof buf, i + 1 == wordsFor(bits) ? "%x" : "%08x", words[i]);
    s += buf;
  }
  return s;
}

/// Checks the AXI4-Stream hold rule on one valid/ready interface: a beat that is offered
/// (valid) and not taken (ready low) at a rising edge must still be offered, with the same data,
/// at the next one. Called once per clock cycle with the values just before the rising edge.
/// The first `kMaxMessages` violations are printed (with the held and the new data), the rest
/// only counted. Source of the rule: AMBA AXI4-Stream protocol specification, section 2.2.1.
class AxiMonitor {
 public:
  static constexpr uint64_t kMaxMessages = 10;

  /// `prefix` starts every message ("nn_sim: "); `valid` and `data` name the signals
  /// ("m_axis_tvalid", "m_axis_tdata"); `bits` is the data width.
  AxiMonitor(std::string prefix, std::string valid, std::string data, uint32_t bits,
             std::FILE* log = stderr)
      : prefix_(std::move(prefix)),
        valid_(std::move(valid)),
        data_(std::move(data)),
        bits_(bits),
        log_(log),
        held_(wordsFor(bits), 0) {}

  /// Checks this cycle's `valid` and `data` (ceil(bits/32) words) against a beat stalled in the
  /// previous cycle, then remembers this cycle's beat if it stalls (valid && !ready).
  /// Returns true when a beat moves (valid && ready).
  bool sample(uint64_t cycle, bool valid, bool ready, const uint32_t* data) {
    if (stalled_ && (!valid || !std::equal(held_.begin(), held_.end(), data))) {
      if (violations_ < kMaxMessages) {
        if (!valid)
          std::fprintf(
              log_,
              "%sAXI violation at cycle %" PRIu64 ": %s dropped while the beat %s was stalled\n",
              prefix_.c_str(), cycle, valid_.c_str(), hexWords(held_.data(), bits_).c_str());
        else
          std::fprintf(log_,
                       "%sAXI violation at cycle %" PRIu64
                       ": %s changed from %s to %s while the beat was stalled\n",
                       prefix_.c_str(), cycle, data_.c_str(), hexWords(held_.data(), bits_).c_str(),
                       hexWords(data, bits_).c_str());
      }
      if (violations_ + 1 == kMaxMessages)
        std::fprintf(log_, "%s(further AXI violations are only counted)\n", prefix_.c_str());
      ++violations_;
    }
    stalled_ = valid && !ready;
    if (stalled_) std::copy(data, data + held_.size(), held_.begin());
    return valid && ready;
  }

  /// Same as sample() for a Verilator data port of `bits` bits.
  template <typename Port>
  bool samplePort(uint64_t cycle, bool valid, bool ready, const Port& data) {
    now_.resize(held_.size());
    getPort(data, now_.data(), bits_);
    return sample(cycle, valid, ready, now_.data());
  }

  /// Forgets a stalled beat: after a reset the interface starts empty.
  void reset() { stalled_ = false; }
  /// Violations seen so far.
  uint64_t violations() const { return violations_; }

 private:
  std::string prefix_, valid_, data_;
  uint32_t bits_;
  std::FILE* log_;
  std::vector<uint32_t> held_, now_;
  bool stalled_ = false;
  uint64_t violations_ = 0;
};

}  // namespace nnstream
