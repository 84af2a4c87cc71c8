// Q13.3: TOSA TABLE for int16 input: a 513-entry int16 table, linear interpolation between
// entries, int32 output of 16 + 7 bits, exactly as the TOSA specification's apply_lookup_s
// defines it; and an exact construction of the table from a Q12 function.
#pragma once

#include <array>
#include <cstdint>

#include "quantspec/reference/nonlinear.hpp"
#include "quantspec/reference/variants.hpp"

namespace quantspec::ref {

inline constexpr std::size_t kTosaTableInt16Entries = 513;
using TosaTableInt16 = std::array<std::int16_t, kTosaTableInt16Entries>;

// Q13.3: apply_lookup_s(table, value) for an int16 value:
//   index = (value + 32768) >> 7, fraction = value & 0x7F,
//   out = table[index] * 128 + (table[index + 1] - table[index]) * fraction.
// TOSA REQUIREs the slope table[index + 1] - table[index] to lie in int16; outside that the
// TOSA result is unpredictable. SPEC CHOICE: the formula is evaluated as written (it fits int32
// for every table) and *slope_outside_int16 is set.
std::int32_t tosa_table_int16(const TosaTableInt16& table, std::int16_t value,
                              bool* slope_outside_int16 = nullptr);

// Q13.3: the construction: input and output on the int16 grid.
struct TosaTableParams {
  float input_scale = 1.0f;
  std::int32_t input_zero_point = 0;  // [-32768, 32767]
  float output_scale = 1.0f;
  std::int32_t output_zero_point = 0;  // [-32768, 32767]
  float alpha = 1.0f;                  // elu, leaky_relu
  Rounding rounding = Rounding::half_away;
};

// Q13.3: entry j (0..512) = clamp(R(f(x_j)/So) + Zo, -32768, 32767) with the knot
// x_j = (128 j - 32768 - Zi) * Si exactly (x_512 is the knot one step past the last input).
// Errors (ParameterError): input_scale/output_scale (not finite > 0), zero points off int16,
// alpha (not finite).
TosaTableInt16 build_tosa_table_int16(NonlinearFunction f, const TosaTableParams& p);

// Q13.3: the ideal the table approximates, on the same 2^-7 output grid:
// R(128 * (f(x)/So + Zo)) with x = (q - Zi) * Si, not clamped.
Integer tosa_table_ideal(NonlinearFunction f, std::int16_t q, const TosaTableParams& p);

}  // namespace quantspec::ref
