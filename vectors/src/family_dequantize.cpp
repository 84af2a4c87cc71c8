// Q3 dequantize vectors: x = fl32((q - Z) * S), one rounding, ties to even; and (Q3.5,
// appended) TFLite's optimized vector loop fl32(fl32(q*S) + fl32(-Z*S)) beside it on the same inputs.
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

#include "builder.hpp"
#include "quantspec/reference/deployed_dequantize.hpp"
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

// SPEC Q3.5: the inputs of the TfliteDequantizeTest groups of one grid: the worked examples, two
// cases where every step of the member is exact (it equals Q3.2 there), and seeded cases at typical
// parameters (S in [2^-10, 1), q and Z anywhere on the grid) kept only where the member and Q3.2
// differ, so every one of them separates the two.
std::vector<Case> tflite_vector_loop_cases(DType dtype, std::uint64_t seed) {
  const auto range = ref::dtype_range(dtype, false);
  std::vector<Case> c;
  if (dtype == DType::int8) {
    c.push_back({"Example Q3.E2: S = 0.1f, q = 3, Z = 1: fl32(3S) - S = 26843547 * 2^-27 ties to even, "
                 "0x1.99999cp-3; (q - Z) * S = 0x1.99999ap-3",
                 {"scaled_zero_point_rounds"}, 3, 0x1.99999ap-4f, 1});
    c.push_back({"Z = 0: the added term is +0, both round q * S once", {}, 7, 0x1.99999ap-4f, 0});
    c.push_back({"S = 2^-5: every product and the difference are exact", {}, 100, 0x1p-5f, -3});
  } else {
    c.push_back({"q = 202, Z = 211, S = 0x1.d9fad4p-5 (measured with ai-edge-litert 2.3.0): "
                 "-0x1.0a9d00p-1, 12 ulps from (q - Z) * S = -0x1.0a9d18p-1",
                 {"scaled_zero_point_rounds"}, 202, 0x1.d9fad4p-5f, 211});
    c.push_back({"Z = 0: the added term is +0, both round q * S once", {}, 7, 0x1.99999ap-4f, 0});
    c.push_back({"S = 2^-5: every product and the difference are exact", {}, 200, 0x1p-5f, 128});
  }
  Rng rng(seed);
  int kept = 0;
  // The bound stops a member that never differs from Q3.2 (a broken one) from hanging the generator.
  for (int attempt = 0; attempt < 100000 && kept < 12; ++attempt) {
    const std::int64_t q = rng.uniform(range.min, range.max);
    const float scale = rng.log_uniform_float(-10, -1);
    const std::int64_t z = rng.uniform(range.min, range.max);
    if (ref::dequantize_tflite_neon_mul_add(ref::Integer(q), scale, z) == ref::dequantize(ref::Integer(q), scale, z)) {
      continue;
    }
    c.push_back({"random (kept where the two differ), seed " + std::to_string(seed) + " #" + std::to_string(kept++),
                 {"random", "scaled_zero_point_rounds"}, q, scale, z});
  }
  if (kept < 12) throw std::logic_error("dequantize: fewer than 12 seeded cases where Q3.5 and Q3.2 differ");
  return c;
}

void add_tflite_vector_loop_groups(FileBuilder& file) {
  std::uint64_t seed = 0x54464c4445510000ULL;
  for (const DType dtype : {DType::int8, DType::uint8}) {
    const auto range = ref::dtype_range(dtype, false);
    const std::vector<Case> cases = tflite_vector_loop_cases(dtype, seed++);
    for (const bool member : {false, true}) {
      auto& group = file.group("TfliteDequantizeTest",
                               member ? Json{{"dequantize_member", "tflite_neon_mul_add"}} : Json::object(),
                               Json{{"dtype", ref::name(dtype)},
                                    {"narrow_range", false},
                                    {"qmin", range.min},
                                    {"qmax", range.max}});
      for (const auto& c : cases) {
        const auto p = ref::QuantizeParams::for_dtype(dtype, c.scale, c.zero_point);
        group.add_computed(c.comment, c.flags,
                           Json{{"q", encode_int(c.q)}, {"scale", encode(c.scale)},
                                {"zero_point", encode_int(c.zero_point)}},
                           [&]() {
                             const ref::Integer q(c.q);
                             return Json{{"x", encode(member ? ref::dequantize_tflite_neon_mul_add(q, p)
                                                             : ref::dequantize(q, p))}};
                           });
      }
    }
  }
}

}  // namespace

Json dequantize_family() {
  FileBuilder file("dequantize", "Q3",
                   {"x = fl32((q - Z) * S): the exact product rounded once to binary32 (ties to "
                    "even). details.exact holds the exact rational.",
                    "Operands: params (dtype, narrow_range, qmin, qmax) and inputs (q, scale, "
                    "zero_point); output x (binary32 hex).",
                    "TfliteDequantizeTest (SPEC Q3.5, appended): the same inputs twice per grid (int8, "
                    "uint8), without a variant (Q3.2, as above) and with variant dequantize_member "
                    "tflite_neon_mul_add, TFLite's optimized vector loop: x = fl32(fl32(q*S) + "
                    "fl32(-Z*S)), the two products rounded before the sum."});
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
  add_tflite_vector_loop_groups(file);
  return file.finish();
}

}  // namespace quantspec::vectors::detail
