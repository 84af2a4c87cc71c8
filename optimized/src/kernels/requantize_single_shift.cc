// Requantize with one 64-bit product, one rounding add and one shift (SPEC.md Q7):
//   single_round, rndnu: y = (acc * multiplier + 2^(t-1)) >> t,  t = 31 - shift in [1, 62]
//                        (arithmetic shift: ties toward +inf)
//   rndna:               y = sign(acc) * ((|acc| * multiplier + 2^(t-1)) >> t)  (ties away)
//   tosa_single:         y = (acc * multiplier + 2^(s-1)) >> s,  s = shift in [2, 62]
//   tosa_double:         as tosa_single, round += (acc >= 0 ? 2^30 : -2^30) when s > 31
//   tosa_scale16:        as tosa_single with a 16-bit multiplier
// then q = clamp(y + Zy, qmin, qmax) by the narrower (narrow_store-inl.h). Where y may not fit
// in int32 (t < 31, and per channel) it is first clamped in 64 bits to [qmin - Zy, qmax - Zy]
// (which also covers the sat32 step), so nothing wraps. Per tensor, where y + Zy provably fits,
// Zy rides in the rounding constant instead (FoldsZeroPoint).
// TOSA apply_scale_32 REQUIREs acc in [-2^(s-1), 2^(s-1)); a violation makes the call fail.
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "kernels/requantize_single_shift.cc"
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

bool RequantizeSingleShiftKernel(const RequantizeJob& job, const int32_t* in, void* out,
                                 size_t n) {
  bool ok = true;
  for (size_t i = 0; i < n; ++i) {
    const size_t c = i % job.channels;
    ok = ok && scalar::TosaInputOk(job.variant, in[i], job.shifts[c]);
    // int16x8_int64's job holds (m15, shift + 16): single_round's arithmetic (jobs.cc).
    const uint32_t variant =
        job.variant == QS_REQUANT_INT16X8_INT64 ? uint32_t{QS_REQUANT_SINGLE_ROUND} : job.variant;
    const int64_t y =
        scalar::RequantizeSingleShift(variant, in[i], job.multipliers[c], job.shifts[c]);
    const int32_t lo = job.qmin - job.output_zero_point;
    const int32_t hi = job.qmax - job.output_zero_point;
    const int32_t q = scalar::Clamp(y, lo, hi) + job.output_zero_point;
    if (job.output_type == QS_S8) {
      static_cast<int8_t*>(out)[i] = static_cast<int8_t>(q);
    } else {
      static_cast<uint8_t*>(out)[i] = static_cast<uint8_t>(q);
    }
  }
  return ok;
}

#else  // SIMD targets

// floor(a / 2^32) of the even and odd lanes' 64-bit values as one vector of int32 lanes: the
// gather of HighHalvesShiftedRight (ops-inl.h) without its shift.
template <class DI, class V64>
HWY_INLINE hn::Vec<DI> HighHalves(DI di, V64 a_even, V64 a_odd) {
#if HWY_TARGET == HWY_AVX3 || HWY_TARGET == HWY_AVX3_DL
  (void)di;
  return hn::Vec<DI>{_mm512_mask_shuffle_epi32(a_odd.raw, 0x5555, a_even.raw, _MM_PERM_CDAB)};
#else
  return hn::OddEven(hn::BitCast(di, a_odd), hn::Shuffle2301(hn::BitCast(di, a_even)));
#endif
}

// rndna's sign: -y where acc < 0, else y; y must be 0 where acc = 0 (|acc| * m + 2^(t-1) <
// 2^t there). AVX2: one vpsignd (which zeroes the lanes where acc = 0) in place of a compare,
// a negation and a vpblendvb; AVX-512 has no vpsignd for zmm.
template <class V>
HWY_INLINE V NegateWhereNegative(V y, V acc) {
#if HWY_TARGET == HWY_AVX2
  return V{_mm256_sign_epi32(y.raw, acc.raw)};
#else
  return hn::IfThenElse(hn::Lt(acc, hn::Zero(hn::DFromV<V>())), hn::Neg(y), y);
#endif
}

// The per-tensor arithmetic, chosen once per call: a branch per vector would compete for port 0
// with the vector multiplies and shifts (tosa_single, with one more such branch than
// single_round, measured 0.64 against 0.69 of the L2 copy).
enum class TensorPath {
  kHighHalves,  // y fits in int32 and t >= 32: one shift of the gathered high halves
  kHighHalvesRounded,  // as kHighHalves with t >= 33 (not tosa_double): the rounding constant,
                       // a multiple of 2^32, is added to the gathered high halves (one int32
                       // add per vector where the 64-bit sums take two)
  kSignTerm32,  // tosa_double with t >= 32 without AVX-512: the +-2^30 term on int32 lanes
                // (sign_term_shift-inl.h), where the sums' bits 31..62 fit in int32
  kLowShift,    // y fits in int32 and t < 32: the odd lanes shift left into the high half
  kWide,        // y may exceed int32 (t < 31, multiplier >= 2^t): clamped in 64 bits
};

template <uint32_t kVariant, TensorPath kPath>
class SingleShiftOp {
 public:
  static constexpr bool kReturnsOutput = false;
  using DI = hn::ScalableTag<int32_t>;
  using DI64 = hn::Repartition<int64_t, DI>;
  using DU64 = hn::Repartition<uint64_t, DI>;
  using VI = hn::Vec<DI>;
  using VI64 = hn::Vec<DI64>;

  static constexpr bool kTosa = kVariant == QS_REQUANT_TOSA_SINGLE ||
                                kVariant == QS_REQUANT_TOSA_DOUBLE ||
                                kVariant == QS_REQUANT_TOSA_SCALE16;
  static constexpr bool kCheckRange =
      kVariant == QS_REQUANT_TOSA_SINGLE || kVariant == QS_REQUANT_TOSA_DOUBLE;

  explicit SingleShiftOp(const RequantizeJob& job)
      : total_(Total(job.shifts[0])),
        multiplier_(hn::Set(DI(), job.multipliers[0])),
        round_(hn::Set(DI64(), int64_t{1} << (total_ - 1))),
        total_v_(hn::Set(DI64(), total_)),
        lo_(hn::Set(DI64(), job.qmin - job.output_zero_point)),
        hi_(hn::Set(DI64(), job.qmax - job.output_zero_point)),
        odd_shift_v_(hn::Set(DI64(), total_ >= 32 ? 0 : 32 - total_)),
        high_shift_v_(hn::Set(DI(), total_ >= 32 ? total_ - 32 : 0)),
        sign_term_shift_v_(hn::Set(DI(), total_ >= 32 ? total_ - 31 : 0)),
        folds_zero_point_(kPath != TensorPath::kWide &&
                          FoldsZeroPoint(job.multipliers[0], total_)),
        fitting_round_(hn::Set(
            DI64(), (int64_t{1} << (total_ - 1)) +
                        (folds_zero_point_ ? int64_t{job.output_zero_point} * (int64_t{1} << total_)
                                           : 0))),
        high_round_v_(hn::Set(DI(), total_ >= 33 ? static_cast<int32_t>(
                                                        int64_t{1} << (total_ - 33)) +
                                                        (folds_zero_point_
                                                             ? job.output_zero_point *
                                                                   (int32_t{1} << (total_ - 32))
                                                             : 0)
                                                  : 0)),
        range_shift_(kCheckRange ? (job.shifts[0] - 1 < 31 ? job.shifts[0] - 1 : 31) : 31),
        range_shift_v_(hn::Set(DI(), range_shift_)),
        violations_(hn::Zero(DI())),
        min_acc_(hn::Zero(DI())),
        max_acc_(hn::Zero(DI())) {}

  static int Total(int32_t shift) { return kTosa ? shift : 31 - shift; }
  // The paths with t >= 32: for TOSA (t = s > 31) every int32 acc meets the REQUIRE.
  static constexpr bool kEveryInt32InRange = kPath == TensorPath::kHighHalves ||
                                             kPath == TensorPath::kHighHalvesRounded ||
                                             kPath == TensorPath::kSignTerm32;

  static TensorPath PathFor(const RequantizeJob& job) {
    const int total = Total(job.shifts[0]);
    if (total < 31 && job.multipliers[0] >= (int64_t{1} << total)) return TensorPath::kWide;
    if (total >= 33 && kVariant != QS_REQUANT_TOSA_DOUBLE) return TensorPath::kHighHalvesRounded;
    if (kVariant == QS_REQUANT_TOSA_DOUBLE && total >= 32 && kSignTermOnInt32) {
      // The rounding constant is 2^30 + k32 * 2^31, k32 = 2^(t-32) (+ Zy * 2^(t-31)).
      const int64_t zy = FoldsZeroPoint(job.multipliers[0], total) ? job.output_zero_point : 0;
      const int64_t k32 = (int64_t{1} << (total - 32)) + zy * (int64_t{1} << (total - 31));
      if (SignTermFitsInt32(job.multipliers[0], k32)) return TensorPath::kSignTerm32;
    }
    return total >= 32 ? TensorPath::kHighHalves : TensorPath::kLowShift;
  }

  bool FoldsZeroPoint() const { return folds_zero_point_; }

  HWY_INLINE VI Tensor(VI acc) const {
    // Per tensor the REQUIRE needs only the extremes (checked in ok()). TOSA's t is s, so
    // kHighHalves* and kSignTerm32 mean s > 31, where every int32 is in range; the other paths
    // have s <= 31.
    if constexpr (kCheckRange && !kEveryInt32InRange) {
      min_acc_ = hn::Min(min_acc_, acc);
      max_acc_ = hn::Max(max_acc_, acc);
    }
    if constexpr (kPath != TensorPath::kWide) {
      return ShiftFitting32(acc, hn::Shuffle2301(acc));
    } else {
      // t < 31 here, so tosa_double adds no +-2^30 term (wide = 0).
      const VI64 wide = hn::Zero(DI64());
      // Per-lane shift by a broadcast count (vpsravq: one uop; vpsraq by an xmm count is two).
      auto shift = [&](VI64 v) { return hn::Shr(v, total_v_); };
      return Apply(acc, multiplier_, round_, wide, shift);
    }
  }

  // The fitting paths with the odd lanes from a second load (requantize_span-inl.h).
  static constexpr bool kTakesOddLoad = kPath != TensorPath::kWide;
  HWY_INLINE VI TensorWithOdd(VI acc, VI acc_from_next) const {
    if constexpr (kCheckRange && !kEveryInt32InRange) {
      min_acc_ = hn::Min(min_acc_, acc);
      max_acc_ = hn::Max(max_acc_, acc);
    }
    return ShiftFitting32(acc, acc_from_next);
  }

  HWY_INLINE VI Channel(VI acc, const int32_t* mult, const int32_t* shift_ptr,
                        const float*) const {
    const DI di;
    const DI64 di64;
    const DU64 du64;
    const VI s = hn::LoadU(di, shift_ptr);
    if (kCheckRange) {
      NoteRange(acc, hn::Shr(acc, hn::Min(hn::Sub(s, hn::Set(di, 1)), hn::Set(di, 31))));
    }
    const VI total = kTosa ? s : hn::Sub(hn::Set(di, 31), s);
    // Per 64-bit lane: the even lanes' totals, then the odd lanes'.
    const VI64 total_even = hn::And(hn::BitCast(di64, total), hn::Set(di64, 0xFFFFFFFFLL));
    const VI64 total_odd = hn::BitCast(di64, hn::ShiftRight<32>(hn::BitCast(du64, total)));
    const VI64 one = hn::Set(di64, 1);
    const VI64 round_even = hn::Shl(one, hn::Sub(total_even, one));
    const VI64 round_odd = hn::Shl(one, hn::Sub(total_odd, one));
    const VI64 thirty_one = hn::Set(di64, 31);
    const VI m = hn::LoadU(di, mult);
    return Apply2(acc, m, round_even, round_odd,
                  hn::VecFromMask(di64, hn::Gt(total_even, thirty_one)),
                  hn::VecFromMask(di64, hn::Gt(total_odd, thirty_one)),
                  [&](VI64 v) { return hn::Shr(v, total_even); },
                  [&](VI64 v) { return hn::Shr(v, total_odd); });
  }

  // Merges the range record of a copy (RequantizeSpan runs on a local copy of the op).
  void Absorb(const SingleShiftOp& copy) const {
    violations_ = hn::Or(violations_, copy.violations_);
    min_acc_ = hn::Min(min_acc_, copy.min_acc_);
    max_acc_ = hn::Max(max_acc_, copy.max_acc_);
  }

  bool ok() const {
    NoteRange(min_acc_, hn::Shr(min_acc_, range_shift_v_));
    NoteRange(max_acc_, hn::Shr(max_acc_, range_shift_v_));
    return hn::AllTrue(DI(), hn::Eq(violations_, hn::Zero(DI())));
  }

 private:
  // ShiftFitting32 may add Zy * 2^t to its rounding constant, giving y + Zy from the same
  // shift (floor((a + Zy * 2^t) / 2^t) = floor(a / 2^t) + Zy), when y + Zy still fits in int32
  // and the 64-bit sum cannot overflow: multiplier < 2^(t-1) bounds |y| by 2^30 + 1 (tosa_double's
  // +-2^30 term included), and t <= 54 keeps |p| + 255 * 2^t + 2^t below 2^62 + 2^62. rndna
  // negates y after the shift, so Zy cannot enter before it.
  static bool FoldsZeroPoint(int32_t multiplier, int total) {
    return kVariant != QS_REQUANT_RNDNA && total <= 54 &&
           int64_t{multiplier} < (int64_t{1} << (total - 1));
  }

  // acc >> (s - 1) (count capped at 31) is 0 or -1 exactly when acc is in range.
  HWY_INLINE void NoteRange(VI acc, VI high) const {
    (void)acc;
    const DI di;
    const auto in_range = hn::Or(hn::Eq(high, hn::Zero(di)), hn::Eq(high, hn::Set(di, -1)));
    violations_ = hn::Or(violations_, hn::VecFromMask(di, hn::Not(in_range)));
  }

  // Per tensor with multiplier < 2^t (always when t >= 31): |acc * multiplier + round| <
  // 2^(31 + t), so y fits in int32 and needs no 64-bit clamp (the narrower clamps). For t >= 32
  // the high halves of the sums are gathered and shifted as int32 lanes (ops-inl.h); below,
  // the odd lanes shift left by 32 - t so that y lands in the high half of the 64-bit lane,
  // where the blend takes it.
  // rndna works on |acc| (<= 2^31, same bound) and negates y where acc < 0. (Its signed form,
  // single_round's sum minus 1 where p < 0, would also take Zy, but measured slower: L2 0.42
  // against 0.44.)
  // acc_odd: lane 2k + 1 of acc in the low half of 64-bit lane k.
  HWY_INLINE VI ShiftFitting32(VI acc, VI acc_odd) const {
    const DI di;
    const DI64 di64;
    VI64 p_even, p_odd;
    if constexpr (kVariant == QS_REQUANT_RNDNA) {
      const hn::RebindToUnsigned<DI> du;
      const auto mag = hn::BitCast(du, hn::Abs(acc));  // |INT32_MIN| = 2^31 as uint32
      const auto m = hn::BitCast(du, multiplier_);     // a broadcast: no shuffle needed
      p_even = hn::BitCast(di64, hn::MulEven(mag, m));  // < 2^62: non-negative as int64
      p_odd = hn::BitCast(di64, hn::MulEven(hn::BitCast(du, hn::Abs(acc_odd)), m));
    } else {
      p_even = hn::MulEven(acc, multiplier_);
      p_odd = hn::MulEven(acc_odd, multiplier_);
    }
    if constexpr (kPath == TensorPath::kHighHalvesRounded) {
      // R = 2^(t-1) (+ Zy * 2^t) is R32 * 2^32 for t >= 33, and with p = h * 2^32 + l,
      // 0 <= l < 2^32: floor((p + R) / 2^t) = floor((h + R32 + l / 2^32) / 2^(t-32))
      // = floor((h + R32) / 2^(t-32)), as adding a fraction below 1 to an integer numerator
      // does not change the floor of its division by an integer. |h| <= 2^30 (|p| < 2^62) and
      // |R32| <= 2^21 + 255 * 2^22 (t <= 54 where Zy is folded), so h + R32 fits in int32.
      const VI high = HighHalves(di, p_even, p_odd);
      VI y = hn::Shr(hn::Add(high, high_round_v_), high_shift_v_);
      if constexpr (kVariant == QS_REQUANT_RNDNA) {
        y = NegateWhereNegative(y, acc);
      }
      return y;
    }
    if constexpr (kPath == TensorPath::kSignTerm32) {
      // round + 2^30 - [acc < 0] * 2^31: floor((p + round_up - s * 2^31) / 2^(31 + (t - 31))).
      const VI64 round_up = hn::Add(fitting_round_, hn::Set(di64, int64_t{1} << 30));
      return ShiftWithSignTerm(di, hn::Add(p_even, round_up), hn::Add(p_odd, round_up), acc,
                               sign_term_shift_v_);
    }
    VI64 a_even, a_odd;
    if constexpr (kVariant == QS_REQUANT_TOSA_DOUBLE && kPath == TensorPath::kHighHalves) {
      // +-2^30 by the sign of acc, read from the product: equal unless multiplier = 0, where
      // both give y = (2^(s-1) +- 2^30) >> s = 0.
      const VI64 round_up = hn::Add(fitting_round_, hn::Set(di64, int64_t{1} << 30));
      const VI64 zero = hn::Zero(di64);
      const VI64 step = hn::Set(di64, int64_t{1} << 31);
      a_even = SubWhereLess(hn::Add(p_even, round_up), p_even, zero, step);
      a_odd = SubWhereLess(hn::Add(p_odd, round_up), p_odd, zero, step);
    } else {
      a_even = hn::Add(p_even, fitting_round_);
      a_odd = hn::Add(p_odd, fitting_round_);
    }
    VI y;
    if constexpr (kPath == TensorPath::kHighHalves) {
      y = HighHalvesShiftedRight(di, a_even, a_odd, high_shift_v_);
    } else {
      const VI y_even = hn::BitCast(di, hn::Shr(a_even, total_v_));
      y = hn::OddEven(hn::BitCast(di, hn::Shl(a_odd, odd_shift_v_)), y_even);
    }
    if constexpr (kVariant == QS_REQUANT_RNDNA) {
      return NegateWhereNegative(y, acc);
    }
    return y;
  }

  // tosa_double: round += +-2^30 by the sign of acc, where the shift exceeds 31 (wide != 0).
  HWY_INLINE void AddTosaDoubleTerm(VI acc, VI64 wide_even, VI64 wide_odd, VI64& re,
                                    VI64& ro) const {
    if constexpr (kVariant == QS_REQUANT_TOSA_DOUBLE) {
      const DI64 di64;
      const VI64 acc_even64 = hn::ShiftRight<32>(hn::ShiftLeft<32>(hn::BitCast(di64, acc)));
      const VI64 acc_odd64 = hn::ShiftRight<32>(hn::BitCast(di64, acc));
      const VI64 plus = hn::Set(di64, int64_t{1} << 30);
      const VI64 minus = hn::Set(di64, -(int64_t{1} << 30));
      const VI64 zero = hn::Zero(di64);
      const VI64 adj_e = hn::IfThenElse(hn::Lt(acc_even64, zero), minus, plus);
      const VI64 adj_o = hn::IfThenElse(hn::Lt(acc_odd64, zero), minus, plus);
      re = hn::Add(re, hn::IfThenElseZero(hn::Ne(wide_even, zero), adj_e));
      ro = hn::Add(ro, hn::IfThenElseZero(hn::Ne(wide_odd, zero), adj_o));
    } else {
      (void)acc;
      (void)wide_even;
      (void)wide_odd;
      (void)re;
      (void)ro;
    }
  }

  template <class Shift>
  HWY_INLINE VI Apply(VI acc, VI m, VI64 round, VI64 wide, Shift shift) const {
    return Apply2(acc, m, round, round, wide, wide, shift, shift);
  }

  // wide_*: all-ones (or 1 in the per-tensor call) where the total shift exceeds 31, which is
  // where tosa_double adds its second rounding term.
  template <class ShiftEven, class ShiftOdd>
  HWY_INLINE VI Apply2(VI acc, VI m, VI64 round_even, VI64 round_odd, VI64 wide_even,
                       VI64 wide_odd, ShiftEven shift_even, ShiftOdd shift_odd) const {
    const DI di;
    const DI64 di64;
    const DU64 du64;
    const VI acc_odd = hn::Shuffle2301(acc);
    const VI m_odd = hn::Shuffle2301(m);
    VI64 y_even, y_odd;
    if constexpr (kVariant == QS_REQUANT_RNDNA) {
      // |acc| as uint32 (|INT32_MIN| = 2^31 fits), unsigned 64-bit product, logical shift.
      const hn::RebindToUnsigned<DI> du;
      const auto mag = hn::BitCast(du, hn::Abs(acc));
      const auto mag_odd = hn::BitCast(du, hn::Abs(acc_odd));
      const auto mu = hn::BitCast(du, m);
      const auto mu_odd = hn::BitCast(du, m_odd);
      const auto pe = hn::Add(hn::MulEven(mag, mu), hn::BitCast(du64, round_even));
      const auto po = hn::Add(hn::MulEven(mag_odd, mu_odd), hn::BitCast(du64, round_odd));
      // < 2^62, so the logical shift equals the arithmetic one on the int64 view.
      y_even = shift_even(hn::BitCast(di64, pe));
      y_odd = shift_odd(hn::BitCast(di64, po));
      // Cap magnitudes (beyond the clamp range anyway) so the 32-bit negation is safe.
      const VI64 cap = hn::Set(di64, int64_t{1} << 20);
      y_even = hn::Min(y_even, cap);
      y_odd = hn::Min(y_odd, cap);
      const VI y =
          hn::OddEven(hn::BitCast(di, hn::ShiftLeft<32>(y_odd)), hn::BitCast(di, y_even));
      return NegateWhereNegative(y, acc);
    } else {
      VI64 pe = hn::MulEven(acc, m);
      VI64 po = hn::MulEven(acc_odd, m_odd);
      VI64 re = round_even;
      VI64 ro = round_odd;
      AddTosaDoubleTerm(acc, wide_even, wide_odd, re, ro);
      y_even = shift_even(hn::Add(pe, re));
      y_odd = shift_odd(hn::Add(po, ro));
      // y may exceed int32 here (t < 31, or per channel): clamp in 64 bits first.
      y_even = hn::Min(hn::Max(y_even, lo_), hi_);
      y_odd = hn::Min(hn::Max(y_odd, lo_), hi_);
      return hn::OddEven(hn::BitCast(di, hn::ShiftLeft<32>(y_odd)), hn::BitCast(di, y_even));
    }
  }

  int total_;
  VI multiplier_;
  VI64 round_;
  VI64 total_v_;
  VI64 lo_;
  VI64 hi_;
  VI64 odd_shift_v_;  // 32 - t for t < 32: ShiftFitting32's left shift of the odd lanes (a
                     // vector count: vpsllvq / vpsravq are one uop, shifts by an xmm count two)
  VI high_shift_v_;   // t - 32 for t >= 32: ShiftFitting32's shift of the high halves
  VI sign_term_shift_v_;  // t - 31 for t >= 32: the kSignTerm32 shift of bits 31..62
  bool folds_zero_point_;  // ShiftFitting32 returns y + Zy
  VI64 fitting_round_;     // ShiftFitting32's rounding constant (Zy * 2^t included if folded)
  VI high_round_v_;        // kHighHalvesRounded: fitting_round_ / 2^32 (t >= 33)
  int range_shift_;
  VI range_shift_v_;
  mutable VI violations_;
  mutable VI min_acc_;  // per tensor: extremes of every acc seen
  mutable VI max_acc_;
};

template <uint32_t kVariant, TensorPath kPath>
bool RunPath(const RequantizeJob& job, const int32_t* in, void* out, size_t n) {
  const SingleShiftOp<kVariant, kPath> op(job);  // also records TOSA range violations
  if (job.output_type == QS_S8) {
    RequantizeTyped(op, job, in, static_cast<int8_t*>(out), n);
  } else {
    RequantizeTyped(op, job, in, static_cast<uint8_t*>(out), n);
  }
  return op.ok();
}

template <uint32_t kVariant>
bool Run(const RequantizeJob& job, const int32_t* in, void* out, size_t n) {
  // Per channel only Channel() runs, which is the same in every instantiation.
  if (job.channels != 1) return RunPath<kVariant, TensorPath::kWide>(job, in, out, n);
  switch (SingleShiftOp<kVariant, TensorPath::kWide>::PathFor(job)) {
    case TensorPath::kHighHalves:
      return RunPath<kVariant, TensorPath::kHighHalves>(job, in, out, n);
    case TensorPath::kHighHalvesRounded:
      return RunPath<kVariant, TensorPath::kHighHalvesRounded>(job, in, out, n);
    case TensorPath::kSignTerm32:
      if constexpr (kVariant == QS_REQUANT_TOSA_DOUBLE && kSignTermOnInt32) {
        return RunPath<kVariant, TensorPath::kSignTerm32>(job, in, out, n);
      }
      break;  // not reached: PathFor returns it only for tosa_double on these targets
    case TensorPath::kLowShift:
      return RunPath<kVariant, TensorPath::kLowShift>(job, in, out, n);
    default:
      break;
  }
  return RunPath<kVariant, TensorPath::kWide>(job, in, out, n);
}

bool RequantizeSingleShiftKernel(const RequantizeJob& job, const int32_t* in, void* out,
                                 size_t n) {
  switch (job.variant) {
    case QS_REQUANT_SINGLE_ROUND:
      return Run<QS_REQUANT_SINGLE_ROUND>(job, in, out, n);
    case QS_REQUANT_RNDNU:  // same arithmetic; differs from single_round only in derivation
    case QS_REQUANT_INT16X8_INT64:  // Q11.2 on the job's (m15, shift + 16): total 15 - shift
      return Run<QS_REQUANT_SINGLE_ROUND>(job, in, out, n);
    case QS_REQUANT_RNDNA:
      return Run<QS_REQUANT_RNDNA>(job, in, out, n);
    case QS_REQUANT_TOSA_SINGLE:
      return Run<QS_REQUANT_TOSA_SINGLE>(job, in, out, n);
    case QS_REQUANT_TOSA_DOUBLE:
      return Run<QS_REQUANT_TOSA_DOUBLE>(job, in, out, n);
    default:
      return Run<QS_REQUANT_TOSA_SCALE16>(job, in, out, n);
  }
}

#endif  // HWY_TARGET == HWY_SCALAR

}  // namespace quantspec::optimized::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();
