// Checks that nngen::dspPacking (src/ir/dsp_packing.h), which the folding planner asks, and the
// elaboration checks ($error) of rtl_primitives/nn_mul_packed.v accept exactly the same
// configurations. For both families, 1, 2 and 4 lanes, all four signedness combinations and
// several x widths, it elaborates the primitive (verilator --lint-only -Wall) at every weight
// width where the C++ answer changes (the narrowest and widest accepted widths and the widths
// next to them) and requires the same answer: elaboration passes exactly when dspPacking fits.
// Usage: mul_packed_fit_check <path of nn_mul_packed.v>. Exit code 0 only when every case agreed.
#include <cstdio>
#include <cstdlib>
#include <string>

#include "ir/dsp_packing.h"

namespace {

/// True when Verilator elaborates nn_mul_packed with these parameters without error.
bool elaborates(const std::string& rtl, int lanes, int x, bool xs, int w, bool ws, bool series7) {
  const std::string cmd = "verilator --lint-only -Wall -GLANES=" + std::to_string(lanes) +
                          " -GX_W=" + std::to_string(x) + " -GX_SIGNED=" + (xs ? "1" : "0") +
                          " -GW_W=" + std::to_string(w) + " -GW_SIGNED=" + (ws ? "1" : "0") +
                          " '-GFAMILY=\"" + (series7 ? "7SERIES" : "ULTRASCALE") + "\"' " + rtl +
                          " > /dev/null 2>&1";
  return std::system(cmd.c_str()) == 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s <nn_mul_packed.v>\n", argv[0]);
    return 2;
  }
  const std::string rtl = argv[1];
  int cases = 0, disagreements = 0;
  for (const bool series7 : {false, true}) {
    const nngen::DspFamily f = series7 ? nngen::DspFamily::Series7 : nngen::DspFamily::UltraScale;
    for (const int lanes : {1, 2, 4}) {
      for (const int signs : {0, 1, 2, 3}) {
        const bool xs = (signs & 1) != 0, ws = (signs & 2) != 0;
        for (const int x : {1, 2, 4, 8, 17}) {
          // Elaborate every weight width where the C++ answer changes (the widest and narrowest
          // accepted widths and their neighbours), so both bounds are compared.
          auto cpp = [&](int w) {
            return w >= 1 && nngen::dspPacking(lanes, x, xs, w, ws, f).has_value();
          };
          for (int w = 1; w <= 30; ++w) {
            if (cpp(w) == cpp(w - 1) && cpp(w) == cpp(w + 1)) continue;
            const bool rtlOk = elaborates(rtl, lanes, x, xs, w, ws, series7);
            ++cases;
            if (cpp(w) != rtlOk) {
              ++disagreements;
              std::printf(
                  "DISAGREE %s LANES=%d X_W=%d X_SIGNED=%d W_W=%d W_SIGNED=%d: dspPacking "
                  "%s, nn_mul_packed %s\n",
                  series7 ? "7SERIES" : "ULTRASCALE", lanes, x, xs, w, ws,
                  cpp(w) ? "fits" : "does not fit", rtlOk ? "elaborates" : "fails");
            }
          }
        }
      }
    }
  }
  std::printf(
      "nn_mul_packed fit rules vs nngen::dspPacking: %d configurations elaborated, %d "
      "disagreements\n",
      cases, disagreements);
  return disagreements == 0 && cases > 0 ? 0 : 1;
}
