//! @file dsp_packing.cpp
//! @brief The fit rules of rtl_primitives/nn_mul_packed.v (see dsp_packing.h).
#include "ir/dsp_packing.h"

#include <stdexcept>
#include <string>

namespace nngen {

namespace {

constexpr int kNarrowPortBits = 18;  // B port of DSP48E1 and DSP48E2
// The smallest multiplication synthesis puts on a DSP: operands of >= 2 bits (as signed
// numbers), a product of >= 9 bits (Yosys synth_xilinx's DSP_A/B_MINWIDTH and DSP_Y_MINWIDTH).
constexpr int kMinOperandBits = 2;
constexpr int kMinProductBits = 9;

void checkWidths(int xBits, int wBits) {
  if (xBits < 1 || wBits < 1)
    throw std::invalid_argument("DSP packing: operand widths must be >= 1 bit (got " +
                                std::to_string(xBits) + " x " + std::to_string(wBits) + ")");
}

}  // namespace

int dspWidePortBits(DspFamily f) { return f == DspFamily::UltraScale ? 27 : 25; }

std::optional<DspPacking> dspPacking(int lanes, int xBits, bool xSigned, int wBits, bool wSigned,
                                     DspFamily family) {
  checkWidths(xBits, wBits);
  if (lanes != 1 && lanes != 2 && lanes != 4)
    throw std::invalid_argument("DSP packing: lanes must be 1, 2 or 4 (got " +
                                std::to_string(lanes) + ")");
  const int wide = dspWidePortBits(family);
  const int xOperand = xBits + (xSigned ? 0 : 1);  // as a signed number
  const int wOperand = wBits + (wSigned ? 0 : 1);
  const int productBits = xBits + wBits;
  DspPacking p;
  p.lanes = lanes;
  if (lanes == 1) {
    const bool fits = (xOperand <= kNarrowPortBits && wOperand <= wide) ||
                      (xOperand <= wide && wOperand <= kNarrowPortBits);
    if (!fits || xOperand < kMinOperandBits || wOperand < kMinOperandBits ||
        productBits < kMinProductBits)
      return std::nullopt;
    p.operandBits = wOperand;
    p.productBits = productBits;
    return p;
  }
  if (xOperand > kNarrowPortBits || xOperand < kMinOperandBits) return std::nullopt;
  for (const bool canary : {false, true}) {
    if (canary && !xSigned && !wSigned) break;  // unsigned products have no canary form
    const int gap = canary ? productBits - 1 : productBits;
    const int operandBits = (lanes - 1) * gap + wBits + 1;
    if (operandBits > wide) continue;
    p.laneGap = gap;
    p.canary = canary;
    p.operandBits = operandBits;
    p.productBits = (lanes - 1) * gap + productBits;
    if (p.productBits < kMinProductBits) return std::nullopt;
    return p;
  }
  return std::nullopt;
}

int dspLanes(int xBits, bool xSigned, int wBits, bool wSigned, DspFamily f) {
  checkWidths(xBits, wBits);
  for (const int lanes : {4, 2, 1})
    if (dspPacking(lanes, xBits, xSigned, wBits, wSigned, f)) return lanes;
  return 0;
}

}  // namespace nngen
