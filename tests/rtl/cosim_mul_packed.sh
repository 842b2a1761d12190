#!/usr/bin/env bash
# Post-synthesis check of rtl_primitives/nn_mul_packed.v on 7-series: the Verilator RTL model
# (a driver built from cosim_mul_packed_drv.cpp) writes its ports under random stimulus and
# stalls to an FST file; Yosys synthesizes the same parameter set (synth_xilinx -family xc7, so
# the DSP48E1 absorbs registers and the post-adder), simulates the netlist with its own cell
# models (techlibs/xilinx/cells_sim.v) on that stimulus and requires the outputs to match at
# every step (sim -sim-cmp; internal names are hidden so only the ports are compared).
# Yosys 0.23 has no DSP48E2 model, so UltraScale netlists cannot be co-simulated this way.
# Usage: cosim_mul_packed.sh <driver> <nn_mul_packed.v> LANES X_W X_SIGNED W_W W_SIGNED CYCLES
set -euo pipefail
drv=$1 rtl=$2 lanes=$3 xw=$4 xs=$5 ww=$6 ws=$7 cycles=$8
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$drv" "$work/stim.fst" "$cycles"
yosys -q -p "read_verilog -DSYNTHESIS $rtl; \
  chparam -set LANES $lanes -set X_W $xw -set X_SIGNED $xs -set W_W $ww -set W_SIGNED $ws \
    -set FAMILY \"7SERIES\" nn_mul_packed; \
  synth_xilinx -family xc7 -top nn_mul_packed -flatten -noiopad; write_verilog -noattr $work/net.v"
if ! yosys -l "$work/sim.log" -p "read_verilog $work/net.v; read_verilog +/xilinx/cells_sim.v; \
  hierarchy -top nn_mul_packed; proc; flatten; opt_clean; rename -hide w:* i:* o:* %u %d; \
  sim -clock clk -r $work/stim.fst -scope TOP.nn_mul_packed -sim-cmp -zinit -q" > /dev/null 2>&1; then
  grep -m4 "^ERROR\|^Warning: Signal" "$work/sim.log" || tail -5 "$work/sim.log"
  echo "FAIL: the synthesized netlist differs from the RTL (or Yosys failed)"
  exit 1
fi
echo "ok: Yosys netlist (xc7) matches the RTL on every port for $cycles cycles" \
  "(LANES=$lanes X_W=$xw X_SIGNED=$xs W_W=$ww W_SIGNED=$ws)"
