// Q9 quantized linear layer vectors (fully connected and 2-D convolution NHWC/OHWI), end to
// end from float data through the study note's steps 0-4. The inputs are the integer tensors
// an integer backend consumes (x, w quantized; bias int32) with their scales and zero points;
// details hold the float data they came from. The variant is the requantization pipeline.
#include <cmath>

#include "builder.hpp"
#include "quantspec/reference/linear.hpp"

namespace quantspec::vectors::detail {
namespace {

using ref::Derivation;
using ref::RequantVariant;

struct PipelineChoice {
  RequantVariant variant;
  Derivation derivation;
};

Json ints(const std::vector<ref::Integer>& v) {
  Json a = Json::array();
  for (const auto& e : v) a.push_back(encode(e));
  return a;
}
Json floats(const std::vector<float>& v) {
  Json a = Json::array();
  for (float e : v) a.push_back(encode(e));
  return a;
}
Json int64s(const std::vector<std::int64_t>& v) {
  Json a = Json::array();
  for (auto e : v) a.push_back(e);
  return a;
}
std::vector<float> random_floats(Rng& rng, std::size_t n, double amplitude) {
  std::vector<float> v(n);
  for (auto& e : v) {
    e = static_cast<float>(amplitude * static_cast<double>(rng.uniform(-(1 << 20), 1 << 20)) /
                           static_cast<double>(1 << 20));
  }
  return v;
}

Json quantization_inputs(const ref::LinearTrace& t) {
  const auto& q = t.quantization;
  Json bias = Json::array();
  for (const auto& b : t.bias) bias.push_back(b.stored);
  return Json{{"x", ints(t.x_q)},
              {"w", ints(t.w_q)},
              {"bias", bias},
              {"x_scale", encode(q.input.scales[0])},
              {"x_zero_point", q.input.zero_points[0]},
              {"w_scales", floats(q.weights.scales)},
              {"w_zero_points", int64s(q.weights.zero_points)},
              {"y_scale", encode(q.output.scales[0])},
              {"y_zero_point", q.output.zero_points[0]}};
}

}  // namespace

Json linear_family() {
  FileBuilder file("linear", "Q9",
                   {"Quantized fully connected layer (x [m, k] row-major, w [n, k] row-major, "
                    "bias [n]) and 2-D convolution (x NHWC, w OHWI, bias [out_channels]): "
                    "acc = sum (x - Zx)(w - Zw[n]) + bias[n] modulo 2^32, requantized per output "
                    "channel with M[n] = x_scale * w_scales[n] / y_scale by the variant's "
                    "pipeline (derivation as in Q7.8), + y_zero_point, clamped to the output "
                    "dtype and the fused activation bounds (Q8, TFLite rounding of the bounds).",
                    "Operands: params (x_dtype, w_dtype, y_dtype, activation) and inputs (the "
                    "integer tensors x, w, bias and their scales and zero points; m, k, n or the "
                    "convolution geometry); output y (row-major / NHWC). details: the float "
                    "data the tensors were quantized from (steps 0-1)."});
  const std::vector<PipelineChoice> pipelines = {
      {RequantVariant::double_round, Derivation::tflite},
      {RequantVariant::single_round, Derivation::tflite},
      {RequantVariant::rndnu, Derivation::rndnu},
      {RequantVariant::fp32, Derivation::tflite},
      {RequantVariant::ideal, Derivation::exact},
  };
  struct FcCase {
    std::string comment;
    std::vector<std::string> flags;
    ref::LinearData data;
    bool per_channel;
    ref::Activation activation;
  };
  Rng rng(0x51390001);
  std::vector<FcCase> fc;
  {
    ref::LinearData d{1, 2, 2, {1.0f, -0.5f}, {0.5f, 0.25f, -1.0f, 2.0f}, {0.1f, -0.2f}};
    fc.push_back({"tiny layer, per-tensor weights", {}, d, false, ref::Activation::none});
    fc.push_back({"tiny layer, per-channel weights", {"per_channel"}, d, true, ref::Activation::none});
  }
  for (int i = 0; i < 4; ++i) {
    const std::size_t m = static_cast<std::size_t>(rng.uniform(1, 3));
    const std::size_t k = static_cast<std::size_t>(rng.uniform(4, 24));
    const std::size_t n = static_cast<std::size_t>(rng.uniform(2, 6));
    ref::LinearData d{m, k, n, random_floats(rng, m * k, 4.0), random_floats(rng, n * k, 1.0),
                      random_floats(rng, n, 2.0)};
    fc.push_back({"random layer #" + std::to_string(i) + (i % 2 ? ", ReLU6" : ", ReLU"),
                  {"random", "per_channel"}, d, true,
                  i % 2 ? ref::Activation::relu6 : ref::Activation::relu});
  }
  for (const auto& p : pipelines) {
    Json variant = {{"variant", ref::name(p.variant)}, {"derivation", ref::name(p.derivation)}};
    auto& group = file.group("FullyConnectedTest", variant,
                             Json{{"x_dtype", "int8"}, {"w_dtype", "int8"}, {"y_dtype", "int8"}});
    for (const auto& c : fc) {
      ref::LinearPipeline pipeline;
      pipeline.variant = p.variant;
      pipeline.derivation = p.derivation;
      pipeline.activation = c.activation;
      ref::CalibrationOptions options;
      options.weight_per_channel = c.per_channel;
      try {
        const auto q = ref::calibrate_linear(c.data, options, pipeline);
        const auto trace = ref::linear_traced(c.data, q);
        Json inputs = {{"activation", ref::name(c.activation)}, {"m", c.data.batch},
                       {"k", c.data.in_features}, {"n", c.data.out_features}};
        const Json tensors = quantization_inputs(trace);
        for (auto it = tensors.begin(); it != tensors.end(); ++it) inputs[it.key()] = it.value();
        group.add(c.comment, c.flags, inputs, Json{{"y", ints(trace.y_q)}},
                  Json{{"float_x", floats(c.data.x)}, {"float_w", floats(c.data.w)},
                       {"float_bias", floats(c.data.bias)}});
      } catch (const ref::ParameterError& e) {
        group.add_invalid(c.comment, c.flags, Json{{"m", c.data.batch}}, e);
      }
    }
  }
  // 2-D convolution: stride 2, padding 1, dilation 1 and 2.
  std::vector<ref::Conv2DData> convs;
  for (int dilation : {1, 2}) {
    ref::Conv2DData d;
    d.geometry.batch = 1;
    d.geometry.height = 5;
    d.geometry.width = 5;
    d.geometry.in_channels = 2;
    d.geometry.out_channels = 3;
    d.geometry.kernel_h = 3;
    d.geometry.kernel_w = 3;
    d.geometry.stride_h = d.geometry.stride_w = 2;
    d.geometry.pad_top = d.geometry.pad_bottom = d.geometry.pad_left = d.geometry.pad_right = 1;
    d.geometry.dilation_h = d.geometry.dilation_w = dilation;
    d.x = random_floats(rng, 5 * 5 * 2, 3.0);
    d.w = random_floats(rng, 3 * 3 * 3 * 2, 1.0);
    d.bias = random_floats(rng, 3, 1.0);
    convs.push_back(d);
  }
  for (const auto& p : pipelines) {
    Json variant = {{"variant", ref::name(p.variant)}, {"derivation", ref::name(p.derivation)}};
    auto& group = file.group("Conv2DTest", variant,
                             Json{{"x_dtype", "int8"}, {"w_dtype", "int8"}, {"y_dtype", "int8"}});
    for (const auto& d : convs) {
      const auto dilation = d.geometry.dilation_h;
      ref::LinearPipeline pipeline;
      pipeline.variant = p.variant;
      pipeline.derivation = p.derivation;
      const auto& g = d.geometry;
      Json geometry = {{"activation", "none"},
                       {"input_shape", {g.batch, g.height, g.width, g.in_channels}},
                       {"filter_shape", {g.out_channels, g.kernel_h, g.kernel_w, g.in_channels}},
                       {"stride", {g.stride_h, g.stride_w}},
                       {"padding", {g.pad_top, g.pad_bottom, g.pad_left, g.pad_right}},
                       {"dilation", {g.dilation_h, g.dilation_w}}};
      const std::string comment = "conv 5x5x2 -> 3 channels, 3x3 kernel, stride 2, padding 1, "
                                  "dilation " + std::to_string(dilation) + ", per-channel weights";
      try {
        const auto q = ref::calibrate_conv2d(d, ref::CalibrationOptions{}, pipeline);
        const auto trace = ref::conv2d_traced(d, q);
        Json inputs = geometry;
        const Json tensors = quantization_inputs(trace);
        for (auto it = tensors.begin(); it != tensors.end(); ++it) inputs[it.key()] = it.value();
        Json shape = Json::array();
        for (auto s : trace.output_shape) shape.push_back(s);
        inputs["output_shape"] = shape;
        group.add(comment, {"per_channel"}, inputs, Json{{"y", ints(trace.y_q)}},
                  Json{{"float_x", floats(d.x)}, {"float_w", floats(d.w)}, {"float_bias", floats(d.bias)}});
      } catch (const ref::ParameterError& e) {
        group.add_invalid(comment, {}, geometry, e);
      }
    }
  }
  return file.finish();
}

}  // namespace quantspec::vectors::detail
