// nn_mul_packed: LANES products x * w_k that share the operand x, on one DSP slice (DSP
// packing). The folded (time-multiplexed) Conv2D and Dense layers use it for their MACs.
//
// Parameters
//   LANES     1, 2 or 4 products per DSP, all with the same x
//   X_W       bits of x (an activation); X_SIGNED 1: two's complement, 0: unsigned
//   W_W       bits of each weight lane;  W_SIGNED likewise
//   FAMILY    "ULTRASCALE" (DSP48E2: 27 x 18 signed multiplier) or "7SERIES" (DSP48E1: 25 x 18)
// Ports
//   w         lane k in bits [k*W_W +: W_W]
//   p         lane k = x * w_k in bits [k*P_W +: P_W], P_W = X_W + W_W, exact; two's complement
//             unless both operands are unsigned (then unsigned)
//   ce        clock enable of every register: ce = 0 holds the whole pipeline
// Latency: 2 cycles (LATENCY below): with ce = 1, p at cycle t+2 is the product of the x and w
// sampled at cycle t. Throughput: one set of LANES products per cycle.
//
// How (docs/architecture.md, "DSP packing"). The weights are packed into one operand
//   A = sum_k w_k * 2^(k*S)       (the pre-adder's D - A: low bits minus the sign bits)
// and one multiplier computes T = A * x + C, where the post-adder constant C biases every lane
// but the top one by +2^(P_W-1). A biased lane lies in [0, 2^P_W), so no lane borrows from the
// one above it (the sign correction of Xilinx WP486's INT8 packing becomes part of the DSP's
// post-add) and each product is a bit field of T with its top bit inverted. The top lane is
// signed and needs no bias. Unsigned x unsigned products need no bias at all.
//   Lane gap S = P_W when A fits the multiplier's wide port that way. Otherwise (and only for
// signed products) S = P_W - 1 with a "canary": the lowest bit of lane k >= 1, c_k =
// x[0] & w_k[0] (the product's parity), is subtracted through C, so lane k's remaining product
// is even and its P_W - 1 upper bits start one bit above lane k-1's top bit; the output puts
// c_k back as the lowest bit. The bias and the canaries combine into
//   C = sum_{k>=1} (1 - c_k) * 2^(k*S),
// a wiring of inverted canaries. (FINN's mvu_4sx4u instead lets lanes overlap and corrects
// them with canary bits after accumulation; arXiv 2203.11028 shows that INT4 packing without
// such a correction is wrong by the lower lanes' borrows.)
//
// Fit (checked by $error at elaboration; src/ir/dsp_packing.cpp applies the same rules):
//   LANES = 1: (X_W + !X_SIGNED) and (W_W + !W_SIGNED) fit the wide and the 18-bit port, in
//              either order.
//   LANES > 1: X_W + !X_SIGNED <= 18, and A's width (LANES-1)*S + W_W + 1 <= 27 (25), with
//              S = P_W, or S = P_W - 1 when x or w is signed.
// Examples: 2 lanes at 8 x 8 on both families; 4 lanes at 4 x 4 (signed weights, signed or
// unsigned x) on ULTRASCALE with the canary, 4 x 3 and 3 x 4 on 7SERIES; 4 lanes need a signed
// operand at 4 x 4 (unsigned x unsigned: 2 lanes).
//
// Mapping: written for inference, one `*` whose operands fit the DSP. Yosys 0.23 maps it to one
// DSP48E2 or DSP48E1; on 7SERIES it also absorbs the registers, the pre-adder (D - A) and the
// post-adder (+ C) into the DSP48E1. Its DSP48E2 mapping takes only the multiplier, so on
// ULTRASCALE the registers and both adders are fabric in Yosys's count (Vivado absorbs them).
module nn_mul_packed #(
  parameter LANES    = 2,            // products per DSP: 1, 2 or 4, all sharing x
  parameter X_W      = 8,            // bits of the shared operand x (an activation)
  parameter X_SIGNED = 1,            // 1: x is two's complement, 0: unsigned
  parameter W_W      = 8,            // bits of each weight lane
  parameter W_SIGNED = 1,            // 1: weights are two's complement, 0: unsigned
  parameter FAMILY   = "ULTRASCALE"  // "ULTRASCALE" (DSP48E2, 27x18) or "7SERIES" (DSP48E1, 25x18)
) (
  input  wire                           clk,
  input  wire                           ce,  // clock enable of every register
  input  wire [X_W-1:0]                 x,
  input  wire [LANES*W_W-1:0]           w,   // lane k in bits [k*W_W +: W_W]
  output wire [LANES*(X_W+W_W)-1:0]     p    // lane k = x * w_k in bits [k*P_W +: P_W]
);
  /* verilator lint_off UNUSEDPARAM */
  localparam LATENCY = 2;  // cycles from x, w to p (the folded layers' emitter relies on it)
  /* verilator lint_on UNUSEDPARAM */
  localparam P_W = X_W + W_W;                 // bits of one product
  localparam PSIGNED = (X_SIGNED != 0 || W_SIGNED != 0) ? 1 : 0;  // products are signed
  // FAMILY compared as 80-bit values (the longer name's width; shorter strings are zero-padded).
  /* verilator lint_off WIDTH */  // a string parameter is as wide as its value
  localparam [79:0] FAMILY_NAME = FAMILY;
  /* verilator lint_on WIDTH */
  localparam [79:0] FAMILY_US = "ULTRASCALE";
  localparam [79:0] FAMILY_7S = "7SERIES";
  localparam A_MAX = (FAMILY_NAME == FAMILY_7S) ? 25 : 27;  // the multiplier's wide signed port
  localparam B_MAX = 18;                               // its narrow signed port
  localparam XB = X_W + (X_SIGNED != 0 ? 0 : 1);       // x as a signed operand
  localparam WB = W_W + (W_SIGNED != 0 ? 0 : 1);       // one weight as a signed operand
  // Packing (LANES > 1): lane gap S, the packed operand's width AW, the product's width PROD_W.
  localparam AW_WIDE = (LANES - 1) * P_W + W_W + 1;        // S = P_W
  localparam AW_CANARY = (LANES - 1) * (P_W - 1) + W_W + 1;  // S = P_W - 1
  localparam FIT_ONE = (XB <= B_MAX && WB <= A_MAX) || (XB <= A_MAX && WB <= B_MAX);
  localparam FIT_WIDE = (XB <= B_MAX && AW_WIDE <= A_MAX) ? 1 : 0;
  localparam FIT_CANARY = (PSIGNED != 0 && XB <= B_MAX && AW_CANARY <= A_MAX) ? 1 : 0;
  localparam CANARY = (FIT_WIDE == 0) ? 1 : 0;
  localparam S = (CANARY != 0) ? P_W - 1 : P_W;
  localparam AW = (LANES - 1) * S + W_W + 1;
  localparam PROD_W = (LANES - 1) * S + P_W;
  // Synthesis puts a multiplication on a DSP only when x (and for one lane w) has >= 2 bits as a
  // signed operand and the product >= 9 bits (Yosys synth_xilinx: DSP_A/B_MINWIDTH=2,
  // DSP_Y_MINWIDTH=9, after UG901's "4x4 and smaller" small multipliers); smaller ones become
  // LUTs, so they are refused here as well.
  localparam DSP_SIZED = XB >= 2 && (LANES == 1 ? (WB >= 2 && P_W >= 9) : PROD_W >= 9);

  generate
    if (LANES != 1 && LANES != 2 && LANES != 4) begin : g_err_lanes
      $error("nn_mul_packed: LANES must be 1, 2 or 4");
    end
    if (X_W < 1 || W_W < 1) begin : g_err_width
      $error("nn_mul_packed: X_W and W_W must be >= 1");
    end
    if ((X_SIGNED != 0 && X_SIGNED != 1) || (W_SIGNED != 0 && W_SIGNED != 1)) begin : g_err_sign
      $error("nn_mul_packed: X_SIGNED and W_SIGNED must be 0 or 1");
    end
    if (FAMILY_NAME != FAMILY_US && FAMILY_NAME != FAMILY_7S) begin : g_err_family
      $error("nn_mul_packed: FAMILY must be \"ULTRASCALE\" or \"7SERIES\"");
    end
    if (LANES == 1 && !FIT_ONE) begin : g_err_fit_one
      $error("nn_mul_packed: the product does not fit one DSP of FAMILY (use LUT multipliers)");
    end
    if (LANES > 1 && FIT_WIDE == 0 && FIT_CANARY == 0) begin : g_err_fit_packed
      $error("nn_mul_packed: LANES products of these widths do not fit one DSP of FAMILY");
    end
    if (!DSP_SIZED) begin : g_err_small
      $error("nn_mul_packed: too small for a DSP (x < 2 bits or product < 9 bits): use LUTs");
    end
  endgenerate

  generate
    if (LANES == 1) begin : g_one
      // ---- one product: x * w with both operands as signed numbers ----
      // Stage 1: the operands (the DSP's A and B registers).
      reg [X_W-1:0] x_q;
      reg [W_W-1:0] w_q;
      always @(posedge clk) begin
        if (ce) begin
          x_q <= x;
          w_q <= w;
        end
      end
      wire signed [XB+WB-1:0] xs;
      wire signed [XB+WB-1:0] ws;
      if (X_SIGNED != 0) begin : g_xs
        assign xs = {{WB{x_q[X_W-1]}}, x_q};
      end else begin : g_xu
        assign xs = {{(WB+1){1'b0}}, x_q};
      end
      if (W_SIGNED != 0) begin : g_ws
        assign ws = {{XB{w_q[W_W-1]}}, w_q};
      end else begin : g_wu
        assign ws = {{(XB+1){1'b0}}, w_q};
      end
      wire signed [XB+WB-1:0] t = xs * ws;  // the exact product (it fits P_W bits)
      // Stage 2: the product (the DSP's P register).
      reg [P_W-1:0] t_q;
      always @(posedge clk) begin
        if (ce) t_q <= t[P_W-1:0];
      end
      assign p = t_q;
      if (XB + WB > P_W) begin : g_unused
        wire unused_ok = ^t[XB+WB-1:P_W];  // an unsigned operand's extension bit(s)
      end
    end else begin : g_packed
      // ---- LANES products from one multiplication ----
      genvar g;
      // The packed weights A = sum_k w_k 2^(k*S) as an AW-bit two's complement number, from the
      // raw weights. Lane k's field holds f_k = w_k - b_k, where the borrow b_k (1 when the
      // lanes below sum to a negative number) is the sign of f_(k-1); the bits between two
      // fields repeat that sign. Unsigned weights are plain bit fields.
      wire [AW-1:0] a_pack;
      if (W_SIGNED != 0) begin : g_pack_signed
        for (g = 0; g < LANES; g = g + 1) begin : g_lane
          wire [W_W:0] f;  // f_k = w_k - b_k, W_W+1 bits, two's complement
          if (g == 0) begin : g_first
            assign f = {w[W_W-1], w[W_W-1:0]};
          end else begin : g_next
            assign f = {w[g*W_W + W_W - 1], w[g*W_W +: W_W]} - {{W_W{1'b0}}, g_lane[g-1].f[W_W]};
          end
          if (g < LANES - 1) begin : g_low
            assign a_pack[g*S +: W_W] = f[W_W-1:0];
            if (S > W_W) begin : g_gap  // S = W_W only when X_W = 1 and S = P_W - 1
              assign a_pack[g*S + W_W +: S - W_W] = {(S-W_W){f[W_W]}};
            end
          end else begin : g_top
            assign a_pack[AW-1:g*S] = f;
          end
        end
      end else begin : g_pack_unsigned
        for (g = 0; g < LANES - 1; g = g + 1) begin : g_place
          assign a_pack[g*S +: W_W] = w[g*W_W +: W_W];
          if (S > W_W) begin : g_gap
            assign a_pack[g*S + W_W +: S - W_W] = {(S-W_W){1'b0}};
          end
        end
        assign a_pack[AW-1:(LANES-1)*S] = {1'b0, w[(LANES-1)*W_W +: W_W]};
      end
      // The canaries c_k = x[0] & w_k[0] (the parity of lane k's product), stored inverted:
      // ~c_k is the post-adder's input at bit k*S (see the file comment).
      wire [LANES-1:1] canary_n;
      for (g = 1; g < LANES; g = g + 1) begin : g_canary
        assign canary_n[g] = ~(x[0] & w[g*W_W]);
      end

      // Stage 1: the operands (the DSP's A and B registers) and the canaries.
      reg [AW-1:0]     a_q;
      reg [X_W-1:0]    x_q;
      reg [LANES-1:1]  canary_n_q;
      always @(posedge clk) begin
        if (ce) begin
          a_q <= a_pack;
          x_q <= x;
          canary_n_q <= canary_n;
        end
      end
      // A and x as signed numbers of PROD_W bits (PROD_W - AW = X_W - 1).
      wire signed [PROD_W-1:0] ab;
      wire signed [PROD_W-1:0] xb;
      if (PROD_W > AW) begin : g_ab_ext
        assign ab = {{(PROD_W-AW){a_q[AW-1]}}, a_q};
      end else begin : g_ab_same
        assign ab = a_q;
      end
      if (X_SIGNED != 0) begin : g_xs
        assign xb = {{(PROD_W-X_W){x_q[X_W-1]}}, x_q};
      end else begin : g_xu
        assign xb = {{(PROD_W-X_W){1'b0}}, x_q};
      end
      // The post-adder's C: the lane biases, merged with the canaries when S = P_W - 1.
      reg [PROD_W-1:0] c_word;
      integer j;
      always @* begin
        c_word = {PROD_W{1'b0}};
        if (CANARY != 0) begin
          for (j = 1; j < LANES; j = j + 1) c_word[j*S] = canary_n_q[j];
        end else if (PSIGNED != 0) begin
          for (j = 0; j < LANES - 1; j = j + 1) c_word[j*S + P_W - 1] = 1'b1;
        end
      end
      // T = A * x + C, exact in every lane field, so computed modulo 2^PROD_W.
      wire signed [PROD_W-1:0] t = ab * xb + $signed(c_word);
      // Stage 2: T (the DSP's P register).
      reg [PROD_W-1:0] t_q;
      always @(posedge clk) begin
        if (ce) t_q <= t;
      end
      // Unpacking: wiring plus one inverter per biased lane.
      if (CANARY != 0) begin : g_unpack_canary
        reg [LANES-1:1] canary_q;  // c_k, aligned with t_q
        always @(posedge clk) begin
          if (ce) canary_q <= ~canary_n_q;
        end
        // lane 0: P_W bits at 0, biased; lanes 1..LANES-2: P_W-1 bits at k*S+1, biased, then
        // the canary; the top lane: P_W-1 bits at k*S+1, signed, then the canary.
        assign p[P_W-1:0] = {~t_q[P_W-1], t_q[P_W-2:0]};
        for (g = 1; g < LANES - 1; g = g + 1) begin : g_mid
          assign p[g*P_W +: P_W] = {~t_q[g*S + P_W - 1], t_q[g*S + 1 +: P_W - 2], canary_q[g]};
        end
        assign p[(LANES-1)*P_W +: P_W] = {t_q[(LANES-1)*S + 1 +: P_W - 1], canary_q[LANES-1]};
      end else begin : g_unpack_wide
        // lane k < LANES-1: P_W bits at k*S, biased when signed; the top lane: signed, as is.
        for (g = 0; g < LANES - 1; g = g + 1) begin : g_low
          if (PSIGNED != 0) begin : g_biased
            assign p[g*P_W +: P_W] = {~t_q[g*S + P_W - 1], t_q[g*S +: P_W - 1]};
          end else begin : g_plain
            assign p[g*P_W +: P_W] = t_q[g*S +: P_W];
          end
        end
        assign p[(LANES-1)*P_W +: P_W] = t_q[(LANES-1)*S +: P_W];
        wire unused_ok = ^canary_n_q;  // the canaries are only needed when S = P_W - 1
      end
    end
  endgenerate
endmodule
