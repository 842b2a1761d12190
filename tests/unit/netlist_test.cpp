//! @file netlist_test.cpp
//! @brief The adder-graph netlist on its own: CSD costs, shared odd fundamentals (MCM), widths
//!        from exact intervals, constant folding, dead logic and pipeline stages.
#include "emit/netlist.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "ir/csd.h"

using ::testing::HasSubstr;
using ::testing::Not;

namespace {

nngen::FixedType type(int w, int i, bool isSigned = true) {
  nngen::FixedType t;
  t.width = w;
  t.intBits = i;
  t.isSigned = isSigned;
  return t;
}

TEST(Netlist, MultiplicationBy29CostsTwoAdders) {
  // 29 = 32 - 4 + 1 in canonical signed digits: three non-zero digits, two adders.
  nngen::Netlist net("", 2);
  const nngen::Term x = net.input("x", "in[7:0]", type(8, 8));
  const nngen::Term p = net.multiply(x, 29, 0);
  net.addOutput(net.materialize(p), net.nodes()[net.materialize(p)].width);
  EXPECT_EQ(net.stats().adders, 2);
  // A power of two and its negation cost nothing (a shift and a sign carried in the term).
  nngen::Netlist net2("", 2);
  const nngen::Term y = net2.input("y", "in[7:0]", type(8, 8));
  const nngen::Term q = net2.multiply(y, 64, 0);
  EXPECT_EQ(q.node, y.node);
  EXPECT_EQ(q.frac, -6);
  EXPECT_EQ(net2.stats().adders, 0);
  EXPECT_EQ(net2.multiply(y, 0, 0).node, -1);  // a zero weight emits nothing
}

TEST(Netlist, SharedOddFundamentalIsBuiltOnce) {
  // x*3, x*6, x*-12 and x*3 again share the one adder of x*3 (6 = 3<<1, -12 = -(3<<2)).
  nngen::Netlist net("", 2);
  const nngen::Term x = net.input("x", "in[7:0]", type(8, 4));
  const nngen::Term a = net.multiply(x, 3, 0), b = net.multiply(x, 6, 0),
                    c = net.multiply(x, -12, 0), d = net.multiply(x, 3, 2);
  EXPECT_EQ(a.node, b.node);
  EXPECT_EQ(a.node, c.node);
  EXPECT_EQ(a.node, d.node);
  EXPECT_TRUE(c.neg);
  EXPECT_EQ(b.frac, a.frac - 1);
  EXPECT_EQ(net.stats().adders, 0);  // not yet live: nothing reads it
  net.addOutput(a.node, net.nodes()[a.node].width);
  EXPECT_EQ(net.stats().adders, 1);
  // A different input gets its own product.
  const nngen::Term y = net.input("y", "in[15:8]", type(8, 4));
  EXPECT_NE(net.multiply(y, 3, 0).node, a.node);
}

TEST(Netlist, WireWidthsAreTheIntervalBits) {
  nngen::Netlist net("", 2);
  const nngen::Term x = net.input("x", "in[7:0]", type(8, 8));          // -128..127
  const nngen::Term u = net.input("u", "in[15:8]", type(8, 8, false));  // 0..255
  const nngen::Term s = net.add(x, u);                                  // -128..382: 10 bits
  const nngen::NetNode& n = net.nodes()[s.node];
  EXPECT_EQ(n.lo, -128);
  EXPECT_EQ(n.hi, 382);
  EXPECT_EQ(n.width, nngen::signedBitsFor(-128, 382));
  EXPECT_EQ(n.width, 10);
  // x*29 as (32x - 4x) + x: the interval sum of the digits, [-128*32 - 127*4 - 128,
  // 127*32 + 128*4 + 127] (14 bits), is wider than the product's exact range 29*[-128, 127],
  // which the product wire gets (13 bits).
  const nngen::Term p = net.multiply(x, 29, 0);
  const nngen::NetNode& pn = net.nodes()[p.node];
  EXPECT_EQ(pn.lo, -128 * 29);
  EXPECT_EQ(pn.hi, 127 * 29);
  EXPECT_EQ(pn.width, nngen::signedBitsFor(pn.lo, pn.hi));
  EXPECT_EQ(pn.width, 13);
  // ReLU keeps only the non-negative part of the interval.
  const nngen::Term r = net.relu(s);
  EXPECT_EQ(net.nodes()[r.node].lo, 0);
  EXPECT_EQ(net.nodes()[r.node].hi, 382);
}

TEST(Netlist, ConstantsFoldAndSumsBalance) {
  nngen::Netlist net("", 1);
  const nngen::Term k = net.add(net.constant(5, 0), net.constant(3, 1));  // 5 + 1.5 = 6.5
  EXPECT_EQ(net.nodes()[k.node].op, nngen::NetNode::Op::Const);
  EXPECT_EQ(net.nodes()[k.node].value, 13);
  EXPECT_EQ(k.frac, 1);
  std::vector<nngen::Term> terms;
  for (int i = 0; i < 8; ++i) terms.push_back(net.input("x" + std::to_string(i), "in", type(4, 4)));
  const nngen::Term s = net.sum(terms);
  EXPECT_EQ(net.nodes()[s.node].depth, 3);  // eight terms: a balanced tree of depth log2(8)
  net.addOutput(s.node, net.nodes()[s.node].width);
  EXPECT_EQ(net.stats().adders, 7);
  EXPECT_EQ(net.stages(), 3);  // one adder level per stage
}

TEST(Netlist, DeadLogicIsNeitherPrintedNorCounted) {
  // A ReLU whose only reader is a product by zero (a BatchNorm scale of 0) is dead.
  nngen::Netlist net("", 2);
  const nngen::Term x = net.input("x", "in[7:0]", type(8, 4));
  const nngen::Term y = net.input("y", "in[15:8]", type(8, 4));
  const nngen::Term dead = net.relu(net.add(x, y));
  EXPECT_EQ(net.multiply(dead, 0, 0).node, -1);
  const nngen::Term live = net.multiply(y, 3, 0);
  net.addOutput(live.node, net.nodes()[live.node].width);
  EXPECT_EQ(net.stats().adders, 1);
  const std::string v = net.verilog();
  EXPECT_THAT(v, Not(HasSubstr(net.nodes()[dead.node].name + " =")));
  EXPECT_THAT(v, Not(HasSubstr("assign " + net.nodes()[dead.node].name)));
  EXPECT_THAT(v, HasSubstr("in[7:0]"));  // x is read by no one: kept in the lint sink
  EXPECT_THAT(v, HasSubstr("unused_"));
}

TEST(Netlist, IdentityRequantizerEmitsNothing) {
  nngen::Netlist net("", 1);
  const nngen::FixedType t = type(8, 4);
  const nngen::Term x = net.input("x", "in[7:0]", t);
  // Same width, fraction bits and signedness: the wire itself, no nn_requantize.
  EXPECT_EQ(net.requantize(x, t).node, x.node);
  nngen::FixedType sat = t;  // overflow and rounding modes cannot act on a value that fits
  sat.overflow = nngen::Overflow::Sat;
  sat.rounding = nngen::Rounding::RndConv;
  EXPECT_EQ(net.requantize(x, sat).node, x.node);
  // AP_SAT_SYM maps the most negative value -128 to -127: not the identity.
  nngen::FixedType sym = t;
  sym.overflow = nngen::Overflow::SatSym;
  EXPECT_NE(net.requantize(x, sym).node, x.node);
  // Signed -> unsigned of the same width: x may be negative, so the range does not fit.
  EXPECT_NE(net.requantize(x, type(8, 4, false)).node, x.node);
  // Signed -> unsigned of the same width fits when the value is never negative: a ReLU of an
  // ap_fixed<8,4> (an 8-bit signed wire in [0, 127]) read as ap_ufixed<8,4> keeps its bits.
  const nngen::Term r = net.relu(net.input("y", "in[15:8]", t));
  ASSERT_EQ(net.nodes()[r.node].width, 8);
  EXPECT_EQ(net.requantize(r, type(8, 4, false)).node, r.node);
  // Other fraction bits or width: a real conversion.
  EXPECT_NE(net.requantize(x, type(8, 5)).node, x.node);
  EXPECT_NE(net.requantize(x, type(9, 5)).node, x.node);
  nngen::Netlist net2("", 1);
  const nngen::Term z = net2.input("z", "in[7:0]", t);
  net2.addOutput(net2.requantize(z, t).node, 8);
  EXPECT_EQ(net2.stats().requantizers, 0);
  EXPECT_THAT(net2.verilog(), Not(HasSubstr("nn_requantize")));
}

TEST(Netlist, PrintsOneLinePerOperation) {
  // x*3 - u with u unsigned: declared where assigned, operands extended explicitly to the sum's
  // width (sign bits of x, zeros for u), and the pipeline copies named _q, _q2.
  nngen::Netlist net("", 1);
  const nngen::Term x = net.input("x", "in[7:0]", type(8, 4));
  const nngen::Term u = net.input("u", "in[15:8]", type(8, 4, false));
  const nngen::Term p = net.multiply(x, 3, 0);
  const nngen::Term d = net.add(p, nngen::Term{u.node, true, u.frac});
  net.rename(p.node, "p");
  net.rename(d.node, "d");
  net.addOutput(net.materialize(d), net.nodes()[d.node].width);
  const std::string v = net.verilog();
  EXPECT_THAT(v, HasSubstr("wire signed [7:0] x = in[7:0];"));
  EXPECT_THAT(v, HasSubstr("wire [7:0] u = in[15:8];"));
  // 3 = 4 - 1, in the 10 bits of 3*[-128, 127]
  EXPECT_THAT(v, HasSubstr("wire signed [9:0] p = {x, 2'b0} - {{2{x[7]}}, x};"));
  EXPECT_THAT(v, HasSubstr("wire signed [10:0] d = {{1{p_q[9]}}, p_q} - {{3{1'b0}}, u_q};"));
  EXPECT_THAT(v, HasSubstr("u_q <= u;"));
  EXPECT_THAT(v, HasSubstr("d_q <= d;"));
  EXPECT_EQ(net.outputName(0), "d_q");
}

TEST(Netlist, CsdHasNoAdjacentNonZeroDigits) {
  for (int64_t c = 1; c < 5000; c += 2) {
    const auto digits = nngen::csdDigits(c);
    int64_t v = 0;
    for (size_t i = 0; i < digits.size(); ++i) {
      v += digits[i].sign * (int64_t{1} << digits[i].shift);
      for (size_t j = 0; j < i; ++j) EXPECT_GT(std::abs(digits[i].shift - digits[j].shift), 1) << c;
    }
    EXPECT_EQ(v, c);
  }
}

}  // namespace
