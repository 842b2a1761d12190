#!/usr/bin/python3
"""Writes the small golden networks of tests/golden/ (specs, random weights, random inputs).

Each network exercises shapes and options the shipped example does not: odd image sizes,
1x1 and 5x5 kernels, stride 2, 'same' padding, C=1 and C=5, a Dense-only MLP, all-zero weight
rows (pruning), BatchNorm that cannot be folded, user accumulator types, every rounding and
overflow family, unsigned types and AveragePooling2D with a non-power-of-two window.
The files are committed; rerun this script (Debian python3-numpy) only to change them:
    /usr/bin/python3 tests/golden/make_nets.py
Weights are drawn with a fixed seed, so the output is reproducible.
"""
import os
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
rng = np.random.default_rng(20261123)


def save(net, name, arr):
    os.makedirs(os.path.join(HERE, net, "w"), exist_ok=True)
    np.save(os.path.join(HERE, net, "w", name + ".npy"), np.ascontiguousarray(arr))
    return "w/" + name + ".npy"


def bn(net, name, c):
    return {
        "gamma": save(net, name + "_gamma", rng.uniform(-1.5, 1.5, c).astype(np.float32)),
        "beta": save(net, name + "_beta", rng.normal(0, 0.3, c).astype(np.float32)),
        "moving_mean": save(net, name + "_mean", rng.normal(0, 0.3, c).astype(np.float32)),
        "moving_variance": save(net, name + "_var", rng.uniform(0.3, 2.0, c).astype(np.float32)),
    }


def write(net, text, inputs):
    with open(os.path.join(HERE, net, net + ".yaml"), "w") as f:
        f.write(text)
    np.save(os.path.join(HERE, net, "inputs.npy"), inputs.astype(np.float32))


# 1. conv_odd: 5x7x1 input, 5x5 'same' conv, 1x1 conv to C=5, max pool, dense.
net = "conv_odd"
k0 = rng.normal(0, 0.4, (5, 5, 1, 4)).astype(np.float32)
k0[:, :, :, 2] = 0.0  # an all-zero filter: its output is just the bias
b0 = rng.normal(0, 0.2, 4).astype(np.float32)
k1 = rng.normal(0, 0.5, (1, 1, 4, 5)).astype(np.float32)
kd = rng.normal(0, 0.3, (2 * 3 * 5, 3)).astype(np.float32)
kd[7, :] = 0.0  # an all-zero weight row: that input feeds nothing
write(net, f"""# Golden test: odd 5x7 image, C=1, 5x5 'same' conv with an all-zero filter, 1x1 conv to C=5.
nngen: 1
name: conv_odd
precision:
  default: ap_fixed<12,4>
input:
  shape: [5, 7, 1]
  precision: ap_fixed<8,3>
layers:
  - {{name: conv0, type: Conv2D, filters: 4, kernel_size: 5, padding: same, use_bias: true,
     kernel: {save(net, "conv0_k", k0)}, bias: {save(net, "conv0_b", b0)}, activation: relu}}
  - {{name: conv1, type: Conv2D, filters: 5, kernel_size: [1, 1], use_bias: false,
     kernel: {save(net, "conv1_k", k1)}, precision: {{result: "ap_fixed<10,4,AP_RND,AP_SAT>"}}}}
  - {{name: pool, type: MaxPooling2D, pool_size: 2}}
  - {{name: flat, type: Flatten}}
  - {{name: out, type: Dense, units: 3, use_bias: false, kernel: {save(net, "out_k", kd)}}}
""", rng.uniform(-4, 4, (40, 5, 7, 1)))

# 2. stride_same: C=5, 3x3 stride 2 'same' (asymmetric padding), unfoldable BN, avg pool,
#    a Dense with a user accumulator and rounding/saturating result types.
net = "stride_same"
k0 = rng.normal(0, 0.3, (3, 3, 5, 6)).astype(np.float32)
kd = rng.normal(0, 0.5, (1 * 2 * 6, 4)).astype(np.float32)
kd[:, 1] = 0.0  # an all-zero output neuron, bias only
bd = rng.normal(0, 0.5, 4).astype(np.float32)
b = bn(net, "bn0", 6)
write(net, f"""# Golden test: C=5, 3x3 stride 2 'same' conv, BatchNorm after ReLU (not foldable),
# average pooling, a Dense with a user accumulator type and rounding/saturating types.
nngen: 1
name: stride_same
precision:
  default: ap_fixed<14,5>
hardware:
  adder_levels_per_stage: 1
input:
  shape: [7, 5, 5]
  precision: ap_fixed<9,3,AP_RND>
layers:
  - {{name: conv0, type: Conv2D, filters: 6, kernel_size: 3, strides: 2, padding: same, use_bias: false,
     kernel: {save(net, "conv0_k", k0)}}}
  - {{name: relu0, type: ReLU, precision: "ap_ufixed<12,4,AP_RND_ZERO,AP_SAT>"}}
  - {{name: bn0, type: BatchNormalization, epsilon: 0.001, gamma: {b["gamma"]}, beta: {b["beta"]},
     moving_mean: {b["moving_mean"]}, moving_variance: {b["moving_variance"]},
     precision: {{weight: "ap_fixed<10,3,AP_RND_INF>", bias: "ap_fixed<10,3>", result: "ap_fixed<13,5,AP_RND_MIN_INF,AP_SAT_ZERO>"}}}}
  - {{name: pool, type: AveragePooling2D, pool_size: 2, precision: {{result: "ap_fixed<12,4,AP_TRN_ZERO,AP_SAT>"}}}}
  - {{name: flat, type: Flatten}}
  - {{name: out, type: Dense, units: 4, kernel: {save(net, "out_k", kd)}, bias: {save(net, "out_b", bd)},
     precision: {{weight: "ap_fixed<8,2,AP_RND_CONV>", accum: "ap_fixed<16,6,AP_RND,AP_SAT>", result: "ap_fixed<10,4,AP_RND_CONV,AP_SAT_SYM>"}}}}
""", rng.uniform(-3, 3, (40, 7, 5, 5)))

# 3. mlp: Dense-only network on a flat input, unsigned activations, an all-zero weight row.
net = "mlp"
k0 = rng.normal(0, 0.4, (16, 12)).astype(np.float32)
k0[3, :] = 0.0
k0[:, 5] = 0.0
b0 = rng.normal(0, 0.2, 12).astype(np.float32)
k1 = rng.normal(0, 0.4, (12, 10)).astype(np.float32)
b1 = rng.normal(0, 0.2, 10).astype(np.float32)
write(net, f"""# Golden test: a Dense-only MLP on a flat input of 16 features.
nngen: 1
name: mlp
input:
  shape: [16]
  precision: ap_fixed<10,4>
layers:
  - {{name: fc0, type: Dense, units: 12, kernel: {save(net, "fc0_k", k0)}, bias: {save(net, "fc0_b", b0)}}}
  - {{name: relu0, type: ReLU, precision: "ap_ufixed<10,4>"}}
  - {{name: fc1, type: Dense, units: 10, kernel: {save(net, "fc1_k", k1)}, bias: {save(net, "fc1_b", b1)},
     precision: {{weight: "ap_fixed<8,2>", result: "ap_fixed<16,6,AP_RND,AP_SAT>"}}}}
""", rng.uniform(-6, 6, (60, 16)))

# 4. pool_bn: BatchNorm as the first layer (element-wise only module), overlapping max pooling
#    (stride 1), 3x3 average pooling (reciprocal 1/9), 1x1 output pixels of C=2 streamed out.
net = "pool_bn"
b = bn(net, "bn_in", 2)
write(net, f"""# Golden test: BatchNorm on the input, overlapping 2x2 stride-1 max pooling, 3x3 average
# pooling (a non-power-of-two reciprocal); the output is a 3x3x2 tensor (no argmax).
nngen: 1
name: pool_bn
precision:
  default: ap_fixed<12,5>
input:
  shape: [6, 6, 2]
layers:
  - {{name: bn_in, type: BatchNormalization, gamma: {b["gamma"]}, beta: {b["beta"]},
     moving_mean: {b["moving_mean"]}, moving_variance: {b["moving_variance"]}}}
  - {{name: maxp, type: MaxPooling2D, pool_size: 2, strides: 1}}
  - {{name: avgp, type: AveragePooling2D, pool_size: 3, strides: 1, precision: {{result: "ap_fixed<12,5,AP_RND>"}}}}
  - {{name: relu, type: ReLU}}
""", rng.uniform(-8, 8, (30, 6, 6, 2)))

# configs/tiny: the smallest example, synthesized in CI for the resource report. Random
# weights (it shows the flow and its costs, not accuracy) and random uint8 test images.
TINY = os.path.join(HERE, "..", "..", "configs", "tiny")
os.makedirs(os.path.join(TINY, "weights"), exist_ok=True)
k0 = rng.normal(0, 0.5, (3, 3, 1, 4)).astype(np.float32)
k0[np.abs(k0) < 0.2] = 0.0  # pruned, like the paper's BP model
kd = rng.normal(0, 0.3, (3 * 3 * 4, 5)).astype(np.float32)
bd = rng.normal(0, 0.1, 5).astype(np.float32)
np.save(os.path.join(TINY, "weights", "conv0_kernel.npy"), k0)
np.save(os.path.join(TINY, "weights", "out_kernel.npy"), kd)
np.save(os.path.join(TINY, "weights", "out_bias.npy"), bd)
np.save(os.path.join(TINY, "test_images.npy"), rng.integers(0, 256, (20, 8, 8), dtype=np.uint8))
np.save(os.path.join(TINY, "test_labels.npy"), rng.integers(0, 5, 20, dtype=np.uint8))
with open(os.path.join(TINY, "tiny.yaml"), "w") as f:
    f.write("""# The smallest nngen example: 8x8 grayscale -> Conv2D 3x3 (4 filters, pruned) -> ReLU ->
# MaxPool 2x2 -> Dense 5 with argmax. Random weights and images (tests/golden/make_nets.py):
# it exercises the whole flow cheaply and is the design CI synthesizes for its resource report.
nngen: 1
name: tiny
precision:
  default: ap_fixed<10,4>
input:
  shape: [8, 8, 1]
  precision: ap_fixed<8,2>
  preprocess: {scale: 0.00390625, offset: 0.0}   # x = pixel / 256
layers:
  - {name: conv0, type: Conv2D, filters: 4, kernel_size: 3, use_bias: false, kernel: weights/conv0_kernel.npy, activation: relu}
  - {name: pool0, type: MaxPooling2D, pool_size: 2}
  - {name: flatten, type: Flatten}
  - {name: out, type: Dense, units: 5, kernel: weights/out_kernel.npy, bias: weights/out_bias.npy}
test_data:
  images: test_images.npy
  labels: test_labels.npy
""")
# 5. bn_zero: BatchNorm scales of zero (gamma = 0): kept as scale-and-shift after a ReLU with
#    some zero scales (those channels are the constant beta), and folded through a max pool into
#    a Conv2D with all scales zero (every weight of the folded layer is zero). Its own generator,
#    so that the nets above keep their weights.
rng = np.random.default_rng(5)
net = "bn_zero"
k0 = rng.normal(0, 0.4, (3, 3, 2, 4)).astype(np.float32)
b0 = rng.normal(0, 0.2, 4).astype(np.float32)
k1 = rng.normal(0, 0.4, (1, 1, 4, 3)).astype(np.float32)
g_keep = np.array([0.0, 1.2, 0.0, -0.7], np.float32)
g_fold = np.zeros(3, np.float32)
write(net, f"""# Golden test: BatchNorm with zero scales, kept (some channels) and folded (all channels).
nngen: 1
name: bn_zero
precision:
  default: ap_fixed<12,4>
input:
  shape: [6, 6, 2]
  precision: ap_fixed<8,3>
layers:
  - {{name: conv0, type: Conv2D, filters: 4, kernel_size: 3, kernel: {save(net, "conv0_k", k0)}, bias: {save(net, "conv0_b", b0)}, activation: relu}}
  - {{name: bn_keep, type: BatchNormalization, gamma: {save(net, "bn_keep_gamma", g_keep)},
     beta: {save(net, "bn_keep_beta", np.array([0.5, -0.25, -1.0, 0.125], np.float32))},
     moving_mean: {save(net, "bn_keep_mean", rng.normal(0, 0.3, 4).astype(np.float32))},
     moving_variance: {save(net, "bn_keep_var", rng.uniform(0.5, 2, 4).astype(np.float32))}}}
  - {{name: conv1, type: Conv2D, filters: 3, kernel_size: 1, kernel: {save(net, "conv1_k", k1)}, use_bias: false}}
  - {{name: pool, type: MaxPooling2D, pool_size: 2}}
  - {{name: bn_fold, type: BatchNormalization, gamma: {save(net, "bn_fold_gamma", g_fold)},
     beta: {save(net, "bn_fold_beta", np.array([0.75, 0.0, -0.5], np.float32))},
     moving_mean: {save(net, "bn_fold_mean", np.zeros(3, np.float32))},
     moving_variance: {save(net, "bn_fold_var", np.ones(3, np.float32))}}}
""", rng.uniform(-4, 4, (20, 6, 6, 2)))

# 6. avg_accum (issue 7): exact average pooling with 3x3 windows under two rounding modes, one
#    with more result fraction bits than its input (sum * 2^k / 9) and one with fewer, signed
#    inputs (negative sums), then Dense layers whose user accumulators saturate (AP_SAT) or
#    zero (AP_SAT_ZERO) on the exact sum. Its own generator, so the nets above stay unchanged.
rng5 = np.random.default_rng(7007)
net = "avg_accum"
kd0 = rng5.normal(0, 0.6, (3 * 3 * 2, 6)).astype(np.float32)
bd0 = rng5.normal(0, 0.5, 6).astype(np.float32)
kd1 = rng5.normal(0, 0.8, (6, 3)).astype(np.float32)
random_images = rng5.uniform(-4, 4, (30, 9, 9, 2))
# images on a coarse grid with few distinct values: many window sums are ties or exact
grid_images = rng5.integers(-3, 3, (10, 9, 9, 2)) * 0.5 + rng5.integers(0, 2, (10, 1, 1, 2)) * 0.03125
write(net, f"""# Golden test (issue 7): 3x3 average pools rounded AP_RND (result frac above the input's) and
# AP_RND_MIN_INF (below it), and Dense layers with saturating user accumulators.
nngen: 1
name: avg_accum
precision:
  default: ap_fixed<12,4>
input:
  shape: [9, 9, 2]
  precision: ap_fixed<8,3>
layers:
  - {{name: avg0, type: AveragePooling2D, pool_size: 3, strides: 1, precision: {{result: "ap_fixed<10,3,AP_RND>"}}}}
  - {{name: avg1, type: AveragePooling2D, pool_size: 3, strides: 2, precision: {{result: "ap_fixed<8,4,AP_RND_MIN_INF,AP_SAT>"}}}}
  - {{name: flat, type: Flatten}}
  - {{name: fc0, type: Dense, units: 6, kernel: {save(net, "fc0_k", kd0)}, bias: {save(net, "fc0_b", bd0)},
     precision: {{weight: "ap_fixed<8,2,AP_RND>", bias: "ap_fixed<10,3>", accum: "ap_fixed<9,3,AP_RND,AP_SAT>", result: "ap_fixed<10,3>"}}}}
  - {{name: fc1, type: Dense, units: 3, use_bias: false, kernel: {save(net, "fc1_k", kd1)},
     precision: {{weight: "ap_fixed<8,2>", accum: "ap_fixed<8,2,AP_TRN,AP_SAT_ZERO>", result: "ap_fixed<8,2,AP_RND_CONV,AP_SAT>"}}}}
""", np.concatenate([random_images, grid_images]))

# 7. fold_mix (issue 9): folded layers. conv0: reuse 5 on 18 inputs x 16 channels with DSP
#    multipliers (SIMD 4: the last of 5 synapse folds is half empty); conv1: reuse 3 on 16 inputs
#    with LUT multipliers and a rounding, saturating user accumulator; fc0: a Dense that
#    accumulates pixel by pixel (9 pixels x 2 folds); fc1: neuron folding (NF > 1) with a bias;
#    a BatchNorm after a folded layer. Its own generator (the BatchNorm draws from the shared
#    one after every net above).
rng6 = np.random.default_rng(9009)
net = "fold_mix"
fk0 = rng6.normal(0, 0.4, (3, 3, 2, 16)).astype(np.float32)
fk0[:, :, :, 5] = 0.0  # a pruned filter
fb0 = rng6.normal(0, 0.2, 16).astype(np.float32)
fk1 = rng6.normal(0, 0.4, (1, 1, 16, 6)).astype(np.float32)
fkd0 = rng6.normal(0, 0.3, (3 * 3 * 6, 16)).astype(np.float32)
fkd1 = rng6.normal(0, 0.4, (16, 10)).astype(np.float32)
fbd1 = rng6.normal(0, 0.3, 10).astype(np.float32)
fbn = bn(net, "bn1", 6)
write(net, f"""# Golden test (issue 9): folded Conv2D and Dense layers, DSP and LUT multipliers, reuse
# factors that do not divide the work evenly, pixel-by-pixel Dense, neuron folds, a user
# accumulator and a kept BatchNorm after a folded layer.
nngen: 1
name: fold_mix
precision:
  default: ap_fixed<12,4>
input:
  shape: [6, 6, 2]
  precision: ap_fixed<8,3>
layers:
  - {{name: conv0, type: Conv2D, filters: 16, kernel_size: 3, padding: same, kernel: {save(net, "conv0_k", fk0)},
     bias: {save(net, "conv0_b", fb0)}, activation: relu, reuse_factor: 5, multipliers: dsp}}
  - {{name: pool0, type: MaxPooling2D, pool_size: 2}}
  - {{name: conv1, type: Conv2D, filters: 6, kernel_size: 1, use_bias: false, kernel: {save(net, "conv1_k", fk1)},
     reuse_factor: 3, multipliers: lut, precision: {{accum: "ap_fixed<14,6,AP_RND,AP_SAT>", result: "ap_fixed<10,4,AP_RND,AP_SAT>"}}}}
  - {{name: bn1, type: BatchNormalization, gamma: {fbn["gamma"]}, beta: {fbn["beta"]},
     moving_mean: {fbn["moving_mean"]}, moving_variance: {fbn["moving_variance"]}}}
  - {{name: relu1, type: ReLU}}
  - {{name: flat, type: Flatten}}
  - {{name: fc0, type: Dense, units: 16, use_bias: false, kernel: {save(net, "fc0_k", fkd0)}, reuse_factor: 18}}
  - {{name: relu2, type: ReLU, precision: "ap_ufixed<10,4>"}}
  - {{name: fc1, type: Dense, units: 10, kernel: {save(net, "fc1_k", fkd1)}, bias: {save(net, "fc1_b", fbd1)},
     reuse_factor: 32, multipliers: dsp}}
""", rng6.uniform(-4, 4, (40, 6, 6, 2)))

# 8. fold_4bit (issue 9): 4-bit activations and 3-bit weights on DSPs packed 4 products per DSP
#    (conv0 and fc0), an 8-bit layer packed 2 per DSP (fc1), folded with uneven reuse factors.
rng7 = np.random.default_rng(4004)
net = "fold_4bit"
qk0 = rng7.normal(0, 0.5, (3, 3, 3, 8)).astype(np.float32)
qkd0 = rng7.normal(0, 0.5, (2 * 2 * 8, 12)).astype(np.float32)
qkd1 = rng7.normal(0, 0.4, (12, 6)).astype(np.float32)
write(net, f"""# Golden test (issue 9): DSP packing, 4 products per DSP (4-bit x 3-bit) and 2 per DSP (8-bit).
nngen: 1
name: fold_4bit
precision:
  default: ap_fixed<4,2,AP_RND,AP_SAT>
input:
  shape: [6, 6, 3]
  precision: ap_fixed<4,2>
layers:
  - {{name: conv0, type: Conv2D, filters: 8, kernel_size: 3, use_bias: false, kernel: {save(net, "conv0_k", qk0)},
     activation: relu, reuse_factor: 9, multipliers: dsp,
     precision: {{weight: "ap_fixed<3,1,AP_RND,AP_SAT>", result: "ap_fixed<4,2,AP_RND,AP_SAT>"}}}}
  - {{name: pool0, type: MaxPooling2D, pool_size: 2}}
  - {{name: flat, type: Flatten}}
  - {{name: fc0, type: Dense, units: 12, use_bias: false, kernel: {save(net, "fc0_k", qkd0)}, reuse_factor: 12,
     multipliers: dsp, activation: relu, precision: {{weight: "ap_fixed<3,1,AP_RND,AP_SAT>", result: "ap_fixed<8,3,AP_RND,AP_SAT>"}}}}
  - {{name: fc1, type: Dense, units: 6, use_bias: false, kernel: {save(net, "fc1_k", qkd1)}, reuse_factor: 7,
     multipliers: dsp, precision: {{weight: "ap_fixed<8,2,AP_RND,AP_SAT>", result: "ap_fixed<10,4>"}}}}
""", rng7.uniform(-2, 2, (40, 6, 6, 3)))

# 9. fold_cascade (issue 9): 16-bit products, one per DSP, summed in DSP cascades
#    (nn_mac_chain): conv0 27 inputs per cycle in 3 cascades of 9, fc0 pixel by pixel (a
#    cascade of 4), fc1 13 inputs per cycle in cascades of 7 and 6 (unequal: skewed delays).
rng9 = np.random.default_rng(9009)
net = "fold_cascade"
ck0 = rng9.normal(0, 0.4, (3, 3, 3, 4)).astype(np.float32)
cb0 = rng9.normal(0, 0.2, 4).astype(np.float32)
ckd0 = rng9.normal(0, 0.4, (2 * 2 * 4, 26)).astype(np.float32)
ckd1 = rng9.normal(0, 0.3, (26, 3)).astype(np.float32)
cbd1 = rng9.normal(0, 0.2, 3).astype(np.float32)
write(net, f"""# Golden test (issue 9): 16-bit folded layers whose products are summed in DSP cascades.
nngen: 1
name: fold_cascade
precision:
  default: ap_fixed<16,6>
input:
  shape: [6, 6, 3]
  precision: ap_fixed<16,6>
layers:
  - {{name: conv0, type: Conv2D, filters: 4, kernel_size: 3, kernel: {save(net, "conv0_k", ck0)},
     bias: {save(net, "conv0_b", cb0)}, activation: relu, reuse_factor: 2, multipliers: dsp}}
  - {{name: pool0, type: MaxPooling2D, pool_size: 2}}
  - {{name: flat, type: Flatten}}
  - {{name: fc0, type: Dense, units: 26, use_bias: false, kernel: {save(net, "fc0_k", ckd0)}, reuse_factor: 4,
     multipliers: dsp, activation: relu}}
  - {{name: fc1, type: Dense, units: 3, kernel: {save(net, "fc1_k", ckd1)}, bias: {save(net, "fc1_b", cbd1)},
     reuse_factor: 2, multipliers: dsp}}
""", rng9.uniform(-4, 4, (40, 6, 6, 3)))

# 10. binary (issue 10): a binary network in the style of arXiv 2003.06308. conv0 (fixed-point
#     weights) with a BatchNorm + sign folded into it; a max pool of binary values (an OR); conv1
#     with binary weights on binary inputs (XNOR + popcount) and a BatchNorm + sign kept as a
#     threshold per channel (negative, zero and out-of-range scales included); dense0 with
#     ternary weights on binary inputs; the output Dense with fixed-point weights on binary inputs
#     and a rounding accumulator.
rng10 = np.random.default_rng(10010)
net = "binary"
bk0 = rng10.normal(0, 0.5, (3, 3, 1, 6)).astype(np.float32)
bk1 = np.where(rng10.random((3, 3, 6, 8)) < 0.5, -1.0, 1.0).astype(np.float32)
bkd0 = rng10.choice([-1.0, 0.0, 1.0], size=(8, 12)).astype(np.float32)
bkd1 = rng10.normal(0, 0.5, (12, 5)).astype(np.float32)
bbd1 = rng10.normal(0, 0.3, 5).astype(np.float32)
bn0 = bn(net, "bn0", 6)
# conv0's outputs have a standard deviation near 1.7: thresholds near +1.8 make about a fifth of
# the signs +1, so that the max pool's OR is +1 about half the time (varied binary activations)
bn0["moving_mean"] = save(net, "bn0_mean", rng10.normal(1.8, 0.3, 6).astype(np.float32))
bn0["gamma"] = save(net, "bn0_gamma", rng10.uniform(0.5, 1.5, 6).astype(np.float32))
bn1 = bn(net, "bn1", 8)
g1 = rng10.uniform(-1.5, 1.5, 8).astype(np.float32)
g1[2] = 0.0    # a zero scale: a constant sign
g1[5] = 1e-3   # a tiny scale: the threshold lies outside the input's range
np.save(os.path.join(HERE, net, "w", "bn1_gamma.npy"), g1)
bn1["moving_mean"] = save(net, "bn1_mean", rng10.normal(0, 3, 8).astype(np.float32))
bn2 = bn(net, "bn2", 12)
write(net, f"""# Golden test (issue 10): binary and ternary layers: sign activations, XNOR + popcount,
# BatchNorm + sign as per-channel thresholds, ternary weights, a max pool of binary values.
nngen: 1
name: binary
precision:
  default: ap_fixed<10,6>
input:
  shape: [8, 8, 1]
  precision: ap_fixed<6,2>
layers:
  - {{name: conv0, type: Conv2D, filters: 6, kernel_size: 3, use_bias: false, kernel: {save(net, "conv0_k", bk0)},
     precision: {{weight: "ap_fixed<6,2>"}}}}
  - {{name: bn0, type: BatchNormalization, {", ".join(f"{k}: {v}" for k, v in bn0.items())},
     precision: {{result: binary}}}}
  - {{name: pool0, type: MaxPooling2D, pool_size: 2}}
  - {{name: conv1, type: Conv2D, filters: 8, kernel_size: 3, use_bias: false, kernel: {save(net, "conv1_k", bk1)},
     precision: {{weight: binary, result: "ap_int<8>"}}}}
  - {{name: bn1, type: BatchNormalization, {", ".join(f"{k}: {v}" for k, v in bn1.items())},
     precision: {{weight: "ap_fixed<12,4>", bias: "ap_fixed<12,8>", result: binary}}}}
  - {{name: flat, type: Flatten}}
  - {{name: dense0, type: Dense, units: 12, use_bias: false, kernel: {save(net, "dense0_k", bkd0)},
     precision: {{weight: ternary, result: "ap_int<6>"}}}}
  - {{name: bn2, type: BatchNormalization, {", ".join(f"{k}: {v}" for k, v in bn2.items())},
     precision: {{result: binary}}}}
  - {{name: out, type: Dense, units: 5, kernel: {save(net, "out_k", bkd1)}, bias: {save(net, "out_b", bbd1)},
     precision: {{weight: "ap_fixed<6,2>", accum: "ap_fixed<10,6,AP_RND,AP_SAT>", result: "ap_fixed<10,6>"}}}}
""", rng10.uniform(-2, 2, (40, 8, 8, 1)))

# 11. ternary (issue 10): ternary weights on fixed-point inputs, PTQ of float weights into
#     {-1, 0, +1} included: additions and subtractions only, no multiplier.
rng11 = np.random.default_rng(11011)
net = "ternary"
tk0 = rng11.normal(0, 0.8, (3, 3, 2, 6)).astype(np.float32)
tkd0 = rng11.choice([-1.0, 0.0, 1.0], size=(2 * 2 * 6, 10)).astype(np.float32)
tkd1 = rng11.choice([-1.0, 0.0, 1.0], size=(10, 4)).astype(np.float32)
tbd1 = rng11.normal(0, 0.5, 4).astype(np.float32)
write(net, f"""# Golden test (issue 10): ternary weights (PTQ of float weights into {{-1, 0, +1}} in conv0).
nngen: 1
name: ternary
precision:
  default: ap_fixed<10,5,AP_RND,AP_SAT>
input:
  shape: [6, 6, 2]
  precision: ap_fixed<8,3>
layers:
  - {{name: conv0, type: Conv2D, filters: 6, kernel_size: 3, padding: same, use_bias: false,
     kernel: {save(net, "conv0_k", tk0)}, activation: relu, precision: {{weight: ternary}}}}
  - {{name: pool0, type: MaxPooling2D, pool_size: 3}}
  - {{name: flat, type: Flatten}}
  - {{name: fc0, type: Dense, units: 10, use_bias: false, kernel: {save(net, "fc0_k", tkd0)}, activation: relu,
     precision: {{weight: ternary}}}}
  - {{name: fc1, type: Dense, units: 4, kernel: {save(net, "fc1_k", tkd1)}, bias: {save(net, "fc1_b", tbd1)},
     precision: {{weight: ternary, bias: "ap_fixed<8,3>"}}}}
""", rng11.uniform(-4, 4, (40, 6, 6, 2)))

# 12. pruned_hetero (issue 10): 50 % of every kernel pruned (smallest magnitudes zeroed) and a
#     different type for every layer's weights, accumulator and result (heterogeneous precision,
#     as the hls4ml paper's AQ/AQP models).
rng12 = np.random.default_rng(12012)
net = "pruned_hetero"


def prune50(w):
    w = w.copy()
    w[np.abs(w) < np.median(np.abs(w))] = 0.0
    return w


pk0 = prune50(rng12.normal(0, 0.5, (3, 3, 3, 8)).astype(np.float32))
pk1 = prune50(rng12.normal(0, 0.3, (3, 3, 8, 8)).astype(np.float32))
pkd0 = prune50(rng12.normal(0, 0.3, (2 * 2 * 8, 16)).astype(np.float32))
pkd1 = prune50(rng12.normal(0, 0.4, (16, 5)).astype(np.float32))
pbd1 = rng12.normal(0, 0.3, 5).astype(np.float32)
write(net, f"""# Golden test (issue 10): 50 % pruned kernels, a different precision in every layer.
nngen: 1
name: pruned_hetero
precision:
  default: ap_fixed<16,6>
input:
  shape: [10, 10, 3]
  precision: ap_fixed<6,2>
layers:
  - {{name: conv0, type: Conv2D, filters: 8, kernel_size: 3, use_bias: false, kernel: {save(net, "conv0_k", pk0)},
     activation: relu, precision: {{weight: "ap_fixed<4,1,AP_RND>", result: "ap_ufixed<5,3,AP_RND,AP_SAT>"}}}}
  - {{name: pool0, type: MaxPooling2D, pool_size: 2}}
  - {{name: conv1, type: Conv2D, filters: 8, kernel_size: 3, use_bias: false, kernel: {save(net, "conv1_k", pk1)},
     precision: {{weight: "ap_fixed<12,2>", accum: "ap_fixed<14,6,AP_RND_CONV,AP_SAT>", result: "ap_fixed<9,5,AP_RND,AP_SAT>"}}}}
  - {{name: pool1, type: AveragePooling2D, pool_size: 1, precision: {{result: "ap_fixed<9,5,AP_RND,AP_SAT>"}}}}
  - {{name: flat, type: Flatten}}
  - {{name: fc0, type: Dense, units: 16, use_bias: false, kernel: {save(net, "fc0_k", pkd0)}, activation: relu,
     precision: {{weight: "ap_fixed<3,1,AP_RND_ZERO,AP_SAT_SYM>", result: "ap_ufixed<7,4,AP_TRN,AP_SAT>"}}}}
  - {{name: fc1, type: Dense, units: 5, kernel: {save(net, "fc1_k", pkd1)}, bias: {save(net, "fc1_b", pbd1)},
     precision: {{weight: "ap_fixed<8,2,AP_RND>", bias: "ap_fixed<6,2>", result: "ap_fixed<14,7>"}}}}
""", rng12.uniform(-2, 2, (40, 10, 10, 3)))

# 13. tables_cnn (issue 11): table-based activations: Tanh on every pixel of a convolution,
#     Sigmoid with its own table size and range, a Softmax output (exponential and reciprocal
#     tables, one multiplier per class) with the default tables.
rng13 = np.random.default_rng(13013)
net = "tables_cnn"
ck0 = rng13.normal(0, 0.6, (3, 3, 2, 4)).astype(np.float32)
cb0 = rng13.normal(0, 0.3, 4).astype(np.float32)
ckd0 = rng13.normal(0, 0.4, (2 * 2 * 4, 8)).astype(np.float32)
ckd1 = rng13.normal(0, 1.0, (8, 5)).astype(np.float32)
cbd1 = rng13.normal(0, 0.5, 5).astype(np.float32)
write(net, f"""# Golden test (issue 11): Tanh after a Conv2D, Sigmoid with table_size/input_range, Softmax output.
nngen: 1
name: tables_cnn
precision:
  default: ap_fixed<12,4,AP_RND,AP_SAT>
input:
  shape: [6, 6, 2]
  precision: ap_fixed<8,3>
layers:
  - {{name: conv0, type: Conv2D, filters: 4, kernel_size: 3, padding: same, kernel: {save(net, "conv0_k", ck0)},
     bias: {save(net, "conv0_b", cb0)}, activation: tanh}}
  - {{name: pool0, type: MaxPooling2D, pool_size: 3}}
  - {{name: flat, type: Flatten}}
  - {{name: fc0, type: Dense, units: 8, use_bias: false, kernel: {save(net, "fc0_k", ckd0)}}}
  - {{name: sig0, type: Sigmoid, table_size: 256, input_range: 4, precision: "ap_ufixed<10,0,AP_RND,AP_SAT>"}}
  - {{name: fc1, type: Dense, units: 5, kernel: {save(net, "fc1_k", ckd1)}, bias: {save(net, "fc1_b", cbd1)},
     activation: softmax}}
""", rng13.uniform(-3, 3, (40, 6, 6, 2)))

# 14. softmax_mlp (issue 11): float test features carried by the spec (test_data), Tanh with a
#     coarse input type (one table entry per input value), a Softmax with its own table types.
rng14 = np.random.default_rng(14014)
net = "softmax_mlp"
mk0 = rng14.normal(0, 0.5, (10, 12)).astype(np.float32)
mb0 = rng14.normal(0, 0.3, 12).astype(np.float32)
mk1 = rng14.normal(0, 0.6, (12, 6)).astype(np.float32)
features = rng14.normal(0, 1.5, (40, 10)).astype(np.float32)
os.makedirs(os.path.join(HERE, net), exist_ok=True)
np.save(os.path.join(HERE, net, "features.npy"), features)
np.save(os.path.join(HERE, net, "labels.npy"), rng14.integers(0, 6, 40).astype(np.int64))
write(net, f"""# Golden test (issue 11): float test_data, Tanh on a coarse type, Softmax with its own types.
nngen: 1
name: softmax_mlp
input:
  shape: [10]
  precision: ap_fixed<10,4,AP_RND,AP_SAT>
layers:
  - {{name: fc0, type: Dense, units: 12, kernel: {save(net, "fc0_k", mk0)}, bias: {save(net, "fc0_b", mb0)},
     precision: {{result: "ap_fixed<6,3,AP_RND,AP_SAT>"}}}}
  - {{name: act0, type: Tanh, precision: "ap_fixed<9,1,AP_RND,AP_SAT>"}}
  - {{name: fc1, type: Dense, units: 6, use_bias: false, kernel: {save(net, "fc1_k", mk1)},
     precision: {{result: "ap_fixed<10,5,AP_RND,AP_SAT>"}}}}
  - {{name: prob, type: Softmax, table_size: 512,
     precision: {{exp_table: "ap_ufixed<12,1,AP_RND,AP_SAT>", inv_table: "ap_ufixed<14,3,AP_RND,AP_SAT>",
                 result: "ap_ufixed<9,0,AP_RND,AP_SAT>"}}}}
test_data:
  images: features.npy
  labels: labels.npy
""", features)

print("wrote golden networks to", HERE, "and configs/tiny")
