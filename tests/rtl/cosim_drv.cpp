// Stimulus for the post-synthesis co-simulation of a DSP primitive (tests/rtl/cosim_xc7.sh):
// drives the verilated RTL of nn_mul_packed or nn_mac_chain (ports clk, ce, x, w; X_BITS and
// W_BITS, the widths of x and w, given by CMake) with random clock enables (30 % stalls), random
// x and w and, every few cycles, all-ones/zero x and alternating extreme weight patterns, and
// writes every port to an FST file that Yosys's `sim -sim-cmp` replays on the synthesized
// netlist. Usage: <driver> <out.fst> <cycles>
#include <cstdint>
#include <cstdlib>
#include <random>
#include <vector>

#include TB_HEADER
#include "tb_operands.h"
#include "verilated.h"
#include "verilated_fst_c.h"

namespace {

/// `bits` bits from next() as 64-bit fields, for tb::setPort.
template <typename Gen>
std::vector<uint64_t> fields(int bits, Gen next) {
  std::vector<uint64_t> f((bits + 63) / 64);
  for (auto& v : f) v = next();
  return f;
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
  tb::setPort(dut.x, fields(X_BITS, [] { return uint64_t{0}; }), 64);
  tb::setPort(dut.w, fields(W_BITS, [] { return uint64_t{0}; }), 64);
  dut.eval();
  fst.dump(t++);
  for (long i = 0; i < cycles; ++i) {
    dut.ce = rng() % 10 >= 3;
    const bool ones = rng() & 1, eights = rng() & 1;
    auto x = fields(X_BITS, [&] { return i % 4 == 1 ? (ones ? ~uint64_t{0} : 0) : rng(); });
    auto w = fields(W_BITS, [&] {
      return i % 4 == 2 ? (eights ? 0x8888888888888888ull : 0x7777777777777777ull) : rng();
    });
    x.back() = tb::lowBits(x.back(), X_BITS - 64 * (static_cast<int>(x.size()) - 1));
    w.back() = tb::lowBits(w.back(), W_BITS - 64 * (static_cast<int>(w.size()) - 1));
    tb::setPort(dut.x, x, 64);
    tb::setPort(dut.w, w, 64);
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
