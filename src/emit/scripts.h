//! @file scripts.h
//! @brief Yosys and Vivado synthesis scripts for the parts of the hls4ml CNN paper.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "emit/design.h"

namespace nngen {

/// An FPGA part and its resources (Xilinx data sheets DS923 for Virtex UltraScale+, DS190 for
/// Zynq-7000): LUTs, flip-flops, DSP slices and 36 Kb block RAMs.
struct PartInfo {
  std::string name;       ///< full part name, e.g. xcvu9p-flgb2104-2L-e
  std::string shortName;  ///< xcvu9p, xc7z020
  std::string family;     ///< Yosys synth_xilinx -family
  double luts, ffs, dsps, bram36;
};

/// xcvu9p-flgb2104-2L-e and xc7z020clg400-1, the two parts of the paper's tables 3 and 4.
const std::vector<PartInfo>& knownParts();

/// The scripts written to <out>/synth/: yosys_<part>.ys for each part (synth_xilinx, then
/// `stat -json` into <part>_stat.json), vivado_<part>.tcl (out-of-context synthesis and
/// utilization/timing reports) and the clock constraint.
/// @param rtlFiles the design's Verilog files, relative to the output folder
std::vector<std::pair<std::string, std::string>> synthesisScripts(
    const Graph& g, const Design& d, const std::vector<std::string>& rtlFiles);

}  // namespace nngen
