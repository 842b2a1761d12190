// nn_sliding_window: line buffer and sliding window for streaming Conv2D and pooling
// (the hls4ml CNN paper's streaming convolution, section 3, built as RTL).
//
// Input: an image streamed one pixel per beat in raster order (row 0 col 0, row 0 col 1, ...),
// all CHANNELS values of a pixel in one beat, channel 0 in the low bits; images back to back.
// The module walks the zero-padded grid of HP = IMG_H+PAD_TOP+PAD_BOTTOM rows and
// WP = IMG_W+PAD_LEFT+PAD_RIGHT columns one position per step. A padding position is stepped
// with an all-zero pixel without consuming input (s_ready low); a real position steps when a
// beat is accepted. After a step at padded position (r, c) whose window is an output
// (r >= KERNEL_H-1, c >= KERNEL_W-1, on the stride grid), window_valid is high in the next
// cycle and `window` holds the KERNEL_H x KERNEL_W window with bottom-right corner (r, c).
// Window layout: element (kh, kw, ch), kh = 0 the top row, kw = 0 the left column, is at bits
// [((kh*KERNEL_W + kw)*CHANNELS + ch)*DATA_W +: DATA_W], the weight order [kh][kw][cin].
// ce = 0 freezes everything (the caller's pipeline is stalled); a ce = 1 cycle without a step
// clears window_valid.
// Storage: a line buffer of KERNEL_H-1 rows of WP pixels (one memory, synchronous read with the
// next column prefetched, so it maps to BRAM or LUT-RAM) plus KERNEL_H x KERNEL_W registers.
// Latency: 1 cycle from a step to its window. Throughput: one step per cycle; an image takes
// HP*WP steps, of which IMG_H*IMG_W consume input.
module nn_sliding_window #(
  parameter IMG_H      = 8,  // input image rows (pixels)
  parameter IMG_W      = 8,  // input image columns (pixels)
  parameter CHANNELS   = 1,  // values per pixel
  parameter DATA_W     = 8,  // bits per value
  parameter KERNEL_H   = 3,  // window rows
  parameter KERNEL_W   = 3,  // window columns
  parameter STRIDE_H   = 1,  // rows between windows
  parameter STRIDE_W   = 1,  // columns between windows
  parameter PAD_TOP    = 0,  // zero rows above the image
  parameter PAD_BOTTOM = 0,  // zero rows below the image
  parameter PAD_LEFT   = 0,  // zero columns left of the image
  parameter PAD_RIGHT  = 0   // zero columns right of the image
) (
  input  wire                                     clk,
  input  wire                                     rst,  // synchronous, active high
  input  wire                                     ce,   // pipeline advance; 0 holds all state
  input  wire [CHANNELS*DATA_W-1:0]               s_data,
  input  wire                                     s_valid,
  output wire                                     s_ready,
  output wire [KERNEL_H*KERNEL_W*CHANNELS*DATA_W-1:0] window,
  output reg                                      window_valid
);
  localparam HP = IMG_H + PAD_TOP + PAD_BOTTOM;
  localparam WP = IMG_W + PAD_LEFT + PAD_RIGHT;
  localparam PIX_W = CHANNELS * DATA_W;
  localparam ROW_BITS = (HP > 1) ? $clog2(HP) : 1;
  localparam COL_BITS = (WP > 1) ? $clog2(WP) : 1;
  localparam RPH_BITS = (STRIDE_H > 1) ? $clog2(STRIDE_H) : 1;
  localparam CPH_BITS = (STRIDE_W > 1) ? $clog2(STRIDE_W) : 1;
  // Constants sized to their counters (part-selects of 32-bit values keep lint quiet).
  localparam [31:0] LAST_ROW_32 = HP - 1;
  localparam [31:0] LAST_COL_32 = WP - 1;
  localparam [31:0] FIRST_OUT_ROW_32 = KERNEL_H - 1;
  localparam [31:0] FIRST_OUT_COL_32 = KERNEL_W - 1;
  localparam [31:0] IMG_ROW_BEGIN_32 = PAD_TOP;
  localparam [31:0] IMG_ROW_LAST_32 = PAD_TOP + IMG_H - 1;
  localparam [31:0] IMG_COL_BEGIN_32 = PAD_LEFT;
  localparam [31:0] IMG_COL_LAST_32 = PAD_LEFT + IMG_W - 1;
  localparam [31:0] LAST_RPH_32 = STRIDE_H - 1;
  localparam [31:0] LAST_CPH_32 = STRIDE_W - 1;
  localparam [ROW_BITS-1:0] LAST_ROW = LAST_ROW_32[ROW_BITS-1:0];
  localparam [COL_BITS-1:0] LAST_COL = LAST_COL_32[COL_BITS-1:0];
  localparam [ROW_BITS-1:0] FIRST_OUT_ROW = FIRST_OUT_ROW_32[ROW_BITS-1:0];
  localparam [COL_BITS-1:0] FIRST_OUT_COL = FIRST_OUT_COL_32[COL_BITS-1:0];
  localparam [ROW_BITS-1:0] IMG_ROW_BEGIN = IMG_ROW_BEGIN_32[ROW_BITS-1:0];
  localparam [ROW_BITS-1:0] IMG_ROW_LAST = IMG_ROW_LAST_32[ROW_BITS-1:0];
  localparam [COL_BITS-1:0] IMG_COL_BEGIN = IMG_COL_BEGIN_32[COL_BITS-1:0];
  localparam [COL_BITS-1:0] IMG_COL_LAST = IMG_COL_LAST_32[COL_BITS-1:0];
  localparam [RPH_BITS-1:0] LAST_RPH = LAST_RPH_32[RPH_BITS-1:0];
  localparam [CPH_BITS-1:0] LAST_CPH = LAST_CPH_32[CPH_BITS-1:0];

  generate
    if (IMG_H < 1 || IMG_W < 1 || CHANNELS < 1 || DATA_W < 1 || KERNEL_H < 1 || KERNEL_W < 1 ||
        STRIDE_H < 1 || STRIDE_W < 1) begin : g_bad_size
      $error("nn_sliding_window: sizes, kernel and strides must be >= 1");
    end
    if (PAD_TOP < 0 || PAD_BOTTOM < 0 || PAD_LEFT < 0 || PAD_RIGHT < 0) begin : g_bad_pad
      $error("nn_sliding_window: padding must be >= 0");
    end
    if (KERNEL_H > HP || KERNEL_W > WP) begin : g_bad_kernel
      $error("nn_sliding_window: the kernel is larger than the padded image");
    end
  endgenerate

  // Position of the next step in the padded grid, and its phase on the stride grid.
  reg [ROW_BITS-1:0] row;
  reg [COL_BITS-1:0] col;
  reg [RPH_BITS-1:0] row_phase;  // (row - (KERNEL_H-1)) mod STRIDE_H once row >= KERNEL_H-1
  reg [CPH_BITS-1:0] col_phase;
  // Comparisons that are constant for some parameters are generated only where needed.
  wire row_ge_top, row_le_bottom, col_ge_left, col_le_right, row_ge_first, col_ge_first;
  generate
    if (PAD_TOP == 0) begin : g_no_top
      assign row_ge_top = 1'b1;
    end else begin : g_top
      assign row_ge_top = row >= IMG_ROW_BEGIN;
    end
    if (PAD_BOTTOM == 0) begin : g_no_bottom
      assign row_le_bottom = 1'b1;
    end else begin : g_bottom
      assign row_le_bottom = row <= IMG_ROW_LAST;
    end
    if (PAD_LEFT == 0) begin : g_no_left
      assign col_ge_left = 1'b1;
    end else begin : g_left
      assign col_ge_left = col >= IMG_COL_BEGIN;
    end
    if (PAD_RIGHT == 0) begin : g_no_right
      assign col_le_right = 1'b1;
    end else begin : g_right
      assign col_le_right = col <= IMG_COL_LAST;
    end
    if (KERNEL_H == 1) begin : g_row_first
      assign row_ge_first = 1'b1;
    end else begin : g_row_later
      assign row_ge_first = row >= FIRST_OUT_ROW;
    end
    if (KERNEL_W == 1) begin : g_col_first
      assign col_ge_first = 1'b1;
    end else begin : g_col_later
      assign col_ge_first = col >= FIRST_OUT_COL;
    end
  endgenerate
  wire in_image = row_ge_top && row_le_bottom && col_ge_left && col_le_right;
  wire step = ce && (!in_image || s_valid);
  assign s_ready = ce && in_image;
  wire [PIX_W-1:0] pixel = in_image ? s_data : {PIX_W{1'b0}};
  wire row_out = row_ge_first && (row_phase == {RPH_BITS{1'b0}});
  wire col_out = col_ge_first && (col_phase == {CPH_BITS{1'b0}});
  wire last_col = (col == LAST_COL);
  wire [COL_BITS-1:0] next_col = last_col ? {COL_BITS{1'b0}} : col + 1'b1;

  always @(posedge clk) begin
    if (rst) begin
      row <= {ROW_BITS{1'b0}};
      col <= {COL_BITS{1'b0}};
      row_phase <= {RPH_BITS{1'b0}};
      col_phase <= {CPH_BITS{1'b0}};
      window_valid <= 1'b0;
    end else if (ce) begin
      window_valid <= step && row_out && col_out;
      if (step) begin
        col <= next_col;
        if (col_ge_first) col_phase <= (col_phase == LAST_CPH) ? {CPH_BITS{1'b0}} : col_phase + 1'b1;
        if (last_col) begin
          col_phase <= {CPH_BITS{1'b0}};
          if (row == LAST_ROW) begin
            row <= {ROW_BITS{1'b0}};
            row_phase <= {RPH_BITS{1'b0}};
          end else begin
            row <= row + 1'b1;
            if (row_ge_first) row_phase <= (row_phase == LAST_RPH) ? {RPH_BITS{1'b0}} : row_phase + 1'b1;
          end
        end
      end
    end
  end

  // The new column of the window: the KERNEL_H-1 rows above from the line buffer (oldest in
  // the low bits) and the new pixel on top.
  wire [KERNEL_H*PIX_W-1:0] column;
  generate
    if (KERNEL_H == 1) begin : g_no_line_buffer
      assign column = pixel;
    end else begin : g_line_buffer
      localparam LB_W = (KERNEL_H - 1) * PIX_W;
      reg [LB_W-1:0] line_buffer [0:WP-1];
      reg [LB_W-1:0] above;  // line_buffer[col], read one cycle ahead
      wire [LB_W-1:0] shifted;
      if (KERNEL_H == 2) begin : g_one_row
        assign shifted = pixel;
      end else begin : g_rows
        assign shifted = {pixel, above[LB_W-1:PIX_W]};
      end
      // Read the column of the next step: col+1 after a step, col otherwise. With WP == 1 that
      // is the column being written, so the new value is forwarded.
      wire [COL_BITS-1:0] rd_addr = step ? next_col : col;
      always @(posedge clk) begin
        if (step) line_buffer[col] <= shifted;
        above <= (step && rd_addr == col) ? shifted : line_buffer[rd_addr];
      end
      assign column = {pixel, above};
    end
  endgenerate

  // Window registers: each row shifts left by one column per step.
  reg [PIX_W-1:0] win [0:KERNEL_H*KERNEL_W-1];
  genvar kh, kw;
  generate
    for (kh = 0; kh < KERNEL_H; kh = kh + 1) begin : g_row
      for (kw = 0; kw < KERNEL_W; kw = kw + 1) begin : g_col
        always @(posedge clk) begin
          if (step) begin
            if (kw == KERNEL_W - 1) win[kh*KERNEL_W + kw] <= column[kh*PIX_W +: PIX_W];
            else win[kh*KERNEL_W + kw] <= win[kh*KERNEL_W + kw + 1];
          end
        end
        assign window[(kh*KERNEL_W + kw)*PIX_W +: PIX_W] = win[kh*KERNEL_W + kw];
      end
    end
  endgenerate

`ifndef SYNTHESIS
  // Simulation checks (Verilator --assert; synthesis defines SYNTHESIS and skips them).
  // The producer keeps the AXI4-Stream hold rule: a beat offered and not taken (s_valid &&
  // !s_ready) is offered again, unchanged, at the next rising edge. And ce = 0 freezes the
  // output: a window not taken (window_valid && !ce) is still there, unchanged, a cycle later.
  reg                                     s_stalled_q, w_stalled_q;
  reg [PIX_W-1:0]                         s_data_q;
  reg [KERNEL_H*KERNEL_W*CHANNELS*DATA_W-1:0] window_q;
  always @(posedge clk) begin
    s_stalled_q <= !rst && s_valid && !s_ready;
    w_stalled_q <= !rst && window_valid && !ce;
    s_data_q <= s_data;
    window_q <= window;
    if (!rst && s_stalled_q) begin
      assert (s_valid)
      else $error("nn_sliding_window: s_valid dropped while the beat s_data = 0x%0h was stalled (AXI hold rule)",
                  s_data_q);
      assert (!s_valid || s_data == s_data_q)
      else $error("nn_sliding_window: s_data changed from 0x%0h to 0x%0h while s_valid && !s_ready (AXI hold rule)",
                  s_data_q, s_data);
    end
    if (!rst && w_stalled_q) begin
      // (the window itself is not printed: it can exceed the 8192 bits a Verilator $display takes)
      assert (window_valid && window == window_q)
      else $error("nn_sliding_window: window_valid %0d or the window changed while ce = 0 (it was valid)",
                  window_valid);
    end
  end
`endif
endmodule
