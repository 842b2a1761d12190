//! @file layer_kind.cpp
//! @brief The kind table: one row per layer kind.
#include "ir/layer_kind.h"

#include <array>
#include <stdexcept>

namespace nngen {

namespace {

using TP = TapPattern;
using SC = ScaleCommute;

// One row per kind, in LayerKind order:
//   kind, specName, windowed, hasWeights, foldsBatchNorm, passesScale, dotProduct, taps
constexpr std::array<LayerKindInfo, 10> kKinds = {{
    {LayerKind::Conv2D, "Conv2D", true, true, true, SC::No, true, TP::AllChannels},
    {LayerKind::Dense, "Dense", true, true, true, SC::No, true, TP::AllChannels},
    {LayerKind::MaxPool2D, "MaxPooling2D", true, false, false, SC::NonNegative, false,
     TP::SameChannel},
    {LayerKind::AvgPool2D, "AveragePooling2D", true, false, false, SC::Always, false,
     TP::SameChannel},
    {LayerKind::BatchNorm, "BatchNormalization", false, false, false, SC::No, true, TP::Pointwise},
    {LayerKind::ReLU, "ReLU", false, false, false, SC::No, false, TP::Pointwise},
    {LayerKind::Flatten, "Flatten", false, false, false, SC::No, false, TP::None},
    {LayerKind::Sigmoid, "Sigmoid", false, false, false, SC::No, false, TP::Pointwise},
    {LayerKind::Tanh, "Tanh", false, false, false, SC::No, false, TP::Pointwise},
    {LayerKind::Softmax, "Softmax", false, false, false, SC::No, false, TP::WholePixel},
}};

constexpr bool tableInOrder() {
  for (size_t i = 0; i < kKinds.size(); ++i)
    if (static_cast<size_t>(kKinds[i].kind) != i) return false;
  return true;
}
static_assert(tableInOrder(), "kKinds rows must follow the LayerKind order");

}  // namespace

const LayerKindInfo& kindInfo(LayerKind kind) {
  const auto i = static_cast<size_t>(kind);
  if (i >= kKinds.size()) throw std::logic_error("kindInfo: a LayerKind without a table row");
  return kKinds[i];
}

const char* kindName(LayerKind kind) { return kindInfo(kind).specName; }

std::optional<LayerKind> kindFromSpecName(std::string_view specName) {
  for (const LayerKindInfo& k : kKinds)
    if (specName == k.specName) return k.kind;
  return std::nullopt;
}

const char* knownKindNames() {
  static const std::string names = [] {
    std::string s;
    for (const LayerKindInfo& k : kKinds) s += (s.empty() ? "" : ", ") + std::string(k.specName);
    return s;
  }();
  return names.c_str();
}

}  // namespace nngen
