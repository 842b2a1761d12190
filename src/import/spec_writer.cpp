//! @file spec_writer.cpp
//! @brief The spec, weights and log an importer writes.
#include "import/spec_writer.h"

#include <fmt/format.h>

#include <cctype>
#include <fstream>

#include "spec/npy.h"

namespace nngen {

SpecWriter::SpecWriter(std::filesystem::path dir, std::string precision)
    : dir_(std::move(dir)), precision_(std::move(precision)) {}

std::string SpecWriter::identifier(std::string s) {
  for (char& c : s)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') c = '_';
  if (s.empty() || std::isdigit(static_cast<unsigned char>(s[0]))) s = "m_" + s;
  return s;
}

YAML::Node SpecWriter::layer(const std::string& name, const char* type) {
  YAML::Node n;
  n.SetStyle(YAML::EmitterStyle::Flow);
  n["name"] = name;
  n["type"] = type;
  return n;
}

void SpecWriter::setPrecision(YAML::Node n, const char* key, const std::string& type) {
  if (type.empty()) return;
  if (n["precision"] && n["precision"].IsScalar()) {
    const std::string one = n["precision"].as<std::string>();
    n["precision"] = YAML::Node(YAML::NodeType::Map);
    for (const char* k : {"weight", "bias", "result"}) n["precision"][k] = one;
  }
  if (!n["precision"]) n["precision"] = YAML::Node(YAML::NodeType::Map);
  n["precision"].SetStyle(YAML::EmitterStyle::Flow);
  n["precision"][key] = type;
}

void SpecWriter::push(const YAML::Node& layer, const std::string& logLine) {
  layers_.push_back(layer);
  log_.push_back(logLine);
}

std::string SpecWriter::save(const std::string& layer, const std::string& key,
                             const std::vector<size_t>& dims, const std::vector<double>& values) {
  std::filesystem::create_directories(dir_ / "weights");
  const std::string rel = fmt::format("weights/{}_{}.npy", layer, key);
  saveNpyFloat32((dir_ / rel).string(), dims, values);
  files_.push_back(rel);
  return rel;
}

ImportSummary SpecWriter::write(const std::string& name, const std::string& description,
                                const std::string& header) {
  YAML::Node root;
  root["nngen"] = 1;
  root["name"] = name;
  root["description"] = description;
  root["precision"]["default"] = precision_;
  root["input"]["shape"] = input_["shape"];
  root["input"]["precision"] =
      input_["precision"] ? input_["precision"].as<std::string>() : precision_;
  root["layers"] = layers_;
  ImportSummary s;
  s.spec = name + ".yaml";
  YAML::Emitter e;
  e << root;
  std::ofstream(dir_ / s.spec) << "# " << header << "\n" << e.c_str() << "\n";
  std::string log;
  for (const std::string& line : log_) log += line + "\n";
  std::ofstream(dir_ / "import.log") << log;
  s.files = files_;
  s.files.push_back(s.spec);
  s.files.push_back("import.log");
  s.log = log_;
  return s;
}

}  // namespace nngen
