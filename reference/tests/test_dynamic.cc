// Tests of SPEC.md §Q17 (dynamic quantization): the published ONNX DynamicQuantizeLinear node
// test data, the Q1.2 counterexample (two binary32 roundings against one), degenerate inputs,
// per-row symmetric int8 with its scale floor, and every rejected parameter; PyTorch's run-time
// parameters and qnnpack dynamic Linear (Q17.5, Q17.6) against values run with Debian
// python3-torch 1.13 (reference/measure/pytorch_dynamic_values.py; engine onednn where
// reduce_range matters, qnnpack for the Linear), and their host fast paths against the definition.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <limits>
#include <utility>
#include <cmath>
#include <cstring>
#include <vector>

#include "rejected_parameter.hpp"
#include "quantspec/reference/dynamic.hpp"
#include "quantspec/reference/dynamic_pytorch.hpp"
#include "quantspec/reference/params.hpp"

namespace quantspec::ref {
namespace {

using testing::rejected_parameter;

std::vector<std::int64_t> as_int64(const std::vector<Integer>& q) {
  std::vector<std::int64_t> out;
  for (const Integer& v : q) out.push_back(static_cast<std::int64_t>(v));
  return out;
}

// ONNX 1.12 node test data (Debian libonnx-testdata, data/node/test_dynamicquantizelinear*/
// test_data_set_0, read with onnx.numpy_helper): x, y, y_scale, y_zero_point.
TEST(Q17DynamicPublished, OnnxDynamicQuantizeLinearNodeTests) {
  struct Case {
    const char* name;
    std::vector<float> x;
    std::vector<std::int64_t> y;
    float scale;
    std::int64_t zero_point;
  };
  const std::vector<Case> cases = {
      {"test_dynamicquantizelinear", {0.0f, 2.0f, -3.0f, -2.5f, 1.34f, 0.5f},
       {153, 255, 0, 26, 221, 179}, 0x1.414142p-6f, 153},
      {"test_dynamicquantizelinear_max_adjusted", {-1.0f, -2.1f, -1.3f, -2.5f, -3.34f, -4.0f},
       {191, 121, 172, 96, 42, 0}, 0x1.010102p-6f, 255},
      {"test_dynamicquantizelinear_min_adjusted",
       {1.0f, 2.1f, 1.3f, 2.5f, 3.34f, 4.0f, 1.5f, 2.6f, 3.9f, 4.0f, 3.0f, 2.345f},
       {64, 134, 83, 159, 213, 255, 96, 166, 249, 255, 191, 149}, 0x1.010102p-6f, 0},
  };
  for (const Case& c : cases) {
    const OnnxDynamicQuantization d = dynamic_quantize_onnx(c.x);
    EXPECT_EQ(hex_float(d.scale), hex_float(c.scale)) << c.name;
    EXPECT_EQ(d.zero_point, c.zero_point) << c.name;
    EXPECT_EQ(as_int64(d.q), c.y) << c.name;
  }
}

// Q17.1 against Q1.2 on a real range: x = [lo, hi], lo = -0x1.545784p-10, hi = 0x1.ab850cp-3.
// hi - lo = 0x1.ab850cp-3 + 0x0.00aa2bc2p-3 needs more than 24 bits: ONNX's Sub rounds it, then
// its Div rounds again; Q1.2 rounds the exact (hi - lo)/255 once. Found by a search over random
// ranges (numpy float32 for ONNX's nodes, Python fractions for Q1.2); the test recomputes both.
TEST(Q17DynamicExamples, Q1ExactScaleDiffersFromOnnxBinary32Scale) {
  const float lo = -0x1.545784p-10f, hi = 0x1.ab850cp-3f;
  ParamsOptions options;
  options.dtype = DType::uint8;
  options.zero_point_rounding = Rounding::half_even;
  const QuantizationParams exact_params = choose_params(lo, hi, options);
  const OnnxDynamicQuantization onnx = dynamic_quantize_onnx({lo, hi});
  EXPECT_EQ(hex_float(exact_params.scale), "0x1.afdd98p-11");
  EXPECT_EQ(hex_float(onnx.range), hex_float(hi - lo));  // the host's binary32 Sub
  EXPECT_EQ(hex_float(onnx.scale), "0x1.afdd9ap-11");
  EXPECT_EQ(onnx.scale, (hi - lo) / 255.0f);  // the host's two binary32 operations
  EXPECT_NE(exact_params.scale, onnx.scale);
}

// Q1.2 against ONNX's binary32 zero point with the same S and the same rule (half_even): for
// x = {-0x1.4d3afcp+1, 0x1.73f22cp+1} both give S = 0x1.61f88cp-6, but -lo/S is exactly
// 120.5000011..., which Q1.2 rounds to 121, while ONNX's fl32(lo / S) is the tie -120.5, which
// np.rint rounds to 120. Found by a search over random ranges (numpy float32 for ONNX's nodes,
// Python fractions for Q1.2); published: the ONNX reference implementation (PyPI onnx 1.23.2,
// onnx/reference/ops/op_dynamic_quantize_linear.py DynamicQuantizeLinear._run, run here)
// returns y_scale 0x1.61f88cp-6 and y_zero_point 120.
TEST(Q17DynamicExamples, Q1ExactZeroPointDiffersFromOnnxBinary32ZeroPointByOne) {
  const float lo = -0x1.4d3afcp+1f, hi = 0x1.73f22cp+1f;
  ParamsOptions options;
  options.dtype = DType::uint8;
  options.zero_point_rounding = Rounding::half_even;
  const QuantizationParams exact_params = choose_params(lo, hi, options);
  const OnnxDynamicQuantization onnx = dynamic_quantize_onnx({lo, hi});
  EXPECT_EQ(hex_float(exact_params.scale), "0x1.61f88cp-6");
  EXPECT_EQ(exact_params.scale, onnx.scale);
  EXPECT_EQ(onnx.zero_point_fp, 120.5f);  // fl32(0 - fl32(lo / S)): the quotient rounded onto the tie
  EXPECT_EQ(onnx.zero_point, 120);        // the published value
  EXPECT_EQ(exact_params.zero_point, 121);
}

// Q17.1 zero point: -min_scaled = 2.5 exactly ([-2.5, 252.5]: range 255, S = 1) rounds half to
// even (2), where Q1.2's default half_away gives 3 (Example in Q1.8).
TEST(Q17DynamicExamples, ZeroPointTieRoundsHalfToEven) {
  const OnnxDynamicQuantization d = dynamic_quantize_onnx({-2.5f, 252.5f, 0.5f});
  EXPECT_EQ(d.scale, 1.0f);
  EXPECT_EQ(d.zero_point_fp, 2.5f);
  EXPECT_EQ(d.zero_point, 2);
  // q = clamp(half_even(x / 1) + 2): -2.5 -> -2 + 2 = 0; 252.5 -> 252 + 2 = 254; 0.5 -> 0 + 2.
  EXPECT_EQ(as_int64(d.q), (std::vector<std::int64_t>{0, 254, 2}));
}

// Q17.1 degenerate inputs: all zero (SPEC CHOICE S = 1, Z = 0) and constants (the range is
// widened to contain 0, so a constant c > 0 maps to 255 and c < 0 to 0).
TEST(Q17DynamicExamples, AllZeroAndConstantInputs) {
  const OnnxDynamicQuantization zero = dynamic_quantize_onnx({0.0f, -0.0f, 0.0f});
  EXPECT_TRUE(zero.degenerate);
  EXPECT_EQ(zero.scale, 1.0f);
  EXPECT_EQ(zero.zero_point, 0);
  EXPECT_EQ(as_int64(zero.q), (std::vector<std::int64_t>{0, 0, 0}));
  const OnnxDynamicQuantization pos = dynamic_quantize_onnx({3.0f, 3.0f});
  EXPECT_EQ(hex_float(pos.scale), hex_float(3.0f / 255.0f));
  EXPECT_EQ(pos.zero_point, 0);
  EXPECT_EQ(as_int64(pos.q), (std::vector<std::int64_t>{255, 255}));
  const OnnxDynamicQuantization neg = dynamic_quantize_onnx({-3.0f});
  EXPECT_EQ(neg.zero_point, 255);
  EXPECT_EQ(as_int64(neg.q), (std::vector<std::int64_t>{0}));
}

// Q17.2: row 0 has amax 127, so S = 1 and q is x rounded half to even; row 1 is all zero and
// takes the floor; row 2's tiny amax also falls under the floor.
TEST(Q17DynamicExamples, PerRowSymmetricWithScaleFloor) {
  const float floor = 0x1p-20f;
  const RowDynamicQuantization r = dynamic_quantize_per_row(
      {127.0f, -63.5f, 0.5f, 2.5f, 0.0f, 0.0f, 0.0f, 0.0f, 1e-30f, -1e-30f, 0.0f, 0.0f}, 3, floor);
  EXPECT_EQ(r.scales, (std::vector<float>{1.0f, floor, floor}));
  EXPECT_EQ(as_int64(r.q), (std::vector<std::int64_t>{127, -64, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0}));
  // amax = 1: S = fl32(1/127); x = -1 -> fl32(-1 / S) = -127 (within 2^-24 relative), clamp ok.
  const RowDynamicQuantization one = dynamic_quantize_per_row({1.0f, -1.0f, 0.25f}, 1, floor);
  EXPECT_EQ(hex_float(one.scales[0]), hex_float(1.0f / 127.0f));
  EXPECT_EQ(as_int64(one.q), (std::vector<std::int64_t>{127, -127, 32}));
}

TEST(Q17DynamicErrors, EveryRejectedParameterIsNamed) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const float inf = std::numeric_limits<float>::infinity();
  EXPECT_EQ(rejected_parameter([] { dynamic_quantize_onnx({}); }), "x");
  EXPECT_EQ(rejected_parameter([&] { dynamic_quantize_onnx({1.0f, nan}); }), "x");
  EXPECT_EQ(rejected_parameter([&] { dynamic_quantize_onnx({inf}); }), "x");
  EXPECT_EQ(rejected_parameter([] { dynamic_quantize_onnx({-3e38f, 3e38f}); }), "x");
  EXPECT_EQ(rejected_parameter([] { dynamic_quantize_onnx({0x1p-149f}); }), "x");
  EXPECT_EQ(rejected_parameter([] { dynamic_quantize_per_row({1, 2, 3}, 0, 1e-8f); }), "rows");
  EXPECT_EQ(rejected_parameter([] { dynamic_quantize_per_row({1, 2, 3}, 2, 1e-8f); }), "rows");
  EXPECT_EQ(rejected_parameter([] { dynamic_quantize_per_row({1, 2}, 1, 0.0f); }), "scale_floor");
  EXPECT_EQ(rejected_parameter([&] { dynamic_quantize_per_row({1, 2}, 1, nan); }), "scale_floor");
  EXPECT_EQ(rejected_parameter([&] { dynamic_quantize_per_row({nan}, 1, 1.0f); }), "x");
}

// torch.quantize_per_tensor_dynamic(x, torch.quint8, reduce_range), q_scale / q_zero_point /
// int_repr as torch 1.13 printed them (onednn engine: reduce_range honoured).
TEST(PytorchDynamicParams, TorchQuantizePerTensorDynamicValues) {
  struct Case {
    std::vector<float> x;
    bool reduce_range;
    double scale;
    std::int64_t zero_point;
    std::vector<std::int64_t> q;
  };
  const std::vector<Case> cases = {
      {{-1.0f, 0.5f, 2.0f}, false, 0x1.8181818181818p-7, 85, {0, 127, 255}},
      {{-1.0f, 0.5f, 2.0f}, true, 0x1.83060c183060cp-6, 42, {0, 63, 127}},
      {{0.0f, 1e-3f}, false, 0x1.ffb48p-15, 0, {0, 16}},       // small-scale cut, min = 0
      {{-1e-3f, 0.0f}, true, 0x1.ffb48p-15, 127, {111, 127}},  // small-scale cut, max = 0
      {{-1e-3f, 2e-3f}, false, 0x1.ffb48p-15, 85, {69, 118}},  // small-scale cut, amplifier
      {{0.0f, 0.0f, 0.0f}, false, 0x1.999999999999ap-4, 0, {0, 0, 0}},  // all zero: 0.1
      {{-2.5f, 252.5f, 0.5f}, false, 1.0, 2, {0, 254, 2}},  // nearbyint tie to even
      {{-2.5f, 252.5f, 0.5f}, true, 0x1.0102040810204p+1, 1, {0, 127, 1}},
      {{-1.0f, 1.0f}, true, 2.0 / 127, 64, {0, 128}},  // 7-bit range, yet q = 128 (uint8 clamp)
  };
  for (const Case& c : cases) {
    const PytorchDynamicQuantization d = dynamic_quantize_pytorch(c.x, c.reduce_range);
    EXPECT_EQ(hex_float(d.params.scale), hex_float(c.scale));
    EXPECT_EQ(d.params.zero_point, c.zero_point);
    EXPECT_EQ(as_int64(d.q), c.q);
    const PytorchDynamicParamsFast f = choose_pytorch_dynamic_params_fast(
        d.params.x_min, d.params.x_max, c.reduce_range);
    EXPECT_EQ(f.scale, d.params.scale);
    EXPECT_EQ(f.zero_point, d.params.zero_point);
  }
}

// torch.ao.nn.quantized.dynamic.Linear(5, 4) on the qnnpack engine, per-tensor qint8 weights
// (scale 2^-6, zero point 0), bias [0.5, -0.25, 0.1, 0]: torch 1.13's outputs.
TEST(PytorchDynamicLinear, TorchQnnpackLinearValues) {
  PytorchDynamicLinearInput in;
  in.m = 3;
  in.k = 5;
  in.n = 4;
  in.x = {-1.0f, 0.5f, 2.0f, 0.25f, -0.75f, 1.5f, -2.0f, 0.0f, 0.125f, 1.0f,
          0.3f,  -0.1f, 0.7f, -1.3f, 0.9f};
  in.w = {1, -2, 3, -4, 5, 127, -128, 0, 64, -64, -7, 7, -7, 7, -7, 10, 20, 30, 40, 50};
  in.weight_scales = {0.015625f};
  in.bias = {0.5f, -0.25f, 0.1f, 0.0f};
  const std::vector<float> torch_out = {
      0x1.f33334p-2f, -0x1.1effp+1f,   0x1.40c0c2p-3f,  0x1.014142p-1f,
      0x1.50101p-1f,  0x1.760608p+2f,  -0x1.83c3c6p-2f, 0x1.e6e6e8p-2f,
      0x1.624242p-1f, -0x1.aa9a9cp+0f, -0x1.0a8a8cp-2f, 0x1.dcdcdep-3f};
  const PytorchDynamicLinear r = dynamic_linear_pytorch(in);
  ASSERT_EQ(r.out.size(), torch_out.size());
  for (std::size_t i = 0; i < torch_out.size(); ++i) {
    EXPECT_EQ(hex_float(r.out[i]), hex_float(torch_out[i])) << "output " << i;
  }
  const std::vector<float> fast = dynamic_linear_pytorch_fast(in);
  for (std::size_t i = 0; i < fast.size(); ++i) EXPECT_EQ(hex_float(fast[i]), hex_float(r.out[i]));
}

// The host fast paths equal the definitions (Q17.5, Q17.6) on random ranges (including tiny
// ones that take the small-scale cut and the 0.1 default) and random small Linear layers.
float random_binary32_in(float magnitude) {
  const auto bits = *rc::gen::inRange<std::uint32_t>(0, 0x7F800000u);  // every finite >= 0
  float v;
  std::memcpy(&v, &bits, 4);
  return *rc::gen::arbitrary<bool>() ? -std::fmod(v, magnitude) : std::fmod(v, magnitude);
}

RC_GTEST_PROP(PytorchDynamicFast, ParamsEqualDefinition, ()) {
  const float magnitude = *rc::gen::element(1e-6f, 1e-3f, 1.0f, 1e4f, 1e30f);
  float lo = random_binary32_in(magnitude), hi = random_binary32_in(magnitude);
  if (hi < lo) std::swap(lo, hi);
  const bool reduce_range = *rc::gen::arbitrary<bool>();
  const PytorchDynamicParams d = choose_pytorch_dynamic_params(lo, hi, reduce_range);
  const PytorchDynamicParamsFast f = choose_pytorch_dynamic_params_fast(lo, hi, reduce_range);
  RC_ASSERT(hex_float(f.scale) == hex_float(d.scale));
  RC_ASSERT(f.zero_point == d.zero_point);
}

RC_GTEST_PROP(PytorchDynamicFast, LinearEqualsDefinition, ()) {
  PytorchDynamicLinearInput in;
  in.m = *rc::gen::inRange<std::size_t>(1, 4);
  in.k = *rc::gen::inRange<std::size_t>(1, 9);
  in.n = *rc::gen::inRange<std::size_t>(1, 5);
  const float magnitude = *rc::gen::element(1e-2f, 1.0f, 100.0f);
  for (std::size_t i = 0; i < in.m * in.k; ++i) in.x.push_back(random_binary32_in(magnitude));
  for (std::size_t i = 0; i < in.n * in.k; ++i) in.w.push_back(*rc::gen::arbitrary<std::int8_t>());
  const bool per_channel = *rc::gen::arbitrary<bool>();
  for (std::size_t j = 0; j < (per_channel ? in.n : 1); ++j) {
    in.weight_scales.push_back(*rc::gen::element(0.015625f, 0.01f, 0.003f, 0.2f));
  }
  if (*rc::gen::arbitrary<bool>()) {
    for (std::size_t j = 0; j < in.n; ++j) in.bias.push_back(random_binary32_in(4.0f));
  }
  const PytorchDynamicLinear r = dynamic_linear_pytorch(in);
  const std::vector<float> fast = dynamic_linear_pytorch_fast(in);
  RC_ASSERT(fast.size() == r.out.size());
  for (std::size_t i = 0; i < fast.size(); ++i) RC_ASSERT(hex_float(fast[i]) == hex_float(r.out[i]));
}

}  // namespace
}  // namespace quantspec::ref
