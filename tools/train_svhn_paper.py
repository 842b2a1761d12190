#!/usr/bin/env python3
"""Train and export nngen's shipped example ``configs/svhn_paper/``.

What this is
------------
The CNN of the hls4ml CNN paper's SVHN benchmark ("BF" = baseline floating point
model; Aarrestad et al., "Fast convolutional neural networks on FPGAs with hls4ml",
table 1), trained in PyTorch on Fashion-MNIST (the SVHN data are not available
offline; Debian's ``dataset-fashion-mnist`` package is) and exported in nngen
spec v1 format: a YAML file plus float32 ``.npy`` weights in Keras layouts, the
first N official test images and their labels.

Model (input 32x32x3, channels-last in the export)::

    conv0   Conv2D 16, 3x3, stride 1, valid, no bias   (32,32,3)  -> (30,30,16)  432 weights
    pool0   MaxPooling2D 2x2, stride 2                 -> (15,15,16)
    bn0     BatchNormalization, relu0 ReLU
    conv1   Conv2D 16, 3x3, valid, no bias             -> (13,13,16)  2304 weights
    pool1   MaxPooling2D 2x2 / 2                       -> (6,6,16)
    bn1, relu1
    conv2   Conv2D 24, 3x3, valid, no bias             -> (4,4,24)    3456 weights
    pool2   MaxPooling2D 2x2 / 2                       -> (2,2,24)
    bn2, relu2
    flatten (h, w, c) order, like Keras                -> 96
    dense0  Dense 42, no bias                          4032 weights
    bn3, relu3
    dense1  Dense 64, no bias                          2688 weights
    bn4, relu4
    output  Dense 10 with bias                         650 weights (640 + 10)

Softmax is only part of the loss (cross-entropy); the network outputs logits.

Data and preprocessing
----------------------
Fashion-MNIST 28x28 uint8 grayscale images are zero-padded by 2 pixels on every
side (padded pixel value 0) to 32x32 and repeated to 3 channels. Each pixel is
then normalized as ``x = pixel * scale + offset`` with ``scale = 1/(255*std)``,
``offset = -mean/std``, where mean and std are the pixel mean and standard
deviation of the padded 32x32 images on the [0, 1] scale, computed over the
training split actually used for fitting (the official training set minus the
10% held out for validation). The constants are printed and written to the
YAML; the shipped test images are stored unpreprocessed (uint8, 28x28) and the
C++ side applies pad -> repeat -> scale/offset from the YAML's numbers.

Training
--------
Adam (learning rate 3e-3 as in the paper), cross-entropy, batch size 256,
``--epochs`` epochs with the learning rate divided by 10 at 60% and again at 85%
of the epochs, mild L2 weight decay (``--weight-decay``, default 1e-4) on the
conv/dense kernels only (not on BatchNorm parameters or the output bias) so the
weights and activations stay small for fixed-point inference. 10% of the
official training set (a seeded random split) is held out for validation and
reported every epoch; the model after the last epoch is exported. Everything is
seeded (``random``, ``numpy``, ``torch``, the shuffling generator) and torch
runs deterministic algorithms on ``--threads`` CPU threads (default 2).

Fixed-point range check
-----------------------
nngen's default precision for this example is ap_fixed<16,6>: 16 bits, 6
integer bits including the sign, i.e. range [-32, 32) with LSB 2^-10, and the
default overflow mode wraps. After training the script prints max |value| of the
preprocessed input and of every layer's output over the full test set, plus the
ranges of the folded BatchNorm scale/shift (gamma/sqrt(var+eps) and
beta-mean*scale) and of the weights. Any layer whose output reaches 30 (close
to the +-32 limit, leaving a margin for unseen inputs) gets a per-layer
``precision: {result: ap_fixed<10+I, I>}`` in the YAML with I integer bits
chosen so 2^(I-1) >= 1.5 * max, keeping the 10 fractional bits. In particular
this applies to the logits of the final layer. At the end the script runs
``nngen run`` (the bit-exact C++ fixed-point reference, ``--nngen``) on the
export and prints its accuracy; there is no second fixed-point model here.

Outputs (under ``--out``)
-------------------------
- ``bf.yaml``: the nngen spec v1 file, written with ``yaml.safe_dump`` after a
  header comment.
- ``weights/*.npy``: float32, C order. Conv2D kernel (KH, KW, C_in, C_out)
  (PyTorch's (C_out, C_in, KH, KW) permuted (2, 3, 1, 0)); Dense kernel
  (in, out) (PyTorch's Linear weight transposed); the model flattens
  channels-last (``x.permute(0, 2, 3, 1).reshape(n, -1)``) so dense0's kernel
  rows are already in Keras's (h, w, c) order. BatchNorm: gamma, beta,
  moving_mean, moving_variance, each of shape (C,), epsilon = 1e-5 (PyTorch's).
- ``data/test_images.npy`` uint8 (N, 28, 28) and ``data/test_labels.npy``
  uint8 (N,): the first N (default 1000) images of the official t10k set.
- ``data/float_logits.npy`` float32 (N, 10): PyTorch's float logits on them.

Checks run at the end
---------------------
1. The YAML is parsed with ``yaml.safe_load`` and every referenced file is
   checked to exist with the documented shape and dtype.
2. An independent plain-numpy float forward pass is rebuilt from the exported
   files only (YAML preprocessing constants applied to the stored uint8 images,
   channels-last, Keras layouts, BN as (x-mean)/sqrt(var+eps)*gamma+beta); its
   argmax must equal PyTorch's on every shipped image and its logits must agree
   within 1e-3. This proves the exported layouts are right.
3. ``nngen run bf.yaml``: the fixed-point accuracy of the export.

Usage::

    /usr/bin/python3 tools/train_svhn_paper.py --out configs/svhn_paper [--epochs E] [--seed S]
        [--nngen build/nngen]

Use Debian's /usr/bin/python3 (it has python3-torch, python3-numpy, python3-yaml).
"""

import argparse
import gzip
import math
import os
import random
import subprocess
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import yaml

CLASSES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
           "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]
PAD = 2            # pixels of zero padding on every side (28 -> 32)
CHANNELS = 3       # the stored grayscale image is repeated to this many channels
BN_EPS = 1e-5
DEFAULT_PRECISION = (16, 6)   # ap_fixed<16,6>
RANGE_LIMIT = 30.0            # layers whose max |output| reaches this get more integer bits

# (name, type) of every layer in YAML order; used for activation ranges and export.
LAYERS = [
    ("conv0", "Conv2D"), ("pool0", "MaxPooling2D"), ("bn0", "BatchNormalization"), ("relu0", "ReLU"),
    ("conv1", "Conv2D"), ("pool1", "MaxPooling2D"), ("bn1", "BatchNormalization"), ("relu1", "ReLU"),
    ("conv2", "Conv2D"), ("pool2", "MaxPooling2D"), ("bn2", "BatchNormalization"), ("relu2", "ReLU"),
    ("flatten", "Flatten"),
    ("dense0", "Dense"), ("bn3", "BatchNormalization"), ("relu3", "ReLU"),
    ("dense1", "Dense"), ("bn4", "BatchNormalization"), ("relu4", "ReLU"),
    ("output", "Dense"),
]


# ----------------------------------------------------------------------------- data

def read_idx(path):
    """Reads a gzip'ed IDX file (images: ubyte 3-D, labels: ubyte 1-D) into a uint8 array."""
    with gzip.open(path, "rb") as f:
        raw = f.read()
    if raw[0] != 0 or raw[1] != 0 or raw[2] != 0x08:
        raise ValueError(f"{path}: not an unsigned-byte IDX file")
    ndim = raw[3]
    dims = [int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim)]
    data = np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim)
    if data.size != int(np.prod(dims)):
        raise ValueError(f"{path}: expected {dims} values, found {data.size}")
    return data.reshape(dims).copy()


def load_fashion_mnist(data_dir):
    def p(name):
        return os.path.join(data_dir, name)
    return (read_idx(p("train-images-idx3-ubyte.gz")), read_idx(p("train-labels-idx1-ubyte.gz")),
            read_idx(p("t10k-images-idx3-ubyte.gz")), read_idx(p("t10k-labels-idx1-ubyte.gz")))


def pad_images(images_u8):
    """(N, 28, 28) uint8 -> (N, 32, 32) uint8, zero padding of PAD on every side."""
    return np.pad(images_u8, ((0, 0), (PAD, PAD), (PAD, PAD)), mode="constant", constant_values=0)


def pixel_stats(images_u8):
    """Mean and std (population) of the padded images' pixels on the [0, 1] scale (float64)."""
    x = pad_images(images_u8).astype(np.float64) / 255.0
    return float(x.mean()), float(x.std())


def to_tensor(images_u8, scale, offset):
    """uint8 (N, 28, 28) -> float32 NCHW (N, 3, 32, 32), x = pixel*scale + offset."""
    x = pad_images(images_u8).astype(np.float32) * np.float32(scale) + np.float32(offset)
    x = np.repeat(x[:, None, :, :], CHANNELS, axis=1)
    return torch.from_numpy(np.ascontiguousarray(x))


# ----------------------------------------------------------------------------- model

class PaperCNN(nn.Module):
    """The hls4ml paper's SVHN CNN; flattens channels-last so dense0 matches Keras's order."""

    def __init__(self):
        super().__init__()
        self.conv0 = nn.Conv2d(3, 16, 3, bias=False)
        self.bn0 = nn.BatchNorm2d(16, eps=BN_EPS)
        self.conv1 = nn.Conv2d(16, 16, 3, bias=False)
        self.bn1 = nn.BatchNorm2d(16, eps=BN_EPS)
        self.conv2 = nn.Conv2d(16, 24, 3, bias=False)
        self.bn2 = nn.BatchNorm2d(24, eps=BN_EPS)
        self.dense0 = nn.Linear(96, 42, bias=False)
        self.bn3 = nn.BatchNorm1d(42, eps=BN_EPS)
        self.dense1 = nn.Linear(42, 64, bias=False)
        self.bn4 = nn.BatchNorm1d(64, eps=BN_EPS)
        self.output = nn.Linear(64, 10, bias=True)

    def forward(self, x, record=None):
        """x: (N, 3, 32, 32). If record is a dict, every layer's output is stored in it
        (conv/pool/bn/relu outputs channels-last, as the exported model sees them)."""
        def rec(name, t, nchw=False):
            if record is not None:
                record[name] = (t.permute(0, 2, 3, 1) if nchw else t).detach()
            return t
        for i in range(3):
            x = rec(f"conv{i}", getattr(self, f"conv{i}")(x), True)
            x = rec(f"pool{i}", F.max_pool2d(x, 2, 2), True)
            x = rec(f"bn{i}", getattr(self, f"bn{i}")(x), True)
            x = rec(f"relu{i}", F.relu(x), True)
        x = rec("flatten", x.permute(0, 2, 3, 1).reshape(x.shape[0], -1))  # (h, w, c) order
        x = rec("dense0", self.dense0(x))
        x = rec("bn3", self.bn3(x))
        x = rec("relu3", F.relu(x))
        x = rec("dense1", self.dense1(x))
        x = rec("bn4", self.bn4(x))
        x = rec("relu4", F.relu(x))
        return rec("output", self.output(x))


def count_weights(model):
    out = {}
    for name in ("conv0", "conv1", "conv2", "dense0", "dense1", "output"):
        m = getattr(model, name)
        out[name] = sum(p.numel() for p in m.parameters())
    return out


# ----------------------------------------------------------------------------- training

def seed_everything(seed, threads):
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.set_num_threads(threads)
    torch.use_deterministic_algorithms(True)


@torch.no_grad()
def predict(model, x, batch=1000):
    model.eval()
    return torch.cat([model(x[i:i + batch]) for i in range(0, len(x), batch)])


def accuracy(logits, labels):
    return float((logits.argmax(1).numpy() == np.asarray(labels)).mean())


def train(model, x_tr, y_tr, x_va, y_va, args):
    decay, no_decay = [], []
    for name, p in model.named_parameters():
        # kernels of conv/dense layers get L2; BN affine parameters and the output bias do not
        (decay if name.endswith("weight") and not name.startswith("bn") else no_decay).append(p)
    opt = torch.optim.Adam([{"params": decay, "weight_decay": args.weight_decay},
                            {"params": no_decay, "weight_decay": 0.0}], lr=args.lr)
    milestones = sorted({max(1, int(round(0.6 * args.epochs))), max(1, int(round(0.85 * args.epochs)))})
    sched = torch.optim.lr_scheduler.MultiStepLR(opt, milestones=milestones, gamma=0.1)
    gen = torch.Generator().manual_seed(args.seed)
    y_tr_t = torch.from_numpy(y_tr.astype(np.int64))
    n = len(x_tr)
    print(f"training: {n} images, {len(x_va)} validation, batch {args.batch_size}, "
          f"Adam lr {args.lr} (x0.1 after epochs {milestones}), weight decay {args.weight_decay}",
          flush=True)
    for epoch in range(1, args.epochs + 1):
        t0 = time.time()
        model.train()
        perm = torch.randperm(n, generator=gen)
        total, correct, loss_sum = 0, 0, 0.0
        for i in range(0, n, args.batch_size):
            idx = perm[i:i + args.batch_size]
            xb, yb = x_tr[idx], y_tr_t[idx]
            logits = model(xb)
            loss = F.cross_entropy(logits, yb)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            loss_sum += float(loss) * len(idx)
            correct += int((logits.argmax(1) == yb).sum())
            total += len(idx)
        lr = opt.param_groups[0]["lr"]
        sched.step()
        va_acc = accuracy(predict(model, x_va), y_va)
        print(f"epoch {epoch:2d}/{args.epochs}: lr {lr:.0e}  loss {loss_sum / total:.4f}  "
              f"train acc {correct / total:.4f}  val acc {va_acc:.4f}  ({time.time() - t0:.0f} s)",
              flush=True)


# ----------------------------------------------------------------------------- ranges

@torch.no_grad()
def activation_ranges(model, x, batch=1000):
    """max |value| of every layer output over x (and the min, for information)."""
    model.eval()
    mx, mn = {}, {}
    for i in range(0, len(x), batch):
        rec = {}
        model(x[i:i + batch], record=rec)
        for k, v in rec.items():
            mx[k] = max(mx.get(k, 0.0), float(v.abs().max()))
            mn[k] = min(mn.get(k, math.inf), float(v.min()))
    return mx, mn


def int_bits_for(max_abs):
    """Smallest signed integer-bit count I (sign included) with 2^(I-1) >= 1.5*max_abs."""
    need = 1.5 * max_abs
    i = 1
    while 2.0 ** (i - 1) < need:
        i += 1
    return i


def choose_precisions(ranges):
    """Per-layer result precision overrides for layers whose outputs get close to +-32."""
    w, i = DEFAULT_PRECISION
    frac = w - i
    out = {}
    for name, _ in LAYERS:
        if ranges[name] >= RANGE_LIMIT:
            ib = max(int_bits_for(ranges[name]), i)
            out[name] = f"ap_fixed<{frac + ib},{ib}>"
    return out


# ----------------------------------------------------------------------------- export

def export_weights(model):
    """name -> float32 C-order array, Keras layouts."""
    sd = {k: v.detach().cpu().numpy().astype(np.float32) for k, v in model.state_dict().items()}
    w = {}
    for i in range(3):
        w[f"conv{i}_kernel"] = sd[f"conv{i}.weight"].transpose(2, 3, 1, 0)   # (KH, KW, Cin, Cout)
    w["dense0_kernel"] = sd["dense0.weight"].T                                 # (in, out)
    w["dense1_kernel"] = sd["dense1.weight"].T
    w["output_kernel"] = sd["output.weight"].T
    w["output_bias"] = sd["output.bias"]
    for i in range(5):
        w[f"bn{i}_gamma"] = sd[f"bn{i}.weight"]
        w[f"bn{i}_beta"] = sd[f"bn{i}.bias"]
        w[f"bn{i}_moving_mean"] = sd[f"bn{i}.running_mean"]
        w[f"bn{i}_moving_variance"] = sd[f"bn{i}.running_var"]
    return {k: np.ascontiguousarray(v, dtype=np.float32) for k, v in w.items()}


def fmt_float(v):
    """Shortest text that round-trips the float64 exactly."""
    return repr(float(v))


HEADER = """\
# nngen example: the hls4ml CNN paper's SVHN benchmark CNN ("BF", baseline floating point),
# trained on Fashion-MNIST (padded to 32x32, 3 channels). Produced by
# tools/train_svhn_paper.py - do not edit by hand; re-run the script instead.
# Weights: float32 .npy in Keras layouts (Conv2D (KH, KW, C_in, C_out), Dense (in, out),
# Flatten in (h, w, c) order). Preprocessing of the stored uint8 images, in this order: zero
# padding (padded pixels are 0), channels repeated, x = pixel * scale + offset with
# scale = 1/(255*std), offset = -mean/std, where mean = {mean!r} and
# std = {std!r} are the pixel statistics of the padded training images on the
# [0, 1] scale. data/float_logits.npy holds PyTorch's float logits on the shipped test images.
"""


def spec_dict(scale, offset, precisions, meta):
    """The nngen spec v1 as a dict, in the key order of docs/spec.md (written with yaml.safe_dump)."""
    def bn(name):
        d = {"name": name, "type": "BatchNormalization"}
        for field in ("gamma", "beta", "moving_mean", "moving_variance"):
            d[field] = f"weights/{name}_{field}.npy"
        d["epsilon"] = BN_EPS
        return d

    layers = []
    conv_filters = {"conv0": 16, "conv1": 16, "conv2": 24}
    for blk in range(3):
        c = f"conv{blk}"
        layers += [{"name": c, "type": "Conv2D", "filters": conv_filters[c], "kernel_size": [3, 3],
                    "strides": [1, 1], "padding": "valid", "use_bias": False, "kernel": f"weights/{c}_kernel.npy"},
                   {"name": f"pool{blk}", "type": "MaxPooling2D", "pool_size": [2, 2], "strides": [2, 2]},
                   bn(f"bn{blk}"), {"name": f"relu{blk}", "type": "ReLU"}]
    layers.append({"name": "flatten", "type": "Flatten"})  # (h, w, c) order, as Keras
    for d, units, b, r in (("dense0", 42, "bn3", "relu3"), ("dense1", 64, "bn4", "relu4")):
        layers += [{"name": d, "type": "Dense", "units": units, "use_bias": False,
                    "kernel": f"weights/{d}_kernel.npy"}, bn(b), {"name": r, "type": "ReLU"}]
    layers.append({"name": "output", "type": "Dense", "units": 10, "use_bias": True,  # logits
                   "kernel": "weights/output_kernel.npy", "bias": "weights/output_bias.npy"})
    for layer in layers:
        if layer["name"] in precisions:  # max |output| on the test set exceeds the default's margin
            layer["precision"] = {"result": precisions[layer["name"]]}
    return {
        "nngen": 1,
        "name": "svhn_paper_bf",
        "description": "hls4ml paper SVHN CNN (3x conv-pool-BN-ReLU, 2x dense-BN-ReLU, dense 10), "
                       "float model, trained on Fashion-MNIST",
        "precision": {"default": "ap_fixed<16,6>"},
        "input": {"shape": [32, 32, 3], "precision": "ap_fixed<16,6>",
                  "preprocess": {"pad": [PAD] * 4, "repeat_channels": CHANNELS,
                                 "scale": float(scale), "offset": float(offset)}},
        "layers": layers,
        "test_data": {"images": "data/test_images.npy", "labels": "data/test_labels.npy", "classes": CLASSES},
        "metadata": {"dataset": "Fashion-MNIST (Debian dataset-fashion-mnist), zero-padded to 32x32, "
                                "repeated to 3 channels; test images: the first "
                                f"{meta['n']} of the official t10k set",
                     "float_accuracy": Accuracy(meta["acc_n"]),
                     "float_accuracy_full_test_set": Accuracy(meta["acc_full"]),
                     "trained_with": meta["trained_with"]},
    }


class SpecDumper(yaml.SafeDumper):
    """yaml.SafeDumper writing mappings in block style and lists of scalars in flow style
    (``shape: [32, 32, 3]``), as docs/spec.md writes them."""


class Accuracy(float):
    """A fraction written with four decimals (0.9120), like the script's printed accuracies."""


SpecDumper.add_representer(list, lambda dumper, data: dumper.represent_sequence(
    "tag:yaml.org,2002:seq", data, flow_style=not any(isinstance(x, (list, dict)) for x in data)))
SpecDumper.add_representer(Accuracy, lambda dumper, data: dumper.represent_scalar(
    "tag:yaml.org,2002:float", f"{data:.4f}"))


def write_spec(path, spec, mean, std):
    """Writes the spec as YAML (PyYAML's safe dumper) after a header comment."""
    with open(path, "w") as f:
        f.write(HEADER.format(mean=mean, std=std))
        yaml.dump(spec, f, Dumper=SpecDumper, sort_keys=False, default_flow_style=False, width=100)


# ----------------------------------------------------------------------------- checks

EXPECTED_SHAPES = {
    "conv0": (3, 3, 3, 16), "conv1": (3, 3, 16, 16), "conv2": (3, 3, 16, 24),
    "dense0": (96, 42), "dense1": (42, 64), "output": (64, 10),
}
BN_CHANNELS = {"bn0": 16, "bn1": 16, "bn2": 24, "bn3": 42, "bn4": 64}


def verify_spec(out_dir, n):
    """Parses bf.yaml and checks every referenced file's existence, shape and dtype."""
    with open(os.path.join(out_dir, "bf.yaml")) as f:
        spec = yaml.safe_load(f)
    assert spec["nngen"] == 1 and spec["name"] == "svhn_paper_bf"
    assert spec["input"]["shape"] == [32, 32, 3]
    pp = spec["input"]["preprocess"]
    assert isinstance(pp["scale"], float) and isinstance(pp["offset"], float), pp
    names = [l["name"] for l in spec["layers"]]
    assert names == [n_ for n_, _ in LAYERS], names
    for l, (_, t) in zip(spec["layers"], LAYERS):
        assert l["type"] == t, (l["name"], l["type"], t)

    def check(rel, shape, dtype):
        path = os.path.join(out_dir, rel)
        assert os.path.isfile(path), f"missing {path}"
        arr = np.load(path)
        assert arr.shape == shape and arr.dtype == dtype, (rel, arr.shape, arr.dtype, shape, dtype)
        assert arr.flags["C_CONTIGUOUS"]
        return arr

    checked = 0
    for l in spec["layers"]:
        if l["type"] in ("Conv2D", "Dense"):
            check(l["kernel"], EXPECTED_SHAPES[l["name"]], np.float32)
            checked += 1
            if l.get("use_bias"):
                check(l["bias"], (EXPECTED_SHAPES[l["name"]][-1],), np.float32)
                checked += 1
        elif l["type"] == "BatchNormalization":
            for field in ("gamma", "beta", "moving_mean", "moving_variance"):
                check(l[field], (BN_CHANNELS[l["name"]],), np.float32)
                checked += 1
            assert isinstance(l["epsilon"], float)
    td = spec["test_data"]
    check(td["images"], (n, 28, 28), np.uint8)
    check(td["labels"], (n,), np.uint8)
    check("data/float_logits.npy", (n, 10), np.float32)
    md = spec["metadata"]
    assert set(md) == {"dataset", "float_accuracy", "float_accuracy_full_test_set", "trained_with"}
    assert isinstance(md["float_accuracy"], float)
    assert len(td["classes"]) == 10
    print(f"verify_spec: bf.yaml parses; {checked} weight files + 3 data files have the "
          "documented shapes/dtypes")
    return spec


def numpy_forward(spec, out_dir, images_u8):
    """Plain-numpy float64 forward pass from the exported files only (channels-last, Keras layouts)."""
    pp = spec["input"]["preprocess"]
    t, b, l_, r = pp["pad"]
    x = np.pad(images_u8, ((0, 0), (t, b), (l_, r)), constant_values=0).astype(np.float64)
    x = np.repeat(x[..., None], pp["repeat_channels"], axis=3)
    x = x * pp["scale"] + pp["offset"]

    def load(rel):
        return np.load(os.path.join(out_dir, rel)).astype(np.float64)

    for layer in spec["layers"]:
        name, typ = layer["name"], layer["type"]
        if typ == "Conv2D":
            k = load(layer["kernel"])            # (KH, KW, Cin, Cout)
            kh, kw = k.shape[:2]
            sh, sw = layer["strides"]
            assert layer["padding"] == "valid"
            oh = (x.shape[1] - kh) // sh + 1
            ow = (x.shape[2] - kw) // sw + 1
            y = np.zeros((x.shape[0], oh, ow, k.shape[3]))
            for i in range(kh):
                for j in range(kw):
                    patch = x[:, i:i + sh * (oh - 1) + 1:sh, j:j + sw * (ow - 1) + 1:sw, :]
                    y += patch @ k[i, j]
            if layer.get("use_bias"):
                y += load(layer["bias"])
            x = y
        elif typ == "MaxPooling2D":
            ph, pw = layer["pool_size"]
            sh, sw = layer["strides"]
            oh = (x.shape[1] - ph) // sh + 1
            ow = (x.shape[2] - pw) // sw + 1
            y = np.full((x.shape[0], oh, ow, x.shape[3]), -np.inf)
            for i in range(ph):
                for j in range(pw):
                    y = np.maximum(y, x[:, i:i + sh * (oh - 1) + 1:sh, j:j + sw * (ow - 1) + 1:sw, :])
            x = y
        elif typ == "BatchNormalization":
            g, be = load(layer["gamma"]), load(layer["beta"])
            m, v = load(layer["moving_mean"]), load(layer["moving_variance"])
            x = (x - m) / np.sqrt(v + layer["epsilon"]) * g + be
        elif typ == "ReLU":
            x = np.maximum(x, 0.0)
        elif typ == "Flatten":
            x = x.reshape(x.shape[0], -1)                       # (h, w, c) order
        elif typ == "Dense":
            x = x @ load(layer["kernel"])
            if layer.get("use_bias"):
                x = x + load(layer["bias"])
        else:
            raise ValueError(f"unknown layer type {typ}")
    return x


def numpy_check(spec, out_dir, torch_logits):
    """Asserts the numpy float forward pass equals PyTorch's (argmax, logits within 1e-3)."""
    images = np.load(os.path.join(out_dir, spec["test_data"]["images"]))
    logits = numpy_forward(spec, out_dir, images)
    diff = float(np.abs(logits - torch_logits).max())
    same = int((logits.argmax(1) == torch_logits.argmax(1)).sum())
    print(f"numpy_check: independent numpy forward pass vs PyTorch on {len(images)} shipped "
          f"images: argmax equal on {same}/{len(images)}, max |logit diff| {diff:.2e}")
    assert same == len(images), "argmax mismatch between numpy and PyTorch"
    assert diff < 1e-3, f"logits differ by {diff}"


def nngen_run(nngen, spec_path):
    """Runs nngen's bit-exact C++ fixed-point reference on the exported spec; returns its output."""
    r = subprocess.run([nngen, "run", spec_path], capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError(f"{nngen} run {spec_path} failed:\n{r.stderr}")
    return r.stdout


# ----------------------------------------------------------------------------- main

def main():
    ap = argparse.ArgumentParser(
        description="Train the hls4ml paper's SVHN CNN on padded Fashion-MNIST and export it "
                    "as nngen spec v1 (YAML + .npy weights + test data). See the module "
                    "docstring for the model, preprocessing and file layouts.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    ap.add_argument("--out", required=True, help="output directory, e.g. configs/svhn_paper")
    ap.add_argument("--epochs", type=int, default=15, help="training epochs")
    ap.add_argument("--seed", type=int, default=0, help="seed for random, numpy and torch")
    ap.add_argument("--batch-size", type=int, default=256, help="training batch size")
    ap.add_argument("--lr", type=float, default=3e-3, help="Adam learning rate (paper: 3e-3)")
    ap.add_argument("--weight-decay", type=float, default=1e-4,
                    help="L2 weight decay on conv/dense kernels")
    ap.add_argument("--n-test", type=int, default=1000,
                    help="number of official test images to ship (the first N)")
    ap.add_argument("--threads", type=int, default=2, help="torch CPU threads")
    ap.add_argument("--data-dir", default="/usr/share/datasets/fashion-mnist",
                    help="directory of the Fashion-MNIST IDX .gz files")
    ap.add_argument("--nngen", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "build", "nngen"),
                    help="the nngen binary, run on the export for its fixed-point accuracy")
    args = ap.parse_args()
    if not os.access(args.nngen, os.X_OK):
        ap.error(f"{args.nngen} is not an executable nngen: build it first "
                 "(cmake -S . -B build && cmake --build build --target nngen)")

    seed_everything(args.seed, args.threads)
    t_start = time.time()
    print(f"torch {torch.__version__}, numpy {np.__version__}, seed {args.seed}, "
          f"{args.threads} threads", flush=True)

    tr_img, tr_lab, te_img, te_lab = load_fashion_mnist(args.data_dir)
    assert tr_img.shape == (60000, 28, 28) and te_img.shape == (10000, 28, 28)
    perm = np.random.RandomState(args.seed).permutation(len(tr_img))
    n_val = len(tr_img) // 10
    va_idx, fit_idx = perm[:n_val], perm[n_val:]

    mean, std = pixel_stats(tr_img[fit_idx])
    scale, offset = 1.0 / (255.0 * std), -mean / std
    print(f"preprocessing: pad {PAD} (28x28 -> 32x32, zeros), repeat to {CHANNELS} channels; "
          f"training-split pixel mean {mean:.6f}, std {std:.6f} ([0,1] scale)")
    print(f"  x = pixel * scale + offset with scale = {fmt_float(scale)}, offset = {fmt_float(offset)}"
          f"  (x range [{offset:.4f}, {255 * scale + offset:.4f}])")

    x_fit, y_fit = to_tensor(tr_img[fit_idx], scale, offset), tr_lab[fit_idx]
    x_va, y_va = to_tensor(tr_img[va_idx], scale, offset), tr_lab[va_idx]
    x_te = to_tensor(te_img, scale, offset)

    model = PaperCNN()
    counts = count_weights(model)
    print("weights per layer:", ", ".join(f"{k} {v}" for k, v in counts.items()))
    assert counts == {"conv0": 432, "conv1": 2304, "conv2": 3456,
                      "dense0": 4032, "dense1": 2688, "output": 650}, counts

    train(model, x_fit, y_fit, x_va, y_va, args)
    model.eval()

    n = args.n_test
    logits_full = predict(model, x_te)
    acc_full = accuracy(logits_full, te_lab)
    logits_n = logits_full[:n].numpy().astype(np.float32)
    acc_n = float((logits_n.argmax(1) == te_lab[:n]).mean())
    print(f"float accuracy: {acc_n:.4f} on the {n} shipped test images, "
          f"{acc_full:.4f} on all {len(te_img)} test images")

    # ---- ranges for fixed point
    ranges, mins = activation_ranges(model, x_te)
    ranges_in = float(x_te.abs().max())
    print(f"max |value| over the {len(te_img)} test images (default ap_fixed<16,6> holds [-32, 32)):")
    print(f"  {'input':8s} {ranges_in:8.3f}")
    for name, typ in LAYERS:
        print(f"  {name:8s} {ranges[name]:8.3f}   (min {mins[name]:8.3f})  {typ}")
    print(f"  max |logit| = {ranges['output']:.3f}")
    weights = export_weights(model)
    print("max |weight| per layer and folded BatchNorm scale/shift ranges:")
    for k in ("conv0_kernel", "conv1_kernel", "conv2_kernel", "dense0_kernel", "dense1_kernel",
              "output_kernel", "output_bias"):
        print(f"  {k:14s} max |w| {np.abs(weights[k]).max():.4f}")
    for i in range(5):
        s = weights[f"bn{i}_gamma"] / np.sqrt(weights[f"bn{i}_moving_variance"] + BN_EPS)
        sh = weights[f"bn{i}_beta"] - weights[f"bn{i}_moving_mean"] * s
        print(f"  bn{i}: scale gamma/sqrt(var+eps) in [{s.min():.4f}, {s.max():.4f}], "
              f"shift beta-mean*scale in [{sh.min():.4f}, {sh.max():.4f}]")
    precisions = choose_precisions(ranges)
    if precisions:
        for k, v in precisions.items():
            print(f"precision: {k} output reaches {ranges[k]:.2f} >= {RANGE_LIMIT} -> result {v} in YAML")
    else:
        print(f"precision: every layer output stays below {RANGE_LIMIT}; default ap_fixed<16,6> "
              "everywhere, no per-layer override")

    # ---- export
    out = args.out
    os.makedirs(os.path.join(out, "weights"), exist_ok=True)
    os.makedirs(os.path.join(out, "data"), exist_ok=True)
    for k, v in weights.items():
        np.save(os.path.join(out, "weights", f"{k}.npy"), v)
    np.save(os.path.join(out, "data", "test_images.npy"), np.ascontiguousarray(te_img[:n], np.uint8))
    np.save(os.path.join(out, "data", "test_labels.npy"), np.ascontiguousarray(te_lab[:n], np.uint8))
    np.save(os.path.join(out, "data", "float_logits.npy"), np.ascontiguousarray(logits_n))
    meta = {"n": n, "acc_n": acc_n, "acc_full": acc_full, "ranges": ranges,
            "trained_with": f"torch {torch.__version__}, {args.epochs} epochs, seed {args.seed}, "
                            f"Adam lr {args.lr} (x0.1 at 60%/85% of epochs), batch {args.batch_size}, "
                            f"weight decay {args.weight_decay}, 10% validation split"}
    write_spec(os.path.join(out, "bf.yaml"), spec_dict(scale, offset, precisions, meta), mean, std)
    print(f"wrote {out}/bf.yaml, {len(weights)} weight files, test data (N={n})")

    # ---- checks
    spec = verify_spec(out, n)
    numpy_check(spec, out, logits_n)
    print(f"nngen run {out}/bf.yaml (the bit-exact C++ fixed-point reference):")
    print(nngen_run(args.nngen, os.path.join(out, "bf.yaml")), end="", flush=True)
    print(f"done in {time.time() - t_start:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
