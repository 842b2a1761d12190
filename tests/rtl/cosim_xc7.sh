#!/usr/bin/env bash
# Post-synthesis check of a DSP primitive in rtl_primitives/ on 7-series: the Verilator RTL
# model (a driver built from cosim_drv.cpp) writes its ports under
# random stimulus and stalls to an FST file; Yosys synthesizes the same parameter set
# (synth_xilinx -family xc7, so the DSP48E1s absorb the registers, the post-adders and the
# cascade), simulates the netlist with its own cell models (techlibs/xilinx/cells_sim.v) on
# that stimulus and requires the outputs to match at every step (sim -sim-cmp; internal names
# are hidden so only the ports are compared).
# Yosys 0.23 has no DSP48E2 model, so UltraScale netlists cannot be co-simulated this way.
# Usage: cosim_xc7.sh <driver> <rtl.v> <top> <cycles> PARAM=VALUE...
set -euo pipefail
drv=$1 rtl=$2 top=$3 cycles=$4
shift 4
sets=""
for pv in "$@"; do sets+=" -set ${pv%%=*} ${pv#*=}"; done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$drv" "$work/stim.fst" "$cycles"
yosys -q -p "read_verilog -DSYNTHESIS $rtl; chparam$sets -set FAMILY \"7SERIES\" $top; \
  synth_xilinx -family xc7 -top $top -flatten -noiopad; write_verilog -noattr $work/net.v"
if ! yosys -l "$work/sim.log" -p "read_verilog $work/net.v; read_verilog +/xilinx/cells_sim.v; \
  hierarchy -top $top; proc; flatten; opt_clean; rename -hide w:* i:* o:* %u %d; \
  sim -clock clk -r $work/stim.fst -scope TOP.$top -sim-cmp -zinit -q" > /dev/null 2>&1; then
  grep -m4 "^ERROR\|^Warning: Signal" "$work/sim.log" || tail -5 "$work/sim.log"
  echo "FAIL: the synthesized netlist differs from the RTL (or Yosys failed)"
  exit 1
fi
echo "ok: Yosys netlist (xc7) of $top matches the RTL on every port for $cycles cycles ($*)"
