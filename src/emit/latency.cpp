//! @file latency.cpp
//! @brief The exact streaming latency of a generated design, from a cycle-accurate model of its
//!        control logic (rtl_primitives/nn_skid_buffer.v, nn_sliding_window.v,
//!        nn_pipeline_ctrl.v, nn_fifo.v, the input registers design.cpp emits and the fold
//!        counters of folded.cpp), the way sim/nn_sim.cpp measures it.
#include <algorithm>
#include <stdexcept>

#include "emit/design.h"

namespace nngen {

namespace {

/// Registers of one generated module and of the skid buffer (or FIFO) in front of it.
struct ModuleState {
  bool skidValid = false;  // nn_skid_buffer.skid_valid
  int fifoCount = 0;       // nn_fifo.count
  int foldStep = 0;        // folded.cpp: fold step within the window (sf, nf)
  int foldVector = 0;      // folded.cpp: v
  int row = 0, col = 0;    // nn_sliding_window position in the padded grid
  int rowPhase = 0, colPhase = 0;
  bool windowValid = false;  // nn_sliding_window.window_valid
  bool inValid = false;      // element-wise / argmax input register's valid
  std::vector<bool> pipe;    // nn_pipeline_ctrl.valid_pipe, [0] first stage
};

}  // namespace

StreamTiming streamTiming(const Design& d, int images, int imageInterval) {
  const size_t m = d.modules.size();
  std::vector<ModuleState> st(m);
  for (size_t i = 0; i < m; ++i) st[i].pipe.assign(std::max(1, d.modules[i].pipelineStages), false);
  const long totalIn = long(images) * d.inBeatsPerImage,
             totalOut = long(images) * d.outBeatsPerImage;
  long beatsIn = 0, beatsOut = 0;
  std::vector<long> firstIn, lastIn, lastOut;
  std::vector<bool> mValid(m), ce(m), sReady(m), skidOutValid(m), bufReady(m), winCe(m), lastVec(m),
      lastStep(m);
  long idle = 0;
  for (long cycle = 0; beatsOut < totalOut || beatsIn < totalIn; ++cycle) {
    // Combinational values of this cycle, from the registers (no combinational loops: every
    // ready depends only on registers).
    const bool tvalid =
        beatsIn < totalIn &&
        (imageInterval <= 0 || cycle >= (beatsIn / d.inBeatsPerImage) * long{imageInterval});
    for (size_t i = 0; i < m; ++i) {
      mValid[i] = st[i].pipe.back();
      const ModuleInfo& mi = d.modules[i];
      bufReady[i] = mi.fifoDepth > 0 ? st[i].fifoCount < mi.fifoDepth : !st[i].skidValid;
      lastVec[i] = st[i].foldStep == mi.foldSteps - 1;
      lastStep[i] = lastVec[i] && st[i].foldVector == mi.foldVectors - 1;
    }
    for (size_t i = 0; i < m; ++i) {
      const bool mReady = i + 1 == m ? true : bufReady[i + 1];  // m_axis_tready = 1
      ce[i] = !mValid[i] || mReady;
      winCe[i] = ce[i] && (!st[i].windowValid || lastVec[i]);  // folded: hold the window
      skidOutValid[i] = d.modules[i].fifoDepth > 0
                            ? st[i].fifoCount > 0
                            : (i == 0 ? tvalid : mValid[i - 1]) || st[i].skidValid;
    }
    std::vector<bool> step(m, false), inImage(m, false), outHere(m, false);
    for (size_t i = 0; i < m; ++i) {
      const auto& w = d.modules[i].window;
      if (w) {
        const ModuleState& s = st[i];
        inImage[i] = s.row >= w->pad.top && s.row < w->pad.top + w->imgH && s.col >= w->pad.left &&
                     s.col < w->pad.left + w->imgW;
        sReady[i] = winCe[i] && inImage[i];
        step[i] = winCe[i] && (!inImage[i] || skidOutValid[i]);
        outHere[i] = s.row >= w->kernelH - 1 && s.rowPhase == 0 && s.col >= w->kernelW - 1 &&
                     s.colPhase == 0;
      } else {
        sReady[i] = ce[i];
      }
    }
    const bool inFire = tvalid && bufReady[0];
    const bool outFire = mValid[m - 1];
    if (inFire) {
      if (beatsIn % d.inBeatsPerImage == 0) firstIn.push_back(cycle);
      ++beatsIn;
      if (beatsIn % d.inBeatsPerImage == 0) lastIn.push_back(cycle);
    }
    if (outFire && ++beatsOut % d.outBeatsPerImage == 0) lastOut.push_back(cycle);
    idle = (inFire || outFire || (beatsIn < totalIn && !tvalid)) ? 0 : idle + 1;
    if (idle > 1'000'000) throw std::logic_error("latency model: the stream stopped moving");

    // Clock edge.
    for (size_t i = 0; i < m; ++i) {
      ModuleState& s = st[i];
      const bool skidIn = i == 0 ? tvalid : mValid[i - 1];
      const ModuleInfo& mi = d.modules[i];
      if (mi.fifoDepth > 0) {  // nn_fifo
        s.fifoCount += (skidIn && bufReady[i]) - (skidOutValid[i] && sReady[i]);
      } else if (s.skidValid) {  // nn_skid_buffer
        if (sReady[i]) s.skidValid = false;
      } else if (skidIn && !sReady[i]) {
        s.skidValid = true;
      }
      if (!ce[i]) continue;
      // valid_pipe <= {valid_pipe, in_valid} (the values before the edge); a folded module's
      // in_valid is its window's last fold step
      const bool first = !mi.window ? s.inValid
                         : mi.fold  ? s.windowValid && lastStep[i]
                                    : s.windowValid;
      for (size_t k = s.pipe.size() - 1; k > 0; --k) s.pipe[k] = s.pipe[k - 1];
      s.pipe[0] = first;
      if (mi.fold && s.windowValid) {  // fold counters
        s.foldStep = lastVec[i] ? 0 : s.foldStep + 1;
        if (lastVec[i]) s.foldVector = lastStep[i] ? 0 : s.foldVector + 1;
      }
      const auto& w = mi.window;
      if (!winCe[i]) continue;
      if (!w) {
        s.inValid = skidOutValid[i];
        continue;
      }
      // nn_sliding_window
      s.windowValid = step[i] && outHere[i];
      if (step[i]) {
        const int hp = w->imgH + w->pad.top + w->pad.bottom,
                  wp = w->imgW + w->pad.left + w->pad.right;
        const bool lastCol = s.col == wp - 1;
        const bool colGeFirst = s.col >= w->kernelW - 1, rowGeFirst = s.row >= w->kernelH - 1;
        if (colGeFirst) s.colPhase = s.colPhase == w->strideW - 1 ? 0 : s.colPhase + 1;
        s.col = lastCol ? 0 : s.col + 1;
        if (lastCol) {
          s.colPhase = 0;
          if (s.row == hp - 1) {
            s.row = 0;
            s.rowPhase = 0;
          } else {
            s.row = s.row + 1;
            if (rowGeFirst) s.rowPhase = s.rowPhase == w->strideH - 1 ? 0 : s.rowPhase + 1;
          }
        }
      }
    }
  }
  StreamTiming t;
  t.afterLastInput = lastOut.empty() ? 0 : static_cast<int>(lastOut[0] - lastIn[0]);
  for (size_t k = 0; k < lastOut.size(); ++k) {
    t.latency = std::max(t.latency, static_cast<int>(lastOut[k] - firstIn[k]));
    t.afterLastInput = std::max(t.afterLastInput, static_cast<int>(lastOut[k] - lastIn[k]));
    if (k > 0) t.ii = std::max(t.ii, static_cast<int>(lastOut[k] - lastOut[k - 1]));
  }
  return t;
}

}  // namespace nngen
