// nn_requantize: converts a fixed-point value into another fixed-point format with exactly the
// rounding and overflow rules of Xilinx ap_fixed / ap_ufixed. It is the hardware twin of
// nngen::requantize() in src/ir/fixed.cpp, which defines the semantics; tests/rtl checks the two
// against each other bit for bit.
//
// Parameters
//   IN_W, IN_SIGNED    input width; 1: two's complement, 0: unsigned
//   OUT_W, OUT_SIGNED  output width; 1: signed (ap_fixed), 0: unsigned (ap_ufixed)
//   SHIFT              IN_F - OUT_F. > 0: that many fractional bits are dropped (rounded away);
//                      <= 0: -SHIFT zero bits are appended (exact, never rounds)
//   ROUNDING           0 AP_TRN, 1 AP_TRN_ZERO, 2 AP_RND, 3 AP_RND_ZERO, 4 AP_RND_MIN_INF,
//                      5 AP_RND_INF, 6 AP_RND_CONV (the order of nngen::Rounding)
//   OVERFLOW           0 AP_WRAP, 1 AP_SAT, 2 AP_SAT_ZERO, 3 AP_SAT_SYM (nngen::Overflow)
//
// Function (SHIFT > 0): q = floor(in / 2^SHIFT), h = first dropped bit, r = OR of the dropped
// bits below it, s = the input is negative; v = q + c with the carry c of the rounding mode:
//   TRN 0, TRN_ZERO s&(h|r), RND h, RND_ZERO h&(r|s), RND_MIN_INF h&r, RND_INF h&(r|!s),
//   RND_CONV h&(r|q[0]).
// Then v (exact, never overflowing internally) goes into OUT_W bits: WRAP keeps the low bits;
// SAT clamps to the type's min/max; SAT_ZERO turns an out-of-range value into 0; SAT_SYM clamps
// to +-max and also turns the most negative value into -max (signed; unsigned: as SAT).
//
// Latency: 0 (combinational). Throughput: one conversion per cycle.
// Cost: TRN+WRAP is wiring only; the other modes add one incrementer and/or one range check.
// Legality: IN_W >= 1, OUT_W >= 1, IN_SIGNED and OUT_SIGNED 0 or 1, ROUNDING 0..6,
//   OVERFLOW 0..3; any SHIFT (shifts beyond the widths are handled exactly).
module nn_requantize #(
  parameter IN_W = 24,        // input width (bits)
  parameter IN_SIGNED = 1,    // 1: input is two's complement, 0: unsigned
  parameter OUT_W = 16,       // output width
  parameter OUT_SIGNED = 1,   // 1: output signed (ap_fixed), 0: unsigned (ap_ufixed)
  parameter SHIFT = 8,        // IN_F - OUT_F: fractional bits dropped (>0) or appended (<0)
  parameter ROUNDING = 0,     // 0 TRN, 1 TRN_ZERO, 2 RND, 3 RND_ZERO, 4 RND_MIN_INF, 5 RND_INF, 6 RND_CONV
  parameter OVERFLOW = 0      // 0 WRAP, 1 SAT, 2 SAT_ZERO, 3 SAT_SYM
) (
  input  wire [IN_W-1:0]  in_data,
  output wire [OUT_W-1:0] out_data
);
  // The input as a two's-complement number of SW bits (an unsigned input gets a zero on top).
  localparam SW = IN_W + (IN_SIGNED != 0 ? 0 : 1);
  // Bits dropped. Dropping more than SW+1 bits gives the same q, h and r as dropping SW+1
  // (q = -1 or 0, h = s, r = any input bit set), so the logic is sized for at most SW+1.
  localparam DROP = SHIFT <= 0 ? 0 : (SHIFT > SW + 1 ? SW + 1 : SHIFT);
  // Zero bits appended. Appending OUT_W or more bits overflows every non-zero input and leaves
  // the low OUT_W bits zero, so OUT_W stands for any larger count.
  localparam APPEND = SHIFT >= 0 ? 0 : (-SHIFT > OUT_W ? OUT_W : -SHIFT);
  // Width of q (the kept bits, two's complement).
  localparam QW = DROP >= SW ? 1 : SW - DROP;
  // One more bit when rounding can carry q upward (TRN_ZERO only ever carries a negative q).
  localparam CARRY = (DROP > 0 && ROUNDING >= 2) ? 1 : 0;
  // Width of the exact rounded value v.
  localparam VW = (DROP > 0 ? QW : SW + APPEND) + CARRY;
  // Output range limits (raw bit patterns).
  localparam [OUT_W-1:0] OUT_MAX = OUT_SIGNED != 0 ? {OUT_W{1'b1}} >> 1 : {OUT_W{1'b1}};
  localparam [OUT_W-1:0] OUT_MIN = OUT_SIGNED != 0 ? ~OUT_MAX : {OUT_W{1'b0}};
  localparam [OUT_W-1:0] OUT_SYM_MIN = OUT_MIN + 1'b1;  // -max (signed SAT_SYM)

  generate
    if (IN_W < 1) begin : g_err_in_w
      $error("nn_requantize: IN_W must be >= 1");
    end
    if (OUT_W < 1) begin : g_err_out_w
      $error("nn_requantize: OUT_W must be >= 1");
    end
    if (IN_SIGNED != 0 && IN_SIGNED != 1) begin : g_err_in_signed
      $error("nn_requantize: IN_SIGNED must be 0 or 1");
    end
    if (OUT_SIGNED != 0 && OUT_SIGNED != 1) begin : g_err_out_signed
      $error("nn_requantize: OUT_SIGNED must be 0 or 1");
    end
    if (ROUNDING < 0 || ROUNDING > 6) begin : g_err_rounding
      $error("nn_requantize: ROUNDING must be 0..6");
    end
    if (OVERFLOW < 0 || OVERFLOW > 3) begin : g_err_overflow
      $error("nn_requantize: OVERFLOW must be 0..3");
    end
  endgenerate

  // ---- the input as a signed number ----
  wire [SW-1:0] xs;
  wire          neg;  // the input is negative
  generate
    if (IN_SIGNED != 0) begin : g_in_signed
      assign xs  = in_data;
      assign neg = in_data[IN_W-1];
    end else begin : g_in_unsigned
      assign xs  = {1'b0, in_data};
      assign neg = 1'b0;
    end
  endgenerate

  // ---- quantization: v = the value at the output's fractional bits, exact ----
  wire [VW-1:0] v;
  generate
    if (DROP == 0) begin : g_nodrop
      if (APPEND == 0) begin : g_same
        assign v = xs;
      end else begin : g_append
        assign v = {xs, {APPEND{1'b0}}};
      end
    end else begin : g_drop
      wire [QW-1:0] q;  // floor(in / 2^DROP)
      if (DROP >= SW) begin : g_q_sign
        assign q = neg;
      end else begin : g_q_bits
        assign q = xs[SW-1:DROP];
      end
      if (ROUNDING == 0) begin : g_trn
        assign v = q;
      end else begin : g_round
        wire half;  // the first dropped bit
        wire rest;  // OR of the dropped bits below it
        wire inc;   // the rounding carry
        if (DROP > SW) begin : g_half_sign
          assign half = neg;
        end else begin : g_half_bit
          assign half = xs[DROP-1];
        end
        if (DROP == 1 || ROUNDING == 2) begin : g_rest_none
          assign rest = 1'b0;  // no bits below the half bit, or AP_RND ignores them
        end else begin : g_rest_bits
          assign rest = |xs[DROP-2:0];
        end
        if (ROUNDING == 1) begin : g_trn_zero
          assign inc = neg & (half | rest);
        end else if (ROUNDING == 2) begin : g_rnd
          assign inc = half;
          wire unused_rest = rest;  // AP_RND ignores the bits below the half bit
        end else if (ROUNDING == 3) begin : g_rnd_zero
          assign inc = half & (rest | neg);
        end else if (ROUNDING == 4) begin : g_rnd_min_inf
          assign inc = half & rest;
        end else if (ROUNDING == 5) begin : g_rnd_inf
          assign inc = half & (rest | ~neg);
        end else begin : g_rnd_conv
          assign inc = half & (rest | q[0]);
        end
        // v = q + inc, q sign-extended to VW bits (VW is QW or QW+1).
        wire [VW-1:0] q_ext;
        wire [VW-1:0] inc_ext;
        if (VW == QW) begin : g_q_same
          assign q_ext = q;
        end else begin : g_q_wide
          assign q_ext = {q[QW-1], q};
        end
        if (VW == 1) begin : g_inc_1
          assign inc_ext = inc;
        end else begin : g_inc_n
          assign inc_ext = {{(VW-1){1'b0}}, inc};
        end
        assign v = q_ext + inc_ext;
      end
    end
  endgenerate

  // ---- overflow: v into OUT_W bits ----
  wire [OUT_W-1:0] v_wrap;  // v modulo 2^OUT_W (sign-extended when v is narrower)
  generate
    if (VW >= OUT_W) begin : g_wrap_cut
      assign v_wrap = v[OUT_W-1:0];
    end else begin : g_wrap_ext
      assign v_wrap = {{(OUT_W-VW){v[VW-1]}}, v};
    end

    if (OVERFLOW == 0) begin : g_ovf_wrap
      assign out_data = v_wrap;
    end else begin : g_ovf_sat
      wire fits;  // v lies within the output's raw range
      if (OUT_SIGNED != 0) begin : g_fits_signed
        if (VW <= OUT_W) begin : g_fits_always
          assign fits = 1'b1;
        end else begin : g_fits_check
          // the bits from the output's sign bit upward must all be equal
          assign fits = (&v[VW-1:OUT_W-1]) | ~(|v[VW-1:OUT_W-1]);
        end
      end else begin : g_fits_unsigned
        if (VW <= OUT_W) begin : g_fits_sign
          assign fits = ~v[VW-1];
        end else begin : g_fits_check
          // non-negative and nothing above the output's top bit
          assign fits = ~(|v[VW-1:OUT_W]);
        end
      end
      if (OVERFLOW == 1 || (OVERFLOW == 3 && OUT_SIGNED == 0)) begin : g_sat
        assign out_data = fits ? v_wrap : (v[VW-1] ? OUT_MIN : OUT_MAX);
      end else if (OVERFLOW == 2) begin : g_sat_zero
        assign out_data = fits ? v_wrap : {OUT_W{1'b0}};
      end else begin : g_sat_sym
        assign out_data = !fits ? (v[VW-1] ? OUT_SYM_MIN : OUT_MAX)
                        : (v_wrap == OUT_MIN ? OUT_SYM_MIN : v_wrap);
      end
    end
  endgenerate

  // Which input bits matter depends on the parameters (dropped bits are ignored by AP_TRN, bits
  // above the output by AP_WRAP); this sink keeps lint quiet about the rest and costs nothing.
  wire unused_ok = ^{xs, neg, v};
endmodule
