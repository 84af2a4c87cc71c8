// Requantize, variant fp32 (SPEC.md Q7; XNNPACK fp32, ONNX QLinearMatMul):
//   after_rounding:  q = clamp(RNE(fl32(fl32(acc) * scale)) + Zy, qmin, qmax)
//   before_rounding: q = clamp(RNE(fl32(fl32(fl32(acc) * scale) + Zy)), qmin, qmax)
// int32 -> binary32 conversion rounds to nearest even (cvtdq2ps), the product is one binary32
// multiply (no FMA contraction: built with -ffp-contract=off). The clamp happens in float
// before the conversion to int (clamping commutes with RNE because the bounds are integers), so
// a product beyond 2^31 saturates instead of converting to INT_MIN.
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "kernels/requantize_fp32.cc"
#include "hwy/foreach_target.h"  // IWYU pragma: keep

#include "hwy/highway.h"
#include "kernels/ops-inl.h"
#include "kernels/requantize_span-inl.h"
#include "scalar_semantics.h"

HWY_BEFORE_NAMESPACE();
namespace quantspec::optimized::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

#if HWY_TARGET == HWY_SCALAR

void RequantizeFp32Kernel(const RequantizeJob& job, const int32_t* in, void* out, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    const int32_t q =
        scalar::RequantizeFp32(in[i], job.scales[i % job.channels], job.zero_point_before_rounding,
                               job.output_zero_point, job.qmin, job.qmax);
    if (job.output_type == QS_S8) {
      static_cast<int8_t*>(out)[i] = static_cast<int8_t>(q);
    } else {
      static_cast<uint8_t*>(out)[i] = static_cast<uint8_t>(q);
    }
  }
}

#else  // SIMD targets

template <bool kBeforeRounding>
class Fp32Op {
 public:
  static constexpr bool kReturnsOutput = true;  // clamped in float, Zy included
  using DI = hn::ScalableTag<int32_t>;
  using DF = hn::RebindToFloat<DI>;
  using VI = hn::Vec<DI>;
  using VF = hn::Vec<DF>;

  explicit Fp32Op(const RequantizeJob& job)
      : scale_(hn::Set(DF(), job.scales[0])),
        offset_(hn::Set(DI(), 0x4B400000 - (kBeforeRounding ? 0 : job.output_zero_point))),
        zy_f_(hn::Set(DF(), static_cast<float>(job.output_zero_point))),
        // after_rounding clamps y to [qmin - Zy, qmax - Zy]; before_rounding clamps y + Zy.
        lo_(hn::Set(DF(), static_cast<float>(kBeforeRounding ? job.qmin
                                                             : job.qmin - job.output_zero_point))),
        hi_(hn::Set(DF(), static_cast<float>(kBeforeRounding ? job.qmax
                                                             : job.qmax - job.output_zero_point))) {}

  bool FoldsZeroPoint() const { return false; }  // not narrowed through the Zy narrower
  HWY_INLINE VI Tensor(VI acc) const { return Apply(acc, scale_); }
  HWY_INLINE VI Channel(VI acc, const int32_t*, const int32_t*, const float* scale) const {
    return Apply(acc, hn::LoadU(DF(), scale));
  }

 private:
  HWY_INLINE VI Apply(VI acc, VF scale) const {
    VF v = hn::Mul(hn::ConvertTo(DF(), acc), scale);
    if (kBeforeRounding) v = hn::Add(v, zy_f_);
    v = hn::Min(hn::Max(v, lo_), hi_);
    // |v| <= 510: adding 1.5 * 2^23 rounds to an integer, ties to even, in the low mantissa
    // bits; subtracting the constant's bits (less Zy when it enters after rounding) yields q.
    return hn::Sub(hn::BitCast(DI(), hn::Add(v, hn::Set(DF(), 12582912.0f))), offset_);
  }

  VF scale_;
  VI offset_;
  VF zy_f_;
  VF lo_;
  VF hi_;
};

#if HWY_TARGET == HWY_AVX3 || HWY_TARGET == HWY_AVX3_DL || HWY_TARGET == HWY_AVX2
// AVX-512 and AVX2: the clamp moves to the integer domain, as in quantize.cc. The lanes are
// RNE(v) of v = min(fl32(acc) * scale [+ Zy], 2^30), converted with the rounding embedded in
// the instruction on AVX-512 (no MXCSR dependence); AVX2's vcvtps2dq rounds by MXCSR (RNE
// unless a caller changed it), as do its multiply and Fp32Op's 1.5 * 2^23 add, so that path
// depends on MXCSR no more than Fp32Op did. The narrower's saturating packs then add Zy (after
// rounding) and clamp (narrow_store-inl.h). Only the upper end needs the float clamp: a v
// of 2^31 or more would convert to INT32_MIN, while v <= -2^31 (and -inf) converts to INT32_MIN,
// which saturates to qmin like any value below qmin - Zy. Clamping commutes with RNE because
// the bounds are integers. Per tensor before_rounding folds Zy (the lanes are already
// RNE(fl32(v + Zy))); per channel the narrower adds Zy, so Channel returns RNE(...) - Zy,
// after a lower clamp at -2^30 that keeps the subtraction from wrapping.
template <bool kBeforeRounding>
class Fp32RoundedOp {
 public:
  static constexpr bool kReturnsOutput = false;
  using DI = hn::ScalableTag<int32_t>;
  using DF = hn::RebindToFloat<DI>;
  using VI = hn::Vec<DI>;
  using VF = hn::Vec<DF>;

  explicit Fp32RoundedOp(const RequantizeJob& job)
      : scale_(hn::Set(DF(), job.scales[0])),
        zy_f_(hn::Set(DF(), static_cast<float>(job.output_zero_point))),
        zy_(hn::Set(DI(), job.output_zero_point)) {}

  bool FoldsZeroPoint() const { return kBeforeRounding; }
  HWY_INLINE VI Tensor(VI acc) const { return Rounded(acc, scale_); }
  HWY_INLINE VI Channel(VI acc, const int32_t*, const int32_t*, const float* scale) const {
    if constexpr (kBeforeRounding) {
      const VI q = Rounded(acc, hn::LoadU(DF(), scale), /*lower=*/true);
      return hn::Sub(q, zy_);
    } else {
      return Rounded(acc, hn::LoadU(DF(), scale));
    }
  }

 private:
  HWY_INLINE VI Rounded(VI acc, VF scale, bool lower = false) const {
    VF v = hn::Mul(hn::ConvertTo(DF(), acc), scale);
    if constexpr (kBeforeRounding) v = hn::Add(v, zy_f_);
    v = hn::Min(v, hn::Set(DF(), 1073741824.0f));
    if (lower) v = hn::Max(v, hn::Set(DF(), -1073741824.0f));
#if HWY_TARGET == HWY_AVX2
    return VI{_mm256_cvtps_epi32(v.raw)};
#else
    return VI{_mm512_cvt_roundps_epi32(v.raw, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC)};
#endif
  }

  VF scale_;
  VF zy_f_;
  VI zy_;
};
#endif

void RequantizeFp32Kernel(const RequantizeJob& job, const int32_t* in, void* out, size_t n) {
#if HWY_TARGET == HWY_AVX3 || HWY_TARGET == HWY_AVX3_DL || HWY_TARGET == HWY_AVX2
  if (job.zero_point_before_rounding) {
    RequantizeDispatchType<Fp32RoundedOp<true>>(job, in, out, n);
  } else {
    RequantizeDispatchType<Fp32RoundedOp<false>>(job, in, out, n);
  }
#else
  if (job.zero_point_before_rounding) {
    RequantizeDispatchType<Fp32Op<true>>(job, in, out, n);
  } else {
    RequantizeDispatchType<Fp32Op<false>>(job, in, out, n);
  }
#endif
}

#endif  // HWY_TARGET == HWY_SCALAR

}  // namespace quantspec::optimized::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();
