//! @file reference.h
//! @brief The bit-accurate C++ fixed-point executor: nngen's golden model.
//!
//! It runs the lowered graph (after runPasses) on raw integers with exactly the arithmetic in
//! Layer::Arith; the generated RTL must reproduce every output bit.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ir/graph.h"

namespace nngen {

/// A tensor of raw fixed-point integers, channels-last: element (h, w, c) is at
/// (h * shape.w + w) * shape.c + c.
struct IntTensor {
  Shape shape;
  std::vector<int64_t> v;
  int64_t at(int h, int w, int c) const { return v[(int64_t{h} * shape.w + w) * shape.c + c]; }
};

/// Network inputs ready for the reference and the hardware.
struct InputBatch {
  std::vector<IntTensor> images;  ///< raw integers of the graph's input type
  std::vector<int> labels;        ///< empty when no labels were given
};

/// Reads network inputs from a .npy file.
///  - uint8 (N, h, w) or (N, h, w, c): stored images; the spec's preprocessing (pad, repeat
///    channels, x = pixel * scale + offset) is applied, then quantized into the input type.
///  - float32/float64 (N, H, W, C), or (N, features) for a flat input: values already in the
///    network's input units, quantized into the input type.
/// @param labelsPath optional integer .npy (N,) of class labels ("" for none)
/// @param maxImages  read at most this many (0 = all)
/// @throws Error naming the file on a shape or dtype that does not fit the network input.
InputBatch loadInputs(const Graph& g, const std::string& imagesPath, const std::string& labelsPath,
                      size_t maxImages = 0);

/// What one output value of a layer was before its result type converted it, as real numbers
/// (for `nngen profile`): `acc` is the exact weighted sum (dot products; before a user
/// accumulator type's overflow step), `pre` the value the result type then converts (after that
/// step; the maximum, ReLU or exact mean for the other kinds, where acc = pre).
struct ValueProbe {
  double acc = 0, pre = 0;
};
/// Executes one layer on raw integers (the graph must have been through runPasses).
/// @param probe when given, receives one ValueProbe per output value, in output order
/// @throws Error if a product overflows 64 bits (only possible with a user accumulator type).
IntTensor runLayer(const Layer& l, const IntTensor& in, std::vector<ValueProbe>* probe = nullptr);

/// Executes every layer; returns the last layer's output.
IntTensor runNetwork(const Graph& g, const IntTensor& input);

/// Index of the largest value (the first one on ties, like numpy.argmax).
int argmax(const IntTensor& t);

}  // namespace nngen
