#!/usr/bin/env bash
# Yosys check of a DSP primitive in rtl_primitives/ (nn_mul_packed, nn_mac_chain): synthesizes
# one parameter set with the same commands nngen's synthesis scripts use (read_verilog
# -DSYNTHESIS, and -DNNGEN_DSP48E2 for xcup; synth_xilinx -family F -flatten) and requires exactly DSPS DSP cells of the
# family's kind (DSP48E2 for xcup, DSP48E1 for xc7) and no other DSP or multiplier cell; with
# --no-fabric also no LUT, FF or carry cell (everything inside the DSPs). Prints Yosys's cell
# counts (Yosys's mapping, not Vivado's).
# Usage: yosys_dsp_count.sh <rtl.v> <top> <xcup|xc7> <DSPS> [--no-fabric] PARAM=VALUE...
#        (FAMILY is set from the family)
set -euo pipefail
rtl=$1 top=$2 family=$3 want=$4
shift 4
nofabric=0
if [[ ${1:-} == --no-fabric ]]; then nofabric=1; shift; fi
case $family in
  xcup) fam=ULTRASCALE dsp=DSP48E2 defs="-DSYNTHESIS -DNNGEN_DSP48E2" ;;
  xc7) fam=7SERIES dsp=DSP48E1 defs="-DSYNTHESIS" ;;
  *) echo "unknown family $family"; exit 2 ;;
esac
sets=""
for pv in "$@"; do sets+=" -set ${pv%%=*} ${pv#*=}"; done
log=$(mktemp)
trap 'rm -f "$log"' EXIT
yosys -p "read_verilog $defs $rtl; chparam$sets -set FAMILY \"$fam\" $top; \
  synth_xilinx -family $family -top $top -flatten; stat" > "$log" 2>&1 || {
  tail -20 "$log"; echo "FAIL: yosys exited with an error"; exit 1; }
# The cell list of the last `stat` (the one after synthesis), I/O buffers left out.
cells=$(awk '/Printing statistics/ { n = 0; delete c } /^ +[A-Za-z_$][A-Za-z0-9_$]* +[0-9]+$/ { c[$1] = $2 }
  END { for (k in c) if (k !~ /^(IBUF|OBUF|BUFG)$/) printf "%s=%s ", k, c[k]; print "" }' "$log")
echo "yosys synth_xilinx -family $family, $top $*: $cells"
count() { echo " $cells" | grep -o " $1=[0-9]*" | cut -d= -f2 | awk '{ s += $1 } END { print s + 0 }'; }
ndsp=$(count "$dsp")
nother=$(echo " $cells" | tr ' ' '\n' | grep -E '^(DSP|MULT|\$mul)' | grep -vc "^$dsp=" || true)
if [[ $ndsp -ne $want || $nother -ne 0 ]]; then
  echo "FAIL: expected exactly $want $dsp and no other DSP/multiplier cell"
  exit 1
fi
if [[ $nofabric -eq 1 ]]; then
  nfab=$(echo " $cells" | tr ' ' '\n' | awk -F= '/^(LUT|FD|CARRY|SRL|MUX)/ { s += $2 } END { print s + 0 }')
  if [[ $nfab -ne 0 ]]; then echo "FAIL: $nfab fabric cells (expected none)"; exit 1; fi
  echo "ok: $want $dsp, no fabric"
else
  echo "ok: $want $dsp"
fi
