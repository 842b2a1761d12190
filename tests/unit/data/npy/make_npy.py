#!/usr/bin/python3
"""Writes the .npy files of tests/unit/spec_input_test.cpp with numpy's own writer: every
format version numpy writes (1.0, 2.0, 3.0), headers longer than 128 bytes, Fortran order,
shapes () and (0,), and a structured dtype. Run from this folder; the files are committed."""
import numpy as np

def write(name, a, version=None):
    with open(name, "wb") as f:
        np.lib.format.write_array(f, a, version=version)

# 1.0 with a 30-dimensional shape: a 192-byte header whose length byte is 0xb6 (>= 0x80).
write("v1_long_header.npy", np.arange(2, dtype="<f4").reshape((1,) * 29 + (2,)), (1, 0))
write("v2.npy", np.arange(6, dtype="<i2").reshape(2, 3) - 3, (2, 0))
write("v3.npy", np.arange(4, dtype="<f8") / 4, (3, 0))
write("fortran.npy", np.asfortranarray(np.arange(6, dtype="<i4").reshape(2, 3)), (1, 0))
write("scalar.npy", np.array(7.5, dtype="<f4"), (1, 0))
write("empty.npy", np.zeros((0,), dtype="<f4"), (1, 0))
write("structured_v3.npy", np.zeros((2,), dtype=[("\u00e9t\u00e9", "<f4")]), (3, 0))
