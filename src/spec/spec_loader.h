//! @file spec_loader.h
//! @brief Reads a network spec (YAML, format in docs/spec.md) and its .npy weights into a Graph.
#pragma once

#include <string>

#include "ir/graph.h"

namespace nngen {

/// Loads and validates a spec file and every weight file it names, infers all shapes and
/// resolves every layer's precision against the model defaults.
/// @param path the YAML file; weight paths in it are relative to its folder
/// @returns the graph, layers in spec order (Flatten and BatchNorm still present)
/// @throws Error naming the file, YAML line and layer for: YAML syntax errors, keys given twice
///         in a mapping, more than one YAML document, unknown keys or layer types, missing keys,
///         invalid precision strings, non-finite numbers (.inf, .nan), sizes above 65535 or
///         tensors above 2^26 elements, paths that are not regular files (directories, FIFOs,
///         devices), missing/truncated weight files, dtype or shape mismatches between spec and
///         weights, kernels larger than their input, duplicate layer names.
Graph loadSpec(const std::string& path);

/// Output shape of a Conv2D/pooling window: floor((in + padBefore + padAfter - k) / s) + 1.
int windowOutputSize(int in, int padBefore, int padAfter, int k, int s);

/// Keras 'same' padding for one axis: total = max((ceil(in/s) - 1) * s + k - in, 0), split
/// with the smaller half first (top/left), as TensorFlow does.
/// @returns {before, after}
std::pair<int, int> samePadding(int in, int k, int s);

}  // namespace nngen
