//! @file fixed.h
//! @brief Fixed-point types and the one implementation of their rounding and overflow rules.
//!
//! Semantics follow Xilinx `ap_fixed` / `ap_ufixed` (Vivado HLS user guide UG902, "Arbitrary
//! Precision Fixed-Point Data Types", quantization and overflow modes). A value of type
//! fixed<W,I> is stored as a W-bit two's-complement (or unsigned) integer `raw` and means
//! raw * 2^-(W-I). Every function here works on such raw integers; nothing is emulated in float.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace nngen {

/// 128-bit integer for exact intermediate arithmetic (GCC/Clang extension).
__extension__ typedef __int128 Int128;

/// Quantization (rounding) mode, as ap_fixed's Q parameter. Applied when fractional bits are
/// dropped. "half" means exactly halfway between two representable values.
enum class Rounding {
  Trn,        ///< AP_TRN: toward minus infinity (drop bits). Default.
  TrnZero,    ///< AP_TRN_ZERO: toward zero.
  Rnd,        ///< AP_RND: to nearest, half toward plus infinity (round-half-up).
  RndZero,    ///< AP_RND_ZERO: to nearest, half toward zero.
  RndMinInf,  ///< AP_RND_MIN_INF: to nearest, half toward minus infinity.
  RndInf,     ///< AP_RND_INF: to nearest, half away from zero.
  RndConv,    ///< AP_RND_CONV: to nearest, half to even (convergent).
};

/// Overflow mode, as ap_fixed's O parameter. Applied after rounding when the value does not fit.
enum class Overflow {
  Wrap,     ///< AP_WRAP: keep the low W bits (two's-complement wrap-around). Default.
  Sat,      ///< AP_SAT: clamp to the largest / smallest representable value.
  SatZero,  ///< AP_SAT_ZERO: an overflowing value becomes zero.
  SatSym,   ///< AP_SAT_SYM: clamp symmetrically to +-max (signed); same as Sat when unsigned.
};

/// ap_fixed's name of a rounding mode, e.g. "AP_RND_CONV".
const char* roundingName(Rounding r);
/// ap_fixed's name of an overflow mode, e.g. "AP_SAT_SYM".
const char* overflowName(Overflow o);

/// A fixed-point type: `width` bits in all, `intBits` of them left of the binary point
/// (the sign bit included when signed). intBits may be negative or larger than width,
/// as in ap_fixed. Widths are limited to 1..62 bits so raw values fit an int64_t.
///
/// Two spellings name the types of binary and ternary networks (Courbariaux et al., "Binarized
/// Neural Networks", arXiv 1602.02830; Loncar et al., "Ternary and binary quantization for
/// improved classification", arXiv 2003.06308):
///  - `binary`: the two values -1 and +1 (binary weights, sign activations), raw -1 / +1 with
///    no fraction bits, stored in hardware as one bit b with value 2b - 1 (1 = +1). Converting a
///    value into it is the sign: x >= 0 gives +1, x < 0 gives -1 (as QKeras's `binary`, Larq and
///    Brevitas's BipolarQuant). binary is set, width 1.
///  - `ternary`: {-1, 0, +1}, an ordinary type: ap_fixed<2,2,AP_RND_ZERO,AP_SAT_SYM> (round to
///    nearest with |x| <= 0.5 to 0, saturate symmetrically); str() spells it `ternary`.
struct FixedType {
  int width = 16;                      ///< total bits W
  int intBits = 6;                     ///< integer bits I (sign included when signed)
  bool isSigned = true;                ///< ap_fixed (true) or ap_ufixed (false)
  Rounding rounding = Rounding::Trn;   ///< quantization mode
  Overflow overflow = Overflow::Wrap;  ///< overflow mode
  bool binary = false;                 ///< the `binary` type {-1, +1} (then width 1, no modes)
  /// The `binary` type.
  static FixedType makeBinary();
  /// The `ternary` type ap_fixed<2,2,AP_RND_ZERO,AP_SAT_SYM>.
  static FixedType makeTernary();
  /// Whether this is the `ternary` type.
  bool isTernary() const { return *this == makeTernary(); }

  /// Fractional bits F = W - I; raw * 2^-F is the value.
  int fracBits() const { return width - intBits; }
  /// Smallest raw value the type holds (-2^(W-1) signed, 0 unsigned, -1 binary).
  int64_t minRaw() const;
  /// Largest raw value the type holds (2^(W-1)-1 signed, 2^W-1 unsigned, +1 binary).
  int64_t maxRaw() const;
  /// hls4ml spelling, e.g. `ap_fixed<16,6>` or `ap_ufixed<8,3,AP_RND,AP_SAT>`; modes are
  /// written only when not the defaults.
  std::string str() const;
  bool operator==(const FixedType&) const = default;
};

/// Parses a precision string. Accepted spellings (case of the mode names ignored):
///  - hls4ml / Vivado HLS: `ap_fixed<W,I>`, `ap_fixed<W,I,Q>`, `ap_fixed<W,I,Q,O>`,
///    `ap_fixed<W,I,Q,O,0>`, `ap_ufixed<...>`, `ap_int<W>`, `ap_uint<W>`;
///    Q is AP_TRN, AP_TRN_ZERO, AP_RND, AP_RND_ZERO, AP_RND_MIN_INF, AP_RND_INF, AP_RND_CONV;
///    O is AP_WRAP, AP_SAT, AP_SAT_ZERO, AP_SAT_SYM (AP_WRAP_SM and a non-zero saturation-bit
///    count N are rejected).
///  - nngen's short form: `fixed<W,I>`, `ufixed<W,I>`, `int<W>`, `uint<W>`, with optional
///    modes without the AP_ prefix: `fixed<8,3,rnd,sat>`.
///  - `binary` and `ternary` (see FixedType).
/// @throws std::invalid_argument with a message naming what is wrong (no file/line: the
///         caller adds those).
FixedType parseFixedType(const std::string& text);

/// Re-quantizes a raw value with `fromFrac` fractional bits into type `to`: drops or appends
/// fractional bits applying `to.rounding`, then applies `to.overflow`. This is the single
/// definition of the rounding/overflow rules; rtl_primitives/nn_requantize.v implements the
/// same function in hardware and tests/ check the two against each other bit for bit.
/// @param raw      input integer; its value is raw * 2^-fromFrac (any int64_t)
/// @param fromFrac fractional bits of the input (may be negative)
/// Into `binary`: +1 when the value is >= 0, else -1 (the sign activation).
/// @returns the raw integer of `to` (within [to.minRaw(), to.maxRaw()])
int64_t requantize(int64_t raw, int fromFrac, const FixedType& to);

/// Rounds a raw value with `fromFrac` fractional bits to `toFrac` fractional bits with `mode`
/// (ap_fixed's quantization step alone, no overflow step): the exact rounded integer. Used for
/// the products and the bias entering a user-given accumulator, which is overflowed once, on
/// the exact sum (Layer::Arith).
/// @returns the rounded raw integer at toFrac (any size up to 62 bits)
/// @throws std::overflow_error when it needs more than 62 bits
int64_t roundFrac(int64_t raw, int fromFrac, int toFrac, Rounding mode);

/// Quantizes a real number into `to` with its rounding and overflow modes, exactly as ap_fixed
/// does when assigned a double (post-training quantization of weights, input preprocessing).
/// Any finite value is accepted: one far outside the type (1e30 into ap_fixed<8,3>) saturates or
/// wraps like any other overflowing value (AP_WRAP keeps the low W bits of the exact integer).
/// Into `binary`: the sign, x >= 0 gives +1 (binarization; never an overflow).
/// @throws std::invalid_argument for NaN or infinity.
int64_t quantizeReal(double x, const FixedType& to);

/// Whether quantizeReal(x, to) needs no overflow step (the rounded value is in range): false
/// when the value saturates or wraps (the most negative raw value of an AP_SAT_SYM type too:
/// it saturates to -max). Callers use it to warn about constants that overflow.
bool fitsReal(double x, const FixedType& to);

/// The real value of a raw integer: raw * 2^-frac.
double rawToReal(int64_t raw, int frac);

/// Fewest integer bits I of a type with `frac` fraction bits and the given signedness whose
/// range holds every real value in [lo, hi] (signed: -2^(I-1) <= lo and hi <= 2^(I-1) - 2^-frac;
/// unsigned: 0 <= lo and hi <= 2^I - 2^-frac), at least the I that gives the type its minimum
/// width (1 bit, 2 signed). @returns nullopt when no width up to 62 bits holds them (or lo < 0
/// for an unsigned type)
std::optional<int> intBitsFor(double lo, double hi, int frac, bool isSigned);
/// Fewest bits of a two's-complement integer that holds every value in [lo, hi] (at least 1).
int signedBitsFor(int64_t lo, int64_t hi);

}  // namespace nngen
