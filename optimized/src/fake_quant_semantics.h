// One-element definitions of fake quantization (SPEC.md Q15, masks Q16.1), written from the
// spec for any int32 grid. They are the HWY_SCALAR target's kernel and the per-element path of
// the SIMD targets for grids too wide for binary32 lanes (|qmin|, |qmax| > 2^22) and, for the
// exact variant, targets without a native FMA. Like scalar_semantics.h, the SIMD kernels are
// specialisations of these.
#pragma once

#include <cfloat>
#include <cmath>
#include <cstdint>
#include <limits>

#include "quantspec/kernel_abi.h"

namespace quantspec::optimized::scalar {

inline constexpr float kFakeQuantNaN = std::numeric_limits<float>::quiet_NaN();

// fl32(a * s) of the exact product, for an integer a with |a| <= 2^34 and a binary32 s: the
// binary64 product p and its exact FMA residual e (a*s is a multiple of 2^-149, so e does not
// underflow) decide the one case where fl32(p) is not fl32(a * s): p exactly half-way between
// two binary32 values (every such midpoint is a binary64 value), where e says on which side
// the exact product lies.
inline float ExactProductToBinary32(double a, float s) {
  const double sd = static_cast<double>(s);
  const double p = a * sd;
  const double e = std::fma(a, sd, -p);
  const float f = static_cast<float>(p);
  if (e == 0.0) return f;
  const double fd = std::isinf(f) ? std::copysign(0x1p128, p) : static_cast<double>(f);
  if (fd == p) return f;  // p is a binary32 and a*s within 2^-53 of it
  double gd;              // f's binary32 neighbour on p's side (2^128 stands for inf)
  if (std::isinf(f)) {
    gd = std::copysign(static_cast<double>(FLT_MAX), p);
  } else {
    const float g = std::nextafter(f, p > fd ? INFINITY : -INFINITY);
    gd = std::isinf(g) ? std::copysign(0x1p128, p) : static_cast<double>(g);
  }
  if (p != (fd + gd) * 0.5) return f;  // (the sum of two neighbours is exact)
  const bool toward_g = (gd > fd) == (e > 0.0);
  return toward_g ? static_cast<float>(gd) : f;
}

// Rounds a binary64 t with |t| < 2^52 by rule `rounding` (Q1.3); t - trunc(t) is exact.
inline double RoundRule64(double t, uint32_t rounding) {
  const double r = std::trunc(t);
  const double f = t - r;
  switch (rounding) {
    case QS_ROUND_HALF_EVEN: return std::nearbyint(t);
    case QS_ROUND_HALF_AWAY: return r + (f >= 0.5 ? 1.0 : 0.0) - (f <= -0.5 ? 1.0 : 0.0);
    case QS_ROUND_HALF_UP: return r + (f >= 0.5 ? 1.0 : 0.0) - (f < -0.5 ? 1.0 : 0.0);
    case QS_ROUND_TOWARD_ZERO: return r;
    default: return std::floor(t);
  }
}

// R(x / S) of the exact quotient, clamped to the integers [lo, hi] (|lo|, |hi| <= 2^34).
// t = fl64(x / S) rounds differently from x / S only where t is itself a rounding boundary
// (fl64 is monotone and the boundaries are binary64 values); there the sign of the FMA residual
// x - t*S (exact in sign: x and t*S are multiples of 2^-149 * ulp(t) >= 2^-1074) decides.
inline double RoundedQuotientClamped(float x, float s, uint32_t rounding, double lo, double hi) {
  const double xd = x, sd = s;
  double t = xd / sd;
  t = t < lo ? lo : (t > hi ? hi : t);
  const double residual = std::fma(-t, sd, xd);
  double n = RoundRule64(t, rounding);
  const double fl = std::floor(t);
  const bool integral = fl == t;
  const bool half = std::fabs(t - std::trunc(t)) == 0.5;
  switch (rounding) {
    case QS_ROUND_HALF_EVEN:
    case QS_ROUND_HALF_AWAY:
    case QS_ROUND_HALF_UP:
      if (half && residual > 0.0) n = fl + 1.0;
      if (half && residual < 0.0) n = fl;
      break;
    case QS_ROUND_TOWARD_ZERO:
      if (integral && t > 0.0 && residual < 0.0) n = t - 1.0;
      if (integral && t < 0.0 && residual > 0.0) n = t + 1.0;
      break;
    default:  // floor
      if (integral && residual < 0.0) n = t - 1.0;
      break;
  }
  return n < lo ? lo : (n > hi ? hi : n);
}

// Q15.2 exact: u = R(x/S) + Z, q = clamp(u), fl32((q - Z) * S); mask = qmin <= u <= qmax.
// +-inf: q = qmax / qmin, mask 0. NaN: NaN, mask 0 (SPEC CHOICE).
inline float FakeQuantExact(float x, float s, int32_t z, int32_t qmin, int32_t qmax,
                            uint32_t rounding, bool* mask) {
  if (std::isnan(x)) {
    *mask = false;
    return kFakeQuantNaN;
  }
  const double lo = static_cast<double>(qmin) - z, hi = static_cast<double>(qmax) - z;
  // Clamped one step beyond the grid: R is monotone and fixes integers, so the clamp commutes
  // with R and still tells "beyond the grid" (mask 0) from the boundary points (mask 1).
  const double n = RoundedQuotientClamped(x, s, rounding, lo - 1.0, hi + 1.0);
  *mask = lo <= n && n <= hi;
  // + 0.0: the integer q - Z = 0 is +0 (R gives -0 for x/S in (-1/2, 0)).
  return ExactProductToBinary32((n < lo ? lo : (n > hi ? hi : n)) + 0.0, s);
}

// Q15.3 PyTorch 1.13 CPU: inv = fl32(1/S), u = fl32(fl32(Z) + nearbyint(fl32(x * inv))),
// qval = int64(u) as x86-64 converts (INT64_MIN for NaN and |u| >= 2^63), q = clamp(qval),
// fl32(fl64((q - Z) * S)); mask = qmin <= qval <= qmax.
inline float FakeQuantPytorch(float x, float s, float inv_scale, int32_t z, int32_t qmin,
                              int32_t qmax, bool* mask) {
  const float product = x * inv_scale;
  const float nearest = std::nearbyint(product);
  const float shifted = static_cast<float>(z) + nearest;
  int64_t qval;
  if (std::isnan(shifted) || std::fabs(shifted) >= 0x1p63f) {
    qval = std::numeric_limits<int64_t>::min();
  } else {
    qval = static_cast<int64_t>(shifted);
  }
  *mask = qmin <= qval && qval <= qmax;
  const int64_t q = qval < qmin ? qmin : (qval > qmax ? qmax : qval);
  return static_cast<float>(static_cast<double>(q - z) * static_cast<double>(s));
}

// Q15.4 step 5 on the nudged parameters: clamp to [nudged_min, nudged_max], subtract
// nudged_min, scale (divide by S for the Vars op, multiply by inv for PerChannel), level =
// floor(fl32(fl32(t - quant_zero) + 0.5)), output fl32(level * S); mask on x, both ends
// inclusive (Q16.1). min = max = 0: output 0, mask 1. NaN: NaN, mask 0 (SPEC CHOICE).
inline float FakeQuantTensorflow(float x, float nudged_min, float nudged_max, float scale,
                                 float inv_scale, float quant_zero, bool all_zero, bool divides,
                                 bool* mask) {
  if (all_zero) {
    *mask = true;
    return 0.0f;
  }
  if (std::isnan(x)) {
    *mask = false;
    return kFakeQuantNaN;
  }
  *mask = nudged_min <= x && x <= nudged_max;
  const float clamped = x > nudged_max ? nudged_max : (x < nudged_min ? nudged_min : x);
  const float shifted = clamped - nudged_min;
  const float t = divides ? shifted / scale : shifted * inv_scale;
  const float centred = t - quant_zero;
  const float level = std::floor(centred + 0.5f);
  return level * scale;
}

}  // namespace quantspec::optimized::scalar
