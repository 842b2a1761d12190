//! @file dsp_packing.h
//! @brief How many products one DSP slice computes for given operand widths
//!        (rtl_primitives/nn_mul_packed.v). TEMPORARY: replaced by the dsp branch.
#pragma once

namespace nngen {

/// The DSP slice of a part family.
enum class DspFamily { UltraScale, Series7 };

/// The largest LANES in {4, 2, 1} nn_mul_packed supports exactly for these operands, 0 when one
/// product does not fit a DSP.
int dspLanes(int xBits, bool xSigned, int wBits, bool wSigned, DspFamily f);

}  // namespace nngen
