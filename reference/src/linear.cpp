// Q9: the quantized linear layer (SPEC.md §Q9). Fully connected and 2-D convolution share
// one engine: every output element is a dot product of an input "patch" (a list of input
// positions, or padding) with one row of the weights, so convolution is the fully connected
// layer applied to its patches (im2col), with padding holding the real value 0.
#include "quantspec/reference/linear.hpp"

#include <algorithm>
#include <limits>
#include <string>

#include "quantspec/reference/dequantize.hpp"
#include "quantspec/reference/errors.hpp"
#include "quantspec/reference/quantize.hpp"

namespace quantspec::ref {
namespace {

constexpr std::size_t kPadding = std::numeric_limits<std::size_t>::max();

// One output position: the flat index of each input element the dot product reads, in the
// order of a weight row (kPadding for a padded position).
using Patch = std::vector<std::size_t>;

struct Problem {
  const std::vector<float>* x;
  const std::vector<float>* w;
  const std::vector<float>* bias;
  std::size_t out_channels;
  std::size_t depth;               // length of a weight row = length of a patch
  std::vector<Patch> patches;      // one per output position; output index = p * out + n
  std::vector<std::size_t> output_shape;
};

std::string indexed(const std::string& name, std::size_t i) {
  return name + "[" + std::to_string(i) + "]";
}

void require_size(const std::vector<float>& values, std::size_t expected, const std::string& name,
                  const std::string& shape_text) {
  if (values.size() != expected) {
    throw ParameterError(name, std::to_string(expected) + " values (shape " + shape_text + ")",
                         std::to_string(values.size()) + " values");
  }
}

void require_finite(const std::vector<float>& values, const std::string& name) {
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (!(values[i] - values[i] == 0.0f)) {  // false for NaN and +-inf
      throw ParameterError(indexed(name, i), "finite", hex_float(values[i]));
    }
  }
}

// Q9.6: a tensor's quantization, with every error renamed "<prefix>_<parameter>" so a layer
// error says which tensor it is about ("weight_scale[1]", "output_zero_point").
std::vector<QuantizeParams> tensor_params(const TensorQuantization& t, const std::string& prefix,
                                          std::size_t channels, Rounding rounding,
                                          Division division) {
  if (t.dtype == DType::int32) {
    throw ParameterError(prefix + "_dtype", "int8, uint8, int16, uint16, int4 or uint4",
                         "int32");
  }
  if (t.scales.size() != channels && !(t.scales.size() == 1)) {
    throw ParameterError(prefix + "_scales",
                         channels == 1 ? "1 value (per tensor)"
                                       : "1 value (per tensor) or " + std::to_string(channels) +
                                             " (per output channel)",
                         std::to_string(t.scales.size()) + " values");
  }
  if (t.zero_points.size() != t.scales.size()) {
    throw ParameterError(prefix + "_zero_points",
                         "as many values as " + prefix + "_scales (" +
                             std::to_string(t.scales.size()) + ")",
                         std::to_string(t.zero_points.size()) + " values");
  }
  std::vector<QuantizeParams> result;
  for (std::size_t c = 0; c < t.scales.size(); ++c) {
    QuantizeParams p = QuantizeParams::for_dtype(t.dtype, t.scales[c], t.zero_points[c],
                                                 t.narrow_range, rounding, division);
    try {
      p.validate();
    } catch (const ParameterError& e) {
      std::string name = prefix + "_" + e.parameter();
      if (t.scales.size() > 1) name = indexed(name, c);
      throw ParameterError(name, e.requirement(), e.got());
    }
    result.push_back(p);
  }
  return result;
}

const QuantizeParams& channel_params(const std::vector<QuantizeParams>& params, std::size_t n) {
  return params.size() == 1 ? params[0] : params[n];
}

// Q9.5 step 4: the final clamp bounds of Q8 on the output grid.
ActivationBounds final_bounds(const LinearPipeline& pipeline, const QuantizeParams& output) {
  const OutputGrid grid{output.scale, static_cast<std::int32_t>(output.zero_point),
                        static_cast<std::int32_t>(output.qmin),
                        static_cast<std::int32_t>(output.qmax)};
  const bool interval = pipeline.activation_min || pipeline.activation_max;
  if (interval && pipeline.activation != Activation::none) {
    throw ParameterError("activation", "none when activation_min/activation_max are given",
                         std::string(name(pipeline.activation)));
  }
  if (interval) {
    return activation_bounds_for_interval(pipeline.activation_min, pipeline.activation_max, grid,
                                          pipeline.activation_rounding);
  }
  return activation_bounds(pipeline.activation, grid, pipeline.activation_rounding);
}

// Q9.2 / Q9.5: the exact real value sum_k x W + B of one output element.
Rational real_output(const Problem& problem, std::size_t p, std::size_t n) {
  Rational sum = problem.bias->empty() ? Rational(0) : exact((*problem.bias)[n], "bias");
  const Patch& patch = problem.patches[p];
  for (std::size_t k = 0; k < problem.depth; ++k) {
    if (patch[k] == kPadding) continue;
    sum += exact((*problem.x)[patch[k]], "x") *
           exact((*problem.w)[n * problem.depth + k], "w");
  }
  return sum;
}

void validate_data(const Problem& problem) {
  require_finite(*problem.x, "x");
  require_finite(*problem.w, "w");
  require_finite(*problem.bias, "bias");
  if (!problem.bias->empty() && problem.bias->size() != problem.out_channels) {
    throw ParameterError("bias",
                         "0 values (no bias) or " + std::to_string(problem.out_channels) +
                             " (one per output channel)",
                         std::to_string(problem.bias->size()) + " values");
  }
}

// Steps 1-4 on a validated problem.
LinearTrace run(const Problem& problem, const LinearQuantization& quantization) {
  validate_data(problem);
  const LinearPipeline& pipe = quantization.pipeline;
  const std::size_t out = problem.out_channels;
  std::vector<QuantizeParams> in_params =
      tensor_params(quantization.input, "input", 1, pipe.input_rounding, pipe.input_division);
  std::vector<QuantizeParams> w_params = tensor_params(
      quantization.weights, "weight", out, pipe.weight_rounding, Division::exact);
  std::vector<QuantizeParams> out_params =
      tensor_params(quantization.output, "output", 1, Rounding::half_even, Division::exact);
  const QuantizeParams& xp = in_params[0];
  const QuantizeParams& yp = out_params[0];

  LinearTrace trace;
  trace.quantization = quantization;
  trace.output_shape = problem.output_shape;
  trace.activation = final_bounds(pipe, yp);

  // Step 3 parameters first, per output channel, so a bad multiplier is reported before any
  // data-dependent work (Q9.6).
  std::vector<RequantizeParams> rq(out);
  std::vector<Rational> real_m(out);
  for (std::size_t n = 0; n < out; ++n) {
    const float sw = channel_params(w_params, n).scale;
    rq[n] = requantize_params_from_scales(
        pipe.variant, xp.scale, sw, yp.scale, static_cast<std::int32_t>(yp.zero_point),
        static_cast<std::int32_t>(yp.qmin), static_cast<std::int32_t>(yp.qmax), pipe.derivation,
        pipe.ideal_rounding, pipe.zero_point_entry);
    rq[n].validate();
    real_m[n] = multiplier_from_scales(xp.scale, sw, yp.scale);
  }

  // Step 1: Q2 quantize of x (per tensor) and W (channel n = row n).
  for (float v : *problem.x) trace.x_q.push_back(quantize(v, xp));
  for (std::size_t i = 0; i < problem.w->size(); ++i) {
    trace.w_q.push_back(quantize((*problem.w)[i], channel_params(w_params, i / problem.depth)));
  }

  // Step 2a: Q4 bias on the accumulator grid Sb = Sx * Sw[n].
  for (std::size_t n = 0; n < out; ++n) {
    const float b = problem.bias->empty() ? 0.0f : (*problem.bias)[n];
    trace.bias.push_back(
        quantize_bias(b, xp.scale, channel_params(w_params, n).scale, pipe.bias_rounding));
    trace.any_bias_saturated = trace.any_bias_saturated || trace.bias.back().saturated;
  }

  const std::int64_t zx = xp.zero_point;
  for (std::size_t p = 0; p < problem.patches.size(); ++p) {
    const Patch& patch = problem.patches[p];
    QuantizedOperand x_operand{quantization.input.dtype, zx, {}};
    for (std::size_t k = 0; k < problem.depth; ++k) {
      // Padding holds the real value 0, whose quantized value is Zx (Q9.3).
      x_operand.values.push_back(patch[k] == kPadding ? zx
                                                      : trace.x_q[patch[k]].convert_to<std::int64_t>());
    }
    for (std::size_t n = 0; n < out; ++n) {
      const QuantizeParams& wp = channel_params(w_params, n);
      OutputTrace o;
      o.index = p * out + n;
      o.channel = n;
      QuantizedOperand w_operand{quantization.weights.dtype, wp.zero_point, {}};
      for (std::size_t k = 0; k < problem.depth; ++k) {
        w_operand.values.push_back(trace.w_q[n * problem.depth + k].convert_to<std::int64_t>());
      }
      // Step 2b: Q5 accumulation with the stored (int32) bias.
      o.acc = accumulate(x_operand, w_operand, Integer(trace.bias[n].stored));
      trace.any_accumulator_overflow =
          trace.any_accumulator_overflow || o.acc.final_overflow || o.acc.partial_overflow;

      // Step 3: Q7. `ideal` is the real-number definition and takes the exact Acc; every
      // other variant is an int32 pipeline and takes Acc mod 2^32 (Q9.5).
      o.requantize = rq[n];
      o.multiplier = real_m[n];
      o.effective_multiplier = effective_multiplier(rq[n]);
      const Integer acc_in =
          pipe.variant == RequantVariant::ideal ? o.acc.exact : Integer(o.acc.wrapped);
      try {
        o.requantized = requantize(acc_in, rq[n], &o.steps);
      } catch (const ParameterError& e) {
        if (e.parameter() != "acc") throw;
        throw ParameterError(indexed("acc", o.index), e.requirement(), e.got());
      }
      // Step 4: Q8 activation clamp (the output grid clamp happened inside Q7).
      o.q = apply_activation(o.requantized, trace.activation);

      // What the integers approximate: the float layer on the dequantized operands (Q3),
      // exact; and the real layer on the original values.
      Rational f = Rational(trace.bias[n].stored) * trace.bias[n].bias_scale;  // Q4: Zb = 0
      for (std::size_t k = 0; k < problem.depth; ++k) {
        if (patch[k] == kPadding) continue;
        f += dequantize_exact(Integer(x_operand.values[k]), xp.scale, xp.zero_point) *
             dequantize_exact(Integer(w_operand.values[k]), wp.scale, wp.zero_point);
      }
      o.float_result = f;
      o.real_result = real_output(problem, p, n);
      o.dequantized_output = dequantize_exact(o.q, yp.scale, yp.zero_point);
      trace.y_q.push_back(o.q);
      trace.outputs.push_back(std::move(o));
    }
  }
  return trace;
}

Problem linear_problem(const LinearData& data) {
  const std::string x_shape =
      std::to_string(data.batch) + "x" + std::to_string(data.in_features);
  const std::string w_shape =
      std::to_string(data.out_features) + "x" + std::to_string(data.in_features);
  if (data.out_features == 0) throw ParameterError("out_features", ">= 1", "0");
  require_size(data.x, data.batch * data.in_features, "x", x_shape);
  require_size(data.w, data.out_features * data.in_features, "w", w_shape);
  Problem problem{&data.x, &data.w, &data.bias, data.out_features, data.in_features, {}, {}};
  for (std::size_t m = 0; m < data.batch; ++m) {
    Patch patch(data.in_features);
    for (std::size_t k = 0; k < data.in_features; ++k) patch[k] = m * data.in_features + k;
    problem.patches.push_back(std::move(patch));
  }
  problem.output_shape = {data.batch, data.out_features};
  return problem;
}

Problem conv2d_problem(const Conv2DData& data) {
  const Conv2DGeometry& g = data.geometry;
  const Conv2DOutputSize size = conv2d_output_size(g);
  require_size(data.x, g.batch * g.height * g.width * g.in_channels, "x",
               std::to_string(g.batch) + "x" + std::to_string(g.height) + "x" +
                   std::to_string(g.width) + "x" + std::to_string(g.in_channels) + " NHWC");
  const std::size_t depth = g.kernel_h * g.kernel_w * g.in_channels;
  require_size(data.w, g.out_channels * depth, "w",
               std::to_string(g.out_channels) + "x" + std::to_string(g.kernel_h) + "x" +
                   std::to_string(g.kernel_w) + "x" + std::to_string(g.in_channels) + " OHWI");
  Problem problem{&data.x, &data.w, &data.bias, g.out_channels, depth, {}, {}};
  for (std::size_t b = 0; b < g.batch; ++b) {
    for (std::size_t oh = 0; oh < size.height; ++oh) {
      for (std::size_t ow = 0; ow < size.width; ++ow) {
        Patch patch;
        patch.reserve(depth);
        for (std::size_t kh = 0; kh < g.kernel_h; ++kh) {
          const std::int64_t ih = static_cast<std::int64_t>(oh) * g.stride_h - g.pad_top +
                                  static_cast<std::int64_t>(kh) * g.dilation_h;
          for (std::size_t kw = 0; kw < g.kernel_w; ++kw) {
            const std::int64_t iw = static_cast<std::int64_t>(ow) * g.stride_w - g.pad_left +
                                    static_cast<std::int64_t>(kw) * g.dilation_w;
            const bool inside = ih >= 0 && iw >= 0 &&
                                ih < static_cast<std::int64_t>(g.height) &&
                                iw < static_cast<std::int64_t>(g.width);
            for (std::size_t c = 0; c < g.in_channels; ++c) {
              patch.push_back(inside ? ((b * g.height + static_cast<std::size_t>(ih)) * g.width +
                                        static_cast<std::size_t>(iw)) *
                                               g.in_channels +
                                           c
                                     : kPadding);
            }
          }
        }
        problem.patches.push_back(std::move(patch));
      }
    }
  }
  problem.output_shape = {g.batch, size.height, size.width, g.out_channels};
  return problem;
}

LinearQuantization calibrate(const Problem& problem, const CalibrationOptions& options,
                             const LinearPipeline& pipeline) {
  validate_data(problem);
  LinearQuantization q;
  q.pipeline = pipeline;
  // Input: its range, or the min/max of x (Q1.5). An empty x calibrates as [0, 0].
  MinMax x_range = options.input_range.value_or(
      problem.x->empty() ? MinMax{0.0f, 0.0f} : min_max(*problem.x));
  q.input = calibrate_tensor(x_range.min, x_range.max, options.input_dtype,
                             options.input_symmetric, false);
  // Weights: one range per output channel (row n of [out, depth]) or one for the tensor.
  ParamsOptions wo{options.weight_dtype, options.weight_symmetric, options.weight_narrow_range};
  q.weights.dtype = options.weight_dtype;
  q.weights.narrow_range = options.weight_narrow_range;
  std::vector<QuantizationParams> w_params;
  if (options.weight_per_channel) {
    w_params = choose_params_per_channel(*problem.w, {problem.out_channels, problem.depth}, 0, wo);
  } else {
    w_params = {problem.w->empty() ? choose_params(0.0f, 0.0f, wo)
                                   : choose_params_for_data(*problem.w, wo)};
  }
  for (const QuantizationParams& p : w_params) {
    q.weights.scales.push_back(p.scale);
    q.weights.zero_points.push_back(p.zero_point);
  }
  // Output: its range, or the min/max of the real-valued layer output rounded to binary32.
  MinMax y_range{0.0f, 0.0f};
  if (options.output_range) {
    y_range = *options.output_range;
  } else {
    std::vector<float> y;
    for (std::size_t p = 0; p < problem.patches.size(); ++p) {
      for (std::size_t n = 0; n < problem.out_channels; ++n) {
        y.push_back(round_to_binary32(real_output(problem, p, n)));
      }
    }
    if (!y.empty()) y_range = min_max(y);
  }
  q.output = calibrate_tensor(y_range.min, y_range.max, options.output_dtype,
                              options.output_symmetric, false);
  return q;
}

}  // namespace

// Q9.3
Conv2DOutputSize conv2d_output_size(const Conv2DGeometry& g) {
  if (g.stride_h < 1 || g.stride_w < 1) {
    throw ParameterError("stride", ">= 1",
                         std::to_string(g.stride_h) + "x" + std::to_string(g.stride_w));
  }
  if (g.dilation_h < 1 || g.dilation_w < 1) {
    throw ParameterError("dilation", ">= 1",
                         std::to_string(g.dilation_h) + "x" + std::to_string(g.dilation_w));
  }
  if (g.pad_top < 0 || g.pad_bottom < 0 || g.pad_left < 0 || g.pad_right < 0) {
    throw ParameterError("padding", ">= 0 on every side",
                         std::to_string(g.pad_top) + "," + std::to_string(g.pad_bottom) + "," +
                             std::to_string(g.pad_left) + "," + std::to_string(g.pad_right));
  }
  const std::pair<const char*, std::size_t> dims[] = {
      {"height", g.height},         {"width", g.width},       {"in_channels", g.in_channels},
      {"out_channels", g.out_channels}, {"kernel_h", g.kernel_h}, {"kernel_w", g.kernel_w}};
  for (const auto& [field, value] : dims) {
    if (value == 0) throw ParameterError(field, ">= 1", "0");
  }
  const std::int64_t padded_h = static_cast<std::int64_t>(g.height) + g.pad_top + g.pad_bottom;
  const std::int64_t padded_w = static_cast<std::int64_t>(g.width) + g.pad_left + g.pad_right;
  const std::int64_t extent_h = g.dilation_h * (static_cast<std::int64_t>(g.kernel_h) - 1) + 1;
  const std::int64_t extent_w = g.dilation_w * (static_cast<std::int64_t>(g.kernel_w) - 1) + 1;
  if (extent_h > padded_h || extent_w > padded_w) {
    throw ParameterError("kernel",
                         "dilated kernel extent within the padded input " +
                             std::to_string(padded_h) + "x" + std::to_string(padded_w),
                         std::to_string(extent_h) + "x" + std::to_string(extent_w));
  }
  return {static_cast<std::size_t>((padded_h - extent_h) / g.stride_h + 1),
          static_cast<std::size_t>((padded_w - extent_w) / g.stride_w + 1)};
}

// Q9.4 step 0
TensorQuantization calibrate_tensor(float min, float max, DType dtype, bool symmetric,
                                    bool narrow_range) {
  QuantizationParams p = choose_params(min, max, ParamsOptions{dtype, symmetric, narrow_range});
  return TensorQuantization{dtype, narrow_range, {p.scale}, {p.zero_point}};
}

LinearQuantization calibrate_linear(const LinearData& data, const CalibrationOptions& options,
                                    const LinearPipeline& pipeline) {
  return calibrate(linear_problem(data), options, pipeline);
}

LinearQuantization calibrate_conv2d(const Conv2DData& data, const CalibrationOptions& options,
                                    const LinearPipeline& pipeline) {
  return calibrate(conv2d_problem(data), options, pipeline);
}

// Q9.5
LinearTrace linear_traced(const LinearData& data, const LinearQuantization& quantization) {
  return run(linear_problem(data), quantization);
}

std::vector<Integer> linear(const LinearData& data, const LinearQuantization& quantization) {
  return linear_traced(data, quantization).y_q;
}

LinearTrace conv2d_traced(const Conv2DData& data, const LinearQuantization& quantization) {
  return run(conv2d_problem(data), quantization);
}

std::vector<Integer> conv2d(const Conv2DData& data, const LinearQuantization& quantization) {
  return conv2d_traced(data, quantization).y_q;
}

}  // namespace quantspec::ref
