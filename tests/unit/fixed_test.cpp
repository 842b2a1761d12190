//! @file fixed_test.cpp
//! @brief Unit tests of the ap_fixed semantics in ir/fixed.h against hand-computed vectors.
//!
//! Every expected value below is a literal derived by hand from Xilinx's documented ap_fixed
//! rules (UG902 / UG1399, quantization and overflow modes); none is computed by the code under
//! test. A value of fixed<W,I> is raw * 2^-(W-I).
#include "ir/fixed.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

namespace nngen {
namespace {

using ::testing::HasSubstr;

constexpr int64_t kMax64 = std::numeric_limits<int64_t>::max();
constexpr int64_t kMin64 = std::numeric_limits<int64_t>::min();

FixedType T(int w, int i, bool s = true, Rounding q = Rounding::Trn, Overflow o = Overflow::Wrap) {
  FixedType t;
  t.width = w;
  t.intBits = i;
  t.isSigned = s;
  t.rounding = q;
  t.overflow = o;
  return t;
}

const char* modeName(Rounding q) { return roundingName(q); }
const char* modeName(Overflow o) { return overflowName(o); }

// ------------------------------------------------------------------------------------------
// Rounding (quantization) modes
// ------------------------------------------------------------------------------------------

// Inputs with 2 fractional bits (raw / 4) re-quantized to an integer type ap_fixed<8,8,Q>:
// two dropped bits, the upper one is the "half" bit.
//   raw  10 =  2.50  (10.10b)  exactly half, floor  2 (even)
//   raw  14 =  3.50  (11.10b)  exactly half, floor  3 (odd)
//   raw  11 =  2.75  (10.11b)  just above half
//   raw   9 =  2.25  (10.01b)  just below half
//   raw   8 =  2.00            exact
//   raw -10 = -2.50            exactly half, floor -3 (odd)
//   raw -14 = -3.50            exactly half, floor -4 (even)
//   raw -11 = -2.75            beyond half in magnitude (nearest -3)
//   raw  -9 = -2.25            below half in magnitude (nearest -2)
//   raw  -8 = -2.00            exact
const std::vector<int64_t> kRaw2 = {10, 14, 11, 9, 8, -10, -14, -11, -9, -8};

struct RoundRow {
  Rounding mode;
  std::vector<int64_t> expected;
};

//                                      2.5 3.5 2.75 2.25 2  -2.5 -3.5 -2.75 -2.25 -2
const std::vector<RoundRow> kRound2 = {
    // floor
    {Rounding::Trn, {2, 3, 2, 2, 2, -3, -4, -3, -3, -2}},
    // toward zero: floor for positives, ceil for negatives
    {Rounding::TrnZero, {2, 3, 2, 2, 2, -2, -3, -2, -2, -2}},
    // nearest, ties up (+inf): 2.5->3, -2.5->-2, -3.5->-3
    {Rounding::Rnd, {3, 4, 3, 2, 2, -2, -3, -3, -2, -2}},
    // nearest, ties toward zero: 2.5->2, -2.5->-2
    {Rounding::RndZero, {2, 3, 3, 2, 2, -2, -3, -3, -2, -2}},
    // nearest, ties down (-inf): 2.5->2, -2.5->-3
    {Rounding::RndMinInf, {2, 3, 3, 2, 2, -3, -4, -3, -2, -2}},
    // nearest, ties away from zero: 2.5->3, -2.5->-3
    {Rounding::RndInf, {3, 4, 3, 2, 2, -3, -4, -3, -2, -2}},
    // nearest, ties to even: 2.5->2, 3.5->4, -2.5->-2, -3.5->-4
    {Rounding::RndConv, {2, 4, 3, 2, 2, -2, -4, -3, -2, -2}},
};

TEST(FixedRounding, RequantizeDropTwoBits) {
  for (const RoundRow& row : kRound2) {
    SCOPED_TRACE(modeName(row.mode));
    const FixedType to = T(8, 8, true, row.mode, Overflow::Wrap);
    for (size_t k = 0; k < kRaw2.size(); ++k)
      EXPECT_EQ(requantize(kRaw2[k], 2, to), row.expected[k]) << "raw " << kRaw2[k] << " / 4";
  }
}

// Inputs with 3 fractional bits (raw / 8) into ap_fixed<8,8,Q>: three dropped bits, so "just
// above / below half" have non-zero bits under the half bit.
//   raw   4 =  0.500  (0.100b)  half, floor 0 (even)
//   raw   5 =  0.625  (0.101b)  just above half
//   raw   3 =  0.375  (0.011b)  just below half
//   raw  12 =  1.500            half, floor 1 (odd)
//   raw  -4 = -0.500            half, floor -1 (odd)
//   raw  -5 = -0.625            beyond half in magnitude (nearest -1)
//   raw  -3 = -0.375            below half in magnitude (nearest 0)
//   raw -12 = -1.500            half, floor -2 (even)
//   raw   0 =  0                exact
//   raw  -8 = -1.000            exact
const std::vector<int64_t> kRaw3 = {4, 5, 3, 12, -4, -5, -3, -12, 0, -8};

//                                      .5 .625 .375 1.5 -.5 -.625 -.375 -1.5 0  -1
const std::vector<RoundRow> kRound3 = {
    {Rounding::Trn, {0, 0, 0, 1, -1, -1, -1, -2, 0, -1}},
    {Rounding::TrnZero, {0, 0, 0, 1, 0, 0, 0, -1, 0, -1}},
    {Rounding::Rnd, {1, 1, 0, 2, 0, -1, 0, -1, 0, -1}},
    {Rounding::RndZero, {0, 1, 0, 1, 0, -1, 0, -1, 0, -1}},
    {Rounding::RndMinInf, {0, 1, 0, 1, -1, -1, 0, -2, 0, -1}},
    {Rounding::RndInf, {1, 1, 0, 2, -1, -1, 0, -2, 0, -1}},
    {Rounding::RndConv, {0, 1, 0, 2, 0, -1, 0, -2, 0, -1}},
};

TEST(FixedRounding, RequantizeDropThreeBits) {
  for (const RoundRow& row : kRound3) {
    SCOPED_TRACE(modeName(row.mode));
    const FixedType to = T(8, 8, true, row.mode, Overflow::Wrap);
    for (size_t k = 0; k < kRaw3.size(); ++k)
      EXPECT_EQ(requantize(kRaw3[k], 3, to), row.expected[k]) << "raw " << kRaw3[k] << " / 8";
  }
}

// Doubles into ap_fixed<8,4,Q> (F = 4, LSB 1/16); e = 2^-20, so x*16 moves by 2^-16.
//   1.03125     = 33/32 -> x*16 = 16.5          half, floor 16 (even)
//   1.09375     = 35/32 -> x*16 = 17.5          half, floor 17 (odd)
//   1.03125 + e         -> 16.5 + 2^-16         just above half
//   1.03125 - e         -> 16.5 - 2^-16         just below half
//   1.5                 -> 24                   exact
//   -1.03125            -> -16.5                half, floor -17 (odd)
//   -1.09375            -> -17.5                half, floor -18 (even)
//   -1.03125 - e        -> -16.5 - 2^-16        beyond half in magnitude (nearest -17)
//   -1.03125 + e        -> -16.5 + 2^-16        below half in magnitude (nearest -16)
const double kE = std::ldexp(1.0, -20);
const std::vector<double> kReal = {1.03125,  1.09375,  1.03125 + kE,  1.03125 - kE, 1.5,
                                   -1.03125, -1.09375, -1.03125 - kE, -1.03125 + kE};

//                                     16.5 17.5 16.5+ 16.5- 24 -16.5 -17.5 -16.5- -16.5+
const std::vector<RoundRow> kRoundReal = {
    {Rounding::Trn, {16, 17, 16, 16, 24, -17, -18, -17, -17}},
    {Rounding::TrnZero, {16, 17, 16, 16, 24, -16, -17, -16, -16}},
    {Rounding::Rnd, {17, 18, 17, 16, 24, -16, -17, -17, -16}},
    {Rounding::RndZero, {16, 17, 17, 16, 24, -16, -17, -17, -16}},
    {Rounding::RndMinInf, {16, 17, 17, 16, 24, -17, -18, -17, -16}},
    {Rounding::RndInf, {17, 18, 17, 16, 24, -17, -18, -17, -16}},
    {Rounding::RndConv, {16, 18, 17, 16, 24, -16, -18, -17, -16}},
};

TEST(FixedRounding, QuantizeReal) {
  for (const RoundRow& row : kRoundReal) {
    SCOPED_TRACE(modeName(row.mode));
    const FixedType to = T(8, 4, true, row.mode, Overflow::Wrap);
    for (size_t k = 0; k < kReal.size(); ++k)
      EXPECT_EQ(quantizeReal(kReal[k], to), row.expected[k]) << "x = " << kReal[k];
  }
}

TEST(FixedRounding, QuantizeRealDocExamples) {
  // UG902's examples use ap_fixed<3,2> (LSB 0.5); 1.25 and -1.25 are exact ties.
  // 1.25*2 = 2.5, -1.25*2 = -2.5; 0.75*2 = 1.5.
  EXPECT_EQ(quantizeReal(1.25, T(3, 2, true, Rounding::Rnd)), 3);          // 1.5
  EXPECT_EQ(quantizeReal(-1.25, T(3, 2, true, Rounding::Rnd)), -2);        // -1.0
  EXPECT_EQ(quantizeReal(1.25, T(3, 2, true, Rounding::RndZero)), 2);      // 1.0
  EXPECT_EQ(quantizeReal(-1.25, T(3, 2, true, Rounding::RndZero)), -2);    // -1.0
  EXPECT_EQ(quantizeReal(1.25, T(3, 2, true, Rounding::RndMinInf)), 2);    // 1.0
  EXPECT_EQ(quantizeReal(-1.25, T(3, 2, true, Rounding::RndMinInf)), -3);  // -1.5
  EXPECT_EQ(quantizeReal(1.25, T(3, 2, true, Rounding::RndInf)), 3);       // 1.5
  EXPECT_EQ(quantizeReal(-1.25, T(3, 2, true, Rounding::RndInf)), -3);     // -1.5
  EXPECT_EQ(quantizeReal(0.75, T(3, 2, true, Rounding::RndConv)), 2);      // 1.5 -> even 2: 1.0
  EXPECT_EQ(quantizeReal(-1.25, T(3, 2, true, Rounding::RndConv)), -2);    // -2.5 -> even -2
  EXPECT_EQ(quantizeReal(1.25, T(3, 2, true, Rounding::Trn)), 2);          // 1.0
  EXPECT_EQ(quantizeReal(-1.25, T(3, 2, true, Rounding::Trn)), -3);        // -1.5
  EXPECT_EQ(quantizeReal(1.25, T(3, 2, true, Rounding::TrnZero)), 2);      // 1.0
  EXPECT_EQ(quantizeReal(-1.25, T(3, 2, true, Rounding::TrnZero)), -2);    // -1.0
}

TEST(FixedRounding, ExactValues) {
  // 2.375 -> <6,3>: 2.375*8 = 19 exact, so every mode gives 19; -2.375 -> -19.
  for (Rounding q : {Rounding::Trn, Rounding::TrnZero, Rounding::Rnd, Rounding::RndZero,
                     Rounding::RndMinInf, Rounding::RndInf, Rounding::RndConv}) {
    SCOPED_TRACE(roundingName(q));
    EXPECT_EQ(quantizeReal(2.375, T(6, 3, true, q)), 19);
    EXPECT_EQ(quantizeReal(-2.375, T(6, 3, true, q)), -19);
    EXPECT_EQ(quantizeReal(0.0, T(6, 3, true, q)), 0);
    EXPECT_EQ(quantizeReal(-0.0, T(6, 3, true, q)), 0);
    // 19/8 with 3 fractional bits, same F: no bits dropped.
    EXPECT_EQ(requantize(19, 3, T(6, 3, true, q)), 19);
    EXPECT_EQ(requantize(-19, 3, T(6, 3, true, q)), -19);
    // 19*4 = 76 with 5 fractional bits: the two dropped bits are zero.
    EXPECT_EQ(requantize(76, 5, T(6, 3, true, q)), 19);
    EXPECT_EQ(requantize(-76, 5, T(6, 3, true, q)), -19);
  }
}

TEST(FixedRounding, FractionalTarget) {
  // 2.40625 = 77/32 (5 frac bits) -> <8,4> (F=4): 77/2 = 38.5, half, floor 38 (even).
  EXPECT_EQ(requantize(77, 5, T(8, 4, true, Rounding::Trn)), 38);
  EXPECT_EQ(requantize(77, 5, T(8, 4, true, Rounding::Rnd)), 39);
  EXPECT_EQ(requantize(77, 5, T(8, 4, true, Rounding::RndConv)), 38);
  EXPECT_EQ(requantize(77, 5, T(8, 4, true, Rounding::RndInf)), 39);
  // -77/2 = -38.5, floor -39 (odd).
  EXPECT_EQ(requantize(-77, 5, T(8, 4, true, Rounding::Trn)), -39);
  EXPECT_EQ(requantize(-77, 5, T(8, 4, true, Rounding::TrnZero)), -38);
  EXPECT_EQ(requantize(-77, 5, T(8, 4, true, Rounding::Rnd)), -38);
  EXPECT_EQ(requantize(-77, 5, T(8, 4, true, Rounding::RndConv)), -38);
  EXPECT_EQ(requantize(-77, 5, T(8, 4, true, Rounding::RndMinInf)), -39);
}

TEST(FixedRounding, TinyValues) {
  // -1e-300 * 16 is a tiny negative number: floor -1, toward zero 0, nearest 0.
  EXPECT_EQ(quantizeReal(-1e-300, T(8, 4, true, Rounding::Trn)), -1);
  EXPECT_EQ(quantizeReal(-1e-300, T(8, 4, true, Rounding::TrnZero)), 0);
  EXPECT_EQ(quantizeReal(-1e-300, T(8, 4, true, Rounding::Rnd)), 0);
  EXPECT_EQ(quantizeReal(-1e-300, T(8, 4, true, Rounding::RndMinInf)), 0);
  EXPECT_EQ(quantizeReal(1e-300, T(8, 4, true, Rounding::Trn)), 0);
  EXPECT_EQ(quantizeReal(1e-300, T(8, 4, true, Rounding::Rnd)), 0);
}

TEST(FixedRounding, ShiftsOfSixtyFourBitsAndMore) {
  // INT64_MIN * 2^-64 = -0.5 exactly: a tie between -1 and 0.
  EXPECT_EQ(requantize(kMin64, 64, T(8, 8, true, Rounding::Trn)), -1);
  EXPECT_EQ(requantize(kMin64, 64, T(8, 8, true, Rounding::TrnZero)), 0);
  EXPECT_EQ(requantize(kMin64, 64, T(8, 8, true, Rounding::Rnd)), 0);
  EXPECT_EQ(requantize(kMin64, 64, T(8, 8, true, Rounding::RndZero)), 0);
  EXPECT_EQ(requantize(kMin64, 64, T(8, 8, true, Rounding::RndMinInf)), -1);
  EXPECT_EQ(requantize(kMin64, 64, T(8, 8, true, Rounding::RndInf)), -1);
  EXPECT_EQ(requantize(kMin64, 64, T(8, 8, true, Rounding::RndConv)), 0);  // even 0
  // INT64_MIN * 2^-65 = -0.25: floor -1, all nearest modes 0.
  EXPECT_EQ(requantize(kMin64, 65, T(8, 8, true, Rounding::Trn)), -1);
  EXPECT_EQ(requantize(kMin64, 65, T(8, 8, true, Rounding::RndInf)), 0);
  EXPECT_EQ(requantize(kMin64, 65, T(8, 8, true, Rounding::RndMinInf)), 0);
  // (INT64_MIN + 1) * 2^-64 = -0.5 + 2^-64: nearest 0 in every mode (not a tie).
  EXPECT_EQ(requantize(kMin64 + 1, 64, T(8, 8, true, Rounding::RndInf)), 0);
  EXPECT_EQ(requantize(kMin64 + 1, 64, T(8, 8, true, Rounding::Trn)), -1);
  // INT64_MAX * 2^-64 = 0.5 - 2^-64: just below half -> 0.
  EXPECT_EQ(requantize(kMax64, 64, T(8, 8, true, Rounding::Rnd)), 0);
  EXPECT_EQ(requantize(kMax64, 64, T(8, 8, true, Rounding::RndInf)), 0);
  // INT64_MAX * 2^-63 = 1 - 2^-63: floor 0, nearest 1.
  EXPECT_EQ(requantize(kMax64, 63, T(8, 8, true, Rounding::Trn)), 0);
  EXPECT_EQ(requantize(kMax64, 63, T(8, 8, true, Rounding::Rnd)), 1);
  // INT64_MIN * 2^-63 = -1 exactly.
  EXPECT_EQ(requantize(kMin64, 63, T(8, 8, true, Rounding::TrnZero)), -1);
  EXPECT_EQ(requantize(kMin64, 63, T(8, 8, true, Rounding::Rnd)), -1);
  // +-1 * 2^-70: tiny.
  EXPECT_EQ(requantize(1, 70, T(8, 8, true, Rounding::Trn)), 0);
  EXPECT_EQ(requantize(1, 70, T(8, 8, true, Rounding::RndInf)), 0);
  EXPECT_EQ(requantize(-1, 70, T(8, 8, true, Rounding::Trn)), -1);
  EXPECT_EQ(requantize(-1, 70, T(8, 8, true, Rounding::TrnZero)), 0);
  EXPECT_EQ(requantize(-1, 70, T(8, 8, true, Rounding::RndMinInf)), 0);
  EXPECT_EQ(requantize(0, 70, T(8, 8, true, Rounding::Trn)), 0);
}

// ------------------------------------------------------------------------------------------
// Overflow modes
// ------------------------------------------------------------------------------------------

struct OvfRow {
  Overflow mode;
  std::vector<int64_t> expected;
};

// Integers (fromFrac 0) into signed ap_fixed<4,4,AP_TRN,O>: range [-8, 7], modulus 16.
//   37 = 2*16 + 5 -> 5;  -37 = -3*16 + 11 -> 11 - 16 = -5;  100 = 6*16 + 4 -> 4;
//   -100 = -7*16 + 12 -> -4;  1000 = 62*16 + 8 -> -8;
//   INT64_MAX low nibble 1111 -> -1;  INT64_MIN low nibble 0000 -> 0.
const std::vector<int64_t> kOvfSigned = {7,   -8,  -3,   8,    9,      -9,    37,
                                         -37, 100, -100, 1000, kMax64, kMin64};
//                                   7 -8 -3  8  9 -9 37 -37 100 -100 1000 MAX MIN
const std::vector<OvfRow> kOvfSignedRows = {
    {Overflow::Wrap, {7, -8, -3, -8, -7, 7, 5, -5, 4, -4, -8, -1, 0}},
    {Overflow::Sat, {7, -8, -3, 7, 7, -8, 7, -8, 7, -8, 7, 7, -8}},
    {Overflow::SatZero, {7, -8, -3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}},
    // symmetric: never -8; even an in-range -8 becomes -7.
    {Overflow::SatSym, {7, -7, -3, 7, 7, -7, 7, -7, 7, -7, 7, 7, -7}},
};

TEST(FixedOverflow, SignedTarget) {
  for (const OvfRow& row : kOvfSignedRows) {
    SCOPED_TRACE(modeName(row.mode));
    const FixedType to = T(4, 4, true, Rounding::Trn, row.mode);
    for (size_t k = 0; k < kOvfSigned.size(); ++k)
      EXPECT_EQ(requantize(kOvfSigned[k], 0, to), row.expected[k]) << "in " << kOvfSigned[k];
  }
}

// Integers into unsigned ap_ufixed<4,4,AP_TRN,O>: range [0, 15], modulus 16.
//   -1 -> 15;  -17 + 32 = 15;  37 - 32 = 5;  -37 + 48 = 11;  1000 - 992 = 8;
//   INT64_MAX low nibble 15;  INT64_MIN low nibble 0.
const std::vector<int64_t> kOvfUnsigned = {15,  0,  6,   16,   17,     -1,
                                           -17, 37, -37, 1000, kMax64, kMin64};
//                                   15 0 6 16 17 -1 -17 37 -37 1000 MAX MIN
const std::vector<OvfRow> kOvfUnsignedRows = {
    {Overflow::Wrap, {15, 0, 6, 0, 1, 15, 15, 5, 11, 8, 15, 0}},
    {Overflow::Sat, {15, 0, 6, 15, 15, 0, 0, 15, 0, 15, 15, 0}},
    {Overflow::SatZero, {15, 0, 6, 0, 0, 0, 0, 0, 0, 0, 0, 0}},
    // unsigned: SAT_SYM is the same as SAT (the minimum is 0).
    {Overflow::SatSym, {15, 0, 6, 15, 15, 0, 0, 15, 0, 15, 15, 0}},
};

TEST(FixedOverflow, UnsignedTarget) {
  for (const OvfRow& row : kOvfUnsignedRows) {
    SCOPED_TRACE(modeName(row.mode));
    const FixedType to = T(4, 4, false, Rounding::Trn, row.mode);
    for (size_t k = 0; k < kOvfUnsigned.size(); ++k)
      EXPECT_EQ(requantize(kOvfUnsigned[k], 0, to), row.expected[k]) << "in " << kOvfUnsigned[k];
  }
}

TEST(FixedOverflow, FractionalTargetViaReal) {
  // ap_fixed<6,3>: F = 3, raw [-32, 31], value [-4.0, 3.875].
  // 5.0 -> 40: wrap 40 - 64 = -24 (= -3.0); sat 31; -5.0 -> -40: wrap -40 + 64 = 24 (3.0).
  EXPECT_EQ(quantizeReal(5.0, T(6, 3, true, Rounding::Trn, Overflow::Wrap)), -24);
  EXPECT_EQ(quantizeReal(5.0, T(6, 3, true, Rounding::Trn, Overflow::Sat)), 31);
  EXPECT_EQ(quantizeReal(5.0, T(6, 3, true, Rounding::Trn, Overflow::SatZero)), 0);
  EXPECT_EQ(quantizeReal(5.0, T(6, 3, true, Rounding::Trn, Overflow::SatSym)), 31);
  EXPECT_EQ(quantizeReal(-5.0, T(6, 3, true, Rounding::Trn, Overflow::Wrap)), 24);
  EXPECT_EQ(quantizeReal(-5.0, T(6, 3, true, Rounding::Trn, Overflow::Sat)), -32);
  EXPECT_EQ(quantizeReal(-5.0, T(6, 3, true, Rounding::Trn, Overflow::SatZero)), 0);
  EXPECT_EQ(quantizeReal(-5.0, T(6, 3, true, Rounding::Trn, Overflow::SatSym)), -31);
  // 20.0 -> 160 = 2*64 + 32: wrap -> 32 - 64 = -32 (= -4.0).
  EXPECT_EQ(quantizeReal(20.0, T(6, 3, true, Rounding::Trn, Overflow::Wrap)), -32);
  // -4.0 -> -32 is representable: kept by SAT, moved to -31 (-3.875) by SAT_SYM.
  EXPECT_EQ(quantizeReal(-4.0, T(6, 3, true, Rounding::Trn, Overflow::Sat)), -32);
  EXPECT_EQ(quantizeReal(-4.0, T(6, 3, true, Rounding::Trn, Overflow::SatSym)), -31);
  EXPECT_EQ(quantizeReal(-4.0, T(6, 3, true, Rounding::Trn, Overflow::Wrap)), -32);
  EXPECT_EQ(quantizeReal(-4.0, T(6, 3, true, Rounding::Trn, Overflow::SatZero)), -32);
  // -3.9 * 8 = -31.2: floor -32 (the minimum) -> SAT_SYM -31; RND -> -31 directly.
  EXPECT_EQ(quantizeReal(-3.9, T(6, 3, true, Rounding::Trn, Overflow::SatSym)), -31);
  EXPECT_EQ(quantizeReal(-3.9, T(6, 3, true, Rounding::Rnd, Overflow::SatSym)), -31);
  EXPECT_EQ(quantizeReal(-3.9, T(6, 3, true, Rounding::Trn, Overflow::Sat)), -32);
  // -100.0: far below, SAT_SYM -> -31, SAT -> -32.
  EXPECT_EQ(quantizeReal(-100.0, T(6, 3, true, Rounding::Trn, Overflow::SatSym)), -31);
  EXPECT_EQ(quantizeReal(-100.0, T(6, 3, true, Rounding::Trn, Overflow::Sat)), -32);
  // Unsigned ap_ufixed<6,3>: raw [0, 63], value [0, 7.875]. -0.5 -> -4: wrap 60, sat 0.
  EXPECT_EQ(quantizeReal(-0.5, T(6, 3, false, Rounding::Trn, Overflow::Wrap)), 60);
  EXPECT_EQ(quantizeReal(-0.5, T(6, 3, false, Rounding::Trn, Overflow::Sat)), 0);
  EXPECT_EQ(quantizeReal(-0.5, T(6, 3, false, Rounding::Trn, Overflow::SatSym)), 0);
  EXPECT_EQ(quantizeReal(9.0, T(6, 3, false, Rounding::Trn, Overflow::Wrap)), 8);  // 72-64
  EXPECT_EQ(quantizeReal(9.0, T(6, 3, false, Rounding::Trn, Overflow::Sat)), 63);
  EXPECT_EQ(quantizeReal(9.0, T(6, 3, false, Rounding::Trn, Overflow::SatZero)), 0);
}

TEST(FixedOverflow, RoundingCarryOverflows) {
  // 7.5 -> ap_fixed<4,4>: RND gives 8, which is out of [-8, 7].
  EXPECT_EQ(quantizeReal(7.5, T(4, 4, true, Rounding::Rnd, Overflow::Sat)), 7);
  EXPECT_EQ(quantizeReal(7.5, T(4, 4, true, Rounding::Rnd, Overflow::Wrap)), -8);
  EXPECT_EQ(quantizeReal(7.5, T(4, 4, true, Rounding::Rnd, Overflow::SatZero)), 0);
  EXPECT_EQ(quantizeReal(7.5, T(4, 4, true, Rounding::RndConv, Overflow::Wrap)), -8);  // even 8
  EXPECT_EQ(quantizeReal(7.5, T(4, 4, true, Rounding::RndMinInf, Overflow::Wrap)), 7);
  // 31/4 = 7.75 -> nearest 8 -> wraps to -8.
  EXPECT_EQ(requantize(31, 2, T(4, 4, true, Rounding::RndInf, Overflow::Wrap)), -8);
  EXPECT_EQ(requantize(31, 2, T(4, 4, true, Rounding::Trn, Overflow::Wrap)), 7);
  // -8.5: RND (ties up) -> -8, in range; TRN -> -9 -> SAT -8, WRAP 7.
  EXPECT_EQ(quantizeReal(-8.5, T(4, 4, true, Rounding::Rnd, Overflow::Sat)), -8);
  EXPECT_EQ(quantizeReal(-8.5, T(4, 4, true, Rounding::Trn, Overflow::Sat)), -8);
  EXPECT_EQ(quantizeReal(-8.5, T(4, 4, true, Rounding::Trn, Overflow::Wrap)), 7);
  // -7.75: RND_INF -> -8 = min -> SAT_SYM -7.
  EXPECT_EQ(quantizeReal(-7.75, T(4, 4, true, Rounding::RndInf, Overflow::SatSym)), -7);
  EXPECT_EQ(quantizeReal(-7.75, T(4, 4, true, Rounding::RndInf, Overflow::Sat)), -8);
  // Unsigned target, negative inputs rounding to zero do not underflow:
  // -1/4 = -0.25 -> RND 0; -2/4 = -0.5 -> RND (ties up) 0; RND_INF -> -1 -> SAT 0 / WRAP 15.
  EXPECT_EQ(requantize(-1, 2, T(4, 4, false, Rounding::Rnd, Overflow::Sat)), 0);
  EXPECT_EQ(requantize(-2, 2, T(4, 4, false, Rounding::Rnd, Overflow::Wrap)), 0);
  EXPECT_EQ(requantize(-2, 2, T(4, 4, false, Rounding::RndInf, Overflow::Sat)), 0);
  EXPECT_EQ(requantize(-2, 2, T(4, 4, false, Rounding::RndInf, Overflow::Wrap)), 15);
  EXPECT_EQ(requantize(-3, 2, T(4, 4, false, Rounding::TrnZero, Overflow::Wrap)), 0);
  EXPECT_EQ(requantize(-3, 2, T(4, 4, false, Rounding::Trn, Overflow::Wrap)), 15);
}

TEST(FixedOverflow, WideningOverflows) {
  // Integer 5 -> ap_fixed<6,3> (F=3): 5 << 3 = 40 > 31.
  EXPECT_EQ(requantize(5, 0, T(6, 3, true, Rounding::Trn, Overflow::Wrap)), -24);
  EXPECT_EQ(requantize(5, 0, T(6, 3, true, Rounding::Trn, Overflow::Sat)), 31);
  EXPECT_EQ(requantize(5, 0, T(6, 3, true, Rounding::Trn, Overflow::SatZero)), 0);
  EXPECT_EQ(requantize(5, 0, T(6, 3, true, Rounding::Trn, Overflow::SatSym)), 31);
  EXPECT_EQ(requantize(5, 0, T(6, 3, true, Rounding::Rnd, Overflow::Sat)), 31);
  // -5 << 3 = -40: wrap -40 + 64 = 24; sat -32; sym -31.
  EXPECT_EQ(requantize(-5, 0, T(6, 3, true, Rounding::Trn, Overflow::Wrap)), 24);
  EXPECT_EQ(requantize(-5, 0, T(6, 3, true, Rounding::Trn, Overflow::Sat)), -32);
  EXPECT_EQ(requantize(-5, 0, T(6, 3, true, Rounding::Trn, Overflow::SatSym)), -31);
  EXPECT_EQ(requantize(-5, 0, T(6, 3, true, Rounding::Trn, Overflow::SatZero)), 0);
  // In range: 3 << 3 = 24; -4 << 3 = -32 (-31 under SAT_SYM).
  EXPECT_EQ(requantize(3, 0, T(6, 3, true, Rounding::Trn, Overflow::Sat)), 24);
  EXPECT_EQ(requantize(-4, 0, T(6, 3, true, Rounding::Trn, Overflow::Wrap)), -32);
  EXPECT_EQ(requantize(-4, 0, T(6, 3, true, Rounding::Trn, Overflow::SatSym)), -31);
  // Negative fromFrac: raw 40 with F=-2 means 160 -> ap_fixed<8,8>: wrap 160 - 256 = -96.
  EXPECT_EQ(requantize(40, -2, T(8, 8, true, Rounding::Trn, Overflow::Wrap)), -96);
  EXPECT_EQ(requantize(40, -2, T(8, 8, true, Rounding::Trn, Overflow::Sat)), 127);
  EXPECT_EQ(requantize(3, -2, T(8, 8, true, Rounding::Trn, Overflow::Sat)), 12);
  // 1 << 7 = 128 wraps to -128; 1 << 6 = 64 fits.
  EXPECT_EQ(requantize(1, -7, T(8, 8, true, Rounding::Trn, Overflow::Wrap)), -128);
  EXPECT_EQ(requantize(1, -6, T(8, 8, true, Rounding::Trn, Overflow::Wrap)), 64);
  // Shift by 70: +-2^70 has eight zero low bits -> wrap 0; saturates to the bounds.
  EXPECT_EQ(requantize(1, -70, T(8, 8, true, Rounding::Trn, Overflow::Wrap)), 0);
  EXPECT_EQ(requantize(1, -70, T(8, 8, true, Rounding::Trn, Overflow::Sat)), 127);
  EXPECT_EQ(requantize(1, -70, T(8, 8, true, Rounding::Trn, Overflow::SatZero)), 0);
  EXPECT_EQ(requantize(-1, -70, T(8, 8, true, Rounding::Trn, Overflow::Wrap)), 0);
  EXPECT_EQ(requantize(-1, -70, T(8, 8, true, Rounding::Trn, Overflow::Sat)), -128);
  EXPECT_EQ(requantize(-1, -70, T(8, 8, true, Rounding::Trn, Overflow::SatSym)), -127);
  EXPECT_EQ(requantize(0, -70, T(8, 8, true, Rounding::Trn, Overflow::Sat)), 0);
  // Unsigned: 4.5 (raw 9, F=1) -> ap_ufixed<4,2> (F=2): 18 > 15: wrap 2 (0.5), sat 15.
  EXPECT_EQ(requantize(9, 1, T(4, 2, false, Rounding::Trn, Overflow::Wrap)), 2);
  EXPECT_EQ(requantize(9, 1, T(4, 2, false, Rounding::Trn, Overflow::Sat)), 15);
  EXPECT_EQ(requantize(3, 1, T(4, 2, false, Rounding::Trn, Overflow::Sat)), 6);
}

TEST(FixedOverflow, SixtyTwoBitTypes) {
  // ap_fixed<62,62>: raw [-2^61, 2^61 - 1]; 2^61 wraps to -2^61.
  const int64_t p61 = int64_t{1} << 61;
  EXPECT_EQ(requantize(p61, 0, T(62, 62, true, Rounding::Trn, Overflow::Wrap)), -p61);
  EXPECT_EQ(requantize(kMax64, 0, T(62, 62, true, Rounding::Trn, Overflow::Sat)), p61 - 1);
  EXPECT_EQ(requantize(kMin64, 0, T(62, 62, true, Rounding::Trn, Overflow::Sat)), -p61);
  EXPECT_EQ(requantize(kMin64, 0, T(62, 62, true, Rounding::Trn, Overflow::SatSym)), -p61 + 1);
  // ap_ufixed<62,62>: raw [0, 2^62 - 1]; -1 wraps to 2^62 - 1; -2^63 = -2 * 2^62 wraps to 0.
  const int64_t p62 = int64_t{1} << 62;
  EXPECT_EQ(requantize(-1, 0, T(62, 62, false, Rounding::Trn, Overflow::Wrap)), p62 - 1);
  EXPECT_EQ(requantize(kMin64, 0, T(62, 62, false, Rounding::Trn, Overflow::Wrap)), 0);
  EXPECT_EQ(requantize(kMax64, 0, T(62, 62, false, Rounding::Trn, Overflow::Sat)), p62 - 1);
  EXPECT_EQ(requantize(kMax64, 0, T(62, 62, false, Rounding::Trn, Overflow::Wrap)), p62 - 1);
}

// ------------------------------------------------------------------------------------------
// Unusual integer-bit counts
// ------------------------------------------------------------------------------------------

TEST(FixedShapes, NegativeIntBits) {
  // ap_fixed<4,-2>: F = 6, raw [-8, 7], value [-0.125, 0.109375], LSB 1/64.
  const FixedType t = T(4, -2);
  EXPECT_EQ(t.fracBits(), 6);
  EXPECT_EQ(t.minRaw(), -8);
  EXPECT_EQ(t.maxRaw(), 7);
  EXPECT_EQ(quantizeReal(0.1, t), 6);       // 6.4 -> floor 6
  EXPECT_EQ(quantizeReal(0.109375, t), 7);  // 7 exact
  EXPECT_EQ(quantizeReal(-0.125, t), -8);   // -8 exact
  EXPECT_EQ(quantizeReal(0.125, t), -8);    // 8 wraps to -8
  EXPECT_EQ(quantizeReal(0.3, t), 3);       // 19.2 -> 19 -> 19 - 16 = 3
  EXPECT_EQ(quantizeReal(0.125, T(4, -2, true, Rounding::Trn, Overflow::Sat)), 7);
  EXPECT_EQ(quantizeReal(-0.3, T(4, -2, true, Rounding::Trn, Overflow::Sat)), -8);
  // raw 26 with 8 frac bits = 26/256 -> F=6: 26/4 = 6.5.
  EXPECT_EQ(requantize(26, 8, T(4, -2, true, Rounding::Trn)), 6);
  EXPECT_EQ(requantize(26, 8, T(4, -2, true, Rounding::Rnd)), 7);
  EXPECT_EQ(requantize(26, 8, T(4, -2, true, Rounding::RndConv)), 6);
  // Integer 1 -> F=6: 64 wraps (mod 16) to 0, saturates to 7.
  EXPECT_EQ(requantize(1, 0, T(4, -2)), 0);
  EXPECT_EQ(requantize(1, 0, T(4, -2, true, Rounding::Trn, Overflow::Sat)), 7);
  // ap_ufixed<4,-2>: raw [0, 15], value [0, 15/64]. 0.2 * 64 = 12.8 -> 12 (TRN), 13 (RND).
  EXPECT_EQ(quantizeReal(0.2, T(4, -2, false)), 12);
  EXPECT_EQ(quantizeReal(0.2, T(4, -2, false, Rounding::Rnd)), 13);
  EXPECT_EQ(T(4, -2, false).maxRaw(), 15);
}

TEST(FixedShapes, IntBitsAboveWidth) {
  // ap_fixed<4,8>: F = -4, raw [-8, 7], value raw * 16 in [-128, 112].
  const FixedType t = T(4, 8);
  EXPECT_EQ(t.fracBits(), -4);
  EXPECT_EQ(quantizeReal(100.0, t), 6);  // 6.25 -> 6 (= 96)
  EXPECT_EQ(quantizeReal(100.0, T(4, 8, true, Rounding::Rnd)), 6);
  EXPECT_EQ(quantizeReal(104.0, T(4, 8, true, Rounding::Rnd)), 7);      // 6.5 -> 7 (= 112)
  EXPECT_EQ(quantizeReal(104.0, T(4, 8, true, Rounding::RndConv)), 6);  // 6.5 -> even 6
  EXPECT_EQ(quantizeReal(104.0, t), 6);
  EXPECT_EQ(quantizeReal(120.0, T(4, 8, true, Rounding::Rnd)), -8);  // 7.5 -> 8 wraps to -8
  EXPECT_EQ(quantizeReal(120.0, T(4, 8, true, Rounding::Rnd, Overflow::Sat)), 7);
  EXPECT_EQ(quantizeReal(-128.0, t), -8);
  EXPECT_EQ(quantizeReal(-136.0, t), 7);  // -8.5 -> floor -9 -> -9 + 16 = 7
  EXPECT_EQ(quantizeReal(-136.0, T(4, 8, true, Rounding::Trn, Overflow::Sat)), -8);
  // Integer 104 (fromFrac 0) -> shift right by 4: 6.5.
  EXPECT_EQ(requantize(104, 0, T(4, 8, true, Rounding::Rnd)), 7);
  EXPECT_EQ(requantize(104, 0, T(4, 8, true, Rounding::Trn)), 6);
  EXPECT_EQ(requantize(-104, 0, T(4, 8, true, Rounding::Rnd)), -6);  // -6.5 ties up
  EXPECT_EQ(requantize(3, -4, t), 3);                                // same scale
  // rawToReal on both shapes.
  EXPECT_EQ(rawToReal(-8, -4), -128.0);
  EXPECT_EQ(rawToReal(7, 6), 0.109375);
  EXPECT_EQ(rawToReal(19, 3), 2.375);
}

TEST(FixedShapes, MinMaxRaw) {
  EXPECT_EQ(T(16, 6).minRaw(), -32768);
  EXPECT_EQ(T(16, 6).maxRaw(), 32767);
  EXPECT_EQ(T(16, 6).fracBits(), 10);
  EXPECT_EQ(T(8, 0, false).minRaw(), 0);
  EXPECT_EQ(T(8, 0, false).maxRaw(), 255);
  EXPECT_EQ(T(2, 1).minRaw(), -2);
  EXPECT_EQ(T(2, 1).maxRaw(), 1);
  EXPECT_EQ(T(1, 1, false).minRaw(), 0);
  EXPECT_EQ(T(1, 1, false).maxRaw(), 1);
  EXPECT_EQ(T(1, 1, true).minRaw(), -1);  // ap_int<1>
  EXPECT_EQ(T(1, 1, true).maxRaw(), 0);
  EXPECT_EQ(T(62, 10).minRaw(), -2305843009213693952);        // -2^61
  EXPECT_EQ(T(62, 10).maxRaw(), 2305843009213693951);         // 2^61 - 1
  EXPECT_EQ(T(62, 10, false).maxRaw(), 4611686018427387903);  // 2^62 - 1
}

TEST(FixedShapes, QuantizeRealRejects) {
  auto msg = [](double x, const FixedType& t) -> std::string {
    try {
      quantizeReal(x, t);
    } catch (const std::invalid_argument& e) {
      return e.what();
    }
    return "no exception";
  };
  EXPECT_THAT(msg(std::nan(""), T(16, 6)), HasSubstr("not finite"));
  EXPECT_THAT(msg(std::numeric_limits<double>::infinity(), T(16, 6)), HasSubstr("not finite"));
  EXPECT_THAT(msg(-std::numeric_limits<double>::infinity(), T(16, 6)), HasSubstr("not finite"));
  // 2^52 * 2^10 = 2^62 and beyond: overflow like any other value (issue 7: accepted, not
  // refused); the wrap keeps the low 16 bits of the exact integer.
  EXPECT_EQ(quantizeReal(std::ldexp(1.0, 52), T(16, 6)), 0);
  EXPECT_EQ(quantizeReal(-std::ldexp(1.0, 52), T(16, 6, true, Rounding::Trn, Overflow::Sat)),
            -32768);
  EXPECT_EQ(quantizeReal(1e30, T(8, 3, true, Rounding::Rnd, Overflow::Sat)), 127);
  EXPECT_EQ(quantizeReal(-1e30, T(8, 3, true, Rounding::Rnd, Overflow::SatSym)), -127);
  EXPECT_EQ(quantizeReal(1e30, T(8, 3, true, Rounding::Rnd, Overflow::SatZero)), 0);
  EXPECT_EQ(quantizeReal(std::ldexp(5.0, 60) + std::ldexp(3.0, 12), T(20, 20)),
            3 << 12);  // low 20 bits
  // 2^51 * 2^10 = 2^61: wraps to 0 (low 16 bits zero), saturates to max.
  EXPECT_EQ(quantizeReal(std::ldexp(1.0, 51), T(16, 6)), 0);
  EXPECT_EQ(quantizeReal(std::ldexp(1.0, 51), T(16, 6, true, Rounding::Trn, Overflow::Sat)), 32767);
}

// ------------------------------------------------------------------------------------------
// signedBitsFor
// ------------------------------------------------------------------------------------------

TEST(FixedSignedBits, EdgeCases) {
  EXPECT_EQ(signedBitsFor(0, 0), 1);  // 1 bit holds {-1, 0}
  EXPECT_EQ(signedBitsFor(-1, 0), 1);
  EXPECT_EQ(signedBitsFor(-1, -1), 1);
  EXPECT_EQ(signedBitsFor(0, 1), 2);  // 2 bits: [-2, 1]
  EXPECT_EQ(signedBitsFor(1, 1), 2);
  EXPECT_EQ(signedBitsFor(-2, 1), 2);
  EXPECT_EQ(signedBitsFor(-3, 0), 3);  // 3 bits: [-4, 3]
  EXPECT_EQ(signedBitsFor(-4, 3), 3);
  EXPECT_EQ(signedBitsFor(0, 4), 4);
  EXPECT_EQ(signedBitsFor(-128, 127), 8);
  EXPECT_EQ(signedBitsFor(-129, 127), 9);
  EXPECT_EQ(signedBitsFor(-128, 128), 9);
  EXPECT_EQ(signedBitsFor(0, 255), 9);
  EXPECT_EQ(signedBitsFor(-(int64_t{1} << 61), (int64_t{1} << 61) - 1), 62);
  EXPECT_EQ(signedBitsFor(-(int64_t{1} << 62), (int64_t{1} << 62) - 1), 63);
  EXPECT_EQ(signedBitsFor(0, int64_t{1} << 62), 64);
  EXPECT_EQ(signedBitsFor(-(int64_t{1} << 62) - 1, 0), 64);
  EXPECT_EQ(signedBitsFor(kMin64, kMax64), 64);
  EXPECT_EQ(signedBitsFor(kMin64, kMin64), 64);
  EXPECT_EQ(signedBitsFor(0, kMax64), 64);
}

// ------------------------------------------------------------------------------------------
// parseFixedType / str()
// ------------------------------------------------------------------------------------------

TEST(FixedParse, AcceptedSpellings) {
  EXPECT_EQ(parseFixedType("ap_fixed<16,6>"), T(16, 6));
  EXPECT_EQ(parseFixedType("ap_fixed<8,3,AP_RND,AP_SAT>"),
            T(8, 3, true, Rounding::Rnd, Overflow::Sat));
  EXPECT_EQ(parseFixedType("ap_fixed<8,3,AP_RND_CONV>"), T(8, 3, true, Rounding::RndConv));
  EXPECT_EQ(parseFixedType("ap_ufixed<8,0>"), T(8, 0, false));
  EXPECT_EQ(parseFixedType("ap_int<8>"), T(8, 8));
  EXPECT_EQ(parseFixedType("ap_uint<4>"), T(4, 4, false));
  EXPECT_EQ(parseFixedType("ap_uint<1>"), T(1, 1, false));
  EXPECT_EQ(parseFixedType("fixed<16,6>"), T(16, 6));
  EXPECT_EQ(parseFixedType("ufixed<8,3,rnd,sat>"), T(8, 3, false, Rounding::Rnd, Overflow::Sat));
  EXPECT_EQ(parseFixedType("int<8>"), T(8, 8));
  EXPECT_EQ(parseFixedType("uint<3>"), T(3, 3, false));
  EXPECT_EQ(parseFixedType("  ap_fixed < 8 , 3 , AP_RND_ZERO , AP_SAT_SYM >  "),
            T(8, 3, true, Rounding::RndZero, Overflow::SatSym));
  EXPECT_EQ(parseFixedType("ap_fixed<8,3,AP_RND,AP_SAT,0>"),
            T(8, 3, true, Rounding::Rnd, Overflow::Sat));
  EXPECT_EQ(parseFixedType("ap_fixed<8,-2>"), T(8, -2));
  EXPECT_EQ(parseFixedType("ap_fixed<4,8>"), T(4, 8));
  EXPECT_EQ(parseFixedType("ap_fixed<62,20>"), T(62, 20));
  // hls4ml's backend-neutral spelling: modes without the AP_ prefix.
  EXPECT_EQ(parseFixedType("fixed<16,6,RND_CONV,SAT>"),
            T(16, 6, true, Rounding::RndConv, Overflow::Sat));
  EXPECT_EQ(parseFixedType("fixed<8,3,TRN_ZERO,SAT_ZERO>"),
            T(8, 3, true, Rounding::TrnZero, Overflow::SatZero));
  EXPECT_EQ(parseFixedType("fixed<8,3,RND_MIN_INF,WRAP>"), T(8, 3, true, Rounding::RndMinInf));
  EXPECT_EQ(parseFixedType("fixed<8,3,RND_INF,SAT_SYM>"),
            T(8, 3, true, Rounding::RndInf, Overflow::SatSym));
  // Mode names are case-insensitive.
  EXPECT_EQ(parseFixedType("ap_fixed<8,3,ap_trn,Ap_Sat>"),
            T(8, 3, true, Rounding::Trn, Overflow::Sat));
}

TEST(FixedParse, Str) {
  EXPECT_EQ(T(16, 6).str(), "ap_fixed<16,6>");
  EXPECT_EQ(T(8, 0, false).str(), "ap_ufixed<8,0>");
  EXPECT_EQ(T(8, 3, true, Rounding::Rnd).str(), "ap_fixed<8,3,AP_RND>");
  EXPECT_EQ(T(8, 3, true, Rounding::Trn, Overflow::Sat).str(), "ap_fixed<8,3,AP_TRN,AP_SAT>");
  EXPECT_EQ(T(8, 3, false, Rounding::RndConv, Overflow::SatSym).str(),
            "ap_ufixed<8,3,AP_RND_CONV,AP_SAT_SYM>");
  EXPECT_EQ(parseFixedType("ufixed<8,3,rnd,sat>").str(), "ap_ufixed<8,3,AP_RND,AP_SAT>");
  EXPECT_EQ(parseFixedType("ap_int<8>").str(), "ap_fixed<8,8>");
  EXPECT_EQ(parseFixedType("ap_fixed<8,3,AP_TRN,AP_WRAP,0>").str(), "ap_fixed<8,3>");
}

TEST(FixedParse, StrRoundTrip) {
  const Rounding qs[] = {Rounding::Trn,     Rounding::TrnZero,   Rounding::Rnd,
                         Rounding::RndZero, Rounding::RndMinInf, Rounding::RndInf,
                         Rounding::RndConv};
  const Overflow os[] = {Overflow::Wrap, Overflow::Sat, Overflow::SatZero, Overflow::SatSym};
  const int shapes[][2] = {{16, 6}, {8, 0}, {4, -2}, {4, 8}, {62, 31}, {2, 1}};
  for (bool s : {true, false})
    for (auto& wi : shapes)
      for (Rounding q : qs)
        for (Overflow o : os) {
          const FixedType t = T(wi[0], wi[1], s, q, o);
          EXPECT_EQ(parseFixedType(t.str()), t) << t.str();
        }
  // Unsigned 1-bit types round-trip too.
  EXPECT_EQ(parseFixedType(T(1, 1, false).str()), T(1, 1, false));
  EXPECT_EQ(parseFixedType(T(1, 0, false).str()), T(1, 0, false));
}

std::string parseError(const std::string& text) {
  try {
    parseFixedType(text);
  } catch (const std::invalid_argument& e) {
    return e.what();
  } catch (const std::exception& e) {
    return std::string("wrong exception type: ") + e.what();
  }
  return "accepted";
}

TEST(FixedParse, Rejected) {
  EXPECT_THAT(parseError("ap_fixed<8,3,AP_ROUND>"), HasSubstr("unknown rounding mode 'AP_ROUND'"));
  EXPECT_THAT(parseError("ap_fixed<8,3,AP_RND,AP_CLAMP>"),
              HasSubstr("unknown overflow mode 'AP_CLAMP'"));
  EXPECT_THAT(parseError("ap_fixed<8,3,AP_SAT>"), HasSubstr("unknown rounding mode 'AP_SAT'"));
  EXPECT_THAT(parseError("ap_fixed<8,3,AP_RND,AP_WRAP_SM>"),
              HasSubstr("unknown overflow mode 'AP_WRAP_SM'"));
  EXPECT_THAT(parseError("ap_fixed<8,3,AP_RND,AP_WRAP_SM>"),
              HasSubstr("AP_WRAP_SM is not supported"));
  EXPECT_THAT(parseError("ap_fixed<8,3,AP_RND,AP_SAT,2>"),
              HasSubstr("saturation bits N other than 0 are not supported"));
  EXPECT_THAT(parseError("ap_fixed<8,3,AP_RND,AP_WRAP,1>"),
              HasSubstr("saturation bits N other than 0"));
  EXPECT_THAT(parseError("ap_fixed<0,0>"), HasSubstr("width must be 1..62 bits"));
  EXPECT_THAT(parseError("ap_fixed<63,10>"), HasSubstr("width must be 1..62 bits"));
  EXPECT_THAT(parseError("ap_ufixed<63,10>"), HasSubstr("width must be 1..62 bits"));
  EXPECT_THAT(parseError("ap_int<0>"), HasSubstr("width must be 1..62 bits"));
  EXPECT_THAT(parseError("ap_uint<63>"), HasSubstr("width must be 1..62 bits"));
  EXPECT_THAT(parseError("ap_fixed<-4,2>"), HasSubstr("width must be 1..62 bits"));
  EXPECT_THAT(parseError("ap_fixed<16>"), HasSubstr("needs <width,integer bits>"));
  EXPECT_THAT(parseError("ufixed<16>"), HasSubstr("needs <width,integer bits>"));
  EXPECT_THAT(parseError("ap_int<8,3>"), HasSubstr("takes one width"));
  EXPECT_THAT(parseError("ap_fixed<1,1>"), HasSubstr("a signed type needs at least 2 bits"));
  for (const char* garbage :
       {"", "float", "ap_fixed", "ap_fixed<16,6", "ap_fixed<a,b>", "ap_fixed<16,6>x",
        "ap_fixed<16.5,6>", "ap_fixed<8,3,,AP_SAT>", "ap_fixed<8,3,AP_RND,AP_SAT,0,0>",
        "ap_float<16,6>", "ap_fixed(16,6)", "<16,6>"}) {
    EXPECT_THAT(parseError(garbage), HasSubstr("expected e.g. ap_fixed<16,6>")) << garbage;
  }
  // The offending text is quoted in the message.
  EXPECT_THAT(parseError("ap_fixed<16,6>x"), HasSubstr("'ap_fixed<16,6>x'"));
  // Numbers too large for an int are rejected with invalid_argument too.
  EXPECT_THAT(parseError("ap_fixed<99999999999,3>"), HasSubstr("invalid precision"));
  EXPECT_THAT(parseError("ap_fixed<16,-99999999999>"), HasSubstr("invalid precision"));
  EXPECT_THAT(parseError("ap_fixed<8,3,AP_RND,AP_SAT,99999999999>"),
              HasSubstr("invalid precision"));
}

// ------------------------------------------------------------------------------------------
// binary and ternary (FixedType: the types of binary and ternary networks)
// ------------------------------------------------------------------------------------------

TEST(FixedBinary, ParsesPrintsAndHoldsPlusMinusOne) {
  const FixedType b = parseFixedType(" binary ");
  EXPECT_TRUE(b.binary);
  EXPECT_EQ(b, FixedType::makeBinary());
  EXPECT_EQ(b.width, 1);
  EXPECT_EQ(b.fracBits(), 0);
  EXPECT_EQ(b.minRaw(), -1);
  EXPECT_EQ(b.maxRaw(), 1);
  EXPECT_EQ(b.str(), "binary");
  EXPECT_NE(b, parseFixedType("ap_uint<1>"));  // 0/1, not -1/+1
}

TEST(FixedBinary, ConversionIsTheSign) {
  const FixedType b = FixedType::makeBinary();
  // x >= 0 -> +1, x < 0 -> -1, whatever the scale (QKeras binary, Larq, Brevitas BipolarQuant)
  EXPECT_EQ(quantizeReal(0.0, b), 1);
  EXPECT_EQ(quantizeReal(-0.0, b), 1);
  EXPECT_EQ(quantizeReal(1e-30, b), 1);
  EXPECT_EQ(quantizeReal(-1e-30, b), -1);
  EXPECT_EQ(quantizeReal(1e30, b), 1);
  EXPECT_EQ(quantizeReal(-7.5, b), -1);
  EXPECT_TRUE(fitsReal(-7.5, b));  // binarization never overflows
  EXPECT_THROW(quantizeReal(std::nan(""), b), std::invalid_argument);
  EXPECT_EQ(requantize(0, 12, b), 1);
  EXPECT_EQ(requantize(-1, 12, b), -1);  // -2^-12
  EXPECT_EQ(requantize(1, -5, b), 1);
  EXPECT_EQ(requantize(int64_t{-1} << 60, 0, b), -1);
  EXPECT_EQ(requantize(-1, 0, b), -1);  // binary -> binary keeps the value
  EXPECT_EQ(requantize(1, 0, b), 1);
  // from binary into a fixed type: the values -1 and +1
  EXPECT_EQ(requantize(-1, 0, T(8, 3)), -32);
  EXPECT_EQ(requantize(1, 0, T(8, 3)), 32);
}

TEST(FixedBinary, TernaryIsATwoBitSymmetricType) {
  const FixedType t = parseFixedType("ternary");
  EXPECT_EQ(t, T(2, 2, true, Rounding::RndZero, Overflow::SatSym));
  EXPECT_FALSE(t.binary);
  EXPECT_TRUE(t.isTernary());
  EXPECT_EQ(t.str(), "ternary");
  EXPECT_EQ(parseFixedType("ap_fixed<2,2,AP_RND_ZERO,AP_SAT_SYM>").str(), "ternary");
  EXPECT_FALSE(parseFixedType("ap_fixed<2,2>").isTernary());
  // PTQ: |x| <= 0.5 -> 0, beyond -> +-1, saturating symmetrically (never -2)
  const std::pair<double, int64_t> cases[] = {{0.0, 0},    {0.5, 0},   {-0.5, 0},  {0.51, 1},
                                              {-0.51, -1}, {1.0, 1},   {-1.0, -1}, {7.0, 1},
                                              {-7.0, -1},  {-1.6, -1}, {1.49, 1}};
  for (auto [x, want] : cases) EXPECT_EQ(quantizeReal(x, t), want) << x;
  EXPECT_TRUE(fitsReal(1.0, t));
  EXPECT_FALSE(fitsReal(-2.0, t));  // saturates to -1 (AP_SAT_SYM)
}

}  // namespace
}  // namespace nngen
