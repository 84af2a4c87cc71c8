// Tests of SPEC.md §Q17.7 (dynamic linear for the ABI variants): three executed examples whose
// expected values were derived independently with numpy binary32 arithmetic (the derivation is
// in the comments: one rounding per numpy float32 operation), the agreement with Q17.6 (the
// qnnpack model checked against torch) for pytorch_u8 without reduce_range, every rejected
// parameter, and the host fast path against the definition.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <cmath>
#include <cstring>
#include <vector>

#include "quantspec/reference/dynamic_linear.hpp"
#include "quantspec/reference/dynamic_pytorch.hpp"
#include "rejected_parameter.hpp"

namespace quantspec::ref {
namespace {

using testing::rejected_parameter;

// Example Q17.E3: x = the ONNX node test input (Example Q17.E1: S = 0x1.414142p-6, Z = 153,
// qx = [153, 255, 0, 26, 221, 179]); W row 0 = [1, -1, 2, 0, 3, 1], row 1 = [-128, 127, -128,
// 127, -128, 127]; Sw = [0.5, 0.0234375]; bias = [0.25, -1]. numpy float32: acc = [-178,
// 11007], D = [0x1.414142p-7, 0x1.e1e1e4p-12], product = [-0x1.bebec0p+0, 0x1.43bc3ep+2],
// out = [-0x1.7ebec0p+0, 0x1.03bc3ep+2].
TEST(Q17DynamicLinear, OnnxExampleByHand) {
  DynamicLinearInput in;
  in.activation = DynamicActivation::onnx_u8;
  in.m = 1, in.k = 6, in.n = 2;
  in.x = {0.0f, 2.0f, -3.0f, -2.5f, 1.34f, 0.5f};
  in.w = {1, -1, 2, 0, 3, 1, -128, 127, -128, 127, -128, 127};
  in.weight_scales = {0.5f, 0.0234375f};
  in.bias = {0.25f, -1.0f};
  const DynamicLinear r = dynamic_linear(in);
  EXPECT_EQ(hex_float(r.x_scales.at(0)), hex_float(0x1.414142p-6f));
  EXPECT_EQ(r.x_zero_points.at(0), 153);
  EXPECT_EQ(r.acc_int32, (std::vector<std::int32_t>{-178, 11007}));
  EXPECT_EQ(hex_float(r.dequant_scales.at(0)), hex_float(0x1.414142p-7f));
  EXPECT_EQ(hex_float(r.dequant_scales.at(1)), hex_float(0x1.e1e1e4p-12f));
  EXPECT_EQ(hex_float(r.product.at(0)), hex_float(-0x1.bebec0p+0f));
  EXPECT_EQ(hex_float(r.out.at(0)), hex_float(-0x1.7ebec0p+0f));
  EXPECT_EQ(hex_float(r.out.at(1)), hex_float(0x1.03bc3ep+2f));
}

// Example Q17.E4 (fl32(acc) before the multiply): symmetric_s8 per tensor, x = 1100 ones (Sx =
// fl32(1/127) = 0x1.020408p-7, qx = 127), W = -127 then 1099 times -128: acc = 127 * (-128 * 1099
// - 127) = -17881473 (odd, above 2^24: not a binary32), fl32(acc) = -17881472; Sw =
// 0x1.0669f2p-10, D = 0x1.087ae8p-17; numpy: out = fl32(fl32(acc) * D) = -0x1.19e34ap+7, while
// the exact acc * D rounded once is -0x1.19e34cp+7.
TEST(Q17DynamicLinear, AccumulatorRoundedToBinary32BeforeTheMultiply) {
  DynamicLinearInput in;
  in.activation = DynamicActivation::symmetric_s8;
  in.m = 1, in.k = 1100, in.n = 1;
  in.x.assign(1100, 1.0f);
  in.w.assign(1100, -128);
  in.w[0] = -127;
  in.weight_scales = {0x1.0669f2p-10f};
  const DynamicLinear r = dynamic_linear(in);
  EXPECT_EQ(r.acc_int32.at(0), -17881473);
  EXPECT_EQ(hex_float(r.acc_f32.at(0)), hex_float(-17881472.0f));
  EXPECT_EQ(hex_float(r.dequant_scales.at(0)), hex_float(0x1.087ae8p-17f));
  EXPECT_EQ(hex_float(r.out.at(0)), hex_float(-0x1.19e34ap+7f));
}

// Example Q17.E5 (pytorch_u8: Sx rounded to binary32 before D): x = [-1, 0.5, 2]: S =
// fl64(3 / 255) = 0x1.8181818181818p-7, fl32(S) = 0x1.818182p-7, Z = 85, fl32(1/fl32(S)) = 85,
// qx = [0, 127 (42.5 ties to 42), 255]; W = [3, -2, 1]: acc = -169; Sw = 0x1.fac5b4p-6: D =
// fl32(fl32(S) * Sw) = 0x1.7d91dap-12 (with the binary64 S: 0x1.7d91d8p-12); out = fl32(-169 *
// D) = -0x1.f7ca92p-5 (the binary64 S would give -0x1.f7ca90p-5).
TEST(Q17DynamicLinear, PytorchScaleRoundedToBinary32First) {
  DynamicLinearInput in;
  in.activation = DynamicActivation::pytorch_u8;
  in.m = 1, in.k = 3, in.n = 1;
  in.x = {-1.0f, 0.5f, 2.0f};
  in.w = {3, -2, 1};
  in.weight_scales = {0x1.fac5b4p-6f};
  const DynamicLinear r = dynamic_linear(in);
  EXPECT_EQ(hex_float(r.x_scales.at(0)), hex_float(0x1.818182p-7f));
  EXPECT_EQ(r.x_zero_points.at(0), 85);
  EXPECT_EQ(r.acc_int32.at(0), -169);
  EXPECT_EQ(hex_float(r.dequant_scales.at(0)), hex_float(0x1.7d91dap-12f));
  EXPECT_EQ(hex_float(r.out.at(0)), hex_float(-0x1.f7ca92p-5f));
}

// A product that rounds to zero keeps IEEE's sign: D = fl32(2^-149 * 2^-149) = +0, acc < 0.
TEST(Q17DynamicLinear, ZeroProductHasTheSignOfTheAccumulator) {
  DynamicLinearInput in;
  in.activation = DynamicActivation::symmetric_s8;
  in.per_row = true;
  in.scale_floor = 0x1p-149f;
  in.m = 2, in.k = 2, in.n = 1;
  in.x = {0x1p-140f, -0x1p-141f, 0.0f, 0.0f};  // row 0: Sx = fl32(2^-140 / 127); row 1: the floor
  in.w = {-5, 3};
  in.weight_scales = {0x1p-149f};
  const DynamicLinear r = dynamic_linear(in);
  EXPECT_EQ(r.acc_int32.at(0), -127 * 5 + -64 * 3);  // Sx row 0 = 2^-147: qx = [127 (128 clamped), -64]
  EXPECT_EQ(hex_float(r.out.at(0)), "-0x0p+0");
  EXPECT_EQ(hex_float(r.out.at(1)), "0x0p+0");  // acc = 0
}

float random_binary32_in(float magnitude) {
  const auto bits = *rc::gen::inRange<std::uint32_t>(0, 0x7F800000u);  // every finite >= 0
  float v;
  std::memcpy(&v, &bits, 4);
  return *rc::gen::arbitrary<bool>() ? -std::fmod(v, magnitude) : std::fmod(v, magnitude);
}

DynamicLinearInput random_input() {
  DynamicLinearInput in;
  in.activation = *rc::gen::element(DynamicActivation::onnx_u8, DynamicActivation::symmetric_s8,
                                    DynamicActivation::pytorch_u8);
  in.per_row = in.activation == DynamicActivation::symmetric_s8 && *rc::gen::arbitrary<bool>();
  in.reduce_range = *rc::gen::arbitrary<bool>();
  in.scale_floor = *rc::gen::element(0x1p-149f, 0x1p-20f, 1e-3f);
  in.m = *rc::gen::inRange<std::size_t>(1, 4);
  in.k = *rc::gen::element<std::size_t>(1, 2, 3, 5, 8, 9, 2200);
  in.n = *rc::gen::inRange<std::size_t>(1, 5);
  const float magnitude = *rc::gen::element(1e-30f, 1e-2f, 1.0f, 100.0f, 1e30f);
  // Extremes: x of one sign, W of one sign but for one element in 32, so that |acc| passes
  // 2^24 when k = 2200 (|qx - Zx| * |w| up to 255 * 128; symmetric: 127 * 128).
  const bool extremes = *rc::gen::arbitrary<bool>();
  const float x_sign = *rc::gen::element(1.0f, -1.0f);
  const int w_extreme = *rc::gen::element(-128, 127);
  for (std::size_t i = 0; i < in.m * in.k; ++i) {
    in.x.push_back(extremes ? x_sign * magnitude * *rc::gen::element(1.0f, 1.0f, 1.0f, 0.5f)
                            : random_binary32_in(magnitude));
  }
  for (std::size_t i = 0; i < in.n * in.k; ++i) {
    const bool flip = *rc::gen::inRange(0, 32) == 0;
    in.w.push_back(extremes ? static_cast<std::int8_t>(flip ? -1 - w_extreme : w_extreme)
                            : *rc::gen::arbitrary<std::int8_t>());
  }
  for (std::size_t j = 0; j < in.n; ++j) {
    in.weight_scales.push_back(*rc::gen::element(0x1p-149f, 0.015625f, 0.01f, 0.003f, 0.2f, 1e20f));
  }
  if (*rc::gen::arbitrary<bool>()) {
    for (std::size_t j = 0; j < in.n; ++j) in.bias.push_back(*rc::gen::element(0.0f, -0.0f, random_binary32_in(4.0f)));
  }
  return in;
}

RC_GTEST_PROP(Q17DynamicLinearFast, EqualsDefinition, ()) {
  const DynamicLinearInput in = random_input();
  DynamicLinear r;
  try {
    r = dynamic_linear(in);
  } catch (const ParameterError&) {
    RC_DISCARD("a rejected input (e.g. D infinite)");
  }
  const DynamicLinearFast fast = dynamic_linear_fast(in);
  bool big = false;
  for (auto a : r.acc_int32) big = big || a > (1 << 24) || a < -(1 << 24);
  RC_CLASSIFY(big);
  RC_ASSERT(fast.x_scales.size() == r.x_scales.size());
  for (std::size_t s = 0; s < r.x_scales.size(); ++s) {
    RC_ASSERT(hex_float(fast.x_scales[s]) == hex_float(r.x_scales[s]));
    RC_ASSERT(fast.x_zero_points[s] == r.x_zero_points[s]);
  }
  for (std::size_t i = 0; i < r.qx.size(); ++i) RC_ASSERT(Integer(fast.qx[i]) == r.qx[i]);
  RC_ASSERT(fast.out.size() == r.out.size());
  for (std::size_t i = 0; i < fast.out.size(); ++i) RC_ASSERT(hex_float(fast.out[i]) == hex_float(r.out[i]));
}

// pytorch_u8 without reduce_range is Q17.6 (the qnnpack Linear checked against torch) wherever
// Q17.6 accepts the input (it also rejects a D that is not normal).
RC_GTEST_PROP(Q17DynamicLinear, PytorchVariantIsTheQnnpackLinear, ()) {
  DynamicLinearInput in = random_input();
  in.activation = DynamicActivation::pytorch_u8;
  in.per_row = false;
  in.reduce_range = false;
  PytorchDynamicLinearInput q;
  q.x = in.x, q.m = in.m, q.k = in.k, q.n = in.n, q.w = in.w, q.weight_scales = in.weight_scales, q.bias = in.bias;
  PytorchDynamicLinear want;
  try {
    want = dynamic_linear_pytorch(q);
  } catch (const ParameterError&) {
    RC_DISCARD("Q17.6 rejects it");
  }
  const DynamicLinear got = dynamic_linear(in);
  for (std::size_t i = 0; i < got.out.size(); ++i) RC_ASSERT(hex_float(got.out[i]) == hex_float(want.out[i]));
}

TEST(Q17DynamicLinear, EveryRejectedParameterIsNamed) {
  const auto valid = [] {
    DynamicLinearInput in;
    in.activation = DynamicActivation::onnx_u8;
    in.m = 2, in.k = 2, in.n = 2;
    in.x = {1.0f, -2.0f, 0.5f, 3.0f};
    in.w = {1, 2, 3, 4};
    in.weight_scales = {0.5f, 0.25f};
    in.bias = {1.0f, 2.0f};
    return in;
  };
  ASSERT_NO_THROW(dynamic_linear(valid()));
  const auto rejected = [&](auto edit) {
    DynamicLinearInput in = valid();
    edit(in);
    return rejected_parameter([&] { dynamic_linear(in); });
  };
  EXPECT_EQ(rejected([](auto& in) { in.m = 0; in.x.clear(); }), "m");
  EXPECT_EQ(rejected([](auto& in) { in.k = 0; in.x.clear(); in.w.clear(); }), "k");
  EXPECT_EQ(rejected([](auto& in) { in.n = 0; in.w.clear(); in.weight_scales.clear(); in.bias.clear(); }), "n");
  EXPECT_EQ(rejected([](auto& in) { in.x.pop_back(); }), "x");
  EXPECT_EQ(rejected([](auto& in) { in.x[3] = NAN; }), "x");
  EXPECT_EQ(rejected([](auto& in) { in.x[0] = -INFINITY; }), "x");
  EXPECT_EQ(rejected([](auto& in) { in.x = {-3e38f, 3e38f, 0.0f, 0.0f}; }), "x");  // fl32(hi - lo) = inf
  EXPECT_EQ(rejected([](auto& in) { in.per_row = true; }), "per_row");
  EXPECT_EQ(rejected([](auto& in) { in.activation = DynamicActivation::pytorch_u8; in.per_row = true; }), "per_row");
  EXPECT_EQ(rejected([](auto& in) { in.activation = DynamicActivation::symmetric_s8; in.scale_floor = 0.0f; }),
            "scale_floor");
  EXPECT_EQ(rejected([](auto& in) { in.w.push_back(1); }), "w");
  EXPECT_EQ(rejected([](auto& in) { in.weight_scales.pop_back(); }), "weight_scales");
  EXPECT_EQ(rejected([](auto& in) { in.weight_scales[1] = 0.0f; }), "weight_scales");
  EXPECT_EQ(rejected([](auto& in) { in.weight_scales[0] = INFINITY; }), "weight_scales");
  EXPECT_EQ(rejected([](auto& in) { in.weight_scales[0] = 3e38f; in.x = {3e38f, 1, 1, 1}; }), "weight_scales");
  EXPECT_EQ(rejected([](auto& in) { in.bias.pop_back(); }), "bias");
  EXPECT_EQ(rejected([](auto& in) { in.bias[1] = NAN; }), "bias");
}

}  // namespace
}  // namespace quantspec::ref
