// Stimulus for the post-synthesis co-simulation of rtl_primitives/nn_mac_chain.v
// (tests/rtl/cosim_xc7.sh): drives the verilated RTL with random clock enables (30 % stalls),
// random operands and, every few cycles, all operands at their extremes (all-ones or the sign
// bit alone), and writes every port to an FST file that Yosys's `sim -sim-cmp` replays on the
// synthesized netlist. Usage: <driver> <out.fst> <cycles>
#include <cstdint>
#include <cstdlib>
#include <random>
#include <type_traits>

#include TB_HEADER
#include "verilated.h"
#include "verilated_fst_c.h"

namespace {

/// Fills a Verilator port of `bits` bits (an integer or a VlWide) from `next()`.
template <typename Port, typename Gen>
void fill(Port& port, int bits, Gen next) {
  if constexpr (std::is_integral_v<Port>) {
    const uint64_t v = next();
    port = static_cast<Port>(bits >= 64 ? v : v & ((uint64_t{1} << bits) - 1));
  } else {
    for (int i = 0; i * 32 < bits; ++i) {
      const int left = bits - i * 32;
      const uint32_t v = static_cast<uint32_t>(next());
      port.m_storage[i] = left >= 32 ? v : v & ((uint32_t{1} << left) - 1);
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) return 2;
  Verilated::traceEverOn(true);
  TB_MODEL dut;
  VerilatedFstC fst;
  dut.trace(&fst, 1);
  fst.open(argv[1]);
  const long cycles = std::atol(argv[2]);
  std::mt19937_64 rng(7);
  uint64_t t = 0;
  dut.clk = 0;
  dut.ce = 0;
  fill(dut.x, N * X_W, [] { return uint64_t{0}; });
  fill(dut.w, N * W_W, [] { return uint64_t{0}; });
  dut.eval();
  fst.dump(t++);
  for (long i = 0; i < cycles; ++i) {
    dut.ce = rng() % 10 >= 3;
    const uint64_t mode = i % 4;
    fill(dut.x, N * X_W, [&] { return mode == 1 ? ~uint64_t{0} : rng(); });
    fill(dut.w, N * W_W, [&] { return mode == 2 ? 0x8888888888888888ull : rng(); });
    dut.eval();
    fst.dump(t++);
    dut.clk = 1;
    dut.eval();
    fst.dump(t++);
    dut.clk = 0;
    dut.eval();
    fst.dump(t++);
  }
  fst.close();
  dut.final();
  return 0;
}
