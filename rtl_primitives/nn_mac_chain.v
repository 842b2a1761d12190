// nn_mac_chain: a systolic chain of N DSP slices that sums N products x_i * w_i inside the
// DSPs, each slice adding its product to the partial sum cascaded from the slice before it
// (P_i = x_i * w_i + PCIN, PCIN = P_(i-1)). The folded Conv2D and Dense layers use it for one
// product per DSP: the adder tree over a lane's SIMD products then costs no LUTs.
//
// Parameters
//   N         slices (products) in the chain, >= 1
//   X_W       bits of each x_i (an activation); X_SIGNED 1: two's complement, 0: unsigned
//   W_W       bits of each w_i (a weight);      W_SIGNED likewise
//   SUM_W     bits of `sum`, <= 48 (the DSP's P); the caller makes it wide enough for the sum
//   FAMILY    "ULTRASCALE" (DSP48E2: 27 x 18 signed multiplier) or "7SERIES" (DSP48E1: 25 x 18)
// Ports
//   x, w      stage i's operands in bits [i*X_W +: X_W] and [i*W_W +: W_W]. Systolic timing:
//             stage i's operands of one set are presented i cycles after stage 0's (the caller
//             delays them; a folded layer shares its delayed activations between all its
//             output lanes and delays the weight ROM's address instead of the weights).
//   sum       sum_i x_i * w_i of the set whose stage-0 operands were presented LATENCY = N + 2
//             cycles earlier (with ce = 1), exact modulo 2^SUM_W; two's complement
//   ce        clock enable of every register: ce = 0 holds the whole chain
// Per slice: AREG = BREG = 1, MREG = 1, PREG = 1. Stage i's partial sum is in its P register
// i + 3 cycles after stage 0's operands were presented, the cycle in which stage i + 1's
// product (its operands presented one cycle after stage i's) is in its M register.
//
// Mapping (docs/architecture.md, "DSP cascades"): written for inference, which Vivado maps to
// one DSP48E2 / DSP48E1 per slice with its registers, its post-adder and the PCOUT -> PCIN
// cascade (UG901, "DSP block inference"), as does Yosys 0.23 for DSP48E1 (synth_xilinx -family
// xc7). Yosys 0.23's DSP48E2 mapping takes only the multiplier and would leave the registers
// and adders in the fabric, so nngen's Yosys scripts for UltraScale+ parts define NNGEN_DSP48E2,
// and then every slice is a DSP48E2 instance (OPMODE: X = Y = M, Z = 0 for stage 0 and PCIN
// after it; ALUMODE 0: Z + W + X + Y; A, B, M and P registered) computing what the behavioural
// code computes. Verilator and every other simulator run the behavioural code.
module nn_mac_chain #(
  parameter N        = 4,            // slices (products) in the chain
  parameter X_W      = 16,           // bits of each x_i
  parameter X_SIGNED = 1,            // 1: x is two's complement, 0: unsigned
  parameter W_W      = 16,           // bits of each w_i
  parameter W_SIGNED = 1,            // 1: w is two's complement, 0: unsigned
  parameter SUM_W    = 36,           // bits of sum (<= 48)
  parameter FAMILY   = "ULTRASCALE"  // "ULTRASCALE" (DSP48E2, 27x18) or "7SERIES" (DSP48E1, 25x18)
) (
  input  wire               clk,
  input  wire               ce,   // clock enable of every register
  input  wire [N*X_W-1:0]   x,    // stage i in bits [i*X_W +: X_W], skewed (see above)
  input  wire [N*W_W-1:0]   w,    // stage i in bits [i*W_W +: W_W], skewed likewise
  output wire [SUM_W-1:0]   sum
);
  /* verilator lint_off UNUSEDPARAM */
  localparam LATENCY = N + 2;  // cycles from stage 0's operands to sum (the emitter relies on it)
  /* verilator lint_on UNUSEDPARAM */
  // FAMILY compared as 80-bit values (the longer name's width; shorter strings are zero-padded).
  /* verilator lint_off WIDTH */  // a string parameter is as wide as its value
  localparam [79:0] FAMILY_NAME = FAMILY;
  /* verilator lint_on WIDTH */
  localparam [79:0] FAMILY_US = "ULTRASCALE";  // (the mapping does not depend on FAMILY)
  localparam [79:0] FAMILY_7S = "7SERIES";
  localparam A_MAX = (FAMILY_NAME == FAMILY_7S) ? 25 : 27;  // the multiplier's wide signed port
  localparam B_MAX = 18;                                    // its narrow signed port
  localparam XB = X_W + (X_SIGNED != 0 ? 0 : 1);            // x as a signed operand
  localparam WB = W_W + (W_SIGNED != 0 ? 0 : 1);            // w as a signed operand
  // x goes to the narrow port B when it fits there, otherwise w does.
  localparam X_ON_B = (XB <= B_MAX && WB <= A_MAX) ? 1 : 0;
  localparam FITS = (X_ON_B != 0) || (WB <= B_MAX && XB <= A_MAX);
  localparam AB = (X_ON_B != 0) ? WB : XB;  // bits of the operand on A (as a signed number)
  localparam BB = (X_ON_B != 0) ? XB : WB;  // bits of the operand on B

  generate
    if (N < 1) begin : g_err_n
      $error("nn_mac_chain: N must be >= 1");
    end
    if (X_W < 1 || W_W < 1) begin : g_err_width
      $error("nn_mac_chain: X_W and W_W must be >= 1");
    end
    if (!FITS) begin : g_err_fit
      $error("nn_mac_chain: one product does not fit one DSP of FAMILY (use LUT multipliers)");
    end
    if (SUM_W < 1 || SUM_W > 48) begin : g_err_sum
      $error("nn_mac_chain: SUM_W must be 1..48 (the DSP's P register)");
    end
    if (FAMILY_NAME != FAMILY_US && FAMILY_NAME != FAMILY_7S) begin : g_err_family
      $error("nn_mac_chain: FAMILY must be \"ULTRASCALE\" or \"7SERIES\"");
    end
  endgenerate

  // The cascade: pc[i*48 +: 48] is the partial sum entering stage i (stage 0: zero).
  wire [48*(N+1)-1:0] pc;
  assign pc[47:0] = 48'd0;

  genvar i;
  generate
    for (i = 0; i < N; i = i + 1) begin : g_stage
      // The operands as signed numbers of AB and BB bits.
      wire [X_W-1:0] xi = x[i*X_W +: X_W];
      wire [W_W-1:0] wi = w[i*W_W +: W_W];
      wire signed [XB-1:0] xs;
      wire signed [WB-1:0] ws;
      if (X_SIGNED != 0) begin : g_xs
        assign xs = xi;
      end else begin : g_xu
        assign xs = {1'b0, xi};
      end
      if (W_SIGNED != 0) begin : g_ws
        assign ws = wi;
      end else begin : g_wu
        assign ws = {1'b0, wi};
      end
      wire signed [AB-1:0] a_op;
      wire signed [BB-1:0] b_op;
      if (X_ON_B != 0) begin : g_xb
        assign a_op = ws;
        assign b_op = xs;
      end else begin : g_wb
        assign a_op = xs;
        assign b_op = ws;
      end
`ifdef NNGEN_DSP48E2
      if (1) begin : g_dsp48e2
        // A: 30 bits, the multiplier takes A[26:0]; B: 18 bits. Everything sign-extended.
        wire [29:0] a_port = {{(30-AB){a_op[AB-1]}}, a_op};
        wire [17:0] b_port = {{(18-BB){b_op[BB-1]}}, b_op};
        DSP48E2 #(
          .AREG(1), .ACASCREG(1), .BREG(1), .BCASCREG(1), .MREG(1), .PREG(1),
          .CREG(0), .DREG(0), .ADREG(0), .INMODEREG(0), .OPMODEREG(0), .ALUMODEREG(0),
          .CARRYINREG(0), .CARRYINSELREG(0),
          .A_INPUT("DIRECT"), .B_INPUT("DIRECT"), .AMULTSEL("A"), .BMULTSEL("B"),
          .PREADDINSEL("A"), .USE_MULT("MULTIPLY"), .USE_SIMD("ONE48"),
          .USE_PATTERN_DETECT("NO_PATDET"), .USE_WIDEXOR("FALSE")
        ) u_dsp (
          .CLK(clk),
          .A(a_port), .B(b_port), .C(48'd0), .D(27'd0),
          .ACIN(30'd0), .BCIN(18'd0), .PCIN(pc[i*48 +: 48]),
          .CARRYCASCIN(1'b0), .MULTSIGNIN(1'b0), .CARRYIN(1'b0), .CARRYINSEL(3'b000),
          // W = 0, Z = 0 (stage 0) or PCIN, Y = X = M (the product); ALUMODE 0: Z + W + X + Y
          .OPMODE(i == 0 ? 9'b00_000_01_01 : 9'b00_001_01_01), .ALUMODE(4'b0000),
          .INMODE(5'b00000),
          .CEA1(1'b0), .CEA2(ce), .CEB1(1'b0), .CEB2(ce), .CEM(ce), .CEP(ce),
          .CEC(1'b0), .CED(1'b0), .CEAD(1'b0), .CEALUMODE(1'b0), .CECTRL(1'b0),
          .CEINMODE(1'b0), .CECARRYIN(1'b0),
          .RSTA(1'b0), .RSTB(1'b0), .RSTC(1'b0), .RSTD(1'b0), .RSTM(1'b0), .RSTP(1'b0),
          .RSTALLCARRYIN(1'b0), .RSTALUMODE(1'b0), .RSTCTRL(1'b0), .RSTINMODE(1'b0),
          .PCOUT(pc[(i+1)*48 +: 48])
        );
      end
`else
      if (1) begin : g_infer
        // Behavioural slice: the A/B, M and P registers of the DSP, P = M + PCIN.
        reg signed [AB-1:0] a_q;
        reg signed [BB-1:0] b_q;
        reg signed [47:0] m_q;
        reg [47:0] p_q;
        always @(posedge clk) begin
          if (ce) begin
            a_q <= a_op;
            b_q <= b_op;
            m_q <= a_q * b_q;  // exact: AB + BB <= 45 bits
            p_q <= m_q + pc[i*48 +: 48];
          end
        end
        assign pc[(i+1)*48 +: 48] = p_q;
      end
`endif
    end
  endgenerate

  assign sum = pc[N*48 +: SUM_W];
  generate
    if (SUM_W < 48) begin : g_unused
      wire unused_ok = ^pc[N*48 + SUM_W +: 48 - SUM_W];  // above the sum's width
    end
  endgenerate
endmodule
