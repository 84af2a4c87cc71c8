// Tests of SPEC.md §Q14 (BatchNorm folding): values derived in the test (perfect squares where
// the square root is exact, midpoints built by hand), values published by running PyTorch
// 1.13, every rejected parameter, RapidCheck properties (identity fold, nearest binary32
// against a 400-bit evaluation, the PyTorch model against the host's IEEE arithmetic and
// within its stated bound), and a conv + BN layer folded, quantized and compared with the
// unfolded layer under the bound of Q14.6.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <boost/multiprecision/cpp_bin_float.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdint>
#include <cstring>
#include <limits>
#include <vector>

#include "rejected_parameter.hpp"
#include "quantspec/reference/bn_fold.hpp"
#include "quantspec/reference/linear.hpp"

namespace quantspec::ref {
namespace {

namespace mp = boost::multiprecision;
using Big = mp::number<mp::cpp_bin_float<400, mp::digit_base_2>, mp::et_off>;
using testing::rejected_parameter;
const float kInf = std::numeric_limits<float>::infinity();

Big big(const Rational& r) {
  return Big(mp::numerator(r)) / Big(mp::denominator(r));
}

// One channel, one weight: the smallest layer.
BatchNormLayer one_channel(float w, float b, float mean, float var, float eps, float gamma,
                           float beta, BnFoldLayer kind = BnFoldLayer::conv2d) {
  BatchNormLayer layer;
  layer.layer = kind;
  layer.out_channels = 1;
  layer.weight = {w};
  layer.bias = {b};
  layer.mean = {mean};
  layer.variance = {var};
  layer.gamma = {gamma};
  layer.beta = {beta};
  layer.eps = eps;
  return layer;
}

// var + eps = 3.75 + 0.25 = 4, sqrt = 2 exactly: W' = 3 * 1.5 / 2 = 2.25;
// B' = (1 - 0.5) * 1.5 / 2 + 0.25 = 0.625. Every step of the pytorch variant is exact too.
TEST(BnFold, PerfectSquareIsExactInBothVariants) {
  for (BnFoldVariant v : {BnFoldVariant::exact, BnFoldVariant::pytorch}) {
    const FoldedLayer f = fold_batch_norm(one_channel(3.0f, 1.0f, 0.5f, 3.75f, 0.25f, 1.5f, 0.25f), v);
    EXPECT_EQ(f.weight[0], 2.25f) << name(v);
    EXPECT_EQ(f.bias[0], 0.625f) << name(v);
    EXPECT_FALSE(f.weight_tie[0]);
  }
}

// Q14.2 exact ties: var + eps = 0.125 + 0.125 = 1/4, so 1/sqrt = 2 and W' = 2 * W * gamma.
// W = 1 + 2^-12, gamma = 1 + 2^-12: W * gamma = 1 + 2^-11 + 2^-24, so W' = 2 + 2^-10 + 2^-23,
// the midpoint of 2 + 2^-10 (significand 2^23 + 2^12, even) and the next binary32 (ulp 2^-22
// at exponent 1): the tie goes down to 2 + 2^-10.
// gamma = 1 + 3 * 2^-12: W * gamma = 1 + 2^-10 + 3 * 2^-24, W' = 2 + 2^-9 + 2^-22 + 2^-23, the
// midpoint of 2 + 2^-9 + 2^-22 (odd significand) and 2 + 2^-9 + 2^-21 (even): up.
TEST(BnFold, ExactTiesGoToEven) {
  const float w = 1.0f + 0x1p-12f;
  FoldedLayer down = fold_batch_norm(one_channel(w, 0, 0, 0.125f, 0.125f, 1.0f + 0x1p-12f, 0),
                                     BnFoldVariant::exact);
  EXPECT_EQ(down.weight[0], 2.0f + 0x1p-10f);
  EXPECT_TRUE(down.weight_tie[0]);
  FoldedLayer up = fold_batch_norm(one_channel(w, 0, 0, 0.125f, 0.125f, 1.0f + 0x3p-12f, 0),
                                   BnFoldVariant::exact);
  EXPECT_EQ(up.weight[0], 2.0f + 0x1p-9f + 0x1p-21f);
  EXPECT_TRUE(up.weight_tie[0]);
  // A bias tie: B' = beta + (B - mu) * gamma * 2 with B = 2^-24, mu = 0, gamma = 0.5,
  // beta = 1: 1 + 2^-24 is the midpoint of 1 (even significand) and 1 + 2^-23: down to 1.
  FoldedLayer bias_tie = fold_batch_norm(one_channel(1, 0x1p-24f, 0, 0.125f, 0.125f, 0.5f, 1.0f),
                                         BnFoldVariant::exact);
  EXPECT_EQ(bias_tie.bias[0], 1.0f);
  EXPECT_TRUE(bias_tie.bias_tie[0]);
}

// Q14.2: gamma = 0 folds to +0 weights and B' = beta; var = 0 with a tiny eps = 2^-148
// (a perfect square: sqrt = 2^-74) multiplies by 2^74.
TEST(BnFold, GammaZeroAndVarianceZero) {
  const FoldedLayer zero = fold_batch_norm(one_channel(-3.0f, 5.0f, 1.0f, 2.0f, 1e-5f, 0.0f, 0.75f),
                                           BnFoldVariant::exact);
  EXPECT_EQ(hex_float(zero.weight[0]), "0x0p+0");
  EXPECT_EQ(zero.bias[0], 0.75f);
  const FoldedLayer tiny = fold_batch_norm(one_channel(0.5f, 0, 0, 0.0f, 0x1p-148f, 1.0f, 0),
                                           BnFoldVariant::exact);
  EXPECT_EQ(tiny.weight[0], 0x1p73f);
}

// Q14.2: beyond binary32 the fold is +-inf (flagged) and the quantization refuses it.
TEST(BnFold, OverflowIsInfiniteAndNotQuantized) {
  const float big = std::numeric_limits<float>::max();
  const FoldedLayer f = fold_batch_norm(one_channel(big, 0, 0, 0.1875f, 0.0625f, -1.0f, 0),
                                        BnFoldVariant::exact);  // W' = -2 * FLT_MAX
  EXPECT_EQ(f.weight[0], -kInf);
  EXPECT_TRUE(f.any_non_finite);
  EXPECT_EQ(rejected_parameter([&] { quantize_folded(f, 1, {}); }), "folded_weight[0]");
  // Just below the overflow threshold FLT_MAX + ulp/2 = 2^128 - 2^103 the fold stays finite:
  // W' = FLT_MAX * 1 exactly.
  EXPECT_EQ(fold_batch_norm(one_channel(big, 0, 0, 0.75f, 0.25f, 1.0f, 0), BnFoldVariant::exact)
                .weight[0],
            big);
}

// Q14.2: the rounding of a + k/sqrt(v) is decided by exact comparisons: sqrt(2)'s binary32
// is 0x1.6a09e6p+0 (1.41421353816986083984375 < sqrt 2 = 1.41421356237..., and the next,
// 0x1.6a09e8p+0 = 1.41421365737915, is farther), written here from the decimal expansions.
TEST(BnFold, SquareRootOfTwoIsCorrectlyRounded) {
  EXPECT_EQ(round_to_binary32(SqrtForm{0, 2, 2}), 0x1.6a09e6p+0f);
  EXPECT_EQ(round_to_binary32(SqrtForm{0, -2, 2}), -0x1.6a09e6p+0f);
  EXPECT_EQ(compare(SqrtForm{0, 2, 2}, Rational(14142135, 10000000)), 1);
  EXPECT_EQ(compare(SqrtForm{0, 2, 2}, Rational(14142136, 10000000)), -1);
  EXPECT_EQ(compare(SqrtForm{1, 3, 9}, Rational(2)), 0);  // 1 + 3/3
  // Cancellation: 1 - 1/sqrt(1 + 2^-40), the difference of two nearly equal values.
  const float tiny = round_to_binary32(SqrtForm{1, -1, Rational(1) + pow2(-40)});
  // 1 - (1 + 2^-40)^(-1/2) = 2^-41 - (3/8) 2^-80 + ...: 2^-41 is 2^-39 of its ulp away, the
  // binary32 below it a whole 2^-65 away, so the result is 2^-41.
  EXPECT_EQ(tiny, 0x1p-41f);
  // A value that rounds to 0 keeps its sign; an exact 0 is +0.
  EXPECT_EQ(hex_float(round_to_binary32(SqrtForm{0, Rational(-1), pow2(400)})), "-0x0p+0");
  EXPECT_EQ(hex_float(round_to_binary32(SqrtForm{Rational(-1), 2, 4})), "0x0p+0");
}

// Example Q14.E1 (SPEC.md Q14.7): a linear layer [2 out, 2 in], eps = 2^-10.
// Channel 0: var + eps = 4 exactly, sigma = 2, gamma / sigma = 0.75: W' = [2.25, -0.9375],
// B' = (1 - 0.5) * 0.75 + 0.25 = 0.625, identical in both variants (every step exact).
// Channel 1: var + eps = 0.5 + 2^-10 = 513/1024, sigma irrational. W = 0.3f
// (0.300000011920928955078125): 0.3f / sigma = 0.42385037110311... lies below the midpoint
// 0x1.b205d5p-2 = 0.42385037243366..., so exact gives 0x1.b205d4p-2; pytorch: fl32(var + eps) =
// 0x1.008p-1, sqrt 0x1.6a645ep-1, rsqrt 0x1.69af86p+0 (= gamma * rsqrt, gamma = 1), and
// fl32(0.3f * 0x1.69af86p+0) = 0x1.b205d6p-2, one ulp above (PyTorch 1.13 prints the same,
// run here). W = -0.75: -1.0596258856520... -> -0x1.0f43a4p+0 in both; B' = 0.2f / sigma =
// 0.28256690705... -> 0x1.215938p-2 in both.
// Quantized (int8 narrow, symmetric per channel; Sx = 2^-6): Sw0 = fl32(2.25/127) =
// 0x1.22448ap-6, w_q = [127 (2.25/Sw0 = 126.99999), -53 (52.917)]; Sw1 = fl32(1.0596258640/127)
// = 0x1.11667p-7, w_q = [51 (50.80), -127]; b = R(B'/(Sx Sw)) = [2258 (2257.78), 2167 (2167.47)].
TEST(BnFoldExample, Q14E1LinearLayerBothVariants) {
  BatchNormLayer l;
  l.layer = BnFoldLayer::linear;
  l.out_channels = 2;
  l.weight = {3.0f, -1.25f, 0.3f, -0.75f};
  l.bias = {1.0f, 0.0f};
  l.mean = {0.5f, -0.2f};
  l.variance = {4.0f - 0x1p-10f, 0.5f};
  l.gamma = {1.5f, 1.0f};
  l.beta = {0.25f, 0.0f};
  l.eps = 0x1p-10f;
  const FoldedLayer e = fold_batch_norm(l, BnFoldVariant::exact);
  const FoldedLayer p = fold_batch_norm(l, BnFoldVariant::pytorch);
  EXPECT_EQ(e.weight, (std::vector<float>{2.25f, -0.9375f, 0x1.b205d4p-2f, -0x1.0f43a4p+0f}));
  EXPECT_EQ(p.weight, (std::vector<float>{2.25f, -0.9375f, 0x1.b205d6p-2f, -0x1.0f43a4p+0f}));
  EXPECT_EQ(e.bias, (std::vector<float>{0.625f, 0x1.215938p-2f}));
  EXPECT_EQ(p.bias, e.bias);
  const PytorchFoldChannel c1 = pytorch_fold_channel(BnFoldLayer::linear, 0.0f, -0.2f, 0.5f, 0x1p-10f, 1.0f, 0.0f);
  EXPECT_EQ(c1.variance_plus_eps, 0x1.008p-1f);
  EXPECT_EQ(c1.sqrt, 0x1.6a645ep-1f);
  EXPECT_EQ(c1.rsqrt, 0x1.69af86p+0f);
  BnFoldQuantization options;
  options.input_scale = 0x1p-6f;
  for (const FoldedLayer* f : {&e, &p}) {
    const QuantizedFoldedLayer q = quantize_folded(*f, 2, options);
    EXPECT_EQ(q.weight_params[0].scale, 0x1.22448ap-6f);
    EXPECT_EQ(q.weight_params[1].scale, 0x1.11667p-7f);
    EXPECT_EQ(q.weight_q, (std::vector<Integer>{127, -53, 51, -127}));
    EXPECT_EQ(q.bias_q[0].stored, 2258);
    EXPECT_EQ(q.bias_q[1].stored, 2167);
  }
}

// Q14.5: every rejected parameter is named.
TEST(BnFoldErrors, EveryRejectedParameterIsNamed) {
  const BatchNormLayer good = one_channel(1, 0, 0, 1, 1e-5f, 1, 0);
  auto with = [&](auto change) {
    BatchNormLayer l = good;
    change(l);
    return rejected_parameter([&] { fold_batch_norm(l, BnFoldVariant::exact); });
  };
  const float nan = std::numeric_limits<float>::quiet_NaN();
  EXPECT_EQ(with([](BatchNormLayer& l) { l.eps = 0.0f; }), "eps");
  EXPECT_EQ(with([](BatchNormLayer& l) { l.eps = -1e-5f; }), "eps");
  EXPECT_EQ(with([&](BatchNormLayer& l) { l.eps = nan; }), "eps");
  EXPECT_EQ(with([](BatchNormLayer& l) { l.variance = {-0x1p-149f}; }), "variance[0]");
  EXPECT_EQ(with([](BatchNormLayer& l) { l.variance = {kInf}; }), "variance[0]");
  EXPECT_EQ(with([](BatchNormLayer& l) { l.out_channels = 0; }), "out_channels");
  EXPECT_EQ(with([](BatchNormLayer& l) { l.out_channels = 2; }), "weight");
  EXPECT_EQ(with([](BatchNormLayer& l) { l.weight.clear(); }), "weight");
  EXPECT_EQ(with([](BatchNormLayer& l) { l.bias = {1, 2}; }), "bias");
  EXPECT_EQ(with([](BatchNormLayer& l) { l.mean.clear(); }), "mean");
  EXPECT_EQ(with([](BatchNormLayer& l) { l.variance = {1, 1}; }), "variance");
  EXPECT_EQ(with([](BatchNormLayer& l) { l.gamma.clear(); }), "gamma");
  EXPECT_EQ(with([](BatchNormLayer& l) { l.beta = {0, 0}; }), "beta");
  EXPECT_EQ(with([&](BatchNormLayer& l) { l.weight = {nan}; }), "weight[0]");
  EXPECT_EQ(with([](BatchNormLayer& l) { l.bias = {-kInf}; }), "bias[0]");
  EXPECT_EQ(with([&](BatchNormLayer& l) { l.mean = {nan}; }), "mean[0]");
  EXPECT_EQ(with([](BatchNormLayer& l) { l.gamma = {kInf}; }), "gamma[0]");
  EXPECT_EQ(with([&](BatchNormLayer& l) { l.beta = {nan}; }), "beta[0]");
  EXPECT_EQ(with([](BatchNormLayer&) {}), "<not rejected>");
  EXPECT_EQ(rejected_parameter([] { parse_bn_fold_variant("tflite"); }), "variant");
  EXPECT_EQ(rejected_parameter([] { parse_bn_fold_layer("conv3d"); }), "layer");
  BnFoldQuantization no_scale;
  no_scale.input_scale = 0.0f;
  EXPECT_EQ(rejected_parameter([&] {
              quantize_folded(fold_batch_norm(good, BnFoldVariant::exact), 1, no_scale);
            }),
            "input_scale");
}

// Q14.3: values published by running Debian's python3-torch 1.13.0a0 under /usr/bin/python3
// (x86-64, this machine): torch.nn.utils.fusion.fuse_conv_bn_weights and
// fuse_linear_bn_weights on one channel, eps = 1e-5 (a Python float), printed with
// float.hex(). See reference/measure/pytorch_bn_fold.py.
struct PublishedFold {
  BnFoldLayer layer;
  float w, b, mean, var, gamma, beta;
  float torch_w, torch_b;
};

TEST(BnFoldPublished, PytorchFusionFunctions) {
  const PublishedFold cases[] = {
#include "bn_fold_pytorch_published.inc"
  };
  for (const PublishedFold& c : cases) {
    const FoldedLayer f =
        fold_batch_norm(one_channel(c.w, c.b, c.mean, c.var, 1e-5f, c.gamma, c.beta, c.layer),
                        BnFoldVariant::pytorch);
    EXPECT_EQ(hex_float(f.weight[0]), hex_float(c.torch_w)) << name(c.layer) << " w " << hex_float(c.w);
    EXPECT_EQ(hex_float(f.bias[0]), hex_float(c.torch_b)) << name(c.layer) << " w " << hex_float(c.w);
  }
}

// --- properties ---------------------------------------------------------------------------

float from_bits(std::uint32_t bits) {
  float f;
  std::memcpy(&f, &bits, sizeof f);
  return f;
}

// A finite binary32 with a random significand and an exponent in [-e, e].
float moderate(std::uint32_t bits, int e) {
  const int exponent = static_cast<int>((bits >> 23) % (2 * e + 1)) - e;
  const float significand = 1.0f + static_cast<float>(bits & 0x7fffff) * 0x1p-23f;
  const float magnitude = std::ldexp(significand, exponent);
  return (bits >> 31) ? -magnitude : magnitude;
}

// Q14.2: gamma = sqrt(var + eps), mu = 0, beta = 0 is the identity. s has 8 significant bits,
// so s^2 has at most 16; eps = s^2 * 2^-j and var = s^2 - eps are exact binary32 for j <= 8.
RC_GTEST_PROP(BnFoldProperties, GammaEqualToSigmaIsTheIdentity,
              (std::uint8_t s_bits, std::int8_t s_exp, std::uint8_t j_raw, std::uint32_t w_bits,
               std::uint32_t b_bits)) {
  const float s = std::ldexp(1.0f + static_cast<float>(s_bits & 0x7f) / 128.0f, s_exp % 40);
  const int j = 1 + j_raw % 8;
  const float eps = std::ldexp(s * s, -j);
  const float var = s * s - eps;
  RC_ASSERT(static_cast<double>(var) + eps == static_cast<double>(s) * s);
  const float w = moderate(w_bits, 60);
  const float b = moderate(b_bits, 60);
  const FoldedLayer f = fold_batch_norm(one_channel(w, b, 0, var, eps, s, 0), BnFoldVariant::exact);
  RC_ASSERT(f.weight[0] == w);
  RC_ASSERT(f.bias[0] == b);
}

// Q14.2: the exact fold is the binary32 nearest to a 400-bit evaluation of the formula (an
// independent computation: it takes the square root instead of comparing squares).
RC_GTEST_PROP(BnFoldProperties, ExactIsNearestToHighPrecision,
              (std::uint32_t w_bits, std::uint32_t b_bits, std::uint32_t m_bits,
               std::uint32_t v_bits, std::uint32_t g_bits, std::uint32_t beta_bits,
               std::uint32_t e_bits)) {
  const float w = moderate(w_bits, 40), b = moderate(b_bits, 20), mean = moderate(m_bits, 20);
  const float var = std::fabs(moderate(v_bits, 30)), gamma = moderate(g_bits, 10);
  const float beta = moderate(beta_bits, 20), eps = std::fabs(moderate(e_bits, 30));
  const FoldedLayer f =
      fold_batch_norm(one_channel(w, b, mean, var, eps, gamma, beta), BnFoldVariant::exact);
  const Big sigma = sqrt(big(exact(var) + exact(eps)));
  const Big weight = big(exact(w) * exact(gamma)) / sigma;
  const Big bias = big(exact(beta)) + big((exact(b) - exact(mean)) * exact(gamma)) / sigma;
  for (auto [result, value] : {std::pair{f.weight[0], weight}, std::pair{f.bias[0], bias}}) {
    RC_ASSERT(std::isfinite(result));
    const Big here = abs(big(exact(result)) - value);
    for (float neighbour : {std::nextafter(result, -kInf), std::nextafter(result, kInf)}) {
      if (std::isfinite(neighbour)) RC_ASSERT(here <= abs(big(exact(neighbour)) - value));
    }
  }
}

// The expressions of torch/nn/utils/fusion.py on the host's IEEE binary32 arithmetic
// (volatile: each operation is one rounded binary32 operation, as ATen's kernels run them).
struct HostFold {
  float w, b;
};
HostFold host_pytorch(BnFoldLayer layer, float w, float b, float mean, float var, float eps,
                      float gamma, float beta) {
  volatile float s = var + eps;
  volatile float root = std::sqrt(s);
  volatile float rsqrt = 1.0f / root;
  volatile float scale = gamma * rsqrt;
  volatile float fw = w * scale;
  volatile float centred = b - mean;
  float fb;
  if (layer == BnFoldLayer::conv2d) {
    volatile float t = centred * rsqrt;
    volatile float u = t * gamma;
    fb = u + beta;
  } else {
    volatile float t = centred * scale;
    fb = t + beta;
  }
  return {fw, fb};
}

// Q14.3: the pytorch model is the host's arithmetic bit for bit, including overflow to inf,
// inf * 0 = NaN and subnormal intermediates (raw bit patterns cover the whole range).
RC_GTEST_PROP(BnFoldProperties, PytorchModelEqualsHostArithmetic,
              (std::uint32_t w_bits, std::uint32_t b_bits, std::uint32_t m_bits,
               std::uint32_t v_bits, std::uint32_t g_bits, std::uint32_t beta_bits,
               std::uint32_t e_bits, bool linear, bool raw)) {
  float w, b, mean, var, gamma, beta, eps;
  if (raw) {
    w = from_bits(w_bits), b = from_bits(b_bits), mean = from_bits(m_bits);
    var = std::fabs(from_bits(v_bits)), gamma = from_bits(g_bits), beta = from_bits(beta_bits);
    eps = std::fabs(from_bits(e_bits));
    RC_PRE(std::isfinite(w) && std::isfinite(b) && std::isfinite(mean) && std::isfinite(var) &&
           std::isfinite(gamma) && std::isfinite(beta) && std::isfinite(eps) && eps > 0.0f);
  } else {
    w = moderate(w_bits, 30), b = moderate(b_bits, 10), mean = moderate(m_bits, 10);
    var = std::fabs(moderate(v_bits, 20)), gamma = moderate(g_bits, 5);
    beta = moderate(beta_bits, 10), eps = std::ldexp(1.0f, -static_cast<int>(e_bits % 30));
  }
  const BnFoldLayer layer = linear ? BnFoldLayer::linear : BnFoldLayer::conv2d;
  const FoldedLayer f =
      fold_batch_norm(one_channel(w, b, mean, var, eps, gamma, beta, layer), BnFoldVariant::pytorch);
  const HostFold host = host_pytorch(layer, w, b, mean, var, eps, gamma, beta);
  RC_ASSERT(hex_float(f.weight[0]) == hex_float(host.w));
  RC_ASSERT(hex_float(f.bias[0]) == hex_float(host.b));
}

// Q14.3 bound: away from underflow and overflow, the pytorch W' is within 4.5 * 2^-24 * |W'|
// (relative) of the real fold W * gamma / sqrt(var + eps) (five roundings, the square root's
// counting half), and B' within 5.5 * 2^-24 * |p| + 2^-24 * |B'| of it, p = (B - mu) gamma / sigma
// (the product term's roundings, then the final addition); second-order terms are covered by
// the factor 1.001.
RC_GTEST_PROP(BnFoldProperties, PytorchWithinItsStatedBound,
              (std::uint32_t w_bits, std::uint32_t b_bits, std::uint32_t m_bits,
               std::uint32_t v_bits, std::uint32_t g_bits, std::uint32_t beta_bits,
               std::uint8_t e_exp, bool linear)) {
  const float w = moderate(w_bits, 20), b = moderate(b_bits, 10), mean = moderate(m_bits, 10);
  const float var = std::fabs(moderate(v_bits, 20)), gamma = moderate(g_bits, 5);
  const float beta = moderate(beta_bits, 10), eps = std::ldexp(1.0f, -(e_exp % 30));
  const BnFoldLayer layer = linear ? BnFoldLayer::linear : BnFoldLayer::conv2d;
  const FoldedLayer f =
      fold_batch_norm(one_channel(w, b, mean, var, eps, gamma, beta, layer), BnFoldVariant::pytorch);
  const Big u = Big(1) / Big(16777216);
  const Big sigma = sqrt(big(exact(var) + exact(eps)));
  const Big weight = big(exact(w) * exact(gamma)) / sigma;
  const Big product = big((exact(b) - exact(mean)) * exact(gamma)) / sigma;
  const Big bias = big(exact(beta)) + product;
  RC_ASSERT(abs(big(exact(f.weight[0])) - weight) <= Big(1.001) * Big(4.5) * u * abs(weight));
  RC_ASSERT(abs(big(exact(f.bias[0])) - bias) <=
            Big(1.001) * (Big(5.5) * u * abs(product) + u * abs(bias)));
}

// --- folded, quantized conv + BN against the unfolded float layer (Q14.6) ------------------

// A deterministic generator (no library distribution: the values must not depend on the
// standard library's implementation).
struct Lcg {
  std::uint64_t state;
  std::int64_t next(std::int64_t lo, std::int64_t hi) {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    return lo + static_cast<std::int64_t>((state >> 33) % static_cast<std::uint64_t>(hi - lo + 1));
  }
};

struct ConvBnCase {
  Conv2DData conv;  // x (NHWC), W (OHWI), B
  BatchNormLayer bn;
  float input_scale;
};

ConvBnCase conv_bn_case(bool input_on_grid) {
  ConvBnCase c;
  Lcg rng{42};
  Conv2DGeometry& g = c.conv.geometry;
  g.height = 4, g.width = 4, g.in_channels = 2, g.out_channels = 3, g.kernel_h = 3, g.kernel_w = 3;
  g.pad_top = g.pad_bottom = g.pad_left = g.pad_right = 1;
  c.input_scale = 0x1p-5f;
  for (std::size_t i = 0; i < 4 * 4 * 2; ++i) {
    const float k = static_cast<float>(rng.next(-100, 100));
    // On the grid: x = k * Sx; off the grid: x = k * 0.0301 (a generic binary32).
    c.conv.x.push_back(input_on_grid ? k * c.input_scale : k * 0.0301f);
  }
  for (std::size_t i = 0; i < 3 * 3 * 3 * 2; ++i) {
    c.conv.w.push_back(static_cast<float>(rng.next(-1000, 1000)) * 0.00037f);
  }
  c.conv.bias = {0.3f, -0.07f, 0.0f};
  c.bn.layer = BnFoldLayer::conv2d;
  c.bn.out_channels = 3;
  c.bn.weight = c.conv.w;
  c.bn.bias = c.conv.bias;
  c.bn.mean = {0.11f, -0.4f, 0.02f};
  c.bn.variance = {0.37f, 2.5f, 0.0f};  // channel 2: var = 0, only eps remains
  c.bn.gamma = {1.3f, -0.6f, 0.05f};
  c.bn.beta = {-0.2f, 0.45f, 0.01f};
  c.bn.eps = 1e-5f;
  return c;
}

// The unfolded layer in real arithmetic: y = gamma (conv(x, W) + B - mu) / sqrt(var + eps) +
// beta, conv with padding 1 (NHWC output index (oh * 4 + ow) * 3 + o).
Big unfolded(const ConvBnCase& c, std::size_t oh, std::size_t ow, std::size_t o, float eps_used) {
  Rational acc = exact(c.conv.bias[o]);
  for (std::size_t kh = 0; kh < 3; ++kh) {
    for (std::size_t kw = 0; kw < 3; ++kw) {
      const std::int64_t ih = static_cast<std::int64_t>(oh + kh) - 1;
      const std::int64_t iw = static_cast<std::int64_t>(ow + kw) - 1;
      if (ih < 0 || iw < 0 || ih >= 4 || iw >= 4) continue;
      for (std::size_t ci = 0; ci < 2; ++ci) {
        acc += exact(c.conv.x[(ih * 4 + iw) * 2 + ci]) * exact(c.conv.w[((o * 3 + kh) * 3 + kw) * 2 + ci]);
      }
    }
  }
  const Big sigma = sqrt(big(exact(c.bn.variance[o]) + exact(eps_used)));
  return big(exact(c.bn.gamma[o]) * (acc - exact(c.bn.mean[o]))) / sigma + big(exact(c.bn.beta[o]));
}

// Q14.6: E[o] = sum over the window of |x|·(Sw/2 + u|W'|) + |w_hat|·|x - x_hat| + Sb/2 + u|B'|,
// u = 2^-24 (the exact fold's own rounding; u|W'| uses the binary32 W' enlarged by 2^-23).
struct Measured {
  Big worst_ratio = 0;  // max over outputs of error / bound
  bool within = true;
};

Measured measure(const ConvBnCase& c, const FoldedLayer& folded, float eps_for_reference) {
  BnFoldQuantization options;
  options.input_scale = c.input_scale;
  const QuantizedFoldedLayer q = quantize_folded(folded, 3, options);
  Conv2DData data = c.conv;
  data.w = folded.weight;
  data.bias = folded.bias;
  LinearQuantization lq;
  lq.input = TensorQuantization{DType::int8, false, {c.input_scale}, {0}};
  lq.weights.dtype = DType::int8;
  lq.weights.narrow_range = true;
  for (const auto& p : q.weight_params) {
    lq.weights.scales.push_back(p.scale);
    lq.weights.zero_points.push_back(p.zero_point);
  }
  lq.output = TensorQuantization{DType::int8, false, {0x1p-3f}, {0}};
  const LinearTrace trace = conv2d_traced(data, lq);
  const Big u = Big(1) / Big(16777216);
  Measured m;
  for (const OutputTrace& out : trace.outputs) {
    const std::size_t o = out.channel;
    const std::size_t pos = out.index / 3;
    const std::size_t oh = pos / 4, ow = pos % 4;
    EXPECT_EQ(trace.bias[o].stored, q.bias_q[o].stored);  // Q9's bias step = Q14.4's
    const Big sw = big(exact(q.weight_params[o].scale));
    Big bound = big(trace.bias[o].bias_scale) / 2 +
                u * (1 + 2 * u) * abs(big(exact(folded.bias[o])));
    for (std::size_t kh = 0; kh < 3; ++kh) {
      for (std::size_t kw = 0; kw < 3; ++kw) {
        const std::int64_t ih = static_cast<std::int64_t>(oh + kh) - 1;
        const std::int64_t iw = static_cast<std::int64_t>(ow + kw) - 1;
        if (ih < 0 || iw < 0 || ih >= 4 || iw >= 4) continue;
        for (std::size_t ci = 0; ci < 2; ++ci) {
          const std::size_t xi = (ih * 4 + iw) * 2 + ci;
          const std::size_t wi = ((o * 3 + kh) * 3 + kw) * 2 + ci;
          const Big x = big(exact(c.conv.x[xi]));
          const Big x_hat = big(Rational(trace.x_q[xi]) * exact(c.input_scale));
          const Big w_hat = big(Rational(trace.w_q[wi]) * exact(q.weight_params[o].scale));
          bound += abs(x) * (sw / 2 + u * (1 + 2 * u) * abs(big(exact(folded.weight[wi])))) +
                   abs(w_hat) * abs(x - x_hat);
        }
      }
    }
    const Big error = abs(big(out.float_result) - unfolded(c, oh, ow, o, eps_for_reference));
    if (error > bound) m.within = false;
    if (error / bound > m.worst_ratio) m.worst_ratio = error / bound;
  }
  return m;
}

TEST(BnFoldLayerBound, FoldedThenQuantizedConvStaysWithinTheStatedBound) {
  for (bool on_grid : {true, false}) {
    const ConvBnCase c = conv_bn_case(on_grid);
    const Measured m = measure(c, fold_batch_norm(c.bn, BnFoldVariant::exact), c.bn.eps);
    EXPECT_TRUE(m.within) << "on_grid " << on_grid << " worst " << m.worst_ratio;
    std::printf("inputs %s the grid: worst error / bound = %.3f\n", on_grid ? "on" : "off",
                static_cast<double>(m.worst_ratio));
    // Not vacuous: the worst output uses a good part of its bound.
    EXPECT_GT(m.worst_ratio, Big(0.05)) << "on_grid " << on_grid;
  }
}

// The test can fail: compared with an unfolded layer whose eps is 0.01 instead of the 1e-5 the
// fold used (channel 2 has var = 0, so its 1/sigma differs 30-fold), the bound is left.
TEST(BnFoldLayerBound, AWrongFoldLeavesTheBound) {
  const ConvBnCase c = conv_bn_case(true);
  const Measured m = measure(c, fold_batch_norm(c.bn, BnFoldVariant::exact), 0.01f);
  EXPECT_FALSE(m.within);
}

}  // namespace
}  // namespace quantspec::ref

namespace quantspec::ref {
namespace {

// Ordered distance in binary32 steps between two finite floats (adjacent floats are 1 apart,
// across zero too: +0 and -0 are 0 apart).
std::int64_t ulps_between(float a, float b) {
  auto key = [](float f) {
    std::int32_t i;
    std::memcpy(&i, &f, sizeof i);
    return i < 0 ? -static_cast<std::int64_t>(i & 0x7fffffff) : static_cast<std::int64_t>(i);
  };
  const std::int64_t d = key(a) - key(b);
  return d < 0 ? -d : d;
}

// A binary32 with a random 23-bit significand and an exponent in [lo, hi].
float generic(Lcg& rng, int lo, int hi, bool positive = false) {
  const float significand = 1.0f + static_cast<float>(rng.next(0, (1 << 23) - 1)) * 0x1p-23f;
  const float magnitude = std::ldexp(significand, static_cast<int>(rng.next(lo, hi)));
  return positive || rng.next(0, 1) == 0 ? magnitude : -magnitude;
}

// Q14.3 measured: the pytorch fold against the exact fold over a deterministic sweep of
// realistic parameters (eps = 1e-5f; var in [2^-14, 2^4); gamma, |W|, |B|, |mu|, |beta| over
// several binades): 4000 channels, 4 weights each, both layer kinds for the bias. SPEC.md Q14.3
// states these counts; the test keeps them from drifting.
TEST(BnFoldPytorch, SweepAgainstExactAsStated) {
  Lcg rng{2026};
  std::int64_t weight_hist[4] = {0, 0, 0, 0};  // 0, 1, 2, >= 3 ulps
  std::int64_t bias_hist[2][4] = {{0, 0, 0, 0}, {0, 0, 0, 0}};
  std::int64_t bias_max[2] = {0, 0};
  for (int channel = 0; channel < 4000; ++channel) {
    BatchNormLayer layer;
    layer.out_channels = 1;
    for (int j = 0; j < 4; ++j) layer.weight.push_back(generic(rng, -8, 0));
    layer.bias = {generic(rng, -6, 0)};
    layer.mean = {generic(rng, -6, 1)};
    layer.variance = {generic(rng, -14, 3, true)};
    layer.gamma = {generic(rng, -3, 1)};
    layer.beta = {generic(rng, -6, 0)};
    layer.eps = 1e-5f;
    const FoldedLayer exact_fold = fold_batch_norm(layer, BnFoldVariant::exact);
    for (int kind = 0; kind < 2; ++kind) {
      layer.layer = kind == 0 ? BnFoldLayer::conv2d : BnFoldLayer::linear;
      const FoldedLayer torch_fold = fold_batch_norm(layer, BnFoldVariant::pytorch);
      if (kind == 0) {
        for (int j = 0; j < 4; ++j) {
          ++weight_hist[std::min<std::int64_t>(3, ulps_between(exact_fold.weight[j], torch_fold.weight[j]))];
        }
      }
      const std::int64_t d = ulps_between(exact_fold.bias[0], torch_fold.bias[0]);
      ++bias_hist[kind][std::min<std::int64_t>(3, d)];
      bias_max[kind] = std::max(bias_max[kind], d);
    }
  }
  std::printf("weights: %lld same, %lld 1 ulp, %lld 2 ulps, %lld >= 3\n",
              (long long)weight_hist[0], (long long)weight_hist[1], (long long)weight_hist[2],
              (long long)weight_hist[3]);
  for (int kind = 0; kind < 2; ++kind) {
    std::printf("bias %s: %lld same, %lld 1 ulp, %lld 2 ulps, %lld >= 3, max %lld\n",
                kind == 0 ? "conv2d" : "linear", (long long)bias_hist[kind][0],
                (long long)bias_hist[kind][1], (long long)bias_hist[kind][2],
                (long long)bias_hist[kind][3], (long long)bias_max[kind]);
  }
  EXPECT_EQ(weight_hist[0], 9039);
  EXPECT_EQ(weight_hist[1], 6650);
  EXPECT_EQ(weight_hist[2], 311);
  EXPECT_EQ(weight_hist[3], 0);
  EXPECT_EQ(bias_hist[0][0], 2157);
  EXPECT_EQ(bias_hist[0][1], 1530);
  EXPECT_EQ(bias_hist[0][2], 215);
  EXPECT_EQ(bias_hist[0][3], 98);
  EXPECT_EQ(bias_max[0], 198);
  EXPECT_EQ(bias_hist[1][0], 2141);
  EXPECT_EQ(bias_hist[1][1], 1523);
  EXPECT_EQ(bias_hist[1][2], 231);
  EXPECT_EQ(bias_hist[1][3], 105);
  EXPECT_EQ(bias_max[1], 198);
}

}  // namespace
}  // namespace quantspec::ref
