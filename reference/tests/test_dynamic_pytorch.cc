// Tests of the PyTorch dynamic quantization model (reference/src/dynamic_pytorch.cpp): values
// run with Debian python3-torch 1.13 (reference/measure/pytorch_dynamic_values.py, engines
// onednn for reduce_range, qnnpack for the Linear), and the host fast path against the definition.
#include <gtest/gtest.h>

#include <vector>

#include "quantspec/reference/dynamic_pytorch.hpp"

namespace quantspec::ref {
namespace {

std::vector<std::int64_t> as_int64(const std::vector<Integer>& q) {
  std::vector<std::int64_t> out;
  for (const Integer& v : q) out.push_back(static_cast<std::int64_t>(v));
  return out;
}

// torch.quantize_per_tensor_dynamic(x, torch.quint8, reduce_range), q_scale / q_zero_point /
// int_repr as torch 1.13 printed them (onednn engine: reduce_range honoured).
TEST(PytorchDynamicParams, TorchQuantizePerTensorDynamicValues) {
  struct Case {
    std::vector<float> x;
    bool reduce_range;
    double scale;
    std::int64_t zero_point;
    std::vector<std::int64_t> q;
  };
  const std::vector<Case> cases = {
      {{-1.0f, 0.5f, 2.0f}, false, 0x1.8181818181818p-7, 85, {0, 127, 255}},
      {{-1.0f, 0.5f, 2.0f}, true, 0x1.83060c183060cp-6, 42, {0, 63, 127}},
      {{0.0f, 1e-3f}, false, 0x1.ffb48p-15, 0, {0, 16}},       // small-scale cut, min = 0
      {{-1e-3f, 0.0f}, true, 0x1.ffb48p-15, 127, {111, 127}},  // small-scale cut, max = 0
      {{-1e-3f, 2e-3f}, false, 0x1.ffb48p-15, 85, {69, 118}},  // small-scale cut, amplifier
      {{0.0f, 0.0f, 0.0f}, false, 0x1.999999999999ap-4, 0, {0, 0, 0}},  // all zero: 0.1
      {{-2.5f, 252.5f, 0.5f}, false, 1.0, 2, {0, 254, 2}},  // nearbyint tie to even
      {{-2.5f, 252.5f, 0.5f}, true, 0x1.0102040810204p+1, 1, {0, 127, 1}},
      {{-1.0f, 1.0f}, true, 2.0 / 127, 64, {0, 128}},  // 7-bit range, yet q = 128 (uint8 clamp)
  };
  for (const Case& c : cases) {
    const PytorchDynamicQuantization d = dynamic_quantize_pytorch(c.x, c.reduce_range);
    EXPECT_EQ(hex_float(d.params.scale), hex_float(c.scale));
    EXPECT_EQ(d.params.zero_point, c.zero_point);
    EXPECT_EQ(as_int64(d.q), c.q);
    const PytorchDynamicParamsFast f = choose_pytorch_dynamic_params_fast(
        d.params.x_min, d.params.x_max, c.reduce_range);
    EXPECT_EQ(f.scale, d.params.scale);
    EXPECT_EQ(f.zero_point, d.params.zero_point);
  }
}

// torch.ao.nn.quantized.dynamic.Linear(5, 4) on the qnnpack engine, per-tensor qint8 weights
// (scale 2^-6, zero point 0), bias [0.5, -0.25, 0.1, 0]: torch 1.13's outputs.
TEST(PytorchDynamicLinear, TorchQnnpackLinearValues) {
  PytorchDynamicLinearInput in;
  in.m = 3;
  in.k = 5;
  in.n = 4;
  in.x = {-1.0f, 0.5f, 2.0f, 0.25f, -0.75f, 1.5f, -2.0f, 0.0f, 0.125f, 1.0f,
          0.3f,  -0.1f, 0.7f, -1.3f, 0.9f};
  in.w = {1, -2, 3, -4, 5, 127, -128, 0, 64, -64, -7, 7, -7, 7, -7, 10, 20, 30, 40, 50};
  in.weight_scales = {0.015625f};
  in.bias = {0.5f, -0.25f, 0.1f, 0.0f};
  const std::vector<float> torch_out = {
      0x1.f33334p-2f, -0x1.1effp+1f,   0x1.40c0c2p-3f,  0x1.014142p-1f,
      0x1.50101p-1f,  0x1.760608p+2f,  -0x1.83c3c6p-2f, 0x1.e6e6e8p-2f,
      0x1.624242p-1f, -0x1.aa9a9cp+0f, -0x1.0a8a8cp-2f, 0x1.dcdcdep-3f};
  const PytorchDynamicLinear r = dynamic_linear_pytorch(in);
  ASSERT_EQ(r.out.size(), torch_out.size());
  for (std::size_t i = 0; i < torch_out.size(); ++i) {
    EXPECT_EQ(hex_float(r.out[i]), hex_float(torch_out[i])) << "output " << i;
  }
  const std::vector<float> fast = dynamic_linear_pytorch_fast(in);
  for (std::size_t i = 0; i < fast.size(); ++i) EXPECT_EQ(hex_float(fast[i]), hex_float(r.out[i]));
}

}  // namespace
}  // namespace quantspec::ref
