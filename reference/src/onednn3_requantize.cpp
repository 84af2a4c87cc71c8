// SPEC Q20.3 oneDNN 3.x output stage (see onednn3_requantize.hpp): the definition in exact
// rationals, every binary32 operation rounded once to nearest even.
#include "quantspec/reference/onednn3_requantize.hpp"

#include <cmath>
#include <string>

#include "quantspec/reference/errors.hpp"

namespace quantspec::ref {
namespace {

void require_scale(float s, const char* parameter) {
  if (!std::isfinite(s) || !(s > 0.0f)) {
    throw ParameterError(parameter, "a finite binary32 > 0 (subnormal allowed)", hex_float(s));
  }
}

// fl32 of an exact value, or the infinity the operation overflows to.
float fl32(const Rational& v) { return round_to_binary32(v); }

// fl32(a op b) where a may be infinite: an infinite operand stays infinite (b finite, nonzero).
float times(float a, float b) {
  if (std::isinf(a)) return (a > 0) == (b > 0) ? INFINITY : -INFINITY;
  if (std::isinf(b)) return a == 0.0f ? 0.0f : (a > 0) == (b > 0) ? INFINITY : -INFINITY;
  return fl32(exact(a) * exact(b));
}
float plus(float a, float b) { return std::isinf(a) ? a : fl32(exact(a) + exact(b)); }

}  // namespace

std::string_view name(OneDnn3Order order) { return order == OneDnn3Order::brgemm ? "brgemm" : "reference"; }

OneDnn3Order parse_onednn3_order(std::string_view text, std::string_view parameter) {
  for (OneDnn3Order o : {OneDnn3Order::brgemm, OneDnn3Order::reference}) {
    if (name(o) == text) return o;
  }
  throw ParameterError(std::string(parameter), "brgemm or reference", "'" + std::string(text) + "'");
}

void OneDnn3RequantParams::validate() const {
  require_scale(src_scale, "src_scale");
  require_scale(wei_scale, "wei_scale");
  require_scale(dst_scale, "dst_scale");
  if (std::isinf(fl32(Rational(1) / exact(dst_scale)))) {
    throw ParameterError("dst_scale", "a value whose binary32 reciprocal is finite", hex_float(dst_scale));
  }
  if (!std::isfinite(bias)) throw ParameterError("bias", "a finite binary32", hex_float(bias));
  // The bounds go through binary32 (the float clamp): integers up to 2^24 are exact there.
  if (qmin < -(1 << 24)) throw ParameterError("qmin", ">= -2^24", std::to_string(qmin));
  if (qmax > (1 << 24)) throw ParameterError("qmax", "<= 2^24", std::to_string(qmax));
  if (qmin > qmax) throw ParameterError("qmin", "<= qmax (" + std::to_string(qmax) + ")", std::to_string(qmin));
  if (zero_point < qmin || zero_point > qmax) {
    throw ParameterError("zero_point", "in [qmin, qmax]", std::to_string(zero_point));
  }
}

Integer onednn3_requantize(const Integer& acc, const OneDnn3RequantParams& p) {
  p.validate();
  const float a = fl32(Rational(acc));
  float t1;
  if (p.order == OneDnn3Order::brgemm) {
    const float c = fl32(exact(p.src_scale) * exact(p.wei_scale));  // may underflow to 0 or overflow
    t1 = c == 0.0f ? 0.0f : times(a, c);
  } else {
    t1 = times(times(a, p.src_scale), p.wei_scale);
  }
  const float t2 = plus(t1, p.bias);
  const float r = fl32(Rational(1) / exact(p.dst_scale));
  const float t3 = times(t2, r);
  const float u = plus(t3, static_cast<float>(p.zero_point));  // Zy is an integer: exact in binary32
  if (std::isinf(u)) return u > 0 ? Integer(p.qmax) : Integer(p.qmin);
  // A float clamp to integer bounds, then round to nearest even: clamp(R(u)) is the same integer.
  const Integer q = round_to_integer(exact(u), Rounding::half_even);
  return clamp(q, Integer(p.qmin), Integer(p.qmax));
}

}  // namespace quantspec::ref
