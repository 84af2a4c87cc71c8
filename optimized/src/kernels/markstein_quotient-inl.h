// fl32(x / S) without vdivps, for quantize's f32_divide and exact division variants (SPEC.md Q2).
// Included once per target.
//
// y = fl32(1 / S), q0 = fl32(x * y), then one or two Newton-Markstein steps r = x - q * S (fused,
// one rounding), q = fl32(q + r * y). After the first step q is within one ulp of x / S; the second
// step is then correctly rounded by Markstein's theorem (P. Markstein, "Computation of
// elementary functions on the IBM RISC System/6000 processor", IBM J. Res. Dev. 34(1), 1990;
// restated in Muller et al., "Handbook of Floating-Point Arithmetic", in the chapter on division
// with a fused multiply-add: if y is within half an ulp of 1/S and q within one ulp of x/S, then
// r is exact and fl32(q + r*y) = fl32(x/S)), provided no step overflows, underflows inexactly or
// is invalid. Those provisos are checked, not assumed: blocks of kMarksteinBlockElements run with
// the MXCSR exception flags cleared, and a block that raised IE, OE or UE (infinities, huge or
// tiny inputs) is recomputed with vdivps. Five FMA-unit operations per vector replace one
// vdivps, which on the measured Xeon issues once per ~9.5 cycles.
//
// One step suffices when y is close enough to 1/S that q0 is already faithful (MarksteinSteps):
// with delta = |y * S - 1| <= 2^-26 and z = x / S in [2^e, 2^(e+1)) (ulp(z) = 2^(e-23); z < 0
// is symmetric, z = 0 exact), |x*y - z| = delta * |z| < 2^-26 * 2^(e+1) = ulp(z) / 4. If x*y is
// in [2^e, 2^(e+1)), the floats there are ulp(z) apart, so RN(x*y) is one of the two floats
// around z (x*y beyond either of them lies within ulp/4 of it and farther than 3/4 ulp from
// the next); if x*y < 2^e (then z < 2^e + ulp/4), the floats below 2^e are ulp/2 apart and
// RN(x*y) = 2^e, the float below z; if x*y >= 2^(e+1), RN(x*y) = 2^(e+1), the float above z.
// So q0 = RN(x*y) is faithful, and Markstein's theorem in the form restated by Muller et al.
// (q faithful to x/S, y within relative error 2^-24 of 1/S, which RN(1/S) always is, no
// underflow or overflow) makes the first step's fl32(q0 + r*y) correctly rounded. About a
// third of random scales qualify (0.05 and 0.1 do: delta = 2^-26 exactly).
//
// Checked beyond the theorem: optimized/tests/markstein_sweep.cc compares this arithmetic with
// vdivps for every binary32 x (2^32 inputs) per scale; 51 scales (11 chosen, 40 random) gave
// bit-identical quotients wherever no flag was raised with two steps, and the one-step form
// is swept for every scale that qualifies for it.
#if defined(QUANTSPEC_OPTIMIZED_MARKSTEIN_QUOTIENT_INL_H_) == defined(HWY_TARGET_TOGGLE)
#ifdef QUANTSPEC_OPTIMIZED_MARKSTEIN_QUOTIENT_INL_H_
#undef QUANTSPEC_OPTIMIZED_MARKSTEIN_QUOTIENT_INL_H_
#else
#define QUANTSPEC_OPTIMIZED_MARKSTEIN_QUOTIENT_INL_H_
#endif

#include <cstddef>
#include <cstdint>

#include "hwy/highway.h"
#include "quantspec/kernel_abi.h"

#if HWY_ARCH_X86
#include <xmmintrin.h>  // _mm_getcsr / _mm_setcsr
#endif

HWY_BEFORE_NAMESPACE();
namespace quantspec::optimized::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

#if HWY_TARGET != HWY_SCALAR

inline constexpr size_t kMarksteinBlockElements = 1024;  // per flag check

// Only valid inside a block bracketed by FpExceptionFlags (and recomputed if they were raised),
// with kSteps = MarksteinSteps(S).
template <int kSteps, class V>
HWY_INLINE V MarksteinQuotient(V x, V scale, V inv_scale) {
  static_assert(kSteps == 1 || kSteps == 2, "one or two Newton-Markstein steps");
  V q = hn::Mul(x, inv_scale);
  V r = hn::NegMulAdd(q, scale, x);  // x - q * S
  q = hn::MulAdd(r, inv_scale, q);
  if constexpr (kSteps == 2) {
    r = hn::NegMulAdd(q, scale, x);
    q = hn::MulAdd(r, inv_scale, q);
  }
  return q;
}

// Whether this target's division variants may use MarksteinQuotient for scale S: it needs a
// fused multiply-add and x86's sticky exception flags, and S (hence 1/S) far from the ends of
// the exponent range, so that computing 1/S itself raises nothing.
template <uint32_t kDivision>
bool MarksteinApplies(float scale) {
#if HWY_NATIVE_FMA && HWY_ARCH_X86
  return kDivision != QS_DIV_F32_RECIPROCAL && scale >= 0x1p-100f && scale <= 0x1p100f;
#else
  (void)scale;
  return false;
#endif
}

// Steps MarksteinQuotient needs for scale S: 1 where |fl32(1/S) * S - 1| <= 2^-26 (see the
// top of this file), else 2. The product of two binary32 is exact in binary64.
inline int MarksteinSteps(float scale) {
  const float inverse = 1.0f / scale;
  const double delta = static_cast<double>(inverse) * static_cast<double>(scale) - 1.0;
  return (delta <= 0x1p-26 && delta >= -0x1p-26) ? 1 : 2;
}

// MXCSR's sticky IE (invalid), OE (overflow) and UE (underflow: tiny and inexact) flags. The
// kernels run under the default MXCSR (table.cc), which restores the caller's flags afterwards.
// The empty asm statements with a memory clobber keep the compiler from moving the block's
// loads above Clear() or its stores below Raised(), so the flags cover exactly that block.
struct FpExceptionFlags {
#if HWY_ARCH_X86
  static constexpr unsigned kChecked = 0x1 | 0x8 | 0x10;  // IE | OE | UE
  static HWY_INLINE void Clear() {
    _mm_setcsr(_mm_getcsr() & ~0x3Fu);
    asm volatile("" ::: "memory");
  }
  static HWY_INLINE bool Raised() {
    asm volatile("" ::: "memory");
    return (_mm_getcsr() & kChecked) != 0;
  }
#else
  static void Clear() {}
  static bool Raised() { return true; }
#endif
};

#endif  // HWY_TARGET != HWY_SCALAR

}  // namespace quantspec::optimized::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#endif  // include guard
