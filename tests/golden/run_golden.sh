#!/usr/bin/env bash
# Golden end-to-end test of one network: nngen build, then Verilator simulation in normal and
# --stall mode; every output bit must equal the C++ reference (nngen sim exits non-zero on any
# mismatch). Also lints the generated RTL with verilator --lint-only -Wall and Yosys read_verilog,
# checks that a second build writes byte-identical files (determinism), and simulates resets
# in the middle of the stream.
# Usage: run_golden.sh NNGEN_BINARY NET_DIR WORK_DIR
set -euo pipefail
nngen=$1; net=$2; work=$3
name=$(basename "$net")
rm -rf "$work"; mkdir -p "$work"
"$nngen" build "$net/$name.yaml" -o "$work/rtl"
top=$(sed -n 's/.*"top": "\(.*\)".*/\1/p' "$work/rtl/design.json")
(cd "$work/rtl" && verilator --lint-only -Wall --top-module "$top" $(cat filelist.f))
echo "lint: verilator --lint-only -Wall clean"
(cd "$work/rtl" && yosys -q -p "read_verilog -DSYNTHESIS $(tr '\n' ' ' < filelist.f); hierarchy -check -top $top")
# and as the UltraScale+ script reads it (DSP cascades as DSP48E2 instances)
(cd "$work/rtl" && yosys -q -p "read_verilog -lib +/xilinx/cells_xtra.v; \
  read_verilog -DSYNTHESIS -DNNGEN_DSP48E2 $(tr '\n' ' ' < filelist.f); hierarchy -check -top $top")
echo "lint: yosys read_verilog + hierarchy -check clean (with and without NNGEN_DSP48E2)"
"$nngen" build "$net/$name.yaml" -o "$work/rtl2" >/dev/null 2>&1
diff -r -q -x obj_dir -x run "$work/rtl" "$work/rtl2"
echo "determinism: two builds are byte-identical"
"$nngen" sim "$work/rtl" --input "$net/inputs.npy"
"$nngen" sim "$work/rtl" --input "$net/inputs.npy" --stall --seed 7
# a spec with test_data carries its testbench: `nngen sim rtl/` alone (float features too)
if grep -q '^test_data:' "$net/$name.yaml"; then "$nngen" sim "$work/rtl"; fi
# Mid-stream resets (sim/README.md): in the middle of the second image, in the middle of the
# fifth, and in the output drain of the last image (alone, and with a second pass streamed
# after it), then at random points under --stall; every image streamed after a reset must be
# bit-exact and no beat of an abandoned image may come out.
report=$("$nngen" sim "$work/rtl" --input "$net/inputs.npy" | sed -n 's/.*driver report: //p')
cycles=$(echo "$report" | grep -o '"cycles":[0-9]*' | cut -d: -f2)
ii=$(echo "$report" | grep -o '"in_ii_max":[0-9]*' | cut -d: -f2)
"$nngen" sim "$work/rtl" --input "$net/inputs.npy" --reset-at $((ii * 3 / 2)),$((ii * 4 + ii / 2))
"$nngen" sim "$work/rtl" --input "$net/inputs.npy" --reset-at $((cycles - 2)) | tee "$work/reset_drain.txt"
grep -q '"abandoned_images":[1-9]' "$work/reset_drain.txt"
"$nngen" sim "$work/rtl" --input "$net/inputs.npy" --repeat 2 --reset-at $((cycles - 2))
"$nngen" sim "$work/rtl" --input "$net/inputs.npy" --stall --seed 11 --reset-random 4 --reset-cycles 2
# The exact latency in report.txt / design.json must be what the simulation measures (issue 7).
want=$(sed -n 's/.*"stream_latency_cycles": \([0-9]*\).*/\1/p' "$work/rtl/design.json")
got=$(echo "$report" | grep -o '"latency_max":[0-9]*' | cut -d: -f2)
if [ -z "$want" ] || [ "$want" != "$got" ]; then
  echo "latency: design.json says ${want:-nothing}, the simulation measured ${got:-nothing} cycles" >&2
  exit 1
fi
echo "latency: report = simulation = $got cycles"
