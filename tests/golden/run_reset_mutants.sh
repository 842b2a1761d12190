#!/usr/bin/env bash
# Negative test of the mid-stream reset check (sim/README.md, "Reset in the middle of a stream"):
# the design of a golden net passes `nngen sim --reset-at`, and two mutants of it, each
# correct without a mid-stream reset, must fail it:
#   stale_valid      the pipeline valid bits (nn_pipeline_ctrl, in every stream module and the
#                    argmax stage) ignore rst, so a beat of the image abandoned by a reset in
#                    the last image's output drain still comes out after the reset: the
#                    checker must report an unexpected (stale) beat;
#   window_position  the sliding window's row/column counters ignore rst, so the image streamed
#                    after a reset in the middle of an image is windowed from the wrong
#                    position: the checker must report mismatching beats.
# Usage: run_reset_mutants.sh NNGEN_BINARY NET_DIR WORK_DIR (the net needs an argmax and a
# convolution or pooling layer).
set -euo pipefail
nngen=$1; net=$2; work=$3
name=$(basename "$net")
inputs=$net/inputs.npy
rm -rf "$work"; mkdir -p "$work"
"$nngen" build "$net/$name.yaml" -o "$work/good" >/dev/null
report=$("$nngen" sim "$work/good" --input "$inputs" | sed -n 's/.*driver report: //p')
cycles=$(echo "$report" | grep -o '"cycles":[0-9]*' | cut -d: -f2)
ii=$(echo "$report" | grep -o '"in_ii_max":[0-9]*' | cut -d: -f2)
mid=$((ii * 3 / 2))      # in the middle of the second image
drain=$((cycles - 2))    # after the last input beat, before the last output beat
echo "run of $cycles cycles, $ii cycles per image: resets at cycle $mid and $drain"
"$nngen" sim "$work/good" --input "$inputs" --reset-at "$mid"
"$nngen" sim "$work/good" --input "$inputs" --reset-at "$drain"

# mutant NAME FILE SED_EXPRESSION RESET_CYCLE EXPECTED_TEXT
mutant() {
  local m=$1 file=$2 expr=$3 at=$4 want=$5 out rc
  cp -r "$work/good" "$work/$m"
  rm -rf "$work/$m/sim/obj_dir" "$work/$m/sim/run"
  sed -i "$expr" "$work/$m/$file"
  if cmp -s "$work/good/$file" "$work/$m/$file"; then echo "FAIL: mutation $m did not apply to $file"; exit 1; fi
  if ! "$nngen" sim "$work/$m" --input "$inputs" >/dev/null 2>&1; then
    echo "FAIL: mutant $m should pass without a mid-stream reset"; exit 1
  fi
  set +e
  out=$("$nngen" sim "$work/$m" --input "$inputs" --reset-at "$at" 2>&1)
  rc=$?
  set -e
  echo "$out" | grep -v '^\[' || true
  if [ "$rc" -ne 1 ] || ! echo "$out" | grep -q "$want"; then
    echo "FAIL: mutant $m (reset at cycle $at) was not caught: exit $rc, expected '$want'"; exit 1
  fi
  echo "mutant $m caught (exit $rc)"
}
mutant stale_valid nn_pipeline_ctrl.v 's/if (rst) valid_pipe <=/if (1'"'"'b0) valid_pipe <=/' \
  "$drain" "unexpected output beat"
mutant window_position nn_sliding_window.v \
  '/if (rst) begin/,/end else if (ce) begin/ s/^\( *\)\(row\|col\) <= .*;/\1\2 <= \2;/' \
  "$mid" "mismatching output beats -> FAIL"
