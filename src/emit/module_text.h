//! @file module_text.h
//! @brief Pieces of generated Verilog shared by the emitter's module kinds (design.cpp: the
//!        fully parallel modules, folded.cpp: the folded ones). Internal to src/emit.
#pragma once

#include <string>
#include <vector>

#include "emit/netlist.h"
#include "ir/graph.h"

namespace nngen::detail {

/// One line describing a layer: kind and geometry (e.g. "conv0 Conv2D 3x3 stride 1x1 ...").
std::string describe(const Layer& l);

/// The header comment of a generated file: who produced it, then `lines`, each made safe for
/// a `//` comment (commentLines).
std::string header(const std::string& producer, const std::vector<std::string>& lines);

/// Element-wise layer l applied to the pixel y (all its channels), in the netlist: each output
/// channel from its own input channel (ReLU, BatchNorm kept as scale-and-shift, Sigmoid, Tanh)
/// or from all of them (Softmax); widens accBits to the widest accumulator it builds.
/// @throws std::logic_error for a kind that is not element-wise (an nngen bug)
std::vector<Term> elementwise(Netlist& net, const Layer& l, const std::vector<Term>& y,
                              int& accBits);

/// Module header with clk, rst (synchronous, active high), an input stream
/// <in>data/<in>valid/<in>ready of inBits and an output stream <out>data/valid/ready of outBits.
std::string streamModuleStart(const std::string& name, const std::string& in, int inBits,
                              const std::string& out, int outBits);

/// The nn_pipeline_ctrl instance of a stream module: drives `ce` (declared before) and m_valid
/// from `inValid`, the valid bit of the values entering the first of `stages` pipeline stages.
std::string pipelineCtrl(int stages, const std::string& inValid);

}  // namespace nngen::detail
