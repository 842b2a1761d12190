#!/usr/bin/env bash
# Issue 11: the importers' fuzz findings (tests/fuzz/regressions/keras_json, keras_h5), run
# through the release nngen: each must end in one clear error (exit 1, "nngen: error:"), never a
# crash or an internal error, and write nothing. (Corrupt HDF5 metadata can make libhdf5 ask for
# terabytes: malloc refuses, libhdf5 reports an error; under AddressSanitizer that allocation
# aborts instead, which is why these run here and not in the sanitizer unit tests.)
# Usage: run_import_regressions.sh NNGEN_BINARY SOURCE_DIR WORK_DIR
set -uo pipefail
nngen=$1; src=$2; work=$3
rm -rf "$work"; mkdir -p "$work"
fixture=$src/tests/import/keras
status=0
check() {  # check NAME ARGS...: nngen import ARGS -o $work/out must fail cleanly
  local name=$1; shift
  out=$("$nngen" import "$@" -o "$work/out" 2>&1); rc=$?
  if [ "$rc" -ne 1 ] || ! grep -q "nngen: error:" <<<"$out" || [ -e "$work/out" ]; then
    echo "FAIL $name: exit $rc, $(tail -1 <<<"$out")"; status=1
  else
    echo "ok   $name: $(grep 'nngen: error:' <<<"$out")"
  fi
}
for f in "$src"/tests/fuzz/regressions/keras_h5/*; do
  check "$(basename "$f")" "$fixture/KERAS_3layer.json" --weights "$f"
done
for f in "$src"/tests/fuzz/regressions/keras_json/*; do
  cp "$f" "$work/m.json"; cp "$fixture/KERAS_3layer_weights.h5" "$work/m_weights.h5"
  check "$(basename "$f")" "$work/m.json"
done
exit $status
