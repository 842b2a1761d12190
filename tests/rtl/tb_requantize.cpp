// Checks rtl_primitives/nn_requantize.v bit for bit against nngen::requantize (src/ir/fixed.h),
// the definition of ap_fixed's rounding and overflow rules.
//
// tb_requantize.v instantiates the primitive for every shape of its table (input/output
// widths, signedness, shift) times every rounding (7) and overflow (4) mode, all reading the
// low bits of one 64-bit input. Every input of up to 10 bits is driven exhaustively; wider
// inputs get edge values (0, +-1, extremes, values next to powers of two and next to rounding
// half-points) and random values. Exit code 0 only when every output bit of every instance
// matched for every input.
#include <cstdint>
#include <cstdio>
#include <random>
#include <vector>

#include "Vtb_requantize.h"
#include "ir/fixed.h"
#include "verilated.h"

namespace {

/// One row of the testbench's shape table.
struct Shape {
  int inW, inSigned, outW, outSigned, shift;
};

/// Interprets the low `w` bits of `bits` as the primitive does: two's complement or unsigned.
int64_t rawValue(uint64_t bits, int w, bool isSigned) {
  if (w == 64) return static_cast<int64_t>(bits);
  const uint64_t mask = (uint64_t{1} << w) - 1;
  uint64_t v = bits & mask;
  if (isSigned && (v >> (w - 1)) != 0) v |= ~mask;
  return static_cast<int64_t>(v);
}

uint64_t lowBits(uint64_t v, int w) { return w == 64 ? v : v & ((uint64_t{1} << w) - 1); }

/// The inputs to drive: exhaustive for 10 bits, then edge and random 64-bit patterns.
std::vector<uint64_t> stimuli() {
  std::vector<uint64_t> in;
  for (uint64_t v = 0; v < 1024; ++v) in.push_back(v);
  for (int b = 0; b < 64; ++b) {
    const uint64_t p = uint64_t{1} << b;
    for (uint64_t v : {p, p - 1, p + 1, ~p, ~(p - 1), p | (p >> 1), p - (p >> 1)}) {
      in.push_back(v);
      in.push_back(~v + 1);  // the negation
    }
  }
  std::mt19937_64 rng(2026);
  for (int i = 0; i < 40000; ++i) {
    uint64_t v = rng();
    const int keep = static_cast<int>(rng() % 64) + 1;  // random magnitudes, not only huge ones
    if (rng() & 1) v = lowBits(v, keep);
    in.push_back(v);
  }
  return in;
}

}  // namespace

int main(int argc, char** argv) {
  Verilated::commandArgs(argc, argv);
  Vtb_requantize tb;
  constexpr int kModes = 7 * 4;
  const int shapes = static_cast<int>(sizeof(tb.shape_table) / sizeof(tb.shape_table[0])) / 5;

  tb.in_data = 0;
  tb.eval();
  std::vector<Shape> table;
  for (int s = 0; s < shapes; ++s) {
    const auto* w = &tb.shape_table[5 * s];  // 32-bit words, SHIFT in the lowest
    table.push_back({static_cast<int>(w[4]), static_cast<int>(w[3]), static_cast<int>(w[2]),
                     static_cast<int>(w[1]), static_cast<int32_t>(w[0])});
  }

  long checks = 0, mismatches = 0;
  for (uint64_t bits : stimuli()) {
    tb.in_data = bits;
    tb.eval();
    for (int s = 0; s < shapes; ++s) {
      const Shape& sh = table[s];
      const int64_t raw = rawValue(bits, sh.inW, sh.inSigned != 0);
      for (int r = 0; r < 7; ++r) {
        for (int o = 0; o < 4; ++o) {
          nngen::FixedType to;
          to.width = sh.outW;
          to.intBits = sh.outW;  // the output has 0 fractional bits, so SHIFT = IN_F
          to.isSigned = sh.outSigned != 0;
          to.rounding = static_cast<nngen::Rounding>(r);
          to.overflow = static_cast<nngen::Overflow>(o);
          const uint64_t want =
              lowBits(static_cast<uint64_t>(nngen::requantize(raw, sh.shift, to)), sh.outW);
          const int idx = s * kModes + r * 4 + o;
          const uint64_t got =
              (static_cast<uint64_t>(tb.out_all[2 * idx + 1]) << 32) | tb.out_all[2 * idx];
          ++checks;
          if (got != want && ++mismatches <= 20) {
            std::printf(
                "MISMATCH IN_W=%d IN_SIGNED=%d OUT_W=%d OUT_SIGNED=%d SHIFT=%d ROUNDING=%d "
                "OVERFLOW=%d "
                "input %lld: rtl 0x%llx, reference 0x%llx\n",
                sh.inW, sh.inSigned, sh.outW, sh.outSigned, sh.shift, r, o,
                static_cast<long long>(raw), static_cast<unsigned long long>(got),
                static_cast<unsigned long long>(want));
          }
        }
      }
    }
  }
  tb.final();
  std::printf(
      "nn_requantize: %d shapes x 7 rounding x 4 overflow modes, %ld conversions checked, %ld "
      "mismatches\n",
      shapes, checks, mismatches);
  return mismatches == 0 && checks > 0 ? 0 : 1;
}
