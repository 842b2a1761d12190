//! @file folded.cpp
//! @brief Folded (time-multiplexed) Conv2D/Dense modules: PE x SIMD multipliers reading their
//!        weights from a ROM, per-lane adder trees and one accumulator per output channel.
//!
//! Datapath of one module (every register loads on the module's `ce`, nn_pipeline_ctrl):
//!   nn_sliding_window -> fold counters (sf, nf, v, step) -> x_fold (SIMD inputs, a mux on sf)
//!   and w_fold (PE*SIMD weights, a ROM on step) -> multipliers (nn_mul_packed or nn_mul_lut,
//!   2 cycles) -> per-lane adder trees (Netlist) -> accumulators acc_ch<n> -> the epilogue
//!   netlist (bias, requantization, the element-wise layers after it) -> m_data.
//! With one product per DSP and LayerFold::chain > 0, DSP cascades (nn_mac_chain) replace the
//!   multipliers and most of each lane's adder tree: the SIMD inputs are skewed (x_delay_s<s>,
//!   shared by all lanes) and the weights come from one ROM per delay (w_skew_d<d>, read at the
//!   delayed address step_d<d>); the lane tree adds the cascades' sums.
//! The window is held (the sliding window's ce is low) until its last fold step is issued, so a
//! folded module accepts one window per NF*SF cycles; the FIFO in front of it (plan.h) absorbs
//! the bursts of its input stream.
#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <set>

#include "emit/design.h"
#include "emit/module_text.h"

namespace nngen {

using namespace detail;

namespace {

int bitsFor(int64_t maxValue) {  // unsigned bits of a counter reaching maxValue (>= 1)
  return std::max(1, static_cast<int>(std::bit_width(static_cast<uint64_t>(maxValue))));
}

/// A hex literal of `bits` bits whose lane k of `laneBits` bits holds v[k] (two's complement).
std::string packedLiteral(const std::vector<int64_t>& v, int laneBits) {
  const int bits = static_cast<int>(v.size()) * laneBits;
  std::vector<bool> b(bits);
  for (size_t k = 0; k < v.size(); ++k)
    for (int j = 0; j < laneBits; ++j)
      b[k * laneBits + j] = (static_cast<uint64_t>(v[k]) >> std::min(j, 63)) & 1;
  std::string hex;
  for (int i = 0; i < bits; i += 4) {
    int d = 0;
    for (int j = 0; j < 4 && i + j < bits; ++j) d |= b[i + j] << j;
    hex.insert(hex.begin(), "0123456789abcdef"[d]);
  }
  return fmt::format("{}'h{}", bits, hex);
}

/// The FAMILY parameter of nn_mul_packed and nn_mac_chain.
const char* familyName(DspFamily f) {
  return f == DspFamily::UltraScale ? "ULTRASCALE" : "7SERIES";
}

/// The rounded product range of x * w for x in the input type (the reference's rule: a user
/// accumulator rounds every product to its fraction bits).
std::pair<Int128, Int128> productRange(const Layer& l, int64_t w) {
  const FixedType& t = l.inType;
  Int128 a = Int128{t.minRaw()} * w, b = Int128{t.maxRaw()} * w;
  if (l.accumType) {
    a = accumulatedProduct(l, static_cast<int64_t>(a));
    b = accumulatedProduct(l, static_cast<int64_t>(b));
  }
  return {std::min(a, b), std::max(a, b)};
}

/// A weight ROM `name` addressed by `addr` (addrBits bits): word t = (v*NF + nf)*SF + sf holds
/// the weight of lane p (output channel nf*PE + p) and of the j-th slot of `slots` (input
/// v*K + sf*SIMD + slots[j]) at bits [(j*PE + p)*WW +: WW]; zero past N and K.
/// Its shape (words, varying and distinct bit columns) is appended to `roms`.
std::string weightRom(const std::string& name, const std::string& addr, int addrBits,
                      const LayerFold& f, const std::vector<std::vector<int64_t>>& W, int K, int WW,
                      const std::vector<int>& slots, std::vector<ModuleInfo::Rom>& roms) {
  const int PE = f.pe, SIMD = f.simd, N = f.outputs, T = f.reuse;
  const int bits = PE * static_cast<int>(slots.size()) * WW;
  std::string v =
      fmt::format("  reg [{}:0] {};\n  always @* begin\n    case ({})\n", bits - 1, name, addr);
  std::vector<std::vector<bool>> column(bits, std::vector<bool>(T));
  for (int t = 0; t < T; ++t) {
    const int sf = t % f.sf, nf = (t / f.sf) % f.nf, vec = t / (f.sf * f.nf);
    std::vector<int64_t> word(size_t(PE) * slots.size(), 0);
    for (size_t j = 0; j < slots.size(); ++j)
      for (int p = 0; p < PE; ++p) {
        const int n = nf * PE + p, k = sf * SIMD + slots[j];
        if (n < N && k < K) word[j * PE + p] = W[n][size_t(vec) * K + k];
      }
    for (int b = 0; b < bits; ++b)
      column[b][t] = (static_cast<uint64_t>(word[b / WW]) >> std::min(b % WW, 63)) & 1;
    v += fmt::format("      {}'d{}: {} = {};\n", addrBits, t, name, packedLiteral(word, WW));
  }
  v += fmt::format("      default: {} = {}'d0;\n    endcase\n  end\n", name, bits);
  ModuleInfo::Rom rom;
  rom.words = T;
  std::set<std::vector<bool>> distinct;
  for (const auto& c : column)
    if (std::find(c.begin(), c.end(), !c.front()) != c.end()) {
      ++rom.varyingBits;
      distinct.insert(c);
    }
  rom.distinctBits = static_cast<int>(distinct.size());
  roms.push_back(rom);
  return v;
}

/// The weight ROM and the PE x SIMD products prod_p<lane>_s<slot> (2 cycles after issue), on
/// nn_mul_packed (f.lanes per DSP) or nn_mul_lut.
std::string emitMultipliers(const LayerFold& f, const std::vector<std::vector<int64_t>>& W, int K,
                            int DW, int WW, bool xSigned, int stB,
                            std::vector<ModuleInfo::Rom>& roms) {
  const int PE = f.pe, SIMD = f.simd, PW = DW + WW;
  std::vector<int> slots(SIMD);
  for (int s = 0; s < SIMD; ++s) slots[s] = s;
  std::string v = fmt::format(
      "  // Weight ROM: word `step` = (v*{} + nf)*{} + sf holds the weight of lane p (output "
      "channel nf*{} + p) and slot s (input v*{} + sf*{} + s) at bits [(s*{} + p)*{} +: {}].\n",
      f.nf, f.sf, PE, K, SIMD, PE, WW, WW);
  v += weightRom("w_fold", "step", stB, f, W, K, WW, slots, roms);
  v += fmt::format("  // Products, 2 cycles after issue: prod_p<lane>_s<slot> = x * w ({} bits).\n",
                   PW);
  for (int p = 0; p < PE; ++p)
    for (int s = 0; s < SIMD; ++s) v += fmt::format("  wire [{}:0] prod_p{}_s{};\n", PW - 1, p, s);
  for (int s = 0; s < SIMD; ++s) {
    if (f.style == Multipliers::Dsp) {
      for (int p0 = 0; p0 < PE; p0 += f.lanes) {
        std::string outs;
        for (int p = p0 + f.lanes - 1; p >= p0; --p)
          outs += fmt::format("{}prod_p{}_s{}", outs.empty() ? "" : ", ", p, s);
        v += fmt::format(
            "  nn_mul_packed #(.LANES({}), .X_W({}), .X_SIGNED({}), .W_W({}), .W_SIGNED(1), "
            ".FAMILY(\"{}\")) u_mul_p{}_s{} (\n"
            "    .clk(clk), .ce(ce), .x(x_fold[{}+:{}]), .w(w_fold[{}+:{}]), .p({{{}}})\n  );\n",
            f.lanes, DW, xSigned ? 1 : 0, WW, familyName(f.family), p0, s, s * DW, DW,
            (s * PE + p0) * WW, f.lanes * WW, outs);
      }
    } else {
      for (int p = 0; p < PE; ++p)
        v += fmt::format(
            "  nn_mul_lut #(.X_W({}), .X_SIGNED({}), .W_W({})) u_mul_p{}_s{} (.clk(clk), .ce(ce), "
            ".x(x_fold[{}+:{}]), .w(w_fold[{}+:{}]), .p(prod_p{}_s{}));\n",
            DW, xSigned ? 1 : 0, WW, p, s, s * DW, DW, (s * PE + p) * WW, WW, p, s);
    }
  }
  return v;
}

/// The systolic DSP cascades (nn_mac_chain) of a fold with f.chain > 0: slot s's activation
/// and its weights' ROM address delayed by delay[s] cycles (registers shared by all lanes), one
/// ROM per delay, and per lane p and segment g the cascade sum chain_p<p>_g<g>, Lmax + 2 cycles
/// after issue (Lmax = segLen[0], the longest segment).
std::string emitChains(const LayerFold& f, const std::vector<std::vector<int64_t>>& W, int K,
                       int DW, int WW, bool xSigned, const std::vector<int>& segStart,
                       const std::vector<int>& segLen, const std::vector<int>& delay, int stB,
                       const std::vector<int>& segBits, std::vector<ModuleInfo::Rom>& roms) {
  const int PE = f.pe, SIMD = f.simd, Lmax = segLen[0];
  std::string v = fmt::format(
      "  // Systolic skew: slot s of a cascade of n slots at position i is presented {} - n + i "
      "cycles after issue.\n"
      "  // x_skew_s<s>: slot s's activation, delayed; step_d<d>: the ROM address, delayed d "
      "cycles.\n",
      Lmax);
  std::string shifts;
  for (int d = 1; d < Lmax; ++d) {
    v += fmt::format("  reg [{}:0] step_d{};\n", stB - 1, d);
    shifts +=
        fmt::format("      step_d{} <= {};\n", d, d == 1 ? "step" : fmt::format("step_d{}", d - 1));
  }
  for (int s = 0; s < SIMD; ++s) {
    const int d = delay[s];
    if (d == 0) {
      v += fmt::format("  wire [{}:0] x_skew_s{} = x_fold[{}+:{}];\n", DW - 1, s, s * DW, DW);
      continue;
    }
    v += fmt::format("  reg [{}:0] x_delay_s{};  // {} cycle(s)\n", d * DW - 1, s, d);
    shifts += d == 1 ? fmt::format("      x_delay_s{} <= x_fold[{}+:{}];\n", s, s * DW, DW)
                     : fmt::format("      x_delay_s{} <= {{x_delay_s{}[{}:0], x_fold[{}+:{}]}};\n",
                                   s, s, (d - 1) * DW - 1, s * DW, DW);
    v += fmt::format("  wire [{}:0] x_skew_s{} = x_delay_s{}[{}+:{}];\n", DW - 1, s, s,
                     (d - 1) * DW, DW);
  }
  if (!shifts.empty())
    v += "  always @(posedge clk) begin\n    if (ce) begin\n" + shifts + "    end\n  end\n";
  // One ROM per delay: the slots presented d cycles after issue, read at step_d<d>.
  std::vector<std::vector<int>> slotsAt(Lmax);
  std::vector<int> indexIn(SIMD);
  for (int s = 0; s < SIMD; ++s) {
    indexIn[s] = static_cast<int>(slotsAt[delay[s]].size());
    slotsAt[delay[s]].push_back(s);
  }
  v += fmt::format(
      "  // Weight ROMs: w_skew_d<d> holds, for the slots presented d cycles after issue (j-th "
      "of them), the weight of lane p at bits [(j*{} + p)*{} +: {}]; word = (v*{} + nf)*{} + sf.\n",
      PE, WW, WW, f.nf, f.sf);
  for (int d = 0; d < Lmax; ++d)
    if (!slotsAt[d].empty())
      v += weightRom(fmt::format("w_skew_d{}", d), d == 0 ? "step" : fmt::format("step_d{}", d),
                     stB, f, W, K, WW, slotsAt[d], roms);
  v += "  // DSP cascades: lane p, segment g sums its slots' products inside the DSPs.\n";
  for (int p = 0; p < PE; ++p)
    for (size_t g = 0; g < segLen.size(); ++g) {
      const int n = segLen[g], sw = segBits[g];
      std::string xs, ws;
      for (int i = n - 1; i >= 0; --i) {
        const int s = segStart[g] + i;
        xs += fmt::format("{}x_skew_s{}", xs.empty() ? "" : ", ", s);
        ws += fmt::format("{}w_skew_d{}[{}+:{}]", ws.empty() ? "" : ", ", delay[s],
                          (indexIn[s] * PE + p) * WW, WW);
      }
      v += fmt::format("  wire [{}:0] chain_p{}_g{};\n", sw - 1, p, g);
      v += fmt::format(
          "  nn_mac_chain #(.N({}), .X_W({}), .X_SIGNED({}), .W_W({}), .W_SIGNED(1), .SUM_W({}), "
          ".FAMILY(\"{}\")) u_chain_p{}_g{} (\n"
          "    .clk(clk), .ce(ce), .x({{{}}}),\n    .w({{{}}}),\n    .sum(chain_p{}_g{})\n  );\n",
          n, DW, xSigned ? 1 : 0, WW, sw, familyName(f.family), p, g, xs, ws, p, g);
    }
  return v;
}
}  // namespace

ModuleInfo emitFoldedModule(const Graph& g, const Layer& l, const std::vector<const Layer*>& after,
                            const LayerFold& f, const std::string& producer) {
  const Layer& last = after.empty() ? l : *after.back();
  ModuleInfo m;
  m.name = fmt::format("{}_{}", g.name, l.name);
  m.layers.push_back(l.name);
  for (auto* a : after) m.layers.push_back(a->name);
  m.in = l.in;
  m.out = last.out;
  const FixedType inT = l.inType;
  m.inChannelBits = inT.width;
  m.outChannelBits = last.resultType.width;
  m.fold = f;
  const int inBits = m.in.c * inT.width, outBits = m.out.c * m.outChannelBits;
  const int N = f.outputs, K = f.vectorLen, V = f.vectors, PE = f.pe, SIMD = f.simd;
  const int NF = f.nf, SF = f.sf, T = V * NF * SF, DW = inT.width;
  const ProductWidths pw = productWidths(l);
  const int WW = pw.wBits, PW = DW + WW;
  const bool perPixel = V > 1;
  m.window = perPixel ? ModuleInfo::Window{l.in.h, l.in.w, 1, 1, 1, 1, Padding{}}
                      : ModuleInfo::Window{l.in.h,    l.in.w,    l.kernelH, l.kernelW,
                                           l.strideH, l.strideW, l.pad};
  m.windowLatency = 1;
  m.foldSteps = NF * SF;
  m.foldVectors = V;

  // The weight matrix W[n][i], i = v * K + k the value's index in the layer's window order.
  std::vector<std::vector<int64_t>> W(N, std::vector<int64_t>(size_t(V) * K, 0));
  for (int n = 0; n < N; ++n)
    for (const Tap& t : layerTaps(l, n)) W[n][t.input] = l.arith.coeff[t.coeff];

  // Lane adder trees: lane p sums its SIMD products (each rounded to the accumulator's fraction
  // bits when the layer has a user accumulator type, as the reference does).
  const int prodFrac = inT.fracBits() + l.arith.coeffFrac;
  Netlist lanes("lane_", g.hardware.adderLevelsPerStage);
  FixedType prodT;
  prodT.width = PW;
  prodT.intBits = PW - prodFrac;
  prodT.isSigned = true;
  // With DSP cascades (f.chain > 0) the lane adds its cascades' sums instead: SIMD slots split
  // into near-equal segments, segment g summed by one nn_mac_chain; slot s at position i of a
  // segment of length n is presented `delay[s]` = Lmax - n + i cycles after issue, so that every
  // cascade's sum is ready Lmax + 2 cycles after issue.
  const bool chained = f.chain > 0;
  std::vector<int> segStart, segLen, delay(SIMD, 0);
  int Lmax = 0;
  if (chained) {
    segLen = cascadeLengths(SIMD, f.chain);
    for (int g = 0, start = 0; g < static_cast<int>(segLen.size()); start += segLen[g++])
      segStart.push_back(start);
    Lmax = segLen[0];
    for (size_t g = 0; g < segLen.size(); ++g)
      for (int i = 0; i < segLen[g]; ++i) delay[segStart[g] + i] = Lmax - segLen[g] + i;
  }
  std::vector<int> segBits;
  for (const int n : segLen) segBits.push_back(cascadeSumBits(PW, n));
  std::vector<int> laneWidth(PE);
  for (int p = 0; p < PE; ++p) {
    std::vector<Term> terms;
    if (chained) {
      for (size_t g = 0; g < segLen.size(); ++g) {
        FixedType segT = prodT;
        segT.width = segBits[g];
        segT.intBits = segT.width - prodFrac;
        terms.push_back(
            lanes.input(fmt::format("p{}_g{}", p, g), fmt::format("chain_p{}_g{}", p, g), segT));
      }
    }
    for (int s = 0; s < SIMD && !chained; ++s) {
      Term t = lanes.input(fmt::format("p{}_s{}", p, s), fmt::format("prod_p{}_s{}", p, s), prodT);
      if (l.accumType) t = lanes.round(t, l.arith.accFrac, l.accumType->rounding);
      terms.push_back(t);
    }
    Term sum = lanes.sum(std::move(terms));
    const int node = lanes.materialize(sum);
    lanes.rename(node, fmt::format("sum_p{}", p));
    laneWidth[p] = lanes.nodes()[node].width;
    lanes.addOutput(node, laneWidth[p]);
  }
  const int laneStages = lanes.stages();
  const int accFrac = l.accumType ? l.arith.accFrac : prodFrac;

  // Accumulators: exactly as wide as the largest partial sum of any channel (every product
  // range holds 0, so every partial sum lies within the whole sum's range).
  Int128 accLo = 0, accHi = 0;
  for (int n = 0; n < N; ++n) {
    Int128 lo = 0, hi = 0;
    for (int64_t w : W[n]) {
      if (w == 0) continue;
      const auto [a, b] = productRange(l, w);
      lo += a;
      hi += b;
    }
    accLo = std::min(accLo, lo);
    accHi = std::max(accHi, hi);
  }
  const int accBits = signedBitsFor(static_cast<int64_t>(accLo), static_cast<int64_t>(accHi));
  FixedType accT;
  accT.width = accBits;
  accT.intBits = accBits - accFrac;
  accT.isSigned = true;

  // Epilogue: bias, the accumulator type's overflow, the result type, the element-wise layers.
  Netlist epi("", g.hardware.adderLevelsPerStage);
  int epiAccBits = accBits;
  std::vector<Term> outs(N);
  for (int n = 0; n < N; ++n) {
    Term acc = epi.input(fmt::format("acc_ch{}_in", n), fmt::format("acc_ch{}", n), accT);
    if (!l.arith.bias.empty() && l.arith.bias[n] != 0)
      acc = epi.add(acc, epi.constant(l.arith.bias[n], l.arith.accFrac));
    if (l.accumType) acc = epi.requantize(acc, *l.accumType);
    outs[n] = epi.requantize(acc, l.resultType);
  }
  for (const Layer* a : after) outs = elementwise(epi, *a, outs, epiAccBits);
  for (int ch = 0; ch < m.out.c; ++ch) {
    const int node = epi.materialize(outs[ch]);
    if (epi.nodes()[node].op != NetNode::Op::Const) epi.rename(node, fmt::format("y_ch{}", ch));
    epi.addOutput(node, m.outChannelBits);
  }
  const int epiStages = epi.stages();
  // Cycles from issue to the products (nn_mul_packed / nn_mul_lut), or to the cascades' sums.
  const int mulLatency = chained ? Lmax + 2 : 2;
  const int accStage = mulLatency + laneStages;  // cycles from issue to the lane sums
  const int stages = accStage + 1 + epiStages;   // issue -> accumulators -> output register
  m.pipelineStages = stages;
  m.accumulatorBits = accBits;
  m.stats = epi.stats();
  m.stats.adders += lanes.stats().adders + N;  // + one accumulator adder per channel
  m.stats.adderBits += lanes.stats().adderBits + int64_t{N} * accBits;
  m.foldWeightBits = WW;
  m.stats.requantizers += lanes.stats().requantizers;
  m.stats.requantBits += lanes.stats().requantBits;
  m.stats.compareBits += lanes.stats().compareBits;
  m.stats.registerBits += lanes.stats().registerBits;
  const int stB = bitsFor(T - 1);
  if (chained) {  // the delayed activations and ROM addresses of the systolic skew
    for (int s = 0; s < SIMD; ++s) {
      if (delay[s] >= 3)  // Yosys's shregmap -minlen 3: SRL16E / SRLC32E
        m.shiftRegisterLuts += DW * ((delay[s] + 31) / 32);
      else
        m.stats.registerBits += int64_t{delay[s]} * DW;
    }
    m.stats.registerBits += int64_t{Lmax - 1} * stB;
  }

  // Header.
  std::vector<std::string> desc;
  std::string names;
  for (auto& n : m.layers) names += (names.empty() ? "" : ", ") + n;
  desc.push_back(fmt::format("Module {}: implements layer{} {}.", m.name,
                             m.layers.size() > 1 ? "s" : "", names));
  desc.push_back("  " + describe(l) + ", folded");
  for (auto* a : after) desc.push_back("  " + describe(*a));
  desc.push_back(fmt::format(
      "Folding: reuse factor {} = {} vector(s) x {} neuron fold(s) x {} synapse fold(s); PE {} "
      "output channels x SIMD {} inputs per cycle; {} value(s) per vector.",
      T, V, NF, SF, PE, SIMD, K));
  desc.push_back(
      chained
          ? fmt::format("Multipliers: {} DSP slice(s) in cascades of up to {} (nn_mac_chain): each "
                        "lane's {} products are summed inside the DSPs ({}x{} bits), weights from "
                        "a {} x {}-bit ROM.",
                        f.multipliers(), Lmax, SIMD, DW, WW, T, PE * SIMD * WW)
      : f.style == Multipliers::Dsp
          ? fmt::format("Multipliers: {} DSP multiplier(s) (nn_mul_packed), {} product(s) each "
                        "({}x{} bits), weights from a {} x {}-bit ROM.",
                        f.multipliers(), f.lanes, DW, WW, T, PE * SIMD * WW)
          : fmt::format("Multipliers: {} LUT multiplier(s) (nn_mul_lut, {}x{} bits), weights from "
                        "a {} x {}-bit ROM.",
                        f.multipliers(), DW, WW, T, PE * SIMD * WW));
  desc.push_back(fmt::format(
      "Input stream:  {} pixels of {} channels, {} each; one pixel per beat, channel 0 in the low "
      "bits.",
      m.in.h * m.in.w, m.in.c, inT.str()));
  desc.push_back(fmt::format("Output stream: {} pixels of {} channels, {} each.", m.out.h * m.out.w,
                             m.out.c, last.resultType.str()));
  desc.push_back(fmt::format(
      "Timing: one {} per {} cycle(s); latency 1 (window) + {} ({}) + {} (lane adder trees) + 1 "
      "(accumulators) + {} (epilogue) cycles after its last fold step.",
      perPixel ? "input pixel" : "window", NF * SF, mulLatency,
      chained ? "DSP cascades" : "multipliers", laneStages, epiStages));
  desc.push_back(fmt::format("Accumulators: {} x {} bits (exact).", N, accBits));
  m.description = desc[1].substr(2);

  std::string v = header(producer, desc);
  v += streamModuleStart(m.name, "s_", inBits, "m_", outBits);
  v += "  wire ce;  // the whole pipeline advances together (nn_pipeline_ctrl)\n";
  const ModuleInfo::Window& w = *m.window;
  const int winValues = w.kernelH * w.kernelW * l.in.c;  // == K
  v += fmt::format("  wire [{}:0] window;\n  wire window_valid;\n", winValues * DW - 1);
  v += "  // The window is held until its last fold step is issued.\n";
  v += "  wire win_ce = ce && (!window_valid || last_vec_step);\n";
  v += fmt::format(
      "  nn_sliding_window #(\n"
      "    .IMG_H({}), .IMG_W({}), .CHANNELS({}), .DATA_W({}),\n"
      "    .KERNEL_H({}), .KERNEL_W({}), .STRIDE_H({}), .STRIDE_W({}),\n"
      "    .PAD_TOP({}), .PAD_BOTTOM({}), .PAD_LEFT({}), .PAD_RIGHT({})\n"
      "  ) u_window (\n"
      "    .clk(clk), .rst(rst), .ce(win_ce),\n"
      "    .s_data(s_data), .s_valid(s_valid), .s_ready(s_ready),\n"
      "    .window(window), .window_valid(window_valid)\n  );\n",
      w.imgH, w.imgW, l.in.c, DW, w.kernelH, w.kernelW, w.strideH, w.strideW, w.pad.top,
      w.pad.bottom, w.pad.left, w.pad.right);

  // Fold counters.
  v += "  // Fold counters: synapse fold sf (fastest), neuron fold nf, vector v; step = ROM "
       "address.\n";
  std::vector<std::string> lastVec, resets, updates;
  auto counter = [&](const std::string& name, int count, const std::string& advance) {
    if (count <= 1) return;
    const int b = bitsFor(count - 1);
    v += fmt::format("  reg [{}:0] {};\n", b - 1, name);
    resets.push_back(fmt::format("{} <= {}'d0;", name, b));
    updates.push_back(fmt::format("{}{} <= ({} == {}'d{}) ? {}'d0 : {} + {}'d1;",
                                  advance.empty() ? "" : "if (" + advance + ") ", name, name, b,
                                  count - 1, b, name, b));
  };
  const int sfB = bitsFor(SF - 1), nfB = bitsFor(NF - 1), vB = bitsFor(V - 1);
  counter("sf", SF, "");
  counter("nf", NF, SF > 1 ? fmt::format("sf == {}'d{}", sfB, SF - 1) : "");
  if (SF > 1) lastVec.push_back(fmt::format("sf == {}'d{}", sfB, SF - 1));
  if (NF > 1) lastVec.push_back(fmt::format("nf == {}'d{}", nfB, NF - 1));
  auto conj = [](const std::vector<std::string>& t) {
    if (t.empty()) return std::string("1'b1");
    std::string s;
    for (auto& x : t) s += (s.empty() ? "" : " && ") + ("(" + x + ")");
    return s;
  };
  v += fmt::format("  wire last_vec_step = {};  // the vector's last fold step\n", conj(lastVec));
  counter("v", V, "last_vec_step");
  std::vector<std::string> lastAll = lastVec;
  if (V > 1) lastAll.push_back(fmt::format("v == {}'d{}", vB, V - 1));
  v += fmt::format("  wire last_step = {};  // the output pixel's last fold step\n", conj(lastAll));
  std::vector<std::string> firstT;
  if (SF > 1) firstT.push_back(fmt::format("sf == {}'d0", sfB));
  if (V > 1) firstT.push_back(fmt::format("v == {}'d0", vB));
  v += fmt::format(
      "  wire first_step = {};  // the first contribution to the channels of this neuron fold\n",
      conj(firstT));
  v += fmt::format("  reg [{}:0] step;\n", stB - 1);
  resets.push_back(fmt::format("step <= {}'d0;", stB));
  updates.push_back(fmt::format("step <= last_step ? {}'d0 : step + {}'d1;", stB, stB));
  v += "  always @(posedge clk) begin\n    if (rst) begin\n";
  for (auto& r : resets) v += "      " + r + "\n";
  v += "    end else if (ce && window_valid) begin\n";
  for (auto& u : updates) v += "      " + u + "\n";
  v += "    end\n  end\n";

  // x_fold: slot s of synapse fold sf reads value sf * SIMD + s of the window (zero past K).
  v += fmt::format("  // SIMD inputs of this fold: slot s reads window value sf*{} + s.\n", SIMD);
  v += fmt::format("  reg [{}:0] x_fold;\n", SIMD * DW - 1);
  auto slice = [&](int fold) {
    const int lo = fold * SIMD, n = std::min(SIMD, K - lo);
    std::string s = fmt::format("window[{}+:{}]", lo * DW, n * DW);
    return n < SIMD ? fmt::format("{{{}'d0, {}}}", (SIMD - n) * DW, s) : s;
  };
  if (SF == 1) {
    v += fmt::format("  always @* x_fold = {};\n", slice(0));
  } else {
    v += "  always @* begin\n    case (sf)\n";
    for (int s = 0; s < SF; ++s) v += fmt::format("      {}'d{}: x_fold = {};\n", sfB, s, slice(s));
    v += fmt::format("      default: x_fold = {}'d0;\n    endcase\n  end\n", SIMD * DW);
  }

  if (chained)
    v += emitChains(f, W, K, DW, WW, inT.isSigned, segStart, segLen, delay, stB, segBits,
                    m.foldRoms);
  else
    v += emitMultipliers(f, W, K, DW, WW, inT.isSigned, stB, m.foldRoms);

  // Control of the accumulators, delayed to the lane sums.
  v += "  // Issue-time control, delayed to the lane sums.\n";
  const int D = accStage;
  v += fmt::format("  reg [{}:0] acc_valid_pipe, acc_first_pipe;\n", D - 1);
  std::string nfShift;
  if (NF > 1) {
    for (int k = 0; k < D; ++k) v += fmt::format("  reg [{}:0] acc_nf_d{};\n", nfB - 1, k);
    nfShift += "      acc_nf_d0 <= nf;\n";
    for (int k = 1; k < D; ++k)
      nfShift += fmt::format("      acc_nf_d{} <= acc_nf_d{};\n", k, k - 1);
  }
  auto shiftIn = [&](const std::string& reg, const std::string& in) {
    return D == 1 ? fmt::format("{} <= {};", reg, in)
                  : fmt::format("{} <= {{{}[{}:0], {}}};", reg, reg, D - 2, in);
  };
  v += "  always @(posedge clk) begin\n";
  v += fmt::format("    if (rst) acc_valid_pipe <= {}'d0;\n    else if (ce) {}\n", D,
                   shiftIn("acc_valid_pipe", "window_valid"));
  v += fmt::format("    if (ce) begin\n      {}\n{}    end\n  end\n",
                   shiftIn("acc_first_pipe", "first_step"), nfShift);

  v += "  // Lane adder trees over the SIMD products.\n";
  v += lanes.verilog();

  v += "  // Accumulators: channel nf*PE + p adds lane p's sum in neuron fold nf.\n";
  const std::string accValid = fmt::format("acc_valid_pipe[{}]", D - 1),
                    accFirst = fmt::format("acc_first_pipe[{}]", D - 1);
  std::string accRegs;
  for (int n = 0; n < N; ++n) {
    const int p = n % PE, nf = n / PE;
    v += fmt::format("  reg signed [{}:0] acc_ch{};\n", accBits - 1, n);
    std::string cond = accValid;
    if (NF > 1) cond += fmt::format(" && acc_nf_d{} == {}'d{}", D - 1, nfB, nf);
    accRegs += fmt::format("      if ({}) acc_ch{} <= ({} ? {}'sd0 : acc_ch{}) + lane_ext_p{};\n",
                           cond, n, accFirst, accBits, n, p);
  }
  for (int p = 0; p < PE; ++p) {
    // The lane sum read at the accumulator's width: its value always fits (a partial sum).
    const int lw = laneWidth[p];
    const std::string src = lanes.outputName(p);
    v += fmt::format("  wire signed [{}:0] lane_ext_p{} = {};\n", accBits - 1, p,
                     lw >= accBits
                         ? fmt::format("{}[{}:0]", src, accBits - 1)
                         : fmt::format("{{{{{}{{{}[{}]}}}}, {}}}", accBits - lw, src, lw - 1, src));
    if (lw > accBits)
      v += fmt::format("  wire unused_lane_ext_p{} = ^{}[{}:{}];  // beyond any partial sum\n", p,
                       src, lw - 1, accBits);
  }
  v += "  always @(posedge clk) begin\n    if (ce) begin\n" + accRegs + "    end\n  end\n";

  v += pipelineCtrl(stages, "window_valid && last_step");
  v += "  // Epilogue: bias, requantization and the element-wise layers, pipelined.\n";
  v += epi.verilog();
  std::string cat;
  for (int ch = m.out.c - 1; ch >= 0; --ch) cat += (cat.empty() ? "" : ", ") + epi.outputName(ch);
  v += fmt::format("  assign m_data = {{{}}};\nendmodule\n", cat);
  m.verilog = std::move(v);
  return m;
}

}  // namespace nngen
