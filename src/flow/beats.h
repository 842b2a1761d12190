//! @file beats.h
//! @brief Packing tensors into AXI4-Stream beats, and the testbench's binary files.
//!
//! Formats (little-endian) are documented in sim/README.md: a stimulus file "NNGENSTM" with
//! the input beats, and beat files "NNGENOUT" for expected and captured outputs.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ref/reference.h"

namespace nngen {

/// One beat as 32-bit words, word 0 = bits 31:0.
using Beat = std::vector<uint32_t>;

/// Sets `width` bits at `offset` of a beat to the low bits of `value` (two's complement).
void putBits(Beat& beat, int offset, int width, int64_t value);
/// Reads `width` bits at `offset`, sign-extended when `isSigned`.
int64_t getBits(const Beat& beat, int offset, int width, bool isSigned);

/// The input beats of one image: one per pixel, raster order, channel c at bits [c*w, c*w+w).
std::vector<Beat> packPixels(const IntTensor& t, int valueBits, int beatBits);

/// A set of beats as stored in a file.
struct BeatFile {
  uint32_t inBits = 0, inBeatsPerImage = 0;    ///< stimulus only
  uint32_t bits = 0, beatsPerImage = 0, images = 0;
  std::vector<Beat> beats;
};

/// Writes a stimulus file (input beats; out geometry tells the driver what to expect).
void writeStimulus(const std::string& path, const BeatFile& in, uint32_t outBits, uint32_t outBeatsPerImage);
/// Writes an output-beat file ("NNGENOUT").
void writeBeats(const std::string& path, const BeatFile& f);
/// Reads an output-beat file. @throws Error naming the file when malformed or truncated.
BeatFile readBeats(const std::string& path);

}  // namespace nngen
