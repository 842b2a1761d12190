//! @file beats_test.cpp
//! @brief The testbench file formats of sim/nn_beats.h (shared by nngen and the Verilator
//!        driver): exact little-endian bytes, round trips through the flow's functions and the
//!        driver's reader/writer, and clear errors for wrong magic, truncated or overlong files.
#include "flow/beats.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "ir/diagnostic.h"
#include "nn_beats.h"

namespace fs = std::filesystem;
using ::testing::AllOf;
using ::testing::HasSubstr;

namespace {

class BeatFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           fs::path("nngen_beats_" + std::to_string(::getpid()) + "_" +
                    ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }

  static std::string bytes(const std::string& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }
  static void write(const std::string& p, const std::string& b) {
    std::ofstream o(p, std::ios::binary);
    o << b;
  }
  /// The message of the nngen::Error `f` throws ("" if none).
  template <typename F>
  static std::string errorOf(F f) {
    try {
      f();
    } catch (const nngen::Error& e) {
      return e.what();
    }
    return "";
  }

  fs::path dir_;
};

/// Little-endian bytes of `v`, independent of the host.
std::string le(std::initializer_list<uint32_t> words) {
  std::string s;
  for (uint32_t v : words)
    for (int i = 0; i < 4; ++i) s += static_cast<char>((v >> (8 * i)) & 0xff);
  return s;
}

TEST(BeatsLe32, EncodesLeastSignificantByteFirst) {
  unsigned char b[4];
  nnbeats::putLe32(b, 0x12345678u);
  EXPECT_EQ(b[0], 0x78);
  EXPECT_EQ(b[1], 0x56);
  EXPECT_EQ(b[2], 0x34);
  EXPECT_EQ(b[3], 0x12);
  EXPECT_EQ(nnbeats::getLe32(b), 0x12345678u);
  const unsigned char top[4] = {0x01, 0x00, 0x00, 0x80};
  EXPECT_EQ(nnbeats::getLe32(top), 0x80000001u);
}

TEST_F(BeatFiles, StimulusBytesAreLittleEndian) {
  // 40-bit beats (two words), 2 beats per image, 1 image; outputs 3 bits x 1 beat.
  nngen::BeatFile in;
  in.bits = 40;
  in.beatsPerImage = 2;
  in.images = 1;
  in.beats = {{0x04030201u, 0x05u}, {0xdeadbeefu, 0xffu}};
  nngen::writeStimulus(path("s.bin"), in, 3, 1);
  EXPECT_EQ(bytes(path("s.bin")),
            "NNGENSTM" + le({1, 40, 2, 3, 1, 1}) + le({0x04030201u, 0x05u, 0xdeadbeefu, 0xffu}));

  nnbeats::Reader r;
  ASSERT_TRUE(r.openStimulus(path("s.bin"))) << r.error();
  EXPECT_EQ(r.stimulus().inBits, 40u);
  EXPECT_EQ(r.stimulus().inBeatsPerImage, 2u);
  EXPECT_EQ(r.stimulus().outBits, 3u);
  EXPECT_EQ(r.stimulus().outBeatsPerImage, 1u);
  EXPECT_EQ(r.stimulus().images, 1u);
  ASSERT_EQ(r.entries(), 2u);
  uint32_t w[2];
  ASSERT_TRUE(r.seek(1));
  ASSERT_TRUE(r.next(w));
  EXPECT_EQ(w[0], 0xdeadbeefu);
  EXPECT_EQ(w[1], 0xffu);
  ASSERT_TRUE(r.seek(0));
  ASSERT_TRUE(r.next(w));
  EXPECT_EQ(w[0], 0x04030201u);
  EXPECT_FALSE(r.seek(3));
}

TEST_F(BeatFiles, BeatFileRoundTripThroughFlowAndDriver) {
  nngen::BeatFile f;
  f.bits = 70;  // three words, the top one partly used
  f.beatsPerImage = 2;
  f.images = 3;
  for (uint32_t k = 0; k < 6; ++k) f.beats.push_back({0x01010101u * k, ~k, k & 0x3f});
  nngen::writeBeats(path("e.bin"), f);
  EXPECT_EQ(bytes(path("e.bin")).substr(0, 24), "NNGENOUT" + le({1, 70, 2, 3}));
  const nngen::BeatFile g = nngen::readBeats(path("e.bin"));
  EXPECT_EQ(g.bits, 70u);
  EXPECT_EQ(g.beatsPerImage, 2u);
  EXPECT_EQ(g.images, 3u);
  EXPECT_EQ(g.beats, f.beats);

  // The driver's writer (nn_sim.cpp): announces 3 images, captures 1, patches the count.
  nnbeats::Writer w;
  ASSERT_TRUE(w.openBeats(path("o.bin"), {70, 2, 3})) << w.error();
  w.put(f.beats[0].data(), 3);
  w.put(f.beats[1].data(), 3);
  w.patch(3, 1);
  ASSERT_TRUE(w.close()) << w.error();
  const nngen::BeatFile o = nngen::readBeats(path("o.bin"));
  EXPECT_EQ(o.images, 1u);
  ASSERT_EQ(o.beats.size(), 2u);
  EXPECT_EQ(o.beats[1], f.beats[1]);
}

TEST_F(BeatFiles, OrderFileRoundTrip) {
  const std::vector<uint32_t> order = {0, 2, 3, 0x01020304u};
  EXPECT_EQ(nnbeats::writeOrder(path("order.bin"), order), "");
  EXPECT_EQ(bytes(path("order.bin")), "NNGENORD" + le({1, 4, 0, 2, 3, 0x01020304u}));
  EXPECT_EQ(nngen::readOrder(path("order.bin")), order);
  EXPECT_EQ(nngen::readOrder([&] {
              EXPECT_EQ(nnbeats::writeOrder(path("empty.bin"), {}), "");
              return path("empty.bin");
            }()),
            std::vector<uint32_t>{});
}

TEST_F(BeatFiles, WrongMagicNamesFileAndFormat) {
  write(path("x.bin"), "NNGENSTM" + le({1, 8, 1, 8, 1, 1, 7}));
  EXPECT_THAT(errorOf([&] { nngen::readBeats(path("x.bin")); }),
              AllOf(HasSubstr(path("x.bin")), HasSubstr("bad magic (expected NNGENOUT)")));
  EXPECT_THAT(errorOf([&] { nngen::readOrder(path("x.bin")); }),
              AllOf(HasSubstr(path("x.bin")), HasSubstr("bad magic (expected NNGENORD)")));
  write(path("v.bin"), "NNGENOUT" + le({2, 8, 1, 0}));
  EXPECT_THAT(errorOf([&] { nngen::readBeats(path("v.bin")); }),
              HasSubstr("unsupported version 2"));
  nnbeats::Reader r;
  EXPECT_FALSE(r.openStimulus(path("v.bin")));
  EXPECT_THAT(r.error(),
              AllOf(HasSubstr("stimulus file '" + path("v.bin") + "'"), HasSubstr("bad magic")));
}

TEST_F(BeatFiles, TruncatedOrOverlongFilesAreErrors) {
  // Header cut short.
  write(path("h.bin"), "NNGENOUT" + le({1, 8}));
  EXPECT_THAT(errorOf([&] { nngen::readBeats(path("h.bin")); }),
              AllOf(HasSubstr(path("h.bin")), HasSubstr("truncated header")));
  // Two images of one 8-bit beat announced, one present.
  write(path("t.bin"), "NNGENOUT" + le({1, 8, 1, 2, 0x11}));
  EXPECT_THAT(
      errorOf([&] { nngen::readBeats(path("t.bin")); }),
      AllOf(HasSubstr(path("t.bin")), HasSubstr("truncated: 28 bytes, the header implies 32")));
  // A word more than announced (format drift between writer and reader).
  write(path("l.bin"), "NNGENOUT" + le({1, 8, 1, 1, 0x11, 0x22}));
  EXPECT_THAT(errorOf([&] { nngen::readBeats(path("l.bin")); }),
              AllOf(HasSubstr(path("l.bin")), HasSubstr("32 bytes, the header implies 28")));
  write(path("o.bin"), "NNGENORD" + le({1, 3, 0, 1}));
  EXPECT_THAT(errorOf([&] { nngen::readOrder(path("o.bin")); }), HasSubstr("truncated"));
  write(path("s.bin"), "NNGENSTM" + le({1, 8, 2, 8, 1, 1, 0x11}));
  nnbeats::Reader r;
  EXPECT_FALSE(r.openStimulus(path("s.bin")));
  EXPECT_THAT(r.error(), HasSubstr("truncated"));
  EXPECT_THAT(errorOf([&] { nngen::readBeats(path("missing.bin")); }),
              AllOf(HasSubstr(path("missing.bin")), HasSubstr("cannot open")));
}

TEST_F(BeatFiles, WriterRejectsBeatsOfTheWrongShape) {
  nngen::BeatFile f;
  f.bits = 40;
  f.beatsPerImage = 1;
  f.images = 2;
  f.beats = {{1, 2}};  // one beat for two images
  EXPECT_THAT(errorOf([&] { nngen::writeBeats(path("a.bin"), f); }),
              HasSubstr("1 beats for 2 images"));
  EXPECT_FALSE(fs::exists(path("a.bin")));  // no half-written file
  f.beats = {{1, 2}, {3}};                  // a beat of one word
  EXPECT_THAT(errorOf([&] { nngen::writeBeats(path("b.bin"), f); }),
              HasSubstr("a beat of 1 words, not 2"));
  f.beats = {{1, 2}, {3, 4}};
  EXPECT_THAT(errorOf([&] { nngen::writeBeats(path("no/such/dir/c.bin"), f); }),
              AllOf(HasSubstr("no/such/dir/c.bin"), HasSubstr("cannot create")));
}

TEST_F(BeatFiles, ImplausibleStimulusHeader) {
  write(path("z.bin"), "NNGENSTM" + le({1, 8, 0, 8, 1, 1}));
  nnbeats::Reader r;
  EXPECT_FALSE(r.openStimulus(path("z.bin")));
  EXPECT_THAT(r.error(), HasSubstr("must be > 0"));
  write(path("w.bin"), "NNGENSTM" + le({1, 0, 1, 8, 1, 1}));
  nnbeats::Reader r2;
  EXPECT_FALSE(r2.openStimulus(path("w.bin")));
  EXPECT_THAT(r2.error(), HasSubstr("implausible in_bits/out_bits 0/8"));
}

}  // namespace
