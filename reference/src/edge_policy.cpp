// Q10: edge policies of quantize (see edge_policy.hpp and SPEC.md Q10).
#include "quantspec/reference/edge_policy.hpp"

#include <string>

#include "quantspec/reference/errors.hpp"

namespace quantspec::ref {

std::string_view name(EdgePolicy policy) {
  switch (policy) {
    case EdgePolicy::spec: return "spec";
    case EdgePolicy::clamp_then_convert: return "clamp_then_convert";
    case EdgePolicy::convert_then_clamp: return "convert_then_clamp";
    case EdgePolicy::min_then_convert: return "min_then_convert";
    case EdgePolicy::convert32_then_clamp: return "convert32_then_clamp";
  }
  return "?";
}

const std::vector<EdgePolicy>& all_edge_policies() {
  static const std::vector<EdgePolicy> all{EdgePolicy::spec, EdgePolicy::clamp_then_convert,
                                           EdgePolicy::convert_then_clamp, EdgePolicy::min_then_convert,
                                           EdgePolicy::convert32_then_clamp};
  return all;
}

EdgePolicy parse_edge_policy(std::string_view text, std::string_view parameter) {
  std::string allowed = "one of";
  for (EdgePolicy p : all_edge_policies()) {
    if (name(p) == text) return p;
    allowed += " " + std::string(name(p));
  }
  throw ParameterError(std::string(parameter), allowed, "'" + std::string(text) + "'");
}

// Q10.1-Q10.5
Integer quantize_with_edge_policy(float x, const QuantizeParams& params, EdgePolicy policy) {
  const QuantizeTrace t = quantize_traced(x, params);  // validates params
  const Integer qmin(params.qmin), qmax(params.qmax);
  switch (policy) {
    case EdgePolicy::spec:
      return t.q;
    case EdgePolicy::clamp_then_convert:
      // maxps(t, lo) returns its second operand when t is NaN: the clamp yields the lower
      // bound. Infinities and finite values clamp as in Q2.4.
      return t.quotient_kind == QuotientKind::nan ? qmin : t.q;
    case EdgePolicy::convert_then_clamp: {
      // cvttsd2si / cvtsd2si with a 64-bit destination return INT64_MIN ("integer
      // indefinite") for NaN, +-inf and values outside int64; the clamp then gives qmin.
      if (t.quotient_kind != QuotientKind::finite) return qmin;
      const Integer int64_limit = Integer(1) << 63;
      if (t.rounded >= int64_limit) return qmin;
      return t.q;
    }
    case EdgePolicy::min_then_convert:
      // minps(t, qmax - Z) returns its second operand when t is NaN: qmax - Z, converted and
      // Z added, gives qmax. +inf meets the same bound; -inf and t below int32 convert to
      // INT32_MIN, which the saturating narrowing and the integer max turn into qmin (Q2.4).
      return t.quotient_kind == QuotientKind::nan ? qmax : t.q;
    case EdgePolicy::convert32_then_clamp: {
      // cvttss2si / cvtss2si with a 32-bit destination return INT32_MIN for NaN, +-inf and
      // values outside int32; the int32 sum with Z wraps (two's complement, as the compiled
      // code computes it), then the clamp.
      const Integer int32_min = -(Integer(1) << 31), int32_limit = Integer(1) << 31;
      Integer converted = int32_min;
      if (t.quotient_kind == QuotientKind::finite && t.rounded >= int32_min && t.rounded < int32_limit) {
        converted = t.rounded;
      }
      Integer sum = converted + params.zero_point;
      if (sum >= int32_limit) sum -= Integer(1) << 32;
      if (sum < int32_min) sum += Integer(1) << 32;
      return sum < qmin ? qmin : sum > qmax ? qmax : sum;
    }
  }
  throw ParameterError("edge_policy", "a known edge policy", "an invalid enum value");
}

}  // namespace quantspec::ref
