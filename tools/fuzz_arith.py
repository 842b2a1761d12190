#!/usr/bin/python3
"""Random networks for the arithmetic of issue 7, checked in Verilator (not run in CI).

Each case is an AveragePooling2D with a random window (3x3, 3x2, 5x1, 7x7, ...), stride, input
type (signed or unsigned, narrow or wide, negative integer bits) and result type (every rounding
and overflow mode), followed by a Dense whose user accumulator type has random modes. For each
case: `nngen build`, verilator --lint-only -Wall, `nngen sim` normal and --stall (0 mismatching
output bits required) and report latency == simulated latency.
Usage: /usr/bin/python3 tools/fuzz_arith.py BUILD/nngen WORK_DIR [CASES] [FIRST_SEED]
Needs Debian python3-numpy, verilator. About 15 s per case on one core.
"""
import json
import os
import re
import subprocess
import sys

import numpy as np

MODES = ["AP_TRN", "AP_TRN_ZERO", "AP_RND", "AP_RND_ZERO", "AP_RND_MIN_INF", "AP_RND_INF", "AP_RND_CONV"]
OVFS = ["AP_WRAP", "AP_SAT", "AP_SAT_ZERO", "AP_SAT_SYM"]
POOLS = [(3, 3), (3, 2), (5, 1), (7, 7), (2, 3), (1, 5), (3, 1), (5, 5), (6, 1)]


def make_case(out, seed):
    rng = np.random.default_rng(seed)
    os.makedirs(out, exist_ok=True)
    kh, kw = POOLS[rng.integers(len(POOLS))]
    sh, sw = int(rng.integers(1, kh + 1)), int(rng.integers(1, kw + 1))
    h, w, c = kh + int(rng.integers(0, 4)), kw + int(rng.integers(0, 4)), int(rng.integers(1, 4))
    win, iin, uns = int(rng.integers(4, 17)), int(rng.integers(-2, 8)), bool(rng.random() < 0.3)
    intype = f"{'ap_ufixed' if uns else 'ap_fixed'}<{win},{iin}>"
    res = f"ap_fixed<{rng.integers(4, 17)},{rng.integers(-1, 6)},{MODES[rng.integers(7)]},{OVFS[rng.integers(4)]}>"
    acc = f"ap_fixed<{rng.integers(6, 20)},{rng.integers(1, 8)},{MODES[rng.integers(7)]},{OVFS[rng.integers(4)]}>"
    oh, ow = (h - kh) // sh + 1, (w - kw) // sw + 1
    np.save(os.path.join(out, "k.npy"), rng.normal(0, 1.0, (oh * ow * c, 3)))
    np.save(os.path.join(out, "b.npy"), rng.normal(0, 0.5, 3))
    lo, hi = (0.0, 2.0 ** iin) if uns else (-(2.0 ** (iin - 1)), 2.0 ** (iin - 1))
    x = rng.uniform(lo, hi, (25, h, w, c))
    x[::3] = np.round(x[::3] * 4) / 4  # coarse values: many ties and exact means
    np.save(os.path.join(out, "inputs.npy"), x)
    with open(os.path.join(out, "net.yaml"), "w") as f:
        f.write(f"""nngen: 1
name: fz
input:
  shape: [{h}, {w}, {c}]
  precision: "{intype}"
layers:
  - {{name: p, type: AveragePooling2D, pool_size: [{kh}, {kw}], strides: [{sh}, {sw}], precision: {{result: "{res}"}}}}
  - {{name: f, type: Flatten}}
  - {{name: d, type: Dense, units: 3, kernel: k.npy, bias: b.npy, precision: {{weight: "ap_fixed<8,3,AP_RND>", accum: "{acc}"}}}}
""")
    return f"pool {kh}x{kw} stride {sh}x{sw} on {h}x{w}x{c} {intype} -> {res}, accum {acc}"


def main():
    nngen, work = sys.argv[1], sys.argv[2]
    cases = int(sys.argv[3]) if len(sys.argv) > 3 else 10
    first = int(sys.argv[4]) if len(sys.argv) > 4 else 1
    failed = 0
    for seed in range(first, first + cases):
        d = os.path.join(work, f"case{seed}")
        what = make_case(d, seed)
        rtl = os.path.join(d, "rtl")
        problems = []
        b = subprocess.run([nngen, "build", os.path.join(d, "net.yaml"), "-o", rtl], capture_output=True, text=True)
        if b.returncode != 0:
            print(f"seed {seed}: {what}: build: {b.stderr.strip().splitlines()[-1]}")
            continue  # a clear refusal (e.g. the 62-bit limit) is not a failure
        files = open(os.path.join(rtl, "filelist.f")).read().split()
        lint = subprocess.run(["verilator", "--lint-only", "-Wall", "--top-module", "fz_top"] + files, cwd=rtl,
                              capture_output=True, text=True)
        if lint.returncode != 0:
            problems.append("lint")
        want = json.load(open(os.path.join(rtl, "design.json")))["stream_latency_cycles"]
        for extra in ([], ["--stall", "--seed", str(seed)]):
            s = subprocess.run([nngen, "sim", rtl, "--input", os.path.join(d, "inputs.npy"), "-j", "1"] + extra,
                               capture_output=True, text=True)
            if s.returncode != 0:
                problems.append("sim" + (" --stall" if extra else ""))
            m = re.search(r'"latency_max":(\d+)', s.stdout)
            if not extra and (not m or int(m.group(1)) != want):
                problems.append(f"latency report {want} sim {m.group(1) if m else '?'}")
        failed += bool(problems)
        print(f"seed {seed}: {what}: {'FAIL ' + ', '.join(problems) if problems else 'ok'}", flush=True)
    print(f"{cases - failed} of {cases} cases ok")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
