//! @file design.h
//! @brief Turns a lowered Graph into Verilog modules: one streaming module per layer group, an
//!        argmax output stage and an AXI4-Stream top level.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "emit/netlist.h"
#include "emit/plan.h"
#include "ir/graph.h"

namespace nngen {

/// One generated Verilog module: a windowed layer (Conv2D, Dense, pooling) together with the
/// element-wise layers after it (ReLU, BatchNorm as scale-and-shift) that it absorbs.
struct ModuleInfo {
  std::string name;                 ///< Verilog module (and file) name
  std::vector<std::string> layers;  ///< the spec layers it implements, in order
  std::string description;          ///< one line: kinds and geometry
  Shape in, out;                    ///< stream shapes (pixels of channels)
  int inChannelBits = 0;            ///< bits per input channel value
  int outChannelBits = 0;           ///< bits per output channel value
  /// The nn_sliding_window parameters of a windowed module (unset: an element-wise module or
  /// the argmax stage, which register their input beat instead).
  struct Window {
    int imgH = 1, imgW = 1, kernelH = 1, kernelW = 1, strideH = 1, strideW = 1;
    Padding pad;
  };
  std::optional<Window> window;
  int windowLatency = 0;          ///< cycles from an accepted beat to its window (0 or 1)
  int pipelineStages = 0;         ///< register stages of the compute netlist (cycles)
  Netlist::Stats stats;           ///< adders, comparators, requantizers emitted
  int accumulatorBits = 0;        ///< widest adder-tree root (exact accumulator), bits
  std::optional<LayerFold> fold;  ///< set for a folded Conv2D/Dense module
  int foldSteps = 1;       ///< cycles a window (or pixel) is held: NF * SF (1: one per cycle)
  int foldVectors = 1;     ///< windows (pixels) per output pixel: V
  int fifoDepth = 0;       ///< FIFO in front of the module in the top level (0: a skid buffer)
  int foldWeightBits = 0;  ///< folded: bits per weight in the ROM
  /// A folded module's weight ROM (one, or one per systolic delay with DSP cascades).
  struct Rom {
    int words = 0;         ///< T, one per fold step
    int varyingBits = 0;   ///< bit columns not constant over the words (synthesis drops the rest)
    int distinctBits = 0;  ///< distinct varying columns (synthesis shares identical ones)
  };
  std::vector<Rom> foldRoms;
  /// Delay lines of 3 or more cycles (a DSP cascade's activation skew): synthesis maps them to
  /// shift-register LUTs (SRL16E / SRLC32E), one LUT per bit and 32 cycles.
  int shiftRegisterLuts = 0;
  std::string verilog;  ///< the file's full text
};

/// The whole generated design.
struct Design {
  std::string top;                  ///< top module name (<name>_top)
  std::vector<ModuleInfo> modules;  ///< in stream order, the argmax stage last when present
  std::string topVerilog;           ///< the top module's file text
  int inBits = 0;                   ///< data bits per input beat (channels * width)
  int axiInBits = 0;                ///< s_axis_tdata width: inBits rounded up to bytes
  int outBits = 0;                  ///< data bits per output beat (logits + class)
  int axiOutBits = 0;               ///< m_axis_tdata width
  int inBeatsPerImage = 0;          ///< H * W of the input
  int outBeatsPerImage = 0;         ///< 1 for a classifier, H * W of the output otherwise
  bool hasClass = false;            ///< output beat carries an argmax class index
  int classBits = 0;                ///< width of the class field, above the logits
  int outChannels = 0;              ///< values per output beat
  int outValueBits = 0;             ///< bits per output value
  FixedType outType;                ///< type of the output values
  int pipelineCycles = 0;           ///< sum over modules of window + pipeline latency
  /// Exact latency a simulation of images streamed back to back without stalls measures
  /// (nn_sim's latency_max): cycles from the first input beat of an image accepted to its last
  /// output beat accepted, the largest over the images (streamTiming()).
  int latencyCycles = 0;
  /// The same, from the image's last input beat accepted; negative when the last output beat
  /// leaves before the last input beat is taken (trailing pixels that no output reads)
  int latencyAfterLastInput = 0;
  int iiCycles = 0;  ///< the same stream's II: cycles between consecutive images' last beats
};

/// Timing of a stream of images, in cycles (streamTiming()).
struct StreamTiming {
  int latency = 0;         ///< first input beat -> last output beat, the largest over the images
  int afterLastInput = 0;  ///< last input beat -> last output beat, the largest
  int ii = 0;              ///< the largest gap between consecutive images' last output beats
};

/// Latency and II of the design as sim/nn_sim.cpp measures them, from a cycle-accurate model of
/// the generated control logic alone (skid buffers, FIFOs, sliding-window counters with padding
/// and stride, fold counters, valid pipelines, clock enables; no data): `images` images are
/// streamed with m_axis_tready always high, back to back, or with imageInterval > 0 each
/// image's beats offered from cycle k * imageInterval on (image k, from 0; a source paced at
/// that II, e.g. the planner's target II).
/// @throws std::logic_error if the model stops moving (a bug).
StreamTiming streamTiming(const Design& d, int images, int imageInterval = 0);

/// The hand-written modules of rtl_primitives/ every design uses (file `<name>.v`).
inline constexpr const char* kPrimitiveModules[] = {
    "nn_fifo",          "nn_mac_chain",  "nn_mul_lut",     "nn_mul_packed",
    "nn_pipeline_ctrl", "nn_requantize", "nn_skid_buffer", "nn_sliding_window"};

/// Splits free text (a description, a file name) into lines that are safe inside a `//` or `#`
/// comment: line breaks (LF, CR, CRLF, vertical tab, form feed) start a new line and every
/// other control character is written as `\xNN`, so no text can end the comment and inject code.
std::vector<std::string> commentLines(const std::string& text);

/// Builds the design. Deterministic: the same graph gives the same bytes.
/// @param g        a graph after runPasses
/// @param producer text for the generated files' header ("nngen 0.1.0 from net.yaml")
/// @throws Error when names derived from the spec collide in the Verilog (two modules, files,
///         instances or wires of one name; a reserved word), naming the layer
/// @param plan     the fold of every Conv2D/Dense (absent: unfolded) and the module FIFOs
Design emitDesign(const Graph& g, const std::string& producer, const FoldPlan& plan);

/// The module of one Conv2D/Dense layer l and the element-wise layers after it, folded by f
/// (design.cpp calls it; the planner calls it to learn a fold's pipeline depth).
ModuleInfo emitFoldedModule(const Graph& g, const Layer& l, const std::vector<const Layer*>& after,
                            const LayerFold& f, const std::string& producer);

}  // namespace nngen
