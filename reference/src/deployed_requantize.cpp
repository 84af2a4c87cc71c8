// SPEC.md Q11.1, Q11.2, Q11.8: requantization members of deployed pipelines, the definition.
// Every step is exact (cpp_int); the fixed-width events of the original (a wrapping left shift,
// an int32 result, an int16 pre-shifted value) are applied explicitly and reported in the trace.
#include "quantspec/reference/deployed_requantize.hpp"

#include <algorithm>
#include <array>
#include <string>
#include <utility>

#include "quantspec/reference/errors.hpp"
#include "quantspec/reference/multiplier.hpp"

namespace quantspec::ref {
namespace {

constexpr std::array<std::pair<DeployedRequant, std::string_view>, 3> kNames{
    {{DeployedRequant::neon_double_round, "neon_double_round"},
     {DeployedRequant::int16x8_int64, "int16x8_int64"},
     {DeployedRequant::rndnu16, "rndnu16"}}};

Integer pow2_integer(int exponent) { return Integer(1) << exponent; }

// Two's-complement reduction to int32 (what a 32-bit lane keeps of a wider value).
Integer wrap_int32(const Integer& value, bool& wrapped) {
  const Integer modulus = pow2_integer(32);
  Integer r = (value - int32_min()) % modulus;  // cpp_int %: sign of the dividend
  if (r < 0) r += modulus;
  const Integer result = r + int32_min();
  wrapped = result != value;
  return result;
}

// Q11.1 step 2: SQRDMULH = floor((x*m + 2^30) / 2^31), saturating only at
// x = m = INT32_MIN (unreachable: m >= 0).
Integer sqrdmulh(const Integer& x, const Integer& m) {
  if (x == int32_min() && m == int32_min()) return int32_max();
  return floor_div(x * m + pow2_integer(30), pow2_integer(31));
}

// Q11.2 step 1: the 15-bit multiplier.
Integer reduced_multiplier(std::int32_t m) {
  if (m >= 0x7FFF0000) return 0x7FFF;
  return floor_div(Integer(m) + pow2_integer(15), pow2_integer(16));
}

int max_shift(DeployedRequant member) {
  switch (member) {
    case DeployedRequant::neon_double_round: return 30;
    case DeployedRequant::int16x8_int64: return 7;
    case DeployedRequant::rndnu16: return 8;  // s = E + 1 for a binary32 scale below 256
  }
  return 0;
}

constexpr std::int32_t kInt16Min = -32768;
constexpr std::int32_t kInt16Max = 32767;

// Q11.8 step 1: m15 = floor((m + 2^15) / 2^16) in [0, 2^15]; 2^15 is not an int16 and
// renormalises to 2^14 with the pre-shift one larger (XNNPACK since fda3ca7b).
std::pair<Integer, int> rndnu16_multiplier(std::int32_t m, int shift) {
  const Integer rounded = floor_div(Integer(m) + pow2_integer(15), pow2_integer(16));
  if (rounded == pow2_integer(15)) return {pow2_integer(14), shift + 1};
  return {rounded, shift};
}

}  // namespace

std::string_view name(DeployedRequant member) {
  for (const auto& [value, text] : kNames) {
    if (value == member) return text;
  }
  return "?";
}

DeployedRequant parse_deployed_requant(std::string_view text, std::string_view parameter) {
  std::string allowed = "one of";
  for (const auto& [value, candidate] : kNames) {
    if (candidate == text) return value;
    allowed += " " + std::string(candidate);
  }
  throw ParameterError(std::string(parameter), allowed, "'" + std::string(text) + "'");
}

const std::vector<DeployedRequant>& all_deployed_requants() {
  static const std::vector<DeployedRequant> all = [] {
    std::vector<DeployedRequant> v;
    for (const auto& entry : kNames) v.push_back(entry.first);
    return v;
  }();
  return all;
}

// Q11.1, Q11.2: parameters.
void DeployedRequantParams::validate() const {
  if (multiplier < 0) {
    throw ParameterError("multiplier", "[0, 2^31-1]", std::to_string(multiplier));
  }
  if (shift < -31 || shift > max_shift(member)) {
    throw ParameterError("shift", "[-31, " + std::to_string(max_shift(member)) + "] for member " +
                                      std::string(name(member)),
                         std::to_string(shift));
  }
  if (qmin > qmax) {
    throw ParameterError("qmin", "<= qmax (" + std::to_string(qmax) + ")", std::to_string(qmin));
  }
  if (member == DeployedRequant::rndnu16) {  // Q11.8: the output is an int16 lane
    if (qmin < kInt16Min) {
      throw ParameterError("qmin", "[-32768, 32767] for member rndnu16", std::to_string(qmin));
    }
    if (qmax > kInt16Max) {
      throw ParameterError("qmax", "[-32768, 32767] for member rndnu16", std::to_string(qmax));
    }
  }
  if (zero_point < qmin || zero_point > qmax) {
    throw ParameterError("zero_point",
                         "[" + std::to_string(qmin) + ", " + std::to_string(qmax) + "]",
                         std::to_string(zero_point));
  }
}

void validate_deployed_accumulator(const Integer& acc, const DeployedRequantParams& params) {
  if (params.member != DeployedRequant::int16x8_int64) {
    if (!fits_int32(acc)) throw ParameterError("acc", "an int32", acc.str());
    return;
  }
  const Integer bound = pow2_integer(47);
  if (acc < -bound || acc >= bound) throw ParameterError("acc", "[-2^47, 2^47)", acc.str());
}

// Q11: the definition.
Integer deployed_requantize(const Integer& acc, const DeployedRequantParams& params,
                            DeployedRequantTrace* trace) {
  params.validate();
  validate_deployed_accumulator(acc, params);
  DeployedRequantTrace local;
  DeployedRequantTrace& t = trace ? *trace : local;
  t = DeployedRequantTrace{};
  Integer y;
  switch (params.member) {
    case DeployedRequant::neon_double_round: {  // Q11.1
      const int left = std::max(params.shift, 0);
      const int right = std::max(-params.shift, 0);
      t.left_shifted = wrap_int32(acc * pow2_integer(left), t.left_shift_wrapped);
      t.high_mul = sqrdmulh(t.left_shifted, Integer(params.multiplier));
      // SRSHL by -right: (h + 2^(right-1)) >> right in the lane's full precision.
      y = right == 0 ? t.high_mul
                     : floor_div(t.high_mul + pow2_integer(right - 1), pow2_integer(right));
      break;
    }
    case DeployedRequant::int16x8_int64: {  // Q11.2
      t.reduced_multiplier = reduced_multiplier(params.multiplier);
      const int total = 15 - params.shift;  // [8, 46]
      y = floor_div(acc * t.reduced_multiplier + pow2_integer(total - 1), pow2_integer(total));
      if (!fits_int32(y)) {  // SPEC CHOICE: saturate (both originals truncate to int32)
        t.result_saturated = true;
        y = clamp(y, int32_min(), int32_max());
      }
      break;
    }
    case DeployedRequant::rndnu16: {  // Q11.8
      const auto [m15, p] = rndnu16_multiplier(params.multiplier, params.shift);
      t.reduced_multiplier = m15;
      t.pre_shift = p;
      // Step 2: VQRSHL by p: saturating left shift, or (acc + 2^(n-1)) >> n, ties up.
      const Integer pre = p >= 0 ? acc * pow2_integer(p)
                                 : floor_div(acc + pow2_integer(-p - 1), pow2_integer(-p));
      // Steps 2-3: sat32 (left shift) then VQMOVN to int16; together one saturation to int16.
      const Integer x16 = clamp(pre, Integer(kInt16Min), Integer(kInt16Max));
      t.pre_shift_saturated = x16 != pre;
      t.left_shifted = x16;
      // Step 4: VQRDMULH.16 = floor((x16*m15 + 2^14) / 2^15); saturates only at
      // x16 = m15 = -2^15 (unreachable: m15 >= 0).
      t.high_mul = floor_div(x16 * m15 + pow2_integer(14), pow2_integer(15));
      y = t.high_mul;
      // Step 5: VQADD.16 of Zy, then [qmin, qmax] inside int16: the int16 saturation of
      // y + Zy never changes the clamped result, so q = clamp(y + Zy) below.
      break;
    }
  }
  t.scaled = y;
  t.with_zero_point = y + params.zero_point;
  t.output = clamp(t.with_zero_point, Integer(params.qmin), Integer(params.qmax));
  t.clamped = t.output != t.with_zero_point;
  return t.output;
}

// Q11.4
RequantizeParams double_round_params_from_binary32_scale(float sx, float sw, float sy,
                                                         std::int32_t zero_point,
                                                         std::int32_t qmin, std::int32_t qmax) {
  const float scale = binary32_scale_from_scales(sx, sw, sy);
  const Rational s = exact(scale, "scale");
  if (s < pow2(-32) || s >= 1) {
    throw ParameterError("scale", "fl32(fl32(Sx*Sw)/Sy) in [2^-32, 1) (QNNPACK's q31 asserts it)",
                         hex_float(scale));
  }
  const FixedPointMultiplier f = derive_multiplier(s, Derivation::rndnu);
  RequantizeParams p;
  p.variant = RequantVariant::double_round;
  p.multiplier = f.multiplier;
  p.shift = f.shift;
  p.zero_point = zero_point;
  p.qmin = qmin;
  p.qmax = qmax;
  p.validate();
  return p;
}

// Q11.8
DeployedRequantParams rndnu16_params_from_binary32_scale(float scale, std::int32_t zero_point,
                                                         std::int32_t qmin, std::int32_t qmax) {
  const Rational s = exact(scale, "scale");
  if (s < pow2(-32) || s >= 256) {
    throw ParameterError("scale", "[2^-32, 256) (XNNPACK's rndnu16 asserts it)", hex_float(scale));
  }
  const FixedPointMultiplier f = derive_multiplier(s, Derivation::rndnu);
  DeployedRequantParams p;
  p.member = DeployedRequant::rndnu16;
  p.multiplier = f.multiplier;
  p.shift = f.shift;
  p.zero_point = zero_point;
  p.qmin = qmin;
  p.qmax = qmax;
  p.validate();
  return p;
}

}  // namespace quantspec::ref
