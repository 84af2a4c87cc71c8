// What each operand and output field of each algorithm holds, so the reader can validate a
// value and the checker can compare two encodings of the same number (e.g. "0x1p+0" and
// "0x1.0p+0", or 5 and "5") exactly.
#pragma once

#include <optional>
#include <string>

#include "quantspec/vectors/format.hpp"

namespace quantspec::vectors {

enum class FieldKind {
  binary32,        // hex-float string of a binary32 value ("inf", "-inf", "nan" allowed)
  binary64,        // hex-float string of a binary64 value
  integer,         // JSON integer, or decimal string beyond +-2^53; any size
  int32,           // integer in [-2^31, 2^31 - 1]
  integer_array,   // array of `integer`
  binary32_array,  // array of `binary32`
  size_array,      // array of non-negative integers (shapes)
  boolean,
  name,            // a vocabulary name (dtype, rounding, ...), validated by the reference
  rational,        // "p/q" or "p", exact
  error,           // the name of a rejected parameter (expected output of invalid tests)
};

// The kind of `field` in `algorithm`, or nullopt for a field the format does not define.
std::optional<FieldKind> field_kind(const std::string& algorithm, const std::string& field);

// Validates `value` as `kind`; returns an explanation of what is wrong, or "" when valid.
std::string validate_value(FieldKind kind, const std::string& field, const Json& value);

// Exact equality of two valid values of `kind` (binary32/64 compared by value with -0.0 != +0.0
// and NaN == NaN; integers by value whatever their encoding).
bool same_value(FieldKind kind, const Json& a, const Json& b);

}  // namespace quantspec::vectors
