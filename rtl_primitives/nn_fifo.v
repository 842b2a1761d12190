// nn_fifo: a synchronous FIFO between two stream modules, used in front of a folded layer to
// absorb the bursts of its input (the planner sizes it, src/emit/plan.cpp).
//
// DEPTH beats of DATA_W bits in a memory with asynchronous read (LUT-RAM), a write and a read
// pointer and a count. s_ready = count != DEPTH and m_valid = count != 0 are registers' values,
// so neither ready nor valid passes combinationally through the FIFO (like nn_skid_buffer).
// A beat written in cycle t can be read from cycle t+1: latency 1 cycle, throughput one beat
// per cycle. src/emit/latency.cpp models this module cycle by cycle; keep the two in agreement.
module nn_fifo #(
  parameter DATA_W = 8,  // bits per beat
  parameter DEPTH  = 4   // beats (>= 2)
) (
  input  wire              clk,
  input  wire              rst,  // synchronous, active high: empties the FIFO
  input  wire [DATA_W-1:0] s_data,
  input  wire              s_valid,
  output wire              s_ready,
  output wire [DATA_W-1:0] m_data,
  output wire              m_valid,
  input  wire              m_ready
);
  localparam AW = (DEPTH > 1) ? $clog2(DEPTH) : 1;
  localparam CW = $clog2(DEPTH + 1);
  localparam [31:0] LAST_32 = DEPTH - 1;
  localparam [31:0] DEPTH_32 = DEPTH;
  localparam [AW-1:0] LAST = LAST_32[AW-1:0];
  localparam [CW-1:0] FULL = DEPTH_32[CW-1:0];

  generate
    if (DEPTH < 2) begin : g_bad_depth
      $error("nn_fifo: DEPTH must be >= 2 (use nn_skid_buffer for less)");
    end
  endgenerate

  reg [DATA_W-1:0] mem [0:DEPTH-1];
  reg [AW-1:0] wr_ptr, rd_ptr;
  reg [CW-1:0] count;
  wire wr = s_valid && s_ready;
  wire rd = m_valid && m_ready;

  assign s_ready = count != FULL;
  assign m_valid = count != {CW{1'b0}};
  assign m_data = mem[rd_ptr];

  always @(posedge clk) begin
    if (wr) mem[wr_ptr] <= s_data;
  end

  always @(posedge clk) begin
    if (rst) begin
      wr_ptr <= {AW{1'b0}};
      rd_ptr <= {AW{1'b0}};
      count <= {CW{1'b0}};
    end else begin
      if (wr) wr_ptr <= (wr_ptr == LAST) ? {AW{1'b0}} : wr_ptr + 1'b1;
      if (rd) rd_ptr <= (rd_ptr == LAST) ? {AW{1'b0}} : rd_ptr + 1'b1;
      if (wr && !rd) count <= count + 1'b1;
      else if (rd && !wr) count <= count - 1'b1;
    end
  end

`ifndef SYNTHESIS
  // AXI4-Stream: a beat offered while the FIFO is full must be held until taken.
  reg             prev_stall = 1'b0;
  reg [DATA_W-1:0] prev_data;
  always @(posedge clk) begin
    if (!rst && prev_stall && s_data !== prev_data)
      $error("nn_fifo: s_data changed while s_valid && !s_ready (AXI hold rule)");
    prev_stall <= !rst && s_valid && !s_ready;
    prev_data <= s_data;
  end
`endif
endmodule
