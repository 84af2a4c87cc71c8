// Tests of SPEC.md Q10 (edge policies of quantize). Expected values: Q2.4 for `spec`; the
// x86 instructions themselves for `clamp_then_convert`, `min_then_convert` and
// `convert32_then_clamp` (run here, SSE2); PyTorch 1.13's quantize_per_tensor as measured on
// this machine for `convert_then_clamp` and TFLite's for `convert32_then_clamp` (cited per case).
#include <gtest/gtest.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>

#include "quantspec/reference/edge_policy.hpp"
#include "quantspec/reference/errors.hpp"

namespace quantspec::ref {
namespace {

constexpr float kNan = std::numeric_limits<float>::quiet_NaN();
constexpr float kInf = std::numeric_limits<float>::infinity();

QuantizeParams int8(float scale, std::int64_t zero_point) {
  return QuantizeParams::for_dtype(DType::int8, scale, zero_point);
}

std::int64_t q(float x, const QuantizeParams& p, EdgePolicy policy) {
  return quantize_with_edge_policy(x, p, policy).convert_to<std::int64_t>();
}

// Q10.1: the conforming default is Q2.4.
TEST(EdgePolicy, SpecIsQ24) {
  const QuantizeParams p = int8(0.5f, 3);
  EXPECT_EQ(q(kNan, p, EdgePolicy::spec), 3);
  EXPECT_EQ(q(kInf, p, EdgePolicy::spec), 127);
  EXPECT_EQ(q(-kInf, p, EdgePolicy::spec), -128);
  EXPECT_EQ(q(1e19f, p, EdgePolicy::spec), 127);
}

// Q10.3, published by running PyTorch 1.13 (/usr/bin/python3, x86-64) on this machine:
// torch.quantize_per_tensor(torch.tensor([nan, inf, -inf, 3e9, -3e9]), 0.5, 3, torch.qint8)
//   .int_repr() = [-128, -128, -128, 127, -128];
// torch.quantize_per_tensor(torch.tensor([1e30, -1e30, 1e19, 9e18]), 1.0, 3, torch.qint8)
//   .int_repr() = [-128, -128, -128, 127].
TEST(EdgePolicy, ConvertThenClampMatchesPyTorchOnX86) {
  const QuantizeParams half = int8(0.5f, 3);
  EXPECT_EQ(q(kNan, half, EdgePolicy::convert_then_clamp), -128);
  EXPECT_EQ(q(kInf, half, EdgePolicy::convert_then_clamp), -128);
  EXPECT_EQ(q(-kInf, half, EdgePolicy::convert_then_clamp), -128);
  EXPECT_EQ(q(3e9f, half, EdgePolicy::convert_then_clamp), 127);
  EXPECT_EQ(q(-3e9f, half, EdgePolicy::convert_then_clamp), -128);
  const QuantizeParams one = int8(1.0f, 3);
  EXPECT_EQ(q(1e30f, one, EdgePolicy::convert_then_clamp), -128);
  EXPECT_EQ(q(-1e30f, one, EdgePolicy::convert_then_clamp), -128);
  EXPECT_EQ(q(1e19f, one, EdgePolicy::convert_then_clamp), -128);
  EXPECT_EQ(q(9e18f, one, EdgePolicy::convert_then_clamp), 127);
  // The counterexample against the default: +inf and 1e19 give qmin, not qmax.
  EXPECT_NE(q(kInf, half, EdgePolicy::convert_then_clamp), q(kInf, half, EdgePolicy::spec));
}

// Q10.2, against the instructions: clamp in binary32 to [qmin - Z, qmax - Z] with
// maxps(x, lo) then minps(., hi) (x first), cvtps2dq, add Z.
TEST(EdgePolicy, ClampThenConvertMatchesTheSseInstructions) {
  const QuantizeParams p = int8(1.0f, 3);
  for (float x : {kNan, kInf, -kInf, 3e9f, -3e9f, 1e19f, 2.5f, -2.5f, 0.0f}) {
    const std::int64_t got = q(x, p, EdgePolicy::clamp_then_convert);
#if defined(__SSE2__)
    const __m128 lo = _mm_set1_ps(-128.0f - 3.0f), hi = _mm_set1_ps(127.0f - 3.0f);
    const __m128 clamped = _mm_min_ps(_mm_max_ps(_mm_set1_ps(x), lo), hi);
    const std::int64_t instructions = _mm_cvtsi128_si32(_mm_cvtps_epi32(clamped)) + 3;
    EXPECT_EQ(got, instructions) << x;
#endif
    if (!std::isnan(x)) EXPECT_EQ(got, q(x, p, EdgePolicy::spec)) << x;
  }
  EXPECT_EQ(q(kNan, p, EdgePolicy::clamp_then_convert), -128);  // spec gives Z = 3
}

// Q10.4, against the instructions of XNNPACK's f32->qs8 convert on x86
// (google/XNNPACK src/f32-qs8-vcvt/gen/f32-qs8-vcvt-avx512skx-x32.c, bb0d4ca1: t = x * scale,
// _mm512_min_ps(t, output_max_less_zero_point), _mm512_cvtps_epi32, saturating packs and adds of
// Z, _mm256_max_epi8 with qmin), written here with their SSE2 forms on one lane.
TEST(EdgePolicy, MinThenConvertMatchesXnnpacksConvertInstructions) {
  const QuantizeParams p = int8(1.0f, 3);
  for (float x : {kNan, kInf, -kInf, 3e9f, -3e9f, 1e19f, 2.5f, -2.5f, 0.0f, 200.0f, -200.0f}) {
    const std::int64_t got = q(x, p, EdgePolicy::min_then_convert);
#if defined(__SSE2__)
    const __m128 bounded = _mm_min_ps(_mm_set1_ps(x), _mm_set1_ps(127.0f - 3.0f));
    const __m128i converted = _mm_cvtps_epi32(bounded);
    const __m128i narrowed = _mm_adds_epi16(_mm_packs_epi32(converted, converted), _mm_set1_epi16(3));
    const __m128i bytes = _mm_packs_epi16(narrowed, narrowed);
    const auto lane = static_cast<std::int8_t>(_mm_cvtsi128_si32(bytes) & 0xFF);
    EXPECT_EQ(got, std::max<std::int64_t>(lane, -128)) << x;
#endif
    if (!std::isnan(x)) EXPECT_EQ(got, q(x, p, EdgePolicy::spec)) << x;
  }
  EXPECT_EQ(q(kNan, p, EdgePolicy::min_then_convert), 127);  // spec gives Z = 3
}

// Q10.5, against the instructions of TFLite's reference QUANTIZE on x86
// (tensorflow/tensorflow tensorflow/lite/kernels/internal/reference/quantize.h AffineQuantize:
// static_cast<int32>(TfLiteRound(val / scale)) + zero_point, then std::min / std::max): the
// conversion is cvttss2si (INT32_MIN for NaN, +-inf and values outside int32), the sum wraps.
// Measured with ai-edge-litert 2.3.0 (make interop, distinguish.json tcIds 42-46, S = 0.1f,
// Z = 1, int8): NaN, +inf, -inf, 3e39-ish and 3e9 quotients all gave -128.
TEST(EdgePolicy, Convert32ThenClampMatchesTfliteReferenceQuantize) {
  const QuantizeParams p = int8(0x1.99999ap-4f, 1);
  for (float x : {kNan, kInf, -kInf, 0x1.c363ccp+127f, 0x1.1e1a3p+28f}) {
    EXPECT_EQ(q(x, p, EdgePolicy::convert32_then_clamp), -128) << x;
  }
  QuantizeParams one = int8(1.0f, 3);
  one.rounding = Rounding::half_away;  // TfLiteRound
  for (float x : {kNan, kInf, -kInf, 3e9f, -3e9f, 5e9f, 2.5f, -2.5f, 200.0f, 2147483520.0f}) {
    const std::int64_t got = q(x, one, EdgePolicy::convert32_then_clamp);
#if defined(__SSE2__)
    const float rounded = std::round(x);  // TfLiteRound: half away (x / 1 is x)
    const std::int32_t converted = _mm_cvttss_si32(_mm_set_ss(rounded));
    const auto sum = static_cast<std::int32_t>(static_cast<std::uint32_t>(converted) + 3u);
    EXPECT_EQ(got, std::clamp<std::int64_t>(sum, -128, 127)) << x;
#endif
  }
  // The counterexamples against the default and against the int64 conversion (Q10.3): 3e9
  // fits int64 but not int32.
  EXPECT_EQ(q(3e9f, one, EdgePolicy::convert32_then_clamp), -128);
  EXPECT_EQ(q(5e9f, one, EdgePolicy::convert32_then_clamp), -128);  // not 5e9 wrapped to int32
  EXPECT_EQ(q(3e9f, one, EdgePolicy::convert_then_clamp), 127);
}

// Measured (session 14, AMD EPYC x86-64): the ONNX reference implementation, PyPI onnx 1.23.2
// (numpy 2.4.6) ReferenceEvaluator, QuantizeLinear opset 13, whose kernel casts
// np.rint(x / y_scale) to int32, adds the zero point in int32 and clips
// (onnx/reference/ops/op_quantize_linear.py _CommonQuantizeLinear._run). Published by running
// it; tools/interop/repro_onnx_reference_inf.py reproduces the +inf case.
TEST(EdgePolicy, Convert32ThenClampMatchesTheOnnxReferenceImplementation) {
  struct Measured {
    float x, scale;
    std::int32_t zero_point;
    bool is_unsigned;
    std::int64_t q;
  };
  for (const Measured& m : std::vector<Measured>{{kNan, 0x1.99999ap-4f, 1, false, -128},
                                                 {kInf, 0x1.99999ap-4f, 1, false, -128},
                                                 {-kInf, 0x1.99999ap-4f, 1, false, -128},
                                                 {3e9f, 1.0f, 0, false, -128},
                                                 {2147483520.0f, 1.0f, 100, false, 127},
                                                 {kInf, 0x1.99999ap-4f, 127, true, 0},
                                                 {kNan, 0x1.99999ap-4f, 127, true, 0},
                                                 {2147483520.0f, 1.0f, 255, true, 0},  // the int32 sum wraps
                                                 {1.55f, 0x1.99999ap-4f, 3, true, 18}}) {
    QuantizeParams p = QuantizeParams::for_dtype(m.is_unsigned ? DType::uint8 : DType::int8, m.scale, m.zero_point);
    p.division = Division::f32_divide;
    p.rounding = Rounding::half_even;
    EXPECT_EQ(q(m.x, p, EdgePolicy::convert32_then_clamp), m.q) << m.x << " Z " << m.zero_point;
  }
  // The documented saturation (Q2.4, the `spec` member) gives qmax for +inf.
  QuantizeParams p = int8(0x1.99999ap-4f, 1);
  p.division = Division::f32_divide;
  EXPECT_EQ(q(kInf, p, EdgePolicy::spec), 127);
}

TEST(EdgePolicy, NamesParseAndBadNamesAreRejected) {
  for (EdgePolicy p : all_edge_policies()) EXPECT_EQ(parse_edge_policy(name(p)), p);
  try {
    parse_edge_policy("arm", "--edge-policy");
    ADD_FAILURE() << "expected ParameterError";
  } catch (const ParameterError& e) {
    EXPECT_EQ(e.parameter(), "--edge-policy");
  }
}

}  // namespace
}  // namespace quantspec::ref
