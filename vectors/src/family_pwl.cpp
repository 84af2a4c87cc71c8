// Q13.4 piecewise-linear vectors: the uniform chord fit of N segments to f on the 8-bit grid
// (breakpoints, Q.F intercepts and slopes) and its outputs for every q.
#include "builder.hpp"
#include "quantspec/reference/piecewise_linear.hpp"

namespace quantspec::vectors::detail {
namespace {

struct Case {
  std::string comment;
  std::vector<std::string> flags;
  ref::NonlinearFunction function;
  ref::DType dtype;
  float si;
  std::int32_t zi;
  float so;
  std::int32_t zo;
  int segments;
  int fraction_bits;
};

}  // namespace

Json pwl_family() {
  FileBuilder file("pwl", "Q13",
                   {"Piecewise-linear replacement of f on the 8-bit grid (Q13.4): breakpoints b_k = "
                    "qmin + floor(256 k / N); knots K_k = R(2^F (f((b_k - Zi) Si)/So + Zo)) exact, "
                    "R half away; segment k: start b_k, intercept K_k, slope R((K_{k+1} - K_k)/"
                    "(b_{k+1} - b_k)); outputs[q - qmin] = clamp(R((K_k + slope_k (q - b_k))/2^F)) "
                    "with R half away.",
                    "Operands: function, dtype, input_scale, input_zero_point, output_scale, "
                    "output_zero_point, segments (N), fraction_bits (F); outputs starts, "
                    "intercepts, slopes (per segment) and outputs (q = qmin..qmax)."});
  using F = ref::NonlinearFunction;
  using D = ref::DType;
  std::vector<Case> cases = {
      {"Example Q13.E4: tanh, N = 4; q = 32 gives 62 (exact 97)", {}, F::tanh, D::int8, 0x1p-5f, 0,
       0x1p-7f, 0, 4, 16},
      {"tanh N = 8", {}, F::tanh, D::int8, 0x1p-5f, 0, 0x1p-7f, 0, 8, 16},
      {"tanh N = 16", {}, F::tanh, D::int8, 0x1p-5f, 0, 0x1p-7f, 0, 16, 16},
      {"logistic N = 8, Zo = -128: the knot at x = 0 is logistic(0) = 1/2 exactly",
       {"exact_tie_in_f", "zero_point_at_qmin"}, F::logistic, D::int8, 0x1p-4f, 0, 0x1p-8f, -128, 8, 16},
      {"logistic N = 256: a knot on every input, the exact table", {}, F::logistic, D::int8, 0x1p-5f, 3,
       0x1p-8f, -128, 256, 16},
      {"tanh uint8, Zi = Zo = 128, N = 16", {"uint8_zero_point_128"}, F::tanh, D::uint8, 0x1p-5f, 128,
       0x1p-7f, 128, 16, 16},
      {"tanh, Zi at qmax: every input below the zero point", {"zero_point_at_qmax", "clamp_low"}, F::tanh,
       D::int8, 0x1p-5f, 127, 0x1p-7f, -100, 8, 16},
      {"tanh, F = 0: integer slopes and intercepts", {}, F::tanh, D::int8, 0x1p-5f, 0, 0x1p-7f, 0, 8, 0},
      {"tanh N = 1: one chord for the whole grid", {"clamp_high"}, F::tanh, D::int8, 0x1p-3f, 0, 0x1p-7f,
       0, 1, 16},
      {"segments = 0 is rejected", {}, F::tanh, D::int8, 0x1p-5f, 0, 0x1p-7f, 0, 0, 16},
      {"exp with a large Si: the knots leave int32 and are rejected", {}, F::exp, D::int8, 1.0f, 0,
       0x1p-7f, 0, 4, 16},
  };
  Rng rng(0x13400000);
  const int counts[] = {4, 8, 16};
  for (int i = 0; i < 6; ++i) {
    cases.push_back({"random #" + std::to_string(i), {"random"}, i % 2 ? F::logistic : F::tanh, D::int8,
                     rng.log_uniform_float(-7, -3), static_cast<std::int32_t>(rng.uniform(-128, 127)),
                     i % 2 ? 0x1p-8f : 0x1p-7f, i % 2 ? -128 : 0, counts[i % 3], 16});
  }
  auto& group = file.group("PwlTest", Json::object(), Json::object());
  for (const auto& c : cases) {
    Json inputs = {{"function", ref::name(c.function)}, {"dtype", ref::name(c.dtype)},
                   {"input_scale", encode(c.si)},       {"input_zero_point", c.zi},
                   {"output_scale", encode(c.so)},      {"output_zero_point", c.zo},
                   {"segments", c.segments},            {"fraction_bits", c.fraction_bits}};
    group.add_computed(c.comment, c.flags, inputs, [&]() {
      ref::LutParams p;
      p.input_scale = c.si;
      p.input_zero_point = c.zi;
      p.output_scale = c.so;
      p.output_zero_point = c.zo;
      p.dtype = c.dtype;
      const ref::PwlTable t = ref::fit_pwl(c.function, p, c.segments, c.fraction_bits);
      Json starts = Json::array(), intercepts = Json::array(), slopes = Json::array(), outputs = Json::array();
      for (const auto& s : t.segments) {
        starts.push_back(s.start);
        intercepts.push_back(s.intercept);
        slopes.push_back(s.slope);
      }
      const ref::IntRange r = ref::dtype_range(c.dtype);
      for (std::int64_t q = r.min; q <= r.max; ++q) outputs.push_back(ref::pwl_evaluate(t, static_cast<std::int32_t>(q)));
      return Json{{"starts", starts}, {"intercepts", intercepts}, {"slopes", slopes}, {"outputs", outputs}};
    });
  }
  return file.finish();
}

}  // namespace quantspec::vectors::detail
