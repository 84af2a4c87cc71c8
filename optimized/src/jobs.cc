// Checks of the C ABI parameters (kernel_abi.h, "Status order"): selectors first, then what
// this library provides, then the values the spec allows.
#include "jobs.h"

#include <cmath>
#include <cstdint>

namespace quantspec::optimized::detail {
namespace {

bool IsElementType(uint32_t t) { return t == QS_S8 || t == QS_U8; }
bool IsRounding(uint32_t r) { return r <= QS_ROUND_FLOOR; }
bool IsDivision(uint32_t d) { return d <= QS_DIV_F32_RECIPROCAL; }
bool IsDerivation(uint32_t d) { return d <= QS_DERIVE_RNDNU; }
bool IsRequantVariant(uint32_t v) { return v <= QS_REQUANT_DOUBLE_ROUND_WRAP; }
bool IsZeroPointEntry(uint32_t z) { return z <= QS_ZP_BEFORE_ROUNDING; }

// Q1: a scale is a finite binary32 > 0; subnormal scales are valid.
bool IsValidScale(float s) { return std::isfinite(s) && s > 0.0f; }

bool InTypeRange(int32_t v, uint32_t type) { return v >= TypeMin(type) && v <= TypeMax(type); }

// A buffer may be NULL only when it holds no element.
bool BufferOk(const void* p, size_t count) { return p != nullptr || count == 0; }

// The ABI forbids overlapping input and output buffers; the elementwise kernels reject them
// (an in-place call would otherwise read elements it has already overwritten, and quantize may
// read a block twice). Sizes beyond the address space cannot describe real buffers.
bool ElementwiseBuffersOk(const void* in, size_t in_size, const void* out, size_t out_size,
                          size_t n) {
  if (!BufferOk(in, n) || !BufferOk(out, n)) return false;
  if (n == 0) return true;
  if (n > SIZE_MAX / in_size || n > SIZE_MAX / out_size) return false;
  const uintptr_t in_begin = reinterpret_cast<uintptr_t>(in);
  const uintptr_t out_begin = reinterpret_cast<uintptr_t>(out);
  return in_begin + n * in_size <= out_begin || out_begin + n * out_size <= in_begin;
}

bool IsFixedPoint(uint32_t variant) {
  return variant != QS_REQUANT_IDEAL && variant != QS_REQUANT_FP32;
}

// Q7: the (multiplier, shift) domain of each fixed-point variant.
bool MultiplierShiftOk(uint32_t variant, int32_t multiplier, int32_t shift) {
  switch (variant) {
    case QS_REQUANT_DOUBLE_ROUND:
    case QS_REQUANT_SINGLE_ROUND:
    case QS_REQUANT_RNDNU:
    case QS_REQUANT_RNDNA:
    case QS_REQUANT_NEON_DOUBLE_ROUND:
    case QS_REQUANT_DOUBLE_ROUND_WRAP:
      return multiplier >= 0 && shift >= -31 && shift <= 30;
    case QS_REQUANT_INT16X8_INT64:  // SPEC Q11.2
      return multiplier >= 0 && shift >= -31 && shift <= 7;
    case QS_REQUANT_RNDNU16:  // SPEC Q11.8
      return multiplier >= 0 && shift >= -31 && shift <= 8;
    case QS_REQUANT_TOSA_SINGLE:
    case QS_REQUANT_TOSA_DOUBLE:
      return multiplier >= 0 && shift >= 2 && shift <= 62;
    case QS_REQUANT_TOSA_SCALE16:
      return multiplier >= 0 && multiplier <= 32767 && shift >= 2 && shift <= 62;
    default:
      return false;
  }
}

// Selector and support checks shared by requantize and linear.
qs_status CheckRequantSelectors(const qs_requantization& r) {
  if (!IsRequantVariant(r.variant) || !IsZeroPointEntry(r.zero_point_entry) ||
      !IsRounding(r.rounding) || !IsDerivation(r.derivation)) {
    return QS_BAD_PARAMETERS;
  }
  // IDEAL needs exact rational arithmetic per element; not provided by these kernels.
  if (r.variant == QS_REQUANT_IDEAL) return QS_VARIANT_NOT_SUPPORTED;
  // Q7: fixed-point pipelines add the zero point after rounding only.
  if (IsFixedPoint(r.variant) && r.zero_point_entry != QS_ZP_AFTER_ROUNDING) {
    return QS_BAD_PARAMETERS;
  }
  return QS_OK;
}

// SPEC Q11.2 / Q11.8: the 15-bit multiplier, round(m / 2^16), for int16x8_int64 capped at
// 2^15 - 1 (m >= 0x7FFF0000), for rndnu16 renormalised (2^15 is not an int16: 2^14, and the
// pre-shift one larger). Replaces the job's multiplier and shift pointers by derived ones.
void DeriveReducedMultipliers(const int32_t* multipliers, const int32_t* shifts, size_t channels,
                              RequantizeJob* job) {
  job->derived.resize(2 * channels);
  int32_t* m15 = job->derived.data();
  int32_t* derived_shift = m15 + channels;
  for (size_t c = 0; c < channels; ++c) {
    const auto rounded = static_cast<int32_t>((int64_t{multipliers[c]} + (1 << 15)) >> 16);
    if (job->variant == QS_REQUANT_INT16X8_INT64) {
      m15[c] = multipliers[c] < 0x7FFF0000 ? rounded : 0x7FFF;
      derived_shift[c] = shifts[c] + 16;  // single_round's total 31 - (shift + 16) = 15 - shift
    } else {
      const bool renormalised = rounded == (1 << 15);
      m15[c] = renormalised ? (1 << 14) : rounded;
      derived_shift[c] = renormalised ? shifts[c] + 1 : shifts[c];
    }
  }
  job->multipliers = m15;
  job->shifts = derived_shift;
}

bool ReadsReducedMultiplier(uint32_t variant) {
  return variant == QS_REQUANT_INT16X8_INT64 || variant == QS_REQUANT_RNDNU16;
}

// Value checks of the multiplier data; fills the job's parameter pointers.
qs_status CheckRequantValues(const qs_requantization& r, bool per_channel, size_t channels,
                             RequantizeJob* job) {
  job->variant = r.variant;
  job->zero_point_before_rounding = r.zero_point_entry == QS_ZP_BEFORE_ROUNDING;
  job->output_zero_point = r.output_zero_point;
  if (!per_channel) {
    if (r.variant == QS_REQUANT_FP32) {
      if (!IsValidScale(r.scale)) return QS_BAD_PARAMETERS;
    } else if (!MultiplierShiftOk(r.variant, r.multiplier, r.shift)) {
      return QS_BAD_PARAMETERS;
    }
    job->multipliers = &r.multiplier;
    job->shifts = &r.shift;
    job->scales = &r.scale;
    job->channels = 1;
    if (ReadsReducedMultiplier(r.variant)) DeriveReducedMultipliers(&r.multiplier, &r.shift, 1, job);
    return QS_OK;
  }
  if (channels == 0) return QS_BAD_PARAMETERS;
  if (r.variant == QS_REQUANT_FP32) {
    if (r.scales == nullptr) return QS_BAD_PARAMETERS;
    for (size_t c = 0; c < channels; ++c) {
      if (!IsValidScale(r.scales[c])) return QS_BAD_PARAMETERS;
    }
  } else {
    if (r.multipliers == nullptr || r.shifts == nullptr) return QS_BAD_PARAMETERS;
    for (size_t c = 0; c < channels; ++c) {
      if (!MultiplierShiftOk(r.variant, r.multipliers[c], r.shifts[c])) return QS_BAD_PARAMETERS;
    }
  }
  // Only the arrays the variant reads: the others may be NULL or point anywhere (kernel_abi.h).
  const bool fp32 = r.variant == QS_REQUANT_FP32;
  job->multipliers = fp32 ? nullptr : r.multipliers;
  job->shifts = fp32 ? nullptr : r.shifts;
  job->scales = fp32 ? r.scales : nullptr;
  job->channels = channels;
  if (ReadsReducedMultiplier(r.variant)) {
    DeriveReducedMultipliers(r.multipliers, r.shifts, channels, job);
  }
  return QS_OK;
}

}  // namespace

// The per-tensor (scale, zero_point) or per-channel arrays of quantize/dequantize parameters:
// every scale finite and > 0, every zero point accepted by `zero_point_ok`.
template <typename Params, typename ZeroPointOk>
bool ScalesAndZeroPointsOk(const Params& p, bool per_channel, ZeroPointOk zero_point_ok) {
  if (!per_channel) return IsValidScale(p.scale) && zero_point_ok(p.zero_point);
  if (p.channels == 0 || p.scales == nullptr || p.zero_points == nullptr) return false;
  for (size_t c = 0; c < p.channels; ++c) {
    if (!IsValidScale(p.scales[c]) || !zero_point_ok(p.zero_points[c])) return false;
  }
  return true;
}

qs_status CheckQuantize(const qs_quantize_params* p, bool per_channel, const void* in,
                        const void* out, size_t n, QuantizeJob* job) {
  if (p == nullptr) return QS_BAD_PARAMETERS;
  if (!IsElementType(p->output_type) || !IsRounding(p->rounding) || !IsDivision(p->division)) {
    return QS_BAD_PARAMETERS;
  }
  // Every rounding x division combination is provided (exact division by FMA residuals).
  if (p->qmin > p->qmax || !InTypeRange(p->qmin, p->output_type) ||
      !InTypeRange(p->qmax, p->output_type)) {
    return QS_BAD_PARAMETERS;
  }
  auto zero_point_ok = [&](int32_t z) { return z >= p->qmin && z <= p->qmax; };
  if (!ScalesAndZeroPointsOk(*p, per_channel, zero_point_ok)) return QS_BAD_PARAMETERS;
  if (!ElementwiseBuffersOk(in, sizeof(float), out, 1, n)) return QS_BAD_PARAMETERS;
  job->output_type = p->output_type;
  job->rounding = p->rounding;
  job->division = p->division;
  job->qmin = p->qmin;
  job->qmax = p->qmax;
  job->scales = per_channel ? p->scales : &p->scale;
  job->zero_points = per_channel ? p->zero_points : &p->zero_point;
  job->channels = per_channel ? p->channels : 1;
  return QS_OK;
}

qs_status CheckDequantize(const qs_dequantize_params* p, bool per_channel, const void* in,
                          const void* out, size_t n, DequantizeJob* job) {
  if (p == nullptr || !IsElementType(p->input_type)) return QS_BAD_PARAMETERS;
  auto zero_point_ok = [&](int32_t z) { return InTypeRange(z, p->input_type); };
  if (!ScalesAndZeroPointsOk(*p, per_channel, zero_point_ok)) return QS_BAD_PARAMETERS;
  if (!ElementwiseBuffersOk(in, 1, out, sizeof(float), n)) return QS_BAD_PARAMETERS;
  job->input_type = p->input_type;
  job->scales = per_channel ? p->scales : &p->scale;
  job->zero_points = per_channel ? p->zero_points : &p->zero_point;
  job->channels = per_channel ? p->channels : 1;
  return QS_OK;
}

qs_status CheckRequantize(const qs_requantize_params* p, bool per_channel, const void* in,
                          const void* out, size_t n, RequantizeJob* job) {
  if (p == nullptr || !IsElementType(p->output_type)) return QS_BAD_PARAMETERS;
  qs_status s = CheckRequantSelectors(p->requant);
  if (s != QS_OK) return s;
  s = CheckRequantValues(p->requant, per_channel, p->channels, job);
  if (s != QS_OK) return s;
  if (p->qmin > p->qmax || !InTypeRange(p->qmin, p->output_type) ||
      !InTypeRange(p->qmax, p->output_type) || p->requant.output_zero_point < p->qmin ||
      p->requant.output_zero_point > p->qmax) {
    return QS_BAD_PARAMETERS;
  }
  if (!ElementwiseBuffersOk(in, sizeof(int32_t), out, 1, n)) return QS_BAD_PARAMETERS;
  job->output_type = p->output_type;
  job->qmin = p->qmin;
  job->qmax = p->qmax;
  return QS_OK;
}

qs_status CheckGemm(const qs_gemm_params* p, const void* a, size_t a_stride, const void* w,
                    size_t w_stride, const void* out, size_t out_stride, size_t m, size_t n,
                    size_t k, GemmJob* job) {
  if (p == nullptr || !IsElementType(p->a_type)) return QS_BAD_PARAMETERS;
  if (!InTypeRange(p->a_zero_point, p->a_type)) return QS_BAD_PARAMETERS;
  if (p->w_zero_points != nullptr) {
    for (size_t j = 0; j < n; ++j) {
      if (!InTypeRange(p->w_zero_points[j], QS_S8)) return QS_BAD_PARAMETERS;
    }
  } else if (!InTypeRange(p->w_zero_point, QS_S8)) {
    return QS_BAD_PARAMETERS;
  }
  if (k > 0 && m > 0 && a_stride < k) return QS_BAD_PARAMETERS;
  if (k > 0 && n > 0 && w_stride < k) return QS_BAD_PARAMETERS;
  if (m > 0 && n > 0 && out_stride < n) return QS_BAD_PARAMETERS;
  if (!BufferOk(a, m * k) || !BufferOk(w, n * k) || !BufferOk(out, m * n)) {
    return QS_BAD_PARAMETERS;
  }
  job->a_type = p->a_type;
  job->a_zero_point = p->a_zero_point;
  job->w_zero_points = p->w_zero_points;
  job->w_zero_point = p->w_zero_point;
  job->bias = p->bias;
  return QS_OK;
}

qs_status CheckLinear(const qs_linear_params* p, const void* a, size_t a_stride, const void* w,
                      size_t w_stride, const void* out, size_t out_stride, size_t m, size_t n,
                      size_t k, GemmJob* gemm_job, RequantizeJob* requant_job) {
  if (p == nullptr || !IsElementType(p->output_type) || !IsElementType(p->gemm.a_type) ||
      p->per_channel > 1) {
    return QS_BAD_PARAMETERS;
  }
  qs_status s = CheckRequantSelectors(p->requant);
  if (s != QS_OK) return s;
  // The int32 output of the GEMM part is internal: check shapes against a dense M x N result.
  s = CheckGemm(&p->gemm, a, a_stride, w, w_stride, out, n, m, n, k, gemm_job);
  if (s != QS_OK) return s;
  if (m > 0 && n > 0 && out_stride < n) return QS_BAD_PARAMETERS;
  // Per-channel requantization has one entry per output column.
  const bool per_channel = p->per_channel != 0;
  if (per_channel && n == 0) {
    requant_job->variant = p->requant.variant;
  } else {
    s = CheckRequantValues(p->requant, per_channel, n, requant_job);
    if (s != QS_OK) return s;
  }
  if (p->act_min > p->act_max || !InTypeRange(p->act_min, p->output_type) ||
      !InTypeRange(p->act_max, p->output_type) ||
      !InTypeRange(p->requant.output_zero_point, p->output_type)) {
    return QS_BAD_PARAMETERS;
  }
  requant_job->output_type = p->output_type;
  requant_job->output_zero_point = p->requant.output_zero_point;
  requant_job->zero_point_before_rounding = p->requant.zero_point_entry == QS_ZP_BEFORE_ROUNDING;
  requant_job->qmin = p->act_min;
  requant_job->qmax = p->act_max;
  return QS_OK;
}

qs_status CheckLut(const qs_lut_params* p, const void* in, const void* out, size_t n) {
  if (p == nullptr || !IsElementType(p->element_type) || p->table == nullptr) {
    return QS_BAD_PARAMETERS;
  }
  if (!ElementwiseBuffersOk(in, 1, out, 1, n)) return QS_BAD_PARAMETERS;
  return QS_OK;
}

qs_status CheckLutInt16(const qs_lut_int16_params* p, const void* in, const void* out, size_t n) {
  if (p == nullptr || p->table == nullptr) return QS_BAD_PARAMETERS;
  if (!ElementwiseBuffersOk(in, sizeof(int16_t), out, sizeof(int32_t), n)) return QS_BAD_PARAMETERS;
  return QS_OK;
}

}  // namespace quantspec::optimized::detail
