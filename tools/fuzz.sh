#!/usr/bin/env bash
# Fuzzes the spec loader (YAML text -> loadSpec -> every pass), the .npy reader and the Keras
# and ONNX importers (architecture JSON, HDF5 weights, ONNX -> import -> loadSpec -> every pass)
# with libFuzzer,
# built by clang with AddressSanitizer and UndefinedBehaviorSanitizer (tests/fuzz, NNGEN_FUZZ).
# Not part of CI (it takes a while): run it after changing src/spec/.
#
#   tools/fuzz.sh [RUNS]      RUNS executions per target (default 1000000)
#
# Seeds: every spec under configs/ and tests/ (weight paths made absolute so they still resolve),
# tests/fuzz/seeds/, every .npy under configs/ and tests/, and the regression inputs of
# tests/fuzz/regressions/. Prints per target: executions, crashes (artifacts under
# build-fuzz/work/), sanitizer reports, libFuzzer's coverage figures (cov: edges, ft:
# features), then llvm-cov's line coverage of src/spec and src/passes by the corpora. Exit status 1 when any target found something. A found input belongs in
# tests/fuzz/regressions/{spec,npy}/ (tests/unit/fuzz_regressions_test.cpp replays them) or
# tests/fuzz/regressions/{keras_json,keras_h5}/ (tests/golden/run_import_regressions.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-1000000}
tools/install_deps.sh --fuzz
CXX=clang++ cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DNNGEN_FUZZ=ON >/dev/null
cmake --build build-fuzz -j"$(nproc)" --target fuzz_spec fuzz_npy fuzz_keras_json fuzz_keras_h5 fuzz_onnx

work=$PWD/build-fuzz/work
rm -rf "$work/seeds" "$work/artifacts"
targets=(spec npy keras_json keras_h5 onnx)
for t in "${targets[@]}"; do mkdir -p "$work/seeds/$t" "$work/corpus/$t"; done
mkdir -p "$work/artifacts"
# the Keras importer: hls4ml's example models (tests/import/keras)
cp tests/import/keras/*.json tests/fuzz/regressions/keras_json/* "$work/seeds/keras_json/"
cp tests/import/keras/*.h5 tests/fuzz/regressions/keras_h5/* "$work/seeds/keras_h5/"
cp tests/import/onnx/*.onnx "$work/seeds/onnx/"
root=$PWD
n=0
while IFS= read -r -d '' y; do
  n=$((n + 1))
  d=$(cd "$(dirname "$y")" && pwd)
  # Relative .npy paths -> absolute, so the seed's weights load from the fuzzer's folder.
  perl -pe "s{(?<![/\\w])([\\w.-][\\w./-]*\\.npy)}{$d/\$1}g" "$y" >"$work/seeds/spec/$n-$(basename "$y")"
done < <(find configs tests -name '*.yaml' -not -path 'tests/fuzz/*' -print0)
cp tests/fuzz/seeds/spec/* tests/fuzz/regressions/spec/* "$work/seeds/spec/" 2>/dev/null || true
n=0
while IFS= read -r -d '' f; do
  n=$((n + 1))
  cp "$f" "$work/seeds/npy/$n-$(basename "$f")"
done < <(find configs tests -name '*.npy' -size -64k -print0)
cp tests/fuzz/regressions/npy/* "$work/seeds/npy/" 2>/dev/null || true

# A dictionary of the spec's words helps the mutator build valid specs.
dict=$work/spec.dict
: >"$dict"
for w in nngen name description precision default input shape preprocess pad repeat_channels \
  scale offset layers test_data images labels classes metadata hardware adder_levels_per_stage \
  clock_period_ns type filters kernel_size strides padding use_bias kernel bias activation units \
  pool_size gamma beta moving_mean moving_variance epsilon weight accum result Conv2D Dense \
  MaxPooling2D AveragePooling2D BatchNormalization ReLU Flatten relu linear same valid true false \
  ap_fixed ap_ufixed ap_int ap_uint AP_RND AP_RND_CONV AP_TRN AP_SAT AP_SAT_SYM AP_WRAP \
  k3312.npy d184.npy b2.npy b4.npy v2.npy l2.npy .inf .nan '- {' ': [' '---' '&a' '*a' '<<'; do
  printf '"%s"\n' "$(printf '%s' "$w" | sed 's/\\/\\\\/g; s/"/\\"/g')" >>"$dict"
done

status=0
for t in "${targets[@]}"; do
  log=$work/$t.log
  case $t in
    spec) extra=(-dict="$dict" -max_len=16384) ;;
    keras_h5 | onnx) extra=(-max_len=65536) ;;
    *) extra=(-max_len=8192) ;;
  esac
  echo "== fuzz_$t: $RUNS runs (seeds: $(ls "$work/seeds/$t" | wc -l) files) =="
  start=$(date +%s)
  set +e
  # libhdf5 allocates what corrupt metadata asks for and relies on malloc refusing terabytes;
  # under ASan such an allocation must return null too (tests/golden/run_import_regressions.sh),
  # and libhdf5's own error paths then leak a few bytes inside the library: no leak check there
  alloc=0 leaks=1
  [ "$t" = keras_h5 ] && alloc=1 leaks=0
  ASAN_OPTIONS=detect_leaks=$leaks:allocator_may_return_null=$alloc UBSAN_OPTIONS=print_stacktrace=1 \
    build-fuzz/tests/fuzz/fuzz_$t -runs="$RUNS" -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="$work/artifacts/$t-" "${extra[@]}" \
    "$work/corpus/$t" "$work/seeds/$t" >"$log" 2>&1
  rc=$?
  set -e
  secs=$(( $(date +%s) - start ))
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo "?")
  last=$(grep -E '^#[0-9]+' "$log" | tail -1)
  crashes=$(ls "$work/artifacts" | grep -c "^$t-" || true)
  reports=$(grep -cE 'ERROR: (AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer)|runtime error:|ERROR: libFuzzer' "$log" || true)
  echo "fuzz_$t: exit $rc, $execs executions in ${secs} s, $crashes crash/timeout artifacts, $reports sanitizer/libFuzzer error reports"
  echo "fuzz_$t: last status line: $last"
  [ "$rc" -eq 0 ] && [ "$crashes" -eq 0 ] && [ "$reports" -eq 0 ] || { status=1; tail -40 "$log"; }
done

# Line coverage of what the corpora reach (a second build with clang's source-based coverage;
# each corpus input is replayed once with -runs=0).
echo "== line coverage of the corpora (llvm-cov) =="
CXX=clang++ cmake -S . -B build-fuzz-cov -DCMAKE_BUILD_TYPE=RelWithDebInfo -DNNGEN_FUZZ=ON \
  -DCMAKE_CXX_FLAGS="-fprofile-instr-generate -fcoverage-mapping" >/dev/null
cmake --build build-fuzz-cov -j"$(nproc)" --target fuzz_spec fuzz_npy fuzz_keras_json fuzz_keras_h5 fuzz_onnx >/dev/null
llvm=/usr/lib/llvm-14/bin
for t in "${targets[@]}"; do
  rm -f "$work/$t-cov."*
  LLVM_PROFILE_FILE="$work/$t-cov.profraw" build-fuzz-cov/tests/fuzz/fuzz_$t -runs=0 \
    "$work/corpus/$t" "$work/seeds/$t" >"$work/$t-cov.log" 2>&1 || status=1
  $llvm/llvm-profdata merge -sparse "$work/$t-cov.profraw" -o "$work/$t-cov.profdata"
  files=(src/spec/npy.cpp)
  [ "$t" = spec ] && files=(src/spec/spec_loader.cpp src/spec/npy.cpp src/spec/regular_file.cpp src/passes/*.cpp)
  [ "${t#keras}" != "$t" ] || [ "$t" = onnx ] && files=(src/import/*.cpp)
  echo "fuzz_$t corpus ($(ls "$work/corpus/$t" | wc -l) inputs + seeds):"
  $llvm/llvm-cov report build-fuzz-cov/tests/fuzz/fuzz_$t -instr-profile="$work/$t-cov.profdata" \
    "${files[@]}" | sed 's/^/  /'
done
exit $status
