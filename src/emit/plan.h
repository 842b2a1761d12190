//! @file plan.h
//! @brief Folding: how much parallel arithmetic each Conv2D/Dense gets (its reuse factor, PE x
//!        SIMD, LUT or DSP multipliers) and the FIFOs that absorb the bursts of folded layers;
//!        chosen by hand (`reuse_factor:` in the spec) or by the planner against a target II,
//!        a latency bound or a part's resources.
//!
//! Terms (FINN's, Blott et al., "FINN-R", ACM TRETS 2018; hls4ml's reuse factor): a layer
//! computes N output channels, each a dot product of V vectors of K inputs (Conv2D: one window
//! of kh*kw*cin values, V = 1; Dense: one input pixel of cin values per cycle group, V = in.h *
//! in.w, so it accumulates while its flattened input arrives). Folded, it computes PE output
//! channels times SIMD inputs per cycle: NF = ceil(N / PE) neuron folds, SF = ceil(K / SIMD)
//! synapse folds, R = V * NF * SF cycles per output pixel, every multiplier used R times.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "ir/dsp_packing.h"
#include "ir/graph.h"

namespace nngen {

/// How one Conv2D/Dense layer is built.
struct LayerFold {
  int reuse = 1;         ///< R, cycles per output pixel; 1 = unfolded constant (CSD) multipliers
  int vectors = 1;       ///< V, input vectors (windows or pixels) per output pixel
  int vectorLen = 1;     ///< K, values per vector
  int outputs = 1;       ///< N, output channels
  int nf = 1, sf = 1;    ///< neuron and synapse folds (cycles per vector = nf*sf)
  int pe = 1, simd = 1;  ///< output channels and inputs per cycle
  Multipliers style = Multipliers::Lut;   ///< Lut or Dsp (folded layers only)
  int lanes = 1;                          ///< products per DSP (Dsp): 1, 2 or 4
  DspFamily family = DspFamily::Series7;  ///< the DSP slice the packing is built for
  /// Dsp with one product per DSP: the longest DSP cascade (rtl_primitives/nn_mac_chain.v) that
  /// sums a lane's SIMD products inside the DSPs; the SIMD slots are split into ceil(SIMD /
  /// chain) cascades of near-equal length whose sums an adder tree adds. 0: the products leave
  /// the DSPs (nn_mul_packed) and the fabric adds them.
  int chain = 0;
  bool folded() const { return reuse > 1; }
  int stepsPerVector() const { return nf * sf; }
  /// Multiplier instances: PE*SIMD products (Lut), SIMD*PE/lanes DSPs (Dsp).
  int multipliers() const { return style == Multipliers::Dsp ? simd * pe / lanes : pe * simd; }
};

/// Operand widths of a layer's products: the input type and the widest weight.
struct ProductWidths {
  int xBits = 1;
  bool xSigned = true;
  int wBits = 1;  ///< signed bits of the widest coefficient (Layer::Arith::coeff)
};

/// The operand widths of l's products (after lower_arithmetic).
ProductWidths productWidths(const Layer& l);

/// Products per DSP cascade (LayerFold::chain) of a folded layer: at most this many, so that a
/// cascade adds at most kMaxDspChain - 1 cycles to the latency of a tree.
inline constexpr int kMaxDspChain = 12;

/// How `simd` products are split into DSP cascades of at most `maxLen` slices: the fewest
/// cascades, of near-equal lengths, the longer ones first. @returns the lengths
std::vector<int> cascadeLengths(int simd, int maxLen);

/// Bits of the sum of n products of productBits bits each (the width of a cascade's sum).
int cascadeSumBits(int productBits, int n);

/// The fold of l at reuse factor `reuse` with multipliers `style` (Lut or Dsp): V and K from
/// the layer's geometry (a Dense whose input has several pixels accumulates pixel by pixel when
/// reuse >= pixels), then the NF x SF split of at most reuse / V cycles per vector that needs
/// the fewest multipliers (PE a multiple of the DSP lanes). The resulting R (LayerFold::reuse)
/// can be below `reuse` when no split uses every cycle. One product per DSP uses DSP cascades
/// (LayerFold::chain) when the layer adds its products unrounded and a cascade's sum fits the
/// DSP's 48-bit P; maxChain caps their length (0: no cascades, the fabric adds the products).
/// @throws Error naming the layer when reuse < 1 or exceeds the layer's products per output
///         pixel, or when style is Dsp and one product does not fit a DSP of `family`
LayerFold foldLayer(const Layer& l, int reuse, Multipliers style, DspFamily family,
                    int maxChain = kMaxDspChain);

/// What `nngen build` folds toward (command line).
struct FoldTarget {
  std::optional<int> targetII;         ///< cycles per image (default: the input's H*W beats)
  std::optional<int> maxLatency;       ///< cycles, first input beat to last output beat
  std::optional<std::string> fitPart;  ///< xc7z020 / xcvu9p: fit its resources, lowest latency
  /// DSP budget: the planner minimizes LUTs using at most this many DSP slices
  std::optional<int> maxDsp;
};

/// The whole plan: the fold of every Conv2D/Dense and the input buffer of every module.
struct FoldPlan {
  std::map<std::string, LayerFold> layers;  ///< by layer name
  std::map<std::string, int> fifoDepth;     ///< by module name: FIFO depth (0: skid buffer)
  DspFamily family = DspFamily::Series7;    ///< DSP packing is built for this family
  std::vector<std::string> notes;           ///< what the planner decided and why (report)
};

/// The planner: keeps the reuse factors the spec gives and chooses the others so that the
/// design's II stays within the target (default: the input's H*W beats per image) and its
/// latency within the bound (default: the unfolded design's latency + 10 %), at the lowest
/// cost: LUTs + DSPs weighted by the VU9P's LUT/DSP ratio; with a part to fit, first the
/// fraction of the part's most used resource; with a DSP budget (maxDsp), LUTs alone while the
/// DSPs stay within the budget. Costs are the resource estimate (estimate.h) for the part's
/// family (the VU9P's without a part). With a part to fit, the latency bound and then the II are
/// relaxed until the estimate fits. The II and latency of every candidate come from the exact
/// control model (streamTiming); the FIFO in front of each folded module is the smallest that keeps
/// them.
/// @throws Error for a spec reuse factor the layer cannot use, an unknown part, or a model
///         that does not fit the part at any reuse factor
FoldPlan planFolding(const Graph& g, const FoldTarget& target, const std::string& producer);

}  // namespace nngen
