// Requantize, the deployed members of SPEC.md Q11 that need their own arithmetic
// (int16x8_int64 is single_round on derived parameters: requantize_single_shift.cc):
//   neon_double_round (Q11.1): x = wrap32(acc * 2^left)        left = max(shift, 0) (SSHL)
//                              h = SRDHM(x, multiplier)         ties toward +inf (SQRDMULH)
//                              y = (h + 2^(r-1)) >> r           r = max(-shift, 0), ties toward
//                                                               +inf (SRSHL), not away from zero
//   rndnu16 (Q11.8), on the job's derived (m15, p) (jobs.cc):
//                              x = sat16(acc >> -p rounded ties up, or acc * 2^p)
//                              y = (x * m15 + 2^14) >> 15
// then q = clamp(y + Zy, qmin, qmax) by the narrower (narrow_store-inl.h).
// As in requantize_double_round.cc, SRDHM is floor((x * m + 2^30) / 2^31) (multiplier >= 0), and
// since floor((floor(a / 2^31) + c) / 2^r) = floor((a + c * 2^31) / 2^(31 + r)), neon's two
// roundings, both ties up, are one: y = (x * m + 2^30 + [r > 0] * 2^(30 + r)) >> (31 + r).
// That is exact (|x * m| < 2^62, so the sum stays below 2^63) and y fits in int32.
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "kernels/requantize_deployed.cc"
#include "hwy/foreach_target.h"  // IWYU pragma: keep

#include "hwy/highway.h"
#include "kernels/ops-inl.h"
#include "kernels/requantize_span-inl.h"
#include "scalar_semantics.h"

HWY_BEFORE_NAMESPACE();
namespace quantspec::optimized::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

#if HWY_TARGET == HWY_SCALAR

void RequantizeDeployedKernel(const RequantizeJob& job, const int32_t* in, void* out, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    const size_t c = i % job.channels;
    const int64_t y =
        job.variant == QS_REQUANT_RNDNU16
            ? scalar::RequantizeRndnu16Reduced(in[i], job.multipliers[c], job.shifts[c])
            : scalar::RequantizeAppended(job.variant, in[i], job.multipliers[c], job.shifts[c]);
    const int32_t q = scalar::Clamp(y + job.output_zero_point, job.qmin, job.qmax);
    if (job.output_type == QS_S8) {
      static_cast<int8_t*>(out)[i] = static_cast<int8_t>(q);
    } else {
      static_cast<uint8_t*>(out)[i] = static_cast<uint8_t>(q);
    }
  }
}

#else  // SIMD targets

// kRightShifts: per tensor with r >= 1 (the common case, multiplier < 1): the shift by 31 + r
// >= 32 is taken on the gathered high halves (ops-inl.h); with r = 0 the lanes are bits 31..62
// of the sums. Chosen once per call.
template <bool kRightShifts>
class NeonDoubleRoundOp {
 public:
  static constexpr bool kReturnsOutput = false;
  using DI = hn::ScalableTag<int32_t>;
  using DI64 = hn::Repartition<int64_t, DI>;
  using DU64 = hn::Repartition<uint64_t, DI>;
  using VI = hn::Vec<DI>;
  using VI64 = hn::Vec<DI64>;

  explicit NeonDoubleRoundOp(const RequantizeJob& job)
      : left_(job.shifts[0] > 0 ? job.shifts[0] : 0),
        right_(job.shifts[0] > 0 ? 0 : -job.shifts[0]),
        multiplier_(hn::Set(DI(), job.multipliers[0])),
        folds_zero_point_(kRightShifts && right_ <= 23),
        round_(hn::Set(DI64(), (int64_t{1} << 30) +
                                   (right_ > 0 ? int64_t{1} << (30 + right_) : 0) +
                                   (folds_zero_point_ ? int64_t{job.output_zero_point} *
                                                            (int64_t{1} << (31 + right_))
                                                      : 0))),
        high_shift_(hn::Set(DI(), right_ > 0 ? right_ - 1 : 0)) {}

  static bool RightShifts(const RequantizeJob& job) { return job.shifts[0] < 0; }
  // kRightShifts with r <= 23: Zy * 2^(31 + r) rides in the rounding constant, so the lanes
  // are y + Zy (floor((a + Zy * 2^(31+r)) / 2^(31+r)) = floor(a / 2^(31+r)) + Zy); the high
  // halves stay in int32: |a| / 2^32 < 2^30 + 1 + 255 * 2^(r-1) <= 2^30 + 1 + 255 * 2^22.
  bool FoldsZeroPoint() const { return folds_zero_point_; }

  HWY_INLINE VI Tensor(VI acc) const {
    // SSHL keeps the low 32 bits: the left shift wraps (Highway shifts signed lanes bitwise).
    const VI x = left_ != 0 ? hn::ShiftLeftSame(acc, left_) : acc;
    return Rounded(x, hn::Shuffle2301(x));
  }

  // kRightShifts (no left shift there): the odd lanes from a second load (requantize_span-inl.h).
  static constexpr bool kTakesOddLoad = kRightShifts;
  HWY_INLINE VI TensorWithOdd(VI acc, VI acc_from_next) const {
    return Rounded(acc, acc_from_next);
  }

  // x_odd: lane 2k + 1 of x in the low half of 64-bit lane k.
  HWY_INLINE VI Rounded(VI x, VI x_odd) const {
    const DI di;
    const DU64 du64;
    const VI64 a_even = hn::Add(hn::MulEven(x, multiplier_), round_);
    const VI64 a_odd = hn::Add(hn::MulEven(x_odd, multiplier_), round_);  // m: a broadcast
    if constexpr (kRightShifts) {
      return HighHalvesShiftedRight(di, a_even, a_odd, high_shift_);
    } else {
      // Bits 31..62 of each sum: to the low half for even lanes, the high half for odd.
      const VI even_bits = hn::BitCast(di, hn::ShiftRight<31>(hn::BitCast(du64, a_even)));
      const VI odd_bits = hn::BitCast(di, hn::ShiftLeft<1>(hn::BitCast(du64, a_odd)));
      return hn::OddEven(odd_bits, even_bits);
    }
  }

  HWY_INLINE VI Channel(VI acc, const int32_t* mult, const int32_t* shift, const float*) const {
    const DI di;
    const DI64 di64;
    const DU64 du64;
    const VI s = hn::LoadU(di, shift);
    const VI zero = hn::Zero(di);
    const VI x = hn::Shl(acc, hn::Max(s, zero));  // wraps
    const VI right = hn::Max(hn::Neg(s), zero);
    const VI m = hn::LoadU(di, mult);
    const VI64 p_even = hn::MulEven(x, m);
    const VI64 p_odd = hn::MulEven(hn::Shuffle2301(x), hn::Shuffle2301(m));
    // Per 64-bit lane: r of the even lanes, then of the odd lanes.
    const VI64 r_even = hn::And(hn::BitCast(di64, right), hn::Set(di64, 0xFFFFFFFFLL));
    const VI64 r_odd = hn::BitCast(di64, hn::ShiftRight<32>(hn::BitCast(du64, right)));
    const VI64 y_even = RoundShift(p_even, r_even);
    const VI64 y_odd = RoundShift(p_odd, r_odd);
    return hn::OddEven(hn::BitCast(di, hn::ShiftLeft<32>(y_odd)), hn::BitCast(di, y_even));
  }

 private:
  // (p + 2^30 + [r > 0] * 2^(30 + r)) >> (31 + r), per 64-bit lane.
  static HWY_INLINE VI64 RoundShift(VI64 p, VI64 r) {
    const DI64 di64;
    const VI64 total = hn::Add(r, hn::Set(di64, 31));
    const VI64 half = hn::Set(di64, int64_t{1} << 30);
    const VI64 second = hn::IfThenElseZero(hn::Gt(r, hn::Zero(di64)),
                                           hn::Shl(hn::Set(di64, int64_t{1} << 30), r));
    return hn::Shr(hn::Add(hn::Add(p, half), second), total);
  }

  int left_;
  int right_;
  VI multiplier_;
  bool folds_zero_point_;  // Tensor returns y + Zy
  VI64 round_;
  VI high_shift_;  // r - 1: the kRightShifts path's shift of the sums' high halves
};

// rndnu16. Per tensor the direction of the pre-shift is chosen once per call (kPreShift) and
// the rest runs on int16 lanes: Tensor returns the pre-shifted x as int32, the narrower's
// first saturating pack is x's sat16 (VQMOVN), and Stage16 is (x * m15 + 2^14) >> 15, which
// is exactly vpmulhrsw / MulFixedPoint15 (((x * m15) >> 14) + 1) >> 1, since
// floor((floor(a / 2^14) + 1) / 2) = floor((a + 2^14) / 2^15); its one overflow, x = m15 =
// -2^15, cannot occur as 0 <= m15 < 2^15. The result is an int16 and the narrower adds Zy
// with saturation. Per channel, on 32-bit lanes throughout: x is an int16 and m15 < 2^15, so
// x * m15 + 2^14 < 2^30; both directions of the pre-shift are computed.
enum class PreShift { kRight, kLeft, kNone };

template <PreShift kPreShift>
class Rndnu16Op {
 public:
  static constexpr bool kReturnsOutput = false;
  static constexpr bool kTensorStage16 = true;
  using DI = hn::ScalableTag<int32_t>;
  using VI = hn::Vec<DI>;

  explicit Rndnu16Op(const RequantizeJob& job)
      : m15_(static_cast<int16_t>(job.multipliers[0])),
        right_(job.shifts[0] < 0 ? -job.shifts[0] : 0),
        left_(job.shifts[0] > 0 ? job.shifts[0] : 0) {}

  static PreShift PreShiftFor(const RequantizeJob& job) {
    return job.shifts[0] < 0 ? PreShift::kRight : job.shifts[0] > 0 ? PreShift::kLeft
                                                                    : PreShift::kNone;
  }
  bool FoldsZeroPoint() const { return false; }

  // x before its saturation to int16 (the narrower's pack saturates).
  HWY_INLINE VI Tensor(VI acc) const {
    if constexpr (kPreShift == PreShift::kRight) {
      // floor((acc + 2^(r-1)) / 2^r) = floor((u + 1) / 2) = u - floor(u / 2) with u =
      // floor(acc / 2^(r-1)) (r >= 1 here), without the int32 overflow of acc + 2^(r-1).
      const VI u = hn::ShiftRightSame(acc, right_ - 1);
      return hn::Sub(u, hn::ShiftRight<1>(u));
    } else if constexpr (kPreShift == PreShift::kLeft) {
      return hn::ShiftLeftSame(Narrow16(acc), left_);  // |x| * 2^9 < 2^25: no overflow
    } else {
      return acc;
    }
  }

  template <class V16>
  HWY_INLINE V16 Stage16(V16 x) const {
    return hn::MulFixedPoint15(x, hn::Set(hn::DFromV<V16>(), m15_));
  }

  HWY_INLINE VI Channel(VI acc, const int32_t* mult, const int32_t* shift, const float*) const {
    const DI di;
    const VI p = hn::LoadU(di, shift);
    const VI zero = hn::Zero(di);
    const VI right = hn::Max(hn::Neg(p), zero);
    // As in Tensor; with r = 0 the added bit is masked to 0.
    const VI right_nonzero = hn::Min(right, hn::Set(di, 1));
    const VI rounded = hn::Add(hn::Shr(acc, right),
                               hn::And(hn::Shr(acc, hn::Sub(right, right_nonzero)), right_nonzero));
    const VI x = Narrow16(hn::Shl(Narrow16(rounded), hn::Max(p, zero)));
    return hn::ShiftRight<15>(hn::Add(hn::Mul(x, hn::LoadU(di, mult)), hn::Set(di, 1 << 14)));
  }

 private:
  // Saturation to int16 (VQMOVN). Before a left shift it keeps the sign of anything beyond, and
  // |x| * 2^9 < 2^25 cannot overflow; after it, it is the saturation of the shift itself.
  static HWY_INLINE VI Narrow16(VI v) {
    const DI di;
    return hn::Min(hn::Max(v, hn::Set(di, -32768)), hn::Set(di, 32767));
  }

  int16_t m15_;
  int right_;
  int left_;
};

void RequantizeDeployedKernel(const RequantizeJob& job, const int32_t* in, void* out, size_t n) {
  if (job.variant == QS_REQUANT_RNDNU16) {
    switch (Rndnu16Op<PreShift::kRight>::PreShiftFor(job)) {
      case PreShift::kRight:
        RequantizeDispatchType<Rndnu16Op<PreShift::kRight>>(job, in, out, n);
        return;
      case PreShift::kLeft:
        RequantizeDispatchType<Rndnu16Op<PreShift::kLeft>>(job, in, out, n);
        return;
      default:
        RequantizeDispatchType<Rndnu16Op<PreShift::kNone>>(job, in, out, n);
        return;
    }
  }
  if (NeonDoubleRoundOp<true>::RightShifts(job)) {
    RequantizeDispatchType<NeonDoubleRoundOp<true>>(job, in, out, n);
  } else {
    RequantizeDispatchType<NeonDoubleRoundOp<false>>(job, in, out, n);
  }
}

#endif  // HWY_TARGET == HWY_SCALAR

}  // namespace quantspec::optimized::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();
