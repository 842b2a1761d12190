//! @file profile.cpp
//! @brief `nngen profile`: the ranges a network's values take on its test data against the
//!        ranges its fixed-point types hold (the hls4ml CNN paper's numerical profiling,
//!        Aarrestad et al. 2021, figure 7), and the narrowest types that hold them.
#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>

#include "flow/flow.h"
#include "flow/output_folder.h"
#include "flow/process.h"
#include "passes/passes.h"
#include "ref/reference.h"
#include "spec/spec_loader.h"

namespace nngen {

namespace fs = std::filesystem;

namespace {

constexpr int kBinsPerOctave = 4;
constexpr int kLowestOctave = -64;
constexpr int kBins = 128 * kBinsPerOctave;

}  // namespace

void ValueStats::add(double v) {
  if (count == 0 || v < min) min = v;
  if (count == 0 || v > max) max = v;
  ++count;
  if (v == 0) {
    ++zeros;
    return;
  }
  if (hist.empty()) hist.assign(kBins, 0);
  const double b = std::floor((std::log2(std::fabs(v)) - kLowestOctave) * kBinsPerOctave);
  hist[static_cast<size_t>(std::clamp(b, 0.0, double(kBins - 1)))]++;
}

double ValueStats::log2Quantile(double q) const {
  const uint64_t nonzero = count - zeros;
  if (nonzero == 0) return -std::numeric_limits<double>::infinity();
  const uint64_t rank = std::min<uint64_t>(
      nonzero - 1, static_cast<uint64_t>(std::floor(q * static_cast<double>(nonzero))));
  uint64_t seen = 0;
  for (int b = 0; b < kBins; ++b) {
    seen += hist[b];
    if (seen > rank) return kLowestOctave + double(b) / kBinsPerOctave;
  }
  return kLowestOctave + double(kBins) / kBinsPerOctave;
}

namespace {

/// Real range [lowest, highest] a type holds (AP_SAT_SYM: symmetric, -max to max).
std::pair<double, double> typeRange(const FixedType& t) {
  const double hi = rawToReal(t.maxRaw(), t.fracBits());
  if (t.overflow == Overflow::SatSym && t.isSigned) return {-hi, hi};
  return {rawToReal(t.minRaw(), t.fracBits()), hi};
}

/// Values outside the range of t (binary takes every value: its conversion is the sign).
uint64_t outside(const std::vector<double>& v, const FixedType& t) {
  if (t.binary) return 0;
  // a pair, not a structured binding: clang 14 cannot capture those in a lambda
  const std::pair<double, double> range = typeRange(t);
  return static_cast<uint64_t>(std::count_if(
      v.begin(), v.end(), [&](double x) { return x < range.first || x > range.second; }));
}

/// "[-32, 31.999]" style range of a type, or of observed values.
std::string rangeText(double lo, double hi) { return fmt::format("[{:.6g}, {:.6g}]", lo, hi); }

/// The integer bits the observed values of s need in a type like t (same fraction bits and
/// signedness), scaled by `margin`; nullopt when none or when they never fit.
std::optional<int> neededIntBits(const ValueStats& s, const FixedType& t, double margin = 1.0) {
  if (s.count == 0 || t.binary) return std::nullopt;
  return intBitsFor(std::min(0.0, s.min) * margin, std::max(0.0, s.max) * margin, t.fracBits(),
                    t.isSigned);
}

/// One row of the text table and the findings it adds.
struct Row {
  std::string layer, what;
  const FixedType* type;
  const ValueStats* stats;
  uint64_t overflow;
};

std::string table(const std::vector<Row>& rows, size_t images) {
  constexpr const char* f = "{:<16} {:<8} {:>30} {:>24} {:>24} {:>7} {:>10} {:>9}\n";
  std::string s = fmt::format(
      "Numerical profile on {} input(s) (values before each type's conversion)\n", images);
  s += fmt::format(f, "layer", "values", "type", "type range", "observed range", "zero", "overflow",
                   "int bits");
  for (const Row& r : rows) {
    const ValueStats& v = *r.stats;
    const auto [lo, hi] = typeRange(*r.type);
    const std::optional<int> need = neededIntBits(v, *r.type);
    s += fmt::format(
        f, r.layer, r.what, r.type->str(), r.type->binary ? "{-1, +1}" : rangeText(lo, hi),
        v.count ? rangeText(v.min, v.max) : "-",
        v.count ? fmt::format("{:.1f}%", 100.0 * double(v.zeros) / double(v.count)) : "-",
        r.overflow,
        r.type->binary ? "-"
                       : fmt::format("{}/{}", r.type->intBits,
                                     need ? std::to_string(*need) : std::string("-")));
  }
  s += "int bits: the type's integer bits / the fewest that hold the observed range.\n";
  return s;
}

/// The overflow and wasted-integer-bit findings of one row.
void findings(const Row& r, std::vector<std::string>& out) {
  const ValueStats& v = *r.stats;
  if (v.count == 0 || r.type->binary) return;
  const auto [lo, hi] = typeRange(*r.type);
  if (r.overflow)
    out.push_back(fmt::format(
        "layer '{}': {} of {} {} ({:.2f} %) lie outside {} {} (observed {}); they saturate or "
        "wrap",
        r.layer, r.overflow, v.count, r.what, 100.0 * double(r.overflow) / double(v.count),
        r.type->str(), rangeText(lo, hi), rangeText(v.min, v.max)));
  const std::optional<int> need = neededIntBits(v, *r.type);
  if (need && *need < r.type->intBits)
    out.push_back(fmt::format(
        "layer '{}': {} {} has {} integer bits, the observed {} {} need {}: {} bit(s) unused",
        r.layer, r.what, r.type->str(), r.type->intBits, r.what, rangeText(v.min, v.max), *need,
        r.type->intBits - *need));
}

/// gnuplot data and script of the box plots; returns the script.
std::string plotFiles(const std::vector<LayerProfile>& layers, const std::string& name,
                      size_t images, std::string& data) {
  auto box = [](const ValueStats& s, const FixedType& t, bool present) {
    if (!present || s.count == s.zeros) return std::string("NaN NaN NaN NaN NaN NaN NaN");
    // The type's |value| range on the log2 axis: its LSB to its largest magnitude.
    const auto [lo, hi] = typeRange(t);
    const double top = std::log2(std::max(std::fabs(lo), std::fabs(hi)));
    const double lsb = t.binary ? 0.0 : -double(t.fracBits());
    return fmt::format("{:g} {:g} {:g} {:g} {:g} {:g} {:g}", s.log2Quantile(0),
                       s.log2Quantile(0.25), s.log2Quantile(0.5), s.log2Quantile(0.75),
                       s.log2Quantile(1.0), lsb, top);
  };
  data = "# index layer | weights: min q1 median q3 max typeLSB typeMax | outputs: the same\n";
  double ylo = 0, yhi = 1;  // the plot's log2 range: every whisker and band, whole octaves
  auto extend = [&](const ValueStats& s, const FixedType& t) {
    if (s.count == s.zeros) return;
    ylo = std::min({ylo, s.log2Quantile(0), t.binary ? 0.0 : -double(t.fracBits())});
    yhi = std::max({yhi, s.log2Quantile(1.0) + 1, double(t.intBits)});
  };
  for (size_t i = 0; i < layers.size(); ++i) {
    const LayerProfile& l = layers[i];
    if (l.hasWeights) extend(l.weights, l.weightType);
    extend(l.out, l.resultType);
    data += fmt::format("{} \"{}\" {} {}\n", i, l.layer, box(l.weights, l.weightType, l.hasWeights),
                        box(l.out, l.resultType, true));
  }
  return fmt::format(
      "# Box plots of log2 |value| per layer (nngen profile); whiskers: min and max, box: "
      "quartiles,\n# line: median; the shaded band is the range of the layer's type (its LSB to "
      "its largest magnitude).\n"
      "set terminal pngcairo noenhanced size 1280,640 font \",10\"\n"
      "set output 'profile.png'\n"
      "set datafile missing 'NaN'\n"
      "set title \"nngen profile of {} on {} input(s): log2 |value| per layer, type range "
      "shaded\"\n"
      "set ylabel 'log2 |value|'\n"
      "set xtics rotate by -30 nomirror\n"
      "set grid ytics\n"
      "set key outside right top\n"
      "set xrange [-0.6:{}]\n"
      "set yrange [{}:{}]\n"
      "set style fill transparent solid 0.18 noborder\n"
      "plot 'profile.dat' using ($1-0.2):(($8+$9)/2):($1-0.38):($1-0.02):8:9 with boxxyerror "
      "lc rgb '#1f77b4' title 'weight type', \\\n"
      "     '' using ($1+0.2):(($15+$16)/2):($1+0.02):($1+0.38):15:16 with boxxyerror lc rgb "
      "'#d62728' title 'result type', \\\n"
      "     '' using ($1-0.2):4:3:7:6:xtic(2) with candlesticks whiskerbars 0.5 fs empty lw 1.5 "
      "lc rgb '#1f77b4' title 'weights', \\\n"
      "     '' using ($1-0.2):5:5:5:5 with candlesticks lw 2 lc rgb '#1f77b4' notitle, \\\n"
      "     '' using ($1+0.2):11:10:14:13 with candlesticks whiskerbars 0.5 fs empty lw 1.5 "
      "lc rgb '#d62728' title 'outputs (before the result type)', \\\n"
      "     '' using ($1+0.2):12:12:12:12 with candlesticks lw 2 lc rgb '#d62728' notitle\n",
      name, images, double(layers.size()) - 0.4, std::floor(ylo) - 1, std::ceil(yhi));
}

/// The narrowest type like t (fraction bits, signedness, modes kept) holding s times margin.
std::optional<FixedType> narrowest(const ValueStats& s, const FixedType& t, double margin) {
  const std::optional<int> i = neededIntBits(s, t, margin);
  if (!i) return std::nullopt;
  FixedType n = t;
  n.intBits = *i;
  n.width = *i + t.fracBits();
  return n;
}

/// The spec with the narrowest types, paths rewritten relative to `dir` (its final place).
std::string suggestedSpec(const Graph& g, const std::vector<LayerProfile>& layers,
                          const ProfileOptions& opt, size_t images, const fs::path& dir,
                          std::vector<std::string>& notes) {
  YAML::Node root = YAML::LoadFile(g.specPath);
  const fs::path specDir = fs::absolute(fs::path(g.specPath)).parent_path();
  auto relocate = [&](YAML::Node n) {
    const fs::path p(n.as<std::string>());
    if (!p.is_absolute()) n = fs::relative(specDir / p, dir).generic_string();
  };
  for (YAML::Node layer : root["layers"])
    for (const char* key : {"kernel", "bias", "gamma", "beta", "moving_mean", "moving_variance"})
      if (layer[key]) relocate(layer[key]);
  if (root["test_data"])
    for (const char* key : {"images", "labels"})
      if (root["test_data"][key]) relocate(root["test_data"][key]);
  auto set = [&](const std::string& specLayer, const char* key, const FixedType& t) {
    for (YAML::Node layer : root["layers"]) {
      if (layer["name"].as<std::string>() != specLayer) continue;
      YAML::Node p = layer["precision"];
      if (p && p.IsScalar()) {  // one type for weight, bias and result: spell them out
        const std::string one = p.as<std::string>();
        layer["precision"] = YAML::Node(YAML::NodeType::Map);
        if (layer["type"].as<std::string>() == kindName(LayerKind::Softmax))
          layer["precision"]["result"] = one;  // its other keys are its tables' types
        else
          for (const char* k : {"weight", "bias", "result"}) layer["precision"][k] = one;
      }
      layer["precision"][key] = t.str();
      return true;
    }
    return false;
  };
  for (const LayerProfile& l : layers) {
    struct Choice {
      const char* key;
      const ValueStats& stats;
      const FixedType& type;
    };
    std::vector<Choice> choices;
    if (l.hasWeights) choices.push_back({"weight", l.weights, l.weightType});
    if (l.bias.count) choices.push_back({"bias", l.bias, l.biasType});
    if (l.accumType) choices.push_back({"accum", l.acc, *l.accumType});
    choices.push_back({"result", l.out, l.resultType});
    for (const Choice& c : choices) {
      // the constants are known exactly: the margin is for the values the data produce
      const bool constant = std::string(c.key) == "weight" || std::string(c.key) == "bias";
      const std::optional<FixedType> t = narrowest(c.stats, c.type, constant ? 1.0 : opt.margin);
      if (!t) continue;
      // A folded BatchNorm's result type becomes the folded layer's: set both alike. Its
      // weight/bias/accum types are not used (docs/spec.md).
      bool placed = false;
      for (const std::string& s : l.specLayers)
        if (s == l.layer || std::string(c.key) == "result") placed = set(s, c.key, *t) || placed;
      if (!placed)
        notes.push_back(
            fmt::format("layer '{}' is not in the spec (made by `activation:`); its "
                        "{} type follows the layer before it",
                        l.layer, c.key));
      else if (!(*t == c.type))
        notes.push_back(
            fmt::format("layer '{}': {} {} -> {}", l.layer, c.key, c.type.str(), t->str()));
    }
  }
  YAML::Emitter e;
  e << root;
  std::string head = fmt::format(
      "# Suggested by nngen profile from {} on {} input(s): every type narrowed to the fewest\n"
      "# integer bits that hold the observed range (times {:g} for accumulators and results;\n"
      "# weights and biases exactly), fraction bits and modes kept.\n",
      fs::path(g.specPath).filename().string(), images, opt.margin);
  return head + e.c_str() + "\n";
}

void writeText(const fs::path& p, const std::string& text) {
  std::ofstream o(p, std::ios::binary);
  o << text;
  if (!o) throw Error(fmt::format("cannot write '{}'", p.string()));
}

}  // namespace

ProfileSummary profileNetwork(const ProfileOptions& opt, const Progress& progress) {
  if (!(opt.margin >= 1.0) || !std::isfinite(opt.margin))
    throw Error(fmt::format("--margin must be a finite factor >= 1, got {}", opt.margin));
  OutputFolder out(opt.outDir);  // refuses a folder nngen may not replace, before any work
  const Graph g = runPasses(loadSpec(opt.spec));
  std::string images = opt.input;
  if (images.empty()) {
    if (!g.testData)
      throw Error(
          SourceLoc{opt.spec, 0}, "",
          fmt::format("nothing to profile: no --input given and the spec has no "
                      "test_data{}",
                      opt.suggest ? " (--suggest needs the values the network takes)" : ""));
    images = g.testData->images;
  }
  if (!haveProgram("gnuplot"))
    throw Error("gnuplot is not installed (Debian package gnuplot-nox): it draws profile.png");
  progress(fmt::format("reading {}", images));
  const InputBatch batch = loadInputs(g, images, "", opt.maxImages);

  ProfileSummary sum;
  sum.warnings = g.warnings;
  sum.images = batch.images.size();
  std::vector<size_t> index;  // layer -> row in sum.layers (layers with arithmetic only)
  for (const Layer& l : g.layers) {
    index.push_back(sum.layers.size());
    if (kindInfo(l.kind).taps == TapPattern::None) continue;
    LayerProfile p;
    p.layer = l.name;
    p.kind = l.kind;
    p.specLayers.push_back(l.name);
    for (const std::string& f : l.foldedLayers) p.specLayers.push_back(f);
    p.hasWeights = kindInfo(l.kind).hasWeights;
    p.weightType = l.weightType;
    p.biasType = l.biasType;
    p.resultType = l.resultType;
    p.accumType = l.accumType;
    if (p.hasWeights) {
      for (double w : l.kernel.data) p.weights.add(w);
      for (double b : l.bias.data) p.bias.add(b);
      p.weightOverflow = outside(l.kernel.data, l.weightType);
      p.biasOverflow = outside(l.bias.data, l.biasType);
    }
    sum.layers.push_back(std::move(p));
  }
  std::vector<ValueProbe> probe;
  std::vector<double> accs, pres;
  for (size_t i = 0; i < batch.images.size(); ++i) {
    IntTensor t = batch.images[i];
    for (size_t k = 0; k < g.layers.size(); ++k) {
      const Layer& l = g.layers[k];
      t = runLayer(l, t, &probe);
      if (kindInfo(l.kind).taps == TapPattern::None) continue;
      LayerProfile& p = sum.layers[index[k]];
      accs.clear();
      pres.clear();
      for (const ValueProbe& v : probe) {
        if (kindInfo(l.kind).dotProduct) {
          p.acc.add(v.acc);
          accs.push_back(v.acc);
        }
        p.out.add(v.pre);
        pres.push_back(v.pre);
      }
      if (l.accumType) p.accOverflow += outside(accs, *l.accumType);
      p.outOverflow += outside(pres, l.resultType);
    }
    if ((i + 1) % 500 == 0) progress(fmt::format("{}/{} inputs", i + 1, batch.images.size()));
  }

  std::vector<Row> rows;
  for (const LayerProfile& p : sum.layers) {
    if (p.hasWeights) {
      rows.push_back({p.layer, "weights", &p.weightType, &p.weights, p.weightOverflow});
      if (p.bias.count) rows.push_back({p.layer, "biases", &p.biasType, &p.bias, p.biasOverflow});
    }
    if (p.accumType) rows.push_back({p.layer, "accum", &*p.accumType, &p.acc, p.accOverflow});
    rows.push_back({p.layer, "outputs", &p.resultType, &p.out, p.outOverflow});
  }
  sum.table = table(rows, sum.images);
  for (const Row& r : rows) findings(r, sum.findings);

  const fs::path tmp = out.begin(progress);
  std::string report = sum.table + "\n";
  for (const std::string& f : sum.findings) report += "warning: " + f + "\n";
  writeText(tmp / "profile.txt", report);
  sum.files.push_back("profile.txt");

  nlohmann::ordered_json j = nlohmann::ordered_json::array();
  auto stats = [](const ValueStats& s) {
    nlohmann::ordered_json o = {{"count", s.count}, {"zeros", s.zeros}};
    if (s.count) {
      o["min"] = s.min;
      o["max"] = s.max;
    }
    if (s.count > s.zeros)
      o["log2_abs_quartiles"] = {s.log2Quantile(0), s.log2Quantile(0.25), s.log2Quantile(0.5),
                                 s.log2Quantile(0.75), s.log2Quantile(1.0)};
    return o;
  };
  for (const LayerProfile& p : sum.layers) {
    nlohmann::ordered_json o = {{"layer", p.layer}, {"kind", kindName(p.kind)}};
    if (p.hasWeights) {
      o["weight_type"] = p.weightType.str();
      o["weights"] = stats(p.weights);
      o["weight_overflow"] = p.weightOverflow;
      o["bias_type"] = p.biasType.str();
      o["biases"] = stats(p.bias);
      o["bias_overflow"] = p.biasOverflow;
    }
    if (kindInfo(p.kind).dotProduct) o["accumulators"] = stats(p.acc);
    if (p.accumType) {
      o["accum_type"] = p.accumType->str();
      o["accum_overflow"] = p.accOverflow;
    }
    o["result_type"] = p.resultType.str();
    o["outputs"] = stats(p.out);
    o["output_overflow"] = p.outOverflow;
    j.push_back(o);
  }
  writeText(
      tmp / "profile.json",
      nlohmann::ordered_json{{"spec", opt.spec}, {"inputs", sum.images}, {"layers", j}}.dump(2) +
          "\n");
  sum.files.push_back("profile.json");

  std::string data;
  writeText(tmp / "profile.gp", plotFiles(sum.layers, g.name, sum.images, data));
  writeText(tmp / "profile.dat", data);
  progress("drawing profile.png with gnuplot");
  std::string log;
  if (runProcess(
          {"gnuplot", "profile.gp"}, [&](const std::string& line) { log += line + "\n"; },
          tmp.string()) != 0 ||
      !fs::exists(tmp / "profile.png"))
    throw Error(fmt::format("gnuplot failed to draw profile.png:\n{}", log));
  sum.files.insert(sum.files.end(), {"profile.gp", "profile.dat", "profile.png"});

  if (opt.suggest) {
    std::vector<std::string> notes;
    writeText(tmp / "suggested.yaml",
              suggestedSpec(g, sum.layers, opt, sum.images, out.path(), notes));
    sum.files.push_back("suggested.yaml");
    for (const std::string& n : notes) progress("suggest: " + n);
  }
  out.checkInterrupted();
  out.commit(sum.files);
  return sum;
}

}  // namespace nngen
