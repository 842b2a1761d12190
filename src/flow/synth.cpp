//! @file synth.cpp
//! @brief `nngen synth`: Yosys synth_xilinx and the LUT / FF / DSP / BRAM count per part.
#include <fmt/format.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <regex>

#include "emit/scripts.h"
#include "flow/flow.h"
#include "flow/process.h"

namespace nngen {

namespace fs = std::filesystem;

namespace {

/// LUTs used by a LUT-RAM or shift-register cell (Xilinx UG574 / UG474 slice descriptions).
double lutMemoryCost(const std::string& cell) {
  static const std::map<std::string, double> cost = {
      {"RAM32X1S", 1},  {"RAM64X1S", 1}, {"RAM128X1S", 2}, {"RAM256X1S", 4},
      {"RAM32X1D", 2},  {"RAM64X1D", 2}, {"RAM128X1D", 4}, {"RAM256X1D", 8},
      {"RAM32M", 4},    {"RAM64M", 4},   {"RAM32M16", 8},  {"RAM64M8", 8},
      {"RAM512X1S", 8}, {"SRL16E", 1},   {"SRLC16E", 1},   {"SRLC32E", 1}};
  auto it = cost.find(cell);
  return it == cost.end() ? 0 : it->second;
}

void countCells(const nlohmann::json& cells, PartReport& r) {
  for (auto it = cells.begin(); it != cells.end(); ++it) {
    const std::string c = it.key();
    const double n = it.value().get<double>();
    if (c.rfind("LUT", 0) == 0)
      r.lutLogic += n;
    else if (lutMemoryCost(c) > 0)
      r.lutMemory += n * lutMemoryCost(c);
    else if (c.rfind("FD", 0) == 0 || c.rfind("LD", 0) == 0)
      r.ffs += n;
    else if (c.rfind("DSP48", 0) == 0)
      r.dsps += n;
    else if (c.rfind("RAMB36", 0) == 0)
      r.bram36 += n;
    else if (c.rfind("RAMB18", 0) == 0)
      r.bram36 += 0.5 * n;
  }
  r.luts = r.lutLogic + r.lutMemory;
}

/// Runs Yosys for one part in `dir` and reads back its `stat -json`.
PartReport synthesizePart(const fs::path& dir, const PartInfo& p, const Progress& progress) {
  const std::string script = fmt::format("yosys_{}.ys", p.shortName);
  const fs::path stat = dir / fmt::format("{}_stat.json", p.shortName);
  fs::remove(stat);
  progress(fmt::format("[yosys {}] synth_xilinx -family {} (log: synth/yosys_{}.log)", p.shortName,
                       p.family, p.shortName));
  const auto t0 = std::chrono::steady_clock::now();
  std::vector<std::string> tail;
  const int status = runProcess(
      {"yosys", "-l", fmt::format("yosys_{}.log", p.shortName), "-s", script},
      [&](const std::string& line) {
        tail.push_back(line);
        if (tail.size() > 20) tail.erase(tail.begin());
        // Top-level steps of synth_xilinx look like "2.17. Executing ABC pass ..."
        static const std::regex step(R"(^\d+\.\d+\. Executing (.*)$)");
        std::smatch m;
        if (std::regex_match(line, m, step))
          progress(fmt::format(
              "[yosys {}] {:6.1f} s  {}", p.shortName,
              std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(),
              std::string(m[1])));
      },
      dir.string());
  PartReport r;
  r.part = p.name;
  r.family = p.family;
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (status != 0 || !fs::exists(stat)) {
    std::string t;
    for (auto& l : tail) t += "\n  " + l;
    throw Error(fmt::format("Yosys failed for {} (exit {}):{}", p.name, status, t));
  }
  std::ifstream in(stat);
  const nlohmann::json j = nlohmann::json::parse(in);
  // `stat -json` lists every module; after -flatten the top is the only one with cells.
  for (auto it = j["modules"].begin(); it != j["modules"].end(); ++it)
    if (it.value().contains("num_cells_by_type")) countCells(it.value()["num_cells_by_type"], r);
  r.lutAvail = p.luts;
  r.ffAvail = p.ffs;
  r.dspAvail = p.dsps;
  r.bram36Avail = p.bram36;
  return r;
}

}  // namespace

std::vector<PartReport> synthesize(const std::string& rtlDir, const std::string& parts, int jobs,
                                   const Progress& progress) {
  const fs::path dir = fs::absolute(rtlDir) / "synth";
  if (!fs::exists(dir))
    throw Error(
        fmt::format("'{}' has no synth/ folder: is it a folder written by `nngen build`?", rtlDir));
  if (!haveProgram("yosys"))
    throw Error("yosys is not installed (tools/install_deps.sh installs it)");
  std::vector<PartInfo> selected;
  for (const PartInfo& p : knownParts())
    if (parts == "all" || parts == p.shortName || parts == p.name) selected.push_back(p);
  if (selected.empty())
    throw Error(fmt::format("unknown part '{}' (xcvu9p, xc7z020 or all)", parts));

  // Yosys is single-threaded: up to `jobs` parts run at once. Progress lines of concurrent runs
  // are serialized.
  std::mutex printing;
  const Progress locked = [&](const std::string& line) {
    std::lock_guard<std::mutex> lock(printing);
    progress(line);
  };
  std::vector<PartReport> reports(selected.size());
  std::vector<std::future<void>> running;
  for (size_t i = 0; i < selected.size(); ++i) {
    if (static_cast<int>(running.size()) >= std::max(1, jobs)) {
      running.front().get();  // rethrows a failure
      running.erase(running.begin());
    }
    running.push_back(std::async(
        std::launch::async, [&, i] { reports[i] = synthesizePart(dir, selected[i], locked); }));
  }
  for (auto& f : running) f.get();
  // The build's estimate beside Yosys's counts.
  if (std::ifstream est(fs::absolute(rtlDir) / "estimate.json"); est) {
    const nlohmann::json j = nlohmann::json::parse(est, nullptr, false);
    if (!j.is_discarded() && j.contains("parts"))
      for (PartReport& r : reports)
        for (const auto& p : j["parts"])
          if (p.value("family", "") == r.family) {
            const auto& t = p["total"];
            r.estimate = std::array<double, 4>{t.value("lut", 0.0), t.value("ff", 0.0),
                                               t.value("dsp", 0.0), t.value("bram36", 0.0)};
          }
  }
  return reports;
}

std::string formatSynthTable(const std::vector<PartReport>& rs) {
  std::string s = "Resources from Yosys synth_xilinx (Yosys's mapping, not Vivado's):\n";
  s += fmt::format("{:<22} {:>20} {:>20} {:>14} {:>14} {:>8}\n", "part", "LUT", "FF", "DSP",
                   "BRAM36", "yosys s");
  auto cell = [](double used, double avail) {
    return fmt::format("{:.0f} ({:.2f}%)", used, 100.0 * used / avail);
  };
  for (const auto& r : rs)
    s += fmt::format("{:<22} {:>20} {:>20} {:>14} {:>14} {:>8.1f}\n", r.part,
                     cell(r.luts, r.lutAvail), cell(r.ffs, r.ffAvail), cell(r.dsps, r.dspAvail),
                     fmt::format("{:g} ({:.2f}%)", r.bram36, 100.0 * r.bram36 / r.bram36Avail),
                     r.seconds);
  bool anyEstimate = false;
  for (const auto& r : rs) anyEstimate |= r.estimate.has_value();
  if (anyEstimate) {
    s += "nngen's estimate (estimate.json) beside Yosys, estimate / Yosys:\n";
    s += fmt::format("{:<22} {:>22} {:>22} {:>12} {:>12}\n", "part", "LUT", "FF", "DSP", "BRAM36");
    auto cmp = [](double e, double y) {
      return y > 0 ? fmt::format("{:.0f} / {:.0f} ({:+.1f}%)", e, y, 100.0 * (e - y) / y)
                   : fmt::format("{:.0f} / {:.0f}", e, y);
    };
    for (const auto& r : rs)
      if (r.estimate)
        s += fmt::format("{:<22} {:>22} {:>22} {:>12} {:>12}\n", r.part,
                         cmp((*r.estimate)[0], r.luts), cmp((*r.estimate)[1], r.ffs),
                         fmt::format("{:g} / {:g}", (*r.estimate)[2], r.dsps),
                         fmt::format("{:g} / {:g}", (*r.estimate)[3], r.bram36));
  }
  for (const auto& r : rs)
    if (r.lutMemory > 0)
      s += fmt::format("  {}: {:.0f} of the LUTs are LUT-RAM/SRL\n", r.part, r.lutMemory);
  for (const auto& r : rs)
    if (r.luts > r.lutAvail || r.ffs > r.ffAvail || r.dsps > r.dspAvail || r.bram36 > r.bram36Avail)
      s += fmt::format("  {}: the design does not fit this part\n", r.part);
  return s;
}

std::string synthJson(const std::vector<PartReport>& rs) {
  nlohmann::ordered_json j = nlohmann::ordered_json::array();
  for (const auto& r : rs)
    j.push_back({{"part", r.part},
                 {"tool", "yosys synth_xilinx -family " + r.family},
                 {"lut", r.luts},
                 {"lut_logic", r.lutLogic},
                 {"lut_memory", r.lutMemory},
                 {"ff", r.ffs},
                 {"dsp", r.dsps},
                 {"bram36", r.bram36},
                 {"lut_pct", 100.0 * r.luts / r.lutAvail},
                 {"ff_pct", 100.0 * r.ffs / r.ffAvail},
                 {"dsp_pct", 100.0 * r.dsps / r.dspAvail},
                 {"bram36_pct", 100.0 * r.bram36 / r.bram36Avail},
                 {"yosys_seconds", r.seconds},
                 {"estimate", r.estimate ? nlohmann::ordered_json{{"lut", (*r.estimate)[0]},
                                                                  {"ff", (*r.estimate)[1]},
                                                                  {"dsp", (*r.estimate)[2]},
                                                                  {"bram36", (*r.estimate)[3]}}
                                         : nlohmann::ordered_json()}});
  return j.dump(2);
}

}  // namespace nngen
