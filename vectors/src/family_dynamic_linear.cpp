// Q17.6 dynamic quantized Linear vectors: PyTorch's qnnpack dynamic Linear (run-time per-tensor
// uint8 activation parameters of Q17.5, int8 weights with zero point 0 and one scale or one per
// output channel, the int32 accumulator dequantized with D[n] = fl32(fl32(Sx) * Sw[n]), the
// binary32 bias added last).
#include <cmath>
#include <limits>
#include <stdexcept>

#include "builder.hpp"
#include "quantspec/reference/dynamic_pytorch.hpp"

namespace quantspec::vectors::detail {
namespace {

Json floats(const std::vector<float>& x) {
  Json out = Json::array();
  for (float v : x) out.push_back(encode(v));
  return out;
}
Json integers(const std::vector<ref::Integer>& values) {
  Json out = Json::array();
  for (const ref::Integer& v : values) out.push_back(encode(v));
  return out;
}

struct LinearCase {
  std::string comment;
  std::vector<std::string> flags;
  ref::PytorchDynamicLinearInput in;
  bool has_bias = true;
};

LinearCase make(std::string comment, std::vector<std::string> flags, std::size_t m, std::size_t k,
                std::size_t n, std::vector<float> x, std::vector<std::int8_t> w,
                std::vector<float> scales, std::vector<float> bias, bool has_bias = true) {
  LinearCase c;
  c.comment = std::move(comment);
  c.flags = std::move(flags);
  c.in.m = m;
  c.in.k = k;
  c.in.n = n;
  c.in.x = std::move(x);
  c.in.w = std::move(w);
  c.in.weight_scales = std::move(scales);
  c.in.bias = std::move(bias);
  c.has_bias = has_bias;
  return c;
}

// K = 1024, every qx - Zx = 255 (x > 0 with one 0: Zx = 0) and weights near 127: |acc| about
// 3.2e7 > 2^24, odd, so fl32(acc) rounds before the multiplication.
LinearCase wide_accumulator(Rng& rng) {
  const std::size_t k = 1024, n = 2;
  std::vector<float> x(k, 4.0f);
  x[0] = 0.0f;  // widens nothing (lo = 0 already), keeps one qx = 0
  std::vector<std::int8_t> w(n * k);
  for (std::size_t j = 0; j < n; ++j) {
    std::int64_t sum = 0;
    for (std::size_t c = 0; c < k; ++c) {
      const auto v = rng.uniform(100, 127);
      w[j * k + c] = static_cast<std::int8_t>(j == 1 ? -v : v);
      if (c > 0) sum += v;  // qx[0] - Zx = 0: acc = 255 * (the sum of the other weights)
    }
    if (sum % 2 == 0) w[j * k + 1] = static_cast<std::int8_t>(w[j * k + 1] + (j == 1 ? 1 : -1));
  }
  LinearCase c = make("K = 1024, |acc| > 2^24 and odd: fl32(acc) rounds before * D[n], and the "
                      "output differs from fl32(acc * D[n]) in every column",
                      {"accumulator_beyond_binary32"}, 1, k, n, x, w, {0x1.2p-7f}, {0.5f, -0.25f});
  // Move each column's accumulator by 2 * 255 at a time (acc stays odd) until rounding acc
  // first changes the product: only then does the test tell the two orders apart.
  for (std::size_t j = 0; j < n; ++j) {
    for (int attempt = 0;; ++attempt) {
      const ref::PytorchDynamicLinear r = ref::dynamic_linear_pytorch(c.in);
      const float unrounded = ref::round_to_binary32(ref::Rational(r.acc[j]) *
                                                     ref::exact(r.dequant_scales[j]));
      if (unrounded != r.product[j]) break;
      if (attempt == 64) throw std::logic_error("dynamic_linear vectors: no wide accumulator found");
      std::int8_t& v = c.in.w[j * k + 2 + static_cast<std::size_t>(attempt)];
      v = static_cast<std::int8_t>(v + (j == 1 ? 2 : -2));
    }
  }
  return c;
}

std::vector<LinearCase> cases() {
  const std::vector<float> small_x = {-1.0f, 0.5f, 2.0f, 0.25f, -0.75f, 1.5f, -2.0f, 0.0f,
                                      0.125f, 1.0f, 0.3f, -0.1f, 0.7f, -1.3f, 0.9f};
  const std::vector<std::int8_t> small_w = {1,   -2,   3,  -4, 5,  127, -128, 0,  64, -64,
                                            -7,  7,    -7, 7,  -7, 10,  20,   30, 40, 50};
  const std::vector<float> bias = {0.5f, -0.25f, 0.1f, 0.0f};
  std::vector<LinearCase> out = {
      make("M = 3, K = 5, N = 4, per-tensor Sw = 2^-6, bias (the inputs of "
           "PytorchDynamicLinear.TorchQnnpackLinearValues)",
           {}, 3, 5, 4, small_x, small_w, {0.015625f}, bias),
      make("the same without bias", {"no_bias"}, 3, 5, 4, small_x, small_w, {0.015625f}, {},
           false),
      make("per-channel weight scales", {"per_channel"}, 3, 5, 4, small_x, small_w,
           {0.015625f, 0.0078125f, 0.1f, 0.003f}, bias),
      make("per-channel weight scales without bias", {"per_channel", "no_bias"}, 3, 5, 4, small_x,
           small_w, {0.015625f, 0.0078125f, 0.1f, 0.003f}, {}, false),
      make("x = [-2.5, 252.5, 0.5]: S = 1, Z0 = 2.5 exactly, nearbyint -> Zx = 2", {"zero_point_tie"},
           1, 3, 2, {-2.5f, 252.5f, 0.5f}, {1, -1, 2, 3, 5, -7}, {0.25f}, {0.0f, 1.0f}),
      make("small scale, min = 0: x = [0, 1e-3], S = 6.1e-5f, max widened",
           {"small_scale", "no_bias"}, 1, 2, 1, {0.0f, 1e-3f}, {100, -50}, {0.5f}, {}, false),
      make("small scale, max = 0: x = [-1e-3, 0]", {"small_scale"}, 1, 2, 1, {-1e-3f, 0.0f},
           {100, -50}, {0.5f}, {0.125f}),
      make("small scale, both signs: x = [-1e-3, 2e-3], min and max scaled",
           {"small_scale"}, 1, 2, 1, {-1e-3f, 2e-3f}, {100, -50}, {0.5f}, {0.125f}),
      make("every x 0: S = 0.1 (the default), Zx = 0, acc = 0, output = bias", {"degenerate_range"},
           1, 2, 2, {0.0f, 0.0f}, {1, 2, 3, 4}, {0.5f}, {1.0f, -1.0f}),
      make("m = 0 is rejected", {}, 0, 2, 1, {}, {1, 2}, {0.5f}, {0.0f}),
      make("a weight scale 0 is rejected", {}, 1, 2, 1, {1.0f, 2.0f}, {1, 2}, {0.0f}, {0.0f}),
      make("two weight scales for N = 1 are rejected", {}, 1, 2, 1, {1.0f, 2.0f}, {1, 2},
           {0.5f, 0.25f}, {0.0f}),
      make("a bias of the wrong size is rejected", {}, 1, 2, 2, {1.0f, 2.0f}, {1, 2, 3, 4}, {0.5f},
           {0.0f}),
      make("a NaN activation is rejected", {}, 1, 2, 1, {1.0f, std::numeric_limits<float>::quiet_NaN()},
           {1, 2}, {0.5f}, {0.0f}),
      make("a D[n] below the normal range is rejected (PyTorch's TORCH_CHECK isnormal)", {}, 1, 2, 1,
           {1.0f, 2.0f}, {1, 2}, {0x1p-120f}, {0.0f}),
  };
  Rng rng(0xD1A1001);
  out.push_back(wide_accumulator(rng));
  for (int i = 0; i < 10; ++i) {
    // One draw per statement: the order of draws inside one expression is unspecified.
    const auto m = static_cast<std::size_t>(rng.uniform(1, 4));
    const auto k = static_cast<std::size_t>(rng.uniform(1, 16));
    const auto n = static_cast<std::size_t>(rng.uniform(1, 5));
    std::vector<float> x;
    for (std::size_t e = 0; e < m * k; ++e) {
      const float v = rng.log_uniform_float(-6, 3);
      x.push_back(rng.coin() ? -v : v);
    }
    std::vector<std::int8_t> w;
    for (std::size_t e = 0; e < n * k; ++e) w.push_back(static_cast<std::int8_t>(rng.uniform(-128, 127)));
    const bool per_channel = rng.coin();
    std::vector<float> scales;
    for (std::size_t j = 0; j < (per_channel ? n : 1); ++j) scales.push_back(rng.log_uniform_float(-12, -2));
    const bool has_bias = rng.coin();
    std::vector<float> b;
    if (has_bias) {
      for (std::size_t j = 0; j < n; ++j) {
        const float v = rng.log_uniform_float(-8, 2);
        b.push_back(rng.coin() ? -v : v);
      }
    }
    std::vector<std::string> flags = {"random"};
    if (per_channel) flags.push_back("per_channel");
    if (!has_bias) flags.push_back("no_bias");
    out.push_back(make("random #" + std::to_string(i), flags, m, k, n, x, w, scales, b, has_bias));
  }
  return out;
}

}  // namespace

Json dynamic_linear_family() {
  FileBuilder file("dynamic_linear", "Q17.6",
                   {"PyTorch's dynamic quantized Linear on the qnnpack engine (torch 1.13): "
                    "x quantized at run time per tensor to uint8 (Q17.5, reduce_range off), "
                    "acc = sum_k (qx - Zx) w (int32), y = fl32(fl32(fl32(acc) * D[n]) + bias[n]) "
                    "with D[n] = fl32(fl32(Sx) * Sw[n]).",
                    "Operands: m, k, n; x (binary32, M x K row-major), w (int8, N x K row-major, "
                    "zero point 0), weight_scales (1 or N binary32), bias (N binary32; absent: "
                    "no bias). Outputs: x_scale (fl32(Sx)), x_zero_point, acc (exact, M x N), "
                    "y (binary32, M x N)."});
  auto& group = file.group("DynamicLinearTest", Json{{"dynamic_linear", "pytorch_qnnpack"}},
                           Json::object());
  for (const LinearCase& c : cases()) {
    Json w = Json::array();
    for (std::int8_t v : c.in.w) w.push_back(static_cast<int>(v));
    Json inputs{{"m", c.in.m}, {"k", c.in.k}, {"n", c.in.n}, {"x", floats(c.in.x)}, {"w", w},
                {"weight_scales", floats(c.in.weight_scales)}};
    if (c.has_bias) inputs["bias"] = floats(c.in.bias);
    group.add_computed(c.comment, c.flags, inputs, [&]() {
      const ref::PytorchDynamicLinear r = ref::dynamic_linear_pytorch(c.in);
      return Json{{"x_scale", encode(r.x.params.scale_f32)},
                  {"x_zero_point", r.x.params.zero_point},
                  {"acc", integers(r.acc)},
                  {"y", floats(r.out)}};
    });
  }
  return file.finish();
}

}  // namespace quantspec::vectors::detail
