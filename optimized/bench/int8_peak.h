// The int8 multiply-accumulate peak of the CPU the benchmark runs on: a register-only loop of
// the best exact int8 MAC instruction the CPU has, with enough independent accumulators to hide
// its latency, written in assembly so that the compiler can neither spill the accumulators nor
// shorten the loop. GEMM ratios are this loop's time divided by the GEMM's for equal MACs.
//
//   tdpbusd_amx     Intel AMX (AMX-INT8), where the process may use it (amx_support.h, so not
//                   with QUANTSPEC_AMX=0): 6 accumulator tiles, 16 x 16 x 64 = 16384 u8*s8
//                   MACs per TDPBUSD. Our AVX3_DL GEMM runs on AMX from 16 rows of A.
//   vpdpbusd_zmm    AVX-512 VNNI: 24 accumulators, 64 u8*s8 MACs per instruction.
//   vpdpbusd_ymm    AVX-VNNI (VEX, e.g. Alder Lake without AVX-512): 12 accumulators, 32 MACs.
//   vpmaddwd_zmm    AVX-512 BW without VNNI: vpmaddwd on int16-widened operands + vpaddd,
//                   12 accumulators, 32 MACs per vpmaddwd.
//   vpmaddwd_ymm    AVX2: vpmaddwd + vpaddd, 10 accumulators, 16 MACs per vpmaddwd.
// vpmaddubsw-based loops are faster on AVX2 but saturate int16 pairs (255*127*2 > 32767): not an
// exact int8 MAC, so not a peak an exact GEMM can be held to.
// Without AVX2 there is no peak loop (name "none"), and no GEMM ratio is computed.
#ifndef QUANTSPEC_BENCH_INT8_PEAK_H_
#define QUANTSPEC_BENCH_INT8_PEAK_H_

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>

#include "../src/amx_support.h"

namespace quantspec::bench {

struct Int8Peak {
  const char* name;                // one of the loop names above, or "none"
  double macs_per_iteration;       // exact int8 MACs of one loop iteration
  void (*run)(size_t iterations);  // NULL for "none"
};

// ldtilecfg of palette 1 with eight tiles of 16 rows x 64 bytes; tmm6 and tmm7 loaded with
// 0xFF bytes (u8 255, s8 -1), tmm0..5 accumulate; tilerelease at the end.
__attribute__((target("amx-tile,amx-int8"), noinline)) inline void PeakTdpbusdAmx(
    size_t iterations) {
  if (iterations == 0) return;
  alignas(64) unsigned char config[64] = {};
  config[0] = 1;
  for (int t = 0; t < 8; ++t) {
    config[16 + 2 * t] = 64;
    config[48 + t] = 16;
  }
  alignas(64) unsigned char operand[16 * 64];
  std::memset(operand, 0xFF, sizeof(operand));
  const long stride = 64;
  asm volatile(
      "ldtilecfg %1\n\t"
      "tileloadd (%2,%3,1), %%tmm6\n\t"
      "tileloadd (%2,%3,1), %%tmm7\n\t"
      "tilezero %%tmm0\n\t"
      "tilezero %%tmm1\n\t"
      "tilezero %%tmm2\n\t"
      "tilezero %%tmm3\n\t"
      "tilezero %%tmm4\n\t"
      "tilezero %%tmm5\n\t"
      "1:\n\t"
      "tdpbusd %%tmm7, %%tmm6, %%tmm0\n\t"
      "tdpbusd %%tmm7, %%tmm6, %%tmm1\n\t"
      "tdpbusd %%tmm7, %%tmm6, %%tmm2\n\t"
      "tdpbusd %%tmm7, %%tmm6, %%tmm3\n\t"
      "tdpbusd %%tmm7, %%tmm6, %%tmm4\n\t"
      "tdpbusd %%tmm7, %%tmm6, %%tmm5\n\t"
      "dec %0\n\t"
      "jnz 1b\n\t"
      "tilerelease\n\t"
      : "+r"(iterations)
      : "m"(config), "r"(operand), "r"(stride)
      : "cc", "memory");
}

#define QS_PEAK_REPEAT_24(op) \
  op(0) op(1) op(2) op(3) op(4) op(5) op(6) op(7) op(8) op(9) op(10) op(11) op(12) op(13) \
  op(14) op(15) op(16) op(17) op(18) op(19) op(20) op(21) op(22) op(23)

__attribute__((target("avx512f,avx512bw,avx512vnni"), noinline)) inline void PeakVpdpbusdZmm(
    size_t iterations) {
  if (iterations == 0) return;
#define QS_OP(i) "vpdpbusd %%zmm30, %%zmm31, %%zmm" #i "\n\t"
  asm volatile(
      "vpternlogd $0xff, %%zmm30, %%zmm30, %%zmm30\n\t"
      "vpternlogd $0xff, %%zmm31, %%zmm31, %%zmm31\n\t"
      "1:\n\t" QS_PEAK_REPEAT_24(QS_OP) "dec %0\n\t"
      "jnz 1b\n\t"
      : "+r"(iterations)
      :
      : "zmm0", "zmm1", "zmm2", "zmm3", "zmm4", "zmm5", "zmm6", "zmm7", "zmm8", "zmm9", "zmm10",
        "zmm11", "zmm12", "zmm13", "zmm14", "zmm15", "zmm16", "zmm17", "zmm18", "zmm19", "zmm20",
        "zmm21", "zmm22", "zmm23", "zmm30", "zmm31", "cc");
#undef QS_OP
}

// {vex} (written %{vex%} in GNU inline asm) selects the AVX-VNNI encoding; ymm0..ymm11 accumulate.
__attribute__((target("avx2,avxvnni"), noinline)) inline void PeakVpdpbusdYmm(size_t iterations) {
  if (iterations == 0) return;
#define QS_OP(i) "%{vex%} vpdpbusd %%ymm14, %%ymm15, %%ymm" #i "\n\t"
  asm volatile(
      "vpcmpeqd %%ymm14, %%ymm14, %%ymm14\n\t"
      "vpcmpeqd %%ymm15, %%ymm15, %%ymm15\n\t"
      "1:\n\t" QS_OP(0) QS_OP(1) QS_OP(2) QS_OP(3) QS_OP(4) QS_OP(5) QS_OP(6) QS_OP(7) QS_OP(8)
          QS_OP(9) QS_OP(10) QS_OP(11) "dec %0\n\t"
      "jnz 1b\n\t"
      "vzeroupper\n\t"
      : "+r"(iterations)
      :
      : "ymm0", "ymm1", "ymm2", "ymm3", "ymm4", "ymm5", "ymm6", "ymm7", "ymm8", "ymm9", "ymm10",
        "ymm11", "ymm14", "ymm15", "cc");
#undef QS_OP
}

// vpmaddwd into a temporary (zmm24..zmm29 rotate), then vpaddd into one of 12 accumulators.
__attribute__((target("avx512f,avx512bw"), noinline)) inline void PeakVpmaddwdZmm(
    size_t iterations) {
  if (iterations == 0) return;
#define QS_OP(i, t)                                    \
  "vpmaddwd %%zmm30, %%zmm31, %%zmm" #t "\n\t"         \
  "vpaddd %%zmm" #t ", %%zmm" #i ", %%zmm" #i "\n\t"
  asm volatile(
      "vpternlogd $0xff, %%zmm30, %%zmm30, %%zmm30\n\t"
      "vpternlogd $0xff, %%zmm31, %%zmm31, %%zmm31\n\t"
      "1:\n\t" QS_OP(0, 24) QS_OP(1, 25) QS_OP(2, 26) QS_OP(3, 27) QS_OP(4, 28) QS_OP(5, 29)
          QS_OP(6, 24) QS_OP(7, 25) QS_OP(8, 26) QS_OP(9, 27) QS_OP(10, 28) QS_OP(11, 29)
      "dec %0\n\t"
      "jnz 1b\n\t"
      : "+r"(iterations)
      :
      : "zmm0", "zmm1", "zmm2", "zmm3", "zmm4", "zmm5", "zmm6", "zmm7", "zmm8", "zmm9", "zmm10",
        "zmm11", "zmm24", "zmm25", "zmm26", "zmm27", "zmm28", "zmm29", "zmm30", "zmm31", "cc");
#undef QS_OP
}

// vpmaddwd into a temporary (ymm10..ymm13 rotate), then vpaddd into one of 10 accumulators.
__attribute__((target("avx2"), noinline)) inline void PeakVpmaddwdYmm(size_t iterations) {
  if (iterations == 0) return;
#define QS_OP(i, t)                                    \
  "vpmaddwd %%ymm14, %%ymm15, %%ymm" #t "\n\t"         \
  "vpaddd %%ymm" #t ", %%ymm" #i ", %%ymm" #i "\n\t"
  asm volatile(
      "vpcmpeqd %%ymm14, %%ymm14, %%ymm14\n\t"
      "vpcmpeqd %%ymm15, %%ymm15, %%ymm15\n\t"
      "1:\n\t" QS_OP(0, 10) QS_OP(1, 11) QS_OP(2, 12) QS_OP(3, 13) QS_OP(4, 10) QS_OP(5, 11)
          QS_OP(6, 12) QS_OP(7, 13) QS_OP(8, 10) QS_OP(9, 11) "dec %0\n\t"
      "jnz 1b\n\t"
      "vzeroupper\n\t"
      : "+r"(iterations)
      :
      : "ymm0", "ymm1", "ymm2", "ymm3", "ymm4", "ymm5", "ymm6", "ymm7", "ymm8", "ymm9", "ymm10",
        "ymm11", "ymm12", "ymm13", "ymm14", "ymm15", "cc");
#undef QS_OP
}
#undef QS_PEAK_REPEAT_24

inline Int8Peak PeakByName(const std::string& name) {
  if (name == "tdpbusd_amx") return {"tdpbusd_amx", 6.0 * 16384.0, PeakTdpbusdAmx};
  if (name == "vpdpbusd_zmm") return {"vpdpbusd_zmm", 24.0 * 64.0, PeakVpdpbusdZmm};
  if (name == "vpdpbusd_ymm") return {"vpdpbusd_ymm", 12.0 * 32.0, PeakVpdpbusdYmm};
  if (name == "vpmaddwd_zmm") return {"vpmaddwd_zmm", 12.0 * 32.0, PeakVpmaddwdZmm};
  if (name == "vpmaddwd_ymm") return {"vpmaddwd_ymm", 10.0 * 16.0, PeakVpmaddwdYmm};
  return {"none", 0.0, nullptr};
}

// Whether this CPU can run the named loop.
inline bool PeakRunsHere(const std::string& name) {
  if (name == "tdpbusd_amx") return quantspec::optimized::detail::AmxAvailable();
  if (name == "vpdpbusd_zmm") return __builtin_cpu_supports("avx512vnni");
  if (name == "vpdpbusd_ymm") return __builtin_cpu_supports("avxvnni");
  if (name == "vpmaddwd_zmm") return __builtin_cpu_supports("avx512bw");
  if (name == "vpmaddwd_ymm") return __builtin_cpu_supports("avx2");
  return false;
}

// The best exact int8 MAC loop of this CPU, in the order of the list above.
inline Int8Peak BestPeak() {
  for (const char* name :
       {"tdpbusd_amx", "vpdpbusd_zmm", "vpdpbusd_ymm", "vpmaddwd_zmm", "vpmaddwd_ymm"}) {
    if (PeakRunsHere(name)) return PeakByName(name);
  }
  return PeakByName("none");
}

// The loop that fits a compiled target when --target=NAME measures one target on a CPU that
// has more: the widest exact loop whose instructions that target's kernels may use (our AVX2
// and AVX3 tables use vpmaddwd, only AVX3_DL and later use VNNI and, where allowed, AMX).
// None for SSE4 and below.
inline Int8Peak PeakForTarget(const std::string& target) {
  if (target == "AVX2") return PeakByName("vpmaddwd_ymm");
  if (target == "AVX3") return PeakByName("vpmaddwd_zmm");
  if (target.rfind("AVX3_", 0) == 0) return BestPeak();  // AVX3_DL, AVX3_ZEN4, AVX3_SPR
  return PeakByName("none");
}

}  // namespace quantspec::bench

#endif  // QUANTSPEC_BENCH_INT8_PEAK_H_
