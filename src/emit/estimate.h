//! @file estimate.h
//! @brief Resource estimate of a generated design in milliseconds: LUT, FF, DSP and BRAM per
//!        module and in total, from what the emitter built (adder bits, registers, memories,
//!        multipliers), with a cost model calibrated against Yosys 0.23 synth_xilinx
//!        (tools/calibrate_estimate.py; the figures are Yosys's mapping, not Vivado's).
#pragma once

#include <string>
#include <vector>

#include "emit/design.h"

namespace nngen {

/// What one module (or the top level's buffers) is built from: the cost model's inputs.
struct ResourceInventory {
  double adderBits = 0;    ///< carry-chain bits of adders, subtractors and accumulators
  double compareBits = 0;  ///< operand bits of comparators (max pooling, argmax, rounding)
  double requantBits = 0;  ///< input bits of requantizers (rounding and saturation)
  double romLuts = 0;      ///< weight-ROM LUT6s: ROM width x ceil(words / 64)
  double muxLuts = 0;      ///< LUT6 4:1 selects of the folded SIMD inputs
  double lutMultBits = 0;  ///< LUT shift-add multipliers: adder bits
  double regBits = 0;      ///< registers of the arithmetic pipelines and accumulators, bits
  double windowBits = 0;   ///< sliding-window and input registers, bits
  double multRegBits = 0;  ///< operand and product registers of the folded multipliers, bits
                           ///< (in the DSP slice where Yosys absorbs them, else flip-flops)
  double memLuts = 0;      ///< LUT-RAM LUTs of line buffers and FIFOs, shift-register LUTs
  double bram36 = 0;       ///< block RAMs (RAMB18 = 0.5)
  double dsps = 0;         ///< DSP slices (exact: the emitter instantiates them)
  double bufferBits = 0;   ///< skid-buffer data bits (top level)
};

/// Estimated resources (LUT includes LUT-RAM).
struct ResourceEstimate {
  double lut = 0, ff = 0, dsp = 0, bram36 = 0;
};

/// One memory: `depth` words of `width` bits, one write port and one read port (a line buffer
/// or a FIFO).
struct MemoryShape {
  int depth = 1, width = 1;
};

/// How Yosys 0.23 synth_xilinx maps a memory for `family` ("xc7" or "xcup"): LUT-RAM LUTs,
/// flip-flops or block RAMs, added to inv.
void addMemoryCost(const MemoryShape& m, const std::string& family, ResourceInventory& inv);

/// The cost of a weight ROM read through a register, added to inv: up to 256 words, LUT6s
/// (its distinct varying bit columns x ceil(words / 64): synthesis drops constant columns and
/// shares identical ones, so a 4-word ROM costs at most 16 LUTs however wide); beyond, block
/// RAMs for its varying columns (the RAMB18 shape needing the fewest).
void addRomCost(const ModuleInfo::Rom& rom, ResourceInventory& inv);

/// The inventory of module m (a layer module or the argmax stage) for `family`.
ResourceInventory moduleInventory(const ModuleInfo& m, const std::string& family);

/// The inventory of the top level: the skid buffer or FIFO in front of every module.
ResourceInventory topInventory(const Design& d, const std::string& family);

/// The calibrated cost model: LUT, FF, DSP, BRAM of an inventory for `family`.
ResourceEstimate estimate(const ResourceInventory& inv, const std::string& family);

/// Per-module estimates of a whole design for one part family, with the total.
struct DesignEstimate {
  std::string family;                                             ///< "xc7" or "xcup"
  std::vector<std::pair<std::string, ResourceEstimate>> modules;  ///< modules, then "(top)"
  ResourceEstimate total;
};

/// The estimate of design d for `family` ("xc7" or "xcup").
DesignEstimate estimateDesign(const Design& d, const std::string& family);

/// Text table of estimates for the given parts (name, family), with the part's utilization.
std::string formatEstimate(const std::vector<DesignEstimate>& e);

/// estimate.json: per part family, per module and total, with each module's inventory.
std::string estimateJson(const Design& d, const std::vector<DesignEstimate>& e);

}  // namespace nngen
