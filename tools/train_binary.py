#!/usr/bin/env python3
"""Train and export binary and ternary networks for nngen (issue 10): the hls4ml paper's CNN
(configs/svhn_paper, Fashion-MNIST padded to 32x32x3) and an MLP with three hidden Dense layers
(28x28 Fashion-MNIST), with binary or ternary weights and activations, keeping the first and
the last layer at higher precision, as Loncar et al. do ("Ternary and binary quantization for
improved classification", arXiv 2003.06308).

Models (``--model``)
--------------------
``cnn``: conv0 16 (fixed-point weights) -> BN -> act -> pool, conv1 16 and conv2 24 (binary or
ternary weights) -> BN -> act -> pool, flatten, dense0 42 and dense1 64 (binary/ternary) -> BN
-> act, output 10 (fixed-point weights, bias). ``mlp``: flatten 784 -> dense0 128 (fixed point)
-> BN -> act, dense1 128 and dense2 128 (binary/ternary) -> BN -> act, output 10.
``--kind binary``: weights sign(w) (w >= 0 -> +1), activations sign (x >= 0 -> +1).
``--kind ternary``: weights {-1, 0, +1} with the TWN threshold 0.7 * mean |w| per layer (Li et
al., "Ternary Weight Networks", arXiv 1605.04711); activations round(x) clamped to {-1, 0, +1}
with |x| <= 0.5 -> 0 (nngen's ``ternary`` type, ap_fixed<2,2,AP_RND_ZERO,AP_SAT_SYM>).
``--kind float`` (mlp only): ReLU and float weights, exported for nngen's ap_fixed<16,6> PTQ.
Training: Adam, cross-entropy, straight-through estimators (gradient 1 where |x| <= 1) for the
sign and ternary functions (Courbariaux et al., arXiv 1602.02830); latent weights of binary and
ternary layers clipped to [-1, 1] after each step.

Export (nngen spec, configs/<out>/; float32 .npy, binary/ternary kernels int8): the first
layer's BatchNorm folded into it (what nngen's
fold pass does), its kernel and bias quantized into 8- and 12-bit types, its result type the
activation (``binary`` or ``ternary``); binary/ternary layers' kernels as exact +-1/0 values
with ``weight: binary|ternary`` and an exact integer result type; their BatchNorms kept (nngen
does not fold them) with 20-bit scale/shift types and the activation as result type: BatchNorm
+ sign becomes a threshold per channel in nngen; the output layer in 8-bit weights, 12-bit
bias, a 16-bit result. A float64 forward pass that computes exactly what nngen computes
(``exact_forward``) gives the exported model's accuracy, and ``nngen run`` is compared with it
image by image ("lossless translation": same class, identical logits).

Usage (Debian python3-torch, dataset-fashion-mnist; tools/install_deps.sh --train):
    /usr/bin/python3 tools/train_binary.py --model cnn --kind binary --out configs/svhn_paper
"""

import argparse
import math
import os
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import yaml

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import nngen_qat  # noqa: E402
import train_svhn_paper as base  # noqa: E402

FT = nngen_qat.FixedType


# ----------------------------------------------------------------------------- quantizers

class _Sign(torch.autograd.Function):
    """sign with x >= 0 -> +1 (nngen's ``binary``); gradient 1 where |x| <= 1."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return torch.where(x >= 0, torch.ones_like(x), -torch.ones_like(x))

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * (x.abs() <= 1).to(g.dtype)


class _Ternary(torch.autograd.Function):
    """round to {-1, 0, +1} with |x| <= 0.5 -> 0 (nngen's ``ternary`` type); gradient 1 where
    |x| <= 1."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return torch.sign(x) * (x.abs() > 0.5).to(x.dtype)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * (x.abs() <= 1).to(g.dtype)


class _Pass(torch.autograd.Function):
    """forward: a given tensor; backward: identity (straight-through for weights)."""

    @staticmethod
    def forward(ctx, w, q):
        return q

    @staticmethod
    def backward(ctx, g):
        return g, None


def quant_weight(w, kind):
    """Binary: sign(w); ternary: sign(w) where |w| > 0.7 * mean |w| (TWN), else 0."""
    if kind == "binary":
        q = torch.where(w >= 0, torch.ones_like(w), -torch.ones_like(w))
    else:
        delta = 0.7 * w.detach().abs().mean()
        q = torch.sign(w.detach()) * (w.detach().abs() > delta).to(w.dtype)
    return _Pass.apply(w, q)


def activation(x, kind):
    if kind == "binary":
        return _Sign.apply(x)
    if kind == "ternary":
        return _Ternary.apply(x)
    return F.relu(x)


# ----------------------------------------------------------------------------- models

class Block(nn.Module):
    """A Conv2D (3x3, valid) or Dense, its weights fixed-point/float ("fixed") or quantized
    ("binary", "ternary"), an optional BatchNorm, activation and 2x2 max pooling after it."""

    def __init__(self, name, conv, cin, cout, weights, bn, act, pool, bias=False):
        super().__init__()
        self.name, self.conv, self.weights, self.act, self.pool = name, conv, weights, act, pool
        self.layer = nn.Conv2d(cin, cout, 3, bias=bias) if conv else nn.Linear(cin, cout, bias=bias)
        self.bn = (nn.BatchNorm2d(cout, eps=base.BN_EPS) if conv else nn.BatchNorm1d(cout, eps=base.BN_EPS)) if bn else None

    def forward(self, x):
        w = self.layer.weight
        if self.weights in ("binary", "ternary"):
            w = quant_weight(w, self.weights)
        y = F.conv2d(x, w, self.layer.bias) if self.conv else F.linear(x, w, self.layer.bias)
        if self.bn is not None:
            y = self.bn(y)
        if self.act:
            y = activation(y, self.act)
        if self.pool:
            y = F.max_pool2d(y, 2, 2)
        return y


class Net(nn.Module):
    def __init__(self, model, kind):
        super().__init__()
        q = "fixed" if kind == "float" else kind
        act = "relu" if kind == "float" else kind
        if model == "cnn":
            spec = [("conv0", True, 3, 16, "fixed", True, act, True),
                    ("conv1", True, 16, 16, q, True, act, True),
                    ("conv2", True, 16, 24, q, True, act, True),
                    ("dense0", False, 96, 42, q, True, act, False),
                    ("dense1", False, 42, 64, q, True, act, False)]
            last = 64
        else:
            spec = [("dense0", False, 784, 128, "fixed", True, act, False),
                    ("dense1", False, 128, 128, q, True, act, False),
                    ("dense2", False, 128, 128, q, True, act, False)]
            last = 128
        self.model = model
        self.blocks = nn.ModuleList([Block(*s) for s in spec])
        self.output = Block("output", False, last, 10, "fixed", False, None, False, bias=True)

    def forward(self, x):
        for b in self.blocks:
            if not b.conv and x.dim() == 4:
                x = x.permute(0, 2, 3, 1).reshape(x.shape[0], -1)  # channels-last flatten
            x = b(x)
        return self.output(x)

    def clip(self):
        with torch.no_grad():
            for b in self.blocks:
                if b.weights in ("binary", "ternary"):
                    b.layer.weight.clamp_(-1, 1)


# ----------------------------------------------------------------------------- data

def inputs(model, images_u8, scale, offset):
    """uint8 (N, 28, 28) -> float32 network inputs: the CNN's (N, 3, 32, 32) (padded, repeated)
    or the MLP's (N, 1, 28, 28)."""
    if model == "cnn":
        return base.to_tensor(images_u8, scale, offset)
    x = images_u8.astype(np.float32) * np.float32(scale) + np.float32(offset)
    return torch.from_numpy(np.ascontiguousarray(x[:, None]))


# ----------------------------------------------------------------------------- export

def rnd_sat(width, int_bits):
    return FT(width, int_bits, True, "AP_RND", "AP_SAT")


def bits_for(values):
    return nngen_qat.int_bits_for(float(np.max(np.abs(values))) if np.size(values) else 1.0)


def keras_kernel(w):
    """PyTorch weight -> Keras layout: conv (O, I, kh, kw) -> (kh, kw, I, O); dense (O, I) -> (I, O)."""
    return w.permute(2, 3, 1, 0) if w.dim() == 4 else w.t()


@torch.no_grad()
def build_export(net, kind, in_type):
    """The exported layers: a list of dicts with the spec entry and the float64 arrays nngen
    will read, plus what exact_forward needs."""
    layers = []
    act_type = {"binary": "binary", "ternary": "ternary", "float": None}[kind]
    fan_bound = 1  # max |value| entering the layer (binary/ternary activations: 1)
    for b in list(net.blocks) + [net.output]:
        w = b.layer.weight.double()
        bias = b.layer.bias.double() if b.layer.bias is not None else torch.zeros(w.shape[0], dtype=torch.float64)
        e = {"block": b}
        if b.weights == "fixed":
            if b.bn is not None:  # folded, as nngen's fold-batchnorm pass does
                s = b.bn.weight.double() / torch.sqrt(b.bn.running_var.double() + b.bn.eps)
                t = b.bn.bias.double() - b.bn.running_mean.double() * s
                w = w * s.view(-1, *([1] * (w.dim() - 1)))
                bias = bias * s + t
            if kind == "float":
                wt = bt = None  # PTQ at the spec's default ap_fixed<16,6>
            else:
                wt, bt = rnd_sat(8, bits_for(w.numpy())), rnd_sat(12, bits_for(bias.numpy()))
                w, bias = nngen_qat.quantize(w, wt), nngen_qat.quantize(bias, bt)
            e.update(kernel=w, bias=bias, weight_type=wt, bias_type=bt, bn=None)
            e["result"] = act_type if b is not net.output else "out"
        else:  # binary / ternary weights, BatchNorm kept
            qw = quant_weight(b.layer.weight.double(), b.weights).detach()
            fan_in = qw[0].numel()
            e.update(kernel=qw, bias=None, weight_type=b.weights, bias_type=None)
            e["result"] = f"ap_int<{max(2, math.ceil(math.log2(fan_in * fan_bound + 1)) + 1)}>"
            bn = b.bn
            s = (bn.weight.double() / torch.sqrt(bn.running_var.double() + base.BN_EPS)).numpy()
            t = (bn.bias.double() - bn.running_mean.double() * torch.from_numpy(s)).numpy()
            e["bn"] = {"gamma": bn.weight.detach().float().numpy(), "beta": bn.bias.detach().float().numpy(),
                       "moving_mean": bn.running_mean.detach().float().numpy(),
                       "moving_variance": bn.running_var.detach().float().numpy(),
                       "weight": rnd_sat(20, bits_for(s)), "bias": rnd_sat(20, bits_for(t)),
                       "result": act_type}
        layers.append(e)
    return layers


def exact_forward(layers, x, kind, out_type):
    """float64 forward computing exactly what nngen computes for the exported spec; x: the
    quantized network inputs (N, C, H, W) float64. Returns the logits (N, 10)."""
    def act(y, t):
        if t == "binary":
            return torch.where(y >= 0, 1.0, -1.0).to(y.dtype)
        if t == "ternary":
            return torch.sign(y) * (y.abs() > 0.5).to(y.dtype)
        return y

    for e in layers:
        b = e["block"]
        if not b.conv and x.dim() == 4:
            x = x.permute(0, 2, 3, 1).reshape(x.shape[0], -1)
        w, bias = e["kernel"], e["bias"]
        y = F.conv2d(x, w, bias) if b.conv else F.linear(x, w, bias)
        if e["result"] == "out":
            y = nngen_qat.quantize(y, out_type)
        elif e["bn"] is None:
            if kind == "float":
                y = F.relu(nngen_qat.quantize(y, FT(16, 6)))
            else:
                y = act(y, e["result"])
        else:
            bn = e["bn"]
            g, be = torch.from_numpy(bn["gamma"].astype(np.float64)), torch.from_numpy(bn["beta"].astype(np.float64))
            m, v = torch.from_numpy(bn["moving_mean"].astype(np.float64)), torch.from_numpy(bn["moving_variance"].astype(np.float64))
            s = g / torch.sqrt(v + base.BN_EPS)
            t = be - m * s
            s, t = nngen_qat.quantize(s, bn["weight"]), nngen_qat.quantize(t, bn["bias"])
            shape = (1, -1, 1, 1) if y.dim() == 4 else (1, -1)
            y = act(y * s.view(shape) + t.view(shape), bn["result"])
        if b.pool:
            y = F.max_pool2d(y, 2, 2)
        x = y
    return x


def write_model(out_dir, name, layers, args, in_type, out_type, scale, offset, meta):
    """Writes <name>.yaml and weights_<name>/*.npy (float32; binary/ternary kernels +-1/0)."""
    wdir = f"weights_{name}"
    os.makedirs(os.path.join(out_dir, wdir), exist_ok=True)

    def save(fname, arr, dtype=np.float32):
        np.save(os.path.join(out_dir, wdir, fname + ".npy"), np.ascontiguousarray(np.asarray(arr, dtype=dtype)))
        return f"{wdir}/{fname}.npy"

    spec_layers = []
    for e in layers:
        b = e["block"]
        lname = b.name
        if lname == "dense0":  # the first Dense reads the image or feature map flattened
            spec_layers.append({"name": "flatten", "type": "Flatten"})
        entry = {"name": lname, "type": "Conv2D" if b.conv else "Dense"}
        if b.conv:
            entry.update(filters=b.layer.out_channels, kernel_size=[3, 3], padding="valid")
        else:
            entry["units"] = b.layer.out_features
        entry["use_bias"] = e["bias"] is not None
        # binary/ternary kernels as int8 (-1, 0, +1: a quarter of the float32 size)
        entry["kernel"] = save(f"{lname}_kernel", keras_kernel(e["kernel"]).numpy(),
                               np.float32 if b.weights == "fixed" else np.int8)
        if e["bias"] is not None:
            entry["bias"] = save(f"{lname}_bias", e["bias"].numpy())
        prec = {}
        if e["weight_type"] is not None:
            prec["weight"] = str(e["weight_type"])
        if e["bias_type"] is not None:
            prec["bias"] = str(e["bias_type"])
        if e["result"] == "out":
            prec["result"] = str(out_type)
        elif e["bn"] is None and args.kind == "float":
            entry["activation"] = "relu"
        else:
            prec["result"] = e["result"]
        if prec:
            entry["precision"] = prec
        spec_layers.append(entry)
        if e["bn"] is not None:
            bn = e["bn"]
            spec_layers.append({
                "name": f"bn_{lname}", "type": "BatchNormalization",
                **{k: save(f"bn_{lname}_{k}", bn[k]) for k in ("gamma", "beta", "moving_mean", "moving_variance")},
                "epsilon": base.BN_EPS,
                "precision": {"weight": str(bn["weight"]), "bias": str(bn["bias"]), "result": bn["result"]}})
        if b.pool:
            p = {"name": f"pool_{lname}", "type": "MaxPooling2D", "pool_size": [2, 2]}
            if args.kind == "ternary":
                p["precision"] = {"result": "ternary"}
            spec_layers.append(p)
    shape = [32, 32, 3] if args.model == "cnn" else [28, 28, 1]
    pre = {"scale": float(scale), "offset": float(offset)}
    if args.model == "cnn":
        pre = {"pad": [base.PAD] * 4, "repeat_channels": base.CHANNELS, **pre}
    spec = {"nngen": 1, "name": name,
            "description": f"{args.kind} {args.model.upper()} (first and last layer fixed point), Fashion-MNIST",
            "precision": {"default": "ap_fixed<16,6>"},
            "input": {"shape": shape, "precision": str(in_type), "preprocess": pre},
            "layers": spec_layers,
            "test_data": {"images": "data/test_images.npy", "labels": "data/test_labels.npy",
                          "classes": base.CLASSES},
            "metadata": meta}
    header = (f"# nngen example (issue 10): a {args.kind} {args.model} trained by tools/train_binary.py - do\n"
              f"# not edit by hand; re-run:\n#   /usr/bin/python3 tools/train_binary.py --model {args.model} "
              f"--kind {args.kind} --out {args.out} --epochs {args.epochs} --seed {args.seed}\n")
    path = os.path.join(out_dir, f"{name}.yaml")
    base.write_spec(path, spec, header)
    return path


# ----------------------------------------------------------------------------- main

def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", choices=("cnn", "mlp"), required=True)
    ap.add_argument("--kind", choices=("binary", "ternary", "float"), required=True)
    ap.add_argument("--out", required=True, help="folder with data/ (configs/svhn_paper)")
    ap.add_argument("--epochs", type=int, default=8)
    ap.add_argument("--lr", type=float, default=3e-3)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--data-dir", default="/usr/share/datasets/fashion-mnist")
    ap.add_argument("--nngen", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "build", "nngen"))
    args = ap.parse_args()
    if args.model == "cnn" and args.kind == "float":
        ap.error("the float CNN is configs/svhn_paper/bf.yaml (tools/train_svhn_paper.py)")
    base.seed_everything(args.seed, args.threads)
    x_tr_u8, y_tr, x_te_u8, y_te = base.load_fashion_mnist(args.data_dir)
    bf = yaml.safe_load(open(os.path.join(args.out, "bf.yaml")))
    scale, offset = bf["input"]["preprocess"]["scale"], bf["input"]["preprocess"]["offset"]
    n_test = len(np.load(os.path.join(args.out, "data", "test_labels.npy")))
    assert np.array_equal(np.load(os.path.join(args.out, "data", "test_images.npy")), x_te_u8[:n_test])

    net = Net(args.model, args.kind)
    x_tr, x_te = inputs(args.model, x_tr_u8, scale, offset), inputs(args.model, x_te_u8, scale, offset)
    yt = torch.from_numpy(y_tr.astype(np.int64))
    opt = torch.optim.Adam(net.parameters(), lr=args.lr)
    steps = args.epochs * math.ceil(len(x_tr) / 256)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=args.lr, total_steps=steps)
    gen = torch.Generator().manual_seed(args.seed)
    for ep in range(args.epochs):
        t0 = time.time()
        net.train()
        perm = torch.randperm(len(x_tr), generator=gen)
        total = 0.0
        for i in range(0, len(x_tr), 256):
            idx = perm[i:i + 256]
            loss = F.cross_entropy(net(x_tr[idx]), yt[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            net.clip()
            total += float(loss) * len(idx)
        acc = base.accuracy(base.predict(net, x_te), y_te)
        print(f"epoch {ep + 1}/{args.epochs}: loss {total / len(x_tr):.4f}  test acc (training forward) {acc:.4f}  ({time.time() - t0:.0f} s)", flush=True)
    net.eval()
    train_acc = base.accuracy(base.predict(net, x_te), y_te)

    # the input type: 8 bits (the CNN's first layer at higher precision), AP_RND/AP_SAT
    xin = x_te[:2000].numpy()
    in_type = FT(16, 6) if args.kind == "float" else rnd_sat(8, bits_for(xin))
    layers = build_export(net, args.kind, in_type)
    x_q = nngen_qat.quantize(x_te.double(), in_type)
    with torch.no_grad():
        logits_f = exact_forward(layers, x_q, args.kind, FT(16, 6))
    out_type = FT(16, 6) if args.kind == "float" else rnd_sat(16, bits_for(logits_f.numpy()))
    with torch.no_grad():
        logits = exact_forward(layers, x_q, args.kind, out_type).numpy()
    exact_acc = float((logits.argmax(1) == y_te).mean())
    name = f"{args.model}_{args.kind}"
    meta = {"float_accuracy": base.Accuracy(train_acc), "exact_accuracy_10000": base.Accuracy(exact_acc),
            "trained_by": "tools/train_binary.py", "epochs": args.epochs, "seed": args.seed}
    path = write_model(args.out, name, layers, args, in_type, out_type, scale, offset, meta)
    print(f"{name}: accuracy of the training forward {train_acc:.4f}, of the exact fixed-point forward "
          f"{exact_acc:.4f} on all 10000 test images; wrote {path}")
    if args.kind != "float":
        acc, same_logits, same_class, _ = base.nngen_compare(args.nngen, path, logits[:n_test], out_type.frac, y_te[:n_test])
        print(f"exact PyTorch forward vs nngen run on the {n_test} shipped images: same class on {same_class}/{n_test}, "
              f"identical logits on {same_logits}/{n_test}; accuracy nngen {acc:.4f}")
    else:
        print(base.nngen_run(args.nngen, path))
    return 0


if __name__ == "__main__":
    sys.exit(main())
