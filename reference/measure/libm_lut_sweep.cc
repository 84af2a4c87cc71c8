// SPEC.md Q12.7: how often the host libm (glibc tanhf, expf, erff) gives a different table
// entry than the Q12.3 model (f in binary32 = the correctly rounded f(x)). Builds the
// `xnnpack` and `tflite` tables of Q12.4 twice, once with the host's float functions and once
// with the reference, over every int8 input for a sweep of input scales, and prints counts.
// Not part of the test run: `build/bin/nonlinear_libm_sweep` (a few seconds).
#include <cmath>
#include <cstdio>
#include <cstdint>

#include "quantspec/reference/nonlinear.hpp"

namespace ref = quantspec::ref;

namespace {

struct Case {
  const char* label;
  ref::NonlinearFunction f;
  float (*host)(float);
  float output_scale;
  std::int32_t output_zero_point;
};

float host_tanh(float x) { return tanhf(x); }
float host_exp(float x) { return expf(x); }
// The binary32 formulas of XNNPACK's calculate_sigmoid and of a float GELU.
float host_logistic(float x) {
  return std::signbit(x) ? 1.0f / (1.0f + expf(-x)) : 1.0f - 1.0f / (1.0f + expf(x));
}
float host_gelu(float x) { return 0.5f * x * (1.0f + erff(x * 0.70710678118654752f)); }

}  // namespace

int main() {
  const Case cases[] = {
      {"tanh  (tanhf)", ref::NonlinearFunction::tanh, host_tanh, 0x1p-7f, 0},
      {"exp   (expf)", ref::NonlinearFunction::exp, host_exp, 0x1p-4f, -128},
      {"logistic (1/(1+expf))", ref::NonlinearFunction::logistic, host_logistic, 0x1p-8f, -128},
      {"gelu  (0.5x(1+erff))", ref::NonlinearFunction::gelu, host_gelu, 0x1p-5f, -20},
  };
  // Input scales: 2^-7 .. 2^-2 in 64 steps of the binary32 grid (not powers of two), int8, Zi = 0.
  const int kScales = 64;
  std::printf("%-24s %8s %14s %14s %14s\n", "function (host)", "inputs", "f differs",
              "xnnpack entry", "tflite entry");
  for (const Case& c : cases) {
    long inputs = 0, f_differs = 0, xnn_differs = 0, tfl_differs = 0;
    for (int s = 0; s < kScales; ++s) {
      const float si = std::ldexp(1.0f + static_cast<float>(s) / kScales + 0x1p-20f * s, -7 + (5 * s) / kScales);
      ref::LutParams p;
      p.input_scale = si;
      p.output_scale = c.output_scale;
      p.output_zero_point = c.output_zero_point;
      const auto model_xnn = ref::build_lut(c.f, p, ref::LutVariant::xnnpack);
      const auto model_tfl = ref::build_lut(c.f, p, ref::LutVariant::tflite);
      const float inverse = 1.0f / c.output_scale;
      for (int q = -128; q <= 127; ++q) {
        const float x = static_cast<float>(q) * si;
        const float y = c.host(x);
        const float model_y = ref::nonlinear_binary32(c.f, x, 0.0f);
        ++inputs;
        if (y != model_y) ++f_differs;
        const float prod = y * inverse;
        long xnn = std::lrint(prod) + c.output_zero_point;  // default mode: ties to even
        long tfl = static_cast<long>(std::round(prod)) + c.output_zero_point;
        xnn = xnn < -128 ? -128 : (xnn > 127 ? 127 : xnn);
        tfl = tfl < -128 ? -128 : (tfl > 127 ? 127 : tfl);
        const std::uint8_t index = static_cast<std::uint8_t>(q);
        if (xnn != model_xnn[index]) ++xnn_differs;
        if (tfl != model_tfl[index]) ++tfl_differs;
      }
    }
    std::printf("%-24s %8ld %14ld %14ld %14ld\n", c.label, inputs, f_differs, xnn_differs, tfl_differs);
  }
  return 0;
}
