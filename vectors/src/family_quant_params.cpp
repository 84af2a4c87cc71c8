// Q1 quantization-parameter vectors: (S, Z) from a real range [min, max]. The variant is the
// rule that rounds Qmin - min/S to the zero point (TFLite: half_away, i.e. std::round).
#include <cmath>
#include <limits>

#include "builder.hpp"
#include "quantspec/reference/params.hpp"

namespace quantspec::vectors::detail {
namespace {

using ref::DType;

struct Config {
  DType dtype;
  bool symmetric;
  bool narrow;
};

struct Case {
  std::string comment;
  std::vector<std::string> flags;
  float min;
  float max;
};

std::vector<Case> cases_for(const Config& config, std::uint64_t seed) {
  std::vector<Case> c = {
      {"[-1, 1]", {}, -1.0f, 1.0f},
      {"[0, 6] (ReLU6 output)", {}, 0.0f, 6.0f},
      {"[-6, 0]", {}, -6.0f, 0.0f},
      {"[2, 5] does not contain 0: widened to [0, 5]", {"range_excludes_zero"}, 2.0f, 5.0f},
      {"[-5, -2] does not contain 0: widened to [-5, 0]", {"range_excludes_zero"}, -5.0f, -2.0f},
      {"min = max = 0", {"degenerate_range"}, 0.0f, 0.0f},
      {"min = max = 3: widened to [0, 3]", {"degenerate_range", "range_excludes_zero"}, 3.0f, 3.0f},
      {"[-0.3, 0.7]: Z nudged onto the grid", {}, -0.3f, 0.7f},
      {"subnormal range [-2^-140, 2^-140]", {"subnormal_input"}, -0x1p-140f, 0x1p-140f},
  };
  const auto range = ref::dtype_range(config.dtype, config.narrow);
  const double width = static_cast<double>(range.max - range.min);
  if (!config.symmetric) {
    // S = 1 exactly when max - min = qmax - qmin; then Qmin - min/S = qmin - min is a tie
    // whenever min is a half-integer.
    for (double m : {1.5, 2.5, -1.5}) {
      const float min = static_cast<float>(-m);
      const float max = static_cast<float>(width - m);
      if (min > 0.0f || max < 0.0f) continue;
      c.push_back({"Qmin - min/S = " + std::to_string(static_cast<double>(range.min) + m) +
                       " is a tie (S = 1)",
                   {"zero_point_tie"}, min, max});
    }
  }
  Rng rng(seed);
  for (int i = 0; i < 10; ++i) {
    float a = rng.log_uniform_float(-10, 6);
    float b = rng.log_uniform_float(-10, 6);
    if (rng.coin()) a = -a;
    if (rng.coin()) b = -b;
    c.push_back({"random, seed " + std::to_string(seed) + " #" + std::to_string(i), {"random"},
                 std::min(a, b), std::max(a, b)});
  }
  return c;
}

}  // namespace

Json quant_params_family() {
  FileBuilder file("quant_params", "Q1",
                   {"(scale, zero_point) chosen from a real range [min, max] (Q1.2 asymmetric, "
                    "Q1.3 symmetric, Q1.4 degenerate). The range is widened to contain 0; S is "
                    "rounded to binary32 once; Z = clamp(R(Qmin - min/S)) with R the variant's "
                    "zero_point_rounding.",
                    "Operands: params (dtype, symmetric, narrow_range) and inputs (min, max); "
                    "outputs scale (binary32 hex) and zero_point."});
  const std::vector<Config> configs = {
      {DType::int8, false, false},  {DType::uint8, false, false}, {DType::int8, true, false},
      {DType::int8, true, true},    {DType::uint8, true, false},  {DType::int16, true, false},
      {DType::int4, false, false},  {DType::uint4, false, false}, {DType::uint16, false, false}};
  std::uint64_t seed = 0x51310000;
  for (const auto& config : configs) {
    const auto cases = cases_for(config, seed++);
    const auto range = ref::dtype_range(config.dtype, config.narrow);
    for (auto rounding : ref::all_roundings()) {
      // Symmetric parameters do not round a zero point: one group suffices.
      if (config.symmetric && rounding != ref::Rounding::half_away) continue;
      auto& group = file.group("QuantParamsTest",
                               Json{{"zero_point_rounding", ref::name(rounding)}},
                               Json{{"dtype", ref::name(config.dtype)},
                                    {"symmetric", config.symmetric},
                                    {"narrow_range", config.narrow}});
      ref::ParamsOptions options{config.dtype, config.symmetric, config.narrow, rounding};
      auto add = [&](const Case& c) {
        std::vector<std::string> flags = c.flags;
        if (config.narrow) flags.push_back("narrow_range");
        group.add_computed(c.comment, flags, Json{{"min", encode(c.min)}, {"max", encode(c.max)}},
                           [&]() {
                             const auto p = ref::choose_params(c.min, c.max, options);
                             return Json{{"scale", encode(p.scale)},
                                         {"zero_point", encode_int(p.zero_point)}};
                           });
      };
      for (const auto& c : cases) {
        // Flag the zero point landing on a grid end (the range is all >= 0 or all <= 0).
        Case flagged = c;
        try {
          const auto p = ref::choose_params(c.min, c.max, options);
          if (p.zero_point == range.min) flagged.flags.push_back("zero_point_at_qmin");
          if (p.zero_point == range.max) flagged.flags.push_back("zero_point_at_qmax");
        } catch (const ref::ParameterError&) {
        }
        add(flagged);
      }
      if (config.dtype == DType::int8 && !config.symmetric) {
        const float nan = std::numeric_limits<float>::quiet_NaN();
        const float inf = std::numeric_limits<float>::infinity();
        add({"min > max", {}, 1.0f, -1.0f});
        add({"NaN min", {}, nan, 1.0f});
        add({"infinite max", {}, -1.0f, inf});
        add({"range too wide: (max - min)/255 overflows binary32", {}, -3e38f, 3e38f});
      }
    }
  }
  {
    auto& group = file.group("QuantParamsTest", Json{{"zero_point_rounding", "half_away"}},
                             Json{{"dtype", "int32"}, {"symmetric", false}, {"narrow_range", false}});
    group.add_computed("int32 parameters are derived (Sb = Sx*Sw), not chosen", {},
                       Json{{"min", encode(-1.0f)}, {"max", encode(1.0f)}}, [&]() {
                         const auto p = ref::choose_params(-1.0f, 1.0f, {DType::int32});
                         return Json{{"scale", encode(p.scale)}, {"zero_point", encode_int(p.zero_point)}};
                       });
  }
  return file.finish();
}

}  // namespace quantspec::vectors::detail
