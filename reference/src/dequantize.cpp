// Q3 dequantize (SPEC.md §Q3): r = (q - Z) * S exactly, and fl32(r) with one rounding.
#include "quantspec/reference/dequantize.hpp"

#include <string>

#include "quantspec/reference/errors.hpp"

namespace quantspec::ref {
namespace {

void check_scale(float scale) {
  exact(scale, "scale");  // NaN or infinite -> ParameterError("scale", "finite", ...)
  if (!(scale > 0.0f)) {
    throw ParameterError("scale", "> 0 (finite; subnormal allowed)", hex_float(scale));
  }
}

void check_on_grid(const Integer& q, const QuantizeParams& params) {
  params.validate();
  if (q < params.qmin || q > params.qmax) {
    throw ParameterError("q",
                         "in [qmin, qmax] = [" + std::to_string(params.qmin) + ", " +
                             std::to_string(params.qmax) + "]",
                         q.str());
  }
}

}  // namespace

// Q3.1.
Rational dequantize_exact(const Integer& q, float scale, std::int64_t zero_point) {
  check_scale(scale);
  return Rational(q - zero_point) * exact(scale);
}

// Q3.2.
float dequantize(const Integer& q, float scale, std::int64_t zero_point) {
  return round_to_binary32(dequantize_exact(q, scale, zero_point));
}

// Q3.3.
Rational dequantize_exact(const Integer& q, const QuantizeParams& params) {
  check_on_grid(q, params);
  return dequantize_exact(q, params.scale, params.zero_point);
}

// Q3.3.
float dequantize(const Integer& q, const QuantizeParams& params) {
  return round_to_binary32(dequantize_exact(q, params));
}

}  // namespace quantspec::ref
