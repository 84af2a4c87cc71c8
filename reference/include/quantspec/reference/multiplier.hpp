// Q6: deriving the fixed-point multiplier of a real requantization multiplier M.
//
// The real multiplier of a quantized linear layer is M = Sx*Sw/Sy. Integer pipelines replace
// it by a fixed-point pair. Two conventions exist and both are modelled here:
//
//   Q31 ("gemmlowp/TFLite/XNNPACK") : M ~= multiplier * 2^(shift - 31),
//                                     multiplier in [2^30, 2^31) (or 0), shift in [-31, 30];
//   TOSA (RESCALE)                  : M ~= multiplier / 2^shift, shift in [2, 62],
//                                     multiplier in [0, 2^31-1] (scale32) or [0, 2^15-1]
//                                     (scale16).
//
// Three derivations of the Q31 pair (SPEC.md Q6.2-Q6.4):
//   exact  : from the exact rational M, mantissa rounded half away from zero;
//   tflite : TFLite QuantizeMultiplier, i.e. M first rounded to binary64, then frexp and
//            std::round (half away), renormalised, flushed to (0, 0) below 2^-32;
//   rndnu  : XNNPACK, M rounded to binary32, its 24-bit significand shifted left by 7.
#pragma once

#include <cstdint>

#include "quantspec/reference/numbers.hpp"
#include "quantspec/reference/variants.hpp"

namespace quantspec::ref {

// Q6.1: the Q31 pair. Represents exactly the rational multiplier * 2^(shift - 31).
struct FixedPointMultiplier {
  std::int32_t multiplier = 0;
  int shift = 0;
  friend bool operator==(const FixedPointMultiplier& a, const FixedPointMultiplier& b) {
    return a.multiplier == b.multiplier && a.shift == b.shift;
  }
  friend bool operator!=(const FixedPointMultiplier& a, const FixedPointMultiplier& b) {
    return !(a == b);
  }
};

// Q6.6: the TOSA RESCALE pair. Represents exactly the rational multiplier / 2^shift.
struct TosaMultiplier {
  std::int32_t multiplier = 0;
  int shift = 0;
  friend bool operator==(const TosaMultiplier& a, const TosaMultiplier& b) {
    return a.multiplier == b.multiplier && a.shift == b.shift;
  }
  friend bool operator!=(const TosaMultiplier& a, const TosaMultiplier& b) { return !(a == b); }
};

// Range limits of the Q31 convention (Q6.1).
inline constexpr int kMinQ31Shift = -31;
inline constexpr int kMaxQ31Shift = 30;
// Range limits of the TOSA convention (Q6.6).
inline constexpr int kMinTosaShift = 2;
inline constexpr int kMaxTosaShift = 62;
inline constexpr std::int32_t kMaxTosa16Multiplier = 32767;

// Q6.1: M = Sx*Sw/Sy exactly, from binary32 scales. Each scale must be finite and > 0
// (subnormal allowed); otherwise ParameterError naming "sx", "sw" or "sy".
Rational multiplier_from_scales(float sx, float sw, float sy);

// Q6.5: the binary32 scale XNNPACK and ONNX Runtime compute from the same scales:
// fl32(fl32(Sx*Sw)/Sy) (C evaluates input_scale * kernel_scale / output_scale left to
// right, each operation rounded to binary32). Same parameter errors as above; a result that
// overflows to infinity or underflows to zero is rejected naming "sy".
float binary32_scale_from_scales(float sx, float sw, float sy);

// Q6.8: the real multiplier a derivation starts from when it is given binary32 scales, the one
// code path every command, vector family and the conformance adapter use. exact and tflite:
// M = Sx*Sw/Sy exactly (tflite then rounds M to binary64 itself, which equals TFLite's double
// computation because fl64(Sx*Sw) is exact); rndnu: the binary32 scale fl32(fl32(Sx*Sw)/Sy) of
// Q6.5, as XNNPACK computes it, not fl32 of the exact M. Errors as the two functions above.
Rational real_multiplier_from_scales(float sx, float sw, float sy, Derivation derivation);

// Q6.1: the exact value the pair represents.
Rational real_value(const FixedPointMultiplier& m);
Rational real_value(const TosaMultiplier& m);

// Q6.2-Q6.4: M -> (multiplier, shift), M >= 0. Errors: M < 0 or M too large for shift <= 30
// (ParameterError naming "real_multiplier").
FixedPointMultiplier derive_multiplier(const Rational& real_multiplier, Derivation derivation);

// Q6.6: Q31 pair -> TOSA scale32 pair (same rational: shift_tosa = 31 - shift). The Q31 shift
// must be <= 29 (TOSA needs shift >= 2), else ParameterError naming "shift".
TosaMultiplier to_tosa32(const FixedPointMultiplier& m);

// Q6.6: M -> TOSA pairs directly, as the MLIR TOSA lowering computes them
// (computeMultiplierAndShiftTosaScale32/16): mantissa rounded half away to 31 (scale32) or 15
// (scale16) bits; if the TOSA shift would exceed 62 the multiplier is shifted right (truncating)
// to keep shift = 62. `derivation` selects how M is rounded first: exact (not at all),
// tflite (to binary64, what MLIR's double arithmetic does), rndnu (to binary32).
// Errors: M < 0 or M so large that the shift would be < 2 ("real_multiplier").
TosaMultiplier derive_tosa32(const Rational& real_multiplier, Derivation derivation);
TosaMultiplier derive_tosa16(const Rational& real_multiplier, Derivation derivation);

}  // namespace quantspec::ref
