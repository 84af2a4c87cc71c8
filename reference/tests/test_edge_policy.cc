// Tests of SPEC.md Q10 (edge policies of quantize). Expected values: Q2.4 for `spec`; the
// x86 instructions themselves for `clamp_then_convert` (run here, SSE2); and PyTorch 1.13's
// quantize_per_tensor as measured on this machine for `convert_then_clamp` (cited per case).
#include <gtest/gtest.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <cmath>
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
