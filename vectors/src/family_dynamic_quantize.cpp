// Q17 dynamic quantization vectors: ONNX DynamicQuantizeLinear (run-time S, Z and the uint8
// tensor) and per-row symmetric int8 with a scale floor.
#include <cmath>
#include <limits>

#include "builder.hpp"
#include "quantspec/reference/dynamic.hpp"

namespace quantspec::vectors::detail {
namespace {

Json integers(const std::vector<ref::Integer>& q) {
  Json out = Json::array();
  for (const ref::Integer& v : q) out.push_back(encode(v));
  return out;
}
Json floats(const std::vector<float>& x) {
  Json out = Json::array();
  for (float v : x) out.push_back(encode(v));
  return out;
}

struct Case {
  std::string comment;
  std::vector<std::string> flags;
  std::vector<float> x;
};

void onnx_group(FileBuilder& file) {
  std::vector<Case> cases = {
      {"published: ONNX node test test_dynamicquantizelinear", {"published_value"},
       {0.0f, 2.0f, -3.0f, -2.5f, 1.34f, 0.5f}},
      {"published: test_dynamicquantizelinear_max_adjusted (all < 0: Z = 255)",
       {"published_value", "range_excludes_zero"}, {-1.0f, -2.1f, -1.3f, -2.5f, -3.34f, -4.0f}},
      {"published: test_dynamicquantizelinear_min_adjusted (all > 0: Z = 0)",
       {"published_value", "range_excludes_zero"},
       {1.0f, 2.1f, 1.3f, 2.5f, 3.34f, 4.0f, 1.5f, 2.6f, 3.9f, 4.0f, 3.0f, 2.345f}},
      {"fl32(max - min) rounds before the division: S = 0x1.afdd9ap-11, Q1.2 gives 0x1.afdd98p-11",
       {"two_rounding_scale"}, {-0x1.545784p-10f, 0x1.ab850cp-3f}},
      {"-min/S = 2.5 exactly: Z rounds half to even (2)", {"zero_point_tie"},
       {-2.5f, 252.5f, 0.5f}},
      {"every element 0: SPEC CHOICE S = 1, Z = 0", {"degenerate_range"}, {0.0f, -0.0f, 0.0f}},
      {"a positive constant: widened to [0, c], q = 255", {"degenerate_range", "range_excludes_zero"},
       {3.0f, 3.0f}},
      {"a negative constant: widened to [c, 0], q = 0", {"degenerate_range", "range_excludes_zero"},
       {-3.0f}},
      {"a NaN element is rejected", {}, {1.0f, std::numeric_limits<float>::quiet_NaN()}},
      {"an infinite element is rejected", {}, {std::numeric_limits<float>::infinity()}},
      {"fl32(max - min) overflows: rejected", {}, {-3e38f, 3e38f}},
  };
  Rng rng(0xD1A0001);
  for (int i = 0; i < 12; ++i) {
    std::vector<float> x;
    const int n = static_cast<int>(rng.uniform(1, 8));
    for (int k = 0; k < n; ++k) {
      const float v = rng.log_uniform_float(-8, 4);
      x.push_back(rng.coin() ? -v : v);
    }
    cases.push_back({"random #" + std::to_string(i), {"random"}, x});
  }
  auto& group = file.group("DynamicQuantizeLinearTest", Json{{"dynamic", "onnx"}},
                           Json{{"dtype", "uint8"}, {"qmin", 0}, {"qmax", 255}});
  for (const Case& c : cases) {
    group.add_computed(c.comment, c.flags, Json{{"x", floats(c.x)}}, [&]() {
      const ref::OnnxDynamicQuantization d = ref::dynamic_quantize_onnx(c.x);
      return Json{{"scale", encode(d.scale)}, {"zero_point", d.zero_point}, {"q", integers(d.q)}};
    });
  }
}

void per_row_group(FileBuilder& file) {
  struct RowCase {
    std::string comment;
    std::vector<std::string> flags;
    std::vector<float> x;
    std::int64_t rows;
    float floor;
  };
  const std::vector<RowCase> cases = {
      {"amax 127: S = 1, q = x rounded half to even (-63.5 -> -64, 2.5 -> 2)",
       {"tie_even_negative", "tie_even_positive"}, {127.0f, -63.5f, 0.5f, 2.5f}, 1, 0x1p-20f},
      {"an all-zero row takes the floor", {"scale_floor"}, {1.0f, -1.0f, 0.0f, 0.0f}, 2, 0x1p-20f},
      {"a tiny amax falls under the floor", {"scale_floor"}, {1e-30f, -1e-30f}, 1, 1e-8f},
      {"rows must divide the element count", {}, {1.0f, 2.0f, 3.0f}, 2, 1e-8f},
      {"scale_floor = 0 is rejected", {}, {1.0f}, 1, 0.0f},
  };
  std::vector<RowCase> all = cases;
  Rng rng(0xD1A0002);
  for (int i = 0; i < 8; ++i) {
    const std::int64_t rows = rng.uniform(1, 4), cols = rng.uniform(1, 6);
    std::vector<float> x;
    for (std::int64_t k = 0; k < rows * cols; ++k) {
      const float v = rng.log_uniform_float(-6, 6);
      x.push_back(rng.coin() ? -v : v);
    }
    all.push_back({"random #" + std::to_string(i), {"random"}, x, rows, 0x1p-126f});
  }
  auto& group = file.group("DynamicQuantizePerRowTest", Json{{"dynamic", "per_row_symmetric"}},
                           Json{{"dtype", "int8"}, {"narrow_range", true}, {"qmin", -127},
                                {"qmax", 127}});
  for (const RowCase& c : all) {
    group.add_computed(c.comment, c.flags,
                       Json{{"x", floats(c.x)}, {"rows", c.rows}, {"scale_floor", encode(c.floor)}},
                       [&]() {
                         const ref::RowDynamicQuantization r = ref::dynamic_quantize_per_row(
                             c.x, static_cast<std::size_t>(c.rows), c.floor);
                         return Json{{"scales", floats(r.scales)}, {"q", integers(r.q)}};
                       });
  }
}

}  // namespace

Json dynamic_quantize_family() {
  FileBuilder file("dynamic_quantize", "Q17",
                   {"Run-time parameters and the quantized tensor: ONNX DynamicQuantizeLinear "
                    "(uint8, Q17.1, every node binary32) and per-row symmetric int8 with a scale "
                    "floor (Q17.2).",
                    "Operands: x (binary32 array); per row also rows, scale_floor. Outputs: "
                    "scale, zero_point, q (ONNX) or scales, q (per row)."});
  onnx_group(file);
  per_row_group(file);
  return file.finish();
}

}  // namespace quantspec::vectors::detail
