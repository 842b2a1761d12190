// Checks rtl_primitives/nn_mul_packed.v bit for bit against the integer product, for one
// parameter set (LANES, X_W, X_SIGNED, W_W, W_SIGNED, FAMILY_7SERIES given by CMake).
//
// Stimuli: every (x, w) combination when X_W + LANES*W_W <= 20 bits; otherwise every
// combination of the extreme values of x and of each lane (signed: min, min+1, -1, 0, 1, max;
// unsigned: 0, 1, max-1, max), then 300,000 random vectors (uniform bits, and values of random
// magnitude). The stimuli are driven twice: with ce = 1 throughout, then with ce low on about
// 40 % of the cycles (stalls, during which x and w carry junk that must be ignored). Every cycle
// after the second accepted vector compares every output bit with the products of the vector
// accepted two ce cycles earlier (latency 2); during a stall the output must hold.
// Exit code 0 only when no bit differed and at least one vector was compared.
#include <cstdint>
#include <cstdio>
#include <random>
#include <vector>

#include TB_HEADER
#include "tb_operands.h"
#include "verilated.h"

namespace {

using tb::extremes;
using tb::lowBits;
using tb::valueOf;

constexpr int kLanes = LANES;
constexpr int kXW = X_W;
constexpr bool kXSigned = X_SIGNED != 0;
constexpr int kWW = W_W;
constexpr bool kWSigned = W_SIGNED != 0;
constexpr int kPW = kXW + kWW;
static_assert(kXW + kLanes * kWW <= 64 && kLanes * kPW <= 64, "ports wider than 64 bits");

/// One input vector: x and the packed weight lanes.
struct Vec {
  uint64_t x, w;
};

/// What p must be for the vector v: lane k = x * w_k in P_W bits.
uint64_t expectedP(const Vec& v) {
  const int64_t x = valueOf(v.x, kXW, kXSigned);
  uint64_t p = 0;
  for (int k = 0; k < kLanes; ++k) {
    const int64_t wk = valueOf(v.w >> (k * kWW), kWW, kWSigned);
    p |= lowBits(static_cast<uint64_t>(x * wk), kPW) << (k * kPW);
  }
  return p;
}

/// The stimuli (see the file comment); `exhaustive` tells which kind they are.
std::vector<Vec> stimuli(bool& exhaustive) {
  std::vector<Vec> out;
  constexpr int kInBits = kXW + kLanes * kWW;
  exhaustive = kInBits <= 20;
  if (exhaustive) {
    for (uint64_t c = 0; c < (uint64_t{1} << kInBits); ++c)
      out.push_back({lowBits(c, kXW), c >> kXW});
    return out;
  }
  const std::vector<uint64_t> ex = extremes(kXW, kXSigned), ew = extremes(kWW, kWSigned);
  // Every combination: x and the LANES weight lanes each from their extremes (an odometer).
  std::vector<size_t> digit(kLanes + 1, 0);
  while (true) {
    Vec v{ex[digit[0]], 0};
    for (int k = 0; k < kLanes; ++k) v.w |= ew[digit[k + 1]] << (k * kWW);
    out.push_back(v);
    int d = 0;
    while (d <= kLanes) {
      const size_t n = d == 0 ? ex.size() : ew.size();
      if (++digit[d] < n) break;
      digit[d++] = 0;
    }
    if (d > kLanes) break;
  }
  std::mt19937_64 rng(20260509);
  for (int i = 0; i < 300000; ++i) {
    Vec v{lowBits(rng(), kXW), 0};
    for (int k = 0; k < kLanes; ++k) {
      uint64_t lane = rng();
      if (i & 1) {  // a value of random magnitude: sign- or zero-extended from fewer bits
        const int keep = static_cast<int>(rng() % kWW) + 1;
        lane = static_cast<uint64_t>(valueOf(lane, keep, kWSigned));
      }
      v.w |= lowBits(lane, kWW) << (k * kWW);
    }
    if (i & 2) {  // x of random magnitude
      const int keep = static_cast<int>(rng() % kXW) + 1;
      v.x = lowBits(static_cast<uint64_t>(valueOf(v.x, keep, kXSigned)), kXW);
    }
    out.push_back(v);
  }
  return out;
}

/// Drives `vecs` through the DUT; ceLowP is the probability of a stalled cycle. Returns the
/// number of mismatching cycles; adds the number of compared cycles to `checks`.
long run(TB_MODEL& dut, const std::vector<Vec>& vecs, double ceLowP, uint64_t seed, long& checks,
         long& stalls) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  std::vector<Vec> accepted;  // every vector a ce = 1 edge took, in order
  accepted.reserve(vecs.size() + 2);
  long mismatches = 0;
  size_t next = 0;
  while (next < vecs.size() || accepted.size() < vecs.size() + 2) {
    const bool ce = u(rng) >= ceLowP;
    Vec v = next < vecs.size() ? vecs[next] : Vec{rng(), rng()};  // trailing cycles: junk in
    if (!ce) v = Vec{rng(), rng()};                               // a stall ignores its input
    dut.ce = ce;
    dut.x = lowBits(v.x, kXW);
    dut.w = lowBits(v.w, kLanes * kWW);
    dut.eval();
    dut.clk = 1;
    dut.eval();
    dut.clk = 0;
    dut.eval();
    if (ce) {
      accepted.push_back(v);
      if (next < vecs.size()) ++next;
    } else {
      ++stalls;
    }
    if (accepted.size() < 2) continue;
    const Vec& in = accepted[accepted.size() - 2];  // taken two ce = 1 edges ago
    const uint64_t want = expectedP(in);
    const uint64_t got = static_cast<uint64_t>(dut.p);
    ++checks;
    if (got != want && ++mismatches <= 10) {
      std::printf(
          "MISMATCH after %zu accepted vectors (x=0x%llx w=0x%llx): rtl 0x%llx, model "
          "0x%llx\n",
          accepted.size(), static_cast<unsigned long long>(in.x),
          static_cast<unsigned long long>(in.w), static_cast<unsigned long long>(got),
          static_cast<unsigned long long>(want));
    }
  }
  return mismatches;
}

}  // namespace

int main(int argc, char** argv) {
  Verilated::commandArgs(argc, argv);
  TB_MODEL dut;
  dut.clk = 0;
  dut.ce = 0;
  dut.x = 0;
  dut.w = 0;
  dut.eval();
  bool exhaustive = false;
  const std::vector<Vec> vecs = stimuli(exhaustive);
  long checks = 0, stalls = 0;
  const long full = run(dut, vecs, 0.0, 1, checks, stalls);
  const long stalled = run(dut, vecs, 0.4, 2, checks, stalls);
  dut.final();
  std::printf(
      "nn_mul_packed LANES=%d X_W=%d X_SIGNED=%d W_W=%d W_SIGNED=%d FAMILY=%s: %zu vectors (%s), "
      "%ld cycles compared (%ld stalled), mismatches: %ld with ce=1, %ld with stalls\n",
      kLanes, kXW, X_SIGNED, kWW, W_SIGNED, FAMILY_7SERIES ? "7SERIES" : "ULTRASCALE", vecs.size(),
      exhaustive ? "exhaustive" : "extremes + random", checks, stalls, full, stalled);
  return full == 0 && stalled == 0 && checks > 0 ? 0 : 1;
}
