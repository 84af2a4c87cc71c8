// Parameter checking for the C ABI entry points, and the checked, resolved "jobs" the per-target
// kernels receive. A job is only built from parameters that passed the checks, so kernels never
// validate: they compute. One set of checks serves every SIMD target (each target implements the
// same variants), so targets cannot disagree on what is accepted.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "quantspec/kernel_abi.h"

namespace quantspec::optimized::detail {

// Q2. Per-tensor jobs have channels == 1 and point at the params' scalar fields.
struct QuantizeJob {
  uint32_t output_type;  // qs_element_type
  uint32_t rounding;     // qs_rounding
  uint32_t division;     // qs_division
  int32_t qmin;
  int32_t qmax;
  const float* scales;
  const int32_t* zero_points;
  size_t channels;
};

// Q3.
struct DequantizeJob {
  uint32_t input_type;
  const float* scales;
  const int32_t* zero_points;
  size_t channels;
};

// Q7 (+ Q8 for the fused linear layer, whose act_min/act_max become qmin/qmax here).
// Per-tensor jobs have channels == 1 and point at the scalar fields.
struct RequantizeJob {
  uint32_t variant;       // qs_requant_variant (never IDEAL: not provided)
  bool zero_point_before_rounding;  // only for FP32
  uint32_t output_type;
  int32_t output_zero_point;
  int32_t qmin;  // final clamp bounds; need not contain output_zero_point (fused activations)
  int32_t qmax;
  const int32_t* multipliers;
  const int32_t* shifts;
  const float* scales;
  size_t channels;
  // int16x8_int64 and rndnu16 (SPEC Q11.2 / Q11.8) read a 15-bit multiplier m15 derived from
  // each channel's multiplier; it is derived here once per call, not per element. For them
  // `multipliers` points at the m15 values and `shifts` at the kernels' shifts: int16x8_int64
  // runs as single_round with (m15, shift + 16) (the same total shift 15 - shift),
  // rndnu16 gets its pre-shift p (shift + 1 where m15 renormalises). Owned by the job: a job
  // is built in place and never copied.
  std::vector<int32_t> derived;
};

// Q5.
struct GemmJob {
  uint32_t a_type;
  int32_t a_zero_point;
  const int32_t* w_zero_points;  // nullptr: per-tensor w_zero_point
  int32_t w_zero_point;
  const int32_t* bias;           // nullptr: zero
};

qs_status CheckQuantize(const qs_quantize_params* p, bool per_channel, const void* in,
                        const void* out, size_t n, QuantizeJob* job);
qs_status CheckDequantize(const qs_dequantize_params* p, bool per_channel, const void* in,
                          const void* out, size_t n, DequantizeJob* job);
qs_status CheckRequantize(const qs_requantize_params* p, bool per_channel, const void* in,
                          const void* out, size_t n, RequantizeJob* job);
qs_status CheckGemm(const qs_gemm_params* p, const void* a, size_t a_stride, const void* w,
                    size_t w_stride, const void* out, size_t out_stride, size_t m, size_t n,
                    size_t k, GemmJob* job);
qs_status CheckLinear(const qs_linear_params* p, const void* a, size_t a_stride, const void* w,
                      size_t w_stride, const void* out, size_t out_stride, size_t m, size_t n,
                      size_t k, GemmJob* gemm_job, RequantizeJob* requant_job);
qs_status CheckLut(const qs_lut_params* p, const void* in, const void* out, size_t n);
// Q13.3 TOSA TABLE int16: params and table non-NULL, int16 in / int32 out buffers.
qs_status CheckLutInt16(const qs_lut_int16_params* p, const void* in, const void* out, size_t n);

// Element type ranges (Q1.1).
inline int32_t TypeMin(uint32_t type) { return type == QS_S8 ? -128 : 0; }
inline int32_t TypeMax(uint32_t type) { return type == QS_S8 ? 127 : 255; }

}  // namespace quantspec::optimized::detail
