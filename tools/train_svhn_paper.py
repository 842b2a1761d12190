#!/usr/bin/env python3
"""Train and export nngen's shipped example ``configs/svhn_paper/``: the float model
``bf.yaml`` and, fine-tuned from it, the 7-bit pruned model ``qp7.yaml`` (``--finetune-bits``).

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

Fixed-point fine-tuning (``--finetune-bits B``): the "QP B-bit" model
-----------------------------------------------------------------------
The hls4ml paper's quantized-and-pruned ("QP") models are trained quantization-aware with 50%
of the weights pruned. This step makes one from the float model, either the one just trained
or, with ``--from SPEC``, the one stored in an exported bf.yaml (then nothing of bf.yaml,
weights/ or data/ is rewritten; the seed must be the one it was trained with, which the
script checks through the preprocessing constants, and the loaded model must reproduce
data/float_logits.npy). The generic pieces are in ``tools/nngen_qat.py``.

1. **BatchNorm folded first.** nngen folds every BatchNorm of bf.yaml into the Conv2D/Dense
   before it (through the max pooling: every BN scale is >= 0, asserted), so the hardware has
   no BatchNorm: w' = w * s, b' = b * s + t with s = gamma/sqrt(var+eps), t = beta - mean*s.
   The script folds the same way (float64) before fine-tuning, trains the folded network and
   exports it without BatchNorm layers, every Conv2D/Dense with a bias. The float folded model
   must reproduce the unfolded logits (asserted, within 1e-3).
2. **Types**, all ``ap_fixed<B,I,AP_RND,AP_SAT>`` (round to nearest, saturate: a 7-bit
   wrapping type turns every overflow into a sign flip, and truncation biases every layer
   by half an LSB), I chosen per tensor from the float folded model (nngen_qat.int_bits_for,
   the smallest I whose range reaches the value): input from max |pixel*scale+offset|; each
   kernel and bias from its max |value|; each hidden layer's result (it feeds a max pool and
   a ReLU) from the ``--result-quantile`` (0.999) of its positive outputs over
   ``--range-images`` training images; the logits from their max |value|. The max pooling and
   the ReLU after a layer keep its result type (exact there). Accumulators stay nngen's
   default, exact. The types are printed and written per layer into the YAML.
3. **Fake quantization** (nngen_qat.QConv2d / QLinear): the forward pass quantizes the input
   (a 256-entry table: pixel*scale+offset in double, then the input type, as nngen's
   loadInputs), every kernel and bias, and every Conv2D/Dense sum into its type with nngen's
   rounding and overflow rules (docs/fixed_point.md, checked against its tables); the backward
   pass is the straight-through estimator, zero where saturation clamps.
4. **Pruning**: layer-wise L1-unstructured (magnitude) pruning of each of the six kernels with
   torch.nn.utils.prune.l1_unstructured, the sparsity raised every ``--prune-every`` steps along
   the polynomial schedule of Zhu and Gupta (arXiv 1710.01878; power 3, the schedule the paper's
   TensorFlow pruning used) from 0 to ``--prune`` (0.5) over the first ``--prune-ramp`` (half)
   of the fine-tuning steps, then kept; torch.nn.utils.prune.remove makes it permanent before
   the export, so pruned weights are exactly 0. Biases are not pruned.
5. **Fine-tuning**: Adam, ``--finetune-lr`` (1e-3) cosine-annealed to 0 per step,
   ``--finetune-epochs`` (6) epochs, batch ``--batch-size``, no weight decay, cross-entropy,
   the same training/validation split; the validation accuracy of the fixed-point forward pass
   is printed every epoch, and before fine-tuning the plain post-training quantization of the
   folded float model is printed for comparison.
6. **Export** to ``<out>/qp<B>.yaml`` (header comment with the command that made it; metadata:
   float accuracy, PyTorch fixed-point accuracy, nngen's accuracy, kernel sparsity per layer),
   ``<out>/weights_qp<B>/`` (``<layer>_kernel.npy``, ``<layer>_bias.npy``: float32, Keras
   layouts, every value exactly representable in its type, so nngen's PTQ is the identity) and
   ``<out>/data/qp<B>_logits.npy`` (float32 (N, 10): PyTorch's fixed-point logits on the shipped
   images). The test images and labels are bf.yaml's ``data/`` (checked to be the first N).
7. **Checks**: every kernel and bias value is exact in its type and every kernel has at least
   ``--prune`` zeros (counted in the .npy files and printed); the fixed-point forward pass in
   float64 (every product and sum of B-bit values is exact there) is compared with
   ``nngen run`` on the shipped images raw logit by raw logit: the script prints on how many
   images the class and all ten logits agree.

Usage::

    /usr/bin/python3 tools/train_svhn_paper.py --out configs/svhn_paper [--epochs E] [--seed S]
        [--nngen build/nngen] [--finetune-bits 7 [--prune 0.5] [--finetune-epochs 6]]
    # the shipped qp7.yaml, from the shipped bf.yaml:
    /usr/bin/python3 tools/train_svhn_paper.py --out configs/svhn_paper \
        --from configs/svhn_paper/bf.yaml --finetune-bits 7 --prune 0.5 --finetune-epochs 6

Use Debian's /usr/bin/python3 (it has python3-torch, python3-numpy, python3-yaml).
"""

import argparse
import copy
import gzip
import math
import os
import random
import subprocess
import sys
import tempfile
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import yaml

import nngen_qat  # tools/nngen_qat.py: fixed-point fake quantization and pruning

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


def write_spec(path, spec, header):
    """Writes the spec as YAML (PyYAML's safe dumper) after a header comment (text of # lines)."""
    with open(path, "w") as f:
        f.write(header)
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


# ----------------------------------------------------------------------------- fixed-point fine-tuning

QP_LAYERS = ("conv0", "conv1", "conv2", "dense0", "dense1", "output")  # weighted layers, in order
QP_BN = {"conv0": "bn0", "conv1": "bn1", "conv2": "bn2", "dense0": "bn3", "dense1": "bn4"}
QP_ROUNDING, QP_OVERFLOW = "AP_RND", "AP_SAT"  # every type of the fine-tuned model


def load_float_model(spec_path):
    """The float PaperCNN stored in an exported bf.yaml and its weights/ (the inverse of
    export_weights: Keras layouts back to PyTorch's), in eval mode, and the parsed spec."""
    with open(spec_path) as f:
        spec = yaml.safe_load(f)
    base = os.path.dirname(os.path.abspath(spec_path))
    layers = {l["name"]: l for l in spec["layers"]}
    if [l["name"] for l in spec["layers"]] != [n for n, _ in LAYERS]:
        raise ValueError(f"{spec_path}: not a {', '.join(n for n, _ in LAYERS)} network")

    def load(rel):
        return torch.from_numpy(np.ascontiguousarray(np.load(os.path.join(base, rel)), np.float32))

    sd = {}
    for i in range(3):
        sd[f"conv{i}.weight"] = load(layers[f"conv{i}"]["kernel"]).permute(3, 2, 0, 1)
    for name in ("dense0", "dense1", "output"):
        sd[f"{name}.weight"] = load(layers[name]["kernel"]).T
    sd["output.bias"] = load(layers["output"]["bias"])
    for i in range(5):
        bn = layers[f"bn{i}"]
        if bn["epsilon"] != BN_EPS:
            raise ValueError(f"{spec_path}: bn{i} epsilon {bn['epsilon']}, expected {BN_EPS}")
        sd[f"bn{i}.weight"] = load(bn["gamma"])
        sd[f"bn{i}.bias"] = load(bn["beta"])
        sd[f"bn{i}.running_mean"] = load(bn["moving_mean"])
        sd[f"bn{i}.running_var"] = load(bn["moving_variance"])
        sd[f"bn{i}.num_batches_tracked"] = torch.tensor(0)
    model = PaperCNN()
    model.load_state_dict({k: v.contiguous() for k, v in sd.items()})
    model.eval()
    return model, spec


class FoldedCNN(nn.Module):
    """PaperCNN with each BatchNorm folded into the Conv2D/Dense before it, which is what
    nngen's fold-batchnorm pass builds from bf.yaml (every BN scale >= 0, so the fold passes the
    max pooling exactly): conv(bias) -> pool -> ReLU three times, flatten, dense(bias) -> ReLU
    twice, output. Built from nngen_qat.QConv2d/QLinear: once set_types() gave them their
    ap_fixed types it computes what nngen's fixed-point reference computes for the exported
    qp spec (the input must already be quantized, see input_lut; max pooling and ReLU keep
    their input's type and are exact); without types it is the float model."""

    def __init__(self):
        super().__init__()
        self.conv0 = nngen_qat.QConv2d(3, 16, 3)
        self.conv1 = nngen_qat.QConv2d(16, 16, 3)
        self.conv2 = nngen_qat.QConv2d(16, 24, 3)
        self.dense0 = nngen_qat.QLinear(96, 42)
        self.dense1 = nngen_qat.QLinear(42, 64)
        self.output = nngen_qat.QLinear(64, 10)

    def set_types(self, types):
        """types: layer name -> {"weight", "bias", "result"} -> nngen_qat.FixedType (or None)."""
        for name in QP_LAYERS:
            m = getattr(self, name)
            m.weight_type, m.bias_type, m.result_type = (types[name][k] for k in ("weight", "bias", "result"))

    def forward(self, x, record=None):
        """x: (N, 3, 32, 32). record (a dict) receives every Conv2D/Dense output before pooling
        and ReLU, channels-last."""
        def rec(name, t, nchw=False):
            if record is not None:
                record[name] = (t.permute(0, 2, 3, 1) if nchw else t).detach()
            return t
        for i in range(3):
            x = F.relu(F.max_pool2d(rec(f"conv{i}", getattr(self, f"conv{i}")(x), True), 2, 2))
        x = x.permute(0, 2, 3, 1).reshape(x.shape[0], -1)  # (h, w, c) order
        x = F.relu(rec("dense0", self.dense0(x)))
        x = F.relu(rec("dense1", self.dense1(x)))
        return rec("output", self.output(x))


@torch.no_grad()
def fold_batchnorm(model):
    """FoldedCNN (float) from a trained PaperCNN: w' = w * s_c, b' = b * s_c + t_c with
    s = gamma / sqrt(var + eps), t = beta - mean * s, computed in float64 (as nngen's
    fold-batchnorm pass). Returns the model and the number of negative scales (a negative
    scale does not commute with max pooling, so the folded model would differ there)."""
    folded = FoldedCNN()
    negative = 0
    for name in QP_LAYERS:
        src, dst = getattr(model, name), getattr(folded, name)
        w = src.weight.double()
        b = src.bias.double() if src.bias is not None else torch.zeros(w.shape[0], dtype=torch.float64)
        if name in QP_BN:
            bn = getattr(model, QP_BN[name])
            s = bn.weight.double() / torch.sqrt(bn.running_var.double() + bn.eps)
            t = bn.bias.double() - bn.running_mean.double() * s
            negative += int((s < 0).sum())
            w = w * s.view(-1, *([1] * (w.dim() - 1)))
            b = b * s + t
        dst.weight.copy_(w.float())
        dst.bias.copy_(b.float())
    folded.eval()
    return folded, negative


def input_lut(scale, offset, t):
    """(256,) float64 tensor: the input value nngen feeds the network for each uint8 pixel,
    pixel * scale + offset in double then quantized into t, as nngen's loadInputs (padded
    positions are pixel 0)."""
    x = np.arange(256, dtype=np.float64) * float(scale) + float(offset)
    return nngen_qat.quantize(torch.from_numpy(x), t)


def lut_batch(padded_u8, lut, dtype=torch.float32):
    """Padded uint8 images (N, 32, 32) (a torch tensor) -> network input (N, 3, 32, 32) of
    quantized values: the pixel's LUT entry repeated to the CHANNELS channels."""
    x = lut.to(dtype)[padded_u8.long()]
    return x.unsqueeze(1).expand(-1, CHANNELS, -1, -1).contiguous()


@torch.no_grad()
def qp_predict(model, padded_u8, lut, dtype=torch.float32, batch=1000):
    """Logits of the (quantized) FoldedCNN on padded uint8 images. In float64 every product
    and sum of the 7-bit model is exact, so the result is nngen's, bit for bit."""
    model.eval()
    # a float64 copy (a model under pruning, whose weight is not a leaf, can only run as it is)
    m = model if dtype == next(model.parameters()).dtype else copy.deepcopy(model).to(dtype)
    return torch.cat([m(lut_batch(padded_u8[i:i + batch], lut, dtype))
                      for i in range(0, len(padded_u8), batch)])


def choose_qp_types(model, x_sample, bits, quantile, layer_bits=None):
    """Per-layer ap_fixed<bits,I,AP_RND,AP_SAT> types for the FoldedCNN (a layer named in
    ``layer_bits`` gets that width instead: heterogeneous precision), I from the float
    model's value ranges (nngen_qat.int_bits_for: the smallest I whose range reaches the
    value): kernel and bias from their max |value|; the result of a hidden layer (it feeds a
    max pool and a ReLU, so only its positive values matter) from the `quantile` of its
    positive outputs on x_sample (N, 3, 32, 32); the logits from their max |value|.
    Returns {layer: {"weight", "bias", "result": FixedType, "range": the measured value}}."""
    def fx(i, name):
        return nngen_qat.FixedType((layer_bits or {}).get(name, bits), i, True, QP_ROUNDING, QP_OVERFLOW)
    rec = {}
    model.eval()
    with torch.no_grad():
        for i in range(0, len(x_sample), 500):
            r = {}
            model(x_sample[i:i + 500], record=r)
            for k, v in r.items():
                rec.setdefault(k, []).append(v.reshape(-1).numpy())
    types = {}
    for name in QP_LAYERS:
        m = getattr(model, name)
        y = np.concatenate(rec[name]).astype(np.float64)
        r_max = float(np.abs(y).max()) if name == "output" else float(np.quantile(y[y > 0], quantile))
        types[name] = {"weight": fx(nngen_qat.int_bits_for(float(m.weight.abs().max())), name),
                       "bias": fx(nngen_qat.int_bits_for(float(m.bias.abs().max())), name),
                       "result": fx(nngen_qat.int_bits_for(r_max), name), "range": r_max}
    return types


def sparsity(model):
    """{layer: (exactly-zero kernel entries, kernel entries)} of the FoldedCNN's kernels."""
    return {name: (int((getattr(model, name).weight == 0).sum()), getattr(model, name).weight.numel())
            for name in QP_LAYERS}


def finetune_qp(model, fit_pad, y_fit, va_pad, y_va, lut, args):
    """Quantization-aware fine-tuning of the FoldedCNN (types set) with gradual magnitude pruning.

    Adam (``--finetune-lr``, cosine-annealed per step to 0 over all steps), cross-entropy,
    batch ``--batch-size``, ``--finetune-epochs`` epochs, no weight decay. Inputs are the
    quantized pixels (lut_batch). Pruning: every ``--prune-every`` steps during the first
    ``--prune-ramp`` fraction of the steps (and at its last step) each of the six kernels is
    pruned by torch.nn.utils.prune.l1_unstructured up to the polynomial schedule's sparsity
    (power 3, from 0 to ``--prune`` per kernel: layer-wise, not global); the mask then stays
    fixed. The pruning is made permanent at the end (pruned weights are exactly 0)."""
    opt = torch.optim.Adam(model.parameters(), lr=args.finetune_lr)
    n = len(fit_pad)
    steps_per_epoch = (n + args.batch_size - 1) // args.batch_size
    total = args.finetune_epochs * steps_per_epoch
    ramp_end = max(1, int(round(args.prune_ramp * total)))
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=total)
    gen = torch.Generator().manual_seed(args.seed)
    y_t = torch.from_numpy(y_fit.astype(np.int64))
    print(f"fine-tuning: {args.finetune_epochs} epochs x {steps_per_epoch} steps, Adam lr "
          f"{args.finetune_lr} cosine to 0, batch {args.batch_size}; L1-unstructured pruning of "
          f"each kernel to {args.prune:.0%} (polynomial, power 3) every {args.prune_every} steps "
          f"over steps 0..{ramp_end}", flush=True)
    step = 0
    for epoch in range(1, args.finetune_epochs + 1):
        t0 = time.time()
        model.train()
        perm = torch.randperm(n, generator=gen)
        total_seen, correct, loss_sum = 0, 0, 0.0
        for i in range(0, n, args.batch_size):
            if args.prune > 0 and step <= ramp_end and (step % args.prune_every == 0 or step == ramp_end):
                target = nngen_qat.polynomial_sparsity(step, 0, ramp_end, args.prune)
                for name in QP_LAYERS:
                    nngen_qat.prune_l1_to(getattr(model, name), target)
            idx = perm[i:i + args.batch_size]
            logits = model(lut_batch(fit_pad[idx], lut))
            loss = F.cross_entropy(logits, y_t[idx])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            sched.step()
            step += 1
            loss_sum += float(loss) * len(idx)
            correct += int((logits.argmax(1) == y_t[idx]).sum())
            total_seen += len(idx)
        va_acc = accuracy(qp_predict(model, va_pad, lut), y_va)
        sp = sparsity(model)
        zeros = sum(z for z, _ in sp.values()) / sum(c for _, c in sp.values())
        print(f"fine-tune epoch {epoch:2d}/{args.finetune_epochs}: lr {sched.get_last_lr()[0]:.1e}  "
              f"loss {loss_sum / total_seen:.4f}  train acc {correct / total_seen:.4f}  "
              f"val acc (fixed point) {va_acc:.4f}  kernel sparsity {zeros:.3f}  "
              f"({time.time() - t0:.0f} s)", flush=True)
    for name in QP_LAYERS:
        if args.prune > 0:
            nngen_qat.prune_l1_to(getattr(model, name), args.prune)  # already there: the ramp ended
        nngen_qat.make_pruning_permanent(getattr(model, name))
    model.eval()


def export_qp_weights(model, types):
    """name -> float32 C-order arrays in Keras layouts (as export_weights) of the fine-tuned
    FoldedCNN's kernels and biases, each quantized into its type (float64, then float32, which
    holds every 7-bit value exactly: asserted). nngen's PTQ therefore leaves them unchanged."""
    w = {}
    for name in QP_LAYERS:
        m = getattr(model, name)
        k = nngen_qat.quantize(m.weight.detach().double(), types[name]["weight"]).numpy()
        b = nngen_qat.quantize(m.bias.detach().double(), types[name]["bias"]).numpy()
        w[f"{name}_kernel"] = k.transpose(2, 3, 1, 0) if k.ndim == 4 else k.T
        w[f"{name}_bias"] = b
    out = {}
    for k, v in w.items():
        out[k] = np.ascontiguousarray(v, dtype=np.float32)
        assert np.array_equal(out[k].astype(np.float64), v), k
    return out


QP_HEADER = """\
# nngen example: the hls4ml CNN paper's SVHN benchmark CNN as a {bits}-bit fixed-point model with
# {prune_pct} of every kernel pruned (the paper's "{paper} {bits}-bit"), fine-tuned from bf.yaml on Fashion-MNIST.
# Produced by tools/train_svhn_paper.py - do not edit by hand; re-run the script instead:
#   {command}
# BatchNorm is folded into the Conv2D/Dense before it (what nngen does with bf.yaml; every BN
# scale is >= 0, so exactly through the max pooling): every Conv2D/Dense has a bias and there
# are no BatchNormalization layers. Quantization-aware fine-tuning: the input, every kernel and
# bias and every layer result were fake-quantized during training into the types below with
# nngen's rounding (AP_RND) and overflow (AP_SAT) rules (exact accumulators, as nngen's default);
# the kernels were pruned layer by layer by magnitude (torch.nn.utils.prune.l1_unstructured,
# polynomial schedule). The .npy values ({wdir}/, float32, Keras layouts) are exactly
# representable in their types, so nngen's PTQ leaves them unchanged, and the pruned weights are
# exactly 0. Test images, labels and preprocessing are bf.yaml's (data/); data/{name}_logits.npy
# holds PyTorch's fixed-point logits on them, which `nngen run` reproduces bit for bit.
"""


def qp_spec_dict(name, bits, prune_frac, scale, offset, in_type, types, meta):
    """The nngen spec v1 of the fine-tuned model (layer names as bf.yaml's, BatchNorms folded),
    every type given per layer: Conv2D/Dense weight, bias and result; the max pooling and the
    ReLU after it keep the layer's result type (both exact there)."""
    wdir = f"weights_{name}"
    layers = []

    def weighted(lname, typ, size_key, size):
        t = types[lname]
        d = {"name": lname, "type": typ, size_key: size}
        if typ == "Conv2D":
            d.update({"kernel_size": [3, 3], "strides": [1, 1], "padding": "valid"})
        d.update({"use_bias": True, "kernel": f"{wdir}/{lname}_kernel.npy", "bias": f"{wdir}/{lname}_bias.npy",
                  "precision": {"weight": str(t["weight"]), "bias": str(t["bias"]), "result": str(t["result"])}})
        return d

    conv_filters = {"conv0": 16, "conv1": 16, "conv2": 24}
    for blk in range(3):
        c = f"conv{blk}"
        r = str(types[c]["result"])
        layers += [weighted(c, "Conv2D", "filters", conv_filters[c]),
                   {"name": f"pool{blk}", "type": "MaxPooling2D", "pool_size": [2, 2], "strides": [2, 2],
                    "precision": {"result": r}},
                   {"name": f"relu{blk}", "type": "ReLU", "precision": {"result": r}}]
    layers.append({"name": "flatten", "type": "Flatten"})
    for d, units, relu in (("dense0", 42, "relu3"), ("dense1", 64, "relu4")):
        layers += [weighted(d, "Dense", "units", units),
                   {"name": relu, "type": "ReLU", "precision": {"result": str(types[d]["result"])}}]
    layers.append(weighted("output", "Dense", "units", 10))
    md = {"dataset": "Fashion-MNIST (Debian dataset-fashion-mnist), zero-padded to 32x32, repeated to "
                     f"3 channels; test images: the first {meta['n']} of the official t10k set",
          "float_accuracy": Accuracy(meta["acc_n"]),
          "float_accuracy_full_test_set": Accuracy(meta["acc_full"]),
          "fixed_point_accuracy_pytorch": Accuracy(meta["qacc_n"]),
          "fixed_point_accuracy_pytorch_full_test_set": Accuracy(meta["qacc_full"])}
    if "nngen_accuracy" in meta:
        md["nngen_accuracy"] = Accuracy(meta["nngen_accuracy"])
    for lname in QP_LAYERS:
        md[f"sparsity_{lname}"] = Accuracy(meta["sparsity"][lname])
    md["trained_with"] = meta["trained_with"]
    return {
        "nngen": 1,
        "name": f"svhn_paper_{name}",
        "description": f"hls4ml paper SVHN CNN, BatchNorm folded, {bits}-bit fixed point with "
                       f"{prune_frac:.0%} of every kernel pruned, fine-tuned on Fashion-MNIST",
        "precision": {"default": str(in_type)},
        "input": {"shape": [32, 32, 3], "precision": str(in_type),
                  "preprocess": {"pad": [PAD] * 4, "repeat_channels": CHANNELS,
                                 "scale": float(scale), "offset": float(offset)}},
        "layers": layers,
        "test_data": {"images": "data/test_images.npy", "labels": "data/test_labels.npy", "classes": CLASSES},
        "metadata": md,
    }


def verify_qp(out_dir, name, n, prune_frac):
    """Parses <name>.yaml and checks every file it references: shape, dtype, every kernel and
    bias value exactly representable in the layer's type (quantize(v) == v, so nngen's PTQ is
    the identity), and at least round(prune_frac * size) exact zeros in every kernel. Prints
    the zeros per kernel. Returns {layer: (zeros, size)}."""
    with open(os.path.join(out_dir, f"{name}.yaml")) as f:
        spec = yaml.safe_load(f)
    assert spec["nngen"] == 1 and spec["name"] == f"svhn_paper_{name}"
    want = ["conv0", "pool0", "relu0", "conv1", "pool1", "relu1", "conv2", "pool2", "relu2", "flatten",
            "dense0", "relu3", "dense1", "relu4", "output"]
    assert [l["name"] for l in spec["layers"]] == want, [l["name"] for l in spec["layers"]]
    zeros = {}
    for l in spec["layers"]:
        if l["type"] not in ("Conv2D", "Dense"):
            continue
        for what, shape, tkey in (("kernel", EXPECTED_SHAPES[l["name"]], "weight"),
                                  ("bias", (EXPECTED_SHAPES[l["name"]][-1],), "bias")):
            path = os.path.join(out_dir, l[what])
            arr = np.load(path)
            assert arr.shape == shape and arr.dtype == np.float32 and arr.flags["C_CONTIGUOUS"], (path, arr.shape)
            t = nngen_qat.FixedType.parse(l["precision"][tkey])
            v = torch.from_numpy(arr.astype(np.float64))
            assert torch.equal(nngen_qat.quantize(v, t), v), f"{path}: values not exact in {t}"
            if what == "kernel":
                zeros[l["name"]] = (int((arr == 0).sum()), arr.size)
                assert zeros[l["name"]][0] >= round(prune_frac * arr.size), (l["name"], zeros[l["name"]])
    td = spec["test_data"]
    assert np.load(os.path.join(out_dir, td["images"])).shape == (n, 28, 28)
    assert np.load(os.path.join(out_dir, f"data/{name}_logits.npy")).shape == (n, 10)
    tz = sum(z for z, _ in zeros.values())
    tn = sum(c for _, c in zeros.values())
    print(f"verify_qp: {name}.yaml parses; every kernel/bias value is exact in its type; exactly-zero "
          f"kernel weights (counted in the .npy files):")
    for k, (z, c) in zeros.items():
        print(f"  {k:7s} {z:5d} / {c:5d} = {z / c:.4f}")
    print(f"  total   {tz:5d} / {tn:5d} = {tz / tn:.4f}  ({tn - tz} nonzero weights)")
    return zeros


def nngen_compare(nngen, spec_path, torch_logits, frac, labels):
    """Runs `nngen run SPEC --out TMP` and compares its logits with PyTorch's fixed-point logits
    (float64, (N, 10)) raw integer by raw integer (result type with `frac` fraction bits).
    Returns (nngen accuracy, images with identical logits, images with the same class,
    nngen's stdout). Classes are the first maximal logit on both sides (numpy argmax and
    nngen's std::max_element)."""
    with tempfile.TemporaryDirectory() as d:
        r = subprocess.run([nngen, "run", spec_path, "--out", d], capture_output=True, text=True)
        if r.returncode != 0:
            raise RuntimeError(f"{nngen} run {spec_path} failed:\n{r.stderr}")
        raw = np.load(os.path.join(d, "logits_raw.npy")).reshape(len(torch_logits), -1)
    t_raw = torch_logits * 2.0 ** frac
    assert np.array_equal(t_raw, np.round(t_raw)), "PyTorch logits off the result grid"
    same_logits = int((raw == t_raw.astype(np.int64)).all(1).sum())
    same_class = int((raw.argmax(1) == torch_logits.argmax(1)).sum())
    acc = float((raw.argmax(1) == labels).mean())
    return acc, same_logits, same_class, r.stdout


def finetune_and_export_qp(args, model, scale, offset, acc_n, acc_full, data):
    """The --finetune-bits step: fold the float model's BatchNorms, choose the types, fine-tune
    with fake quantization and pruning, export <out>/qp<bits>.yaml + weights_qp<bits>/ +
    data/qp<bits>_logits.npy, verify the files and compare with `nngen run`. `data` holds the
    uint8 splits (tr_img, tr_lab, te_img, te_lab, fit_idx, va_idx). Returns nngen's accuracy."""
    tr_img, tr_lab, te_img, te_lab, fit_idx, va_idx = data
    bits, out, n = args.finetune_bits, args.out, args.n_test
    # the paper's QP (pruned) and Q models; with per-layer widths its AQP / AQ
    name = args.name or (f"qp{bits}" if args.prune > 0 else f"q{bits}")
    seed_everything(args.seed, args.threads)  # the same run whether the float model was trained or loaded
    print(f"---- {bits}-bit fine-tuning with {args.prune:.0%} pruning -> {out}/{name}.yaml", flush=True)

    folded, negative = fold_batchnorm(model)
    x_te = to_tensor(te_img, scale, offset)
    d = float((predict(folded, x_te) - predict(model, x_te)).abs().max())
    print(f"BatchNorm folded into conv0..dense1 ({negative} negative scales); float folded vs "
          f"unfolded logits on the {len(te_img)} test images: max |diff| {d:.2e}")
    assert negative == 0 and d < 1e-3, "the fold must be exact (every BatchNorm scale >= 0)"

    x_all = np.arange(256) * float(scale) + float(offset)
    in_type = nngen_qat.FixedType(bits, nngen_qat.int_bits_for(float(np.abs(x_all).max())), True,
                                  QP_ROUNDING, QP_OVERFLOW)
    lut = input_lut(scale, offset, in_type)
    print(f"input: {in_type} (pixel*scale+offset in [{x_all.min():.4f}, {x_all.max():.4f}]); "
          f"{len(torch.unique(lut))} distinct input values for the 256 pixel values")
    fit_pad = torch.from_numpy(pad_images(tr_img[fit_idx]))
    va_pad = torch.from_numpy(pad_images(tr_img[va_idx]))
    te_pad = torch.from_numpy(pad_images(te_img))
    y_fit, y_va = tr_lab[fit_idx], tr_lab[va_idx]

    types = choose_qp_types(folded, lut_batch(fit_pad[:args.range_images], lut), bits, args.result_quantile,
                            args.layer_bits)
    print(f"types (ranges of the float folded model on {args.range_images} training images; results "
          f"from the {args.result_quantile} quantile of positive outputs, logits from max |value|):")
    for lname in QP_LAYERS:
        m, t = getattr(folded, lname), types[lname]
        print(f"  {lname:7s} weight {str(t['weight']):27s} (max |w| {float(m.weight.abs().max()):.3f})  "
              f"bias {str(t['bias']):27s} (max |b| {float(m.bias.abs().max()):.3f})  "
              f"result {str(t['result']):27s} (range {t['range']:.3f})")
    folded.set_types(types)
    ptq = accuracy(qp_predict(folded, te_pad[:n], lut, torch.float64), te_lab[:n])
    print(f"fixed point before fine-tuning (PTQ of the folded float model, no pruning): "
          f"{ptq:.4f} on the {n} shipped test images", flush=True)

    finetune_qp(folded, fit_pad, y_fit, va_pad, y_va, lut, args)

    logits_full = qp_predict(folded, te_pad, lut, torch.float64).numpy()
    logits_n = logits_full[:n]
    qacc_full = float((logits_full.argmax(1) == te_lab).mean())
    qacc_n = float((logits_n.argmax(1) == te_lab[:n]).mean())
    print(f"fixed-point accuracy (PyTorch, float64, exact): {qacc_n:.4f} on the {n} shipped test "
          f"images, {qacc_full:.4f} on all {len(te_img)} (float model: {acc_n:.4f}, {acc_full:.4f})")

    # ---- export
    wdir = os.path.join(out, f"weights_{name}")
    os.makedirs(wdir, exist_ok=True)
    test_images = np.load(os.path.join(out, "data", "test_images.npy"))
    assert np.array_equal(test_images, te_img[:n]), f"{out}/data/test_images.npy is not the first {n} t10k images"
    weights = export_qp_weights(folded, types)
    for k, v in weights.items():
        np.save(os.path.join(wdir, f"{k}.npy"), v)
    np.save(os.path.join(out, "data", f"{name}_logits.npy"), np.ascontiguousarray(logits_n, np.float32))
    zeros = {k: (int((weights[f"{k}_kernel"] == 0).sum()), weights[f"{k}_kernel"].size) for k in QP_LAYERS}
    command = ("/usr/bin/python3 tools/train_svhn_paper.py " + " ".join(
        [f"--out {out}"] + ([f"--from {args.from_spec}"] if args.from_spec else [f"--epochs {args.epochs}"]))
        + " \\\n#     " + " ".join(
        [f"--seed {args.seed}", f"--finetune-bits {bits}", f"--prune {args.prune}",
         f"--finetune-epochs {args.finetune_epochs}", f"--finetune-lr {args.finetune_lr}",
         f"--threads {args.threads}"] +
        ([f"--layer-bits {','.join(f'{k}={v}' for k, v in args.layer_bits.items())}"] if args.layer_bits else []) +
        ([f"--name {args.name}"] if args.name else []) +
        [f"--{k.replace('_', '-')} {getattr(args, k)}" for k in ("prune_ramp", "prune_every", "result_quantile",
                                                                 "range_images", "batch_size", "n_test")
         if getattr(args, k) != args.defaults[k]]))
    meta = {"n": n, "acc_n": acc_n, "acc_full": acc_full, "qacc_n": qacc_n, "qacc_full": qacc_full,
            "sparsity": {k: z / c for k, (z, c) in zeros.items()},
            "trained_with": f"torch {torch.__version__}; BatchNorm folded, then {args.finetune_epochs} epochs of "
                            f"quantization-aware fine-tuning, seed {args.seed}, Adam lr {args.finetune_lr} "
                            f"cosine-annealed, batch {args.batch_size}, no weight decay; L1-unstructured "
                            f"pruning per kernel to {args.prune:.0%} (polynomial schedule, power 3, over the "
                            f"first {args.prune_ramp:.0%} of the steps, every {args.prune_every} steps); "
                            f"result types from the {args.result_quantile} quantile of the float model's outputs"}
    spec_path = os.path.join(out, f"{name}.yaml")
    header = QP_HEADER.format(bits=bits, prune_pct=f"{args.prune:.0%}", command=command, wdir=f"weights_{name}",
                              name=name, paper="QP" if args.prune > 0 else "Q")

    def write(meta_):
        write_spec(spec_path, qp_spec_dict(name, bits, args.prune, scale, offset, in_type, types, meta_), header)

    write(meta)
    verify_qp(out, name, n, args.prune)
    frac = types["output"]["result"].frac
    acc, same_logits, same_class, _ = nngen_compare(args.nngen, spec_path, logits_n, frac, te_lab[:n])
    meta["nngen_accuracy"] = acc
    write(meta)  # again, with nngen's accuracy in the metadata
    print(f"wrote {spec_path}, {len(weights)} weight files in {wdir}, data/{name}_logits.npy")
    print(f"nngen run {spec_path} (the bit-exact C++ fixed-point reference):")
    acc2, same_logits, same_class, stdout = nngen_compare(args.nngen, spec_path, logits_n, frac, te_lab[:n])
    print(stdout, end="")
    print(f"PyTorch fixed-point forward vs nngen run on the {n} shipped images: same class on "
          f"{same_class}/{n}, identical logits (every raw bit) on {same_logits}/{n}; accuracy "
          f"PyTorch {qacc_n:.4f}, nngen {acc2:.4f}, float {acc_n:.4f}", flush=True)
    assert acc2 == acc
    return acc2


# ----------------------------------------------------------------------------- main

def train_and_export_bf(args, data):
    """Trains the float model and exports bf.yaml + weights/ + data/ (see the module docstring),
    then runs the checks. data: the uint8 splits (tr_img, tr_lab, te_img, te_lab, fit_idx,
    va_idx). Returns (model, scale, offset, accuracy on the shipped images, on all test images)."""
    tr_img, tr_lab, te_img, te_lab, fit_idx, va_idx = data
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
    write_spec(os.path.join(out, "bf.yaml"), spec_dict(scale, offset, precisions, meta),
               HEADER.format(mean=mean, std=std))
    print(f"wrote {out}/bf.yaml, {len(weights)} weight files, test data (N={n})")

    # ---- checks
    spec = verify_spec(out, n)
    numpy_check(spec, out, logits_n)
    print(f"nngen run {out}/bf.yaml (the bit-exact C++ fixed-point reference):")
    print(nngen_run(args.nngen, os.path.join(out, "bf.yaml")), end="", flush=True)
    return model, scale, offset, acc_n, acc_full


def load_bf(args, data):
    """--from: the float model of an exported bf.yaml, checked against the export: the
    preprocessing constants must be the ones this seed's training split gives, and the model
    must reproduce the exported data/float_logits.npy. Returns what train_and_export_bf does."""
    tr_img, tr_lab, te_img, te_lab, fit_idx, va_idx = data
    model, spec = load_float_model(args.from_spec)
    pp = spec["input"]["preprocess"]
    scale, offset = pp["scale"], pp["offset"]
    mean, std = pixel_stats(tr_img[fit_idx])
    print(f"float model loaded from {args.from_spec}: preprocess scale {fmt_float(scale)}, offset "
          f"{fmt_float(offset)} (this seed's training split gives {fmt_float(1.0 / (255.0 * std))}, "
          f"{fmt_float(-mean / std)})")
    if abs(scale - 1.0 / (255.0 * std)) > 1e-12 or abs(offset + mean / std) > 1e-12:
        raise SystemExit("--from: the spec's preprocessing is not this seed's training split; "
                         "use the --seed the float model was trained with")
    x_te = to_tensor(te_img, scale, offset)
    logits_full = predict(model, x_te)
    n = args.n_test
    ref = np.load(os.path.join(os.path.dirname(os.path.abspath(args.from_spec)), "data", "float_logits.npy"))
    diff = float(np.abs(logits_full[:len(ref)].numpy() - ref).max())
    print(f"  reproduces its data/float_logits.npy within {diff:.1e}")
    assert diff < 1e-4 and len(ref) >= n
    acc_full = accuracy(logits_full, te_lab)
    acc_n = accuracy(logits_full[:n], te_lab[:n])
    print(f"float accuracy: {acc_n:.4f} on the {n} shipped test images, {acc_full:.4f} on all "
          f"{len(te_img)} test images")
    return model, scale, offset, acc_n, acc_full


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
    ft = ap.add_argument_group(
        "fixed-point fine-tuning (writes <out>/qp<BITS>.yaml, <out>/weights_qp<BITS>/, "
        "<out>/data/qp<BITS>_logits.npy; see the module docstring)")
    ft.add_argument("--from", dest="from_spec", metavar="SPEC",
                    help="do not train: load the float model from this exported bf.yaml (e.g. "
                         "configs/svhn_paper/bf.yaml) and only fine-tune; bf.yaml, weights/ and data/ "
                         "are not rewritten. Needs --finetune-bits and the seed the model was trained with")
    ft.add_argument("--finetune-bits", type=int, default=0, metavar="BITS",
                    help="fine-tune a BITS-bit fixed-point, pruned model from the float model "
                         "(0: no fine-tuning)")
    ft.add_argument("--layer-bits", default="", metavar="LAYER=BITS,...",
                    help="per-layer widths overriding --finetune-bits for the named layers (heterogeneous "
                         "precision), e.g. conv0=8,output=10")
    ft.add_argument("--name", default="", help="model name (default qp<BITS>, or q<BITS> with --prune 0)")
    ft.add_argument("--prune", type=float, default=0.5,
                    help="fraction of every Conv2D/Dense kernel pruned by magnitude (layer-wise)")
    ft.add_argument("--finetune-epochs", type=int, default=6, help="fine-tuning epochs")
    ft.add_argument("--finetune-lr", type=float, default=1e-3,
                    help="fine-tuning Adam learning rate, cosine-annealed to 0")
    ft.add_argument("--prune-ramp", type=float, default=0.5,
                    help="fraction of the fine-tuning steps over which the sparsity ramps from 0 to --prune")
    ft.add_argument("--prune-every", type=int, default=50, help="steps between pruning updates")
    ft.add_argument("--result-quantile", type=float, default=0.999,
                    help="each hidden layer's result type holds this quantile of its positive float outputs")
    ft.add_argument("--range-images", type=int, default=2000,
                    help="training images the float value ranges are measured on")
    args = ap.parse_args()
    args.defaults = {k: ap.get_default(k) for k in vars(args)}
    if args.from_spec and not args.finetune_bits:
        ap.error("--from only makes sense with --finetune-bits")
    if args.finetune_bits and not 2 <= args.finetune_bits <= 16:
        ap.error("--finetune-bits must be in 2..16")
    try:
        args.layer_bits = {k: int(v) for k, v in (kv.split("=") for kv in args.layer_bits.split(",") if kv)}
    except ValueError:
        ap.error("--layer-bits takes LAYER=BITS pairs separated by commas")
    if any(k not in QP_LAYERS or not 2 <= v <= 16 for k, v in args.layer_bits.items()):
        ap.error(f"--layer-bits: layers are {', '.join(QP_LAYERS)}, widths 2..16")
    if not 0 <= args.prune < 1:
        ap.error("--prune must be in [0, 1)")
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

    data = (tr_img, tr_lab, te_img, te_lab, fit_idx, va_idx)
    if args.from_spec:
        model, scale, offset, acc_n, acc_full = load_bf(args, data)
    else:
        model, scale, offset, acc_n, acc_full = train_and_export_bf(args, data)
    if args.finetune_bits:
        finetune_and_export_qp(args, model, scale, offset, acc_n, acc_full, data)
    print(f"done in {time.time() - t_start:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
