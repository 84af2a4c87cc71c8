// Tests of Q0 (exact numbers): the software binary32/binary64 rounding is checked against the
// host's IEEE 754 division and multiplication, which are specified as one correct rounding of
// the exact result (IEEE 754-2019 §4.3, round-to-nearest-even is the default mode).
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>

#include "quantspec/reference/errors.hpp"
#include "quantspec/reference/numbers.hpp"

namespace quantspec::ref {
namespace {

float float_from_bits(std::uint32_t bits) {
  float value;
  std::memcpy(&value, &bits, sizeof value);
  return value;
}
std::uint32_t bits_of(float value) {
  std::uint32_t bits;
  std::memcpy(&bits, &value, sizeof bits);
  return bits;
}

// Table of k/4 for k = -6..6 under each rule, derived by hand:
// values -1.5 -1.25 -1 -0.75 -0.5 -0.25 0 0.25 0.5 0.75 1 1.25 1.5
TEST(Numbers, RoundingRulesOnQuarters) {
  const int expected[5][13] = {
      /* half_even   */ {-2, -1, -1, -1, 0, 0, 0, 0, 0, 1, 1, 1, 2},
      /* half_away   */ {-2, -1, -1, -1, -1, 0, 0, 0, 1, 1, 1, 1, 2},
      /* half_up     */ {-1, -1, -1, -1, 0, 0, 0, 0, 1, 1, 1, 1, 2},
      /* toward_zero */ {-1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1},
      /* floor       */ {-2, -2, -1, -1, -1, -1, 0, 0, 0, 0, 1, 1, 1},
  };
  const Rounding rules[5] = {Rounding::half_even, Rounding::half_away, Rounding::half_up,
                             Rounding::toward_zero, Rounding::floor};
  for (int r = 0; r < 5; ++r) {
    for (int k = -6; k <= 6; ++k) {
      EXPECT_EQ(round_to_integer(Rational(k, 4), rules[r]), expected[r][k + 6])
          << name(rules[r]) << " of " << k << "/4";
    }
  }
}

TEST(Numbers, ExactConversionOfExtremes) {
  EXPECT_EQ(exact(0x1p-149f), pow2(-149));
  EXPECT_EQ(exact(std::numeric_limits<float>::max()),
            Rational(Integer((1 << 24) - 1)) * pow2(104));
  EXPECT_EQ(exact(-0.0f), 0);
  EXPECT_EQ(exact(0x1.8p-3), Rational(3, 16));
}

TEST(Numbers, RoundToBinary32Boundaries) {
  // Halfway between FLT_MAX and 2^128 rounds to infinity (ties to even: FLT_MAX is odd).
  Rational halfway = exact(std::numeric_limits<float>::max()) + pow2(103);
  EXPECT_TRUE(std::isinf(round_to_binary32(halfway)));
  EXPECT_EQ(round_to_binary32(halfway - pow2(-10)), std::numeric_limits<float>::max());
  // Half of the smallest subnormal is a tie between 0 and 2^-149: even is 0.
  EXPECT_EQ(bits_of(round_to_binary32(pow2(-150))), 0u);
  EXPECT_EQ(round_to_binary32(pow2(-150) + pow2(-200)), 0x1p-149f);
  EXPECT_EQ(bits_of(round_to_binary32(-pow2(-151))), 0x80000000u);  // -0.0
  // 1 + 2^-24 is a tie between 1 and 1 + 2^-23: even is 1.
  EXPECT_EQ(round_to_binary32(1 + pow2(-24)), 1.0f);
  EXPECT_EQ(round_to_binary32(1 + 3 * pow2(-24)), 1.0f + 0x1p-22f);
}

// Uniform over all bit patterns (RapidCheck's default integers favour small values, which
// would make nearly every float a subnormal).
std::uint32_t any_bits() { return *rc::gen::inRange<std::uint32_t>(0, 0xFFFFFFFFu); }

RC_GTEST_PROP(Numbers, Binary32QuotientMatchesIeeeDivision, ()) {
  float x = float_from_bits(any_bits()), y = float_from_bits(any_bits());
  RC_PRE(std::isfinite(x) && std::isfinite(y) && y != 0.0f);
  float expected = x / y;
  RC_PRE(std::isfinite(expected));
  RC_ASSERT(bits_of(round_to_binary32(exact(x) / exact(y))) == bits_of(expected));
}

RC_GTEST_PROP(Numbers, Binary32ProductMatchesIeeeMultiplication, ()) {
  float x = float_from_bits(any_bits()), y = float_from_bits(any_bits());
  RC_PRE(std::isfinite(x) && std::isfinite(y));
  float expected = x * y;
  float got = round_to_binary32(exact(x) * exact(y));
  // A zero rational has no sign (Q0.1), so signed zeros are compared by value only.
  if (expected == 0.0f) {
    RC_ASSERT(got == 0.0f);
  } else {
    RC_ASSERT(bits_of(got) == bits_of(expected));
  }
}

RC_GTEST_PROP(Numbers, Binary64QuotientMatchesIeeeDivision, ()) {
  double x = static_cast<double>(float_from_bits(any_bits())) * 1.1;
  double y = float_from_bits(any_bits());
  RC_PRE(std::isfinite(x) && std::isfinite(y) && y != 0.0);
  double expected = x / y;
  RC_PRE(std::isfinite(expected) && expected != 0.0);
  RC_ASSERT(round_to_binary64(exact(x) / exact(y)) == expected);
}

RC_GTEST_PROP(Numbers, HexFloatRoundTrips, ()) {
  float x = float_from_bits(any_bits());
  RC_PRE(!std::isnan(x));
  RC_ASSERT(bits_of(parse_binary32(hex_float(x), "x")) == bits_of(x));
}

TEST(Numbers, ParsingNamesTheParameter) {
  EXPECT_EQ(parse_binary32("0x1.8p-3", "x"), 0.1875f);
  EXPECT_EQ(parse_binary32("0.1", "x"), 0.1f);
  EXPECT_EQ(parse_integer("-0x10", "acc"), -16);
  EXPECT_EQ(parse_integer("123456789012345678901234567890", "acc"),
            Integer("123456789012345678901234567890"));
  // A leading zero is decimal, not octal (cpp_int's string constructor would read "010" as 8
  // and throw a non-ParameterError on "09"; found by tools/fuzz/fuzz_number_parser).
  EXPECT_EQ(parse_integer("010", "acc"), 10);
  EXPECT_EQ(parse_integer("-09", "acc"), -9);
  EXPECT_EQ(parse_integer("0x010", "acc"), 16);
  EXPECT_EQ(parse_integer("000", "acc"), 0);
  for (const char* bad : {"", "1.5x", "abc", "0x"}) {
    try {
      parse_binary32(bad, "--scale");
      if (std::string(bad) != "0x") ADD_FAILURE() << "accepted '" << bad << "'";
    } catch (const ParameterError& e) {
      EXPECT_EQ(e.parameter(), "--scale");
    }
  }
  for (const char* bad : {"", "1.5", "0x", "--1", "12a"}) {
    try {
      parse_integer(bad, "--acc");
      ADD_FAILURE() << "accepted '" << bad << "'";
    } catch (const ParameterError& e) {
      EXPECT_EQ(e.parameter(), "--acc");
    }
  }
}

TEST(Numbers, ExactRejectsNonFinite) {
  try {
    exact(std::numeric_limits<float>::quiet_NaN(), "scale");
    ADD_FAILURE();
  } catch (const ParameterError& e) {
    EXPECT_EQ(e.parameter(), "scale");
  }
}

TEST(Variants, NamesRoundTripAndUnknownNamesAreRejected) {
  for (auto v : all_requant_variants()) EXPECT_EQ(parse_requant_variant(name(v)), v);
  for (auto v : all_roundings()) EXPECT_EQ(parse_rounding(name(v)), v);
  for (auto v : all_dtypes()) EXPECT_EQ(parse_dtype(name(v)), v);
  try {
    parse_rounding("nearest", "--rounding");
    ADD_FAILURE();
  } catch (const ParameterError& e) {
    EXPECT_EQ(e.parameter(), "--rounding");
    EXPECT_NE(std::string(e.what()).find("half_even"), std::string::npos);
  }
  EXPECT_EQ(dtype_range(DType::int8, true).min, -127);
  EXPECT_EQ(dtype_range(DType::uint8, true).min, 1);
  EXPECT_EQ(dtype_range(DType::int4).max, 7);
}

}  // namespace
}  // namespace quantspec::ref
