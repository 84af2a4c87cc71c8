// SPEC Q13.5: the comparison table of the non-linear replacements. For each f and scale pair,
// over the 256 int8 inputs: how many outputs of each construction differ from method 1 (Q12
// `exact`: dequantize -> f -> quantize, exactly) and the largest difference in output codes.
// Prints the Markdown table that SPEC.md Q13.5 holds; the test
// reference.q13_comparison_table_matches_spec reruns this and compares it with SPEC.md.
#include <cstdint>
#include <cstdlib>
#include <functional>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "quantspec/reference/nonlinear.hpp"
#include "quantspec/reference/numbers.hpp"
#include "quantspec/reference/piecewise_linear.hpp"
#include "quantspec/reference/tflite_activations.hpp"

namespace ref = quantspec::ref;
using F = ref::NonlinearFunction;

namespace {

struct Row {
  F f;
  float alpha;
  float si;
  std::int32_t zi;
  float so;
  std::int32_t zo;
};

// "d / m": d of the 256 outputs differ from method 1, the largest by m codes.
std::string count(const std::function<std::int32_t(std::int32_t)>& method, const std::vector<std::int32_t>& exact) {
  int differ = 0, worst = 0;
  for (std::int32_t q = -128; q < 128; ++q) {
    const int e = std::abs(method(q) - exact[static_cast<std::size_t>(q + 128)]);
    if (e != 0) ++differ;
    if (e > worst) worst = e;
  }
  return std::to_string(differ) + " / " + std::to_string(worst);
}

}  // namespace

int main() {
  const std::vector<Row> rows = {
      {F::tanh, 1, 0x1p-5f, 0, 0x1p-7f, 0},     {F::tanh, 1, 0.05f, 0, 0x1p-7f, 0},
      {F::tanh, 1, 0.02f, 5, 0x1p-7f, 0},       {F::logistic, 1, 0x1p-4f, 0, 0x1p-8f, -128},
      {F::logistic, 1, 0.1f, -10, 0x1p-8f, -128}, {F::hardswish, 1, 0.05f, -10, 0.03f, -100},
      {F::hardswish, 1, 0.1f, 0, 0.05f, -128},  {F::leaky_relu, 0.1f, 0.5f, 0, 0.25f, 0},
      {F::leaky_relu, 0.2f, 0.05f, 10, 0.04f, -5},
  };
  std::cout << "| f | Si, Zi | So, Zo | LUT(tflite) | LUT(xnnpack) | PWL N=4 | PWL N=8 | PWL N=16 | TFLite integer kernel |\n"
            << "|---|---|---|---|---|---|---|---|---|\n";
  for (const Row& r : rows) {
    ref::LutParams p;
    p.input_scale = r.si;
    p.input_zero_point = r.zi;
    p.output_scale = r.so;
    p.output_zero_point = r.zo;
    p.alpha = r.alpha;
    std::vector<std::int32_t> exact;
    for (std::int32_t q = -128; q < 128; ++q) exact.push_back(ref::nonlinear_exact(r.f, q, p).convert_to<std::int32_t>());
    auto lut = [&](ref::LutVariant v) {
      const auto table = ref::build_lut(r.f, p, v);
      return [table](std::int32_t q) { return table[static_cast<std::uint8_t>(q)]; };
    };
    auto pwl = [&](int n) {
      const ref::PwlTable t = ref::fit_pwl(r.f, p, n, 16);
      return [t](std::int32_t q) { return ref::pwl_evaluate(t, q); };
    };
    ref::TfliteActivationParams a;
    a.input_scale = r.si;
    a.input_zero_point = r.zi;
    a.output_scale = r.so;
    a.output_zero_point = r.zo;
    a.alpha = r.alpha;
    std::string integer_kernel = "—";
    if (r.f == F::hardswish) integer_kernel = count([&](std::int32_t q) { return ref::tflite_hardswish(q, a); }, exact);
    if (r.f == F::leaky_relu) integer_kernel = count([&](std::int32_t q) { return ref::tflite_leaky_relu(q, a); }, exact);
    std::string f_name(ref::name(r.f));
    if (r.f == F::leaky_relu) f_name += " α = " + ref::hex_float(r.alpha);
    std::cout << "| " << f_name << " | " << ref::hex_float(r.si) << ", " << r.zi << " | " << ref::hex_float(r.so)
              << ", " << r.zo << " | " << count(lut(ref::LutVariant::tflite), exact) << " | "
              << count(lut(ref::LutVariant::xnnpack), exact) << " | " << count(pwl(4), exact) << " | "
              << count(pwl(8), exact) << " | " << count(pwl(16), exact) << " | " << integer_kernel << " |\n";
  }
  return 0;
}
