//! @file reference.cpp
//! @brief Bit-accurate layer execution on raw integers.
#include "ref/reference.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "ir/divide.h"
#include "spec/npy.h"

namespace nngen {

namespace {

/// A product of two raw integers; overflow is a user-type problem, not silent wrap.
int64_t mulChecked(const Layer& l, int64_t a, int64_t b) {
  int64_t r;
  if (__builtin_mul_overflow(a, b, &r))
    throw Error(l.loc, l.name, "a product exceeds 64 bits; use narrower types");
  return r;
}

/// The common tail of every weighted sum: adds the terms x_i * coeff_i and the bias with the
/// layer's accumulator rule, then requantizes to the result type.
class Dot {
 public:
  explicit Dot(const Layer& l, int n) : l_(l) { acc_ = l.arith.bias.empty() ? 0 : l.arith.bias[n]; }
  void add(int64_t x, int64_t coeff) {
    if (coeff == 0) return;  // zero weights emit no logic and contribute nothing
    const int64_t p = mulChecked(l_, x, coeff);
    acc_ += accumulatedProduct(l_, p);  // rounded for a user accumulator, no overflow here
  }
  int64_t result(ValueProbe* probe) const {
    int64_t acc = static_cast<int64_t>(acc_);
    if (l_.accumType)
      acc = requantize(acc, l_.arith.accFrac, *l_.accumType);  // the one overflow step
    if (probe)
      *probe = {std::ldexp(static_cast<double>(acc_), -l_.arith.accFrac),
                rawToReal(acc, l_.arith.accFrac)};
    return requantize(acc, l_.arith.accFrac, l_.resultType);
  }

 private:
  const Layer& l_;
  Int128 acc_;
};

/// The exact mean of a pooling window with sum `sum`, rounded into the result type
/// (Layer::Arith, AveragePooling2D).
int64_t averageResult(const Layer& l, Int128 sum) {
  const auto& a = l.arith;
  if (a.divisor == 1) return requantize(static_cast<int64_t>(sum), a.accFrac, l.resultType);
  return requantize(stickyQuotient(sum << a.numShift, a.divisor), l.resultType.fracBits() + 2,
                    l.resultType);
}

/// Calls f(oh, ow, h0, w0) for each output pixel; (h0, w0) is the input position of the
/// window's top-left tap (negative inside the zero padding).
template <typename F>
void forEachWindow(const Layer& l, F f) {
  for (int oh = 0; oh < l.out.h; ++oh)
    for (int ow = 0; ow < l.out.w; ++ow)
      f(oh, ow, oh * l.strideH - l.pad.top, ow * l.strideW - l.pad.left);
}

/// Output channel n of one output pixel: x holds the values the pixel reads (the window, or
/// the pixel's channels) and taps those feeding channel n (layerTaps). Dot-product kinds share
/// one rule (Layer::Arith); the others have their own case here.
int64_t channelOutput(const Layer& l, int n, const std::vector<Tap>& taps,
                      const std::vector<int64_t>& x, ValueProbe* probe) {
  if (kindInfo(l.kind).dotProduct) {  // Conv2D, Dense, BatchNorm kept as scale-and-shift
    Dot dot(l, n);
    for (const Tap& t : taps) dot.add(x[t.input], l.arith.coeff[t.coeff]);
    return dot.result(probe);
  }
  const int fx = l.inType.fracBits();
  auto seen = [&](double v) {
    if (probe) *probe = {v, v};
  };
  switch (l.kind) {
    case LayerKind::MaxPool2D: {
      int64_t mx = x[taps[0].input];
      for (const Tap& t : taps) mx = std::max(mx, x[t.input]);
      seen(rawToReal(mx, fx));
      return requantize(mx, fx, l.resultType);
    }
    case LayerKind::AvgPool2D: {
      Int128 sum = 0;
      for (const Tap& t : taps) sum += x[t.input];
      seen(std::ldexp(static_cast<double>(sum), -fx) / static_cast<double>(taps.size()));
      return averageResult(l, sum);
    }
    case LayerKind::ReLU:
      seen(rawToReal(std::max<int64_t>(0, x[taps[0].input]), fx));
      return requantize(std::max<int64_t>(0, x[taps[0].input]), fx, l.resultType);
    case LayerKind::Sigmoid:
    case LayerKind::Tanh: {  // the table entry is the converted value
      const int64_t y = l.arith.table.lookup(x[taps[0].input]);
      seen(rawToReal(y, l.resultType.fracBits()));
      return y;
    }
    case LayerKind::Softmax: {  // taps: every channel of the pixel, in channel order
      const auto& a = l.arith;
      int64_t mx = x[taps[0].input];
      for (const Tap& t : taps) mx = std::max(mx, x[t.input]);
      Int128 sum = 0;
      for (const Tap& t : taps) sum += a.table.lookup(x[t.input] - mx);
      const int64_t e = a.table.lookup(x[taps[n].input] - mx);
      const int64_t r = a.invTable.lookup(static_cast<int64_t>(sum));
      const int pf = a.table.type.fracBits() + a.invTable.type.fracBits();
      seen(std::ldexp(static_cast<double>(Int128{e} * r), -pf));
      return requantize(mulChecked(l, e, r), pf, l.resultType);
    }
    default:
      break;  // dot products are above; Flatten is a copy in runLayer
  }
  throw std::logic_error(fmt::format("reference: no case for {}", kindName(l.kind)));
}

}  // namespace

IntTensor runLayer(const Layer& l, const IntTensor& in, std::vector<ValueProbe>* probe) {
  IntTensor out{l.out, std::vector<int64_t>(l.out.size())};
  if (probe) probe->assign(out.v.size(), ValueProbe{});
  auto index = [&](int h, int w, int c) { return (int64_t{h} * l.out.w + w) * l.out.c + c; };
  auto put = [&](int h, int w, int c, int64_t v) { out.v[index(h, w, c)] = v; };
  auto probeAt = [&](int h, int w, int c) { return probe ? &(*probe)[index(h, w, c)] : nullptr; };
  const LayerKindInfo& kind = kindInfo(l.kind);
  if (kind.taps == TapPattern::None) {  // a reshape (Flatten)
    out.v = in.v;
    return out;
  }
  std::vector<std::vector<Tap>> taps(l.out.c);  // the inputs feeding each output channel
  for (int n = 0; n < l.out.c; ++n) taps[n] = layerTaps(l, n);
  if (kind.windowed) {
    // x: the window [kh][kw][cin] in windowIndex order, zero in the padding (as
    // nn_sliding_window delivers it; pooling has no padding)
    std::vector<int64_t> x(size_t(l.kernelH) * l.kernelW * l.in.c);
    forEachWindow(l, [&](int oh, int ow, int h0, int w0) {
      for (int r = 0; r < l.kernelH; ++r)
        for (int c = 0; c < l.kernelW; ++c) {
          const int h = h0 + r, w = w0 + c;
          const bool inside = h >= 0 && h < in.shape.h && w >= 0 && w < in.shape.w;
          for (int ch = 0; ch < l.in.c; ++ch)
            x[windowIndex(l.kernelW, l.in.c, r, c, ch)] = inside ? in.at(h, w, ch) : 0;
        }
      for (int n = 0; n < l.out.c; ++n)
        put(oh, ow, n, channelOutput(l, n, taps[n], x, probeAt(oh, ow, n)));
    });
  } else {  // pointwise: x is one pixel's channels
    std::vector<int64_t> x(l.in.c);
    for (int h = 0; h < l.in.h; ++h)
      for (int w = 0; w < l.in.w; ++w) {
        for (int c = 0; c < l.in.c; ++c) x[c] = in.at(h, w, c);
        for (int n = 0; n < l.out.c; ++n)
          put(h, w, n, channelOutput(l, n, taps[n], x, probeAt(h, w, n)));
      }
  }
  return out;
}

IntTensor runNetwork(const Graph& g, const IntTensor& input) {
  IntTensor t = input;
  for (const Layer& l : g.layers) t = runLayer(l, t);
  return t;
}

int argmax(const IntTensor& t) {
  return static_cast<int>(std::max_element(t.v.begin(), t.v.end()) - t.v.begin());
}

InputBatch loadInputs(const Graph& g, const std::string& imagesPath, const std::string& labelsPath,
                      size_t maxImages) {
  const SourceLoc loc{imagesPath, 0};
  NpyArray a = loadNpy(imagesPath, SourceLoc{}, "");
  auto fail = [&](const std::string& what) { throw Error(loc, "", what); };
  const Shape& s = g.input;
  InputBatch batch;
  if (a.shape.empty()) fail("expected a batch of images, got a scalar");
  size_t n = a.shape[0];
  if (maxImages && n > maxImages) n = maxImages;
  auto shapeStr = [&]() {
    std::string o;
    for (size_t d : a.shape) o += fmt::format("{}{}", o.empty() ? "" : ", ", d);
    return "(" + o + ")";
  };
  if (a.dtype == "|u1") {
    const Preprocess& p = g.preprocess;
    const size_t sh = a.shape.size() >= 3 ? a.shape[1] : 0,
                 sw = a.shape.size() >= 3 ? a.shape[2] : 0;
    const size_t sc = a.shape.size() == 4 ? a.shape[3] : 1;
    if ((a.shape.size() != 3 && a.shape.size() != 4) || int(sh) + p.pad.top + p.pad.bottom != s.h ||
        int(sw) + p.pad.left + p.pad.right != s.w || int(sc) * p.repeatChannels != s.c)
      fail(
          fmt::format("uint8 images of shape {} do not give the network input {}x{}x{} after "
                      "the spec's preprocessing (pad {},{},{},{}, repeat_channels {})",
                      shapeStr(), s.h, s.w, s.c, p.pad.top, p.pad.bottom, p.pad.left, p.pad.right,
                      p.repeatChannels));
    const size_t per = sh * sw * sc;
    for (size_t i = 0; i < n; ++i) {
      IntTensor t{s, std::vector<int64_t>(s.size())};
      for (int h = 0; h < s.h; ++h)
        for (int w = 0; w < s.w; ++w)
          for (int c = 0; c < s.c; ++c) {
            const int ih = h - p.pad.top, iw = w - p.pad.left, ic = c % int(sc);
            const bool padded = ih < 0 || iw < 0 || ih >= int(sh) || iw >= int(sw);
            const double pixel =
                padded ? 0.0 : a.values[i * per + (size_t(ih) * sw + iw) * sc + ic];
            const double x = padded && p.padValue ? *p.padValue : pixel * p.scale + p.offset;
            try {
              t.v[(size_t(h) * s.w + w) * s.c + c] = quantizeReal(x, g.inputType);
            } catch (const std::invalid_argument& e) {
              throw Error(g.inputLoc, "",
                          fmt::format("image {}: pixel {} * preprocess scale {} + offset {} = {} "
                                      "does not fit the input type: {}",
                                      i, pixel, p.scale, p.offset, x, e.what()));
            }
          }
      batch.images.push_back(std::move(t));
    }
  } else if (!a.isInteger()) {
    const size_t per = s.size();
    const bool flatOk = a.shape.size() == 2 && a.shape[1] == per && s.h == 1 && s.w == 1;
    const bool hwcOk = a.shape.size() == 4 && int(a.shape[1]) == s.h && int(a.shape[2]) == s.w &&
                       int(a.shape[3]) == s.c;
    if (!flatOk && !hwcOk)
      fail(fmt::format("float inputs of shape {} do not match the network input (N, {}, {}, {})",
                       shapeStr(), s.h, s.w, s.c));
    for (size_t i = 0; i < n; ++i) {
      IntTensor t{s, std::vector<int64_t>(per)};
      for (size_t k = 0; k < per; ++k) {
        try {
          t.v[k] = quantizeReal(a.values[i * per + k], g.inputType);
        } catch (const std::invalid_argument& e) {
          fail(fmt::format("image {}: {}", i, e.what()));
        }
      }
      batch.images.push_back(std::move(t));
    }
  } else {
    fail(fmt::format("inputs must be uint8 images or float values, got dtype '{}'", a.dtype));
  }
  if (!labelsPath.empty()) {
    NpyArray lab = loadNpy(labelsPath, SourceLoc{}, "");
    if (lab.shape.size() != 1 || lab.shape[0] < n || !lab.isInteger())
      throw Error(
          SourceLoc{labelsPath, 0}, "",
          fmt::format("labels must be integers of shape ({},) to match the images", a.shape[0]));
    for (size_t i = 0; i < n; ++i) {
      const double v = lab.values[i];
      if (v < 0 || v > std::numeric_limits<int>::max())
        throw Error(SourceLoc{labelsPath, 0}, "",
                    fmt::format("label {} is {}: labels are class indices >= 0", i, v));
      batch.labels.push_back(static_cast<int>(v));
    }
  }
  return batch;
}

}  // namespace nngen
