// Checks rtl_primitives/nn_skid_buffer.v under random tvalid gaps and random tready
// backpressure: every beat arrives exactly once and in order, the output obeys the AXI4-Stream
// handshake rule (once m_valid is up, m_valid and m_data hold until m_ready), and with
// m_ready always high the buffer passes one beat per cycle. Exit code 0 only when all hold.
#include <cstdint>
#include <cstdio>
#include <random>

#include "Vnn_skid_buffer.h"
#include "verilated.h"

int main(int argc, char** argv) {
  Verilated::commandArgs(argc, argv);
  Vnn_skid_buffer dut;
  std::mt19937 rng(11);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  constexpr uint32_t kMask = 0xffff;  // DATA_W = 16 (set in CMake)
  constexpr long kBeats = 200000;

  dut.clk = 0;
  dut.rst = 1;
  dut.s_valid = 0;
  dut.m_ready = 0;
  for (int i = 0; i < 4; ++i) {
    dut.clk = !dut.clk;
    dut.eval();
  }
  dut.rst = 0;

  long sent = 0, received = 0, errors = 0, cycle = 0, fullRateCycles = 0, fullRateBeats = 0;
  bool holding = false, outStalled = false;
  uint32_t stalledData = 0;
  auto error = [&](const char* what) {
    if (++errors <= 10) std::printf("ERROR cycle %ld: %s\n", cycle, what);
  };
  for (; received < kBeats && cycle < 20 * kBeats; ++cycle) {
    // Phases of 1000 cycles: free-flowing, light and heavy gaps/backpressure.
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
    if (outStalled) {
      if (!dut.m_valid) error("m_valid dropped before m_ready");
      else if (dut.m_data != stalledData) error("m_data changed while stalled");
    }
    const bool in = dut.s_valid && dut.s_ready;
    const bool out = dut.m_valid && dut.m_ready;
    if (out) {
      if (dut.m_data != (static_cast<uint32_t>(received) & kMask)) error("beat lost, duplicated or reordered");
      ++received;
    }
    outStalled = dut.m_valid && !dut.m_ready;
    stalledData = dut.m_data;
    if (phase == 0 && cycle % 1000 >= 10) {  // steady state of the free-flowing phase
      ++fullRateCycles;
      fullRateBeats += out;
    }
    dut.clk = 1;
    dut.eval();
    dut.clk = 0;
    dut.eval();
    if (in) {
      ++sent;
      holding = false;
      dut.s_valid = 0;
    }
  }
  dut.final();
  std::printf("nn_skid_buffer: %ld beats sent, %ld received in %ld cycles, %ld of %ld free-flowing cycles "
              "moved a beat, %ld errors\n",
              sent, received, cycle, fullRateBeats, fullRateCycles, errors);
  const bool ok = errors == 0 && received == kBeats && sent == kBeats && fullRateBeats == fullRateCycles;
  return ok ? 0 : 1;
}
