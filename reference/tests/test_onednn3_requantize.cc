// SPEC Q20.3 oneDNN 3.x output stage (onednn3_requantize.hpp): the two scale orders differ on
// near-ties, the fast path equals the definition, the parameters are checked.
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <cmath>
#include <cstdint>

#include "quantspec/reference/errors.hpp"
#include "quantspec/reference/onednn3_requantize.hpp"

namespace quantspec::ref {
namespace {

OneDnn3RequantParams params(OneDnn3Order order, float ss, float sw, float sd, float b, std::int32_t z) {
  OneDnn3RequantParams p;
  p.order = order;
  p.src_scale = ss;
  p.wei_scale = sw;
  p.dst_scale = sd;
  p.bias = b;
  p.zero_point = z;
  return p;
}

// Found by a search over near-ties with numpy float32 (the steps of onednn3_requantize.hpp):
// acc = -1114945, Ssrc = 1/255, Swei = 0x1.24bff6p-9, Sdst = 0.15f, b = -0.359375, Zy = -2.
// brgemm's fl32(Ssrc*Swei) gives u = -69.4999924 -> -69; the reference's two products give
// u = -69.5, a tie, -> -70 (half even).
TEST(OneDnn3Requantize, ScaleOrdersDifferOnANearTie) {
  const float ss = 0x1.010102p-8f, sw = 0x1.24bff6p-9f, sd = 0x1.333334p-3f, b = -0x1.7p-2f;
  const auto brgemm = params(OneDnn3Order::brgemm, ss, sw, sd, b, -2);
  const auto reference = params(OneDnn3Order::reference, ss, sw, sd, b, -2);
  EXPECT_EQ(onednn3_requantize(Integer(-1114945), brgemm), -69);
  EXPECT_EQ(onednn3_requantize(Integer(-1114945), reference), -70);
  EXPECT_EQ(onednn3_requantize_fast(-1114945, brgemm), -69);
  EXPECT_EQ(onednn3_requantize_fast(-1114945, reference), -70);
  // 239449 with Ssrc = 0x1.47ae14p-6, Swei = 0x1.190cf4p-9, Sdst = 0.1f, b = -0.21875, Zy = -2:
  // brgemm u = 98.5 exactly -> 98; reference u = 98.5000153 -> 99.
  const auto b2 = params(OneDnn3Order::brgemm, 0x1.47ae14p-6f, 0x1.190cf4p-9f, 0x1.99999ap-4f, -0x1.cp-3f, -2);
  auto r2 = b2;
  r2.order = OneDnn3Order::reference;
  EXPECT_EQ(onednn3_requantize(Integer(239449), b2), 98);
  EXPECT_EQ(onednn3_requantize(Integer(239449), r2), 99);
}

// With Ssrc = Swei = 1 both orders are the oneDNN 2.6 function with s = fl32(1/Sdst) (SPEC
// Q20.3): acc = 5, b = 0.25, Sdst = 0.5, Zy = 1: fl32(5.25 * 2) + 1 = 11.5 -> 12 (half even).
TEST(OneDnn3Requantize, UnitSourceAndWeightScalesAreTheSingleScalePipeline) {
  for (OneDnn3Order order : {OneDnn3Order::brgemm, OneDnn3Order::reference}) {
    EXPECT_EQ(onednn3_requantize(Integer(5), params(order, 1.0f, 1.0f, 0.5f, 0.25f, 1)), 12);
  }
  // Clamps: 1000 * 1 / 0.5 = 2000 -> 127; a tiny Ssrc*Swei underflowing to 0 leaves b / Sdst.
  EXPECT_EQ(onednn3_requantize(Integer(1000), params(OneDnn3Order::brgemm, 1.0f, 1.0f, 0.5f, 0.0f, 0)), 127);
  EXPECT_EQ(onednn3_requantize(Integer(1000), params(OneDnn3Order::brgemm, 0x1p-80f, 0x1p-80f, 0.5f, 1.0f, 0)), 2);
}

TEST(OneDnn3Requantize, RejectsBadParametersNamingThem) {
  auto expect_rejects = [](OneDnn3RequantParams p, const char* parameter) {
    try {
      (void)onednn3_requantize(Integer(1), p);
      ADD_FAILURE() << "accepted, expected " << parameter;
    } catch (const ParameterError& e) {
      EXPECT_EQ(e.parameter(), parameter);
    }
    EXPECT_THROW((void)onednn3_requantize_fast(1, p), ParameterError);
  };
  const auto ok = params(OneDnn3Order::brgemm, 0.1f, 0.01f, 0.05f, 0.0f, 0);
  auto p = ok;
  p.src_scale = 0.0f;
  expect_rejects(p, "src_scale");
  p = ok;
  p.wei_scale = -1.0f;
  expect_rejects(p, "wei_scale");
  p = ok;
  p.dst_scale = 0x1p-140f;  // fl32(1/Sdst) overflows
  expect_rejects(p, "dst_scale");
  p = ok;
  p.bias = INFINITY;
  expect_rejects(p, "bias");
  p = ok;
  p.zero_point = 200;
  expect_rejects(p, "zero_point");
  p = ok;
  p.qmax = (1 << 24) + 1;
  expect_rejects(p, "qmax");
  EXPECT_EQ(parse_onednn3_order("reference"), OneDnn3Order::reference);
  EXPECT_THROW(parse_onednn3_order("ref"), ParameterError);
}

// Near-ties: acc chosen so that u is close to k + 1/2, where the orders and a contracted or
// reordered fast path would show.
RC_GTEST_PROP(OneDnn3RequantizeFast, EqualsDefinition, ()) {
  using namespace rc::gen;
  const float ss = *element(0.1f, 0.02f, 1.0f / 255.0f, 0.0123f, 0.3f, 1.0f, 0x1p-80f);
  const float sw = *map(inRange(1, 1 << 20), [](int k) { return static_cast<float>(k) * 0x1p-26f; });
  const float sd = *element(0.1f, 0.05f, 0.15f, 0.07f, 0.5f, 1e-3f);
  const float b = static_cast<float>(*inRange(-256, 257)) / 128.0f;
  const std::int32_t z = *inRange(-5, 6);
  const int k = *inRange(-140, 141);
  std::int64_t acc = *arbitrary<std::int32_t>();
  if (*arbitrary<bool>()) {
    const double target = ((k + 0.5 - z) * static_cast<double>(sd) - b) / (static_cast<double>(ss) * sw);
    if (std::fabs(target) < 2147483000.0) acc = static_cast<std::int64_t>(std::llround(target)) + *inRange(-2, 3);
  }
  const auto order = *element(OneDnn3Order::brgemm, OneDnn3Order::reference);
  const auto p = params(order, ss, sw, sd, b, z);
  const auto a = static_cast<std::int32_t>(std::max<std::int64_t>(INT32_MIN, std::min<std::int64_t>(INT32_MAX, acc)));
  RC_ASSERT(onednn3_requantize_fast(a, p) == onednn3_requantize(Integer(a), p).convert_to<std::int32_t>());
}

}  // namespace
}  // namespace quantspec::ref
