#!/usr/bin/env python3
"""Writes tools/fuzz/seeds_kernels/: seed inputs of fuzz_kernels_differential.cc in the byte
layout its header comment documents (one file per operation x variant, valid parameters, inputs
with exact ties, the int32 and 8-bit extremes and the special floats; GEMM, LUT and fake
quantization seeds since session 10). Rerun after changing the
layout: python3 tools/fuzz/make_kernel_seeds.py"""
import os
import struct

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "seeds_kernels")


def f32(x):
    return struct.pack("<f", x)


def i32(x):
    return struct.pack("<i", x)


def nice_scale(exponent, fraction_byte=0):
    """Scale byte m < 0xC0 with m % 64 - 40 = exponent, then the fraction byte."""
    return bytes([exponent + 40, fraction_byte])


def raw_scale(x):
    return bytes([0xC0]) + f32(x)


FLOATS = [0.0, -0.0, 0.5, 1.5, 2.5, -0.5, -2.5, 126.5, 127.5, -128.5, 1e10, -1e10,
          float("inf"), float("-inf"), float("nan"), 1.4e-45, 0.1, 3.0, -7.25, 255.5]
ACCS = [0, 1, -1, 2, -2, 3, -3, 2**31 - 1, -2**31, 2**30, -2**30, 12345, -12345, 127, -128, 1 << 20]
BYTES = list(range(0, 256, 17)) + [0x7F, 0x80, 0xFF]


def quantize_seed(per_channel, out_type, rounding, division):
    body = bytes([0 if not per_channel else 1, out_type, rounding, division, 0])  # full range
    if per_channel:
        body += bytes([2])  # 3 channels
        for e, z in ((0, 128), (-1, 130), (3, 120)):
            body += nice_scale(e) + bytes([z if out_type == 0 else z - 100])
    else:
        body += nice_scale(0) + bytes([128 if out_type == 0 else 0])  # S = 1, Z = 0
    return body + b"".join(f32(x) for x in FLOATS)


def dequantize_seed(per_channel, in_type):
    body = bytes([3 if per_channel else 2, in_type])
    if per_channel:
        body += bytes([1]) + nice_scale(-3, 64) + bytes([130]) + nice_scale(5) + bytes([100])
    else:
        body += nice_scale(-7, 128) + bytes([138])
    return body + bytes(BYTES)


def requantize_seed(per_channel, variant, entry=0, rounding=0, shift=None):
    """`shift`: the fixed-point shift of every channel (default -1 - channel index); a positive
    one makes the Q31 variants shift acc left (double_round saturates, 9 and 12 wrap)."""
    out_type = 0
    body = bytes([5 if per_channel else 4, out_type, variant, entry, rounding, 1, 0, 133])
    body += nice_scale(-6) + nice_scale(-3)  # input_scale, output_scale (ideal)

    def channel(index):
        if variant == 0:
            return nice_scale(-8 + index, 32 * index)
        if variant == 6:
            return raw_scale([0.5, 0.0078125, 1.1e-4][index % 3])
        if variant in (3, 4):
            return i32(1 << 30) + bytes([31 + index])
        if variant == 5:
            return i32(16384) + bytes([15 + index])
        return i32((1 << 30) + 12345 * index) + struct.pack("<b", -1 - index if shift is None else shift)

    if per_channel:
        body += bytes([2]) + b"".join(channel(c) for c in range(3))
    else:
        body += channel(0)
    accs = ACCS if variant not in (3, 4, 5) else [a for a in ACCS if -2**30 <= a < 2**30]
    return body + b"".join(i32(a) for a in accs)


def gemm_seed(a_type, m, n, k, per_channel_zw, bias):
    """Valid GEMM: Za = type min + 130 (s8: 2) or 3 (u8), exact strides, Zw per tensor or per
    channel, optional bias, then A and W bytes spanning the 8-bit extremes."""
    za = 130 if a_type == 0 else 3
    body = bytes([6, a_type, za, m, n, k, 0, 0, 0, (1 if per_channel_zw else 0) | (2 if bias else 0)])
    if per_channel_zw:
        body += bytes([(128 + 3 * j) % 0xFE for j in range(n)])
    else:
        body += bytes([127])  # Zw = -1
    if bias:
        body += b"".join(i32([0, 2**31 - 1, -2**31, 1000, -7][j % 5]) for j in range(n))
    cells = m * k + n * k
    return body + bytes((x * 37 + 11) % 256 if x % 5 else (0, 0x7F, 0x80, 0xFF)[x % 4] for x in range(cells))


def linear_seed(a_type, per_channel, variant, m=3, n=5, k=9):
    """A gemm block (op byte 12 instead of 6), the per-channel byte, then a requantization as
    requantize_seed writes it (bounds: the output type's range) with its channel block's count
    replaced by N (one channel per column)."""
    body = bytearray(gemm_seed(a_type, m, n, k, per_channel_zw=per_channel, bias=True))
    body[0] = 12
    body += bytes([1 if per_channel else 0])
    requant = requantize_seed(per_channel, variant)[1:]  # without the op byte
    accs = b"".join(i32(a) for a in (ACCS if variant not in (3, 4, 5) else [a for a in ACCS if -2**30 <= a < 2**30]))
    return bytes(body) + requant[: len(requant) - len(accs)]


def lut_seed(element_type):
    table = bytes((255 - i) if i % 3 else i for i in range(256))
    return bytes([7, element_type, 0]) + table + bytes(BYTES)


def fake_quantize_seed(per_channel, variant, rounding=0):
    body = bytes([9 if per_channel else 8, variant, rounding])
    if variant == 2:  # TENSORFLOW: grid [0, 255] (g = 12: 2 + 6 = 8 bits), a mask
        body += bytes([0, 12, 1])

        def channel(index):  # min = -(10 + index) / 4, max = (50 + index) / 4
            return bytes([3, (256 - 10 - index) % 256, 3, 50 + index])
    else:
        body += bytes([0, 1])  # the s8 grid, a mask

        def channel(index):
            return nice_scale(-4 + index, 64 * index) + bytes([128 + index])
    if per_channel:
        body += bytes([2]) + b"".join(channel(c) for c in range(3))
    else:
        body += channel(0)
    return body + b"".join(f32(x) for x in FLOATS)


def dynamic_elements(count):
    """`count` x elements: v / 2^(e % 8) with v an int8, from a spread of values."""
    out = b""
    for i in range(count):
        out += bytes([i % 4, (i * 37 + 11) % 256])
    return out


def dynamic_quantize_seed(variant, per_row, rows=3, cols=17):
    own_type = 1  # t % 8 != 0: the variant's own output type
    return bytes([10, variant, own_type, per_row, 20, rows - 1, cols - 1]) + dynamic_elements(rows * cols)


def dynamic_linear_seed(variant, per_row, bias, rows=2, cols=19, n=5):
    body = bytes([11, variant, 1, per_row, 20, rows - 1, cols - 1]) + dynamic_elements(rows * cols)
    body += bytes([n]) + bytes((i * 53 + 7) % 256 for i in range(n * cols))
    body += b"".join(nice_scale(-8 + c, 32 * c) for c in range(n))
    body += bytes([1 if bias else 0])
    if bias:
        body += dynamic_elements(n)
    return body


def main():
    os.makedirs(OUT, exist_ok=True)
    for name in os.listdir(OUT):
        os.remove(os.path.join(OUT, name))
    seeds = {}
    for rounding in range(5):
        for division in range(3):
            seeds[f"quantize_s8_r{rounding}_d{division}"] = quantize_seed(False, 0, rounding, division)
    seeds["quantize_u8_per_channel"] = quantize_seed(True, 1, 0, 0)
    seeds["quantize_s8_per_channel_d2"] = quantize_seed(True, 0, 1, 2)
    for per_channel in (False, True):
        for in_type in (0, 1):
            seeds[f"dequantize_t{in_type}_pc{int(per_channel)}"] = dequantize_seed(per_channel, in_type)
    for variant in range(13):  # 9-12: the SPEC Q11 members and Q7.2's double_round_wrap
        for per_channel in (False, True):
            seeds[f"requantize_v{variant}_pc{int(per_channel)}"] = requantize_seed(per_channel, variant)
    for variant in (1, 9, 12):  # left shifts: saturating (1) and wrapping (9, 12)
        for per_channel in (False, True):
            seeds[f"requantize_v{variant}_pc{int(per_channel)}_shift3"] = requantize_seed(per_channel, variant, shift=3)
    seeds["requantize_fp32_before_rounding"] = requantize_seed(False, 6, entry=1)
    seeds["requantize_ideal_floor_before"] = requantize_seed(False, 0, entry=1, rounding=4)
    for a_type in (0, 1):
        seeds[f"gemm_t{a_type}_3x17x33"] = gemm_seed(a_type, 3, 17, 33, per_channel_zw=True, bias=True)
        seeds[f"gemm_t{a_type}_1x5x7"] = gemm_seed(a_type, 1, 5, 7, per_channel_zw=False, bias=False)
    seeds["gemm_empty"] = gemm_seed(0, 0, 4, 3, per_channel_zw=True, bias=False)
    for element_type in (0, 1):
        seeds[f"lut_t{element_type}"] = lut_seed(element_type)
    for variant in range(3):
        for per_channel in (False, True):
            seeds[f"fake_quantize_v{variant}_pc{int(per_channel)}"] = fake_quantize_seed(per_channel, variant)
    seeds["fake_quantize_exact_half_away"] = fake_quantize_seed(False, 0, rounding=1)
    for variant in range(3):
        seeds[f"dynamic_quantize_v{variant}"] = dynamic_quantize_seed(variant, 0)
        seeds[f"dynamic_linear_v{variant}_bias"] = dynamic_linear_seed(variant, 0, True)
    seeds["dynamic_quantize_symmetric_per_row"] = dynamic_quantize_seed(1, 1)
    seeds["dynamic_linear_symmetric_per_row"] = dynamic_linear_seed(1, 1, False)
    seeds["dynamic_quantize_pytorch_reduce_range"] = dynamic_quantize_seed(2, 2)
    for variant in range(13):
        seeds[f"linear_v{variant}_per_tensor"] = linear_seed(variant % 2, False, variant)
    seeds["linear_single_round_per_channel"] = linear_seed(1, True, 1)
    seeds["linear_fp32_per_channel"] = linear_seed(0, True, 6)
    for name, data in seeds.items():
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(data)
    print(f"{len(seeds)} seeds in {OUT}")


if __name__ == "__main__":
    main()
