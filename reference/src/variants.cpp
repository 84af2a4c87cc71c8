// SPEC.md §Q0.2: the names of every enum, shared by the CLI, the JSON output and the vectors.
#include "quantspec/reference/variants.hpp"

#include <array>
#include <string>
#include <utility>

#include "quantspec/reference/errors.hpp"

namespace quantspec::ref {
namespace {

template <typename Enum, std::size_t N>
using NameTable = std::array<std::pair<Enum, std::string_view>, N>;

constexpr NameTable<DType, 7> kDTypeNames{{{DType::int8, "int8"},
                                           {DType::uint8, "uint8"},
                                           {DType::int16, "int16"},
                                           {DType::uint16, "uint16"},
                                           {DType::int4, "int4"},
                                           {DType::uint4, "uint4"},
                                           {DType::int32, "int32"}}};
constexpr NameTable<Rounding, 5> kRoundingNames{{{Rounding::half_even, "half_even"},
                                                 {Rounding::half_away, "half_away"},
                                                 {Rounding::half_up, "half_up"},
                                                 {Rounding::toward_zero, "toward_zero"},
                                                 {Rounding::floor, "floor"}}};
constexpr NameTable<Division, 3> kDivisionNames{{{Division::exact, "exact"},
                                                 {Division::f32_divide, "f32_divide"},
                                                 {Division::f32_reciprocal, "f32_reciprocal"}}};
constexpr NameTable<Derivation, 3> kDerivationNames{{{Derivation::exact, "exact"},
                                                     {Derivation::tflite, "tflite"},
                                                     {Derivation::rndnu, "rndnu"}}};
constexpr NameTable<RequantVariant, 9> kVariantNames{
    {{RequantVariant::ideal, "ideal"},
     {RequantVariant::double_round, "double_round"},
     {RequantVariant::single_round, "single_round"},
     {RequantVariant::tosa_single, "tosa_single"},
     {RequantVariant::tosa_double, "tosa_double"},
     {RequantVariant::tosa_scale16, "tosa_scale16"},
     {RequantVariant::fp32, "fp32"},
     {RequantVariant::rndnu, "rndnu"},
     {RequantVariant::rndna, "rndna"}}};
constexpr NameTable<ZeroPointEntry, 2> kEntryNames{
    {{ZeroPointEntry::after_rounding, "after_rounding"},
     {ZeroPointEntry::before_rounding, "before_rounding"}}};
constexpr NameTable<LeftShiftOverflow, 2> kLeftShiftNames{
    {{LeftShiftOverflow::saturate, "saturate"}, {LeftShiftOverflow::wrap, "wrap"}}};

template <typename Enum, std::size_t N>
std::string_view lookup_name(const NameTable<Enum, N>& table, Enum value) {
  for (const auto& [candidate, text] : table) {
    if (candidate == value) return text;
  }
  return "?";
}

template <typename Enum, std::size_t N>
Enum lookup_value(const NameTable<Enum, N>& table, std::string_view text,
                  std::string_view parameter) {
  std::string allowed = "one of";
  for (const auto& [candidate, candidate_text] : table) {
    if (candidate_text == text) return candidate;
    allowed += " ";
    allowed += candidate_text;
  }
  throw ParameterError(std::string(parameter), allowed, "'" + std::string(text) + "'");
}

template <typename Enum, std::size_t N>
std::vector<Enum> values_of(const NameTable<Enum, N>& table) {
  std::vector<Enum> values;
  for (const auto& entry : table) values.push_back(entry.first);
  return values;
}

}  // namespace

std::string_view name(DType v) { return lookup_name(kDTypeNames, v); }
std::string_view name(Rounding v) { return lookup_name(kRoundingNames, v); }
std::string_view name(Division v) { return lookup_name(kDivisionNames, v); }
std::string_view name(Derivation v) { return lookup_name(kDerivationNames, v); }
std::string_view name(RequantVariant v) { return lookup_name(kVariantNames, v); }
std::string_view name(ZeroPointEntry v) { return lookup_name(kEntryNames, v); }
std::string_view name(LeftShiftOverflow v) { return lookup_name(kLeftShiftNames, v); }

DType parse_dtype(std::string_view t, std::string_view p) { return lookup_value(kDTypeNames, t, p); }
Rounding parse_rounding(std::string_view t, std::string_view p) {
  return lookup_value(kRoundingNames, t, p);
}
Division parse_division(std::string_view t, std::string_view p) {
  return lookup_value(kDivisionNames, t, p);
}
Derivation parse_derivation(std::string_view t, std::string_view p) {
  return lookup_value(kDerivationNames, t, p);
}
RequantVariant parse_requant_variant(std::string_view t, std::string_view p) {
  return lookup_value(kVariantNames, t, p);
}
ZeroPointEntry parse_zero_point_entry(std::string_view t, std::string_view p) {
  return lookup_value(kEntryNames, t, p);
}
LeftShiftOverflow parse_left_shift_overflow(std::string_view t, std::string_view p) {
  return lookup_value(kLeftShiftNames, t, p);
}

const std::vector<DType>& all_dtypes() {
  static const auto v = values_of(kDTypeNames);
  return v;
}
const std::vector<Rounding>& all_roundings() {
  static const auto v = values_of(kRoundingNames);
  return v;
}
const std::vector<Division>& all_divisions() {
  static const auto v = values_of(kDivisionNames);
  return v;
}
const std::vector<Derivation>& all_derivations() {
  static const auto v = values_of(kDerivationNames);
  return v;
}
const std::vector<RequantVariant>& all_requant_variants() {
  static const auto v = values_of(kVariantNames);
  return v;
}
const std::vector<ZeroPointEntry>& all_zero_point_entries() {
  static const auto v = values_of(kEntryNames);
  return v;
}
const std::vector<LeftShiftOverflow>& all_left_shift_overflows() {
  static const auto v = values_of(kLeftShiftNames);
  return v;
}

// Q1.1
IntRange dtype_range(DType type) {
  switch (type) {
    case DType::int8: return {-128, 127};
    case DType::uint8: return {0, 255};
    case DType::int16: return {-32768, 32767};
    case DType::uint16: return {0, 65535};
    case DType::int4: return {-8, 7};
    case DType::uint4: return {0, 15};
    case DType::int32: return {-2147483648LL, 2147483647LL};
  }
  throw ParameterError("dtype", "a known data type", "an invalid enum value");
}

IntRange dtype_range(DType type, bool narrow_range) {
  IntRange range = dtype_range(type);
  if (narrow_range) range.min += 1;
  return range;
}

}  // namespace quantspec::ref
