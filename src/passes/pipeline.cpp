//! @file pipeline.cpp
//! @brief The pass order, written down once.
#include <fmt/format.h>

#include "passes/passes.h"

namespace nngen {

const std::vector<Pass>& passPipeline() {
  static const std::vector<Pass> passes = {
      {"fold-batchnorm", "fold BatchNormalization into the Conv2D/Dense before it where exact",
       foldBatchNorm},
      {"absorb-flatten", "drop Flatten; the next Dense reads the whole H x W x C window",
       absorbFlatten},
      {"quantize", "post-training quantization of weights, biases and BN scale/shift", quantize},
      {"lower-arithmetic", "decide integer arithmetic, prove accumulator bounds", lowerArithmetic},
  };
  return passes;
}

Graph runPasses(Graph g, const std::string& dumpAfter, std::ostream* dump,
                std::vector<std::string>* log) {
  bool known = dumpAfter.empty() || dumpAfter == "all";
  for (const Pass& p : passPipeline()) {
    const std::string summary = p.run(g);
    if (log) log->push_back(fmt::format("{}: {}", p.name, summary));
    verifyGraph(g, p.name);
    if (dump && (dumpAfter == "all" || dumpAfter == p.name)) {
      known = true;
      *dump << fmt::format("// IR after {}\n", p.name) << dumpGraph(g);
    }
  }
  if (!known)
    throw Error(fmt::format("--dump-ir-after: no pass named '{}' (see `nngen passes`)", dumpAfter));
  return g;
}

}  // namespace nngen
