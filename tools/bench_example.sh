#!/usr/bin/env bash
# Benchmark of the shipped example (not a test; nothing here is asserted): wall time of
# `nngen build`, of the Verilator model compile and of the simulation per image (all shipped
# test images, normal and --stall), then the Yosys resource counts on both parts of the paper
# (xcvu9p and xc7z020). Yosys counts are Yosys's own mapping, not Vivado's.
#   tools/bench_example.sh [SPEC]       (default: configs/svhn_paper/bf.yaml)
# Takes tens of minutes on a 2-core machine; the output goes to stdout.
set -euo pipefail
cd "$(dirname "$0")/.."
spec=${1:-configs/svhn_paper/bf.yaml}
out=build/bench/$(basename "$spec" .yaml)

# Runs a command and prints its wall time (seconds) under a label.
timed() {
  local label=$1; shift
  local start=$EPOCHREALTIME
  "$@"
  local end=$EPOCHREALTIME
  awk -v l="$label" -v s="$start" -v e="$end" 'BEGIN { printf "[bench] %-34s %8.1f s\n", l, e - s }'
  last_seconds=$(awk -v s="$start" -v e="$end" 'BEGIN { print e - s }')
}

tools/install_deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$(nproc)" --target nngen
rm -rf "$out"
timed "nngen build" ./build/nngen build "$spec" -o "$out"
timed "Verilator compile (+1 image)" ./build/nngen sim "$out" --max-images 1
images=$(grep -o '"test_images": *[0-9]*' "$out/design.json" | grep -o '[0-9]*$' || echo 0)
timed "simulation, all test images" ./build/nngen sim "$out"
normal=$last_seconds
timed "simulation --stall, all images" ./build/nngen sim "$out" --stall --seed 1
stall=$last_seconds
if [ "${images:-0}" -gt 0 ]; then
  awk -v n="$images" -v a="$normal" -v b="$stall" 'BEGIN {
    printf "[bench] per image: %.1f ms (normal), %.1f ms (--stall), %d images, wall time incl. the C++ reference\n",
           1000 * a / n, 1000 * b / n, n }'
fi
timed "Yosys, both parts" ./build/nngen synth "$out" --part all --json "$out/synth/report.json"
