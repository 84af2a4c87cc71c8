// Q17.7 dynamic linear for the kernel ABI's variants (SPEC.md §Q17.7): x (M x K binary32)
// quantized at run time as one of qs_dynamic_variant (ONNX uint8 per tensor, symmetric int8
// per tensor or per row, PyTorch uint8 with optional reduce_range), the int32 accumulator of
// (qx - Zx) and the symmetric int8 W, then out = fl32(fl32(fl32(acc) * fl32(Sx_m * Sw[n])) +
// bias[n]) as Q17.6 orders it. The definition rounds exact rationals (no host FPU); the `_fast`
// function computes the same with host arithmetic (property-tested to be equal).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "quantspec/reference/numbers.hpp"

namespace quantspec::ref {

// How x is quantized (kernel_abi.h qs_dynamic_variant).
enum class DynamicActivation {
  onnx_u8,       // Q17.1, per tensor
  symmetric_s8,  // Q17.2, per tensor or per row m
  pytorch_u8,    // Q17.5, per tensor (reduce_range optional)
};

struct DynamicLinearInput {
  DynamicActivation activation = DynamicActivation::onnx_u8;
  bool per_row = false;          // symmetric_s8 only: one (Sx_m, 0) per row of x
  float scale_floor = 0x1p-20f;  // symmetric_s8 only (Q17.2)
  bool reduce_range = false;     // pytorch_u8 only (Q17.5 step 1)
  std::vector<float> x;          // M x K row-major
  std::size_t m = 0, k = 0, n = 0;
  std::vector<std::int8_t> w;        // N x K row-major, zero point 0
  std::vector<float> weight_scales;  // [N], each finite and > 0
  std::vector<float> bias;           // empty or [N], finite
};

struct DynamicLinear {
  // One entry (per tensor) or M (symmetric_s8 per row): Sx as the binary32 the epilogue uses
  // (pytorch_u8: fl32 of the binary64 q_scale) and Zx.
  std::vector<float> x_scales;
  std::vector<std::int64_t> x_zero_points;
  std::vector<Integer> qx;                // M x K
  std::vector<float> dequant_scales;      // (1 or M) x N: D = fl32(Sx_m * Sw[n])
  std::vector<std::int32_t> acc_int32;    // M x N: sum_k (qx - Zx) * w, wrapped (Q5.2)
  std::vector<float> acc_f32;             // fl32(acc)
  std::vector<float> product;             // fl32(fl32(acc) * D)
  std::vector<float> out;                 // fl32(product + bias[n]), or the product
};

// ParameterError naming "m", "k", "n" (0), "x" (size; the quantizer's errors: an element NaN or
// infinite, an ONNX range without a binary32 scale), "per_row" (with onnx_u8 or pytorch_u8),
// "scale_floor" (symmetric_s8: not finite and > 0), "w" (size), "weight_scales" (count not N,
// an element not finite and > 0, or a D that is infinite), "bias" (count, an element not finite).
DynamicLinear dynamic_linear(const DynamicLinearInput& in);

// Host-arithmetic form (binary32/binary64 operations in the definition's order; requires
// FLT_EVAL_METHOD = 0, round-to-nearest, no flush-to-zero). Does not validate: call it only
// where dynamic_linear returns. Fields as in DynamicLinear; qx as int32.
struct DynamicLinearFast {
  std::vector<float> x_scales;
  std::vector<std::int32_t> x_zero_points;
  std::vector<std::int32_t> qx;
  std::vector<float> out;
};
DynamicLinearFast dynamic_linear_fast(const DynamicLinearInput& in);

}  // namespace quantspec::ref
