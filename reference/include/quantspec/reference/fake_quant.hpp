// Q15 fake quantization (伪量化, SPEC.md §Q15): quantize then dequantize, in float, as QAT
// inserts it into a training graph. Three definitions: the exact one (rational arithmetic,
// one rounding of the result), PyTorch 1.13's CPU pipeline and TensorFlow's
// fake_quant_with_min_max_* pipeline, each binary32 step modelled by round_to_binary32 on
// exact values (no host FPU). Each result carries the straight-through mask of Q16.1.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "quantspec/reference/numbers.hpp"
#include "quantspec/reference/variants.hpp"

namespace quantspec::ref {

// Q15.1: the variants.
enum class FakeQuantVariant { exact, pytorch, tensorflow };
std::string_view name(FakeQuantVariant);
FakeQuantVariant parse_fake_quant_variant(std::string_view text,
                                          std::string_view parameter = "variant");

// Q15.1: (S, Z) on [qmin, qmax] for the exact and pytorch variants. `rounding` is used by
// the exact variant only (PyTorch's nearbyint is half_even).
struct FakeQuantParams {
  float scale = 1.0f;
  std::int64_t zero_point = 0;
  std::int64_t qmin = -128;
  std::int64_t qmax = 127;
  Rounding rounding = Rounding::half_even;

  static FakeQuantParams for_dtype(DType type, float scale, std::int64_t zero_point,
                                   bool narrow_range = false);
  // Q15.5: ParameterError naming "scale" (not finite and > 0), "qmin" (qmin >= qmax, or
  // outside the int32 range), "qmax", "zero_point" (outside [qmin, qmax]).
  void validate() const;
};

// Q15.4: TensorFlow's operation decides how x - nudged_min is scaled: the Args and
// PerChannel kernels multiply by inv_scale, the Vars (per tensor) kernel divides by scale.
enum class TfFakeQuantOp { with_min_max_args, with_min_max_vars, with_min_max_vars_per_channel };
std::string_view name(TfFakeQuantOp);

// Q15.4: TensorFlow's parameters: a real range and the integer grid [narrow_range ? 1 : 0,
// 2^num_bits - 1].
struct TfFakeQuantParams {
  float min = -1.0f;
  float max = 1.0f;
  int num_bits = 8;
  bool narrow_range = false;
  TfFakeQuantOp op = TfFakeQuantOp::with_min_max_vars;
  // Q15.5: ParameterError naming "min" (NaN/inf, or min > max, or min = max != 0), "max"
  // (NaN/inf) or "num_bits" (outside [2, 16]).
  void validate() const;
};

// Q15.4: what TensorFlow's Nudge computes (every value a binary32 the kernel holds).
struct TfNudged {
  bool all_zero = false;  // min = max = 0: the output is 0 (Vars and PerChannel kernels)
  std::int64_t quant_min = 0, quant_max = 255;
  float scale = 0.0f;
  float inv_scale = 0.0f;
  float zero_point_from_min = 0.0f;
  std::int64_t nudged_zero_point = 0;
  float nudged_min = 0.0f;
  float nudged_max = 0.0f;
  float quant_zero = 0.0f;  // floor(-nudged_min * inv_scale + 0.5)
};
TfNudged tf_nudge(const TfFakeQuantParams& params);

// One fake-quantized element.
struct FakeQuantResult {
  float value = 0.0f;    // the binary32 output
  Rational exact_value;  // exact variant: (q - Z) * S before the final rounding; others: value
  Integer q;             // the grid integer the output stands for (TF: the floor, q - Z)
  bool mask = false;     // Q16.1: the straight-through gradient passes (x inside the grid)
  bool special = false;  // NaN or an infinite / out-of-range intermediate decided the output
};

// Q15.2: exact. Q15.3: PyTorch 1.13 CPU (fake_quantize_per_tensor_affine[_cachemask]).
// Both validate `params` first.
FakeQuantResult fake_quantize(float x, const FakeQuantParams& params, FakeQuantVariant variant);
// Q15.4: TensorFlow fake_quant_with_min_max_{args,vars,vars_per_channel}, one element.
FakeQuantResult fake_quantize_tensorflow(float x, const TfFakeQuantParams& params);

// Q15.6: per channel along `axis` of a row-major tensor (exact and pytorch variants; PyTorch's
// fake_quantize_per_channel_affine computes each element as the per-tensor kernel does).
// ParameterError naming "shape", "axis", "params" (one per channel) or a channel's parameter.
std::vector<FakeQuantResult> fake_quantize_per_channel(const std::vector<float>& x,
                                                       const std::vector<std::size_t>& shape,
                                                       std::int64_t axis,
                                                       const std::vector<FakeQuantParams>& params,
                                                       FakeQuantVariant variant);
// Q15.6: TensorFlow's per-channel op works on the last dimension: channel = i mod C.
std::vector<FakeQuantResult> fake_quantize_tensorflow_per_channel(
    const std::vector<float>& x, const std::vector<TfFakeQuantParams>& params);

}  // namespace quantspec::ref
