//! @file flow.h
//! @brief The user-facing jobs behind the CLI: build, run, sim and synth.
//!
//! Library code: it never prints or exits; progress goes through a callback and problems are
//! thrown as nngen::Error. src/cli only parses arguments and prints.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "emit/plan.h"
#include "import/import.h"
#include "ir/graph.h"

namespace nngen {

/// The files of sim/ that `nngen build` copies into `<out>/sim/`: the Verilator driver and the
/// headers it includes from its own folder (it is compiled without include paths).
inline constexpr const char* kSimDriverFiles[] = {"nn_sim.cpp", "nn_beats.h", "nn_stream.h"};

/// Receives progress lines ("[verilator] compiling 12 files ...").
using Progress = std::function<void(const std::string&)>;

/// Options of `nngen build`.
struct BuildOptions {
  std::string spec;         ///< the YAML spec, or a model file to import first (isModelFile)
  std::string weights;      ///< the weights of a Keras architecture .json (ImportOptions)
  std::string outDir;       ///< output folder; replaced atomically (written beside, renamed)
  std::string dumpIrAfter;  ///< pass name or "all" (empty: no dump)
  size_t maxImages = 0;     ///< test images to put in the testbench data (0 = all)
  FoldTarget fold;          ///< what the folding planner aims at (--target-ii, ...)
};

/// What `nngen build` produced, for the CLI's summary.
struct BuildSummary {
  std::string top;
  std::string table;                 ///< per-module report (layers, latency, arithmetic)
  std::string irDump;                ///< --dump-ir-after output
  std::vector<std::string> passLog;  ///< one line per pass, "<pass>: <what it changed>"
  int pipelineCycles = 0;            ///< sum of module pipeline latencies (cycles)
  int inBeatsPerImage = 0;
  size_t testImages = 0;           ///< images in the testbench data
  std::vector<std::string> files;  ///< files written, relative to outDir
  std::vector<Warning> warnings;   ///< from loading and the passes (e.g. constants that saturate)
  int latencyCycles = 0;           ///< exact simulated latency, first input beat to output beat
  std::string latencyLine;         ///< one line stating both exact latencies (report.txt)
};

/// One line stating a design's exact stream latencies (cycles), as report.txt and the CLI print.
struct Design;
std::string latencyLine(const Design& d);

/// Loads, transforms and emits a network: Verilog, primitives, testbench data with the
/// reference's expected outputs, synthesis scripts, a copy of the model and design.json.
/// @throws Error on bad input; the output folder is then left untouched.
BuildSummary buildDesign(const BuildOptions& opt, const Progress& progress);

/// Options of `nngen run`.
struct RunOptions {
  std::string spec;
  std::string input;   ///< .npy inputs (empty: the spec's test_data)
  std::string labels;  ///< .npy labels (empty: the spec's, if the inputs are its test data)
  std::string outDir;  ///< where logits/classes .npy go (empty: nothing written)
  size_t maxImages = 0;
};

/// Result of the C++ reference on a batch.
struct RunSummary {
  size_t images = 0;
  std::optional<double> accuracy;            ///< when labels are known
  std::optional<std::string> floatAccuracy;  ///< from the spec's metadata, when present
  std::vector<int> classes;                  ///< argmax per image (classifiers)
  std::vector<Warning> warnings;             ///< from loading and the passes
};

/// Runs the bit-accurate reference (the golden model) and writes logits.npy (real values,
/// float64), logits_raw.npy (raw integers, int64, (N, H, W, C)) and classes.npy (int64, (N,)).
RunSummary runReference(const RunOptions& opt, const Progress& progress);

/// Options of `nngen sim`.
struct SimOptions {
  std::string rtlDir;  ///< a folder written by `nngen build`
  std::string input;   ///< other images (.npy); empty: the testbench data from build
  std::string labels;
  bool stall = false;  ///< random tvalid gaps and tready backpressure
  unsigned seed = 1;
  size_t maxImages = 0;
  int jobs = 2;                   ///< parallel C++ compile jobs for the Verilator model
  unsigned repeat = 1;            ///< stream the images this many times (each pass compared)
  std::vector<uint64_t> resetAt;  ///< cycles (0 = first after the initial reset) to assert rst at
  unsigned resetRandom = 0;       ///< that many resets at random points drawn from `seed`
  unsigned resetCycles = 1;       ///< rising edges with rst = 1 per mid-stream reset
};

/// Result of a Verilator simulation compared with the reference.
struct SimSummary {
  size_t images = 0;           ///< images whose outputs were compared (abandoned ones not)
  size_t streamImages = 0;     ///< images streamed: test images x repeat
  size_t resets = 0;           ///< mid-stream resets applied
  size_t abandonedImages = 0;  ///< images cut off by a reset (not compared)
  size_t mismatches = 0;       ///< output beats that differ from the reference in any bit,
                               ///< plus unexpected beats (e.g. stale after a reset)
  std::vector<std::string> mismatchDetails;  ///< the first few, readable
  std::optional<double> accuracy;            ///< of the RTL's classes, when labels are known
  std::optional<double> referenceAccuracy;
  std::optional<std::string> floatAccuracy;
  std::string driverJson;  ///< the driver's timing report (latency, II, rate)
  double latencyCycles = 0, iiCycles = 0, imagesPerSecond = 0;
  double clockPeriodNs = 0;
  int axiViolations = 0;
};

/// Compiles the design with Verilator (once; reused while the RTL is unchanged), streams the
/// images back to back (`repeat` times), optionally with mid-stream resets, and compares every
/// output bit of every image not abandoned by a reset with the reference (sim/README.md).
/// @throws Error when a tool is missing or fails, the simulation deadlocks, or a requested
///         reset falls after the end of the run.
SimSummary simulate(const SimOptions& opt, const Progress& progress);

/// The distribution of a set of real values, kept in constant memory: exact minimum, maximum,
/// count and zeros, and a histogram of log2 |v| in quarter-octave bins over [2^-64, 2^64).
struct ValueStats {
  double min = 0, max = 0;  ///< valid when count > 0
  uint64_t count = 0, zeros = 0;
  std::vector<uint64_t> hist;  ///< log2|v| bins of 1/4, from -64 (empty until a nonzero value)
  /// Adds one value.
  void add(double v);
  /// The q-quantile (0..1) of log2 |v| over the nonzero values, to the bin's lower edge
  /// (1/4 octave); -inf when there are none.
  double log2Quantile(double q) const;
};

/// One layer's numbers as `nngen profile` reports them (the IR layer after the passes: a
/// BatchNorm folded into a Conv2D shows as that Conv2D).
struct LayerProfile {
  std::string layer;
  LayerKind kind = LayerKind::ReLU;
  std::vector<std::string> specLayers;  ///< the spec's layers it stands for (itself, folded BNs)
  bool hasWeights = false;
  FixedType weightType, biasType, resultType;
  std::optional<FixedType> accumType;
  ValueStats weights, bias;  ///< the float constants (after BatchNorm folding), before PTQ
  ValueStats acc;            ///< exact weighted sums (dot products) before a user accumulator
  ValueStats out;            ///< the values the result type converts (ValueProbe::pre)
  uint64_t weightOverflow = 0, biasOverflow = 0, accOverflow = 0, outOverflow = 0;
};

/// `nngen import MODEL -o DIR`: the model's spec (YAML) and .npy weights into DIR, created or
/// replaced as a whole by the rules of `nngen build`'s output folder (OutputFolder).
/// @throws Error from importInto (import/import.h) or the output folder; nothing is written
ImportSummary importModel(const ImportOptions& opt, const std::string& outDir,
                          const Progress& progress);

/// Options of `nngen profile`.
struct ProfileOptions {
  std::string spec;
  std::string input;     ///< .npy inputs (empty: the spec's test_data)
  std::string outDir;    ///< profile.txt, profile.json, profile.png (and suggested.yaml)
  size_t maxImages = 0;  ///< 0: all
  bool suggest = false;  ///< also write suggested.yaml with the narrowest types
  double margin = 1.5;   ///< --suggest: accumulator and result types hold the observed range
                         ///< times this factor (weights and biases: exactly their values)
};

/// What `nngen profile` found.
struct ProfileSummary {
  size_t images = 0;
  std::vector<LayerProfile> layers;
  std::string table;                  ///< the text table (also in profile.txt)
  std::vector<std::string> findings;  ///< overflows and wasted integer bits, one line each
  std::vector<std::string> files;     ///< written, relative to outDir
  std::vector<Warning> warnings;      ///< from loading and the passes
};

/// Numerical profiling (the hls4ml CNN paper's figure 7): runs the reference on the test data
/// and reports, per layer, the ranges of its weights, biases, accumulators and outputs against
/// what each type can hold; finds values that overflow and types with unused integer bits;
/// draws the log2 |value| distributions per layer as box plots over the types' ranges
/// (profile.png, with gnuplot); with `suggest`, writes the spec with the narrowest type per
/// layer that holds the observed range (times `margin` for accumulators and results; fraction
/// bits and modes kept).
/// @throws Error when there are no test data, the inputs do not fit, gnuplot fails, or the
///         output folder may not be written (then nothing is written).
ProfileSummary profileNetwork(const ProfileOptions& opt, const Progress& progress);

/// A resource count of one part from one Yosys run.
struct PartReport {
  std::string part;    ///< e.g. xcvu9p-flgb2104-2L-e
  std::string family;  ///< synth_xilinx -family
  double luts = 0, lutLogic = 0, lutMemory = 0, ffs = 0, dsps = 0, bram36 = 0;
  double lutAvail = 0, ffAvail = 0, dspAvail = 0, bram36Avail = 0;
  double seconds = 0;  ///< Yosys wall time
  /// nngen's estimate for the part's family from the build's estimate.json (absent: none)
  std::optional<std::array<double, 4>> estimate;  ///< LUT, FF, DSP, BRAM36
};

/// Runs Yosys synth_xilinx on the design for the given parts ("all" or a short name such as
/// xcvu9p / xc7z020) and counts LUT / FF / DSP / BRAM cells. Runs up to `jobs` Yosys processes
/// at once (one per part; Yosys itself is single-threaded); reports come in knownParts() order.
/// @throws Error when the part is unknown, or Yosys is missing or fails.
std::vector<PartReport> synthesize(const std::string& rtlDir, const std::string& parts, int jobs,
                                   const Progress& progress);

/// Text table and JSON of synthesis reports.
std::string formatSynthTable(const std::vector<PartReport>& r);
std::string synthJson(const std::vector<PartReport>& r);

}  // namespace nngen
