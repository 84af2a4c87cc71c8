// Names of the ABI selectors in the shared vocabulary, and the element types' ranges.
#include <string>

#include "quantspec/conformance/cases.hpp"

namespace quantspec::conformance {

std::string element_type_name(std::uint32_t type) {
  return type == QS_S8 ? "s8" : type == QS_U8 ? "u8" : "type#" + std::to_string(type);
}

std::string rounding_name(std::uint32_t rounding) {
  static const char* const kNames[] = {"half_even", "half_away", "half_up", "toward_zero", "floor"};
  return rounding <= QS_ROUND_FLOOR ? kNames[rounding] : "rounding#" + std::to_string(rounding);
}

std::string division_name(std::uint32_t division) {
  static const char* const kNames[] = {"exact", "f32_divide", "f32_reciprocal"};
  return division <= QS_DIV_F32_RECIPROCAL ? kNames[division] : "division#" + std::to_string(division);
}

std::string requant_variant_name(std::uint32_t variant) {
  static const char* const kNames[] = {"ideal",       "double_round", "single_round",
                                       "tosa_single", "tosa_double",  "tosa_scale16",
                                       "fp32",        "rndnu",        "rndna",
                                       "neon_double_round", "int16x8_int64", "rndnu16",
                                       "double_round_wrap"};
  return variant <= QS_REQUANT_DOUBLE_ROUND_WRAP ? kNames[variant] : "variant#" + std::to_string(variant);
}

std::string zero_point_entry_name(std::uint32_t entry) {
  return entry == QS_ZP_AFTER_ROUNDING    ? "after_rounding"
         : entry == QS_ZP_BEFORE_ROUNDING ? "before_rounding"
                                          : "entry#" + std::to_string(entry);
}

std::string flavor_name(const Flavor& f, bool show_input, bool show_output, bool show_per_channel) {
  std::string text;
  auto add = [&](const std::string& part) { text += (text.empty() ? "" : " ") + part; };
  if (show_input && show_output) {
    add(element_type_name(f.input_type) + "->" + element_type_name(f.output_type));
  } else if (show_input) {
    add(element_type_name(f.input_type));
  } else if (show_output) {
    add(element_type_name(f.output_type));
  }
  if (show_per_channel) add(f.per_channel ? "per_channel" : "per_tensor");
  return text;
}

std::int32_t type_min(std::uint32_t type) { return type == QS_S8 ? -128 : 0; }
std::int32_t type_max(std::uint32_t type) { return type == QS_S8 ? 127 : 255; }

std::size_t Requantization::channels() const {
  if (variant == QS_REQUANT_IDEAL) return weight_scales.size();
  if (variant == QS_REQUANT_FP32) return scales.size();
  return multipliers.size();
}

}  // namespace quantspec::conformance
