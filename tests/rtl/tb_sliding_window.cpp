// Checks rtl_primitives/nn_sliding_window.v against a direct C++ model of the windows.
//
// Compiled once per parameter set (CMake passes TB_MODEL, TB_HEADER and the module's
// parameters as macros). Streams several random images back to back with random tvalid gaps
// and random ce (pipeline stalls), captures every window the consumer would take (a rising
// clock edge with ce && window_valid) and compares it, bit for bit, with the window cut
// directly out of the zero-padded image: element (kh, kw, ch) of the window at output (oy, ox)
// is padded[oy*STRIDE_H + kh][ox*STRIDE_W + kw][ch]. Also checks that an image consumes
// exactly IMG_H*IMG_W beats and that no extra window appears. The AXI monitor of sim/nn_stream.h
// (the one nn_sim uses on m_axis) checks the hold rule on the input (this driver) and on the
// output, where ce is the ready (a window not taken while ce = 0 stays, unchanged). The model is
// verilated with --assert, so the module's own assertions are on too. Exit code 0 only when
// all match.
#include <cstdint>
#include <cstdio>
#include <deque>
#include <random>
#include <vector>

#include TB_HEADER
#include "nn_stream.h"
#include "verilated.h"

namespace {

constexpr int kH = IMG_H, kW = IMG_W, kC = CHANNELS, kBits = DATA_W;
constexpr int kHp = IMG_H + PAD_TOP + PAD_BOTTOM, kWp = IMG_W + PAD_LEFT + PAD_RIGHT;
constexpr int kOutH = (kHp - KERNEL_H) / STRIDE_H + 1, kOutW = (kWp - KERNEL_W) / STRIDE_W + 1;
constexpr int kWindowBits = KERNEL_H * KERNEL_W * kC * kBits;
constexpr int kPixelBits = kC * kBits;
static_assert(kPixelBits <= 64, "the driver packs a pixel into 64 bits");

using Image = std::vector<uint32_t>;   // [row][col][ch], kBits-bit values
using Window = std::vector<uint32_t>;  // [kh][kw][ch]

uint32_t value(const Image& img, int r, int c, int ch) {
  const int y = r - PAD_TOP, x = c - PAD_LEFT;
  if (y < 0 || y >= kH || x < 0 || x >= kW) return 0;
  return img[(y * kW + x) * kC + ch];
}

/// The windows of one image in raster order of the output positions.
std::vector<Window> expectedWindows(const Image& img) {
  std::vector<Window> out;
  for (int oy = 0; oy < kOutH; ++oy)
    for (int ox = 0; ox < kOutW; ++ox) {
      Window w;
      for (int kh = 0; kh < KERNEL_H; ++kh)
        for (int kw = 0; kw < KERNEL_W; ++kw)
          for (int ch = 0; ch < kC; ++ch)
            w.push_back(value(img, oy * STRIDE_H + kh, ox * STRIDE_W + kw, ch));
      out.push_back(w);
    }
  return out;
}

/// Reads bit field [lsb +: width] of a Verilator port (a plain integer or a VlWide).
template <typename Port>
uint32_t field(const Port& port, int lsb, int width) {
  uint32_t v = 0;
  for (int b = 0; b < width; ++b) {
    const int bit = lsb + b;
    uint64_t word;
    if constexpr (sizeof(Port) <= 8) {
      word = static_cast<uint64_t>(port) >> bit;
    } else {
      word = port[bit / 32] >> (bit % 32);
    }
    v |= static_cast<uint32_t>(word & 1) << b;
  }
  return v;
}

}  // namespace

int main(int argc, char** argv) {
  Verilated::commandArgs(argc, argv);
  TB_MODEL dut;
  std::mt19937 rng(7);
  constexpr int kImages = 10;

  std::vector<Image> images;
  std::deque<uint64_t> beats;  // packed pixels still to send
  std::deque<Window> expected;
  for (int i = 0; i < kImages; ++i) {
    Image img(kH * kW * kC);
    for (uint32_t& v : img) v = rng() & ((1u << kBits) - 1);
    for (int p = 0; p < kH * kW; ++p) {
      uint64_t beat = 0;
      for (int ch = 0; ch < kC; ++ch)
        beat |= static_cast<uint64_t>(img[p * kC + ch]) << (ch * kBits);
      beats.push_back(beat);
    }
    for (Window& w : expectedWindows(img)) expected.push_back(std::move(w));
  }
  const size_t total = expected.size();

  // Gap and stall probabilities change every 64 cycles so that both dense and sparse
  // streams are exercised: p(valid) in {1, 0.7, 0.3}, p(ce) in {1, 0.8, 0.4}.
  const double validP[] = {1.0, 0.7, 0.3}, ceP[] = {1.0, 0.8, 0.4};
  std::uniform_real_distribution<double> u(0.0, 1.0);
  nnstream::AxiMonitor inMonitor("tb_sliding_window: ", "s_valid", "s_data", kPixelBits, stdout);
  nnstream::AxiMonitor outMonitor("tb_sliding_window: ", "window_valid", "window", kWindowBits,
                                  stdout);
  long mismatches = 0, extra = 0, cycle = 0;
  size_t accepted = 0, taken = 0;
  dut.clk = 0;
  dut.rst = 1;
  dut.ce = 0;
  dut.s_valid = 0;
  dut.s_data = 0;
  for (int i = 0; i < 4; ++i) {
    dut.clk = !dut.clk;
    dut.eval();
  }
  dut.rst = 0;
  bool holding = false;  // s_valid is up and must stay up with the same data until accepted
  const long limit = 20L * kImages * kHp * kWp + 1000;
  const long drain = 4L * kHp * kWp;  // cycles after the last beat to let padding steps finish
  long lastBeatCycle = -1;
  for (; cycle < limit; ++cycle) {
    const int phase = static_cast<int>((cycle / 64) % 3);
    if (!holding) {
      dut.s_valid = !beats.empty() && u(rng) < validP[phase];
      if (dut.s_valid) {
        dut.s_data = beats.front();
        holding = true;
      }
    }
    dut.ce = u(rng) < ceP[(phase + 1) % 3];
    dut.eval();
    // Sample what the rising edge will take.
    const bool takeBeat =
        inMonitor.samplePort(static_cast<uint64_t>(cycle), dut.s_valid, dut.s_ready, dut.s_data);
    if (outMonitor.samplePort(static_cast<uint64_t>(cycle), dut.window_valid, dut.ce, dut.window)) {
      if (expected.empty()) {
        ++extra;
      } else {
        const Window& w = expected.front();
        for (int e = 0; e < static_cast<int>(w.size()); ++e) {
          const uint32_t got = field(dut.window, e * kBits, kBits);
          if (got != w[e] && ++mismatches <= 10)
            std::printf("MISMATCH window %zu element %d: rtl %u, expected %u (cycle %ld)\n", taken,
                        e, got, w[e], cycle);
        }
        expected.pop_front();
        ++taken;
      }
    }
    dut.clk = 1;
    dut.eval();
    dut.clk = 0;
    dut.eval();
    if (takeBeat) {
      beats.pop_front();
      ++accepted;
      holding = false;
      dut.s_valid = 0;
      if (beats.empty()) lastBeatCycle = cycle;
    }
    if (lastBeatCycle >= 0 && cycle - lastBeatCycle > drain) break;
  }
  dut.final();
  std::printf(
      "nn_sliding_window %dx%dx%d, %d-bit, kernel %dx%d, stride %dx%d, pad t%d b%d l%d r%d: "
      "%zu of %zu beats accepted, %zu of %zu windows compared, %ld mismatches, %ld extra windows, "
      "%ld cycles, %" PRIu64 " AXI violations, assertions %s\n",
      kH, kW, kC, kBits, KERNEL_H, KERNEL_W, STRIDE_H, STRIDE_W, PAD_TOP, PAD_BOTTOM, PAD_LEFT,
      PAD_RIGHT, accepted, static_cast<size_t>(kImages) * kH * kW, taken, total, mismatches, extra,
      cycle, inMonitor.violations() + outMonitor.violations(),
      dut.contextp()->gotError() ? "FIRED" : "quiet");
  const bool ok = mismatches == 0 && extra == 0 && taken == total &&
                  accepted == static_cast<size_t>(kImages) * kH * kW &&
                  inMonitor.violations() == 0 && outMonitor.violations() == 0 &&
                  !dut.contextp()->gotError();
  return ok ? 0 : 1;
}
