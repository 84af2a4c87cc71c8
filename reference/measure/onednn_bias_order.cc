// SPEC.md Q20.3 (bias in binary32): which order of binary32 operations does oneDNN's int8
// matmul run with a bias, one output scale and src/dst zero points? Not built by CMake.
//   g++ -O1 -std=c++17 reference/measure/onednn_bias_order.cc -ldnnl -o /tmp/onednn_bias_order
//   /tmp/onednn_bias_order; DNNL_MAX_CPU_ISA=AVX2 /tmp/onednn_bias_order
// Prints the implementation, the tie and fl32(acc) cases of the test
// Binary32Requantize.OneDnnAddsTheBiasToTheBinary32Accumulator, and how many of 4000 random
// cases differ from each candidate order (computed here in the host's binary32 arithmetic).
#include <dnnl.hpp>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <random>
#include <vector>

namespace {

struct Call {
  std::vector<std::uint8_t> x;
  std::vector<std::int8_t> w;
  std::int32_t x_zero_point = 0;
  float bias = 0;
  bool float_bias = true;
  float scale = 1;
  std::int32_t y_zero_point = 0;
};

const char* last_impl = "";

int run_matmul(const Call& c) {
  using dnnl::memory;
  static dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  dnnl::stream stream(engine);
  const auto k = static_cast<memory::dim>(c.x.size());
  const memory::desc a_md({1, k}, memory::data_type::u8, memory::format_tag::ab);
  const memory::desc w_md({k, 1}, memory::data_type::s8, memory::format_tag::ab);
  const memory::desc b_md({1, 1}, c.float_bias ? memory::data_type::f32 : memory::data_type::s32,
                          memory::format_tag::ab);
  const memory::desc c_md({1, 1}, memory::data_type::s8, memory::format_tag::ab);
  dnnl::primitive_attr attr;
  attr.set_output_scales(0, {c.scale});
  attr.set_zero_points(DNNL_ARG_SRC, 0, {c.x_zero_point});
  attr.set_zero_points(DNNL_ARG_DST, 0, {c.y_zero_point});
  const dnnl::matmul::primitive_desc pd(dnnl::matmul::desc(a_md, w_md, b_md, c_md), attr, engine);
  last_impl = pd.impl_info_str();
  std::int8_t out = 0;
  std::int32_t int_bias = static_cast<std::int32_t>(c.bias);
  float float_bias = c.bias;
  memory a(a_md, engine, const_cast<std::uint8_t*>(c.x.data()));
  memory w(w_md, engine, const_cast<std::int8_t*>(c.w.data()));
  memory b(b_md, engine, c.float_bias ? static_cast<void*>(&float_bias) : &int_bias);
  memory d(c_md, engine, &out);
  dnnl::matmul(pd).execute(stream, {{DNNL_ARG_SRC, a}, {DNNL_ARG_WEIGHTS, w},
                                    {DNNL_ARG_BIAS, b}, {DNNL_ARG_DST, d}});
  stream.wait();
  return out;
}

int saturate_int8(float v) { return static_cast<int>(std::fmin(127.0f, std::fmax(-128.0f, v))); }

}  // namespace

int main() {
  for (const bool float_bias : {true, false}) {
    Call tie{{5}, {1}, 0, 0.0f, float_bias, 0.5f, 1};
    std::printf("acc 5, scale 0.5, Zy 1, %s bias: %d\n", float_bias ? "f32" : "s32",
                run_matmul(tie));
    tie.y_zero_point = 0;
    std::printf("acc 5, scale 0.5, Zy 0: %d\n", run_matmul(tie));
    tie.x = {7};
    std::printf("acc 7, scale 0.5, Zy 0: %d\n", run_matmul(tie));
    // acc = 2^24 + 3 from 255 * 127 products and a remainder.
    Call big{{}, {}, 0, -16777216.0f, float_bias, 1.0f, 0};
    long acc = 0, target = (1L << 24) + 3;
    while (acc + 255 * 127 <= target) big.x.push_back(255), big.w.push_back(127), acc += 255 * 127;
    for (long rest = target - acc; rest > 0; rest -= 127) {
      big.x.push_back(1);
      big.w.push_back(static_cast<std::int8_t>(rest > 127 ? 127 : rest));
    }
    std::printf("acc 2^24+3 (K = %zu), bias -2^24, scale 1: %d\n", big.x.size(), run_matmul(big));
  }
  std::mt19937 rng(7);
  int before_scale = 0, after_scale = 0, total = 0;
  for (int trial = 0; trial < 4000; ++trial, ++total) {
    Call c;
    c.x_zero_point = 7;
    for (int k = 0; k < 4; ++k) {
      c.x.push_back(static_cast<std::uint8_t>(rng() % 100));
      c.w.push_back(static_cast<std::int8_t>(static_cast<int>(rng() % 100) - 50));
    }
    c.bias = (static_cast<int>(rng() % 20001) - 10000) / 64.0f + ((rng() % 2) ? 0.3f : 0.0f);
    c.scale = std::ldexp(1.0f + static_cast<float>(rng() % 1000) / 1000.0f,
                         -6 - static_cast<int>(rng() % 3));
    c.y_zero_point = static_cast<int>(rng() % 41) - 20;
    std::int32_t acc = 0;
    for (std::size_t k = 0; k < c.x.size(); ++k) acc += (c.x[k] - c.x_zero_point) * c.w[k];
    const int got = run_matmul(c);
    const volatile float a = static_cast<float>(acc);
    const volatile float biased = a + c.bias;
    const volatile float scaled = biased * c.scale;
    const volatile float with_zero_point = scaled + static_cast<float>(c.y_zero_point);
    if (saturate_int8(std::nearbyint(with_zero_point)) != got) ++before_scale;
    const volatile float scaled_first = a * c.scale;
    const volatile float bias_after = scaled_first + c.bias;
    const volatile float with_zero_point2 = bias_after + static_cast<float>(c.y_zero_point);
    if (saturate_int8(std::nearbyint(with_zero_point2)) != got) ++after_scale;
  }
  std::printf("implementation %s; of %d random cases, %d differ from the bias added before the "
              "scale, %d from the bias added after it\n",
              last_impl, total, before_scale, after_scale);
}
