// Cases per second of quantize (SPEC.md §Q2): the definition (exact rationals) and the fast
// path (Q2.7), per division variant. The items/s column is cases/s.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <random>
#include <vector>

#include "quantspec/reference/quantize.hpp"

namespace {

using quantspec::ref::Division;
using quantspec::ref::QuantizeParams;
using quantspec::ref::Rounding;

// Inputs spread over the int8 grid of S = 0.1f and beyond it (about 10% clamp).
std::vector<float> inputs() {
  std::mt19937 random(7);
  std::uniform_real_distribution<float> real(-14.0f, 14.0f);
  std::vector<float> x(4096);
  for (float& v : x) v = real(random);
  return x;
}

QuantizeParams params(std::int64_t division) {
  return QuantizeParams{0.1f, 3, -128, 127, Rounding::half_even, static_cast<Division>(division)};
}

void BM_QuantizeDefinition(benchmark::State& state) {
  const std::vector<float> x = inputs();
  const QuantizeParams p = params(state.range(0));
  std::size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(quantspec::ref::quantize(x[i++ & 4095], p));
  }
  state.SetItemsProcessed(state.iterations());
  state.SetLabel(std::string(quantspec::ref::name(p.division)));
}

void BM_QuantizeFast(benchmark::State& state) {
  const std::vector<float> x = inputs();
  const QuantizeParams p = params(state.range(0));
  p.validate();
  std::size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(quantspec::ref::quantize_fast(x[i++ & 4095], p));
  }
  state.SetItemsProcessed(state.iterations());
  state.SetLabel(std::string(quantspec::ref::name(p.division)));
}

BENCHMARK(BM_QuantizeDefinition)->DenseRange(0, 2);
BENCHMARK(BM_QuantizeFast)->DenseRange(0, 2);

}  // namespace
