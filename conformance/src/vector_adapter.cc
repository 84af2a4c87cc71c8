// Golden vector tests -> kernel cases (see vector_adapter.hpp for what maps and why).
#include "quantspec/conformance/vector_adapter.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <limits>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <utility>

#include "quantspec/reference/activation.hpp"
#include "quantspec/reference/deployed_requantize.hpp"
#include "quantspec/reference/errors.hpp"
#include "quantspec/reference/multiplier.hpp"
#include "quantspec/reference/numbers.hpp"
#include "quantspec/reference/requantize.hpp"
#include "quantspec/reference/variants.hpp"
#include "quantspec/vectors/format.hpp"

#ifndef QUANTSPEC_VECTORS_DIR
#define QUANTSPEC_VECTORS_DIR ""
#endif

namespace quantspec::conformance {
namespace {

using vectors::Json;

// Thrown while adapting one test that the kernel ABI cannot express; `reason` is counted.
struct NotApplicable {
  std::string reason;
};

// ---- exact operands ---------------------------------------------------------------------------

std::string text_of(const Json& v) { return v.is_string() ? v.get<std::string>() : v.dump(); }

// The reader validated every operand, so a malformed one here is an adapter bug.
[[noreturn]] void bad_operand(const std::string& field, const Json& v) {
  throw std::runtime_error("vector adapter: operand " + field + " = " + text_of(v) + " is not what the format says");
}

// binary32 operand: a hex-float string ("0x1.8p-3", "-0x0p+0", "inf", "nan"); strtof is exact
// for a hex float that is a binary32 value.
float binary32_value(const Json& v, const std::string& field) {
  if (!v.is_string()) bad_operand(field, v);
  const std::string text = v.get<std::string>();
  char* end = nullptr;
  const float value = std::strtof(text.c_str(), &end);
  if (text.empty() || end != text.c_str() + text.size()) bad_operand(field, v);
  return value;
}
float binary32(const Json& ops, const std::string& field) { return binary32_value(ops.at(field), field); }

std::vector<float> binary32_array(const Json& ops, const std::string& field) {
  std::vector<float> values;
  for (const Json& v : ops.at(field)) values.push_back(binary32_value(v, field));
  return values;
}

// Integer operand (JSON number, or decimal string beyond +-2^53), exactly.
ref::Integer integer_value(const Json& v, const std::string& field) {
  if (v.is_number_unsigned()) return ref::Integer(v.get<std::uint64_t>());
  if (v.is_number_integer()) return ref::Integer(v.get<std::int64_t>());
  if (v.is_string()) return ref::parse_integer(v.get<std::string>(), field);
  bad_operand(field, v);
}

// An operand the ABI carries in an int32 field; beyond it the test is not applicable.
std::int32_t int32_value(const Json& v, const std::string& field, const std::string& why) {
  const ref::Integer value = integer_value(v, field);
  if (!ref::fits_int32(value)) throw NotApplicable{field + " beyond int32 (" + why + ")"};
  return value.convert_to<std::int32_t>();
}
std::int32_t int32_operand(const Json& ops, const std::string& field, const std::string& why) {
  return int32_value(ops.at(field), field, why);
}

std::vector<std::int32_t> int32_array(const Json& ops, const std::string& field, const std::string& why) {
  std::vector<std::int32_t> values;
  for (const Json& v : ops.at(field)) values.push_back(int32_value(v, field, why));
  return values;
}

std::string name_operand(const Json& object, const std::string& field) {
  if (!object.contains(field) || !object.at(field).is_string()) bad_operand(field, object);
  return object.at(field).get<std::string>();
}

// ---- vocabulary -> ABI selectors ----------------------------------------------------------------

std::uint32_t abi_type(const std::string& dtype) {
  if (dtype == "int8") return QS_S8;
  if (dtype == "uint8") return QS_U8;
  throw NotApplicable{"dtype " + dtype + " (the ABI carries int8/uint8)"};
}

std::uint32_t abi_rounding(const std::string& name) {
  return static_cast<std::uint32_t>(ref::parse_rounding(name));  // same order (kernel_abi.h)
}
std::uint32_t abi_division(const std::string& name) {
  return static_cast<std::uint32_t>(ref::parse_division(name));
}
std::uint32_t abi_derivation(const std::string& name) {
  return static_cast<std::uint32_t>(ref::parse_derivation(name));
}
std::uint32_t abi_entry(const std::string& name) {
  return static_cast<std::uint32_t>(ref::parse_zero_point_entry(name));
}
std::uint32_t abi_requant_variant(ref::RequantVariant v) {
  switch (v) {
    case ref::RequantVariant::ideal: return QS_REQUANT_IDEAL;
    case ref::RequantVariant::double_round: return QS_REQUANT_DOUBLE_ROUND;
    case ref::RequantVariant::single_round: return QS_REQUANT_SINGLE_ROUND;
    case ref::RequantVariant::tosa_single: return QS_REQUANT_TOSA_SINGLE;
    case ref::RequantVariant::tosa_double: return QS_REQUANT_TOSA_DOUBLE;
    case ref::RequantVariant::tosa_scale16: return QS_REQUANT_TOSA_SCALE16;
    case ref::RequantVariant::fp32: return QS_REQUANT_FP32;
    case ref::RequantVariant::rndnu: return QS_REQUANT_RNDNU;
    case ref::RequantVariant::rndna: return QS_REQUANT_RNDNA;
  }
  throw std::logic_error("unknown requantization variant");
}

// The 8-bit type whose range holds [qmin, qmax] (signed preferred), for requantize outputs.
std::uint32_t output_type_for(std::int64_t qmin, std::int64_t qmax) {
  if (qmin >= -128 && qmax <= 127) return QS_S8;
  if (qmin >= 0 && qmax <= 255) return QS_U8;
  throw NotApplicable{"output range wider than s8/u8"};
}

bool fits_type(std::int64_t v, std::uint32_t type) { return v >= type_min(type) && v <= type_max(type); }

std::vector<std::int32_t> narrow_values(const Json& ops, const std::string& field, std::uint32_t type) {
  std::vector<std::int32_t> values = int32_array(ops, field, "8-bit tensor");
  for (std::int32_t v : values) {
    if (!fits_type(v, type)) throw NotApplicable{field + " value outside the " + element_type_name(type) + " buffer"};
  }
  return values;
}

// The expected integer outputs.
std::vector<std::int64_t> expected_integers(const Json& expected, const std::string& field) {
  std::vector<std::int64_t> values;
  const Json& v = expected.at(field);
  auto one = [&](const Json& item) {
    const ref::Integer i = integer_value(item, field);
    if (i < std::numeric_limits<std::int64_t>::min() || i > std::numeric_limits<std::int64_t>::max()) bad_operand(field, item);
    values.push_back(i.convert_to<std::int64_t>());
  };
  if (v.is_array()) {
    for (const Json& item : v) one(item);
  } else {
    one(v);
  }
  return values;
}

// Invalid tests map only when the rejected parameter reaches the kernel as the vector gives it.
void require_carried(const vectors::VectorTest& test, std::initializer_list<const char*> carried) {
  if (test.result != vectors::Expectation::invalid) return;
  const std::string error = text_of(test.expected.at("error"));
  for (const char* c : carried) {
    if (error == c) return;
  }
  throw NotApplicable{"invalid " + error + " (not a parameter of the ABI call)"};
}

// Misalignment varies with the test id so the vectors also exercise unaligned pointers.
Placement placement_for(std::int64_t tc_id) {
  const auto u = static_cast<std::size_t>(tc_id < 0 ? -tc_id : tc_id);
  return {u % 3, (u / 3) % 5};
}

// ---- requantization parameters ----------------------------------------------------------------

// An exact multiplier p/q (p, q > 0 with odd parts below 2^24) as binary32 factors
// input_scale * weight_scale / output_scale; verified against the reference's exact product.
// M <= 0 keeps its sign in input_scale so the kernel sees the invalid value.
void ideal_scales_for(const ref::Rational& m, Requantization& r) {
  if (m <= 0) {
    r.input_scale = m == 0 ? 0.0f : -1.0f;
    r.weight_scales = {1.0f};
    r.output_scale = 1.0f;
    if (m < 0) {  // -|M|: keep the magnitude too when it is a simple binary32 ratio
      try {
        Requantization positive;
        ideal_scales_for(-m, positive);
        r.input_scale = -positive.input_scale;
        r.weight_scales = positive.weight_scales;
        r.output_scale = positive.output_scale;
      } catch (const NotApplicable&) {
      }
    }
    return;
  }
  ref::Integer p = boost::multiprecision::numerator(m), q = boost::multiprecision::denominator(m);
  const int p_twos = static_cast<int>(boost::multiprecision::lsb(p));
  const int q_twos = static_cast<int>(boost::multiprecision::lsb(q));
  p >>= p_twos;
  q >>= q_twos;
  const ref::Integer limit = ref::Integer(1) << 24;
  if (p >= limit || q >= limit) throw NotApplicable{"ideal multiplier not a ratio of binary32 values"};
  const int exponent = p_twos - q_twos;
  const int half = exponent / 2;
  r.input_scale = std::ldexp(static_cast<float>(p.convert_to<std::int64_t>()), half);
  r.weight_scales = {std::ldexp(1.0f, exponent - half)};
  r.output_scale = static_cast<float>(q.convert_to<std::int64_t>());
  bool exact = false;
  try {
    exact = ref::multiplier_from_scales(r.input_scale, r.weight_scales[0], r.output_scale) == m;
  } catch (const ref::ParameterError&) {
  }
  if (!exact) throw NotApplicable{"ideal multiplier not a ratio of binary32 values"};
}

// One channel's parameters derived from binary32 scales as Q7.8 does (the reference), into
// channel `c` of `r`'s arrays (ideal takes the scales themselves).
void channel_from_scales(ref::RequantVariant variant, ref::Derivation derivation, float sx, float sw, float sy,
                         std::int32_t zy, std::int32_t qmin, std::int32_t qmax, std::size_t c, Requantization& r) {
  if (variant == ref::RequantVariant::ideal) {
    r.input_scale = sx;
    r.output_scale = sy;
    r.weight_scales[c] = sw;
    return;
  }
  ref::RequantizeParams p;
  try {
    p = ref::requantize_params_from_scales(variant, sx, sw, sy, zy, qmin, qmax, derivation);
  } catch (const ref::ParameterError& e) {
    throw NotApplicable{"parameters from scales rejected (" + e.parameter() + "): never reach a kernel"};
  }
  if (variant == ref::RequantVariant::fp32) {
    r.scales[c] = p.scale;
  } else {
    r.multipliers[c] = p.multiplier;
    r.shifts[c] = p.shift;
  }
}

Requantization requantization_shell(ref::RequantVariant variant, std::size_t channels) {
  Requantization r;
  r.variant = abi_requant_variant(variant);
  r.derivation = (variant == ref::RequantVariant::rndnu || variant == ref::RequantVariant::rndna) ? QS_DERIVE_RNDNU
                                                                                                  : QS_DERIVE_TFLITE;
  r.multipliers.assign(channels, 0);
  r.shifts.assign(channels, 0);
  r.scales.assign(channels, 1.0f);
  r.weight_scales.assign(channels, 1.0f);
  return r;
}

// ---- one function per family --------------------------------------------------------------------

struct Adapted {
  std::string label;
  VectorTest test;
};

// A mapped test whose expected output is the vector's integer field `field` (when the vector
// expects a result at all).
template <class Case>
Adapted with_integer_result(std::string label, Case c, const vectors::VectorTest& t, const char* field) {
  Adapted a{std::move(label), {}};
  a.test.kernel_case = std::move(c);
  if (t.result == vectors::Expectation::valid) a.test.expected = expected_integers(t.expected, field);
  return a;
}

// The (division, rounding) of a quantize group, when the ABI has a selector for it: QuantizeTest
// groups name them; SPEC Q11.9's TFLite paths are members of Q2.3 except the 32-bit Arm one;
// Q11.12's groups with a binary32 division are Q2.3 members, the narrow divisions are not.
std::pair<std::string, std::string> quantize_selectors(const vectors::TestGroup& g) {
  if (g.type == "QuantizeTest") return {name_operand(g.variant, "division"), name_operand(g.variant, "rounding")};
  if (g.type == "TfliteQuantizeTest") {
    const std::string path = name_operand(g.variant, "tflite_path");
    if (path == "reference") return {"f32_divide", "half_away"};
    if (path == "neon_vcvtn") return {"f32_reciprocal", "half_even"};
    if (path == "scalar") return {"exact", "half_away"};
    throw NotApplicable{"TFLite path " + path + " (SPEC Q11.9 member without an ABI selector)"};
  }
  if (g.type == "NarrowDivideQuantizeTest") {
    const std::string division = name_operand(g.variant, "division");
    if (division == "f32_divide") return {division, name_operand(g.variant, "rounding")};
    throw NotApplicable{"division " + division + " (SPEC Q11.12 narrow division: no ABI selector)"};
  }
  if (g.type == "PytorchFloatQparamsTest") {
    throw NotApplicable{"float zero point (SPEC Q20.2 PyTorch float qparams): the ABI's zero point is int32"};
  }
  throw NotApplicable{g.type + " (not an ABI operation)"};
}

Adapted adapt_quantize(const vectors::TestGroup& g, const vectors::VectorTest& t, const Json& ops) {
  const auto [division, rounding] = quantize_selectors(g);
  QuantizeCase c;
  c.output_type = abi_type(name_operand(ops, "dtype"));
  c.division = abi_division(division);
  c.rounding = abi_rounding(rounding);
  c.qmin = int32_operand(ops, "qmin", "grid");
  c.qmax = int32_operand(ops, "qmax", "grid");
  c.scales = {binary32(ops, "scale")};
  c.zero_points = {int32_operand(ops, "zero_point", "int32 zero point")};
  c.input = {binary32(ops, "x")};
  c.placement = placement_for(t.tc_id);
  require_carried(t, {"scale", "zero_point"});
  return with_integer_result("quantize " + division + " " + rounding, c, t, "q");
}

Adapted adapt_dequantize(const vectors::TestGroup& g, const vectors::VectorTest& t, const Json& ops) {
  if (g.type != "DequantizeTest") throw NotApplicable{g.type + " (not an ABI operation)"};
  DequantizeCase c;
  c.input_type = abi_type(name_operand(ops, "dtype"));
  c.scales = {binary32(ops, "scale")};
  c.zero_points = {int32_operand(ops, "zero_point", "int32 zero point")};
  c.input = {int32_operand(ops, "q", "8-bit input")};
  if (!fits_type(c.input[0], c.input_type)) throw NotApplicable{"q outside the 8-bit buffer"};
  c.placement = placement_for(t.tc_id);
  // The ABI's dequantize has no qmin/qmax: a narrow-range "q = -128" cannot be rejected by it.
  require_carried(t, {"scale", "zero_point"});
  Adapted a{"dequantize", {}};
  a.test.kernel_case = c;
  if (t.result == vectors::Expectation::valid) a.test.expected_binary32 = {binary32(t.expected, "x")};
  return a;
}

// One accumulator requantized to the vector's [qmin, qmax] (its 8-bit type); the
// requantization fields are the caller's.
RequantizeCase one_accumulator_case(const vectors::VectorTest& t, const Json& ops) {
  RequantizeCase c;
  c.qmin = int32_operand(ops, "qmin", "output grid");
  c.qmax = int32_operand(ops, "qmax", "output grid");
  c.output_type = output_type_for(c.qmin, c.qmax);
  c.input = {int32_operand(ops, "acc", "the ABI's accumulator is int32")};
  c.placement = placement_for(t.tc_id);
  return c;
}

std::string requant_label(std::uint32_t variant, std::uint32_t rounding, std::uint32_t entry) {
  std::string label = "requantize " + requant_variant_name(variant);
  if (variant == QS_REQUANT_IDEAL) label += " " + rounding_name(rounding);
  if (entry == QS_ZP_BEFORE_ROUNDING) label += " before_rounding";
  return label;
}

Adapted adapt_requantize(const vectors::TestGroup& g, const vectors::VectorTest& t, const Json& ops) {
  if (g.type == "SrdhmTest" || g.type == "RoundingDivideByPotTest") {
    throw NotApplicable{"gemmlowp primitive (not an ABI operation)"};
  }
  const ref::RequantVariant variant = ref::parse_requant_variant(name_operand(g.variant, "variant"));
  RequantizeCase c = one_accumulator_case(t, ops);
  Requantization r = requantization_shell(variant, 1);
  r.output_zero_point = int32_operand(ops, "zero_point", "int32 zero point");
  if (g.variant.contains("rounding")) r.rounding = abi_rounding(name_operand(g.variant, "rounding"));
  if (g.variant.contains("zero_point_entry")) r.zero_point_entry = abi_entry(name_operand(g.variant, "zero_point_entry"));
  if (g.variant.contains("derivation")) r.derivation = abi_derivation(name_operand(g.variant, "derivation"));
  if (g.type == "RequantizeQ31Test" || g.type == "RequantizeTosaTest") {
    r.multipliers = {int32_operand(ops, "multiplier", "int32 multiplier")};
    r.shifts = {int32_operand(ops, "shift", "int32 shift")};
    require_carried(t, {"multiplier", "shift", "zero_point", "acc"});
  } else if (g.type == "RequantizeIdealTest") {
    const std::string text = text_of(ops.at("real_multiplier"));
    const auto slash = text.find('/');
    ref::Rational m = ref::parse_integer(text.substr(0, slash), "real_multiplier");
    if (slash != std::string::npos) m /= ref::parse_integer(text.substr(slash + 1), "real_multiplier");
    ideal_scales_for(m, r);
    require_carried(t, {"real_multiplier", "zero_point"});
  } else if (g.type == "RequantizeFp32Test") {
    r.scales = {binary32(ops, "scale")};
    require_carried(t, {"scale", "zero_point"});
  } else if (g.type == "RequantizeFromScalesTest") {
    const ref::Derivation derivation =
        g.variant.contains("derivation") ? ref::parse_derivation(name_operand(g.variant, "derivation")) : ref::Derivation::tflite;
    channel_from_scales(variant, derivation, binary32(ops, "sx"), binary32(ops, "sw"), binary32(ops, "sy"),
                        r.output_zero_point, c.qmin, c.qmax, 0, r);
    // Only ideal hands sx, sw, sy to the kernel; the others see derived pairs.
    if (variant == ref::RequantVariant::ideal) {
      require_carried(t, {"sx", "sw", "sy", "zero_point", "acc"});
    } else {
      require_carried(t, {"zero_point", "acc"});
    }
  } else {
    throw NotApplicable{g.type + " (not an ABI operation)"};
  }
  c.requant = r;
  return with_integer_result(requant_label(r.variant, r.rounding, r.zero_point_entry), c, t, "q");
}

// SPEC Q11 (vectors/deployed_requantize.json): the members with an ABI selector (Q11.1, Q11.2,
// Q11.8) and Q11.4's double_round on parameters derived from scales map onto requantize; the
// float pipelines (Q11.10, Q11.11, Q20.3's binary32 bias) have no selector.
Adapted adapt_deployed_requantize(const vectors::TestGroup& g, const vectors::VectorTest& t, const Json& ops) {
  if (g.type == "FbgemmFloatBiasTest" || g.type == "Binary32FloatBiasTest") {
    throw NotApplicable{"float bias (SPEC Q11.10, Q20.3): the ABI's bias is int32"};
  }
  if (g.type == "OneDnn3MatmulTest") {
    throw NotApplicable{"oneDNN 3.x per-argument scales and float bias (SPEC Q20.3): no ABI selector"};
  }
  if (g.type == "TvmFloatRequantizeTest") {
    throw NotApplicable{"TVM float qnn.requantize (SPEC Q11.11): no ABI selector"};
  }
  RequantizeCase c = one_accumulator_case(t, ops);
  Requantization r = requantization_shell(ref::RequantVariant::double_round, 1);
  r.output_zero_point = int32_operand(ops, "zero_point", "int32 zero point");
  std::string label;
  if (g.type == "DeployedRequantizeTest") {
    const ref::DeployedRequant member = ref::parse_deployed_requant(name_operand(g.variant, "member"));
    r.variant = member == ref::DeployedRequant::neon_double_round ? QS_REQUANT_NEON_DOUBLE_ROUND
                : member == ref::DeployedRequant::int16x8_int64   ? QS_REQUANT_INT16X8_INT64
                                                                  : QS_REQUANT_RNDNU16;
    r.derivation = member == ref::DeployedRequant::rndnu16 ? QS_DERIVE_RNDNU : QS_DERIVE_TFLITE;
    r.multipliers = {int32_operand(ops, "multiplier", "int32 multiplier")};
    r.shifts = {int32_operand(ops, "shift", "int32 shift")};
    require_carried(t, {"multiplier", "shift", "zero_point"});
    label = requant_label(r.variant, r.rounding, r.zero_point_entry);
  } else if (g.type == "DoubleRoundFromScalesTest") {
    // The kernel sees the pair each derivation gives (Q11.4: from fl32(fl32(Sx*Sw)/Sy); Q6.3:
    // TFLite's from the exact M), not the scales.
    const float sx = binary32(ops, "sx"), sw = binary32(ops, "sw"), sy = binary32(ops, "sy");
    const bool from_binary32_scale = name_operand(g.variant, "multiplier_from") == "binary32_scale";
    ref::RequantizeParams p;
    try {
      p = from_binary32_scale
              ? ref::double_round_params_from_binary32_scale(sx, sw, sy, r.output_zero_point, c.qmin, c.qmax)
              : ref::requantize_params_from_scales(ref::RequantVariant::double_round, sx, sw, sy, r.output_zero_point,
                                                   c.qmin, c.qmax, ref::Derivation::tflite);
    } catch (const ref::ParameterError& e) {
      throw NotApplicable{"parameters from scales rejected (" + e.parameter() + "): never reach a kernel"};
    }
    r.derivation = abi_derivation(name_operand(g.variant, "derivation"));
    r.multipliers = {p.multiplier};
    r.shifts = {p.shift};
    require_carried(t, {"zero_point"});
    label = requant_label(r.variant, r.rounding, r.zero_point_entry) +
            (from_binary32_scale ? " (SPEC Q11.4: pair from the binary32 scale)" : " (SPEC Q6.3: pair from the exact M)");
  } else {
    throw NotApplicable{g.type + " (not an ABI operation)"};
  }
  c.requant = r;
  return with_integer_result(label, c, t, "q");
}

Adapted adapt_accumulate(const vectors::TestGroup& g, const vectors::VectorTest& t, const Json& ops) {
  if (g.type != "AccumulateTest") throw NotApplicable{g.type + " (not an ABI operation)"};
  GemmCase c;
  c.a_type = abi_type(name_operand(ops, "x_dtype"));
  if (name_operand(ops, "w_dtype") != "int8") throw NotApplicable{"dtype " + name_operand(ops, "w_dtype") + " weights (the ABI's W is int8)"};
  require_carried(t, {"x_zero_point", "w_zero_point"});
  c.a = narrow_values(ops, "x", c.a_type);
  c.w = narrow_values(ops, "w", QS_S8);
  if (c.a.size() != c.w.size()) throw NotApplicable{"x and w lengths differ (one K in the ABI)"};
  c.a_zero_point = int32_operand(ops, "x_zero_point", "int32 zero point");
  c.w_zero_points = {int32_operand(ops, "w_zero_point", "int32 zero point")};
  c.bias = {int32_operand(ops, "bias", "int32 bias")};
  c.m = 1;
  c.n = 1;
  c.k = c.a.size();
  c.a_stride = c.w_stride = c.k;
  c.out_stride = 1;
  c.placement = placement_for(t.tc_id);
  return with_integer_result("accumulate (gemm 1x1)", c, t, "acc");
}

std::vector<std::size_t> sizes(const Json& ops, const std::string& field) {
  std::vector<std::size_t> values;
  for (const Json& v : ops.at(field)) values.push_back(v.get<std::size_t>());
  return values;
}
std::vector<std::int64_t> int64s(const Json& ops, const std::string& field) {
  std::vector<std::int64_t> values;
  for (const Json& v : ops.at(field)) values.push_back(v.get<std::int64_t>());
  return values;
}

// Conv2D as a fully connected layer: one row of A per output pixel, holding the receptive field
// in OHWI order (kh, kw, ic), padded positions = Zx (they add (Zx - Zx) * w = 0 to Acc).
void lower_conv2d(const Json& ops, GemmCase& g, std::size_t& rows, std::size_t& k, std::size_t& n) {
  const auto in = sizes(ops, "input_shape");      // N H W C
  const auto filter = sizes(ops, "filter_shape");  // O KH KW I
  const auto out = sizes(ops, "output_shape");     // N OH OW O
  const auto stride = int64s(ops, "stride"), padding = int64s(ops, "padding"), dilation = int64s(ops, "dilation");
  if (in.size() != 4 || filter.size() != 4 || out.size() != 4 || stride.size() != 2 || padding.size() != 4 ||
      dilation.size() != 2 || filter[3] != in[3] || out[3] != filter[0] || out[0] != in[0]) {
    throw NotApplicable{"convolution geometry not lowerable"};
  }
  for (int axis = 0; axis < 2; ++axis) {
    const std::int64_t size = static_cast<std::int64_t>(in[1 + axis]) + padding[2 * axis] + padding[2 * axis + 1];
    const std::int64_t span = dilation[axis] * (static_cast<std::int64_t>(filter[1 + axis]) - 1) + 1;
    if (stride[axis] < 1 || size < span || static_cast<std::size_t>((size - span) / stride[axis] + 1) != out[1 + axis]) {
      throw NotApplicable{"convolution geometry not lowerable"};
    }
  }
  const std::vector<std::int32_t> x = g.a;
  rows = out[0] * out[1] * out[2];
  k = filter[1] * filter[2] * filter[3];
  n = filter[0];
  g.a.assign(rows * k, g.a_zero_point);
  std::size_t row = 0;
  for (std::size_t b = 0; b < out[0]; ++b) {
    for (std::size_t oh = 0; oh < out[1]; ++oh) {
      for (std::size_t ow = 0; ow < out[2]; ++ow, ++row) {
        for (std::size_t kh = 0; kh < filter[1]; ++kh) {
          for (std::size_t kw = 0; kw < filter[2]; ++kw) {
            const std::int64_t ih = static_cast<std::int64_t>(oh) * stride[0] - padding[0] + static_cast<std::int64_t>(kh) * dilation[0];
            const std::int64_t iw = static_cast<std::int64_t>(ow) * stride[1] - padding[2] + static_cast<std::int64_t>(kw) * dilation[1];
            if (ih < 0 || iw < 0 || ih >= static_cast<std::int64_t>(in[1]) || iw >= static_cast<std::int64_t>(in[2])) continue;
            for (std::size_t ic = 0; ic < in[3]; ++ic) {
              g.a[row * k + (kh * filter[2] + kw) * in[3] + ic] =
                  x.at(((b * in[1] + static_cast<std::size_t>(ih)) * in[2] + static_cast<std::size_t>(iw)) * in[3] + ic);
            }
          }
        }
      }
    }
  }
}

Adapted adapt_linear(const vectors::TestGroup& g, const vectors::VectorTest& t, const Json& ops) {
  if (g.type != "FullyConnectedTest" && g.type != "Conv2DTest") throw NotApplicable{g.type + " (not an ABI operation)"};
  require_carried(t, {});
  LinearCase c;
  c.gemm.a_type = abi_type(name_operand(ops, "x_dtype"));
  if (name_operand(ops, "w_dtype") != "int8") throw NotApplicable{"dtype " + name_operand(ops, "w_dtype") + " weights (the ABI's W is int8)"};
  c.output_type = abi_type(name_operand(ops, "y_dtype"));
  c.gemm.a_zero_point = int32_operand(ops, "x_zero_point", "int32 zero point");
  c.gemm.a = narrow_values(ops, "x", c.gemm.a_type);
  c.gemm.w = narrow_values(ops, "w", QS_S8);
  std::size_t m = 0, k = 0, n = 0;
  if (g.type == "Conv2DTest") {
    lower_conv2d(ops, c.gemm, m, k, n);
  } else {
    m = ops.at("m").get<std::size_t>();
    k = ops.at("k").get<std::size_t>();
    n = ops.at("n").get<std::size_t>();
  }
  if (c.gemm.a.size() != m * k || c.gemm.w.size() != n * k) throw NotApplicable{"tensor sizes do not match m, k, n"};
  c.gemm.m = m;
  c.gemm.n = n;
  c.gemm.k = k;
  c.gemm.a_stride = c.gemm.w_stride = k;
  c.gemm.out_stride = n;
  c.gemm.bias = int32_array(ops, "bias", "int32 bias");
  if (c.gemm.bias.empty()) c.gemm.bias.assign(n, 0);
  c.gemm.w_zero_points = int32_array(ops, "w_zero_points", "int32 zero point");
  c.gemm.w_zero_point_per_channel = c.gemm.w_zero_points.size() > 1;
  const std::vector<float> w_scales = binary32_array(ops, "w_scales");
  if (c.gemm.bias.size() != n || (c.gemm.w_zero_points.size() != 1 && c.gemm.w_zero_points.size() != n) ||
      (w_scales.size() != 1 && w_scales.size() != n)) {
    throw NotApplicable{"per-channel arrays do not match n"};
  }
  c.gemm.placement = placement_for(t.tc_id);

  const ref::RequantVariant variant = ref::parse_requant_variant(name_operand(g.variant, "variant"));
  const ref::Derivation derivation = ref::parse_derivation(name_operand(g.variant, "derivation"));
  const float x_scale = binary32(ops, "x_scale"), y_scale = binary32(ops, "y_scale");
  const std::int32_t y_zero_point = int32_operand(ops, "y_zero_point", "int32 zero point");
  const std::int32_t qmin = type_min(c.output_type), qmax = type_max(c.output_type);
  c.per_channel = w_scales.size() > 1;
  Requantization r = requantization_shell(variant, w_scales.size());
  r.derivation = abi_derivation(name_operand(g.variant, "derivation"));
  r.output_zero_point = y_zero_point;
  for (std::size_t ch = 0; ch < w_scales.size(); ++ch) {
    channel_from_scales(variant, derivation, x_scale, w_scales[ch], y_scale, y_zero_point, qmin, qmax, ch, r);
  }
  c.requant = r;
  // Q8: the caller folds the fused activation into [act_min, act_max] (TFLite's rounding).
  const ref::ActivationBounds bounds = ref::activation_bounds(ref::parse_activation(name_operand(ops, "activation")),
                                                              ref::OutputGrid{y_scale, y_zero_point, qmin, qmax});
  c.act_min = bounds.lo;
  c.act_max = bounds.hi;
  Adapted a{"linear " + requant_variant_name(r.variant), {}};
  a.test.kernel_case = c;
  a.test.expected = expected_integers(t.expected, "y");
  return a;
}

// dynamic_linear.json (Q17.6, PyTorch qnnpack) onto the ABI's dynamic_linear with PYTORCH_U8:
// Q17.7 equals Q17.6 wherever Q17.6 accepts the input. A per-tensor weight scale is given to
// the ABI as N copies (its weight_scales is [N]).
Adapted adapt_dynamic_linear(const vectors::TestGroup& g, const vectors::VectorTest& t, const Json& ops) {
  if (g.type != "DynamicLinearTest") throw NotApplicable{g.type + " (not an ABI operation)"};
  if (name_operand(g.variant, "dynamic_linear") != "pytorch_qnnpack") {
    throw NotApplicable{"dynamic_linear variant " + name_operand(g.variant, "dynamic_linear") + " (no ABI selector)"};
  }
  DynamicLinearCase c;
  c.variant = QS_DYN_PYTORCH_U8;
  c.reduce_range = ops.contains("reduce_range") && ops.at("reduce_range").get<bool>();  // qnnpack: absent, off
  c.m = ops.at("m").get<std::size_t>();
  c.k = ops.at("k").get<std::size_t>();
  c.n = ops.at("n").get<std::size_t>();
  c.x = binary32_array(ops, "x");
  c.w = narrow_values(ops, "w", QS_S8);
  const std::vector<float> scales = binary32_array(ops, "weight_scales");
  if (ops.contains("bias")) c.bias = binary32_array(ops, "bias");
  c.x_stride = c.w_stride = c.k;
  c.out_stride = c.n;
  c.placement = placement_for(t.tc_id);
  // The ABI carries no element counts: x is m x k, w n x k, weight_scales and bias [n].
  if (c.x.size() != c.m * c.k || c.w.size() != c.n * c.k) throw NotApplicable{"tensor sizes do not match m, k, n"};
  if (scales.size() != 1 && scales.size() != c.n) throw NotApplicable{"weight_scales count neither 1 nor n"};
  if (!c.bias.empty() && c.bias.size() != c.n) throw NotApplicable{"bias count not n"};
  c.weight_scales = scales.size() == 1 ? std::vector<float>(c.n, scales[0]) : scales;
  if (t.result == vectors::Expectation::invalid) {
    const std::string error = text_of(t.expected.at("error"));
    const bool bad_scale = std::any_of(c.weight_scales.begin(), c.weight_scales.end(),
                                       [](float s) { return !std::isfinite(s) || !(s > 0.0f); });
    if (error == "weight_scales" && !bad_scale) {
      // Q17.6 step 2: PyTorch rejects a D[n] that is not a normal binary32; Q17.7 does not.
      throw NotApplicable{"invalid weight_scales (a D[n] below the normal range: PyTorch's check, not Q17.7's)"};
    }
    require_carried(t, {"m", "k", "n", "x", "weight_scales", "bias"});
  }
  Adapted a{std::string("dynamic_linear pytorch_u8") + (c.reduce_range ? " reduce_range" : ""), {}};
  a.test.kernel_case = c;
  if (t.result == vectors::Expectation::valid) a.test.expected_binary32 = binary32_array(t.expected, "y");
  return a;
}

// Families that are no kernel operation at all.
std::optional<std::string> whole_family_reason(const std::string& family) {
  if (family == "quant_params") return "calibration (scale, zero point from a range): not an ABI operation";
  if (family == "bias") return "bias quantization: not an ABI operation";
  if (family == "multiplier") return "multiplier derivation: kernels receive derived pairs";
  if (family == "activation") return "activation bounds: the ABI receives the folded [act_min, act_max]";
  return std::nullopt;
}

int family_rank(const std::string& family) {
  static const std::vector<std::string> order = {"quantize",   "dequantize", "requantize",    "deployed_requantize",
                                                 "accumulate", "linear",     "dynamic_linear"};
  const auto it = std::find(order.begin(), order.end(), family);
  return static_cast<int>(it - order.begin());
}

std::string file_name(const std::string& path) { return std::filesystem::path(path).filename().string(); }

}  // namespace

std::size_t GoldenVectorCount::not_applicable_total() const {
  std::size_t total = 0;
  for (const auto& [reason, count] : not_applicable) total += count;
  return total;
}

std::size_t GoldenVectors::mapped() const {
  std::size_t total = 0;
  for (const GoldenVectorCount& c : counts) total += c.mapped;
  return total;
}

const GoldenVectorCount* GoldenVectors::count(const std::string& family) const {
  for (const GoldenVectorCount& c : counts) {
    if (c.family == family) return &c;
  }
  return nullptr;
}

GoldenVectors load_golden_vectors(const std::string& file_or_directory) {
  std::vector<vectors::VectorFile> files;
  try {
    files = vectors::read_vectors(file_or_directory);
  } catch (const vectors::FormatError& e) {
    throw std::runtime_error(std::string("golden vectors: ") + e.what());
  }
  GoldenVectors result;
  result.source = file_or_directory;
  for (const vectors::VectorFile& file : files) {
    GoldenVectorCount count;
    count.family = file.algorithm;
    const std::optional<std::string> whole = whole_family_reason(file.algorithm);
    for (const vectors::TestGroup& group : file.groups) {
      for (const vectors::VectorTest& test : group.tests) {
        ++count.tests;
        if (whole) {
          ++count.not_applicable[*whole];
          continue;
        }
        const std::string id = file_name(file.path) + " tcId " + std::to_string(test.tc_id);
        try {
          const Json ops = group.operands(test);
          Adapted a;
          if (file.algorithm == "quantize") {
            a = adapt_quantize(group, test, ops);
          } else if (file.algorithm == "dequantize") {
            a = adapt_dequantize(group, test, ops);
          } else if (file.algorithm == "requantize") {
            a = adapt_requantize(group, test, ops);
          } else if (file.algorithm == "deployed_requantize") {
            a = adapt_deployed_requantize(group, test, ops);
          } else if (file.algorithm == "accumulate") {
            a = adapt_accumulate(group, test, ops);
          } else if (file.algorithm == "linear") {
            a = adapt_linear(group, test, ops);
          } else if (file.algorithm == "dynamic_linear") {
            a = adapt_dynamic_linear(group, test, ops);
          } else {
            throw NotApplicable{"family without an ABI mapping"};
          }
          a.test.id = id + " (" + test.comment + ")";
          a.test.flags = test.flags;
          a.test.valid = test.result == vectors::Expectation::valid;
          auto row = std::find_if(result.rows.begin(), result.rows.end(),
                                  [&](const GoldenVectorRow& r) { return r.label == a.label; });
          if (row == result.rows.end()) {
            result.rows.push_back({file.algorithm, a.label, {}});
            row = result.rows.end() - 1;
          }
          row->tests.push_back(std::move(a.test));
          ++count.mapped;
        } catch (const NotApplicable& na) {
          ++count.not_applicable[na.reason];
        } catch (const std::exception& e) {
          throw std::runtime_error("golden vectors: " + id + ": cannot adapt: " + e.what());
        }
      }
    }
    result.counts.push_back(std::move(count));
  }
  std::stable_sort(result.rows.begin(), result.rows.end(), [](const GoldenVectorRow& a, const GoldenVectorRow& b) {
    return family_rank(a.family) < family_rank(b.family);
  });
  return result;
}

std::string default_golden_vectors_dir() {
  const char* env = std::getenv("QUANTSPEC_VECTORS_DIR");
  if (env != nullptr && *env != '\0') return env;
  return QUANTSPEC_VECTORS_DIR;
}

std::string describe_counts(const GoldenVectors& vectors) {
  std::ostringstream text;
  for (const GoldenVectorCount& c : vectors.counts) {
    text << "  " << c.family << ": " << c.mapped << " mapped, " << c.not_applicable_total() << " not applicable";
    if (!c.not_applicable.empty()) {
      text << " (";
      bool first = true;
      for (const auto& [reason, n] : c.not_applicable) {
        text << (first ? "" : "; ") << reason << ": " << n;
        first = false;
      }
      text << ")";
    }
    text << "\n";
  }
  return text.str();
}

}  // namespace quantspec::conformance
