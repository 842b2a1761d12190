//! @file netlist.cpp
//! @brief Adder graphs, interval-derived widths, pipeline balancing and Verilog printing.
#include "emit/netlist.h"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <queue>
#include <stdexcept>
#include <tuple>

#include "ir/csd.h"
#include "ir/divide.h"

namespace nngen {

namespace {

constexpr int kMaxWireBits = 62;

int64_t fit(Int128 v) {
  const Int128 lim = Int128{1} << kMaxWireBits;
  if (v >= lim || v <= -lim) throw std::logic_error("netlist value range exceeds 62 bits");
  return static_cast<int64_t>(v);
}

/// A W-bit Verilog literal of v mod 2^W.
std::string literal(Int128 v, int w) {
  if (w > 120) throw std::logic_error("literal wider than 120 bits");
  const Int128 mask = (Int128{1} << w) - 1;
  Int128 u = v & mask;  // in [0, 2^w)
  std::string hex;
  do {
    hex.insert(hex.begin(), "0123456789abcdef"[static_cast<int>(u & 15)]);
    u >>= 4;
  } while (u != 0);
  return fmt::format("{}'h{}", w, hex);
}

}  // namespace

Netlist::Netlist(std::string prefix, int levelsPerStage)
    : prefix_(std::move(prefix)), levels_(std::max(1, levelsPerStage)) {}

int Netlist::newNode(NetNode n) {
  auto oneBit = [&](int x) { return x >= 0 && nodes_[x].width == 1 && !nodes_[x].isSigned; };
  if (n.op == NetNode::Op::Not || n.op == NetNode::Op::Sign ||
      (n.op == NetNode::Op::Max && oneBit(n.a) && oneBit(n.b))) {  // one unsigned bit
    n.width = 1;
    n.isSigned = false;
  } else if (n.op != NetNode::Op::Requant && n.op != NetNode::Op::Input) {
    n.width = signedBitsFor(n.lo, n.hi);
    n.isSigned = true;
  }
  if (n.name.empty()) n.name = fmt::format("{}n{}", prefix_, nodes_.size());
  nodes_.push_back(std::move(n));
  return static_cast<int>(nodes_.size()) - 1;
}

Term Netlist::input(const std::string& name, const std::string& expr, const FixedType& t) {
  NetNode n;
  n.op = NetNode::Op::Input;
  n.name = prefix_ + name;
  n.expr = expr;
  n.width = t.width;
  n.isSigned = t.isSigned;
  n.lo = t.binary ? 0 : t.minRaw();  // binary: the stored bit
  n.hi = t.maxRaw();
  return Term{newNode(std::move(n)), false, t.fracBits()};
}

Term Netlist::bitComplement(const Term& b) {
  const int x = materialize(b);
  if (nodes_[x].width != 1 || nodes_[x].isSigned || nodes_[x].lo < 0 || nodes_[x].hi > 1)
    throw std::logic_error("bitComplement of a wire that is not one unsigned bit");
  if (auto it = complements_.find(x); it != complements_.end()) return Term{it->second, false, 0};
  NetNode n;
  n.op = NetNode::Op::Not;
  n.a = x;
  n.lo = 0;
  n.hi = 1;
  n.depth = nodes_[x].depth;  // folds into the LUT that reads it
  n.name = nodes_[x].name + "_n";
  const int node = newNode(std::move(n));
  complements_[x] = node;
  return Term{node, false, 0};
}

Term Netlist::constant(int64_t value, int frac) {
  NetNode n;
  n.op = NetNode::Op::Const;
  n.value = n.lo = n.hi = value;
  return Term{newNode(std::move(n)), false, frac};
}

Term Netlist::add(const Term& a, const Term& b) {
  if (a.node < 0) return b;
  if (b.node < 0) return a;
  const NetNode &na = nodes_[a.node], &nb = nodes_[b.node];
  const int f = std::max(a.frac, b.frac);
  const int sa = f - a.frac, sb = f - b.frac;
  if (na.op == NetNode::Op::Const && nb.op == NetNode::Op::Const) {
    const Int128 v =
        (a.neg ? -1 : 1) * (Int128{na.value} << sa) + (b.neg ? -1 : 1) * (Int128{nb.value} << sb);
    return constant(fit(v), f);
  }
  // Keep negations outside: (-x)+(-y) = -(x+y), (-x)+y = y-x.
  Term first = a, second = b;
  int s1 = sa, s2 = sb;
  if (a.neg && !b.neg) {
    std::swap(first, second);
    std::swap(s1, s2);
  }
  const bool sub = first.neg != second.neg;
  const NetNode &n1 = nodes_[first.node], &n2 = nodes_[second.node];
  NetNode n;
  n.op = NetNode::Op::Add;
  n.a = first.node;
  n.b = second.node;
  n.shA = s1;
  n.shB = s2;
  n.subB = sub;
  const Int128 lo1 = Int128{n1.lo} << s1, hi1 = Int128{n1.hi} << s1;
  const Int128 lo2 = Int128{n2.lo} << s2, hi2 = Int128{n2.hi} << s2;
  n.lo = fit(sub ? lo1 - hi2 : lo1 + lo2);
  n.hi = fit(sub ? hi1 - lo2 : hi1 + hi2);
  n.depth = std::max(n1.depth, n2.depth) + 1;
  const bool neg = first.neg && second.neg;
  return Term{newNode(std::move(n)), neg, f};
}

Term Netlist::sum(std::vector<Term> terms) {
  // Fold all constants into one term first.
  Term constantPart{-1, false, 0};
  std::vector<Term> live;
  for (const Term& t : terms) {
    if (t.node < 0) continue;
    if (nodes_[t.node].op == NetNode::Op::Const)
      constantPart = add(constantPart, t);
    else
      live.push_back(t);
  }
  if (constantPart.node >= 0 && nodes_[constantPart.node].value != 0) live.push_back(constantPart);
  if (live.empty()) return constantPart.node >= 0 ? constantPart : constant(0, 0);
  // Huffman-like: always combine the two shallowest (then narrowest) terms.
  auto key = [&](const Term& t) {
    return std::make_tuple(nodes_[t.node].depth, nodes_[t.node].width, t.node);
  };
  auto cmp = [&](const Term& x, const Term& y) { return key(x) > key(y); };
  std::priority_queue<Term, std::vector<Term>, decltype(cmp)> q(cmp, std::move(live));
  while (q.size() > 1) {
    const Term x = q.top();
    q.pop();
    const Term y = q.top();
    q.pop();
    q.push(add(x, y));
  }
  return q.top();
}

Term Netlist::multiply(const Term& x, int64_t c, int cFrac) {
  if (c == 0) return Term{-1, false, 0};
  const bool negC = c < 0;
  uint64_t m = negC ? uint64_t(0) - uint64_t(c) : uint64_t(c);
  const int t = std::countr_zero(m);
  const int64_t f = static_cast<int64_t>(m >> t);
  Term p;
  if (f == 1) {
    p = Term{x.node, false, x.frac};
  } else {
    auto it = oddProducts_.find({x.node, f});
    if (it != oddProducts_.end()) {
      p = it->second;
    } else {
      std::vector<Term> digits;
      for (const SignedDigit& d : csdDigits(f))
        digits.push_back(Term{x.node, d.sign < 0, x.frac - d.shift});
      p = sum(std::move(digits));
      NetNode& prod = nodes_[p.node];
      if (prod.op == NetNode::Op::Add) {
        prod.name = fmt::format("{}_x{}", nodes_[x.node].name, f);  // x times odd f
        // The wire holds exactly +-x*f, whose range can be narrower than the interval sum of
        // its digits (x*29 = 32x - 2x - x: [32lo - 3hi, 32hi - 3lo] is wider than 29*[lo, hi]
        // when lo < 0 < hi); two's-complement sums are exact modulo the narrower width.
        const NetNode& in = nodes_[x.node];
        const Int128 a = Int128{in.lo} * f, b = Int128{in.hi} * f;
        const int64_t lo = fit(p.neg ? -b : a), hi = fit(p.neg ? -a : b);
        if (lo > prod.lo || hi < prod.hi) {
          prod.lo = std::max(prod.lo, lo);
          prod.hi = std::min(prod.hi, hi);
          prod.width = signedBitsFor(prod.lo, prod.hi);
        }
      }
      oddProducts_[{x.node, f}] = p;
    }
  }
  return Term{p.node, p.neg != (negC != x.neg), p.frac + cFrac - t};
}

Term Netlist::lookup(const Term& x, int frac, const LookupTable& t, const std::string& name) {
  if (x.frac != frac) throw std::logic_error("lookup of a term with other fraction bits");
  if (t.values.size() == 1) return constant(t.values[0], t.type.fracBits());
  const int a = materialize(x);
  if (nodes_[a].op == NetNode::Op::Const)
    return constant(t.lookup(nodes_[a].value), t.type.fracBits());
  auto it = std::find_if(tables_.begin(), tables_.end(),
                         [&](const Table& tb) { return tb.name == prefix_ + name; });
  if (it == tables_.end()) {
    Table tb{prefix_ + name, t.values, 1};
    const auto [lo, hi] = std::minmax_element(t.values.begin(), t.values.end());
    tb.width = signedBitsFor(*lo, *hi);
    tables_.push_back(std::move(tb));
    it = tables_.end() - 1;
  } else if (it->values != t.values) {
    throw std::logic_error("two tables named " + name);
  }
  NetNode n;
  n.op = NetNode::Op::Lookup;
  n.a = a;
  n.table = static_cast<int>(it - tables_.begin());
  n.value = t.inLo;
  n.shA = t.shift;
  const auto [lo, hi] = std::minmax_element(t.values.begin(), t.values.end());
  n.lo = *lo;
  n.hi = *hi;
  n.depth = nodes_[a].depth + 2;  // the address clamp, the ROM
  return Term{newNode(std::move(n)), false, t.type.fracBits()};
}

int Netlist::lookupOffsetWidth(const NetNode& x) const {
  const NetNode& a = nodes_[x.a];
  const int k = std::countr_zero(tables_[x.table].values.size());
  return std::max(signedBitsFor(fit(Int128{a.lo} - x.value), fit(Int128{a.hi} - x.value)),
                  x.shA + k + 1);
}

Term Netlist::mul(const Term& a, const Term& b) {
  const int x = materialize(a), y = materialize(b);
  const NetNode &nx = nodes_[x], &ny = nodes_[y];
  const Int128 c[] = {Int128{nx.lo} * ny.lo, Int128{nx.lo} * ny.hi, Int128{nx.hi} * ny.lo,
                      Int128{nx.hi} * ny.hi};
  NetNode n;
  n.op = NetNode::Op::Mul;
  n.a = x;
  n.b = y;
  n.lo = fit(*std::min_element(std::begin(c), std::end(c)));
  n.hi = fit(*std::max_element(std::begin(c), std::end(c)));
  // a stage of its own: from the next register boundary to the one after it
  n.depth = ((std::max(nx.depth, ny.depth) + levels_ - 1) / levels_ + 1) * levels_;
  return Term{newNode(std::move(n)), false, a.frac + b.frac};
}

int Netlist::materialize(const Term& t) {
  const NetNode& n = nodes_[t.node];
  if (!t.neg) return t.node;
  if (n.op == NetNode::Op::Const) return constant(-n.value, t.frac).node;
  NetNode neg;
  neg.op = NetNode::Op::Neg;
  neg.a = t.node;
  neg.lo = -n.hi;
  neg.hi = -n.lo;
  neg.depth = n.depth + 1;
  return newNode(std::move(neg));
}

Term Netlist::max(const Term& a, const Term& b) {
  if (a.frac != b.frac) throw std::logic_error("max of terms with different scaling");
  const int x = materialize(a), y = materialize(b);
  const NetNode &nx = nodes_[x], &ny = nodes_[y];
  NetNode n;
  n.op = NetNode::Op::Max;
  n.a = x;
  n.b = y;
  n.lo = std::max(nx.lo, ny.lo);
  n.hi = std::max(nx.hi, ny.hi);
  n.depth = std::max(nx.depth, ny.depth) + 1;
  return Term{newNode(std::move(n)), false, a.frac};
}

Term Netlist::relu(const Term& a) {
  const int x = materialize(a);
  const NetNode& nx = nodes_[x];
  if (nx.lo >= 0) return Term{x, false, a.frac};
  if (nx.op == NetNode::Op::Const) return constant(std::max<int64_t>(0, nx.value), a.frac);
  NetNode n;
  n.op = NetNode::Op::Relu;
  n.a = x;
  n.lo = std::max<int64_t>(0, nx.lo);
  n.hi = std::max<int64_t>(0, nx.hi);
  n.depth = nx.depth + 1;
  return Term{newNode(std::move(n)), false, a.frac};
}

Term Netlist::requantize(const Term& a, const FixedType& t) {
  const int x = materialize(a);
  const NetNode& nx = nodes_[x];
  if (t.binary) {  // the sign activation: one bit, 1 (+1) when a >= 0
    if (nx.lo >= 0 || nx.hi < 0) return constant(nx.lo >= 0 ? 1 : 0, 0);
    NetNode n;
    n.op = NetNode::Op::Sign;
    n.a = x;
    n.lo = 0;
    n.hi = 1;
    n.depth = nx.depth;  // the operand's top bit: no logic
    return Term{newNode(std::move(n)), false, 0};
  }
  if (nx.op == NetNode::Op::Const)
    return constant(nngen::requantize(nx.value, a.frac, t), t.fracBits());
  NetNode n;
  n.op = NetNode::Op::Requant;
  n.a = x;
  n.inFrac = a.frac;
  n.type = t;
  n.width = t.width;
  n.isSigned = t.isSigned;
  // Rounding is monotonic: when the rounded range fits, it is the exact range.
  // The rounded range is computed in a wide *signed* type of t's fraction bits: an unsigned
  // wide type would clamp negative values to 0 and make a range that reaches below 0 look
  // as if it fitted an unsigned t.
  FixedType wide = t;
  wide.width = 62;
  wide.intBits = 62 - t.fracBits();
  wide.isSigned = true;
  wide.overflow = Overflow::Sat;
  const int64_t rlo = nngen::requantize(nx.lo, a.frac, wide),
                rhi = nngen::requantize(nx.hi, a.frac, wide);
  const bool fits = rlo >= t.minRaw() && rhi <= t.maxRaw() &&
                    !(t.overflow == Overflow::SatSym && t.isSigned && rlo == t.minRaw());
  // The identity: same fraction bits (no rounding), the range fits t (no overflow step acts,
  // AP_SAT_SYM included) and the same width (module outputs are concatenated at t's width).
  // The bits are then unchanged; the wire keeps its own signedness, which reads them correctly
  // (a range that fits both a signed and an unsigned w-bit type has the same bits in both).
  if (fits && a.frac == t.fracBits() && nx.width == t.width) return Term{x, false, a.frac};
  n.lo = fits ? rlo : t.minRaw();
  n.hi = fits ? rhi : t.maxRaw();
  n.depth = nx.depth + 1;
  return Term{newNode(std::move(n)), false, t.fracBits()};
}

Term Netlist::round(const Term& a, int toFrac, Rounding mode) {
  if (a.node < 0 || a.frac <= toFrac) return a;  // appending fraction bits is exact
  const int x = materialize(a);
  const NetNode& nx = nodes_[x];
  if (nx.op == NetNode::Op::Const)
    return constant(roundFrac(nx.value, a.frac, toFrac, mode), toFrac);
  NetNode n;
  n.op = NetNode::Op::Requant;
  n.a = x;
  n.inFrac = a.frac;
  n.lo = roundFrac(nx.lo, a.frac, toFrac, mode);  // rounding is monotonic
  n.hi = roundFrac(nx.hi, a.frac, toFrac, mode);
  n.width = signedBitsFor(n.lo, n.hi);
  n.isSigned = true;
  // Wide enough for every rounded value, so AP_WRAP never wraps: rounding only.
  n.type = FixedType{n.width, n.width - toFrac, true, mode, Overflow::Wrap};
  n.depth = nx.depth + 1;
  return Term{newNode(std::move(n)), false, toFrac};
}

Term Netlist::divideSticky(const Term& t, const ConstDivider& div) {
  if (t.frac > 0) throw std::logic_error("divideSticky needs an integer-valued dividend");
  Term u = div.offset != 0 ? add(t, constant(div.offset, 0)) : t;
  const Term p = multiply(u, div.multiplier, 0);  // P = (t + offset) * M = wire * 2^-p.frac
  const int x = materialize(p);
  const NetNode& nx = nodes_[x];
  const int up = -p.frac;  // P = wire * 2^up
  // The wire's interval may reach below 0 (interval arithmetic does not see that the CSD
  // digits of one product are correlated), but the product itself is in [0, productMax].
  if (up < 0 || nx.hi < 0) throw std::logic_error("divideSticky: negative product");
  const int s = div.shift - up;  // low bits of the wire that hold the remainder
  Term r;
  if (s <= 0) {  // P has no bits below 2^shift: the remainder is 0, the quotient is wire * 2^-s
    if (nx.lo < 0) throw std::logic_error("divideSticky: product range below 0");
    r = Term{x, false, s};
  } else {
    auto scaled = [&](int64_t thr) {  // f_P >= thr <=> f_wire >= ceil(thr / 2^up)
      return static_cast<int64_t>((Int128{thr} + (Int128{1} << up) - 1) >> up);
    };
    NetNode n;
    n.op = NetNode::Op::Sticky;
    n.a = x;
    n.inFrac = s;
    n.thrZero = scaled(div.zeroBelow);
    n.thrHalf = scaled(div.halfAt);
    n.thrAbove = scaled(div.aboveHalfAt);
    n.lo = 0;
    n.hi = fit(Int128{std::min<int64_t>(nx.hi, div.productMax >> up) >> s} * 4 + 3);
    n.depth = nx.depth + 1;
    r = Term{newNode(std::move(n)), false, 2};
  }
  if (div.offset != 0) r = add(r, constant(-(div.offset / div.divisor), 0));
  return r;
}

int Netlist::addOutput(int node, int width) {
  const NetNode& n = nodes_[node];
  if (n.op != NetNode::Op::Const && n.width != width)
    throw std::logic_error(
        fmt::format("netlist output {} is {} bits, expected {}", n.name, n.width, width));
  outputs_.push_back(node);
  outputWidths_.push_back(width);
  return static_cast<int>(outputs_.size()) - 1;
}

int Netlist::stageOf(int node) const {
  const NetNode& n = nodes_[node];
  if (n.op == NetNode::Op::Const) return 0;
  if (n.op == NetNode::Op::Input) return 1;
  return std::max(1, (n.depth + levels_ - 1) / levels_);
}

int Netlist::stages() const {
  int s = 1;
  for (int o : outputs_) s = std::max(s, stageOf(o));  // constants: stage 0
  return s;
}

std::string Netlist::valueAt(int node, int stage) const {
  const int s = stageOf(node);
  if (stage <= s) return nodes_[node].name;
  const int d = stage - s;  // lowRISC style: x_q is x one register later, x_q2 two
  return d == 1 ? nodes_[node].name + "_q" : fmt::format("{}_q{}", nodes_[node].name, d);
}

std::string Netlist::outputName(int k) const {
  const NetNode& n = nodes_[outputs_[k]];
  if (n.op == NetNode::Op::Const) return literal(n.value, outputWidths_[k]);
  return valueAt(outputs_[k], stages() + 1);
}

void Netlist::comment(const std::string& text) {
  comments_[static_cast<int>(nodes_.size())].push_back(text);
}

NetSchedule Netlist::schedule() const {
  const int n = static_cast<int>(nodes_.size());
  NetSchedule sc;
  sc.outStage = stages() + 1;
  sc.live = liveNodes();
  sc.stage.resize(n);
  sc.bits.assign(n, 0);
  sc.lastRead.assign(n, 0);
  for (int i = 0; i < n; ++i) sc.stage[i] = stageOf(i);
  sc.readAt.assign(n, {});
  auto read = [&](int node, int bits, int atStage) {
    bits = std::min(bits, nodes_[node].width);
    sc.bits[node] = std::max(sc.bits[node], bits);
    sc.lastRead[node] = std::max(sc.lastRead[node], atStage);
    int& b = sc.readAt[node][atStage];
    b = std::max(b, bits);
  };
  // Reads: an operand shifted left by `sh` into a `w`-bit result needs its low w - sh bits.
  // Only live nodes read (a product by a zero BatchNorm scale leaves its input unread).
  for (int i = 0; i < n; ++i) {
    const NetNode& x = nodes_[i];
    if (!sc.live[i]) continue;
    const int st = sc.stage[i];
    switch (x.op) {
      case NetNode::Op::Add:
        read(x.a, x.width - x.shA, st);
        read(x.b, x.width - x.shB, st);
        break;
      case NetNode::Op::Neg:
      case NetNode::Op::Not:
        read(x.a, x.width, st);
        break;
      case NetNode::Op::Sign:
        read(x.a, nodes_[x.a].width, st);
        break;
      case NetNode::Op::Sticky:
        read(x.a, x.inFrac + x.width - 2, st);
        break;
      case NetNode::Op::Lookup:
        read(x.a, lookupOffsetWidth(x), st);
        break;
      case NetNode::Op::Max:
      case NetNode::Op::Relu:
      case NetNode::Op::Requant:
      case NetNode::Op::Mul:
        read(x.a, nodes_[x.a].width, st);
        if (x.op == NetNode::Op::Max || x.op == NetNode::Op::Mul) read(x.b, nodes_[x.b].width, st);
        break;
      default:
        break;
    }
  }
  for (int o : outputs_)
    if (nodes_[o].op != NetNode::Op::Const) read(o, nodes_[o].width, sc.outStage);
  return sc;
}

int NetSchedule::bitsFrom(int node, int atStage) const {
  int b = 0;
  for (auto it = readAt[node].lower_bound(atStage); it != readAt[node].end(); ++it)
    b = std::max(b, it->second);
  return b;
}

std::string Netlist::verilog() const { return print(schedule()); }

std::string Netlist::print(const NetSchedule& sc) const {
  const int n = static_cast<int>(nodes_.size());
  std::string body, regs, unused;
  auto ref = [&](int node, int stage) -> std::string { return valueAt(node, stage); };
  // The low `w` bits of (node << sh), sign- or zero-extended explicitly to the sum's width. Yosys
  // maps these equal-width sums onto carry chains; leaving the extension to `signed` arithmetic
  // measured 8 % more LUTs on conv0 (docs/architecture.md), so the extension is spelled out.
  auto opnd = [&](int node, int sh, int w, int stage) -> std::string {
    const NetNode& x = nodes_[node];
    if (x.op == NetNode::Op::Const) return literal(Int128{x.value} << std::min(sh, 100), w);
    if (sh >= w) return fmt::format("{{{}{{1'b0}}}}", w);
    const int need = w - sh;  // bits of x needed
    const std::string v = ref(node, stage);
    std::string core;
    if (need <= x.width) {
      core = need == x.width ? v : fmt::format("{}[{}:0]", v, need - 1);
    } else {
      const std::string fill = x.isSigned ? fmt::format("{}[{}]", v, x.width - 1) : "1'b0";
      core = fmt::format("{{{{{}{{{}}}}}, {}}}", need - x.width, fill, v);
    }
    return sh == 0 ? core : fmt::format("{{{}, {}'b0}}", core, sh);
  };
  auto decl = [](const NetNode& x, const std::string& name) {
    return fmt::format("{}[{}:0] {}", x.isSigned ? "signed " : "", x.width - 1, name);
  };

  for (int i = 0; i <= n; ++i) {
    if (auto c = comments_.find(i); c != comments_.end())
      for (const std::string& text : c->second) body += "  // " + text + "\n";
    if (i == n) break;
    const NetNode& x = nodes_[i];
    if (x.op == NetNode::Op::Const) continue;
    const bool usedAtAll = sc.bits[i] > 0;
    if (x.op == NetNode::Op::Input && !usedAtAll) {
      unused += (unused.empty() ? "" : ", ") + x.expr;
      continue;
    }
    if (!usedAtAll) continue;  // dead: nothing reads it, nothing is emitted
    const int st = sc.stage[i];
    const std::string w = decl(x, x.name);
    switch (x.op) {
      case NetNode::Op::Input:
        body += fmt::format("  wire {} = {};\n", w, x.expr);
        break;
      case NetNode::Op::Add:
        body += fmt::format("  wire {} = {} {} {};\n", w, opnd(x.a, x.shA, x.width, st),
                            x.subB ? "-" : "+", opnd(x.b, x.shB, x.width, st));
        break;
      case NetNode::Op::Neg:
        body += fmt::format("  wire {} = {}'d0 - {};\n", w, x.width, opnd(x.a, 0, x.width, st));
        break;
      case NetNode::Op::Not:
        body += fmt::format("  wire {} = ~{};\n", w, ref(x.a, st));
        break;
      case NetNode::Op::Sign:
        body += fmt::format("  wire {} = ~{}[{}];  // sign: 1 (+1) when >= 0\n", w, ref(x.a, st),
                            nodes_[x.a].width - 1);
        if (nodes_[x.a].width > 1)  // the sign reads the top bit alone
          unused += (unused.empty() ? "" : ", ") +
                    fmt::format("{}[{}:0]", ref(x.a, st), nodes_[x.a].width - 2);
        break;
      case NetNode::Op::Max: {
        const NetNode &a = nodes_[x.a], &b = nodes_[x.b];
        const int wc = std::max(a.width + (a.isSigned ? 0 : 1), b.width + (b.isSigned ? 0 : 1));
        body += fmt::format("  wire {} = ($signed({}) > $signed({})) ? {} : {};\n", w,
                            opnd(x.a, 0, wc, st), opnd(x.b, 0, wc, st), opnd(x.a, 0, x.width, st),
                            opnd(x.b, 0, x.width, st));
        break;
      }
      case NetNode::Op::Relu: {
        const NetNode& a = nodes_[x.a];
        body += fmt::format("  wire {} = {}[{}] ? {}'d0 : {};  // ReLU\n", w, ref(x.a, st),
                            a.width - 1, x.width, opnd(x.a, 0, x.width, st));
        if (a.width - 1 > x.width)  // bits between the sign and the result's width: never set
          unused += (unused.empty() ? "" : ", ") +
                    fmt::format("{}[{}:{}]", ref(x.a, st), a.width - 2, x.width);
        break;
      }
      case NetNode::Op::Sticky: {
        // floor, half bit and sticky bit of a division by a constant (src/ir/divide.h)
        const NetNode& a = nodes_[x.a];
        const int s = x.inFrac;
        const std::string av = ref(x.a, st), f = x.name + "_f";
        body += fmt::format("  wire [{}:0] {} = {};  // remainder bits\n", s - 1, f,
                            a.width >= s ? fmt::format("{}[{}:0]", av, s - 1)
                                         : fmt::format("{{{}'d0, {}}}", s - a.width, av));
        auto ge = [&](int64_t c) -> std::string {  // f >= c
          if (c <= 0) return "1'b1";
          if (s < 63 && c >= (int64_t{1} << s)) return "1'b0";
          return fmt::format("({} >= {})", f, literal(c, s));
        };
        body +=
            fmt::format("  wire {}_h = {};  // remainder >= divisor/2\n", x.name, ge(x.thrHalf));
        if (x.thrAbove == x.thrHalf)  // odd divisor: the remainder is never exactly half
          body += fmt::format("  wire {}_r = {};  // remainder not 0\n", x.name, ge(x.thrZero));
        else
          body += fmt::format(
              "  wire {}_r = {} && !({} && !{});  // remainder not 0 and not exactly half\n",
              x.name, ge(x.thrZero), ge(x.thrHalf), ge(x.thrAbove));
        const int qBits = x.width - 2;  // bits of the floor the value needs
        const int have = a.width > s ? std::min(qBits, a.width - s) : 1;  // a >= 0: zero-extend
        const std::string q = a.width <= s ? "1'b0"
                              : have == 1  ? fmt::format("{}[{}]", av, s)
                                           : fmt::format("{}[{}:{}]", av, s + have - 1, s);
        body += fmt::format("  wire {} = {{{}{}, {}_h, {}_r}};  // floor, half, sticky\n", w,
                            have < qBits ? fmt::format("{}'d0, ", qBits - have) : "", q, x.name,
                            x.name);
        unused += (unused.empty() ? "" : ", ") + f;  // some thresholds may leave f bits unread
        break;
      }
      case NetNode::Op::Lookup: {
        const NetNode& a = nodes_[x.a];
        const Table& tb = tables_[x.table];
        const int k = std::countr_zero(tb.values.size());  // address bits
        const Int128 offLo = Int128{a.lo} - x.value, offHi = Int128{a.hi} - x.value;
        const int wo = lookupOffsetWidth(x);
        const std::string off = x.name + "_off", addr = x.name + "_addr";
        body += fmt::format("  wire signed [{}:0] {} = {} - {};  // input - first entry's input\n",
                            wo - 1, off, opnd(x.a, 0, wo, st), literal(x.value, wo));
        std::string sel = fmt::format("{}[{}:{}]", off, x.shA + k - 1, x.shA);
        if ((offHi >> x.shA) >= Int128(tb.values.size()))  // beyond the last entry: the last
          sel = fmt::format("({} >= {}) ? {{{}{{1'b1}}}} : {}", off,
                            literal(Int128(tb.values.size()) << x.shA, wo), k, sel);
        if (offLo < 0) sel = fmt::format("{}[{}] ? {}'d0 : {}", off, wo - 1, k, sel);
        body += fmt::format("  wire [{}:0] {} = {};  // clamped to the table\n", k - 1, addr, sel);
        body += fmt::format("  wire {} = {}({});\n", w, tb.name, addr);
        unused += (unused.empty() ? "" : ", ") + off;
        break;
      }
      case NetNode::Op::Mul: {
        auto operand = [&](int node) {
          const std::string v = opnd(node, 0, x.width, st);
          return fmt::format("$signed({})", v);
        };
        body += fmt::format("  wire {} = {} * {};\n", w, operand(x.a), operand(x.b));
        break;
      }
      case NetNode::Op::Requant: {
        const NetNode& a = nodes_[x.a];
        body += fmt::format("  wire {};  // {}\n", w, x.type.str());
        body += fmt::format(
            "  nn_requantize #(.IN_W({}), .IN_SIGNED({}), .OUT_W({}), .OUT_SIGNED({}), .SHIFT({}), "
            ".ROUNDING({}), .OVERFLOW({})) {}_rq (.in_data({}), .out_data({}));\n",
            a.width, a.isSigned ? 1 : 0, x.width, x.isSigned ? 1 : 0, x.inFrac - x.type.fracBits(),
            static_cast<int>(x.type.rounding), static_cast<int>(x.type.overflow), x.name,
            ref(x.a, st), x.name);
        break;
      }
      default:
        break;
    }
    // Pipeline registers carrying this value to later stages: only the bits readers use.
    // Each copy holds the bits the readers of its stage and of later stages use.
    const int first = x.op == NetNode::Op::Input ? 1 : st;
    const int delays = sc.lastRead[i] - first;
    const int keep = sc.bits[i];
    int held = x.width;  // bits of the previous copy (the wire itself first)
    for (int d = 1; d <= delays; ++d) {
      const std::string reg = ref(i, first + d), src = ref(i, first + d - 1);
      const int bits = sc.bitsFrom(i, first + d);
      body += fmt::format("  reg {}[{}:0] {};\n", x.isSigned ? "signed " : "", bits - 1, reg);
      regs += fmt::format("      {} <= {}{};\n", reg, src,
                          bits < held ? fmt::format("[{}:0]", bits - 1) : "");
      held = bits;
    }
    if (keep < x.width)  // high bits no reader needs: every reader's value fits fewer bits
      unused += (unused.empty() ? "" : ", ") + fmt::format("{}[{}:{}]", x.name, x.width - 1, keep);
  }
  std::string roms;
  for (size_t t = 0; t < tables_.size(); ++t) {
    const bool used = std::any_of(nodes_.begin(), nodes_.end(), [&](const NetNode& x) {
      return x.op == NetNode::Op::Lookup && x.table == int(t) && sc.bits[&x - nodes_.data()] > 0;
    });
    if (!used) continue;
    const Table& tb = tables_[t];
    const int k = std::countr_zero(tb.values.size());
    roms += fmt::format("  // Table {}: {} entries of {} bits (a ROM per call).\n", tb.name,
                        tb.values.size(), tb.width);
    roms += fmt::format("  function automatic [{}:0] {}(input [{}:0] addr);\n    case (addr)\n",
                        tb.width - 1, tb.name, k - 1);
    for (size_t i = 0; i < tb.values.size(); ++i)
      roms +=
          fmt::format("      {}'d{}: {} = {};\n", k, i, tb.name, literal(tb.values[i], tb.width));
    roms += "    endcase\n  endfunction\n";
  }
  std::string out =
      roms +
      "  // Every wire is exactly as wide as the interval of its values, so no sum can overflow;\n"
      "  // operands are sign- (or zero-) extended to the sum's width, or cut to the low bits a\n"
      "  // sum of that width needs (two's-complement sums are exact modulo 2^width).\n" +
      body;
  if (!regs.empty())
    out += "  always @(posedge clk) begin\n    if (ce) begin\n" + regs + "    end\n  end\n";
  if (!unused.empty())
    out += fmt::format("  wire unused_{}bits = ^{{{}}};  // read by no one (lint sink)\n", prefix_,
                       unused);
  return out;
}

std::vector<bool> Netlist::liveNodes() const {
  std::vector<bool> live(nodes_.size(), false);
  for (int o : outputs_) live[o] = true;
  for (int i = static_cast<int>(nodes_.size()) - 1; i >= 0; --i) {  // operands precede readers
    if (!live[i]) continue;
    if (nodes_[i].a >= 0) live[nodes_[i].a] = true;
    if (nodes_[i].b >= 0) live[nodes_[i].b] = true;
  }
  return live;
}

Netlist::Stats Netlist::stats() const {
  Stats s;
  const NetSchedule sc = schedule();
  const std::vector<bool>& live = sc.live;
  for (size_t i = 0; i < nodes_.size(); ++i) {
    if (!live[i]) continue;
    const NetNode& x = nodes_[i];
    if (x.op == NetNode::Op::Add || x.op == NetNode::Op::Neg) {
      ++s.adders;
      s.adderBits += x.width;
    }
    if (x.op == NetNode::Op::Max || x.op == NetNode::Op::Sticky) {
      ++s.comparators;
      s.compareBits += nodes_[x.a].width;
    }
    if (x.op == NetNode::Op::Requant) {
      ++s.requantizers;
      s.requantBits += nodes_[x.a].width;
    }
    if (x.op == NetNode::Op::Lookup)
      s.romLuts += int64_t{x.width} * ((int64_t(tables_[x.table].values.size()) + 63) / 64);
    if (x.op == NetNode::Op::Mul) {  // a DSP48E2 multiplies 27 x 18 signed bits
      const int wa = nodes_[x.a].width, wb = nodes_[x.b].width;
      const int big = std::max(wa, wb), small = std::min(wa, wb);
      s.dsps += ((big + 26) / 27) * ((small + 17) / 18);
    }
    // Delay registers, as print() declares them (inputs are registered by the caller).
    const int first = x.op == NetNode::Op::Input ? 1 : sc.stage[i];
    for (int st = first + 1; st <= sc.lastRead[i]; ++st) s.registerBits += sc.bitsFrom(int(i), st);
  }
  return s;
}

}  // namespace nngen
