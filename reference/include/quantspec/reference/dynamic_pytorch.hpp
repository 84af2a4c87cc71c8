// PyTorch dynamic quantization (SPEC.md Q17.5, Q17.6): the run-time activation parameters of
// quant_utils::ChooseQuantizationParams (per tensor asymmetric uint8, binary64 scale, optional
// 7-bit reduce_range, the small-scale threshold), the activation quantize of
// at::quantize_per_tensor, and the dynamic quantized Linear of PyTorch's qnnpack engine
// (int8 GEMM, the int32 accumulator dequantized with fl32(fl32(Sx) * Sw[n]), binary32 bias).
// Every binary32/binary64 step is one rounding of an exact rational (no host FPU);
// the `_fast` functions compute the same with host arithmetic (property-tested to be equal).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "quantspec/reference/numbers.hpp"

namespace quantspec::ref {

// Q17.5: ChooseQuantizationParams(min(x), max(x), 0, 255, preserve_sparsity = false,
// force_scale_power_of_two = false, reduce_range), each field the value of its statement.
struct PytorchDynamicParams {
  float x_min = 0.0f, x_max = 0.0f;  // min and max element (exact)
  std::int64_t qmin = 0, qmax = 255;  // [0, 127] with reduce_range (qmin / 2, qmax / 2)
  float min_adjusted = 0.0f;          // min(x_min, 0), then the small-scale cut's min
  float max_adjusted = 0.0f;          // max(x_max, 0), then the small-scale cut's max
  double scale_initial = 0.0;         // fl64(fl64(max - min) / (qmax - qmin))
  bool scale_defaulted = false;       // fl32(scale) = 0 or fl32(1 / fl32(scale)) = inf: 0.1
  bool small_scale_cut = false;       // scale < 6.1e-5f: scale = 6.1e-5f, min/max rescaled
  double scale = 0.0;                 // the tensor's q_scale (binary64)
  float scale_f32 = 0.0f;             // fl32(scale): what the quantize and the Linear use
  double zero_point_from_min = 0.0, zero_point_from_max = 0.0;
  double zero_point_from_min_error = 0.0, zero_point_from_max_error = 0.0;
  double initial_zero_point = 0.0;  // the one with the smaller error term
  std::int64_t zero_point = 0;      // clamped to [qmin, qmax], else nearbyint (half even)
};

// On a range min <= max (both finite). ParameterError naming "min"/"max" otherwise.
PytorchDynamicParams choose_pytorch_dynamic_params(float x_min, float x_max, bool reduce_range);

// the parameters of x and q = clamp(nearbyint(fl32(x * fl32(1 / fl32(S)))) + Z,
// 0, 255) (Q2 f32_reciprocal, half_even, the uint8 grid even with reduce_range).
struct PytorchDynamicQuantization {
  PytorchDynamicParams params;
  std::vector<Integer> q;
};
// ParameterError naming "x" for an empty tensor or a NaN / infinite element .
PytorchDynamicQuantization dynamic_quantize_pytorch(const std::vector<float>& x,
                                                    bool reduce_range);

// Q17.6: the dynamic quantized Linear of PyTorch's qnnpack engine. x is M x K row-major
// binary32, w N x K row-major int8 (symmetric: zero point 0), weight_scales 1 (per tensor) or N
// (per output channel) binary32 > 0, bias empty or N binary32.
struct PytorchDynamicLinearInput {
  std::vector<float> x;
  std::size_t m = 0, k = 0, n = 0;
  std::vector<std::int8_t> w;
  std::vector<float> weight_scales;
  std::vector<float> bias;
  bool reduce_range = false;  // what the engine passes to the parameter choice (qnnpack: false)
};

struct PytorchDynamicLinear {
  PytorchDynamicQuantization x;          // run-time parameters of x and its uint8 values
  std::vector<float> dequant_scales;     // [N]: D[n] = fl32(fl32(Sx) * Sw[n])
  std::vector<Integer> acc;              // [M x N]: sum_k (qx - Zx) * w, exact
  std::vector<std::int32_t> acc_int32;   // the int32 pipeline's value (Q5.2 wrap)
  std::vector<float> acc_f32;            // fl32(acc_int32)
  std::vector<float> product;            // fl32(acc_f32 * D[n])
  std::vector<float> out;                // fl32(product + bias[n]) (product without bias)
};

// ParameterError naming "m", "k", "n" (0), "x", "w" (sizes), "weight_scales" (count, a scale
// not finite and > 0, or a D[n] that is not a normal binary32: PyTorch's TORCH_CHECK in
// generate_requantization_scales), "bias" (count, a non-finite element).
PytorchDynamicLinear dynamic_linear_pytorch(const PytorchDynamicLinearInput& in);

// Host-arithmetic forms (binary64 and binary32 operations in the order above; requires
// FLT_EVAL_METHOD = 0, round-to-nearest, no flush-to-zero). They do not validate: call them
// only where the definitions above return. Equal to the definitions (property-tested).
struct PytorchDynamicParamsFast {
  double scale = 0.0;
  std::int32_t zero_point = 0;
};
PytorchDynamicParamsFast choose_pytorch_dynamic_params_fast(float x_min, float x_max,
                                                            bool reduce_range);
std::vector<float> dynamic_linear_pytorch_fast(const PytorchDynamicLinearInput& in);

}  // namespace quantspec::ref
