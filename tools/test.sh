#!/usr/bin/env bash
# The whole test suite: installs dependencies, checks the C++ formatting (clang-format), builds
# nngen, runs every test with CTest
# (GoogleTest units, Verilator testbenches of the RTL primitives, golden networks simulated
# bit-exact in Verilator), then the unit tests again built with AddressSanitizer and
# UndefinedBehaviorSanitizer (build-asan; any report fails the test), then prints the resource
# estimate of the shipped models and the Yosys resource report of the smallest example.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/install_deps.sh
echo "== clang-format --dry-run -Werror over src/, sim/, tests/ (the repo's .clang-format) =="
find src sim tests \( -name '*.cpp' -o -name '*.h' \) -print0 | xargs -0 clang-format --dry-run -Werror
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$(nproc)"
(cd build && ctest --output-on-failure -j"$(nproc)")
echo "== unit tests with AddressSanitizer and UndefinedBehaviorSanitizer (build-asan, ctest -L unit) =="
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DNNGEN_SANITIZE=ON >/dev/null
cmake --build build-asan -j"$(nproc)" --target nngen_unit_tests
(cd build-asan && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
  ctest -L unit --output-on-failure -j"$(nproc)")
echo "== Resource estimate of the shipped models (nngen's cost model, calibrated against Yosys) =="
./build/nngen build configs/svhn_paper/bf.yaml -o build/bf_rtl --max-images 1 | sed -n '/^Resource estimate/,/^latency/p'
./build/nngen build configs/svhn_paper/qp7.yaml -o build/qp7_rtl --fit xc7z020 --max-latency 1100 \
  --max-images 1 | sed -n '/^Resource estimate/,/^latency/p'
echo "== The C++ reference on every shipped model (their 1000 test images) =="
for spec in configs/svhn_paper/*.yaml configs/svhn_paper/aq*/suggested.yaml; do
  acc=$(./build/nngen run "$spec" | grep 'accuracy (fixed-point reference)')  # fails CI if it fails
  echo "$spec: $acc"
done
echo "== Yosys resource report of the smallest example (configs/tiny), beside its estimate =="
./build/nngen build configs/tiny/tiny.yaml -o build/tiny_rtl
./build/nngen synth build/tiny_rtl --json build/tiny_rtl/synth/report.json
cat build/tiny_rtl/synth/report.json
