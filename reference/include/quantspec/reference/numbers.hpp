// Exact numbers (SPEC.md §Q0.1). A binary32 or binary64 value is a dyadic rational and is
// converted without rounding; every rounding back to binary32/binary64 is done here, in
// software, so no result of the reference depends on the host FPU or its rounding mode.
#pragma once

#include <boost/multiprecision/cpp_int.hpp>

#include <cstdint>
#include <string>
#include <string_view>

#include "quantspec/reference/variants.hpp"

namespace quantspec::ref {

using Integer = boost::multiprecision::cpp_int;
using Rational = boost::multiprecision::cpp_rational;

// Exact value of a finite float/double. Throws ParameterError(parameter, "finite", ...) for
// NaN or infinity.
Rational exact(float value, std::string_view parameter = "value");
Rational exact(double value, std::string_view parameter = "value");

// Q0.1: round an exact rational to the nearest binary32 / binary64, ties to even, with
// gradual underflow (subnormals) and overflow to +-infinity. The sign of a zero result is
// the sign of the rational (a zero rational gives +0.0).
float round_to_binary32(const Rational& value);
double round_to_binary64(const Rational& value);
// Q0.1, Q11.12: round an exact rational to the nearest binary16 (IEEE 754 half: 11 significand
// bits, normal exponents [-14, 15]) / bfloat16 (8 significand bits, exponents [-126, 127]),
// ties to even, gradual underflow, overflow to +-infinity. Every value of both formats is a
// binary32, so the result is returned as the binary32 holding it exactly.
float round_to_binary16(const Rational& value);
float round_to_bfloat16(const Rational& value);

// Q0.1: round a rational to an integer under one of the five rounding rules.
Integer round_to_integer(const Rational& value, Rounding rule);

// floor(a / 2^shift) and the like, on exact integers.
Integer floor_div(const Integer& numerator, const Integer& denominator);

// Powers of two as exact rationals (negative exponents allowed).
Rational pow2(int exponent);

// Formatting used by the CLI, the JSON output and the vectors: C99 hex-float ("0x1.8p-3",
// "-0x0p+0", "inf", "-inf", "nan"), readable by strtof and Python's float.fromhex.
std::string hex_float(float value);
std::string hex_float(double value);
// Parses decimal or hex-float text into a binary32, rounding decimal text correctly (once,
// ties to even). Throws ParameterError naming `parameter` for text that is not a number.
float parse_binary32(std::string_view text, std::string_view parameter);
double parse_binary64(std::string_view text, std::string_view parameter);
// Parses a decimal (or 0x-prefixed hex) integer of any size.
Integer parse_integer(std::string_view text, std::string_view parameter);

// Exact rational as text: "p/q" or "p".
std::string to_string(const Rational& value);

// Integer bounds used throughout.
const Integer& int32_min();
const Integer& int32_max();
bool fits_int32(const Integer& value);
// Clamp an exact integer to [lo, hi].
Integer clamp(const Integer& value, const Integer& lo, const Integer& hi);

}  // namespace quantspec::ref
