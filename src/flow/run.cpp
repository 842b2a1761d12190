//! @file run.cpp
//! @brief `nngen run`: the C++ fixed-point reference on a batch of inputs.
#include <fmt/format.h>

#include <filesystem>

#include "flow/flow.h"
#include "passes/passes.h"
#include "ref/reference.h"
#include "spec/npy.h"
#include "spec/spec_loader.h"

namespace nngen {

namespace fs = std::filesystem;

RunSummary runReference(const RunOptions& opt, const Progress& progress) {
  const Graph g = runPasses(loadSpec(opt.spec));
  std::string images = opt.input, labels = opt.labels;
  if (images.empty()) {
    if (!g.testData)
      throw Error(SourceLoc{opt.spec, 0}, "", "no --input given and the spec has no test_data");
    images = g.testData->images;
    if (labels.empty()) labels = g.testData->labels;
  }
  progress(fmt::format("reading {}", images));
  const InputBatch batch = loadInputs(g, images, labels, opt.maxImages);
  RunSummary sum;
  sum.warnings = g.warnings;
  sum.images = batch.images.size();
  const Shape os = g.outputShape();
  const int frac = g.layers.back().resultType.fracBits();
  std::vector<int64_t> raw;
  std::vector<double> real;
  size_t correct = 0;
  for (size_t i = 0; i < batch.images.size(); ++i) {
    const IntTensor y = runNetwork(g, batch.images[i]);
    for (int64_t v : y.v) {
      raw.push_back(v);
      real.push_back(rawToReal(v, frac));
    }
    sum.classes.push_back(argmax(y));
    if (!batch.labels.empty() && sum.classes.back() == batch.labels[i]) ++correct;
    if ((i + 1) % 500 == 0) progress(fmt::format("{}/{} images", i + 1, batch.images.size()));
  }
  if (!batch.labels.empty() && sum.images) sum.accuracy = double(correct) / double(sum.images);
  if (g.metadata.count("float_accuracy") && opt.input.empty())
    sum.floatAccuracy = g.metadata.at("float_accuracy");
  if (!opt.outDir.empty()) {
    fs::create_directories(opt.outDir);
    const std::vector<size_t> shape{sum.images, size_t(os.h), size_t(os.w), size_t(os.c)};
    saveNpyInt64((fs::path(opt.outDir) / "logits_raw.npy").string(), shape, raw);
    saveNpyFloat64((fs::path(opt.outDir) / "logits.npy").string(), shape, real);
    std::vector<int64_t> cls(sum.classes.begin(), sum.classes.end());
    saveNpyInt64((fs::path(opt.outDir) / "classes.npy").string(), {cls.size()}, cls);
  }
  return sum;
}

}  // namespace nngen
