//! @file spec_writer.h
//! @brief The back half every importer shares: the spec it builds up (YAML), the weight files it
//!        writes (.npy) and its log, written as <name>.yaml, weights/ and import.log.
#pragma once

#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <string>
#include <vector>

#include "import/import.h"

namespace nngen {

/// One spec being written into a folder by an importer.
class SpecWriter {
 public:
  /// @param dir       the folder <name>.yaml, weights/ and import.log go to (it exists)
  /// @param precision precision.default and the input's precision until an importer sets one
  SpecWriter(std::filesystem::path dir, std::string precision);

  /// A name the spec accepts for a layer or network (letters, digits and _, not starting with a
  /// digit) made from any text: other characters become _.
  static std::string identifier(std::string s);
  /// A new layer mapping {name, type}, printed in flow style.
  static YAML::Node layer(const std::string& name, const char* type);
  /// Sets precision.<key> of a layer (a one-string precision is spelled out as weight, bias
  /// and result first); does nothing for an empty type.
  static void setPrecision(YAML::Node layer, const char* key, const std::string& type);

  /// The spec's `input` mapping: an importer sets its shape, and its precision when the model
  /// quantizes the input (else the import's precision).
  YAML::Node input() { return input_; }
  /// Appends a layer, and its line to the log.
  void push(const YAML::Node& layer, const std::string& logLine);
  /// A log line about what became no layer of its own (dropped, or merged into another).
  void note(const std::string& logLine) { log_.push_back(logLine); }
  /// The layers pushed so far.
  size_t layers() const { return layers_.size(); }
  /// The last layer pushed (a reference into the spec: changes to it are kept).
  YAML::Node last() { return layers_[layers_.size() - 1]; }
  /// Writes weights/<layer>_<key>.npy (float32, C order, `dims`).
  /// @returns its path relative to the folder, as the spec names it
  std::string save(const std::string& layer, const std::string& key,
                   const std::vector<size_t>& dims, const std::vector<double>& values);
  /// Writes <name>.yaml (a first comment line `header`, then nngen, name, description,
  /// precision, input, layers) and import.log.
  /// @returns the files written and the log
  ImportSummary write(const std::string& name, const std::string& description,
                      const std::string& header);

 private:
  std::filesystem::path dir_;
  std::string precision_;
  YAML::Node input_{YAML::NodeType::Map}, layers_{YAML::NodeType::Sequence};
  std::vector<std::string> files_, log_;
};

}  // namespace nngen
