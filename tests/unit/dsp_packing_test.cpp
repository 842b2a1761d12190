//! @file dsp_packing_test.cpp
//! @brief Unit tests of the DSP packing rules in ir/dsp_packing.h: known lane counts, the
//!        packings' widths, and the packing arithmetic itself replayed in integers for every
//!        width that fits (the products it yields must equal x * w_k).
#include "ir/dsp_packing.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <stdexcept>
#include <vector>

namespace nngen {
namespace {

constexpr DspFamily kUs = DspFamily::UltraScale;
constexpr DspFamily k7 = DspFamily::Series7;

TEST(DspPacking, KnownLaneCounts) {
  // 8-bit INT8 packing (WP486): two products on both families.
  EXPECT_EQ(dspLanes(8, true, 8, true, kUs), 2);
  EXPECT_EQ(dspLanes(8, true, 8, true, k7), 2);
  EXPECT_EQ(dspLanes(8, false, 8, false, k7), 2);
  // 4 bits: four on DSP48E2 when a signed operand allows the canary; two on DSP48E1.
  EXPECT_EQ(dspLanes(4, true, 4, true, kUs), 4);
  EXPECT_EQ(dspLanes(4, false, 4, true, kUs), 4);  // FINN's 4-bit signed weights, unsigned x
  EXPECT_EQ(dspLanes(4, true, 4, false, kUs), 4);
  EXPECT_EQ(dspLanes(4, false, 4, false, kUs), 2);  // unsigned products: no canary
  EXPECT_EQ(dspLanes(4, true, 4, true, k7), 2);
  EXPECT_EQ(dspLanes(3, true, 4, true, k7), 4);  // canary, 23-bit operand
  EXPECT_EQ(dspLanes(4, true, 3, true, k7), 4);  // no canary, 25-bit operand
  EXPECT_EQ(dspLanes(3, false, 3, false, kUs), 4);
  // 7 bits (the 7-bit model): two per DSP on both families.
  EXPECT_EQ(dspLanes(7, true, 7, true, k7), 2);
  EXPECT_EQ(dspLanes(7, false, 7, true, k7), 2);
  // Wider: one product per DSP, up to the ports' widths in either order.
  EXPECT_EQ(dspLanes(16, true, 16, true, kUs), 1);
  EXPECT_EQ(dspLanes(16, true, 16, true, k7), 1);
  EXPECT_EQ(dspLanes(18, true, 27, true, kUs), 1);
  EXPECT_EQ(dspLanes(27, true, 18, true, kUs), 1);
  EXPECT_EQ(dspLanes(17, false, 26, false, kUs), 1);
  EXPECT_EQ(dspLanes(18, false, 18, true, kUs), 1);  // unsigned x on the wide port
  EXPECT_EQ(dspLanes(18, false, 18, false, kUs), 0);
  EXPECT_EQ(dspLanes(18, true, 26, true, k7), 0);
  EXPECT_EQ(dspLanes(19, true, 19, true, kUs), 0);
  EXPECT_EQ(dspLanes(28, true, 2, true, kUs), 0);
  // Too small for a DSP (synthesis makes LUTs of them): 1-bit signed x, products < 9 bits.
  EXPECT_EQ(dspLanes(1, true, 16, true, kUs), 0);
  EXPECT_EQ(dspLanes(1, true, 4, true, kUs), 0);
  EXPECT_EQ(dspLanes(1, false, 4, true, kUs), 4);      // unsigned 1-bit x is a 2-bit signed operand
  EXPECT_EQ(dspLanes(2, true, 2, true, kUs), 4);       // 4 lanes: a 16-bit product
  EXPECT_FALSE(dspPacking(2, 2, true, 2, true, kUs));  // 2 lanes: an 8-bit product
  EXPECT_FALSE(dspPacking(1, 4, true, 4, true, kUs));  // 8-bit product
  EXPECT_TRUE(dspPacking(1, 4, true, 5, true, kUs));   // 9-bit product
  EXPECT_FALSE(dspPacking(1, 8, true, 1, true, kUs));  // 1-bit signed weight
  EXPECT_TRUE(dspPacking(1, 8, true, 1, false, kUs));
}

TEST(DspPacking, PackingWidths) {
  const auto int8 = dspPacking(2, 8, true, 8, true, kUs);
  ASSERT_TRUE(int8);
  EXPECT_EQ(int8->laneGap, 16);
  EXPECT_FALSE(int8->canary);
  EXPECT_EQ(int8->operandBits, 25);
  EXPECT_EQ(int8->productBits, 32);
  const auto int4 = dspPacking(4, 4, false, 4, true, kUs);
  ASSERT_TRUE(int4);
  EXPECT_EQ(int4->laneGap, 7);
  EXPECT_TRUE(int4->canary);
  EXPECT_EQ(int4->operandBits, 26);
  EXPECT_EQ(int4->productBits, 29);
  EXPECT_FALSE(dspPacking(4, 4, false, 4, true, k7));
  const auto one = dspPacking(1, 16, true, 16, true, k7);
  ASSERT_TRUE(one);
  EXPECT_EQ(one->lanes, 1);
  EXPECT_EQ(one->laneGap, 0);
  // The largest packing of 2 lanes at 8-bit weights on 7-series: x up to 8 bits without the
  // canary (16 + 9 = 25), 9 bits with it (16 + 9 = 25), not 10.
  EXPECT_FALSE(dspPacking(2, 8, true, 8, true, k7)->canary);
  EXPECT_TRUE(dspPacking(2, 9, true, 8, true, k7)->canary);
  EXPECT_FALSE(dspPacking(2, 10, true, 8, true, k7));
  EXPECT_FALSE(dspPacking(2, 9, false, 8, false, k7));  // unsigned: no canary
}

TEST(DspPacking, BadArguments) {
  EXPECT_THROW(dspLanes(0, true, 8, true, kUs), std::invalid_argument);
  EXPECT_THROW(dspLanes(8, true, -1, true, kUs), std::invalid_argument);
  EXPECT_THROW(dspPacking(3, 4, true, 4, true, kUs), std::invalid_argument);
  EXPECT_THROW(dspPacking(0, 4, true, 4, true, kUs), std::invalid_argument);
}

TEST(DspPacking, LanesIsTheLargestPackingAndShrinksWithWidth) {
  for (DspFamily f : {kUs, k7}) {
    for (int xs = 0; xs < 2; ++xs) {
      for (int ws = 0; ws < 2; ++ws) {
        for (int x = 1; x <= 30; ++x) {
          for (int w = 1; w <= 30; ++w) {
            const int lanes = dspLanes(x, xs, w, ws, f);
            int largest = 0;
            for (int l : {1, 2, 4})
              if (dspPacking(l, x, xs, w, ws, f)) largest = l;
            EXPECT_EQ(lanes, largest) << x << " x " << w;
            // Once a product is large enough for a DSP, one bit more on either operand never
            // packs more products.
            if (lanes > 0) {
              EXPECT_LE(dspLanes(x + 1, xs, w, ws, f), lanes) << x << " x " << w;
              EXPECT_LE(dspLanes(x, xs, w + 1, ws, f), lanes) << x << " x " << w;
            }
            // A DSP48E2 packs at least what a DSP48E1 does.
            if (f == k7) {
              EXPECT_GE(dspLanes(x, xs, w, ws, kUs), lanes) << x << " x " << w;
            }
          }
        }
      }
    }
  }
}

/// The low `bits` bits of v read as two's complement (isSigned) or unsigned.
int64_t field(uint64_t v, int bits, bool isSigned) {
  const uint64_t mask = bits >= 64 ? ~uint64_t{0} : (uint64_t{1} << bits) - 1;
  uint64_t f = v & mask;
  if (isSigned && bits < 64 && (f >> (bits - 1)) != 0) f |= ~mask;
  return static_cast<int64_t>(f);
}

/// The lanes nn_mul_packed computes for x and the weights w under packing p, replayed with
/// integers: T = A * x + C on the DSP, then the lane fields of T (see nn_mul_packed.v).
std::vector<int64_t> packedProducts(const DspPacking& p, int xBits, bool xSigned, int wBits,
                                    bool wSigned, int64_t x, const std::vector<int64_t>& w) {
  const int pw = xBits + wBits, s = p.laneGap, lanes = p.lanes;
  const bool productSigned = xSigned || wSigned;
  int64_t a = 0;
  for (int k = 0; k < lanes; ++k) a += w[k] * (int64_t{1} << (k * s));
  EXPECT_EQ(field(static_cast<uint64_t>(a), p.operandBits, true), a) << "A overflows its port";
  int64_t c = 0;
  std::vector<int> canary(lanes, 0);
  for (int k = 1; k < lanes; ++k) canary[k] = static_cast<int>(x & w[k] & 1);
  if (p.canary) {
    for (int k = 1; k < lanes; ++k) c += int64_t{1 - canary[k]} << (k * s);
  } else if (productSigned) {
    for (int k = 0; k + 1 < lanes; ++k) c += int64_t{1} << (k * s + pw - 1);
  }
  const uint64_t t = static_cast<uint64_t>(a * x + c);  // the DSP's P, |A*x| < 2^44
  std::vector<int64_t> out;
  for (int k = 0; k < lanes; ++k) {
    uint64_t bits;  // lane k as P_W raw bits
    if (p.canary && k > 0)
      bits = ((t >> (k * s + 1)) << 1) | static_cast<uint64_t>(canary[k]);
    else
      bits = t >> (k * s);
    if (productSigned && k + 1 < lanes) bits ^= uint64_t{1} << (pw - 1);  // remove the bias
    out.push_back(field(bits, pw, productSigned));
  }
  return out;
}

/// Values to try for an operand: its extremes and neighbours of zero, then random values.
std::vector<int64_t> operandValues(int bits, bool isSigned, std::mt19937_64& rng, int randoms) {
  const int64_t lo = isSigned ? -(int64_t{1} << (bits - 1)) : 0;
  const int64_t hi = isSigned ? (int64_t{1} << (bits - 1)) - 1 : (int64_t{1} << bits) - 1;
  std::vector<int64_t> v;
  for (int64_t e : {lo, lo + 1, int64_t{-1}, int64_t{0}, int64_t{1}, hi - 1, hi})
    if (e >= lo && e <= hi) v.push_back(e);
  std::uniform_int_distribution<int64_t> d(lo, hi);
  for (int i = 0; i < randoms; ++i) v.push_back(d(rng));
  return v;
}

TEST(DspPacking, PackedArithmeticIsExactForEveryFittingWidth) {
  std::mt19937_64 rng(7);
  long configs = 0, checks = 0;
  for (DspFamily f : {kUs, k7}) {
    for (int lanes : {2, 4}) {
      for (int xs = 0; xs < 2; ++xs) {
        for (int ws = 0; ws < 2; ++ws) {
          for (int xb = 1; xb <= 18; ++xb) {
            for (int wb = 1; wb <= 24; ++wb) {
              const auto p = dspPacking(lanes, xb, xs, wb, ws, f);
              if (!p) continue;
              ++configs;
              const auto xv = operandValues(xb, xs, rng, 6);
              const auto wv = operandValues(wb, ws, rng, 6);
              // x against every lane value in every lane position, plus random lane mixes.
              std::uniform_int_distribution<size_t> pick(0, wv.size() - 1);
              for (int64_t x : xv) {
                for (int trial = 0; trial < 60; ++trial) {
                  std::vector<int64_t> w(lanes);
                  for (int k = 0; k < lanes; ++k)
                    w[k] = trial < static_cast<int>(wv.size()) ? wv[(trial + k) % wv.size()]
                                                               : wv[pick(rng)];
                  const auto got = packedProducts(*p, xb, xs, wb, ws, x, w);
                  for (int k = 0; k < lanes; ++k) {
                    ++checks;
                    ASSERT_EQ(got[k], x * w[k])
                        << "lanes " << lanes << ", " << xb << (xs ? "s" : "u") << " x " << wb
                        << (ws ? "s" : "u") << ", lane " << k << ": x=" << x << " w=" << w[k];
                  }
                }
              }
            }
          }
        }
      }
    }
  }
  EXPECT_GT(configs, 100);
  EXPECT_GT(checks, 100000);
}

}  // namespace
}  // namespace nngen
