/*
 * quantspec kernel C ABI, version 1.
 *
 * The one interface through which the conformance suite reaches a kernel under test, whether
 * it is ours (linked in, once per SIMD target) or a third party's plug-in (dlopen). Plain C:
 * compiles as C99 and as C++; no exception, no allocation contract, no global state crosses it.
 *
 * A plug-in exports exactly one symbol with C linkage:
 *
 *     QS_EXPORT const qs_kernel_table* qs_kernel_table_get(uint32_t requested_abi_version);
 *
 * It returns a table whose abi_version is <= requested_abi_version (the caller's version), or
 * NULL if it cannot serve that version. The table has static storage duration (it is never freed).
 * Every operation slot is a nullable function pointer: NULL means "not provided" (reported by
 * the suite, not failed).
 *
 * Semantics of every operation are the normative ones of reference/SPEC.md (sections Q1..Q17);
 * the section is named on each operation below. Kernels are expected to be bit-exact.
 *
 * Conventions shared by all operations:
 *  - Enumerated selectors are carried in uint32_t fields so the struct layout does not depend
 *    on the compiler's enum size; their values are the qs_* enums below.
 *  - Lengths and counts are size_t; a length of zero is valid (the call returns QS_OK and
 *    touches no memory). A buffer pointer may be NULL only when it would hold zero elements.
 *  - No alignment is required of any buffer. Input and output buffers must not overlap.
 *  - A kernel never reads or writes outside [ptr, ptr + length) of any buffer.
 *  - Status order: a NULL params pointer or a selector value outside its enum gives
 *    QS_BAD_PARAMETERS. Otherwise, if the kernel does not implement the selected variant
 *    combination it returns QS_VARIANT_NOT_SUPPORTED without inspecting the remaining
 *    parameters or buffers. Otherwise invalid parameters give QS_BAD_PARAMETERS (the output is
 *    then left unspecified but no out-of-bounds access happens) and valid ones QS_OK.
 *  - Each operation reads only the fields its comment lists ("Reads:") for the form and variant
 *    called; every other field may hold anything (NULL, garbage, an unreadable pointer, a value
 *    unlike channel 0's) and must be neither read nor validated. The conformance suite fills
 *    them that way. Exception: every enumerated selector is validated against its enum (status
 *    order below) even where the variant does not use its value.
 *  - Per-channel parameters index the innermost (channel) axis: element i of an elementwise
 *    operation uses channel i % channels (the length need not be a multiple of channels);
 *    in GEMM/linear the channel is the output column n.
 */
#ifndef QUANTSPEC_KERNEL_ABI_H
#define QUANTSPEC_KERNEL_ABI_H

#include <stddef.h>
#include <stdint.h>

/* Bumped on any incompatible change. Additions that only use reserved slots keep the version
 * and grow struct_size instead. */
#define QS_KERNEL_ABI_VERSION 1u

/* Name of the exported entry point, for dlsym(). */
#define QS_KERNEL_TABLE_GET_SYMBOL "qs_kernel_table_get"

/* Symbol visibility for the entry point of a shared library (plug-ins build with
 * -fvisibility=hidden and mark only the entry point). */
#if defined(_WIN32) || defined(__CYGWIN__)
#define QS_EXPORT __declspec(dllexport)
#elif defined(__GNUC__) || defined(__clang__)
#define QS_EXPORT __attribute__((visibility("default")))
#else
#define QS_EXPORT
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* Result of every operation. */
typedef enum qs_status {
  QS_OK = 0,                    /* done; output fully written */
  QS_VARIANT_NOT_SUPPORTED = 1, /* valid request, but this kernel does not implement it */
  QS_BAD_PARAMETERS = 2,        /* parameters (or, for TOSA, inputs) violate the spec */
  /* Not statuses. Together they make every int32 value a valid qs_status object in C++ (an
   * unscoped enum without a fixed type holds the values of the smallest bit-field that holds
   * its enumerators: with these two, all of int32, negative values included), so a caller can
   * receive and report a misbehaving kernel's out-of-range status (-1, say) without undefined
   * behaviour. Layout unchanged: the enum was already int-sized. Kernels never return them. */
  QS_STATUS_RANGE_MIN_IS_INT32 = -0x7fffffff - 1,
  QS_STATUS_RANGE_IS_INT32 = 0x7fffffff
} qs_status;

/* Element type of an 8-bit quantized buffer (Q1.1). */
typedef enum qs_element_type {
  QS_S8 = 0, /* int8_t,  range [-128, 127] */
  QS_U8 = 1  /* uint8_t, range [0, 255] */
} qs_element_type;

/* Rounding rule R (Q1.3); the same order as the reference's Rounding enum. */
typedef enum qs_rounding {
  QS_ROUND_HALF_EVEN = 0,   /* ties to even */
  QS_ROUND_HALF_AWAY = 1,   /* ties away from zero */
  QS_ROUND_HALF_UP = 2,     /* ties toward +infinity */
  QS_ROUND_TOWARD_ZERO = 3, /* truncation */
  QS_ROUND_FLOOR = 4        /* toward -infinity */
} qs_rounding;

/* How quantize forms t from x and S (Q2). */
typedef enum qs_division {
  QS_DIV_EXACT = 0,         /* t = x / S exactly (rational) */
  QS_DIV_F32_DIVIDE = 1,    /* t = fl32(x / S)             (ONNX QuantizeLinear) */
  QS_DIV_F32_RECIPROCAL = 2 /* t = fl32(x * fl32(1 / S))   (PyTorch) */
} qs_division;

/* How a real multiplier M became (multiplier, shift) (Q6). Informational in this ABI: kernels
 * receive multiplier and shift already derived and must not reject a call because of this
 * field (other than a value outside the enum). */
typedef enum qs_derivation {
  QS_DERIVE_EXACT = 0,  /* nearest from the exact rational */
  QS_DERIVE_TFLITE = 1, /* TFLite QuantizeMultiplier (double, frexp, std::round) */
  QS_DERIVE_RNDNU = 2   /* XNNPACK rndnu (24-bit binary32 mantissa) */
} qs_derivation;

/* Requantization pipeline (Q7). */
typedef enum qs_requant_variant {
  QS_REQUANT_IDEAL = 0,        /* y = R(acc * M), M = input_scale*weight_scale/output_scale exact */
  QS_REQUANT_DOUBLE_ROUND = 1, /* gemmlowp/TFLite: sat32(acc<<left), SRDHM, RoundingDivideByPOT */
  QS_REQUANT_SINGLE_ROUND = 2, /* TFLite single rounding: (acc*mult + 2^(t-1)) >> t, t = 31-shift */
  QS_REQUANT_TOSA_SINGLE = 3,  /* TOSA apply_scale_32, double_round = false */
  QS_REQUANT_TOSA_DOUBLE = 4,  /* TOSA apply_scale_32, double_round = true */
  QS_REQUANT_TOSA_SCALE16 = 5, /* TOSA apply_scale_16 */
  QS_REQUANT_FP32 = 6,         /* XNNPACK/ONNX: RNE(fl32(fl32(acc) * scale)) */
  QS_REQUANT_RNDNU = 7,        /* XNNPACK rndnu: single_round arithmetic (ties up) */
  QS_REQUANT_RNDNA = 8,        /* XNNPACK rndna: single_round with ties away from zero */
  /* SPEC Q11 members of deployed pipelines (added within ABI version 1; see the note below). */
  QS_REQUANT_NEON_DOUBLE_ROUND = 9, /* Q11.1 TFLite NEON / ruy x86: wrap32(acc<<l), SQRDMULH, ties up */
  QS_REQUANT_INT16X8_INT64 = 10,    /* Q11.2 TFLite int64 path / CMSIS-NN: 15-bit multiplier, one rounding */
  QS_REQUANT_RNDNU16 = 11,          /* Q11.8 XNNPACK qu8 rndnu16: rounding pre-shift, int16, 16-bit SQRDMULH */
  QS_REQUANT_DOUBLE_ROUND_WRAP = 12 /* Q7.2 double_round with the left shift wrapping (TFLite's int32
                                       MultiplyByQuantizedMultiplier, gemmlowp's NEON ShiftLeft) */
} qs_requant_variant;
/* Values 9..12 were appended to the enum in ABI version 1 (2026-12; the table layout did not
 * change). A kernel built against an earlier header treats them as outside the enum and returns
 * QS_BAD_PARAMETERS; the conformance suite reports such a kernel's variant as not provided
 * (its probe names the reason), never as failed. A kernel built against this header that does
 * not implement them returns QS_VARIANT_NOT_SUPPORTED. (12: the same, added with them.) */

/* Where the output zero point is added (Q7). Fixed-point variants accept only AFTER_ROUNDING
 * (BEFORE_ROUNDING with them is QS_BAD_PARAMETERS). */
typedef enum qs_zero_point_entry {
  QS_ZP_AFTER_ROUNDING = 0, /* q = clamp(y + Zy): gemmlowp, TFLite, XNNPACK, qnnpack */
  QS_ZP_BEFORE_ROUNDING = 1 /* q = clamp(R(acc*M + Zy)); fp32: RNE(fl32(fl32(..)+Zy)), oneDNN's order */
} qs_zero_point_entry;

/* ------------------------------------------------------------------------------------------
 * Quantize f32 -> s8/u8 (Q2):  q = clamp(R(t) + Z, qmin, qmax), t per `division`.
 * NaN -> Z; +Inf -> qmax; -Inf -> qmin; -0.0 as +0.0; huge t saturates (never wraps).
 * Bad parameters: scale not finite or <= 0 (subnormal scales are valid), Z outside
 * [qmin, qmax], qmin > qmax, qmin/qmax outside the output type's range, channels == 0 or
 * NULL arrays in the per-channel form.
 * Reads: output_type, rounding, division, qmin, qmax; quantize: scale, zero_point;
 * quantize_per_channel: scales, zero_points, channels.
 */
typedef struct qs_quantize_params {
  uint32_t output_type; /* qs_element_type of the output buffer */
  uint32_t rounding;    /* qs_rounding R */
  uint32_t division;    /* qs_division */
  int32_t qmin;         /* clamp bounds, within output_type's range (narrow range: qmin+1) */
  int32_t qmax;
  /* Per-tensor form (quantize): */
  float scale;        /* S */
  int32_t zero_point; /* Z */
  /* Per-channel form (quantize_per_channel): element i uses channel c = i % channels. */
  const float* scales;       /* [channels] */
  const int32_t* zero_points; /* [channels] */
  size_t channels;
} qs_quantize_params;

/* ------------------------------------------------------------------------------------------
 * Dequantize s8/u8 -> f32 (Q3): out = fl32((q - Z) * S), a single binary32 rounding.
 * Bad parameters: scale not finite or <= 0, Z outside the input type's range,
 * channels == 0 or NULL arrays in the per-channel form.
 * Reads: input_type; dequantize: scale, zero_point; dequantize_per_channel: scales, zero_points,
 * channels.
 */
typedef struct qs_dequantize_params {
  uint32_t input_type; /* qs_element_type of the input buffer */
  /* Per-tensor form: */
  float scale;
  int32_t zero_point;
  /* Per-channel form: element i uses channel i % channels. */
  const float* scales;        /* [channels] */
  const int32_t* zero_points; /* [channels] */
  size_t channels;
} qs_dequantize_params;

/* ------------------------------------------------------------------------------------------
 * How an int32 accumulator is requantized (Q7). Shared by requantize and linear.
 * Every variant reads variant, zero_point_entry, derivation (validated only), rounding
 * (validated; its value used by IDEAL only) and output_zero_point. The per-tensor form reads the
 * scalar field of its variant (multiplier + shift, scale or weight_scale) and no array; the
 * per-channel form reads the array(s) of its variant ([channels] entries) and not the scalar.
 * Which fields a variant reads:
 *   IDEAL:        rounding; input_scale, weight_scale (weight_scales per channel), output_scale
 *                 (each finite and > 0).
 *   DOUBLE_ROUND, SINGLE_ROUND, RNDNU, RNDNA, DOUBLE_ROUND_WRAP:
 *                 multiplier in [0, 2^31-1], shift in [-31, 30]; M = multiplier * 2^(shift-31).
 *                 DOUBLE_ROUND saturates acc << max(shift,0) to int32 (SPEC CHOICE) and
 *                 SRDHM(INT32_MIN, INT32_MIN) = INT32_MAX; DOUBLE_ROUND_WRAP is the same
 *                 pipeline with acc << max(shift,0) wrapping to int32 (Q7.2's `wrap` member).
 *   TOSA_SINGLE, TOSA_DOUBLE:
 *                 multiplier in [0, 2^31-1], shift in [2, 62]; M = multiplier / 2^shift.
 *                 REQUIRE acc in [-2^(shift-1), 2^(shift-1)) for every input element, else
 *                 QS_BAD_PARAMETERS.
 *   TOSA_SCALE16: multiplier in [0, 32767], shift in [2, 62].
 *   FP32:         scale (scales per channel), binary32, finite and > 0.
 *   NEON_DOUBLE_ROUND, INT16X8_INT64, RNDNU16 (SPEC Q11.1, Q11.2, Q11.8):
 *                 multiplier in [0, 2^31-1], M' = multiplier * 2^(shift-31), shift in
 *                 [-31, 30], [-31, 7] and [-31, 8] respectively; zero_point_entry
 *                 AFTER_ROUNDING only (as every fixed-point variant).
 *                 NEON_DOUBLE_ROUND: x = wrap32(acc << max(shift,0)) (SSHL wraps), h = SQRDMULH(x,
 *                 multiplier), y = floor((h + 2^(r-1)) / 2^r) with r = max(-shift,0): ties up.
 *                 INT16X8_INT64: m15 = multiplier < 0x7FFF0000 ? (multiplier + 2^15) >> 16 : 0x7FFF,
 *                 y = (acc*m15 + 2^(14-shift)) >> (15-shift) (ties up; the accumulator is the
 *                 int32 input here, Q11.2's int48 range is not expressible in this ABI).
 *                 RNDNU16: m15 = (multiplier + 2^15) >> 16, renormalised to 2^14 with p = shift+1
 *                 when it is 2^15 (p = shift otherwise); x16 = sat16(rounding shift of acc by p,
 *                 ties up; saturating for p > 0); y = (x16*m15 + 2^14) >> 15.
 * derivation is informational (see qs_derivation).
 * The output zero point must lie in the output type's range. Adding it and clamping happen in
 * (at least) int32: y + Zy never wraps at 8 bits before the clamp.
 */
typedef struct qs_requantization {
  uint32_t variant;          /* qs_requant_variant */
  uint32_t zero_point_entry; /* qs_zero_point_entry */
  uint32_t rounding;         /* qs_rounding, IDEAL only */
  uint32_t derivation;       /* qs_derivation, informational */
  int32_t output_zero_point; /* Zy */
  /* Per-tensor form: */
  int32_t multiplier;
  int32_t shift;
  float scale;        /* FP32 */
  float weight_scale; /* IDEAL */
  /* IDEAL, both forms: */
  float input_scale;
  float output_scale;
  /* Per-channel form (channel count given by the operation): */
  const int32_t* multipliers; /* [channels], fixed-point variants */
  const int32_t* shifts;      /* [channels], fixed-point variants */
  const float* scales;        /* [channels], FP32 */
  const float* weight_scales; /* [channels], IDEAL */
} qs_requantization;

/* Requantize s32 -> s8/u8 (Q7): q = clamp(y + Zy, qmin, qmax).
 * Bad parameters: as qs_requantization, plus qmin > qmax, qmin/qmax outside the output type's
 * range, Zy outside [qmin, qmax], channels == 0 or NULL arrays in the per-channel form. */
typedef struct qs_requantize_params {
  qs_requantization requant; /* the fields its variant and form read (above) */
  uint32_t output_type; /* qs_element_type */
  int32_t qmin;
  int32_t qmax;
  size_t channels; /* per-channel form only (requantize does not read it): channel i % channels */
} qs_requantize_params;

/* ------------------------------------------------------------------------------------------
 * GEMM (Q5): acc[m][n] = bias[n] + sum_k (A[m][k] - Za) * (W[n][k] - Zw[n]), mod 2^32
 * (two's complement wrap, exactly as an int32 pipeline; never saturating, no int16 pairs).
 * A: M x K row-major, element type a_type (s8 or u8), row stride a_stride elements.
 * W: N x K row-major int8 (one row per output channel), row stride w_stride elements.
 * out: M x N row-major int32, row stride out_stride elements.
 * Bad parameters: a_stride < K or w_stride < K (when K > 0 and the matrix is not empty),
 * out_stride < N (when M > 0), Za outside a_type's range, Zw outside [-128, 127].
 * Reads: a_type, a_zero_point, bias, w_zero_points, and w_zero_point only when w_zero_points is
 * NULL.
 */
typedef struct qs_gemm_params {
  uint32_t a_type;                /* qs_element_type of A; W is always s8 */
  int32_t a_zero_point;           /* Za */
  int32_t w_zero_point;           /* Zw, per-tensor (used when w_zero_points is NULL) */
  const int32_t* w_zero_points;   /* [N] per output channel, or NULL for per-tensor */
  const int32_t* bias;            /* [N] int32, or NULL for zero bias */
} qs_gemm_params;

/* Fused quantized linear layer (Q5, Q7, Q8): acc as in GEMM, then
 * out[m][n] = clamp(requantize(acc[m][n]), act_min, act_max) where the requantization is
 * per-tensor (per_channel == 0) or per output column (per_channel != 0, arrays of N entries).
 * The caller folds the activation into [act_min, act_max] = [max(qmin, a), min(qmax, b)].
 * Bad parameters: as GEMM and qs_requantization, plus act_min > act_max or outside the output
 * type's range, Zy outside the output type's range.
 * Reads: gemm as GEMM; per_channel, output_type, act_min, act_max; requant as qs_requantization,
 * in its per-tensor form when per_channel == 0 and its per-channel form ([N]) otherwise. */
typedef struct qs_linear_params {
  qs_gemm_params gemm;
  qs_requantization requant;
  uint32_t per_channel; /* 0: per-tensor requantization fields; 1: per-channel arrays [N] */
  uint32_t output_type; /* qs_element_type of out */
  int32_t act_min;
  int32_t act_max;
} qs_linear_params;

/* ------------------------------------------------------------------------------------------
 * 256-entry lookup table (LUT): out[i] = table[(uint8_t)in[i]], the index is the input byte's
 * bit pattern (TFLite/XNNPACK). Input, table and output all have element_type.
 * Bad parameters: table NULL. */
typedef struct qs_lut_params {
  uint32_t element_type; /* qs_element_type */
  const void* table;     /* 256 entries of element_type */
} qs_lut_params;

/* ------------------------------------------------------------------------------------------
 * TOSA TABLE, int16 input (SPEC.md Q13.3; the TOSA specification's apply_lookup_s, checked
 * against its text: chapters/introduction.adoc "General Unary Functions"):
 *   index = (in + 32768) >> 7 (0..511), fraction = in & 0x7F (= (in + 32768) & 0x7F),
 *   out = table[index] * 128 + (table[index + 1] - table[index]) * fraction   (int32 output).
 * TOSA REQUIREs table[index + 1] - table[index] to fit int16; Q13.3 (SPEC CHOICE) defines the
 * output for every table as the formula above evaluated in int32 (|out| < 2^24).
 * Bad parameters: params or table NULL, input or output NULL with n > 0, overlapping buffers. */
typedef struct qs_lut_int16_params {
  const int16_t* table; /* 513 entries */
} qs_lut_int16_params;

/* ------------------------------------------------------------------------------------------
 * Fake quantization forward (伪量化; SPEC.md Q15): out = (clamp(R(x/S) + Z, qmin, qmax) - Z) * S
 * in the order of binary32 operations the variant names, and optionally the straight-through
 * mask (1 where the gradient passes, 0 where the clamp cut it; which boundary is inclusive is
 * the variant's, Q16).
 * Which fields a variant reads:
 *   EXACT:      scale, zero_point (scales, zero_points per channel), qmin, qmax.
 *   PYTORCH:    as EXACT (fake_quantize_per_tensor_affine / _per_channel_affine / cachemask).
 *   TENSORFLOW: min, max (mins, maxs per channel), qmin, qmax (fake_quant_with_min_max_vars:
 *               qmin = narrow_range ? 1 : 0, qmax = 2^num_bits - 1); scale/zero_point unused.
 *   Every variant validates `rounding` against its enum (status order) but only EXACT uses it.
 *   TENSORFLOW per tensor is the Vars op (t = fl32(s / S)), per channel the PerChannel op
 *   (t = fl32(s * inv_scale)), Q15.4 step 5; the Args op (per tensor, multiplying) has no form
 *   here. TF's per-channel op uses the last dimension, i.e. channel i % channels as everywhere.
 * Results (Q15.2-Q15.4, masks Q16.1): NaN input -> NaN output, mask 0 (EXACT, TENSORFLOW; the
 * NaN's payload is unspecified) or (qmin - Z) * S, mask 0 (PYTORCH, the x86-64 int64
 * conversion); +-inf -> qmax / qmin with mask 0 (EXACT), qmin (PYTORCH), the nudged ends
 * (TENSORFLOW); min = max = 0 (TENSORFLOW) -> 0 with mask 1. Mask bytes are exactly 0 or 1.
 * Bad parameters (Q15.5): qmin >= qmax; EXACT / PYTORCH: a scale not finite or <= 0, Z outside
 * [qmin, qmax]; TENSORFLOW: qmin not 0 or 1, qmax not 2^b - 1 for b in [2, 16], min or max not
 * finite, min > max, min = max != 0, fl32(max - min) infinite, a scale fl32(range / (qmax -
 * qmin)) = 0 or an inv_scale fl32((qmax - qmin) / range) infinite; per channel: channels == 0 or a NULL array the variant reads; overlapping
 * buffers (input, output, mask). */
typedef enum qs_fake_quant_variant {
  QS_FQ_EXACT = 0,     /* the ideal: exact rational arithmetic, rounding rule `rounding` */
  QS_FQ_PYTORCH = 1,   /* fl32(1/S), nearbyint (ties even), + Z in float, clamp, (q - Z) * S */
  QS_FQ_TENSORFLOW = 2 /* nudged min/max, floor(t - quant_zero + 0.5) * S (Q15.4 step 5) */
} qs_fake_quant_variant;

typedef struct qs_fake_quant_params {
  uint32_t variant;  /* qs_fake_quant_variant */
  uint32_t rounding; /* qs_rounding, EXACT only */
  int32_t qmin;
  int32_t qmax;
  /* Per-tensor form: */
  float scale;
  int32_t zero_point;
  float min; /* TENSORFLOW */
  float max; /* TENSORFLOW */
  /* Per-channel form: element i uses channel i % channels. */
  const float* scales;        /* [channels], EXACT / PYTORCH */
  const int32_t* zero_points; /* [channels], EXACT / PYTORCH */
  const float* mins;          /* [channels], TENSORFLOW */
  const float* maxs;          /* [channels], TENSORFLOW */
  size_t channels;
} qs_fake_quant_params;

/* ------------------------------------------------------------------------------------------
 * Dynamic quantization (动态量化; SPEC.md Q17): the scale and zero point are computed from the
 * data at run time, then the data is quantized with them.
 *   ONNX_U8:         DynamicQuantizeLinear (range widened to contain 0, binary32 scale
 *                    fl32(fl32(max - min) / 255), Z = sat(RNE(fl32(0 - fl32(min / S)))), u8.
 *   SYMMETRIC_S8:    scale = max(fl32(amax / 127), scale_floor), Z = 0, s8 in [-127, 127].
 *   PYTORCH_U8:      Q17.5, per tensor asymmetric uint8 as PyTorch's quantize_per_tensor_dynamic
 *                    chooses it (binary64 scale, returned as fl32(S); reduce_range: grid [0, 127]
 *                    for S and Z, the quantize still clamps to [0, 255]); q = Q2 f32_reciprocal.
 * Layout: rows x cols, row-major, row stride cols. per_row == 0: one (scale, zero point) for the
 * whole tensor, written to scales_out[0] / zero_points_out[0]; per_row != 0: one per row.
 * ONNX_U8 and PYTORCH_U8 are defined per tensor only (Q17.1, Q17.5); per_row != 0 with them is a
 * combination a kernel may refuse (our kernels: NOT_SUPPORTED). The quantization is Q2 with
 * half_even and f32_divide (f32_reciprocal for PYTORCH_U8).
 * Reads: variant, output_type, per_row; scale_floor (SYMMETRIC_S8); reduce_range (PYTORCH_U8).
 * Bad parameters (Q17.3): a variant/output_type mismatch, scale_floor NaN, infinite or <= 0
 * (SYMMETRIC_S8; Q17.2's floor is what keeps an all-zero row from dividing by 0), rows or cols
 * 0 (an empty tensor), NULL buffers, an element NaN or +-inf, fl32(max - min) infinite or a
 * non-zero range whose scale rounds to 0 (ONNX_U8). Every element 0 (ONNX_U8): S = 1, Z = 0. */
typedef enum qs_dynamic_variant {
  QS_DYN_ONNX_U8 = 0,
  QS_DYN_SYMMETRIC_S8 = 1,
  QS_DYN_PYTORCH_U8 = 2
} qs_dynamic_variant;

typedef struct qs_dynamic_quantize_params {
  uint32_t variant;      /* qs_dynamic_variant */
  uint32_t output_type;  /* qs_element_type: U8 for ONNX_U8 / PYTORCH_U8, S8 for SYMMETRIC_S8 */
  uint32_t per_row;      /* 0: per tensor; 1: per row */
  uint32_t reduce_range; /* PYTORCH_U8 only: 1 selects the 7-bit range */
  float scale_floor;     /* SYMMETRIC_S8: lower bound of the scale (0 for none) */
} qs_dynamic_quantize_params;

/* Dynamic quantized linear (SPEC.md Q17.7): x (f32, M x K) quantized per `quant` (Sx, Zx per
 * tensor, or Sx_m per row m for SYMMETRIC_S8 per_row; PYTORCH_U8's binary64 scale rounded to
 * binary32 first), acc = sum_k (qx - Zx) * W[n][k] wrapped to int32, W s8 N x K row-major
 * (symmetric per output channel, zero point 0), then
 * out[m][n] = fl32(fl32(fl32(acc) * fl32(Sx_m * Sw[n])) + bias[n]) (without bias: the product),
 * IEEE binary32 operations including the sign of zero. Reads `quant` as dynamic_quantize does
 * (output_type must match the variant), weight_scales, bias. Bad parameters: those of
 * dynamic_quantize for x, m, n or k = 0, NULL x / w / out / weight_scales, x_stride or w_stride
 * < k, out_stride < n, a weight scale not finite and > 0, a bias element not finite, an
 * infinite fl32(Sx_m * Sw[n]); out overlapping an input. */
typedef struct qs_dynamic_linear_params {
  qs_dynamic_quantize_params quant; /* how x is quantized at run time */
  const float* weight_scales;       /* [N] */
  const float* bias;                /* [N] f32, or NULL */
} qs_dynamic_linear_params;

/* ------------------------------------------------------------------------------------------
 * Packed weights (SPEC.md Q5; ABI only): W, its zero points and an optional bias packed once
 * into an object the kernel owns, in whatever layout its microkernels want. The suite requires
 * linear_packed / gemm_packed / dynamic_linear_packed to equal linear / gemm / dynamic_linear on
 * the same parameters (and dynamic_linear_packed to equal the reference, SPEC.md Q17.7), and
 * packing the same W twice to give objects that compute the same results. release_packed(NULL)
 * is a no-op.
 * Scratch contract: linear_packed, gemm_packed and dynamic_linear_packed allocate nothing once
 * the calling thread has made one call at least as large (a per-thread scratch that only grows;
 * our kernels); a kernel that needs no scratch says so in its documentation. The packed object
 * is read-only after pack_weights and may be used by several threads at once.
 * Which fields are read when: pack_weights reads w_zero_point / w_zero_points and bias of its
 * qs_gemm_params (the object keeps copies); linear_packed / gemm_packed read a_type and
 * a_zero_point (and, for linear, everything outside `gemm`) and ignore the weight zero points
 * and bias of the call's qs_gemm_params. dynamic_linear_packed reads what dynamic_linear reads
 * (quant, weight_scales, bias of its qs_dynamic_linear_params); the object it takes is packed
 * with weight zero point 0 and bias NULL. A packed object made by another library, or by a
 * target whose layout this table cannot run, is QS_BAD_PARAMETERS where the kernel can tell. */
typedef struct qs_packed_weights qs_packed_weights; /* opaque, owned by the kernel library */

/* ------------------------------------------------------------------------------------------
 * The table. Fields are appended only; struct_size lets a newer caller detect an older table.
 *
 * Slot assignments (ABI version 1). The first nine operations are those of the first release.
 * The slots after them were carved out of the 16 reserved entries of that release, in this
 * order, so sizeof(qs_kernel_table) is unchanged and a table built against the first header
 * (reserved entries NULL) reads as "not provided" for each of them:
 *   reserved[0]  -> lut_int16                  (Q13, TOSA TABLE int16)
 *   reserved[1]  -> fake_quantize              (Q15)
 *   reserved[2]  -> fake_quantize_per_channel  (Q15)
 *   reserved[3]  -> dynamic_quantize           (Q17)
 *   reserved[4]  -> dynamic_linear             (Q17)
 *   reserved[5]  -> pack_weights               (packed weights)
 *   reserved[6]  -> release_packed
 *   reserved[7]  -> linear_packed
 *   reserved[8]  -> gemm_packed
 *   reserved[9]  -> dynamic_linear_packed      (Q17.7 on packed weights)
 *   reserved[10..15] remain reserved (NULL).
 * An operation added after the reserved entries are used up is appended after reserved[] and
 * grows struct_size; a caller reads such a slot only when QS_TABLE_HAS_SLOT says it is there.
 */
typedef struct qs_kernel_table {
  uint32_t abi_version; /* QS_KERNEL_ABI_VERSION the table was built against */
  uint32_t struct_size; /* sizeof(qs_kernel_table) the table was built with */
  const char* name;     /* implementation / target name, e.g. "quantspec-hwy AVX3_DL"; static */

  /* Q2: output is int8_t* or uint8_t* per p->output_type; n elements. */
  qs_status (*quantize)(const qs_quantize_params* p, const float* input, void* output, size_t n);
  qs_status (*quantize_per_channel)(const qs_quantize_params* p, const float* input, void* output,
                                    size_t n);

  /* Q3: input is int8_t* or uint8_t* per p->input_type; n elements. */
  qs_status (*dequantize)(const qs_dequantize_params* p, const void* input, float* output,
                          size_t n);
  qs_status (*dequantize_per_channel)(const qs_dequantize_params* p, const void* input,
                                      float* output, size_t n);

  /* Q7: output is int8_t* or uint8_t* per p->output_type; n elements. */
  qs_status (*requantize)(const qs_requantize_params* p, const int32_t* input, void* output,
                          size_t n);
  qs_status (*requantize_per_channel)(const qs_requantize_params* p, const int32_t* input,
                                      void* output, size_t n);

  /* Q5: a is int8_t* or uint8_t* per p->a_type. Strides are in elements. */
  qs_status (*gemm)(const qs_gemm_params* p, const void* a, size_t a_stride, const int8_t* w,
                    size_t w_stride, int32_t* out, size_t out_stride, size_t m, size_t n,
                    size_t k);

  /* Q5+Q7+Q8: out is int8_t* or uint8_t* per p->output_type. Strides are in elements. */
  qs_status (*linear)(const qs_linear_params* p, const void* a, size_t a_stride, const int8_t* w,
                      size_t w_stride, void* out, size_t out_stride, size_t m, size_t n,
                      size_t k);

  /* LUT: input/output are int8_t* or uint8_t* per p->element_type; n elements. */
  qs_status (*lut)(const qs_lut_params* p, const void* input, void* output, size_t n);

  /* ---- carved out of the first release's reserved entries (see above) ---- */

  /* Q13: TOSA TABLE int16 -> int32; n elements. */
  qs_status (*lut_int16)(const qs_lut_int16_params* p, const int16_t* input, int32_t* output,
                         size_t n);

  /* Q15: f32 -> f32; mask is NULL or n bytes (1 = gradient passes). */
  qs_status (*fake_quantize)(const qs_fake_quant_params* p, const float* input, float* output,
                             uint8_t* mask, size_t n);
  qs_status (*fake_quantize_per_channel)(const qs_fake_quant_params* p, const float* input,
                                         float* output, uint8_t* mask, size_t n);

  /* Q17: output is int8_t* or uint8_t* per p->output_type, rows x cols; scales_out and
   * zero_points_out hold 1 (per tensor) or rows (per row) entries. */
  qs_status (*dynamic_quantize)(const qs_dynamic_quantize_params* p, const float* input,
                                void* output, size_t rows, size_t cols, float* scales_out,
                                int32_t* zero_points_out);

  /* Q17: x is M x K f32 (row stride x_stride), W is N x K s8, out is M x N f32. */
  qs_status (*dynamic_linear)(const qs_dynamic_linear_params* p, const float* x, size_t x_stride,
                              const int8_t* w, size_t w_stride, float* out, size_t out_stride,
                              size_t m, size_t n, size_t k);

  /* Packed weights: W is N x K s8; *packed receives the object (NULL on failure). Bad
   * parameters: packed NULL, W NULL with N*K > 0, w_stride < K (N, K > 0), a weight zero point
   * outside [-128, 127] (the per-tensor w_zero_point even when N = 0, as gemm checks it). linear_packed / gemm_packed: as linear / gemm, plus w NULL. */
  qs_status (*pack_weights)(const qs_gemm_params* p, const int8_t* w, size_t w_stride, size_t n,
                            size_t k, qs_packed_weights** packed);
  void (*release_packed)(qs_packed_weights* packed);
  qs_status (*linear_packed)(const qs_linear_params* p, const void* a, size_t a_stride,
                             const qs_packed_weights* w, void* out, size_t out_stride, size_t m);
  qs_status (*gemm_packed)(const qs_gemm_params* p, const void* a, size_t a_stride,
                           const qs_packed_weights* w, int32_t* out, size_t out_stride, size_t m);

  /* Q17.7 on packed weights: as dynamic_linear with W (N x K, stride K) the object made by
   * pack_weights; N and K are the object's. Bad parameters: those of dynamic_linear (w NULL for
   * W NULL; N or K = 0 of the object), plus an object whose weight zero points are not all 0
   * (Q17.7's W is symmetric) or that carries an int32 bias (Q17.7's bias is the float
   * p->bias), or made by another library / a target whose layout this one cannot run. */
  qs_status (*dynamic_linear_packed)(const qs_dynamic_linear_params* p, const float* x,
                                     size_t x_stride, const qs_packed_weights* w, float* out,
                                     size_t out_stride, size_t m);

  /* Future operations. Always NULL in version 1; a caller must not call them. */
  void (*reserved[6])(void);
} qs_kernel_table;

/* True when a table built with struct_size `t->struct_size` contains the slot `field`. */
#define QS_TABLE_HAS_SLOT(t, field)                                                        \
  ((t)->struct_size >= offsetof(qs_kernel_table, field) + sizeof(((qs_kernel_table*)0)->field))

/* Signature of the exported entry point (for dlsym). */
typedef const qs_kernel_table* (*qs_kernel_table_get_fn)(uint32_t requested_abi_version);

/* The entry point every kernel library exports (declared here; defined by the library). */
QS_EXPORT const qs_kernel_table* qs_kernel_table_get(uint32_t requested_abi_version);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* QUANTSPEC_KERNEL_ABI_H */
