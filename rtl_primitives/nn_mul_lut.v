// nn_mul_lut: one product x * w of two variable operands in LUTs (shifts and adds, no `*`, so
// no tool maps it to a DSP slice): the multiplier of a folded layer with `multipliers: lut`.
//
// The weight w is two's complement (W_W bits); x is two's complement when X_SIGNED, else
// unsigned. p = x * w exactly, P_W = X_W + W_W bits, two's complement. Partial products: bit j
// of w selects x << j, the sign bit of w subtracts x << (W_W-1) (two's complement weight).
// Latency: 2 cycles with ce (operands registered, product registered), like nn_mul_packed.
module nn_mul_lut #(
  parameter X_W      = 8,  // bits of x
  parameter X_SIGNED = 1,  // 1: x is two's complement, 0: unsigned
  parameter W_W      = 8   // bits of w (two's complement, >= 2)
) (
  input  wire                 clk,
  input  wire                 ce,  // clock enable of both registers
  input  wire [X_W-1:0]       x,
  input  wire [W_W-1:0]       w,
  output reg  [X_W+W_W-1:0]   p
);
  localparam P_W = X_W + W_W;

  generate
    if (W_W < 2 || X_W < 1) begin : g_bad_width
      $error("nn_mul_lut: W_W must be >= 2 and X_W >= 1");
    end
  endgenerate

  reg [X_W-1:0] x_q;
  reg [W_W-1:0] w_q;
  wire [P_W-1:0] x_ext = (X_SIGNED != 0) ? {{W_W{x_q[X_W-1]}}, x_q} : {{W_W{1'b0}}, x_q};

  // g_pp[j].sum: x times w bits 0..j (bit W_W-1, the sign, weighs -2^(W_W-1))
  genvar j;
  generate
    for (j = 0; j < W_W; j = j + 1) begin : g_pp
      wire [P_W-1:0] pp = w_q[j] ? (x_ext << j) : {P_W{1'b0}};
      wire [P_W-1:0] sum;
      if (j == 0) begin : g_first
        assign sum = pp;
      end else if (j == W_W - 1) begin : g_sign
        assign sum = g_pp[j-1].sum - pp;
      end else begin : g_bit
        assign sum = g_pp[j-1].sum + pp;
      end
    end
  endgenerate

  always @(posedge clk) begin
    if (ce) begin
      x_q <= x;
      w_q <= w;
      p <= g_pp[W_W-1].sum;
    end
  end
endmodule
