#!/usr/bin/python3
"""Calibrates nngen's resource estimate (src/emit/estimate.cpp) against Yosys.

For every build folder given (written by `nngen build`), synthesizes each generated module on its
own with Yosys 0.23 `synth_xilinx -flatten` for both part families (xc7: XC7Z020, xcup: VU9P),
caching the `stat -json` of each module in <folder>/synth/modules/, reads the inventory of each
module from the folder's estimate.json, and fits the cost model's coefficients by least squares
(non-negative: a feature never lowers the cost), LUT and FF separately per family. Prints the
coefficients as the C++ initializers of costModel() and, per module, estimate vs Yosys.

  tools/calibrate_estimate.py [--jobs N] [--write] BUILD_DIR...

--cached-only fits on the modules already synthesized (no Yosys run).
--write replaces the fitted families' coefficients in src/emit/estimate.cpp; --family xc7|xcup
calibrates one family only.
Takes minutes per design (Yosys); not part of CI.
"""
import argparse
import json
import os
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import numpy as np

FAMILIES = ["xc7", "xcup"]
LUT_FEATURES = ["module", "adder_bits", "compare_bits", "requant_bits", "rom_luts", "mux_luts",
                "lut_mult_bits", "buffer_bits"]
FF_FEATURES = ["module", "register_bits", "window_bits", "buffer_bits", "mult_reg_bits"]
LUT_MULT_PRIOR = {"xc7": 1.02, "xcup": 1.19}  # LUT per lut_mult_bit (see the fit below)
LUTRAM = {"RAM32M": 4, "RAM64M": 4, "RAM32M16": 8, "RAM64M8": 8, "RAM32X1D": 2, "RAM64X1D": 2,
          "RAM128X1D": 4, "RAM256X1D": 8, "RAM32X1S": 1, "RAM64X1S": 1, "RAM128X1S": 2,
          "SRL16E": 1, "SRLC16E": 1, "SRLC32E": 1}


def count(cells):
    """LUT (logic + LUT-RAM), FF, DSP, BRAM36 of a `stat -json` cell histogram."""
    lut = ff = dsp = bram = 0.0
    for c, n in cells.items():
        if c.startswith("LUT"):
            lut += n
        elif c in LUTRAM:
            lut += n * LUTRAM[c]
        elif c.startswith("FD"):
            ff += n
        elif c.startswith("DSP48"):
            dsp += n
        elif c.startswith("RAMB36"):
            bram += n
        elif c.startswith("RAMB18"):
            bram += 0.5 * n
    return {"lut": lut, "ff": ff, "dsp": dsp, "bram36": bram}


def synth_module(folder, module, family):
    """Yosys counts of one module of a build folder, cached in synth/modules/."""
    out = os.path.join(folder, "synth", "modules")
    os.makedirs(out, exist_ok=True)
    stat = os.path.join(out, f"{module}_{family}.json")
    if not os.path.exists(stat):
        prims = sorted(f for f in os.listdir(folder) if re.match(r"nn_.*\.v$", f))
        files = " ".join(os.path.join("..", "..", f) for f in prims + [module + ".v"])
        defs = "-DSYNTHESIS -DNNGEN_DSP48E2" if family == "xcup" else "-DSYNTHESIS"
        script = (f"read_verilog {defs} {files}\n"
                  f"synth_xilinx -family {family} -top {module} -flatten\n"
                  f"tee -q -o {module}_{family}.json stat -json\n")
        with open(os.path.join(out, f"{module}_{family}.ys"), "w") as f:
            f.write(script)
        subprocess.run(["yosys", "-q", "-l", f"{module}_{family}.log", "-s",
                        f"{module}_{family}.ys"], cwd=out, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    with open(stat) as f:
        j = json.load(f)
    cells = {}
    for m in j["modules"].values():
        for c, n in m.get("num_cells_by_type", {}).items():
            cells[c] = cells.get(c, 0) + n
    return count(cells)


def nnls(a, b):
    """Least squares with non-negative coefficients (active-set by dropping negatives)."""
    keep = list(range(a.shape[1]))
    while True:
        x, *_ = np.linalg.lstsq(a[:, keep], b, rcond=None)
        if (x >= 0).all():
            full = np.zeros(a.shape[1])
            full[keep] = x
            return full
        keep.pop(int(np.argmin(x)))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    ap.add_argument("folders", nargs="+")
    ap.add_argument("--jobs", type=int, default=os.cpu_count())
    ap.add_argument("--write", action="store_true")
    ap.add_argument("--cached-only", action="store_true")
    ap.add_argument("--family", choices=FAMILIES, help="calibrate this family only")
    args = ap.parse_args()

    rows = {f: [] for f in FAMILIES}  # (folder, module, inventory, yosys)
    jobs = []
    with ThreadPoolExecutor(args.jobs) as pool:
        for folder in args.folders:
            with open(os.path.join(folder, "estimate.json")) as f:
                est = json.load(f)
            for part in est["parts"]:
                fam = part["family"]
                if args.family and fam != args.family:
                    continue
                for m in part["modules"]:
                    if m["module"] == "(top)":
                        continue
                    cached = os.path.join(folder, "synth", "modules", f"{m['module']}_{fam}.json")
                    if args.cached_only and not os.path.exists(cached):
                        continue
                    jobs.append((fam, folder, m, pool.submit(synth_module, folder, m["module"],
                                                             fam)))
        for fam, folder, m, fut in jobs:
            rows[fam].append((folder, m["module"], m["inventory"], fut.result()))

    coeffs = {}
    for fam in FAMILIES:
        if not rows[fam]:
            continue
        feats = lambda names, inv: [1.0 if n == "module" else inv[n] for n in names]
        # Memories and DSPs are counted by rule, not fitted: subtract the LUT-RAM first.
        a_l = np.array([feats(LUT_FEATURES, r[2]) for r in rows[fam]])
        b_l = np.array([r[3]["lut"] - r[2]["memory_luts"] for r in rows[fam]])
        a_f = np.array([feats(FF_FEATURES, r[2]) for r in rows[fam]])
        b_f = np.array([r[3]["ff"] for r in rows[fam]])
        # Relative error matters: weight each module by 1 / (its size + 200).
        wl = 1.0 / (np.abs(b_l) + 200.0)
        wf = 1.0 / (np.abs(b_f) + 200.0)
        cl = nnls(a_l * wl[:, None], b_l * wl)
        cf = nnls(a_f * wf[:, None], b_f * wf)
        # A feature no calibration module has (e.g. LUT multipliers when every folded layer is
        # on DSPs) keeps its physical prior: one LUT per LUT6 select, one per skid-buffer bit
        # (the top level is not synthesized per module), and for the LUT multipliers what
        # configs/tiny's tiny_out (8 nn_mul_lut, 952 bits) measured with the other coefficients
        # fixed (nn_mul_lut alone, 8x8 to 16x16: 1.1 to 1.5 LUT per bit).
        lut_prior = {"module": 0.0, "compare_bits": 1.0, "requant_bits": 1.0, "rom_luts": 1.0,
                     "mux_luts": 1.0, "lut_mult_bits": LUT_MULT_PRIOR[fam], "buffer_bits": 1.0}
        ff_prior = {"module": 0.0, "buffer_bits": 1.0, "mult_reg_bits": 1.0}
        for i, n in enumerate(LUT_FEATURES):
            if n in lut_prior and (n == "buffer_bits" or not a_l[:, i].any()):
                cl[i] = lut_prior[n]
        for i, n in enumerate(FF_FEATURES):
            if n in ff_prior and (n == "buffer_bits" or not a_f[:, i].any()):
                cf[i] = ff_prior[n]
        coeffs[fam] = (cl, cf)
        print(f"== {fam}: per module, estimate / Yosys")
        tot = np.zeros(4)
        for (folder, mod, inv, y), el, ef in zip(rows[fam], a_l @ cl + [r[2]["memory_luts"] for r in rows[fam]],
                                                 a_f @ cf):
            print(f"  {os.path.basename(folder.rstrip('/')):14s} {mod:32s} LUT {el:8.0f} / {y['lut']:8.0f}"
                  f" ({100 * (el - y['lut']) / max(y['lut'], 1):+6.1f}%)   FF {ef:8.0f} / {y['ff']:8.0f}"
                  f" ({100 * (ef - y['ff']) / max(y['ff'], 1):+6.1f}%)   DSP {inv['dsps']:g} / {y['dsp']:g}"
                  f"   BRAM {inv['bram36']:g} / {y['bram36']:g}")
        for folder in args.folders:
            sel = [(i, r) for i, r in enumerate(rows[fam]) if r[0] == folder]
            if not sel:
                continue
            el = sum(a_l[i] @ cl + r[2]["memory_luts"] for i, r in sel)
            ef = sum(a_f[i] @ cf for i, r in sel)
            yl = sum(r[3]["lut"] for _, r in sel)
            yf = sum(r[3]["ff"] for _, r in sel)
            print(f"  {folder}: modules' sum LUT {el:.0f} / {yl:.0f} ({100 * (el - yl) / yl:+.1f}%),"
                  f" FF {ef:.0f} / {yf:.0f} ({100 * (ef - yf) / yf:+.1f}%)")

    lines = []
    for fam in FAMILIES:
        if fam not in coeffs:
            continue
        cl, cf = coeffs[fam]
        vals = ", ".join(f"{v:.4g}" for v in list(cl) + list(cf))
        lines.append(f"  static const CostModel {fam}{{{vals}}};")
    print("\n".join(lines))
    if args.write and lines:
        path = os.path.join(os.path.dirname(__file__), "..", "src", "emit", "estimate.cpp")
        with open(path) as f:
            src = f.read()
        for line in lines:  # replace the family's initializer (possibly spread over lines)
            fam = line.split("CostModel ")[1].split("{")[0]
            start = src.index(f"static const CostModel {fam}{{")
            start = src.rindex("\n", 0, start) + 1
            end = src.index("};", start) + 3
            src = src[:start] + line + "\n" + src[end:]
        with open(path, "w") as f:
            f.write(src)
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
