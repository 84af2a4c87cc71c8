// SPEC.md §Q0.1: exact conversion of binary floating-point values to rationals, and the
// software rounding of rationals back to binary32/binary64 and to integers.
#include "quantspec/reference/numbers.hpp"

#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>

#include "quantspec/reference/errors.hpp"

namespace quantspec::ref {
namespace {

Rational scaled_by_pow2(const Integer& mantissa, int exponent) {
  if (exponent >= 0) return Rational(Integer(mantissa << exponent));
  return Rational(mantissa, Integer(Integer(1) << -exponent));
}

// Exponent e with 2^e <= a < 2^(e+1), for a > 0.
int binary_exponent(const Rational& a) {
  const Integer& n = boost::multiprecision::numerator(a);
  const Integer& d = boost::multiprecision::denominator(a);
  int e = static_cast<int>(boost::multiprecision::msb(n)) -
          static_cast<int>(boost::multiprecision::msb(d));
  // 2^e may exceed a by less than a factor 2: compare a with 2^e exactly.
  if (a < pow2(e)) --e;
  return e;
}

// Nearest value of the binary format with `precision` significand bits and minimum normal
// exponent `min_exponent`, ties to even. Returns the integer significand and the exponent of
// its last bit; the caller builds the value (exactly, by ldexp) and handles overflow.
struct RoundedBinary {
  Integer significand;
  int quantum_exponent;
};
RoundedBinary round_to_format(const Rational& magnitude, int precision, int min_exponent) {
  int e = binary_exponent(magnitude);
  int quantum = std::max(e, min_exponent) - (precision - 1);
  Rational scaled = magnitude / pow2(quantum);
  return {round_to_integer(scaled, Rounding::half_even), quantum};
}

template <typename Float>
Float round_to_binary(const Rational& value) {
  using limits = std::numeric_limits<Float>;
  if (value == 0) return Float(0);
  const bool negative = value < 0;
  const Rational magnitude = negative ? Rational(-value) : value;
  // Magnitudes far beyond the largest finite value round to infinity; checking this first
  // keeps ldexp's argument in range.
  if (binary_exponent(magnitude) > limits::max_exponent) {
    return negative ? -limits::infinity() : limits::infinity();
  }
  RoundedBinary r = round_to_format(magnitude, limits::digits, limits::min_exponent - 1);
  // The significand has at most `digits`+1 bits (a carry to 2^digits), so it converts to
  // Float exactly, and ldexp by the quantum is exact or overflows to infinity.
  Float significand = static_cast<Float>(r.significand.template convert_to<unsigned long long>());
  Float result = std::ldexp(significand, r.quantum_exponent);
  return negative ? -result : result;
}

template <typename Float, typename Bits>
Rational exact_binary(Float value, std::string_view parameter) {
  if (!std::isfinite(value)) {
    throw ParameterError(std::string(parameter), "a finite number",
                         std::isnan(value) ? "nan" : (value > 0 ? "inf" : "-inf"));
  }
  int exponent = 0;
  Float fraction = std::frexp(value, &exponent);  // value = fraction * 2^exponent, exact
  constexpr int kDigits = std::numeric_limits<Float>::digits;
  // fraction * 2^digits is an integer of at most `digits` bits: exact in Float and in Bits.
  auto significand = static_cast<Bits>(std::ldexp(std::fabs(fraction), kDigits));
  Integer mantissa(significand);
  if (value < 0) mantissa = -mantissa;
  return scaled_by_pow2(mantissa, exponent - kDigits);
}

void require_whole(std::string_view text, std::string_view parameter, const char* what,
                   const char* end, const std::string& copy) {
  if (copy.empty() || end != copy.c_str() + copy.size()) {
    throw ParameterError(std::string(parameter), what, "'" + std::string(text) + "'");
  }
}

}  // namespace

Rational exact(float value, std::string_view parameter) {
  return exact_binary<float, std::uint32_t>(value, parameter);
}
Rational exact(double value, std::string_view parameter) {
  return exact_binary<double, std::uint64_t>(value, parameter);
}

float round_to_binary32(const Rational& value) { return round_to_binary<float>(value); }
double round_to_binary64(const Rational& value) { return round_to_binary<double>(value); }

namespace {
// Q0.1 for a format narrower than binary32: `precision` significand bits, normal exponents
// [min_exponent, max_exponent]. The rounded value is exact in binary32 (precision <= 24 and
// min_exponent - precision + 1 >= -149), so round_to_binary32 of it does not round again.
float round_to_narrow_binary(const Rational& value, int precision, int min_exponent,
                             int max_exponent) {
  if (value == 0) return 0.0f;
  const bool negative = value < 0;
  const Rational magnitude = negative ? Rational(-value) : value;
  const float infinity = negative ? -std::numeric_limits<float>::infinity()
                                  : std::numeric_limits<float>::infinity();
  if (binary_exponent(magnitude) > max_exponent) return infinity;
  const RoundedBinary r = round_to_format(magnitude, precision, min_exponent);
  const Rational rounded = Rational(r.significand) * pow2(r.quantum_exponent);
  if (rounded >= pow2(max_exponent + 1)) return infinity;  // a carry out of the top binade
  return round_to_binary32(negative ? Rational(-rounded) : rounded);
}
}  // namespace

float round_to_binary16(const Rational& value) { return round_to_narrow_binary(value, 11, -14, 15); }
float round_to_bfloat16(const Rational& value) { return round_to_narrow_binary(value, 8, -126, 127); }

Integer floor_div(const Integer& numerator, const Integer& denominator) {
  Integer quotient = numerator / denominator;  // truncates toward zero
  Integer remainder = numerator - quotient * denominator;
  if (remainder != 0 && ((remainder < 0) != (denominator < 0))) --quotient;
  return quotient;
}

// Q0.1: the five rounding rules, on the exact fraction n/d (d > 0 after normalisation).
Integer round_to_integer(const Rational& value, Rounding rule) {
  const Integer& n = boost::multiprecision::numerator(value);
  const Integer& d = boost::multiprecision::denominator(value);
  Integer below = floor_div(n, d);
  Integer remainder = n - below * d;  // 0 <= remainder < d
  if (remainder == 0) return below;
  const Integer twice = remainder * 2;
  const int against_half = twice < d ? -1 : (twice == d ? 0 : 1);
  switch (rule) {
    case Rounding::floor: return below;
    case Rounding::toward_zero: return n < 0 ? Integer(below + 1) : below;
    case Rounding::half_up: return against_half < 0 ? below : Integer(below + 1);
    case Rounding::half_away:
      if (against_half == 0) return n < 0 ? below : Integer(below + 1);
      return against_half < 0 ? below : Integer(below + 1);
    case Rounding::half_even:
      if (against_half == 0) return (below & 1) == 0 ? below : Integer(below + 1);
      return against_half < 0 ? below : Integer(below + 1);
  }
  throw ParameterError("rounding", "a known rounding rule", "an invalid enum value");
}

Rational pow2(int exponent) { return scaled_by_pow2(Integer(1), exponent); }

std::string hex_float(double value) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%a", value);
  return buffer;
}
// A binary32 is printed through its exact binary64 value: a subnormal float prints as a
// normalised hex-float, which strtof and float.fromhex read back exactly.
std::string hex_float(float value) { return hex_float(static_cast<double>(value)); }

float parse_binary32(std::string_view text, std::string_view parameter) {
  std::string copy(text);
  char* end = nullptr;
  errno = 0;
  // glibc's strtof rounds decimal and hex text correctly (once, to nearest, ties to even).
  float value = std::strtof(copy.c_str(), &end);
  require_whole(text, parameter, "a decimal or hex-float number", end, copy);
  return value;
}

double parse_binary64(std::string_view text, std::string_view parameter) {
  std::string copy(text);
  char* end = nullptr;
  errno = 0;
  double value = std::strtod(copy.c_str(), &end);
  require_whole(text, parameter, "a decimal or hex-float number", end, copy);
  return value;
}

Integer parse_integer(std::string_view text, std::string_view parameter) {
  std::string body(text);
  bool negative = false;
  if (!body.empty() && (body[0] == '-' || body[0] == '+')) {
    negative = body[0] == '-';
    body.erase(0, 1);
  }
  bool hex = body.size() > 2 && body[0] == '0' && (body[1] == 'x' || body[1] == 'X');
  std::string digits = hex ? body.substr(2) : body;
  bool ok = !digits.empty();
  for (char c : digits) {
    ok = ok && (hex ? std::isxdigit(static_cast<unsigned char>(c)) != 0
                    : std::isdigit(static_cast<unsigned char>(c)) != 0);
  }
  if (!ok) {
    throw ParameterError(std::string(parameter), "a decimal or 0x-hex integer",
                         "'" + std::string(text) + "'");
  }
  // Not Integer(digits): cpp_int's string constructor reads a leading 0 as octal ("010" = 8,
  // "09" throws a std::runtime_error). Found by tools/fuzz/fuzz_number_parser.
  Integer value = 0;
  const int base = hex ? 16 : 10;
  for (char c : digits) {
    const int digit = c <= '9' ? c - '0' : std::tolower(static_cast<unsigned char>(c)) - 'a' + 10;
    value = value * base + digit;
  }
  return negative ? Integer(-value) : value;
}

std::string to_string(const Rational& value) {
  const Integer& d = boost::multiprecision::denominator(value);
  std::string text = boost::multiprecision::numerator(value).str();
  if (d != 1) text += "/" + d.str();
  return text;
}

const Integer& int32_min() {
  static const Integer v(std::numeric_limits<std::int32_t>::min());
  return v;
}
const Integer& int32_max() {
  static const Integer v(std::numeric_limits<std::int32_t>::max());
  return v;
}
bool fits_int32(const Integer& value) { return value >= int32_min() && value <= int32_max(); }

Integer clamp(const Integer& value, const Integer& lo, const Integer& hi) {
  if (value < lo) return lo;
  if (value > hi) return hi;
  return value;
}

}  // namespace quantspec::ref
