// SPEC Q13.3: TOSA TABLE int16. Source: TOSA specification (github.com/arm/tosa-specification),
// chapters/introduction.adoc "General Unary Functions" (apply_lookup_s, generate_lookup_table)
// and pseudocode/operators/TABLE.tosac (int16: result = apply_lookup_s(table, value);
// tosa.xml: in_t i16_t, table_t i16_t, TABLE_SIZE 513, out_t i32_t).
#include "quantspec/reference/tosa_table.hpp"

#include <cmath>
#include <string>

#include "quantspec/reference/errors.hpp"
#include "quantspec/reference/numbers.hpp"

namespace quantspec::ref {

// Q13.3
std::int32_t tosa_table_int16(const TosaTableInt16& table, std::int16_t value, bool* slope_outside_int16) {
  const std::int32_t index = (std::int32_t{value} + 32768) >> 7;  // 0..511
  const std::int32_t fraction = std::int32_t{value} & 0x7F;       // two's complement low 7 bits
  const std::int32_t base = table[static_cast<std::size_t>(index)];
  const std::int32_t next = table[static_cast<std::size_t>(index) + 1];
  const std::int32_t slope = next - base;
  if (slope_outside_int16 && (slope < -32768 || slope > 32767)) *slope_outside_int16 = true;
  return base * 128 + slope * fraction;  // |.| <= 2^22 + 65535 * 127 < 2^24
}

namespace {

void validate(const TosaTableParams& p) {
  auto check_scale = [](float s, const char* parameter) {
    if (!(std::isfinite(s) && s > 0)) throw ParameterError(parameter, "a finite binary32 > 0", hex_float(s));
  };
  check_scale(p.input_scale, "input_scale");
  check_scale(p.output_scale, "output_scale");
  auto check_zero_point = [](std::int32_t z, const char* parameter) {
    if (z < -32768 || z > 32767) throw ParameterError(parameter, "in [-32768, 32767]", std::to_string(z));
  };
  check_zero_point(p.input_zero_point, "input_zero_point");
  check_zero_point(p.output_zero_point, "output_zero_point");
  if (!std::isfinite(p.alpha)) throw ParameterError("alpha", "a finite binary32", hex_float(p.alpha));
}

}  // namespace

// Q13.3
TosaTableInt16 build_tosa_table_int16(NonlinearFunction f, const TosaTableParams& p) {
  validate(p);
  const Rational si = exact(p.input_scale);
  const Rational so = exact(p.output_scale);
  TosaTableInt16 table{};
  for (std::size_t j = 0; j < kTosaTableInt16Entries; ++j) {
    const Rational x = Rational(128 * static_cast<std::int64_t>(j) - 32768 - p.input_zero_point) * si;
    const Integer v = nonlinear_round(f, x, p.alpha, so, p.rounding) + p.output_zero_point;
    table[j] = static_cast<std::int16_t>(clamp(v, Integer(-32768), Integer(32767)).convert_to<int>());
  }
  return table;
}

// Q13.3
Integer tosa_table_ideal(NonlinearFunction f, std::int16_t q, const TosaTableParams& p) {
  validate(p);
  const Rational x = Rational(std::int32_t{q} - p.input_zero_point) * exact(p.input_scale);
  return nonlinear_round(f, x, p.alpha, exact(p.output_scale) / 128, p.rounding) +
         Integer(128) * p.output_zero_point;
}

}  // namespace quantspec::ref
