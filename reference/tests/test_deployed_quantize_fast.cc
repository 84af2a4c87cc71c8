// Q20.2 / Q11.9: the host-arithmetic fast paths of PyTorch's float-qparams quantize and of
// TFLite's 32-bit Arm quantize equal their exact definitions (deployed_quantize.hpp).
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <tuple>

#include "quantspec/reference/deployed_quantize.hpp"
#include "quantspec/reference/errors.hpp"

namespace quantspec::ref {
namespace {

// Inputs biased to what decides these members: halves after the scaling, specials, values
// beyond int32 / int64, tiny scales whose reciprocal overflows.
rc::Gen<float> input() {
  using namespace rc::gen;
  return weightedOneOf<float>(
      {{2, element(0.0f, -0.0f, std::numeric_limits<float>::quiet_NaN(), std::numeric_limits<float>::infinity(),
                   -std::numeric_limits<float>::infinity(), 1e30f, -1e30f, 3e9f, 0x1p62f, 0x1p63f, 0.5f, -0.5f)},
       {4, map(inRange(-4000, 4001), [](int k) { return static_cast<float>(k) / 16.0f; })},
       {4, map(arbitrary<std::uint32_t>(), [](std::uint32_t bits) {
          float f;
          static_assert(sizeof f == sizeof bits);
          __builtin_memcpy(&f, &bits, sizeof f);
          return f;
        })}});
}

rc::Gen<float> scale() {
  using namespace rc::gen;
  return weightedOneOf<float>({{1, element(0.0f, 0x1p-140f, 0x1p-149f, 0x1p-126f, 1.0f, 0.1f, 0.5f)},
                               {5, map(tuple(inRange(1, 1 << 24), inRange(-30, 5)), [](const std::tuple<int, int>& t) {
                                  return std::ldexp(static_cast<float>(std::get<0>(t)), std::get<1>(t) - 24);
                                })}});
}

// x = (m / 2) * S with S a power of two: x * fl32(1/S) is exactly m / 2, so u = m/2 + Zf lands
// on the halves that decide lrintf's ties.
rc::Gen<std::tuple<float, float>> tie_input_and_scale() {
  return rc::gen::map(rc::gen::tuple(rc::gen::inRange(-600, 601), rc::gen::inRange(-20, 4)),
                      [](const std::tuple<int, int>& t) {
                        const float s = std::ldexp(1.0f, std::get<1>(t));
                        return std::make_tuple(static_cast<float>(std::get<0>(t)) / 2.0f * s, s);
                      });
}

RC_GTEST_PROP(DeployedQuantizeFast, PytorchFloatQparamsEqualsDefinition, ()) {
  float x = *input(), s = *scale();
  float zf = *rc::gen::weightedOneOf<float>(
      {{2, rc::gen::element(0.0f, 100.3f, 2.5f, -1.25f, 127.5f)},
       {3, rc::gen::map(rc::gen::inRange(-4000, 4000), [](int k) { return static_cast<float>(k) / 8.0f; })}});
  if (*rc::gen::arbitrary<bool>()) {  // a tie of lrintf: u = m/2 + j/2
    std::tie(x, s) = *tie_input_and_scale();
    zf = static_cast<float>(*rc::gen::inRange(0, 200)) / 2.0f;
  }
  const bool wide = *rc::gen::arbitrary<bool>();
  const std::int64_t qmin = wide ? 0 : 0, qmax = wide ? 15 : 255;
  RC_ASSERT(quantize_pytorch_float_qparams_fast(x, s, zf, qmin, qmax) ==
            quantize_pytorch_float_qparams(x, s, zf, qmin, qmax).convert_to<std::int64_t>());
}

RC_GTEST_PROP(DeployedQuantizeFast, TfliteArmv7NeonEqualsDefinition, ()) {
  float x = *input(), s = *scale();
  // Halves of t = x * r are where trunc(t +- 0.5) decides; near-halves where fl32(t +- 0.5)
  // rounds onto an integer (SPEC Q11.9's counterexample t = +-(0.5 - 2^-25)).
  const int kind = *rc::gen::inRange(0, 4);
  if (kind == 0) std::tie(x, s) = *tie_input_and_scale();
  if (kind == 1) {
    s = 1.0f;
    x = *rc::gen::element(0.5f - 0x1p-25f, -(0.5f - 0x1p-25f), 1.5f - 0x1p-24f, 0x1.fffffep-2f, 2.5f);
  }
  if (s == 0.0f) s = 0x1p-149f;  // Q2.2: the scale must be > 0
  const bool is_unsigned = *rc::gen::arbitrary<bool>();
  QuantizeParams p = QuantizeParams::for_dtype(is_unsigned ? DType::uint8 : DType::int8, s,
                                               is_unsigned ? *rc::gen::inRange(0, 256) : *rc::gen::inRange(-128, 128));
  RC_ASSERT(quantize_tflite_armv7_neon_fast(x, p) == quantize_tflite_armv7_neon(x, p).convert_to<std::int64_t>());
}

TEST(DeployedQuantizeFast, RejectsWhatTheDefinitionsReject) {
  EXPECT_THROW(quantize_pytorch_float_qparams_fast(1.0f, -0.1f, 0.0f, 0, 255), ParameterError);
  EXPECT_THROW(quantize_pytorch_float_qparams_fast(1.0f, 0.1f, std::nanf(""), 0, 255), ParameterError);
  EXPECT_THROW(quantize_pytorch_float_qparams_fast(1.0f, 0.1f, 0.0f, 10, 9), ParameterError);
  QuantizeParams bad = QuantizeParams::for_dtype(DType::int8, 0.0f, 0);
  EXPECT_THROW(quantize_tflite_armv7_neon_fast(1.0f, bad), ParameterError);
  // The definition's published values (DeployedQuantize.PytorchFloatQparamsMatchTorch): S = 0.1f,
  // Zf = 100.3, uint8: 0.75 -> 108, -0.25 -> 98, 1e30 -> 0.
  EXPECT_EQ(quantize_pytorch_float_qparams_fast(0.75f, 0.1f, 100.3f, 0, 255), 108);
  EXPECT_EQ(quantize_pytorch_float_qparams_fast(-0.25f, 0.1f, 100.3f, 0, 255), 98);
  EXPECT_EQ(quantize_pytorch_float_qparams_fast(1e30f, 0.1f, 100.3f, 0, 255), 0);
}

}  // namespace
}  // namespace quantspec::ref
