#!/usr/bin/env bash
# Installs what nngen needs from Debian's packages (run as root; a no-op when all is there).
#   build + test: cmake g++ clang-format libyaml-cpp-dev libfmt-dev libcli11-dev libxtensor-dev gnuplot-nox libhdf5-dev libonnx-dev libprotobuf-dev
#                 nlohmann-json3-dev libgtest-dev libgmock-dev verilator yosys
#   --train:      python3-torch python3-numpy python3-yaml dataset-fashion-mnist (tools/train_svhn_paper.py)
#   --fuzz:       clang libclang-rt-14-dev llvm-14 (libFuzzer, sanitizer runtimes, llvm-cov: tools/fuzz.sh)
#   --bench:      python3-numpy python3-yaml python3-matplotlib python3-h5py python3-onnx (tools/reuse_sweep.py, tools/keras_check.py)
set -euo pipefail
pkgs=(cmake make g++ clang-format libyaml-cpp-dev libfmt-dev libcli11-dev libxtensor-dev nlohmann-json3-dev gnuplot-nox libhdf5-dev libonnx-dev libprotobuf-dev
      libgtest-dev libgmock-dev verilator yosys)
if [ "${1:-}" = "--train" ]; then
  pkgs+=(python3-torch python3-numpy python3-yaml dataset-fashion-mnist)
fi
if [ "${1:-}" = "--bench" ]; then
  pkgs+=(python3-numpy python3-yaml python3-matplotlib python3-h5py python3-onnx)
fi
if [ "${1:-}" = "--fuzz" ]; then
  pkgs+=(clang libclang-rt-14-dev llvm-14)
fi
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install_deps: all ${#pkgs[@]} packages present"
  exit 0
fi
echo "install_deps: installing ${missing[*]}"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
