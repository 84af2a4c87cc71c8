// Q7: requantization of an integer accumulator to the output grid,
//   q = clamp(y + Zy, qmin, qmax),  y = the variant's rounding of acc * M.
// requantize() is the DEFINITION (unbounded integers and rationals, reads like SPEC.md Q7);
// requantize_fast() / FastRequantizer compute the same function with int64/__int128 and are
// held to it by property tests (tests/test_requantize_fast.cc).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "quantspec/reference/multiplier.hpp"
#include "quantspec/reference/numbers.hpp"
#include "quantspec/reference/variants.hpp"

namespace quantspec::ref {

// Q7.1: the parameters of one requantization. Which fields a variant reads:
//   ideal                     : real_multiplier (exact M > 0), rounding, zero_point_entry
//   fp32                      : scale (binary32 > 0), zero_point_entry
//   double_round, single_round,
//   rndnu, rndna              : multiplier, shift in the Q31 convention M = m * 2^(shift-31)
//   tosa_single, tosa_double,
//   tosa_scale16              : multiplier, shift in the TOSA convention M = m / 2^shift
// and every variant reads zero_point, qmin, qmax.
struct RequantizeParams {
  RequantVariant variant = RequantVariant::ideal;
  Rounding rounding = Rounding::half_even;  // ideal only
  ZeroPointEntry zero_point_entry = ZeroPointEntry::after_rounding;
  // double_round only (Q7.2 step 1): saturate (SPEC CHOICE, gemmlowp scalar ShiftLeft) or
  // wrap (two's complement: TFLite's int32 `x * (1 << left_shift)`, SIMD shifts, CMSIS-NN).
  LeftShiftOverflow left_shift_overflow = LeftShiftOverflow::saturate;
  Rational real_multiplier = 0;  // ideal
  float scale = 0.0f;            // fp32
  std::int32_t multiplier = 0;   // fixed-point variants
  int shift = 0;                 // fixed-point variants
  std::int32_t zero_point = 0;   // Zy
  std::int32_t qmin = -128;
  std::int32_t qmax = 127;

  // Q7.1: throws ParameterError naming the first bad field ("real_multiplier", "scale",
  // "multiplier", "shift", "zero_point", "qmin", "zero_point_entry", "rounding", "variant")
  // and its allowed range.
  void validate() const;
};

// Q7.1: the range of accumulators a variant accepts (the reference rejects others with a
// ParameterError naming "acc"): ideal and fp32 any integer; Q31 variants int32; tosa_single /
// tosa_double [-2^(shift-1), 2^(shift-1)) intersected with int32 (TOSA REQUIRE);
// tosa_scale16 [-2^(shift-1), 2^(shift-1)) intersected with int48.
void validate_accumulator(const Integer& acc, const RequantizeParams& params);

// Q7.7: intermediate values and the events a fixed-width pipeline would meet.
struct RequantizeTrace {
  Rational exact_product;       // acc * M' with M' the rational the parameters represent
  Integer left_shifted;         // double_round: sat32 or wrap32 of acc * 2^left (Q7.2)
  Integer high_mul;             // double_round: SRDHM result
  Integer scaled;               // y (after any saturation to int32), before the zero point
  Integer with_zero_point;      // y + Zy before the output clamp (exact, never wraps)
  Integer output;               // q
  bool left_shift_saturated = false;  // double_round: acc * 2^left outside int32 (saturated
                                      // or wrapped, as left_shift_overflow says)
  bool srdhm_saturated = false;       // double_round: SRDHM(INT32_MIN, INT32_MIN)
  bool result_saturated = false;      // y outside int32 before saturation (fixed point) or
                                      // fl32 product overflowed to +-inf (fp32)
  bool clamped = false;               // y + Zy outside [qmin, qmax]
  bool zero_point_overflows_int32 = false;  // y + Zy outside int32 (a kernel adding in int32
                                            // before the clamp would wrap; XNNPACK clamps first)
};

// Q7: the definition. Validates params and acc (ParameterError) and returns q.
Integer requantize(const Integer& acc, const RequantizeParams& params,
                   RequantizeTrace* trace = nullptr);

// The rational multiplier the parameters represent (M for ideal, the binary32 scale for fp32,
// m*2^(shift-31) or m/2^shift for the fixed-point variants). Validates params.
Rational effective_multiplier(const RequantizeParams& params);

// Q7.8: the parameters a pipeline derives from binary32 scales, per variant:
//   ideal                       : M = Sx*Sw/Sy exactly;
//   fp32                        : scale = fl32(fl32(Sx*Sw)/Sy) (XNNPACK / ONNX Runtime);
//   double_round, single_round  : derive_multiplier(M, derivation) (tflite = TFLite);
//   rndnu, rndna                : derive_multiplier(fl32(fl32(Sx*Sw)/Sy), rndnu) (XNNPACK
//                                 computes its binary32 scale, then takes its significand);
//   tosa_single, tosa_double    : derive_tosa32(M, derivation);
//   tosa_scale16                : derive_tosa16(M, derivation).
RequantizeParams requantize_params_from_scales(RequantVariant variant, float sx, float sw,
                                               float sy, std::int32_t zero_point,
                                               std::int32_t qmin, std::int32_t qmax,
                                               Derivation derivation = Derivation::tflite,
                                               Rounding rounding = Rounding::half_even,
                                               ZeroPointEntry entry =
                                                   ZeroPointEntry::after_rounding);

// Q7.9: per-channel requantization: channel c uses per_channel[c]. Errors name "channel"
// (index out of range) or "per_channel" (empty).
Integer requantize_per_channel(const Integer& acc, std::size_t channel,
                               const std::vector<RequantizeParams>& per_channel,
                               RequantizeTrace* trace = nullptr);

// Q7.10: the fast path. Same result as requantize() for int32 accumulators; throws the same
// ParameterErrors. FastRequantizer validates and pre-computes once; the free function does
// both per call (slow for ideal: it converts the rational each time).
class FastRequantizer {
 public:
  explicit FastRequantizer(const RequantizeParams& params);
  std::int32_t operator()(std::int32_t acc) const;
  const RequantizeParams& params() const { return params_; }

 private:
  std::int32_t ideal(std::int32_t acc) const;
  std::int32_t fp32(std::int32_t acc) const;

  RequantizeParams params_;
  // ideal: M = odd_numerator / odd_denominator * 2^power_of_two when both fit 64 bits.
  bool use_definition_ = false;  // parameters outside the fast path's range (rare)
  std::uint64_t numerator_ = 0;
  std::uint64_t denominator_ = 1;
  int power_of_two_ = 0;
};

std::int32_t requantize_fast(std::int32_t acc, const RequantizeParams& params);

}  // namespace quantspec::ref
