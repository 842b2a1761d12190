// nn_skid_buffer: a ready-breaking register slice for AXI4-Stream style valid/ready streams.
//
// s_ready is a register, so the combinational ready path between two pipeline stages is cut;
// data falls through with zero latency while the skid register is empty. When the consumer
// stalls (m_ready low) while a beat is accepted, that beat waits in the skid register and
// s_ready drops until it has left. Beats are never lost, duplicated or reordered, and m_data
// holds while m_valid && !m_ready.
// Latency: 0 cycles (combinational data path when empty). Throughput: one beat per cycle.
module nn_skid_buffer #(
  parameter DATA_W = 8  // bits per beat
) (
  input  wire              clk,
  input  wire              rst,      // synchronous, active high
  input  wire [DATA_W-1:0] s_data,
  input  wire              s_valid,
  output wire              s_ready,
  output wire [DATA_W-1:0] m_data,
  output wire              m_valid,
  input  wire              m_ready
);
  generate
    if (DATA_W < 1) begin : g_bad_width
      $error("nn_skid_buffer: DATA_W must be >= 1");
    end
  endgenerate

  reg              skid_valid;
  reg [DATA_W-1:0] skid_data;

  assign s_ready = !skid_valid;
  assign m_valid = s_valid || skid_valid;
  assign m_data  = skid_valid ? skid_data : s_data;

  always @(posedge clk) begin
    if (rst) begin
      skid_valid <= 1'b0;
    end else if (skid_valid) begin
      if (m_ready) skid_valid <= 1'b0;
    end else if (s_valid && !m_ready) begin
      skid_valid <= 1'b1;
    end
  end

  always @(posedge clk) begin
    if (!skid_valid && s_valid && !m_ready) skid_data <= s_data;
  end
endmodule
