// Q8 fused-activation vectors: the clamp bounds [lo, hi] a fused ReLU / ReLU6 / ReLU-N1-to-1 /
// real interval [low, high] gives on an output grid (Sy, Zy, qmin, qmax). The variant is how a
// real bound v becomes a quantized one: Zy + R(t(v)), t(v) = v/Sy exactly or fl32(v/Sy)
// (TFLite: f32_divide with half_away).
#include <cmath>
#include <limits>
#include <optional>

#include "builder.hpp"
#include "quantspec/reference/activation.hpp"

namespace quantspec::vectors::detail {
namespace {

struct Case {
  std::string comment;
  std::vector<std::string> flags;
  float scale;
  std::int32_t zero_point;
  std::int32_t qmin, qmax;
  std::optional<ref::Activation> activation;
  std::optional<float> low, high;
};

}  // namespace

Json activation_family() {
  FileBuilder file("activation", "Q8",
                   {"Fused activation clamp bounds: clamp_min = max(qmin, Zy + R(t(a))), "
                    "clamp_max = min(qmax, Zy + R(t(b))) with t(v) = v/Sy exactly (division = "
                    "exact) or fl32(v/Sy) (f32_divide), R the rounding rule. ReLU: a = 0; ReLU6: "
                    "[0, 6]; ReLU-N1-to-1: [-1, 1]; an interval [low, high] otherwise.",
                    "Operands: inputs (output_scale, zero_point, qmin, qmax, and activation or "
                    "low/high); outputs clamp_min, clamp_max. The fused result of a requantized "
                    "q is clamp(q, clamp_min, clamp_max)."});
  using A = ref::Activation;
  std::vector<Case> cases = {
      {"ReLU, Zy = 0", {}, 0.05f, 0, -128, 127, A::relu, {}, {}},
      {"ReLU with Zy = qmin: bound coincides with qmin", {"activation_bound_coincides",
       "zero_point_at_qmin"}, 0.05f, -128, -128, 127, A::relu, {}, {}},
      {"ReLU6 with 6/Sy = 127 + Zy exactly: upper bound coincides with qmax",
       {"activation_bound_coincides"}, 6.0f / 127.0f, 0, -128, 127, A::relu6, {}, {}},
      {"ReLU6 with 6/Sy = 240: upper bound crosses qmax, qmax wins",
       {"activation_bound_crosses"}, 0.025f, 0, -128, 127, A::relu6, {}, {}},
      {"ReLU6 with 6/Sy = 2.5 exactly: tie in the bound (half_away 3, half_even 2)",
       {"tie_even_positive"}, 2.4f, 0, -128, 127, A::relu6, {}, {}},
      {"ReLU6 with 6/Sy = 3.5: tie", {"tie_odd_positive"}, 6.0f / 3.5f, 0, -128, 127, A::relu6, {}, {}},
      {"ReLU-N1-to-1, -1/Sy = -2.5: negative tie", {"tie_even_negative"}, 0.4f, 0, -128, 127,
       A::relu_n1_to_1, {}, {}},
      {"ReLU-N1-to-1 with Sy = 0.001: both bounds cross the grid", {"activation_bound_crosses"},
       0.001f, 0, -128, 127, A::relu_n1_to_1, {}, {}},
      {"uint8 ReLU, Zy = 128", {"uint8_zero_point_128"}, 0.05f, 128, 0, 255, A::relu, {}, {}},
      {"narrow range int8 ReLU6", {"narrow_range"}, 0.05f, 0, -127, 127, A::relu6, {}, {}},
      {"qmin = qmax = Zy = 0 with ReLU", {"single_point_range"}, 0.05f, 0, 0, 0, A::relu, {}, {}},
      {"no activation: the grid", {}, 0.05f, 3, -128, 127, A::none, {}, {}},
      {"interval [-0.5, 0.5]", {}, 0.1f, 0, -128, 127, {}, -0.5f, 0.5f},
      {"interval [2, 3] excludes 0", {}, 0.1f, 0, -128, 127, {}, 2.0f, 3.0f},
      {"interval above the grid: empty, rejected", {"empty_activation_range"}, 0.01f, 0, -128, 127, {},
       5.0f, 6.0f},
      {"interval meeting the grid in one point", {"empty_activation_range",
       "activation_bound_coincides"}, 1.0f, 0, -128, 127, {}, 127.0f, 300.0f},
      {"low > high is rejected", {}, 0.1f, 0, -128, 127, {}, 1.0f, -1.0f},
      {"NaN bound is rejected", {}, 0.1f, 0, -128, 127, {}, std::numeric_limits<float>::quiet_NaN(), 1.0f},
      {"scale 0 is rejected", {}, 0.0f, 0, -128, 127, A::relu, {}, {}},
      {"zero point outside [qmin, qmax] is rejected", {}, 0.1f, 200, -128, 127, A::relu, {}, {}},
  };
  Rng rng(0x513c0000);
  for (int i = 0; i < 10; ++i) {
    Case c{"random #" + std::to_string(i), {"random"}, rng.log_uniform_float(-8, 0),
           static_cast<std::int32_t>(rng.uniform(-128, 127)), -128, 127,
           static_cast<A>(rng.uniform(0, 3)), {}, {}};
    cases.push_back(c);
  }
  for (auto division : {ref::Division::f32_divide, ref::Division::exact}) {
    for (auto rounding : {ref::Rounding::half_away, ref::Rounding::half_even, ref::Rounding::half_up}) {
      auto& group = file.group("ActivationBoundsTest",
                               Json{{"division", ref::name(division)}, {"rounding", ref::name(rounding)}},
                               Json::object());
      const ref::ActivationRounding how{division, rounding};
      for (const auto& c : cases) {
        Json inputs = {{"output_scale", encode(c.scale)}, {"zero_point", c.zero_point},
                       {"qmin", c.qmin}, {"qmax", c.qmax}};
        if (c.activation) inputs["activation"] = ref::name(*c.activation);
        if (c.low) inputs["low"] = encode(*c.low);
        if (c.high) inputs["high"] = encode(*c.high);
        const ref::OutputGrid grid{c.scale, c.zero_point, c.qmin, c.qmax};
        group.add_computed(c.comment, c.flags, inputs, [&]() {
          const auto b = c.activation ? ref::activation_bounds(*c.activation, grid, how)
                                      : ref::activation_bounds_for_interval(c.low, c.high, grid, how);
          return Json{{"clamp_min", b.lo}, {"clamp_max", b.hi}};
        });
      }
    }
  }
  return file.finish();
}

}  // namespace quantspec::vectors::detail
