#!/usr/bin/env bash
# Golden end-to-end test of one network: nngen build, then Verilator simulation in normal and
# --stall mode; every output bit must equal the C++ reference (nngen sim exits non-zero on any
# mismatch). Also lints the generated RTL with verilator --lint-only -Wall and checks that a
# second build writes byte-identical files (determinism).
# Usage: run_golden.sh NNGEN_BINARY NET_DIR WORK_DIR
set -euo pipefail
nngen=$1; net=$2; work=$3
name=$(basename "$net")
rm -rf "$work"; mkdir -p "$work"
"$nngen" build "$net/$name.yaml" -o "$work/rtl"
top=$(sed -n 's/.*"top": "\(.*\)".*/\1/p' "$work/rtl/design.json")
(cd "$work/rtl" && verilator --lint-only -Wall --top-module "$top" $(cat filelist.f))
echo "lint: verilator --lint-only -Wall clean"
"$nngen" build "$net/$name.yaml" -o "$work/rtl2" >/dev/null 2>&1
diff -r -q -x obj_dir -x run "$work/rtl" "$work/rtl2"
echo "determinism: two builds are byte-identical"
"$nngen" sim "$work/rtl" --input "$net/inputs.npy"
"$nngen" sim "$work/rtl" --input "$net/inputs.npy" --stall --seed 7
# The exact latency in report.txt / design.json must be what the simulation measures (issue 7).
want=$(sed -n 's/.*"stream_latency_cycles": \([0-9]*\).*/\1/p' "$work/rtl/design.json")
got=$("$nngen" sim "$work/rtl" --input "$net/inputs.npy" 2>/dev/null | sed -n 's/.*"latency_max":\([0-9]*\).*/\1/p')
if [ -z "$want" ] || [ "$want" != "$got" ]; then
  echo "latency: design.json says ${want:-nothing}, the simulation measured ${got:-nothing} cycles" >&2
  exit 1
fi
echo "latency: report = simulation = $got cycles"
