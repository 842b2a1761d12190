//! @file csd.cpp
//! @brief CSD / non-adjacent-form recoding (Reitwiesner 1960).
#include "ir/csd.h"

#include "ir/fixed.h"

namespace nngen {

std::vector<SignedDigit> csdDigits(int64_t n) {
  std::vector<SignedDigit> digits;
  Int128 v = n;
  int shift = 0;
  while (v != 0) {
    if (v & 1) {
      // v mod 4 == 1 -> digit +1; v mod 4 == 3 -> digit -1 (so the next digit is 0).
      const int d = ((v & 3) == 1) ? 1 : -1;
      digits.push_back({shift, d});
      v -= d;
    }
    v >>= 1;
    ++shift;
  }
  return digits;
}

}  // namespace nngen
