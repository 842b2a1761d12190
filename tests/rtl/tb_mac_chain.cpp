// Checks rtl_primitives/nn_mac_chain.v bit for bit against the sum of its products, for one
// parameter set (N, X_W, X_SIGNED, W_W, W_SIGNED, SUM_W, FAMILY_7SERIES given by CMake).
//
// Stimuli (a set = N pairs x_i, w_i): every combination of the extreme values of x and w with
// all N stages alike (signed: min, min+1, -1, 0, 1, max; unsigned: 0, 1, max-1, max; all
// stages at the most negative product gives the sum's extreme), each extreme pair in one stage
// with the others zero, then 200,000 random sets (uniform bits, and values of random magnitude).
// The testbench applies the systolic skew itself: in each cycle stage i is driven with the
// operands of the set presented to stage 0 i accepted cycles earlier. The stimuli run twice:
// with ce = 1 throughout, then with ce low on about 40 % of the cycles (stalls, during which all
// operands carry junk that must be ignored). After every edge, `sum` must equal the sum of the
// set whose stage-0 operands were accepted N + 1 edges earlier (latency N + 2: presented in
// cycle t, visible in cycle t + N + 2), modulo 2^SUM_W. Exit code 0 only when no bit differed
// and sets were compared.
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
using tb::setPort;
using tb::valueOf;

constexpr int kN = N;
constexpr int kXW = X_W;
constexpr bool kXSigned = X_SIGNED != 0;
constexpr int kWW = W_W;
constexpr bool kWSigned = W_SIGNED != 0;
constexpr int kSumW = SUM_W;
static_assert(kXW <= 32 && kWW <= 32 && kSumW <= 64, "operands wider than 32 bits");

/// One set: the raw operands of the N stages.
struct Set {
  std::vector<uint64_t> x, w;
};

uint64_t expectedSum(const Set& s) {
  int64_t sum = 0;
  for (int i = 0; i < kN; ++i)
    sum += valueOf(s.x[i], kXW, kXSigned) * valueOf(s.w[i], kWW, kWSigned);
  return lowBits(static_cast<uint64_t>(sum), kSumW);
}

std::vector<Set> stimuli() {
  std::vector<Set> out;
  const std::vector<uint64_t> ex = extremes(kXW, kXSigned), ew = extremes(kWW, kWSigned);
  for (uint64_t x : ex)
    for (uint64_t w : ew) {
      out.push_back({std::vector<uint64_t>(kN, x), std::vector<uint64_t>(kN, w)});
      for (int i = 0; i < kN; ++i) {
        Set s{std::vector<uint64_t>(kN, 0), std::vector<uint64_t>(kN, 0)};
        s.x[i] = x;
        s.w[i] = w;
        out.push_back(s);
      }
    }
  std::mt19937_64 rng(20261206);
  for (int k = 0; k < 200000; ++k) {
    Set s{std::vector<uint64_t>(kN), std::vector<uint64_t>(kN)};
    for (int i = 0; i < kN; ++i) {
      s.x[i] = lowBits(rng(), kXW);
      s.w[i] = lowBits(rng(), kWW);
      if (k & 1)
        s.w[i] = lowBits(
            static_cast<uint64_t>(valueOf(s.w[i], static_cast<int>(rng() % kWW) + 1, kWSigned)),
            kWW);
      if (k & 2)
        s.x[i] = lowBits(
            static_cast<uint64_t>(valueOf(s.x[i], static_cast<int>(rng() % kXW) + 1, kXSigned)),
            kXW);
    }
    out.push_back(s);
  }
  return out;
}

long run(TB_MODEL& dut, const std::vector<Set>& sets, double ceLowP, uint64_t seed, long& checks,
         long& stalls) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  const size_t total = sets.size() + kN + 2;  // trailing cycles flush the chain
  auto junk = [&] {
    Set s{std::vector<uint64_t>(kN), std::vector<uint64_t>(kN)};
    for (int i = 0; i < kN; ++i) s.x[i] = rng(), s.w[i] = rng();
    return s;
  };
  std::vector<Set> accepted;  // stage 0's sets in the order the ce = 1 edges took them
  long mismatches = 0;
  while (accepted.size() < total) {
    const bool ce = u(rng) >= ceLowP;
    const size_t k = accepted.size();  // the index stage 0 is presented now
    const Set s0 = k < sets.size() ? sets[k] : junk();
    std::vector<uint64_t> xs(kN), ws(kN);
    const Set j = junk();
    for (int i = 0; i < kN; ++i) {
      // stage i: the operands of set k - i (skewed), or junk before the first set and in stalls
      const Set* src = nullptr;
      if (i == 0)
        src = &s0;
      else if (k >= static_cast<size_t>(i))
        src = &accepted[k - i];
      xs[i] = ce && src ? src->x[i] : j.x[i];
      ws[i] = ce && src ? src->w[i] : j.w[i];
    }
    dut.ce = ce;
    setPort(dut.x, xs, kXW);
    setPort(dut.w, ws, kWW);
    dut.eval();
    dut.clk = 1;
    dut.eval();
    dut.clk = 0;
    dut.eval();
    if (ce)
      accepted.push_back(s0);
    else
      ++stalls;
    if (accepted.size() < static_cast<size_t>(kN) + 2) continue;
    const size_t idx = accepted.size() - kN - 2;  // accepted N + 1 edges before the last one
    if (idx >= sets.size()) continue;
    const uint64_t want = expectedSum(sets[idx]);
    const uint64_t got = static_cast<uint64_t>(dut.sum);
    ++checks;
    if (got != want && ++mismatches <= 10)
      std::printf("MISMATCH for set %zu (stalls %ld): rtl 0x%llx, model 0x%llx\n", idx, stalls,
                  static_cast<unsigned long long>(got), static_cast<unsigned long long>(want));
  }
  return mismatches;
}

}  // namespace

int main(int argc, char** argv) {
  Verilated::commandArgs(argc, argv);
  TB_MODEL dut;
  dut.clk = 0;
  dut.ce = 0;
  dut.eval();
  const std::vector<Set> sets = stimuli();
  long checks = 0, stalls = 0;
  const long full = run(dut, sets, 0.0, 1, checks, stalls);
  const long stalled = run(dut, sets, 0.4, 2, checks, stalls);
  dut.final();
  std::printf(
      "nn_mac_chain N=%d X_W=%d X_SIGNED=%d W_W=%d W_SIGNED=%d SUM_W=%d FAMILY=%s: %zu sets, %ld "
      "cycles compared (%ld stalled), mismatches: %ld with ce=1, %ld with stalls\n",
      kN, kXW, X_SIGNED, kWW, W_SIGNED, kSumW, FAMILY_7SERIES ? "7SERIES" : "ULTRASCALE",
      sets.size(), checks, stalls, full, stalled);
  return full == 0 && stalled == 0 && checks > 0 ? 0 : 1;
}
