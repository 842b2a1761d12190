//! @file main.cpp
//! @brief The nngen command line: argument parsing (CLI11) and printing only; the work is in
//!        nngen_core (src/flow).
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <fstream>
#include <iostream>
#include <thread>

#include "flow/flow.h"
#include "flow/output_folder.h"
#include "passes/passes.h"

namespace {

using Clock = std::chrono::steady_clock;

/// Progress lines go to stderr with the elapsed time, so stdout stays the result.
struct Printer {
  Clock::time_point t0 = Clock::now();
  void operator()(const std::string& line) const {
    fmt::print(stderr, "[{:7.1f} s] {}\n", std::chrono::duration<double>(Clock::now() - t0).count(),
               line);
    std::fflush(stderr);
  }
};

/// Prints the library's warnings to stderr, one line each.
void printWarnings(const std::vector<nngen::Warning>& warnings) {
  for (const auto& w : warnings) fmt::print(stderr, "nngen: warning: {}\n", w.str());
}

std::string pct(double v) { return fmt::format("{:.4f}", v); }

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"nngen: trained CNNs and MLPs to streaming, bit-exact Verilog for FPGAs"};
  app.set_version_flag("--version", std::string(NNGEN_VERSION));
  app.require_subcommand(1);

  nngen::BuildOptions bopt;
  auto* build =
      app.add_subcommand("build", "generate RTL, testbench data and synthesis scripts from a spec");
  build
      ->add_option(
          "spec", bopt.spec,
          "network spec (YAML), or a model to import first (Keras .h5 or .json, ONNX .onnx)")
      ->required()
      ->check(CLI::ExistingFile);
  build->add_option("--weights", bopt.weights,
                    "weights (.h5) of a Keras architecture .json (default: beside it)");
  build
      ->add_option("-o,--out", bopt.outDir,
                   "output folder: created, or replaced as a whole if nngen built it")
      ->required();
  build->add_option("--dump-ir-after", bopt.dumpIrAfter,
                    "print the IR after this pass ('all' for every pass)");
  build->add_option("--max-images", bopt.maxImages,
                    "test images in the testbench data (default: all)");
  build
      ->add_option("--target-ii", bopt.fold.targetII,
                   "fold layers so that the II is at most this many cycles per image (default: "
                   "the input's H*W beats)")
      ->check(CLI::PositiveNumber);
  build
      ->add_option("--max-latency", bopt.fold.maxLatency,
                   "latency bound of the folding planner, cycles from an image's first input "
                   "beat to its last output beat (default: the unfolded design's + 10 %)")
      ->check(CLI::PositiveNumber);
  build
      ->add_option("--fit", bopt.fold.fitPart,
                   "fold until the resource estimate fits this part, at the lowest latency")
      ->check(CLI::IsMember({"xcvu9p", "xc7z020"}));
  build
      ->add_option("--max-dsp", bopt.fold.maxDsp,
                   "DSP budget of the folding planner: fewest LUTs with at most this many DSP "
                   "slices (default: DSPs cost the part's LUT/DSP ratio in LUTs)")
      ->check(CLI::NonNegativeNumber);

  nngen::ImportOptions iopt;
  std::string importDir;
  auto* import = app.add_subcommand(
      "import",
      "write the nngen spec (YAML) and .npy weights of a Keras, QKeras, ONNX or QONNX model");
  import
      ->add_option("model", iopt.model,
                   "Keras .h5 (whole model) or architecture .json, or ONNX .onnx")
      ->required()
      ->check(CLI::ExistingFile);
  import->add_option("--weights", iopt.weights,
                     "weights (.h5) of an architecture .json (default: <stem>_weights.h5 or "
                     "<stem>.h5 beside it)");
  import->add_option("--precision", iopt.precision,
                     "precision.default of the spec (default ap_fixed<16,6>, hls4ml's)");
  import
      ->add_option("-o,--out", importDir,
                   "output folder: created, or replaced as a whole if nngen wrote it")
      ->required();

  nngen::RunOptions ropt;
  auto* run = app.add_subcommand("run", "run the bit-accurate C++ fixed-point reference");
  run->add_option("spec", ropt.spec, "network spec (YAML)")->required()->check(CLI::ExistingFile);
  run->add_option("--input", ropt.input,
                  "inputs .npy (uint8 images or float values); default: the spec's test data");
  run->add_option("--labels", ropt.labels, "labels .npy for accuracy");
  run->add_option("-o,--out", ropt.outDir, "write logits.npy, logits_raw.npy and classes.npy here");
  run->add_option("--max-images", ropt.maxImages, "at most this many inputs");

  nngen::SimOptions sopt;
  auto* sim =
      app.add_subcommand("sim", "simulate the generated RTL in Verilator against the reference");
  sim->add_option("rtl", sopt.rtlDir, "folder written by nngen build")
      ->required()
      ->check(CLI::ExistingDirectory);
  sim->add_option("--input", sopt.input, "other inputs .npy (default: the build's test images)");
  sim->add_option("--labels", sopt.labels, "labels .npy for accuracy");
  sim->add_flag("--stall", sopt.stall, "random tvalid gaps and tready backpressure");
  sim->add_option("--seed", sopt.seed, "seed of the --stall pattern and of --reset-random");
  sim->add_option("--max-images", sopt.maxImages, "at most this many images");
  sim->add_option("-j,--jobs", sopt.jobs, "parallel C++ compile jobs for the Verilator model");
  sim->add_option("--repeat", sopt.repeat, "stream the images this many times, each pass compared")
      ->check(CLI::Range(1u, 1000000u));
  auto* resetAt =
      sim->add_option("--reset-at", sopt.resetAt,
                      "assert reset at these cycles (comma-separated; 0 = first cycle after the "
                      "initial reset); the images in flight are abandoned")
          ->delimiter(',');
  sim->add_option("--reset-random", sopt.resetRandom,
                  "assert reset at this many random points (drawn from --seed)")
      ->excludes(resetAt);
  sim->add_option("--reset-cycles", sopt.resetCycles,
                  "cycles reset is held for each mid-stream reset (default 1)")
      ->check(CLI::Range(1u, 1000000u));

  std::string synthDir, parts = "all", jsonOut;
  auto* synth =
      app.add_subcommand("synth", "run Yosys for the paper's parts and report LUT/FF/DSP/BRAM");
  synth->add_option("rtl", synthDir, "folder written by nngen build")
      ->required()
      ->check(CLI::ExistingDirectory);
  synth->add_option("--part", parts, "xcvu9p, xc7z020 or all");
  synth->add_option("--json", jsonOut,
                    "also write the report as JSON to this file ('-' for stdout)");
  int synthJobs = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  synth->add_option("-j,--jobs", synthJobs, "parts synthesized at once (default: CPU cores)");

  nngen::ProfileOptions popt;
  auto* profile = app.add_subcommand(
      "profile",
      "ranges of weights, accumulators and outputs on the test data against their types");
  profile->add_option("spec", popt.spec, "network spec (YAML)")
      ->required()
      ->check(CLI::ExistingFile);
  profile
      ->add_option("-o,--out", popt.outDir,
                   "output folder (profile.txt, profile.json, profile.png): created, or replaced "
                   "as a whole if nngen wrote it")
      ->required();
  profile->add_option("--input", popt.input,
                      "inputs .npy (uint8 images or float values); default: the spec's test data");
  profile->add_option("--max-images", popt.maxImages, "at most this many inputs");
  profile->add_flag("--suggest", popt.suggest,
                    "also write suggested.yaml: the spec with the narrowest type per layer that "
                    "holds the observed values");
  profile
      ->add_option("--margin", popt.margin,
                   "--suggest: the types hold the observed range times this factor (default 1.5)")
      ->check(CLI::Range(1.0, 1e6));

  auto* passes = app.add_subcommand("passes", "list the compiler passes in order");

  CLI11_PARSE(app, argc, argv);
  Printer progress;
  try {
    if (*build) {
      const nngen::BuildSummary s = nngen::buildDesign(bopt, progress);
      printWarnings(s.warnings);
      if (!s.irDump.empty()) fmt::print("{}", s.irDump);
      fmt::print("nngen build: wrote {} files to {} (top module {})\n", s.files.size(), bopt.outDir,
                 s.top);
      fmt::print("{}", s.table);
      fmt::print("{}\n", s.latencyLine);
      if (s.testImages)
        fmt::print("testbench data: {} test images with the reference's outputs\n", s.testImages);
    } else if (*import) {
      const nngen::ImportSummary s = nngen::importModel(iopt, importDir, progress);
      for (const std::string& line : s.log) fmt::print("  {}\n", line);
      fmt::print("nngen import: wrote {} ({} files) to {}\n", s.spec, s.files.size(), importDir);
    } else if (*run) {
      const nngen::RunSummary s = nngen::runReference(ropt, progress);
      printWarnings(s.warnings);
      fmt::print("nngen run: {} inputs through the C++ fixed-point reference\n", s.images);
      if (s.accuracy) fmt::print("  accuracy (fixed-point reference): {}\n", pct(*s.accuracy));
      if (s.floatAccuracy)
        fmt::print("  accuracy (float, PyTorch, from the spec's metadata): {}\n", *s.floatAccuracy);
      if (!ropt.outDir.empty())
        fmt::print("  wrote logits.npy, logits_raw.npy, classes.npy to {}\n", ropt.outDir);
    } else if (*sim) {
      const nngen::SimSummary s = nngen::simulate(sopt, progress);
      fmt::print("nngen sim: {} images streamed back to back through the RTL in Verilator{}\n",
                 s.streamImages, sopt.stall ? fmt::format(" (--stall, seed {})", sopt.seed) : "");
      if (s.resets)
        fmt::print(
            "  {} mid-stream reset(s): {} image(s) in flight abandoned, {} images compared\n",
            s.resets, s.abandonedImages, s.images);
      fmt::print("  bit-exact vs the C++ reference: {} mismatching output beats -> {}\n",
                 s.mismatches, s.mismatches == 0 ? "PASS" : "FAIL");
      for (const auto& d : s.mismatchDetails) fmt::print("    {}\n", d);
      if (s.accuracy)
        fmt::print("  accuracy: RTL {}, C++ reference {}{}\n", pct(*s.accuracy),
                   pct(*s.referenceAccuracy),
                   s.floatAccuracy ? ", float PyTorch " + *s.floatAccuracy : "");
      fmt::print(
          "  latency (first input beat to output beat): {:.0f} cycles = {:.2f} us at {:g} ns\n",
          s.latencyCycles, s.latencyCycles * s.clockPeriodNs / 1000.0, s.clockPeriodNs);
      if (s.iiCycles > 0)
        fmt::print("  initiation interval: {:.1f} cycles between images{}\n", s.iiCycles,
                   sopt.stall ? " (with random stalls)" : "");
      fmt::print("  AXI4-Stream rule violations: {}\n", s.axiViolations);
      fmt::print("  simulation speed: {:.1f} images/s\n", s.imagesPerSecond);
      fmt::print("  driver report: {}\n", s.driverJson);
      return (s.mismatches == 0 && s.axiViolations == 0) ? 0 : 1;
    } else if (*synth) {
      const auto reports = nngen::synthesize(synthDir, parts, synthJobs, progress);
      fmt::print("{}", nngen::formatSynthTable(reports));
      if (!jsonOut.empty()) {
        const std::string j = nngen::synthJson(reports) + "\n";
        if (jsonOut == "-")
          fmt::print("{}", j);
        else
          std::ofstream(jsonOut) << j;
      }
    } else if (*profile) {
      const nngen::ProfileSummary s = nngen::profileNetwork(popt, progress);
      printWarnings(s.warnings);
      fmt::print("nngen profile: {} inputs through the C++ fixed-point reference\n{}", s.images,
                 s.table);
      for (const std::string& f : s.findings) fmt::print("warning: {}\n", f);
      fmt::print("nngen profile: wrote {} to {}\n", fmt::join(s.files, ", "), popt.outDir);
    } else if (*passes) {
      for (const auto& p : nngen::passPipeline()) fmt::print("{:<18} {}\n", p.name, p.description);
    }
  } catch (const nngen::Error& e) {
    fmt::print(stderr, "nngen: error: {}\n", e.what());
    return nngen::interruptSignal() ? 128 + nngen::interruptSignal() : 1;
  } catch (const std::exception& e) {
    fmt::print(stderr, "nngen: internal error: {}\n", e.what());
    return 2;
  }
  return 0;
}
