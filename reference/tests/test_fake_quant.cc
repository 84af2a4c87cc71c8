// Tests of SPEC.md §Q15 (fake quantization): values published by running PyTorch 1.13 and by
// TensorFlow's own kernel tests, the executed example, every rejected parameter, and
// RapidCheck properties that hold the binary32 models to the host's IEEE arithmetic running
// the frameworks' expressions.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <vector>

#include "rejected_parameter.hpp"
#include "quantspec/reference/fake_quant.hpp"

namespace quantspec::ref {
namespace {

const float kNan = std::numeric_limits<float>::quiet_NaN();
const float kInf = std::numeric_limits<float>::infinity();
using testing::rejected_parameter;

FakeQuantParams int8(float scale, std::int64_t z) {
  return FakeQuantParams::for_dtype(DType::int8, scale, z);
}

// Expected values produced by running PyTorch 1.13.0a0 (Debian python3-torch, x86-64) under
// /usr/bin/python3:
//   x = torch.tensor([0.75, 0.35, 1.55, -0.05, 0.05, 0.15, 12.7, 12.75, -12.85, 1e30,
//                     inf, -inf, nan, 0.0])
//   torch.ops.aten.fake_quantize_per_tensor_affine_cachemask(x, 0.1, Z, qmin, qmax)
// with (Z, qmin, qmax) = (0, -128, 127) and (3, 0, 255); outputs printed with float.hex().
TEST(Q15FakeQuantPublished, PytorchPerTensorCachemask) {
  const std::vector<float> x = {0.75f, 0.35f, 1.55f, -0.05f, 0.05f, 0.15f, 12.7f,
                                12.75f, -12.85f, 1e30f, kInf, -kInf, kNan, 0.0f};
  struct Case {
    FakeQuantParams params;
    std::vector<float> value;
    std::vector<bool> mask;
  };
  const std::vector<Case> cases = {
      {int8(0.1f, 0),
       {0x1.99999ap-1f, 0x1.99999ap-2f, 0x1.99999ap+0f, 0.0f, 0.0f, 0x1.99999ap-3f,
        0x1.966666p+3f, 0x1.966666p+3f, -0x1.99999ap+3f, -0x1.99999ap+3f, -0x1.99999ap+3f,
        -0x1.99999ap+3f, -0x1.99999ap+3f, 0.0f},
       {true, true, true, true, true, true, true, false, true, false, false, false, false,
        true}},
      {FakeQuantParams::for_dtype(DType::uint8, 0.1f, 3),
       {0x1.99999ap-1f, 0x1.99999ap-2f, 0x1.99999ap+0f, 0.0f, 0.0f, 0x1.99999ap-3f,
        0x1.966666p+3f, 0x1.99999ap+3f, -0x1.333334p-2f, -0x1.333334p-2f, -0x1.333334p-2f,
        -0x1.333334p-2f, -0x1.333334p-2f, 0.0f},
       {true, true, true, true, true, true, true, true, false, false, false, false, false,
        true}},
  };
  for (const Case& c : cases) {
    for (std::size_t i = 0; i < x.size(); ++i) {
      const FakeQuantResult r = fake_quantize(x[i], c.params, FakeQuantVariant::pytorch);
      EXPECT_EQ(hex_float(r.value), hex_float(c.value[i]))
          << "x=" << hex_float(x[i]) << " Z=" << c.params.zero_point;
      EXPECT_EQ(r.mask, c.mask[i]) << "x=" << hex_float(x[i]) << " Z=" << c.params.zero_point;
    }
  }
}

// PyTorch 1.13, as above: fake_quantize_per_channel_affine_cachemask(
//   [[0.3, -0.3, 2.0], [1.25, -1.25, 0.7]], scale=[0.5, 0.1], zero_point=[0, -2] (int32),
//   axis=0, -128, 127) -> [[0.5, -0.5, 2.0], [0x1.333334p+0, -0x1.333334p+0, 0x1.666666p-1]],
//   every mask true; and with scale 1e-45 (fl32(1/S) = inf) x = 0, 1, -1 all give
//   -0x1p-142 = qmin * S with mask false (0 * inf = NaN and inf convert to INT64_MIN).
TEST(Q15FakeQuantPublished, PytorchPerChannelAndTinyScale) {
  const std::vector<FakeQuantResult> r = fake_quantize_per_channel(
      {0.3f, -0.3f, 2.0f, 1.25f, -1.25f, 0.7f}, {2, 3}, 0, {int8(0.5f, 0), int8(0.1f, -2)},
      FakeQuantVariant::pytorch);
  const std::vector<float> expected = {0.5f, -0.5f, 2.0f, 0x1.333334p+0f, -0x1.333334p+0f,
                                       0x1.666666p-1f};
  ASSERT_EQ(r.size(), expected.size());
  for (std::size_t i = 0; i < r.size(); ++i) {
    EXPECT_EQ(hex_float(r[i].value), hex_float(expected[i])) << i;
    EXPECT_TRUE(r[i].mask) << i;
  }
  for (float x : {0.0f, 1.0f, -1.0f}) {
    const FakeQuantResult t = fake_quantize(x, int8(0x1p-149f, 0), FakeQuantVariant::pytorch);
    EXPECT_EQ(hex_float(t.value), hex_float(-0x1p-142f)) << x;
    EXPECT_FALSE(t.mask) << x;
  }
}

// Published by TensorFlow: tensorflow/core/kernels/fake_quant_ops_test.cc,
// WithArgsNoNudging_RegularRange / _NarrowRange, WithArgsNudgedDown_RegularRange /
// _NarrowRange (8 bits). Every expected value is a multiple of 1/4, so TF's ExpectClose is
// an equality here.
TEST(Q15FakeQuantPublished, TensorflowArgsNudging) {
  struct Case {
    float min, max;
    bool narrow;
    std::vector<float> x, expected;
  };
  const std::vector<Case> cases = {
      {-10.0f, 53.75f, false, {-10.1f, -10.0f, -9.9f, -9.75f, 53.75f, 53.8f},
       {-10.0f, -10.0f, -10.0f, -9.75f, 53.75f, 53.75f}},
      {-10.0f, 53.5f, true, {-10.1f, -10.0f, -9.9f, -9.75f, 53.5f, 53.6f},
       {-10.0f, -10.0f, -10.0f, -9.75f, 53.5f, 53.5f}},
      {-0.1f, 63.65f, false, {-0.1f, 0.0f, 0.1f, 0.25f, 63.75f, 63.8f},
       {0.0f, 0.0f, 0.0f, 0.25f, 63.75f, 63.75f}},
      {-0.1f, 63.4f, true, {-0.1f, 0.0f, 0.1f, 0.25f, 63.5f, 63.6f},
       {0.0f, 0.0f, 0.0f, 0.25f, 63.5f, 63.5f}},
  };
  for (const Case& c : cases) {
    for (TfFakeQuantOp op : {TfFakeQuantOp::with_min_max_args, TfFakeQuantOp::with_min_max_vars}) {
      const TfFakeQuantParams p{c.min, c.max, 8, c.narrow, op};
      for (std::size_t i = 0; i < c.x.size(); ++i) {
        EXPECT_EQ(hex_float(fake_quantize_tensorflow(c.x[i], p).value), hex_float(c.expected[i]))
            << "min=" << c.min << " max=" << c.max << " x=" << c.x[i] << " " << name(op);
      }
    }
  }
}

// Example Q15.E1 (SPEC.md): S = 0.1f, Z = 0, int8, x = 0.75. Exact: t = 0.75/0.1f =
// 7.4999999... -> 7 -> 7 * 0.1f = 0.70000001043 -> fl32 = 0x1.666666p-1. PyTorch:
// fl32(1/0.1f) = 10 exactly, 0.75 * 10 = 7.5 -> nearbyint 8 -> 0x1.99999ap-1 (0.8).
// TensorFlow with [min, max] = [-12.8, 12.7]: S = fl32(25.5/255) = 0x1.99999ap-4 (0.1f), Z = 128,
// nudged_min = -128 S; quant_zero = 128; 0.75 - nudged_min = 13.55 -> * inv = 135.5 (binary32)
// -> - 128 + 0.5 = 8 -> floor 8 -> 0.8 as PyTorch, by a different path.
TEST(Q15FakeQuantExamples, ExampleQ15E1ThreeVariants) {
  const FakeQuantParams p = int8(0.1f, 0);
  const FakeQuantResult exact_r = fake_quantize(0.75f, p, FakeQuantVariant::exact);
  EXPECT_EQ(exact_r.q, 7);
  EXPECT_EQ(hex_float(exact_r.value), "0x1.666666p-1");
  EXPECT_EQ(exact_r.exact_value, Rational(7) * exact(0.1f));
  const FakeQuantResult torch_r = fake_quantize(0.75f, p, FakeQuantVariant::pytorch);
  EXPECT_EQ(torch_r.q, 8);
  EXPECT_EQ(hex_float(torch_r.value), "0x1.99999ap-1");
  const TfFakeQuantParams tf{-12.8f, 12.7f, 8, false, TfFakeQuantOp::with_min_max_args};
  const TfNudged n = tf_nudge(tf);
  EXPECT_EQ(hex_float(n.scale), hex_float(0.1f));
  EXPECT_EQ(n.nudged_zero_point, 128);
  EXPECT_EQ(n.quant_zero, 128.0f);
  EXPECT_EQ(hex_float(fake_quantize_tensorflow(0.75f, tf).value), "0x1.99999ap-1");
}

// Q15.2: the boundaries of the exact variant and its special inputs.
TEST(Q15FakeQuantExamples, ExactBoundariesAndSpecialInputs) {
  const FakeQuantParams p = int8(0.5f, 1);
  // x/S = 126 -> 127 is inside; x/S = 126.5 rounds (half_even) to 126 -> 127: inside;
  // x/S = 127.5 rounds to 128 -> 129: outside, the mask says so.
  EXPECT_TRUE(fake_quantize(63.0f, p, FakeQuantVariant::exact).mask);
  EXPECT_TRUE(fake_quantize(63.25f, p, FakeQuantVariant::exact).mask);
  const FakeQuantResult above = fake_quantize(63.75f, p, FakeQuantVariant::exact);
  EXPECT_FALSE(above.mask);
  EXPECT_EQ(above.value, 63.0f);
  // -64.5 -> -129 + 1 = -128: inside; -64.75 -> -129.5 -> -130 + 1 = -129: outside.
  EXPECT_TRUE(fake_quantize(-64.5f, p, FakeQuantVariant::exact).mask);
  EXPECT_FALSE(fake_quantize(-64.75f, p, FakeQuantVariant::exact).mask);
  const FakeQuantResult nan = fake_quantize(kNan, p, FakeQuantVariant::exact);
  EXPECT_TRUE(std::isnan(nan.value));
  EXPECT_FALSE(nan.mask);
  EXPECT_EQ(fake_quantize(kInf, p, FakeQuantVariant::exact).value, 63.0f);
  EXPECT_EQ(fake_quantize(-kInf, p, FakeQuantVariant::exact).value, -64.5f);
  // TF: min = max = 0 gives 0 for every input and passes the gradient (Q15.4).
  const TfFakeQuantParams zero{0.0f, 0.0f, 8, false, TfFakeQuantOp::with_min_max_vars};
  EXPECT_EQ(fake_quantize_tensorflow(5.0f, zero).value, 0.0f);
  EXPECT_TRUE(fake_quantize_tensorflow(5.0f, zero).mask);
  // TF: a range above 0 is nudged to contain 0: [2, 10], 8 bits -> nudged [0, 8] (Z = 0).
  const TfNudged above_zero = tf_nudge({2.0f, 10.0f, 8, false, TfFakeQuantOp::with_min_max_vars});
  EXPECT_EQ(above_zero.nudged_zero_point, 0);
  EXPECT_EQ(above_zero.nudged_min, 0.0f);
  EXPECT_EQ(hex_float(above_zero.nudged_max), hex_float(255.0f * above_zero.scale));
}

// Q16.1: the masks decide at different places. PyTorch 1.13 (run here, as above):
// x = [12.72, 12.75], S = 0.1, Z = 0, int8 -> mask [true, false]. TF on the same grid
// ([-12.8, 12.7] nudges to S = 0.1f, Z = 128, nudged_max = 127 * 0.1f = 12.7f): both 0.
TEST(Q16StraightThrough, MasksOfTheVariantsDifferAtTheTopOfTheGrid) {
  const FakeQuantParams p = int8(0.1f, 0);
  const TfFakeQuantParams tf{-12.8f, 12.7f, 8, false, TfFakeQuantOp::with_min_max_args};
  EXPECT_TRUE(fake_quantize(12.72f, p, FakeQuantVariant::pytorch).mask);
  EXPECT_TRUE(fake_quantize(12.72f, p, FakeQuantVariant::exact).mask);
  EXPECT_FALSE(fake_quantize_tensorflow(12.72f, tf).mask);
  EXPECT_FALSE(fake_quantize(12.75f, p, FakeQuantVariant::pytorch).mask);
  EXPECT_FALSE(fake_quantize_tensorflow(12.75f, tf).mask);
  EXPECT_TRUE(fake_quantize_tensorflow(12.7f, tf).mask);  // both ends inclusive
  EXPECT_TRUE(fake_quantize_tensorflow(-12.8f, tf).mask);
}

TEST(Q15FakeQuantErrors, EveryRejectedParameterIsNamed) {
  const auto fq = [](FakeQuantParams p) {
    return [p] { fake_quantize(0.0f, p, FakeQuantVariant::exact); };
  };
  EXPECT_EQ(rejected_parameter(fq(int8(0.0f, 0))), "scale");
  EXPECT_EQ(rejected_parameter(fq(int8(kNan, 0))), "scale");
  EXPECT_EQ(rejected_parameter(fq(int8(-1.0f, 0))), "scale");
  EXPECT_EQ(rejected_parameter(fq(int8(1.0f, 128))), "zero_point");
  EXPECT_EQ(rejected_parameter(fq(FakeQuantParams{1.0f, 0, 0, 0})), "qmin");
  EXPECT_EQ(rejected_parameter(fq(FakeQuantParams{1.0f, 0, 5, 2})), "qmin");
  EXPECT_EQ(rejected_parameter([] {
              fake_quantize(0.0f, int8(1.0f, 0), FakeQuantVariant::tensorflow);
            }),
            "variant");
  const auto tf = [](TfFakeQuantParams p) { return [p] { fake_quantize_tensorflow(0.0f, p); }; };
  EXPECT_EQ(rejected_parameter(tf({1.0f, -1.0f})), "min");
  EXPECT_EQ(rejected_parameter(tf({kNan, 1.0f})), "min");
  EXPECT_EQ(rejected_parameter(tf({-1.0f, kInf})), "max");
  EXPECT_EQ(rejected_parameter(tf({0.5f, 0.5f})), "min");
  EXPECT_EQ(rejected_parameter(tf({0.0f, 0.0f, 8, false, TfFakeQuantOp::with_min_max_args})),
            "min");
  EXPECT_EQ(rejected_parameter(tf({-1.0f, 1.0f, 1})), "num_bits");
  EXPECT_EQ(rejected_parameter(tf({-1.0f, 1.0f, 17})), "num_bits");
  EXPECT_EQ(rejected_parameter(tf({-3e38f, 3e38f})), "max");
  // fl32(max - min) = 0x1.fffffp-126 > 0 and scale = fl32(range / 511) > 0 (subnormal), but
  // inv_scale = 511 / range ~ 2^134 overflows binary32 (found by fuzz_kernels_differential).
  EXPECT_EQ(rejected_parameter(tf({0x1.8p-148f, 0x1.fffffep-126f, 9})), "scale");
  EXPECT_NO_THROW(fake_quantize_tensorflow(0.0f, {0.0f, 0x1p-100f}));  // inv_scale 255 * 2^100
  EXPECT_EQ(rejected_parameter([] {
              fake_quantize_per_channel({1, 2, 3, 4}, {2, 2}, 2, {int8(1, 0), int8(1, 0)},
                                        FakeQuantVariant::exact);
            }),
            "axis");
  EXPECT_EQ(rejected_parameter([] {
              fake_quantize_per_channel({1, 2, 3, 4}, {2, 2}, 0, {int8(1, 0)},
                                        FakeQuantVariant::exact);
            }),
            "params");
}

// The host's IEEE binary32 running PyTorch 1.13's expression (fake_quantize_tensor_cachemask_
// kernel) where it is defined C++ (finite, |Z + nearbyint(x * inv)| < 2^31).
struct HostPytorch {
  float value;
  bool mask;
};
HostPytorch host_pytorch(float x, float sc, std::int64_t z, std::int64_t qmin, std::int64_t qmax) {
  const float inv_scale = 1.0f / sc;
  const auto qval = static_cast<std::int64_t>(z + std::nearbyint(x * inv_scale));
  const float out = static_cast<float>(
      (std::fmin(std::fmax(qval, qmin), qmax) - z) * sc);
  return {out, qmin <= qval && qval <= qmax};
}

// The host running TensorFlow's FakeQuantWithMinMaxArgs / Vars expressions on the nudged
// parameters the reference computed (Nudge itself is checked through the published cases).
float host_tensorflow(float x, const TfNudged& n, TfFakeQuantOp op) {
  const float clamped = std::max(std::min(x, n.nudged_max), n.nudged_min);
  const float shifted = clamped - n.nudged_min;
  const float scaled = op == TfFakeQuantOp::with_min_max_vars ? shifted / n.scale
                                                              : shifted * n.inv_scale;
  return std::floor(scaled - n.quant_zero + 0.5f) * n.scale;
}

float scale_from_bits(std::uint32_t bits) {  // a normal scale in [2^-40, 2^10)
  const std::uint32_t exponent = 127 - 40 + bits % 50;
  const std::uint32_t pattern = (exponent << 23) | ((bits >> 6) & 0x7fffff);
  float s;
  std::memcpy(&s, &pattern, sizeof s);
  return s;
}

RC_GTEST_PROP(Q15FakeQuantProperties, PytorchModelEqualsHostArithmetic,
              (std::uint32_t scale_bits, std::int32_t level, std::int16_t zero_point_bits,
               bool unsigned_grid, std::int8_t jitter)) {
  const float scale = scale_from_bits(scale_bits);
  const FakeQuantParams p =
      unsigned_grid ? FakeQuantParams::for_dtype(DType::uint8, scale, (zero_point_bits & 0xff))
                    : int8(scale, zero_point_bits % 128);
  // x near a grid point or a tie, a few ulps away, within 2^20 steps of 0.
  const float base = static_cast<float>(level % (1 << 20)) * 0.5f * scale;
  const float x = std::nextafter(base, jitter < 0 ? -kInf : kInf) *
                  (jitter % 3 == 0 ? 1.0f : 1.0f + 0x1p-23f * static_cast<float>(jitter % 5));
  RC_PRE(std::isfinite(x));
  const FakeQuantResult model = fake_quantize(x, p, FakeQuantVariant::pytorch);
  const HostPytorch host = host_pytorch(x, scale, p.zero_point, p.qmin, p.qmax);
  RC_ASSERT(hex_float(model.value) == hex_float(host.value));
  RC_ASSERT(model.mask == host.mask);
}

RC_GTEST_PROP(Q15FakeQuantProperties, TensorflowModelEqualsHostArithmetic,
              (float lo_raw, float width_raw, std::uint8_t bits, bool narrow, float x_raw,
               bool vars)) {
  RC_PRE(std::isfinite(lo_raw) && std::isfinite(width_raw) && std::isfinite(x_raw));
  const float min = -std::fabs(std::fmod(lo_raw, 100.0f));
  const float max = min + 0.01f + std::fabs(std::fmod(width_raw, 200.0f));
  const int num_bits = 2 + bits % 15;
  const TfFakeQuantOp op =
      vars ? TfFakeQuantOp::with_min_max_vars : TfFakeQuantOp::with_min_max_args;
  const TfFakeQuantParams p{min, max, num_bits, narrow, op};
  const TfNudged n = tf_nudge(p);
  const float x = std::fmod(x_raw, 400.0f);
  RC_ASSERT(hex_float(fake_quantize_tensorflow(x, p).value) ==
            hex_float(host_tensorflow(x, n, op)));
}

// Q15.2: the exact output is the grid point nearest to x (|x - fq(x)| <= S/2) when the mask
// is set, and PyTorch's differs from it by at most one grid step (Q15.3).
RC_GTEST_PROP(Q15FakeQuantProperties, ExactIsNearestGridPointAndPytorchWithinOneStep,
              (std::uint32_t scale_bits, float x_raw, std::int8_t zero_point)) {
  RC_PRE(std::isfinite(x_raw));
  const float scale = scale_from_bits(scale_bits);
  const FakeQuantParams p = int8(scale, zero_point);
  const float x = std::fmod(x_raw, 200.0f * scale);
  const FakeQuantResult e = fake_quantize(x, p, FakeQuantVariant::exact);
  if (e.mask) RC_ASSERT(abs(e.exact_value - exact(x)) * 2 <= exact(scale));
  const FakeQuantResult t = fake_quantize(x, p, FakeQuantVariant::pytorch);
  RC_ASSERT(abs(t.q - e.q) <= 1);
}

// Q15.2 / Q15.3: a grid point beyond binary32 ((qmin - Z) * S = -255 * 0x1.691ca4p+124 is about
// -7.7e39) is -inf in both variants, and a NaN input (PyTorch: q = qmin) reaches it too.
TEST(Q15FakeQuantExamples, OutputBeyondBinary32IsInfinite) {
  FakeQuantParams p = FakeQuantParams::for_dtype(DType::int8, 0x1.691ca4p+124f, 127);
  const float inf = std::numeric_limits<float>::infinity();
  for (float x : {-inf, std::numeric_limits<float>::quiet_NaN()}) {
    const FakeQuantResult r = fake_quantize(x, p, FakeQuantVariant::pytorch);
    EXPECT_EQ(r.value, -inf);
    EXPECT_EQ(r.q, -128);
    EXPECT_FALSE(r.mask);
  }
  const FakeQuantResult e = fake_quantize(-inf, p, FakeQuantVariant::exact);
  EXPECT_EQ(e.value, -inf);
  EXPECT_FALSE(e.mask);
}

}  // namespace
}  // namespace quantspec::ref
