// Requantize, variants double_round and double_round_wrap (SPEC.md Q7.2; gemmlowp / TFLite):
//   x = sat32(acc * 2^left)          left = max(shift, 0); saturating (SPEC CHOICE), or for
//                                    double_round_wrap wrap32(acc * 2^left), the low 32 bits
//                                    (Q7.2's `wrap` member: TFLite's int32
//                                    MultiplyByQuantizedMultiplier); the only difference
//   x = SRDHM(x, multiplier)         round(x * multiplier / 2^31), ties toward +inf
//   y = RoundingDivideByPOT(x, right) right = max(-shift, 0); ties away from zero
//   q = clamp(y + Zy, qmin, qmax)    by the narrower (narrow_store-inl.h), without wrapping
// SRDHM's nudge (2^30 for ab >= 0, 1 - 2^30 below) followed by truncating division equals
// floor((ab + 2^30) / 2^31) for every ab (for ab < 0 the truncation adds 2^31 - 1, and
// 1 - 2^30 + 2^31 - 1 = 2^30), so the kernel takes bits 31..62 of ab + 2^30 from a 64-bit
// product. SRDHM(INT32_MIN, INT32_MIN) cannot occur: multipliers are >= 0 (checked), but the
// scalar definition saturates it anyway. The wrapped x may be INT32_MIN (2^29 << 2); with
// multiplier >= 0 SRDHM is exact there as well.
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "kernels/requantize_double_round.cc"
#include "hwy/foreach_target.h"  // IWYU pragma: keep

#include "hwy/highway.h"
#include "kernels/ops-inl.h"
#include "kernels/requantize_span-inl.h"
#include "kernels/sign_term_shift-inl.h"
#include "scalar_semantics.h"

HWY_BEFORE_NAMESPACE();
namespace quantspec::optimized::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

#if HWY_TARGET == HWY_SCALAR

void RequantizeDoubleRoundKernel(const RequantizeJob& job, const int32_t* in, void* out,
                                 size_t n) {
  const bool wraps = job.variant == QS_REQUANT_DOUBLE_ROUND_WRAP;
  for (size_t i = 0; i < n; ++i) {
    const size_t c = i % job.channels;
    const int64_t y =
        wraps ? scalar::RequantizeDoubleRoundWrap(in[i], job.multipliers[c], job.shifts[c])
              : scalar::RequantizeDoubleRound(in[i], job.multipliers[c], job.shifts[c]);
    const int32_t q = scalar::Clamp(y + job.output_zero_point, job.qmin, job.qmax);
    if (job.output_type == QS_S8) {
      static_cast<int8_t*>(out)[i] = static_cast<int8_t>(q);
    } else {
      static_cast<uint8_t*>(out)[i] = static_cast<uint8_t>(q);
    }
  }
}

#else  // SIMD targets

// How acc * 2^left becomes the int32 x of SRDHM: double_round saturates, double_round_wrap
// keeps the low 32 bits (Highway's shifts of signed lanes are bitwise: vpslld / vpsllvd, and
// on SSE4 the variable shift is a multiply by 2^left whose low half is kept).
// kClampFirst (double_round per tensor, chosen once per call): sat32(acc << left) becomes
// clamp(acc, INT32_MIN >> left, INT32_MAX >> left) << left, three operations where the
// saturation takes five. Equal except above INT32_MAX >> left, where it gives x' = 2^31 -
// 2^left >= 2^30 (left <= 30) instead of INT32_MAX; both then give y >= floor(x' * m / 2^31)
// >= floor(m / 2) (right = 0 on this path), so where floor(m / 2) > qmax - Zy both clamp to
// qmax (ClampsFirst).
enum class LeftShift { kSaturate, kWrap, kClampFirst };

// kFused: per tensor with left = 0 and r >= 1 (the common case, multiplier < 1), chosen once
// per call so that no vector pays a branch (see requantize_single_shift.cc's TensorPath).
// There is no left shift on that path, so both members take it with kLeftShift = kSaturate.
// kSignTerm32 (fused only, targets without AVX-512, where the sums' bits 31..62 fit in int32:
// SignTermShifts): the tie-away term on int32 lanes (sign_term_shift-inl.h).
template <bool kFused, LeftShift kLeftShift, bool kSignTerm32 = false>
class DoubleRoundOp {
 public:
  static constexpr bool kReturnsOutput = false;
  using DI = hn::ScalableTag<int32_t>;
  using DI64 = hn::Repartition<int64_t, DI>;
  using DU64 = hn::Repartition<uint64_t, DI>;
  using VI = hn::Vec<DI>;
  using VI64 = hn::Vec<DI64>;

  explicit DoubleRoundOp(const RequantizeJob& job)
      : left_(job.shifts[0] > 0 ? job.shifts[0] : 0),
        right_(job.shifts[0] > 0 ? 0 : -job.shifts[0]),
        multiplier_(hn::Set(DI(), job.multipliers[0])),
        sat_hi_(hn::Set(DI(), INT32_MAX >> left_)),
        sat_lo_(hn::Set(DI(), INT32_MIN >> left_)),
        folds_zero_point_(kFused && right_ <= 23),
        fused_round_(hn::Set(DI64(), (int64_t{1} << 30) +
                                         (right_ > 0 ? int64_t{1} << (right_ + 30) : 0) +
                                         (folds_zero_point_ ? int64_t{job.output_zero_point} *
                                                                  (int64_t{1} << (31 + right_))
                                                            : 0))),
        high_shift_(hn::Set(DI(), right_ > 0 ? right_ - 1 : 0)),
        right_v_(hn::Set(DI(), right_)) {}

  // Per tensor, SRDHM and RoundingDivideByPOT fuse into one rounding of the 64-bit product
  // p = x * multiplier. With t = floor((p + 2^30) / 2^31) (SRDHM, see the top of this file),
  // RDBPOT(t, r) = floor((t + 2^(r-1) - [t < 0]) / 2^r) for r >= 1 (ties away from zero), and
  // floor((floor(a / 2^31) + c) / 2^r) = floor((a + c * 2^31) / 2^(31 + r)) for integers a, c, so
  //   y = (p + 2^30 + 2^(r+30) - [p < -2^30] * 2^31) >> (31 + r)     (arithmetic shift)
  // exactly, in 64 bits without overflow (|p| < 2^62). Both roundings are kept; only the
  // intermediate t is never formed. The shift by 31 + r >= 32 is taken on the gathered high
  // halves (HighHalvesShiftedRight).
  // With r in [1, 23] the rounding constant also carries Zy * 2^(31 + r), so the lanes are
  // y + Zy (|y| <= 2^30 + 1 as |p| < 2^62; |Zy * 2^(31+r)| < 2^62 keeps the sum in int64);
  // the comparison with -2^30 still reads p itself.
  static bool Fuses(const RequantizeJob& job) { return job.channels == 1 && job.shifts[0] < 0; }
  static bool ClampsFirst(const RequantizeJob& job) {
    return job.channels == 1 && job.shifts[0] > 0 &&
           job.multipliers[0] / 2 > job.qmax - job.output_zero_point;
  }

  // The fused path's rounding constant is 2^30 + k32 * 2^31 with k32 = 2^(r-1) (+ Zy * 2^r).
  static bool SignTermShifts(const RequantizeJob& job) {
    const int right = -job.shifts[0];
    const int64_t zy = right <= 23 ? job.output_zero_point : 0;  // as folds_zero_point_
    return kSignTermOnInt32 && SignTermFitsInt32(job.multipliers[0], (int64_t{1} << (right - 1)) +
                                                                       zy * (int64_t{1} << right));
  }

  bool FoldsZeroPoint() const { return folds_zero_point_; }

  HWY_INLINE VI Tensor(VI acc) const {
    const DI di;
    if constexpr (!kFused) {
      VI x = acc;
      if constexpr (kLeftShift == LeftShift::kClampFirst) {
        x = hn::ShiftLeftSame(hn::Min(hn::Max(acc, sat_lo_), sat_hi_), left_);
      } else if (left_ != 0) {
        x = hn::ShiftLeftSame(acc, left_);
        if constexpr (kLeftShift == LeftShift::kSaturate) {
          // sat32(acc << left): beyond +-(2^31 >> left) the shift would overflow.
          x = hn::IfThenElse(hn::Gt(acc, sat_hi_), hn::Set(di, INT32_MAX), x);
          x = hn::IfThenElse(hn::Lt(acc, sat_lo_), hn::Set(di, INT32_MIN), x);
        }
      }
      return Srdhm(x, multiplier_);  // right = 0 here
    }
    return FusedTensor(acc, hn::Shuffle2301(acc));
  }

  // The fused path with the odd lanes from a second load (requantize_span-inl.h).
  static constexpr bool kTakesOddLoad = kFused;
  HWY_INLINE VI TensorWithOdd(VI acc, VI acc_from_next) const {
    return FusedTensor(acc, acc_from_next);
  }

  HWY_INLINE VI FusedTensor(VI acc, VI acc_odd) const {
    const DI di;
    const DI64 di64;
    const VI64 even = hn::MulEven(acc, multiplier_);
    const VI64 odd = hn::MulEven(acc_odd, multiplier_);  // a broadcast: no shuffle needed
    if constexpr (kSignTerm32) {
      // [p < -2^30] becomes [acc < 0]: they differ only where -2^30 <= p < 0 or m = 0, where
      // SRDHM's t = floor((p + 2^30) / 2^31) is 0 and RDBPOT(0, r) = 0 for r >= 1 either way.
      return ShiftWithSignTerm(di, hn::Add(even, fused_round_), hn::Add(odd, fused_round_), acc,
                               right_v_);
    }
    const VI64 below = hn::Set(di64, -(int64_t{1} << 30));
    const VI64 step = hn::Set(di64, int64_t{1} << 31);
    const VI64 a_even = SubWhereLess(hn::Add(even, fused_round_), even, below, step);
    const VI64 a_odd = SubWhereLess(hn::Add(odd, fused_round_), odd, below, step);
    return HighHalvesShiftedRight(di, a_even, a_odd, high_shift_);
  }

  // Per channel the two steps stay separate (shifts differ per lane).
  HWY_INLINE VI Channel(VI acc, const int32_t* mult, const int32_t* shift, const float*) const {
    const DI di;
    const VI s = hn::LoadU(di, shift);
    const VI zero = hn::Zero(di);
    const VI left = hn::Max(s, zero);
    const VI right = hn::Max(hn::Neg(s), zero);
    VI x = hn::Shl(acc, left);
    if constexpr (kLeftShift != LeftShift::kWrap) {  // kClampFirst is per tensor only
      x = hn::IfThenElse(hn::Gt(acc, hn::Shr(hn::Set(di, INT32_MAX), left)),
                         hn::Set(di, INT32_MAX), x);
      x = hn::IfThenElse(hn::Lt(acc, hn::Shr(hn::Set(di, INT32_MIN), left)),
                         hn::Set(di, INT32_MIN), x);
    }
    x = Srdhm(x, hn::LoadU(di, mult));
    // RoundingDivideByPOT(x, right), gemmlowp's form (x + 2^(r-1) could overflow int32).
    const VI one = hn::Set(di, 1);
    const VI mask = hn::Sub(hn::Shl(one, right), one);
    const VI remainder = hn::And(x, mask);
    const VI threshold = hn::Sub(hn::ShiftRight<1>(mask), hn::ShiftRight<31>(x));
    return hn::Sub(hn::Shr(x, right), hn::VecFromMask(di, hn::Gt(remainder, threshold)));
  }

 private:
  // floor((x * m + 2^30) / 2^31) per lane, via 64-bit products of the even and odd lanes.
  static HWY_INLINE VI Srdhm(VI x, VI m) {
    const DI di;
    const DI64 di64;
    const DU64 du64;
    const auto nudge = hn::Set(di64, int64_t{1} << 30);
    const auto even = hn::Add(hn::MulEven(x, m), nudge);
    const auto odd = hn::Add(hn::MulEven(hn::Shuffle2301(x), hn::Shuffle2301(m)), nudge);
    // Bits 31..62 of each 64-bit sum: to the low half for even lanes, the high half for odd.
    const VI even_bits = hn::BitCast(di, hn::ShiftRight<31>(hn::BitCast(du64, even)));
    const VI odd_bits = hn::BitCast(di, hn::ShiftLeft<1>(hn::BitCast(du64, odd)));
    return hn::OddEven(odd_bits, even_bits);
  }

  int left_;
  int right_;
  VI multiplier_;
  VI sat_hi_;
  VI sat_lo_;
  bool folds_zero_point_;  // Tensor returns y + Zy (the fused path)
  VI64 fused_round_;
  VI high_shift_;  // 31 + r - 32: the fused path's shift of the sums' high halves
  VI right_v_;     // r: the kSignTerm32 path's shift of bits 31..62
};

void RequantizeDoubleRoundKernel(const RequantizeJob& job, const int32_t* in, void* out,
                                 size_t n) {
  using Fused = DoubleRoundOp<true, LeftShift::kSaturate>;  // no left shift: either member
  using ClampFirst = DoubleRoundOp<false, LeftShift::kClampFirst>;
  if constexpr (kSignTermOnInt32) {
    if (Fused::Fuses(job) && Fused::SignTermShifts(job)) {
      RequantizeDispatchType<DoubleRoundOp<true, LeftShift::kSaturate, true>>(job, in, out, n);
      return;
    }
  }
  if (Fused::Fuses(job)) {
    RequantizeDispatchType<Fused>(job, in, out, n);
  } else if (job.variant == QS_REQUANT_DOUBLE_ROUND && ClampFirst::ClampsFirst(job)) {
    RequantizeDispatchType<ClampFirst>(job, in, out, n);
  } else if (job.variant == QS_REQUANT_DOUBLE_ROUND_WRAP) {
    RequantizeDispatchType<DoubleRoundOp<false, LeftShift::kWrap>>(job, in, out, n);
  } else {
    RequantizeDispatchType<DoubleRoundOp<false, LeftShift::kSaturate>>(job, in, out, n);
  }
}

#endif  // HWY_TARGET == HWY_SCALAR

}  // namespace quantspec::optimized::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();
