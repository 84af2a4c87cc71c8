// The shared vocabulary of the spec (SPEC.md §Q0.2): data types, rounding rules, division
// variants, multiplier derivations, requantization variants and where the output zero point
// enters. The names returned by name() are the ones the CLI, the JSON output and the golden
// vectors use; parse_*() accept exactly those names and throw ParameterError otherwise.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace quantspec::ref {

enum class DType { int8, uint8, int16, uint16, int4, uint4, int32 };
enum class Rounding { half_even, half_away, half_up, toward_zero, floor };
enum class Division { exact, f32_divide, f32_reciprocal };
enum class Derivation { exact, tflite, rndnu };
enum class RequantVariant {
  ideal,
  double_round,
  single_round,
  tosa_single,
  tosa_double,
  tosa_scale16,
  fp32,
  rndnu,
  rndna
};
enum class ZeroPointEntry { after_rounding, before_rounding };
// Q7.2 step 1: what double_round does when acc * 2^left leaves int32.
enum class LeftShiftOverflow { saturate, wrap };

std::string_view name(DType);
std::string_view name(Rounding);
std::string_view name(Division);
std::string_view name(Derivation);
std::string_view name(RequantVariant);
std::string_view name(ZeroPointEntry);
std::string_view name(LeftShiftOverflow);

// `parameter` is the name used in the error message (e.g. "--rounding" or "rounding").
DType parse_dtype(std::string_view text, std::string_view parameter = "dtype");
Rounding parse_rounding(std::string_view text, std::string_view parameter = "rounding");
Division parse_division(std::string_view text, std::string_view parameter = "division");
Derivation parse_derivation(std::string_view text, std::string_view parameter = "derivation");
RequantVariant parse_requant_variant(std::string_view text,
                                     std::string_view parameter = "variant");
ZeroPointEntry parse_zero_point_entry(std::string_view text,
                                      std::string_view parameter = "zero_point_entry");
LeftShiftOverflow parse_left_shift_overflow(std::string_view text,
                                            std::string_view parameter = "left_shift_overflow");

// Every value of each enum, in declaration order (for sweeps and --help texts).
const std::vector<DType>& all_dtypes();
const std::vector<Rounding>& all_roundings();
const std::vector<Division>& all_divisions();
const std::vector<Derivation>& all_derivations();
const std::vector<RequantVariant>& all_requant_variants();
const std::vector<ZeroPointEntry>& all_zero_point_entries();
const std::vector<LeftShiftOverflow>& all_left_shift_overflows();

// Q1.1: the integer grid of each data type.
struct IntRange {
  std::int64_t min;
  std::int64_t max;
};
IntRange dtype_range(DType type);
// Narrow range drops the most negative value of a signed type (int8 -> [-127, 127]);
// for unsigned types it drops 0 (uint8 -> [1, 255]), as TFLite's narrow_range does.
IntRange dtype_range(DType type, bool narrow_range);

}  // namespace quantspec::ref
