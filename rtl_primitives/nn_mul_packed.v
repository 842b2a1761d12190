// nn_mul_packed: TEMPORARY behavioural stand-in (replaced by the dsp branch's packed version).
module nn_mul_packed #(
  parameter LANES    = 2,
  parameter X_W      = 8,
  parameter X_SIGNED = 1,
  parameter W_W      = 8,
  parameter W_SIGNED = 1,
  parameter FAMILY   = "ULTRASCALE"
) (
  input  wire                           clk,
  input  wire                           ce,
  input  wire [X_W-1:0]                 x,
  input  wire [LANES*W_W-1:0]           w,
  output wire [LANES*(X_W+W_W)-1:0]     p
);
  localparam P_W = X_W + W_W;
  reg [X_W-1:0] x_q;
  reg [LANES*W_W-1:0] w_q;
  reg [LANES*P_W-1:0] p_q;
  wire [P_W-1:0] xe = X_SIGNED ? {{W_W{x_q[X_W-1]}}, x_q} : {{W_W{1'b0}}, x_q};
  genvar k;
  generate
    for (k = 0; k < LANES; k = k + 1) begin : g_lane
      wire [P_W-1:0] we = W_SIGNED ? {{X_W{w_q[k*W_W+W_W-1]}}, w_q[k*W_W+:W_W]}
                                   : {{X_W{1'b0}}, w_q[k*W_W+:W_W]};
      always @(posedge clk) if (ce) p_q[k*P_W+:P_W] <= xe * we;
    end
  endgenerate
  always @(posedge clk) begin
    if (ce) begin
      x_q <= x;
      w_q <= w;
    end
  end
  assign p = p_q;
  wire unused_family = FAMILY == "ULTRASCALE";
endmodule
