//! @file dsp_packing.h
//! @brief DSP packing: how many products x * w_k that share the operand x one DSP slice
//!        computes exactly, with the packing rtl_primitives/nn_mul_packed.v builds.
//!
//! The weights are packed into the multiplier's wide signed port, A = sum_k w_k 2^(k*S), x goes
//! to the 18-bit signed port, and the post-adder adds the lane biases (2^(P_W-1) below every
//! lane but the top one, so no lane borrows from the next; Xilinx WP486 corrects the same
//! borrow after the product instead). The lane gap S is the product width P_W = xBits + wBits,
//! or P_W - 1 with a "canary" when a signed operand makes the products signed: the parity
//! x[0] & w_k[0] of lane k's product is subtracted through the post-adder and restored as the
//! output's lowest bit. The rules here are the primitive's elaboration checks ($error); the
//! test tests/rtl/mul_packed_fit_check.cpp compares the two.
#pragma once

#include <optional>

namespace nngen {

/// A Xilinx DSP slice family, by its multiplier: UltraScale/UltraScale+ DSP48E2 (27 x 18 bits,
/// signed) or 7-series DSP48E1 (25 x 18 bits, signed). nn_mul_packed's FAMILY parameter:
/// "ULTRASCALE" or "7SERIES".
enum class DspFamily { UltraScale, Series7 };

/// Width of the family's wide multiplier port in bits (27 or 25; the narrow port has 18).
int dspWidePortBits(DspFamily f);

/// How nn_mul_packed packs `lanes` products into one DSP (all widths in bits).
struct DspPacking {
  int lanes = 1;        ///< products per DSP: 1, 2 or 4
  int laneGap = 0;      ///< S, the distance of two lanes in the product (0 for one lane)
  bool canary = false;  ///< S = P_W - 1 with the canary bits (else S = P_W)
  int operandBits = 0;  ///< signed width of the packed weight operand, (lanes-1)*S + wBits + 1
  int productBits = 0;  ///< bits of the DSP's result the lanes occupy, (lanes-1)*S + P_W
};

/// The packing nn_mul_packed uses for `lanes` products of an xBits x wBits multiplication
/// (signedness of each operand given), or nullopt when it does not fit one DSP of `family`
/// exactly (the primitive's $error). One lane fits when both operands, as signed numbers (an
/// unsigned operand needs one more bit), fit the two ports in either order; more lanes need
/// x on the 18-bit port and the packed weights (operandBits) on the wide port, with S = P_W, or
/// S = P_W - 1 (canary) when x or w is signed. Multiplications too small for synthesis to put
/// on a DSP are refused too: x (one lane: also w) under 2 bits as a signed number, or a product
/// (productBits) under 9 bits (Yosys synth_xilinx's DSP_A/B_MINWIDTH=2 and DSP_Y_MINWIDTH=9;
/// it maps those to LUTs).
/// @throws std::invalid_argument when lanes is not 1, 2 or 4, or xBits or wBits is < 1.
std::optional<DspPacking> dspPacking(int lanes, int xBits, bool xSigned, int wBits, bool wSigned,
                                     DspFamily family);

/// The largest LANES in {4, 2, 1} nn_mul_packed supports exactly for these widths, or 0 when not
/// even one product fits one DSP of `f` (then the layer needs LUT multipliers). Examples:
/// 8 x 8 bits: 2 on both families; 4 x 4 signed weights: 4 on UltraScale, 2 on 7-series;
/// 4 x 4 both unsigned: 2; 16 x 16: 1; 20 x 20: 0; 1 x 16 (an AND per bit): 0.
/// @throws std::invalid_argument when xBits or wBits is < 1.
int dspLanes(int xBits, bool xSigned, int wBits, bool wSigned, DspFamily f);

}  // namespace nngen
