//! @file sim.cpp
//! @brief `nngen sim`: Verilator build of the generated RTL, run, bit-exact comparison.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "flow/beats.h"
#include "flow/flow.h"
#include "flow/process.h"
#include "passes/passes.h"
#include "ref/reference.h"
#include "spec/npy.h"
#include "spec/spec_loader.h"

namespace nngen {

namespace fs = std::filesystem;

namespace {

nlohmann::json readDesign(const fs::path& dir) {
  const fs::path p = dir / "design.json";
  std::ifstream i(p);
  if (!i)
    throw Error(fmt::format("'{}' has no design.json: is it a folder written by `nngen build`?",
                            dir.string()));
  try {
    return nlohmann::json::parse(i);
  } catch (const std::exception& e) {
    throw Error(fmt::format("'{}': {}", p.string(), e.what()));
  }
}

/// Builds (or reuses) the Verilator model; returns the driver's path.
fs::path verilate(const fs::path& dir, const nlohmann::json& design, int jobs,
                  const Progress& progress) {
  const fs::path obj = dir / "sim" / "obj_dir";
  const fs::path exe = obj / "nn_sim";
  std::vector<fs::path> sources;
  for (const auto& f : design["rtl_files"]) sources.push_back(dir / f.get<std::string>());
  sources.push_back(dir / "sim" / "nn_sim.cpp");
  if (fs::exists(exe)) {
    bool fresh = true;
    for (auto& s : sources) fresh = fresh && fs::last_write_time(s) <= fs::last_write_time(exe);
    // The driver's headers (absent in folders written by older builds).
    for (const char* f : kSimDriverFiles) {
      const fs::path h = dir / "sim" / f;
      if (fs::exists(h)) fresh = fresh && fs::last_write_time(h) <= fs::last_write_time(exe);
    }
    if (fresh) {
      progress("[verilator] model is up to date");
      return exe;
    }
  }
  if (!haveProgram("verilator"))
    throw Error("verilator is not installed (tools/install_deps.sh installs it)");
  // --assert: the primitives' hold-rule assertions (`ifndef SYNTHESIS) watch every stream between
  // the layers, which the driver's monitor on m_axis cannot see; a failing one stops the run
  // ($error, exit 3) with the offending values. Cost: see sim/README.md.
  std::vector<std::string> argv = {"verilator",    "--cc",
                                   "--exe",        "--build",
                                   "-j",           std::to_string(std::max(1, jobs)),
                                   "-O3",          "--x-assign",
                                   "fast",         "--x-initial",
                                   "fast",         "--assert",
                                   "--prefix",     "Vnn_top",
                                   "--top-module", design["top"].get<std::string>(),
                                   "-Mdir",        obj.string(),
                                   "-o",           "nn_sim",
                                   "-CFLAGS",      "-O1"};
  for (auto& s : sources) argv.push_back(s.string());
  progress(fmt::format(
      "[verilator] translating {} Verilog files and compiling the model (this can take a while)",
      sources.size() - 1));
  const auto t0 = std::chrono::steady_clock::now();
  std::vector<std::string> log;
  int compiled = 0;
  const int status = runProcess(argv, [&](const std::string& line) {
    log.push_back(line);
    if (line.rfind("%", 0) == 0)
      progress("[verilator] " + line);
    else if (line.find("g++") != std::string::npos && line.find(" -c ") != std::string::npos)
      progress(fmt::format(
          "[verilator] compiling C++ unit {} ({:.0f} s)", ++compiled,
          std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count()));
  });
  if (status != 0 || !fs::exists(exe)) {
    std::string tail;
    for (size_t k = log.size() > 30 ? log.size() - 30 : 0; k < log.size(); ++k)
      tail += "\n  " + log[k];
    throw Error(fmt::format("Verilator build failed (exit {}):{}", status, tail));
  }
  progress(
      fmt::format("[verilator] model built in {:.1f} s",
                  std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count()));
  return exe;
}

}  // namespace

SimSummary simulate(const SimOptions& opt, const Progress& progress) {
  const fs::path dir = fs::absolute(opt.rtlDir);
  const nlohmann::json design = readDesign(dir);
  const int outBits = design["out_bits"], outChannels = design["out_channels"],
            valueBits = design["out_value_bits"];
  const int classBits = design["class_bits"];
  const bool hasClass = design["has_class"], outSigned = design["out_signed"];
  SimSummary sum;
  sum.clockPeriodNs = design["clock_period_ns"];
  if (design.contains("float_accuracy") && opt.input.empty())
    sum.floatAccuracy = design["float_accuracy"];

  // Stimulus and expected outputs: the build's, or made now by the reference.
  fs::path stimulus = dir / "sim" / "stimulus.bin", expected = dir / "sim" / "expected.bin";
  fs::path labelsPath = dir / "sim" / "labels.npy";
  const fs::path runDir = dir / "sim" / "run";
  fs::create_directories(runDir);
  if (!opt.input.empty() || opt.maxImages) {
    const fs::path spec = dir / design["spec"].get<std::string>();
    const Graph g = runPasses(loadSpec(spec.string()));
    std::string images = opt.input, labels = opt.labels;
    if (images.empty()) {
      if (!g.testData) throw Error("the design has no test images; give --input");
      images = g.testData->images;
      labels = g.testData->labels;
    }
    progress(fmt::format("running the C++ reference on {}", images));
    const InputBatch batch = loadInputs(g, images, labels, opt.maxImages);
    BeatFile stim, expect;
    stim.bits = design["in_bits"];
    stim.beatsPerImage = design["in_beats_per_image"];
    stim.images = expect.images = static_cast<uint32_t>(batch.images.size());
    expect.bits = outBits;
    expect.beatsPerImage = design["out_beats_per_image"];
    for (const IntTensor& img : batch.images) {
      for (Beat& b : packPixels(img, g.inputType.width, stim.bits))
        stim.beats.push_back(std::move(b));
      const IntTensor y = runNetwork(g, img);
      std::vector<Beat> ob = packPixels(y, valueBits, outBits);
      if (hasClass) putBits(ob[0], outChannels * valueBits, classBits, argmax(y));
      for (Beat& b : ob) expect.beats.push_back(std::move(b));
    }
    stimulus = runDir / "stimulus.bin";
    expected = runDir / "expected.bin";
    writeStimulus(stimulus.string(), stim, outBits, expect.beatsPerImage);
    writeBeats(expected.string(), expect);
    labelsPath = runDir / "labels.npy";
    fs::remove(labelsPath);
    if (!batch.labels.empty()) {
      std::vector<int64_t> lab(batch.labels.begin(), batch.labels.end());
      saveNpyInt64(labelsPath.string(), {lab.size()}, lab);
    }
  }
  if (!fs::exists(stimulus)) throw Error("the design has no testbench data; give --input");

  for (size_t i = 1; i < opt.resetAt.size(); ++i)
    if (opt.resetAt[i] <= opt.resetAt[i - 1] + opt.resetCycles)
      throw Error(
          fmt::format("--reset-at: cycle {} follows {}; the cycles must increase by more than "
                      "--reset-cycles ({})",
                      opt.resetAt[i], opt.resetAt[i - 1], opt.resetCycles));
  const fs::path exe = verilate(dir, design, opt.jobs, progress);
  const fs::path output = runDir / "output.bin", orderPath = runDir / "order.bin";
  fs::remove(output);
  fs::remove(orderPath);
  std::vector<std::string> argv = {
      exe.string(),    "--stimulus", stimulus.string(),       "--output",
      output.string(), "--seed",     std::to_string(opt.seed)};
  argv.insert(argv.end(), {"--order", orderPath.string(), "--repeat", std::to_string(opt.repeat),
                           "--reset-cycles", std::to_string(opt.resetCycles)});
  if (opt.stall) argv.push_back("--stall");
  if (!opt.resetAt.empty()) {
    argv.push_back("--reset-at");
    argv.push_back(fmt::format("{}", fmt::join(opt.resetAt, ",")));
  }
  if (opt.resetRandom) {
    argv.push_back("--reset-random");
    argv.push_back(std::to_string(opt.resetRandom));
  }
  const size_t resetsWanted = opt.resetAt.size() + opt.resetRandom;
  progress(fmt::format("[sim] streaming images{}{}{}",
                       opt.repeat > 1 ? fmt::format(" {} times", opt.repeat) : "",
                       opt.stall ? " with random tvalid gaps and tready backpressure" : "",
                       resetsWanted ? fmt::format(", {} mid-stream reset(s)", resetsWanted) : ""));
  std::vector<std::string> log;
  const int status = runProcess(argv, [&](const std::string& line) {
    log.push_back(line);
    if (line.rfind("{", 0) == 0)
      sum.driverJson = line;
    else
      progress("[sim] " + line);
  });
  // Exit 5: output beats that no image streamed since the last reset explains; counted below.
  if ((status != 0 && status != 5) || sum.driverJson.empty()) {
    std::string tail;
    for (size_t k = log.size() > 10 ? log.size() - 10 : 0; k < log.size(); ++k)
      tail += "\n  " + log[k];
    throw Error(fmt::format("the simulation failed (exit {}):{}", status, tail));
  }
  const nlohmann::json report = nlohmann::json::parse(sum.driverJson);
  auto num = [&](const char* k) {
    return report.contains(k) && report[k].is_number() ? report[k].get<double>() : 0.0;
  };
  sum.latencyCycles = num("latency_max");
  sum.iiCycles = num("ii_mean");
  sum.imagesPerSecond = num("images_per_second");
  sum.axiViolations = static_cast<int>(num("axi_violations"));
  sum.streamImages = static_cast<size_t>(num("stream_images"));
  sum.resets = static_cast<size_t>(num("resets"));
  sum.abandonedImages = static_cast<size_t>(num("abandoned_images"));
  const size_t unexpected = static_cast<size_t>(num("unexpected_beats"));
  if (sum.resets != resetsWanted)
    throw Error(
        fmt::format("only {} of the {} requested resets happened: the run ended after {} cycles "
                    "(reset cycles count from the end of the initial reset)",
                    sum.resets, resetsWanted, static_cast<uint64_t>(num("cycles"))));

  // Which stream image each captured image is: every streamed image is either captured or
  // abandoned by a reset, in stream order.
  const BeatFile want = readBeats(expected.string()), got = readBeats(output.string());
  const std::vector<uint32_t> order = readOrder(orderPath.string());
  for (size_t i = 0; i < order.size(); ++i)
    if (order[i] >= sum.streamImages || (i > 0 && order[i] <= order[i - 1]))
      throw Error(
          fmt::format("'{}': image {} out of order (driver bug)", orderPath.string(), order[i]));
  if (order.size() + sum.abandonedImages != sum.streamImages || got.images != order.size() ||
      got.beats.size() != size_t(got.images) * want.beatsPerImage ||
      got.beatsPerImage != want.beatsPerImage)
    throw Error(fmt::format(
        "the simulation captured {} images ({} beats) of {} streamed with {} abandoned by resets "
        "(driver bug)",
        order.size(), got.beats.size(), sum.streamImages, sum.abandonedImages));
  sum.images = order.size();
  std::vector<int> labels;
  if (fs::exists(labelsPath)) {
    const NpyArray a = loadNpy(labelsPath.string(), SourceLoc{}, "");
    for (double v : a.values) labels.push_back(static_cast<int>(v));
  }

  // Bit-exact comparison of every captured output beat with the reference's beat of its image.
  size_t rtlCorrect = 0, refCorrect = 0;
  const size_t bpi = want.beatsPerImage;
  for (size_t k = 0; k < got.beats.size(); ++k) {
    const size_t streamIndex = order[k / bpi], image = streamIndex % want.images;
    const Beat& w = want.beats[image * bpi + k % bpi];
    if (got.beats[k] != w) {
      ++sum.mismatches;
      if (sum.mismatchDetails.size() < 10) {
        std::string d = streamIndex == image ? fmt::format("image {}, beat {}:", image, k % bpi)
                                             : fmt::format("image {} (pass {}), beat {}:", image,
                                                           streamIndex / want.images, k % bpi);
        for (int c = 0; c < outChannels; ++c) {
          const int64_t e = getBits(w, c * valueBits, valueBits, outSigned);
          const int64_t r = getBits(got.beats[k], c * valueBits, valueBits, outSigned);
          if (e != r) d += fmt::format(" ch{} expected {} got {};", c, e, r);
        }
        if (hasClass) {
          const int64_t e = getBits(w, outChannels * valueBits, classBits, false);
          const int64_t r = getBits(got.beats[k], outChannels * valueBits, classBits, false);
          if (e != r) d += fmt::format(" class expected {} got {};", e, r);
        }
        sum.mismatchDetails.push_back(d);
      }
    }
    if (hasClass && k % bpi == 0 && image < labels.size()) {
      rtlCorrect +=
          getBits(got.beats[k], outChannels * valueBits, classBits, false) == labels[image];
      refCorrect += getBits(w, outChannels * valueBits, classBits, false) == labels[image];
    }
  }
  if (unexpected) {
    sum.mismatches += unexpected;
    sum.mismatchDetails.push_back(fmt::format(
        "{} unexpected output beat(s): more than the images streamed since the last reset produce "
        "(a stale beat from before a reset, or a duplicated one)",
        unexpected));
  }
  if (hasClass && !labels.empty() && sum.images) {
    sum.accuracy = double(rtlCorrect) / double(sum.images);
    sum.referenceAccuracy = double(refCorrect) / double(sum.images);
  }
  return sum;
}

}  // namespace nngen
