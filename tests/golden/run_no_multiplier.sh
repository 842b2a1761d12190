#!/usr/bin/env bash
# Issue 10: a network whose Conv2D/Dense layers have binary or ternary weights (or binary
# inputs) contains no multiplier. Builds it, then (1) Yosys reads the generated RTL, flattens
# it and must find no $mul/$macc cell (no multiplication of any kind was written), and (2)
# `nngen synth --part xc7z020` (Yosys synth_xilinx) must map it to 0 DSP slices.
# Usage: run_no_multiplier.sh NNGEN_BINARY NET_DIR WORK_DIR
set -euo pipefail
nngen=$1; net=$2; work=$3
name=$(basename "$net")
rm -rf "$work"; mkdir -p "$work"
"$nngen" build "$net/$name.yaml" -o "$work/rtl" >/dev/null
top=$(sed -n 's/.*"top": "\(.*\)".*/\1/p' "$work/rtl/design.json")
cells=$(cd "$work/rtl" && yosys -q -p "read_verilog -DSYNTHESIS $(tr '\n' ' ' < filelist.f); \
  hierarchy -check -top $top; proc; flatten; opt -fast; tee -o /dev/stdout stat" | \
  awk '/^ +\$[a-z_]+ +[0-9]+$/ { print $1 "=" $2 }' | tr '\n' ' ')
echo "yosys cells of $top before mapping: $cells"
if echo " $cells" | grep -qE ' \$(mul|macc)='; then
  echo "FAIL: the RTL multiplies"; exit 1
fi
grep -q '\$add=' <<< " $cells" || { echo "FAIL: no adder at all (the check read nothing)"; exit 1; }
"$nngen" synth "$work/rtl" --part xc7z020 --json "$work/synth.json" | grep -A2 '^part'
dsp=$(grep -o '"dsp": [0-9.]*' "$work/synth.json" | head -1 | awk '{ print $2 + 0 }')
if [ "$dsp" != "0" ]; then echo "FAIL: $dsp DSP slices"; exit 1; fi
echo "no multiplier: 0 \$mul/\$macc cells, 0 DSP slices (Yosys synth_xilinx xc7)"
