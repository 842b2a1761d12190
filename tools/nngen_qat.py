"""Quantization-aware training helpers that compute what nngen's hardware computes.

Used by ``tools/train_svhn_paper.py`` (``--finetune-bits``); model-independent so that a later
full QAT flow can reuse it. Three pieces:

``FixedType``
    An ``ap_fixed<W,I,Q,O>`` / ``ap_ufixed<W,I,Q,O>`` type as nngen parses and prints it
    (docs/fixed_point.md, "Spellings"): W bits, I integer bits including the sign, F = W - I
    fraction bits, rounding mode Q (default ``AP_TRN``) and overflow mode O (default
    ``AP_WRAP``).

``quantize_raw`` / ``fake_quant``
    Conversion of a real value into a ``FixedType`` with exactly the two steps of
    docs/fixed_point.md ("Converting a value into a type") and nngen's ``quantizeReal``
    (src/ir/fixed.cpp): scale by 2^F (exact), round with Q's carry rule (floor q, half bit h,
    sticky bit r, sign s), then apply O to the rounded integer. ``fake_quant`` returns the value
    ``raw * 2^-F`` with a straight-through estimator (STE, Bengio et al. 2013, arXiv
    1308.3432) for the gradient: identity where the value lies inside the type's range, zero
    where a saturating mode clamps it; identity everywhere for ``AP_WRAP``. In float64 the
    result is bit-exact with nngen for every finite input whose scaled value is below 2^52; in
    float32 (training) it is exact while ``|x| * 2^F < 2^23``.

``polynomial_sparsity`` / ``prune_l1_to`` / ``make_pruning_permanent``
    Gradual magnitude pruning with the polynomial schedule of Zhu and Gupta, "To prune, or not
    to prune" (arXiv 1710.01878, eq. 1; the schedule TensorFlow Model Optimization's
    ``PolynomialDecay`` implements and the hls4ml CNN paper used), applied with PyTorch's own
    ``torch.nn.utils.prune.l1_unstructured`` (per tensor, smallest |w| first) and made
    permanent with ``torch.nn.utils.prune.remove`` so pruned weights are exactly 0.
"""

import math
import re
from dataclasses import dataclass

import torch
import torch.nn.utils.prune as prune

ROUNDING_MODES = ("AP_TRN", "AP_TRN_ZERO", "AP_RND", "AP_RND_ZERO", "AP_RND_MIN_INF",
                  "AP_RND_INF", "AP_RND_CONV")
OVERFLOW_MODES = ("AP_WRAP", "AP_SAT", "AP_SAT_ZERO", "AP_SAT_SYM")

_TYPE_RE = re.compile(
    r"^\s*(?:ap_)?(u?)fixed\s*<\s*(-?\d+)\s*,\s*(-?\d+)\s*(?:,\s*(\w+)\s*)?(?:,\s*(\w+)\s*)?"
    r"(?:,\s*0\s*)?>\s*$", re.IGNORECASE)


def _mode(name, allowed, text):
    m = name.strip().upper()
    if not m.startswith("AP_"):
        m = "AP_" + m
    if m not in allowed:
        raise ValueError(f"{text}: unknown mode {name} (one of {', '.join(allowed)})")
    return m


@dataclass(frozen=True)
class FixedType:
    """A fixed-point type: ``width`` bits, ``int_bits`` left of the binary point (sign
    included for signed types), ``rounding`` and ``overflow`` modes as in ap_fixed.

    Raw range: signed ``-2^(W-1) .. 2^(W-1)-1``, unsigned ``0 .. 2^W-1``; value = raw * 2^-F.
    """
    width: int
    int_bits: int
    signed: bool = True
    rounding: str = "AP_TRN"
    overflow: str = "AP_WRAP"

    def __post_init__(self):
        if not 1 <= self.width <= 62 or (self.signed and self.width < 2):
            raise ValueError(f"width {self.width} outside 1..62 (2..62 signed)")
        if self.rounding not in ROUNDING_MODES or self.overflow not in OVERFLOW_MODES:
            raise ValueError(f"bad modes {self.rounding}, {self.overflow}")

    @staticmethod
    def parse(text):
        """Parses ``ap_fixed<W,I>``, ``ap_ufixed<W,I,Q,O>``, ``fixed<7,3,rnd,sat>`` (modes may
        omit ``AP_``, case-insensitive). Raises ValueError for anything else (ap_int and the
        other integer spellings are not needed here)."""
        m = _TYPE_RE.match(text)
        if not m:
            raise ValueError(f"not a fixed-point type: {text!r}")
        q = _mode(m.group(4), ROUNDING_MODES, text) if m.group(4) else "AP_TRN"
        o = _mode(m.group(5), OVERFLOW_MODES, text) if m.group(5) else "AP_WRAP"
        return FixedType(int(m.group(2)), int(m.group(3)), m.group(1) == "", q, o)

    @property
    def frac(self):
        """Fraction bits F = W - I (may be negative)."""
        return self.width - self.int_bits

    @property
    def step(self):
        """Value of one LSB, 2^-F."""
        return math.ldexp(1.0, -self.frac)

    @property
    def raw_min(self):
        return -(1 << (self.width - 1)) if self.signed else 0

    @property
    def raw_max(self):
        return (1 << (self.width - 1)) - 1 if self.signed else (1 << self.width) - 1

    def __str__(self):
        """nngen's spelling: modes written only when not the defaults (docs/fixed_point.md)."""
        base = f"ap_{'' if self.signed else 'u'}fixed<{self.width},{self.int_bits}"
        if self.overflow != "AP_WRAP":
            return f"{base},{self.rounding},{self.overflow}>"
        if self.rounding != "AP_TRN":
            return f"{base},{self.rounding}>"
        return base + ">"


def quantize_raw(x, t):
    """The raw integers (as a tensor of x's floating dtype) of x converted into type t: rounding
    with t.rounding at t.frac fraction bits, then t.overflow, as nngen's quantizeReal.

    x: a floating-point torch.Tensor of any shape. Carry rules (q floor, h half bit, r sticky
    bits below it, s sign), docs/fixed_point.md "Rounding modes"."""
    y = x * math.ldexp(1.0, t.frac)                # exact: a power-of-two scaling
    fl = torch.floor(y)
    fr = y - fl                                    # exact
    h = fr >= 0.5
    r = torch.where(h, fr != 0.5, fr != 0.0)
    s = x < 0
    odd = torch.remainder(fl, 2.0) != 0
    if t.rounding == "AP_TRN":
        c = torch.zeros_like(h)
    elif t.rounding == "AP_TRN_ZERO":
        c = s & (h | r)
    elif t.rounding == "AP_RND":
        c = h
    elif t.rounding == "AP_RND_ZERO":
        c = h & (r | s)
    elif t.rounding == "AP_RND_MIN_INF":
        c = h & r
    elif t.rounding == "AP_RND_INF":
        c = h & (r | ~s)
    else:  # AP_RND_CONV
        c = h & (r | odd)
    q = fl + c.to(fl.dtype)
    lo, hi = float(t.raw_min), float(t.raw_max)
    if t.overflow == "AP_WRAP":
        return lo + torch.remainder(q - lo, float(1 << t.width))
    if t.overflow == "AP_SAT":
        return q.clamp(lo, hi)
    if t.overflow == "AP_SAT_ZERO":
        return torch.where((q < lo) | (q > hi), torch.zeros_like(q), q)
    return q.clamp(-hi if t.signed else 0.0, hi)  # AP_SAT_SYM


def quantize(x, t):
    """x converted into type t, as a real value (raw * 2^-F) of x's dtype; no gradient."""
    return quantize_raw(x, t) * t.step


class _FakeQuant(torch.autograd.Function):
    """Forward: quantize(x, t). Backward: straight-through inside the type's range; zero where a
    saturating overflow mode clamps (the clipped STE); straight-through everywhere for wrap."""

    @staticmethod
    def forward(ctx, x, t):
        q = quantize(x, t)
        if t.overflow == "AP_WRAP":
            ctx.save_for_backward(None)
        else:
            lo = t.raw_min * t.step
            hi = t.raw_max * t.step
            ctx.save_for_backward((x >= lo - t.step / 2) & (x < hi + t.step / 2))
        return q

    @staticmethod
    def backward(ctx, grad):
        (inside,) = ctx.saved_tensors
        return (grad if inside is None else grad * inside.to(grad.dtype)), None


def fake_quant(x, t):
    """x quantized into FixedType t (forward exactly as nngen), gradient by the clipped STE.
    t None returns x unchanged (a float layer)."""
    return x if t is None else _FakeQuant.apply(x, t)


def int_bits_for(max_abs, signed=True):
    """Smallest integer-bit count I with max_abs <= 2^(I-1) (signed) or 2^I (unsigned).
    Values up to one LSB below that bound are represented; the bound itself saturates."""
    i = -8
    while (2.0 ** (i - 1) if signed else 2.0 ** i) < max_abs:
        i += 1
    return i


# ----------------------------------------------------------------------------- pruning

def polynomial_sparsity(step, begin, end, final, initial=0.0, power=3):
    """Target sparsity at training step `step` of the polynomial schedule (Zhu and Gupta 2017,
    eq. 1): ``initial`` up to ``begin``, ``final + (initial - final) * (1 - p)^power`` with
    p = (step - begin) / (end - begin) in between, ``final`` from ``end`` on."""
    if step <= begin:
        return initial
    if step >= end:
        return final
    p = (step - begin) / (end - begin)
    return final + (initial - final) * (1.0 - p) ** power


def prune_l1_to(module, fraction, name="weight"):
    """Raises the L1-unstructured (magnitude) pruning of ``module.<name>`` to ``fraction`` of its
    entries (the count rounded to the nearest integer) with torch.nn.utils.prune.l1_unstructured.
    Pruning only grows: entries already pruned stay pruned and the new ones are the smallest
    |w| among the others (PyTorch's PruningContainer applies an integer amount to the unpruned
    entries). Returns the number of entries now pruned."""
    mask = getattr(module, name + "_mask", None)
    n = getattr(module, name).numel()
    done = 0 if mask is None else int((mask == 0).sum())
    target = int(round(fraction * n))
    if target > done:
        prune.l1_unstructured(module, name, amount=target - done)
        return target
    return done


def make_pruning_permanent(module, name="weight"):
    """torch.nn.utils.prune.remove: ``module.<name>`` becomes a plain parameter equal to
    weight_orig * mask, so the pruned entries are exactly 0. A module never pruned is left
    alone."""
    if prune.is_pruned(module) and hasattr(module, name + "_mask"):
        prune.remove(module, name)


# ----------------------------------------------------------------------------- layers

class QConv2d(torch.nn.Conv2d):
    """nn.Conv2d computing what an nngen Conv2D computes: the kernel and bias fake-quantized into
    ``weight_type`` / ``bias_type``, the exact sum of products (nngen's default accumulator),
    then the sum fake-quantized into ``result_type``. A type left None keeps that tensor float.
    Calling the module (not F.conv2d on its weight) keeps torch.nn.utils.prune's forward
    pre-hook in charge of ``weight`` = weight_orig * weight_mask. Shapes as nn.Conv2d (NCHW)."""

    weight_type = bias_type = result_type = None

    def forward(self, x):
        b = None if self.bias is None else fake_quant(self.bias, self.bias_type)
        y = self._conv_forward(x, fake_quant(self.weight, self.weight_type), b)
        return fake_quant(y, self.result_type)


class QLinear(torch.nn.Linear):
    """nn.Linear computing what an nngen Dense computes (see QConv2d). Shapes as nn.Linear."""

    weight_type = bias_type = result_type = None

    def forward(self, x):
        b = None if self.bias is None else fake_quant(self.bias, self.bias_type)
        y = torch.nn.functional.linear(x, fake_quant(self.weight, self.weight_type), b)
        return fake_quant(y, self.result_type)
