// SPEC.md Q16.2: learnable scale and zero-point gradients. Expected values: derived in the test
// (exact variant) and measured with PyTorch (pytorch variant): Debian python3-torch 1.13 on
// this x86-64 machine, reference/measure/pytorch_learnable_grad_values.py, one element per
// call (so each gradient is one term), printed as hex floats.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <cmath>
#include <cstdint>

#include "quantspec/reference/errors.hpp"
#include "quantspec/reference/fake_quant_grad.hpp"
#include "rejected_parameter.hpp"

#define EXPECT_REJECTS_PARAMETER(call, parameter) \
  EXPECT_EQ(::quantspec::ref::testing::rejected_parameter([&] { (void)(call); }), parameter)

namespace quantspec::ref {
namespace {

struct TorchCase {
  float x, dy, scale, zero_point;
  std::int64_t qmin, qmax;
  float grad_factor;
  bool per_channel;
  float dx, d_scale, d_zero_point;
};

// ATEN_CPU_CAPABILITY=default (the build without FMA).
const TorchCase kDefaultBuild[] = {
    {0x1.3333340000000p-2f, 0x1.0000000000000p+0f, 0x1.99999a0000000p-4f, 0x0.0p+0f, -128, 127, 0x1.0000000000000p+0f, false, 0x1.0000000000000p+0f, 0x0.0p+0f, 0x0.0p+0f},
    {0x1.99999a0000000p-5f, 0x1.0000000000000p+0f, 0x1.99999a0000000p-4f, 0x1.4000000000000p+1f, -128, 127, 0x1.0000000000000p+0f, false, 0x1.0000000000000p+0f, 0x1.0000000000000p-1f, 0x0.0p+0f},
    {0x1.99999a0000000p-5f, 0x1.0000000000000p+0f, 0x1.99999a0000000p-4f, -0x1.3333340000000p+0f, -128, 127, 0x1.0000000000000p+0f, false, 0x1.0000000000000p+0f, -0x1.0000000000000p-1f, 0x0.0p+0f},
    {0x1.9800000000000p+3f, 0x1.0000000000000p-1f, 0x1.99999a0000000p-4f, 0x0.0p+0f, -128, 127, 0x1.0000000000000p+0f, false, 0x0.0p+0f, 0x1.fc00000000000p+5f, -0x1.99999a0000000p-5f},
    {-0x1.4000000000000p+4f, 0x1.0000000000000p+1f, 0x1.99999a0000000p-4f, 0x1.8000000000000p+1f, -128, 127, 0x1.0000000000000p-2f, false, 0x0.0p+0f, -0x1.0600000000000p+6f, -0x1.99999a0000000p-5f},
    {0x1.5000000000000p+0f, -0x1.8000000000000p+0f, 0x1.0000000000000p-3f, 0x1.0000000000000p+0f, 0, 255, 0x1.0000000000000p+0f, false, -0x1.8000000000000p+0f, -0x1.8000000000000p-1f, 0x0.0p+0f},
    {0x1.0000000000000p-4f, 0x1.0000000000000p+0f, 0x1.0000000000000p-3f, 0x0.0p+0f, -128, 127, 0x1.0000000000000p+0f, false, 0x1.0000000000000p+0f, -0x1.0000000000000p-1f, 0x0.0p+0f},
    {INFINITY, 0x1.0000000000000p+0f, 0x1.99999a0000000p-4f, 0x0.0p+0f, -128, 127, 0x1.0000000000000p+0f, false, 0x0.0p+0f, -0x1.0000000000000p+7f, -0x1.99999a0000000p-4f},
    {NAN, 0x1.0000000000000p+0f, 0x1.99999a0000000p-4f, 0x0.0p+0f, -128, 127, 0x1.0000000000000p+0f, false, 0x0.0p+0f, -0x1.0000000000000p+7f, -0x1.99999a0000000p-4f},
    {0x1.93e5940000000p+99f, 0x1.0000000000000p+0f, 0x1.99999a0000000p-4f, 0x0.0p+0f, -128, 127, 0x1.0000000000000p+0f, false, 0x0.0p+0f, -0x1.0000000000000p+7f, -0x1.99999a0000000p-4f},
    {0x1.cf20c80000000p+4f, 0x1.0000000000000p+0f, 0x1.064d780000000p-1f, -0x1.e000000000000p+5f, -128, 127, 0x1.0000000000000p+0f, false, 0x1.0000000000000p+0f, 0x1.0000080000000p-1f, 0x0.0p+0f},
    {0x1.3333340000000p-2f, 0x1.0000000000000p+0f, 0x1.99999a0000000p-4f, 0x0.0p+0f, -128, 127, 0x1.0000000000000p+0f, true, 0x1.0000000000000p+0f, 0x0.0p+0f, 0x0.0p+0f},
    {0x1.99999a0000000p-5f, 0x1.0000000000000p+0f, 0x1.99999a0000000p-4f, 0x1.4000000000000p+1f, -128, 127, 0x1.0000000000000p+0f, true, 0x1.0000000000000p+0f, -0x1.0000000000000p-1f, 0x0.0p+0f},
    {0x1.99999a0000000p-5f, 0x1.0000000000000p+0f, 0x1.99999a0000000p-4f, -0x1.3333340000000p+0f, -128, 127, 0x1.0000000000000p+0f, true, 0x1.0000000000000p+0f, 0x1.0000000000000p-1f, 0x0.0p+0f},
    {0x1.9800000000000p+3f, 0x1.0000000000000p-1f, 0x1.99999a0000000p-4f, 0x0.0p+0f, -128, 127, 0x1.0000000000000p+0f, true, 0x0.0p+0f, 0x1.fc00000000000p+5f, -0x1.99999a0000000p-5f},
    {-0x1.4000000000000p+4f, 0x1.0000000000000p+1f, 0x1.99999a0000000p-4f, 0x1.8000000000000p+1f, -128, 127, 0x1.0000000000000p-2f, true, 0x0.0p+0f, -0x1.0600000000000p+6f, -0x1.99999a0000000p-5f},
    {0x1.5000000000000p+0f, -0x1.8000000000000p+0f, 0x1.0000000000000p-3f, 0x1.0000000000000p+0f, 0, 255, 0x1.0000000000000p+0f, true, -0x1.8000000000000p+0f, -0x1.8000000000000p-1f, 0x0.0p+0f},
    {0x1.0000000000000p-4f, 0x1.0000000000000p+0f, 0x1.0000000000000p-3f, 0x0.0p+0f, -128, 127, 0x1.0000000000000p+0f, true, 0x1.0000000000000p+0f, -0x1.0000000000000p-1f, 0x0.0p+0f},
    {INFINITY, 0x1.0000000000000p+0f, 0x1.99999a0000000p-4f, 0x0.0p+0f, -128, 127, 0x1.0000000000000p+0f, true, 0x0.0p+0f, -0x1.0000000000000p+7f, -0x1.99999a0000000p-4f},
    {NAN, 0x1.0000000000000p+0f, 0x1.99999a0000000p-4f, 0x0.0p+0f, -128, 127, 0x1.0000000000000p+0f, true, 0x0.0p+0f, -0x1.0000000000000p+7f, -0x1.99999a0000000p-4f},
    {0x1.93e5940000000p+99f, 0x1.0000000000000p+0f, 0x1.99999a0000000p-4f, 0x0.0p+0f, -128, 127, 0x1.0000000000000p+0f, true, 0x0.0p+0f, -0x1.0000000000000p+7f, -0x1.99999a0000000p-4f},
    {0x1.cf20c80000000p+4f, 0x1.0000000000000p+0f, 0x1.064d780000000p-1f, -0x1.e000000000000p+5f, -128, 127, 0x1.0000000000000p+0f, true, 0x1.0000000000000p+0f, -0x1.0000080000000p-1f, 0x0.0p+0f},
};

// The CPU's best kernels (AVX-512 here; PyTorch's AVX2 and AVX-512 builds use FMA).
const TorchCase kFusedBuild[] = {
    {0x1.3333340000000p-2f, 0x1.0000000000000p+0f, 0x1.99999a0000000p-4f, 0x0.0p+0f, -128, 127, 0x1.0000000000000p+0f, false, 0x1.0000000000000p+0f, -0x1.4000000000000p-24f, 0x0.0p+0f},
    {0x1.99999a0000000p-5f, 0x1.0000000000000p+0f, 0x1.99999a0000000p-4f, 0x1.4000000000000p+1f, -128, 127, 0x1.0000000000000p+0f, false, 0x1.0000000000000p+0f, 0x1.0000000000000p-1f, 0x0.0p+0f},
    {0x1.99999a0000000p-5f, 0x1.0000000000000p+0f, 0x1.99999a0000000p-4f, -0x1.3333340000000p+0f, -128, 127, 0x1.0000000000000p+0f, false, 0x1.0000000000000p+0f, -0x1.0000000000000p-1f, 0x0.0p+0f},
    {0x1.9800000000000p+3f, 0x1.0000000000000p-1f, 0x1.99999a0000000p-4f, 0x0.0p+0f, -128, 127, 0x1.0000000000000p+0f, false, 0x0.0p+0f, 0x1.fc00000000000p+5f, -0x1.99999a0000000p-5f},
    {-0x1.4000000000000p+4f, 0x1.0000000000000p+1f, 0x1.99999a0000000p-4f, 0x1.8000000000000p+1f, -128, 127, 0x1.0000000000000p-2f, false, 0x0.0p+0f, -0x1.0600000000000p+6f, -0x1.99999a0000000p-5f},
    {0x1.5000000000000p+0f, -0x1.8000000000000p+0f, 0x1.0000000000000p-3f, 0x1.0000000000000p+0f, 0, 255, 0x1.0000000000000p+0f, false, -0x1.8000000000000p+0f, -0x1.8000000000000p-1f, 0x0.0p+0f},
    {0x1.0000000000000p-4f, 0x1.0000000000000p+0f, 0x1.0000000000000p-3f, 0x0.0p+0f, -128, 127, 0x1.0000000000000p+0f, false, 0x1.0000000000000p+0f, -0x1.0000000000000p-1f, 0x0.0p+0f},
    {INFINITY, 0x1.0000000000000p+0f, 0x1.99999a0000000p-4f, 0x0.0p+0f, -128, 127, 0x1.0000000000000p+0f, false, 0x0.0p+0f, -0x1.0000000000000p+7f, -0x1.99999a0000000p-4f},
    {NAN, 0x1.0000000000000p+0f, 0x1.99999a0000000p-4f, 0x0.0p+0f, -128, 127, 0x1.0000000000000p+0f, false, 0x0.0p+0f, -0x1.0000000000000p+7f, -0x1.99999a0000000p-4f},
    {0x1.93e5940000000p+99f, 0x1.0000000000000p+0f, 0x1.99999a0000000p-4f, 0x0.0p+0f, -128, 127, 0x1.0000000000000p+0f, false, 0x0.0p+0f, -0x1.0000000000000p+7f, -0x1.99999a0000000p-4f},
    {0x1.cf20c80000000p+4f, 0x1.0000000000000p+0f, 0x1.064d780000000p-1f, -0x1.e000000000000p+5f, -128, 127, 0x1.0000000000000p+0f, false, 0x1.0000000000000p+0f, 0x1.fffff00000000p-2f, 0x0.0p+0f},
    {0x1.3333340000000p-2f, 0x1.0000000000000p+0f, 0x1.99999a0000000p-4f, 0x0.0p+0f, -128, 127, 0x1.0000000000000p+0f, true, 0x1.0000000000000p+0f, -0x1.4000000000000p-24f, 0x0.0p+0f},
    {0x1.99999a0000000p-5f, 0x1.0000000000000p+0f, 0x1.99999a0000000p-4f, 0x1.4000000000000p+1f, -128, 127, 0x1.0000000000000p+0f, true, 0x1.0000000000000p+0f, -0x1.0000000000000p-1f, 0x0.0p+0f},
    {0x1.99999a0000000p-5f, 0x1.0000000000000p+0f, 0x1.99999a0000000p-4f, -0x1.3333340000000p+0f, -128, 127, 0x1.0000000000000p+0f, true, 0x1.0000000000000p+0f, 0x1.0000000000000p-1f, 0x0.0p+0f},
    {0x1.9800000000000p+3f, 0x1.0000000000000p-1f, 0x1.99999a0000000p-4f, 0x0.0p+0f, -128, 127, 0x1.0000000000000p+0f, true, 0x0.0p+0f, 0x1.fc00000000000p+5f, -0x1.99999a0000000p-5f},
    {-0x1.4000000000000p+4f, 0x1.0000000000000p+1f, 0x1.99999a0000000p-4f, 0x1.8000000000000p+1f, -128, 127, 0x1.0000000000000p-2f, true, 0x0.0p+0f, -0x1.0600000000000p+6f, -0x1.99999a0000000p-5f},
    {0x1.5000000000000p+0f, -0x1.8000000000000p+0f, 0x1.0000000000000p-3f, 0x1.0000000000000p+0f, 0, 255, 0x1.0000000000000p+0f, true, -0x1.8000000000000p+0f, -0x1.8000000000000p-1f, 0x0.0p+0f},
    {0x1.0000000000000p-4f, 0x1.0000000000000p+0f, 0x1.0000000000000p-3f, 0x0.0p+0f, -128, 127, 0x1.0000000000000p+0f, true, 0x1.0000000000000p+0f, -0x1.0000000000000p-1f, 0x0.0p+0f},
    {INFINITY, 0x1.0000000000000p+0f, 0x1.99999a0000000p-4f, 0x0.0p+0f, -128, 127, 0x1.0000000000000p+0f, true, 0x0.0p+0f, -0x1.0000000000000p+7f, -0x1.99999a0000000p-4f},
    {NAN, 0x1.0000000000000p+0f, 0x1.99999a0000000p-4f, 0x0.0p+0f, -128, 127, 0x1.0000000000000p+0f, true, 0x0.0p+0f, -0x1.0000000000000p+7f, -0x1.99999a0000000p-4f},
    {0x1.93e5940000000p+99f, 0x1.0000000000000p+0f, 0x1.99999a0000000p-4f, 0x0.0p+0f, -128, 127, 0x1.0000000000000p+0f, true, 0x0.0p+0f, -0x1.0000000000000p+7f, -0x1.99999a0000000p-4f},
    {0x1.cf20c80000000p+4f, 0x1.0000000000000p+0f, 0x1.064d780000000p-1f, -0x1.e000000000000p+5f, -128, 127, 0x1.0000000000000p+0f, true, 0x1.0000000000000p+0f, 0x1.fffff00000000p-2f, 0x0.0p+0f},
};

void expect_matches(const TorchCase& c, bool fused) {
  LearnableGradParams p;
  p.scale = c.scale;
  p.zero_point = c.zero_point;
  p.qmin = c.qmin;
  p.qmax = c.qmax;
  p.grad_factor = c.grad_factor;
  p.per_channel = c.per_channel;
  p.fused_multiply_add = fused;
  const LearnableGradTerms t = learnable_fake_quant_grad(c.x, c.dy, p, FakeQuantVariant::pytorch);
  const std::string where = "x " + hex_float(c.x) + " S " + hex_float(c.scale) + " Zf " +
                            hex_float(c.zero_point) + (c.per_channel ? " per channel" : " per tensor");
  EXPECT_EQ(t.dx, exact(c.dx)) << where;
  EXPECT_EQ(t.d_scale, exact(c.d_scale)) << where << ": dS " << hex_float(round_to_binary32(t.d_scale));
  EXPECT_EQ(t.d_zero_point, exact(c.d_zero_point)) << where;
}

TEST(LearnableFakeQuantGrad, PytorchDefaultBuildValues) {
  for (const TorchCase& c : kDefaultBuild) expect_matches(c, false);
}

TEST(LearnableFakeQuantGrad, PytorchFusedBuildValues) {
  for (const TorchCase& c : kFusedBuild) expect_matches(c, true);
}

// Q16.2: x = 0.3f, S = 0.1f, Z = 0: xfqi = fl32(3 * 0.1f) = 0.3f, so the DEFAULT build's term is
// 0; fused, 3 * 0.1f - 0.3f = -2^-25 * 1.25... exactly, times fl32(1/S) gives -0x1.4p-24 (both
// measured, in the tables above). The model without FMA must not produce the fused value.
TEST(LearnableFakeQuantGrad, FusedMultiplyAddChangesTheScaleTerm) {
  LearnableGradParams p;
  p.scale = 0.1f;
  const auto plain = learnable_fake_quant_grad(0.3f, 1.0f, p, FakeQuantVariant::pytorch);
  p.fused_multiply_add = true;
  const auto fused = learnable_fake_quant_grad(0.3f, 1.0f, p, FakeQuantVariant::pytorch);
  EXPECT_EQ(plain.d_scale, 0);
  EXPECT_EQ(fused.d_scale, exact(-0x1.4p-24f));
}

// Q16.2: the per-tensor backward's zero point is trunc(clamp(fl32(Zf + 0.5))): Zf = 2.5 gives 3
// (the forward's nearbyint gives 2), Zf = -1.2 gives trunc(-0.7) = 0 (forward -1), Zf = -60
// gives trunc(-59.5) = -59; per channel it is the forward's R(Zf).
TEST(LearnableFakeQuantGrad, PerTensorBackwardZeroPointIsTruncatedAfterAddingAHalf) {
  LearnableGradParams p;
  p.scale = 0.1f;
  const struct { float zf; std::int64_t per_tensor, per_channel; } rows[] = {
      {2.5f, 3, 2}, {-1.2f, 0, -1}, {-60.0f, -59, -60}, {-1.5f, -1, -2}, {200.0f, 127, 127}};
  for (const auto& row : rows) {
    p.zero_point = row.zf;
    p.per_channel = false;
    EXPECT_EQ(learnable_fake_quant_grad(0.0f, 1.0f, p, FakeQuantVariant::pytorch).zero_point,
              row.per_tensor) << row.zf;
    p.per_channel = true;
    EXPECT_EQ(learnable_fake_quant_grad(0.0f, 1.0f, p, FakeQuantVariant::pytorch).zero_point,
              row.per_channel) << row.zf;
    EXPECT_EQ(learnable_fake_quant_grad(0.0f, 1.0f, p, FakeQuantVariant::exact).zero_point,
              row.per_channel) << row.zf;
  }
}

// Q16.2 exact (LSQ), derived: S = 0.125, Z = 1, [0, 255], dy = -1.5, x = 1.3125: x/S = 10.5
// rounds (half even) to 10, q = 11 inside; dS = dy * (10 - 10.5) = 0.75, dZ = 0, dx = dy.
// PyTorch adds Z before rounding in the backward: nearbyint(1 + 10.5) = 12, xfq = 11 * 0.125,
// dS = -1.5 * (1.375 - 1.3125) * 8 = -0.75 (measured, kDefaultBuild).
TEST(LearnableFakeQuantGrad, ExactInsideTermIsTheRoundingResidual) {
  LearnableGradParams p;
  p.scale = 0.125f;
  p.zero_point = 1.0f;
  p.qmin = 0;
  p.qmax = 255;
  const auto e = learnable_fake_quant_grad(1.3125f, -1.5f, p, FakeQuantVariant::exact);
  EXPECT_EQ(e.region, GridRegion::inside);
  EXPECT_EQ(e.dx, Rational(-3, 2));
  EXPECT_EQ(e.d_scale, Rational(3, 4));
  EXPECT_EQ(e.d_zero_point, 0);
  const auto t = learnable_fake_quant_grad(1.3125f, -1.5f, p, FakeQuantVariant::pytorch);
  EXPECT_EQ(t.d_scale, Rational(-3, 4));
}

// Q16.2 exact, derived: below and above. S = 0.1f, Z = 3, int8, dy = 2, grad_factor 0.25:
// x = -20: x/S = -200 (about), q = -197 < -128: dS = 2 * 0.25 * (-128 - 3) = -65.5,
// dZ = -2 * 0.25 * S = -S/2 exactly; x = 20: q = 203 > 127: dS = 0.5 * 124 = 62.
TEST(LearnableFakeQuantGrad, ExactOutsideTermsAreTheClampedBoundAndMinusS) {
  LearnableGradParams p;
  p.scale = 0.1f;
  p.zero_point = 3.0f;
  p.grad_factor = 0.25f;
  const auto below = learnable_fake_quant_grad(-20.0f, 2.0f, p, FakeQuantVariant::exact);
  EXPECT_EQ(below.region, GridRegion::below);
  EXPECT_EQ(below.dx, 0);
  EXPECT_EQ(below.d_scale, Rational(-131, 2));
  EXPECT_EQ(below.d_zero_point, -exact(0.1f) / 2);
  const auto above = learnable_fake_quant_grad(20.0f, 2.0f, p, FakeQuantVariant::exact);
  EXPECT_EQ(above.region, GridRegion::above);
  EXPECT_EQ(above.d_scale, Rational(62));
  EXPECT_REJECTS_PARAMETER(learnable_fake_quant_grad(NAN, 1.0f, p, FakeQuantVariant::exact), "x");
  p.scale = 0.0f;
  EXPECT_REJECTS_PARAMETER(learnable_fake_quant_grad(1.0f, 1.0f, p, FakeQuantVariant::exact),
                           "scale");
}

// Q16.2: the exact inside term is dy * gf * (R(t) - t), |R(t) - t| <= 1/2; the pytorch term
// (no FMA) equals it where every binary32 step is exact: S a power of two, x on a 2^-8 grid,
// |x/S| < 2^12, Z an integer, dy and gf powers of two, and x/S not a tie (the backward adds Z
// before rounding, which moves ties of odd Z).
RC_GTEST_PROP(LearnableFakeQuantGrad, PytorchEqualsExactWhereBinary32IsExact, ()) {
  LearnableGradParams p;
  p.scale = std::ldexp(1.0f, *rc::gen::inRange(-6, 3));
  p.zero_point = static_cast<float>(*rc::gen::inRange(-20, 21));
  p.grad_factor = std::ldexp(1.0f, *rc::gen::inRange(-3, 3));
  p.per_channel = *rc::gen::arbitrary<bool>();
  const float x = std::ldexp(static_cast<float>(*rc::gen::inRange(-4000, 4001)), -8);
  const float dy = std::ldexp(1.0f, *rc::gen::inRange(-3, 3)) * (*rc::gen::arbitrary<bool>() ? 1 : -1);
  const Rational t = exact(x) / exact(p.scale);
  RC_PRE(t - Rational(round_to_integer(t, Rounding::floor)) != Rational(1, 2));
  if (!p.per_channel) RC_PRE(p.zero_point >= 0);  // trunc(Zf + 0.5) = Zf only for Zf >= 0
  const auto e = learnable_fake_quant_grad(x, dy, p, FakeQuantVariant::exact);
  const auto q = learnable_fake_quant_grad(x, dy, p, FakeQuantVariant::pytorch);
  RC_ASSERT(e.region == q.region);
  RC_ASSERT(e.dx == q.dx);
  RC_ASSERT(e.d_scale == q.d_scale);
  RC_ASSERT(e.d_zero_point == q.d_zero_point);
}

}  // namespace
}  // namespace quantspec::ref
