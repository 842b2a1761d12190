//! @file keras.cpp
//! @brief Keras and QKeras models (HDF5 weights, architecture JSON) into a nngen spec.
//!
//! The architecture is Keras's `model_config` JSON (the attribute of a whole-model .h5, or a
//! .json file beside the weights, as hls4ml's example models come); the weights are the HDF5
//! groups Keras's save_weights writes (`<layer>/<layer>/kernel:0`, listed by the attributes
//! layer_names and weight_names). QKeras quantizers become exact fixed-point types, derived from
//! QKeras's quantizer definitions (qkeras/quantizers.py): quantized_bits(bits, integer,
//! symmetric, keep_negative, alpha=1) rounds x * 2^(bits - keep_negative - integer) to the
//! nearest integer (ties to even, tf.round) and clips it to [-2^(bits-1) (+1 if symmetric),
//! 2^(bits-1) - 1], which is ap_fixed<bits, integer + 1, AP_RND_CONV, AP_SAT (AP_SAT_SYM)>; the
//! sign bit is not one of QKeras's `integer` bits, as the hls4ml CNN paper notes. Unsigned
//! (keep_negative = 0): ap_ufixed<bits, integer, AP_RND_CONV, AP_SAT>; quantized_relu(bits,
//! integer): the same unsigned type on a ReLU.
#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <fstream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <regex>
#include <set>

#include "import/hdf5_file.h"
#include "import/import.h"
#include "import/spec_writer.h"
#include "ir/diagnostic.h"
#include "spec/npy.h"
#include "spec/regular_file.h"

namespace nngen {

namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

bool hasExtension(const std::string& path, std::initializer_list<const char*> exts) {
  return std::any_of(exts.begin(), exts.end(),
                     [&](const char* x) { return modelExtension(path) == x; });
}

/// A QKeras quantizer: its class name and arguments (from a {class_name, config} object, or
/// the string form "quantized_bits(6, 0, alpha=1)": positional arguments by QKeras's order).
struct Quantizer {
  std::string name;
  json args = json::object();
};

/// The quantizer of a QKeras layer: a {class_name, config} object, or the string form
/// "quantized_bits(6, 0, alpha=1)" (positional arguments in QKeras's order).
/// @throws std::invalid_argument when it cannot be read
Quantizer parseQuantizer(const json& q) {
  Quantizer out;
  if (q.is_object() && q.contains("class_name") && q["class_name"].is_string()) {
    out.name = q["class_name"];
    if (q.contains("config") && q["config"].is_object()) out.args = q["config"];
    return out;
  }
  if (!q.is_string()) throw std::invalid_argument(fmt::format("unreadable quantizer {}", q.dump()));
  static const std::regex call(R"(\s*([A-Za-z_][A-Za-z0-9_]*)\s*(?:\((.*)\))?\s*)");
  std::smatch m;
  const std::string text = q;
  if (!std::regex_match(text, m, call))
    throw std::invalid_argument(fmt::format("unreadable quantizer '{}'", text));
  out.name = m[1];
  static const std::map<std::string, std::vector<std::string>> order = {
      {"quantized_bits", {"bits", "integer", "symmetric", "keep_negative", "alpha"}},
      {"quantized_relu", {"bits", "integer", "use_sigmoid", "negative_slope"}},
      {"binary", {"use_01", "alpha"}},
      {"ternary", {"alpha", "threshold"}}};
  const std::string argText = m[2];
  size_t pos = 0;
  int index = 0;
  while (pos < argText.size()) {
    size_t comma = argText.find(',', pos);
    if (comma == std::string::npos) comma = argText.size();
    std::string a = argText.substr(pos, comma - pos);
    pos = comma + 1;
    a.erase(0, a.find_first_not_of(" \t"));
    a.erase(a.find_last_not_of(" \t") + 1);
    if (a.empty()) continue;
    std::string key, value = a;
    if (const size_t eq = a.find('='); eq != std::string::npos) {
      key = a.substr(0, eq);
      key.erase(key.find_last_not_of(" \t") + 1);
      value = a.substr(eq + 1);
      value.erase(0, value.find_first_not_of(" \t"));
    } else {
      const auto it = order.find(out.name);
      if (it == order.end() || index >= int(it->second.size()))
        throw std::invalid_argument(
            fmt::format("quantizer '{}': unexpected argument '{}'", text, a));
      key = it->second[size_t(index++)];
    }
    if (value == "True" || value == "False") {
      out.args[key] = value == "True";
    } else if (value == "None") {
      out.args[key] = nullptr;
    } else {
      try {
        out.args[key] = std::stod(value);
      } catch (const std::exception&) {
        out.args[key] = value;
      }
    }
  }
  return out;
}

/// A numeric (or boolean) argument; dflt when absent or None, NaN when not a number.
double num(const json& args, const char* key, double dflt) {
  if (!args.contains(key) || args[key].is_null()) return dflt;
  if (args[key].is_boolean()) return args[key].get<bool>() ? 1 : 0;
  if (args[key].is_number()) return args[key].get<double>();
  return std::nan("");
}

/// The nngen type of a QKeras quantizer (see the file comment); alpha must be 1 or absent
/// (hls4ml's requirement: any other scale, or "auto", has no exact fixed-point type).
/// @throws std::invalid_argument for another quantizer or argument
std::string qkerasType(const Quantizer& q, bool activation) {
  auto bad = [&](const std::string& why) -> std::string {
    throw std::invalid_argument(fmt::format("quantizer {}: {}", q.name, why));
  };
  if (q.args.contains("alpha") && !q.args["alpha"].is_null() && num(q.args, "alpha", 1) != 1)
    bad(
        fmt::format("alpha = {}: only alpha = 1 has an exact fixed-point type (as hls4ml "
                    "requires)",
                    q.args["alpha"].dump()));
  if (num(q.args, "use_stochastic_rounding", 0) != 0) bad("stochastic rounding has no fixed type");
  const double bits = num(q.args, "bits", 8), integer = num(q.args, "integer", 0);
  if (q.name == "quantized_bits" || q.name == "quantized_relu") {
    if (!(bits >= 1 && bits <= 32 && bits == std::floor(bits) && integer == std::floor(integer) &&
          std::abs(integer) <= 32))
      bad(fmt::format("bits = {}, integer = {}", bits, integer));
  }
  if (q.name == "quantized_bits") {
    if (num(q.args, "keep_negative", 1) != 0)
      return fmt::format("ap_fixed<{},{},AP_RND_CONV,{}>", bits, integer + 1,
                         num(q.args, "symmetric", 0) != 0 ? "AP_SAT_SYM" : "AP_SAT");
    return fmt::format("ap_ufixed<{},{},AP_RND_CONV,AP_SAT>", bits, integer);
  }
  if (q.name == "quantized_relu" && activation) {
    if (num(q.args, "negative_slope", 0) != 0 || num(q.args, "use_sigmoid", 0) != 0 ||
        (q.args.contains("relu_upper_bound") && !q.args["relu_upper_bound"].is_null()))
      bad("negative_slope, use_sigmoid or relu_upper_bound: not a plain ReLU");
    return fmt::format("ap_ufixed<{},{},AP_RND_CONV,AP_SAT>", bits, integer);
  }
  if (q.name == "binary") {
    if (num(q.args, "use_01", 0) != 0) bad("use_01=True: nngen's binary is -1/+1");
    return "binary";
  }
  if (q.name == "ternary") {
    // nngen's ternary rounds to nearest: |x| <= 0.5 is 0, i.e. QKeras's threshold 0.5
    if (num(q.args, "threshold", -1) != 0.5)
      bad("nngen's ternary is QKeras's ternary(alpha=1, threshold=0.5); other thresholds (the "
          "default derives one from the data) are not exact");
    return "ternary";
  }
  return bad("not supported (quantized_bits, quantized_relu, binary, ternary)");
}

class KerasImporter {
 public:
  KerasImporter(const ImportOptions& opt, const fs::path& dir)
      : opt_(opt), out_(dir, opt.precision) {}

  ImportSummary run() {
    loadFiles();
    const json& config = arch_.contains("config") ? arch_["config"] : json();
    const std::string cls = arch_.value("class_name", "");
    json layers;
    if (config.is_array()) {
      layers = config;  // Keras 2.0 Sequential: the config is the layer list
    } else if (config.is_object() && config.contains("layers") && config["layers"].is_array()) {
      layers = config["layers"];
    } else {
      fail("", "the architecture has no layer list (config.layers)");
    }
    if (cls != "Sequential" && cls != "Model" && cls != "Functional")
      fail("", fmt::format("model class '{}' is not a Keras Sequential or functional Model", cls));
    if (cls != "Sequential") checkChain(config, layers);

    for (const json& l : layers) {
      try {
        layer(l);
      } catch (const json::exception& e) {  // a key of the wrong JSON type
        const bool named = l.is_object() && l.contains("config") && l["config"].is_object() &&
                           l["config"].contains("name") && l["config"]["name"].is_string();
        fail(named ? l["config"]["name"].get<std::string>() : "",
             fmt::format("the layer's configuration is not what Keras writes: {}", e.what()));
      }
    }
    if (!inputSet_) fail("", "the model gives no input shape (batch_input_shape)");
    if (out_.layers() == 0) fail("", "the model has no layer nngen builds");
    return out_.write(
        SpecWriter::identifier(fs::path(opt_.model).stem().string()),  // the file, not "model_1"
        fmt::format("imported from {} by nngen import", opt_.model),
        fmt::format("Imported by nngen import from {}{}; edit freely (docs/spec.md).", opt_.model,
                    weightsFile_ != opt_.model ? " and " + weightsFile_ : ""));
  }

 private:
  [[noreturn]] void fail(const std::string& layer, const std::string& what) const {
    throw Error(SourceLoc{archFile_.empty() ? opt_.model : archFile_, 0}, layer, what);
  }

  void loadFiles() {
    if (hasExtension(opt_.model, {".json"})) {
      archFile_ = opt_.model;
      std::string why;
      const std::optional<std::string> text = readRegularFile(opt_.model, why);
      if (!text) fail("", fmt::format("cannot read the architecture: {}", why));
      arch_ = parse(*text, opt_.model);
      weightsFile_ = opt_.weights;
      if (weightsFile_.empty()) {
        const fs::path p(opt_.model);
        for (const std::string& cand :
             {p.stem().string() + "_weights.h5", p.stem().string() + ".h5"})
          if (fs::exists(p.parent_path() / cand)) {
            weightsFile_ = (p.parent_path() / cand).string();
            break;
          }
        if (weightsFile_.empty())
          fail("", fmt::format("no weights beside it ({0}_weights.h5 or {0}.h5); give --weights",
                               p.stem().string()));
      }
      h5_ = std::make_unique<Hdf5File>(weightsFile_);
    } else {
      h5_ = std::make_unique<Hdf5File>(opt_.model);
      weightsFile_ = opt_.model;
      archFile_ = opt_.model;
      const std::optional<std::string> cfg = h5_->stringAttribute("/", "model_config");
      if (!cfg)
        fail("",
             "an HDF5 file without a model_config attribute holds weights only: import the "
             "architecture .json and give this file as --weights");
      arch_ = parse(*cfg, opt_.model);
      if (!opt_.weights.empty()) h5_ = std::make_unique<Hdf5File>(weightsFile_ = opt_.weights);
    }
    // a whole-model file keeps the weights under model_weights/
    root_ = h5_->exists("/model_weights") ? "/model_weights" : "";
  }

  json parse(const std::string& text, const std::string& file) const {
    try {
      return json::parse(text);
    } catch (const json::exception& e) {  // a syntax error, or a number beyond double
      throw Error(SourceLoc{file, 0}, "",
                  fmt::format("the architecture is not valid JSON: {}", e.what()));
    }
  }

  /// A functional model must be a chain: one input, each layer fed by the one before it.
  void checkChain(const json& config, const json& layers) const {
    std::string prev;
    for (const json& l : layers) {
      const std::string name = l["config"].value("name", l.value("name", ""));
      std::vector<std::string> from;
      if (l.contains("inbound_nodes") && l["inbound_nodes"].is_array()) {
        const json& nodes = l["inbound_nodes"];
        if (nodes.size() > 1)
          fail(name, "the layer is called more than once (shared layer): nngen builds chains only");
        for (const json& node : nodes) {
          if (node.is_array()) {  // Keras 2: [[name, node, tensor, kwargs], ...]
            for (const json& in : node)
              if (in.is_array() && !in.empty() && in[0].is_string()) from.push_back(in[0]);
          } else if (node.is_object() && node.contains("args")) {  // Keras 3
            std::function<void(const json&)> walk = [&](const json& j) {
              if (j.is_object() && j.contains("keras_history") && j["keras_history"].is_array())
                from.push_back(j["keras_history"][0]);
              else if (j.is_object() || j.is_array())
                for (const json& x : j) walk(x);
            };
            walk(node["args"]);
          }
        }
      }
      if (!prev.empty() && (from.size() != 1 || from[0] != prev))
        fail(name,
             fmt::format("the graph branches here (inputs: {}): nngen builds a chain of "
                         "layers, each fed by the one before it ({})",
                         from.empty() ? "none" : fmt::format("{}", fmt::join(from, ", ")), prev));
      prev = name;
    }
    if (config.contains("output_layers") && config["output_layers"].size() != 1)
      fail("", "the model has several outputs: nngen builds one output stream");
    if (config.contains("input_layers") && config["input_layers"].size() != 1)
      fail("", "the model has several inputs: nngen builds one input stream");
  }

  /// The layer's weight arrays by short name (kernel, bias, gamma, ...).
  std::map<std::string, Hdf5Array> weights(const std::string& layer) const {
    const std::string group = root_ + "/" + layer;
    std::map<std::string, Hdf5Array> out;
    std::vector<std::string> names = h5_->stringListAttribute(group, "weight_names");
    for (const std::string& n : names) {
      std::string key = n.substr(n.rfind('/') + 1);
      key = key.substr(0, key.find(':'));
      out[key] = h5_->dataset(group + "/" + n);
    }
    return out;
  }

  const Hdf5Array& need(const std::map<std::string, Hdf5Array>& w, const std::string& layer,
                        const std::string& key) const {
    const auto it = w.find(key);
    if (it == w.end())
      throw Error(SourceLoc{weightsFile_, 0}, layer,
                  fmt::format("no '{}' weights for the layer in the weights file", key));
    return it->second;
  }

  /// Writes weights/<layer>_<key>.npy (float32, as Keras stores them); returns its path.
  std::string save(const std::string& layer, const std::string& key, const Hdf5Array& a) {
    return out_.save(layer, key, a.dims, a.values);
  }

  /// qkerasType of a quantizer of this layer, its errors named after the layer.
  std::string typeOf(const json& q, const std::string& layer, bool activation) const {
    try {
      return qkerasType(parseQuantizer(q), activation);
    } catch (const std::invalid_argument& e) {
      fail(layer, e.what());
    }
  }

  /// Sets the input shape from [None, ...dims].
  void input(const json& shape, const std::string& layer) {
    if (!shape.is_array() || shape.size() < 2)
      fail(layer, fmt::format("unusable input shape {}", shape.dump()));
    YAML::Node s;
    s.SetStyle(YAML::EmitterStyle::Flow);
    for (size_t i = 1; i < shape.size(); ++i) {
      if (!shape[i].is_number_integer() || shape[i].get<int64_t>() < 1)
        fail(layer, fmt::format("input shape {} has a free or invalid dimension", shape.dump()));
      s.push_back(shape[i].get<int64_t>());
    }
    if (s.size() != 1 && s.size() != 3)
      fail(layer,
           fmt::format("input shape {}: nngen takes (features,) or (H, W, C)", shape.dump()));
    out_.input()["shape"] = s;
    inputSet_ = true;
  }

  static YAML::Node newLayer(const std::string& name, const char* type) {
    return SpecWriter::layer(name, type);
  }

  void push(YAML::Node n, const std::string& what) {
    out_.push(n, fmt::format("{}: {}", n["name"].as<std::string>(), what));
  }

  /// activation of a Dense/Conv2D/Activation: the nngen name, or "" for linear.
  std::string activation(const json& c, const std::string& layer) const {
    std::string a = c.contains("activation") && c["activation"].is_string()
                        ? c["activation"].get<std::string>()
                        : "linear";
    if (a == "linear" || a == "relu" || a == "sigmoid" || a == "tanh" || a == "softmax")
      return a == "linear" ? "" : a;
    fail(layer,
         fmt::format("unsupported activation '{}' (linear, relu, sigmoid, tanh, softmax)", a));
  }

  void layer(const json& l) {
    const std::string cls = l.value("class_name", "");
    const json& c = l.contains("config") ? l["config"] : json::object();
    const std::string name = SpecWriter::identifier(c.value("name", l.value("name", cls)));
    for (const char* key : {"batch_input_shape", "batch_shape"})
      if (c.contains(key) && !inputSet_) input(c[key], name);
    if (cls == "InputLayer") return;
    if (!inputSet_) fail(name, "the first layer gives no input shape (batch_input_shape)");
    static const std::set<std::string> dropped = {"Dropout",          "SpatialDropout1D",
                                                  "SpatialDropout2D", "GaussianDropout",
                                                  "AlphaDropout",     "Identity"};
    if (dropped.count(cls)) {
      out_.note(fmt::format("{}: {} dropped (inference: the identity)", name, cls));
      return;
    }
    if (c.contains("data_format") && c["data_format"] == "channels_first")
      fail(name, "data_format channels_first: nngen streams channels-last (NHWC) tensors");
    auto pair = [&](const char* key, int dflt) {
      if (!c.contains(key)) return std::pair{dflt, dflt};
      const json& v = c[key];
      if (v.is_number_integer()) return std::pair{v.get<int>(), v.get<int>()};
      if (v.is_array() && v.size() == 2) return std::pair{v[0].get<int>(), v[1].get<int>()};
      fail(name, fmt::format("unusable {} {}", key, v.dump()));
    };
    auto seq = [](std::pair<int, int> p) {
      YAML::Node s;
      s.SetStyle(YAML::EmitterStyle::Flow);
      s.push_back(p.first);
      s.push_back(p.second);
      return s;
    };
    const bool quantized = cls == "QDense" || cls == "QConv2D";
    if (cls == "Dense" || cls == "QDense" || cls == "Conv2D" || cls == "QConv2D") {
      const bool conv = cls.find("Conv") != std::string::npos;
      YAML::Node n = newLayer(name, conv ? "Conv2D" : "Dense");
      const auto w = weights(name);
      const Hdf5Array& k = need(w, name, "kernel");
      if (conv) {
        if (pair("dilation_rate", 1) != std::pair{1, 1})
          fail(name, "dilated convolutions are not supported");
        if (c.value("groups", 1) != 1) fail(name, "grouped convolutions are not supported");
        n["filters"] = c.value("filters", 0);
        n["kernel_size"] = seq(pair("kernel_size", 1));
        n["strides"] = seq(pair("strides", 1));
        n["padding"] = c.value("padding", "valid");
        if (n["padding"].as<std::string>() != "valid" && n["padding"].as<std::string>() != "same")
          fail(name, fmt::format("padding '{}' (valid or same)", n["padding"].as<std::string>()));
      } else {
        n["units"] = c.value("units", 0);
      }
      const bool bias = c.value("use_bias", true);
      n["use_bias"] = bias;
      n["kernel"] = save(name, "kernel", k);
      if (bias) n["bias"] = save(name, "bias", need(w, name, "bias"));
      if (quantized) {
        for (const char* q : {"kernel_quantizer", "bias_quantizer"})
          if (c.contains(q) && !c[q].is_null())
            SpecWriter::setPrecision(n, q[0] == 'k' ? "weight" : "bias", typeOf(c[q], name, false));
      }
      const std::string act = activation(c, name);
      if (!act.empty()) n["activation"] = act;
      push(n, fmt::format("{} -> {}{}", cls, n["type"].as<std::string>(),
                          act.empty() ? "" : " with activation " + act));
    } else if (cls == "MaxPooling2D" || cls == "AveragePooling2D") {
      YAML::Node n = newLayer(name, cls.c_str());
      n["pool_size"] = seq(pair("pool_size", 2));
      n["strides"] = seq(c.contains("strides") && !c["strides"].is_null() ? pair("strides", 2)
                                                                          : pair("pool_size", 2));
      if (c.value("padding", "valid") != "valid")
        fail(name, "pooling with padding 'same' is not supported (valid only)");
      push(n, cls);
    } else if (cls == "BatchNormalization") {
      const json axis = c.contains("axis") ? c["axis"] : json(-1);
      const int ax = axis.is_array() && axis.size() == 1 ? axis[0].get<int>()
                     : axis.is_number_integer()          ? axis.get<int>()
                                                         : 0;
      if (ax != -1 && ax != 3 && !(ax == 1 && out_.input()["shape"].size() == 1))
        fail(name, fmt::format("BatchNormalization over axis {}: nngen normalizes channels (the "
                               "last axis)",
                               axis.dump()));
      YAML::Node n = newLayer(name, "BatchNormalization");
      const auto w = weights(name);
      if (c.value("scale", true)) n["gamma"] = save(name, "gamma", need(w, name, "gamma"));
      if (c.value("center", true)) n["beta"] = save(name, "beta", need(w, name, "beta"));
      n["moving_mean"] = save(name, "moving_mean", need(w, name, "moving_mean"));
      n["moving_variance"] = save(name, "moving_variance", need(w, name, "moving_variance"));
      n["epsilon"] = c.value("epsilon", 1e-3);
      push(n, "BatchNormalization");
    } else if (cls == "Activation") {
      const std::string act = activation(c, name);
      if (act.empty()) {
        out_.note(fmt::format("{}: Activation linear dropped (the identity)", name));
        return;
      }
      static const std::map<std::string, const char*> kinds = {
          {"relu", "ReLU"}, {"sigmoid", "Sigmoid"}, {"tanh", "Tanh"}, {"softmax", "Softmax"}};
      push(newLayer(name, kinds.at(act)), "Activation " + act);
    } else if (cls == "ReLU") {
      if (num(c, "negative_slope", 0) != 0 || num(c, "threshold", 0) != 0 ||
          (c.contains("max_value") && !c["max_value"].is_null()))
        fail(name, "ReLU with max_value, negative_slope or threshold: not a plain ReLU");
      push(newLayer(name, "ReLU"), "ReLU");
    } else if (cls == "Flatten") {
      push(newLayer(name, "Flatten"), "Flatten");
    } else if (cls == "QActivation") {
      qactivation(c, name);
    } else {
      fail(name,
           fmt::format("unsupported layer '{}'; nngen imports InputLayer, Dense, Conv2D, "
                       "MaxPooling2D, AveragePooling2D, BatchNormalization, Activation, ReLU, "
                       "Flatten, Dropout (dropped), QDense, QConv2D, QActivation",
                       cls));
    }
  }

  /// QActivation: quantized_relu is a ReLU with that result type; quantized_bits, binary or
  /// ternary set the result type of the layer before (or the input's precision when first).
  void qactivation(const json& c, const std::string& name) {
    if (!c.contains("activation")) fail(name, "QActivation without an activation");
    const std::string t = typeOf(c["activation"], name, true);
    const std::string qname = parseQuantizer(c["activation"]).name;
    if (qname == "quantized_relu") {
      YAML::Node n = newLayer(name, "ReLU");
      n["precision"] = t;
      push(n, "QActivation quantized_relu -> ReLU " + n["precision"].as<std::string>());
      return;
    }
    if (out_.layers() == 0) {
      if (t == "binary") fail(name, "a binary network input is not supported");
      out_.input()["precision"] = t;
      out_.note(fmt::format("{}: QActivation {} -> the input precision {}", name, qname, t));
      return;
    }
    YAML::Node prev = out_.last();
    if (prev["activation"])
      fail(name, fmt::format("QActivation {} after a layer with activation '{}': the quantizer "
                             "would need a layer of its own",
                             qname, prev["activation"].as<std::string>()));
    SpecWriter::setPrecision(prev, "result", t);
    out_.note(fmt::format("{}: QActivation {} -> result type {} of {}", name, qname, t,
                          prev["name"].as<std::string>()));
  }

  const ImportOptions& opt_;
  SpecWriter out_;
  json arch_;
  std::string archFile_, weightsFile_, root_;
  std::unique_ptr<Hdf5File> h5_;
  bool inputSet_ = false;
};

}  // namespace

std::string qkerasType(const std::string& quantizer, bool activation) {
  return qkerasType(parseQuantizer(json(quantizer)), activation);
}

ImportSummary importKeras(const ImportOptions& opt, const fs::path& dir) {
  try {
    return KerasImporter(opt, dir).run();
  } catch (const json::exception& e) {  // outside a layer: the model's own structure
    throw Error(SourceLoc{opt.model, 0}, "",
                fmt::format("the architecture is not what Keras writes: {}", e.what()));
  }
}

}  // namespace nngen
