// Q5: integer accumulation (SPEC.md §Q5).
#include "quantspec/reference/accumulate.hpp"

#include <string>

#include "quantspec/reference/errors.hpp"

namespace quantspec::ref {
namespace {

void require_on_grid(std::int64_t value, DType type, const std::string& parameter) {
  IntRange range = dtype_range(type);
  if (value < range.min || value > range.max) {
    throw ParameterError(parameter,
                         "in [" + std::to_string(range.min) + ", " + std::to_string(range.max) +
                             "] (" + std::string(name(type)) + ")",
                         std::to_string(value));
  }
}

void require_operand(const QuantizedOperand& operand, const std::string& label) {
  require_on_grid(operand.zero_point, operand.type, label + "_zero_point");
  for (std::size_t k = 0; k < operand.values.size(); ++k) {
    require_on_grid(operand.values[k], operand.type, label + "[" + std::to_string(k) + "]");
  }
}

}  // namespace

// Q5.2
std::int32_t wrap_int32(const Integer& value) {
  const Integer modulus = Integer(1) << 32;
  Integer residue = value % modulus;  // sign follows value
  if (residue < 0) residue += modulus;
  if (residue > int32_max()) residue -= modulus;
  return residue.convert_to<std::int32_t>();
}

// Q5.1, Q5.2
Accumulation accumulate(const QuantizedOperand& x, const QuantizedOperand& w, const Integer& bias) {
  if (x.values.size() != w.values.size()) {
    throw ParameterError("w", "as many values as x (" + std::to_string(x.values.size()) + ")",
                         std::to_string(w.values.size()) + " values");
  }
  require_operand(x, "x");
  require_operand(w, "w");
  Accumulation result;
  Integer sum = bias;
  result.partial_overflow = !fits_int32(sum);
  for (std::size_t k = 0; k < x.values.size(); ++k) {
    sum += Integer(x.values[k] - x.zero_point) * Integer(w.values[k] - w.zero_point);
    if (!fits_int32(sum)) result.partial_overflow = true;
  }
  result.exact = sum;
  result.final_overflow = !fits_int32(sum);
  result.wrapped = wrap_int32(sum);
  return result;
}

// Q5.3: with both zero points free, |x - Zx| <= Qmax - Qmin; with Z = 0 it is
// max(|Qmin|, |Qmax|). The positive side binds: K * P <= 2^31 - 1.
std::int64_t max_safe_depth(DType x_type, bool x_zero_point_is_zero, DType w_type,
                            bool w_zero_point_is_zero) {
  auto largest_offset = [](DType type, bool zero_is_zero) {
    IntRange r = dtype_range(type);
    if (zero_is_zero) return std::max(-r.min, r.max);
    return r.max - r.min;
  };
  Integer worst = Integer(largest_offset(x_type, x_zero_point_is_zero)) *
                  Integer(largest_offset(w_type, w_zero_point_is_zero));
  // For int32 operands the product alone can exceed int32: no depth is safe beyond 0.
  Integer depth = int32_max() / worst;
  return depth.convert_to<std::int64_t>();
}

}  // namespace quantspec::ref
