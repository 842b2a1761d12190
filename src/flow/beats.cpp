//! @file beats.cpp
//! @brief Beat packing, and the testbench files through sim/nn_beats.h.
#include "flow/beats.h"

#include <fmt/format.h>

#include "nn_beats.h"

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

/// Throws unless `f` holds images * beatsPerImage beats of wordsFor(bits) words each.
void checkShape(const std::string& path, const BeatFile& f) {
  const size_t words = nnbeats::wordsFor(f.bits);
  if (f.beats.size() != size_t(f.images) * f.beatsPerImage)
    throw Error(fmt::format("'{}': {} beats for {} images of {} beats (internal)", path,
                            f.beats.size(), f.images, f.beatsPerImage));
  for (const Beat& b : f.beats)
    if (b.size() != words)
      throw Error(
          fmt::format("'{}': a beat of {} words, not {} (internal)", path, b.size(), words));
}

/// Writes the beats of `f` after the header `w` wrote, and closes the file.
void putBeats(nnbeats::Writer& w, const BeatFile& f) {
  for (const Beat& b : f.beats) w.put(b.data(), b.size());
  if (!w.close()) throw Error(w.error());
}

}  // namespace

void writeStimulus(const std::string& path, const BeatFile& in, uint32_t outBits,
                   uint32_t outBeatsPerImage) {
  checkShape(path, in);
  nnbeats::Writer w;
  if (!w.openStimulus(path, {in.bits, in.beatsPerImage, outBits, outBeatsPerImage, in.images}))
    throw Error(w.error());
  putBeats(w, in);
}

void writeBeats(const std::string& path, const BeatFile& f) {
  checkShape(path, f);
  nnbeats::Writer w;
  if (!w.openBeats(path, {f.bits, f.beatsPerImage, f.images})) throw Error(w.error());
  putBeats(w, f);
}

BeatFile readBeats(const std::string& path) {
  nnbeats::Reader r;
  if (!r.openBeats(path)) throw Error(r.error());
  BeatFile f;
  f.bits = r.beats().bits;
  f.beatsPerImage = r.beats().beatsPerImage;
  f.images = r.beats().images;
  f.beats.assign(r.entries(), Beat(r.wordsPerEntry()));
  for (Beat& b : f.beats)
    if (!r.next(b.data())) throw Error(r.error());
  return f;
}

std::vector<uint32_t> readOrder(const std::string& path) {
  std::vector<uint32_t> order;
  if (const std::string e = nnbeats::readOrder(path, order); !e.empty()) throw Error(e);
  return order;
}

}  // namespace nngen
