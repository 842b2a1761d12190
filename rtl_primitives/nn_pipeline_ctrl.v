// nn_pipeline_ctrl: the control shell of every generated stream module: the clock enable that
// advances the whole pipeline together and the valid bit of each pipeline stage.
//
// The generated module's registers (its input register or sliding window, the arithmetic's
// pipeline registers) all load on `ce`. The pipeline holds while its last stage is valid and
// not taken (m_valid && !m_ready); otherwise every stage moves one step and in_valid (the
// valid of the values entering stage 1) enters the valid pipeline.
// Latency: STAGES cycles from in_valid to m_valid. Throughput: one beat per cycle.
// src/emit/latency.cpp models this module cycle by cycle; keep the two in agreement.
module nn_pipeline_ctrl #(
  parameter STAGES = 1  // pipeline register stages after the input register (>= 1)
) (
  input  wire clk,
  input  wire rst,       // synchronous, active high: empties the pipeline
  input  wire in_valid,  // the values entering the first stage are valid
  output wire ce,        // clock enable of every data register of the module
  output wire m_valid,   // the last stage holds a valid output beat
  input  wire m_ready
);
  generate
    if (STAGES < 1) begin : g_bad_stages
      $error("nn_pipeline_ctrl: STAGES must be >= 1");
    end
  endgenerate

  reg [STAGES-1:0] valid_pipe;  // valid_pipe[k]: stage k+1 holds a valid beat

  assign ce = !m_valid || m_ready;
  assign m_valid = valid_pipe[STAGES-1];

  generate
    if (STAGES == 1) begin : g_one
      always @(posedge clk) begin
        if (rst) valid_pipe <= 1'b0;
        else if (ce) valid_pipe <= in_valid;
      end
    end else begin : g_many
      always @(posedge clk) begin
        if (rst) valid_pipe <= {STAGES{1'b0}};
        else if (ce) valid_pipe <= {valid_pipe[STAGES-2:0], in_valid};
      end
    end
  endgenerate
endmodule
