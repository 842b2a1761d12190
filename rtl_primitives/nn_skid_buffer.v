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

`ifndef SYNTHESIS
  // Simulation checks (Verilator --assert; synthesis defines SYNTHESIS and skips them). The
  // AXI4-Stream hold rule on both sides: a beat offered and not taken at a rising edge is
  // offered again, unchanged, at the next one. The input side checks the producer, the output
  // side this buffer.
  reg              s_stalled_q, m_stalled_q;  // the beat was offered and not taken
  reg [DATA_W-1:0] s_data_q, m_data_q;        // the data of that beat
  always @(posedge clk) begin
    s_stalled_q <= !rst && s_valid && !s_ready;
    m_stalled_q <= !rst && m_valid && !m_ready;
    s_data_q <= s_data;
    m_data_q <= m_data;
    if (!rst && s_stalled_q) begin
      assert (s_valid)
      else $error("nn_skid_buffer: s_valid dropped while the beat s_data = 0x%0h was stalled (AXI hold rule)",
                  s_data_q);
      assert (!s_valid || s_data == s_data_q)
      else $error("nn_skid_buffer: s_data changed from 0x%0h to 0x%0h while s_valid && !s_ready (AXI hold rule)",
                  s_data_q, s_data);
    end
    if (!rst && m_stalled_q) begin
      assert (m_valid)
      else $error("nn_skid_buffer: m_valid dropped while the beat m_data = 0x%0h was stalled (AXI hold rule)",
                  m_data_q);
      assert (!m_valid || m_data == m_data_q)
      else $error("nn_skid_buffer: m_data changed from 0x%0h to 0x%0h while m_valid && !m_ready (AXI hold rule)",
                  m_data_q, m_data);
    end
  end
`endif
endmodule
