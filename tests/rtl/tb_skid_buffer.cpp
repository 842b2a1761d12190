// Checks rtl_primitives/nn_skid_buffer.v under random tvalid gaps and random tready
// backpressure: every beat arrives exactly once and in order, the output obeys the AXI4-Stream
// hold rule (once m_valid is up, m_valid and m_data hold until m_ready; checked by the shared
// monitor of sim/nn_stream.h, the one nn_sim uses on m_axis), and with m_ready always high the
// buffer passes one beat per cycle. The model is verilated with --assert, so the buffer's own
// hold-rule assertions are on as well. Exit code 0 only when all hold.
//
// `tb_skid_buffer --break-hold` is the negative test: the driver changes s_data while its beat
// is stalled, and passes only when the buffer's assertion fires ($error with both values) and
// the monitor on the input counts exactly that one violation.
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <random>

#include "Vnn_skid_buffer.h"
#include "nn_stream.h"
#include "verilated.h"

namespace {

constexpr uint32_t kBits = 16;  // DATA_W (set in CMake)
constexpr uint32_t kMask = (1u << kBits) - 1;

/// The negative test: offer 0x5a5a while m_ready is low and the skid register is full, then
/// replace it with 0xa5a5 before it was taken.
int breakHoldRule(Vnn_skid_buffer& dut) {
  dut.contextp()->fatalOnError(false);  // the $error is the expected outcome, not an abort
  nnstream::AxiMonitor in("tb_skid_buffer: ", "s_valid", "s_data", kBits, stdout);
  uint64_t cycle = 0;
  auto edge = [&] {
    dut.eval();
    in.samplePort(cycle++, dut.s_valid, dut.s_ready, dut.s_data);
    dut.clk = 1;
    dut.eval();
    dut.clk = 0;
    dut.eval();
  };
  dut.m_ready = 0;
  dut.s_valid = 1;
  dut.s_data = 0x1111;  // fills the skid register (s_ready drops)
  edge();
  dut.s_data = 0x5a5a;  // offered, not taken
  edge();
  dut.s_data = 0xa5a5;  // changed while stalled: violates the hold rule
  edge();
  dut.m_ready = 1;  // then the new beat is held until taken: one violation only
  edge();
  edge();
  dut.s_valid = 0;
  edge();
  const bool fired = dut.contextp()->gotError();
  std::printf("tb_skid_buffer --break-hold: RTL assertion %s, monitor counted %" PRIu64
              " violation(s)\n",
              fired ? "fired" : "did not fire", in.violations());
  return fired && in.violations() == 1 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  Verilated::commandArgs(argc, argv);
  Vnn_skid_buffer dut;
  dut.clk = 0;
  dut.rst = 1;
  dut.s_valid = 0;
  dut.m_ready = 0;
  for (int i = 0; i < 4; ++i) {
    dut.clk = !dut.clk;
    dut.eval();
  }
  dut.rst = 0;
  if (argc > 1 && std::strcmp(argv[1], "--break-hold") == 0) return breakHoldRule(dut);

  std::mt19937 rng(11);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  constexpr long kBeats = 200000;
  nnstream::AxiMonitor out("tb_skid_buffer: ", "m_valid", "m_data", kBits, stdout);

  long sent = 0, received = 0, errors = 0, cycle = 0, fullRateCycles = 0, fullRateBeats = 0;
  bool holding = false;
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
    const bool in = dut.s_valid && dut.s_ready;
    const bool moved =
        out.samplePort(static_cast<uint64_t>(cycle), dut.m_valid, dut.m_ready, dut.m_data);
    if (moved) {
      if (dut.m_data != (static_cast<uint32_t>(received) & kMask) && ++errors <= 10)
        std::printf("ERROR cycle %ld: beat lost, duplicated or reordered\n", cycle);
      ++received;
    }
    if (phase == 0 && cycle % 1000 >= 10) {  // steady state of the free-flowing phase
      ++fullRateCycles;
      fullRateBeats += moved;
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
  std::printf(
      "nn_skid_buffer: %ld beats sent, %ld received in %ld cycles, %ld of %ld free-flowing cycles "
      "moved a beat, %ld errors, %" PRIu64 " AXI violations, assertions %s\n",
      sent, received, cycle, fullRateBeats, fullRateCycles, errors, out.violations(),
      dut.contextp()->gotError() ? "FIRED" : "quiet");
  const bool ok = errors == 0 && out.violations() == 0 && received == kBeats && sent == kBeats &&
                  fullRateBeats == fullRateCycles && !dut.contextp()->gotError();
  return ok ? 0 : 1;
}
