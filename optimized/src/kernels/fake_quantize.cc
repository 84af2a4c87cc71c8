// Fake quantization f32 -> f32 with the straight-through mask (SPEC.md Q15, Q16.1), per tensor
// and per channel, for the three variants of kernel_abi.h:
//   exact:      t = fl32(x/S) clamped one step beyond the grid, rounded by R and corrected at
//               the rounding boundaries by the sign of the FMA residual (as quantize.cc's exact
//               division), mask from the unclamped R(x/S) + Z, output fl32((q - Z) * S) as one
//               binary32 multiply of two exact operands;
//   pytorch:    Q15.3's binary32 steps lane by lane; the x86-64 int64 conversion of NaN and
//               |u| >= 2^63 (INT64_MIN, so +inf gives qmin) becomes a select;
//   tensorflow: Q15.4 step 5 on the nudged parameters (computed once per channel in qat_jobs.cc).
// The binary32 lanes hold every grid integer exactly when |qmin|, |qmax| <= 2^22 (all 8- and
// 16-bit grids); wider int32 grids, and the exact variant on targets without a native FMA, run
// the per-element definitions of fake_quant_semantics.h.
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "kernels/fake_quantize.cc"
#include "hwy/foreach_target.h"  // IWYU pragma: keep

#include <cstring>

#include "fake_quant_semantics.h"
#include "hwy/highway.h"
#include "kernels/float_rounding-inl.h"
#include "kernels/ops-inl.h"
#include "kernels/qat_ops-inl.h"

HWY_BEFORE_NAMESPACE();
namespace quantspec::optimized::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;
namespace {

// Element i of the tensor with the job's parameters (any grid, any target).
HWY_INLINE float FakeQuantElement(const FakeQuantJob& job, float x, size_t i, bool* mask) {
  const size_t lane = i % job.lane_count;
  switch (job.variant) {
    case QS_FQ_EXACT: {
      const size_t ch = i % job.channels;
      return scalar::FakeQuantExact(x, job.scales[ch], job.zero_points[ch], job.qmin, job.qmax,
                                    job.rounding, mask);
    }
    case QS_FQ_PYTORCH: {
      const size_t ch = i % job.channels;
      return scalar::FakeQuantPytorch(x, job.scales[ch], job.a[lane], job.zero_points[ch],
                                      job.qmin, job.qmax, mask);
    }
    default:
      return scalar::FakeQuantTensorflow(x, job.a[lane], job.b[lane], job.c[lane], job.d[lane],
                                         job.e[lane], job.f[lane] != 0.0f, job.tf_divides, mask);
  }
}

void FakeQuantizeElements(const FakeQuantJob& job, const float* in, float* out, uint8_t* mask,
                          size_t n) {
  for (size_t i = 0; i < n; ++i) {
    bool m;
    out[i] = FakeQuantElement(job, in[i], i, &m);
    if (mask != nullptr) mask[i] = m ? 1 : 0;
  }
}

#if HWY_TARGET != HWY_SCALAR

using DF = hn::ScalableTag<float>;
using DI = hn::RebindToSigned<DF>;
using VF = hn::Vec<DF>;
using MF = hn::Mask<DF>;

// One vector of the job's per-lane arrays (see FakeQuantJob for what a..g hold per variant).
struct Lanes {
  VF a, b, c, d, e, f, g;
};

HWY_INLINE Lanes LoadLanes(DF df, const FakeQuantJob& job, size_t j) {
  return {hn::LoadU(df, job.a.data() + j), hn::LoadU(df, job.b.data() + j),
          hn::LoadU(df, job.c.data() + j), hn::LoadU(df, job.d.data() + j),
          hn::LoadU(df, job.e.data() + j), hn::LoadU(df, job.f.data() + j),
          hn::LoadU(df, job.g.data() + j)};
}
HWY_INLINE Lanes SetLanes(DF df, const FakeQuantJob& job) {
  return {hn::Set(df, job.a[0]), hn::Set(df, job.b[0]), hn::Set(df, job.c[0]),
          hn::Set(df, job.d[0]), hn::Set(df, job.e[0]), hn::Set(df, job.f[0]),
          hn::Set(df, job.g[0])};
}

// Q15.2 (narrow grid, native FMA). a = S (rescaled by b = 2^100 where S < 2^-100, so the
// residual x*b - t*a is a multiple of 2^-149 and its sign survives), c = S, [d, e] = the grid
// one step wider, [f, g] = [qmin - Z, qmax - Z].
template <uint32_t kRounding>
struct ExactLanes {
  HWY_INLINE VF operator()(DF df, VF x, const Lanes& l, MF* mask) const {
    const VF xs = hn::Mul(x, l.b);  // exact (a power of two; an overflow to inf saturates)
    VF t = hn::Div(xs, l.a);
    t = hn::Min(hn::Max(t, l.d), l.e);  // a NaN t becomes d; the NaN lanes are replaced below
    VF n = RoundBy<kRounding>(df, t);
    const VF residual = hn::MulAdd(hn::Neg(t), l.a, xs);  // fused: exact sign
    n = hn::Min(hn::Max(CorrectExact<kRounding>(df, t, n, residual), l.d), l.e);
    const MF nan = hn::IsNaN(x);
    *mask = hn::AndNot(nan, hn::And(hn::Ge(n, l.f), hn::Le(n, l.g)));
    // (q - Z) * S, one rounding; + 0 turns R's -0 (from t in (-1/2, 0)) into the +0 of the
    // integer q - Z = 0.
    const VF centred = hn::Add(hn::Min(hn::Max(n, l.f), l.g), hn::Zero(df));
    const VF value = hn::Mul(centred, l.c);
    return hn::IfThenElse(nan, hn::Set(df, scalar::kFakeQuantNaN), value);
  }
};

// Q15.3 (narrow grid). a = fl32(1/S), b = fl32(Z), c = S. (q - Z) * S is exact in binary64
// for |q - Z| <= 2^23, so fl32(fl64(.)) is one binary32 multiply.
struct PytorchLanes {
  VF qmin, qmax;
  HWY_INLINE VF operator()(DF df, VF x, const Lanes& l, MF* mask) const {
    const VF u = hn::Add(l.b, hn::Round(hn::Mul(x, l.a)));
    const MF inside = hn::And(hn::Ge(u, qmin), hn::Le(u, qmax));  // NaN: false
    // int64(u) of x86-64: INT64_MIN (below qmin) for NaN and |u| >= 2^63.
    const MF above = hn::And(hn::Gt(u, qmax), hn::Lt(u, hn::Set(df, 0x1p63f)));
    *mask = inside;
    const VF q = hn::IfThenElse(inside, u, hn::IfThenElse(above, qmax, qmin));
    return hn::Mul(hn::Sub(q, l.b), l.c);
  }
};

// Q15.4 step 5. a = nudged_min, b = nudged_max, c = S, d = inv, e = quant_zero, f = 1 where
// min = max = 0.
template <bool kDivides>
struct TensorflowLanes {
  HWY_INLINE VF operator()(DF df, VF x, const Lanes& l, MF* mask) const {
    const VF clamped = hn::IfThenElse(hn::Gt(x, l.b), l.b, hn::IfThenElse(hn::Lt(x, l.a), l.a, x));
    const VF shifted = hn::Sub(clamped, l.a);
    const VF t = kDivides ? hn::Div(shifted, l.c) : hn::Mul(shifted, l.d);
    const VF level = hn::Floor(hn::Add(hn::Sub(t, l.e), hn::Set(df, 0.5f)));
    const MF nan = hn::IsNaN(x);
    const MF all_zero = hn::Ne(l.f, hn::Zero(df));
    *mask = hn::Or(all_zero, hn::AndNot(nan, hn::And(hn::Le(l.a, x), hn::Le(x, l.b))));
    const VF value = hn::IfThenElse(nan, hn::Set(df, scalar::kFakeQuantNaN), hn::Mul(level, l.c));
    return hn::IfThenZeroElse(all_zero, value);
  }
};

HWY_INLINE void StoreMask(DF df, MF m, uint8_t* HWY_RESTRICT mask) {
  const DI di;
  const hn::Rebind<uint8_t, DF> d8;
  (void)df;
  hn::StoreU(hn::DemoteTo(d8, hn::IfThenElseZero(hn::RebindMask(di, m), hn::Set(di, 1))), d8,
             mask);
}

// Elements [0, count) with lanes from the arrays at the element's index (kPerChannel, count <=
// job.lane_count) or the per-tensor parameters; the tail through padded copies.
template <bool kPerChannel, class Compute>
void FakeQuantizeSpan(const FakeQuantJob& job, const Compute& compute,
                      const float* HWY_RESTRICT in, float* HWY_RESTRICT out,
                      uint8_t* HWY_RESTRICT mask, size_t count) {
  const DF df;
  const size_t N = hn::Lanes(df);
  const Lanes tensor = SetLanes(df, job);
  size_t i = 0;
  for (; i + N <= count; i += N) {
    MF m;
    const VF v = compute(df, hn::LoadU(df, in + i), kPerChannel ? LoadLanes(df, job, i) : tensor, &m);
    hn::StoreU(v, df, out + i);
    if (mask != nullptr) StoreMask(df, m, mask + i);
  }
  if (i == count) return;
  const size_t rest = count - i;
  HWY_ALIGN float x_buf[HWY_MAX_BYTES / sizeof(float)] = {};
  HWY_ALIGN float o_buf[HWY_MAX_BYTES / sizeof(float)];
  uint8_t m_buf[HWY_MAX_BYTES / sizeof(float)];
  std::memcpy(x_buf, in + i, rest * sizeof(float));
  Lanes l = tensor;
  if constexpr (kPerChannel) {
    HWY_ALIGN float p[7][HWY_MAX_BYTES / sizeof(float)];
    const std::vector<float>* arrays[7] = {&job.a, &job.b, &job.c, &job.d, &job.e, &job.f, &job.g};
    for (size_t k = 0; k < 7; ++k) {
      for (size_t j = 0; j < N; ++j) p[k][j] = (*arrays[k])[i + (j < rest ? j : 0)];
    }
    l = {hn::Load(df, p[0]), hn::Load(df, p[1]), hn::Load(df, p[2]), hn::Load(df, p[3]),
         hn::Load(df, p[4]), hn::Load(df, p[5]), hn::Load(df, p[6])};
  }
  MF m;
  hn::Store(compute(df, hn::Load(df, x_buf), l, &m), df, o_buf);
  StoreMask(df, m, m_buf);
  std::memcpy(out + i, o_buf, rest * sizeof(float));
  if (mask != nullptr) std::memcpy(mask + i, m_buf, rest);
}

template <class Compute>
void FakeQuantizeWith(const FakeQuantJob& job, const Compute& compute, const float* in,
                      float* out, uint8_t* mask, size_t n) {
  if (job.lane_count == 1) {
    FakeQuantizeSpan<false>(job, compute, in, out, mask, n);
    return;
  }
  // Runs of lane_count elements start at channel 0 (lane_count is a multiple of channels).
  for (size_t row = 0; row < n; row += job.lane_count) {
    FakeQuantizeSpan<true>(job, compute, in + row, out + row, mask == nullptr ? nullptr : mask + row,
                           std::min(job.lane_count, n - row));
  }
}

#endif  // HWY_TARGET != HWY_SCALAR

}  // namespace

void FakeQuantizeKernel(const FakeQuantJob& job, const float* in, float* out, uint8_t* mask,
                        size_t n) {
#if HWY_TARGET == HWY_SCALAR
  FakeQuantizeElements(job, in, out, mask, n);
#else
  if (!job.narrow_grid || (job.variant == QS_FQ_EXACT && !HWY_NATIVE_FMA)) {
    FakeQuantizeElements(job, in, out, mask, n);
    return;
  }
  const DF df;
  switch (job.variant) {
    case QS_FQ_EXACT:
      switch (job.rounding) {
        case QS_ROUND_HALF_EVEN:
          return FakeQuantizeWith(job, ExactLanes<QS_ROUND_HALF_EVEN>(), in, out, mask, n);
        case QS_ROUND_HALF_AWAY:
          return FakeQuantizeWith(job, ExactLanes<QS_ROUND_HALF_AWAY>(), in, out, mask, n);
        case QS_ROUND_HALF_UP:
          return FakeQuantizeWith(job, ExactLanes<QS_ROUND_HALF_UP>(), in, out, mask, n);
        case QS_ROUND_TOWARD_ZERO:
          return FakeQuantizeWith(job, ExactLanes<QS_ROUND_TOWARD_ZERO>(), in, out, mask, n);
        default:
          return FakeQuantizeWith(job, ExactLanes<QS_ROUND_FLOOR>(), in, out, mask, n);
      }
    case QS_FQ_PYTORCH: {
      const PytorchLanes lanes{hn::Set(df, static_cast<float>(job.qmin)),
                               hn::Set(df, static_cast<float>(job.qmax))};
      return FakeQuantizeWith(job, lanes, in, out, mask, n);
    }
    default:
      if (job.tf_divides) return FakeQuantizeWith(job, TensorflowLanes<true>(), in, out, mask, n);
      return FakeQuantizeWith(job, TensorflowLanes<false>(), in, out, mask, n);
  }
#endif
}

}  // namespace quantspec::optimized::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();
