// Requantize, variant double_round (SPEC.md Q7; gemmlowp / TFLite):
//   x = sat32(acc * 2^left)          left = max(shift, 0); saturating (SPEC CHOICE)
//   x = SRDHM(x, multiplier)         round(x * multiplier / 2^31), ties toward +inf
//   y = RoundingDivideByPOT(x, right) right = max(-shift, 0); ties away from zero
//   q = clamp(y + Zy, qmin, qmax)    in int32: y is clamped to [qmin - Zy, qmax - Zy] first
// SRDHM's nudge (2^30 for ab >= 0, 1 - 2^30 below) followed by truncating division equals
// floor((ab + 2^30) / 2^31) for every ab (for ab < 0 the truncation adds 2^31 - 1, and
// 1 - 2^30 + 2^31 - 1 = 2^30), so the kernel takes bits 31..62 of ab + 2^30 from a 64-bit
// product. SRDHM(INT32_MIN, INT32_MIN) cannot occur: multipliers are >= 0 (checked), but the
// scalar definition saturates it anyway.
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "kernels/requantize_double_round.cc"
#include "hwy/foreach_target.h"  // IWYU pragma: keep

#include "hwy/highway.h"
#include "kernels/ops-inl.h"
#include "kernels/requantize_span-inl.h"
#include "scalar_semantics.h"

HWY_BEFORE_NAMESPACE();
namespace quantspec::optimized::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

#if HWY_TARGET == HWY_SCALAR

void RequantizeDoubleRoundKernel(const RequantizeJob& job, const int32_t* in, void* out,
                                 size_t n) {
  for (size_t i = 0; i < n; ++i) {
    const size_t c = i % job.channels;
    const int64_t y = scalar::RequantizeDoubleRound(in[i], job.multipliers[c], job.shifts[c]);
    const int32_t q = scalar::Clamp(y + job.output_zero_point, job.qmin, job.qmax);
    if (job.output_type == QS_S8) {
      static_cast<int8_t*>(out)[i] = static_cast<int8_t>(q);
    } else {
      static_cast<uint8_t*>(out)[i] = static_cast<uint8_t>(q);
    }
  }
}

#else  // SIMD targets

class DoubleRoundOp {
 public:
  using DI = hn::ScalableTag<int32_t>;
  using DI64 = hn::Repartition<int64_t, DI>;
  using DU64 = hn::Repartition<uint64_t, DI>;
  using VI = hn::Vec<DI>;

  explicit DoubleRoundOp(const RequantizeJob& job)
      : left_(job.shifts[0] > 0 ? job.shifts[0] : 0),
        right_(job.shifts[0] > 0 ? 0 : -job.shifts[0]),
        multiplier_(hn::Set(DI(), job.multipliers[0])),
        sat_hi_(hn::Set(DI(), INT32_MAX >> left_)),
        sat_lo_(hn::Set(DI(), INT32_MIN >> left_)),
        mask_(hn::Set(DI(), static_cast<int32_t>((int64_t{1} << right_) - 1))),
        right_v_(hn::Set(DI(), right_)),
        zy_(hn::Set(DI(), job.output_zero_point)),
        lo_(hn::Set(DI(), job.qmin - job.output_zero_point)),
        hi_(hn::Set(DI(), job.qmax - job.output_zero_point)) {}

  HWY_INLINE VI Tensor(VI acc) const {
    const DI di;
    // sat32(acc << left): beyond +-(2^31 >> left) the shift would overflow.
    // (The branches are uniform over the call: M < 1, the common case, has left = 0.)
    VI x = acc;
    if (left_ != 0) {
      x = hn::ShiftLeftSame(acc, left_);
      x = hn::IfThenElse(hn::Gt(acc, sat_hi_), hn::Set(di, INT32_MAX), x);
      x = hn::IfThenElse(hn::Lt(acc, sat_lo_), hn::Set(di, INT32_MIN), x);
    }
    x = Srdhm(x, multiplier_);
    if (right_ == 0) return Finish(x);
    // RoundingDivideByPOT(x, right)
    const VI remainder = hn::And(x, mask_);
    const VI threshold = hn::Sub(hn::ShiftRight<1>(mask_), hn::ShiftRight<31>(x));
    const VI y = hn::Sub(hn::Shr(x, right_v_),  // vpsravd: one uop (vpsrad by xmm: two)
                         hn::VecFromMask(di, hn::Gt(remainder, threshold)));
    return Finish(y);
  }

  HWY_INLINE VI Channel(VI acc, const int32_t* mult, const int32_t* shift, const float*) const {
    const DI di;
    const VI s = hn::LoadU(di, shift);
    const VI zero = hn::Zero(di);
    const VI left = hn::Max(s, zero);
    const VI right = hn::Max(hn::Neg(s), zero);
    VI x = hn::Shl(acc, left);
    x = hn::IfThenElse(hn::Gt(acc, hn::Shr(hn::Set(di, INT32_MAX), left)), hn::Set(di, INT32_MAX),
                       x);
    x = hn::IfThenElse(hn::Lt(acc, hn::Shr(hn::Set(di, INT32_MIN), left)), hn::Set(di, INT32_MIN),
                       x);
    x = Srdhm(x, hn::LoadU(di, mult));
    const VI one = hn::Set(di, 1);
    const VI mask = hn::Sub(hn::Shl(one, right), one);
    const VI remainder = hn::And(x, mask);
    const VI threshold = hn::Sub(hn::ShiftRight<1>(mask), hn::ShiftRight<31>(x));
    const VI y = hn::Sub(hn::Shr(x, right), hn::VecFromMask(di, hn::Gt(remainder, threshold)));
    return Finish(y);
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

  HWY_INLINE VI Finish(VI y) const { return hn::Add(hn::Min(hn::Max(y, lo_), hi_), zy_); }

  int left_;
  int right_;
  VI multiplier_;
  VI sat_hi_;
  VI sat_lo_;
  VI mask_;
  VI right_v_;
  VI zy_;
  VI lo_;
  VI hi_;
};

void RequantizeDoubleRoundKernel(const RequantizeJob& job, const int32_t* in, void* out,
                                 size_t n) {
  RequantizeDispatchType<DoubleRoundOp>(job, in, out, n);
}

#endif  // HWY_TARGET == HWY_SCALAR

}  // namespace quantspec::optimized::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();
