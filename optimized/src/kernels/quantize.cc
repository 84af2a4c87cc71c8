// Quantize f32 -> s8/u8 (SPEC.md Q2): q = clamp(R(t) + Z, qmin, qmax), t per division variant.
// t is clamped to [qmin - Z, qmax - Z] while still a float (per tensor on AVX-512 only from
// above, to 2^30, with the rest of the clamp in saturating integer packs, and likewise on AVX2
// except for exact division; see kIntegerClamp / kIntegerClampFor),
// never converted to int first, so a quotient beyond 2^31 or an infinity saturates instead of
// becoming INT_MIN; NaN becomes 0
// (q = Z), then rounded by rule R. Exact division corrects fl32(x/S) with the sign of the FMA
// residual at the integer and half-integer points (see scalar::QuantizeExact for the proof);
// targets without a native FMA run that step per element through std::fma.
//
// The division variants take fl32(x / S) from MarksteinQuotient (markstein_quotient-inl.h)
// where it applies, and from vdivps otherwise.
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "kernels/quantize.cc"
#include "hwy/foreach_target.h"  // IWYU pragma: keep

#include <algorithm>
#include <cstring>
#include <type_traits>

#include "hwy/cache_control.h"
#include "hwy/highway.h"
#include "kernels/float_rounding-inl.h"
#include "kernels/group_order-inl.h"
#include "kernels/markstein_quotient-inl.h"
#include "kernels/narrow_store-inl.h"
#include "kernels/ops-inl.h"
#include "scalar_semantics.h"


HWY_BEFORE_NAMESPACE();
namespace quantspec::optimized::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

#if HWY_TARGET == HWY_SCALAR

void QuantizeKernel(const QuantizeJob& job, const float* in, void* out, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    const size_t c = i % job.channels;
    const float s = job.scales[c];
    const int32_t z = job.zero_points[c];
    int32_t q;
    if (job.division == QS_DIV_EXACT) {
      q = scalar::QuantizeExact(in[i], s, job.rounding, z, job.qmin, job.qmax);
    } else {
      const float t = job.division == QS_DIV_F32_DIVIDE ? in[i] / s : in[i] * (1.0f / s);
      q = scalar::QuantizeRounded(t, job.rounding, z, job.qmin, job.qmax);
    }
    if (job.output_type == QS_S8) {
      static_cast<int8_t*>(out)[i] = static_cast<int8_t>(q);
    } else {
      static_cast<uint8_t*>(out)[i] = static_cast<uint8_t>(q);
    }
  }
}

#else  // SIMD targets

using DF = hn::ScalableTag<float>;
using DI = hn::RebindToSigned<DF>;
using VF = hn::Vec<DF>;

// Adding 1.5 * 2^23 to a binary32 of magnitude < 2^22 rounds it to an integer (ties to even
// in the default rounding mode) held in the low mantissa bits, so bits(t + kMagic) - bits(kMagic)
// is that integer: two instructions where cvtps2dq needs Highway's out-of-range fix-up (our
// values are clamped to [-255, 255]). Subtracting (bits(kMagic) - Z) also adds the zero point.
constexpr float kMagic = 12582912.0f;
constexpr int32_t kMagicBits = 0x4B400000;

// Per-lane parameters of one vector, derived once per tensor or once per vector of channels.
struct LaneParams {
  VF scale;            // S (exact division: rescaled by 2^100 where S < 2^-100)
  VF inv_scale;        // fl32(1 / S)
  VF x_factor;         // 2^100 where S was rescaled, else 1 (exact division only)
  VF lo;               // qmin - Z
  VF hi;               // qmax - Z
  hn::Vec<DI> offset;  // kMagicBits - Z
};

template <uint32_t kDivision>
HWY_INLINE LaneParams MakeLanes(DF df, VF s, hn::Vec<DI> z, int32_t qmin, int32_t qmax) {
  const DI di;
  LaneParams l;
  l.x_factor = hn::Set(df, 1.0f);
  if constexpr (kDivision == QS_DIV_EXACT) {
    const auto tiny = hn::Lt(s, hn::Set(df, 0x1p-100f));
    l.x_factor = hn::IfThenElse(tiny, hn::Set(df, 0x1p100f), l.x_factor);
    s = hn::Mul(s, l.x_factor);  // exact: a power of two
  }
  l.scale = s;
  l.inv_scale = hn::Div(hn::Set(df, 1.0f), s);  // correctly rounded, as the scalar 1.0f / S
  const VF zf = hn::ConvertTo(df, z);
  l.lo = hn::Sub(hn::Set(df, static_cast<float>(qmin)), zf);
  l.hi = hn::Sub(hn::Set(df, static_cast<float>(qmax)), zf);
  l.offset = hn::Sub(hn::Set(di, kMagicBits), z);
  return l;
}

// NaN -> 0 (q = Z). AVX-512: one vfixupimmps (token QNaN / SNaN -> +0, every other class
// keeps the value); elsewhere a compare and a blend.
HWY_INLINE VF NanToZero(DF df, VF t) {
#if HWY_TARGET == HWY_AVX3 || HWY_TARGET == HWY_AVX3_DL
  (void)df;
  return VF{_mm512_fixupimm_ps(t.raw, t.raw, _mm512_set1_epi32(0x88), 0)};
#else
  (void)df;
  return hn::IfThenZeroElse(hn::IsNaN(t), t);
#endif
}

#if HWY_TARGET == HWY_AVX3 || HWY_TARGET == HWY_AVX3_DL
// AVX-512 rounding of a clamped t (|t| <= 2^9) straight to int32, with the rounding mode
// embedded in the instruction: half_even, toward_zero and floor are one conversion; half_up is
// floor(t + 0.5) and half_away trunc(t + copysign(0.5, t)), each addition rounded in the
// direction of the conversion that follows (down, toward zero), which makes it exact where it
// matters: floor(RD(v)) = floor(v) and trunc(RZ(v)) = trunc(v) because the integers between are
// representable (a round-to-nearest addition would turn 0.49999997 + 0.5 into 1).
template <uint32_t kRounding>
HWY_INLINE __m512i RoundToInt32(__m512 t) {
  constexpr int kNoExc = _MM_FROUND_NO_EXC;
  if constexpr (kRounding == QS_ROUND_HALF_EVEN) {
    return _mm512_cvt_roundps_epi32(t, _MM_FROUND_TO_NEAREST_INT | kNoExc);
  } else if constexpr (kRounding == QS_ROUND_TOWARD_ZERO) {
    return _mm512_cvtt_roundps_epi32(t, kNoExc);
  } else if constexpr (kRounding == QS_ROUND_FLOOR) {
    return _mm512_cvt_roundps_epi32(t, _MM_FROUND_TO_NEG_INF | kNoExc);
  } else if constexpr (kRounding == QS_ROUND_HALF_UP) {
    const __m512 v = _mm512_add_round_ps(t, _mm512_set1_ps(0.5f), _MM_FROUND_TO_NEG_INF | kNoExc);
    return _mm512_cvt_roundps_epi32(v, _MM_FROUND_TO_NEG_INF | kNoExc);
  } else {
    // copysign(0.5, t): bits of 0.5 under the sign bit of t (ternary select, imm 0xCA =
    // (sign_mask & t) | (~sign_mask & half)).
    const __m512i half = _mm512_ternarylogic_epi32(_mm512_set1_epi32(INT32_MIN),
                                                   _mm512_castps_si512(t),
                                                   _mm512_set1_epi32(0x3F000000), 0xCA);
    const __m512 v = _mm512_add_round_ps(t, _mm512_castsi512_ps(half), _MM_FROUND_TO_ZERO | kNoExc);
    return _mm512_cvtt_roundps_epi32(v, kNoExc);
  }
}

// Exact division on AVX-512: t = fl32(x / S) differs in its rounding from x / S only where t
// is itself a rounding boundary (a half-integer for the half rules, an integer for floor and
// toward_zero; see scalar::QuantizeExact), and there the sign of the fused residual x - t*S says
// on which side x / S lies. Moving such a t by 0.25 toward that side, before the clamp, gives a
// value with the same rounding as x / S (|t| < 2^21, so t +- 0.25 is exact and crosses no other
// boundary; beyond that t is clamped anyway).
template <uint32_t kRounding>
HWY_INLINE __m512 NudgeTowardExactQuotient(__m512 t, __m512 x, __m512 scale) {
  const __m512 residual = _mm512_fnmadd_ps(t, scale, x);
  // t - trunc(t), exact.
  const __m512 fraction = _mm512_reduce_ps(t, _MM_FROUND_TO_ZERO | _MM_FROUND_NO_EXC);
  __mmask16 boundary;
  if constexpr (kRounding == QS_ROUND_FLOOR || kRounding == QS_ROUND_TOWARD_ZERO) {
    boundary = _mm512_cmp_ps_mask(fraction, _mm512_setzero_ps(), _CMP_EQ_OQ);
  } else {
    boundary = _mm512_cmp_ps_mask(_mm512_abs_ps(fraction), _mm512_set1_ps(0.5f), _CMP_EQ_OQ);
  }
  const __mmask16 off = _mm512_mask_cmp_ps_mask(boundary, residual, _mm512_setzero_ps(),
                                                _CMP_NEQ_OQ);
  const __m512i quarter = _mm512_ternarylogic_epi32(_mm512_set1_epi32(INT32_MIN),
                                                    _mm512_castps_si512(residual),
                                                    _mm512_set1_epi32(0x3E800000), 0xCA);
  return _mm512_mask_add_ps(t, off, t, _mm512_castsi512_ps(quarter));
}
#endif

// Per-tensor groups on AVX-512 clamp in the integer domain: the lanes are R(t) and the
// ZeroPointNarrower's saturating packs add Z and clamp (narrow_store-inl.h), which saves the
// float max, the subtraction of Z and half the narrowing cost per vector. Only the upper end
// needs a float clamp before the conversion (to 2^30: a larger t would convert to INT32_MIN);
// t <= -2^31 and -inf convert to INT32_MIN, which saturates to qmin like any t below qmin - Z.
inline constexpr bool kIntegerClamp = HWY_TARGET == HWY_AVX3 || HWY_TARGET == HWY_AVX3_DL;
// AVX2 clamps in the integer domain too, except for exact division (its correction needs the
// clamped quotient in float): R(min(t, 2^30)) by cvtps2dq (ties to even under the default
// MXCSR) or RoundBy + cvttps2dq, then Z and the clamp by the narrower's saturating packs.
template <uint32_t kDivision>
inline constexpr bool kIntegerClampFor =
    kIntegerClamp || (HWY_TARGET == HWY_AVX2 && kDivision != QS_DIV_EXACT);

// One vector: Lanes(df) inputs -> Lanes(df) int32 lanes q, in [qmin, qmax]; with
// kRoundedOnly (kIntegerClamp targets) R(t) before Z and the clamp.
// kMarkstein: Newton-Markstein steps of the quotient (markstein_quotient-inl.h), 0 for vdivps.
// kNanByFlags (kRoundedOnly only): NaN is not mapped to 0 here; the caller runs the vectors in
// a block bracketed by FpExceptionFlags and recomputes a block that raised IE without it (the
// vminps below raises IE for any NaN t, QNaN included; for half_even the conversion does, see
// below), as for a Markstein block.
template <uint32_t kRounding, uint32_t kDivision, int kMarkstein = 0, bool kRoundedOnly = false,
          bool kNanByFlags = false>
HWY_INLINE hn::Vec<DI> QuantizeLanes(DF df, VF x, const LaneParams& l) {
  static_assert(!kNanByFlags || (kRoundedOnly && kDivision != QS_DIV_EXACT),
                "NaN by flags needs the vminps before the conversion");
  const DI di;
  VF t;
  if constexpr (kDivision == QS_DIV_F32_RECIPROCAL) {
    t = hn::Mul(x, l.inv_scale);
  } else {
    // (MarksteinApplies needs S >= 2^-100, where x_factor is 1.)
    if constexpr (kDivision == QS_DIV_EXACT && !kMarkstein) x = hn::Mul(x, l.x_factor);
    if constexpr (kMarkstein > 0) {
      t = MarksteinQuotient<kMarkstein>(x, l.scale, l.inv_scale);
    } else {
      t = hn::Div(x, l.scale);
    }
  }
#if HWY_TARGET == HWY_AVX3 || HWY_TARGET == HWY_AVX3_DL
  if constexpr (kRoundedOnly) {
    // In a Markstein block (or with kNanByFlags) the vminps raises IE for a NaN (see below).
    if constexpr (!kMarkstein && !kNanByFlags) t = NanToZero(df, t);
    if constexpr (kDivision == QS_DIV_EXACT) {
      // For |t| >= 2^21 the nudge may be inexact, but such t saturate either way.
      t = VF{NudgeTowardExactQuotient<kRounding>(t.raw, x.raw, l.scale.raw)};
    }
    if constexpr (kNanByFlags && kRounding == QS_ROUND_HALF_EVEN) {
      // vcvtps2dq under the MXCSR's round-to-nearest-even (the entry points' default FP
      // environment) raises IE for a NaN and for t outside [-2^31, 2^31), the only t it gets
      // wrong, so the block check replaces the vminps too (t = -2^31 gives INT32_MIN, correct:
      // it saturates to qmin). The embedded-rounding conversions suppress exceptions, hence
      // half_even only.
      return hn::Vec<DI>{_mm512_cvtps_epi32(t.raw)};
    }
    t = hn::Min(t, hn::Set(df, 0x1p30f));
    return hn::Vec<DI>{RoundToInt32<kRounding>(t.raw)};
  }
  if constexpr (kRounding != QS_ROUND_HALF_EVEN || kDivision == QS_DIV_EXACT) {
    if constexpr (!kMarkstein) t = NanToZero(df, t);
    if constexpr (kDivision == QS_DIV_EXACT) {
      t = VF{NudgeTowardExactQuotient<kRounding>(t.raw, x.raw, l.scale.raw)};
    }
    t = hn::Min(hn::Max(t, l.lo), l.hi);
    const hn::Vec<DI> n{RoundToInt32<kRounding>(t.raw)};
    return hn::Sub(n, hn::Sub(l.offset, hn::Set(di, kMagicBits)));  // + Z
  }
#elif HWY_TARGET == HWY_AVX2
  if constexpr (kRoundedOnly) {
    static_assert(kDivision != QS_DIV_EXACT, "exact division clamps in float");
    // A NaN in a Markstein block (or with kNanByFlags) raises IE in the vminps below (the block
    // is recomputed).
    if constexpr (!kMarkstein && !kNanByFlags) t = NanToZero(df, t);
    // As on AVX-512, cvtps2dq raises IE for a NaN or t outside [-2^31, 2^31).
    if constexpr (kNanByFlags && kRounding == QS_ROUND_HALF_EVEN) {
      return hn::Vec<DI>{_mm256_cvtps_epi32(t.raw)};
    }
    // -Inf and t below -2^31 convert to INT32_MIN, which the narrower saturates to qmin.
    t = hn::Min(t, hn::Set(df, 0x1p30f));
    if constexpr (kRounding == QS_ROUND_HALF_EVEN) return hn::Vec<DI>{_mm256_cvtps_epi32(t.raw)};
    return hn::Vec<DI>{_mm256_cvttps_epi32(RoundBy<kRounding>(df, t).raw)};
  }
#endif
  // In a Markstein block a NaN needs no mapping here: the clamp's vmaxps / vminps raises IE
  // for a QNaN operand (MAXPS and MINPS signal invalid on any NaN), so the block is recomputed
  // on the division path, which maps NaN to 0.
  if constexpr (!kMarkstein) t = NanToZero(df, t);
  t = hn::Min(hn::Max(t, l.lo), l.hi);
  VF n;
  if constexpr (kDivision == QS_DIV_EXACT) {
    n = RoundBy<kRounding>(df, t);
    const VF residual = hn::MulAdd(hn::Neg(t), l.scale, x);  // fused: exact sign
    n = hn::Min(hn::Max(CorrectExact<kRounding>(df, t, n, residual), l.lo), l.hi);
  } else if constexpr (kRounding == QS_ROUND_HALF_EVEN) {
    n = t;  // the magic addition below rounds ties to even
  } else {
    n = RoundBy<kRounding>(df, t);
  }
  return hn::Sub(hn::BitCast(di, hn::Add(n, hn::Set(df, kMagic))), l.offset);
}

template <uint32_t kRounding, uint32_t kDivision, typename TOut>
HWY_INLINE void QuantizeVector(DF df, VF x, const LaneParams& l, TOut* HWY_RESTRICT out) {
  const hn::Rebind<TOut, DF> d_out;
  hn::StoreU(hn::DemoteTo(d_out, QuantizeLanes<kRounding, kDivision>(df, x, l)), d_out, out);
}

inline constexpr size_t kQuantizePrefetchAhead = 1024;  // f32 elements: 4 KiB
// Elements per MXCSR flag check where NaN is found by the flag (kNanByFlags): a recomputed
// block's 32 KiB of input is still in L1; the check costs a few dozen cycles per block.
inline constexpr size_t kNanCheckBlockElements = 8192;
// Groups [g_begin, g_end) of `order`, four vectors each, narrowed into one 64-byte (or
// smaller) store. Parameters arrive by value and are copied into locals: stores through the
// byte output may alias any memory whose address has escaped, and GCC reloaded the scale,
// bounds and pointers from a lambda's captures after every group.
template <uint32_t kRounding, uint32_t kDivision, bool kPerChannel, int kMarkstein, bool kStream,
          bool kNanByFlags, typename TOut>
void QuantizeGroups(const float* HWY_RESTRICT in, TOut* HWY_RESTRICT out, size_t count,
                    GroupOrder order_arg, size_t g_begin, size_t g_end, LaneParams tensor_arg,
                    const float* scales, const int32_t* zero_points, int32_t qmin, int32_t qmax) {
  const DF df;
  const DI di;
  const size_t N = hn::Lanes(df);
  const GroupOrder order = order_arg;
  const LaneParams tensor = tensor_arg;
  constexpr bool kRoundedOnly = kIntegerClampFor<kDivision> && !kPerChannel;
  const ZeroPointNarrower<TOut> narrow(zero_points[0], qmin, qmax);  // used when kRoundedOnly
  auto lanes_at = [&](size_t j) __attribute__((always_inline)) {
    if constexpr (kPerChannel) {
      const LaneParams l = MakeLanes<kDivision>(df, hn::LoadU(df, scales + j),
                                                hn::LoadU(di, zero_points + j), qmin, qmax);
      return QuantizeLanes<kRounding, kDivision>(df, hn::LoadU(df, in + j), l);
    } else {
      (void)scales;
      (void)zero_points;
      (void)qmin;
      (void)qmax;
      return QuantizeLanes<kRounding, kDivision, kMarkstein, kRoundedOnly, kNanByFlags>(
          df, hn::LoadU(df, in + j), tensor);
    }
  };
  for (size_t g = g_begin; g < g_end; ++g) {
    const size_t i = order.At(g);
    // Software prefetch 4 KiB ahead, as in requantize_span-inl.h (only inside the input), for
    // the streamed (DRAM-sized) spans only: a smaller input is mostly cache resident, and the
    // four prefetches per group took load slots from an L2-bound loop.
    if (kStream && i + 4 * N + kQuantizePrefetchAhead <= count) {
      for (size_t u = 0; u < 4 * N; u += 16) hwy::Prefetch(in + i + u + kQuantizePrefetchAhead);
    }
    if constexpr (kRoundedOnly) {
      narrow.template Store4<kStream>(di, lanes_at(i), lanes_at(i + N), lanes_at(i + 2 * N),
                                      lanes_at(i + 3 * N), out + i);
    } else {
      StoreNarrow4<kStream>(di, lanes_at(i), lanes_at(i + N), lanes_at(i + 2 * N),
                            lanes_at(i + 3 * N), out + i);
    }
  }
}

template <uint32_t kRounding, uint32_t kDivision, typename TOut, bool kPerChannel>
void QuantizeSpan(const QuantizeJob& job, const float* HWY_RESTRICT in, TOut* HWY_RESTRICT out,
                  size_t count, const float* scales, const int32_t* zero_points) {
  const DF df;
  const DI di;
  const size_t N = hn::Lanes(df);
  const int32_t qmin = job.qmin, qmax = job.qmax;
  const LaneParams tensor = MakeLanes<kDivision>(df, hn::Set(df, scales[0]),
                                            hn::Set(di, zero_points[0]), qmin, qmax);
  auto vector_at = [&](const float* x, const float* s, const int32_t* z, TOut* o) {
    if constexpr (kPerChannel) {
      const LaneParams l = MakeLanes<kDivision>(df, hn::LoadU(df, s), hn::LoadU(di, z), qmin, qmax);
      QuantizeVector<kRounding, kDivision, TOut>(df, hn::LoadU(df, x), l, o);
    } else {
      (void)s;
      (void)z;
      QuantizeVector<kRounding, kDivision, TOut>(df, hn::LoadU(df, x), tensor, o);
    }
  };
  // Elements [begin, end) one vector at a time, then a padded tail.
  auto finish = [&](size_t begin, size_t end) {
    size_t i = begin;
    for (; i + N <= end; i += N) {
      vector_at(in + i, scales + (kPerChannel ? i : 0), zero_points + (kPerChannel ? i : 0),
                out + i);
    }
    if (i == end) return;
    // Tail through padded copies: same arithmetic, no access past the buffers.
    const size_t rest = end - i;
    HWY_ALIGN float x_buf[HWY_MAX_BYTES / sizeof(float)] = {};
    HWY_ALIGN float s_buf[HWY_MAX_BYTES / sizeof(float)];
    HWY_ALIGN int32_t z_buf[HWY_MAX_BYTES / sizeof(float)];
    TOut o_buf[HWY_MAX_BYTES / sizeof(float)];
    std::memcpy(x_buf, in + i, rest * sizeof(float));
    for (size_t j = 0; j < N; ++j) {
      s_buf[j] = kPerChannel ? scales[i + (j < rest ? j : 0)] : scales[0];
      z_buf[j] = kPerChannel ? zero_points[i + (j < rest ? j : 0)] : zero_points[0];
    }
    vector_at(x_buf, s_buf, z_buf, o_buf);
    std::memcpy(out + i, o_buf, rest * sizeof(TOut));
  };
  GroupOrder order = PlanGroups(out, count, 4 * N, !kPerChannel);
  if (!kPerChannel && !order.streamed() && count >= 16 * N) {
    // In order: start the groups where `in` is vector aligned (the elements before go through
    // `finish`), so that none of the four loads per group spans two cache lines (glibc's
    // malloc gives large buffers page + 16 bytes); the one store per group may.
    const size_t misalign = reinterpret_cast<uintptr_t>(in) % (N * sizeof(float));
    if (misalign % sizeof(float) == 0 && misalign != 0) {
      order.begin = N - misalign / sizeof(float);
      order.groups = (count - order.begin) / (4 * N);
    }
  }
  // Groups [g_begin, g_end) in the planned order; four independent vectors per group: more
  // loads in flight for DRAM-sized arrays and room to overlap the arithmetic chains.
  using Vdivps = std::integral_constant<int, 0>;  // vdivps
  auto run = [&](size_t g_begin, size_t g_end, auto markstein, auto stream, auto nan_by_flags) {
    QuantizeGroups<kRounding, kDivision, kPerChannel, decltype(markstein)::value,
                   decltype(stream)::value, decltype(nan_by_flags)::value>(
        in, out, count, order, g_begin, g_end, tensor, scales, zero_points, qmin, qmax);
  };
  // Blocks of `block_elements` run with `fast` parameters inside cleared MXCSR flags; a block
  // that raised one (IE, OE, UE) is recomputed on the vdivps path with NaN mapped to 0.
  auto blocks = [&](size_t block_elements, auto steps, auto stream, auto nan_by_flags) {
    const size_t block = block_elements / (4 * N);
    for (size_t g = 0; g < order.groups; g += block) {
      const size_t g_end = std::min(order.groups, g + block);
      FpExceptionFlags::Clear();
      run(g, g_end, steps, stream, nan_by_flags);
      if (FpExceptionFlags::Raised()) run(g, g_end, Vdivps(), stream, std::false_type());
    }
  };
  // Per tensor with the integer clamp, NaN is found by the IE flag instead of mapped per vector
  // (one vfixupimmps or compare-and-blend per vector saved; the measured L2-class loop on Zen 5
  // was bound by its FP-pipe operations).
  constexpr bool kCanNanByFlags =
      !kPerChannel && kIntegerClampFor<kDivision> && kDivision != QS_DIV_EXACT && HWY_ARCH_X86;
  auto run_all = [&](auto stream) {
    if (!kPerChannel && MarksteinApplies<kDivision>(scales[0])) {
      if (MarksteinSteps(scales[0]) == 1) {
        blocks(kMarksteinBlockElements, std::integral_constant<int, 1>(), stream, std::false_type());
      } else {
        blocks(kMarksteinBlockElements, std::integral_constant<int, 2>(), stream, std::false_type());
      }
    } else if constexpr (kCanNanByFlags) {
      blocks(kNanCheckBlockElements, Vdivps(), stream, std::true_type());
    } else {
      run(0, order.groups, Vdivps(), stream, std::false_type());
    }
  };
  finish(0, order.begin);
  bool streamed = false;
  if constexpr (kCanStream) {
    if (order.streamed()) {
      run_all(std::true_type());
      hwy::FlushStream();
      streamed = true;
    }
  }
  if (!streamed) run_all(std::false_type());
  finish(order.end(), count);
}

template <uint32_t kRounding, uint32_t kDivision, typename TOut>
void QuantizeTyped(const QuantizeJob& job, const float* in, TOut* out, size_t n) {
#if !HWY_NATIVE_FMA
  if constexpr (kDivision == QS_DIV_EXACT) {  // needs a fused residual: per element
    for (size_t i = 0; i < n; ++i) {
      const size_t c = i % job.channels;
      out[i] = static_cast<TOut>(scalar::QuantizeExact(in[i], job.scales[c], kRounding,
                                                       job.zero_points[c], job.qmin, job.qmax));
    }
    return;
  }
#endif
  if (job.channels == 1) {
    QuantizeSpan<kRounding, kDivision, TOut, false>(job, in, out, n, job.scales, job.zero_points);
    return;
  }
  const size_t channels = ReplicatedChannels(job.channels);
  float scale_storage[kMaxReplicated];
  int32_t zero_point_storage[kMaxReplicated];
  const float* scales = Replicate(job.scales, job.channels, channels, scale_storage);
  const int32_t* zero_points = Replicate(job.zero_points, job.channels, channels,
                                         zero_point_storage);
  for (size_t row = 0; row < n; row += channels) {
    QuantizeSpan<kRounding, kDivision, TOut, true>(job, in + row, out + row,
                                                   std::min(channels, n - row), scales,
                                                   zero_points);
  }
}

template <uint32_t kRounding, uint32_t kDivision>
void QuantizeForType(const QuantizeJob& job, const float* in, void* out, size_t n) {
  if (job.output_type == QS_S8) {
    QuantizeTyped<kRounding, kDivision>(job, in, static_cast<int8_t*>(out), n);
  } else {
    QuantizeTyped<kRounding, kDivision>(job, in, static_cast<uint8_t*>(out), n);
  }
}

template <uint32_t kRounding>
void QuantizeForDivision(const QuantizeJob& job, const float* in, void* out, size_t n) {
  switch (job.division) {
    case QS_DIV_EXACT:
      return QuantizeForType<kRounding, QS_DIV_EXACT>(job, in, out, n);
    case QS_DIV_F32_DIVIDE:
      return QuantizeForType<kRounding, QS_DIV_F32_DIVIDE>(job, in, out, n);
    default:
      return QuantizeForType<kRounding, QS_DIV_F32_RECIPROCAL>(job, in, out, n);
  }
}

void QuantizeKernel(const QuantizeJob& job, const float* in, void* out, size_t n) {
  switch (job.rounding) {
    case QS_ROUND_HALF_EVEN:
      return QuantizeForDivision<QS_ROUND_HALF_EVEN>(job, in, out, n);
    case QS_ROUND_HALF_AWAY:
      return QuantizeForDivision<QS_ROUND_HALF_AWAY>(job, in, out, n);
    case QS_ROUND_HALF_UP:
      return QuantizeForDivision<QS_ROUND_HALF_UP>(job, in, out, n);
    case QS_ROUND_TOWARD_ZERO:
      return QuantizeForDivision<QS_ROUND_TOWARD_ZERO>(job, in, out, n);
    default:
      return QuantizeForDivision<QS_ROUND_FLOOR>(job, in, out, n);
  }
}

#endif  // HWY_TARGET == HWY_SCALAR

}  // namespace quantspec::optimized::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();
