#!/usr/bin/env bash
# Yosys check of rtl_primitives/nn_mul_packed.v: synthesizes one parameter set with the same
# commands nngen's synthesis scripts use (read_verilog -DSYNTHESIS; synth_xilinx -family F
# -flatten) and requires exactly one DSP cell of the family's kind (DSP48E2 for xcup, DSP48E1
# for xc7) and no other DSP or multiplier cell. Prints Yosys's cell counts (these are Yosys's
# mapping, not Vivado's).
# Usage: yosys_mul_packed.sh <nn_mul_packed.v> <xcup|xc7> LANES X_W X_SIGNED W_W W_SIGNED
set -euo pipefail
rtl=$1 family=$2 lanes=$3 xw=$4 xs=$5 ww=$6 ws=$7
case $family in
  xcup) fam=ULTRASCALE dsp=DSP48E2 ;;
  xc7) fam=7SERIES dsp=DSP48E1 ;;
  *) echo "unknown family $family"; exit 2 ;;
esac
log=$(mktemp)
trap 'rm -f "$log"' EXIT
yosys -p "read_verilog -DSYNTHESIS $rtl; chparam -set LANES $lanes -set X_W $xw -set X_SIGNED $xs \
  -set W_W $ww -set W_SIGNED $ws -set FAMILY \"$fam\" nn_mul_packed; \
  synth_xilinx -family $family -top nn_mul_packed -flatten; stat" > "$log" 2>&1 || {
  tail -20 "$log"; echo "FAIL: yosys exited with an error"; exit 1; }
# The cell list of the last `stat` (the one after synthesis), I/O buffers left out.
cells=$(awk '/Printing statistics/ { n = 0; delete c } /^ +[A-Za-z_$][A-Za-z0-9_$]* +[0-9]+$/ { c[$1] = $2 }
  END { for (k in c) if (k !~ /^(IBUF|OBUF|BUFG)$/) printf "%s=%s ", k, c[k]; print "" }' "$log")
echo "yosys synth_xilinx -family $family, LANES=$lanes X_W=$xw X_SIGNED=$xs W_W=$ww W_SIGNED=$ws: $cells"
count() { echo " $cells" | grep -o " $1=[0-9]*" | cut -d= -f2 | awk '{ s += $1 } END { print s + 0 }'; }
ndsp=$(count "$dsp")
nother=$(echo " $cells" | tr ' ' '\n' | grep -E '^(DSP|MULT|\$mul)' | grep -vc "^$dsp=" || true)
if [[ $ndsp -ne 1 || $nother -ne 0 ]]; then
  echo "FAIL: expected exactly 1 $dsp and no other DSP/multiplier cell"
  exit 1
fi
echo "ok: 1 $dsp"
