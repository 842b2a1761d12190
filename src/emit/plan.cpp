//! @file plan.cpp
//! @brief Folds of Conv2D/Dense layers and the planner that chooses them.
#include "emit/plan.h"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>

#include "emit/design.h"
#include "emit/estimate.h"
#include "emit/scripts.h"

namespace nngen {

namespace {

int ceilDiv(int64_t a, int64_t b) { return static_cast<int>((a + b - 1) / b); }

bool foldable(const Layer& l) { return l.kind == LayerKind::Conv2D || l.kind == LayerKind::Dense; }

}  // namespace

ProductWidths productWidths(const Layer& l) {
  ProductWidths w;
  w.xBits = l.inType.width;
  w.xSigned = l.inType.isSigned;
  int64_t lo = -1, hi = 0;  // at least 1 signed bit... and 2 for the LUT multiplier
  for (int64_t c : l.arith.coeff) {
    lo = std::min(lo, c);
    hi = std::max(hi, c);
  }
  w.wBits = std::max(2, signedBitsFor(lo, hi));
  return w;
}

std::vector<int> cascadeLengths(int simd, int maxLen) {
  const int n = ceilDiv(simd, maxLen);
  std::vector<int> len;
  for (int g = 0; g < n; ++g) len.push_back(simd / n + (g < simd % n ? 1 : 0));
  return len;
}

int cascadeSumBits(int productBits, int n) {
  return productBits + static_cast<int>(std::bit_width(static_cast<unsigned>(n - 1)));
}

LayerFold foldLayer(const Layer& l, int reuse, Multipliers style, DspFamily family, int maxChain) {
  LayerFold f;
  f.outputs = l.out.c;
  f.family = family;
  const int pixels = l.kind == LayerKind::Dense ? l.in.h * l.in.w : 1;
  const int64_t total = int64_t{l.kernelH} * l.kernelW * l.in.c;  // inputs per output pixel
  const int64_t products = total * f.outputs;
  if (reuse < 1 || reuse > products)
    throw Error(l.reuseLoc, l.name,
                fmt::format("reuse_factor {} cannot be used: {} {} computes {} products per output "
                            "pixel, so R must be in [1, {}]",
                            reuse, kindName(l.kind), l.name, products, products));
  if (reuse == 1) {
    f.vectorLen = static_cast<int>(total);
    f.pe = f.outputs;
    f.simd = f.vectorLen;
    return f;
  }
  // A Dense whose input has several pixels accumulates pixel by pixel when R allows.
  f.vectors = (pixels > 1 && reuse >= pixels) ? pixels : 1;
  f.vectorLen = static_cast<int>(total / f.vectors);
  f.style = style == Multipliers::Auto ? Multipliers::Dsp : style;
  if (f.style == Multipliers::Dsp) {
    const ProductWidths pw = productWidths(l);
    f.lanes = dspLanes(pw.xBits, pw.xSigned, pw.wBits, true, family);
    if (f.lanes == 0)
      throw Error(l.reuseLoc, l.name,
                  fmt::format("multipliers: dsp, but a {}x{}-bit product does not fit one DSP "
                              "slice; use multipliers: lut or narrower types",
                              pw.xBits, pw.wBits));
  }
  const int cycles = std::max(1, reuse / f.vectors);  // per vector
  const int N = f.outputs, K = f.vectorLen;
  int64_t best = std::numeric_limits<int64_t>::max();
  for (int nf = 1; nf <= std::min(cycles, N); ++nf) {
    const int sf = std::min(K, cycles / nf);
    for (int lanes = f.lanes; lanes >= 1; lanes /= 2) {
      int pe = ceilDiv(N, nf);
      pe = ceilDiv(pe, lanes) * lanes;  // whole DSPs
      if (pe > N) continue;             // a lane that no channel uses
      const int realNf = ceilDiv(N, pe), simd = ceilDiv(K, sf), realSf = ceilDiv(K, simd);
      const int64_t units = int64_t{simd} * (f.style == Multipliers::Dsp ? pe / lanes : pe);
      // fewest multipliers, then fewest neuron folds (fewer accumulator selects), then cycles
      const int64_t key = (units * 64 + realNf) * 4096 + realNf * realSf;
      if (key < best) {
        best = key;
        f.nf = realNf;
        f.sf = realSf;
        f.pe = pe;
        f.simd = simd;
        if (f.style == Multipliers::Dsp) f.lanes = lanes;
      }
      if (f.style != Multipliers::Dsp) break;
    }
  }
  f.reuse = f.vectors * f.nf * f.sf;
  if (f.reuse == 1) {  // nothing to fold (e.g. a 1-input, 1-output layer): unfolded
    LayerFold u;
    u.family = family;
    u.outputs = N;
    u.vectorLen = static_cast<int>(total);
    u.pe = N;
    u.simd = u.vectorLen;
    return u;
  }
  if (f.style == Multipliers::Dsp && f.lanes == 1) {
    // A cascade adds the exact products; a user accumulator type that rounds every product
    // keeps the fabric adder tree (the rounding happens between the DSPs).
    const ProductWidths pw = productWidths(l);
    const int prodFrac = l.inType.fracBits() + l.arith.coeffFrac;
    const bool exact = !l.accumType || l.arith.accFrac == prodFrac;
    const int len = cascadeLengths(f.simd, std::max(1, maxChain)).front();
    if (exact && len > 1 && cascadeSumBits(pw.xBits + pw.wBits, len) <= 48) f.chain = len;
  }
  return f;
}

}  // namespace nngen

namespace nngen {

namespace {

/// The planner's figure of a module: the calibrated estimate (estimate.h), LUTs and DSPs.
struct PlanCost {
  double lut = 0, dsp = 0;
};

PlanCost moduleCost(const ModuleInfo& m, const std::string& family) {
  const ResourceEstimate e = estimate(moduleInventory(m, family), family);
  return {e.lut, e.dsp};
}

const std::vector<int>& reuseLadder() {
  static const std::vector<int> r = {2,    3,    4,    6,    8,    12,   16,  24,  32,
                                     48,   64,   96,   128,  192,  256,  384, 512, 768,
                                     1024, 1536, 2048, 3072, 4096, 6144, 8192};
  return r;
}

constexpr int kMaxFifo = 256;

/// The design's modules with the plan's folds and FIFOs, for timing and cost (no top level).
struct Evaluator {
  const Graph& g;
  const std::string& producer;
  std::string family;  // the part family whose cost model judges the plans
  Design unfolded;     // every layer at R = 1
  std::map<std::tuple<std::string, int, int64_t>, ModuleInfo> cache;
  std::map<std::string, const Layer*> layerOf;
  std::map<std::string, std::vector<const Layer*>> followersOf;

  Evaluator(const Graph& graph, const std::string& prod, std::string fam)
      : g(graph), producer(prod), family(std::move(fam)) {
    unfolded = emitDesign(g, producer, FoldPlan{});
    unfolded.topVerilog.clear();  // only the modules' timing and counts are needed
    for (ModuleInfo& m : unfolded.modules) m.verilog.clear();
    const Layer* cur = nullptr;
    for (const Layer& l : g.layers) {
      if (kindInfo(l.kind).windowed) {
        cur = &l;
        layerOf[l.name] = &l;
      } else if (cur) {
        followersOf[cur->name].push_back(&l);
      }
    }
  }

  Design design(const FoldPlan& plan, int fifo) {
    Design d = unfolded;
    for (ModuleInfo& m : d.modules) {
      const std::string& first = m.layers.front();
      auto f = plan.layers.find(first);
      if (f == plan.layers.end() || !f->second.folded()) continue;
      const LayerFold& lf = f->second;
      const auto key = std::make_tuple(
          first, lf.reuse * 4 + lf.lanes,
          (static_cast<int>(lf.style) * 64 + lf.chain) * 1000000 + lf.pe * 1000 + lf.simd);
      auto it = cache.find(key);
      if (it == cache.end())
        it = cache
                 .emplace(key, emitFoldedModule(g, *layerOf.at(first), followersOf[first],
                                                f->second, producer))
                 .first;
      it->second.verilog.clear();
      m = it->second;
      m.fifoDepth = fifo;
    }
    for (ModuleInfo& m : d.modules)
      if (auto q = plan.fifoDepth.find(m.name); q != plan.fifoDepth.end()) m.fifoDepth = q->second;
    return d;
  }

  PlanCost cost(const Design& d) const {
    PlanCost t;
    for (const ModuleInfo& m : d.modules) {
      const PlanCost c = moduleCost(m, family);
      t.lut += c.lut;
      t.dsp += c.dsp;
    }
    t.lut += estimate(topInventory(d, family), family).lut;  // skid buffers and FIFOs
    return t;
  }
};

}  // namespace

FoldPlan planFolding(const Graph& g, const FoldTarget& target, const std::string& producer) {
  FoldPlan plan;
  const PartInfo* part = nullptr;
  if (target.fitPart) {
    for (const PartInfo& p : knownParts())
      if (p.shortName == *target.fitPart) part = &p;
    if (!part)
      throw Error(SourceLoc{g.specPath, 0}, "",
                  fmt::format("--fit {}: unknown part (known: xcvu9p, xc7z020)", *target.fitPart));
  }
  plan.family = part && part->family == "xcup" ? DspFamily::UltraScale : DspFamily::Series7;

  // Layers the spec folds by hand, and the layers left to the planner.
  std::vector<const Layer*> free;
  for (const Layer& l : g.layers) {
    if (!foldable(l)) continue;
    if (l.reuseFactor > 0)
      plan.layers[l.name] = foldLayer(l, l.reuseFactor, l.multipliers, plan.family);
    else
      free.push_back(&l);
  }

  Evaluator ev(g, producer, part ? part->family : "xcup");
  const int ii = target.targetII.value_or(g.input.h * g.input.w);
  const StreamTiming t0 = streamTiming(ev.design(FoldPlan{}, 0), 4);
  int latencyBound =
      target.maxLatency.value_or(t0.latency + static_cast<int>(std::ceil(0.1 * t0.latency)));
  plan.notes.push_back(fmt::format(
      "unfolded: latency {} cycles, II {}; target II {} cycles, latency bound {} cycles{}{}",
      t0.latency, t0.ii, ii, latencyBound,
      part ? fmt::format(", fit {} ({} LUT, {} DSP)", part->shortName, part->luts, part->dsps) : "",
      target.maxDsp ? fmt::format(", DSP budget {}", *target.maxDsp) : ""));

  // Without a part: LUTs plus DSPs weighted by dspWeight LUTs each (default: the VU9P's
  // LUT/DSP ratio). With a part: its most used resource (the one that decides whether the
  // design fits), then the weighted sum. (A DSP budget is met by repair() below.)
  double dspWeight = part ? part->luts / part->dsps : 1182240.0 / 6840.0;
  // Plans recur across greedy runs: their cost and timing are computed once.
  auto keyOf = [](const FoldPlan& p) {
    std::string k;
    for (const auto& [name, f] : p.layers)
      k += fmt::format("{}:{}:{}:{}:{}:{}:{};", name, f.reuse, static_cast<int>(f.style), f.pe,
                       f.simd, f.lanes, f.chain);
    for (const auto& [name, depth] : p.fifoDepth) k += fmt::format("{}={};", name, depth);
    return k;
  };
  std::map<std::string, PlanCost> costs;
  std::map<std::string, StreamTiming> timings;
  auto costOf = [&](const FoldPlan& p) {
    const std::string k = keyOf(p);
    auto it = costs.find(k);
    if (it == costs.end()) it = costs.emplace(k, ev.cost(ev.design(p, kMaxFifo))).first;
    return it->second;
  };
  auto objective = [&](const FoldPlan& p) {
    const PlanCost c = costOf(p);
    double sum = c.lut + dspWeight * c.dsp;
    if (!part) return sum;
    return std::max(c.lut / part->luts, c.dsp / part->dsps) * 1e9 + sum;
  };

  // Three images, offered at the target II: the second and third see the steady state.
  auto timing = [&](const FoldPlan& p) {
    const std::string k = keyOf(p);
    auto it = timings.find(k);
    if (it == timings.end())
      it = timings.emplace(k, streamTiming(ev.design(p, kMaxFifo), 3, ii)).first;
    return it->second;
  };
  // Every other fold of layer l than its current one in p: visit(q) gets p with l refolded,
  // in ladder order per multiplier style, and returns false to skip the larger reuse factors
  // of that style (they only get slower); a factor beyond the layer ends the style too.
  auto forEachFold = [&](const FoldPlan& p, const Layer& l, auto&& visit) {
    const auto it = p.layers.find(l.name);
    const LayerFold cur = it == p.layers.end() ? LayerFold{} : it->second;
    // Styles: DSPs with long cascades, short cascades (less latency, more adders), none
    // (nn_mul_packed: the fabric adds), LUT multipliers.
    const std::pair<Multipliers, int> styles[] = {{Multipliers::Dsp, kMaxDspChain},
                                                  {Multipliers::Dsp, 3},
                                                  {Multipliers::Dsp, 0},
                                                  {Multipliers::Lut, 0}};
    for (const auto& [style, maxChain] : styles) {
      if (l.multipliers != Multipliers::Auto && style != l.multipliers) continue;
      for (int r : reuseLadder()) {
        FoldPlan q = p;
        try {
          q.layers[l.name] = foldLayer(l, r, style, plan.family, maxChain);
        } catch (const Error&) {
          break;  // beyond the layer's products, or no DSP fits
        }
        const LayerFold& nf = q.layers[l.name];
        if (nf.reuse == cur.reuse && nf.style == cur.style && nf.chain == cur.chain &&
            nf.pe == cur.pe && nf.simd == cur.simd)
          continue;  // the fold it has
        if (!visit(q)) break;
      }
    }
  };
  // Greedy: the move (one layer to another reuse factor, larger or smaller, or the other
  // multiplier style) with the largest saving per cycle of latency it costs, while the II and
  // latency bounds hold, until no move saves anything (every move must lower the cost, so it
  // ends). Smaller reuse factors let a layer give back DSPs or latency another layer needs.
  auto greedy = [&](FoldPlan p, int bound, int iiBound) {
    double cost = objective(p);
    int latency = timing(p).latency;
    for (;;) {
      FoldPlan bestPlan;
      double bestScore = 0, bestCost = cost;
      int bestLatency = latency;
      for (const Layer* l : free)
        forEachFold(p, *l, [&](const FoldPlan& q) {
          const double c = objective(q);
          if (c >= cost) return true;
          const StreamTiming t = timing(q);
          if (t.ii > iiBound || t.latency > bound) return false;
          const double score = (cost - c) / (1.0 + std::max(0, t.latency - latency));
          if (score > bestScore) {
            bestScore = score;
            bestCost = c;
            bestLatency = t.latency;
            bestPlan = q;
          }
          return true;
        });
      if (bestScore <= 0) return p;
      p = bestPlan;
      cost = bestCost;
      latency = bestLatency;
    }
  };

  // Greedy from several starts: the plan as it is, and each of the few single-layer folds that
  // save the most on their own (within the bounds). Greedy steps that save most per latency
  // cycle can spend the latency a large layer needed on small ones; a start with that layer
  // already folded avoids it.
  auto search = [&](const FoldPlan& p, int bound, int iiBound) {
    std::vector<std::pair<double, FoldPlan>> starts;
    const double base = objective(p);
    for (const Layer* l : free) {
      std::pair<double, FoldPlan> layerBest{base, p};  // this layer's best single fold
      forEachFold(p, *l, [&](const FoldPlan& q) {
        const double c = objective(q);
        if (c >= layerBest.first) return true;
        const StreamTiming t = timing(q);
        if (t.ii > iiBound || t.latency > bound) return false;
        layerBest = {c, q};
        return true;
      });
      if (layerBest.first < base) starts.push_back(std::move(layerBest));
    }
    std::sort(starts.begin(), starts.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    constexpr size_t kStarts = 4;
    if (starts.size() > kStarts) starts.resize(kStarts);
    FoldPlan best = greedy(p, bound, iiBound);
    double bestCost = objective(best);
    auto consider = [&](const FoldPlan& start) {
      FoldPlan r = greedy(start, bound, iiBound);
      if (const double rc = objective(r); rc < bestCost) {
        bestCost = rc;
        best = std::move(r);
        return true;
      }
      return false;
    };
    for (auto& [c, q] : starts) consider(q);
    // Perturbation: a greedy end can hold a layer at a reuse factor whose latency another
    // layer's (cheaper) fold needed. Give one layer back latency (its two next smaller reuse
    // factors within the bounds) and continue greedily; keep what ends cheaper.
    for (int round = 0; round < 3; ++round) {
      bool improved = false;
      const FoldPlan from = best;
      for (const Layer* l : free) {
        const auto it = from.layers.find(l->name);
        if (it == from.layers.end() || !it->second.folded()) continue;
        std::vector<std::pair<int, FoldPlan>> smaller;
        forEachFold(from, *l, [&](const FoldPlan& q) {
          const LayerFold& f = q.layers.at(l->name);
          if (f.reuse < it->second.reuse && f.style == it->second.style)
            smaller.emplace_back(f.reuse, q);
          return f.reuse < it->second.reuse;
        });
        std::sort(smaller.begin(), smaller.end(),
                  [](const auto& a, const auto& b) { return a.first > b.first; });
        for (size_t k = 0; k < smaller.size() && k < 2; ++k) {
          const StreamTiming t = timing(smaller[k].second);
          if (t.ii <= iiBound && t.latency <= bound) improved |= consider(smaller[k].second);
        }
      }
      if (!improved) break;
    }
    return best;
  };

  FoldPlan chosen = plan;
  if (!free.empty()) {
    latencyBound = std::max(latencyBound, timing(plan).latency);  // the spec's folds hold
    chosen = search(plan, latencyBound, ii);
    if (target.maxDsp) {
      // A DSP budget: the fewest LUTs within it. The search runs for a falling price of a DSP
      // in LUTs (a Lagrangian sweep); a plan over the budget is repaired by the single-layer
      // moves that give back DSPs at the fewest LUTs each; the plan with the fewest LUTs
      // within the budget wins.
      const double budget = *target.maxDsp;
      auto repair = [&](FoldPlan p) {
        for (PlanCost c = costOf(p); c.dsp > budget;) {
          FoldPlan best;
          double bestRate = std::numeric_limits<double>::infinity();
          for (const Layer* l : free)
            forEachFold(p, *l, [&](const FoldPlan& q) {
              const PlanCost qc = costOf(q);
              if (qc.dsp >= c.dsp) return true;
              const StreamTiming t = timing(q);
              if (t.ii > ii || t.latency > latencyBound) return true;
              const double rate = (qc.lut - c.lut) / (c.dsp - qc.dsp);
              if (rate < bestRate) {
                bestRate = rate;
                best = q;
              }
              return true;
            });
          if (!std::isfinite(bestRate)) break;  // nothing gives back a DSP within the bounds
          p = best;
          c = costOf(p);
        }
        return p;
      };
      auto lutsOf = [&](const FoldPlan& p) {
        const PlanCost c = costOf(p);
        return c.dsp > budget ? std::numeric_limits<double>::infinity() : c.lut;
      };
      chosen = repair(chosen);
      double bestLuts = lutsOf(chosen);
      for (double w : {80.0, 40.0, 15.0}) {
        dspWeight = w;
        FoldPlan q = repair(search(plan, latencyBound, ii));
        if (const double l = lutsOf(q); l < bestLuts) {
          bestLuts = l;
          chosen = q;
        }
      }
    }
    if (part) {
      // Relax the latency bound, then the II, until the estimate fits the part.
      int bound = latencyBound, iiBound = ii;
      for (int attempt = 0;; ++attempt) {
        const PlanCost c = costOf(chosen);
        if (c.lut <= part->luts && c.dsp <= part->dsps) break;
        if (attempt == 12)
          throw Error(SourceLoc{g.specPath, 0}, "",
                      fmt::format("--fit {}: the model does not fit at any reuse factor (the "
                                  "most folded design needs about {:.0f} LUT and {:.0f} DSP; the "
                                  "part has {:.0f} and {:.0f})",
                                  part->shortName, c.lut, c.dsp, part->luts, part->dsps));
        if (attempt < 6)
          bound = static_cast<int>(bound * 1.5);
        else
          iiBound *= 2;
        chosen = search(chosen, bound, iiBound);
        plan.notes.push_back(fmt::format(
            "does not fit {} yet: latency bound raised to {} cycles, II bound {} cycles",
            part->shortName, bound, iiBound));
      }
    }
  }
  // FIFOs: in module order, the smallest depth in front of each folded module that keeps the
  // II and latency the generous FIFOs gave.
  const StreamTiming tBig = timing(chosen);
  for (const ModuleInfo& m : ev.design(chosen, kMaxFifo).modules) {
    if (!m.fold) continue;
    for (int depth : {0, 2, 4, 8, 16, 32, 64, 128, kMaxFifo}) {
      chosen.fifoDepth[m.name] = depth;
      const StreamTiming t = timing(chosen);
      if (t.ii <= tBig.ii && t.latency <= tBig.latency) break;
    }
  }
  const PlanCost final = costOf(chosen);
  plan.notes.push_back(fmt::format("planner's estimate for {}: {:.0f} LUT, {:.0f} DSP", ev.family,
                                   final.lut, final.dsp));
  chosen.notes = plan.notes;
  for (const Layer& l : g.layers)
    if (auto f = chosen.layers.find(l.name); f != chosen.layers.end() && l.reuseFactor > 0)
      chosen.notes.push_back(
          fmt::format("{}: reuse_factor {} from the spec", l.name, l.reuseFactor));
  return chosen;
}

}  // namespace nngen
