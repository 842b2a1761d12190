//! @file csd.h
//! @brief Canonical signed digit (CSD) recoding of integer constants.
#pragma once

#include <cstdint>
#include <vector>

namespace nngen {

/// One non-zero digit of a signed-digit number: value = sign * 2^shift.
struct SignedDigit {
  int shift;  ///< bit position (0 = LSB)
  int sign;   ///< +1 or -1
};

/// Canonical signed digit (non-adjacent form) of n: the unique recoding with digits in
/// {-1, 0, +1} and no two adjacent non-zero digits, which has the fewest non-zero digits of any
/// signed-digit form (G. W. Reitwiesner, "Binary arithmetic", Advances in Computers 1, 1960).
/// A constant multiplier x*n then needs (digits - 1) adders/subtractors.
/// @returns the non-zero digits, LSB first; empty for n == 0.
std::vector<SignedDigit> csdDigits(int64_t n);

}  // namespace nngen
