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
  const char* name;                   ///< as given to --dump-ir-after
  const char* summary;                ///< one line for `nngen passes`
  std::function<void(Graph&)> run;    ///< transforms in place; throws Error on bad input
};

/// Folds each BatchNormalization into the Conv2D/Dense before it when that is exact: directly
/// after it, through an AveragePooling2D, or through a MaxPooling2D when every channel's scale
/// gamma/sqrt(var+eps) is > 0 (max commutes with a positive scale). The folded layer gets
/// w' = w*s and b' = (b - mean)*s + beta. Other BatchNorms stay and run as scale-and-shift.
void foldBatchNorm(Graph& g);

/// Removes Flatten: the Dense after it reads the H x W x C stream as one window over the whole
/// image (kernel H x W), which is the same as the channels-last flatten.
/// @throws Error when a Flatten is not directly followed by a Dense.
void absorbFlatten(Graph& g);

/// Post-training quantization (PTQ): float weights, biases and BatchNorm scale/shift into each
/// layer's weight/bias types, with the types' rounding and overflow modes (as ap_fixed does).
void quantize(Graph& g);

/// Decides every layer's integer arithmetic (Layer::Arith) and proves the accumulator bounds
/// from the input type's range and the constant weights.
/// @throws Error when a bound would not fit 62 bits.
void lowerArithmetic(Graph& g);

/// The pipeline in order.
const std::vector<Pass>& passPipeline();

/// Runs every pass, verifying the IR after each.
/// @param dumpAfter a pass name after which the IR is written to `dump` ("all": after every one)
Graph runPasses(Graph g, const std::string& dumpAfter = "", std::ostream* dump = nullptr);

}  // namespace nngen
