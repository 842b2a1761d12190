#!/usr/bin/env python3
"""The compression benchmark (issue 10): every model of configs/svhn_paper/ from training to
Verilator-proven RTL, in one markdown table with the paper's figures 12 and 13 as plots.

For each model: ``nngen build`` (timed) -> ``nngen run`` on all 10,000 Fashion-MNIST test images
(regenerated from Debian's dataset-fashion-mnist) -> ``nngen sim`` of the build's test images
(1,000: 0 mismatching output bits required) -> resources on the xcvu9p from Yosys
(``nngen synth --part xcvu9p``) when it finishes within ``--synth-timeout`` seconds, else nngen's
calibrated estimate (labelled as such). Writes ``<out>/compression.md`` (the table, beside the
hls4ml CNN paper's table 3), ``<out>/compression.json`` (every number), and the plots
``<out>/accuracy_vs_bits.png`` and ``<out>/luts_vs_bits.png`` (figures 12 and 13 of the paper:
pruned and unpruned models at each width).

Models (those whose spec exists; ``--train`` first trains the missing ones, hours on 2 cores):
  bf          the float-trained model, PTQ at ap_fixed<16,6> (tools/train_svhn_paper.py)
  q<B>, qp<B> QAT at B bits, unpruned and 50 % pruned (train_svhn_paper.py --finetune-bits B)
  aq, aqp     heterogeneous: `nngen profile --suggest` on bf and qp7 (the narrowest type per layer)
  cnn_binary, cnn_ternary, mlp_float, mlp_binary, mlp_ternary (tools/train_binary.py)

Usage (python3-numpy, python3-yaml, python3-matplotlib: tools/install_deps.sh --bench):
    /usr/bin/python3 tools/compression_table.py --out build/compression [--models bf,qp7,...]
"""

import argparse
import gzip
import json
import os
import re
import subprocess
import sys
import time

import numpy as np
import yaml

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
CFG = os.path.join(ROOT, "configs", "svhn_paper")
WIDTHS = (16, 12, 10, 8, 7, 6, 4, 3)

# Build options per model: the MLPs read the whole 28x28 image before their first Dense, so a
# folded first layer needs an II above the 784 input beats.
BUILD_ARGS = {"mlp_float": ["--target-ii", "1024", "--max-latency", "1600"],
              "mlp_binary": ["--target-ii", "1024", "--max-latency", "1600"],
              "mlp_ternary": ["--target-ii", "1024", "--max-latency", "1600"]}


def model_list():
    names = ["bf"] + [f"q{b}" for b in WIDTHS] + [f"qp{b}" for b in WIDTHS] + ["aq", "aqp"]
    names += ["cnn_binary", "cnn_ternary", "mlp_float", "mlp_binary", "mlp_ternary"]
    return names


def spec_path(name):
    if name in ("aq", "aqp"):
        return os.path.join(CFG, name, "suggested.yaml")
    return os.path.join(CFG, f"{name}.yaml")


def describe(name):
    """(family, bits, pruned) of a model name."""
    if name == "bf":
        return "CNN", 16, False
    m = re.fullmatch(r"(qp?)(\d+)", name)
    if m:
        return "CNN", int(m.group(2)), m.group(1) == "qp"
    if name in ("aq", "aqp"):
        return "CNN", None, name == "aqp"
    fam, kind = name.split("_")
    return fam.upper(), {"binary": 1, "ternary": 2, "float": 16}[kind], False


def run(cmd, log, timeout=None, check=True):
    t0 = time.time()
    with open(log, "a") as f:
        f.write("$ " + " ".join(cmd) + "\n")
        f.flush()
        try:
            r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            f.write(f"(timed out after {timeout} s)\n")
            return None, time.time() - t0
        f.write(r.stdout)
    if check and r.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed (exit {r.returncode}); see {log}")
    return r, time.time() - t0


def test_set(work, data_dir):
    """All 10,000 test images and labels as .npy (uint8 (N, 28, 28), (N,))."""
    img, lab = os.path.join(work, "t10k_images.npy"), os.path.join(work, "t10k_labels.npy")
    if not os.path.exists(img):
        def idx(name):
            with gzip.open(os.path.join(data_dir, name), "rb") as f:
                raw = f.read()
            dims = [int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(raw[3])]
            return np.frombuffer(raw, np.uint8, offset=4 + 4 * raw[3]).reshape(dims)
        np.save(img, idx("t10k-images-idx3-ubyte.gz"))
        np.save(lab, idx("t10k-labels-idx1-ubyte.gz"))
    return img, lab


def train_missing(names, nngen, log):
    """Trains the models the list names and configs/ lacks (long: minutes to an hour each)."""
    for n in names:
        if os.path.exists(spec_path(n)):
            continue
        m = re.fullmatch(r"(qp?)(\d+)", n)
        if m:
            prune = "0.5" if m.group(1) == "qp" else "0"
            # 8 bits and more lose little to quantization: 3 epochs of QAT suffice there, 6 below
            epochs = "3" if int(m.group(2)) >= 8 else "6"
            run(["/usr/bin/python3", os.path.join(ROOT, "tools", "train_svhn_paper.py"), "--out", CFG,
                 "--from", os.path.join(CFG, "bf.yaml"), "--seed", "0", "--finetune-bits", m.group(2),
                 "--prune", prune, "--finetune-epochs", epochs, "--threads", "2", "--nngen", nngen], log)
        elif n in ("aq", "aqp"):
            src = "bf" if n == "aq" else "qp7"
            if not os.path.exists(spec_path(src)):
                continue
            run([nngen, "profile", spec_path(src), "-o", os.path.join(CFG, n), "--suggest"], log)
        elif "_" in n:
            model, kind = n.split("_")
            run(["/usr/bin/python3", os.path.join(ROOT, "tools", "train_binary.py"), "--model", model,
                 "--kind", kind, "--out", CFG, "--nngen", nngen], log)


def bench_one(name, nngen, work, img, lab, args, log):
    spec = spec_path(name)
    meta = (yaml.safe_load(open(spec)) or {}).get("metadata", {}) or {}
    rtl = os.path.join(work, "rtl_" + name)
    r, build_s = run([nngen, "build", spec, "-o", rtl, "--max-images", str(args.sim_images)] +
                     BUILD_ARGS.get(name, []), log)
    design = json.load(open(os.path.join(rtl, "design.json")))
    est = json.load(open(os.path.join(rtl, "estimate.json")))
    weights = design.get("weights", [])
    row = {"model": name, "build_s": round(build_s, 1), "latency": design["stream_latency_cycles"],
           "ii": design["stream_ii_cycles"], "float_accuracy": meta.get("float_accuracy"),
           "weights": sum(w["weights"] for w in weights), "zero_weights": sum(w["zero_weights"] for w in weights)}
    r, _ = run([nngen, "run", spec, "--input", img, "--labels", lab], log)
    m = re.search(r"accuracy \(fixed-point reference\): ([0-9.]+)", r.stdout)
    row["reference_accuracy_10000"] = float(m.group(1)) if m else None
    for stall in (False, True):
        r, _ = run([nngen, "sim", rtl] + (["--stall"] if stall else []), log, check=False)
        m = re.search(r"(\d+) mismatching output beats", r.stdout)
        row["mismatches_stall" if stall else "mismatches"] = int(m.group(1)) if m else None
        if not stall:
            m = re.search(r"initiation interval: ([0-9.]+)", r.stdout)
            row["sim_ii"] = float(m.group(1)) if m else None
            m = re.search(r"latency \(first input beat to output beat\): ([0-9]+)", r.stdout)
            row["sim_latency"] = int(m.group(1)) if m else None
    e = next(p for p in est["parts"] if p["family"] == "xcup") if "parts" in est else est[0]
    tot = e["total"]
    # Yosys time grows with the design (here: 54,000 LUT in 5 minutes, 82,000 in 10): designs the
    # estimate puts above --synth-max-lut are not started, as they would not finish in the limit
    too_big = tot["lut"] > args.synth_max_lut
    rep = os.path.join(work, f"synth_{name}.json")
    r, synth_s = (None, 0) if args.no_synth or too_big else run(
        [nngen, "synth", rtl, "--part", "xcvu9p", "--json", rep], log, timeout=args.synth_timeout, check=False)
    if r is not None and r.returncode == 0:
        part = json.load(open(rep))[0]
        row.update(lut=int(part["lut"]), ff=int(part["ff"]), dsp=int(part["dsp"]), bram36=part["bram36"],
                   resources="Yosys", yosys_s=round(synth_s))
    else:
        why = ("Yosys not run" if args.no_synth else
               f"estimate > {args.synth_max_lut:,} LUT, Yosys not started" if too_big else
               f"Yosys > {args.synth_timeout} s")
        row.update(lut=int(round(tot["lut"])), ff=int(round(tot["ff"])), dsp=int(tot["dsp"]),
                   bram36=tot["bram36"], resources=f"estimate ({why})")
    return row


def unfolded(name, nngen, work, log):
    """LUT and DSP of the model fully parallel (every reuse factor 1, as the paper's designs),
    from nngen's estimate: the same plan for every model, so that widths and pruning compare."""
    spec = spec_path(name)
    y = yaml.safe_load(open(spec))
    base = os.path.dirname(os.path.abspath(spec))
    absolute = lambda p: p if os.path.isabs(p) else os.path.join(base, p)
    for layer in y["layers"]:
        layer.pop("reuse_factor", None)
        for key in ("kernel", "bias", "gamma", "beta", "moving_mean", "moving_variance"):
            if key in layer:
                layer[key] = absolute(layer[key])
    y.pop("test_data", None)
    y.setdefault("hardware", {})["reuse_factor"] = 1
    variant = os.path.join(work, f"unfolded_{name}.yaml")
    with open(variant, "w") as f:
        yaml.safe_dump(y, f, sort_keys=False)
    rtl = os.path.join(work, "rtl_unfolded_" + name)
    run([nngen, "build", variant, "-o", rtl], log)
    est = json.load(open(os.path.join(rtl, "estimate.json")))
    tot = next(p for p in est["parts"] if p["family"] == "xcup")["total"]
    return int(round(tot["lut"])), int(tot["dsp"])


def write_table(rows, out):
    lines = ["| model | bits | pruned | float / QAT acc. | reference acc. (10,000) | RTL mismatches (normal / stall) "
             "| LUT | FF | DSP | BRAM36 | resources | latency (cycles) | II (cycles) | zero weights | build (s) "
             "| fully parallel: LUT, DSP (estimate) |",
             "|" + "---|" * 16]
    for r in rows:
        fam, bits, pruned = describe(r["model"])
        label = r["model"] + (" (= BP)" if r["model"] == "qp16" else "")
        lines.append(
            f"| {label} | {bits if bits else 'per layer'} | {'yes' if pruned else 'no'} | "
            f"{r['float_accuracy'] if r['float_accuracy'] is not None else '-'} | "
            f"{r['reference_accuracy_10000']:.4f} | {r['mismatches']} / {r['mismatches_stall']} | {r['lut']:,} | "
            f"{r['ff']:,} | {r['dsp']} | {r['bram36']} | {r['resources']} | {r['latency']} | {r['ii']} | "
            f"{r['zero_weights']:,} of {r['weights']:,} | {r['build_s']} | "
            f"{r['lut_unfolded']:,}, {r['dsp_unfolded']} |" if "lut_unfolded" in r else
            f"{r['zero_weights']:,} of {r['weights']:,} | {r['build_s']} | - |")
    lines += ["", "The hls4ml CNN paper, table 3 (SVHN, VU9P, Vivado HLS 2020.1; accuracy, LUT, DSP): "
              "BF 14-bit 0.87, 228,823, 6,377; BP 14-bit 0.93, 145,089, 3,341; Q 7-bit 0.94, 150,981, 175; "
              "QP 7-bit 0.94, 111,152, 174; AQ 0.88, 48,027, 72; AQP 0.88, 38,795, 70 (latency 1,035-1,059 "
              "cycles, II 1,029-1,030). Its figure 11: ternary 87-88 %, binary 72 % (64 % pruned)."]
    with open(os.path.join(out, "compression.md"), "w") as f:
        f.write("\n".join(lines) + "\n")
    with open(os.path.join(out, "compression.json"), "w") as f:
        json.dump(rows, f, indent=2)


def plots(rows, out):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    # the paper's figures: QAT unpruned (Q) and pruned (QP) per width; beside them the float
    # model's PTQ (BF) and the binary/ternary CNNs as single points
    series, points = {}, []
    for r in rows:
        fam, bits, pruned = describe(r["model"])
        if fam != "CNN" or bits is None:
            continue
        if re.fullmatch(r"qp?\d+", r["model"]):
            series.setdefault(pruned, []).append((bits, r))
        else:
            points.append((bits, r))
    for key, ylabel, fname in (("reference_accuracy_10000", "accuracy (nngen reference, 10,000 images)",
                                "accuracy_vs_bits.png"),
                               ("lut_unfolded", "LUT, fully parallel (nngen estimate, xcvu9p)", "luts_vs_bits.png")):
        fig, ax = plt.subplots(figsize=(7, 4.5))
        for pruned, pts in sorted(series.items()):
            pts.sort(key=lambda p: p[0])
            ax.plot([p[0] for p in pts], [p[1][key] for p in pts], "o-",
                    label="QAT, pruned 50 % (QP; QP16 = BP)" if pruned else "QAT, unpruned (Q)")
        for bits, r in points:
            ax.plot([bits], [r[key]], "s", label={"bf": "float model, PTQ (BF)", "cnn_binary": "binary CNN",
                                                  "cnn_ternary": "ternary CNN"}.get(r["model"], r["model"]))
        ax.set_xlabel("bit width")
        ax.set_ylabel(ylabel)
        ax.grid(True, alpha=0.3)
        ax.legend()
        ax.set_title(f"nngen: {ylabel} vs bit width")
        fig.tight_layout()
        fig.savefig(os.path.join(out, fname), dpi=110)
        plt.close(fig)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", required=True)
    ap.add_argument("--models", default=",".join(model_list()), help="comma-separated (default: all that exist)")
    ap.add_argument("--train", action="store_true", help="train the models configs/ lacks first")
    ap.add_argument("--redo", action="store_true", help="measure models already in <out>/compression.json again")
    ap.add_argument("--sim-images", type=int, default=1000)
    ap.add_argument("--synth-timeout", type=int, default=600, help="seconds of Yosys per model")
    ap.add_argument("--synth-max-lut", type=int, default=60000,
                    help="no Yosys for designs the estimate puts above this many LUTs (they exceed the time limit)")
    ap.add_argument("--no-synth", action="store_true", help="resources from the estimate only (no Yosys)")
    ap.add_argument("--data-dir", default="/usr/share/datasets/fashion-mnist")
    ap.add_argument("--nngen", default=os.path.join(ROOT, "build", "nngen"))
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    log = os.path.join(args.out, "compression.log")
    names = [n for n in args.models.split(",") if n]
    if args.train:
        train_missing(names, args.nngen, log)
    img, lab = test_set(args.out, args.data_dir)
    # rows of an earlier run into the same folder are kept (a model is measured again with --redo)
    done = os.path.join(args.out, "compression.json")
    rows = [r for r in (json.load(open(done)) if os.path.exists(done) else [])
            if not args.redo or r["model"] not in names]
    for n in names:
        if any(r["model"] == n for r in rows):
            print(f"[compression] {n}: measured before ({done}); --redo measures it again", flush=True)
            continue
        if not os.path.exists(spec_path(n)):
            print(f"[compression] {n}: no spec ({spec_path(n)}), skipped (--train makes it)", flush=True)
            continue
        t0 = time.time()
        row = bench_one(n, args.nngen, args.out, img, lab, args, log)
        rows.append(row)
        print(f"[compression] {n}: {json.dumps(row)} ({time.time() - t0:.0f} s)", flush=True)
        write_table(rows, args.out)
    for r in rows:  # the same plan for every model: fully parallel (cheap: builds only)
        if "lut_unfolded" not in r and os.path.exists(spec_path(r["model"])):
            r["lut_unfolded"], r["dsp_unfolded"] = unfolded(r["model"], args.nngen, args.out, log)
            print(f"[compression] {r['model']}: fully parallel {r['lut_unfolded']} LUT, {r['dsp_unfolded']} DSP",
                  flush=True)
    if rows:
        plots(rows, args.out)
    print(open(os.path.join(args.out, "compression.md")).read())
    write_table(rows, args.out)
    bad = [r["model"] for r in rows if r["mismatches"] != 0 or r["mismatches_stall"] != 0]
    if bad:
        print(f"[compression] RTL mismatches in: {', '.join(bad)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
