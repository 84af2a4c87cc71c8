// Q17.7 dynamic linear for the ABI variants (SPEC.md §Q17.7), the definition: x quantized by
// the Q17.1 / Q17.2 / Q17.5 definitions, the accumulator in exact integers wrapped to int32,
// and every binary32 step of the epilogue one round_to_binary32 of an exact rational, with the
// sign of a zero result as IEEE 754 gives it (an exact rational has no signed zero).
#include "quantspec/reference/dynamic_linear.hpp"

#include <cmath>
#include <string>
#include <utility>

#include "quantspec/reference/accumulate.hpp"
#include "quantspec/reference/dynamic.hpp"
#include "quantspec/reference/dynamic_pytorch.hpp"
#include "quantspec/reference/errors.hpp"

namespace quantspec::ref {
namespace {

// fl32(a * b) for finite a, b: a zero result is negative exactly when one factor is.
float binary32_product(float a, float b) {
  const float r = round_to_binary32(exact(a) * exact(b));
  if (r == 0.0f) return std::signbit(a) != std::signbit(b) ? -0.0f : 0.0f;
  return r;
}

// fl32(a + b) for finite b (a may be infinite: it stays so). An exact zero sum is +0 unless
// both terms are -0 (round to nearest); a non-zero sum of two binary32 is never rounded to 0.
float binary32_sum(float a, float b) {
  if (std::isinf(a)) return a;
  const float r = round_to_binary32(exact(a) + exact(b));
  if (r == 0.0f) return std::signbit(a) && std::signbit(b) ? -0.0f : 0.0f;
  return r;
}

void check_shapes(const DynamicLinearInput& in) {
  for (auto [name, value] : {std::pair<const char*, std::size_t>{"m", in.m}, {"k", in.k}, {"n", in.n}}) {
    if (value == 0) throw ParameterError(name, ">= 1", "0");
  }
  if (in.x.size() != in.m * in.k) {
    throw ParameterError("x", "m * k = " + std::to_string(in.m * in.k) + " elements",
                         std::to_string(in.x.size()));
  }
  if (in.per_row && in.activation != DynamicActivation::symmetric_s8) {
    throw ParameterError("per_row", "0 for onnx_u8 and pytorch_u8 (defined per tensor only)", "1");
  }
  if (in.w.size() != in.n * in.k) {
    throw ParameterError("w", "n * k = " + std::to_string(in.n * in.k) + " elements",
                         std::to_string(in.w.size()));
  }
  if (in.weight_scales.size() != in.n) {
    throw ParameterError("weight_scales", "n = " + std::to_string(in.n),
                         std::to_string(in.weight_scales.size()));
  }
  for (std::size_t j = 0; j < in.n; ++j) {
    const float s = in.weight_scales[j];
    if (!std::isfinite(s) || !(s > 0.0f)) {
      throw ParameterError("weight_scales", "finite and > 0",
                           "weight_scales[" + std::to_string(j) + "] = " + hex_float(s));
    }
  }
  if (!in.bias.empty() && in.bias.size() != in.n) {
    throw ParameterError("bias", "none or n = " + std::to_string(in.n), std::to_string(in.bias.size()));
  }
  for (std::size_t j = 0; j < in.bias.size(); ++j) {
    if (!std::isfinite(in.bias[j])) {
      throw ParameterError("bias", "finite elements",
                           "bias[" + std::to_string(j) + "] = " + hex_float(in.bias[j]));
    }
  }
}

// Step 1: (Sx, Zx, qx) by the variant's definition.
void quantize_activation(const DynamicLinearInput& in, DynamicLinear& r) {
  switch (in.activation) {
    case DynamicActivation::onnx_u8: {
      OnnxDynamicQuantization d = dynamic_quantize_onnx(in.x);
      r.x_scales = {d.scale};
      r.x_zero_points = {d.zero_point};
      r.qx = std::move(d.q);
      return;
    }
    case DynamicActivation::symmetric_s8: {
      RowDynamicQuantization d = dynamic_quantize_per_row(in.x, in.per_row ? in.m : 1, in.scale_floor);
      r.x_scales = std::move(d.scales);
      r.x_zero_points.assign(r.x_scales.size(), 0);
      r.qx = std::move(d.q);
      return;
    }
    case DynamicActivation::pytorch_u8: {
      PytorchDynamicQuantization d = dynamic_quantize_pytorch(in.x, in.reduce_range);
      r.x_scales = {d.params.scale_f32};  // the binary64 q_scale rounded to binary32 first
      r.x_zero_points = {d.params.zero_point};
      r.qx = std::move(d.q);
      return;
    }
  }
}

}  // namespace

// Q17.7 steps 1-4.
DynamicLinear dynamic_linear(const DynamicLinearInput& in) {
  check_shapes(in);
  DynamicLinear r;
  quantize_activation(in, r);
  // Step 2: D[m][n] = fl32(Sx_m * Sw[n]); rejected when infinite (the product would be inf
  // or, for acc = 0, NaN).
  for (std::size_t s = 0; s < r.x_scales.size(); ++s) {
    for (std::size_t j = 0; j < in.n; ++j) {
      const float d = binary32_product(r.x_scales[s], in.weight_scales[j]);
      if (std::isinf(d)) {
        throw ParameterError("weight_scales", "fl32(Sx * Sw[n]) finite (Sx = " + hex_float(r.x_scales[s]) + ")",
                             "n = " + std::to_string(j) + ": inf");
      }
      r.dequant_scales.push_back(d);
    }
  }
  for (std::size_t i = 0; i < in.m; ++i) {
    const std::size_t row_params = r.x_scales.size() == 1 ? 0 : i;
    const Integer zx = r.x_zero_points[row_params];
    for (std::size_t j = 0; j < in.n; ++j) {
      // Step 3: the accumulator, exact, then wrapped to int32.
      Integer acc = 0;
      for (std::size_t c = 0; c < in.k; ++c) acc += (r.qx[i * in.k + c] - zx) * Integer(in.w[j * in.k + c]);
      const std::int32_t acc32 = wrap_int32(acc);
      // Step 4: three binary32 roundings in this order.
      const float acc_f32 = round_to_binary32(Rational(acc32));
      const float product = binary32_product(acc_f32, r.dequant_scales[row_params * in.n + j]);
      const float out = in.bias.empty() ? product : binary32_sum(product, in.bias[j]);
      r.acc_int32.push_back(acc32);
      r.acc_f32.push_back(acc_f32);
      r.product.push_back(product);
      r.out.push_back(out);
    }
  }
  return r;
}

}  // namespace quantspec::ref
