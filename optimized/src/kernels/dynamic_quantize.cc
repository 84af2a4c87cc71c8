// Dynamic quantization (SPEC.md Q17): one pass reducing each tensor (or row) to its minimum,
// maximum and largest |x| bit pattern (which tells a NaN or an infinity: Q17.3 rejects them),
// S and Z exactly as Q17.1 / Q17.2 / Q17.5 order the operations (qat_jobs.cc), then the Q2
// quantize kernel (quantize.cc) with half_even and f32_divide (PYTORCH_U8: f32_reciprocal):
//   ONNX_U8 (per tensor): lo = min(min x, 0), hi = max(max x, 0), S = fl32(fl32(hi - lo) / 255),
//     Z = RNE(clip(0 - fl32(lo / S), 0, 255)), q in [0, 255];
//   SYMMETRIC_S8 (per tensor or per row): S = max(fl32(amax / 127), floor), q in [-127, 127];
//   PYTORCH_U8 (per tensor): ChooseQuantizationParams in binary64, fl32(S), q in [0, 255].
// Rows may be strided (dynamic_linear quantizes a strided x with this kernel).
// Min and max are exact (comparisons), so the reduction order does not matter; a signed zero
// changes neither S nor Z (0 - (-0) = +0, hi - (-0) = hi).
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "kernels/dynamic_quantize.cc"
#include "hwy/foreach_target.h"  // IWYU pragma: keep

#include <cmath>
#include <cstring>

#include "hwy/highway.h"
#include "kernels/ops-inl.h"
#include "kernels/qat_ops-inl.h"

HWY_BEFORE_NAMESPACE();
namespace quantspec::optimized::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;
namespace {

struct Range {
  float min;
  float max;
  bool finite;  // no NaN and no infinity
};

constexpr uint32_t kAbsMask = 0x7FFFFFFFu;
constexpr uint32_t kInfBits = 0x7F800000u;  // |x| bits >= this: inf or NaN

Range ReduceElements(const float* in, size_t n, Range r) {
  for (size_t i = 0; i < n; ++i) {
    const float x = in[i];
    uint32_t bits;
    std::memcpy(&bits, &x, 4);
    if ((bits & kAbsMask) >= kInfBits) r.finite = false;
    r.min = x < r.min ? x : r.min;
    r.max = x > r.max ? x : r.max;
  }
  return r;
}

#if HWY_TARGET == HWY_SCALAR

Range ReduceRange(const float* in, size_t n) { return ReduceElements(in, n, {in[0], in[0], true}); }

#else

// Four independent accumulator chains of min, max and max(|x| bits); the tail element by
// element. NaN lanes may make vminps / vmaxps return either operand, but a NaN also raises the
// |x| bits to >= kInfBits, and the tensor is then rejected whatever the min and max are.
Range ReduceRange(const float* in, size_t n) {
  const hn::ScalableTag<float> df;
  const hn::RebindToUnsigned<decltype(df)> du;
  const size_t N = hn::Lanes(df);
  auto mn0 = hn::Set(df, in[0]), mn1 = mn0, mn2 = mn0, mn3 = mn0;
  auto mx0 = mn0, mx1 = mn0, mx2 = mn0, mx3 = mn0;
  auto ab0 = hn::Zero(du), ab1 = ab0, ab2 = ab0, ab3 = ab0;
  const auto abs_mask = hn::Set(du, kAbsMask);
  size_t i = 0;
  for (; i + 4 * N <= n; i += 4 * N) {
    const auto x0 = hn::LoadU(df, in + i);
    const auto x1 = hn::LoadU(df, in + i + N);
    const auto x2 = hn::LoadU(df, in + i + 2 * N);
    const auto x3 = hn::LoadU(df, in + i + 3 * N);
    mn0 = hn::Min(mn0, x0);
    mn1 = hn::Min(mn1, x1);
    mn2 = hn::Min(mn2, x2);
    mn3 = hn::Min(mn3, x3);
    mx0 = hn::Max(mx0, x0);
    mx1 = hn::Max(mx1, x1);
    mx2 = hn::Max(mx2, x2);
    mx3 = hn::Max(mx3, x3);
    ab0 = hn::Max(ab0, hn::And(hn::BitCast(du, x0), abs_mask));
    ab1 = hn::Max(ab1, hn::And(hn::BitCast(du, x1), abs_mask));
    ab2 = hn::Max(ab2, hn::And(hn::BitCast(du, x2), abs_mask));
    ab3 = hn::Max(ab3, hn::And(hn::BitCast(du, x3), abs_mask));
  }
  for (; i + N <= n; i += N) {
    const auto x = hn::LoadU(df, in + i);
    mn0 = hn::Min(mn0, x);
    mx0 = hn::Max(mx0, x);
    ab0 = hn::Max(ab0, hn::And(hn::BitCast(du, x), abs_mask));
  }
  const auto mn = hn::Min(hn::Min(mn0, mn1), hn::Min(mn2, mn3));
  const auto mx = hn::Max(hn::Max(mx0, mx1), hn::Max(mx2, mx3));
  const auto ab = hn::Max(hn::Max(ab0, ab1), hn::Max(ab2, ab3));
  Range r;
  r.min = hn::GetLane(hn::MinOfLanes(df, mn));
  r.max = hn::GetLane(hn::MaxOfLanes(df, mx));
  r.finite = hn::GetLane(hn::MaxOfLanes(du, ab)) < kInfBits;
  return ReduceElements(in + i, n - i, r);
}

#endif  // HWY_TARGET == HWY_SCALAR

// Q2 f32_divide half_even of one row (or the tensor) with (S, Z) on [qmin, qmax].
void QuantizeWith(uint32_t output_type, const float* in, void* out, size_t n, const float* scale,
                  const int32_t* zero_point, int32_t qmin, int32_t qmax, uint32_t division) {
  QuantizeJob job;
  job.output_type = output_type;
  job.rounding = QS_ROUND_HALF_EVEN;
  job.division = division;
  job.qmin = qmin;
  job.qmax = qmax;
  job.scales = scale;
  job.zero_points = zero_point;
  job.channels = 1;
  QuantizeKernel(job, in, out, n);
}

// The range of rows x cols with row stride `stride` (one pass when the rows are contiguous).
Range ReduceRows(const float* in, size_t rows, size_t cols, size_t stride) {
  if (stride == cols) return ReduceRange(in, rows * cols);
  Range r = ReduceRange(in, cols);
  for (size_t row = 1; row < rows; ++row) {
    const Range next = ReduceRange(in + row * stride, cols);
    r.min = next.min < r.min ? next.min : r.min;
    r.max = next.max > r.max ? next.max : r.max;
    r.finite = r.finite && next.finite;
  }
  return r;
}

}  // namespace

bool DynamicQuantizeKernel(const DynamicQuantizeJob& job, const float* in, size_t in_stride,
                           void* out, size_t out_stride, float* scales_out,
                           int32_t* zero_points_out) {
  const bool dense = in_stride == job.cols && out_stride == job.cols;
  auto* out_bytes = static_cast<uint8_t*>(out);
  if (job.variant != QS_DYN_SYMMETRIC_S8) {  // per tensor (qat_jobs.cc refuses per row)
    const Range r = ReduceRows(in, job.rows, job.cols, in_stride);
    if (!r.finite) return false;
    float scale;
    int32_t zero_point;
    uint32_t division = QS_DIV_F32_DIVIDE;
    if (job.variant == QS_DYN_ONNX_U8) {
      const float lo = r.min < 0.0f ? r.min : 0.0f;  // Min(ReduceMin(x), 0)
      const float hi = r.max > 0.0f ? r.max : 0.0f;  // Max(ReduceMax(x), 0)
      if (!detail::OnnxScaleAndZeroPoint(lo, hi, &scale, &zero_point)) return false;
    } else {  // PYTORCH_U8 (Q17.5): at::quantize_per_tensor multiplies by fl32(1 / fl32(S))
      detail::PytorchScaleAndZeroPoint(r.min, r.max, job.reduce_range, &scale, &zero_point);
      division = QS_DIV_F32_RECIPROCAL;
    }
    // The uint8 grid [0, 255], also under reduce_range (Q17.5).
    if (dense) {
      QuantizeWith(QS_U8, in, out, job.rows * job.cols, &scale, &zero_point, 0, 255, division);
    } else {
      for (size_t row = 0; row < job.rows; ++row) {
        QuantizeWith(QS_U8, in + row * in_stride, out_bytes + row * out_stride, job.cols, &scale,
                     &zero_point, 0, 255, division);
      }
    }
    scales_out[0] = scale;
    zero_points_out[0] = zero_point;
    return true;
  }
  // SYMMETRIC_S8 per tensor: the whole tensor is one range.
  static constexpr int32_t kZero = 0;
  if (!job.per_row) {
    const Range r = ReduceRows(in, job.rows, job.cols, in_stride);
    if (!r.finite) return false;
    const float scale = detail::SymmetricScale(std::fmax(-r.min, r.max), job.scale_floor);
    for (size_t row = 0; row < (dense ? 1 : job.rows); ++row) {
      QuantizeWith(QS_S8, in + row * in_stride, out_bytes + row * out_stride,
                   dense ? job.rows * job.cols : job.cols, &scale, &kZero, -127, 127,
                   QS_DIV_F32_DIVIDE);
    }
    scales_out[0] = scale;
    zero_points_out[0] = 0;
    return true;
  }
  for (size_t row = 0; row < job.rows; ++row) {
    const float* x = in + row * in_stride;
    const Range r = ReduceRange(x, job.cols);
    if (!r.finite) return false;
    const float amax = std::fmax(-r.min, r.max);  // max |x|, exact
    const float scale = detail::SymmetricScale(amax, job.scale_floor);
    QuantizeWith(QS_S8, x, out_bytes + row * out_stride, job.cols, &scale, &kZero, -127, 127,
                 QS_DIV_F32_DIVIDE);
    scales_out[row] = scale;
    zero_points_out[row] = 0;
  }
  return true;
}

}  // namespace quantspec::optimized::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();
