// Checks rtl_primitives/nn_fifo.v (DEPTH set in CMake, TB_DEPTH here) under random tvalid gaps
// and random tready backpressure: every beat arrives exactly once and in order, the output obeys
// the AXI4-Stream hold rule (the shared monitor of sim/nn_stream.h), the FIFO holds exactly
// DEPTH beats before s_ready drops, and with m_ready always high it passes one beat per cycle.
// Verilated with --assert, so the FIFO's own hold-rule assertion is on. Exit 0 only when all hold.
#include <cstdint>
#include <cstdio>
#include <random>

#include "Vnn_fifo.h"
#include "nn_stream.h"
#include "verilated.h"

namespace {
constexpr uint32_t kBits = 16;  // DATA_W (set in CMake)
constexpr uint32_t kMask = (1u << kBits) - 1;
}  // namespace

int main(int argc, char** argv) {
  Verilated::commandArgs(argc, argv);
  Vnn_fifo dut;
  auto edge = [&] {
    dut.clk = 1;
    dut.eval();
    dut.clk = 0;
    dut.eval();
  };
  dut.clk = 0;
  dut.rst = 1;
  dut.s_valid = 0;
  dut.m_ready = 0;
  edge();
  edge();
  dut.rst = 0;

  // Capacity: with m_ready low, exactly TB_DEPTH beats are taken, then s_ready is low.
  long accepted = 0;
  dut.s_valid = 1;
  for (int i = 0; i < TB_DEPTH + 5; ++i) {
    dut.s_data = static_cast<uint32_t>(accepted) & kMask;
    dut.eval();
    const bool in = dut.s_ready;
    edge();
    accepted += in;
  }
  dut.s_valid = 0;
  dut.eval();
  const bool capacityOk = accepted == TB_DEPTH && !dut.s_ready && dut.m_valid;

  std::mt19937 rng(13);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  constexpr long kBeats = 200000;
  nnstream::AxiMonitor out("tb_fifo: ", "m_valid", "m_data", kBits, stdout);
  long sent = accepted, received = 0, errors = 0, cycle = 0, fullRateCycles = 0, fullRateBeats = 0;
  bool holding = false;
  for (; received < kBeats && cycle < 20 * kBeats; ++cycle) {
    const int phase = static_cast<int>((cycle / 1000) % 4);
    const double pValid = phase == 0 ? 1.0 : phase == 1 ? 0.8 : phase == 2 ? 0.5 : 0.9;
    const double pReady = phase == 0 ? 1.0 : phase == 1 ? 0.5 : phase == 2 ? 0.9 : 0.2;
    if (!holding && sent < kBeats && u(rng) < pValid) {
      dut.s_valid = 1;
      dut.s_data = static_cast<uint32_t>(sent) & kMask;
      holding = true;
    }
    dut.m_ready = u(rng) < pReady;
    dut.eval();
    const bool in = dut.s_valid && dut.s_ready;
    const bool moved =
        out.samplePort(static_cast<uint64_t>(cycle), dut.m_valid, dut.m_ready, dut.m_data);
    if (moved) {
      if (dut.m_data != (static_cast<uint32_t>(received) & kMask) && ++errors <= 10)
        std::printf("ERROR cycle %ld: beat lost, duplicated or reordered\n", cycle);
      ++received;
    }
    if (phase == 0 && cycle % 1000 >= 2 * TB_DEPTH + 10) {  // steady state, free-flowing
      ++fullRateCycles;
      fullRateBeats += moved;
    }
    edge();
    if (in) {
      ++sent;
      holding = false;
      dut.s_valid = 0;
    }
  }
  dut.final();
  std::printf(
      "nn_fifo DEPTH %d: capacity %ld beats (%s), %ld beats sent, %ld received in %ld cycles, %ld "
      "of %ld free-flowing cycles moved a beat, %ld errors, %" PRIu64
      " AXI violations, assertions %s\n",
      TB_DEPTH, accepted, capacityOk ? "ok" : "WRONG", sent, received, cycle, fullRateBeats,
      fullRateCycles, errors, out.violations(), dut.contextp()->gotError() ? "FIRED" : "quiet");
  const bool ok = capacityOk && errors == 0 && out.violations() == 0 && received == kBeats &&
                  sent == kBeats && fullRateBeats == fullRateCycles && !dut.contextp()->gotError();
  return ok ? 0 : 1;
}
