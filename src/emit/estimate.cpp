//! @file estimate.cpp
//! @brief The resource inventory of generated modules and the calibrated cost model.
#include "emit/estimate.h"

#include <fmt/format.h>

#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>

#include "emit/scripts.h"

namespace nngen {

namespace {

double ceilDiv(double a, double b) { return std::ceil(a / b); }

/// Coefficients of the cost model for one family, fitted by tools/calibrate_estimate.py
/// (least squares over the per-module Yosys counts of the shipped models; docs/architecture.md,
/// "Resource estimate").
struct CostModel {
  double lutPerModule, lutPerAdderBit, lutPerCompareBit, lutPerRequantBit, lutPerRomLut,
      lutPerMuxLut, lutPerLutMultBit, lutPerBufferBit;
  double ffPerModule, ffPerRegBit, ffPerWindowBit, ffPerBufferBit, ffPerMultRegBit;
};

const CostModel& costModel(const std::string& family) {
  // BEGIN calibrated coefficients (tools/calibrate_estimate.py)
  static const CostModel xc7{0, 0.6313, 2.184,  0.5267, 1.001, 1.338, 1.166,
                             1, 15.3,   0.8555, 1.047,  1,     0.1735};
  static const CostModel xcup{0, 0.6475, 2.184,  0.569, 1.027, 1.14,  1.175,
                              1, 0,      0.8766, 1.071, 1,     0.7884};
  // END calibrated coefficients
  return family == "xcup" ? xcup : xc7;
}

}  // namespace

void addMemoryCost(const MemoryShape& m, const std::string& family, ResourceInventory& inv) {
  // LUT-RAM with one write and one read port: 7-series RAM32M (32 x 6 bits, 4 LUTs) or RAM64M
  // (64 x 3, 4 LUTs); UltraScale+ RAM32M16 (32 x 14, 8 LUTs) or RAM64M8 (64 x 7, 8 LUTs)
  // (UG474, UG574); deeper memories are built from 64-word blocks and a read multiplexer.
  const bool up = family == "xcup";
  const double blocks = ceilDiv(m.depth, 64);
  if (m.depth <= 32)
    inv.memLuts += (up ? 8 : 4) * ceilDiv(m.width, up ? 14 : 6);
  else
    inv.memLuts += blocks * (up ? 8 : 4) * ceilDiv(m.width, up ? 7 : 3) +
                   (blocks > 1 ? m.width * ceilDiv(blocks - 1, 3) : 0);
}

void addRomCost(const ModuleInfo::Rom& rom, ResourceInventory& inv) {
  const double words = rom.words, width = rom.varyingBits;
  // Yosys 0.23 (memory_libmap) put the 672-word weight ROM of the 7-bit model's dense0 (its
  // read register is the multiplier's operand register) in block RAM and kept the ROMs of 252
  // words and fewer in logic; deeper than 256 words is taken as block RAM, in the RAMB18
  // aspect ratio that needs the fewest (UG473: 16K x 1 ... 1K x 18, 512 x 36).
  constexpr double kLutRomWords = 256;
  if (words <= kLutRomWords) {
    inv.romLuts += rom.distinctBits * ceilDiv(words, 64);
    return;
  }
  double best = std::numeric_limits<double>::infinity();
  for (const auto& [depth, bits] : {std::pair{16384.0, 1.0},
                                    {8192.0, 2.0},
                                    {4096.0, 4.0},
                                    {2048.0, 9.0},
                                    {1024.0, 18.0},
                                    {512.0, 36.0}})
    best = std::min(best, ceilDiv(width, bits) * ceilDiv(words, depth));
  inv.bram36 += 0.5 * best;
}

ResourceInventory moduleInventory(const ModuleInfo& m, const std::string& family) {
  ResourceInventory inv;
  inv.adderBits = static_cast<double>(m.stats.adderBits);
  inv.compareBits = static_cast<double>(m.stats.compareBits);
  inv.requantBits = static_cast<double>(m.stats.requantBits);
  inv.regBits = static_cast<double>(m.stats.registerBits);
  inv.romLuts = static_cast<double>(m.stats.romLuts);  // activation tables
  inv.dsps = m.stats.dsps;                             // Softmax's multipliers
  const double dw = m.inChannelBits, pixelBits = double(m.in.c) * m.inChannelBits;
  if (m.window) {
    const ModuleInfo::Window& w = *m.window;
    inv.windowBits = double(w.kernelH) * w.kernelW * pixelBits;
    if (w.kernelH > 1) {
      const int lineBits = (w.kernelH - 1) * static_cast<int>(pixelBits);
      addMemoryCost({w.imgW + w.pad.left + w.pad.right, lineBits}, family, inv);
      inv.windowBits += lineBits;  // the line buffer's registered read
    }
  } else {
    inv.windowBits = pixelBits;  // the input register
  }
  if (m.fold) {
    const LayerFold& f = *m.fold;
    const double ww = m.foldWeightBits, pw = dw + ww, products = double(f.pe) * f.simd;
    for (const ModuleInfo::Rom& rom : m.foldRoms) addRomCost(rom, inv);
    inv.memLuts += m.shiftRegisterLuts;
    inv.muxLuts = f.simd * dw * ceilDiv(f.sf - 1, 3);
    inv.regBits += double(f.outputs) * m.accumulatorBits;
    // The multipliers' operand and product registers; inside the DSPs with cascades.
    inv.multRegBits = f.chain > 0 ? 0 : products * (dw + ww + pw);
    if (f.style == Multipliers::Dsp)
      inv.dsps += f.multipliers();
    else
      inv.lutMultBits = products * ww * pw;
  }
  return inv;
}

ResourceInventory topInventory(const Design& d, const std::string& family) {
  ResourceInventory inv;
  for (const ModuleInfo& m : d.modules) {
    const int bits = m.in.c * m.inChannelBits;
    if (m.fifoDepth > 0) addMemoryCost({m.fifoDepth, bits}, family, inv);
    inv.bufferBits += bits;  // the skid buffer's, or the FIFO's output register
  }
  return inv;
}

ResourceEstimate estimate(const ResourceInventory& inv, const std::string& family) {
  const CostModel& c = costModel(family);
  ResourceEstimate e;
  e.lut = c.lutPerModule + c.lutPerAdderBit * inv.adderBits + c.lutPerCompareBit * inv.compareBits +
          c.lutPerRequantBit * inv.requantBits + c.lutPerRomLut * inv.romLuts +
          c.lutPerMuxLut * inv.muxLuts + c.lutPerLutMultBit * inv.lutMultBits +
          c.lutPerBufferBit * inv.bufferBits + inv.memLuts;
  e.ff = c.ffPerModule + c.ffPerRegBit * inv.regBits + c.ffPerWindowBit * inv.windowBits +
         c.ffPerBufferBit * inv.bufferBits + c.ffPerMultRegBit * inv.multRegBits;
  e.dsp = inv.dsps;
  e.bram36 = inv.bram36;
  return e;
}

DesignEstimate estimateDesign(const Design& d, const std::string& family) {
  DesignEstimate de;
  de.family = family;
  auto add = [&](const std::string& name, const ResourceEstimate& e) {
    de.modules.push_back({name, e});
    de.total.lut += e.lut;
    de.total.ff += e.ff;
    de.total.dsp += e.dsp;
    de.total.bram36 += e.bram36;
  };
  for (const ModuleInfo& m : d.modules) add(m.name, estimate(moduleInventory(m, family), family));
  add("(top)", estimate(topInventory(d, family), family));
  return de;
}

std::string formatEstimate(const std::vector<DesignEstimate>& es) {
  std::string s =
      "Resource estimate (nngen's cost model, calibrated against Yosys synth_xilinx; not "
      "Vivado):\n";
  for (const DesignEstimate& e : es) {
    const PartInfo* part = nullptr;
    for (const PartInfo& p : knownParts())
      if (p.family == e.family) part = &p;
    s += fmt::format("  {} ({}):\n", part ? part->name : e.family, e.family);
    s +=
        fmt::format("    {:<30} {:>9} {:>9} {:>6} {:>7}\n", "module", "LUT", "FF", "DSP", "BRAM36");
    for (const auto& [name, r] : e.modules)
      s += fmt::format("    {:<30} {:>9.0f} {:>9.0f} {:>6.0f} {:>7g}\n", name, r.lut, r.ff, r.dsp,
                       r.bram36);
    s += fmt::format("    {:<30} {:>9.0f} {:>9.0f} {:>6.0f} {:>7g}", "total", e.total.lut,
                     e.total.ff, e.total.dsp, e.total.bram36);
    if (part)
      s += fmt::format("   ({:.1f} % LUT, {:.1f} % FF, {:.1f} % DSP, {:.1f} % BRAM of {})",
                       100 * e.total.lut / part->luts, 100 * e.total.ff / part->ffs,
                       100 * e.total.dsp / part->dsps, 100 * e.total.bram36 / part->bram36,
                       part->shortName);
    s += "\n";
  }
  return s;
}

std::string estimateJson(const Design& d, const std::vector<DesignEstimate>& es) {
  nlohmann::ordered_json j;
  j["tool"] = "nngen cost model calibrated against Yosys 0.23 synth_xilinx";
  nlohmann::ordered_json parts = nlohmann::ordered_json::array();
  for (const DesignEstimate& e : es) {
    nlohmann::ordered_json mods = nlohmann::ordered_json::array();
    auto res = [](const ResourceEstimate& r) {
      return nlohmann::ordered_json{
          {"lut", r.lut}, {"ff", r.ff}, {"dsp", r.dsp}, {"bram36", r.bram36}};
    };
    auto inventory = [](const ResourceInventory& v) {
      return nlohmann::ordered_json{{"adder_bits", v.adderBits},
                                    {"compare_bits", v.compareBits},
                                    {"requant_bits", v.requantBits},
                                    {"rom_luts", v.romLuts},
                                    {"mux_luts", v.muxLuts},
                                    {"lut_mult_bits", v.lutMultBits},
                                    {"register_bits", v.regBits},
                                    {"window_bits", v.windowBits},
                                    {"mult_reg_bits", v.multRegBits},
                                    {"memory_luts", v.memLuts},
                                    {"bram36", v.bram36},
                                    {"dsps", v.dsps},
                                    {"buffer_bits", v.bufferBits}};
    };
    for (size_t i = 0; i < e.modules.size(); ++i) {
      const ResourceInventory inv = i < d.modules.size() ? moduleInventory(d.modules[i], e.family)
                                                         : topInventory(d, e.family);
      nlohmann::ordered_json m = res(e.modules[i].second);
      m["module"] = e.modules[i].first;
      m["inventory"] = inventory(inv);
      mods.push_back(m);
    }
    nlohmann::ordered_json p;
    p["family"] = e.family;
    p["total"] = res(e.total);
    p["modules"] = mods;
    parts.push_back(p);
  }
  j["parts"] = parts;
  return j.dump(2) + "\n";
}

}  // namespace nngen
