//! @file onnx.cpp
//! @brief ONNX and QONNX models (a chain of operators) into a nngen spec.
//!
//! Read with Debian's libonnx (protobuf). ONNX tensors are channels-first (NCHW); nngen streams
//! channels-last, so the importer converts as it goes: Conv weights (out, in, kh, kw) become
//! Keras's (kh, kw, in, out), Gemm/MatMul weights become (in, out), and a Flatten (or Reshape to
//! (N, -1)) of an NCHW tensor flattens in (c, h, w) order, which the next Dense's kernel rows are
//! permuted from into nngen's (h, w, c) order; a Transpose to NHWC before it (what a model that
//! already flattens channels-last exports) needs no permutation.
//!
//! QONNX `Quant(x, scale, zeropt, bitwidth)` (qonnx.custom_op.general: y = (clip(round(x/scale +
//! zeropt), min, max) - zeropt) * scale, with min/max from `signed`, `narrow` and the bit width)
//! is an exact fixed-point type when the scale is a power of two 2^-f and zeropt is 0:
//! ap_fixed<bits, bits - f> (ap_ufixed when unsigned), rounding from `rounding_mode` (ROUND:
//! half to even, AP_RND_CONV; FLOOR: AP_TRN; ROUND_TO_ZERO: AP_TRN_ZERO), AP_SAT (AP_SAT_SYM when
//! narrow). On an initializer it is the weight or bias type of the layer reading it; on the
//! data path, the result type of the layer before it (the input precision when first).
//! `BipolarQuant(x, scale = 1)` is `binary`.
#include <fmt/format.h>
#include <onnx/onnx_pb.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <cstring>
#include <fstream>
#include <map>
#include <optional>
#include <set>

#include "import/import.h"
#include "import/spec_writer.h"
#include "ir/diagnostic.h"
#include "spec/npy.h"
#include "spec/regular_file.h"

namespace nngen {

namespace fs = std::filesystem;

namespace {

/// A constant tensor (an initializer, a Constant node, or a Quant of one) as doubles.
struct Const {
  std::vector<size_t> dims;
  std::vector<double> v;
  std::string type;  ///< the exact type a Quant gave it ("" if none)
};

class OnnxImporter {
 public:
  OnnxImporter(const ImportOptions& opt, const fs::path& dir)
      : opt_(opt), out_(dir, opt.precision) {}

  ImportSummary run() {
    load();
    const onnx::GraphProto& g = model_.graph();
    for (const onnx::TensorProto& t : g.initializer()) consts_[t.name()] = tensor(t, "");
    // the data input: the graph input that is not an initializer
    const onnx::ValueInfoProto* in = nullptr;
    for (const onnx::ValueInfoProto& v : g.input())
      if (!consts_.count(v.name())) {
        if (in)
          fail("", fmt::format("the graph has several inputs ({}, {}): nngen streams one",
                               in->name(), v.name()));
        in = &v;
      }
    if (!in) fail("", "the graph has no input");
    input(*in);
    if (g.output_size() != 1) fail("", "the graph has several outputs: nngen streams one");
    std::map<std::string, int> readers;  // data tensors: how many nodes read each
    for (const onnx::NodeProto& n : g.node())
      for (const std::string& i : n.input()) ++readers[i];
    for (int i = 0; i < g.node_size(); ++i) node(g.node(i), i, readers);
    if (current_ != g.output(0).name())
      fail("", fmt::format("the graph output '{}' is not the end of the chain of layers",
                           g.output(0).name()));
    if (out_.layers() == 0) fail("", "the model has no layer nngen builds");
    const std::string& doc = model_.doc_string().empty() ? g.doc_string() : model_.doc_string();
    return out_.write(
        SpecWriter::identifier(fs::path(opt_.model).stem().string()),
        doc.empty() ? fmt::format("imported from {} by nngen import", opt_.model) : doc,
        fmt::format("Imported by nngen import from {}; edit freely (docs/spec.md).", opt_.model));
  }

 private:
  [[noreturn]] void fail(const std::string& node, const std::string& what) const {
    throw Error(SourceLoc{opt_.model, 0}, "",
                node.empty() ? what : fmt::format("node '{}': {}", node, what));
  }

  void load() {
    std::string why;
    const std::optional<std::string> bytes = readRegularFile(opt_.model, why);
    if (!bytes) fail("", fmt::format("cannot read the model: {}", why));
    if (!model_.ParseFromString(*bytes))
      fail("", "not an ONNX model (the protobuf does not parse: truncated or another format?)");
    if (!model_.has_graph() || model_.graph().node_size() == 0)
      fail("", "the ONNX model has no graph nodes");
  }

  /// A readable layer name from a node: "/conv0/Conv" -> "conv0", "pool0" -> "pool0", else the
  /// operator and its position; unique.
  std::string layerName(const onnx::NodeProto& n, int index) {
    std::string s = n.name();
    if (!s.empty() && s[0] == '/') s = s.substr(1);
    if (const size_t slash = s.rfind('/'); slash != std::string::npos) s = s.substr(0, slash);
    s = s.empty() ? fmt::format("{}{}", n.op_type(), index) : s;
    for (char& c : s) c = std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
    if (std::isdigit(static_cast<unsigned char>(s[0]))) s = "n" + s;
    std::string name = s;
    for (int k = 2; !names_.insert(name).second; ++k) name = fmt::format("{}_{}", s, k);
    return name;
  }

  Const tensor(const onnx::TensorProto& t, const std::string& node) const {
    Const c;
    size_t n = 1;
    for (int64_t d : t.dims()) {
      if (d < 0 || d > (1 << 28))
        fail(node, fmt::format("tensor '{}' has dimension {}", t.name(), d));
      c.dims.push_back(size_t(d));
      n *= size_t(d);
    }
    if (n > (size_t{1} << 28)) fail(node, fmt::format("tensor '{}' is too large", t.name()));
    if (t.data_location() == onnx::TensorProto::EXTERNAL)
      fail(node, fmt::format("tensor '{}' is stored in an external file: not supported", t.name()));
    const std::string& raw = t.raw_data();
    auto fromRaw = [&](size_t bytes, auto conv) {
      if (raw.size() != n * bytes)
        fail(node, fmt::format("tensor '{}' holds {} bytes, its shape needs {}", t.name(),
                               raw.size(), n * bytes));
      for (size_t i = 0; i < n; ++i) c.v.push_back(conv(raw.data() + i * bytes));
    };
    switch (t.data_type()) {
      case onnx::TensorProto::FLOAT:
        if (!raw.empty())
          fromRaw(4, [](const char* p) {
            float f;
            std::memcpy(&f, p, 4);
            return double(f);
          });
        else
          c.v.assign(t.float_data().begin(), t.float_data().end());
        break;
      case onnx::TensorProto::DOUBLE:
        if (!raw.empty())
          fromRaw(8, [](const char* p) {
            double f;
            std::memcpy(&f, p, 8);
            return f;
          });
        else
          c.v.assign(t.double_data().begin(), t.double_data().end());
        break;
      case onnx::TensorProto::INT64:
        if (!raw.empty())
          fromRaw(8, [](const char* p) {
            int64_t f;
            std::memcpy(&f, p, 8);
            return double(f);
          });
        else
          for (int64_t x : t.int64_data()) c.v.push_back(double(x));
        break;
      case onnx::TensorProto::INT32:
        if (!raw.empty())
          fromRaw(4, [](const char* p) {
            int32_t f;
            std::memcpy(&f, p, 4);
            return double(f);
          });
        else
          for (int32_t x : t.int32_data()) c.v.push_back(double(x));
        break;
      default:
        fail(node, fmt::format("tensor '{}' has an element type nngen does not read (float, "
                               "double, int32, int64)",
                               t.name()));
    }
    if (c.v.size() != n)
      fail(node,
           fmt::format("tensor '{}' holds {} values, its shape needs {}", t.name(), c.v.size(), n));
    for (double x : c.v)
      if (!std::isfinite(x))
        fail(node, fmt::format("tensor '{}' contains NaN or infinity", t.name()));
    return c;
  }

  void input(const onnx::ValueInfoProto& v) {
    std::vector<int64_t> d;
    if (v.type().has_tensor_type())
      for (const auto& dim : v.type().tensor_type().shape().dim())
        d.push_back(dim.has_dim_value() ? dim.dim_value() : -1);
    YAML::Node s;
    s.SetStyle(YAML::EmitterStyle::Flow);
    auto ok = [](int64_t x) { return x >= 1 && x <= 65535; };
    if (d.size() == 4 && ok(d[1]) && ok(d[2]) && ok(d[3])) {  // N, C, H, W
      s.push_back(d[2]);
      s.push_back(d[3]);
      s.push_back(d[1]);
      shape_ = {int(d[2]), int(d[3]), int(d[1])};
      layout_ = Layout::Nchw;
    } else if (d.size() == 2 && ok(d[1])) {
      s.push_back(d[1]);
      shape_ = {1, 1, int(d[1])};
      layout_ = Layout::Flat;
    } else {
      fail("", fmt::format("input '{}' must be (N, C, H, W) or (N, features) with known sizes",
                           v.name()));
    }
    out_.input()["shape"] = s;
    current_ = v.name();
  }

  // ---- attributes
  static const onnx::AttributeProto* attr(const onnx::NodeProto& n, const std::string& name) {
    for (const auto& a : n.attribute())
      if (a.name() == name) return &a;
    return nullptr;
  }
  static int64_t intAttr(const onnx::NodeProto& n, const std::string& name, int64_t dflt) {
    const auto* a = attr(n, name);
    return a ? a->i() : dflt;
  }
  static std::vector<int64_t> intsAttr(const onnx::NodeProto& n, const std::string& name) {
    const auto* a = attr(n, name);
    return a ? std::vector<int64_t>(a->ints().begin(), a->ints().end()) : std::vector<int64_t>{};
  }
  /// A float attribute as the shortest decimal that gives the same float32 (1e-05, not
  /// 9.99999974738e-06): the value the model's author wrote.
  static double floatAttr(const onnx::NodeProto& n, const std::string& name, double dflt) {
    const auto* a = attr(n, name);
    return a ? std::stod(fmt::format("{}", a->f())) : dflt;
  }

  // ---- the chain
  /// The constant input k of n (initializer, Constant, or a Quant of one), or nothing.
  const Const* constInput(const onnx::NodeProto& n, int k) const {
    if (k >= n.input_size() || n.input(k).empty()) return nullptr;
    const auto it = consts_.find(n.input(k));
    return it == consts_.end() ? nullptr : &it->second;
  }
  /// n must read the chain's current tensor as input 0 and nothing else that is not constant.
  void checkChain(const onnx::NodeProto& n, const std::map<std::string, int>& readers,
                  const std::string& who) const {
    if (n.input_size() == 0 || n.input(0) != current_)
      fail(who, fmt::format("{} reads '{}', not the output of the layer before ('{}'): the graph "
                            "branches; nngen builds a chain of layers",
                            n.op_type(), n.input_size() ? n.input(0) : "", current_));
    for (int k = 1; k < n.input_size(); ++k)
      if (!n.input(k).empty() && !consts_.count(n.input(k)))
        fail(who, fmt::format("{} input '{}' is computed, not a constant: the graph branches",
                              n.op_type(), n.input(k)));
    if (readers.count(current_) && readers.at(current_) > 1)
      fail(who, fmt::format("'{}' is read by {} nodes: the graph branches", current_,
                            readers.at(current_)));
  }

  static YAML::Node newLayer(const std::string& name, const char* type) {
    return SpecWriter::layer(name, type);
  }
  void push(YAML::Node n, const onnx::NodeProto& node, const std::string& what) {
    out_.push(n, fmt::format("{} ({}): {}", n["name"].as<std::string>(),
                             node.name().empty() ? node.op_type() : node.name(), what));
  }
  std::string save(const std::string& layer, const std::string& key,
                   const std::vector<size_t>& dims, const std::vector<double>& v) {
    return out_.save(layer, key, dims, v);
  }

  /// The exact type of a QONNX Quant / BipolarQuant node (see the file comment).
  std::string quantType(const onnx::NodeProto& n, const std::string& who) const {
    if (n.op_type() == "BipolarQuant") {
      const Const* s = constInput(n, 1);
      if (!s || s->v.empty() ||
          std::any_of(s->v.begin(), s->v.end(), [](double x) { return x != 1; }))
        fail(who, "BipolarQuant with a scale other than 1: nngen's binary is -1/+1");
      return "binary";
    }
    const Const *scale = constInput(n, 1), *zero = constInput(n, 2), *bits = constInput(n, 3);
    if (!scale || !zero || !bits || scale->v.empty() || zero->v.empty() || bits->v.size() != 1)
      fail(who, "Quant needs constant scale, zero point and (one) bit width");
    const double sc = scale->v[0];
    for (double x : scale->v)
      if (x != sc)
        fail(who, "Quant with a per-channel scale: nngen needs one power-of-two scale per tensor");
    int e = 0;
    if (!(sc > 0) || std::frexp(sc, &e) != 0.5)
      fail(who, fmt::format("Quant scale {} is not a power of two: no exact fixed-point type "
                            "(nngen's types scale by 2^-fraction bits)",
                            sc));
    const int frac = 1 - e;  // sc = 2^(e-1) = 2^-frac
    for (double z : zero->v)
      if (z != 0) fail(who, fmt::format("Quant zero point {}: only 0 has a fixed-point type", z));
    const double b = bits->v[0];
    if (!(b >= 1 && b <= 32 && b == std::floor(b))) fail(who, fmt::format("Quant bit width {}", b));
    const bool isSigned = intAttr(n, "signed", 1) != 0, narrow = intAttr(n, "narrow", 0) != 0;
    const auto* rm = attr(n, "rounding_mode");
    const std::string mode = rm ? rm->s() : "ROUND";
    static const std::map<std::string, const char*> modes = {
        {"ROUND", "AP_RND_CONV"}, {"FLOOR", "AP_TRN"}, {"ROUND_TO_ZERO", "AP_TRN_ZERO"}};
    if (!modes.count(mode))
      fail(who, fmt::format("Quant rounding_mode '{}' (ROUND, FLOOR or ROUND_TO_ZERO)", mode));
    if (!isSigned && narrow) fail(who, "an unsigned narrow Quant has no fixed-point type");
    const int w = int(b);
    return fmt::format("{}<{},{},{},{}>", isSigned ? "ap_fixed" : "ap_ufixed", w, w - frac,
                       modes.at(mode), narrow ? "AP_SAT_SYM" : "AP_SAT");
  }

  void node(const onnx::NodeProto& n, int index, const std::map<std::string, int>& readers) {
    const std::string& op = n.op_type();
    const std::string who = n.name().empty() ? fmt::format("#{} ({})", index, op) : n.name();
    // constants and quantized constants are not layers
    if (op == "Constant") {
      const auto* v = attr(n, "value");
      if (!v || !v->has_t()) fail(who, "Constant without a tensor value");
      consts_[n.output(0)] = tensor(v->t(), who);
      return;
    }
    const bool quant = op == "Quant" || op == "BipolarQuant";
    if (quant && n.input_size() > 0 && consts_.count(n.input(0))) {
      Const c = consts_.at(n.input(0));
      c.type = quantType(n, who);
      consts_[n.output(0)] = c;
      return;
    }
    if (n.output_size() < 1) fail(who, "a node without outputs");
    checkChain(n, readers, who);
    const std::string out = n.output(0);
    if (quant) {  // on the data path: the result type of the layer before, or the input's
      const std::string t = quantType(n, who);
      if (out_.layers() == 0) {
        if (t == "binary") fail(who, "a binary network input is not supported");
        out_.input()["precision"] = t;
        out_.note(fmt::format("{}: {} -> the input precision {}", who, op, t));
      } else {
        YAML::Node prev = out_.last();
        if (prev["activation"]) fail(who, fmt::format("{} after a layer with an activation", op));
        SpecWriter::setPrecision(prev, "result", t);
        out_.note(fmt::format("{}: {} -> result type {} of {}", who, op, t,
                              prev["name"].as<std::string>()));
      }
      current_ = out;
      return;
    }
    if (op == "Dropout" || op == "Identity") {
      out_.note(fmt::format("{}: {} dropped (inference: the identity)", who, op));
      current_ = out;
      return;
    }
    const std::string name = layerName(n, index);
    if (op == "Conv")
      conv(n, name, who);
    else if (op == "MaxPool" || op == "AveragePool")
      pool(n, name, who);
    else if (op == "BatchNormalization")
      batchNorm(n, name, who);
    else if (op == "Relu")
      push(newLayer(name, "ReLU"), n, "ReLU");
    else if (op == "Sigmoid")
      push(newLayer(name, "Sigmoid"), n, "Sigmoid");
    else if (op == "Tanh")
      push(newLayer(name, "Tanh"), n, "Tanh");
    else if (op == "Softmax")
      softmax(n, name, who);
    else if (op == "Transpose")
      transpose(n, who);
    else if (op == "Flatten" || op == "Reshape")
      flatten(n, name, who);
    else if (op == "Gemm" || op == "MatMul")
      dense(n, name, who);
    else if (op == "Add" && pendingBias_) {
      // the bias of the MatMul before (PyTorch's Linear): added into its Dense
      const Const* b = constInput(n, 1);
      YAML::Node prev = out_.last();
      const int units = prev["units"].as<int>();
      if (!b || b->v.size() != size_t(units))
        fail(who, fmt::format("Add after MatMul needs a constant bias of {} values", units));
      prev["use_bias"] = true;
      prev["bias"] = save(prev["name"].as<std::string>(), "bias", {size_t(units)}, b->v);
      SpecWriter::setPrecision(prev, "bias", b->type);
      out_.note(fmt::format("{}: Add -> the bias of {}", who, prev["name"].as<std::string>()));
      pendingBias_ = false;
      current_ = out;
      return;
    } else
      fail(who, fmt::format("unsupported operator '{}'; nngen imports Conv, Gemm, MatMul (+ Add), "
                            "MaxPool, AveragePool, BatchNormalization, Relu, Sigmoid, Tanh, "
                            "Softmax, Flatten, Reshape, Transpose (to NHWC), Dropout and Identity "
                            "(dropped), QONNX Quant and BipolarQuant",
                            op));
    pendingBias_ = op == "MatMul";
    current_ = out;
  }

  void conv(const onnx::NodeProto& n, const std::string& name, const std::string& who) {
    if (layout_ != Layout::Nchw) fail(who, "Conv of a tensor that is not (N, C, H, W)");
    const Const* w = constInput(n, 1);
    if (!w || w->dims.size() != 4) fail(who, "Conv needs a constant 4-D weight (out, in, kh, kw)");
    const size_t co = w->dims[0], ci = w->dims[1], kh = w->dims[2], kw = w->dims[3];
    if (int(ci) != shape_[2])
      fail(who, fmt::format("Conv weight has {} input channels, the tensor {}", ci, shape_[2]));
    if (intAttr(n, "group", 1) != 1) fail(who, "grouped (depthwise) Conv is not supported");
    for (int64_t d : intsAttr(n, "dilations"))
      if (d != 1) fail(who, "dilated Conv is not supported");
    std::vector<int64_t> st = intsAttr(n, "strides");
    if (st.empty()) st = {1, 1};
    std::vector<int64_t> pads = intsAttr(n, "pads");  // top, left, bottom, right
    const auto* ap = attr(n, "auto_pad");
    const std::string autoPad = ap ? ap->s() : "NOTSET";
    std::string padding = "valid";
    auto sameSplit = [&](int in, int k, int s) {  // TensorFlow's 'same': the smaller half first
      const int out = (in + s - 1) / s, total = std::max((out - 1) * s + k - in, 0);
      return std::pair{total / 2, total - total / 2};
    };
    const auto [pt, pb] = sameSplit(shape_[0], int(kh), int(st[0]));
    const auto [pl, pr] = sameSplit(shape_[1], int(kw), int(st[1]));
    if (autoPad == "SAME_UPPER") {
      padding = "same";
    } else if (autoPad == "VALID" ||
               (autoPad == "NOTSET" &&
                (pads.empty() ||
                 std::all_of(pads.begin(), pads.end(), [](int64_t p) { return p == 0; })))) {
      padding = "valid";
    } else if (autoPad == "NOTSET" && pads.size() == 4 && pads[0] == pt && pads[1] == pl &&
               pads[2] == pb && pads[3] == pr) {
      padding = "same";
    } else {
      fail(who,
           "Conv padding other than none or TensorFlow's 'same' split (the smaller half "
           "first) is not supported");
    }
    std::vector<double> k(w->v.size());
    for (size_t o = 0; o < co; ++o)
      for (size_t i = 0; i < ci; ++i)
        for (size_t r = 0; r < kh; ++r)
          for (size_t c = 0; c < kw; ++c)
            k[((r * kw + c) * ci + i) * co + o] = w->v[((o * ci + i) * kh + r) * kw + c];
    YAML::Node l = newLayer(name, "Conv2D");
    l["filters"] = co;
    YAML::Node ks, ss;
    ks.SetStyle(YAML::EmitterStyle::Flow);
    ss.SetStyle(YAML::EmitterStyle::Flow);
    ks.push_back(kh);
    ks.push_back(kw);
    ss.push_back(st[0]);
    ss.push_back(st.size() > 1 ? st[1] : st[0]);
    l["kernel_size"] = ks;
    l["strides"] = ss;
    l["padding"] = padding;
    const Const* b = constInput(n, 2);
    l["use_bias"] = b != nullptr;
    l["kernel"] = save(name, "kernel", {kh, kw, ci, co}, k);
    SpecWriter::setPrecision(l, "weight", w->type);
    if (b) {
      l["bias"] = save(name, "bias", {co}, b->v);
      SpecWriter::setPrecision(l, "bias", b->type);
    }
    const int ph = padding == "same" ? pt + pb : 0, pw = padding == "same" ? pl + pr : 0;
    shape_ = {int((shape_[0] + ph - kh) / st[0] + 1),
              int((shape_[1] + pw - kw) / (st.size() > 1 ? st[1] : st[0]) + 1), int(co)};
    push(l, n, fmt::format("Conv -> Conv2D {}x{}, {} filters, padding {}", kh, kw, co, padding));
  }

  void pool(const onnx::NodeProto& n, const std::string& name, const std::string& who) {
    if (layout_ != Layout::Nchw) fail(who, "pooling of a tensor that is not (N, C, H, W)");
    const std::vector<int64_t> k = intsAttr(n, "kernel_shape");
    std::vector<int64_t> st = intsAttr(n, "strides");
    if (k.size() != 2) fail(who, "pooling needs a 2-D kernel_shape");
    if (st.empty()) st = {1, 1};
    for (int64_t p : intsAttr(n, "pads"))
      if (p != 0) fail(who, "padded pooling is not supported (valid only)");
    if (intAttr(n, "ceil_mode", 0) != 0) fail(who, "pooling with ceil_mode is not supported");
    const bool mx = n.op_type() == "MaxPool";
    YAML::Node l = newLayer(name, mx ? "MaxPooling2D" : "AveragePooling2D");
    YAML::Node ps, ss;
    ps.SetStyle(YAML::EmitterStyle::Flow);
    ss.SetStyle(YAML::EmitterStyle::Flow);
    ps.push_back(k[0]);
    ps.push_back(k[1]);
    ss.push_back(st[0]);
    ss.push_back(st[1]);
    l["pool_size"] = ps;
    l["strides"] = ss;
    shape_ = {int((shape_[0] - k[0]) / st[0] + 1), int((shape_[1] - k[1]) / st[1] + 1), shape_[2]};
    push(l, n, n.op_type());
  }

  void batchNorm(const onnx::NodeProto& n, const std::string& name, const std::string& who) {
    const Const *g = constInput(n, 1), *b = constInput(n, 2), *m = constInput(n, 3),
                *v = constInput(n, 4);
    if (!g || !b || !m || !v) fail(who, "BatchNormalization needs constant scale, B, mean, var");
    const size_t c = size_t(shape_[2]);
    for (const Const* x : {g, b, m, v})
      if (x->v.size() != c)
        fail(who, fmt::format("BatchNormalization parameters of {} values for {} channels",
                              x->v.size(), c));
    YAML::Node l = newLayer(name, "BatchNormalization");
    l["gamma"] = save(name, "gamma", {c}, g->v);
    l["beta"] = save(name, "beta", {c}, b->v);
    l["moving_mean"] = save(name, "moving_mean", {c}, m->v);
    l["moving_variance"] = save(name, "moving_variance", {c}, v->v);
    l["epsilon"] = floatAttr(n, "epsilon", 1e-5);
    push(l, n, "BatchNormalization");
  }

  void softmax(const onnx::NodeProto& n, const std::string& name, const std::string& who) {
    const int64_t axis = intAttr(n, "axis", -1);
    if (!(layout_ == Layout::Flat && (axis == -1 || axis == 1)))
      fail(who, "Softmax over anything but the features of a flat tensor is not supported");
    push(newLayer(name, "Softmax"), n, "Softmax");
  }

  void transpose(const onnx::NodeProto& n, const std::string& who) {
    const std::vector<int64_t> perm = intsAttr(n, "perm");
    if (layout_ != Layout::Nchw || perm != std::vector<int64_t>{0, 2, 3, 1})
      fail(who,
           "only a Transpose of (N, C, H, W) to (N, H, W, C) (perm 0,2,3,1) before a "
           "flatten is supported");
    layout_ = Layout::Nhwc;
    out_.note(fmt::format("{}: Transpose to NHWC (nngen's own layout: no layer)", who));
  }

  void flatten(const onnx::NodeProto& n, const std::string& name, const std::string& who) {
    if (n.op_type() == "Flatten" && intAttr(n, "axis", 1) != 1)
      fail(who, "Flatten with an axis other than 1");
    if (n.op_type() == "Reshape") {
      const Const* s = constInput(n, 1);
      const int64_t total = int64_t{shape_[0]} * shape_[1] * shape_[2];
      if (!s || s->v.size() != 2 || !(s->v[1] == -1 || s->v[1] == double(total)))
        fail(who, "Reshape other than to (N, -1) (a flatten) is not supported");
    }
    if (layout_ == Layout::Flat) {  // already flat: nothing to do
      out_.note(fmt::format("{}: {} of a flat tensor dropped", who, n.op_type()));
      return;
    }
    chwFlatten_ = layout_ == Layout::Nchw && shape_[0] * shape_[1] > 1;
    spatial_ = shape_;
    layout_ = Layout::Flat;
    shape_ = {1, 1, shape_[0] * shape_[1] * shape_[2]};
    push(newLayer(name, "Flatten"), n,
         chwFlatten_ ? "Flatten (of NCHW: the next Dense's rows permuted to nngen's (h, w, c))"
                     : "Flatten");
  }

  void dense(const onnx::NodeProto& n, const std::string& name, const std::string& who) {
    if (layout_ != Layout::Flat)
      fail(who, fmt::format("{} of a tensor that is not flat", n.op_type()));
    const Const* w = constInput(n, 1);
    if (!w || w->dims.size() != 2)
      fail(who, fmt::format("{} needs a constant 2-D weight", n.op_type()));
    const bool gemm = n.op_type() == "Gemm";
    if (gemm && (intAttr(n, "transA", 0) != 0 || floatAttr(n, "alpha", 1) != 1 ||
                 floatAttr(n, "beta", 1) != 1))
      fail(who, "Gemm with transA, alpha or beta other than 0, 1, 1");
    const bool transB = gemm && intAttr(n, "transB", 0) != 0;
    const size_t in = transB ? w->dims[1] : w->dims[0], units = transB ? w->dims[0] : w->dims[1];
    if (int(in) != shape_[2])
      fail(who, fmt::format("weight of {} inputs for a tensor of {} features", in, shape_[2]));
    std::vector<double> k(in * units);
    for (size_t i = 0; i < in; ++i) {
      size_t row = i;  // nngen's input index i reads ONNX's input index row
      if (chwFlatten_) {
        const size_t H = size_t(spatial_[0]), W = size_t(spatial_[1]), C = size_t(spatial_[2]);
        const size_t h = i / (W * C), wq = (i / C) % W, c = i % C;
        row = (c * H + h) * W + wq;
      }
      for (size_t u = 0; u < units; ++u)
        k[i * units + u] = transB ? w->v[u * in + row] : w->v[row * units + u];
    }
    chwFlatten_ = false;
    YAML::Node l = newLayer(name, "Dense");
    l["units"] = units;
    const Const* b = gemm ? constInput(n, 2) : nullptr;
    if (b && b->v.size() != units)
      fail(who, fmt::format("Gemm bias of {} values for {} units", b->v.size(), units));
    l["use_bias"] = b != nullptr;
    l["kernel"] = save(name, "kernel", {in, units}, k);
    SpecWriter::setPrecision(l, "weight", w->type);
    if (b) {
      l["bias"] = save(name, "bias", {units}, b->v);
      SpecWriter::setPrecision(l, "bias", b->type);
    }
    shape_ = {1, 1, int(units)};
    push(l, n, fmt::format("{} -> Dense {} -> {}", n.op_type(), in, units));
  }

  enum class Layout { Nchw, Nhwc, Flat };
  const ImportOptions& opt_;
  SpecWriter out_;
  onnx::ModelProto model_;
  std::map<std::string, Const> consts_;
  std::string current_;  // the chain's current data tensor
  Layout layout_ = Layout::Flat;
  std::array<int, 3> shape_{1, 1, 1}, spatial_{1, 1, 1};  // H, W, C (NCHW tensors: the same)
  bool chwFlatten_ = false, pendingBias_ = false;
  std::set<std::string> names_;
};

}  // namespace

ImportSummary importOnnx(const ImportOptions& opt, const fs::path& dir) {
  return OnnxImporter(opt, dir).run();
}

}  // namespace nngen
