// Q3 dequantize vectors: x = fl32((q - Z) * S), one rounding, ties to even.
#include <cmath>
#include <limits>

#include "builder.hpp"
#include "quantspec/reference/dequantize.hpp"

namespace quantspec::vectors::detail {
namespace {

using ref::DType;

struct Case {
  std::string comment;
  std::vector<std::string> flags;
  std::int64_t q;
  float scale;
  std::int64_t zero_point;
};

}  // namespace

Json dequantize_family() {
  FileBuilder file("dequantize", "Q3",
                   {"x = fl32((q - Z) * S): the exact product rounded once to binary32 (ties to "
                    "even). details.exact holds the exact rational.",
                    "Operands: params (dtype, narrow_range, qmin, qmax) and inputs (q, scale, "
                    "zero_point); output x (binary32 hex)."});
  const float s1 = 0x1.000002p+0f;  // 1 + 2^-23
  const std::vector<std::pair<std::pair<DType, bool>, std::vector<Case>>> grids = {
      {{DType::int8, false},
       {{"q = Z gives +0.0", {}, 5, 0.5f, 5},
        {"(q - Z) = 3, S = 1 + 2^-23: 3 + 3*2^-23 is halfway, ties to even", {"result_rounding_tie"},
         3, s1, 0},
        {"(q - Z) = 5, S = 1 + 2^-23: 5 + 5*2^-23 not a binary32, rounds to nearest",
         {"inexact_result"}, 5, s1, 0},
        {"(q - Z) = -3, S = 1 + 2^-23: negative tie", {"result_rounding_tie"}, -3, s1, 0},
        {"S = 0.1f, q - Z = 7", {"inexact_result"}, 7, 0.1f, 0},
        {"Z = qmin, q = qmax", {"zero_point_at_qmin"}, 127, 0.5f, -128},
        {"Z = qmax, q = qmin", {"zero_point_at_qmax"}, -128, 0.5f, 127},
        {"subnormal S, result subnormal", {"subnormal_scale", "subnormal_result"}, 3, 0x1p-148f, 0},
        {"subnormal result from a normal S", {"subnormal_result"}, 1, 0x1p-127f, 0},
        {"q outside the grid is rejected", {}, 128, 1.0f, 0},
        {"scale = 0 is rejected", {}, 1, 0.0f, 0},
        {"NaN scale is rejected", {}, 1, std::numeric_limits<float>::quiet_NaN(), 0},
        {"zero point outside the grid is rejected", {}, 1, 1.0f, -129}}},
      {{DType::uint8, false},
       {{"uint8 Z = 128, q = 0", {"uint8_zero_point_128"}, 0, 0.5f, 128},
        {"uint8 Z = 128, q = 255", {"uint8_zero_point_128"}, 255, 0.5f, 128}}},
      {{DType::int8, true}, {{"narrow range q = -127", {"narrow_range"}, -127, 0.25f, 0},
                             {"narrow range rejects q = -128", {"narrow_range"}, -128, 0.25f, 0}}},
      {{DType::int16, false},
       {{"int16: S = 1 + 2^-23, (q - Z) = 32767: rounds", {"inexact_result"}, 32767, s1, 0},
        {"int16: S = 2^127, q - Z = -32768: -2^142 overflows binary32 to -inf",
         {"inexact_result"}, -32768, 0x1p127f, 0}}},
  };
  std::uint64_t seed = 0x51330000;
  for (const auto& [grid, cases] : grids) {
    const auto range = ref::dtype_range(grid.first, grid.second);
    auto& group = file.group("DequantizeTest", Json::object(),
                             Json{{"dtype", ref::name(grid.first)},
                                  {"narrow_range", grid.second},
                                  {"qmin", range.min},
                                  {"qmax", range.max}});
    std::vector<Case> all = cases;
    Rng rng(seed++);
    for (int i = 0; i < 10; ++i) {
      all.push_back({"random #" + std::to_string(i), {"random"}, rng.uniform(range.min, range.max),
                     rng.log_uniform_float(-20, 4), rng.uniform(range.min, range.max)});
    }
    for (const auto& c : all) {
      auto p = ref::QuantizeParams::for_dtype(grid.first, c.scale, c.zero_point, grid.second);
      Json details = nullptr;
      try {
        details = Json{{"exact", encode_rational(ref::dequantize_exact(ref::Integer(c.q), p))}};
      } catch (const ref::ParameterError&) {
      }
      group.add_computed(c.comment, c.flags,
                         Json{{"q", encode_int(c.q)}, {"scale", encode(c.scale)},
                              {"zero_point", encode_int(c.zero_point)}},
                         [&]() { return Json{{"x", encode(ref::dequantize(ref::Integer(c.q), p))}}; },
                         details);
    }
  }
  return file.finish();
}

}  // namespace quantspec::vectors::detail
