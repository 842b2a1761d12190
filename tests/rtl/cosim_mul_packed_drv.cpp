// Stimulus for the post-synthesis co-simulation of rtl_primitives/nn_mul_packed.v
// (tests/rtl/cosim_xc7.sh): drives the verilated RTL with random clock enables (30 %
// stalls), random x and w and, every few cycles, all-ones/zero x and alternating extreme weight
// patterns, and writes every port to an FST file that Yosys's `sim -sim-cmp` replays on the
// synthesized netlist. Usage: <driver> <out.fst> <cycles>
#include <cstdint>
#include <cstdlib>
#include <random>

#include TB_HEADER
#include "verilated.h"
#include "verilated_fst_c.h"

int main(int argc, char** argv) {
  if (argc != 3) return 2;
  Verilated::traceEverOn(true);
  TB_MODEL dut;
  VerilatedFstC fst;
  dut.trace(&fst, 1);
  fst.open(argv[1]);
  const long cycles = std::atol(argv[2]);
  constexpr int kXBits = X_W, kWBits = LANES * W_W;
  std::mt19937_64 rng(7);
  uint64_t t = 0;
  dut.clk = 0;
  dut.ce = 0;
  dut.x = 0;
  dut.w = 0;
  dut.eval();
  fst.dump(t++);
  for (long i = 0; i < cycles; ++i) {
    dut.ce = rng() % 10 >= 3;
    uint64_t x = rng(), w = rng();
    if (i % 4 == 1) x = (x & 1) ? ~uint64_t{0} : 0;
    if (i % 4 == 2) w = (w & 1) ? 0x8888888888888888ull : 0x7777777777777777ull;
    dut.x = x & ((uint64_t{1} << kXBits) - 1);
    dut.w = w & ((uint64_t{1} << kWBits) - 1);
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
