//! @file import.h
//! @brief Front ends from the model files users have to nngen's spec: a Keras/QKeras model
//!        (HDF5, with its architecture JSON inside or beside it) or an ONNX/QONNX model becomes
//!        a YAML spec plus .npy weights that a user can read and edit. The YAML stays the one
//!        interchange format: nothing behind the spec loader knows a model came from an import.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace nngen {

/// What to import.
struct ImportOptions {
  /// The model: a Keras HDF5 file (.h5, .hdf5: a whole model with its `model_config`, or the
  /// weights of a .json given as `weights`), a Keras architecture .json (hls4ml's example
  /// models: KERAS_3layer.json with KERAS_3layer_weights.h5 beside it) or an ONNX model (.onnx,
  /// QONNX's Quant nodes included).
  std::string model;
  /// Keras: the weights file of a .json architecture (default: <stem>_weights.h5, else
  /// <stem>.h5, beside it).
  std::string weights;
  /// precision.default of the spec written (hls4ml's default type); QKeras quantizers give
  /// their layers exact types of their own.
  std::string precision = "ap_fixed<16,6>";
};

/// What an import wrote.
struct ImportSummary {
  std::string spec;                ///< the spec's file name, relative to the folder
  std::vector<std::string> files;  ///< every file written, relative to the folder
  std::vector<std::string> log;    ///< one line per layer: what it became, or why it was dropped
};

/// The nngen type of a QKeras quantizer given in QKeras's string form, e.g.
/// "quantized_bits(6, 0, alpha=1)" -> "ap_fixed<6,1,AP_RND_CONV,AP_SAT>" (src/import/keras.cpp
/// derives each from QKeras's definition); `activation`: as a QActivation (quantized_relu).
/// @throws std::invalid_argument for alpha != 1, stochastic rounding, an unsupported quantizer
std::string qkerasType(const std::string& quantizer, bool activation);

/// Whether `path` names a model file nngen imports (by its extension: .h5, .hdf5, .json,
/// .onnx) rather than a YAML spec.
bool isModelFile(const std::string& path);
/// The extension of `path` in lower case, with its dot (".onnx").
std::string modelExtension(const std::string& path);

/// Imports opt.model into the existing folder `dir`: <name>.yaml, weights/<layer>_<param>.npy
/// and import.log (the log lines).
/// @throws Error naming the file and the layer (or node) for an unreadable or truncated file,
///         an unsupported layer, attribute value or quantizer, or a graph with a branch; the
///         caller removes `dir` (the output-folder rules of docs/architecture.md)
ImportSummary importInto(const ImportOptions& opt, const std::filesystem::path& dir);

/// The front ends importInto chooses from by extension (same contract): Keras/QKeras
/// (src/import/keras.cpp) and ONNX/QONNX (src/import/onnx.cpp).
ImportSummary importKeras(const ImportOptions& opt, const std::filesystem::path& dir);
ImportSummary importOnnx(const ImportOptions& opt, const std::filesystem::path& dir);

}  // namespace nngen
