//! @file beats.cpp
//! @brief Beat packing and the testbench file formats.
#include "flow/beats.h"

#include <fmt/format.h>

#include <cstring>
#include <fstream>

namespace nngen {

void putBits(Beat& beat, int offset, int width, int64_t value) {
  for (int i = 0; i < width; ++i) {
    const int bit = offset + i;
    const uint32_t b = static_cast<uint32_t>((static_cast<uint64_t>(value) >> std::min(i, 63)) & 1);
    beat[bit / 32] = (beat[bit / 32] & ~(1u << (bit % 32))) | (b << (bit % 32));
  }
}

int64_t getBits(const Beat& beat, int offset, int width, bool isSigned) {
  uint64_t v = 0;
  for (int i = 0; i < width; ++i) {
    const int bit = offset + i;
    v |= static_cast<uint64_t>((beat[bit / 32] >> (bit % 32)) & 1) << i;
  }
  if (isSigned && width < 64 && (v >> (width - 1)) & 1) v |= ~uint64_t{0} << width;
  return static_cast<int64_t>(v);
}

std::vector<Beat> packPixels(const IntTensor& t, int valueBits, int beatBits) {
  std::vector<Beat> beats;
  const int words = (beatBits + 31) / 32;
  for (int h = 0; h < t.shape.h; ++h)
    for (int w = 0; w < t.shape.w; ++w) {
      Beat b(words, 0);
      for (int c = 0; c < t.shape.c; ++c) putBits(b, c * valueBits, valueBits, t.at(h, w, c));
      beats.push_back(std::move(b));
    }
  return beats;
}

namespace {

void put32(std::ofstream& o, uint32_t v) { o.write(reinterpret_cast<const char*>(&v), 4); }

}  // namespace

void writeStimulus(const std::string& path, const BeatFile& in, uint32_t outBits, uint32_t outBeatsPerImage) {
  std::ofstream o(path, std::ios::binary);
  o.write("NNGENSTM", 8);
  for (uint32_t v : {1u, in.bits, in.beatsPerImage, outBits, outBeatsPerImage, in.images}) put32(o, v);
  for (const Beat& b : in.beats)
    for (uint32_t w : b) put32(o, w);
  if (!o) throw Error(fmt::format("cannot write '{}'", path));
}

void writeBeats(const std::string& path, const BeatFile& f) {
  std::ofstream o(path, std::ios::binary);
  o.write("NNGENOUT", 8);
  for (uint32_t v : {1u, f.bits, f.beatsPerImage, f.images}) put32(o, v);
  for (const Beat& b : f.beats)
    for (uint32_t w : b) put32(o, w);
  if (!o) throw Error(fmt::format("cannot write '{}'", path));
}

BeatFile readBeats(const std::string& path) {
  std::ifstream i(path, std::ios::binary);
  if (!i) throw Error(fmt::format("cannot read '{}'", path));
  char magic[8];
  uint32_t hdr[4];
  i.read(magic, 8);
  i.read(reinterpret_cast<char*>(hdr), sizeof hdr);
  if (!i || std::memcmp(magic, "NNGENOUT", 8) != 0 || hdr[0] != 1)
    throw Error(fmt::format("'{}' is not an nngen output-beat file", path));
  BeatFile f;
  f.bits = hdr[1];
  f.beatsPerImage = hdr[2];
  f.images = hdr[3];
  const size_t words = (f.bits + 31) / 32, n = size_t(f.images) * f.beatsPerImage;
  for (size_t k = 0; k < n; ++k) {
    Beat b(words);
    i.read(reinterpret_cast<char*>(b.data()), static_cast<std::streamsize>(words * 4));
    if (!i) throw Error(fmt::format("'{}' is truncated: {} of {} beats", path, k, n));
    f.beats.push_back(std::move(b));
  }
  return f;
}

}  // namespace nngen
