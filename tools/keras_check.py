#!/usr/bin/env python3
"""Compares nngen's import of a Keras/QKeras model with the original model (issue 11).

Runs the model's own forward pass in numpy from its files (architecture JSON, HDF5 weights via
h5py: float for Keras layers; for QKeras layers the quantizers applied as QKeras defines them,
alpha = 1: quantized_bits rounds half to even and clips, quantized_relu likewise), then
`nngen import` + `nngen run` on the same inputs, and prints how often the class agrees and the
largest difference of the outputs (probabilities after a softmax, else logits).

Usage (python3-numpy, python3-h5py: tools/install_deps.sh --bench):
    /usr/bin/python3 tools/keras_check.py tests/import/keras/KERAS_3layer.json \\
        --inputs tests/import/keras/KERAS_3layer_inputs.npy
    /usr/bin/python3 tools/keras_check.py MODEL.json --random 1000 --dist normal
"""

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile

import h5py
import numpy as np

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))


def quantizer(q):
    """(name, args) of a QKeras quantizer object or string (positional args in QKeras order)."""
    if isinstance(q, dict):
        return q["class_name"], dict(q.get("config", {}))
    m = re.fullmatch(r"\s*(\w+)\s*(?:\((.*)\))?\s*", q)
    name, args, order = m.group(1), {}, {"quantized_bits": ["bits", "integer", "symmetric", "keep_negative", "alpha"],
                                          "quantized_relu": ["bits", "integer"]}.get(m.group(1), [])
    for i, a in enumerate(x.strip() for x in (m.group(2) or "").split(",") if x.strip()):
        k, v = a.split("=", 1) if "=" in a else (order[i], a)
        args[k.strip()] = eval(v, {"True": True, "False": False, "None": None})
    return name, args


def apply_quantizer(q, x):
    """QKeras's quantizer (alpha = 1) on x, as its definition computes it."""
    name, a = quantizer(q)
    if name == "quantized_bits":
        bits, integer = a.get("bits", 8), a.get("integer", 0)
        keep, sym = int(bool(a.get("keep_negative", True))), int(bool(a.get("symmetric", 0)))
        m, mi = 2.0 ** (bits - keep), 2.0 ** integer
        return mi * np.clip(np.round(x * m / mi), keep * (-m + sym), m - 1) / m
    if name == "quantized_relu":
        bits, integer = a.get("bits", 8), a.get("integer", 0)
        m, mi = 2.0 ** bits, 2.0 ** integer
        return mi * np.clip(np.round(np.maximum(x, 0) * m / mi), 0, m - 1) / m
    if name == "binary":
        return np.where(x >= 0, 1.0, -1.0)
    raise SystemExit(f"keras_check: quantizer {name} not modelled here")


def activation(name, x):
    if name in (None, "linear"):
        return x
    if name == "relu":
        return np.maximum(x, 0)
    if name == "sigmoid":
        return 1 / (1 + np.exp(-x))
    if name == "tanh":
        return np.tanh(x)
    if name == "softmax":
        e = np.exp(x - x.max(axis=-1, keepdims=True))
        return e / e.sum(axis=-1, keepdims=True)
    raise SystemExit(f"keras_check: activation {name} not modelled here")


def conv2d(x, k, b, strides, padding):
    n, h, w, c = x.shape
    kh, kw, _, f = k.shape
    sh, sw = strides
    if padding == "same":
        oh, ow = -(-h // sh), -(-w // sw)
        ph, pw = max((oh - 1) * sh + kh - h, 0), max((ow - 1) * sw + kw - w, 0)
        x = np.pad(x, ((0, 0), (ph // 2, ph - ph // 2), (pw // 2, pw - pw // 2), (0, 0)))
    oh, ow = (x.shape[1] - kh) // sh + 1, (x.shape[2] - kw) // sw + 1
    y = np.zeros((n, oh, ow, f))
    for r in range(kh):
        for s in range(kw):
            y += x[:, r:r + sh * oh:sh, s:s + sw * ow:sw, :] @ k[r, s]
    return y + (b if b is not None else 0)


def pool(x, size, strides, op):
    n, h, w, c = x.shape
    (ph, pw), (sh, sw) = size, strides
    oh, ow = (h - ph) // sh + 1, (w - pw) // sw + 1
    win = [x[:, r:r + sh * oh:sh, s:s + sw * ow:sw, :] for r in range(ph) for s in range(pw)]
    return np.max(win, axis=0) if op == "max" else np.mean(win, axis=0)


def forward(arch, h5, x):
    cfg = arch["config"]
    layers = cfg if isinstance(cfg, list) else cfg["layers"]
    root = h5["model_weights"] if "model_weights" in h5 else h5
    for layer in layers:
        cls, c = layer["class_name"], layer["config"]
        name = c["name"]

        def w(key):
            g = root[name]
            for wn in g.attrs["weight_names"]:
                wn = wn.decode() if isinstance(wn, bytes) else wn
                if wn.split("/")[-1].split(":")[0] == key:
                    return np.array(g[wn], dtype=np.float64)
            return None
        pair = lambda v: tuple(v) if isinstance(v, (list, tuple)) else (v, v)
        if cls in ("InputLayer", "Dropout", "SpatialDropout2D", "GaussianDropout", "AlphaDropout"):
            continue
        if cls in ("Dense", "QDense", "Conv2D", "QConv2D"):
            k, b = w("kernel"), w("bias") if c.get("use_bias", True) else None
            if cls.startswith("Q"):
                k = apply_quantizer(c["kernel_quantizer"], k)
                if b is not None and c.get("bias_quantizer"):
                    b = apply_quantizer(c["bias_quantizer"], b)
            x = (x @ k + (b if b is not None else 0)) if "Dense" in cls else \
                conv2d(x, k, b, pair(c.get("strides", 1)), c.get("padding", "valid"))
            x = activation(c.get("activation"), x)
        elif cls in ("MaxPooling2D", "AveragePooling2D"):
            size = pair(c.get("pool_size", 2))
            x = pool(x, size, pair(c.get("strides") or size), "max" if cls.startswith("Max") else "avg")
        elif cls == "BatchNormalization":
            g = w("gamma") if c.get("scale", True) else 1.0
            beta = w("beta") if c.get("center", True) else 0.0
            x = (x - w("moving_mean")) / np.sqrt(w("moving_variance") + c.get("epsilon", 1e-3)) * g + beta
        elif cls == "Activation":
            x = activation(c["activation"], x)
        elif cls == "ReLU":
            x = np.maximum(x, 0)
        elif cls == "Flatten":
            x = x.reshape(x.shape[0], -1)
        elif cls == "QActivation":
            x = apply_quantizer(c["activation"], x)
        else:
            raise SystemExit(f"keras_check: layer {cls} not modelled here")
    return x


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("model", help="Keras architecture .json (weights beside it) or whole-model .h5")
    ap.add_argument("--weights", default="")
    ap.add_argument("--inputs", help="float .npy inputs")
    ap.add_argument("--random", type=int, default=0, help="this many random inputs instead")
    ap.add_argument("--dist", choices=("normal", "uniform"), default="normal",
                    help="random inputs: normal(0, 1) or uniform [0, 1)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--precision", default="", help="nngen import --precision (default: nngen's)")
    ap.add_argument("--nngen", default=os.path.join(ROOT, "build", "nngen"))
    args = ap.parse_args()
    if args.model.endswith(".json"):
        arch = json.load(open(args.model))
        weights = args.weights or next(p for p in (args.model[:-5] + "_weights.h5", args.model[:-5] + ".h5")
                                       if os.path.exists(p))
    else:
        weights = args.weights or args.model
        arch = json.loads(h5py.File(args.model, "r").attrs["model_config"])
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([args.nngen, "import", args.model, "-o", os.path.join(tmp, "imp")] +
                       (["--weights", args.weights] if args.weights else []) +
                       (["--precision", args.precision] if args.precision else []),
                       check=True, stdout=subprocess.DEVNULL)
        spec = next(os.path.join(tmp, "imp", f) for f in os.listdir(os.path.join(tmp, "imp")) if f.endswith(".yaml"))
        import yaml
        shape = yaml.safe_load(open(spec))["input"]["shape"]
        if args.inputs:
            x = np.load(args.inputs).astype(np.float64)
        else:
            rng = np.random.default_rng(args.seed)
            size = (args.random, *shape)
            x = rng.normal(0, 1, size) if args.dist == "normal" else rng.uniform(0, 1, size)
        np.save(os.path.join(tmp, "x.npy"), x.astype(np.float32))
        x = np.load(os.path.join(tmp, "x.npy")).astype(np.float64)
        subprocess.run([args.nngen, "run", spec, "--input", os.path.join(tmp, "x.npy"), "-o", os.path.join(tmp, "run")],
                       check=True, stdout=subprocess.DEVNULL)
        got_cls = np.load(os.path.join(tmp, "run", "classes.npy"))
        got = np.load(os.path.join(tmp, "run", "logits.npy"))
    with h5py.File(weights, "r") as h5:
        ref = forward(arch, h5, x)
    ref_cls = ref.argmax(axis=-1)
    same = int((ref_cls == got_cls).sum())
    print(f"keras_check: {args.model}: {len(x)} inputs; class of nngen's fixed-point reference = class of "
          f"the original model on {same}/{len(x)} ({same / len(x):.1%}); largest |output difference| "
          f"{np.abs(ref - got.reshape(ref.shape)).max():.4f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
