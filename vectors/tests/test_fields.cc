// Field validation and exact comparison (vectors/src/fields.cpp).
#include <gtest/gtest.h>

#include "quantspec/vectors/fields.hpp"

namespace quantspec::vectors {
namespace {

TEST(Fields, HexFloatsCompareByValueNotSpelling) {
  EXPECT_TRUE(same_value(FieldKind::binary32, "0x1p+0", "0x1.0p+0"));
  EXPECT_TRUE(same_value(FieldKind::binary32, "0x1.8p-3", "0x3p-4"));
  EXPECT_FALSE(same_value(FieldKind::binary32, "0x0p+0", "-0x0p+0"));  // -0.0 is not +0.0
  EXPECT_TRUE(same_value(FieldKind::binary32, "nan", "nan"));
  EXPECT_FALSE(same_value(FieldKind::binary32, "0x1p+0", "0x1.000002p+0"));
}

TEST(Fields, IntegersCompareByValueWhateverTheEncoding) {
  EXPECT_TRUE(same_value(FieldKind::integer, 5, "5"));
  EXPECT_TRUE(same_value(FieldKind::integer, "9007199254740993", "9007199254740993"));
  EXPECT_FALSE(same_value(FieldKind::integer, 5, 6));
  EXPECT_FALSE(same_value(FieldKind::integer, 5, 5.0));  // a float is not an integer
}

TEST(Fields, ValidationNamesTheProblem) {
  EXPECT_EQ(validate_value(FieldKind::int32, "shift", 7), "");
  EXPECT_NE(validate_value(FieldKind::int32, "shift", 4294967296LL).find("out of range"),
            std::string::npos);
  EXPECT_NE(validate_value(FieldKind::binary32, "x", "0x1.000001p+0").find("not a binary32"),
            std::string::npos);
  EXPECT_NE(validate_value(FieldKind::binary32, "x", 1.5).find("hex-float"), std::string::npos);
  EXPECT_NE(validate_value(FieldKind::name, "rounding", "nearest"), "");
  EXPECT_EQ(validate_value(FieldKind::name, "rounding", "half_even"), "");
  EXPECT_EQ(validate_value(FieldKind::rational, "real_multiplier", "3/7"), "");
  EXPECT_NE(validate_value(FieldKind::rational, "real_multiplier", "3/0"), "");
}

TEST(Fields, EveryAlgorithmKnowsItsOutputs) {
  EXPECT_EQ(field_kind("quantize", "q"), FieldKind::integer);
  EXPECT_EQ(field_kind("quantize", "x"), FieldKind::binary32);
  EXPECT_EQ(field_kind("accumulate", "x"), FieldKind::integer_array);
  EXPECT_FALSE(field_kind("quantize", "no_such_field").has_value());
}

}  // namespace
}  // namespace quantspec::vectors
