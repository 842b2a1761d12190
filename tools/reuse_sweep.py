#!/usr/bin/python3
"""Reuse-factor sweep of one layer: nngen's version of figure 16 of the hls4ml CNN paper.

The layer is the shipped example's conv2 (configs/svhn_paper: Conv2D 3x3, 16 -> 24 channels,
its trained weights) on a 6x6x16 input stream of ap_fixed<16,6>, alone in a network. For each
reuse factor R the script builds it with `reuse_factor: R` (and the chosen multipliers), reads
the exact latency and II from the build (design.json, the control model the golden tests check
against Verilator) and the resources from Yosys synth_xilinx for one part (`nngen synth`;
Yosys's counts, not Vivado's) beside nngen's estimate, then writes a markdown table and a PNG (matplotlib) of latency,
II, DSP, LUT and FF versus R.

Usage (from the repository root, after building nngen; takes minutes per point):
    /usr/bin/python3 tools/reuse_sweep.py [--part xcvu9p] [--multipliers dsp] [--out build/sweep]
Needs python3-numpy, python3-yaml and python3-matplotlib (tools/install_deps.sh --bench).
Not part of CI.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys

import numpy as np
import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def write_spec(folder, reuse, multipliers):
    """The one-layer network of this sweep with the given reuse factor; returns its path."""
    os.makedirs(folder, exist_ok=True)
    kernel = np.load(os.path.join(ROOT, "configs/svhn_paper/weights/conv2_kernel.npy"))
    np.save(os.path.join(folder, "k.npy"), kernel)
    spec = {
        "nngen": 1,
        "name": "sweep",
        "description": "the shipped example's conv2 alone, for the reuse-factor sweep",
        "precision": {"default": "ap_fixed<16,6>"},
        "input": {"shape": [6, 6, 16], "precision": "ap_fixed<16,6>"},
        "layers": [{"name": "conv2", "type": "Conv2D", "filters": int(kernel.shape[3]),
                    "kernel_size": [3, 3], "use_bias": False, "kernel": "k.npy",
                    "reuse_factor": reuse, "multipliers": multipliers}],
    }
    path = os.path.join(folder, "sweep.yaml")
    with open(path, "w") as f:
        yaml.safe_dump(spec, f, sort_keys=False)
    return path


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--part", default="xcvu9p", choices=["xcvu9p", "xc7z020"])
    ap.add_argument("--multipliers", default="dsp", choices=["dsp", "lut"])
    ap.add_argument("--reuse", default="1,2,3,4,6,8,12,16,24,36,48,72,144",
                    help="comma-separated reuse factors (1 = fully parallel constant multipliers)")
    ap.add_argument("--out", default=os.path.join(ROOT, "build", "sweep"))
    ap.add_argument("--nngen", default=os.path.join(ROOT, "build", "nngen"))
    args = ap.parse_args()

    rows = []
    for r in [int(x) for x in args.reuse.split(",")]:
        folder = os.path.join(args.out, f"r{r}")
        shutil.rmtree(folder, ignore_errors=True)
        spec = write_spec(os.path.join(folder, "spec"), r, args.multipliers)
        rtl = os.path.join(folder, "rtl")
        subprocess.run([args.nngen, "build", spec, "-o", rtl], check=True, stdout=subprocess.DEVNULL)
        with open(os.path.join(rtl, "design.json")) as f:
            design = json.load(f)
        report = os.path.join(folder, "synth.json")
        subprocess.run([args.nngen, "synth", rtl, "--part", args.part, "--json", report],
                       check=True, stdout=subprocess.DEVNULL)
        with open(report) as f:
            synth = json.load(f)
        part = synth[0] if isinstance(synth, list) else synth["parts"][0]
        est = part.get("estimate") or {"lut": float("nan"), "ff": float("nan")}
        rows.append({"R": r, "latency": design["stream_latency_cycles"],
                     "II": design["stream_ii_cycles"],
                     "DSP": part["dsp"], "LUT": part["lut"], "FF": part["ff"],
                     "LUT est": est["lut"], "FF est": est["ff"]})
        print(f"R={r}: {rows[-1]}", flush=True)

    md = os.path.join(args.out, "reuse_sweep.md")
    with open(md, "w") as f:
        f.write(f"Reuse sweep of conv2 (3x3, 16 -> 24, 6x6 input, ap_fixed<16,6>), "
                f"multipliers {args.multipliers}, Yosys synth_xilinx for {args.part}\n\n")
        f.write("| R | latency (cycles) | II (cycles) | DSP | LUT | FF | LUT (estimate) | "
                "FF (estimate) |\n|---|---|---|---|---|---|---|---|\n")
        for row in rows:
            f.write(f"| {row['R']} | {row['latency']} | {row['II']} | {row['DSP']:.0f} | "
                    f"{row['LUT']:.0f} | {row['FF']:.0f} | {row['LUT est']:.0f} | "
                    f"{row['FF est']:.0f} |\n")
    print(open(md).read())

    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, axes = plt.subplots(1, 2, figsize=(11, 4))
    rs = [row["R"] for row in rows]
    for key in ("latency", "II"):
        axes[0].plot(rs, [row[key] for row in rows], marker="o", label=key)
    axes[0].set_xscale("log")
    axes[0].set_xlabel("reuse factor R")
    axes[0].set_ylabel("cycles")
    axes[0].legend()
    for key in ("DSP", "LUT", "FF"):
        axes[1].plot(rs, [row[key] for row in rows], marker="o", label=key)
    axes[1].set_xscale("log")
    axes[1].set_yscale("log")
    axes[1].set_xlabel("reuse factor R")
    axes[1].set_ylabel(f"resources (Yosys, {args.part})")
    axes[1].legend()
    fig.suptitle("nngen: conv2 of the SVHN-paper CNN versus reuse factor")
    fig.tight_layout()
    png = os.path.join(args.out, "reuse_sweep.png")
    fig.savefig(png, dpi=120)
    print("wrote", md, "and", png)
    return 0


if __name__ == "__main__":
    sys.exit(main())
