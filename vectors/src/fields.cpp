// Field kinds of every algorithm (vectors/README.md lists the same table) and exact value
// comparison.
#include "quantspec/vectors/fields.hpp"

#include <cmath>
#include <cstring>
#include <map>

#include "quantspec/reference/bn_fold.hpp"
#include "quantspec/reference/binary32_requantize.hpp"
#include "quantspec/reference/deployed_quantize.hpp"
#include "quantspec/reference/deployed_requantize.hpp"
#include "quantspec/reference/edge_policy.hpp"
#include "quantspec/reference/onednn3_requantize.hpp"
#include "quantspec/reference/errors.hpp"
#include "quantspec/reference/nonlinear.hpp"
#include "quantspec/reference/numbers.hpp"
#include "quantspec/reference/s32_destination.hpp"
#include "quantspec/reference/variants.hpp"

namespace quantspec::vectors {
namespace {

using Kinds = std::map<std::string, FieldKind>;

// Fields every algorithm may use.
const Kinds& common_fields() {
  static const Kinds kinds = {
      {"error", FieldKind::error},
      {"dtype", FieldKind::name},
      {"narrow_range", FieldKind::boolean},
      {"qmin", FieldKind::integer},
      {"qmax", FieldKind::integer},
  };
  return kinds;
}

const std::map<std::string, Kinds>& algorithm_fields() {
  static const std::map<std::string, Kinds> fields = {
      {"quant_params",
       {{"symmetric", FieldKind::boolean},
        {"min", FieldKind::binary32},
        {"max", FieldKind::binary32},
        {"data", FieldKind::binary32_array},
        {"shape", FieldKind::size_array},
        {"axis", FieldKind::integer},
        {"scale", FieldKind::binary32},
        {"zero_point", FieldKind::integer},
        {"scales", FieldKind::binary32_array},
        {"zero_points", FieldKind::integer_array}}},
      {"calibration",
       {{"observer", FieldKind::name},
        {"symmetric", FieldKind::boolean},
        {"percentile", FieldKind::binary64},
        {"percentile_of_abs", FieldKind::boolean},
        {"averaging_constant", FieldKind::binary64},
        {"bins", FieldKind::integer},
        {"quantized_bins", FieldKind::integer},
        {"data", FieldKind::binary32_array},
        {"shape", FieldKind::size_array},
        {"min", FieldKind::binary32},
        {"max", FieldKind::binary32},
        {"scale", FieldKind::binary32},
        {"zero_point", FieldKind::integer}}},
      {"quantize",
       {{"operand_format", FieldKind::name},  // Q11.12 NarrowDivideQuantizeTest
        {"float_zero_point", FieldKind::binary32},  // Q20.2 PytorchFloatQparamsTest
        {"x", FieldKind::binary32},
        {"scale", FieldKind::binary32},
        {"zero_point", FieldKind::integer},
        {"q", FieldKind::integer}}},
      {"dequantize",
       {{"q", FieldKind::integer},
        {"scale", FieldKind::binary32},
        {"zero_point", FieldKind::integer},
        {"x", FieldKind::binary32}}},
      {"bias",
       {{"real_bias", FieldKind::binary32},
        {"input_scale", FieldKind::binary32},
        {"weight_scale", FieldKind::binary32},
        {"b", FieldKind::int32}}},
      {"accumulate",
       {{"x_dtype", FieldKind::name},
        {"w_dtype", FieldKind::name},
        {"x", FieldKind::integer_array},
        {"w", FieldKind::integer_array},
        {"x_zero_point", FieldKind::integer},
        {"w_zero_point", FieldKind::integer},
        {"bias", FieldKind::integer},
        {"acc", FieldKind::int32}}},
      {"multiplier",
       {{"sx", FieldKind::binary32},
        {"sw", FieldKind::binary32},
        {"sy", FieldKind::binary32},
        {"real_multiplier", FieldKind::binary64},
        {"exact_multiplier", FieldKind::rational},
        {"multiplier", FieldKind::int32},
        {"shift", FieldKind::int32}}},
      {"requantize",
       {{"acc", FieldKind::integer},
        {"multiplier", FieldKind::int32},
        {"shift", FieldKind::int32},
        {"zero_point", FieldKind::int32},
        {"scale", FieldKind::binary32},
        {"real_multiplier", FieldKind::rational},
        {"sx", FieldKind::binary32},
        {"sw", FieldKind::binary32},
        {"sy", FieldKind::binary32},
        {"a", FieldKind::int32},
        {"b", FieldKind::int32},
        {"value", FieldKind::int32},
        {"exponent", FieldKind::int32},
        {"q", FieldKind::integer},
        {"y", FieldKind::int32}}},
      {"activation",
       {{"acc", FieldKind::integer},
        {"multiplier", FieldKind::int32},
        {"shift", FieldKind::int32},
        {"zero_point", FieldKind::int32},
        {"output_scale", FieldKind::binary32},
        {"activation", FieldKind::name},
        {"low", FieldKind::binary32},
        {"clamp_min", FieldKind::int32},
        {"clamp_max", FieldKind::int32},
        {"high", FieldKind::binary32},
        {"value", FieldKind::integer},
        {"q", FieldKind::integer}}},
      {"deployed_requantize",
       {{"acc", FieldKind::integer},
        {"bias", FieldKind::binary32},
        {"act_times_w_scale", FieldKind::binary32},
        {"c_multiplier", FieldKind::binary32},
        {"src_scale", FieldKind::binary32},  // Q20.3 OneDnn3MatmulTest
        {"wei_scale", FieldKind::binary32},
        {"dst_scale", FieldKind::binary32},
        {"fuse_relu", FieldKind::boolean},
        // Groups appended with the same bounds as earlier ones carry their own case set
        // (identify compares the groups of one type and params test by test).
        {"case_set", FieldKind::name},
        {"sx", FieldKind::binary32},
        {"sw", FieldKind::binary32},
        {"sy", FieldKind::binary32},
        {"multiplier", FieldKind::int32},
        {"shift", FieldKind::int32},
        {"zero_point", FieldKind::int32},
        // Q11.11 TvmFloatRequantizeTest
        {"input_scale", FieldKind::binary32},
        {"output_scale", FieldKind::binary32},
        {"input_zero_point", FieldKind::int32},
        // Q20.3 Binary32FloatBiasTest (bias: the binary32 field above)
        {"scale", FieldKind::binary32},
        {"q", FieldKind::integer}}},
      {"distinguish",
       {{"x", FieldKind::binary32},
        {"scale", FieldKind::binary32},
        {"zero_point", FieldKind::integer},
        {"q", FieldKind::integer},
        {"y_dtype", FieldKind::name},
        {"x_dtype", FieldKind::name},
        {"w_dtype", FieldKind::name},
        {"acc", FieldKind::integer},
        {"sx", FieldKind::binary32},
        {"sw", FieldKind::binary32},
        {"sy", FieldKind::binary32},
        {"x_values", FieldKind::integer_array},
        {"w_values", FieldKind::integer_array},
        {"x_zero_point", FieldKind::integer},
        {"w_zero_point", FieldKind::integer},
        {"bias", FieldKind::integer},
        {"bias_scale", FieldKind::binary32},
        {"bias_float", FieldKind::binary32},
        {"requant_scale", FieldKind::binary32},
        {"second_pass", FieldKind::boolean},
        {"search_pass", FieldKind::integer}}},
      {"lut",
       {{"function", FieldKind::name},
        {"alpha", FieldKind::binary32},
        {"input_scale", FieldKind::binary32},
        {"input_zero_point", FieldKind::integer},
        {"output_scale", FieldKind::binary32},
        {"output_zero_point", FieldKind::integer},
        {"table", FieldKind::integer_array}}},
      {"leaky_relu",
       {{"alpha", FieldKind::binary32},
        {"input_scale", FieldKind::binary32},
        {"input_zero_point", FieldKind::integer},
        {"output_scale", FieldKind::binary32},
        {"output_zero_point", FieldKind::integer},
        {"outputs", FieldKind::integer_array}}},
      {"hardswish",
       {{"input_scale", FieldKind::binary32},
        {"input_zero_point", FieldKind::integer},
        {"output_scale", FieldKind::binary32},
        {"output_zero_point", FieldKind::integer},
        {"outputs", FieldKind::integer_array}}},
      {"pwl",
       {{"function", FieldKind::name},
        {"input_scale", FieldKind::binary32},
        {"input_zero_point", FieldKind::integer},
        {"output_scale", FieldKind::binary32},
        {"output_zero_point", FieldKind::integer},
        {"segments", FieldKind::integer},
        {"fraction_bits", FieldKind::integer},
        {"starts", FieldKind::integer_array},
        {"intercepts", FieldKind::integer_array},
        {"slopes", FieldKind::integer_array},
        {"outputs", FieldKind::integer_array}}},
      {"table_int16",
       {{"table", FieldKind::integer_array},
        {"input", FieldKind::integer_array},
        {"outputs", FieldKind::integer_array},
        {"function", FieldKind::name},
        {"alpha", FieldKind::binary32},
        {"input_scale", FieldKind::binary32},
        {"input_zero_point", FieldKind::integer},
        {"output_scale", FieldKind::binary32},
        {"output_zero_point", FieldKind::integer}}},
      {"linear",
       {{"x_dtype", FieldKind::name},
        {"w_dtype", FieldKind::name},
        {"y_dtype", FieldKind::name},
        {"activation", FieldKind::name},
        {"m", FieldKind::integer},
        {"k", FieldKind::integer},
        {"n", FieldKind::integer},
        {"input_shape", FieldKind::size_array},
        {"filter_shape", FieldKind::size_array},
        {"stride", FieldKind::size_array},
        {"padding", FieldKind::size_array},
        {"dilation", FieldKind::size_array},
        {"x", FieldKind::integer_array},
        {"w", FieldKind::integer_array},
        {"bias", FieldKind::integer_array},
        {"x_scale", FieldKind::binary32},
        {"x_zero_point", FieldKind::integer},
        {"w_scales", FieldKind::binary32_array},
        {"w_zero_points", FieldKind::integer_array},
        {"y_scale", FieldKind::binary32},
        {"y_zero_point", FieldKind::integer},
        {"y", FieldKind::integer_array},
        {"output_shape", FieldKind::size_array}}},
      {"fake_quant",
       {{"x", FieldKind::binary32},
        {"scale", FieldKind::binary32},
        {"zero_point", FieldKind::integer},
        {"min", FieldKind::binary32},
        {"max", FieldKind::binary32},
        {"num_bits", FieldKind::integer},
        {"value", FieldKind::binary32},
        {"mask", FieldKind::boolean},
        // Q16.2 FakeQuantLearnableGradTest
        {"dy", FieldKind::binary32},
        {"zero_point_float", FieldKind::binary32},
        {"grad_factor", FieldKind::binary32},
        {"per_channel", FieldKind::boolean},
        {"grad_x", FieldKind::rational},
        {"grad_scale", FieldKind::rational},
        {"grad_zero_point", FieldKind::rational},
        // Q16.3 FakeQuantTfGradTest
        {"xs", FieldKind::binary32_array},
        {"dys", FieldKind::binary32_array},
        {"grad_xs", FieldKind::binary32_array},
        {"grad_min", FieldKind::rational},
        {"grad_max", FieldKind::rational},
        {"mins", FieldKind::binary32_array},
        {"maxs", FieldKind::binary32_array},
        {"grad_mins", FieldKind::binary32_array},
        {"grad_maxs", FieldKind::binary32_array}}},
      {"dynamic_quantize",
       {{"x", FieldKind::binary32_array},
        {"rows", FieldKind::integer},
        {"scale_floor", FieldKind::binary32},
        {"scale", FieldKind::binary32},
        {"zero_point", FieldKind::integer},
        {"scales", FieldKind::binary32_array},
        {"q", FieldKind::integer_array},
        // Q17.5 DynamicQuantizePytorchTest
        {"reduce_range", FieldKind::boolean},
        {"q_scale", FieldKind::binary64}}},
      {"dynamic_linear",
       {{"m", FieldKind::integer},
        {"k", FieldKind::integer},
        {"n", FieldKind::integer},
        {"x", FieldKind::binary32_array},
        {"w", FieldKind::integer_array},
        {"weight_scales", FieldKind::binary32_array},
        {"bias", FieldKind::binary32_array},
        {"x_scale", FieldKind::binary32},
        {"x_zero_point", FieldKind::integer},
        {"acc", FieldKind::integer_array},
        {"y", FieldKind::binary32_array}}},
      {"bn_fold",
       {{"layer", FieldKind::name},
        {"fold", FieldKind::name},
        {"out_channels", FieldKind::integer},
        {"weight", FieldKind::binary32_array},
        {"bias", FieldKind::binary32_array},
        {"mean", FieldKind::binary32_array},
        {"var", FieldKind::binary32_array},
        {"gamma", FieldKind::binary32_array},
        {"beta", FieldKind::binary32_array},
        {"eps", FieldKind::binary32},
        {"input_scale", FieldKind::binary32},
        {"folded_weight", FieldKind::binary32_array},
        {"folded_bias", FieldKind::binary32_array},
        {"weight_scales", FieldKind::binary32_array},
        {"weight_q", FieldKind::integer_array},
        {"bias_q", FieldKind::integer_array}}},
  };
  return fields;
}

bool is_integer_text(const std::string& text) {
  std::size_t i = text.size() > 0 && text[0] == '-' ? 1 : 0;
  if (i == text.size()) return false;
  for (; i < text.size(); ++i) {
    if (text[i] < '0' || text[i] > '9') return false;
  }
  return true;
}

// Integers: JSON integer or decimal string. Returns false for anything else.
bool to_integer(const Json& value, ref::Integer& out) {
  if (value.is_number_integer()) {
    out = value.is_number_unsigned() ? ref::Integer(value.get<std::uint64_t>())
                                     : ref::Integer(value.get<std::int64_t>());
    return true;
  }
  if (value.is_string() && is_integer_text(value.get<std::string>())) {
    out = ref::Integer(value.get<std::string>());
    return true;
  }
  return false;
}

// The strict hex-float grammar the generator writes, plus "inf", "-inf", "nan".
bool is_hex_float_text(const std::string& text) {
  if (text == "inf" || text == "-inf" || text == "nan" || text == "-nan") return true;
  std::size_t i = 0;
  if (i < text.size() && (text[i] == '-' || text[i] == '+')) ++i;
  if (text.compare(i, 2, "0x") != 0 && text.compare(i, 2, "0X") != 0) return false;
  i += 2;
  bool digits = false;
  while (i < text.size() && std::isxdigit(static_cast<unsigned char>(text[i]))) ++i, digits = true;
  if (i < text.size() && text[i] == '.') {
    ++i;
    while (i < text.size() && std::isxdigit(static_cast<unsigned char>(text[i]))) ++i, digits = true;
  }
  if (!digits || i >= text.size() || (text[i] != 'p' && text[i] != 'P')) return false;
  ++i;
  if (i < text.size() && (text[i] == '-' || text[i] == '+')) ++i;
  if (i >= text.size()) return false;
  while (i < text.size()) {
    if (!std::isdigit(static_cast<unsigned char>(text[i]))) return false;
    ++i;
  }
  return true;
}

std::string validate_float(const Json& value, bool binary32) {
  if (!value.is_string()) return "expected a hex-float string, got " + value.dump();
  const std::string text = value.get<std::string>();
  if (!is_hex_float_text(text)) return "not a hex-float string: \"" + text + "\"";
  if (binary32) {
    const double d = std::strtod(text.c_str(), nullptr);
    if (std::isfinite(d) && static_cast<double>(static_cast<float>(d)) != d) {
      return "\"" + text + "\" is not a binary32 value";
    }
  }
  return "";
}

std::string validate_name(const std::string& field, const Json& value) {
  if (!value.is_string()) return "expected a name string, got " + value.dump();
  const std::string text = value.get<std::string>();
  try {
    if (field == "dtype" || field == "x_dtype" || field == "w_dtype" || field == "y_dtype") {
      ref::parse_dtype(text, field);
    } else if (field == "rounding" || field == "zero_point_rounding") {
      ref::parse_rounding(text, field);
    } else if (field == "division") {
      // Q2.3's divisions, or the narrow ones of ONNX QuantizeLinear >= 21 (Q11.12).
      try {
        ref::parse_division(text, field);
      } catch (const ref::ParameterError&) {
        ref::parse_narrow_format(text, field);
      }
    } else if (field == "operand_format" && text != "binary16" && text != "bfloat16" &&
               text != "binary32") {
      return "operand_format: one of binary16 bfloat16 binary32 (got '" + text + "')";
    } else if (field == "derivation") {
      ref::parse_derivation(text, field);
    } else if (field == "variant") {
      ref::parse_requant_variant(text, field);
    } else if (field == "zero_point_entry") {
      ref::parse_zero_point_entry(text, field);
    } else if (field == "member") {
      // Q11 deployed requantization members, or TVM's float ones (Q11.11).
      try {
        ref::parse_deployed_requant(text, field);
      } catch (const ref::ParameterError&) {
        ref::parse_tvm_float_rounding(text, field);
      }
    } else if (field == "compute_dtype") {
      ref::parse_tvm_compute_dtype(text, field);
    } else if (field == "multiplier_from" && text != "binary32_scale" &&
               text != "exact_multiplier") {
      return "multiplier_from: one of binary32_scale exact_multiplier (got '" + text + "')";
    } else if (field == "order") {  // Q20.3 OneDnn3MatmulTest
      ref::parse_onednn3_order(text, field);
    } else if (field == "bias_order" && text != "divide" && text != "reciprocal") {
      return "bias_order: one of divide reciprocal (got '" + text + "')";
    } else if (field == "tflite_path" && text != "reference" && text != "neon_vcvtn" &&
               text != "neon_armv7" && text != "scalar") {
      return "tflite_path: one of reference neon_vcvtn neon_armv7 scalar (got '" + text + "')";
    } else if (field == "quantize_member" && text != "pytorch_float_qparams") {  // Q20.2
      return "quantize_member: pytorch_float_qparams (got '" + text + "')";
    } else if (field == "dequantize_member" && text != "tflite_neon_mul_add") {  // Q3.5
      return "dequantize_member: tflite_neon_mul_add (got '" + text + "')";
    } else if (field == "bias_variant" && text != "tflite_converter") {
      return "bias_variant: tflite_converter (got '" + text + "')";
    } else if (field == "activation_variant" && text != "tflite" && text != "exact") {
      return "activation_variant: one of tflite exact (got '" + text + "')";
    } else if (field == "lut_variant") {
      ref::parse_lut_variant(text, field);
    } else if (field == "function") {
      ref::parse_nonlinear_function(text, field);
    } else if (field == "fold") {
      ref::parse_bn_fold_variant(text, field);
    } else if (field == "layer") {
      ref::parse_bn_fold_layer(text, field);
    } else if (field == "scale_derivation") {  // SPEC Q20 dimensions (distinguish.json)
      ref::parse_scale_derivation(text, field);
    } else if (field == "edge_policy") {
      ref::parse_edge_policy(text, field);
    } else if (field == "left_shift_overflow") {
      ref::parse_left_shift_overflow(text, field);
    } else if (field == "pipeline" && text != "ideal" && text != "double_round" &&
               text != "single_round" && text != "rndna" && text != "fp32" && text != "fp64") {
      return "pipeline: one of ideal double_round single_round rndna fp32 fp64 (got '" + text +
             "')";
    } else if (field == "accumulation" && text != "wrap" && text != "int16_pairs") {
      return "accumulation: one of wrap int16_pairs (got '" + text + "')";
    } else if (field == "int32_overflow" && text != "wrap" && text != "saturate") {
      return "int32_overflow: one of wrap saturate (got '" + text + "')";
    } else if (field == "s32_destination") {  // SPEC Q20.7
      ref::parse_s32_destination(text, field);
    }
  } catch (const ref::ParameterError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

std::optional<FieldKind> field_kind(const std::string& algorithm, const std::string& field) {
  const auto& fields = algorithm_fields();
  auto table = fields.find(algorithm);
  if (table != fields.end()) {
    auto it = table->second.find(field);
    if (it != table->second.end()) return it->second;
  }
  auto common = common_fields().find(field);
  if (common != common_fields().end()) return common->second;
  return std::nullopt;
}

std::string validate_value(FieldKind kind, const std::string& field, const Json& value) {
  ref::Integer integer;
  switch (kind) {
    case FieldKind::binary32:
      return validate_float(value, true);
    case FieldKind::binary64:
      return validate_float(value, false);
    case FieldKind::integer:
      return to_integer(value, integer) ? "" : "expected an integer (or a decimal string), got " +
                                                   value.dump();
    case FieldKind::int32:
      if (!to_integer(value, integer)) return "expected an integer, got " + value.dump();
      return ref::fits_int32(integer) ? "" : "value out of range (int32): " + value.dump();
    case FieldKind::integer_array:
    case FieldKind::binary32_array:
    case FieldKind::size_array: {
      if (!value.is_array()) return "expected an array, got " + value.dump().substr(0, 60);
      for (std::size_t i = 0; i < value.size(); ++i) {
        std::string problem;
        if (kind == FieldKind::binary32_array) {
          problem = validate_float(value[i], true);
        } else if (!to_integer(value[i], integer)) {
          problem = "expected an integer, got " + value[i].dump();
        } else if (kind == FieldKind::size_array && integer < 0) {
          problem = "expected a non-negative integer, got " + value[i].dump();
        }
        if (!problem.empty()) return "element " + std::to_string(i) + ": " + problem;
      }
      return "";
    }
    case FieldKind::boolean:
      return value.is_boolean() ? "" : "expected true or false, got " + value.dump();
    case FieldKind::name:
      return validate_name(field, value);
    case FieldKind::rational: {
      if (!value.is_string()) return "expected a rational string \"p/q\", got " + value.dump();
      const std::string text = value.get<std::string>();
      const auto slash = text.find('/');
      const bool ok = slash == std::string::npos
                          ? is_integer_text(text)
                          : is_integer_text(text.substr(0, slash)) &&
                                is_integer_text(text.substr(slash + 1)) &&
                                text.substr(slash + 1) != "0" && text[slash + 1] != '-';
      return ok ? "" : "not a rational \"p/q\": \"" + text + "\"";
    }
    case FieldKind::error:
      return value.is_string() ? "" : "expected a string naming the rejected parameter";
  }
  return "unknown field kind";
}

bool same_value(FieldKind kind, const Json& a, const Json& b) {
  switch (kind) {
    case FieldKind::binary32:
    case FieldKind::binary64: {
      if (!a.is_string() || !b.is_string()) return false;
      const double x = std::strtod(a.get<std::string>().c_str(), nullptr);
      const double y = std::strtod(b.get<std::string>().c_str(), nullptr);
      if (std::isnan(x) || std::isnan(y)) return std::isnan(x) && std::isnan(y);
      return std::memcmp(&x, &y, sizeof x) == 0;  // -0.0 differs from +0.0
    }
    case FieldKind::integer:
    case FieldKind::int32: {
      ref::Integer x, y;
      return to_integer(a, x) && to_integer(b, y) && x == y;
    }
    case FieldKind::integer_array:
    case FieldKind::size_array:
    case FieldKind::binary32_array: {
      if (!a.is_array() || !b.is_array() || a.size() != b.size()) return false;
      const FieldKind element =
          kind == FieldKind::binary32_array ? FieldKind::binary32 : FieldKind::integer;
      for (std::size_t i = 0; i < a.size(); ++i) {
        if (!same_value(element, a[i], b[i])) return false;
      }
      return true;
    }
    case FieldKind::rational:
      return a.is_string() && b.is_string() &&
             ref::Rational(a.get<std::string>()) == ref::Rational(b.get<std::string>());
    case FieldKind::boolean:
    case FieldKind::name:
    case FieldKind::error:
      return a == b;
  }
  return false;
}

}  // namespace quantspec::vectors
