//! @file divide.h
//! @brief Exact division by a constant with ap_fixed rounding: the quotient as "floor plus a
//!        guard and a sticky bit", computed by true division (the definition, used by the
//!        reference) or by a multiply and a shift (what the hardware computes).
//!
//! Rounding a quotient t / d into a fixed-point type needs only its floor q and two flags of
//! the remainder rem = t - q*d: `half` (rem >= d/2) and `rest` (rem != 0 and rem != d/2, the
//! "bits below the half bit"). The value 4*q + 2*half + rest, read with two fractional bits,
//! therefore rounds and overflows under every ap_fixed mode exactly like t / d itself (it has the
//! same floor, the same half bit, the same OR of the bits below it and the same sign). nngen::
//! requantize() applied to it (fromFrac = the target's fraction bits + 2) gives the exactly
//! rounded mean of an AveragePooling2D window.
#pragma once

#include <cstdint>

#include "ir/fixed.h"

namespace nngen {

/// 4*floor(t/d) + 2*half + rest (see the file comment) by exact integer division.
/// @param t any integer (negative values are floored toward minus infinity)
/// @param d the divisor, >= 1
/// @throws std::overflow_error when the result does not fit an int64_t
int64_t stickyQuotient(Int128 t, int64_t d);

/// Division of every t in [tMin, tMax] by a constant d with a multiply and a shift (Granlund and
/// Montgomery, "Division by invariant integers using multiplication", PLDI 1994, section 4):
/// with t' = t + offset >= 0 (offset a multiple of d) and P = t' * multiplier,
///   floor(t' / d) = P >> shift,
/// and the remainder's flags are comparisons of the low `shift` bits f of P with constants:
///   rem >= 1 <=> f >= zeroBelow, rem >= ceil(d/2) <=> f >= halfAt,
///   rem >= d/2 + 1 (d even) <=> f >= aboveHalfAt (d odd: aboveHalfAt == halfAt, no ties).
/// This is exact when tMax' * (multiplier * d - 2^shift) < 2^shift (tMax' = tMax + offset),
/// because then P / 2^shift = t'/d + e with 0 <= e < 1/d, so f / 2^shift lies in
/// [rem/d, (rem+1)/d). makeDivider() picks the smallest such shift.
struct ConstDivider {
  int64_t divisor = 1;      ///< d
  int64_t offset = 0;       ///< added to t first (a multiple of d making t' >= 0)
  int64_t multiplier = 1;   ///< M = ceil(2^shift / d)
  int shift = 0;            ///< bits dropped from the product
  int64_t zeroBelow = 1;    ///< f >= zeroBelow <=> the remainder is not 0
  int64_t halfAt = 1;       ///< f >= halfAt <=> the remainder is >= d/2 (the half bit)
  int64_t aboveHalfAt = 1;  ///< f >= aboveHalfAt <=> the remainder is > d/2 (d even)
  int64_t productMax = 0;   ///< largest P over the range (P >= 0), for the hardware's widths
};

/// Chooses the divider for t in [tMin, tMax] (see ConstDivider).
/// @throws std::overflow_error when t' or the product would need more than 62 bits
ConstDivider makeDivider(int64_t d, Int128 tMin, Int128 tMax);

/// The value the hardware computes: 4*(floor(P/2^shift) - offset/d) + 2*half + rest from the
/// product P = (t + offset) * multiplier. Equals stickyQuotient(t, d) for t in the range the
/// divider was made for (tests/unit/arith_test.cpp checks this exhaustively on small ranges).
int64_t stickyByMultiply(const ConstDivider& div, Int128 t);

}  // namespace nngen
