//! @file netlist.h
//! @brief A pipelined arithmetic netlist: adder graphs for constant multiplication (CSD with
//!        shared odd fundamentals), adder trees, max trees, ReLU and requantization, printed as
//!        Verilog with balanced pipeline registers.
//!
//! Every wire's exact integer range is tracked by interval arithmetic, so each adder is exactly
//! as wide as its values need and can never overflow (two's-complement sums are computed modulo
//! 2^width, which is exact when the true result fits). Every multiplication by a constant
//! becomes shifts and adds/subtracts of its canonical signed digits; the one `*` is mul(), a
//! product of two wires (Softmax's exponential times its reciprocal).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "ir/divide.h"
#include "ir/fixed.h"
#include "ir/graph.h"

namespace nngen {

/// One wire of the netlist.
struct NetNode {
  /// Not: the complement of a one-bit wire (XNOR with a constant 0); Sign: one bit, 1 when a >= 0
  /// (the `binary` type's encoding of +1, FixedType).
  /// Lookup: entry clamp((a - value) >> shA, 0, size - 1) of table `table` (LookupTable), a
  /// combinational ROM; Mul: a * b of two wires (a DSP slice or LUT multiplier).
  enum class Op { Input, Const, Add, Neg, Max, Relu, Requant, Sticky, Not, Sign, Lookup, Mul };
  Op op = Op::Input;
  int a = -1, b = -1;      ///< operand nodes
  int shA = 0, shB = 0;    ///< left shifts applied to the operands (Add, Max)
  bool subB = false;       ///< Add: a - b instead of a + b
  int inFrac = 0;          ///< Requant: fractional bits the operand is read with
  FixedType type;          ///< Requant: target type
  int64_t value = 0;       ///< Const
  int64_t lo = 0, hi = 0;  ///< exact range of the wire's integer value
  /// Sticky: {a >> inFrac, f >= thrHalf, f >= thrZero && !(thrHalf <= f < thrAbove)} with f the
  /// low inFrac bits of a (a >= 0): floor, half bit and sticky bit of a division (divide.h)
  int64_t thrZero = 0, thrHalf = 0, thrAbove = 0;
  int table = -1;        ///< Lookup: index into the netlist's tables
  int width = 1;         ///< bits
  bool isSigned = true;  ///< two's complement (else unsigned)
  int depth = 0;         ///< logic levels after the input registers
  std::string name;      ///< Verilog identifier
  std::string expr;      ///< Input: Verilog expression of the (registered) source bits
};

/// The schedule of a netlist (Netlist::schedule()), per node index: the pipeline stage its value
/// is computed in (0 constants, 1 inputs), the low bits its readers use (0: nothing reads it)
/// and the latest stage that reads it (its delay registers carry it there).
struct NetSchedule {
  std::vector<int> stage, bits, lastRead;
  std::vector<bool> live;                  ///< an output depends on it
  std::vector<std::map<int, int>> readAt;  ///< per node: stage -> the bits read in that stage
  /// The bits of `node` read in stage atStage or later (what its copy in that stage holds).
  int bitsFrom(int node, int atStage) const;
  int outStage = 1;  ///< stage of the output registers (stages() + 1)
};

/// A signed, scaled reference to a node: value = (neg ? -1 : 1) * wire * 2^-frac.
/// Shifting by a power of two only relabels frac; it costs no logic.
struct Term {
  int node = -1;
  bool neg = false;
  int frac = 0;
};

/// Builds and prints one pipelined combinational netlist. Inputs must be registers (they are
/// available in stage 1); outputs are registered after the last stage.
class Netlist {
 public:
  /// @param prefix prepended to every wire name (keeps names unique inside a module)
  /// @param levelsPerStage logic levels (adders, comparators) between pipeline registers
  Netlist(std::string prefix, int levelsPerStage);

  /// A registered input of `width` bits read by the Verilog expression `expr`, of fixed-point
  /// type `t` (its signedness and range are used). A `binary` input is its stored bit b (range
  /// 0..1, value 2b - 1): callers that compute with it use the bit (see bitComplement).
  Term input(const std::string& name, const std::string& expr, const FixedType& t);
  /// ~b of a one-bit wire (range 0..1), shared by all callers for the same wire; costs no logic
  /// of its own (an inverted LUT input).
  Term bitComplement(const Term& b);
  /// A constant raw value with `frac` fractional bits.
  Term constant(int64_t value, int frac);
  /// a + b (aligned to the larger frac); constants folded.
  Term add(const Term& a, const Term& b);
  /// Sum of many terms as an adder tree, always combining the two shallowest terms first so
  /// operands arrive together (fewest pipeline balancing registers). Empty: constant 0.
  Term sum(std::vector<Term> terms);
  /// x * c for an integer constant c, where the product is read with frac x.frac + cFrac.
  /// Uses the canonical signed digits of the odd part of |c| and shares that odd fundamental
  /// per input across calls (multiple constant multiplication by odd-fundamental sharing).
  /// @returns nullopt-like Term{-1} when c == 0: zero weights emit no logic at all.
  Term multiply(const Term& x, int64_t c, int cFrac);
  /// max(a, b); a and b must have the same frac and sign.
  Term max(const Term& a, const Term& b);
  /// max(0, a).
  Term relu(const Term& a);
  /// Requantize a into t (rounding and overflow of t), by an nn_requantize instance; returns a
  /// itself when the conversion is the identity (same fraction bits and width, a's exact range
  /// fits t, so neither rounding nor overflow acts). Into `binary`: the sign bit, a >= 0 (a is
  /// a number here, never an already binary bit).
  Term requantize(const Term& a, const FixedType& t);
  /// a rounded to `toFrac` fractional bits with `mode`, without any overflow step (the wire is
  /// as wide as the rounded range): nngen::roundFrac in hardware, an nn_requantize instance
  /// with AP_WRAP that never wraps. Returns a unchanged when it has no more than toFrac bits.
  Term round(const Term& a, int toFrac, Rounding mode);
  /// The quotient of an integer-valued term t (value in the divider's range) by div.divisor as
  /// 4*floor(t/d) + 2*half + rest (stickyQuotient in divide.h), computed as div describes:
  /// t + offset times the multiplier (CSD adders), the product's high bits and three constant
  /// comparisons of its low bits, then the offset's quotient subtracted. The returned term has
  /// frac 2 (value = floor + half/2 + rest/4).
  Term divideSticky(const Term& t, const ConstDivider& div);
  /// t.lookup(x) (LookupTable), for a term x whose raw values are the table's inputs at `frac`
  /// fraction bits: the address clamp and a ROM, printed once per table `name` as a Verilog
  /// function (one case per entry) that every lookup of that table calls. Returns a term with
  /// t.type's fraction bits; a one-entry table is a constant.
  Term lookup(const Term& x, int frac, const LookupTable& t, const std::string& name);
  /// a * b of two wires (frac a.frac + b.frac), in a pipeline stage of its own: Verilog `*`,
  /// mapped by synthesis to DSP slices (the netlist's only non-constant multiplication).
  Term mul(const Term& a, const Term& b);
  /// Makes a term positive and unshifted (emits a negation if needed).
  int materialize(const Term& t);

  /// Gives a node a readable Verilog name (prefix added).
  void rename(int node, const std::string& name) { nodes_[node].name = prefix_ + name; }
  /// Marks a node as a registered output of `width` bits (a constant output is emitted as a
  /// literal of that width); returns its index among outputs.
  int addOutput(int node, int width);
  /// Pipeline stages from the input registers to the output registers (>= 1).
  int stages() const;
  /// A comment printed before the nodes created after this call (e.g. what an output sums).
  void comment(const std::string& text);
  /// Scheduling: each node's stage, the bits its readers use and how long it must be delayed.
  NetSchedule schedule() const;
  /// Printing: one line per operation, each wire declared where it is assigned (signed
  /// arithmetic; pipeline copies named x_q, x_q2, ...), requantizer instances and one always
  /// block clocked by `clk` with enable `ce` holding every pipeline register.
  std::string print(const NetSchedule& s) const;
  /// print(schedule()). Output k is the register named by outputName(k).
  std::string verilog() const;
  /// Verilog of output k: its output register, or a literal for a constant.
  std::string outputName(int k) const;

  const std::vector<NetNode>& nodes() const { return nodes_; }
  /// Counts of emitted (live) operators, for reports.
  struct Stats {
    int adders = 0, comparators = 0, requantizers = 0;  ///< Sticky counts as a comparator
    int64_t adderBits = 0;     ///< summed widths of the adders/subtractors (carry-chain bits)
    int64_t compareBits = 0;   ///< summed operand widths of the comparators (Max, Sticky)
    int64_t requantBits = 0;   ///< summed input widths of the requantizers
    int64_t registerBits = 0;  ///< pipeline registers: output registers and delay copies, bits
    int64_t romLuts = 0;       ///< table ROMs: width x ceil(entries / 64) LUT6 per lookup
    int dsps = 0;              ///< DSP48E2 slices of the Mul nodes (27 x 18 signed each)
  };
  Stats stats() const;

 private:
  int newNode(NetNode n);
  /// Per node: whether an output depends on it (dead nodes are neither printed nor counted).
  std::vector<bool> liveNodes() const;
  int stageOf(int node) const;
  /// Bits of a Lookup's offset x - inLo: its range, and at least the address bits above shift.
  int lookupOffsetWidth(const NetNode& x) const;
  std::string valueAt(int node, int stage) const;  // wire or delay register name

  std::string prefix_;
  int levels_;
  std::vector<NetNode> nodes_;
  std::vector<int> outputs_;
  std::vector<int> outputWidths_;
  std::map<std::pair<int, int64_t>, Term> oddProducts_;
  std::map<int, int> complements_;  // one-bit node -> its Not node
  struct Table {
    std::string name;
    std::vector<int64_t> values;
    int width = 1;
  };
  std::vector<Table> tables_;  // the ROMs of Lookup nodes, by name
  std::map<int, std::vector<std::string>>
      comments_;  // printed before node index key  // (input node, odd f) -> x*f
};

}  // namespace nngen
