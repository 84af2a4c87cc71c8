// Cases per second of each requantize variant (SPEC.md Q7.10): the fast path
// (FastRequantizer, prepared once) and the definition (cpp_int / cpp_rational).
// items_per_second in the output is the number of requantized accumulators per second.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <random>
#include <vector>

#include "quantspec/reference/requantize.hpp"

namespace {

using namespace quantspec::ref;

// Typical int8 GEMM parameters: Sx = 0.02, Sw = 0.003, Sy = 0.05 (M ~ 1.2e-3), Zy = 3.
RequantizeParams params(RequantVariant variant) {
  return requantize_params_from_scales(variant, 0.02f, 0.003f, 0.05f, 3, -128, 127);
}

std::vector<std::int32_t> accumulators(std::size_t n) {
  std::mt19937 rng(12345);
  std::uniform_int_distribution<std::int32_t> dist(-200000, 200000);
  std::vector<std::int32_t> v(n);
  for (auto& a : v) a = dist(rng);
  return v;
}

void BM_RequantizeFast(benchmark::State& state) {
  const auto variant = all_requant_variants()[static_cast<std::size_t>(state.range(0))];
  state.SetLabel(std::string(name(variant)));
  const FastRequantizer requantize(params(variant));
  const auto accs = accumulators(4096);
  for (auto _ : state) {
    std::int32_t sum = 0;
    for (std::int32_t acc : accs) sum += requantize(acc);
    benchmark::DoNotOptimize(sum);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) *
                          static_cast<std::int64_t>(accs.size()));
}

void BM_RequantizeDefinition(benchmark::State& state) {
  const auto variant = all_requant_variants()[static_cast<std::size_t>(state.range(0))];
  state.SetLabel(std::string(name(variant)));
  const RequantizeParams p = params(variant);
  const auto accs = accumulators(256);
  std::vector<Integer> big(accs.begin(), accs.end());
  for (auto _ : state) {
    for (const Integer& acc : big) benchmark::DoNotOptimize(requantize(acc, p));
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) *
                          static_cast<std::int64_t>(big.size()));
}

BENCHMARK(BM_RequantizeFast)->DenseRange(0, 8);
BENCHMARK(BM_RequantizeDefinition)->DenseRange(0, 8);

}  // namespace
