//! @file passes.h
//! @brief The pass pipeline: Graph -> Graph transformations, run in one fixed, listable order.
#pragma once

#include <functional>
#include <ostream>
#include <string>
#include <vector>

#include "ir/graph.h"

namespace nngen {

/// A named transformation of the graph. Each pass lives in its own file under src/passes/.
struct Pass {
  const char* name;         ///< as given to --dump-ir-after
  const char* description;  ///< one line for `nngen passes`
  /// Transforms in place and returns one line saying what it changed (without the pass name,
  /// e.g. "folded 2 (bn0 into conv0, bn1 into conv1), kept 0 as scale-and-shift"), as a Yosys
  /// pass logs its changes. Throws Error on bad input.
  std::function<std::string(Graph&)> run;
};

/// Folds each BatchNormalization into the Conv2D/Dense before it when that is exact: directly
/// after it, through an AveragePooling2D, or through a MaxPooling2D when every channel's scale
/// gamma/sqrt(var+eps) is > 0 (max commutes with a positive scale). The folded layer gets
/// w' = w*s and b' = (b - mean)*s + beta. Other BatchNorms stay and run as scale-and-shift, and
/// so do those after a layer with `binary` or `ternary` weights (w*s would not be binary).
/// Which kinds fold and which pass the scale through are kind-table questions (LayerKindInfo).
/// @return "folded N (bn into layer, ...), kept M as scale-and-shift"
std::string foldBatchNorm(Graph& g);

/// Removes Flatten: the Dense after it reads the H x W x C stream as one window over the whole
/// image (kernel H x W), which is the same as the channels-last flatten.
/// @throws Error when a Flatten is not directly followed by a Dense.
/// @return "removed N Flatten"
std::string absorbFlatten(Graph& g);

/// Post-training quantization (PTQ): float weights, biases and BatchNorm scale/shift into each
/// layer's weight/bias types, with the types' rounding and overflow modes (as ap_fixed does).
/// @return the counts of weights, biases and BatchNorm scale/shift pairs, and how many
///         values overflowed their types (each such tensor also adds a Graph warning)
std::string quantize(Graph& g);

/// Decides every layer's integer arithmetic (Layer::Arith) and proves the accumulator bounds
/// from the input type's range and the constant weights. A BatchNormalization with a `binary`
/// result (BatchNorm + sign) becomes one integer threshold per channel: coeff in {-1, 0, +1},
/// bias = the threshold, the same sign for every input (docs/fixed_point.md, "Binary and
/// ternary").
/// @throws Error when a bound would not fit 62 bits.
/// @return the number of dot-product layers and the widest accumulator bound in bits (the
///         signed width holding [accMin, accMax] of any channel) and its layer
std::string lowerArithmetic(Graph& g);

/// The pipeline in order.
const std::vector<Pass>& passPipeline();

/// Runs every pass, verifying the IR after each.
/// @param dumpAfter a pass name after which the IR is written to `dump` ("all": after every one)
/// @param log       when given, receives one line per pass, "<name>: <what it changed>"
Graph runPasses(Graph g, const std::string& dumpAfter = "", std::ostream* dump = nullptr,
                std::vector<std::string>* log = nullptr);

}  // namespace nngen
