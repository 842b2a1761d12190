#!/usr/bin/env python3
"""Exports the shipped float model (configs/svhn_paper/bf.yaml) to ONNX with torch.onnx.export,
and writes a small QONNX model with Quant nodes (issue 11).

1. bf.yaml's weights are loaded into the PyTorch PaperCNN (tools/train_svhn_paper.py) and
   exported for a (1, 3, 32, 32) input. The nodes that become layers are named after bf.yaml's
   layers (PyTorch names functional max pooling and ReLU "/MaxPool", "/Relu_1", ...) and the
   model's doc_string is bf.yaml's description, so that `nngen import` of the ONNX file writes
   the same network: tests/golden/run_onnx_same_rtl.sh checks that the RTL is the same.
2. A QONNX MLP written with the onnx helper: Quant nodes (qonnx.custom_op.general) with
   power-of-two scales on the weights, the biases and the activations, 10 -> 16 -> 5.

Usage (python3-torch, python3-onnx, python3-yaml: tools/install_deps.sh --train --bench):
    /usr/bin/python3 tools/export_onnx.py --out tests/import/onnx
"""

import argparse
import os
import sys

import numpy as np
import onnx
import torch
import yaml
from onnx import TensorProto, helper, numpy_helper

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, os.path.join(ROOT, "tools"))
import train_svhn_paper  # noqa: E402

# ONNX operators that become nngen layers (the others: Transpose to NHWC, shape constants)
LAYER_OPS = {"Conv", "MaxPool", "BatchNormalization", "Relu", "Reshape", "Flatten", "MatMul", "Gemm"}


def export_bf(out):
    spec_path = os.path.join(ROOT, "configs", "svhn_paper", "bf.yaml")
    model, spec = train_svhn_paper.load_float_model(spec_path)
    path = os.path.join(out, "svhn_paper_bf.onnx")
    torch.onnx.export(model, torch.zeros(1, 3, 32, 32), path, input_names=["image"],
                      output_names=["logits"], opset_version=13, do_constant_folding=True)
    m = onnx.load(path)
    names = [l["name"] for l in spec["layers"]]
    layer_nodes = [n for n in m.graph.node if n.op_type in LAYER_OPS]
    if len(layer_nodes) != len(names):
        raise SystemExit(f"export_onnx: {len(layer_nodes)} layer nodes, bf.yaml has {len(names)} layers: "
                         f"{[n.op_type for n in layer_nodes]}")
    for n, name in zip(layer_nodes, names):
        n.name = name
    m.doc_string = spec["description"]
    onnx.checker.check_model(m)
    onnx.save(m, path)
    print(f"export_onnx: {path}: {len(m.graph.node)} nodes, layers named after bf.yaml")


def export_qonnx(out):
    rng = np.random.default_rng(2027)
    w0 = rng.normal(0, 0.5, (16, 10)).astype(np.float32)   # Gemm transB: (out, in)
    b0 = rng.normal(0, 0.3, 16).astype(np.float32)
    w1 = rng.normal(0, 0.5, (16, 5)).astype(np.float32)    # MatMul: (in, out)
    b1 = rng.normal(0, 0.3, 5).astype(np.float32)
    inits = [numpy_helper.from_array(a, n) for a, n in ((w0, "w0"), (b0, "b0"), (w1, "w1"), (b1, "b1"))]
    def scalar(name, v):
        inits.append(numpy_helper.from_array(np.array(v, dtype=np.float32), name))
    scalar("s_in", 2.0 ** -4)
    scalar("s_w", 2.0 ** -5)
    scalar("s_b", 2.0 ** -6)
    scalar("s_act", 2.0 ** -3)
    scalar("zero", 0.0)
    scalar("bits4", 4.0)
    scalar("bits6", 6.0)
    scalar("bits8", 8.0)
    q = dict(domain="qonnx.custom_op.general")
    nodes = [
        helper.make_node("Quant", ["x", "s_in", "zero", "bits8"], ["xq"], name="in_quant", signed=1, narrow=0,
                         rounding_mode="ROUND", **q),
        helper.make_node("Quant", ["w0", "s_w", "zero", "bits6"], ["w0q"], name="w0_quant", signed=1, narrow=1,
                         rounding_mode="ROUND", **q),
        helper.make_node("Quant", ["b0", "s_b", "zero", "bits8"], ["b0q"], name="b0_quant", signed=1, narrow=0,
                         rounding_mode="ROUND", **q),
        helper.make_node("Gemm", ["xq", "w0q", "b0q"], ["h0"], name="fc0", transB=1),
        helper.make_node("Relu", ["h0"], ["r0"], name="relu0"),
        helper.make_node("Quant", ["r0", "s_act", "zero", "bits4"], ["r0q"], name="act0_quant", signed=0,
                         narrow=0, rounding_mode="FLOOR", **q),
        helper.make_node("Quant", ["w1", "s_w", "zero", "bits6"], ["w1q"], name="w1_quant", signed=1, narrow=0,
                         rounding_mode="ROUND", **q),
        helper.make_node("MatMul", ["r0q", "w1q"], ["h1"], name="fc1"),
        helper.make_node("Add", ["h1", "b1"], ["logits"], name="fc1_bias"),
    ]
    graph = helper.make_graph(nodes, "qonnx_mlp", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 10])],
                              [helper.make_tensor_value_info("logits", TensorProto.FLOAT, [1, 5])], inits)
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13),
                                                helper.make_opsetid("qonnx.custom_op.general", 1)])
    m.doc_string = "QONNX MLP 10-16-5 with Quant nodes (tools/export_onnx.py)"
    path = os.path.join(out, "qonnx_mlp.onnx")
    onnx.save(m, path)
    x = rng.normal(0, 2, (40, 10)).astype(np.float32)
    np.save(os.path.join(out, "qonnx_mlp_inputs.npy"), x)
    print(f"export_onnx: {path}: {len(nodes)} nodes")
    return path, x


def quant(x, scale, bits, signed, narrow, rounding):
    """QONNX's Quant with zero point 0: clip(round(x / scale), min, max) * scale."""
    lo = (-(2 ** (bits - 1)) + narrow) if signed else 0
    hi = (2 ** (bits - 1) - 1) if signed else 2 ** bits - 1 - narrow
    r = {"ROUND": np.round, "FLOOR": np.floor}[rounding](x / scale)
    return np.clip(r, lo, hi) * scale


def check_qonnx(path, x, nngen):
    """The QONNX model's own semantics in numpy against nngen's fixed-point reference."""
    import subprocess
    import tempfile
    m = onnx.load(path)
    w = {i.name: numpy_helper.to_array(i).astype(np.float64) for i in m.graph.initializer}
    xq = quant(x.astype(np.float64), 2 ** -4, 8, 1, 0, "ROUND")
    h0 = xq @ quant(w["w0"], 2 ** -5, 6, 1, 1, "ROUND").T + quant(w["b0"], 2 ** -6, 8, 1, 0, "ROUND")
    r0 = quant(np.maximum(h0, 0), 2 ** -3, 4, 0, 0, "FLOOR")
    ref = r0 @ quant(w["w1"], 2 ** -5, 6, 1, 0, "ROUND") + w["b1"]
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([nngen, "import", path, "-o", os.path.join(tmp, "imp")], check=True, stdout=subprocess.DEVNULL)
        np.save(os.path.join(tmp, "x.npy"), x)
        subprocess.run([nngen, "run", os.path.join(tmp, "imp", "qonnx_mlp.yaml"), "--input", os.path.join(tmp, "x.npy"),
                        "-o", os.path.join(tmp, "run")], check=True, stdout=subprocess.DEVNULL)
        got = np.load(os.path.join(tmp, "run", "logits.npy")).reshape(ref.shape)
    diff = np.abs(got - ref).max()
    same = int((got.argmax(1) == ref.argmax(1)).sum())
    print(f"export_onnx: QONNX semantics (numpy) vs nngen run on {len(x)} inputs: same class on {same}/{len(x)}, "
          f"largest logit difference {diff:.6f} (the output type ap_fixed<16,6> keeps 10 fraction bits: "
          f"up to {2 ** -10:.6f})")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", default=os.path.join(ROOT, "tests", "import", "onnx"))
    ap.add_argument("--nngen", default=os.path.join(ROOT, "build", "nngen"))
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    export_bf(args.out)
    path, x = export_qonnx(args.out)
    check_qonnx(path, x, args.nngen)
    return 0


if __name__ == "__main__":
    sys.exit(main())
