// The flag vocabulary of the golden vectors and the edge-case catalogue of DESIGN.md.
#include "quantspec/vectors/catalogue.hpp"

#include <algorithm>
#include <stdexcept>

namespace quantspec::vectors {

const std::vector<FlagInfo>& all_flags() {
  static const std::vector<FlagInfo> flags = [] {
    std::vector<FlagInfo> f = {
        // Rounding
        {"tie_even_positive", "x/S (or acc*M) is exactly k + 1/2 with k even and positive: "
                              "half_even rounds down, half_away and half_up round up."},
        {"tie_odd_positive", "exact tie k + 1/2 with k odd and positive: half_even rounds up."},
        {"tie_even_negative", "exact tie -(k + 1/2) with k even: half_up and toward_zero go "
                              "toward zero, half_away and floor away from it."},
        {"tie_odd_negative", "exact tie -(k + 1/2) with k odd: half_even rounds away from zero."},
        {"ulp_below_tie", "the input is one binary32 ulp below an exact tie: every "
                          "round-to-nearest rule rounds down."},
        {"ulp_above_tie", "the input is one binary32 ulp above an exact tie: every "
                          "round-to-nearest rule rounds up."},
        {"binary32_intermediate_tie", "the exact quotient is not a tie, but a binary32 "
                                      "intermediate (fl(x/S) or fl(x*fl(1/S))) rounds onto one "
                                      "(or off one): the division variants differ."},
        {"negative_zero", "the input is -0.0; it quantizes like +0.0 (to Z)."},
        {"subnormal_input", "the input x is a binary32 subnormal."},
        {"subnormal_scale", "the scale is a binary32 subnormal (valid); its reciprocal may "
                            "overflow to +inf in binary32."},
        {"quotient_beyond_int32", "x/S lies beyond the int32 range: the result saturates in "
                                  "the real domain (a float->int conversion before clamping "
                                  "would give INT_MIN on x86)."},
        {"nan_input", "x is NaN. SPEC CHOICE (Q2.4): NaN quantizes to the zero point Z."},
        {"infinite_input", "x is +inf (-> qmax) or -inf (-> qmin)."},
        {"infinite_quotient", "x is finite but this group's binary32 quotient is +-inf (fl32(1/S) "
                              "overflows for a tiny scale): it saturates (Q2.4); the edge policy "
                              "(Q10) decides it, as for an infinite input."},
        {"nan_quotient", "a binary32 intermediate is NaN although x is finite (0 * inf when "
                         "fl(1/S) overflows): SPEC CHOICE, result Z as for a NaN input."},
        // Clipping
        {"clamp_low", "the unclamped result lies below qmin and is clamped."},
        {"clamp_high", "the unclamped result lies above qmax and is clamped."},
        {"narrow_range", "narrow range grid (int8 [-127, 127])."},
        {"activation_bound_coincides", "a fused activation bound equals qmin or qmax."},
        {"activation_bound_crosses", "a fused activation bound lies outside [qmin, qmax] "
                                     "(crosses it): the grid bound wins."},
        {"empty_activation_range", "the activation interval and [qmin, qmax] do not overlap or "
                                   "meet in one point: every output is that point or the "
                                   "parameters are rejected."},
        {"single_point_range", "qmin = qmax: every output equals it."},
        // Zero point
        {"zero_point_at_qmin", "the zero point equals qmin."},
        {"zero_point_at_qmax", "the zero point equals qmax."},
        {"range_excludes_zero", "the real range [min, max] does not contain 0: it is widened "
                                "to contain 0 and Z is nudged onto the grid."},
        {"zero_point_tie", "Qmin - min/S is itself a tie: the zero-point rounding rule "
                           "decides Z."},
        {"uint8_zero_point_128", "uint8 with Z = 128 against int8 with Z = 0 on the same "
                                 "input: outputs differ by exactly 128."},
        {"odd_zero_point", "an odd zero point with a tie: rounding first and adding Z after "
                           "differs from rounding x/S + Z."},
        {"degenerate_range", "min = max (all zero, or a single value)."},
        // Overflow
        {"accumulator_wrap", "the exact accumulator lies outside int32: an int32 pipeline "
                             "wraps modulo 2^32 (two's complement); the expected value is the "
                             "wrapped one."},
        {"partial_sum_overflow", "a partial sum leaves int32 although the final sum is back "
                                 "inside: wrapping arithmetic still gives the exact result."},
        {"large_depth", "a long reduction (K in the tens of thousands) with extreme values."},
        {"bias_beyond_int32", "the quantized bias B/Sb lies outside int32: it is saturated "
                              "(Q4.3)."},
        {"binary32_steps_differ", "the TFLite converter's binary32 bias steps (Q4.5) give a "
                                  "result other than the exact quotient's (Q4.2)."},
        {"scale_product_underflows", "fl32(Sx * Sw) underflows to 0: the TFLite converter's "
                                     "guard makes the bias 0 (Q4.5)."},
        {"left_shift_saturation", "M > 1 and acc * 2^left_shift leaves int32: SPEC CHOICE, "
                                  "saturate to int32 (TFLite's int32 multiply is UB there)."},
        {"srdhm_int32_min", "SaturatingRoundingDoublingHighMul(INT32_MIN, INT32_MIN), whose "
                            "exact value 2^31 saturates to INT32_MAX."},
        {"rdbpot_exponent_0", "RoundingDivideByPOT with exponent 0 (identity)."},
        {"rdbpot_exponent_31", "RoundingDivideByPOT with exponent 31, the largest allowed."},
        {"mantissa_rounds_to_2_31", "the multiplier mantissa rounds up to 2^31 and is "
                                    "renormalised to 2^30 with shift + 1."},
        {"exponent_below_minus_31", "the multiplier's exponent is below -31: TFLite flushes to "
                                    "(0, 0)."},
        {"int16_pair_saturation", "u8*s8 products whose pairwise sum exceeds int16 (255*127 + "
                                  "255*127 > 32767): a vpmaddubsw kernel saturates, the exact "
                                  "sum does not."},
        {"zero_point_add_overflows_int8", "y + Zy leaves int8 before the clamp: adding in "
                                          "int8 would wrap; the spec adds exactly, then clamps."},
        {"result_saturates_int32", "the scaled value y leaves int32 and is saturated (or the "
                                   "fp32 product overflows)."},
        // Dequantize
        {"result_rounding_tie", "(q - Z) * S lies exactly halfway between two binary32 "
                                "values: ties to even."},
        {"inexact_result", "(q - Z) * S is not a binary32: rounded once to nearest."},
        {"subnormal_result", "the result is a binary32 subnormal."},
        {"scaled_zero_point_rounds", "Q3.5: fl32(fl32(q*S) + fl32(-Z*S)) (TFLite's optimized "
                                     "dequantize vector loop) differs from the one rounding "
                                     "fl32((q - Z)*S) of Q3.2."},
        // General
        {"zero_point_entry_differs", "Zy added before rounding (oneDNN) and after rounding "
                                     "(gemmlowp, TFLite, XNNPACK) differ on this case."},
        {"distinguishes_variants", "found by a search with the reference: at least two "
                                   "variants of this operation give different results; the "
                                   "comment names a pair."},
        {"published_value", "a value published by another system; the comment cites it."},
        {"binary32_accumulator", "SPEC Q20.3 bias in binary32: fl32(acc) is not acc (|acc| > 2^24), "
                                 "so adding the bias to the binary32 accumulator differs from "
                                 "adding it to the integer one."},
        {"neon_tie_up", "Q11.1: SQRDMULH's result divided by 2^r is a negative tie; NEON's "
                        "rounding shift (SRSHL) rounds it up, gemmlowp's RoundingDivideByPOT "
                        "(Q7.2) away from zero."},
        {"double_rounding_artifact", "acc*M lies just below a tie; the first rounding "
                                     "(SQRDMULH) lands on the tie and the second rounds it up: "
                                     "double rounding differs from single rounding."},
        {"left_shift_wraps", "acc * 2^left_shift leaves int32 and wraps (two's complement), as "
                             "a 32-bit NEON lane shifted by SSHL does (Q11.1)."},
        {"reduced_multiplier_drops_bits", "Q11.2: the 15-bit multiplier m15 drops the low 16 "
                                          "bits of m, which changes the rounded result."},
        {"reduced_multiplier_at_top", "Q11.2: m >= 0x7FFF0000 gives m15 = 0x7FFF (rounding "
                                      "would give 2^15, not an int16)."},
        {"onednn3_scale_order_differs", "Q20.3: oneDNN 3.x's brgemm product fl32(Ssrc*Swei) and its "
                                        "reference's two products give different outputs (a near-tie)."},
        {"fbgemm_bias_order_differs", "Q11.10: fl32(b / Sxw) and fl32(b * fl32(1/Sxw)) differ "
                                      "and so do the two FBGEMM bias orders' results."},
        {"tflite_armv7_rounds_up", "Q11.9: t = +-(0.5 - 2^-25); TFLite's 32-bit Arm quantize "
                                   "adds +-0.5 in binary32, which rounds to +-1, and truncates: "
                                   "+-1 where every Q0 rounding gives 0."},
        {"rndnu16_pre_shift_tie", "Q11.8: rndnu16's rounding pre-shift (VQRSHL) or its 16-bit "
                                  "high multiply meets a tie and rounds it up, where one "
                                  "rounding of acc*s (rndnu) does not."},
        {"rndnu16_multiplier_renormalised", "Q11.8: m15 rounds to 2^15 and is renormalised to "
                                            "2^14 with the pre-shift one larger."},
        {"rndnu16_multiplier_rounding", "Q11.8: the 15-bit multiplier m15 differs from the "
                                        "24-bit significand enough to change the result."},
        {"pre_shift_saturates_int16", "Q11.8: the pre-shifted accumulator leaves int16 and "
                                      "saturates (VQMOVN)."},
        {"int48_accumulator", "an accumulator beyond int32 (int16 x int8 sums, up to "
                              "[-2^47, 2^47)); members taking int32 reject it."},
        {"binary32_scale_derivation", "Q11.4: (multiplier, shift) derived from the binary32 "
                                      "scale fl32(fl32(Sx*Sw)/Sy) (QNNPACK q31) and from the "
                                      "exact M (TFLite) differ, and so do the outputs."},
        {"compute_dtype_differs", "Q11.11: TVM's float32 and float64 compute dtypes give "
                                  "different outputs: a binary32 rounding of M, acc, m*a or "
                                  "t + Zy moves t' across a rounding boundary."},
        {"tvm_negative_tie", "Q11.11: t' is a negative tie -(k + 1/2): UPWARD's floor(t' + 1/2) "
                             "gives -k, TONEAREST (llvm.round, or the no-SSE4.1 lowering) "
                             "-(k + 1)."},
        {"tvm_binary32_half_rounds", "Q11.11: |t'| >= 2^23 in float32, where t' is an integer "
                                     "and fl32(t' +- 1/2) rounds to even: UPWARD and the "
                                     "no-SSE4.1 TONEAREST move an odd t' by one, llvm.round "
                                     "does not (int32 outputs)."},
        {"tvm_biased_rounding_just_below_half", "Q11.11: t' = +-(1/2 - 2^-25) in float32 "
                                                "(Zy = 0): fl32(|t'| + 1/2) = 1, so UPWARD "
                                                "(for t' > 0) and the no-SSE4.1 TONEAREST give "
                                                "+-1 where llvm.round gives 0."},
        {"float32_rounds_accumulator", "Q11.11: acc (or acc - Zin) is beyond 2^24: the float32 "
                                       "compute dtype rounds it (Cast to Float(32))."},
        {"narrow_division_differs", "Q11.12: the division in binary16 or bfloat16 (the "
                                    "operands rounded to that format first) gives another "
                                    "output than the binary32 division: the narrow quotient "
                                    "or an operand rounds across a boundary or onto a tie."},
        {"narrow_operand_rounding", "Q11.12: x or the scale is not a value of the narrow "
                                    "format; the member rounds it first (ONNX's precision "
                                    "attribute casts it)."},
        {"narrow_overflow", "Q11.12: fl_P(x) or the binary16 quotient overflows to +-inf: it "
                            "saturates to qmax / qmin (SPEC CHOICE, Q2.4)."},
        // Non-linear tables (Q12)
        {"exact_tie_in_f", "f(x)/So is exactly k + 1/2 at some input (f rational there, e.g. "
                           "logistic(0) = 1/2, hardsigmoid, hardswish, leaky_relu): the "
                           "rounding rule decides; tflite and xnnpack differ on ties of p."},
        {"binary32_overflow", "fl32(f(x)) overflows to +inf for some inputs: SPEC CHOICE "
                              "(Q12.4), the entry saturates to qmax."},
        {"alpha_zero", "alpha = 0 (leaky_relu is ReLU, elu is 0 for x < 0)."},
        // Linear replacements (Q13)
        {"table_end_saturation", "TOSA TABLE int16: an entry at the end of the 513-entry table "
                                 "(or any knot) is clipped to int16, so inputs interpolating "
                                 "towards it miss the ideal by up to 128 (Q13.3)."},
        {"slope_beyond_int16", "TOSA TABLE int16: adjacent entries differ by more than int16 "
                               "(TOSA REQUIRE); SPEC CHOICE (Q13.3) evaluates the formula in "
                               "int32."},
        {"int16_wrap", "TFLite hardswish: the int16 sum output + Zo leaves int16 and wraps "
                       "(Q13.2); the clamp then gives the wrong end of the grid."},
        {"random", "seeded pseudo-random case (fixed seed, portable generator)."},
        {"policy", "decides a policy dimension (SPEC Q20.5: NaN, inf, huge quotients, int32 "
                   "overflow, rejected parameters), not the arithmetic; vectors identify "
                   "reports these apart."},
        {"invalid_parameter", "a parameter is outside its allowed range: a conforming "
                              "implementation rejects it (result invalid, expected.error names "
                              "the parameter)."},
        {"fake_quant_boundary", "x lies on (or one ulp past, or a tie past) the first or last "
                                "grid point: where each variant's straight-through mask "
                                "switches (Q16.1)."},
        {"fake_quant_special_input", "x is NaN or +-inf: exact and tensorflow give NaN (SPEC "
                                     "CHOICE) / the clamped end; PyTorch 1.13 on x86-64 gives "
                                     "qmin for NaN and +inf (its int64 conversion, Q15.3)."},
        {"scale_floor", "a row's amax / 127 is below the scale floor (or 0): the floor is the "
                        "scale (Q17.2)."},
        {"two_rounding_scale", "fl32(max - min) is rounded before the division by 255 (ONNX "
                               "DynamicQuantizeLinear's Sub then Div): the scale differs from "
                               "Q1.2's single rounding of (max - min) / 255."},
        {"per_channel", "per-channel parameters (one scale/zero point per output channel)."},
        {"inexact_binary32_sum", "a gradient sum over elements is not exact in binary32: the "
                                 "vectors hold the exact sum; a framework's binary32 sum "
                                 "(TensorFlow's order is not modelled, Q16.3) may differ."},
        {"accumulator_beyond_binary32", "|acc| > 2^24: fl32(acc) rounds before the "
                                        "dequantizing multiplication (Q17.6 step 4)."},
        {"no_bias", "the layer has no bias (the output is fl32(fl32(acc) * D[n]))."},
        {"small_scale", "the run-time scale is below fl32(6.1e-5): PyTorch's small-scale branch "
                        "widens the range (Q17.5 step 5)."},
        {"scale_defaulted", "fl32(S) is 0 or fl32(1 / fl32(S)) is +inf: PyTorch replaces the "
                            "scale by fl64(0.1) (Q17.5 step 4)."},
        {"beyond_reduced_range", "reduce_range halves the zero-point grid to [0, 127], yet an "
                                 "element quantizes above 127: the quantize clamps to quint8's "
                                 "[0, 255] (Q17.5)."},
        // BatchNorm folding (Q14)
        {"bn_perfect_square", "var + eps is the square of a rational: sqrt is exact and the "
                              "folded values are rational (Q14.2)."},
        {"bn_exact_tie", "a folded value W' or B' is exactly a binary32 midpoint (possible only "
                         "with a perfect square): the tie goes to the even significand."},
        {"bn_near_tie", "a folded value lies a tiny relative distance (2^-58) from a binary32 "
                        "midpoint: a binary64 or binary32 evaluation lands on the midpoint and "
                        "rounds it the other way."},
        {"bn_eps_tiny", "eps is tiny (2^-60 against var, or a subnormal with var = 0)."},
        {"bn_gamma_zero", "gamma = 0: every folded weight is +0, B' = beta; the all-zero row "
                          "quantizes with S = 1 (Q1.4)."},
        {"bn_variance_zero", "var = 0: eps alone is under the square root."},
        {"bn_fold_overflow", "a folded value exceeds binary32 (+-inf): the folded layer cannot be "
                             "quantized, the test is invalid (folded_weight[i])."},
        {"bn_shape_mismatch", "the BatchNorm vectors or the weights do not match the number of "
                              "output channels."},
        {"bn_bias_cancellation", "beta nearly cancels (B - mean) gamma / sigma: the pytorch B' "
                                 "is many ulps from the exact one and the int32 biases differ."},
        {"requires_acc_range", "TOSA REQUIRE: acc must lie in [-2^(shift-1), 2^(shift-1)); "
                               "outside it the parameters are rejected."},
    };
    std::sort(f.begin(), f.end(),
              [](const FlagInfo& a, const FlagInfo& b) { return a.flag < b.flag; });
    return f;
  }();
  return flags;
}

const std::string& flag_description(const std::string& flag) {
  const auto& flags = all_flags();
  auto it = std::lower_bound(flags.begin(), flags.end(), flag,
                             [](const FlagInfo& info, const std::string& f) { return info.flag < f; });
  if (it == flags.end() || it->flag != flag) throw std::logic_error("unregistered flag " + flag);
  return it->description;
}

const std::vector<CatalogueItem>& edge_case_catalogue() {
  static const std::vector<CatalogueItem> items = {
      {"Rounding", "exact tie k+1/2, k even, positive", "tie_even_positive"},
      {"Rounding", "exact tie k+1/2, k odd, positive", "tie_odd_positive"},
      {"Rounding", "exact tie, k even, negative", "tie_even_negative"},
      {"Rounding", "exact tie, k odd, negative", "tie_odd_negative"},
      {"Rounding", "one ulp below a tie", "ulp_below_tie"},
      {"Rounding", "one ulp above a tie", "ulp_above_tie"},
      {"Rounding", "ties created only by binary32 intermediates", "binary32_intermediate_tie"},
      {"Rounding", "-0.0", "negative_zero"},
      {"Rounding", "subnormal inputs", "subnormal_input"},
      {"Rounding", "subnormal scales", "subnormal_scale"},
      {"Rounding", "x/S beyond 2^31", "quotient_beyond_int32"},
      {"Rounding", "NaN", "nan_input"},
      {"Rounding", "+-Inf", "infinite_input"},
      {"Clipping", "values past Qmin", "clamp_low"},
      {"Clipping", "values past Qmax", "clamp_high"},
      {"Clipping", "narrow range [-127, 127]", "narrow_range"},
      {"Clipping", "fused ReLU/ReLU6 bounds that coincide with Qmin/Qmax",
       "activation_bound_coincides"},
      {"Clipping", "fused ReLU/ReLU6 bounds that cross Qmin/Qmax", "activation_bound_crosses"},
      {"Clipping", "qmin = qmax", "single_point_range"},
      {"Zero point", "Z at Qmin", "zero_point_at_qmin"},
      {"Zero point", "Z at Qmax", "zero_point_at_qmax"},
      {"Zero point", "Z for ranges that do not contain 0 (nudging)", "range_excludes_zero"},
      {"Zero point", "Z where Qmin - min/S is itself a tie", "zero_point_tie"},
      {"Zero point", "uint8 Z = 128 versus int8 Z = 0", "uint8_zero_point_128"},
      {"Overflow", "int32 accumulator wrap (large K with extreme values)", "accumulator_wrap"},
      {"Overflow", "large K with extreme values", "large_depth"},
      {"Overflow", "bias beyond int32", "bias_beyond_int32"},
      {"Overflow", "acc << left_shift for M > 1", "left_shift_saturation"},
      {"Overflow", "SRDHM(INT32_MIN, INT32_MIN)", "srdhm_int32_min"},
      {"Overflow", "RoundingDivideByPOT with exponent 0", "rdbpot_exponent_0"},
      {"Overflow", "RoundingDivideByPOT with exponent 31", "rdbpot_exponent_31"},
      {"Overflow", "multiplier mantissa rounding to 2^31", "mantissa_rounds_to_2_31"},
      {"Overflow", "multiplier exponent below -31", "exponent_below_minus_31"},
      {"Overflow", "u8*s8 vpmaddubsw int16 pair saturation", "int16_pair_saturation"},
      {"Overflow", "zero-point addition after requantization overflowing int8 before the clamp",
       "zero_point_add_overflows_int8"},
  };
  return items;
}

}  // namespace quantspec::vectors
