//! @file import_test.cpp
//! @brief Keras/QKeras import (issue 11): the QKeras types against QKeras's quantizer
//!        definition value by value, the imported spec and weights of hls4ml's example models,
//!        and one clear error per bad model, with nothing written.
#include "import/import.h"

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <onnx/onnx_pb.h>

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>

#include "flow/flow.h"
#include "import/hdf5_file.h"
#include "ir/fixed.h"
#include "spec/npy.h"
#include "spec_fixture.h"

namespace {

namespace fs = std::filesystem;
using ::testing::AllOf;
using ::testing::HasSubstr;
const fs::path kKeras = fs::path(NNGEN_TEST_DATA) / "import" / "keras";

/// QKeras's quantized_bits, as its definition (qkeras/quantizers.py) computes it with alpha = 1:
/// p = x * 2^(bits - keep_negative) / 2^integer, rounded half to even (tf.round), clipped to
/// [keep_negative * (-2^(bits - keep_negative) + symmetric), 2^(bits - keep_negative) - 1], times
/// 2^integer / 2^(bits - keep_negative).
double qkerasQuantizedBits(double x, int bits, int integer, bool symmetric, bool keepNegative) {
  const double m = std::ldexp(1.0, bits - (keepNegative ? 1 : 0)), mi = std::ldexp(1.0, integer);
  const double p = std::nearbyint(x * m / mi);  // FE_TONEAREST: ties to even
  const double lo = keepNegative ? -m + (symmetric ? 1 : 0) : 0, hi = m - 1;
  return mi * std::clamp(p, lo, hi) / m;
}

/// QKeras's quantized_relu(bits, integer): relu, then p = x * 2^bits / 2^integer rounded half to
/// even and clipped to [0, 2^bits - 1], times 2^integer / 2^bits.
double qkerasQuantizedRelu(double x, int bits, int integer) {
  const double m = std::ldexp(1.0, bits), mi = std::ldexp(1.0, integer);
  return mi * std::clamp(std::nearbyint(std::max(0.0, x) * m / mi), 0.0, m - 1) / m;
}

double viaNngen(double x, const std::string& type) {
  const nngen::FixedType t = nngen::parseFixedType(type);
  return nngen::rawToReal(nngen::quantizeReal(x, t), t.fracBits());
}

TEST(QKeras, QuantizedBitsIsTheDerivedTypeValueByValue) {
  int checked = 0;
  for (int bits = 2; bits <= 10; ++bits)
    for (int integer = -1; integer <= 4; ++integer)
      for (int sym = 0; sym <= 1; ++sym)
        for (int neg = 0; neg <= 1; ++neg) {
          if (!neg && sym) continue;
          const std::string q =
              fmt::format("quantized_bits({}, {}, symmetric={}, keep_negative={}, alpha=1)", bits,
                          integer, sym, neg ? "True" : "False");
          const std::string type = nngen::qkerasType(q, false);
          // every multiple of a quarter step over twice the range: ties, saturation, zero
          const double step = std::ldexp(1.0, integer - bits + (neg ? 1 : 0));
          for (double x = -2 * std::ldexp(1.0, integer); x <= 2 * std::ldexp(1.0, integer);
               x += step / 4) {
            ASSERT_EQ(viaNngen(x, type), qkerasQuantizedBits(x, bits, integer, sym, neg))
                << q << " -> " << type << " at x = " << x;
            ++checked;
          }
        }
  EXPECT_GT(checked, 10000);
  EXPECT_EQ(nngen::qkerasType("quantized_bits(6,0,alpha=1)", false),
            "ap_fixed<6,1,AP_RND_CONV,AP_SAT>");  // the sign bit is not one of `integer`
}

TEST(QKeras, QuantizedReluIsTheDerivedTypeValueByValue) {
  for (int bits = 2; bits <= 8; ++bits)
    for (int integer = 0; integer <= 3; ++integer) {
      const std::string type =
          nngen::qkerasType(fmt::format("quantized_relu({},{})", bits, integer), true);
      const double step = std::ldexp(1.0, integer - bits);
      for (double x = 0; x <= 2 * std::ldexp(1.0, integer); x += step / 4)
        ASSERT_EQ(viaNngen(x, type), qkerasQuantizedRelu(x, bits, integer)) << type << " " << x;
    }
}

TEST(QKeras, QuantizersWithoutAnExactTypeAreErrors) {
  for (const char* q :
       {"quantized_bits(6, 0, alpha=0.5)", "quantized_bits(6,0,alpha='auto')",
        "quantized_bits(4,0,use_stochastic_rounding=True)", "quantized_po2(4)", "ternary()",
        "binary(use_01=True)", "quantized_relu(4,0,negative_slope=0.25)"})
    EXPECT_THROW(nngen::qkerasType(q, true), std::invalid_argument) << q;
  EXPECT_EQ(nngen::qkerasType("binary(alpha=1)", false), "binary");
  EXPECT_EQ(nngen::qkerasType("ternary(alpha=1, threshold=0.5)", false), "ternary");
}

class Import : public nngen::test::SpecFixture {
 protected:
  /// The error importing `model` (with `weights`) into dir_/out throws; checks nothing was
  /// written.
  std::string importError(const fs::path& model, const fs::path& weights = {}) {
    nngen::ImportOptions opt;
    opt.model = model.string();
    opt.weights = weights.string();
    std::string what;
    try {
      nngen::importModel(opt, (dir_ / "out").string(), [](const std::string&) {});
    } catch (const nngen::Error& e) {
      what = e.what();
    }
    EXPECT_FALSE(fs::exists(dir_ / "out")) << "a failed import left its output folder";
    return what;
  }
  /// KERAS_3layer.json with `edit` applied to its JSON, written to dir_ beside a copy of the
  /// weights.
  fs::path editedModel(const std::function<void(nlohmann::json&)>& edit) {
    nlohmann::json j = nlohmann::json::parse(std::ifstream(kKeras / "KERAS_3layer.json"));
    edit(j);
    std::ofstream(dir_ / "m.json") << j.dump();
    fs::copy_file(kKeras / "KERAS_3layer_weights.h5", dir_ / "m_weights.h5");
    return dir_ / "m.json";
  }
};

TEST_F(Import, Keras3LayerBecomesASpecWithTheSameWeights) {
  nngen::ImportOptions opt;
  opt.model = (kKeras / "KERAS_3layer.json").string();
  const nngen::ImportSummary s =
      nngen::importModel(opt, (dir_ / "out").string(), [](const std::string&) {});
  EXPECT_EQ(s.spec, "KERAS_3layer.yaml");
  const nngen::Graph g = nngen::loadSpec((dir_ / "out" / s.spec).string());
  EXPECT_EQ(g.input.c, 16);
  std::vector<std::string> kinds;
  for (const nngen::Layer& l : g.layers) kinds.push_back(nngen::kindName(l.kind));
  EXPECT_THAT(kinds, ::testing::ElementsAre("Dense", "ReLU", "Dense", "ReLU", "Dense", "ReLU",
                                            "Dense", "Softmax"));
  const nngen::Hdf5File h5((kKeras / "KERAS_3layer_weights.h5").string());
  const nngen::Hdf5Array k = h5.dataset("/fc2_relu/fc2_relu/kernel:0");
  EXPECT_EQ(g.layers[2].kernel.data, k.values);  // (64, 32), the same values
  EXPECT_THAT(s.log, ::testing::Contains(HasSubstr("output_softmax")));
}

TEST_F(Import, AWholeModelFileHoldsItsArchitecture) {
  // KERAS_3layer_model.h5: model_config attribute and model_weights/ (what model.save writes)
  nngen::ImportOptions a, b;
  a.model = (kKeras / "KERAS_3layer_model.h5").string();
  b.model = (kKeras / "KERAS_3layer.json").string();
  const auto sa = nngen::importModel(a, (dir_ / "a").string(), [](const std::string&) {});
  const auto sb = nngen::importModel(b, (dir_ / "b").string(), [](const std::string&) {});
  const nngen::Graph ga = nngen::loadSpec((dir_ / "a" / sa.spec).string());
  const nngen::Graph gb = nngen::loadSpec((dir_ / "b" / sb.spec).string());
  ASSERT_EQ(ga.layers.size(), gb.layers.size());
  for (size_t i = 0; i < ga.layers.size(); ++i) {
    EXPECT_EQ(ga.layers[i].name, gb.layers[i].name);
    EXPECT_EQ(ga.layers[i].kernel.data, gb.layers[i].kernel.data);
    EXPECT_EQ(ga.layers[i].bias.data, gb.layers[i].bias.data);
  }
}

TEST_F(Import, DropoutIsDroppedAndLogged) {
  nngen::ImportOptions opt;
  opt.model = (kKeras / "KERAS_conv2d_model.json").string();
  const nngen::ImportSummary s =
      nngen::importModel(opt, (dir_ / "out").string(), [](const std::string&) {});
  EXPECT_THAT(s.log, ::testing::Contains(HasSubstr("dropout_1: Dropout dropped")));
  std::ifstream log(dir_ / "out" / "import.log");
  EXPECT_THAT(std::string(std::istreambuf_iterator<char>(log), {}), HasSubstr("Dropout dropped"));
}

TEST_F(Import, QKerasLayersGetTheirTypes) {
  nngen::ImportOptions opt;
  opt.model = (kKeras / "qkeras_3layer.json").string();
  const nngen::ImportSummary s =
      nngen::importModel(opt, (dir_ / "out").string(), [](const std::string&) {});
  const nngen::Graph g = nngen::loadSpec((dir_ / "out" / s.spec).string());
  EXPECT_EQ(g.layers[0].weightType.str(), "ap_fixed<6,1,AP_RND_CONV,AP_SAT>");
  EXPECT_EQ(g.layers[0].biasType.str(), "ap_fixed<6,1,AP_RND_CONV,AP_SAT>");
  EXPECT_EQ(g.layers[1].resultType.str(), "ap_ufixed<6,0,AP_RND_CONV,AP_SAT>");
}

TEST_F(Import, BadModelsAreOneClearErrorEachWithNothingWritten) {
  // a truncated weights file
  {
    std::ifstream in(kKeras / "KERAS_3layer_weights.h5", std::ios::binary);
    std::string bytes(std::istreambuf_iterator<char>(in), {});
    std::ofstream(dir_ / "cut.h5", std::ios::binary) << bytes.substr(0, bytes.size() / 2);
    const std::string e = importError(kKeras / "KERAS_3layer.json", dir_ / "cut.h5");
    EXPECT_THAT(e, HasSubstr("cut.h5"));
  }
  std::ofstream(dir_ / "text.h5") << "not hdf5\n";
  EXPECT_THAT(importError(dir_ / "text.h5"), HasSubstr("not an HDF5 file"));
  std::ofstream(dir_ / "bad.json") << "{\"class_name\": \"Sequential\", \"config\": [";
  fs::copy_file(kKeras / "KERAS_3layer_weights.h5", dir_ / "bad_weights.h5");
  EXPECT_THAT(importError(dir_ / "bad.json"), HasSubstr("not valid JSON"));
  fs::remove(dir_ / "bad.json");
  fs::remove(dir_ / "bad_weights.h5");

  const std::string lstm = importError(
      editedModel([](nlohmann::json& j) { j["config"]["layers"][2]["class_name"] = "LSTM"; }));
  EXPECT_THAT(lstm, HasSubstr("layer 'fc2_relu'"));
  EXPECT_THAT(lstm, HasSubstr("unsupported layer 'LSTM'"));
  fs::remove(dir_ / "m.json");
  fs::remove(dir_ / "m_weights.h5");

  const std::string branch = importError(editedModel([](nlohmann::json& j) {
    j["config"]["layers"][3]["inbound_nodes"][0][0][0] = "fc1_relu";  // fc3 reads fc1: a skip
  }));
  EXPECT_THAT(branch, HasSubstr("layer 'fc3_relu'"));
  EXPECT_THAT(branch, HasSubstr("branches"));
  fs::remove(dir_ / "m.json");
  fs::remove(dir_ / "m_weights.h5");

  const std::string act = importError(editedModel(
      [](nlohmann::json& j) { j["config"]["layers"][1]["config"]["activation"] = "elu"; }));
  EXPECT_THAT(act, HasSubstr("unsupported activation 'elu'"));
  fs::remove(dir_ / "m.json");
  fs::remove(dir_ / "m_weights.h5");

  nlohmann::json q = nlohmann::json::parse(std::ifstream(kKeras / "qkeras_3layer.json"));
  q["config"]["layers"][1]["config"]["kernel_quantizer"]["config"]["alpha"] = 0.5;
  std::ofstream(dir_ / "q.json") << q.dump();
  fs::copy_file(kKeras / "qkeras_3layer_weights.h5", dir_ / "q_weights.h5");
  const std::string alpha = importError(dir_ / "q.json");
  EXPECT_THAT(alpha, HasSubstr("layer 'fc1'"));
  EXPECT_THAT(alpha, HasSubstr("alpha = 0.5"));
}

TEST_F(Import, ABuildOfABadModelWritesNothing) {
  const fs::path m =
      editedModel([](nlohmann::json& j) { j["config"]["layers"][2]["class_name"] = "GRU"; });
  EXPECT_THAT(buildError(m.string()), HasSubstr("unsupported layer 'GRU'"));
}

}  // namespace

namespace {

const fs::path kOnnx = fs::path(NNGEN_TEST_DATA) / "import" / "onnx";

class OnnxImport : public Import {
 protected:
  /// qonnx_mlp.onnx with `edit` applied, written to dir_/m.onnx.
  fs::path edited(const std::function<void(onnx::ModelProto&)>& edit) {
    onnx::ModelProto m;
    std::ifstream in(kOnnx / "qonnx_mlp.onnx", std::ios::binary);
    EXPECT_TRUE(m.ParseFromIstream(&in));
    edit(m);
    std::ofstream out(dir_ / "m.onnx", std::ios::binary);
    m.SerializeToOstream(&out);
    return dir_ / "m.onnx";
  }
  static onnx::NodeProto& nodeNamed(onnx::ModelProto& m, const std::string& name) {
    for (auto& n : *m.mutable_graph()->mutable_node())
      if (n.name() == name) return n;
    throw std::runtime_error("no node " + name);
  }
};

TEST_F(OnnxImport, QonnxQuantNodesBecomeExactTypes) {
  nngen::ImportOptions opt;
  opt.model = (kOnnx / "qonnx_mlp.onnx").string();
  const nngen::ImportSummary s =
      nngen::importModel(opt, (dir_ / "out").string(), [](const std::string&) {});
  const nngen::Graph g = nngen::loadSpec((dir_ / "out" / s.spec).string());
  EXPECT_EQ(g.inputType.str(), "ap_fixed<8,4,AP_RND_CONV,AP_SAT>");  // scale 2^-4, 8 bits
  EXPECT_EQ(g.layers[0].weightType.str(), "ap_fixed<6,1,AP_RND_CONV,AP_SAT_SYM>");  // narrow
  EXPECT_EQ(g.layers[0].biasType.str(), "ap_fixed<8,2,AP_RND_CONV,AP_SAT>");
  EXPECT_EQ(g.layers[1].resultType.str(), "ap_ufixed<4,1,AP_TRN,AP_SAT>");  // FLOOR, unsigned
  EXPECT_EQ(g.layers[2].kind, nngen::LayerKind::Dense);
  EXPECT_FALSE(g.layers[2].bias.empty());  // MatMul + Add
}

TEST_F(OnnxImport, ConvWeightsAndTheChwFlattenOrderBecomeNngensLayouts) {
  // the PyTorch export of the shipped model: its imported kernels are bf.yaml's
  nngen::ImportOptions opt;
  opt.model = (kOnnx / "svhn_paper_bf.onnx").string();
  const nngen::ImportSummary s =
      nngen::importModel(opt, (dir_ / "out").string(), [](const std::string&) {});
  const nngen::Graph a = nngen::loadSpec((dir_ / "out" / s.spec).string());
  const nngen::Graph b = nngen::loadSpec(
      (fs::path(NNGEN_TEST_DATA) / ".." / "configs" / "svhn_paper" / "bf.yaml").string());
  ASSERT_EQ(a.layers.size(), b.layers.size());
  for (size_t i = 0; i < a.layers.size(); ++i) {
    EXPECT_EQ(a.layers[i].name, b.layers[i].name);
    EXPECT_EQ(a.layers[i].kernel.data, b.layers[i].kernel.data) << a.layers[i].name;
    EXPECT_EQ(a.layers[i].epsilon, b.layers[i].epsilon) << a.layers[i].name;
  }
}

TEST_F(OnnxImport, BadModelsAreOneClearErrorEachWithNothingWritten) {
  {
    std::ifstream in(kOnnx / "qonnx_mlp.onnx", std::ios::binary);
    std::string bytes(std::istreambuf_iterator<char>(in), {});
    std::ofstream(dir_ / "cut.onnx", std::ios::binary) << bytes.substr(0, bytes.size() / 2);
    EXPECT_THAT(importError(dir_ / "cut.onnx"), HasSubstr("not an ONNX model"));
  }
  EXPECT_THAT(importError(edited(
                  [](onnx::ModelProto& m) { nodeNamed(m, "relu0").set_op_type("LeakyRelu"); })),
              AllOf(HasSubstr("node 'relu0'"), HasSubstr("unsupported operator 'LeakyRelu'")));
  EXPECT_THAT(importError(edited([](onnx::ModelProto& m) {
                for (auto& t : *m.mutable_graph()->mutable_initializer())
                  if (t.name() == "s_w") {
                    t.clear_raw_data();
                    t.clear_float_data();
                    t.add_float_data(0.3f);
                  }
              })),
              AllOf(HasSubstr("node 'w0_quant'"), HasSubstr("not a power of two")));
  EXPECT_THAT(importError(edited([](onnx::ModelProto& m) {
                nodeNamed(m, "fc1").set_input(0, "h0");  // fc1 reads fc0's output: a skip
              })),
              AllOf(HasSubstr("node 'relu0'"), HasSubstr("read by 2 nodes: the graph branches")));
  EXPECT_THAT(importError(edited([](onnx::ModelProto& m) {
                nodeNamed(m, "in_quant").mutable_input()->at(2) = "bits4";  // zero point 4
              })),
              HasSubstr("zero point"));
}

}  // namespace
