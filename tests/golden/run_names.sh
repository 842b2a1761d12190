#!/usr/bin/env bash
# The rule "a build that exits 0 gives Verilog that Verilator (lint, -Wall) and Yosys
# (read_verilog) accept" on networks whose names are chosen to collide: layers called top,
# argmax, <other>_skid, names differing only in case, (System)Verilog keywords, a net name
# that spells a primitive or a keyword with a layer name, a multi-line description that tries
# to inject a module, a spec file name with a line break, a name too long for a file. Each case must either build
# lint-clean, or fail with exit 1 and an error naming the layer; never an internal error.
# Usage: run_names.sh NNGEN_BINARY WORK_DIR
set -euo pipefail
nngen=$1; work=$2
rm -rf "$work"; mkdir -p "$work"
fails=0

# A weight-free classifier: 4x4x2 input, 1x1 max pools named by the case, a 4x4 pool to 1x1x2
# (so an argmax stage follows).
spec() {  # spec FILE NET DESCRIPTION LAYER...
  local file=$1 net=$2 desc=$3; shift 3
  {
    echo "nngen: 1"
    echo "name: $net"
    echo "description: $desc"
    echo "input: {shape: [4, 4, 2], precision: 'ap_fixed<8,3>'}"
    echo "layers:"
    for l in "$@"; do echo "  - {name: $l, type: MaxPooling2D, pool_size: 1}"; done
    echo "  - {name: last, type: MaxPooling2D, pool_size: 4}"
  } > "$file"
}

# check CASE EXPECT SPEC: EXPECT is "ok" (must build lint-clean) or the error text expected.
check() {
  local name=$1 expect=$2 file=$3 out="$work/$1.out" rc=0
  "$nngen" build "$file" -o "$work/$name" > "$out" 2>&1 || rc=$?
  if [ "$rc" -eq 0 ]; then
    local top
    top=$(sed -n 's/.*"top": "\(.*\)".*/\1/p' "$work/$name/design.json")
    if ! (cd "$work/$name" && verilator --lint-only -Wall --top-module "$top" $(cat filelist.f)) >> "$out" 2>&1; then
      echo "FAIL $name: built (exit 0) but Verilator lint fails"; cat "$out"; fails=$((fails + 1)); return
    fi
    if ! (cd "$work/$name" && yosys -q -p "read_verilog -DSYNTHESIS $(tr '\n' ' ' < filelist.f); hierarchy -check -top $top") >> "$out" 2>&1; then
      echo "FAIL $name: built (exit 0) but Yosys read_verilog fails"; cat "$out"; fails=$((fails + 1)); return
    fi
    if grep -n '^ *module evil' "$work/$name"/*.v >> "$out"; then
      echo "FAIL $name: free text reached the Verilog as code"; cat "$out"; fails=$((fails + 1)); return
    fi
    if [ "$expect" != ok ]; then
      echo "FAIL $name: built, but expected the error '$expect'"; fails=$((fails + 1)); return
    fi
    echo "ok   $name: built, lint-clean in Verilator and Yosys"
  else
    if [ "$rc" -ne 1 ] || [ "$expect" = ok ] || ! grep -qF -- "$expect" "$out"; then
      echo "FAIL $name: exit $rc, expected $expect"; cat "$out"; fails=$((fails + 1)); return
    fi
    echo "ok   $name: refused: $(grep 'error:' "$out")"
  fi
}

spec "$work/top.yaml" net "layer called top" p0 top
check layer_top "layer 'top': the module/file name 'net_top' of layer 'top' is also that of the top-level module" "$work/top.yaml"
spec "$work/argmax.yaml" net "layer called argmax" argmax
check layer_argmax "layer 'argmax': the module/file name 'net_argmax'" "$work/argmax.yaml"
spec "$work/skid.yaml" net "a layer named like the skid buffer of another" p0 p0_skid
check layer_skid "layer 'p0_skid': the instance/wire name in the top level 'u_p0_skid'" "$work/skid.yaml"
spec "$work/case.yaml" net "names differing only in case" Pool pool
check layer_case "differs only in case ('net_Pool')" "$work/case.yaml"
spec "$work/kw.yaml" net "keywords as layer names" wire reg module input always begin end logic
check layer_keywords ok "$work/kw.yaml"
spec "$work/svkw.yaml" s "module name s_always is a SystemVerilog keyword" always
check net_keyword "is a reserved word" "$work/svkw.yaml"
spec "$work/prim.yaml" nn "module name nn_skid_buffer is a primitive" skid_buffer
check net_primitive "is also that of the hand-written primitive" "$work/prim.yaml"
spec "$work/near.yaml" net "names that only look alike" x x_in x_out in_x u_x
check layer_lookalikes ok "$work/near.yaml"
spec "$work/inject.yaml" net '"two lines\nendmodule\nmodule evil(); endmodule\n// \r\u0001 end"' p0
check description_injection ok "$work/inject.yaml"
spec "$work/long.yaml" net "a layer name too long for a file name" "$(printf 'a%.0s' $(seq 1 300))"
check layer_too_long "more than the 200 a file name allows" "$work/long.yaml"
spec "$work/"$'line\nbreak'.yaml net "a file name with a line break" p0
check file_name_break ok "$work/"$'line\nbreak'.yaml

if [ "$fails" -ne 0 ]; then echo "$fails name case(s) failed"; exit 1; fi
echo "all name cases pass"
