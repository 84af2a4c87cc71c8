// SPEC Q20: the operation models of the distinguish family (dimensions, members, predictions
// by the reference). Each prediction calls the reference function that defines the member.
#include "dimensions.hpp"

#include <cstdint>
#include <cstring>
#include <limits>
#include <map>
#include <mutex>
#include <optional>
#include <tuple>
#include <unordered_map>

#include "quantspec/reference/binary32_requantize.hpp"
#include "quantspec/reference/deployed_accumulate.hpp"
#include "quantspec/reference/s32_destination.hpp"
#include "quantspec/reference/deployed_requantize.hpp"
#include "quantspec/reference/deployed_quantize.hpp"
#include "quantspec/reference/edge_policy.hpp"
#include "quantspec/reference/errors.hpp"
#include "quantspec/reference/multiplier.hpp"
#include "quantspec/reference/requantize.hpp"
#include "quantspec/vectors/fields.hpp"

namespace quantspec::vectors {
namespace {

using ref::Integer;

float binary32_operand(const Json& operands, const char* field) {
  return ref::parse_binary32(operands.at(field).get<std::string>(), field);
}

std::uint32_t bits32(float value) {
  std::uint32_t bits;
  std::memcpy(&bits, &value, sizeof bits);
  return bits;
}

std::uint64_t bits64(double value) {
  std::uint64_t bits;
  std::memcpy(&bits, &value, sizeof bits);
  return bits;
}

Integer integer_operand(const Json& operands, const char* field) {
  const Json& v = operands.at(field);
  if (v.is_string()) return ref::parse_integer(v.get<std::string>(), field);
  return Integer(v.get<std::int64_t>());
}

std::vector<std::int64_t> integer_array(const Json& operands, const char* field) {
  std::vector<std::int64_t> values;
  for (const Json& v : operands.at(field)) values.push_back(v.get<std::int64_t>());
  return values;
}

Json encode_integer(const Integer& value) {
  if (value >= -(Integer(1) << 53) && value <= (Integer(1) << 53)) {
    return Json(value.convert_to<std::int64_t>());
  }
  return Json(value.str());
}

template <typename Compute>
Json guarded(const char* key, Compute&& compute) {
  try {
    Json out = Json::object();
    out[key] = encode_integer(compute());
    return out;
  } catch (const ref::ParameterError& e) {
    return Json{{"error", e.parameter()}};
  }
}

std::vector<std::string> names_of_roundings() {
  std::vector<std::string> out;
  for (auto r : ref::all_roundings()) out.emplace_back(ref::name(r));
  return out;
}

// ---------------------------------------------------------------- quantize (Q2, Q10, Q20.2)
class QuantizeModel final : public OperationModel {
 public:
  std::string operation() const override { return "quantize"; }
  std::string group_type() const override { return "DistinguishQuantizeTest"; }
  std::vector<Dimension> dimensions() const override {
    std::vector<std::string> divisions, entries, policies;
    for (auto d : ref::all_divisions()) divisions.emplace_back(ref::name(d));
    for (auto e : ref::all_zero_point_entries()) entries.emplace_back(ref::name(e));
    for (auto p : ref::all_edge_policies()) policies.emplace_back(ref::name(p));
    return {{"division", divisions, "exact", false},
            {"rounding", names_of_roundings(), "half_even", false},
            {"zero_point_entry", entries, "after_rounding", false},
            {"edge_policy", policies, "spec", true}};
  }
  std::vector<Assignment> combinations(bool include_policy) const override {
    std::vector<Assignment> out;
    const auto dims = dimensions();
    for (const auto& d : dims[0].members)
      for (const auto& r : dims[1].members)
        for (const auto& e : dims[2].members)
          for (const auto& p : dims[3].members) {
            if (!include_policy && p != dims[3].base) continue;
            out.push_back({d, r, e, p});
          }
    return out;
  }
  Assignment base() const override { return {"exact", "half_even", "after_rounding", "spec"}; }
  std::vector<Json> predict(const Json& operands,
                            const std::vector<Assignment>& assignments) const override {
    std::vector<Json> out;
    const float x = binary32_operand(operands, "x");
    for (const Assignment& a : assignments) {
      out.push_back(guarded("q", [&] {
        ref::QuantizeParams p;
        p.scale = binary32_operand(operands, "scale");
        p.zero_point = integer_operand(operands, "zero_point").convert_to<std::int64_t>();
        p.qmin = integer_operand(operands, "qmin").convert_to<std::int64_t>();
        p.qmax = integer_operand(operands, "qmax").convert_to<std::int64_t>();
        p.division = ref::parse_division(a[0]);
        p.rounding = ref::parse_rounding(a[1]);
        const auto entry = ref::parse_zero_point_entry(a[2]);
        const auto policy = ref::parse_edge_policy(a[3]);
        // Q10: an edge policy changes only the edge inputs, where quantize's result under the
        // policy differs from Q2.4; there the entry of Z does not matter (NaN, inf, huge t).
        if (policy != ref::EdgePolicy::spec) {
          const Integer edge = ref::quantize_with_edge_policy(x, p, policy);
          if (edge != ref::quantize(x, p)) return edge;
        }
        return ref::quantize_with_zero_point_entry(x, p, entry);
      }));
    }
    return out;
  }
};

// ------------------------------------------------------- requantize (Q6.8, Q7, Q20.3)
struct RequantizeInputs {
  Integer acc;
  float sx, sw, sy;
  std::int32_t zero_point, qmin, qmax;
};

RequantizeInputs requantize_inputs(const Json& operands) {
  RequantizeInputs in;
  in.sx = binary32_operand(operands, "sx");
  in.sw = binary32_operand(operands, "sw");
  in.sy = binary32_operand(operands, "sy");
  in.zero_point = integer_operand(operands, "zero_point").convert_to<std::int32_t>();
  in.qmin = integer_operand(operands, "qmin").convert_to<std::int32_t>();
  in.qmax = integer_operand(operands, "qmax").convert_to<std::int32_t>();
  return in;
}

// Dimensions: pipeline, rounding, zero_point_entry, scale_derivation, left_shift_overflow.
std::vector<Dimension> requantize_dimensions() {
  std::vector<std::string> derivations;
  for (auto d : ref::all_scale_derivations()) derivations.emplace_back(ref::name(d));
  return {{"pipeline", {"ideal", "double_round", "single_round", "rndna", "fp32", "fp64", "neon_double_round"},
           "fp32", false},
          {"rounding", names_of_roundings(), "half_even", false},
          {"zero_point_entry", {"after_rounding", "before_rounding"}, "after_rounding", false},
          {"scale_derivation", derivations, "f32_product_divide", false},
          {"left_shift_overflow", {"saturate", "wrap"}, "saturate", true}};
}

std::vector<Assignment> requantize_combinations(bool include_policy) {
  std::vector<Assignment> out;
  const auto dims = requantize_dimensions();
  for (const auto& pipeline : dims[0].members) {
    const bool rounds = pipeline == "ideal" || pipeline == "fp32" || pipeline == "fp64";
    for (const auto& derivation : dims[3].members) {
      if (rounds) {
        for (const auto& r : dims[1].members)
          for (const auto& e : dims[2].members) out.push_back({pipeline, r, e, derivation, ""});
      } else if (pipeline == "double_round") {
        out.push_back({pipeline, "", "", derivation, "saturate"});
        if (include_policy) out.push_back({pipeline, "", "", derivation, "wrap"});
      } else {
        out.push_back({pipeline, "", "", derivation, ""});
      }
    }
  }
  return out;
}

// Q20.3: what each derivation gives for one scale triple (computed once per test).
struct Derived {
  ref::Rational multiplier;        // M'
  std::string multiplier_text;     // M' as "p/q" (the ideal pipeline's argument)
  float scale = 0;                 // the binary32 scale of the fp32 pipeline
  double scale64 = 0;              // the binary64 scale of the fp64 pipeline
  ref::FixedPointMultiplier q31;   // (m, s) of the fixed-point pipelines
  std::string error;               // the parameter the reference rejected, if any
  std::string scale_error, q31_error;
};

Derived derive(const RequantizeInputs& in, ref::ScaleDerivation derivation) {
  Derived d;
  try {
    d.multiplier = ref::derived_multiplier(in.sx, in.sw, in.sy, derivation);
  } catch (const ref::ParameterError& e) {
    d.error = e.parameter();
    return d;
  }
  d.multiplier_text = d.multiplier.str();
  d.scale64 = ref::binary64_requantization_scale(in.sx, in.sw, in.sy, derivation);
  try {
    d.scale = ref::binary32_requantization_scale(in.sx, in.sw, in.sy, derivation);
  } catch (const ref::ParameterError& e) {
    d.scale_error = e.parameter();
  }
  try {
    // Q20.3: exact -> Q6.2 of M, tflite -> Q6.3, binary32 orders -> the exact significand.
    switch (derivation) {
      case ref::ScaleDerivation::exact:
        d.q31 = ref::derive_multiplier(d.multiplier, ref::Derivation::exact);
        break;
      case ref::ScaleDerivation::tflite:
        d.q31 = ref::derive_multiplier(ref::multiplier_from_scales(in.sx, in.sw, in.sy),
                                       ref::Derivation::tflite);
        break;
      case ref::ScaleDerivation::f32_product_f64_divide:  // LiteRT's QuantizeMultiplier of the double
        d.q31 = ref::derive_multiplier(d.multiplier, ref::Derivation::tflite);
        break;
      default:
        d.q31 = ref::derive_multiplier(d.multiplier, ref::Derivation::rndnu);
        break;
    }
  } catch (const ref::ParameterError& e) {
    d.q31_error = e.parameter();
  }
  return d;
}

// The derivations of one scale triple depend on nothing else, and the search meets each triple
// in hundreds of tests: they are computed once per process (the map's nodes never move, so
// the references stay valid; the lock makes concurrent predictions safe).
const Derived& derived_for(const RequantizeInputs& in, const std::string& name) {
  using Key = std::tuple<std::uint32_t, std::uint32_t, std::uint32_t, std::string>;
  static std::map<Key, Derived> cache;
  static std::mutex lock;
  const Key key{bits32(in.sx), bits32(in.sw),
                bits32(in.sy), name};
  const std::lock_guard<std::mutex> guard(lock);
  auto it = cache.find(key);
  if (it == cache.end()) it = cache.emplace(key, derive(in, ref::parse_scale_derivation(name))).first;
  return it->second;
}

// What the reference function of combination `a` receives from the derivation, as text:
// derivations that give equal scales (or equal (m, s), or equal M') make the reference compute
// the same function, so a test's outputs are computed once per distinct text (the search
// evaluates hundreds of combinations per test; SPEC Q20.3's derivations often coincide).
std::string reference_arguments(const Assignment& a, const Derived& d) {
  if (!d.error.empty()) return "error " + d.error;
  if (a[0] == "fp32") {
    if (!d.scale_error.empty()) return "error " + d.scale_error;
    return "fp32 " + std::to_string(bits32(d.scale)) + " " + a[1] + " " + a[2];
  }
  if (a[0] == "fp64") return "fp64 " + std::to_string(bits64(d.scale64)) + " " + a[1] + " " + a[2];
  if (a[0] == "ideal") return "ideal " + d.multiplier_text + " " + a[1] + " " + a[2];
  if (!d.q31_error.empty()) return "error " + d.q31_error;
  return a[0] + " " + std::to_string(d.q31.multiplier) + " " + std::to_string(d.q31.shift) + " " + a[4];
}

// The first step of the floating-point pipelines, t = fl(fl(acc) * scale), per test: the
// rounding and zero-point-entry members (16 combinations per scale) share it.
struct ScaledAccumulators {
  std::unordered_map<std::string, float> binary32;
  std::unordered_map<std::string, double> binary64;
};

// Q20.3: one combination of members on one accumulator. The floating-point pipelines are
// requantize_binary32 / requantize_binary64 as their two steps (the reference defines them so).
// `a` holds the requantize members first (pipeline, rounding, zero_point_entry,
// scale_derivation, left_shift_overflow); `d` is derived_for(in, a[3]); `acc_text` names acc in
// the per-test caches.
Integer requantize_with_members(const Integer& acc, const std::string& acc_text, const RequantizeInputs& in,
                                const Assignment& a, const Derived& d, ScaledAccumulators& scaled) {
  if (!d.error.empty()) throw ref::ParameterError(d.error, "", "");
  if (a[0] == "fp32") {
    if (!d.scale_error.empty()) throw ref::ParameterError(d.scale_error, "", "");
    const std::string key = acc_text + " " + std::to_string(bits32(d.scale));
    auto t = scaled.binary32.find(key);
    if (t == scaled.binary32.end()) t = scaled.binary32.emplace(key, ref::binary32_scaled_accumulator(acc, d.scale)).first;
    return ref::requantize_binary32_scaled(t->second, in.zero_point, in.qmin, in.qmax,
                                           ref::parse_rounding(a[1]), ref::parse_zero_point_entry(a[2]));
  }
  if (a[0] == "fp64") {
    const std::string key = acc_text + " " + std::to_string(bits64(d.scale64));
    auto t = scaled.binary64.find(key);
    if (t == scaled.binary64.end()) t = scaled.binary64.emplace(key, ref::binary64_scaled_accumulator(acc, d.scale64)).first;
    return ref::requantize_binary64_scaled(t->second, in.zero_point, in.qmin, in.qmax,
                                           ref::parse_rounding(a[1]), ref::parse_zero_point_entry(a[2]));
  }
  ref::RequantizeParams p;
  p.zero_point = in.zero_point;
  p.qmin = in.qmin;
  p.qmax = in.qmax;
  if (a[0] == "ideal") {
    p.variant = ref::RequantVariant::ideal;
    p.real_multiplier = d.multiplier;
    p.rounding = ref::parse_rounding(a[1]);
    p.zero_point_entry = ref::parse_zero_point_entry(a[2]);
    if (ref::fits_int32(acc)) return Integer(ref::requantize_fast(acc.convert_to<std::int32_t>(), p));
    return ref::requantize(acc, p);
  }
  if (!d.q31_error.empty()) throw ref::ParameterError(d.q31_error, "", "");
  if (a[0] == "neon_double_round") {  // Q11.1 (ruy's x86 kernels, TFLite's NEON 4-row path)
    ref::DeployedRequantParams q;
    q.member = ref::DeployedRequant::neon_double_round;
    q.multiplier = d.q31.multiplier;
    q.shift = d.q31.shift;
    q.zero_point = in.zero_point;
    q.qmin = in.qmin;
    q.qmax = in.qmax;
    // The fast path equals the definition on int32 accumulators (property-tested, Q11.1).
    if (ref::fits_int32(acc)) return Integer(ref::FastDeployedRequantizer(q)(acc.convert_to<std::int64_t>()));
    return ref::deployed_requantize(acc, q);
  }
  p.variant = ref::parse_requant_variant(a[0]);
  p.multiplier = d.q31.multiplier;
  p.shift = d.q31.shift;
  if (a[0] == "double_round") p.left_shift_overflow = ref::parse_left_shift_overflow(a[4]);
  // The fast path returns what requantize() returns for int32 accumulators and throws the
  // same errors (SPEC Q7.10, property-tested); it keeps the search affordable.
  if (ref::fits_int32(acc)) return Integer(ref::requantize_fast(acc.convert_to<std::int32_t>(), p));
  return ref::requantize(acc, p);
}

// The accumulator of a requantize test under its accumulation member: `acc` itself, or, for
// int16_pairs on a test that carries the linear form (x_values, w_values, bias), the int16-pair
// accumulation of that form (Q20.4); an int8 x enters as the uint8 x + 128 with Zx + 128, the
// form in which a u8 x s8 kernel takes int8 activations (the interop drivers pass them so).
Integer requantize_accumulator(const Json& operands, const std::string& accumulation) {
  const Integer acc = integer_operand(operands, "acc");
  if (accumulation != "int16_pairs" || !operands.contains("x_values")) return acc;
  const bool shift = operands.at("x_dtype").get<std::string>() == "int8";
  std::vector<std::int64_t> x = integer_array(operands, "x_values");
  std::int64_t zx = integer_operand(operands, "x_zero_point").convert_to<std::int64_t>();
  if (shift) {
    for (auto& v : x) v += 128;
    zx += 128;
  }
  const ref::QuantizedOperand xs{ref::DType::uint8, zx, x};
  const ref::QuantizedOperand w{ref::DType::int8,
                                integer_operand(operands, "w_zero_point").convert_to<std::int64_t>(),
                                integer_array(operands, "w_values")};
  return ref::accumulate_with_member(xs, w, integer_operand(operands, "bias"),
                                     ref::AccumulationMember::int16_pairs);
}

// Requantize: the requantize dimensions and, last, the accumulation (Q20.4) of the tests that
// carry the linear form (wrap: the test's acc).
class RequantizeModel final : public OperationModel {
 public:
  std::string operation() const override { return "requantize"; }
  std::string group_type() const override { return "DistinguishRequantizeTest"; }
  std::vector<Dimension> dimensions() const override {
    auto dims = requantize_dimensions();
    dims.push_back({"accumulation", {"wrap", "int16_pairs"}, "wrap", false});
    return dims;
  }
  std::vector<Assignment> combinations(bool include_policy) const override {
    std::vector<Assignment> out;
    for (const char* accumulation : {"wrap", "int16_pairs"}) {
      for (Assignment a : requantize_combinations(include_policy)) {
        a.push_back(accumulation);
        out.push_back(std::move(a));
      }
    }
    return out;
  }
  Assignment base() const override {
    return {"fp32", "half_even", "after_rounding", "f32_product_divide", "", "wrap"};
  }
  std::vector<Json> predict(const Json& operands,
                            const std::vector<Assignment>& assignments) const override {
    std::vector<Json> out;
    std::optional<RequantizeInputs> in;
    std::string bad_operand;
    try {
      in = requantize_inputs(operands);
    } catch (const ref::ParameterError& e) {
      bad_operand = e.parameter();
    }
    // accumulation -> the accumulator (or its error), with its text and value
    struct Accumulator {
      Json json;
      std::string text;
      Integer value;
    };
    std::map<std::string, Accumulator> accumulators;
    // (acc, the reference's arguments) -> output: combinations that reach the reference with
    // the same arguments share one evaluation.
    std::unordered_map<std::string, Json> done;
    ScaledAccumulators scaled;
    for (const Assignment& a : assignments) {
      if (!in) {
        out.push_back(Json{{"error", bad_operand}});
        continue;
      }
      auto it = accumulators.find(a[5]);
      if (it == accumulators.end()) {
        Accumulator acc{guarded("acc", [&] { return requantize_accumulator(operands, a[5]); }), "", Integer(0)};
        if (!acc.json.contains("error")) {
          acc.text = acc.json.dump();
          acc.value = integer_operand(acc.json, "acc");
        }
        it = accumulators.emplace(a[5], std::move(acc)).first;
      }
      const Accumulator& acc = it->second;
      if (acc.json.contains("error")) {
        out.push_back(acc.json);
        continue;
      }
      // a's first five members are the requantize ones (a[5] is the accumulation).
      const Derived& derived = derived_for(*in, a[3]);
      const std::string key = acc.text + " " + reference_arguments(a, derived);
      auto d = done.find(key);
      if (d == done.end()) {
        d = done.emplace(key, guarded("q", [&] {
                return requantize_with_members(acc.value, acc.text, *in, a, derived, scaled);
              })).first;
      }
      out.push_back(d->second);
    }
    return out;
  }
};

// ------------------------------------------------------------- accumulate (Q5, Q20.4)
// Dimensions: accumulation (wrap | int16_pairs), int32_overflow (wrap | saturate; policy,
// applies to the exact products only). int16_pairs is the u8*s8 pipeline: on other operand
// types it is the wrap (no such kernel exists for them).
std::vector<Dimension> accumulate_dimensions() {
  return {{"accumulation", {"wrap", "int16_pairs"}, "wrap", false},
          {"int32_overflow", {"wrap", "saturate"}, "wrap", true}};
}

std::vector<Assignment> accumulate_combinations(bool include_policy) {
  std::vector<Assignment> out = {{"wrap", "wrap"}};
  if (include_policy) out.push_back({"wrap", "saturate"});
  out.push_back({"int16_pairs", ""});
  return out;
}

// The operands of an accumulate or linear case: x, w (dtype, zero point, values) and the bias.
struct AccumulateOperands {
  ref::QuantizedOperand x;
  ref::QuantizedOperand w;
  Integer bias;
};

// Parsed in the order the vectors' error rows were generated with: both dtypes, then x, w, bias.
AccumulateOperands accumulate_operands(const Json& operands) {
  const ref::DType xt = ref::parse_dtype(operands.at("x_dtype").get<std::string>(), "x_dtype");
  const ref::DType wt = ref::parse_dtype(operands.at("w_dtype").get<std::string>(), "w_dtype");
  ref::QuantizedOperand x{xt, integer_operand(operands, "x_zero_point").convert_to<std::int64_t>(),
                          integer_array(operands, "x_values")};
  ref::QuantizedOperand w{wt, integer_operand(operands, "w_zero_point").convert_to<std::int64_t>(),
                          integer_array(operands, "w_values")};
  return {std::move(x), std::move(w), integer_operand(operands, "bias")};
}

// a[0] is the accumulation, a[1] the int32_overflow policy (empty with int16_pairs).
// int16_pairs exists only for u8 x s8; on other operand types it is the wrap.
ref::AccumulationMember accumulation_member(const AccumulateOperands& o, const Assignment& a) {
  if (a[0] == "int16_pairs") {
    return o.x.type == ref::DType::uint8 && o.w.type == ref::DType::int8 ? ref::AccumulationMember::int16_pairs
                                                                           : ref::AccumulationMember::wrap;
  }
  return a[1] == "saturate" ? ref::AccumulationMember::saturate32 : ref::AccumulationMember::wrap;
}

Integer accumulate_with_members(const Json& operands, const Assignment& a) {
  const AccumulateOperands o = accumulate_operands(operands);
  return ref::accumulate_with_member(o.x, o.w, o.bias, accumulation_member(o, a));
}

// The accumulate model adds the s32 destination (Q20.7: int32 | via_binary32, oneDNN 2.6's s32
// matmul output) after the two accumulation dimensions; the linear model, whose output is a
// requantized int8, has no s32 destination and keeps the two.
Integer accumulate_to_s32_with_members(const Json& operands, const Assignment& a) {
  const AccumulateOperands o = accumulate_operands(operands);
  return Integer(ref::accumulate_to_s32(o.x, o.w, o.bias, accumulation_member(o, a), ref::parse_s32_destination(a[2])));
}

class AccumulateModel final : public OperationModel {
 public:
  std::string operation() const override { return "accumulate"; }
  std::string group_type() const override { return "DistinguishAccumulateTest"; }
  std::vector<Dimension> dimensions() const override {
    auto dims = accumulate_dimensions();
    dims.push_back({"s32_destination", {"int32", "via_binary32"}, "int32", false});
    return dims;
  }
  std::vector<Assignment> combinations(bool include_policy) const override {
    std::vector<Assignment> out;
    for (const char* destination : {"int32", "via_binary32"}) {
      for (Assignment a : accumulate_combinations(include_policy)) {
        // via_binary32 saturates in binary32; the integer sum before it wraps (vpaddd), so
        // int32_overflow saturate is not combined with it.
        if (std::string(destination) == "via_binary32" && a[1] == "saturate") continue;
        a.push_back(destination);
        out.push_back(std::move(a));
      }
    }
    return out;
  }
  Assignment base() const override { return {"wrap", "wrap", "int32"}; }
  std::vector<Json> predict(const Json& operands,
                            const std::vector<Assignment>& assignments) const override {
    std::vector<Json> out;
    for (const Assignment& a : assignments) {
      out.push_back(guarded("acc", [&] { return accumulate_to_s32_with_members(operands, a); }));
    }
    return out;
  }
};

// ------------------------------------------------- linear: accumulate then requantize
class LinearModel final : public OperationModel {
 public:
  std::string operation() const override { return "linear"; }
  std::string group_type() const override { return "DistinguishLinearTest"; }
  std::vector<Dimension> dimensions() const override {
    auto dims = accumulate_dimensions();
    for (auto& d : requantize_dimensions()) dims.push_back(d);
    return dims;
  }
  std::vector<Assignment> combinations(bool include_policy) const override {
    std::vector<Assignment> out;
    for (const auto& acc : accumulate_combinations(include_policy)) {
      for (const auto& rq : requantize_combinations(include_policy)) {
        Assignment a = acc;
        a.insert(a.end(), rq.begin(), rq.end());
        out.push_back(a);
      }
    }
    return out;
  }
  Assignment base() const override {
    return {"wrap", "wrap", "fp32", "half_even", "after_rounding", "f32_product_divide", ""};
  }
  std::vector<Json> predict(const Json& operands,
                            const std::vector<Assignment>& assignments) const override {
    std::map<Assignment, Json> accumulators;  // (accumulation, int32_overflow) -> acc or error
    std::vector<Json> out;
    ScaledAccumulators scaled;
    const RequantizeInputs in = requantize_inputs(operands);
    for (const Assignment& a : assignments) {
      const Assignment acc_part(a.begin(), a.begin() + 2);
      auto it = accumulators.find(acc_part);
      if (it == accumulators.end()) {
        it = accumulators.emplace(acc_part, guarded("acc", [&] {
                                    return accumulate_with_members(operands, acc_part);
                                  })).first;
      }
      if (it->second.contains("error")) {
        out.push_back(it->second);
        continue;
      }
      const Assignment rq(a.begin() + 2, a.end());
      out.push_back(guarded("q", [&] {
        return requantize_with_members(integer_operand(it->second, "acc"), it->second.dump(), in, rq,
                                       derived_for(in, rq[3]), scaled);
      }));
    }
    return out;
  }
};

}  // namespace

int OperationModel::dimension_index(const std::string& name) const {
  const auto dims = dimensions();
  for (std::size_t i = 0; i < dims.size(); ++i) {
    if (dims[i].name == name) return static_cast<int>(i);
  }
  return -1;
}

std::string OperationModel::label(const Assignment& assignment) const {
  const auto dims = dimensions();
  std::string text;
  for (std::size_t i = 0; i < dims.size() && i < assignment.size(); ++i) {
    if (assignment[i].empty()) continue;
    if (!text.empty()) text += ", ";
    text += dims[i].name + "=" + assignment[i];
  }
  return text;
}

Assignment OperationModel::with_member(const Assignment& assignment, int d,
                                       const std::string& member) const {
  // The valid combination with dimension d = member closest to `assignment`: equal members
  // count 2, the base member where `assignment` has none counts 1.
  const Assignment base_members = base();
  Assignment best;
  int best_score = -1;
  for (const auto& c : combinations(true)) {
    if (c[d] != member) continue;
    int score = 0;
    for (std::size_t i = 0; i < c.size(); ++i) {
      if (static_cast<int>(i) == d) continue;
      if (c[i] == assignment[i]) score += 2;
      else if (assignment[i].empty() && c[i] == base_members[i]) score += 1;
    }
    if (score > best_score) {
      best_score = score;
      best = c;
    }
  }
  return best;
}

const std::vector<std::unique_ptr<OperationModel>>& distinguish_models() {
  static const std::vector<std::unique_ptr<OperationModel>> models = [] {
    std::vector<std::unique_ptr<OperationModel>> m;
    m.push_back(std::make_unique<QuantizeModel>());
    m.push_back(std::make_unique<RequantizeModel>());
    m.push_back(std::make_unique<AccumulateModel>());
    m.push_back(std::make_unique<LinearModel>());
    return m;
  }();
  return models;
}

const OperationModel* model_for_group_type(const std::string& type) {
  for (const auto& m : distinguish_models()) {
    if (m->group_type() == type) return m.get();
  }
  return nullptr;
}

bool derived_fixed_point(float sx, float sw, float sy, ref::ScaleDerivation derivation,
                         ref::FixedPointMultiplier& out) {
  RequantizeInputs in;
  in.sx = sx;
  in.sw = sw;
  in.sy = sy;
  const Derived& d = derived_for(in, std::string(ref::name(derivation)));
  if (!d.error.empty() || !d.q31_error.empty()) return false;
  out = d.q31;
  return true;
}

std::function<std::int64_t(std::int64_t)> double_rounding(const std::string& pipeline,
                                                         const ref::FixedPointMultiplier& q) {
  try {
    if (pipeline == "neon_double_round") {
      ref::DeployedRequantParams p;
      p.member = ref::DeployedRequant::neon_double_round;
      p.multiplier = q.multiplier;
      p.shift = q.shift;
      p.qmin = std::numeric_limits<std::int32_t>::min();
      p.qmax = std::numeric_limits<std::int32_t>::max();
      const ref::FastDeployedRequantizer f(p);
      return [f](std::int64_t acc) { return static_cast<std::int64_t>(f(acc)); };
    }
    ref::RequantizeParams p;
    p.variant = ref::RequantVariant::double_round;
    p.multiplier = q.multiplier;
    p.shift = q.shift;
    p.qmin = std::numeric_limits<std::int32_t>::min();
    p.qmax = std::numeric_limits<std::int32_t>::max();
    const ref::FastRequantizer f(p);
    return [f](std::int64_t acc) { return static_cast<std::int64_t>(f(static_cast<std::int32_t>(acc))); };
  } catch (const ref::ParameterError&) {
    return {};
  }
}

bool same_output(const Json& expected, const Json& got) {
  if (expected.contains("error") || got.contains("error")) {
    return expected.contains("error") && got.contains("error");
  }
  for (auto it = expected.begin(); it != expected.end(); ++it) {
    auto g = got.find(it.key());
    if (g == got.end()) return false;
    const FieldKind kind = it.key() == "acc" ? FieldKind::int32 : FieldKind::integer;
    if (!same_value(kind, it.value(), *g)) return false;
  }
  return true;
}

}  // namespace quantspec::vectors
