#!/usr/bin/env bash
# Benchmark of the shipped example: wall time of `nngen build`, of the Verilator model compile
# and of the simulation per image (all shipped test images, normal and --stall), mid-stream
# resets (in the middle of images, in the last image's output drain, and 20 at random points
# under --stall), a long --stall run of 10 passes over the test images (10,000 images for the
# shipped 1,000), then the Yosys resource counts on both parts of the paper (xcvu9p and
# xc7z020). Yosys counts are Yosys's own mapping, not Vivado's. Timings are not asserted; every
# simulation must still be bit-exact (`nngen sim` exits non-zero on any mismatching beat).
# The build's plan (reuse factor, PE x SIMD, products per DSP per folded layer) and its resource
# estimate are printed before the simulations; `nngen synth` prints the estimate beside Yosys.
#   BENCH_REPEAT=K sets the passes of the long run (default 10); BENCH_QUICK=1 skips the reset
#   and long runs.
#   tools/bench_example.sh SPEC [BUILD OPTIONS...]   one design, e.g. --fit xc7z020
#   tools/bench_example.sh                           the designs of issue 9: the shipped 16-bit
#       model folded automatically at II 1024 within 1000 DSPs (latency <= 1200 cycles), the
#       7-bit pruned model fitted to the XC7Z020 (latency <= 1100 cycles) and folded for the
#       VU9P within hls4ml's 174 DSPs
# Takes tens of minutes on a 2-core machine; the output goes to stdout.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ $# -eq 0 ]; then
  BENCH_NAME=bf_dsp1000 "$0" configs/svhn_paper/bf.yaml --max-dsp 1000 --max-latency 1200
  BENCH_QUICK=1 BENCH_NAME=qp7_xc7z020 "$0" configs/svhn_paper/qp7.yaml --fit xc7z020 --max-latency 1100
  BENCH_QUICK=1 BENCH_NAME=qp7_xcvu9p "$0" configs/svhn_paper/qp7.yaml --max-dsp 174 --max-latency 2000
  exit 0
fi
spec=$1; shift
out=build/bench/${BENCH_NAME:-$(basename "$spec" .yaml)}
echo "[bench] ===== $spec $* ====="

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
timed "nngen build" ./build/nngen build "$spec" -o "$out" "$@"
timed "Verilator compile (+1 image)" ./build/nngen sim "$out" --max-images 1
images=$(grep -o '"test_images": *[0-9]*' "$out/design.json" | grep -o '[0-9]*$' || echo 0)
sim_normal() { ./build/nngen sim "$out" | tee "$out/sim_normal.txt"; }
timed "simulation, all test images" sim_normal
normal=$last_seconds
timed "simulation --stall, all images" ./build/nngen sim "$out" --stall --seed 1
stall=$last_seconds
if [ "${images:-0}" -gt 0 ]; then
  awk -v n="$images" -v a="$normal" -v b="$stall" 'BEGIN {
    printf "[bench] per image: %.1f ms (normal), %.1f ms (--stall), %d images, wall time incl. the C++ reference\n",
           1000 * a / n, 1000 * b / n, n }'
fi
if [ -n "${BENCH_QUICK:-}" ]; then
  timed "Yosys, both parts" ./build/nngen synth "$out" --part all --json "$out/synth/report.json"
  exit 0
fi
# Mid-stream resets (cycle numbers from the normal run): in the middle of the second image and
# inside one half-way through the stream; one cycle before the last image's output beat (the
# last image starts ii cycles before the end of the run, or its output comes last); 20 at
# random points under --stall (fewer for fewer than 80 test images).
field() { grep -o "\"$1\":[0-9]*" "$out/sim_normal.txt" | cut -d: -f2; }
cycles=$(field cycles); ii=$(field in_ii_max); lat=$(field latency_max); n=$(field stream_images)
last=$((lat < ii ? cycles - ii + lat - 1 : cycles - 2))
random_resets=$((n >= 80 ? 20 : (n >= 8 ? n / 4 : 1)))
timed "simulation, 2 resets mid-image" ./build/nngen sim "$out" --reset-at $((ii * 3 / 2)),$((ii * (n / 2) + ii / 3))
timed "simulation, reset before last output" ./build/nngen sim "$out" --reset-at "$last"
timed "simulation --stall, $random_resets random resets" \
  ./build/nngen sim "$out" --stall --seed 3 --reset-random "$random_resets"
repeat=${BENCH_REPEAT:-10}
timed "simulation --stall, $repeat passes" ./build/nngen sim "$out" --stall --seed 1 --repeat "$repeat"
timed "Yosys, both parts" ./build/nngen synth "$out" --part all --json "$out/synth/report.json"
