// SPEC.md Q16.3: TensorFlow's min/max gradients. Expected values: measured with TensorFlow
// (tensorflow-cpu 2.21.0 from PyPI, this x86-64 machine,
// reference/measure/tensorflow_min_max_grad_values.py, hex floats), or derived in the test.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <vector>

#include "quantspec/reference/errors.hpp"
#include "quantspec/reference/fake_quant_tf_grad.hpp"
#include "rejected_parameter.hpp"

#define EXPECT_REJECTS_PARAMETER(call, parameter) \
  EXPECT_EQ(::quantspec::ref::testing::rejected_parameter([&] { (void)(call); }), parameter)

namespace quantspec::ref {
namespace {

std::vector<std::uint32_t> bits_of(const std::vector<float>& values) {
  std::vector<std::uint32_t> out;
  for (float v : values) {
    std::uint32_t b;
    std::memcpy(&b, &v, sizeof b);
    out.push_back(b);
  }
  return out;
}

TfFakeQuantParams vars(float min, float max, int num_bits = 8, bool narrow_range = false) {
  TfFakeQuantParams p;
  p.min = min;
  p.max = max;
  p.num_bits = num_bits;
  p.narrow_range = narrow_range;
  p.op = TfFakeQuantOp::with_min_max_vars;
  return p;
}

struct TensorflowCase {
  const char* name;
  std::vector<float> x, dy;
  std::vector<TfFakeQuantParams> params;
  std::vector<float> dx, d_min, d_max;  // measured
};

TfFakeQuantParams per_channel(float min, float max) {
  TfFakeQuantParams p = vars(min, max);
  p.op = TfFakeQuantOp::with_min_max_vars_per_channel;
  return p;
}

const std::vector<TensorflowCase>& measured_cases() {
  static const std::vector<TensorflowCase> cases = {
      {"boundaries",
       {-20.0f, 12.75f, 0.3f, NAN, INFINITY, -INFINITY, -12.8f, 12.7f},
       {1.0f, -2.0f, 3.0f, 4.0f, -0.5f, 5.0f, 0.25f, -0.75f},
       {vars(-12.8f, 12.7f)},
       {0x0.0p+0f, -0x0.0p+0f, 0x1.8p+1f, 0x0.0p+0f, -0x0.0p+0f, 0x0.0p+0f, 0x1.0p-2f, -0x1.8p-1f},
       {0x1.8p+2f},
       {-0x1.4p+1f}},
      {"min_above_zero",
       {-0.5f, 0.0f, 1.0f, 10.0f},
       {1.0f, 2.0f, 4.0f, 8.0f},
       {vars(2.0f, 10.0f)},
       {0x0.0p+0f, 0x1.0p+1f, 0x1.0p+2f, 0x0.0p+0f},
       {0x1.0p+0f},
       {0x1.0p+3f}},
      {"all_zero",
       {-1.0f, 0.0f, 3.0f},
       {1.5f, -2.0f, 0.5f},
       {vars(0.0f, 0.0f)},
       {0x1.8p+0f, -0x1.0p+1f, 0x1.0p-1f},
       {0x0.0p+0f},
       {0x0.0p+0f}},
      {"narrow_4bit",
       {-1.2f, -1.0f, 0.99f, 1.1f},
       {1.0f, 2.0f, 4.0f, 8.0f},
       {vars(-1.0f, 1.0f, 4, true)},
       {0x0.0p+0f, 0x1.0p+1f, 0x1.0p+2f, 0x0.0p+0f},
       {0x1.0p+0f},
       {0x1.0p+3f}},
      {"per_channel",  // shape (3, 2): channel = i mod 2
       {-2.0f, 0.75f, 0.5f, 3.0f, -0.25f, -1.0f},
       {1.0f, 2.0f, 4.0f, 8.0f, 16.0f, 32.0f},
       {per_channel(-1.0f, 1.0f), per_channel(0.5f, 2.0f)},
       {0x0.0p+0f, 0x1.0p+1f, 0x1.0p+2f, 0x0.0p+0f, 0x1.0p+4f, 0x0.0p+0f},
       {0x1.0p+0f, 0x1.0p+5f},
       {0x0.0p+0f, 0x1.0p+3f}},
  };
  return cases;
}

TEST(TensorflowMinMaxGrad, TensorflowMeasuredValues) {
  for (const TensorflowCase& c : measured_cases()) {
    SCOPED_TRACE(c.name);
    const TfMinMaxGradient g = tensorflow_min_max_gradient(c.x, c.dy, c.params);
    EXPECT_EQ(bits_of(g.dx), bits_of(c.dx));  // the sign of each zero too
    ASSERT_EQ(g.d_min.size(), c.d_min.size());
    for (std::size_t ch = 0; ch < c.d_min.size(); ++ch) {
      // Every measured sum here is exact in binary32 (few terms, powers of two or short
      // fractions), so the exact sum must equal TensorFlow's.
      EXPECT_EQ(g.d_min[ch], exact(c.d_min[ch])) << "channel " << ch;
      EXPECT_EQ(g.d_max[ch], exact(c.d_max[ch])) << "channel " << ch;
    }
  }
}

// Derived: the boundaries are the nudged range, both inclusive. [2, 10] is nudged to
// [0, 255 * fl32(8/255)], so x = 1 (below the given min) passes and x = 0 is on the boundary;
// [-12.8f, 12.7f] is its own nudged range, so x = -12.8f and 12.7f pass and 12.75f does not.
TEST(TensorflowMinMaxGrad, BoundariesAreTheNudgedRangeBothInclusive) {
  const TfNudged n = tf_nudge(vars(2.0f, 10.0f));
  EXPECT_EQ(n.nudged_min, 0.0f);
  EXPECT_EQ(tensorflow_min_max_grad(0.0f, 1.0f, vars(2.0f, 10.0f)).region, GridRegion::inside);
  EXPECT_EQ(tensorflow_min_max_grad(1.0f, 1.0f, vars(2.0f, 10.0f)).region, GridRegion::inside);
  const TfMinMaxGradTerms just_below =
      tensorflow_min_max_grad(-0x1p-149f, -3.0f, vars(2.0f, 10.0f));
  EXPECT_EQ(just_below.region, GridRegion::below);
  EXPECT_EQ(just_below.d_min, -3.0f);
  EXPECT_TRUE(std::signbit(just_below.dx));  // -3 * 0.0f = -0
  EXPECT_EQ(tensorflow_min_max_grad(n.nudged_max, 1.0f, vars(2.0f, 10.0f)).dx, 1.0f);
  EXPECT_EQ(tensorflow_min_max_grad(std::nextafter(n.nudged_max, 20.0f), 1.0f, vars(2.0f, 10.0f))
                .d_max,
            1.0f);
  EXPECT_EQ(tensorflow_min_max_grad(-12.8f, 2.0f, vars(-12.8f, 12.7f)).dx, 2.0f);
  EXPECT_EQ(tensorflow_min_max_grad(12.7f, 2.0f, vars(-12.8f, 12.7f)).dx, 2.0f);
  EXPECT_EQ(tensorflow_min_max_grad(12.75f, 2.0f, vars(-12.8f, 12.7f)).d_max, 2.0f);
  const TfMinMaxGradTerms nan = tensorflow_min_max_grad(NAN, 2.0f, vars(-12.8f, 12.7f));
  EXPECT_TRUE(nan.unordered);
  EXPECT_EQ(nan.dx, 0.0f);
  EXPECT_EQ(nan.d_min, 0.0f);
  EXPECT_EQ(nan.d_max, 0.0f);
}

// Derived: the reference's sums are exact. 2^24 + 1 + 1 (all below min) is 2^24 + 2, which
// a left-to-right binary32 sum loses (2^24 + 1 rounds to 2^24 twice). TensorFlow's order is
// not modelled (measured: it is not left to right, Q16.3).
TEST(TensorflowMinMaxGrad, SumsAreExactRationals) {
  const TfMinMaxGradient g = tensorflow_min_max_gradient(
      {-5.0f, -5.0f, -5.0f, 5.0f}, {0x1p24f, 1.0f, 1.0f, 0x1p-30f}, {vars(-1.0f, 1.0f)});
  EXPECT_EQ(g.d_min[0], Rational(16777218));
  EXPECT_EQ(g.d_max[0], exact(0x1p-30f));
}

// The forward on the special inputs, measured (same script): NaN -> NaN, +-inf -> the nudged
// ends, 0.3 -> 0.3f, on [-12.8, 12.7] with the Vars op.
TEST(TensorflowMinMaxGrad, ForwardOnSpecialInputsMeasured) {
  const TfFakeQuantParams p = vars(-12.8f, 12.7f);
  EXPECT_TRUE(std::isnan(fake_quantize_tensorflow(NAN, p).value));
  EXPECT_EQ(fake_quantize_tensorflow(INFINITY, p).value, 0x1.966666p+3f);
  EXPECT_EQ(fake_quantize_tensorflow(-INFINITY, p).value, -0x1.99999ap+3f);
  EXPECT_EQ(fake_quantize_tensorflow(0.3f, p).value, 0x1.333334p-2f);
}

TEST(TensorflowMinMaxGrad, EveryRejectedParameterIsNamed) {
  TfFakeQuantParams args = vars(-1.0f, 1.0f);
  args.op = TfFakeQuantOp::with_min_max_args;
  EXPECT_REJECTS_PARAMETER(tensorflow_min_max_grad(0.0f, 1.0f, args), "op");
  EXPECT_REJECTS_PARAMETER(tensorflow_min_max_grad(0.0f, NAN, vars(-1.0f, 1.0f)), "dy");
  EXPECT_REJECTS_PARAMETER(tensorflow_min_max_grad(0.0f, INFINITY, vars(-1.0f, 1.0f)), "dy");
  EXPECT_REJECTS_PARAMETER(tensorflow_min_max_grad(0.0f, 1.0f, vars(1.0f, -1.0f)), "min");
  EXPECT_REJECTS_PARAMETER(tensorflow_min_max_gradient({1.0f}, {1.0f, 2.0f}, {vars(-1, 1)}),
                           "dy");
  EXPECT_REJECTS_PARAMETER(
      tensorflow_min_max_gradient({1.0f, 2.0f, 3.0f}, {1.0f, 2.0f, 3.0f},
                                  {per_channel(-1, 1), per_channel(-1, 1)}),
      "shape");
  EXPECT_REJECTS_PARAMETER(tensorflow_min_max_gradient({}, {}, {vars(-1, 1)}), "shape");
  EXPECT_REJECTS_PARAMETER(tensorflow_min_max_gradient({1.0f}, {1.0f}, {}), "params");
}

// Q16.3, Args op: FakeQuantWithMinMaxArgsGradient measured with TensorFlow 2.21
// (tf.raw_ops, run here; the same inputs are tcIds 323, 326, 327 of vectors/fake_quant.json,
// reference/measure/tensorflow_args_grad_vectors_check.py).
TEST(TensorflowArgsGrad, TensorflowMeasuredValues) {
  TfFakeQuantParams p = vars(-12.8f, 12.7f);
  p.op = TfFakeQuantOp::with_min_max_args;
  const std::vector<float> x = {-12.8f, 12.7f, std::nextafter(-12.8f, -20.0f), std::nextafter(12.7f, 20.0f),
                                NAN, INFINITY, -INFINITY, 12.75f};
  EXPECT_EQ(bits_of(tensorflow_args_gradient(x, {1.0f, -0.75f, 2.0f, -3.0f, 4.0f, -0.5f, 5.0f, -2.0f}, p)),
            bits_of({1.0f, -0.75f, 0.0f, -0.0f, 0.0f, -0.0f, 0.0f, -0.0f}));
  p = vars(-1.0f, 1.0f, 16);
  p.op = TfFakeQuantOp::with_min_max_args;  // 16 bits: nudged max = 32767 * 2/65535 < 1
  EXPECT_EQ(bits_of(tensorflow_args_gradient({-1.0f, 1.0f, 1.5f, -0.5f}, {1.0f, 2.0f, 4.0f, 8.0f}, p)),
            bits_of({1.0f, 0.0f, 0.0f, 8.0f}));
  p = vars(-1.0f, 1.0f);
  p.op = TfFakeQuantOp::with_min_max_args;  // no sum: infinite and NaN dy are IEEE products
  const std::vector<float> dx = tensorflow_args_gradient({0.5f, 3.0f, 0.5f, 3.0f, 0.5f, 3.0f},
                                                         {INFINITY, INFINITY, -INFINITY, -INFINITY, NAN, NAN}, p);
  ASSERT_EQ(dx.size(), 6u);
  EXPECT_EQ(dx[0], INFINITY);
  EXPECT_TRUE(std::isnan(dx[1]));
  EXPECT_EQ(dx[2], -INFINITY);
  for (int i : {3, 4, 5}) EXPECT_TRUE(std::isnan(dx[i])) << i;
}

TEST(TensorflowArgsGrad, EveryRejectedParameterIsNamed) {
  TfFakeQuantParams args = vars(-1.0f, 1.0f);
  args.op = TfFakeQuantOp::with_min_max_args;
  EXPECT_REJECTS_PARAMETER(tensorflow_args_gradient({0.0f}, {1.0f}, vars(-1.0f, 1.0f)), "op");
  TfFakeQuantParams zero = vars(0.0f, 0.0f);
  zero.op = TfFakeQuantOp::with_min_max_args;  // the Args op requires min < max (TF: OP_REQUIRES)
  EXPECT_REJECTS_PARAMETER(tensorflow_args_gradient({0.0f}, {1.0f}, zero), "min");
  TfFakeQuantParams bits = args;
  bits.num_bits = 17;
  EXPECT_REJECTS_PARAMETER(tensorflow_args_gradient({0.0f}, {1.0f}, bits), "num_bits");
  EXPECT_REJECTS_PARAMETER(tensorflow_args_gradient({0.0f, 1.0f}, {1.0f}, args), "dy");
  EXPECT_REJECTS_PARAMETER(tensorflow_args_gradient({}, {}, args), "shape");
}

}  // namespace
}  // namespace quantspec::ref
