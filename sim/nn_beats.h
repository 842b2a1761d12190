// nn_beats.h - the one definition of nngen's testbench file formats.
//
// Three binary formats pass between `nngen` (src/flow) and the Verilator driver (sim/nn_sim.cpp);
// this header reads and writes all of them, for both sides and for the tests. Every field and
// every payload word is a uint32 stored little-endian, whatever the host's byte order:
//
//   stimulus  "NNGENSTM", version (1), in bits per beat, in beats per image, out bits per beat,
//             out beats per image, images; then images * in beats per image beats
//   beats     "NNGENOUT", version (1), bits per beat, beats per image, images; then the beats
//   order     "NNGENORD", version (1), count; then count stream indices
//
// A beat of B bits is ceil(B / 32) words, word 0 holding bits 31:0 (bits above B are zero).
// The files are documented in sim/README.md. The reader checks magic, version, plausible
// fields and the exact file size, and reports errors as a message naming the file.
//
// Standard library only: `nngen build` copies this file next to nn_sim.cpp into every output
// folder, where Verilator's generated makefiles compile the driver without include paths.
#pragma once

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

namespace nnbeats {

/// Format version written into, and required from, every file.
constexpr uint32_t kVersion = 1;
/// Largest bits per beat a reader accepts (a sanity bound on header fields).
constexpr uint32_t kMaxBits = 1u << 20;

/// Number of 32-bit words that hold a `bits`-bit beat.
constexpr uint32_t wordsFor(uint32_t bits) { return (bits + 31u) / 32u; }

/// Decodes the little-endian uint32 at `p` (4 bytes).
inline uint32_t getLe32(const unsigned char* p) {
  return uint32_t{p[0]} | (uint32_t{p[1]} << 8) | (uint32_t{p[2]} << 16) | (uint32_t{p[3]} << 24);
}

/// Encodes `v` little-endian into the 4 bytes at `p`.
inline void putLe32(unsigned char* p, uint32_t v) {
  p[0] = static_cast<unsigned char>(v);
  p[1] = static_cast<unsigned char>(v >> 8);
  p[2] = static_cast<unsigned char>(v >> 16);
  p[3] = static_cast<unsigned char>(v >> 24);
}

/// The three formats: magic, number of uint32 header fields after the magic (version included)
/// and the name used in error messages.
struct Format {
  const char* magic;  ///< 8 characters, no terminator in the file
  uint32_t fields;    ///< header fields, version first
  const char* what;   ///< "stimulus file", ...
};
inline constexpr Format kStimulus{"NNGENSTM", 6, "stimulus file"};
inline constexpr Format kBeats{"NNGENOUT", 4, "beat file"};
inline constexpr Format kOrder{"NNGENORD", 2, "order file"};

/// Header of a stimulus file: the input beats and the output geometry the driver expects.
struct StimulusHeader {
  uint32_t inBits = 0;            ///< bits per input beat (s_axis_tdata width)
  uint32_t inBeatsPerImage = 0;   ///< input beats (pixels) per image
  uint32_t outBits = 0;           ///< bits per output beat (m_axis_tdata width)
  uint32_t outBeatsPerImage = 0;  ///< output beats per image
  uint32_t images = 0;            ///< images in the file
};

/// Header of a beat file (expected or captured output beats).
struct BeatsHeader {
  uint32_t bits = 0;           ///< bits per beat
  uint32_t beatsPerImage = 0;  ///< beats per image
  uint32_t images = 0;         ///< images in the file
};

/// Writes one file of any of the formats: magic and header at open(), then payload words.
/// Writes are buffered; errors are latched and reported by close(), which names the file.
class Writer {
 public:
  Writer() = default;
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;
  ~Writer() {
    if (f_ != nullptr) std::fclose(f_);
  }

  /// Creates `path` and writes `fmt`'s magic, the version and `fields` (the header fields
  /// after the version, fmt.fields - 1 of them). False, with error(), when it cannot be created.
  bool open(const std::string& path, const Format& fmt, const std::vector<uint32_t>& fields) {
    path_ = path;
    what_ = fmt.what;
    f_ = std::fopen(path.c_str(), "wb");
    if (f_ == nullptr) return fail("cannot create: " + std::string(std::strerror(errno)));
    std::setvbuf(f_, nullptr, _IOFBF, 1 << 20);
    if (std::fwrite(fmt.magic, 1, 8, f_) != 8) bad_ = true;
    put(kVersion);
    for (uint32_t v : fields) put(v);
    return true;
  }
  /// Creates a stimulus file with header `h`; the beats follow with put().
  bool openStimulus(const std::string& path, const StimulusHeader& h) {
    return open(path, kStimulus,
                {h.inBits, h.inBeatsPerImage, h.outBits, h.outBeatsPerImage, h.images});
  }
  /// Creates a beat file with header `h`; the beats follow with put().
  bool openBeats(const std::string& path, const BeatsHeader& h) {
    return open(path, kBeats, {h.bits, h.beatsPerImage, h.images});
  }

  /// Appends one word, little-endian.
  void put(uint32_t v) {
    unsigned char b[4];
    putLe32(b, v);
    if (std::fwrite(b, 1, 4, f_) != 4) bad_ = true;
  }
  /// Appends `n` words (e.g. one beat of wordsFor(bits) words).
  void put(const uint32_t* words, std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) put(words[i]);
  }
  /// Rewrites header field `field` (0 = version, 1 = the first field after it), e.g. the image
  /// count of a beat file (field 3) when a run ends with fewer images than announced.
  void patch(uint32_t field, uint32_t v) {
    unsigned char b[4];
    putLe32(b, v);
    if (std::fseek(f_, 8 + 4 * static_cast<long>(field), SEEK_SET) != 0 ||
        std::fwrite(b, 1, 4, f_) != 4)
      bad_ = true;
    if (std::fseek(f_, 0, SEEK_END) != 0) bad_ = true;
  }
  /// Flushes and closes; false, with error() naming the file, if any write failed.
  bool close() {
    if (f_ == nullptr) return false;
    const bool flushBad = std::fclose(f_) != 0;
    f_ = nullptr;
    if (bad_ || flushBad) return fail("write error (disk full?)");
    return true;
  }
  /// The last error, e.g. "beat file 'out.bin': cannot create: No such file or directory".
  const std::string& error() const { return error_; }

 private:
  bool fail(const std::string& why) {
    error_ = std::string(what_) + " '" + path_ + "': " + why;
    return false;
  }
  std::FILE* f_ = nullptr;
  std::string path_, error_;
  const char* what_ = "file";
  bool bad_ = false;
};

/// Reads one file of any of the formats: open() checks the magic, the version and that the
/// file is exactly as long as its header says; then next()/seek() read the payload.
class Reader {
 public:
  Reader() = default;
  Reader(const Reader&) = delete;
  Reader& operator=(const Reader&) = delete;
  ~Reader() {
    if (f_ != nullptr) std::fclose(f_);
  }

  /// Opens a stimulus file; fields must be non-zero and bits at most kMaxBits.
  bool openStimulus(const std::string& path) {
    if (!open(path, kStimulus)) return false;
    stim_ = {field(1), field(2), field(3), field(4), field(5)};
    if (stim_.inBits == 0 || stim_.inBits > kMaxBits || stim_.outBits == 0 ||
        stim_.outBits > kMaxBits)
      return fail("implausible in_bits/out_bits " + std::to_string(stim_.inBits) + "/" +
                  std::to_string(stim_.outBits));
    if (stim_.inBeatsPerImage == 0 || stim_.outBeatsPerImage == 0 || stim_.images == 0)
      return fail("in_beats_per_image, out_beats_per_image and images must be > 0");
    wordsPerBeat_ = wordsFor(stim_.inBits);
    return checkSize(uint64_t{stim_.images} * stim_.inBeatsPerImage * wordsPerBeat_);
  }
  /// Opens a beat file (zero images is valid: a run whose images were all abandoned).
  bool openBeats(const std::string& path) {
    if (!open(path, kBeats)) return false;
    beats_ = {field(1), field(2), field(3)};
    if (beats_.bits == 0 || beats_.bits > kMaxBits || beats_.beatsPerImage == 0)
      return fail("implausible bits " + std::to_string(beats_.bits) + " or beats per image " +
                  std::to_string(beats_.beatsPerImage));
    wordsPerBeat_ = wordsFor(beats_.bits);
    return checkSize(uint64_t{beats_.images} * beats_.beatsPerImage * wordsPerBeat_);
  }
  /// Opens an order file (one word per entry).
  bool openOrder(const std::string& path) {
    if (!open(path, kOrder)) return false;
    wordsPerBeat_ = 1;
    return checkSize(field(1));
  }

  /// Header of a stimulus file opened with openStimulus().
  const StimulusHeader& stimulus() const { return stim_; }
  /// Header of a beat file opened with openBeats().
  const BeatsHeader& beats() const { return beats_; }
  /// Payload entries of the open file: beats of a stimulus or beat file, indices of an order file.
  uint64_t entries() const { return payloadWords_ / wordsPerBeat_; }
  /// Words per payload entry: wordsFor(bits) of a beat, 1 for an order file.
  uint32_t wordsPerEntry() const { return wordsPerBeat_; }

  /// Reads the next entry (wordsPerEntry() words) into `words`. False, with error(), at the end.
  bool next(uint32_t* words) {
    unsigned char b[4];
    for (uint32_t i = 0; i < wordsPerBeat_; ++i) {
      if (std::fread(b, 1, 4, f_) != 4) return fail("read error / truncated");
      words[i] = getLe32(b);
    }
    return true;
  }
  /// Positions the reader so that next() returns entry `index` (0-based). False, with error(),
  /// past the end.
  bool seek(uint64_t index) {
    const uint64_t off = headerBytes_ + index * wordsPerBeat_ * 4u;
    if (index > entries() || std::fseek(f_, static_cast<long>(off), SEEK_SET) != 0)
      return fail("cannot seek to entry " + std::to_string(index));
    return true;
  }
  /// Reads every remaining entry, wordsPerEntry() words each, into one vector.
  bool readAll(std::vector<uint32_t>& words) {
    words.resize(static_cast<std::size_t>(payloadWords_));
    for (std::size_t k = 0; k < words.size(); k += wordsPerBeat_)
      if (!next(words.data() + k)) return false;
    return true;
  }
  /// The last error, e.g. "stimulus file 'in.bin': bad magic (expected NNGENSTM)".
  const std::string& error() const { return error_; }

 private:
  bool open(const std::string& path, const Format& fmt) {
    path_ = path;
    what_ = fmt.what;
    f_ = std::fopen(path.c_str(), "rb");
    if (f_ == nullptr) return fail("cannot open: " + std::string(std::strerror(errno)));
    std::setvbuf(f_, nullptr, _IOFBF, 1 << 20);
    headerBytes_ = 8 + 4 * fmt.fields;
    unsigned char h[8 + 4 * 8];
    const std::size_t got = std::fread(h, 1, headerBytes_, f_);
    if (got < 8 || std::memcmp(h, fmt.magic, 8) != 0)
      return fail("bad magic (expected " + std::string(fmt.magic, 8) + "): not an nngen " +
                  fmt.what);
    if (got != headerBytes_)
      return fail("truncated header (" + std::to_string(got) + " of " +
                  std::to_string(headerBytes_) + " bytes)");
    fields_.assign(fmt.fields, 0);
    for (uint32_t i = 0; i < fmt.fields; ++i) fields_[i] = getLe32(h + 8 + 4 * i);
    if (fields_[0] != kVersion)
      return fail("unsupported version " + std::to_string(fields_[0]) + " (expected " +
                  std::to_string(kVersion) + ")");
    return true;
  }
  uint32_t field(uint32_t i) const { return fields_[i]; }
  /// Exact size check: catches truncated files and writer/reader drift early.
  bool checkSize(uint64_t payloadWords) {
    payloadWords_ = payloadWords;
    const uint64_t expect = headerBytes_ + payloadWords * 4u;
    if (std::fseek(f_, 0, SEEK_END) != 0) return fail("cannot seek");
    const long long size = std::ftell(f_);
    if (size < 0 || static_cast<uint64_t>(size) < expect)
      return fail("truncated: " + std::to_string(size) + " bytes, the header implies " +
                  std::to_string(expect));
    if (static_cast<uint64_t>(size) > expect)
      return fail(std::to_string(size) + " bytes, the header implies " + std::to_string(expect));
    if (std::fseek(f_, static_cast<long>(headerBytes_), SEEK_SET) != 0) return fail("cannot seek");
    return true;
  }
  bool fail(const std::string& why) {
    error_ = std::string(what_) + " '" + path_ + "': " + why;
    return false;
  }

  std::FILE* f_ = nullptr;
  std::string path_, error_;
  const char* what_ = "file";
  uint32_t headerBytes_ = 0, wordsPerBeat_ = 1;
  uint64_t payloadWords_ = 0;
  std::vector<uint32_t> fields_;
  StimulusHeader stim_;
  BeatsHeader beats_;
};

/// Writes an order file: the stream index of every captured image, in output order.
/// Returns "" or the error naming the file.
inline std::string writeOrder(const std::string& path, const std::vector<uint32_t>& order) {
  Writer w;
  if (!w.open(path, kOrder, {static_cast<uint32_t>(order.size())})) return w.error();
  w.put(order.data(), order.size());
  return w.close() ? std::string() : w.error();
}

/// Reads an order file into `order`. Returns "" or the error naming the file.
inline std::string readOrder(const std::string& path, std::vector<uint32_t>& order) {
  Reader r;
  if (!r.openOrder(path) || !r.readAll(order)) return r.error();
  return {};
}

}  // namespace nnbeats
