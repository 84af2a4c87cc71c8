// Parameter checking for the fake_quantize, fake_quantize_per_channel and dynamic_quantize entry
// points (kernel_abi.h; SPEC.md Q15, Q17), and the resolved jobs their per-target kernels
// receive. As in jobs.h, a job is only built from parameters that passed the checks, and one set
// of checks serves every SIMD target.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "quantspec/kernel_abi.h"

namespace quantspec::optimized::detail {

// Q15. The per-channel parameters resolved into per-lane arrays (channels entries, replicated
// to at least 64 so that per-channel runs are long; element i uses entry i % channels).
// What the arrays hold depends on the variant:
//   EXACT:      a = S rescaled by 2^100 when S < 2^-100, b = that factor (or 1), c = S,
//               d = qmin - 1 - Z, e = qmax + 1 - Z, f = qmin - Z, g = qmax - Z;
//   PYTORCH:    a = fl32(1 / S), b = fl32(Z), c = S;
//   TENSORFLOW: a = nudged_min, b = nudged_max, c = S, d = inv_scale, e = quant_zero,
//               f = 1 where min = max = 0 (output 0, gradient passes), else 0.
// zero_points and scales keep the caller's values per (unreplicated) channel for the per-element
// paths of grids too wide for binary32 lanes.
struct FakeQuantJob {
  uint32_t variant = QS_FQ_EXACT;
  uint32_t rounding = QS_ROUND_HALF_EVEN;  // EXACT only
  bool tf_divides = false;  // TENSORFLOW per tensor (Vars op): t = s / S; per channel: s * inv
  // Every integer of the grid arithmetic (qmin - 1 - Z .. qmax + 1 - Z, Z, qmin, qmax) is a
  // binary32 integer of magnitude <= 2^22: the binary32 lanes compute it exactly.
  bool narrow_grid = true;
  int32_t qmin = 0;
  int32_t qmax = 0;
  size_t channels = 1;     // the caller's
  size_t lane_count = 1;   // entries of each array below (channels, replicated)
  std::vector<float> a, b, c, d, e, f, g;
  std::vector<float> scales;         // [channels], EXACT / PYTORCH
  std::vector<int32_t> zero_points;  // [channels], EXACT / PYTORCH
};

qs_status CheckFakeQuantize(const qs_fake_quant_params* p, bool per_channel, const float* in,
                            const float* out, const uint8_t* mask, size_t n, FakeQuantJob* job);

// Q17: ONNX_U8 and PYTORCH_U8 per tensor, or SYMMETRIC_S8 per tensor / per row.
struct DynamicQuantizeJob {
  uint32_t variant = QS_DYN_ONNX_U8;
  uint32_t output_type = QS_U8;
  bool per_row = false;
  float scale_floor = 0.0f;
  bool reduce_range = false;  // PYTORCH_U8
  size_t rows = 0;
  size_t cols = 0;
};

qs_status CheckDynamicQuantize(const qs_dynamic_quantize_params* p, const float* in,
                               const void* out, size_t rows, size_t cols, const float* scales_out,
                               const int32_t* zero_points_out, DynamicQuantizeJob* job);

// Q17.7: the quantize of x as a job over m x k, checked as dynamic_quantize checks its
// parameters, plus the shapes, strides, weight scales, bias and overlaps (kernel_abi.h).
qs_status CheckDynamicLinear(const qs_dynamic_linear_params* p, const float* x, size_t x_stride,
                             const int8_t* w, size_t w_stride, const float* out,
                             size_t out_stride, size_t m, size_t n, size_t k,
                             DynamicQuantizeJob* job);

// Q17.1 steps 2-5 on the reduced range: S and Z in binary32 exactly as the ONNX function body
// computes them (lo <= 0 <= hi). False: fl32(hi - lo) is infinite, or a non-zero range whose S
// rounds to 0 (Q17.3). Every element zero: S = 1, Z = 0 (Q17.1 SPEC CHOICE).
bool OnnxScaleAndZeroPoint(float lo, float hi, float* scale, int32_t* zero_point);

// Q17.5 (ChooseQuantizationParams in host binary64, as the reference's fast form): the
// binary32 scale fl32(S) the quantize uses, and Z, from the exact min and max of x.
void PytorchScaleAndZeroPoint(float x_min, float x_max, bool reduce_range, float* scale,
                              int32_t* zero_point);

// Q17.2: S = max(fl32(amax / 127), floor).
float SymmetricScale(float amax, float scale_floor);

}  // namespace quantspec::optimized::detail
