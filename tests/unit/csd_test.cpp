//! @file csd_test.cpp
//! @brief Unit tests of the canonical signed digit (non-adjacent form) recoding in ir/csd.h.
#include "ir/csd.h"

#include <gtest/gtest.h>

#include <bit>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <map>
#include <utility>
#include <vector>

#include "ir/fixed.h"

namespace nngen {
namespace {

/// Digits as (shift, sign) pairs, LSB first, for readable comparisons.
std::vector<std::pair<int, int>> digits(int64_t n) {
  std::vector<std::pair<int, int>> out;
  for (const SignedDigit& d : csdDigits(n)) out.emplace_back(d.shift, d.sign);
  return out;
}

using D = std::vector<std::pair<int, int>>;

TEST(Csd, KnownRecodings) {
  EXPECT_EQ(digits(0), D{});                              // no digits
  EXPECT_EQ(digits(1), (D{{0, +1}}));                     // 1
  EXPECT_EQ(digits(-1), (D{{0, -1}}));                    // -1
  EXPECT_EQ(digits(2), (D{{1, +1}}));                     // 2
  EXPECT_EQ(digits(3), (D{{0, -1}, {2, +1}}));            // 3 = 4 - 1
  EXPECT_EQ(digits(5), (D{{0, +1}, {2, +1}}));            // 5 = 4 + 1 (already non-adjacent)
  EXPECT_EQ(digits(-5), (D{{0, -1}, {2, -1}}));           // -5 = -4 - 1
  EXPECT_EQ(digits(6), (D{{1, -1}, {3, +1}}));            // 6 = 8 - 2
  EXPECT_EQ(digits(7), (D{{0, -1}, {3, +1}}));            // 7 = 8 - 1
  EXPECT_EQ(digits(-7), (D{{0, +1}, {3, -1}}));           // -7 = -8 + 1
  EXPECT_EQ(digits(11), (D{{0, -1}, {2, -1}, {4, +1}}));  // 11 = 16 - 4 - 1
  EXPECT_EQ(digits(15), (D{{0, -1}, {4, +1}}));           // 15 = 16 - 1
  EXPECT_EQ(digits(0x55), (D{{0, +1}, {2, +1}, {4, +1}, {6, +1}}));  // 85 = 64+16+4+1
  EXPECT_EQ(digits(0xFF), (D{{0, -1}, {8, +1}}));                    // 255 = 256 - 1
  EXPECT_EQ(digits(1024), (D{{10, +1}}));
  // 183 = 10110111b = 256 - 64 - 8 - 1 (digits at 0, 3, 6, 8: non-adjacent).
  EXPECT_EQ(digits(183), (D{{0, -1}, {3, -1}, {6, -1}, {8, +1}}));
}

TEST(Csd, Int64Extremes) {
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
  EXPECT_EQ(digits(kMax), (D{{0, -1}, {63, +1}}));      // 2^63 - 1
  EXPECT_EQ(digits(kMin), (D{{63, -1}}));               // -2^63
  EXPECT_EQ(digits(kMin + 1), (D{{0, +1}, {63, -1}}));  // -2^63 + 1
  EXPECT_EQ(digits(int64_t{1} << 62), (D{{62, +1}}));
  EXPECT_EQ(digits((int64_t{1} << 62) - 1), (D{{0, -1}, {62, +1}}));
  // 0x5555...5 has 32 isolated ones at the even positions: it is its own NAF.
  D alternating;
  for (int i = 0; i < 64; i += 2) alternating.emplace_back(i, +1);
  EXPECT_EQ(digits(0x5555555555555555), alternating);
}

/// Minimal number of non-zero digits of any {-1,0,1} radix-2 representation of n, by the
/// obvious recursion: the lowest digit of an even n is 0, of an odd n it is +1 or -1 and the
/// rest represents (n - 1)/2 or (n + 1)/2. Independent of csdDigits. Hand check:
/// w(1)=1, w(3)=1+min(w(1),w(2))=2, w(7)=1+min(w(3),w(4))=2, w(11)=1+min(w(5),w(6))=3.
int minimalWeight(int64_t n, std::map<int64_t, int>& memo) {
  if (n == 0) return 0;
  if (n == 1 || n == -1) return 1;
  if (auto it = memo.find(n); it != memo.end()) return it->second;
  int w;
  if (n % 2 == 0) {
    w = minimalWeight(n / 2, memo);
  } else {
    w = 1 + std::min(minimalWeight((n - 1) / 2, memo), minimalWeight((n + 1) / 2, memo));
  }
  memo[n] = w;
  return w;
}

/// NAF of m >= 0 by the xor identity: with h = 3m, the NAF has a +1 digit at bit i where bit
/// i+1 of (h & ~m) is set and a -1 digit where bit i+1 of (~h & m) is set; its weight is
/// popcount(h ^ m). Hand check, m = 7: h = 21 = 10101b, m = 00111b; h&~m = 10000b -> +1 at 3;
/// ~h&m = 00010b -> -1 at 0; 8 - 1 = 7, weight popcount(10010b) = 2. m = 11: h = 100001b,
/// m = 001011b; h&~m = 100000b -> +16; ~h&m = 001010b -> -4, -1; weight popcount(101010b) = 3.
D nafByXor(int64_t n) {
  const bool neg = n < 0;
  const uint64_t m = static_cast<uint64_t>(neg ? -n : n);
  const uint64_t h = 3 * m;
  const uint64_t plus = (h & ~m) >> 1, minus = (~h & m) >> 1;
  D out;
  for (int i = 0; i < 63; ++i) {
    if ((plus >> i) & 1) out.emplace_back(i, neg ? -1 : +1);
    if ((minus >> i) & 1) out.emplace_back(i, neg ? +1 : -1);
  }
  return out;
}

TEST(Csd, HandChecksOfTheOracles) {
  std::map<int64_t, int> memo;
  EXPECT_EQ(minimalWeight(7, memo), 2);
  EXPECT_EQ(minimalWeight(11, memo), 3);
  EXPECT_EQ(minimalWeight(-5, memo), 2);
  EXPECT_EQ(minimalWeight(0x55, memo), 4);
  EXPECT_EQ(nafByXor(7), (D{{0, -1}, {3, +1}}));
  EXPECT_EQ(nafByXor(11), (D{{0, -1}, {2, -1}, {4, +1}}));
  EXPECT_EQ(nafByXor(-3), (D{{0, +1}, {2, -1}}));
  EXPECT_EQ(std::popcount(uint64_t{3 * 11} ^ uint64_t{11}), 3);
}

TEST(Csd, PropertyOverSmallRange) {
  std::map<int64_t, int> memo;
  for (int64_t n = -4096; n <= 4096; ++n) {
    SCOPED_TRACE(n);
    const std::vector<SignedDigit> ds = csdDigits(n);
    Int128 sum = 0;
    for (size_t k = 0; k < ds.size(); ++k) {
      ASSERT_TRUE(ds[k].sign == 1 || ds[k].sign == -1);
      ASSERT_GE(ds[k].shift, 0);
      if (k > 0) {
        ASSERT_GE(ds[k].shift, ds[k - 1].shift + 2) << "adjacent non-zero digits";
      }
      sum += Int128{ds[k].sign} << ds[k].shift;
    }
    EXPECT_TRUE(sum == Int128{n}) << "digits do not reconstruct n";
    EXPECT_EQ(static_cast<int>(ds.size()), minimalWeight(n, memo));
    const uint64_t m = static_cast<uint64_t>(std::llabs(n));
    EXPECT_EQ(static_cast<int>(ds.size()), std::popcount((3 * m) ^ m));
    EXPECT_EQ(digits(n), nafByXor(n));  // the NAF is unique
  }
}

}  // namespace
}  // namespace nngen
