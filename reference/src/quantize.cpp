// Q2 quantize, the definition (SPEC.md §Q2). Every step is exact rational arithmetic; the
// binary32 roundings of the f32_divide and f32_reciprocal variants are modelled with
// round_to_binary32 on exact values, so no result depends on the host FPU.
#include "quantspec/reference/quantize.hpp"

#include <cmath>
#include <string>

#include "quantspec/reference/errors.hpp"

namespace quantspec::ref {
namespace {

constexpr std::int64_t kInt32Min = -2147483648LL;
constexpr std::int64_t kInt32Max = 2147483647LL;

QuotientKind infinity_of_sign(bool negative) {
  return negative ? QuotientKind::negative_infinity : QuotientKind::positive_infinity;
}

// Q2.3: a binary32 intermediate: overflow gives +-inf, anything else its exact value.
QuotientKind from_binary32(float value, Rational* exact_value) {
  if (std::isinf(value)) return infinity_of_sign(value < 0.0f);
  *exact_value = exact(value);
  return QuotientKind::finite;
}

InputClass classify(float x) {
  switch (std::fpclassify(x)) {
    case FP_NAN: return InputClass::nan;
    case FP_INFINITE: return InputClass::infinite;
    case FP_ZERO: return InputClass::zero;
    case FP_SUBNORMAL: return InputClass::subnormal;
    default: return InputClass::normal;
  }
}

}  // namespace

QuantizeParams QuantizeParams::for_dtype(DType type, float scale, std::int64_t zero_point,
                                         bool narrow_range, Rounding rounding,
                                         Division division) {
  const IntRange grid = dtype_range(type, narrow_range);
  return QuantizeParams{scale, zero_point, grid.min, grid.max, rounding, division};
}

QuantizeParams QuantizeParams::from(const QuantizationParams& params, Rounding rounding,
                                    Division division) {
  return QuantizeParams{params.scale, params.zero_point, params.qmin, params.qmax,
                        rounding,     division};
}

// Q2.2.
void QuantizeParams::validate() const {
  exact(scale, "scale");  // NaN or infinite -> ParameterError("scale", "finite", ...)
  if (!(scale > 0.0f)) {
    throw ParameterError("scale", "> 0 (finite; subnormal allowed)", hex_float(scale));
  }
  if (qmin < kInt32Min) {
    throw ParameterError("qmin", ">= -2147483648 (the int32 grid is the widest)",
                         std::to_string(qmin));
  }
  if (qmax > kInt32Max) {
    throw ParameterError("qmax", "<= 2147483647 (the int32 grid is the widest)",
                         std::to_string(qmax));
  }
  if (qmin > qmax) {
    throw ParameterError("qmin", "qmin <= qmax (qmax = " + std::to_string(qmax) + ")",
                         std::to_string(qmin));
  }
  if (zero_point < qmin || zero_point > qmax) {
    throw ParameterError("zero_point",
                         "in [qmin, qmax] = [" + std::to_string(qmin) + ", " +
                             std::to_string(qmax) + "]",
                         std::to_string(zero_point));
  }
}

// Q2.3: t for each division variant, for finite x and a valid scale.
QuotientKind quotient(float x, float scale, Division division, Rational* value) {
  const Rational numerator = exact(x, "x");
  const Rational divisor = exact(scale, "scale");
  switch (division) {
    case Division::exact:
      *value = numerator / divisor;
      return QuotientKind::finite;
    case Division::f32_divide:
      return from_binary32(round_to_binary32(numerator / divisor), value);
    case Division::f32_reciprocal: {
      const float reciprocal = round_to_binary32(Rational(1) / divisor);
      if (std::isinf(reciprocal)) {
        // S < 2^-128 (subnormal): fl32(1/S) = +inf. x * inf is +-inf, and 0 * inf is NaN,
        // which Q2.4 treats like a NaN input (result Z), the value x = 0 would give.
        if (numerator == 0) return QuotientKind::nan;
        return infinity_of_sign(numerator < 0);
      }
      return from_binary32(round_to_binary32(numerator * exact(reciprocal)), value);
    }
  }
  throw ParameterError("division", "exact, f32_divide or f32_reciprocal", "an unknown value");
}

// Q2.3 + Q2.4.
QuantizeTrace quantize_traced(float x, const QuantizeParams& params) {
  params.validate();
  QuantizeTrace trace;
  trace.input_class = classify(x);
  trace.input_negative = std::signbit(x);
  if (params.division == Division::f32_reciprocal) {
    trace.reciprocal = round_to_binary32(Rational(1) / exact(params.scale));
  }
  const Integer zero_point(params.zero_point);
  const Integer qmin(params.qmin);
  const Integer qmax(params.qmax);

  switch (trace.input_class) {
    case InputClass::nan:  // Q2.4: NaN -> Z (a spec choice, flagged in the vectors)
      trace.quotient_kind = QuotientKind::nan;
      trace.special = true;
      trace.q = zero_point;
      return trace;
    case InputClass::infinite:  // Q2.4: +inf -> qmax, -inf -> qmin for every variant
      trace.quotient_kind = infinity_of_sign(x < 0.0f);
      break;
    default:
      trace.quotient_kind = quotient(x, params.scale, params.division, &trace.quotient);
  }

  switch (trace.quotient_kind) {
    case QuotientKind::nan:  // 0 * fl32(1/S) = 0 * inf: Q2.4 gives Z
      trace.special = true;
      trace.q = zero_point;
      return trace;
    case QuotientKind::positive_infinity:
      trace.clamped = true;
      trace.q = qmax;
      return trace;
    case QuotientKind::negative_infinity:
      trace.clamped = true;
      trace.q = qmin;
      return trace;
    case QuotientKind::finite:
      break;
  }
  // Q2.3: round first, then add Z (matters for half_even with an odd Z), then clamp exactly.
  trace.rounded = round_to_integer(trace.quotient, params.rounding);
  trace.unclamped = trace.rounded + zero_point;
  trace.q = clamp(trace.unclamped, qmin, qmax);
  trace.clamped = trace.q != trace.unclamped;
  return trace;
}

// Q2.3 + Q2.4: the definition.
Integer quantize(float x, const QuantizeParams& params) {
  return quantize_traced(x, params).q;
}

// Q2.6.
std::vector<Integer> quantize_per_channel(const std::vector<float>& x,
                                          const std::vector<std::size_t>& shape,
                                          std::int64_t axis,
                                          const std::vector<QuantizeParams>& params) {
  const std::size_t channel_axis = normalise_axis(x.size(), shape, axis);
  if (params.size() != shape[channel_axis]) {
    throw ParameterError("params",
                         "one parameter set per channel (" + std::to_string(shape[channel_axis]) +
                             ")",
                         std::to_string(params.size()));
  }
  for (const QuantizeParams& channel : params) channel.validate();
  std::vector<Integer> q;
  q.reserve(x.size());
  for (std::size_t i = 0; i < x.size(); ++i) {
    q.push_back(quantize(x[i], params[channel_of(i, shape, channel_axis)]));
  }
  return q;
}

namespace {
void check_innermost(std::size_t size, std::size_t channels) {
  if (channels == 0 || size % channels != 0) {
    throw ParameterError("shape",
                         "the element count is a multiple of the channel count (" +
                             std::to_string(channels) + ")",
                         std::to_string(size) + " elements");
  }
}
}  // namespace

// Q2.6, innermost axis.
std::vector<Integer> quantize_per_channel(const std::vector<float>& x,
                                          const std::vector<QuantizeParams>& params) {
  check_innermost(x.size(), params.size());
  return quantize_per_channel(x, {x.size() / params.size(), params.size()}, 1, params);
}

// Q2.6 + Q2.7, innermost axis.
std::vector<std::int64_t> quantize_per_channel_fast(const std::vector<float>& x,
                                                    const std::vector<QuantizeParams>& params) {
  check_innermost(x.size(), params.size());
  for (const QuantizeParams& channel : params) channel.validate();
  std::vector<std::int64_t> q(x.size());
  const std::size_t channels = params.size();
  for (std::size_t i = 0; i < x.size(); ++i) q[i] = quantize_fast(x[i], params[i % channels]);
  return q;
}

std::string_view name(InputClass input_class) {
  switch (input_class) {
    case InputClass::nan: return "nan";
    case InputClass::infinite: return "infinite";
    case InputClass::zero: return "zero";
    case InputClass::subnormal: return "subnormal";
    case InputClass::normal: return "normal";
  }
  return "unknown";
}

std::string_view name(QuotientKind kind) {
  switch (kind) {
    case QuotientKind::finite: return "finite";
    case QuotientKind::positive_infinity: return "+inf";
    case QuotientKind::negative_infinity: return "-inf";
    case QuotientKind::nan: return "nan";
  }
  return "unknown";
}

}  // namespace quantspec::ref
