//! @file build.cpp
//! @brief `nngen build`: spec -> passes -> Verilog, testbench data, synthesis scripts.
#include <fmt/format.h>
#include <stdlib.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>

#include "emit/design.h"
#include "emit/estimate.h"
#include "emit/scripts.h"
#include "flow/beats.h"
#include "flow/flow.h"
#include "flow/output_folder.h"
#include "passes/passes.h"
#include "ref/reference.h"
#include "spec/npy.h"
#include "spec/spec_loader.h"

namespace nngen {

namespace fs = std::filesystem;

namespace {

void writeText(const fs::path& p, const std::string& text) {
  fs::create_directories(p.parent_path());
  std::ofstream o(p, std::ios::binary);
  o << text;
  if (!o) throw Error(fmt::format("cannot write '{}'", p.string()));
}

/// Copies the spec and every file it references into dir/ (net.yaml + files/), rewriting the
/// paths, so that an output folder is self-contained.
void copyModel(const Graph& g, const fs::path& dir) {
  YAML::Node root = YAML::LoadFile(g.specPath);
  const fs::path specDir = fs::path(g.specPath).parent_path();
  fs::create_directories(dir / "files");
  auto relocate = [&](YAML::Node n, const std::string& newName) {
    const fs::path src = fs::path(n.as<std::string>()).is_absolute()
                             ? fs::path(n.as<std::string>())
                             : specDir / n.as<std::string>();
    fs::copy_file(src, dir / "files" / newName, fs::copy_options::overwrite_existing);
    n = "files/" + newName;
  };
  for (YAML::Node layer : root["layers"])
    for (const char* key : {"kernel", "bias", "gamma", "beta", "moving_mean", "moving_variance"})
      if (layer[key])
        relocate(layer[key], fmt::format("{}_{}.npy", layer["name"].as<std::string>(), key));
  if (root["test_data"]) {
    if (root["test_data"]["images"]) relocate(root["test_data"]["images"], "test_images.npy");
    if (root["test_data"]["labels"]) relocate(root["test_data"]["labels"], "test_labels.npy");
  }
  YAML::Emitter e;
  e << root;
  std::string head;
  for (const auto& line : commentLines(
           fmt::format("Copy of {} made by nngen build (weights under files/).", g.specPath)))
    head += "# " + line + "\n";
  writeText(dir / "net.yaml", fmt::format("{}{}\n", head, e.c_str()));
}

std::string moduleTable(const Design& d) {
  std::string s = fmt::format("{:<28} {:>9} {:>7} {:>9} {:>6} {:>5}  {}\n", "module", "latency",
                              "adders", "compare", "requant", "acc", "layers");
  for (const auto& m : d.modules) {
    std::string layers;
    for (auto& l : m.layers) layers += (layers.empty() ? "" : ",") + l;
    s += fmt::format("{:<28} {:>9} {:>7} {:>9} {:>6} {:>5}  {}\n", m.name,
                     m.windowLatency + m.pipelineStages, m.stats.adders, m.stats.comparators,
                     m.stats.requantizers,
                     m.accumulatorBits ? std::to_string(m.accumulatorBits) : "-", layers);
  }
  return s;
}

/// The folding plan per Conv2D/Dense module: reuse factor, PE x SIMD, where the products are
/// computed (per DSP; the longest DSP cascade) and how busy the module is at the design's II.
std::string planTable(const Design& d) {
  std::string s = fmt::format("{:<28} {:>5} {:>9} {:>6} {:>10} {:>9} {:>6} {:>7} {:>11} {:>5}\n",
                              "folding", "R", "PExSIMD", "V*NF*SF", "products", "DSP", "per",
                              "cascade", "busy/image", "fifo");
  for (const auto& m : d.modules) {
    if (!m.fold && !m.accumulatorBits) continue;
    if (!m.fold) {
      s += fmt::format("{:<28} {:>5} {:>9} {:>6} {:>10} {:>9} {:>6} {:>7} {:>11} {:>5}\n", m.name,
                       1, "-", "-", "CSD", 0, "-", "-", "-", m.fifoDepth);
      continue;
    }
    const LayerFold& f = *m.fold;
    const int64_t windows = int64_t{m.out.h} * m.out.w;
    s += fmt::format(
        "{:<28} {:>5} {:>9} {:>6} {:>10} {:>9} {:>6} {:>7} {:>11} {:>5}\n", m.name, f.reuse,
        fmt::format("{}x{}", f.pe, f.simd), fmt::format("{}*{}*{}", f.vectors, f.nf, f.sf),
        fmt::format("{} {}", f.pe * f.simd, f.style == Multipliers::Dsp ? "dsp" : "lut"),
        f.style == Multipliers::Dsp ? f.multipliers() : 0,
        f.style == Multipliers::Dsp ? std::to_string(f.lanes) : "-",
        f.chain > 0 ? std::to_string(f.chain) : "-", windows * f.reuse, m.fifoDepth);
  }
  return s;
}

/// One Conv2D/Dense's weights as the report and design.json show them.
struct WeightRow {
  std::string layer, type, arithmetic;
  int64_t weights = 0, zero = 0, products = 0;
};

/// Per Conv2D/Dense: its weights, how many are zero after PTQ (pruned: a fully parallel layer
/// builds no logic for them), the products built and how they are computed. A folded layer
/// builds PE x SIMD multipliers used R times per output pixel; its zero weights still take
/// their cycle.
std::vector<WeightRow> weightRows(const Graph& g, const Design& d) {
  std::vector<WeightRow> rows;
  for (const Layer& l : g.layers) {
    if (!kindInfo(l.kind).hasWeights) continue;
    WeightRow r{l.name, l.weightType.str(), "", static_cast<int64_t>(l.q.kernel.size()), 0, 0};
    for (int64_t w : l.q.kernel) r.zero += w == 0;
    const ModuleInfo* m = nullptr;
    for (const ModuleInfo& mi : d.modules)
      if (std::find(mi.layers.begin(), mi.layers.end(), l.name) != mi.layers.end()) m = &mi;
    const bool pm1 = l.weightType.binary || l.weightType.isTernary();
    if (m && m->fold) {
      r.products = int64_t{m->fold->pe} * m->fold->simd;
      r.arithmetic =
          fmt::format("{} multipliers, R {}", m->fold->style == Multipliers::Dsp ? "DSP" : "LUT",
                      m->fold->reuse);
    } else {
      r.products = r.weights - r.zero;
      r.arithmetic = l.inType.binary ? (pm1 ? "XNOR + popcount" : "bit x constant + adder tree")
                     : pm1           ? "additions/subtractions"
                                     : "CSD constant multipliers";
    }
    rows.push_back(r);
  }
  return rows;
}

std::string weightTable(const std::vector<WeightRow>& rows) {
  constexpr const char* fmtRow = "{:<16} {:>28} {:>8} {:>16} {:>9}  {}\n";
  std::string s = fmt::format(fmtRow, "layer", "weight type", "weights", "zero (pruned)",
                              "products", "arithmetic");
  for (const WeightRow& r : rows)
    s += fmt::format(
        fmtRow, r.layer, r.type, r.weights,
        fmt::format("{} ({:.1f} %)", r.zero, r.weights ? 100.0 * r.zero / r.weights : 0.0),
        r.products, r.arithmetic);
  return s;
}

}  // namespace

std::string latencyLine(const Design& d) {
  return fmt::format(
      "latency: {} cycles from an image's first input beat accepted to its last output beat "
      "accepted, "
      "{} (images streamed back to back, no stalls: what `nngen sim` measures); one pixel per "
      "clock ({} beats "
      "per image)",
      d.latencyCycles,
      d.latencyAfterLastInput >= 0
          ? fmt::format("{} cycles after its last input beat", d.latencyAfterLastInput)
          : fmt::format("{} cycles before its last input beat (trailing pixels feed no output)",
                        -d.latencyAfterLastInput),
      d.inBeatsPerImage);
}

namespace {

/// A private temporary folder, removed with everything in it when destroyed.
class TempFolder {
 public:
  TempFolder() {
    std::string templ = (fs::temp_directory_path() / "nngen-import-XXXXXX").string();
    if (!::mkdtemp(templ.data()))
      throw Error(SourceLoc{}, "",
                  fmt::format("cannot create a temporary folder in {}",
                              fs::temp_directory_path().string()));
    path_ = templ;
  }
  ~TempFolder() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  TempFolder(const TempFolder&) = delete;
  TempFolder& operator=(const TempFolder&) = delete;
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

}  // namespace

BuildSummary buildDesign(const BuildOptions& opt, const Progress& progress) {
  BuildSummary sum;
  OutputFolder out(opt.outDir);  // refuses a folder nngen may not replace before any work
  // A model file is imported first, into a private temporary folder; the build reads the spec
  // the import wrote, and its copy (net.yaml, files/) and import.log land in the output.
  std::optional<TempFolder> imported;
  std::string specPath = opt.spec;
  if (isModelFile(opt.spec)) {
    progress(fmt::format("importing {}", opt.spec));
    imported.emplace();
    ImportOptions io;
    io.model = opt.spec;
    io.weights = opt.weights;
    const ImportSummary is = importInto(io, imported->path());
    specPath = (imported->path() / is.spec).string();
    for (const std::string& line : is.log) progress("import: " + line);
  }
  progress(fmt::format("loading {}", specPath));
  Graph g0 = loadSpec(specPath);
  std::ostringstream dump;
  Graph g = runPasses(std::move(g0), opt.dumpIrAfter, &dump, &sum.passLog);
  for (const std::string& line : sum.passLog) progress(line);
  sum.irDump = dump.str();
  sum.warnings = g.warnings;
  const std::string producer =
      fmt::format("nngen {} from {}", NNGEN_VERSION, fs::path(opt.spec).filename().string());
  progress("planning the folding");
  const FoldPlan plan = planFolding(g, opt.fold, producer);
  for (const std::string& note : plan.notes) progress("plan: " + note);
  progress("emitting Verilog");
  const Design d = emitDesign(g, producer, plan);

  // Everything is written into a sibling temporary folder first, then swapped into place.
  const fs::path tmp = out.begin(progress);
  {  // the files, in the order they are written
    std::vector<std::string> rtlFiles;
    const fs::path share = NNGEN_SHARE_DIR;
    for (const std::string prim : kPrimitiveModules) {
      fs::copy_file(share / "rtl_primitives" / (prim + ".v"), tmp / (prim + ".v"));
      rtlFiles.push_back(prim + ".v");
    }
    for (const auto& m : d.modules) {
      writeText(tmp / (m.name + ".v"), m.verilog);
      rtlFiles.push_back(m.name + ".v");
    }
    writeText(tmp / (d.top + ".v"), d.topVerilog);
    rtlFiles.push_back(d.top + ".v");
    std::string filelist;
    for (auto& f : rtlFiles) filelist += f + "\n";
    writeText(tmp / "filelist.f", filelist);
    fs::create_directories(tmp / "sim");
    // The Verilator driver and the headers it includes from its own folder.
    for (const char* f : kSimDriverFiles) fs::copy_file(share / "sim" / f, tmp / "sim" / f);

    // Testbench data: the spec's test images with the reference's expected outputs.
    if (g.testData) {
      progress("running the C++ reference on the test images");
      const InputBatch batch = loadInputs(g, g.testData->images, g.testData->labels, opt.maxImages);
      BeatFile stim, expect;
      stim.bits = d.inBits;
      stim.beatsPerImage = d.inBeatsPerImage;
      stim.images = expect.images = static_cast<uint32_t>(batch.images.size());
      expect.bits = d.outBits;
      expect.beatsPerImage = d.outBeatsPerImage;
      for (const IntTensor& img : batch.images) {
        out.checkInterrupted();
        for (Beat& b : packPixels(img, g.inputType.width, d.inBits))
          stim.beats.push_back(std::move(b));
        const IntTensor y = runNetwork(g, img);
        std::vector<Beat> ob = packPixels(y, d.outValueBits, d.outBits);
        if (d.hasClass) putBits(ob[0], d.outChannels * d.outValueBits, d.classBits, argmax(y));
        for (Beat& b : ob) expect.beats.push_back(std::move(b));
      }
      writeStimulus((tmp / "sim" / "stimulus.bin").string(), stim, d.outBits, d.outBeatsPerImage);
      writeBeats((tmp / "sim" / "expected.bin").string(), expect);
      if (!batch.labels.empty()) {
        std::vector<int64_t> lab(batch.labels.begin(), batch.labels.end());
        saveNpyInt64((tmp / "sim" / "labels.npy").string(), {lab.size()}, lab);
      }
      sum.testImages = batch.images.size();
    }

    for (const auto& [name, text] : synthesisScripts(g, d, rtlFiles))
      writeText(tmp / "synth" / name, text);
    copyModel(g, tmp / "model");

    nlohmann::ordered_json j;
    j["nngen"] = NNGEN_VERSION;
    j["name"] = g.name;
    j["top"] = d.top;
    j["spec"] = "model/net.yaml";
    j["rtl_files"] = rtlFiles;
    j["in_bits"] = d.inBits;
    j["axi_in_bits"] = d.axiInBits;
    j["in_beats_per_image"] = d.inBeatsPerImage;
    j["out_bits"] = d.outBits;
    j["axi_out_bits"] = d.axiOutBits;
    j["out_beats_per_image"] = d.outBeatsPerImage;
    j["out_channels"] = d.outChannels;
    j["out_value_bits"] = d.outValueBits;
    j["out_signed"] = d.outType.isSigned;
    j["out_type"] = d.outType.str();
    j["has_class"] = d.hasClass;
    j["class_bits"] = d.classBits;
    j["clock_period_ns"] = g.hardware.clockPeriodNs;
    j["pipeline_cycles"] = d.pipelineCycles;
    j["stream_latency_cycles"] = d.latencyCycles;
    j["stream_latency_after_last_input_cycles"] = d.latencyAfterLastInput;
    j["stream_ii_cycles"] = d.iiCycles;
    j["test_images"] = sum.testImages;
    if (g.metadata.count("float_accuracy")) j["float_accuracy"] = g.metadata.at("float_accuracy");
    nlohmann::ordered_json mods = nlohmann::ordered_json::array();
    for (const auto& m : d.modules)
      mods.push_back({{"name", m.name},
                      {"layers", m.layers},
                      {"latency_cycles", m.windowLatency + m.pipelineStages},
                      {"adders", m.stats.adders},
                      {"comparators", m.stats.comparators},
                      {"requantizers", m.stats.requantizers},
                      {"accumulator_bits", m.accumulatorBits}});
    j["modules"] = mods;
    const std::vector<WeightRow> weights = weightRows(g, d);
    nlohmann::ordered_json wj = nlohmann::ordered_json::array();
    for (const WeightRow& r : weights)
      wj.push_back({{"layer", r.layer},
                    {"weight_type", r.type},
                    {"weights", r.weights},
                    {"zero_weights", r.zero},
                    {"products_built", r.products},
                    {"arithmetic", r.arithmetic}});
    j["weights"] = wj;
    writeText(tmp / "design.json", j.dump(2) + "\n");
    std::vector<DesignEstimate> estimates;
    for (const PartInfo& p : knownParts()) estimates.push_back(estimateDesign(d, p.family));
    writeText(tmp / "estimate.json", estimateJson(d, estimates));
    sum.table = moduleTable(d) + "\n" + planTable(d) + "\n" + weightTable(weights) + "\n" +
                formatEstimate(estimates);
    std::string passes;
    for (const std::string& line : sum.passLog) passes += "  " + line + "\n";
    writeText(tmp / "report.txt",
              fmt::format("{}\n{}\n{}\nPasses:\n{}IR after all passes:\n{}", producer, sum.table,
                          latencyLine(d), passes, dumpGraph(g)));

    if (imported) fs::copy_file(imported->path() / "import.log", tmp / "import.log");

    for (auto& e : fs::recursive_directory_iterator(tmp))
      if (e.is_regular_file()) sum.files.push_back(fs::relative(e.path(), tmp).string());
    std::sort(sum.files.begin(), sum.files.end());
    out.commit(sum.files);
  }
  sum.top = d.top;
  sum.pipelineCycles = d.pipelineCycles;
  sum.latencyCycles = d.latencyCycles;
  sum.latencyLine = latencyLine(d);
  sum.inBeatsPerImage = d.inBeatsPerImage;
  return sum;
}

}  // namespace nngen
