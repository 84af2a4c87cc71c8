// Q20.4: accumulation members next to Q5.2's wrap: saturate32 and int16_pairs.
#include "quantspec/reference/deployed_accumulate.hpp"

#include <string>

#include "quantspec/reference/errors.hpp"

namespace quantspec::ref {
namespace {

Integer saturate(const Integer& value, std::int64_t lo, std::int64_t hi) {
  return clamp(value, Integer(lo), Integer(hi));
}

void require_int32_bias(const Integer& bias) {
  if (!fits_int32(bias)) {
    throw ParameterError("bias", "an int32 (this member adds it in int32)", to_string(Rational(bias)));
  }
}

}  // namespace

std::string_view name(AccumulationMember member) {
  switch (member) {
    case AccumulationMember::wrap: return "wrap";
    case AccumulationMember::saturate32: return "saturate32";
    case AccumulationMember::int16_pairs: return "int16_pairs";
  }
  return "?";
}

const std::vector<AccumulationMember>& all_accumulation_members() {
  static const std::vector<AccumulationMember> all = {
      AccumulationMember::wrap, AccumulationMember::saturate32, AccumulationMember::int16_pairs};
  return all;
}

AccumulationMember parse_accumulation_member(std::string_view text, std::string_view parameter) {
  for (AccumulationMember m : all_accumulation_members()) {
    if (name(m) == text) return m;
  }
  throw ParameterError(std::string(parameter), "wrap, saturate32 or int16_pairs",
                       std::string(text));
}

std::int32_t accumulate_with_member(const QuantizedOperand& x, const QuantizedOperand& w,
                                    const Integer& bias, AccumulationMember member) {
  // Q5.1 validation (lengths, grids) and the exact sum.
  const Accumulation exact_sum = accumulate(x, w, bias);
  switch (member) {
    case AccumulationMember::wrap:  // Q5.2
      return exact_sum.wrapped;
    case AccumulationMember::saturate32: {  // Q20.4: bias first, then k = 0, 1, ...
      require_int32_bias(bias);
      Integer sum = bias;
      for (std::size_t k = 0; k < x.values.size(); ++k) {
        sum = saturate(sum + Integer(x.values[k] - x.zero_point) * Integer(w.values[k] - w.zero_point),
                       INT32_MIN, INT32_MAX);
      }
      return sum.convert_to<std::int32_t>();
    }
    case AccumulationMember::int16_pairs: {
      if (x.type != DType::uint8) {
        throw ParameterError("x", "uint8 values (int16_pairs is the u8*s8 vpmaddubsw pipeline)",
                             std::string(name(x.type)));
      }
      if (w.type != DType::int8) {
        throw ParameterError("w", "int8 values (int16_pairs is the u8*s8 vpmaddubsw pipeline)",
                             std::string(name(w.type)));
      }
      require_int32_bias(bias);
      // Q20.4: sum(x*w) over raw values in saturated int16 pairs (k = 2j, 2j + 1; an odd K
      // pads with a zero product), then the zero-point terms
      // - Zx*sum(w) - Zw*sum(x) + K*Zx*Zw, all modulo 2^32.
      const std::size_t depth = x.values.size();
      Integer sum = bias;
      Integer sum_x = 0, sum_w = 0;
      for (std::size_t k = 0; k < depth; k += 2) {
        Integer pair = Integer(x.values[k]) * Integer(w.values[k]);
        if (k + 1 < depth) pair += Integer(x.values[k + 1]) * Integer(w.values[k + 1]);
        sum += saturate(pair, INT16_MIN, INT16_MAX);
      }
      for (std::size_t k = 0; k < depth; ++k) {
        sum_x += x.values[k];
        sum_w += w.values[k];
      }
      sum -= Integer(x.zero_point) * sum_w + Integer(w.zero_point) * sum_x;
      sum += Integer(static_cast<std::int64_t>(depth)) * Integer(x.zero_point) * Integer(w.zero_point);
      return wrap_int32(sum);
    }
  }
  return exact_sum.wrapped;
}

}  // namespace quantspec::ref
