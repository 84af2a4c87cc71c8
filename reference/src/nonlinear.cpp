// SPEC.md Q12: dequantize -> f -> quantize, and the 256-entry tables built from it.
#include "quantspec/reference/nonlinear.hpp"

#include <boost/math/constants/constants.hpp>
#include <boost/math/special_functions/erf.hpp>
#include <boost/math/special_functions/expm1.hpp>
#include <boost/math/special_functions/log1p.hpp>
#include <boost/multiprecision/cpp_bin_float.hpp>

#include <cmath>
#include <stdexcept>
#include <string>
#include <type_traits>

#include "quantspec/reference/errors.hpp"
#include "quantspec/reference/params.hpp"

namespace quantspec::ref {
namespace {

namespace mp = boost::multiprecision;
template <unsigned Bits>
using BigFloat = mp::number<mp::cpp_bin_float<Bits, mp::digit_base_2>, mp::et_off>;

// Q12.2: the precisions tried in turn, and the relative error assumed of Boost's functions at
// each (2^-(bits - kGuardBits)); the decision is accepted only outside that margin.
constexpr unsigned kGuardBits = 16;
// The highest precision at which GELU (erf) is evaluated (see evaluate_big).
constexpr unsigned kGeluMaxBits = 512;
// Q12.2: beyond |x| >= kTailStart every f is its limit plus an infinitesimal of known sign.
const Rational& tail_start() {
  static const Rational t(4096);
  return t;
}

template <unsigned Bits>
BigFloat<Bits> to_big(const Rational& r) {
  return BigFloat<Bits>(mp::cpp_int(mp::numerator(r))) / BigFloat<Bits>(mp::cpp_int(mp::denominator(r)));
}

// A finite BigFloat as its exact dyadic rational.
template <unsigned Bits>
Rational to_rational(const BigFloat<Bits>& v) {
  if (v == 0) return Rational(0);
  int e = 0;
  const BigFloat<Bits> m = mp::frexp(v, &e);  // v = m * 2^e, 0.5 <= |m| < 1
  const Integer mantissa = mp::ldexp(m, static_cast<int>(Bits)).template convert_to<Integer>();
  return Rational(mantissa) * pow2(e - static_cast<int>(Bits));
}

Rational rational_of(float v) { return exact(v); }

template <unsigned Bits>
BigFloat<Bits> logistic_big(const BigFloat<Bits>& x) {
  return BigFloat<Bits>(1) / (BigFloat<Bits>(1) + mp::exp(-x));
}

// Q12.1 at `Bits` bits. Formulas chosen to avoid cancellation: GELU uses erfc, SiLU/GELU-tanh
// divide by 1 + exp(-u), ELU uses expm1, softplus log1p.
template <unsigned Bits>
Rational evaluate_big(NonlinearFunction f, const Rational& xr, float alpha) {
  using B = BigFloat<Bits>;
  const B x = to_big<Bits>(xr);
  B y;
  switch (f) {
    case NonlinearFunction::tanh: y = mp::tanh(x); break;
    case NonlinearFunction::logistic: y = logistic_big(x); break;
    case NonlinearFunction::gelu:
      // Boost.Math's erfc is not instantiated beyond 512 bits: at 2048 bits its static
      // initializers (Bernoulli and polygamma tables) cost ~1 s at the start of every program
      // that links the reference, and the first call ~39 s (measured here). GELU (erf) therefore
      // stops the Q12.2 ladder at 512 bits (an undecided case is reported, never guessed).
      if constexpr (Bits > kGeluMaxBits) {
        throw std::runtime_error("Q12.2: rounding of gelu(" + to_string(xr) + ") undecided at " +
                                 std::to_string(kGeluMaxBits) + " bits");
      } else {
        y = x / 2 * boost::math::erfc(-x / mp::sqrt(B(2)));
      }
      break;
    case NonlinearFunction::gelu_tanh: {
      const B k = mp::sqrt(B(2) / boost::math::constants::pi<B>());
      const B u = k * (x + B(44715) / B(1000000) * x * x * x);
      y = x / (B(1) + mp::exp(-2 * u));
      break;
    }
    case NonlinearFunction::silu: y = x * logistic_big(x); break;
    case NonlinearFunction::elu: y = to_big<Bits>(rational_of(alpha)) * boost::math::expm1(x); break;
    case NonlinearFunction::softplus: y = boost::math::log1p(mp::exp(x)); break;
    case NonlinearFunction::exp: y = mp::exp(x); break;
    default: throw std::logic_error("evaluate_big: rational function");
  }
  return to_rational<Bits>(y);
}

// f(x) = base + sign * epsilon, epsilon > 0 smaller than every gap that matters (Q12.2).
struct Value {
  Rational base;
  int infinitesimal = 0;  // -1, 0, +1
  bool exact = false;     // base is f(x) exactly (infinitesimal = 0)
  Rational bound = 0;     // epsilon < bound (tails)
};

Rational relu6_shifted(const Rational& x) {  // min(max(x + 3, 0), 6)
  Rational t = x + 3;
  if (t < 0) t = 0;
  if (t > 6) t = 6;
  return t;
}

}  // namespace

std::string_view name(NonlinearFunction f) {
  switch (f) {
    case NonlinearFunction::tanh: return "tanh";
    case NonlinearFunction::logistic: return "logistic";
    case NonlinearFunction::gelu: return "gelu";
    case NonlinearFunction::gelu_tanh: return "gelu_tanh";
    case NonlinearFunction::silu: return "silu";
    case NonlinearFunction::hardswish: return "hardswish";
    case NonlinearFunction::hardsigmoid: return "hardsigmoid";
    case NonlinearFunction::elu: return "elu";
    case NonlinearFunction::leaky_relu: return "leaky_relu";
    case NonlinearFunction::softplus: return "softplus";
    case NonlinearFunction::exp: return "exp";
  }
  return "invalid";
}

const std::vector<NonlinearFunction>& all_nonlinear_functions() {
  using F = NonlinearFunction;
  static const std::vector<F> all = {F::tanh,      F::logistic,    F::gelu, F::gelu_tanh,
                                     F::silu,      F::hardswish,   F::hardsigmoid, F::elu,
                                     F::leaky_relu, F::softplus,   F::exp};
  return all;
}

NonlinearFunction parse_nonlinear_function(std::string_view text, std::string_view parameter) {
  std::string names;
  for (auto f : all_nonlinear_functions()) {
    if (text == name(f)) return f;
    names += (names.empty() ? "" : ", ") + std::string(name(f));
  }
  throw ParameterError(std::string(parameter), "one of " + names, "'" + std::string(text) + "'");
}

std::string_view name(LutVariant v) {
  switch (v) {
    case LutVariant::exact: return "exact";
    case LutVariant::tflite: return "tflite";
    case LutVariant::xnnpack: return "xnnpack";
  }
  return "invalid";
}

LutVariant parse_lut_variant(std::string_view text, std::string_view parameter) {
  for (auto v : {LutVariant::exact, LutVariant::tflite, LutVariant::xnnpack}) {
    if (text == name(v)) return v;
  }
  throw ParameterError(std::string(parameter), "one of exact, tflite, xnnpack",
                       "'" + std::string(text) + "'");
}

// Q12.1: the functions whose value is rational at rational x (piecewise rational), and the
// rational points of the others (x = 0).
std::optional<Rational> nonlinear_exact_value(NonlinearFunction f, const Rational& x, float alpha) {
  using F = NonlinearFunction;
  switch (f) {
    case F::hardswish: return x * relu6_shifted(x) / 6;
    case F::hardsigmoid: return relu6_shifted(x) / 6;
    case F::leaky_relu: return x >= 0 ? x : x * rational_of(alpha);
    case F::elu: if (x >= 0) return x; break;
    default: break;
  }
  if (x == 0) {
    switch (f) {
      case F::logistic: return Rational(1, 2);
      case F::exp: return Rational(1);
      case F::softplus: return std::nullopt;  // ln 2
      default: return Rational(0);            // tanh, gelu, gelu_tanh, silu, elu
    }
  }
  return std::nullopt;
}

namespace {

// 2^-min(floor(c |x|), 20000): an upper bound of e^(-k |x|) when c <= k log2(e).
Rational exp_bound(const Rational& c, const Rational& x) {
  const Rational t = c * abs(x);
  Integer n = floor_div(mp::numerator(t), mp::denominator(t));
  if (n > 20000) n = 20000;
  return pow2(-n.convert_to<int>());
}

// Q12.2: the tails. For |x| >= 16 every f is its limit L plus an epsilon of known sign with
// 0 < epsilon < bound (bounds in SPEC.md Q12.2); the decision uses them when the rounding
// of L + sign*bound equals that of L + sign*(infinitesimal), else the precision ladder.
std::optional<Value> tail_value(NonlinearFunction f, const Rational& x, float alpha) {
  using F = NonlinearFunction;
  if (x < 16 && x > -16) return std::nullopt;
  const bool positive = x > 0;
  const Rational ax = abs(x);
  const Rational c144(144, 100), c288(288, 100), c072(72, 100), c229(229, 100);
  switch (f) {
    case F::tanh:  // 1 - tanh|x| < 2 e^(-2|x|)
      return Value{Rational(positive ? 1 : -1), positive ? -1 : +1, false, 2 * exp_bound(c288, x)};
    case F::logistic:  // 1 - logistic(|x|) < e^(-|x|)
      return Value{Rational(positive ? 1 : 0), positive ? -1 : +1, false, exp_bound(c144, x)};
    case F::silu:  // |x| e^(-|x|)
      return Value{positive ? x : Rational(0), -1, false, ax * exp_bound(c144, x)};
    case F::gelu:  // |x| Phi(-|x|) < |x| e^(-x^2/2)
      return Value{positive ? x : Rational(0), -1, false, ax * exp_bound(c072 * ax, x)};
    case F::gelu_tanh:  // |x| e^(-2u), 2u >= 2 sqrt(2/pi) |x| > 1.594 |x|
      return Value{positive ? x : Rational(0), -1, false, ax * exp_bound(c229, x)};
    case F::softplus:  // ln(1 + e^(-|x|)) < e^(-|x|)
      return Value{positive ? x : Rational(0), +1, false, exp_bound(c144, x)};
    case F::exp:
      if (positive) {
        if (x < 4096) return std::nullopt;
        // e^4096 > 2^5900: beyond every output grid (So >= 2^-149, |q| < 2^31).
        return Value{Rational(pow2(6000)), 0, false, Rational(0)};
      }
      return Value{Rational(0), +1, false, exp_bound(c144, x)};
    case F::elu:  // alpha (e^x - 1) = -alpha + alpha e^x, x <= -16
      return Value{-rational_of(alpha), alpha > 0 ? +1 : (alpha < 0 ? -1 : 0), false,
                   abs(rational_of(alpha)) * exp_bound(c144, x)};
    default: return std::nullopt;
  }
}

// The rounding decision of Q12.2 for one target: `decide(v, margin)` returns a result when
// v's distance to every boundary exceeds margin, else nullopt.
template <typename Decide>
auto decide_with_precision(NonlinearFunction f, const Rational& x, float alpha, Decide decide)
    -> typename std::decay_t<decltype(decide(Value{}, Rational(0)))>::value_type {
  if (auto e = nonlinear_exact_value(f, x, alpha)) {
    return decide(Value{*e, 0, true}, Rational(0)).value();
  }
  if (auto t = tail_value(f, x, alpha)) {
    if (auto r = decide(*t, Rational(0))) return *r;
  }
  auto attempt = [&](auto tag) -> decltype(decide(Value{}, Rational(0))) {
    constexpr unsigned bits = decltype(tag)::value;
    const Rational v = evaluate_big<bits>(f, x, alpha);
    const Rational margin = abs(v) * pow2(-static_cast<int>(bits - kGuardBits));
    return decide(Value{v, 0, false}, margin);
  };
  if (auto r = attempt(std::integral_constant<unsigned, 128>{})) return *r;
  if (auto r = attempt(std::integral_constant<unsigned, 512>{})) return *r;
  if (auto r = attempt(std::integral_constant<unsigned, 2048>{})) return *r;
  throw std::runtime_error("Q12.2: rounding of " + std::string(name(f)) + "(" + to_string(x) +
                           ") undecided at 2048 bits");
}

// Distance from v to the nearest multiple of 1/2 (every boundary of every Q0.1 rule).
Rational distance_to_half_grid(const Rational& v) {
  const Rational twice = v * 2;
  const Integer below = floor_div(mp::numerator(twice), mp::denominator(twice));
  const Rational low = twice - Rational(below);
  const Rational high = 1 - low;
  return (low < high ? low : high) / 2;
}

// R(v + sign*epsilon) for an infinitesimal epsilon: v moved by less than any gap to a boundary.
Integer round_with_infinitesimal(const Rational& v, int sign, Rounding rule) {
  if (sign == 0) return round_to_integer(v, rule);
  const Rational delta(Integer(1), Integer(4) * mp::denominator(v));
  return round_to_integer(v + (sign > 0 ? delta : Rational(-delta)), rule);
}

void validate(const LutParams& p, bool binary32_variant) {
  if (p.dtype != DType::int8 && p.dtype != DType::uint8) {
    throw ParameterError("dtype", "int8 or uint8", std::string(name(p.dtype)));
  }
  const IntRange r = dtype_range(p.dtype);
  const char* need = binary32_variant ? "a normal binary32 > 0 (>= 2^-126; XNNPACK rejects others)"
                                      : "a finite binary32 > 0";
  auto check_scale = [&](float s, const char* param) {
    const bool ok = std::isfinite(s) && s > 0 && (!binary32_variant || std::isnormal(s));
    if (!ok) throw ParameterError(param, need, hex_float(s));
  };
  check_scale(p.input_scale, "input_scale");
  check_scale(p.output_scale, "output_scale");
  auto check_zero_point = [&](std::int32_t z, const char* param) {
    if (z < r.min || z > r.max) {
      throw ParameterError(param, "in [" + std::to_string(r.min) + ", " + std::to_string(r.max) + "]",
                           std::to_string(z));
    }
  };
  check_zero_point(p.input_zero_point, "input_zero_point");
  check_zero_point(p.output_zero_point, "output_zero_point");
  if (!std::isfinite(p.alpha)) throw ParameterError("alpha", "a finite binary32", hex_float(p.alpha));
}

void validate_input(std::int32_t q, const LutParams& p) {
  const IntRange r = dtype_range(p.dtype);
  if (q < r.min || q > r.max) {
    throw ParameterError("q", "in [" + std::to_string(r.min) + ", " + std::to_string(r.max) + "]",
                         std::to_string(q));
  }
}

Integer clamp_to_dtype(const Integer& v, DType dtype) {
  const IntRange r = dtype_range(dtype);
  return clamp(v, Integer(r.min), Integer(r.max));
}

}  // namespace

Rational nonlinear_approximate(NonlinearFunction f, const Rational& x, float alpha, unsigned bits) {
  if (auto e = nonlinear_exact_value(f, x, alpha)) return *e;
  if (auto t = tail_value(f, x, alpha); t && (t->bound == 0 || t->bound < abs(t->base) * pow2(-static_cast<int>(bits)))) {
    return t->base;
  }
  if (bits <= 128) return evaluate_big<128>(f, x, alpha);
  if (bits <= 512) return evaluate_big<512>(f, x, alpha);
  return evaluate_big<2048>(f, x, alpha);
}

// Q12.2 (also used by Q13): R(f(x)/divisor), decided without error.
Integer nonlinear_round(NonlinearFunction f, const Rational& x, float alpha, const Rational& divisor,
                        Rounding rule) {
  if (divisor <= 0) throw ParameterError("divisor", "> 0", to_string(divisor));
  return decide_with_precision(f, x, alpha, [&](const Value& v, const Rational& margin)
                                                -> std::optional<Integer> {
    const Rational scaled = v.base / divisor;
    if (margin != 0 && distance_to_half_grid(scaled) <= margin / divisor) return std::nullopt;
    const Integer r = round_with_infinitesimal(scaled, v.infinitesimal, rule);
    if (v.bound != 0) {
      const Rational far =
          scaled + (v.infinitesimal > 0 ? v.bound / divisor : Rational(-v.bound / divisor));
      if (round_to_integer(far, rule) != r) return std::nullopt;
    }
    return r;
  });
}

// Q12.2
Integer nonlinear_exact(NonlinearFunction f, std::int32_t q, const LutParams& p) {
  validate(p, false);
  validate_input(q, p);
  const Rational x = Rational(q - p.input_zero_point) * exact(p.input_scale);
  const Integer r = nonlinear_round(f, x, p.alpha, exact(p.output_scale), p.rounding);
  return clamp_to_dtype(r + p.output_zero_point, p.dtype);
}

Integer nonlinear_exact(const UserFunction& f, std::int32_t q, const LutParams& p) {
  validate(p, false);
  validate_input(q, p);
  if (!f.approximate) throw ParameterError("function", "a callable", "an empty std::function");
  const Rational x = Rational(q - p.input_zero_point) * exact(p.input_scale);
  const Rational so = exact(p.output_scale);
  if (f.exact_value) {
    if (auto e = f.exact_value(x)) {
      return clamp_to_dtype(round_to_integer(*e / so, p.rounding) + p.output_zero_point, p.dtype);
    }
  }
  for (unsigned bits : {128u, 512u, 2048u}) {
    const Rational scaled = f.approximate(x, bits) / so;
    const Rational margin = abs(scaled) * pow2(-static_cast<int>(bits - kGuardBits));
    if (distance_to_half_grid(scaled) > margin) {
      return clamp_to_dtype(round_to_integer(scaled, p.rounding) + p.output_zero_point, p.dtype);
    }
  }
  throw std::runtime_error("Q12.2: rounding of the user function at " + to_string(x) +
                           " undecided at 2048 bits");
}

// Q12.3
float nonlinear_binary32(NonlinearFunction f, float x, float alpha) {
  const Rational xr = exact(x, "x");
  return decide_with_precision(f, xr, alpha, [&](const Value& v, const Rational& margin)
                                                 -> std::optional<float> {
    if (v.infinitesimal != 0) {
      // The tail's epsilon decides like a nudge of 2^-400 |base| (or 2^-400 at base 0) when
      // base + sign*bound rounds to the same binary32; otherwise the precision ladder decides.
      const Rational nudge = v.base == 0 ? pow2(-400) : Rational(abs(v.base) * pow2(-400));
      const float r = round_to_binary32(v.base + (v.infinitesimal > 0 ? nudge : Rational(-nudge)));
      const float far = round_to_binary32(v.base + (v.infinitesimal > 0 ? v.bound : Rational(-v.bound)));
      if (v.bound != 0 && far != r) return std::nullopt;
      return r;
    }
    const float r = round_to_binary32(v.base);
    if (margin == 0) return r;
    // Certain when v +- margin rounds to the same binary32.
    if (round_to_binary32(v.base - margin) == r && round_to_binary32(v.base + margin) == r) return r;
    return std::nullopt;
  });
}

namespace {

// Q12.4: saturating conversion of a binary32 rounded to an integer (SPEC CHOICE for values
// beyond int32 and for infinities, which both systems leave to the host's conversion).
Integer integer_of_binary32(float p, Rounding rule, bool* saturated) {
  if (std::isinf(p)) {
    *saturated = true;
    return p > 0 ? pow2(40).convert_to<Integer>() : Integer(-pow2(40).convert_to<Integer>());
  }
  const Integer r = round_to_integer(exact(p), rule);
  if (!fits_int32(r)) *saturated = true;
  return r;
}

}  // namespace

std::array<std::int32_t, 256> build_lut(NonlinearFunction f, const LutParams& p, LutVariant v,
                                        std::vector<LutEntryTrace>* trace) {
  validate(p, v != LutVariant::exact);
  const IntRange r = dtype_range(p.dtype);
  std::array<std::int32_t, 256> table{};
  if (trace) trace->clear();
  const float inverse = round_to_binary32(Rational(1) / exact(p.output_scale));
  for (std::int64_t q = r.min; q <= r.max; ++q) {
    LutEntryTrace entry;
    entry.q = static_cast<std::int32_t>(q);
    Integer out;
    if (v == LutVariant::exact) {
      out = nonlinear_exact(f, entry.q, p);
    } else {
      // Q12.3: x = fl32((q - Zi) * Si), y = fl32(f(x)), p = fl32(y * fl32(1/So)).
      const float x = round_to_binary32(Rational(q - p.input_zero_point) * exact(p.input_scale));
      const float y = nonlinear_binary32(f, x, p.alpha);
      float product;
      if (std::isinf(y)) product = y;
      else product = round_to_binary32(exact(y) * exact(inverse));
      const Rounding rule = v == LutVariant::tflite ? Rounding::half_away : Rounding::half_even;
      out = integer_of_binary32(product, rule, &entry.saturated_non_finite) + p.output_zero_point;
      out = clamp_to_dtype(out, p.dtype);
    }
    entry.out = out.convert_to<std::int32_t>();
    table[static_cast<std::uint8_t>(static_cast<std::int64_t>(q) & 0xff)] = entry.out;
    if (trace) trace->push_back(entry);
  }
  return table;
}

std::array<std::int32_t, 256> build_lut(const UserFunction& f, const LutParams& p) {
  validate(p, false);
  const IntRange r = dtype_range(p.dtype);
  std::array<std::int32_t, 256> table{};
  for (std::int64_t q = r.min; q <= r.max; ++q) {
    table[static_cast<std::uint8_t>(q & 0xff)] =
        nonlinear_exact(f, static_cast<std::int32_t>(q), p).convert_to<std::int32_t>();
  }
  return table;
}

}  // namespace quantspec::ref
