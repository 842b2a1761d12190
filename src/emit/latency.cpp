//! @file latency.cpp
//! @brief The exact streaming latency of a generated design, from a cycle-accurate model of its
//!        control logic (rtl_primitives/nn_skid_buffer.v, nn_sliding_window.v,
//!        nn_pipeline_ctrl.v and the input registers design.cpp emits), the way sim/nn_sim.cpp
//!        measures it.
#include <algorithm>
#include <stdexcept>

#include "emit/design.h"

namespace nngen {

namespace {

/// Registers of one generated module and of the skid buffer in front of it.
struct ModuleState {
  bool skidValid = false;  // nn_skid_buffer.skid_valid
  int row = 0, col = 0;    // nn_sliding_window position in the padded grid
  int rowPhase = 0, colPhase = 0;
  bool windowValid = false;  // nn_sliding_window.window_valid
  bool inValid = false;      // element-wise / argmax input register's valid
  std::vector<bool> pipe;    // nn_pipeline_ctrl.valid_pipe, [0] first stage
};

}  // namespace

std::pair<int, int> streamLatency(const Design& d, int images) {
  const size_t m = d.modules.size();
  std::vector<ModuleState> st(m);
  for (size_t i = 0; i < m; ++i) st[i].pipe.assign(std::max(1, d.modules[i].pipelineStages), false);
  const long totalIn = long(images) * d.inBeatsPerImage,
             totalOut = long(images) * d.outBeatsPerImage;
  long beatsIn = 0, beatsOut = 0;
  std::vector<long> firstIn, lastIn, lastOut;
  std::vector<bool> mValid(m), ce(m), sReady(m), skidOutValid(m);
  long idle = 0;
  for (long cycle = 0; beatsOut < totalOut || beatsIn < totalIn; ++cycle) {
    // Combinational values of this cycle, from the registers (no combinational loops: every
    // ready depends only on registers).
    const bool tvalid = beatsIn < totalIn;
    for (size_t i = 0; i < m; ++i) mValid[i] = st[i].pipe.back();
    for (size_t i = 0; i < m; ++i) {
      const bool mReady = i + 1 == m ? true : !st[i + 1].skidValid;  // m_axis_tready = 1
      ce[i] = !mValid[i] || mReady;
      skidOutValid[i] = (i == 0 ? tvalid : mValid[i - 1]) || st[i].skidValid;
    }
    std::vector<bool> step(m, false), inImage(m, false), outHere(m, false);
    for (size_t i = 0; i < m; ++i) {
      const auto& w = d.modules[i].window;
      if (w) {
        const ModuleState& s = st[i];
        inImage[i] = s.row >= w->pad.top && s.row < w->pad.top + w->imgH && s.col >= w->pad.left &&
                     s.col < w->pad.left + w->imgW;
        sReady[i] = ce[i] && inImage[i];
        step[i] = ce[i] && (!inImage[i] || skidOutValid[i]);
        outHere[i] = s.row >= w->kernelH - 1 && s.rowPhase == 0 && s.col >= w->kernelW - 1 &&
                     s.colPhase == 0;
      } else {
        sReady[i] = ce[i];
      }
    }
    const bool inFire = tvalid && !st[0].skidValid;
    const bool outFire = mValid[m - 1];
    if (inFire) {
      if (beatsIn % d.inBeatsPerImage == 0) firstIn.push_back(cycle);
      ++beatsIn;
      if (beatsIn % d.inBeatsPerImage == 0) lastIn.push_back(cycle);
    }
    if (outFire && ++beatsOut % d.outBeatsPerImage == 0) lastOut.push_back(cycle);
    idle = (inFire || outFire) ? 0 : idle + 1;
    if (idle > 1'000'000) throw std::logic_error("latency model: the stream stopped moving");

    // Clock edge.
    for (size_t i = 0; i < m; ++i) {
      ModuleState& s = st[i];
      const bool skidIn = i == 0 ? tvalid : mValid[i - 1];
      // nn_skid_buffer
      if (s.skidValid) {
        if (sReady[i]) s.skidValid = false;
      } else if (skidIn && !sReady[i]) {
        s.skidValid = true;
      }
      if (!ce[i]) continue;
      // valid_pipe <= {valid_pipe, window_valid or in_valid} (the values before the edge)
      const bool first = d.modules[i].window ? s.windowValid : s.inValid;
      for (size_t k = s.pipe.size() - 1; k > 0; --k) s.pipe[k] = s.pipe[k - 1];
      s.pipe[0] = first;
      const auto& w = d.modules[i].window;
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
  int total = 0, after = lastOut.empty() ? 0 : static_cast<int>(lastOut[0] - lastIn[0]);
  for (size_t k = 0; k < lastOut.size(); ++k) {
    total = std::max(total, static_cast<int>(lastOut[k] - firstIn[k]));
    after = std::max(after, static_cast<int>(lastOut[k] - lastIn[k]));
  }
  return {total, after};
}

}  // namespace nngen
