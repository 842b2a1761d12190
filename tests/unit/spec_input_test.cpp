//! @file spec_input_test.cpp
//! @brief Specs that used to be accepted although wrong (repeated YAML keys, non-finite numbers,
//!        sizes that overflow), or refused although right (.npy files with long headers, format
//!        2.0/3.0, keys in another order), inputs that are not regular files, and inputs that
//!        used to end in an "internal error" instead of nngen::Error.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>

#include "passes/passes.h"
#include "ref/reference.h"
#include "spec/npy.h"
#include "spec/spec_loader.h"
#include "spec_fixture.h"

namespace fs = std::filesystem;
using ::testing::HasSubstr;

namespace {

const std::string kNpyData = std::string(NNGEN_TEST_DATA) + "/unit/data/npy/";

/// A .npy file's bytes: magic, version, little-endian header length, the header padded with
/// spaces to `total` bytes before the data (as numpy pads), then the data.
std::string npyBytes(int major, const std::string& dict, size_t total, const std::string& data) {
  const size_t lenBytes = major == 1 ? 2 : 4;
  std::string header = dict;
  while (8 + lenBytes + header.size() + 1 < total) header += ' ';
  header += '\n';
  std::string out = "\x93NUMPY";
  out += char(major);
  out += char(0);
  for (size_t i = 0; i < lenBytes; ++i) out += char((header.size() >> (8 * i)) & 0xff);
  return out + header + data;
}

/// `n` float32 values 0.25, 0.5, ... as little-endian bytes.
std::string floats(int n) {
  std::string out;
  for (int i = 0; i < n; ++i) {
    const float f = 0.25f * float(i + 1);
    char b[4];
    std::memcpy(b, &f, 4);
    out.append(b, 4);
  }
  return out;
}

/// Loads a .npy file of the given bytes (written to a temporary file, read with loadNpy).
nngen::NpyArray loadBytes(const std::string& bytes) {
  const fs::path p =
      fs::temp_directory_path() / ("nngen_spec_input_" + std::to_string(::getpid()) + ".npy");
  std::ofstream(p, std::ios::binary) << bytes;
  struct Remove {
    fs::path p;
    ~Remove() { fs::remove(p); }
  } remove{p};
  return nngen::loadNpy(p.string(), nngen::SourceLoc{}, "");
}

/// The message of the nngen::Error that loading a .npy file of `bytes` throws ("" if none; any
/// other exception fails the test).
std::string npyError(const std::string& bytes) {
  try {
    loadBytes(bytes);
  } catch (const nngen::Error& e) {
    return e.what();
  } catch (const std::exception& e) {
    ADD_FAILURE() << "not an nngen::Error: " << e.what();
    return "internal error";
  }
  return "";
}

class SpecInput : public nngen::test::SpecFixture {};

const char* kConv =
    "  - name: conv0\n"      // line 6
    "    type: Conv2D\n"     // 7
    "    filters: 2\n"       // 8
    "    kernel_size: 3\n"   // 9
    "    use_bias: false\n"  // 10
    "    kernel: k.npy\n";   // 11

// ---- repeated keys --------------------------------------------------------------------------

TEST_F(SpecInput, RepeatedKeyInALayerNamesBothLines) {
  const std::string p = spec(std::string(kConv) + "    filters: 8\n");  // line 12
  const std::string e = error(p);
  EXPECT_THAT(e, HasSubstr(p + ":12:"));
  EXPECT_THAT(e, HasSubstr("layer 'conv0'"));
  EXPECT_THAT(e, HasSubstr("duplicate key 'filters'"));
  EXPECT_THAT(e, HasSubstr("line 8"));
}

TEST_F(SpecInput, RepeatedLayerName) {
  const std::string e = error(spec("  - {name: a, type: Flatten, name: b}\n"));
  EXPECT_THAT(e, HasSubstr("net.yaml:6:"));
  EXPECT_THAT(e, HasSubstr("layer 'a'"));
  EXPECT_THAT(e, HasSubstr("duplicate key 'name'"));
}

TEST_F(SpecInput, RepeatedKeyBeforeTheLayersName) {
  // The repetition comes before 'name': the message still names the layer.
  const std::string e = error(spec(
      "  - {name: c0, type: Conv2D, filters: 2, kernel_size: 3, use_bias: false, kernel: k.npy}\n"
      "  - type: Flatten\n"  // 7
      "    type: Flatten\n"  // 8
      "    name: f\n"));
  EXPECT_THAT(e, HasSubstr("net.yaml:8:"));
  EXPECT_THAT(e, HasSubstr("layer 'f'"));
  EXPECT_THAT(e, HasSubstr("duplicate key 'type': given at line 7 and again at line 8"));
}

TEST_F(SpecInput, RepeatedKeysAnywhere) {
  // Top level, nested mappings, flow mappings, quoted spellings of the same key.
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"hardware: {clock_period_ns: 5}\nhardware: {clock_period_ns: 4}\n", "'hardware'"},
      {"hardware:\n  clock_period_ns: 5\n  \"clock_period_ns\": 4\n", "'clock_period_ns'"},
      {"metadata: {a: 1, b: {c: 1, c: 2}}\n", "'c'"},
      {"precision: {default: 'ap_fixed<8,2>', default: 'ap_fixed<16,6>'}\n", "'default'"},
      {"name: u\n", "'name'"},
  };
  for (const auto& [top, key] : cases) {
    const std::string e = error(spec(kConv, top));
    EXPECT_THAT(e, HasSubstr("duplicate key " + key)) << top;
  }
  // The same key in two different mappings is fine.
  EXPECT_EQ(error(spec(kConv, "metadata: {a: {x: 1}, b: {x: 2}}\n")), "");
}

TEST_F(SpecInput, SecondYamlDocument) {
  EXPECT_THAT(error(spec(kConv, "---\nnngen: 1\n")), HasSubstr("more than one YAML document"));
}

TEST_F(SpecInput, NonScalarKeys) {
  EXPECT_THAT(error(spec(kConv, "? [a, b]\n: 1\n")), HasSubstr("net.yaml:12:"));
  EXPECT_THAT(error(spec(kConv, "metadata: {[a]: 1}\n")), HasSubstr("must be plain names"));
  EXPECT_THAT(error(spec("  - {name: c, type: Flatten, {x: 1}: 2}\n")),
              HasSubstr("must be plain names"));
}

TEST_F(SpecInput, DeepNestingIsASyntaxErrorThatSaysSo) {
  const std::string e =
      error(spec(kConv, "metadata: " + std::string(3000, '[') + std::string(3000, ']') + "\n"));
  EXPECT_THAT(e, HasSubstr("net.yaml:12:"));
  EXPECT_THAT(e, HasSubstr("YAML syntax error: lists and mappings nested too deep"));
}

// ---- non-finite and huge numbers ------------------------------------------------------------

TEST_F(SpecInput, NonFiniteNumbersAreRefused) {
  struct Case {
    std::string layers, top, input, line, what;
  };
  const std::string bn =
      "  - {name: bn, type: BatchNormalization, moving_mean: v.npy, "
      "moving_variance: v.npy, epsilon: ";
  const std::vector<Case> cases = {
      {kConv, "hardware:\n  clock_period_ns: .inf\n", "[5, 5, 1]",
       ":13:", "'clock_period_ns' must be a finite number, got '.inf'"},
      {kConv, "hardware: {clock_period_ns: .nan}\n", "[5, 5, 1]",
       ":12:", "'clock_period_ns' must be a finite number"},
      {bn + ".inf}\n", "", "[1, 1, 2]", ":6:", "'epsilon' must be a finite number, got '.inf'"},
      {bn + ".NaN}\n", "", "[1, 1, 2]", ":6:", "'epsilon' must be a finite number"},
  };
  for (const auto& c : cases) {
    const std::string e = error(spec(c.layers, c.top, c.input));
    EXPECT_THAT(e, HasSubstr("net.yaml" + c.line)) << c.top << c.layers;
    EXPECT_THAT(e, HasSubstr(c.what)) << c.top << c.layers;
  }
  const std::string e = error(spec(bn + ".inf}\n", "", "[1, 1, 2]"));
  EXPECT_THAT(e, HasSubstr("layer 'bn'"));
}

TEST_F(SpecInput, NonFinitePreprocessing) {
  for (const std::string v : {".nan", ".inf", "-.inf"}) {
    for (const std::string key : {"scale", "offset"}) {
      const fs::path p = dir_ / "net.yaml";
      std::ofstream(p) << "nngen: 1\nname: t\ninput:\n  shape: [5, 5, 1]\n  preprocess: {" << key
                       << ": " << v << "}\nlayers:\n"
                       << kConv;
      const std::string e = error(p.string());
      EXPECT_THAT(e, HasSubstr("net.yaml:5:")) << key << v;
      EXPECT_THAT(e, HasSubstr("'" + key + "' must be a finite number")) << key << v;
    }
  }
}

TEST_F(SpecInput, HugePreprocessScaleIsAUserError) {
  // 1e308 is finite, but pixel * scale overflows to infinity in the reference.
  const fs::path p = dir_ / "net.yaml";
  std::ofstream(p)
      << "nngen: 1\nname: t\ninput:\n  shape: [5, 5, 1]\n  preprocess: {scale: 1e308}\n"
         "layers:\n"
      << kConv;
  nngen::saveNpyInt64((dir_ / "labels.npy").string(), {1}, {0});
  std::string bytes = npyBytes(1, "{'descr': '|u1', 'fortran_order': False, 'shape': (1, 5, 5), }",
                               128, std::string(25, char(200)));
  std::ofstream(dir_ / "img.npy", std::ios::binary) << bytes;
  const nngen::Graph g = nngen::runPasses(nngen::loadSpec(p.string()));
  try {
    nngen::loadInputs(g, (dir_ / "img.npy").string(), "", 0);
    ADD_FAILURE() << "accepted";
  } catch (const nngen::Error& e) {
    EXPECT_THAT(e.what(), HasSubstr("net.yaml:4:"));
    EXPECT_THAT(e.what(), HasSubstr("preprocess scale"));
  } catch (const std::exception& e) {
    ADD_FAILURE() << "not an nngen::Error: " << e.what();
  }
}

TEST_F(SpecInput, LabelsOutsideTheIntRange) {
  const std::string p = spec(kConv);
  nngen::saveNpyInt64((dir_ / "labels.npy").string(), {1}, {int64_t{1} << 40});
  nngen::saveNpyFloat32((dir_ / "x.npy").string(), {1, 5, 5, 1}, std::vector<double>(25, 0.0));
  const nngen::Graph g = nngen::runPasses(nngen::loadSpec(p));
  try {
    nngen::loadInputs(g, (dir_ / "x.npy").string(), (dir_ / "labels.npy").string(), 0);
    ADD_FAILURE() << "accepted";
  } catch (const nngen::Error& e) {
    EXPECT_THAT(e.what(), HasSubstr("label 0 is 1099511627776"));
  }
}

TEST_F(SpecInput, SizesThatWouldOverflowAreRefused) {
  EXPECT_THAT(error(spec(kConv, "", "[65536, 5, 1]")),
              HasSubstr("'shape' must be <= 65535, got 65536"));
  EXPECT_THAT(error(spec(kConv, "", "[65535, 65535, 3]")),
              HasSubstr("has more than 67108864 elements"));
  EXPECT_THAT(
      error(spec("  - {name: c, type: Conv2D, filters: 100000, kernel_size: 3, kernel: k.npy}\n")),
      HasSubstr("'filters' must be <= 65535"));
  // A Conv2D output of 8192 x 8192 x 2 elements from a small input: too many.
  const std::string e =
      error(spec("  - {name: c, type: Conv2D, filters: 2, kernel_size: 3, strides: 1, padding: "
                 "same, use_bias: false, kernel: k.npy}\n",
                 "", "[8192, 8192, 1]"));
  EXPECT_THAT(e, HasSubstr("layer 'c'"));
  EXPECT_THAT(e, HasSubstr("the output 8192x8192x2 has more than"));
  EXPECT_THAT(error(spec(kConv, "", "[99999999999, 5, 1]")),
              HasSubstr("'shape' has an invalid value"));
}

// ---- files that are not regular files -------------------------------------------------------

TEST_F(SpecInput, WeightPathIsADirectory) {
  fs::remove(dir_ / "k.npy");
  fs::create_directory(dir_ / "k.npy");
  const std::string e = error(spec(kConv));
  EXPECT_THAT(e, HasSubstr("net.yaml:11:"));
  EXPECT_THAT(e, HasSubstr("layer 'conv0'"));
  EXPECT_THAT(e, HasSubstr("k.npy': is a directory"));
}

TEST_F(SpecInput, WeightPathIsAFifoAndDoesNotBlock) {
  fs::remove(dir_ / "k.npy");
  ASSERT_EQ(::mkfifo((dir_ / "k.npy").c_str(), 0600), 0);
  const std::string e = error(spec(kConv));  // the old code blocked here forever
  EXPECT_THAT(e, HasSubstr("net.yaml:11:"));
  EXPECT_THAT(e, HasSubstr("k.npy': is not a regular file (a FIFO, socket or device)"));
}

TEST_F(SpecInput, WeightPathIsADevice) {
  const std::string e =
      error(spec("  - {name: c, type: Conv2D, filters: 2, kernel_size: 3, use_bias: false, kernel: "
                 "/dev/zero}\n"));
  EXPECT_THAT(e, HasSubstr("'/dev/zero': is not a regular file"));
}

TEST_F(SpecInput, SpecIsAFifoOrADirectory) {
  ASSERT_EQ(::mkfifo((dir_ / "fifo.yaml").c_str(), 0600), 0);
  EXPECT_THAT(error((dir_ / "fifo.yaml").string()),
              HasSubstr("cannot read the spec file: is not a regular file"));
  EXPECT_THAT(error(dir_.string()), HasSubstr("cannot read the spec file: is a directory"));
}

TEST_F(SpecInput, TestDataPathsMustBeRegularFiles) {
  fs::create_directory(dir_ / "imgs");
  ASSERT_EQ(::mkfifo((dir_ / "labels.npy").c_str(), 0600), 0);
  std::string e = error(spec(kConv, "test_data:\n  images: imgs\n"));
  EXPECT_THAT(e, HasSubstr("net.yaml:13:"));
  EXPECT_THAT(e, HasSubstr("imgs': is a directory"));
  e = error(spec(kConv, "test_data:\n  images: k.npy\n  labels: labels.npy\n"));
  EXPECT_THAT(e, HasSubstr("net.yaml:14:"));
  EXPECT_THAT(e, HasSubstr("labels.npy': is not a regular file"));
}

// ---- .npy files numpy writes ----------------------------------------------------------------

TEST(Npy, EveryFormatVersionNumpyWrites) {
  const nngen::SourceLoc loc{};
  {
    const auto a = nngen::loadNpy(kNpyData + "v1_long_header.npy", loc, "");  // header 182 bytes
    EXPECT_EQ(a.shape.size(), 30u);
    EXPECT_EQ(a.shape.back(), 2u);
    EXPECT_EQ(a.values, (std::vector<double>{0.0, 1.0}));
    EXPECT_EQ(a.dtype, "<f4");
  }
  {
    const auto a = nngen::loadNpy(kNpyData + "v2.npy", loc, "");
    EXPECT_EQ(a.shape, (std::vector<size_t>{2, 3}));
    EXPECT_EQ(a.values, (std::vector<double>{-3, -2, -1, 0, 1, 2}));
    EXPECT_TRUE(a.isInteger());
  }
  {
    const auto a = nngen::loadNpy(kNpyData + "v3.npy", loc, "");
    EXPECT_EQ(a.shape, (std::vector<size_t>{4}));
    EXPECT_EQ(a.values, (std::vector<double>{0, 0.25, 0.5, 0.75}));
  }
}

TEST(Npy, FortranOrderScalarAndEmpty) {
  const nngen::SourceLoc loc{};
  const auto f =
      nngen::loadNpy(kNpyData + "fortran.npy", loc, "");  // np.arange(6).reshape(2, 3), F order
  EXPECT_EQ(f.shape, (std::vector<size_t>{2, 3}));
  EXPECT_EQ(f.values, (std::vector<double>{0, 1, 2, 3, 4, 5}));
  const auto s = nngen::loadNpy(kNpyData + "scalar.npy", loc, "");
  EXPECT_TRUE(s.shape.empty());
  EXPECT_EQ(s.values, (std::vector<double>{7.5}));
  const auto e = nngen::loadNpy(kNpyData + "empty.npy", loc, "");
  EXPECT_EQ(e.shape, (std::vector<size_t>{0}));
  EXPECT_TRUE(e.values.empty());
}

TEST(Npy, StructuredDtypeIsAClearDtypeError) {
  try {
    nngen::loadNpy(kNpyData + "structured_v3.npy", nngen::SourceLoc{"net.yaml", 4}, "bn");
    ADD_FAILURE() << "accepted";
  } catch (const nngen::Error& e) {
    EXPECT_THAT(e.what(), HasSubstr("net.yaml:4: layer 'bn': "));
    EXPECT_THAT(e.what(), HasSubstr("unsupported dtype: a structured dtype"));
  }
}

TEST(Npy, HeadersNumpyAcceptsInAnyLayout) {
  const std::string data = floats(2);
  // Header lengths of every size class, a length byte >= 0x80, 4-byte lengths > 65535.
  for (int major : {1, 2, 3}) {
    for (size_t total : {64, 128, 192, 256, 4096, 70016}) {
      if (major == 1 && total > 65535) continue;
      const auto a = loadBytes(npyBytes(
          major, "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", total, data));
      EXPECT_EQ(a.values, (std::vector<double>{0.25, 0.5})) << major << " " << total;
    }
  }
  // Keys in another order, double quotes, no trailing comma, Python 2 longs.
  for (const std::string dict : {"{'shape': (2,), 'fortran_order': False, 'descr': '<f4'}",
                                 "{\"descr\": \"<f4\", \"fortran_order\": False, \"shape\": (2L,)}",
                                 "{'descr':'<f4','fortran_order':True,'shape':(2,)}"}) {
    const auto a = loadBytes(npyBytes(1, dict, 128, data));
    EXPECT_EQ(a.shape, (std::vector<size_t>{2})) << dict;
    EXPECT_EQ(a.values, (std::vector<double>{0.25, 0.5})) << dict;
  }
}

TEST_F(SpecInput, SpecWithALongNpyHeaderLoads) {
  // numpy pads headers to a multiple of 64 bytes; 192 bytes gives a length byte of 0xb6.
  std::ofstream(dir_ / "k.npy", std::ios::binary) << npyBytes(
      1, "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 3, 1, 2), }", 192, floats(18));
  const nngen::Graph g = nngen::loadSpec(spec(kConv));
  ASSERT_EQ(g.layers.size(), 1u);
  EXPECT_EQ(g.layers[0].kernel.data[17], 0.25 * 18);
}

TEST(Npy, BadFilesAreClearErrors) {
  const std::string d = floats(2);
  const std::string h = "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }";
  struct Case {
    std::string bytes, what;
  };
  const std::vector<Case> cases = {
      {"", "no \\x93NUMPY magic"},
      {std::string("\x93NUMPY\x04\x00", 8) + "xx", "unsupported .npy format version 4.0"},
      {std::string("\x93NUMPY\x01\x00\xff\xff", 10) + h, "truncated: its header is 65535 bytes"},
      {std::string("\x93NUMPY\x02\x00\xff\xff\xff\xff", 12),
       "truncated: its header is 4294967295 bytes"},
      {npyBytes(1, h, 128, d.substr(0, 7)), "truncated: the header promises 8 data bytes"},
      {npyBytes(1,
                "{'descr': '<f4', 'fortran_order': False, 'shape': (4294967296, 4294967296, 2), }",
                128, d),
       "more elements than can exist"},
      {npyBytes(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999,), }",
                128, d),
       "integer too large"},
      {npyBytes(1, "{'descr': '<f4', 'fortran_order': False}", 128, d), "lacks one of"},
      {npyBytes(1, "{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (2,)}", 128,
                d),
       "'descr' given twice"},
      {npyBytes(1, "{'descr': '<f4', 'fortran_order': 0, 'shape': (2,)}", 128, d),
       "fortran_order is not"},
      {npyBytes(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'x': 1}", 128, d),
       "unknown header key"},
      {npyBytes(1, "{'descr': '<f2', 'fortran_order': False, 'shape': (2,)}", 128, d),
       "unsupported dtype '<f2'"},
      {npyBytes(1, "{'descr': '<u1', 'fortran_order': False, 'shape': (2,)}", 128, d),
       "unsupported dtype '<u1'"},
      {npyBytes(1, "{'descr': '|b1', 'fortran_order': False, 'shape': (2,)}", 128, d),
       "unsupported dtype '|b1'"},
      {npyBytes(1, std::string(40, '[') + std::string(40, ']'), 128, d), "nested too deeply"},
      {npyBytes(1, "{'descr': '<f4", 128, d), "unterminated string"},
  };
  for (const auto& c : cases) EXPECT_THAT(npyError(c.bytes), HasSubstr(c.what)) << c.bytes;
}

}  // namespace
