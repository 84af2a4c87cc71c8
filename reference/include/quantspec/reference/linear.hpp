// Q9: the quantized linear layer end to end (SPEC.md §Q9), fully connected and 2-D
// convolution (NHWC input, OHWI weights), as the study note's five steps:
//   0. calibrate / load: float x, W, B and the scales and zero points (Q1);
//   1. quantize x (Q2) and W (Q2, symmetric per output channel by default);
//   2. int32 Acc = sum (x - Zx)(w - Zw) + b (Q4 bias, Q5 accumulation, wrap reported);
//   3. y = Acc x Multiplier (Q6/Q7, the named variant) + Zy;
//   4. round and clip to the output grid and the fused activation bounds (Q7/Q8).
// The traced versions return every intermediate, the float result the integers approximate
// (the float layer on the dequantized operands, exact) and the real-valued x.W + B (exact).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "quantspec/reference/accumulate.hpp"
#include "quantspec/reference/activation.hpp"
#include "quantspec/reference/bias.hpp"
#include "quantspec/reference/numbers.hpp"
#include "quantspec/reference/params.hpp"
#include "quantspec/reference/requantize.hpp"
#include "quantspec/reference/variants.hpp"

namespace quantspec::ref {

// Q9.1: the quantization of one tensor of the layer: its grid and its (scale, zero point),
// one pair for the tensor or one per output channel (weights only).
struct TensorQuantization {
  DType dtype = DType::int8;
  bool narrow_range = false;
  std::vector<float> scales;               // size 1 (per tensor) or channels (per channel)
  std::vector<std::int64_t> zero_points;   // same size as scales
};

// Q9.1: how each step rounds and which requantization variant step 3 uses. Defaults are
// TFLite's int8 pipeline: half_even input quantize (exact division), half_away bias,
// double_round with the tflite multiplier derivation, zero point after rounding.
struct LinearPipeline {
  Rounding input_rounding = Rounding::half_even;
  Division input_division = Division::exact;
  Rounding weight_rounding = Rounding::half_even;
  Rounding bias_rounding = Rounding::half_away;
  RequantVariant variant = RequantVariant::double_round;
  Derivation derivation = Derivation::tflite;  // how M becomes (multiplier, shift), Q7.8
  Rounding ideal_rounding = Rounding::half_even;  // variant ideal only
  ZeroPointEntry zero_point_entry = ZeroPointEntry::after_rounding;
  // Q8 fused activation: a named one (Q8.2) or a real interval [a, b] (Q8.3), not both
  // (ParameterError naming "activation"); its bounds are computed on the output grid.
  Activation activation = Activation::none;
  std::optional<float> activation_min;
  std::optional<float> activation_max;
  ActivationRounding activation_rounding;
};

// Q9.1: a quantized layer: the three tensors' quantizations and the pipeline.
struct LinearQuantization {
  TensorQuantization input;
  TensorQuantization weights;  // per tensor, or per output channel
  TensorQuantization output;
  LinearPipeline pipeline;
};

// Q9.2: fully connected layer data. x is [batch, in] row-major; w is [out, in] row-major
// (one row per output channel, the GEMM layout of DESIGN.md, TFLite FULLY_CONNECTED);
// bias is [out] or empty (= zeros). y[m][n] = sum_k x[m][k] * w[n][k] + bias[n].
struct LinearData {
  std::size_t batch = 1;
  std::size_t in_features = 0;
  std::size_t out_features = 0;
  std::vector<float> x;
  std::vector<float> w;
  std::vector<float> bias;
};

// Q9.3: 2-D convolution geometry. Input NHWC [batch, height, width, in_channels]; weights OHWI
// [out_channels, kernel_h, kernel_w, in_channels]; output NHWC [batch, out_h, out_w,
// out_channels] with out_h = floor((height + pad_top + pad_bottom - dilation_h*(kernel_h-1)
// - 1) / stride_h) + 1 (likewise width). Padded positions hold the real value 0, i.e. the
// quantized value Zx, so they add nothing to Acc.
struct Conv2DGeometry {
  std::size_t batch = 1, height = 0, width = 0, in_channels = 0;
  std::size_t out_channels = 0, kernel_h = 0, kernel_w = 0;
  std::int64_t stride_h = 1, stride_w = 1;
  std::int64_t pad_top = 0, pad_bottom = 0, pad_left = 0, pad_right = 0;
  std::int64_t dilation_h = 1, dilation_w = 1;
};

struct Conv2DData {
  Conv2DGeometry geometry;
  std::vector<float> x;     // NHWC
  std::vector<float> w;     // OHWI
  std::vector<float> bias;  // [out_channels] or empty
};

// Q9.3: output spatial size; validates the geometry (ParameterError naming "stride",
// "dilation", "padding", "kernel" (the dilated kernel does not fit the padded input) or
// "shape" (a zero dimension)).
struct Conv2DOutputSize {
  std::size_t height;
  std::size_t width;
};
Conv2DOutputSize conv2d_output_size(const Conv2DGeometry& geometry);

// Q9.4 step 0 (calibration) options: where the ranges come from and the grids. A missing
// input range is the min/max of x; a missing output range is the min/max of the real-valued
// layer output (rounded to binary32), as static quantization calibrates on sample data.
// Weights: symmetric, narrow range, per output channel by default (TFLite's int8 scheme).
struct CalibrationOptions {
  DType input_dtype = DType::int8;
  bool input_symmetric = false;
  std::optional<MinMax> input_range;
  DType weight_dtype = DType::int8;
  bool weight_symmetric = true;
  bool weight_narrow_range = true;
  bool weight_per_channel = true;
  DType output_dtype = DType::int8;
  bool output_symmetric = false;
  std::optional<MinMax> output_range;
};

// Q9.4 step 0: choose (S, Z) for x, W and y from their ranges with Q1. Throws the Q1
// ParameterErrors (naming "x", "w", "min", "max") and the Q9.6 shape errors.
TensorQuantization calibrate_tensor(float min, float max, DType dtype, bool symmetric,
                                    bool narrow_range);
LinearQuantization calibrate_linear(const LinearData& data, const CalibrationOptions& options,
                                    const LinearPipeline& pipeline = {});
LinearQuantization calibrate_conv2d(const Conv2DData& data, const CalibrationOptions& options,
                                    const LinearPipeline& pipeline = {});

// Q9.5: one output element through steps 2-4.
struct OutputTrace {
  std::size_t index = 0;         // flat index in the output tensor (row-major / NHWC)
  std::size_t channel = 0;       // output channel n
  Accumulation acc;              // step 2 (exact, int32-wrapped, overflow flags)
  RequantizeParams requantize;   // step 3 parameters (channel's multiplier)
  Rational multiplier;           // M = Sx * Sw[n] / Sy, exact
  Rational effective_multiplier; // the rational the variant's parameters represent
  RequantizeTrace steps;         // step 3-4 intermediates of the requantization
  Integer requantized;           // clamp(y + Zy, output grid)
  Integer q;                     // after the activation clamp (step 4)
  Rational float_result;         // sum deq(x) deq(w) + deq(b): what the integers approximate
  Rational real_result;          // sum x W + B on the original binary32 values
  Rational dequantized_output;   // (q - Zy) * Sy
};

// Q9.5: all intermediates of one layer evaluation.
struct LinearTrace {
  LinearQuantization quantization;          // step 0 (as used)
  std::vector<Integer> x_q;                 // step 1, same layout as x
  std::vector<Integer> w_q;                 // step 1, same layout as w
  std::vector<QuantizedBias> bias;          // step 2: b[n], with Sb[n] and saturation
  std::vector<OutputTrace> outputs;         // steps 2-4 per output element
  std::vector<std::size_t> output_shape;    // [batch, out] or [batch, out_h, out_w, out]
  std::vector<Integer> y_q;                 // the quantized outputs, row-major / NHWC
  ActivationBounds activation;              // the final clamp bounds (Q8, step 4)
  bool any_accumulator_overflow = false;    // some Acc left int32 (final or partial)
  bool any_bias_saturated = false;
};

// Q9.5: the layer. Validates everything first (Q9.6), then runs steps 1-4. Step 3 receives
// the accumulator an int32 pipeline holds (Acc mod 2^32); the trace reports any overflow.
LinearTrace linear_traced(const LinearData& data, const LinearQuantization& quantization);
std::vector<Integer> linear(const LinearData& data, const LinearQuantization& quantization);

LinearTrace conv2d_traced(const Conv2DData& data, const LinearQuantization& quantization);
std::vector<Integer> conv2d(const Conv2DData& data, const LinearQuantization& quantization);

}  // namespace quantspec::ref
