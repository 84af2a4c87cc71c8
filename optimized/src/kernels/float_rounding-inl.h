// The named roundings R (Q1.3) on binary32 lanes, and the exact quotient's correction at a
// rounding boundary, shared by the quantize and fake-quantize kernels. Included once per target.
#if defined(QUANTSPEC_OPTIMIZED_FLOAT_ROUNDING_INL_H_) == defined(HWY_TARGET_TOGGLE)
#ifdef QUANTSPEC_OPTIMIZED_FLOAT_ROUNDING_INL_H_
#undef QUANTSPEC_OPTIMIZED_FLOAT_ROUNDING_INL_H_
#else
#define QUANTSPEC_OPTIMIZED_FLOAT_ROUNDING_INL_H_
#endif

#include <cstdint>

#include "hwy/highway.h"
#include "quantspec/kernel_abi.h"

HWY_BEFORE_NAMESPACE();
namespace quantspec::optimized::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

#if HWY_TARGET != HWY_SCALAR

// R on binary32 values with |t| <= 2^23 + 1 (already clamped); t - Trunc(t) is exact.
template <uint32_t kRounding, class DF>
HWY_INLINE hn::Vec<DF> RoundBy(DF df, hn::Vec<DF> t) {
  using VF = hn::Vec<DF>;
  if constexpr (kRounding == QS_ROUND_HALF_EVEN) {
    return hn::Round(t);
  } else if constexpr (kRounding == QS_ROUND_TOWARD_ZERO) {
    return hn::Trunc(t);
  } else if constexpr (kRounding == QS_ROUND_FLOOR) {
    return hn::Floor(t);
  } else {
    const VF r = hn::Trunc(t);
    const VF f = hn::Sub(t, r);
    const VF one = hn::Set(df, 1.0f);
    const VF up = hn::IfThenElseZero(hn::Ge(f, hn::Set(df, 0.5f)), one);
    const VF down = kRounding == QS_ROUND_HALF_AWAY
                        ? hn::IfThenElseZero(hn::Le(f, hn::Set(df, -0.5f)), one)
                        : hn::IfThenElseZero(hn::Lt(f, hn::Set(df, -0.5f)), one);
    return hn::Sub(hn::Add(r, up), down);
  }
}

// The exact quotient's rounding where t = fl32(x/S) is a rounding boundary (an integer for
// floor / toward_zero, a half-integer for the half rules): the residual's sign says on which
// side of t the quotient lies (scalar::QuantizeExact). n is RoundBy(t).
template <uint32_t kRounding, class DF>
HWY_INLINE hn::Vec<DF> CorrectExact(DF df, hn::Vec<DF> t, hn::Vec<DF> n, hn::Vec<DF> residual) {
  using VF = hn::Vec<DF>;
  const VF zero = hn::Zero(df);
  const VF one = hn::Set(df, 1.0f);
  const auto above = hn::Gt(residual, zero);
  const auto below = hn::Lt(residual, zero);
  const VF fl = hn::Floor(t);
  if constexpr (kRounding == QS_ROUND_HALF_EVEN || kRounding == QS_ROUND_HALF_AWAY ||
                kRounding == QS_ROUND_HALF_UP) {
    // |t - Trunc(t)| is exact (t - Floor(t) is not for t in (-1, 0)).
    const auto half = hn::Eq(hn::Abs(hn::Sub(t, hn::Trunc(t))), hn::Set(df, 0.5f));
    n = hn::IfThenElse(hn::And(half, above), hn::Add(fl, one), n);
    n = hn::IfThenElse(hn::And(half, below), fl, n);
  } else if constexpr (kRounding == QS_ROUND_TOWARD_ZERO) {
    const auto integral = hn::Eq(fl, t);
    n = hn::IfThenElse(hn::And(integral, hn::And(hn::Gt(t, zero), below)), hn::Sub(t, one), n);
    n = hn::IfThenElse(hn::And(integral, hn::And(hn::Lt(t, zero), above)), hn::Add(t, one), n);
  } else {
    const auto integral = hn::Eq(fl, t);
    n = hn::IfThenElse(hn::And(integral, below), hn::Sub(t, one), n);
  }
  return n;
}

#endif  // HWY_TARGET != HWY_SCALAR

}  // namespace quantspec::optimized::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#endif  // include guard
