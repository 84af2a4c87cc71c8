// Exhaustive check of the arithmetic in optimized/src/kernels/markstein_quotient-inl.h: for a
// scale S and every binary32 x (all 2^32 bit patterns), y = fl32(1/S), q = fl32(x*y) and two
// steps r = fma(-q, S, x), q = fma(r, y, q) (and one step, where S qualifies for the kernels'
// one-step form) must give the same value as the division x / S
// (vdivps), wherever the block of 256 inputs raised none of the MXCSR flags IE, OE, UE (the
// kernels recompute such blocks with vdivps). NaN results compare equal to NaN, +0 to -0
// (quantize maps both to the same integer).
//
//   markstein_sweep [SCALE ...]          hexadecimal or decimal binary32 scales
//   markstein_sweep --random N [SEED]    N random normal scales in [2^-40, 2^20)
// Exit 0: no mismatch; 1: a mismatch (the first few are printed); 2: bad arguments;
// 77: this CPU has no AVX-512 (CTest skips).
#include <immintrin.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

namespace {

struct SweepResult {
  uint64_t mismatches = 0;
  uint64_t flagged_blocks = 0;
};

constexpr unsigned kDefaultMxcsr = 0x1F80;
constexpr unsigned kCheckedFlags = 0x1 | 0x8 | 0x10;  // IE | OE | UE

// The kernels' rule (MarksteinSteps in markstein_quotient-inl.h, restated here so that this
// check does not share code with what it checks): one step where |fl32(1/S) * S - 1| <= 2^-26.
bool OneStepQualifies(float scale) {
  volatile float one = 1.0f;
  const double delta = static_cast<double>(one / scale) * static_cast<double>(scale) - 1.0;
  return delta <= 0x1p-26 && delta >= -0x1p-26;
}

__attribute__((target("avx512f"), noinline)) SweepResult Sweep(float scale, int steps) {
  SweepResult result;
  const __m512 s = _mm512_set1_ps(scale);
  volatile float one = 1.0f;
  const __m512 y = _mm512_set1_ps(one / scale);
  const __m512i step = _mm512_set1_epi32(16);
  __m512i bits = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
  constexpr int kVectorsPerBlock = 16;
  for (uint64_t block = 0; block < (uint64_t{1} << 32) / (16 * kVectorsPerBlock); ++block) {
    const __m512i first = bits;
    alignas(64) float quotients[kVectorsPerBlock][16];
    _mm_setcsr(kDefaultMxcsr);
    asm volatile("" ::: "memory");
    for (int v = 0; v < kVectorsPerBlock; ++v) {
      const __m512 x = _mm512_castsi512_ps(bits);
      __m512 q = _mm512_mul_ps(x, y);
      for (int k = 0; k < steps; ++k) {
        const __m512 r = _mm512_fnmadd_ps(q, s, x);
        q = _mm512_fmadd_ps(r, y, q);
      }
      _mm512_store_ps(quotients[v], q);
      bits = _mm512_add_epi32(bits, step);
    }
    asm volatile("" ::: "memory");
    if (_mm_getcsr() & kCheckedFlags) {
      ++result.flagged_blocks;
      continue;
    }
    __m512i again = first;
    for (int v = 0; v < kVectorsPerBlock; ++v) {
      const __m512 x = _mm512_castsi512_ps(again);
      const __m512 divided = _mm512_div_ps(x, s);
      const __m512 q = _mm512_load_ps(quotients[v]);
      const __mmask16 equal = _mm512_cmp_ps_mask(divided, q, _CMP_EQ_OQ);
      const __mmask16 both_nan = _mm512_cmp_ps_mask(divided, divided, _CMP_UNORD_Q) &
                                 _mm512_cmp_ps_mask(q, q, _CMP_UNORD_Q);
      const __mmask16 bad = static_cast<__mmask16>(~(equal | both_nan));
      if (bad != 0) {
        alignas(64) float xs[16], ds[16];
        _mm512_store_ps(xs, x);
        _mm512_store_ps(ds, divided);
        for (int lane = 0; lane < 16; ++lane) {
          if (((bad >> lane) & 1) && result.mismatches < 5) {
            std::printf("  MISMATCH S=%a x=%a: x/S=%a, Markstein (%d steps) %a\n", scale, xs[lane],
                        ds[lane], steps, quotients[v][lane]);
          }
        }
        result.mismatches += static_cast<uint64_t>(__builtin_popcount(bad));
      }
      again = _mm512_add_epi32(again, step);
    }
  }
  _mm_setcsr(kDefaultMxcsr);
  return result;
}

bool ParseScale(const char* text, float* scale) {
  char* end = nullptr;
  const float v = std::strtof(text, &end);
  if (end == text || *end != '\0' || !(v > 0.0f) || v > 3.4e38f) return false;
  *scale = v;
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<float> scales;
  if (argc >= 3 && std::string(argv[1]) == "--random") {
    const int count = std::atoi(argv[2]);
    std::mt19937 rng(argc >= 4 ? static_cast<unsigned>(std::atoi(argv[3])) : 1u);
    if (count <= 0) {
      std::fprintf(stderr, "markstein_sweep: --random needs a positive count\n");
      return 2;
    }
    for (int i = 0; i < count; ++i) {
      const uint32_t exponent = 127 - 40 + rng() % 60;
      const uint32_t pattern = (exponent << 23) | (rng() & 0x7FFFFF);
      float v;
      std::memcpy(&v, &pattern, sizeof v);
      scales.push_back(v);
    }
  } else {
    for (int i = 1; i < argc; ++i) {
      float v;
      if (!ParseScale(argv[i], &v)) {
        std::fprintf(stderr, "markstein_sweep: not a positive finite scale: %s\n", argv[i]);
        return 2;
      }
      scales.push_back(v);
    }
  }
  if (scales.empty()) {
    std::fprintf(stderr, "usage: markstein_sweep SCALE... | --random N [SEED]\n");
    return 2;
  }
  __builtin_cpu_init();
  if (!__builtin_cpu_supports("avx512f")) {
    std::printf("markstein_sweep: no AVX-512 on this CPU, skipped\n");
    return 77;
  }
  uint64_t total = 0;
  size_t one_step_scales = 0;
  for (size_t i = 0; i < scales.size(); ++i) {
    const bool one_step = OneStepQualifies(scales[i]);
    one_step_scales += one_step ? 1 : 0;
    for (int steps = 2; steps >= (one_step ? 1 : 2); --steps) {
      const SweepResult r = Sweep(scales[i], steps);
      std::printf("[%zu/%zu] S=%a, %d step%s: %llu mismatches, %llu of 16777216 blocks flagged\n",
                  i + 1, scales.size(), scales[i], steps, steps == 1 ? "" : "s",
                  static_cast<unsigned long long>(r.mismatches),
                  static_cast<unsigned long long>(r.flagged_blocks));
      std::fflush(stdout);
      total += r.mismatches;
    }
  }
  std::printf("(%zu of %zu scales qualify for one step and were swept with both)\n",
              one_step_scales, scales.size());
  std::printf("%s: %llu mismatches over %zu scales x 2^32 inputs\n", total ? "FAIL" : "ok",
              static_cast<unsigned long long>(total), scales.size());
  return total ? 1 : 0;
}
