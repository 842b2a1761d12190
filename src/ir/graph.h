//! @file graph.h
//! @brief The network IR: layers in order, tensor shapes, float parameters, fixed-point types.
//!
//! Every tensor is channels-last, H x W x C; a flat vector of N values is 1 x 1 x N. The spec
//! loader builds a Graph; passes (src/passes) transform it; the reference (src/ref) and the
//! emitter (src/emit) only read it.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "ir/diagnostic.h"
#include "ir/divide.h"
#include "ir/fixed.h"
#include "ir/layer_kind.h"

namespace nngen {

/// A tensor shape in channels-last order.
struct Shape {
  int h = 1;  ///< rows (pixels)
  int w = 1;  ///< columns (pixels)
  int c = 1;  ///< channels
  int64_t size() const { return int64_t{h} * w * c; }
  bool operator==(const Shape&) const = default;
};

/// Dense float data with its dimensions, C order (last index fastest), as read from .npy.
struct FloatTensor {
  std::vector<size_t> dims;
  std::vector<double> data;
  bool empty() const { return data.empty(); }
};

/// Zero padding in pixels on each side of a Conv2D input.
struct Padding {
  int top = 0, bottom = 0, left = 0, right = 0;
};

/// Quantized (integer) parameters of a layer, filled by the PTQ pass. For Conv2D/Dense the
/// kernel is in [kh][kw][cin][cout] order (Dense: kh = in.h, kw = in.w, cin = in.c); for a
/// BatchNorm kept as scale-and-shift it holds one scale per channel.
struct QuantParams {
  std::vector<int64_t> kernel;  ///< raw integers of weightType
  std::vector<int64_t> bias;    ///< raw integers of biasType, one per output channel (or empty)
};

/// How a folded (reuse factor > 1) Conv2D/Dense multiplies its inputs by weights read from a
/// ROM: `multipliers:` in the spec. Unfolded layers always use constant (CSD) multipliers.
enum class Multipliers {
  Auto,  ///< the planner picks the cheaper of Lut and Dsp
  Lut,   ///< shift-and-add multipliers in LUTs (rtl_primitives/nn_mul_lut.v)
  Dsp,   ///< DSP slices, two or four products per DSP when they fit (nn_mul_packed.v)
};

/// The spec's name of a Multipliers value (`auto`, `lut`, `dsp`).
const char* multipliersName(Multipliers m);

/// The function table of a Sigmoid, Tanh or Softmax layer (table-based activations as in
/// hls4ml's nnet_activation.h). Entry i stands for the raw inputs x with
/// floor((x - inLo) / 2^shift) = i; inputs below the first entry take it, inputs beyond the
/// last take the last (saturation). Each entry holds the function at the middle of the input
/// values that read it, converted into `type` (its rounding and overflow). Built once by the
/// lower-arithmetic pass; the reference and the emitted ROM read the same entries.
struct LookupTable {
  int64_t inLo = 0;             ///< raw input of entry 0's first value
  int shift = 0;                ///< log2 of the raw inputs per entry
  std::vector<int64_t> values;  ///< raw integers of `type`; size a power of two
  FixedType type;               ///< the entries' type
  /// The entry raw input x reads: clamp((x - inLo) >> shift, 0, size - 1).
  size_t index(int64_t x) const;
  /// values[index(x)].
  int64_t lookup(int64_t x) const { return values[index(x)]; }
};

/// One layer. Fields not used by its kind keep their defaults.
struct Layer {
  std::string name;
  LayerKind kind = LayerKind::ReLU;
  SourceLoc loc;  ///< where the layer is defined in the spec
  Shape in, out;

  // Conv2D / pooling geometry (Dense: kernel = whole input, stride 1).
  int kernelH = 1, kernelW = 1, strideH = 1, strideW = 1;
  Padding pad;

  // Float parameters as loaded (Conv2D/Dense kernel in [kh][kw][cin][cout] order).
  FloatTensor kernel, bias;
  FloatTensor gamma, beta, movingMean, movingVariance;  ///< BatchNorm
  double epsilon = 1e-3;                                ///< BatchNorm
  std::vector<std::string> foldedLayers;                ///< BatchNorms folded into this layer

  // Sigmoid / Tanh / Softmax: the tables' size and input range (hls4ml's defaults: 1024
  // entries over inputs in [-8, 8) for Sigmoid, [-4, 4) for Tanh and differences x - max in
  // [-8, 0] for Softmax's exponential), and Softmax's two table types.
  int tableSize = 1024;   ///< entries (a power of two; fewer when the input has fewer values)
  double tableRange = 8;  ///< R, a power of two: inputs [-R, R) (Softmax: x - max in [-R, 0])
  /// Softmax: e^(x - max), values in (0, 1] (default ap_ufixed<17,1,AP_RND,AP_SAT>: signed,
  /// 18 bits, one DSP operand)
  FixedType expTableType{17, 1, false, Rounding::Rnd, Overflow::Sat};
  /// Softmax: 1 / sum of the exponentials (default ap_ufixed<17,1,AP_RND,AP_SAT>)
  FixedType invTableType{17, 1, false, Rounding::Rnd, Overflow::Sat};

  // Fixed-point types (resolved against the model defaults by the loader).
  FixedType weightType, biasType, resultType;
  std::optional<FixedType> accumType;  ///< user-given accumulator; unset = exact, derived
  bool resultTypeSet = false;  ///< the spec gave this layer's result type (else the default)

  QuantParams q;  ///< filled by the quantize pass

  // Folding (Conv2D / Dense): hls4ml's ReuseFactor. 0 = chosen by the planner (src/emit/plan.h);
  // 1 = fully parallel constant multipliers; R > 1 = every multiplier is used R times per output
  // pixel (the layer takes at most R cycles per output pixel).
  int reuseFactor = 0;
  Multipliers multipliers = Multipliers::Auto;
  SourceLoc reuseLoc;           ///< where reuse_factor / multipliers were given (or the layer)
  bool reuseFactorSet = false;  ///< the layer itself gives reuse_factor (not hardware's default)

  /// The integer arithmetic of the layer, decided by the lower-arithmetic pass; the reference
  /// (src/ref) and the emitter (src/emit) both execute exactly this, nothing else.
  ///
  /// Conv2D / Dense / BatchNorm (scale-and-shift) compute, per output value,
  ///   acc = sum_i p_i + bias[n], p_i = x_i * coeff_i (raw integers, product frac = inFrac +
  ///   coeffFrac), and the result is requantize(acc, accFrac, resultType).
  ///   Without an accumulator type every p_i is exact (accFrac = inFrac + coeffFrac, bias
  ///   shifted to it) and acc cannot overflow. With a user accumulator type every p_i is rounded
  ///   to its fraction bits with its rounding mode (roundFrac: no overflow), the bias has been
  ///   rounded the same way, the exact sum of these gets the accumulator's overflow mode once
  ///   (requantize(acc, accFrac, accumType)), then the result type's conversion.
  /// AveragePooling2D: acc = the sum of the window's raw inputs (coeff = {1}); the result is
  ///   the exact mean acc / (kh*kw) rounded and overflowed by the result type:
  ///   - kh*kw a power of two 2^j: requantize(acc, accFrac = inFrac + j, resultType);
  ///   - otherwise (divisor > 1): requantize(stickyQuotient(acc * 2^numShift, divisor),
  ///     resultFrac + 2, resultType), with acc / divisor = mean at the result's fraction bits
  ///     (numShift = max(0, resultFrac - inFrac), divisor = kh*kw * 2^max(0, inFrac -
  ///     resultFrac)); the hardware computes stickyQuotient with `divider` (multiply and shift,
  ///     proven exact over [accMin, accMax] * 2^numShift).
  /// MaxPooling2D / ReLU: the result is requantize(max(...) or max(0, x), inType frac,
  ///   resultType).
  /// Sigmoid / Tanh: the result is table.lookup(x) (table.type = resultType).
  /// Softmax, per pixel of n channels x_c: m = max_c x_c, e_c = table.lookup(x_c - m) (raw
  ///   exponentials, expTableType), S = sum_c e_c (exact), r = invTable.lookup(S) (invTableType),
  ///   result_c = requantize(e_c * r, exp frac + inv frac, resultType).
  /// A `binary` result type takes the sign of the value it converts (FixedType); a BatchNorm
  ///   with a binary result has coeff in {-1, 0, +1} and its threshold as bias (coeffFrac 0,
  ///   accFrac = the input's), see lowerArithmetic. A `binary` input's raw values are -1/+1.
  struct Arith {
    std::vector<int64_t> coeff;   ///< Conv/Dense: [kh][kw][cin][cout]; BN: [c]; AvgPool: {1}
    int coeffFrac = 0;            ///< fractional bits of coeff (AvgPool: log2 of a 2^j window)
    int accFrac = 0;              ///< fractional bits of acc
    std::vector<int64_t> bias;    ///< per output channel, raw at accFrac (empty: no bias)
    std::vector<int64_t> accMin;  ///< per channel: smallest possible acc before any overflow
    std::vector<int64_t> accMax;  ///< per channel: largest possible acc before any overflow
    int64_t divisor = 1;          ///< AvgPool, window not a power of two: see above (else 1)
    int numShift = 0;             ///< AvgPool: left shift of acc before the division
    ConstDivider divider;         ///< AvgPool: the hardware's exact multiply-shift division
    LookupTable table;            ///< Sigmoid/Tanh: f(x); Softmax: e^(x - max)
    LookupTable invTable;         ///< Softmax: 1 / S
  } arith;
  FixedType inType;  ///< type of the input tensor (previous layer's result), set with arith

  /// The kernel's dimensions [kernelH][kernelW][in.c][out.c] (weighted kinds).
  KernelDims kernelDims() const { return KernelDims{kernelH, kernelW, in.c, out.c}; }
};

/// One input feeding an output channel: `input` indexes the values one output pixel reads
/// (windowed kinds: the window [kh][kw][cin], windowIndex order, as nn_sliding_window delivers
/// it; pointwise kinds: the pixel's channels), `coeff` indexes Layer::Arith::coeff (and the
/// quantized kernel) for dot-product kinds (AllChannels: kernelIndex; Pointwise: the channel;
/// SameChannel: 0, average pooling's {1}).
struct Tap {
  size_t input = 0;
  size_t coeff = 0;
};

/// A product x * coeff of Layer::Arith (raw, with inType.fracBits() + arith.coeffFrac fraction
/// bits) as it enters the accumulator: unchanged with the exact accumulator; rounded to a user
/// accumulator type's fraction bits with its rounding mode (no overflow step) otherwise. The
/// one place this rule is written: the reference and the emitter both call it.
/// @throws std::overflow_error when the rounded value needs more than 62 bits
int64_t accumulatedProduct(const Layer& l, int64_t product);
/// The taps of output channel n of l, by its kind's TapPattern (kindInfo), in window order.
/// Empty for TapPattern::None.
std::vector<Tap> layerTaps(const Layer& l, int n);

/// Host-side preprocessing of stored uint8 images into the network input, in this order:
/// zero-pad the stored image, repeat its channels, then x = pixel * scale + offset, then
/// quantize into the input precision. A padded position therefore holds `offset` (pixel 0
/// normalized), unless padValue is given: then it holds padValue (e.g. 0.0 for a model trained
/// with zero padding after normalization).
struct Preprocess {
  Padding pad;
  int repeatChannels = 1;
  double scale = 1.0;
  double offset = 0.0;
  std::optional<double> padValue;  ///< network-input value of padded positions (unset: offset)
};

/// Labelled test images shipped with a spec (paths resolved against the spec's folder).
struct TestData {
  std::string images;  ///< .npy uint8, (N, h, w) or (N, h, w, c), before preprocessing
  std::string labels;  ///< .npy integer, (N,)
  std::vector<std::string> classes;
};

/// Options of the generated hardware.
struct HardwareOptions {
  int adderLevelsPerStage = 2;  ///< adder (or comparator) levels between pipeline registers
  double clockPeriodNs = 5.0;   ///< target clock (200 MHz like the paper) for the scripts
  int reuseFactor = 0;          ///< default reuse factor of Conv2D/Dense layers (0: the planner's)
  Multipliers multipliers = Multipliers::Auto;  ///< default multipliers of folded layers
};

/// A whole network as the passes see it.
struct Graph {
  std::string name;  ///< design name; also the Verilog top-level prefix
  std::string description;
  std::string specPath;  ///< the YAML file it was loaded from
  Shape input;
  FixedType inputType;
  SourceLoc inputLoc;
  Preprocess preprocess;
  std::vector<Layer> layers;
  std::optional<TestData> testData;
  HardwareOptions hardware;
  std::map<std::string, std::string> metadata;  ///< free-form `metadata:` scalars, as text
  std::vector<Warning> warnings;  ///< collected by the loader and the passes; the CLI prints them

  /// Output shape of the last layer (the input shape when there are no layers).
  Shape outputShape() const { return layers.empty() ? input : layers.back().out; }
};

/// Checks the invariants every pass must keep: shapes chain from the input, parameter sizes
/// match shapes, quantized parameters (when present) match the float ones in size.
/// @throws Error naming the layer and the broken invariant (an nngen bug, not a user error).
void verifyGraph(const Graph& g, const std::string& afterPass);

/// A readable dump of the graph (one line per layer: kind, shapes, types), for --dump-ir-after.
std::string dumpGraph(const Graph& g);

}  // namespace nngen
