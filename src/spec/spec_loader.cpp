//! @file spec_loader.cpp
//! @brief YAML spec -> Graph, with errors that name file, line and layer.
#include "spec/spec_loader.h"

#include <fmt/format.h>
#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <bit>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <map>
#include <optional>
#include <regex>
#include <set>
#include <sstream>

#include "spec/npy.h"
#include "spec/regular_file.h"

namespace nngen {

namespace fs = std::filesystem;

int windowOutputSize(int in, int padBefore, int padAfter, int k, int s) {
  return (in + padBefore + padAfter - k) / s + 1;
}

std::pair<int, int> samePadding(int in, int k, int s) {
  const int outSize = (in + s - 1) / s;
  const int total = std::max((outSize - 1) * s + k - in, 0);
  return {total / 2, total - total / 2};
}

namespace {

/// The largest value of any size parameter (input H, W, C, filters, units, kernel and pool
/// sizes, strides, pads, repeat_channels): far above what fits an FPGA, small enough that no
/// shape arithmetic can overflow.
constexpr int kMaxDimension = 65535;
/// The most elements (H x W x C) of the input or of any layer's output.
constexpr int64_t kMaxElements = int64_t{1} << 26;

/// The first key that a mapping of the YAML text repeats, if any, and the first document after
/// the first one. yaml-cpp's node API keeps both pairs of a repeated key but looks up only the
/// first, so `filters: 4, filters: 8` would silently mean 4; this pre-pass over yaml-cpp's
/// parser events finds every repetition in every mapping (aliases are not expanded, so the
/// pass is linear in the text).
class DuplicateKeyFinder : public YAML::EventHandler {
 public:
  struct Duplicate {
    std::string key;
    int firstLine = 0;    ///< 1-based
    int secondLine = 0;   ///< 1-based
    int layerIndex = -1;  ///< index in the top-level 'layers' list, -1 when outside it
  };
  std::optional<Duplicate> found;

  void OnDocumentStart(const YAML::Mark&) override {}
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& m, YAML::anchor_t) override { node(m, nullptr); }
  void OnAlias(const YAML::Mark& m, YAML::anchor_t) override { node(m, nullptr); }
  void OnScalar(const YAML::Mark& m, const std::string&, YAML::anchor_t,
                const std::string& value) override {
    node(m, &value);
  }
  void OnSequenceStart(const YAML::Mark& m, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {
    open(m, false);
  }
  void OnMapStart(const YAML::Mark& m, const std::string&, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {
    open(m, true);
  }
  void OnSequenceEnd() override { stack_.pop_back(); }
  void OnMapEnd() override { stack_.pop_back(); }

 private:
  struct Frame {
    bool isMap = false;
    bool expectKey = true;            ///< map: the next node is a key
    std::string keyInParent;          ///< the scalar key this container is the value of
    int items = 0;                    ///< sequence: children so far
    std::map<std::string, int> keys;  ///< map: key -> 1-based line
    std::string lastKey;              ///< map: the key whose value comes next
  };
  std::vector<Frame> stack_;

  /// Bookkeeping for a node that starts at `m`; `scalar` is its text when it is a scalar.
  void node(const YAML::Mark& m, const std::string* scalar) {
    if (stack_.empty()) return;
    Frame& f = stack_.back();
    if (!f.isMap) {
      ++f.items;
      return;
    }
    if (f.expectKey) {
      f.lastKey = scalar ? *scalar : std::string();
      if (scalar && !found) {
        const auto [it, fresh] = f.keys.emplace(*scalar, m.line + 1);
        if (!fresh) found = Duplicate{*scalar, it->second, m.line + 1, layerIndex()};
      }
    }
    f.expectKey = !f.expectKey;
  }
  void open(const YAML::Mark& m, bool isMap) {
    const std::string parentKey =
        !stack_.empty() && stack_.back().isMap ? stack_.back().lastKey : "";
    node(m, nullptr);
    Frame f;
    f.isMap = isMap;
    f.keyInParent = parentKey;
    stack_.push_back(std::move(f));
  }
  int layerIndex() const {
    if (stack_.size() >= 3 && stack_[0].isMap && !stack_[1].isMap &&
        stack_[1].keyInParent == "layers")
      return stack_[1].items - 1;
    return -1;
  }
};

/// Where binary values may flow (FixedType's `binary`): into a Conv2D or Dense (XNOR/popcount
/// or additions and subtractions), a MaxPooling2D (an OR; its result is binary too, set here when
/// the spec gives none) or a Flatten, never out of the network. Layers with binary inputs or
/// binary or ternary weights are built fully parallel (reuse factor 1, no multiplier); a
/// hardware-wide reuse_factor does not apply to them.
/// @throws Error naming the layer for any other use
void checkBinaryChain(Graph& g) {
  FixedType t = g.inputType;
  std::string from;  // the layer whose result t is
  for (Layer& l : g.layers) {
    if (t.binary) {
      if (l.kind == LayerKind::MaxPool2D) {
        if (l.resultTypeSet && !l.resultType.binary)
          throw Error(l.loc, l.name,
                      fmt::format("the maximum of a binary input is binary; the result type "
                                  "cannot be {} (the input is the result of '{}')",
                                  l.resultType.str(), from));
        l.resultType = FixedType::makeBinary();
      } else if (l.kind != LayerKind::Conv2D && l.kind != LayerKind::Dense &&
                 l.kind != LayerKind::Flatten) {
        throw Error(l.loc, l.name,
                    fmt::format("its input is binary (the result of '{}'); a {} layer cannot "
                                "take a binary input (Conv2D, Dense, MaxPooling2D and Flatten can)",
                                from, kindName(l.kind)));
      }
      if (l.pad.top || l.pad.bottom || l.pad.left || l.pad.right)
        throw Error(l.loc, l.name,
                    fmt::format("its input is binary (the result of '{}'), which cannot hold the "
                                "zero of 'same' padding: use padding 'valid'",
                                from));
    }
    const bool binaryLayer = kindInfo(l.kind).hasWeights &&
                             (t.binary || l.weightType.binary || l.weightType.isTernary());
    if (binaryLayer && l.reuseFactorSet && l.reuseFactor > 1)
      throw Error(l.reuseLoc, l.name,
                  fmt::format("reuse_factor {}: a layer with binary inputs or binary or ternary "
                              "weights is built fully parallel (no multipliers); use 1",
                              l.reuseFactor));
    if (binaryLayer) l.reuseFactor = 1;
    if (kindInfo(l.kind).taps != TapPattern::None) {
      t = l.resultType;
      from = l.name;
    }
  }
  if (t.binary)
    throw Error(g.layers.back().loc, g.layers.back().name,
                "the network's output cannot be binary: the last layer's result is read as "
                "class scores (give it a fixed-point result type)");
}

/// Walks one YAML file, remembering where each node came from for error messages.
class SpecReader {
 public:
  explicit SpecReader(std::string path) : path_(std::move(path)) {
    dir_ = fs::path(path_).parent_path();
  }

  Graph read();

 private:
  std::string path_;
  fs::path dir_;
  std::string layer_;  // the layer being read, for messages

  SourceLoc locOf(const YAML::Node& n) const {
    return SourceLoc{path_, n.Mark().is_null() ? 0 : n.Mark().line + 1};
  }
  [[noreturn]] void fail(const YAML::Node& at, const std::string& what) const {
    throw Error(locOf(at), layer_, what);
  }

  void checkKeys(const YAML::Node& map, const std::set<std::string>& allowed,
                 const std::string& where) const {
    if (!map.IsMap()) fail(map, fmt::format("{} must be a mapping", where));
    for (auto it = map.begin(); it != map.end(); ++it) {
      if (!it->first.IsScalar())
        fail(it->first, fmt::format("keys in {} must be plain names", where));
      const std::string key = it->first.Scalar();
      if (!allowed.count(key)) {
        std::string list;
        for (auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
        fail(it->first, fmt::format("unknown key '{}' in {} (allowed: {})", key, where, list));
      }
    }
  }

  YAML::Node required(const YAML::Node& map, const std::string& key) const {
    if (!map[key]) fail(map, fmt::format("missing key '{}'", key));
    return map[key];
  }

  template <typename T>
  T scalar(const YAML::Node& n, const std::string& what) const {
    if (!n.IsScalar()) fail(n, fmt::format("'{}' must be a scalar", what));
    try {
      return n.as<T>();
    } catch (const YAML::Exception&) {
      fail(n, fmt::format("'{}' has an invalid value '{}'", what, n.Scalar()));
    }
  }

  /// An integer in [min, kMaxDimension] (all of the spec's integers are sizes or counts).
  int positiveInt(const YAML::Node& n, const std::string& what, int min = 1) const {
    const int v = scalar<int>(n, what);
    if (v < min) fail(n, fmt::format("'{}' must be >= {}, got {}", what, min, v));
    if (v > kMaxDimension)
      fail(n, fmt::format("'{}' must be <= {}, got {}", what, kMaxDimension, v));
    return v;
  }

  /// A finite real number (YAML's .inf and .nan are refused).
  double finiteReal(const YAML::Node& n, const std::string& what) const {
    const double v = scalar<double>(n, what);
    if (!std::isfinite(v))
      fail(n, fmt::format("'{}' must be a finite number, got '{}'", what, n.Scalar()));
    return v;
  }

  /// Refuses a shape with more than kMaxElements elements.
  void checkElements(const YAML::Node& at, const Shape& s, const std::string& what) const {
    if (s.size() > kMaxElements)
      fail(at,
           fmt::format("{} {}x{}x{} has more than {} elements", what, s.h, s.w, s.c, kMaxElements));
  }

  /// Rejects a key repeated in any mapping and a second YAML document (see DuplicateKeyFinder).
  void checkDuplicateKeys(const std::string& text, const YAML::Node& root) const {
    std::istringstream in(text);
    YAML::Parser parser(in);
    DuplicateKeyFinder finder;
    parser.HandleNextDocument(finder);
    if (finder.found) {
      const auto& d = *finder.found;
      std::string layer;
      const YAML::Node layers = root.IsMap() ? root["layers"] : YAML::Node();
      if (d.layerIndex >= 0 && layers.IsSequence() && size_t(d.layerIndex) < layers.size()) {
        const YAML::Node ln = layers[size_t(d.layerIndex)];
        if (ln.IsMap() && ln["name"] && ln["name"].IsScalar()) layer = ln["name"].Scalar();
      }
      throw Error(
          SourceLoc{path_, d.secondLine}, layer,
          fmt::format("duplicate key '{}': given at line {} and again at line {} (a key may "
                      "appear only once in a mapping)",
                      d.key, d.firstLine, d.secondLine));
    }
    DuplicateKeyFinder rest;
    if (parser.HandleNextDocument(rest))
      throw Error(SourceLoc{path_, 0}, "",
                  "the spec file holds more than one YAML document ('---')");
  }

  /// An int or a [a, b] pair (Keras allows both for kernel_size, strides, pool_size).
  std::pair<int, int> intPair(const YAML::Node& n, const std::string& what) const {
    if (n.IsScalar()) {
      const int v = positiveInt(n, what);
      return {v, v};
    }
    if (!n.IsSequence() || n.size() != 2)
      fail(n, fmt::format("'{}' must be an integer or a list of two integers", what));
    return {positiveInt(n[0], what), positiveInt(n[1], what)};
  }

  FixedType precision(const YAML::Node& n, const std::string& what) const {
    const std::string text = scalar<std::string>(n, what);
    try {
      return parseFixedType(text);
    } catch (const std::invalid_argument& e) {
      fail(n, e.what());
    }
  }

  std::string resolve(const std::string& rel) const {
    const fs::path p(rel);
    return p.is_absolute() ? p.string() : (dir_ / p).lexically_normal().string();
  }

  Graph readRoot(const YAML::Node& root);

  /// Loads a float parameter file and checks its shape.
  FloatTensor weights(const YAML::Node& n, const std::string& what,
                      const std::vector<size_t>& shape) const {
    const std::string file = resolve(scalar<std::string>(n, what));
    NpyArray a = loadNpy(file, locOf(n), layer_);
    if (a.shape != shape) {
      auto str = [](const std::vector<size_t>& s) {
        std::string o = "(";
        for (size_t i = 0; i < s.size(); ++i) o += fmt::format("{}{}", i ? ", " : "", s[i]);
        return o + (s.size() == 1 ? ",)" : ")");
      };
      fail(n, fmt::format("{} '{}' has shape {} but the spec needs {}", what, file, str(a.shape),
                          str(shape)));
    }
    for (double v : a.values)
      if (!std::isfinite(v)) fail(n, fmt::format("{} '{}' contains NaN or infinity", what, file));
    return FloatTensor{a.shape, std::move(a.values)};
  }

  void readPrecision(const YAML::Node& n, const FixedType& def, Layer& l) const {
    l.weightType = l.biasType = l.resultType = def;
    if (!n) return;
    if (n.IsScalar()) {  // hls4ml: one precision for weights, biases and the result
      l.weightType = l.biasType = l.resultType = precision(n, "precision");
      l.resultTypeSet = true;
      return;
    }
    if (l.kind == LayerKind::Softmax) {  // its two tables' types and the result
      checkKeys(n, {"exp_table", "inv_table", "result"}, "precision of a Softmax layer");
      if (n["exp_table"]) l.expTableType = precision(n["exp_table"], "precision.exp_table");
      if (n["inv_table"]) l.invTableType = precision(n["inv_table"], "precision.inv_table");
      for (const char* key : {"exp_table", "inv_table"})
        if (n[key] && precision(n[key], key).binary) fail(n[key], "a table type cannot be binary");
    } else {
      checkKeys(n, {"weight", "bias", "accum", "result"}, "precision");
    }
    if (n["weight"]) l.weightType = precision(n["weight"], "precision.weight");
    if (n["bias"]) l.biasType = precision(n["bias"], "precision.bias");
    if (n["result"]) {
      l.resultType = precision(n["result"], "precision.result");
      l.resultTypeSet = true;
    }
    if (n["accum"]) l.accumType = precision(n["accum"], "precision.accum");
  }

  /// `binary` only where it means something (FixedType): the weights of a Conv2D/Dense and the
  /// result of a Conv2D, Dense, BatchNormalization or MaxPooling2D (the sign activation); never
  /// a bias, an accumulator, a BatchNorm scale or the result of a ReLU or average pooling.
  void checkBinaryTypes(const YAML::Node& p, const Layer& l) const {
    if (!p) return;
    auto at = [&](const char* key) { return p.IsScalar() ? p : p[key]; };
    if (l.weightType.binary && !kindInfo(l.kind).hasWeights)
      fail(at("weight"), fmt::format("a {} layer cannot have binary weights (Conv2D and Dense can)",
                                     kindName(l.kind)));
    if (l.biasType.binary)
      fail(at("bias"),
           "a bias cannot be binary (binary is a weight or result type: write "
           "precision: {weight: binary} or {result: binary})");
    if (l.accumType && l.accumType->binary) fail(at("accum"), "an accumulator cannot be binary");
    if (l.resultType.binary && (l.kind == LayerKind::ReLU || l.kind == LayerKind::AvgPool2D ||
                                kindInfo(l.kind).taps == TapPattern::WholePixel ||
                                l.kind == LayerKind::Sigmoid || l.kind == LayerKind::Tanh))
      fail(at("result"),
           fmt::format("a {} layer cannot have a binary result (the sign activation is the "
                       "result of a Conv2D, Dense, BatchNormalization or MaxPooling2D)",
                       kindName(l.kind)));
  }

  Multipliers multipliers(const YAML::Node& n) const {
    const std::string m = scalar<std::string>(n, "multipliers");
    if (m == "lut") return Multipliers::Lut;
    if (m == "dsp") return Multipliers::Dsp;
    if (m == "auto") return Multipliers::Auto;
    fail(n, fmt::format("unknown multipliers '{}' (lut, dsp or auto)", m));
  }

  /// reuse_factor and multipliers of a Conv2D/Dense (defaults: the hardware section's). The
  /// upper bound (the layer's products per output pixel) is checked by the planner, which knows
  /// the shapes after the passes; here R >= 1.
  void readFolding(const YAML::Node& n, const HardwareOptions& hw, Layer& l) const {
    l.reuseFactor = hw.reuseFactor;
    l.multipliers = hw.multipliers;
    l.reuseLoc = l.loc;
    if (n["reuse_factor"]) {
      l.reuseFactor = positiveInt(n["reuse_factor"], "reuse_factor");
      l.reuseLoc = locOf(n["reuse_factor"]);
      l.reuseFactorSet = true;
    }
    if (n["multipliers"]) l.multipliers = multipliers(n["multipliers"]);
  }

  /// hls4ml's input range R of a table: [-4, 4) for Tanh, [-8, 8) for Sigmoid, [-8, 0] for
  /// Softmax's exponential.
  static double defaultTableRange(LayerKind kind) { return kind == LayerKind::Tanh ? 4 : 8; }

  /// table_size and input_range of a Sigmoid, Tanh or Softmax layer (LookupTable): both
  /// powers of two, so that a table entry is a bit slice of the input.
  void readTable(const YAML::Node& n, Layer& l) const {
    l.tableRange = defaultTableRange(l.kind);
    if (n["table_size"]) {
      l.tableSize = positiveInt(n["table_size"], "table_size", 2);
      if (!std::has_single_bit(static_cast<unsigned>(l.tableSize)) || l.tableSize > 65536)
        fail(n["table_size"],
             fmt::format("table_size must be a power of two from 2 to 65536, got {}", l.tableSize));
    }
    if (n["input_range"]) {
      l.tableRange = finiteReal(n["input_range"], "input_range");
      int e = 0;
      if (l.tableRange <= 0 || std::frexp(l.tableRange, &e) != 0.5 || e < -15 || e > 17)
        fail(n["input_range"],
             fmt::format("input_range must be a power of two from 2^-16 to 2^16 (the table "
                         "covers [-R, R)), got {}",
                         l.tableRange));
    }
  }

  /// Reads one layer (and the layer its `activation:` adds) into g; `last`: it is the spec's
  /// last layer.
  void readLayer(const YAML::Node& n, const FixedType& def, Shape& cur, Graph& g, bool last);
};

Graph SpecReader::read() {
  std::string why;
  const std::optional<std::string> text = readRegularFile(path_, why);
  if (!text)
    throw Error(SourceLoc{path_, 0}, "", fmt::format("cannot read the spec file: {}", why));
  YAML::Node root;
  try {
    root = YAML::Load(*text);
    checkDuplicateKeys(*text, root);
    return readRoot(root);
  } catch (const YAML::DeepRecursion& e) {  // its msg is yaml-cpp's unrelated "bad file"
    throw Error(SourceLoc{path_, e.mark.line + 1}, layer_,
                fmt::format("YAML syntax error: lists and mappings nested too deep (yaml-cpp's "
                            "limit: {} levels)",
                            e.depth()));
  } catch (const YAML::ParserException& e) {
    throw Error(SourceLoc{path_, e.mark.line + 1}, layer_,
                fmt::format("YAML syntax error: {}", e.msg));
  } catch (const YAML::Exception& e) {
    // Every node access above is checked first; this is a safety net that still names the line.
    throw Error(SourceLoc{path_, e.mark.is_null() ? 0 : e.mark.line + 1}, layer_,
                fmt::format("invalid spec: {}", e.msg));
  }
}

Graph SpecReader::readRoot(const YAML::Node& root) {
  if (!root || !root.IsMap())
    throw Error(SourceLoc{path_, 1}, "", "the spec must be a YAML mapping");
  checkKeys(root,
            {"nngen", "name", "description", "precision", "input", "layers", "test_data",
             "metadata", "hardware"},
            "the spec");
  Graph g;
  g.specPath = path_;
  const int version = scalar<int>(required(root, "nngen"), "nngen");
  if (version != 1)
    fail(root["nngen"], fmt::format("unsupported spec version {} (this nngen reads 1)", version));
  g.name = scalar<std::string>(required(root, "name"), "name");
  static const std::regex ident("[A-Za-z_][A-Za-z0-9_]*");
  if (!std::regex_match(g.name, ident))
    fail(root["name"], fmt::format("name '{}' must be an identifier (letters, digits, _)", g.name));
  if (root["description"]) g.description = scalar<std::string>(root["description"], "description");

  FixedType def;  // ap_fixed<16,6>, AP_TRN, AP_WRAP: hls4ml's default
  if (root["precision"]) {
    checkKeys(root["precision"], {"default"}, "precision");
    if (root["precision"]["default"]) {
      def = precision(root["precision"]["default"], "precision.default");
      if (def.binary)
        fail(root["precision"]["default"],
             "precision.default cannot be binary: set binary weights or results per layer");
    }
  }

  if (root["hardware"]) {
    const YAML::Node hw = root["hardware"];
    checkKeys(hw, {"adder_levels_per_stage", "clock_period_ns", "reuse_factor", "multipliers"},
              "hardware");
    if (hw["reuse_factor"])
      g.hardware.reuseFactor = positiveInt(hw["reuse_factor"], "hardware.reuse_factor");
    if (hw["multipliers"]) g.hardware.multipliers = multipliers(hw["multipliers"]);
    if (hw["adder_levels_per_stage"])
      g.hardware.adderLevelsPerStage =
          positiveInt(hw["adder_levels_per_stage"], "adder_levels_per_stage");
    if (hw["clock_period_ns"]) {
      g.hardware.clockPeriodNs = finiteReal(hw["clock_period_ns"], "clock_period_ns");
      if (!(g.hardware.clockPeriodNs > 0))
        fail(hw["clock_period_ns"], "clock_period_ns must be > 0");
    }
  }

  const YAML::Node in = required(root, "input");
  checkKeys(in, {"shape", "precision", "preprocess"}, "input");
  g.inputLoc = locOf(in);
  const YAML::Node shape = required(in, "shape");
  if (!shape.IsSequence() || (shape.size() != 3 && shape.size() != 1))
    fail(shape, "input shape must be [H, W, C] or [N] (a flat vector)");
  if (shape.size() == 3)
    g.input = Shape{positiveInt(shape[0], "shape"), positiveInt(shape[1], "shape"),
                    positiveInt(shape[2], "shape")};
  else
    g.input = Shape{1, 1, positiveInt(shape[0], "shape")};
  checkElements(shape, g.input, "the input");
  g.inputType = in["precision"] ? precision(in["precision"], "input.precision") : def;
  if (g.inputType.binary)
    fail(in["precision"],
         "the network input cannot be binary: give the first layer a binary result instead");
  if (in["preprocess"]) {
    const YAML::Node p = in["preprocess"];
    checkKeys(p, {"pad", "repeat_channels", "scale", "offset", "pad_value"}, "input.preprocess");
    if (p["pad"]) {
      const YAML::Node pad = p["pad"];
      if (!pad.IsSequence() || pad.size() != 4) fail(pad, "pad must be [top, bottom, left, right]");
      g.preprocess.pad = Padding{positiveInt(pad[0], "pad", 0), positiveInt(pad[1], "pad", 0),
                                 positiveInt(pad[2], "pad", 0), positiveInt(pad[3], "pad", 0)};
    }
    if (p["repeat_channels"])
      g.preprocess.repeatChannels = positiveInt(p["repeat_channels"], "repeat_channels");
    if (p["scale"]) g.preprocess.scale = finiteReal(p["scale"], "scale");
    if (p["offset"]) g.preprocess.offset = finiteReal(p["offset"], "offset");
    if (p["pad_value"]) g.preprocess.padValue = finiteReal(p["pad_value"], "pad_value");
  }

  const YAML::Node layers = required(root, "layers");
  if (!layers.IsSequence() || layers.size() == 0) fail(layers, "'layers' must be a non-empty list");
  Shape cur = g.input;
  std::set<std::string> names;
  for (size_t i = 0; i < layers.size(); ++i) {
    layer_.clear();
    readLayer(layers[i], def, cur, g, i + 1 == layers.size());
    // Layers added for `activation: relu` come right after; check every new name.
  }
  for (const Layer& l : g.layers) {
    if (!names.insert(l.name).second) throw Error(l.loc, l.name, "duplicate layer name");
  }
  layer_.clear();
  checkBinaryChain(g);

  if (root["test_data"]) {
    const YAML::Node t = root["test_data"];
    checkKeys(t, {"images", "labels", "classes"}, "test_data");
    TestData td;
    td.images = resolve(scalar<std::string>(required(t, "images"), "images"));
    if (const std::string why = regularFileProblem(td.images); !why.empty())
      fail(t["images"], fmt::format("test image file '{}': {}", td.images, why));
    if (t["labels"]) {
      td.labels = resolve(scalar<std::string>(t["labels"], "labels"));
      if (const std::string why = regularFileProblem(td.labels); !why.empty())
        fail(t["labels"], fmt::format("label file '{}': {}", td.labels, why));
    }
    if (t["classes"]) {
      if (!t["classes"].IsSequence()) fail(t["classes"], "classes must be a list of names");
      for (const auto& c : t["classes"]) td.classes.push_back(scalar<std::string>(c, "classes"));
    }
    g.testData = td;
  }
  if (root["metadata"]) {
    const YAML::Node m = root["metadata"];
    if (!m.IsMap()) fail(m, "metadata must be a mapping");
    for (auto it = m.begin(); it != m.end(); ++it) {
      if (!it->first.IsScalar()) fail(it->first, "keys in metadata must be plain names");
      if (it->second.IsScalar()) g.metadata[it->first.Scalar()] = it->second.Scalar();
    }
  }
  return g;
}

void SpecReader::readLayer(const YAML::Node& n, const FixedType& def, Shape& cur, Graph& g,
                           bool last) {
  if (!n.IsMap()) fail(n, "each layer must be a mapping with at least 'name' and 'type'");
  Layer l;
  l.loc = locOf(n);
  l.name = scalar<std::string>(required(n, "name"), "name");
  layer_ = l.name;
  static const std::regex ident("[A-Za-z_][A-Za-z0-9_]*");
  if (!std::regex_match(l.name, ident))
    fail(n["name"],
         "layer names must be identifiers (letters, digits, _): they name Verilog modules");
  const std::string type = scalar<std::string>(required(n, "type"), "type");
  const std::optional<LayerKind> kind = kindFromSpecName(type);  // the kind table's names
  if (!kind)
    fail(n["type"], fmt::format("unknown layer type '{}' (known: {})", type, knownKindNames()));
  l.kind = *kind;
  l.in = cur;
  std::optional<LayerKind> activationAfter;  // `activation:` adds this layer after it

  auto activation = [&]() {
    if (!n["activation"]) return;
    const std::string a = scalar<std::string>(n["activation"], "activation");
    if (a == "relu")
      activationAfter = LayerKind::ReLU;
    else if (a == "sigmoid")
      activationAfter = LayerKind::Sigmoid;
    else if (a == "tanh")
      activationAfter = LayerKind::Tanh;
    else if (a == "softmax")
      activationAfter = LayerKind::Softmax;
    else if (a != "linear")
      fail(n["activation"],
           fmt::format("unsupported activation '{}' (relu, sigmoid, tanh, softmax or linear)", a));
  };
  auto useBias = [&](bool dflt) {
    return n["use_bias"] ? scalar<bool>(n["use_bias"], "use_bias") : dflt;
  };

  if (l.kind == LayerKind::Conv2D) {
    checkKeys(n,
              {"name", "type", "filters", "kernel_size", "strides", "padding", "use_bias", "kernel",
               "bias", "activation", "precision", "reuse_factor", "multipliers"},
              "a Conv2D layer");
    const int filters = positiveInt(required(n, "filters"), "filters");
    std::tie(l.kernelH, l.kernelW) = intPair(required(n, "kernel_size"), "kernel_size");
    if (n["strides"]) std::tie(l.strideH, l.strideW) = intPair(n["strides"], "strides");
    const std::string padding =
        n["padding"] ? scalar<std::string>(n["padding"], "padding") : "valid";
    if (padding == "same") {
      std::tie(l.pad.top, l.pad.bottom) = samePadding(cur.h, l.kernelH, l.strideH);
      std::tie(l.pad.left, l.pad.right) = samePadding(cur.w, l.kernelW, l.strideW);
    } else if (padding != "valid") {
      fail(n["padding"], fmt::format("padding must be 'valid' or 'same', got '{}'", padding));
    }
    if (l.kernelH > cur.h + l.pad.top + l.pad.bottom ||
        l.kernelW > cur.w + l.pad.left + l.pad.right)
      fail(n["kernel_size"], fmt::format("kernel {}x{} is larger than its {} input {}x{}",
                                         l.kernelH, l.kernelW, padding, cur.h, cur.w));
    l.out = Shape{windowOutputSize(cur.h, l.pad.top, l.pad.bottom, l.kernelH, l.strideH),
                  windowOutputSize(cur.w, l.pad.left, l.pad.right, l.kernelW, l.strideW), filters};
    l.kernel = weights(required(n, "kernel"), "kernel",
                       {size_t(l.kernelH), size_t(l.kernelW), size_t(cur.c), size_t(filters)});
    if (useBias(true))
      l.bias = weights(required(n, "bias"), "bias", {size_t(filters)});
    else if (n["bias"])
      fail(n["bias"], "a bias file is given but use_bias is false");
    activation();
  } else if (l.kind == LayerKind::Dense) {
    checkKeys(n,
              {"name", "type", "units", "use_bias", "kernel", "bias", "activation", "precision",
               "reuse_factor", "multipliers"},
              "a Dense layer");
    if (cur.h != 1 || cur.w != 1)
      fail(n,
           fmt::format("Dense needs a flat input but gets {}x{}x{}: add a Flatten layer before it",
                       cur.h, cur.w, cur.c));
    const int units = positiveInt(required(n, "units"), "units");
    l.out = Shape{1, 1, units};
    FloatTensor k = weights(required(n, "kernel"), "kernel", {size_t(cur.c), size_t(units)});
    k.dims = {1, 1, size_t(cur.c), size_t(units)};  // [kh][kw][cin][cout] with kh = kw = 1
    l.kernel = std::move(k);
    if (useBias(true))
      l.bias = weights(required(n, "bias"), "bias", {size_t(units)});
    else if (n["bias"])
      fail(n["bias"], "a bias file is given but use_bias is false");
    activation();
  } else if (l.kind == LayerKind::MaxPool2D || l.kind == LayerKind::AvgPool2D) {
    checkKeys(n, {"name", "type", "pool_size", "strides", "padding", "precision"},
              fmt::format("a {} layer", type));
    std::tie(l.kernelH, l.kernelW) =
        n["pool_size"] ? intPair(n["pool_size"], "pool_size") : std::pair{2, 2};
    std::tie(l.strideH, l.strideW) =
        n["strides"] ? intPair(n["strides"], "strides") : std::pair{l.kernelH, l.kernelW};
    if (n["padding"] && scalar<std::string>(n["padding"], "padding") != "valid")
      fail(n["padding"], "pooling supports only padding 'valid'");
    if (l.kernelH > cur.h || l.kernelW > cur.w)
      fail(n["pool_size"] ? n["pool_size"] : n,
           fmt::format("pool {}x{} is larger than its input {}x{}", l.kernelH, l.kernelW, cur.h,
                       cur.w));
    l.out = Shape{windowOutputSize(cur.h, 0, 0, l.kernelH, l.strideH),
                  windowOutputSize(cur.w, 0, 0, l.kernelW, l.strideW), cur.c};
  } else if (l.kind == LayerKind::BatchNorm) {
    checkKeys(
        n,
        {"name", "type", "gamma", "beta", "moving_mean", "moving_variance", "epsilon", "precision"},
        "a BatchNormalization layer");
    l.out = cur;
    const std::vector<size_t> c{size_t(cur.c)};
    l.gamma = n["gamma"] ? weights(n["gamma"], "gamma", c)
                         : FloatTensor{c, std::vector<double>(cur.c, 1.0)};
    l.beta =
        n["beta"] ? weights(n["beta"], "beta", c) : FloatTensor{c, std::vector<double>(cur.c, 0.0)};
    l.movingMean = weights(required(n, "moving_mean"), "moving_mean", c);
    l.movingVariance = weights(required(n, "moving_variance"), "moving_variance", c);
    if (n["epsilon"]) l.epsilon = finiteReal(n["epsilon"], "epsilon");
    for (double v : l.movingVariance.data)
      if (v + l.epsilon <= 0) fail(n["moving_variance"], "moving_variance + epsilon must be > 0");
  } else if (l.kind == LayerKind::ReLU) {
    checkKeys(n, {"name", "type", "precision"}, "a ReLU layer");
    l.out = cur;
  } else if (l.kind == LayerKind::Flatten) {
    checkKeys(n, {"name", "type"}, "a Flatten layer");
    l.out = Shape{1, 1, static_cast<int>(cur.size())};
  } else if (l.kind == LayerKind::Softmax) {
    checkKeys(n, {"name", "type", "table_size", "input_range", "implementation", "precision"},
              "a Softmax layer");
    l.out = cur;
    readTable(n, l);
    const std::string impl =
        n["implementation"] ? scalar<std::string>(n["implementation"], "implementation") : "stable";
    if (impl == "argmax") {  // hls4ml's `argmax`: the class without the probabilities
      if (!last)
        fail(n["implementation"],
             "implementation: argmax leaves the class unchanged only as the last layer");
      g.warnings.push_back(Warning{
          l.loc, l.name,
          "Softmax with implementation: argmax is not built: the output is the logits of the "
          "layer before and the argmax stage gives the class (the same class as the softmax)"});
      return;
    }
    if (impl != "stable")
      fail(n["implementation"],
           fmt::format("implementation must be 'stable' (tables, the maximum subtracted first) "
                       "or 'argmax' (no softmax hardware), got '{}'",
                       impl));
  } else if (l.kind == LayerKind::Sigmoid || l.kind == LayerKind::Tanh) {
    checkKeys(n, {"name", "type", "table_size", "input_range", "precision"},
              fmt::format("a {} layer", type));
    l.out = cur;
    readTable(n, l);
  }
  checkElements(n, l.out, "the output");
  readPrecision(n["precision"], def, l);
  checkBinaryTypes(n["precision"], l);
  readFolding(n, g.hardware, l);
  cur = l.out;
  g.layers.push_back(std::move(l));
  if (activationAfter) {
    Layer r;
    r.kind = *activationAfter;
    r.name = g.layers.back().name + "_" + (r.kind == LayerKind::ReLU ? "relu" : [&] {
               std::string k = kindName(r.kind);
               for (char& ch : k)
                 ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
               return k;
             }());
    r.loc = g.layers.back().loc;
    r.in = r.out = cur;
    r.weightType = r.biasType = r.resultType = g.layers.back().resultType;
    r.tableRange = defaultTableRange(r.kind);
    g.layers.push_back(std::move(r));
  }
}

}  // namespace

Graph loadSpec(const std::string& path) {
  SpecReader reader(path);
  Graph g = reader.read();
  verifyGraph(g, "load");
  return g;
}

}  // namespace nngen
