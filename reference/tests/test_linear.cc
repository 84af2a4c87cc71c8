// Tests of Q9, the quantized linear layer. Expected values are derived by hand in comments;
// the property ties the layer back to its definition (float result = Sx*Sw*Acc; the ideal
// variant rounds the float result divided by Sy).
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <cstdint>
#include <limits>
#include <string>

#include "rejected_parameter.hpp"
#include "quantspec/reference/errors.hpp"
#include "quantspec/reference/linear.hpp"

namespace quantspec::ref {
namespace {

using testing::rejected_parameter;

TensorQuantization tensor(DType type, std::vector<float> scales, std::vector<std::int64_t> zero_points,
                          bool narrow = false) {
  return TensorQuantization{type, narrow, std::move(scales), std::move(zero_points)};
}

// Example Q9.E1 (SPEC.md): x = [0.5, -1.25], W = [[0.75, -0.5], [0.25, 0.375]] ([out, in]),
// B = [0.1f, -0.2f]; Sx = 2^-6, Zx = 10; Sw = [2^-7, 2^-8] (per channel, symmetric, narrow
// int8); Sy = 2^-5, Zy = 5; int8 everywhere; variant double_round (tflite derivation).
LinearData example_data() {
  LinearData d;
  d.batch = 1;
  d.in_features = 2;
  d.out_features = 2;
  d.x = {0.5f, -1.25f};
  d.w = {0.75f, -0.5f, 0.25f, 0.375f};
  d.bias = {0.1f, -0.2f};
  return d;
}

LinearQuantization example_quantization() {
  LinearQuantization q;
  q.input = tensor(DType::int8, {0x1p-6f}, {10});
  q.weights = tensor(DType::int8, {0x1p-7f, 0x1p-8f}, {0, 0}, true);
  q.output = tensor(DType::int8, {0x1p-5f}, {5});
  return q;
}

TEST(Linear, ExampleQ9E1) {
  const LinearTrace t = linear_traced(example_data(), example_quantization());
  // Step 1: x/Sx = [32, -80], + Zx = [42, -70]. W row 0 / 2^-7 = [96, -64]; row 1 / 2^-8 =
  // [64, 96] (all exact, within [-127, 127]).
  EXPECT_EQ(t.x_q, (std::vector<Integer>{42, -70}));
  EXPECT_EQ(t.w_q, (std::vector<Integer>{96, -64, 64, 96}));
  // Step 2: Sb0 = 2^-13, 0.1f = 13421773 * 2^-27, B0/Sb0 = 13421773/2^14 = 819.2000122 -> 819.
  //         Sb1 = 2^-14, -0.2f = -13421773 * 2^-26, B1/Sb1 = -13421773/2^12 = -3276.80005
  //         -> -3277 (half_away).
  ASSERT_EQ(t.bias.size(), 2u);
  EXPECT_EQ(t.bias[0].bias_scale, pow2(-13));
  EXPECT_EQ(t.bias[0].stored, 819);
  EXPECT_EQ(t.bias[1].stored, -3277);
  // Acc0 = (42-10)*96 + (-70-10)*(-64) + 819 = 3072 + 5120 + 819 = 9011.
  // Acc1 = 32*64 + (-80)*96 - 3277 = 2048 - 7680 - 3277 = -8909.
  ASSERT_EQ(t.outputs.size(), 2u);
  EXPECT_EQ(t.outputs[0].acc.exact, 9011);
  EXPECT_EQ(t.outputs[1].acc.exact, -8909);
  // Step 3: M0 = 2^-6 * 2^-7 / 2^-5 = 2^-8 -> (2^30, shift -7); M1 = 2^-9 -> (2^30, -8).
  EXPECT_EQ(t.outputs[0].multiplier, pow2(-8));
  EXPECT_EQ(t.outputs[0].requantize.multiplier, 1 << 30);
  EXPECT_EQ(t.outputs[0].requantize.shift, -7);
  EXPECT_EQ(t.outputs[1].requantize.shift, -8);
  // double_round, channel 0: SRDHM(9011, 2^30) = (9011*2^30 + 2^30) / 2^31 = 4506;
  //   RoundingDivideByPOT(4506, 7) = 35 (4506/128 = 35.2). y + Zy = 40.
  // channel 1: SRDHM(-8909, 2^30) = trunc((-8909*2^30 + 1 - 2^30) / 2^31) = -4454;
  //   RoundingDivideByPOT(-4454, 8) = -17 (-17.398). y + Zy = -12.
  EXPECT_EQ(t.outputs[0].steps.scaled, 35);
  EXPECT_EQ(t.outputs[1].steps.scaled, -17);
  EXPECT_EQ(t.y_q, (std::vector<Integer>{40, -12}));
  EXPECT_EQ(t.output_shape, (std::vector<std::size_t>{1, 2}));
  // What the integers approximate: Sx*Sw*Acc = 9011 * 2^-13 and -8909 * 2^-14; the real
  // layer: 0.375 + 0.625 + 0.1f and 0.125 - 0.46875 - 0.2f.
  EXPECT_EQ(t.outputs[0].float_result, Rational(9011) * pow2(-13));
  EXPECT_EQ(t.outputs[1].float_result, Rational(-8909) * pow2(-14));
  EXPECT_EQ(t.outputs[0].real_result, Rational(1) + exact(0.1f));
  EXPECT_EQ(t.outputs[1].real_result, Rational(-11, 32) + exact(-0.2f));
  // (q - Zy) * Sy = 35/32 = 1.09375 and -17/32 = -0.53125.
  EXPECT_EQ(t.outputs[0].dequantized_output, Rational(35, 32));
  EXPECT_EQ(t.outputs[1].dequantized_output, Rational(-17, 32));
  EXPECT_FALSE(t.any_accumulator_overflow);
  EXPECT_FALSE(t.any_bias_saturated);
  EXPECT_EQ(linear(example_data(), example_quantization()), t.y_q);
}

// Q9.5 step 4: ReLU clamps at Zy = 5, so the negative output -12 becomes 5; a fused [-0.25,
// 0.5] clamp gives bounds [5 + R(-8), 5 + R(16)] = [-3, 21] with Sy = 2^-5.
TEST(Linear, ActivationClampsTheOutput) {
  LinearQuantization q = example_quantization();
  q.pipeline.activation = Activation::relu;
  EXPECT_EQ(linear(example_data(), q), (std::vector<Integer>{40, 5}));
  q.pipeline.activation = Activation::none;
  q.pipeline.activation_min = -0.25f;
  q.pipeline.activation_max = 0.5f;
  const LinearTrace t = linear_traced(example_data(), q);
  EXPECT_EQ(t.activation.lo, -3);
  EXPECT_EQ(t.activation.hi, 21);
  EXPECT_EQ(t.y_q, (std::vector<Integer>{21, -3}));
}

// Per-channel weights are the default of calibration: symmetric, narrow range, Sw[n] =
// fl32(max|W[n]| / 127), Z = 0. Row 0 max |.| = 0.75, row 1 = 0.375.
TEST(Linear, CalibrationDefaultsToSymmetricPerChannelWeights) {
  const LinearQuantization q = calibrate_linear(example_data(), CalibrationOptions{});
  ASSERT_EQ(q.weights.scales.size(), 2u);
  EXPECT_EQ(q.weights.scales[0], round_to_binary32(Rational(3, 4) / 127));
  EXPECT_EQ(q.weights.scales[1], round_to_binary32(Rational(3, 8) / 127));
  EXPECT_EQ(q.weights.zero_points, (std::vector<std::int64_t>{0, 0}));
  EXPECT_TRUE(q.weights.narrow_range);
  // x: range [-1.25, 0.5], S = fl32(1.75 / 255).
  EXPECT_EQ(q.input.scales[0], round_to_binary32(Rational(7, 4) / 255));
  // Per tensor: one scale, from max |W| = 0.75.
  CalibrationOptions per_tensor;
  per_tensor.weight_per_channel = false;
  const LinearQuantization t = calibrate_linear(example_data(), per_tensor);
  EXPECT_EQ(t.weights.scales, (std::vector<float>{round_to_binary32(Rational(3, 4) / 127)}));
}

// Q9.5: an int32 pipeline requantizes Acc mod 2^32; ideal takes the exact Acc.
// Sx = Sw = 1, B = 2^31 - 128 (a binary32), x = [127], w = [127]: Acc = 2147483520 + 16129 =
// 2147499649 > INT32_MAX; mod 2^32 it is 2147499649 - 4294967296 = -2147467647.
// Sy = 2^24: double_round gives round(-2147467647 / 2^24) = round(-127.999) = -128;
// ideal gives round(2147499649 / 2^24) = round(128.0009) = 128, clamped to 127.
TEST(Linear, AccumulatorOverflowIsReportedAndWraps) {
  LinearData d;
  d.in_features = 1;
  d.out_features = 1;
  d.x = {127.0f};
  d.w = {127.0f};
  d.bias = {2147483520.0f};
  LinearQuantization q;
  q.input = tensor(DType::int8, {1.0f}, {0});
  q.weights = tensor(DType::int8, {1.0f}, {0});
  q.output = tensor(DType::int8, {0x1p24f}, {0});
  const LinearTrace t = linear_traced(d, q);
  EXPECT_EQ(t.outputs[0].acc.exact, Integer(2147499649LL));
  EXPECT_EQ(t.outputs[0].acc.wrapped, -2147467647);
  EXPECT_TRUE(t.any_accumulator_overflow);
  EXPECT_EQ(t.y_q, (std::vector<Integer>{-128}));
  q.pipeline.variant = RequantVariant::ideal;
  EXPECT_EQ(linear(d, q), (std::vector<Integer>{127}));
}

// Conv2D hand example: x = 1x3x3x1 holding 1..9 row-major, Sx = 1, Zx = 3 (so x_q = x + 3,
// and padding is x_q = 3, real 0). W = 2x2x2x1 (OHWI): channel 0 all 1.0 with Sw = 1,
// channel 1 all 0.5 with Sw = 0.5 (so w_q = 1 in both). B = 0, Sy = 1, Zy = 0.
Conv2DData conv_data() {
  Conv2DData d;
  d.geometry.height = 3;
  d.geometry.width = 3;
  d.geometry.in_channels = 1;
  d.geometry.out_channels = 2;
  d.geometry.kernel_h = 2;
  d.geometry.kernel_w = 2;
  d.x = {1, 2, 3, 4, 5, 6, 7, 8, 9};
  d.w = {1, 1, 1, 1, 0.5f, 0.5f, 0.5f, 0.5f};
  return d;
}

LinearQuantization conv_quantization() {
  LinearQuantization q;
  q.input = tensor(DType::int8, {1.0f}, {3});
  q.weights = tensor(DType::int8, {1.0f, 0.5f}, {0, 0});
  q.output = tensor(DType::int8, {1.0f}, {0});
  return q;
}

// Stride 1, no padding: 2x2 output; channel 0 sums each 2x2 window: 1+2+4+5 = 12,
// 2+3+5+6 = 16, 4+5+7+8 = 24, 5+6+8+9 = 28; channel 1 (M = 1 * 0.5 / 1 = 0.5, Acc is the
// same sum since w_q = 1): 6, 8, 12, 14. NHWC output interleaves the channels.
TEST(Conv2D, WindowsWithoutPadding) {
  const LinearTrace t = conv2d_traced(conv_data(), conv_quantization());
  EXPECT_EQ(t.output_shape, (std::vector<std::size_t>{1, 2, 2, 2}));
  EXPECT_EQ(t.y_q, (std::vector<Integer>{12, 6, 16, 8, 24, 12, 28, 14}));
}

// Padding 1 on every side, stride 2: out = floor((3 + 2 - 2) / 2) + 1 = 2. Windows (rows,
// cols in the unpadded input): (-1..0, -1..0) = {1}; (-1..0, 1..2) = {2, 3}; (1..2, -1..0) =
// {4, 7}; (1..2, 1..2) = {5, 6, 8, 9}. Channel 0: 1, 5, 11, 28 (padding adds (3-3)*1 = 0).
// Channel 1: 0.5, 2.5, 5.5, 14: ties. double_round (M = 0.5 = 2^30 * 2^(0-31)):
// SRDHM(a, 2^30) = (a*2^30 + 2^30)/2^31 rounds ties up: 1, 3, 6, 14. ideal half_even: 0, 2,
// 6, 14.
TEST(Conv2D, PaddingHoldsTheZeroPointAndStrideSkips) {
  Conv2DData d = conv_data();
  d.geometry.pad_top = d.geometry.pad_bottom = d.geometry.pad_left = d.geometry.pad_right = 1;
  d.geometry.stride_h = d.geometry.stride_w = 2;
  LinearQuantization q = conv_quantization();
  EXPECT_EQ(conv2d(d, q), (std::vector<Integer>{1, 1, 5, 3, 11, 6, 28, 14}));
  q.pipeline.variant = RequantVariant::ideal;
  EXPECT_EQ(conv2d(d, q), (std::vector<Integer>{1, 0, 5, 2, 11, 6, 28, 14}));
}

// Dilation 2 with a 2x2 kernel reads the corners of the 3x3 input: 1 + 3 + 7 + 9 = 20.
TEST(Conv2D, DilationSpreadsTheKernel) {
  Conv2DData d = conv_data();
  d.geometry.dilation_h = d.geometry.dilation_w = 2;
  EXPECT_EQ(conv2d_output_size(d.geometry).height, 1u);
  EXPECT_EQ(conv2d(d, conv_quantization()), (std::vector<Integer>{20, 10}));
}

TEST(Conv2D, RejectedGeometryNamesTheParameter) {
  auto with = [](auto change) {
    Conv2DData d = conv_data();
    change(d.geometry);
    return rejected_parameter([&] { conv2d(d, conv_quantization()); });
  };
  EXPECT_EQ(with([](Conv2DGeometry& g) { g.stride_h = 0; }), "stride");
  EXPECT_EQ(with([](Conv2DGeometry& g) { g.dilation_w = 0; }), "dilation");
  EXPECT_EQ(with([](Conv2DGeometry& g) { g.pad_left = -1; }), "padding");
  EXPECT_EQ(with([](Conv2DGeometry& g) { g.kernel_h = 4; }), "kernel");
  EXPECT_EQ(with([](Conv2DGeometry& g) { g.in_channels = 0; }), "in_channels");
  EXPECT_EQ(with([](Conv2DGeometry& g) { g.width = 4; }), "x");  // 9 values, 12 expected
  EXPECT_EQ(with([](Conv2DGeometry& g) { g.out_channels = 3; }), "w");
}

TEST(Linear, RejectedParametersNameThemselves) {
  auto with_data = [](auto change) {
    LinearData d = example_data();
    change(d);
    return rejected_parameter([&] { linear(d, example_quantization()); });
  };
  EXPECT_EQ(with_data([](LinearData& d) { d.x.pop_back(); }), "x");
  EXPECT_EQ(with_data([](LinearData& d) { d.w.push_back(1); }), "w");
  EXPECT_EQ(with_data([](LinearData& d) { d.bias.push_back(1); }), "bias");
  EXPECT_EQ(with_data([](LinearData& d) { d.x[1] = std::numeric_limits<float>::quiet_NaN(); }),
            "x[1]");
  EXPECT_EQ(with_data([](LinearData& d) { d.out_features = 0; }), "out_features");

  auto with_q = [](auto change) {
    LinearQuantization q = example_quantization();
    change(q);
    return rejected_parameter([&] { linear(example_data(), q); });
  };
  EXPECT_EQ(with_q([](LinearQuantization& q) { q.weights.scales.push_back(1); }), "weight_scales");
  EXPECT_EQ(with_q([](LinearQuantization& q) { q.weights.zero_points.pop_back(); }),
            "weight_zero_points");
  EXPECT_EQ(with_q([](LinearQuantization& q) { q.weights.scales[1] = -1; }), "weight_scale[1]");
  EXPECT_EQ(with_q([](LinearQuantization& q) { q.input.zero_points[0] = 128; }),
            "input_zero_point");
  EXPECT_EQ(with_q([](LinearQuantization& q) { q.output.scales = {1, 2}; }), "output_scales");
  EXPECT_EQ(with_q([](LinearQuantization& q) { q.output.dtype = DType::int32; }), "output_dtype");
  EXPECT_EQ(with_q([](LinearQuantization& q) {
              q.pipeline.activation = Activation::relu;
              q.pipeline.activation_max = 1.0f;
            }),
            "activation");
  // Fixed-point variants take the zero point after rounding only (Q7.1).
  EXPECT_EQ(with_q([](LinearQuantization& q) {
              q.pipeline.zero_point_entry = ZeroPointEntry::before_rounding;
            }),
            "zero_point_entry");
}

// Property: for any small layer, the float result is Sx*Sw[n]*Acc exactly (dequantize is
// linear, Zb = 0), and the ideal variant with half_even and no activation gives
// clamp(R(float / Sy) + Zy) on the output grid.
RC_GTEST_PROP(Linear, FloatResultIsScaledAccumulatorAndIdealRoundsIt, ()) {
  const std::size_t in = *rc::gen::inRange<std::size_t>(0, 5);
  const std::size_t out = *rc::gen::inRange<std::size_t>(1, 4);
  auto value = rc::gen::map(rc::gen::inRange(-400, 401), [](int v) { return v / 64.0f; });
  LinearData d;
  d.in_features = in;
  d.out_features = out;
  d.x = *rc::gen::container<std::vector<float>>(in, value);
  d.w = *rc::gen::container<std::vector<float>>(in * out, value);
  d.bias = *rc::gen::container<std::vector<float>>(out, value);
  LinearQuantization q;
  q.input = tensor(DType::int8, {*rc::gen::element(0x1p-4f, 0.05f, 0.013f)},
                   {*rc::gen::inRange(-128, 128)});
  std::vector<float> sw;
  for (std::size_t n = 0; n < out; ++n) sw.push_back(*rc::gen::element(0x1p-5f, 0.021f, 0.3f));
  q.weights = tensor(DType::int8, sw, std::vector<std::int64_t>(out, 0), true);
  q.output = tensor(DType::uint8, {*rc::gen::element(0.1f, 0x1p-3f, 0.07f)},
                    {*rc::gen::inRange(0, 256)});
  q.pipeline.variant = RequantVariant::ideal;
  const LinearTrace t = linear_traced(d, q);
  for (const OutputTrace& o : t.outputs) {
    const Rational sx = exact(q.input.scales[0]);
    const Rational swn = exact(sw[o.channel]);
    RC_ASSERT(o.float_result == sx * swn * Rational(o.acc.exact));
    const Integer expected =
        clamp(round_to_integer(o.float_result / exact(q.output.scales[0]), Rounding::half_even) +
                  q.output.zero_points[0],
              Integer(0), Integer(255));
    RC_ASSERT(o.q == expected);
  }
}

}  // namespace
}  // namespace quantspec::ref
