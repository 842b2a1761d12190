//! @file layer_kind.h
//! @brief The layer kinds and the one table that says what each kind is; the kernel layout.
//!
//! Passes, the reference and the emitter ask this table (and kernelIndex / layerTaps in
//! graph.h) instead of listing kinds themselves, so a new kind is one row here, the loader's
//! case and its compute cases (see docs/architecture.md, "Adding a layer kind").
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

namespace nngen {

/// The layer kinds of spec v1. Flatten only reshapes; BatchNormalization is folded into the
/// preceding Conv2D/Dense where that is exact, otherwise executed as a per-channel scale and
/// shift. Sigmoid, Tanh and Softmax are table-based (Layer::Arith::table; Softmax reads every
/// channel of its pixel).
enum class LayerKind {
  Conv2D,
  Dense,
  MaxPool2D,
  AvgPool2D,
  BatchNorm,
  ReLU,
  Flatten,
  Sigmoid,
  Tanh,
  Softmax
};

/// Which inputs feed output channel n of a layer (its taps, see layerTaps in graph.h).
enum class TapPattern {
  None,         ///< no arithmetic (Flatten: a reshape)
  AllChannels,  ///< every position of the window, every input channel (Conv2D, Dense)
  SameChannel,  ///< every position of the window, input channel n only (pooling)
  Pointwise,    ///< input channel n of the same pixel only (BatchNorm, ReLU, Sigmoid, Tanh)
  WholePixel,   ///< every channel of the same pixel (Softmax)
};

/// Whether a per-channel affine map y = s*x + t applied after a layer gives the same as
/// applying it before (so a BatchNorm after the layer can fold into the weighted layer before).
enum class ScaleCommute {
  No,           ///< never (weighted layers, ReLU, Flatten)
  Always,       ///< for any scale (average pooling: the mean is linear)
  NonNegative,  ///< when every channel's scale s >= 0 (max pooling: max(s*a, s*b) = s*max(a, b))
};

/// What a layer kind is, as one row of the kind table (the way hls4ml's config templates
/// describe a layer by data).
struct LayerKindInfo {
  LayerKind kind;
  const char* specName;  ///< the spec's `type:` (Keras class name)
  bool windowed;         ///< reads a kh x kw window through nn_sliding_window (starts a module)
  bool hasWeights;       ///< float kernel/bias (Conv2D, Dense), quantized into weight/bias types
  bool foldsBatchNorm;   ///< a BatchNorm after it can be folded into its weights and bias
  ScaleCommute passesScale;  ///< may a BatchNorm fold through it, back to a weighted layer?
  bool dotProduct;  ///< computes sum(x_i * coeff_i) + bias (Layer::Arith coeff/bias/bounds)
  TapPattern taps;  ///< which inputs feed output channel n
};

/// The table row of a kind.
const LayerKindInfo& kindInfo(LayerKind kind);

/// The spec's type name for a kind (`Conv2D`, `MaxPooling2D`, ...).
const char* kindName(LayerKind kind);

/// The kind whose spec name is `specName` (case-sensitive), or nothing.
std::optional<LayerKind> kindFromSpecName(std::string_view specName);

/// A comma-separated list of every kind's spec name, in table order (for error messages).
const char* knownKindNames();

/// Dimensions of a kernel in Keras layout [kh][kw][cin][cout] (Dense: kh = in.h, kw = in.w,
/// cin = in.c, cout = units).
struct KernelDims {
  int h = 1, w = 1, cin = 1, cout = 1;
  /// Number of coefficients h * w * cin * cout.
  size_t size() const { return size_t(h) * w * cin * cout; }
};

/// Flat index of kernel element [kh][kw][ci][co] in Keras's C-order layout (last index
/// fastest): ((kh * d.w + kw) * d.cin + ci) * d.cout + co. The one place this layout is derived.
constexpr size_t kernelIndex(const KernelDims& d, int kh, int kw, int ci, int co) {
  return ((size_t(kh) * d.w + kw) * d.cin + ci) * d.cout + co;
}

/// Flat index of window element [kh][kw][ci] as nn_sliding_window delivers it (and as the
/// reference gathers it): ((kh * kernelW + kw) * cin + ci); equals kernelIndex / cout.
constexpr size_t windowIndex(int kernelW, int cin, int kh, int kw, int ci) {
  return (size_t(kh) * kernelW + kw) * cin + ci;
}

}  // namespace nngen
