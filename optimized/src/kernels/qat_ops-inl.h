// Per-target declarations of the fake-quantization and dynamic-quantization kernels
// (fake_quantize.cc, dynamic_quantize.cc; each compiled once per SIMD target through
// foreach_target.h). Included once per target, after ops-inl.h.
#if defined(QUANTSPEC_OPTIMIZED_QAT_OPS_INL_H_) == defined(HWY_TARGET_TOGGLE)
#ifdef QUANTSPEC_OPTIMIZED_QAT_OPS_INL_H_
#undef QUANTSPEC_OPTIMIZED_QAT_OPS_INL_H_
#else
#define QUANTSPEC_OPTIMIZED_QAT_OPS_INL_H_
#endif

#include <cstddef>
#include <cstdint>

#include "hwy/highway.h"
#include "qat_jobs.h"

HWY_BEFORE_NAMESPACE();
namespace quantspec::optimized::HWY_NAMESPACE {

using detail::DynamicQuantizeJob;
using detail::FakeQuantJob;

// fake_quantize.cc (Q15, Q16.1): n elements; mask NULL or n bytes (1 = gradient passes).
void FakeQuantizeKernel(const FakeQuantJob& job, const float* in, float* out, uint8_t* mask,
                        size_t n);

// dynamic_quantize.cc (Q17.1, Q17.2, Q17.5): the range reduction, S and Z, then the Q2 quantize
// kernel, on job.rows x job.cols with row strides in elements. False: an element is NaN or
// infinite, or the range has no valid binary32 scale (Q17.3); the outputs are then unspecified.
bool DynamicQuantizeKernel(const DynamicQuantizeJob& job, const float* in, size_t in_stride,
                           void* out, size_t out_stride, float* scales_out,
                           int32_t* zero_points_out);

// dynamic_linear.cc (Q17.7): out[m][n] = fl32(fl32(fl32(acc) * fl32(Sx_m * Sw[n])) + bias[n])
// for m rows of int32 accumulators acc (row stride acc_stride) and row scales (one, or one per
// row).
void DynamicLinearEpilogue(const int32_t* acc, size_t acc_stride, size_t m, size_t n,
                           const float* x_scales,
                           bool per_row, const float* weight_scales, const float* bias,
                           float* out, size_t out_stride);

}  // namespace quantspec::optimized::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#endif  // include guard
