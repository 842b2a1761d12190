// tb_requantize: instantiates nn_requantize for every shape of the table below with every
// ROUNDING (0..6) x OVERFLOW (0..3), all reading the low IN_W bits of one 64-bit input.
// Instance ((shape*7 + rounding)*4 + overflow) drives out_all[64*index +: 64] (zero-extended).
// The table is also output (shape_table) so that the C++ side reads it instead of copying it.
module tb_requantize #(
  parameter NSHAPES = 36  // rows of the table in shape_row()
) (
  input  wire [63:0]              in_data,
  output wire [64*NSHAPES*28-1:0] out_all,
  output wire [160*NSHAPES-1:0]   shape_table  // per shape: {IN_W, IN_SIGNED, OUT_W, OUT_SIGNED, SHIFT}, 32 bits each
);
  function [159:0] pack(input integer iw, input integer is, input integer ow, input integer os,
                        input integer sh);
    pack = {iw, is, ow, os, sh};
  endfunction

  // The shapes. Inputs of up to 10 bits are driven exhaustively, wider ones with edge and
  // random values.
  function [159:0] shape_row(input integer s);
    case (s)
      // bits dropped; narrowing and widening; every signedness
      0: shape_row = pack(8, 1, 4, 1, 3);
      1: shape_row = pack(8, 1, 6, 0, 2);
      2: shape_row = pack(8, 0, 5, 1, 2);
      3: shape_row = pack(8, 0, 4, 0, 3);
      4: shape_row = pack(10, 1, 12, 1, 1);  // one bit dropped: no bits below the half bit
      5: shape_row = pack(9, 1, 9, 1, 4);
      6: shape_row = pack(7, 0, 9, 0, 2);
      7: shape_row = pack(4, 1, 2, 1, 1);
      8: shape_row = pack(4, 1, 1, 1, 2);    // 1-bit signed output (ap_int<1>)
      9: shape_row = pack(3, 1, 1, 0, 1);    // 1-bit unsigned output
      // no shift
      10: shape_row = pack(6, 1, 10, 1, 0);
      11: shape_row = pack(6, 1, 5, 1, 0);
      12: shape_row = pack(7, 0, 7, 0, 0);
      13: shape_row = pack(6, 0, 6, 1, 0);
      14: shape_row = pack(6, 1, 8, 0, 0);
      15: shape_row = pack(1, 1, 3, 1, 0);   // 1-bit signed input
      // bits appended (left shift), also by OUT_W bits or more
      16: shape_row = pack(1, 0, 2, 1, -1);
      17: shape_row = pack(6, 1, 8, 1, -3);
      18: shape_row = pack(5, 0, 6, 1, -2);
      19: shape_row = pack(5, 1, 12, 0, -4);
      20: shape_row = pack(9, 1, 3, 1, -5);
      21: shape_row = pack(4, 0, 3, 0, -20);
      // every input bit dropped: SHIFT = IN_W, IN_W + 1, far beyond
      22: shape_row = pack(6, 1, 4, 1, 6);
      23: shape_row = pack(6, 1, 4, 1, 7);
      24: shape_row = pack(5, 1, 3, 1, 9);
      25: shape_row = pack(6, 0, 3, 0, 6);
      26: shape_row = pack(6, 0, 3, 1, 7);
      27: shape_row = pack(5, 0, 3, 0, 12);
      // wide inputs
      28: shape_row = pack(40, 1, 16, 1, 8);
      29: shape_row = pack(40, 0, 20, 1, 13);
      30: shape_row = pack(40, 1, 18, 0, 22);
      31: shape_row = pack(48, 1, 60, 1, -5);
      32: shape_row = pack(63, 0, 62, 0, 1);
      33: shape_row = pack(64, 1, 6, 1, 56);
      34: shape_row = pack(64, 1, 8, 1, 64);   // the C++ model's shift > 63 path
      35: shape_row = pack(64, 1, 8, 1, 65);
      default: shape_row = {160{1'b0}};        // widths 0: nn_requantize's legality check fires
    endcase
  endfunction

  genvar s, r, o;
  generate
    for (s = 0; s < NSHAPES; s = s + 1) begin : g_shape
      localparam [159:0] ROW = shape_row(s);
      localparam integer IW = ROW[159:128];
      localparam integer IS = ROW[127:96];
      localparam integer OW = ROW[95:64];
      localparam integer OS = ROW[63:32];
      localparam integer SH = ROW[31:0];
      assign shape_table[160*s +: 160] = ROW;
      for (r = 0; r < 7; r = r + 1) begin : g_rnd
        for (o = 0; o < 4; o = o + 1) begin : g_ovf
          localparam IDX = (s * 7 + r) * 4 + o;
          wire [OW-1:0] y;
          nn_requantize #(
            .IN_W(IW), .IN_SIGNED(IS), .OUT_W(OW), .OUT_SIGNED(OS), .SHIFT(SH), .ROUNDING(r),
            .OVERFLOW(o)
          ) u_dut (.in_data(in_data[IW-1:0]), .out_data(y));
          if (OW < 64) begin : g_pad
            assign out_all[64*IDX +: 64] = {{(64-OW){1'b0}}, y};
          end else begin : g_full
            assign out_all[64*IDX +: 64] = y;
          end
        end
      end
    end
  endgenerate
endmodule
