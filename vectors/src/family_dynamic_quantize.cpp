// Q17 dynamic quantization vectors: ONNX DynamicQuantizeLinear (run-time S, Z and the uint8
// tensor), per-row symmetric int8 with a scale floor, and PyTorch's quantize_per_tensor_dynamic
// (Q17.5, uint8 with and without reduce_range).
#include <cmath>
#include <limits>

#include "builder.hpp"
#include "quantspec/reference/dynamic.hpp"
#include "quantspec/reference/dynamic_pytorch.hpp"

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


// Q17.5: the same inputs once without and once with reduce_range (params). Flags that depend on
// the grid (a zero-point tie, the small-scale cut, the 0.1 default) are read off the reference's
// intermediate values per group, so they hold by construction.
void pytorch_groups(FileBuilder& file) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  std::vector<Case> cases = {
      {"mixed signs: x = [-1, 0.5, 2] (torch 1.13 onednn: S = 0x1.8181818181818p-7, Z = 85; "
       "reduce_range: 0x1.83060c183060cp-6, 42)",
       {}, {-1.0f, 0.5f, 2.0f}},
      {"every element 0: fl32(S) = 0, so S = fl64(0.1), Z = 0", {"degenerate_range"},
       {0.0f, -0.0f, 0.0f}},
      {"a positive constant: widened to [0, c], Z = 0, q = qmax of the grid",
       {"degenerate_range", "range_excludes_zero"}, {3.0f, 3.0f}},
      {"a negative constant: widened to [c, 0], Z = qmax of the grid, q = 0",
       {"degenerate_range", "range_excludes_zero"}, {-3.0f}},
      {"min > 0 (the ONNX min_adjusted inputs): widened to [0, max], Z = 0",
       {"range_excludes_zero"},
       {1.0f, 2.1f, 1.3f, 2.5f, 3.34f, 4.0f, 1.5f, 2.6f, 3.9f, 4.0f, 3.0f, 2.345f}},
      {"max < 0 (the ONNX max_adjusted inputs): widened to [min, 0], Z = qmax of the grid",
       {"range_excludes_zero"}, {-1.0f, -2.1f, -1.3f, -2.5f, -3.34f, -4.0f}},
      {"x = [-2.5, 252.5, 0.5]: S = 1 and Z0 = 2.5 (even tie, nearbyint: 2) without reduce_range",
       {}, {-2.5f, 252.5f, 0.5f}},
      {"x = [-3.5, 251.5, -0.5]: S = 1 and Z0 = 3.5 (odd tie: 4) without reduce_range", {},
       {-3.5f, 251.5f, -0.5f}},
      {"x = [-2.5, 124.5, 0.5]: S = 1 and Z0 = 2.5 (even tie: 2) with reduce_range", {},
       {-2.5f, 124.5f, 0.5f}},
      {"x = [-3.5, 123.5, -0.5]: S = 1 and Z0 = 3.5 (odd tie: 4) with reduce_range", {},
       {-3.5f, 123.5f, -0.5f}},
      {"x = [-1, 1]: Z0 = 127.5 (tie: 128) without reduce_range; with it S = 2/127, Z = 64 and "
       "q = 128, outside the 7-bit grid (the quantize clamps to [0, 255])",
       {}, {-1.0f, 1.0f}},
      {"small scale, min = 0: x = [0, 1e-3], S = fl32(6.1e-5), max = fl32(S * steps)", {},
       {0.0f, 1e-3f}},
      {"small scale, max = 0: x = [-1e-3, 0], min = fl32(-S * steps)", {}, {-1e-3f, 0.0f}},
      {"small scale, both signs: x = [-1e-3, 2e-3], min and max times fl32(T / fl32(S))", {},
       {-1e-3f, 2e-3f}},
      {"a subnormal range: fl32(S) = 0, so S = fl64(0.1)", {"subnormal_input"},
       {0.0f, 0x1p-149f}},
      {"fl32(S) = 2^-140 (S = 255 * 2^-140 / 255) is not 0 but fl32(1 / fl32(S)) = inf: S = "
       "fl64(0.1)",
       {"subnormal_input"}, {0.0f, 0x1.fep-133f}},
      {"the ONNX two_rounding_scale input: PyTorch's binary64 S", {},
       {-0x1.545784p-10f, 0x1.ab850cp-3f}},
      {"fl32(max - min) would overflow (ONNX rejects it), but the binary64 range is finite", {},
       {-3e38f, 3e38f}},
      {"a NaN element is rejected (SPEC CHOICE, Q17.5 errors)", {}, {1.0f, nan}},
      {"an infinite element is rejected", {}, {-std::numeric_limits<float>::infinity(), 1.0f}},
      {"an empty tensor is rejected", {}, {}},
  };
  Rng rng(0xD1A0003);
  for (int i = 0; i < 10; ++i) {
    std::vector<float> x;
    const int n = static_cast<int>(rng.uniform(1, 8));
    for (int k = 0; k < n; ++k) {
      const float v = rng.log_uniform_float(-10, 6);
      x.push_back(rng.coin() ? -v : v);
    }
    cases.push_back({"random #" + std::to_string(i), {"random"}, x});
  }
  for (bool reduce_range : {false, true}) {
    auto& group = file.group("DynamicQuantizePytorchTest", Json{{"dynamic", "pytorch"}},
                             Json{{"dtype", "uint8"}, {"reduce_range", reduce_range}});
    for (const Case& c : cases) {
      std::vector<std::string> flags = c.flags;
      try {
        const ref::PytorchDynamicParams p =
            ref::dynamic_quantize_pytorch(c.x, reduce_range).params;
        const double z0 = p.initial_zero_point;
        if (z0 > static_cast<double>(p.qmin) && z0 < static_cast<double>(p.qmax) &&
            z0 - std::floor(z0) == 0.5) {
          flags.push_back("zero_point_tie");
        }
        if (p.small_scale_cut) flags.push_back("small_scale");
        if (p.scale_defaulted) flags.push_back("scale_defaulted");
        if (reduce_range) {
          for (const ref::Integer& q : ref::dynamic_quantize_pytorch(c.x, true).q) {
            if (q > p.qmax) {
              flags.push_back("beyond_reduced_range");
              break;
            }
          }
        }
      } catch (const ref::ParameterError&) {
      }
      group.add_computed(c.comment, flags, Json{{"x", floats(c.x)}}, [&]() {
        const ref::PytorchDynamicQuantization d = ref::dynamic_quantize_pytorch(c.x, reduce_range);
        return Json{{"q_scale", encode_binary64(d.params.scale)},
                    {"scale", encode(d.params.scale_f32)},
                    {"zero_point", d.params.zero_point},
                    {"q", integers(d.q)}};
      });
    }
  }
}

}  // namespace

Json dynamic_quantize_family() {
  FileBuilder file("dynamic_quantize", "Q17",
                   {"Run-time parameters and the quantized tensor: ONNX DynamicQuantizeLinear "
                    "(uint8, Q17.1, every node binary32) and per-row symmetric int8 with a scale "
                    "floor (Q17.2), and PyTorch's quantize_per_tensor_dynamic to quint8 (Q17.5: "
                    "binary64 scale, reduce_range halves the zero-point grid to [0, 127], the "
                    "quantize clamps to [0, 255]).",
                    "Operands: x (binary32 array); per row also rows, scale_floor; PyTorch also "
                    "reduce_range. Outputs: scale, zero_point, q (ONNX), scales, q (per row), "
                    "q_scale (binary64, the tensor's q_scale()), scale (fl32(q_scale), what the "
                    "quantize multiplies by the reciprocal of), zero_point, q (PyTorch)."});
  onnx_group(file);
  per_row_group(file);
  pytorch_groups(file);
  return file.finish();
}

}  // namespace quantspec::vectors::detail
