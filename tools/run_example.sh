#!/usr/bin/env bash
# The main job end to end on the shipped example (the hls4ml paper's SVHN benchmark
# architecture trained on Fashion-MNIST): installs dependencies, builds nngen, generates the
# RTL, simulates it in Verilator on the shipped test images (normal and --stall), prints
# accuracy, bit-exact agreement, latency and II, then the Yosys resource report.
#   tools/run_example.sh [SPEC] [--parts xcvu9p|xc7z020|all]
set -euo pipefail
cd "$(dirname "$0")/.."
spec=configs/svhn_paper/bf.yaml
parts=all
while [ $# -gt 0 ]; do
  case "$1" in
    --parts) parts=$2; shift 2 ;;
    *) spec=$1; shift ;;
  esac
done
tools/install_deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$(nproc)" --target nngen
out=rtl/$(basename "$spec" .yaml)
./build/nngen build "$spec" -o "$out"
./build/nngen run "$spec"
./build/nngen sim "$out"
./build/nngen sim "$out" --stall --seed 1
./build/nngen synth "$out" --part "$parts" --json "$out/synth/report.json"
