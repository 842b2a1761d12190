// nn_requantize: converts a fixed-point value to another fixed-point format exactly as Xilinx
// ap_fixed does (UG1399 "Arbitrary Precision Fixed-Point Data Types": quantization and
// overflow modes). It is the hardware twin of nngen::requantize() (src/ir/fixed.h), and the
// two are checked against each other bit for bit (tests/rtl).
//
// The input has IN_F fractional bits, the output OUT_F; SHIFT = IN_F - OUT_F bits are dropped
// (SHIFT > 0, rounded by ROUNDING) or appended (SHIFT < 0). The rounded value then goes through
// the OVERFLOW mode into OUT_W bits.
// Latency: combinational (one rounding adder and a range check).
module nn_requantize #(
  parameter IN_W       = 24,  // input width (bits)
  parameter IN_SIGNED  = 1,   // 1: input is two's complement, 0: unsigned
  parameter OUT_W      = 16,  // output width (bits)
  parameter OUT_SIGNED = 1,   // 1: output is ap_fixed (signed), 0: ap_ufixed
  parameter SHIFT      = 8,   // IN_F - OUT_F: >0 drops (rounds) bits, <0 appends zero bits
  parameter ROUNDING   = 0,   // 0 TRN, 1 TRN_ZERO, 2 RND, 3 RND_ZERO, 4 RND_MIN_INF, 5 RND_INF, 6 RND_CONV
  parameter OVERFLOW   = 0    // 0 WRAP, 1 SAT, 2 SAT_ZERO, 3 SAT_SYM
) (
  input  wire [IN_W-1:0]  in_data,
  output wire [OUT_W-1:0] out_data
);
  localparam LSH = (SHIFT < 0) ? -SHIFT : 0;  // bits appended
  localparam RSH = (SHIFT > 0) ? SHIFT : 0;   // bits dropped
  localparam W0 = (IN_W + LSH > RSH) ? IN_W + LSH : RSH;
  localparam W1 = (W0 > OUT_W) ? W0 : OUT_W;
  localparam XW = W1 + 2;                     // work width: never overflows below

  generate
    if (IN_W < 1 || OUT_W < 1 || (OUT_SIGNED != 0 && OUT_W < 2)) begin : g_bad_width
      $error("nn_requantize: widths must be >= 1 (>= 2 for a signed output)");
    end
    if (ROUNDING < 0 || ROUNDING > 6 || OVERFLOW < 0 || OVERFLOW > 3) begin : g_bad_mode
      $error("nn_requantize: ROUNDING must be 0..6 and OVERFLOW 0..3");
    end
  endgenerate

  // The input, sign- or zero-extended to XW bits and shifted left by LSH.
  wire        in_neg = (IN_SIGNED != 0) && in_data[IN_W-1];
  wire [XW-1:0] x = {{(XW - IN_W - LSH){in_neg}}, in_data, {LSH{1'b0}}};
  wire        neg = x[XW-1];

  // Floor (arithmetic shift right) and the rounding increment.
  wire [XW-1:0] q;
  wire        inc;
  generate
    if (RSH == 0) begin : g_no_round
      assign q = x;
      assign inc = 1'b0;
    end else begin : g_round
      assign q = {{RSH{neg}}, x[XW-1:RSH]};
      wire half = x[RSH-1];
      wire rest;
      if (RSH >= 2) begin : g_rest
        assign rest = |x[RSH-2:0];
      end else begin : g_no_rest
        assign rest = 1'b0;
      end
      case (ROUNDING)
        1: assign inc = neg && (half || rest);     // TRN_ZERO: toward zero
        2: assign inc = half;                      // RND: half up
        3: assign inc = half && (rest || neg);     // RND_ZERO: half toward zero
        4: assign inc = half && rest;              // RND_MIN_INF: half down
        5: assign inc = half && (rest || !neg);    // RND_INF: half away from zero
        6: assign inc = half && (rest || q[0]);    // RND_CONV: half to even
        default: assign inc = 1'b0;                // TRN: floor
      endcase
      wire unused_round = ^{half, rest};  // TRN reads neither (lint sink)
    end
  endgenerate
  wire [XW-1:0] r = q + {{(XW - 1){1'b0}}, inc};
  wire        r_neg = r[XW-1];

  // Range check against OUT_W bits, and the saturation values.
  wire        fits;
  wire        is_min;  // the most negative output value (for SAT_SYM)
  wire [OUT_W-1:0] out_max, out_min;
  generate
    if (OUT_SIGNED != 0) begin : g_signed
      assign fits = (&r[XW-1:OUT_W-1]) || !(|r[XW-1:OUT_W-1]);
      assign is_min = r[OUT_W-1] && !(|r[OUT_W-2:0]);
      assign out_max = {1'b0, {(OUT_W - 1){1'b1}}};
      assign out_min = {1'b1, {(OUT_W - 1){1'b0}}};
    end else begin : g_unsigned
      assign fits = !(|r[XW-1:OUT_W]);
      assign is_min = 1'b0;
      assign out_max = {OUT_W{1'b1}};
      assign out_min = {OUT_W{1'b0}};
    end
  endgenerate
  wire [OUT_W-1:0] low = r[OUT_W-1:0];
  generate
    case (OVERFLOW)
      1: assign out_data = fits ? low : (r_neg ? out_min : out_max);
      2: assign out_data = fits ? low : {OUT_W{1'b0}};
      3: begin : g_sat_sym
        if (OUT_SIGNED != 0) begin : g_sym_signed
          wire [OUT_W-1:0] neg_max = out_min + {{(OUT_W - 1){1'b0}}, 1'b1};
          assign out_data = (fits && !is_min) ? low : (r_neg ? neg_max : out_max);
        end else begin : g_sym_unsigned
          assign out_data = fits ? low : (r_neg ? out_min : out_max);
        end
      end
      default: assign out_data = low;  // WRAP
    endcase
  endgenerate
  // Bits that some modes do not read (lint sink; no logic).
  wire unused_bits = ^{r, x, neg, r_neg, fits, is_min, out_max, out_min};
endmodule
