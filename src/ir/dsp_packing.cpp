#include "ir/dsp_packing.h"

namespace nngen {

int dspLanes(int xBits, bool xSigned, int wBits, bool wSigned, DspFamily f) {
  const int a = f == DspFamily::UltraScale ? 27 : 25;
  const int xb = xBits + (xSigned ? 0 : 1), wb = wBits + (wSigned ? 0 : 1);
  if (xb <= 18 && wb <= a) return 1;
  if (wb <= 18 && xb <= a) return 1;
  return 0;
}

}  // namespace nngen
