//! @file beats.h
//! @brief Packing tensors into AXI4-Stream beats, and the testbench's binary files.
//!
//! The file formats (little-endian) are defined once, in sim/nn_beats.h, shared with the
//! Verilator driver sim/nn_sim.cpp and documented in sim/README.md: a stimulus file "NNGENSTM"
//! with the input beats, beat files "NNGENOUT" for expected and captured outputs, and the
//! driver's order file "NNGENORD". The functions here wrap that header for the flow.
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
  uint32_t bits = 0, beatsPerImage = 0, images = 0;  ///< bits per beat, beats per image, images
  std::vector<Beat> beats;
};

/// Writes a stimulus file ("NNGENSTM"): the input beats of `in` (in.images * in.beatsPerImage
/// beats of in.bits bits); the out geometry tells the driver what to expect.
/// @throws Error naming the file when it cannot be written or `in` has the wrong number of beats.
void writeStimulus(const std::string& path, const BeatFile& in, uint32_t outBits,
                   uint32_t outBeatsPerImage);
/// Writes an output-beat file ("NNGENOUT"). @throws Error as writeStimulus.
void writeBeats(const std::string& path, const BeatFile& f);
/// Reads an output-beat file. @throws Error naming the file when missing, malformed, truncated
/// or longer than its header says.
BeatFile readBeats(const std::string& path);
/// Reads the driver's order file ("NNGENORD"): the stream index of every captured image, in the
/// order of the output-beat file. @throws Error naming the file when missing or malformed.
std::vector<uint32_t> readOrder(const std::string& path);

}  // namespace nngen
