/*
 * A plain scalar kernel table, written from reference/SPEC.md (Q2, Q3, Q5, Q7, Q8) through the
 * kernel C ABI (quantspec/kernel_abi.h). It is the starting point for anyone writing new kernels:
 * copy it, replace one operation with your fast version, and run
 *
 *     quantspec conform --plugin ./libyour_kernels.so
 *
 * Every slot of ABI version 1 is provided, with every variant of the spec:
 *   quantize:   exact division, binary32 division, binary32 reciprocal; all five rounding rules.
 *   requantize: ideal (all rounding rules, both zero-point entries), double_round, single_round,
 *               tosa_single, tosa_double, tosa_scale16, fp32 (both zero-point entries), rndnu,
 *               rndna.
 * Exact rationals (exact division, ideal requantization) are handled with 128-bit integers
 * (GCC/Clang __int128): every quotient that could still matter fits, the rest saturates.
 *
 * Assumes binary32 float arithmetic with round-to-nearest-even (the C default on x86-64/ARM64,
 * FLT_EVAL_METHOD == 0) and an arithmetic right shift of negative integers (GCC/Clang).
 * Build: cc -O2 -std=c11 -fPIC -shared -fvisibility=hidden scalar_plugin.c -o libqs_scalar.so
 */
#include <float.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "quantspec/kernel_abi.h"

typedef __int128 int128;

/* ---------------------------------------------------------------------------------------------
 * Element types, bounds and parameter checks shared by every operation. */

static bool type_is_valid(uint32_t type) { return type == QS_S8 || type == QS_U8; }
static int32_t type_min(uint32_t type) { return type == QS_S8 ? -128 : 0; }
static int32_t type_max(uint32_t type) { return type == QS_S8 ? 127 : 255; }

static int32_t load_element(uint32_t type, const void* buffer, size_t i) {
  return type == QS_S8 ? ((const int8_t*)buffer)[i] : ((const uint8_t*)buffer)[i];
}
static void store_element(uint32_t type, void* buffer, size_t i, int32_t value) {
  if (type == QS_S8) {
    ((int8_t*)buffer)[i] = (int8_t)value;
  } else {
    ((uint8_t*)buffer)[i] = (uint8_t)value;
  }
}

/* A scale must be a finite binary32 greater than zero; subnormal scales are valid (Q2). */
static bool scale_is_valid(float s) { return isfinite(s) && s > 0.0f; }

/* qmin <= qmax, both within the element type's range. */
static bool bounds_are_valid(uint32_t type, int32_t qmin, int32_t qmax) {
  return qmin >= type_min(type) && qmax <= type_max(type) && qmin <= qmax;
}

static int64_t clamp64(int64_t v, int64_t lo, int64_t hi) { return v < lo ? lo : v > hi ? hi : v; }
static int64_t sat32(int64_t v) { return clamp64(v, INT32_MIN, INT32_MAX); }

/* ---------------------------------------------------------------------------------------------
 * Rounding (Q1.3). A real value v is carried as its floor f and the class of its fraction
 * v - f in [0, 1); that is all any of the five rules needs, and adding an integer z to v only
 * adds z to f (which is how "Zy before rounding" is done without forming v + z). */

typedef enum fraction_class { FRACTION_ZERO, FRACTION_BELOW_HALF, FRACTION_HALF, FRACTION_ABOVE_HALF } fraction_class;

static int128 round_parts(int128 f, fraction_class frac, uint32_t rule) {
  if (frac == FRACTION_ZERO) return f;
  switch (rule) {
    case QS_ROUND_FLOOR: return f;
    case QS_ROUND_TOWARD_ZERO: return f < 0 ? f + 1 : f; /* v < 0 exactly when f < 0 */
    case QS_ROUND_HALF_UP: return frac == FRACTION_BELOW_HALF ? f : f + 1;
    case QS_ROUND_HALF_AWAY:
      if (frac != FRACTION_HALF) return frac == FRACTION_ABOVE_HALF ? f + 1 : f;
      return f < 0 ? f : f + 1;
    default: /* QS_ROUND_HALF_EVEN */
      if (frac != FRACTION_HALF) return frac == FRACTION_ABOVE_HALF ? f + 1 : f;
      return (f % 2 == 0) ? f : f + 1;
  }
}

/* Every result here is clamped to an 8-bit range and |z| <= 255, so any |v| >= 2^20 saturates. */
#define SATURATING_MAGNITUDE ((int128)1 << 20)

/* Splits v = num * 2^e / den into floor and fraction class, for |num| < 2^80, 0 < den < 2^24,
 * e <= 20. Returns false when |v| >= 2^20 (the caller saturates by the sign of num). */
static bool split_scaled_ratio(int128 num, int e, int128 den, int128* f, fraction_class* frac) {
  if (num == 0) {
    *f = 0;
    *frac = FRACTION_ZERO;
    return true;
  }
  if (e >= 0) {
    num *= (int128)1 << e; /* < 2^100 */
  } else if (-e > 100) {
    /* |v| < 2^80 * 2^-101: far from any tie or integer, only its sign is visible. */
    *f = num > 0 ? 0 : -1;
    *frac = num > 0 ? FRACTION_BELOW_HALF : FRACTION_ABOVE_HALF;
    return true;
  } else {
    den *= (int128)1 << (-e);
  }
  int128 q = num / den; /* truncates toward zero */
  int128 r = num - q * den;
  if (r < 0) {
    q -= 1;
    r += den;
  }
  if (q >= SATURATING_MAGNITUDE || q < -SATURATING_MAGNITUDE) return false;
  *f = q;
  *frac = r == 0 ? FRACTION_ZERO : 2 * r < den ? FRACTION_BELOW_HALF
                                  : 2 * r == den ? FRACTION_HALF : FRACTION_ABOVE_HALF;
  return true;
}

/* clamp(R(v) + z) (after rounding) or clamp(R(v + z)) (before rounding), v = num * 2^e / den,
 * where num = an integer times normalized binary32 mantissas (so |num| >= 2^23 unless 0). */
static int32_t round_scaled_ratio_plus(int128 num, int e, int128 den, uint32_t rule, int32_t z,
                                       bool z_before_rounding, int32_t lo, int32_t hi) {
  int128 f;
  fraction_class frac;
  if (e > 20 && num != 0) return num > 0 ? hi : lo; /* |v| >= 2^23 * 2^21 / 2^24 = 2^20 */
  if (!split_scaled_ratio(num, e, den, &f, &frac)) return num > 0 ? hi : lo;
  int128 q = z_before_rounding ? round_parts(f + z, frac, rule) : round_parts(f, frac, rule) + z;
  return q < lo ? lo : q > hi ? hi : (int32_t)q;
}

/* The same for a binary32 value t: floor and fraction are exact in double. Returns the rounded
 * value as a double (it may be far beyond int32; the caller clamps in the real domain). */
static double round_binary32(float t, uint32_t rule) {
  double x = (double)t;
  double f = floor(x);
  double d = x - f; /* exact, in [0, 1) */
  fraction_class frac = d == 0 ? FRACTION_ZERO : d < 0.5 ? FRACTION_BELOW_HALF
                                 : d == 0.5 ? FRACTION_HALF : FRACTION_ABOVE_HALF;
  if (fabs(f) >= 1e30) return f; /* beyond every clamp bound; no rounding left to do */
  return (double)round_parts((int128)f, frac, rule);
}

/* A finite nonzero binary32 as mantissa * 2^exponent with an integer mantissa (|mantissa| < 2^24). */
static void decompose(float x, int64_t* mantissa, int* exponent) {
  int e;
  float m = frexpf(x, &e); /* x = m * 2^e, 0.5 <= |m| < 1 */
  *mantissa = (int64_t)ldexpf(m, 24);
  *exponent = e - 24;
}

/* ---------------------------------------------------------------------------------------------
 * Quantize (Q2): q = clamp(R(t) + Z, qmin, qmax). */

static bool quantize_selectors_valid(const qs_quantize_params* p) {
  return type_is_valid(p->output_type) && p->rounding <= QS_ROUND_FLOOR &&
         p->division <= QS_DIV_F32_RECIPROCAL;
}

static int32_t quantize_one(float x, float scale, int32_t z, const qs_quantize_params* p) {
  if (isnan(x)) return z; /* spec choice: NaN -> Z */
  if (isinf(x)) return x > 0 ? p->qmax : p->qmin;
  if (p->division == QS_DIV_EXACT) {
    /* t = x / S exactly: (mx * 2^ex) / (ms * 2^es). */
    int64_t mx, ms;
    int ex, es;
    if (x == 0.0f) return (int32_t)clamp64(z, p->qmin, p->qmax); /* -0.0 like +0.0 */
    decompose(x, &mx, &ex);
    decompose(scale, &ms, &es);
    return round_scaled_ratio_plus(mx, ex - es, ms, p->rounding, z, false, p->qmin, p->qmax);
  }
  float t = p->division == QS_DIV_F32_DIVIDE ? x / scale : x * (1.0f / scale);
  if (isnan(t)) return z; /* cannot happen for finite x and valid S; kept for clarity */
  if (isinf(t)) return t > 0 ? p->qmax : p->qmin;
  /* Clamp in the real domain: R(t) may be far beyond int32 (no float->int conversion yet). */
  double q = round_binary32(t, p->rounding) + (double)z;
  return q < p->qmin ? p->qmin : q > p->qmax ? p->qmax : (int32_t)q;
}

static qs_status quantize(const qs_quantize_params* p, const float* input, void* output, size_t n) {
  if (p == NULL || !quantize_selectors_valid(p)) return QS_BAD_PARAMETERS;
  if (!bounds_are_valid(p->output_type, p->qmin, p->qmax) || !scale_is_valid(p->scale) ||
      p->zero_point < p->qmin || p->zero_point > p->qmax) {
    return QS_BAD_PARAMETERS;
  }
  for (size_t i = 0; i < n; ++i) {
    store_element(p->output_type, output, i, quantize_one(input[i], p->scale, p->zero_point, p));
  }
  return QS_OK;
}

static qs_status quantize_per_channel(const qs_quantize_params* p, const float* input,
                                      void* output, size_t n) {
  if (p == NULL || !quantize_selectors_valid(p)) return QS_BAD_PARAMETERS;
  if (!bounds_are_valid(p->output_type, p->qmin, p->qmax) || p->channels == 0 ||
      p->scales == NULL || p->zero_points == NULL) {
    return QS_BAD_PARAMETERS;
  }
  for (size_t c = 0; c < p->channels; ++c) {
    if (!scale_is_valid(p->scales[c]) || p->zero_points[c] < p->qmin ||
        p->zero_points[c] > p->qmax) {
      return QS_BAD_PARAMETERS;
    }
  }
  for (size_t i = 0; i < n; ++i) {
    size_t c = i % p->channels;
    store_element(p->output_type, output, i,
                  quantize_one(input[i], p->scales[c], p->zero_points[c], p));
  }
  return QS_OK;
}

/* ---------------------------------------------------------------------------------------------
 * Dequantize (Q3): fl32((q - Z) * S). (q - Z) has at most 9 significant bits and S 24, so the
 * product is exact in double and the one rounding is the conversion to float. */

static qs_status dequantize(const qs_dequantize_params* p, const void* input, float* output,
                            size_t n) {
  if (p == NULL || !type_is_valid(p->input_type)) return QS_BAD_PARAMETERS;
  if (!scale_is_valid(p->scale) || p->zero_point < type_min(p->input_type) ||
      p->zero_point > type_max(p->input_type)) {
    return QS_BAD_PARAMETERS;
  }
  for (size_t i = 0; i < n; ++i) {
    int32_t q = load_element(p->input_type, input, i);
    output[i] = (float)((double)(q - p->zero_point) * (double)p->scale);
  }
  return QS_OK;
}

static qs_status dequantize_per_channel(const qs_dequantize_params* p, const void* input,
                                        float* output, size_t n) {
  if (p == NULL || !type_is_valid(p->input_type)) return QS_BAD_PARAMETERS;
  if (p->channels == 0 || p->scales == NULL || p->zero_points == NULL) return QS_BAD_PARAMETERS;
  for (size_t c = 0; c < p->channels; ++c) {
    if (!scale_is_valid(p->scales[c]) || p->zero_points[c] < type_min(p->input_type) ||
        p->zero_points[c] > type_max(p->input_type)) {
      return QS_BAD_PARAMETERS;
    }
  }
  for (size_t i = 0; i < n; ++i) {
    size_t c = i % p->channels;
    int32_t q = load_element(p->input_type, input, i);
    output[i] = (float)((double)(q - p->zero_points[c]) * (double)p->scales[c]);
  }
  return QS_OK;
}

/* ---------------------------------------------------------------------------------------------
 * Requantization primitives (Q7). Each names the system whose arithmetic it reproduces. */

/* gemmlowp SaturatingRoundingDoublingHighMul (ARM sqrdmulh): the high half of 2*a*b, rounded
 * (ties toward +inf in the doubled product, nudge 1 - 2^30 for negative products), with the one
 * overflowing input pair INT32_MIN * INT32_MIN saturating to INT32_MAX. */
static int32_t srdhm(int32_t a, int32_t b) {
  if (a == INT32_MIN && b == INT32_MIN) return INT32_MAX;
  int64_t ab = (int64_t)a * (int64_t)b;
  int64_t nudge = ab >= 0 ? (INT64_C(1) << 30) : (1 - (INT64_C(1) << 30));
  return (int32_t)((ab + nudge) / (INT64_C(1) << 31)); /* C division truncates, as gemmlowp */
}

/* gemmlowp RoundingDivideByPOT: x / 2^e rounded to nearest, ties away from zero; e in [0, 31]. */
static int32_t rounding_divide_by_pot(int32_t x, int e) {
  int64_t mask = (INT64_C(1) << e) - 1;
  int64_t remainder = (int64_t)x & mask;
  int64_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return (int32_t)(((int64_t)x >> e) + (remainder > threshold ? 1 : 0));
}

/* Per-channel or per-tensor view of the requantization fields. */
typedef struct requant_channel {
  int32_t multiplier;
  int32_t shift;
  float scale;
  float weight_scale;
} requant_channel;

/* Reads only the fields the variant and form use (kernel_abi.h, qs_requantization): the others
 * may be NULL or garbage, and the rest of the struct is left zero. */
static requant_channel channel_of(const qs_requantization* r, bool per_channel, size_t c) {
  requant_channel ch = {0, 0, 0.0f, 0.0f};
  if (r->variant == QS_REQUANT_IDEAL) {
    ch.weight_scale = per_channel ? r->weight_scales[c] : r->weight_scale;
  } else if (r->variant == QS_REQUANT_FP32) {
    ch.scale = per_channel ? r->scales[c] : r->scale;
  } else {
    ch.multiplier = per_channel ? r->multipliers[c] : r->multiplier;
    ch.shift = per_channel ? r->shifts[c] : r->shift;
  }
  return ch;
}

static bool is_gemmlowp_family(uint32_t v) {
  return v == QS_REQUANT_DOUBLE_ROUND || v == QS_REQUANT_SINGLE_ROUND || v == QS_REQUANT_RNDNU ||
         v == QS_REQUANT_RNDNA || v == QS_REQUANT_NEON_DOUBLE_ROUND || v == QS_REQUANT_DOUBLE_ROUND_WRAP;
}
static bool is_tosa32(uint32_t v) { return v == QS_REQUANT_TOSA_SINGLE || v == QS_REQUANT_TOSA_DOUBLE; }

static bool requant_selectors_valid(const qs_requantization* r) {
  return r->variant <= QS_REQUANT_DOUBLE_ROUND_WRAP && r->zero_point_entry <= QS_ZP_BEFORE_ROUNDING &&
         r->rounding <= QS_ROUND_FLOOR && r->derivation <= QS_DERIVE_RNDNU;
}

/* The per-channel arrays a variant reads must be present. */
static bool requant_arrays_present(const qs_requantization* r) {
  if (r->variant == QS_REQUANT_IDEAL) return r->weight_scales != NULL;
  if (r->variant == QS_REQUANT_FP32) return r->scales != NULL;
  return r->multipliers != NULL && r->shifts != NULL;
}

static bool requant_channel_valid(const qs_requantization* r, requant_channel ch) {
  uint32_t v = r->variant;
  if (r->zero_point_entry == QS_ZP_BEFORE_ROUNDING && v != QS_REQUANT_IDEAL &&
      v != QS_REQUANT_FP32) {
    return false; /* fixed-point pipelines add Zy after rounding only */
  }
  if (v == QS_REQUANT_IDEAL) {
    return scale_is_valid(r->input_scale) && scale_is_valid(ch.weight_scale) &&
           scale_is_valid(r->output_scale);
  }
  if (v == QS_REQUANT_FP32) return scale_is_valid(ch.scale);
  if (is_gemmlowp_family(v)) return ch.multiplier >= 0 && ch.shift >= -31 && ch.shift <= 30;
  if (is_tosa32(v)) return ch.multiplier >= 0 && ch.shift >= 2 && ch.shift <= 62;
  if (v == QS_REQUANT_INT16X8_INT64) return ch.multiplier >= 0 && ch.shift >= -31 && ch.shift <= 7;
  if (v == QS_REQUANT_RNDNU16) return ch.multiplier >= 0 && ch.shift >= -31 && ch.shift <= 8;
  /* TOSA_SCALE16 */
  return ch.multiplier >= 0 && ch.multiplier <= 32767 && ch.shift >= 2 && ch.shift <= 62;
}

/* TOSA REQUIRE: acc in [-2^(shift-1), 2^(shift-1)). */
static bool tosa_input_valid(int32_t acc, int32_t shift) {
  if (shift > 32) return true;
  int64_t bound = INT64_C(1) << (shift - 1);
  return acc >= -bound && acc < bound;
}

/* Requantize one accumulator and clamp to [lo, hi]: q = clamp(y + Zy, lo, hi). */
static int32_t requantize_one(const qs_requantization* r, requant_channel ch, int32_t acc,
                              int32_t lo, int32_t hi) {
  const int32_t zy = r->output_zero_point;
  int64_t y;
  switch (r->variant) {
    case QS_REQUANT_IDEAL: {
      /* y = R(acc * Sx * Sw / Sy), exact. */
      int64_t mx, mw, my;
      int ex, ew, ey;
      decompose(r->input_scale, &mx, &ex);
      decompose(ch.weight_scale, &mw, &ew);
      decompose(r->output_scale, &my, &ey);
      return round_scaled_ratio_plus((int128)acc * mx * mw, ex + ew - ey, my, r->rounding, zy,
                                     r->zero_point_entry == QS_ZP_BEFORE_ROUNDING, lo, hi);
    }
    case QS_REQUANT_FP32: {
      float product = (float)acc * ch.scale; /* fl32(fl32(acc) * scale) */
      if (r->zero_point_entry == QS_ZP_BEFORE_ROUNDING) {
        product = product + (float)zy; /* fl32(... + Zy), then RNE and clamp */
        if (isinf(product)) return product > 0 ? hi : lo;
        double q = round_binary32(product, QS_ROUND_HALF_EVEN);
        return q < lo ? lo : q > hi ? hi : (int32_t)q;
      }
      if (isinf(product)) return product > 0 ? hi : lo;
      double q = round_binary32(product, QS_ROUND_HALF_EVEN) + zy;
      return q < lo ? lo : q > hi ? hi : (int32_t)q;
    }
    case QS_REQUANT_DOUBLE_ROUND: {
      int left = ch.shift > 0 ? ch.shift : 0;
      int right = ch.shift < 0 ? -ch.shift : 0;
      int32_t x = (int32_t)sat32((int64_t)acc * (INT64_C(1) << left)); /* SPEC CHOICE: saturate */
      y = rounding_divide_by_pot(srdhm(x, ch.multiplier), right);
      break;
    }
    case QS_REQUANT_SINGLE_ROUND:
    case QS_REQUANT_RNDNU: {
      int total = 31 - ch.shift; /* in [1, 62] */
      y = sat32(((int64_t)acc * ch.multiplier + (INT64_C(1) << (total - 1))) >> total);
      break;
    }
    case QS_REQUANT_RNDNA: {
      int total = 31 - ch.shift;
      int64_t magnitude = acc < 0 ? -(int64_t)acc : (int64_t)acc;
      int64_t rounded = (magnitude * ch.multiplier + (INT64_C(1) << (total - 1))) >> total;
      y = sat32(acc < 0 ? -rounded : rounded);
      break;
    }
    case QS_REQUANT_DOUBLE_ROUND_WRAP: {
      /* Q7.2 with the left shift wrapping (TFLite's int32 x * (1 << left)). */
      int left = ch.shift > 0 ? ch.shift : 0;
      int right = ch.shift < 0 ? -ch.shift : 0;
      int32_t x = (int32_t)(uint32_t)((uint32_t)acc << left);
      y = rounding_divide_by_pot(srdhm(x, ch.multiplier), right);
      break;
    }
    case QS_REQUANT_NEON_DOUBLE_ROUND: {
      /* SPEC Q11.1: SSHL keeps the low 32 bits, SQRDMULH, SRSHL rounds ties toward +inf. */
      int left = ch.shift > 0 ? ch.shift : 0;
      int right = ch.shift < 0 ? -ch.shift : 0;
      int32_t x = (int32_t)(uint32_t)((uint32_t)acc << left);
      int64_t h = srdhm(x, ch.multiplier);
      y = right == 0 ? h : (h + (INT64_C(1) << (right - 1))) >> right;
      break;
    }
    case QS_REQUANT_INT16X8_INT64: {
      /* SPEC Q11.2: the multiplier rounded to 15 bits, then one rounding, ties toward +inf. */
      int64_t m15 = ch.multiplier < 0x7FFF0000 ? ((int64_t)ch.multiplier + 32768) >> 16 : 0x7FFF;
      int total = 15 - ch.shift; /* in [8, 46] */
      y = sat32(((int64_t)acc * m15 + (INT64_C(1) << (total - 1))) >> total);
      break;
    }
    case QS_REQUANT_RNDNU16: {
      /* SPEC Q11.8: 15-bit multiplier (2^15 renormalised), rounding pre-shift, int16, SQRDMULH.16. */
      int64_t m15 = ((int64_t)ch.multiplier + 32768) >> 16;
      int p = ch.shift;
      if (m15 == 32768) {
        m15 = 16384;
        p += 1;
      }
      int64_t x = p >= 0 ? sat32((int64_t)acc * (INT64_C(1) << p))
                         : ((int64_t)acc + (INT64_C(1) << (-p - 1))) >> -p;
      int64_t x16 = x < -32768 ? -32768 : x > 32767 ? 32767 : x;
      y = (x16 * m15 + (INT64_C(1) << 14)) >> 15;
      break;
    }
    case QS_REQUANT_TOSA_SINGLE:
    case QS_REQUANT_TOSA_DOUBLE: {
      int64_t round = INT64_C(1) << (ch.shift - 1);
      if (r->variant == QS_REQUANT_TOSA_DOUBLE && ch.shift > 31) {
        round += acc >= 0 ? (INT64_C(1) << 30) : -(INT64_C(1) << 30);
      }
      y = sat32(((int64_t)acc * ch.multiplier + round) >> ch.shift);
      break;
    }
    default: { /* QS_REQUANT_TOSA_SCALE16 */
      y = sat32(((int64_t)acc * ch.multiplier + (INT64_C(1) << (ch.shift - 1))) >> ch.shift);
      break;
    }
  }
  /* y + Zy in 64 bits: never wraps at 8 (or 32) bits before the clamp. */
  return (int32_t)clamp64(y + zy, lo, hi);
}

/* Validates everything requantize and linear share; channels is 1 for the per-tensor form. */
static bool requantization_valid(const qs_requantization* r, bool per_channel, size_t channels,
                                 uint32_t output_type) {
  if (r->output_zero_point < type_min(output_type) || r->output_zero_point > type_max(output_type)) {
    return false;
  }
  if (per_channel && !requant_arrays_present(r)) return false;
  for (size_t c = 0; c < channels; ++c) {
    if (!requant_channel_valid(r, channel_of(r, per_channel, c))) return false;
  }
  return true;
}

static qs_status requantize_impl(const qs_requantize_params* p, bool per_channel,
                                 const int32_t* input, void* output, size_t n) {
  if (p == NULL || !requant_selectors_valid(&p->requant) || !type_is_valid(p->output_type)) {
    return QS_BAD_PARAMETERS;
  }
  const qs_requantization* r = &p->requant;
  size_t channels = per_channel ? p->channels : 1;
  if (channels == 0 || !bounds_are_valid(p->output_type, p->qmin, p->qmax) ||
      r->output_zero_point < p->qmin || r->output_zero_point > p->qmax ||
      !requantization_valid(r, per_channel, channels, p->output_type)) {
    return QS_BAD_PARAMETERS;
  }
  if (is_tosa32(r->variant)) {
    for (size_t i = 0; i < n; ++i) {
      if (!tosa_input_valid(input[i], channel_of(r, per_channel, i % channels).shift)) {
        return QS_BAD_PARAMETERS;
      }
    }
  }
  for (size_t i = 0; i < n; ++i) {
    requant_channel ch = channel_of(r, per_channel, i % channels);
    store_element(p->output_type, output, i, requantize_one(r, ch, input[i], p->qmin, p->qmax));
  }
  return QS_OK;
}

static qs_status requantize(const qs_requantize_params* p, const int32_t* input, void* output,
                            size_t n) {
  return requantize_impl(p, false, input, output, n);
}
static qs_status requantize_per_channel(const qs_requantize_params* p, const int32_t* input,
                                        void* output, size_t n) {
  return requantize_impl(p, true, input, output, n);
}

/* ---------------------------------------------------------------------------------------------
 * GEMM (Q5): int32 accumulation with two's-complement wrap (computed in uint32 to keep the
 * wrap defined in C). */

static bool gemm_params_valid(const qs_gemm_params* g, size_t a_stride, size_t w_stride,
                              size_t m, size_t n, size_t k) {
  if (!type_is_valid(g->a_type)) return false;
  if (g->a_zero_point < type_min(g->a_type) || g->a_zero_point > type_max(g->a_type)) return false;
  if (k > 0 && m > 0 && a_stride < k) return false;
  if (k > 0 && n > 0 && w_stride < k) return false;
  if (g->w_zero_points == NULL) {
    if (g->w_zero_point < -128 || g->w_zero_point > 127) return false;
  } else {
    for (size_t j = 0; j < n; ++j) {
      if (g->w_zero_points[j] < -128 || g->w_zero_points[j] > 127) return false;
    }
  }
  return true;
}

static int32_t accumulate(const qs_gemm_params* g, const void* a, size_t a_stride, const int8_t* w,
                          size_t w_stride, size_t row, size_t col, size_t k) {
  int32_t zw = g->w_zero_points != NULL ? g->w_zero_points[col] : g->w_zero_point;
  uint32_t acc = g->bias != NULL ? (uint32_t)g->bias[col] : 0u;
  for (size_t i = 0; i < k; ++i) {
    int32_t x = load_element(g->a_type, a, row * a_stride + i) - g->a_zero_point;
    int32_t y = (int32_t)w[col * w_stride + i] - zw;
    acc += (uint32_t)(x * y); /* |x * y| <= 255 * 255: exact in int32 */
  }
  return (int32_t)acc;
}

static qs_status gemm(const qs_gemm_params* p, const void* a, size_t a_stride, const int8_t* w,
                      size_t w_stride, int32_t* out, size_t out_stride, size_t m, size_t n,
                      size_t k) {
  if (p == NULL || !gemm_params_valid(p, a_stride, w_stride, m, n, k)) return QS_BAD_PARAMETERS;
  if (m > 0 && n > 0 && out_stride < n) return QS_BAD_PARAMETERS;
  for (size_t row = 0; row < m; ++row) {
    for (size_t col = 0; col < n; ++col) {
      out[row * out_stride + col] = accumulate(p, a, a_stride, w, w_stride, row, col, k);
    }
  }
  return QS_OK;
}

/* Fused linear layer (Q5 + Q7 + Q8). */
static qs_status linear(const qs_linear_params* p, const void* a, size_t a_stride, const int8_t* w,
                        size_t w_stride, void* out, size_t out_stride, size_t m, size_t n,
                        size_t k) {
  if (p == NULL || !requant_selectors_valid(&p->requant) || !type_is_valid(p->output_type) ||
      p->per_channel > 1) {
    return QS_BAD_PARAMETERS;
  }
  if (!gemm_params_valid(&p->gemm, a_stride, w_stride, m, n, k)) return QS_BAD_PARAMETERS;
  if (m > 0 && n > 0 && out_stride < n) return QS_BAD_PARAMETERS;
  if (!bounds_are_valid(p->output_type, p->act_min, p->act_max)) return QS_BAD_PARAMETERS;
  bool per_channel = p->per_channel != 0;
  if (!requantization_valid(&p->requant, per_channel, per_channel ? n : 1, p->output_type)) {
    return QS_BAD_PARAMETERS;
  }
  for (size_t row = 0; row < m; ++row) {
    for (size_t col = 0; col < n; ++col) {
      requant_channel ch = channel_of(&p->requant, per_channel, col);
      int32_t acc = accumulate(&p->gemm, a, a_stride, w, w_stride, row, col, k);
      if (is_tosa32(p->requant.variant) && !tosa_input_valid(acc, ch.shift)) {
        return QS_BAD_PARAMETERS;
      }
      int32_t q = requantize_one(&p->requant, ch, acc, p->act_min, p->act_max);
      store_element(p->output_type, out, row * out_stride + col, q);
    }
  }
  return QS_OK;
}

/* ---------------------------------------------------------------------------------------------
 * LUT: out[i] = table[input byte's bit pattern]. */

static qs_status lut(const qs_lut_params* p, const void* input, void* output, size_t n) {
  if (p == NULL || !type_is_valid(p->element_type) || p->table == NULL) return QS_BAD_PARAMETERS;
  const uint8_t* in = (const uint8_t*)input;
  const uint8_t* table = (const uint8_t*)p->table;
  uint8_t* out = (uint8_t*)output;
  for (size_t i = 0; i < n; ++i) out[i] = table[in[i]];
  return QS_OK;
}

/* ---------------------------------------------------------------------------------------------
 * The exported table. */

static const qs_kernel_table kScalarTable = {
    QS_KERNEL_ABI_VERSION,
    sizeof(qs_kernel_table),
    "quantspec scalar example plug-in",
    quantize,
    quantize_per_channel,
    dequantize,
    dequantize_per_channel,
    requantize,
    requantize_per_channel,
    gemm,
    linear,
    lut,
    /* Not provided by this example: lut_int16, fake_quantize, fake_quantize_per_channel,
     * dynamic_quantize, dynamic_linear, pack_weights, release_packed, linear_packed,
     * gemm_packed, dynamic_linear_packed. */
    NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
    {NULL},
};

/* Lets a program link several tables at once (the conformance tests do); a plug-in uses the
 * standard entry point below. */
const qs_kernel_table* qs_scalar_example_table(void) { return &kScalarTable; }

#ifndef QS_SCALAR_EXAMPLE_NO_ENTRY_POINT
QS_EXPORT const qs_kernel_table* qs_kernel_table_get(uint32_t requested_abi_version) {
  return requested_abi_version >= QS_KERNEL_ABI_VERSION ? &kScalarTable : NULL;
}
#endif
