// floor((a - [acc < 0] * 2^31) / 2^(31 + k)), k >= 1, of 64-bit sums a = acc * m + c, where the
// term's 2^31 depends on the sign of acc: double_round's fused tie-away term (SRDHM, then
// RoundingDivideByPOT, requantize_double_round.cc) and tosa_double's -2^30 for negative acc
// (2^30 - [acc < 0] * 2^31, requantize_single_shift.cc). Included once per target.
//
// Without AVX-512 a 64-bit compare, subtract and vpblendvb per 64-bit half cost six operations
// per vector of int32 lanes. Here the term moves to int32 lanes: with v = floor(a / 2^31) (bits
// 31..62 of a), floor((a - s * 2^31) / 2^(31+k)) = floor((v - s) / 2^k) for s in {0, 1}, since
// s * 2^31 is a multiple of 2^31 (floor((floor(a / 2^31) - s) / 2^k) = floor((a - s * 2^31) /
// 2^(31+k)), as floor(floor(x) / n) = floor(x / n) for integers n >= 1). Per vector: a logical
// shift of the even sums by 31 (their bits 31..62 land in the low half), the odd sums doubled
// (vpaddq: bits 31..62 in the high half), one vpblendd, a compare of acc with 0 whose all-ones
// mask is -s, one add and the shift by k: six operations, two of them shifts.
// Exact where every v - s fits in int32, which the caller checks once per call (FitsInt32).
#if defined(QUANTSPEC_OPTIMIZED_SIGN_TERM_SHIFT_INL_H_) == defined(HWY_TARGET_TOGGLE)
#ifdef QUANTSPEC_OPTIMIZED_SIGN_TERM_SHIFT_INL_H_
#undef QUANTSPEC_OPTIMIZED_SIGN_TERM_SHIFT_INL_H_
#else
#define QUANTSPEC_OPTIMIZED_SIGN_TERM_SHIFT_INL_H_
#endif

#include <cstdint>

#include "hwy/highway.h"

HWY_BEFORE_NAMESPACE();
namespace quantspec::optimized::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

// The targets that take this form: AVX-512 keeps the 64-bit form (one compare into a mask
// register and one masked subtract per half, and a merging vpshufd for the high halves).
inline constexpr bool kSignTermOnInt32 = HWY_TARGET != HWY_AVX3 && HWY_TARGET != HWY_AVX3_DL;

// Whether v - s fits in int32 for every acc, with a = acc * m + 2^30 + k32 * 2^31 (k32: the
// rest of the rounding constant over 2^31, Zy's share included): floor((acc * m + 2^30) /
// 2^31) lies in [-m, m] for acc in int32 and m >= 0 (acc = -2^31 gives -m; acc <= 2^31 - 1
// gives at most floor(m - (m - 2^30) / 2^31) <= m), so v - s lies in [k32 - m - 1, k32 + m].
inline bool SignTermFitsInt32(int64_t multiplier, int64_t k32) {
  return k32 - multiplier - 1 >= INT32_MIN && k32 + multiplier <= INT32_MAX;
}

#if HWY_TARGET != HWY_SCALAR
// a_even: the sums of the even int32 lanes (lane 2j's in 64-bit lane j), a_odd those of the odd
// lanes; acc: the accumulators in lane order (only their signs are read); count: k per lane.
template <class DI, class V64>
HWY_INLINE hn::Vec<DI> ShiftWithSignTerm(DI di, V64 a_even, V64 a_odd, hn::Vec<DI> acc,
                                         hn::Vec<DI> count) {
  const hn::Repartition<uint64_t, DI> du64;
  // The low 32 bits of a >> 31 (logical) are bits 31..62 of a; a + a has them in its high half.
  const hn::Vec<DI> even_bits = hn::BitCast(di, hn::ShiftRight<31>(hn::BitCast(du64, a_even)));
  const hn::Vec<DI> odd_bits = hn::BitCast(di, hn::Add(a_odd, a_odd));
  const hn::Vec<DI> v = hn::OddEven(odd_bits, even_bits);
  const hn::Vec<DI> minus_s = hn::VecFromMask(di, hn::Lt(acc, hn::Zero(di)));
  return hn::Shr(hn::Add(v, minus_s), count);
}
#endif

}  // namespace quantspec::optimized::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#endif  // include guard
