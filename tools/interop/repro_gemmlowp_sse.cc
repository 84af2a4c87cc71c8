// Minimal reproduction: gemmlowp's SSE4.1 SaturatingRoundingDoublingHighMul saturates
// INT32_MIN * INT32_MIN to INT32_MIN; the scalar version (fixedpoint.h, "the same computation
// as the ARMv7 NEON VQRDMULH instruction") gives INT32_MAX.
//   c++ -std=c++17 -msse4.1 tools/interop/repro_gemmlowp_sse.cc -o /tmp/repro && /tmp/repro
#include <gemmlowp/fixedpoint/fixedpoint.h>

#include <cstdint>
#include <cstdio>
#include <limits>

int main() {
  const std::int32_t min = std::numeric_limits<std::int32_t>::min();
  const std::int32_t scalar = gemmlowp::SaturatingRoundingDoublingHighMul(min, min);
  const std::int32_t sse =
      _mm_cvtsi128_si32(gemmlowp::SaturatingRoundingDoublingHighMul(_mm_set1_epi32(min), _mm_set1_epi32(min)));
  std::printf("scalar %d, SSE4.1 %d\n", scalar, sse);
  return scalar == sse ? 0 : 1;
}
