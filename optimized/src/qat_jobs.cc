// Checks of the fake-quantization and dynamic-quantization parameters (kernel_abi.h, "Status
// order": selectors first, then what this library provides, then the values the spec allows)
// and the per-channel parameters the kernels need, computed once per call in binary32 as the
// spec orders the operations (this file is compiled with -ffp-contract=off like the kernels).
#include "qat_jobs.h"

#include <cmath>
#include <cstdint>
#include <new>
#include <stdexcept>


namespace quantspec::optimized::detail {
namespace {

bool IsRounding(uint32_t r) { return r <= QS_ROUND_FLOOR; }
bool IsValidScale(float s) { return std::isfinite(s) && s > 0.0f; }

// No overlap between [a, a + n * a_size) and [b, b + n * b_size); NULL only for n == 0.
bool Disjoint(const void* a, size_t a_size, const void* b, size_t b_size, size_t n) {
  if (n == 0) return true;
  if (a == nullptr || b == nullptr) return false;
  if (n > SIZE_MAX / a_size || n > SIZE_MAX / b_size) return false;
  const uintptr_t ab = reinterpret_cast<uintptr_t>(a), bb = reinterpret_cast<uintptr_t>(b);
  return ab + n * a_size <= bb || bb + n * b_size <= ab;
}

size_t Replicated(size_t channels) {
  constexpr size_t kRun = 64;  // as kMinChannelRun in ops-inl.h
  if (channels >= kRun) return channels;
  return channels * ((kRun + channels - 1) / channels);
}

// Q15.4: TensorFlow's grid from (qmin, qmax): qmin = narrow_range ? 1 : 0, qmax = 2^b - 1 with
// num_bits b in [2, 16] (Q15.5).
bool TensorflowGridOk(int32_t qmin, int32_t qmax) {
  if (qmin != 0 && qmin != 1) return false;
  for (int bits = 2; bits <= 16; ++bits) {
    if (qmax == (int32_t{1} << bits) - 1) return true;
  }
  return false;
}

// Q15.4 Nudge (fake_quant_ops_functor.h), one binary32 operation per statement. False: a
// range Q15.5 rejects.
struct TfLane {
  float nudged_min = 0, nudged_max = 0, scale = 0, inv_scale = 0, quant_zero = 0;
  bool all_zero = false;
};
bool TensorflowNudge(float min, float max, int32_t qmin, int32_t qmax, TfLane* lane) {
  if (!std::isfinite(min) || !std::isfinite(max) || min > max) return false;
  if (min == 0.0f && max == 0.0f) {  // Vars and PerChannel ops: output 0 (Q15.4 step 6)
    lane->all_zero = true;
    return true;
  }
  if (min == max) return false;
  const float qmin_f = static_cast<float>(qmin);
  const float qmax_f = static_cast<float>(qmax);
  const float steps = qmax_f - qmin_f;
  const float range = max - min;
  if (std::isinf(range)) return false;
  const float scale = range / steps;
  if (!(scale > 0.0f)) return false;
  const float inv_scale = steps / range;
  if (std::isinf(inv_scale)) return false;  // Q15.5: a range too small for binary32's 1/scale
  const float zero_point_from_min = qmin_f - min / scale;
  float nudged_zero_point;
  if (zero_point_from_min < qmin_f) {
    nudged_zero_point = qmin_f;
  } else if (zero_point_from_min > qmax_f) {
    nudged_zero_point = qmax_f;
  } else {
    nudged_zero_point = std::round(zero_point_from_min);  // half away from zero
  }
  lane->scale = scale;
  lane->inv_scale = inv_scale;
  lane->nudged_min = (qmin_f - nudged_zero_point) * scale;
  lane->nudged_max = (qmax_f - nudged_zero_point) * scale;
  const float shifted = -lane->nudged_min * inv_scale;
  lane->quant_zero = std::floor(shifted + 0.5f);
  return true;
}

}  // namespace

namespace {
qs_status CheckFakeQuantizeAllocating(const qs_fake_quant_params* p, bool per_channel,
                                      const float* in, const float* out, const uint8_t* mask,
                                      size_t n, FakeQuantJob* job);
}  // namespace

// The per-channel arrays are allocated here; no exception crosses the C ABI (no memory: the
// ABI has no better status than QS_BAD_PARAMETERS, as for linear's scratch in table.cc).
qs_status CheckFakeQuantize(const qs_fake_quant_params* p, bool per_channel, const float* in,
                            const float* out, const uint8_t* mask, size_t n, FakeQuantJob* job) {
  try {
    return CheckFakeQuantizeAllocating(p, per_channel, in, out, mask, n, job);
  } catch (const std::bad_alloc&) {
    return QS_BAD_PARAMETERS;
  } catch (const std::length_error&) {
    return QS_BAD_PARAMETERS;
  }
}

namespace {
qs_status CheckFakeQuantizeAllocating(const qs_fake_quant_params* p, bool per_channel,
                                      const float* in, const float* out, const uint8_t* mask,
                                      size_t n, FakeQuantJob* job) {
  if (p == nullptr || p->variant > QS_FQ_TENSORFLOW || !IsRounding(p->rounding)) {
    return QS_BAD_PARAMETERS;
  }
  // Q15.5: two grid points at least.
  if (p->qmin >= p->qmax) return QS_BAD_PARAMETERS;
  const size_t channels = per_channel ? p->channels : 1;
  if (channels == 0) return QS_BAD_PARAMETERS;
  job->variant = p->variant;
  job->rounding = p->rounding;
  job->qmin = p->qmin;
  job->qmax = p->qmax;
  job->channels = channels;
  job->lane_count = per_channel ? Replicated(channels) : 1;
  job->tf_divides = !per_channel;
  const size_t lanes = job->lane_count;
  for (auto* v : {&job->a, &job->b, &job->c, &job->d, &job->e, &job->f, &job->g}) {
    v->assign(lanes, 0.0f);
  }
  if (p->variant == QS_FQ_TENSORFLOW) {
    if (!TensorflowGridOk(p->qmin, p->qmax)) return QS_BAD_PARAMETERS;
    if (per_channel && (p->mins == nullptr || p->maxs == nullptr)) return QS_BAD_PARAMETERS;
    job->narrow_grid = true;
    std::vector<TfLane> resolved(channels);
    for (size_t ch = 0; ch < channels; ++ch) {
      const float min = per_channel ? p->mins[ch] : p->min;
      const float max = per_channel ? p->maxs[ch] : p->max;
      if (!TensorflowNudge(min, max, p->qmin, p->qmax, &resolved[ch])) return QS_BAD_PARAMETERS;
    }
    for (size_t i = 0; i < lanes; ++i) {
      const TfLane& l = resolved[i % channels];
      job->a[i] = l.nudged_min;
      job->b[i] = l.nudged_max;
      job->c[i] = l.scale;
      job->d[i] = l.inv_scale;
      job->e[i] = l.quant_zero;
      job->f[i] = l.all_zero ? 1.0f : 0.0f;
    }
  } else {
    if (per_channel && (p->scales == nullptr || p->zero_points == nullptr)) {
      return QS_BAD_PARAMETERS;
    }
    job->scales.resize(channels);
    job->zero_points.resize(channels);
    for (size_t ch = 0; ch < channels; ++ch) {
      const float s = per_channel ? p->scales[ch] : p->scale;
      const int32_t z = per_channel ? p->zero_points[ch] : p->zero_point;
      if (!IsValidScale(s) || z < p->qmin || z > p->qmax) return QS_BAD_PARAMETERS;
      job->scales[ch] = s;
      job->zero_points[ch] = z;
    }
    constexpr int32_t kNarrow = int32_t{1} << 22;
    job->narrow_grid = p->qmin >= -kNarrow && p->qmax <= kNarrow;
    for (size_t i = 0; i < lanes; ++i) {
      const float s = job->scales[i % channels];
      const int32_t z = job->zero_points[i % channels];
      if (p->variant == QS_FQ_EXACT) {
        const bool tiny = s < 0x1p-100f;
        job->a[i] = tiny ? s * 0x1p100f : s;  // exact: a power of two
        job->b[i] = tiny ? 0x1p100f : 1.0f;
        job->c[i] = s;
        // Exact in binary32 for narrow grids (only then are they used).
        job->d[i] = static_cast<float>(int64_t{p->qmin} - 1 - z);
        job->e[i] = static_cast<float>(int64_t{p->qmax} + 1 - z);
        job->f[i] = static_cast<float>(int64_t{p->qmin} - z);
        job->g[i] = static_cast<float>(int64_t{p->qmax} - z);
      } else {
        job->a[i] = 1.0f / s;
        job->b[i] = static_cast<float>(z);
        job->c[i] = s;
      }
    }
  }
  if (!Disjoint(in, sizeof(float), out, sizeof(float), n)) return QS_BAD_PARAMETERS;
  if (mask != nullptr && (!Disjoint(in, sizeof(float), mask, 1, n) ||
                          !Disjoint(out, sizeof(float), mask, 1, n))) {
    return QS_BAD_PARAMETERS;
  }
  return QS_OK;
}
}  // namespace

namespace {
// The fields of qs_dynamic_quantize_params, for dynamic_quantize and dynamic_linear alike.
qs_status CheckDynamicQuantizeParams(const qs_dynamic_quantize_params* p) {
  if (p == nullptr || p->variant > QS_DYN_PYTORCH_U8 ||
      (p->output_type != QS_S8 && p->output_type != QS_U8)) {
    return QS_BAD_PARAMETERS;
  }
  // ONNX DynamicQuantizeLinear and PyTorch's quantize_per_tensor_dynamic are per tensor only
  // (Q17.1 and Q17.5 define no per-row form).
  if (p->variant != QS_DYN_SYMMETRIC_S8 && p->per_row != 0) return QS_VARIANT_NOT_SUPPORTED;
  const uint32_t wanted_type = p->variant == QS_DYN_SYMMETRIC_S8 ? QS_S8 : QS_U8;
  if (p->output_type != wanted_type) return QS_BAD_PARAMETERS;
  // Q17.3: the floor is a binary32 > 0 (it keeps an all-zero row from dividing by 0).
  if (p->variant == QS_DYN_SYMMETRIC_S8 && !IsValidScale(p->scale_floor)) {
    return QS_BAD_PARAMETERS;
  }
  return QS_OK;
}

void FillDynamicQuantizeJob(const qs_dynamic_quantize_params* p, size_t rows, size_t cols,
                            DynamicQuantizeJob* job) {
  job->variant = p->variant;
  job->output_type = p->output_type;
  job->per_row = p->per_row != 0;
  job->scale_floor = p->scale_floor;
  job->reduce_range = p->variant == QS_DYN_PYTORCH_U8 && p->reduce_range != 0;
  job->rows = rows;
  job->cols = cols;
}

// Bytes spanned by `rows` rows of `cols` elements of `size` bytes at row stride `stride`.
size_t SpanBytes(size_t rows, size_t cols, size_t stride, size_t size) {
  return ((rows - 1) * stride + cols) * size;
}
}  // namespace

qs_status CheckDynamicQuantize(const qs_dynamic_quantize_params* p, const float* in,
                               const void* out, size_t rows, size_t cols, const float* scales_out,
                               const int32_t* zero_points_out, DynamicQuantizeJob* job) {
  const qs_status checked = CheckDynamicQuantizeParams(p);
  if (checked != QS_OK) return checked;
  // Q17.3: an empty tensor has no range.
  if (rows == 0 || cols == 0 || rows > SIZE_MAX / cols) return QS_BAD_PARAMETERS;
  const size_t n = rows * cols;
  const size_t params = p->per_row != 0 ? rows : 1;
  if (!Disjoint(in, sizeof(float), out, 1, n)) return QS_BAD_PARAMETERS;
  if (scales_out == nullptr || zero_points_out == nullptr) return QS_BAD_PARAMETERS;
  if (!Disjoint(in, sizeof(float), scales_out, sizeof(float) * params, 1) ||
      !Disjoint(in, sizeof(float), zero_points_out, sizeof(int32_t) * params, 1) ||
      !Disjoint(out, 1, scales_out, sizeof(float) * params, 1) ||
      !Disjoint(out, 1, zero_points_out, sizeof(int32_t) * params, 1)) {
    return QS_BAD_PARAMETERS;
  }
  (void)n;
  FillDynamicQuantizeJob(p, rows, cols, job);
  return QS_OK;
}

qs_status CheckDynamicLinear(const qs_dynamic_linear_params* p, const float* x, size_t x_stride,
                             const int8_t* w, size_t w_stride, const float* out,
                             size_t out_stride, size_t m, size_t n, size_t k,
                             DynamicQuantizeJob* job) {
  if (p == nullptr) return QS_BAD_PARAMETERS;
  const qs_status checked = CheckDynamicQuantizeParams(&p->quant);
  if (checked != QS_OK) return checked;
  // Q17.7: x needs at least one element for its range; every dimension is >= 1.
  if (m == 0 || n == 0 || k == 0) return QS_BAD_PARAMETERS;
  if (x == nullptr || w == nullptr || out == nullptr || p->weight_scales == nullptr) {
    return QS_BAD_PARAMETERS;
  }
  if (x_stride < k || w_stride < k || out_stride < n) return QS_BAD_PARAMETERS;
  constexpr size_t kMax = SIZE_MAX / 8;
  if (m > kMax / x_stride || n > kMax / w_stride || m > kMax / out_stride) return QS_BAD_PARAMETERS;
  for (size_t c = 0; c < n; ++c) {
    if (!IsValidScale(p->weight_scales[c])) return QS_BAD_PARAMETERS;
    if (p->bias != nullptr && !std::isfinite(p->bias[c])) return QS_BAD_PARAMETERS;
  }
  const size_t out_bytes = SpanBytes(m, n, out_stride, sizeof(float));
  if (!Disjoint(out, out_bytes, x, SpanBytes(m, k, x_stride, sizeof(float)), 1) ||
      !Disjoint(out, out_bytes, w, SpanBytes(n, k, w_stride, 1), 1) ||
      !Disjoint(out, out_bytes, p->weight_scales, n * sizeof(float), 1) ||
      (p->bias != nullptr && !Disjoint(out, out_bytes, p->bias, n * sizeof(float), 1))) {
    return QS_BAD_PARAMETERS;
  }
  FillDynamicQuantizeJob(&p->quant, m, k, job);
  return QS_OK;
}

bool OnnxScaleAndZeroPoint(float lo, float hi, float* scale, int32_t* zero_point) {
  if (lo == 0.0f && hi == 0.0f) {  // every element zero: 0 / 0 in the function body
    *scale = 1.0f;
    *zero_point = 0;
    return true;
  }
  const float range = hi - lo;           // Sub
  if (std::isinf(range)) return false;
  const float scale_f = range / 255.0f;  // Div
  if (!(scale_f > 0.0f)) return false;
  const float min_scaled = lo / scale_f;        // Div
  const float zero_point_fp = 0.0f - min_scaled;  // Sub
  // Clip to [0, 255] before Round (half to even), then Cast.
  const float clipped = zero_point_fp < 0.0f ? 0.0f : (zero_point_fp > 255.0f ? 255.0f : zero_point_fp);
  *scale = scale_f;
  *zero_point = static_cast<int32_t>(std::nearbyint(clipped));
  return true;
}

void PytorchScaleAndZeroPoint(float x_min, float x_max, bool reduce_range, float* scale,
                              int32_t* zero_point) {
  const int qmin = 0;
  const int qmax = reduce_range ? 127 : 255;  // 255 / 2 in integers
  const int steps = qmax - qmin;
  float lo = x_min < 0.0f ? x_min : 0.0f;
  float hi = x_max > 0.0f ? x_max : 0.0f;
  double s = (static_cast<double>(hi) - static_cast<double>(lo)) / steps;  // Q17.5 step 3
  const float s_f32 = static_cast<float>(s);
  if (s_f32 == 0.0f || std::isinf(1.0f / s_f32)) s = 0.1;                  // step 4
  constexpr float kThreshold = 6.1e-5f;                                     // step 5
  if (s < static_cast<double>(kThreshold)) {
    const float original = static_cast<float>(s);
    s = kThreshold;
    if (lo == 0.0f) {
      hi = kThreshold * static_cast<float>(steps);
    } else if (hi == 0.0f) {
      lo = -kThreshold * static_cast<float>(steps);
    } else {
      const float amplifier = kThreshold / original;
      lo = lo * amplifier;
      hi = hi * amplifier;
    }
  }
  const double lo_scaled = static_cast<double>(lo) / s;                     // step 6
  const double hi_scaled = static_cast<double>(hi) / s;
  const double from_min = qmin - lo_scaled;
  const double from_max = qmax - hi_scaled;
  const double from_min_error = qmin - std::fabs(lo_scaled);
  const double from_max_error = qmax - std::fabs(hi_scaled);
  const double initial = from_min_error < from_max_error ? from_min : from_max;
  *scale = static_cast<float>(s);                                           // the quantize's fl32(S)
  if (initial < qmin) {                                                     // step 7
    *zero_point = qmin;
  } else if (initial > qmax) {
    *zero_point = qmax;
  } else {
    *zero_point = static_cast<int32_t>(std::nearbyint(initial));
  }
}

float SymmetricScale(float amax, float scale_floor) {
  const float s = amax / 127.0f;
  return s > scale_floor ? s : scale_floor;
}

}  // namespace quantspec::optimized::detail
