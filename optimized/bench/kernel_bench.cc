// quantspec_bench: throughput of the optimized kernels (through the dispatching C ABI table),
// reported as ratios to baselines measured in the same run.
//
// Elementwise kernels (quantize, dequantize, requantize per variant, LUT) are compared with two
// copies that move the same bytes: a kernel reading B_in and writing B_out bytes is compared
// with a copy of (B_in + B_out) / 2 bytes (equal read + write traffic):
//   - memcpy: glibc's memcpy (on this machine it uses rep movsb / vector stores below
//     glibc.cpu.x86_non_temporal_threshold and non-temporal stores above it);
//   - stream copy: an AVX-512 loop of 64-byte loads and non-temporal stores (+ sfence).
// The headline ratio is (faster copy time) / (kernel time); `_vs_memcpy` and `_vs_stream_copy`
// give each baseline separately. Every function (each copy and the kernel) has its own output
// buffer, all buffers are page aligned and touched before timing, and in the L2 class each
// timed call is preceded by an untimed warm-up call of the same function, so every timing
// starts from that function's own warm state. (The previous version timed memcpy right after a
// streaming copy into the same destination: the non-temporal stores had evicted it, so the
// "L2" memcpy paid DRAM write misses and reported ~28 GB/s instead of ~78 GB/s.)
// Two size classes, chosen from the cache sizes the OS reports:
//   - "DRAM": every pass touches at least eight times the last-level cache (sizes printed in
//     the output), so next to nothing survives in the LLC between passes;
//   - "L2": about 480 KiB of traffic per call (kernel buffers plus one copy's buffers stay well
//     inside L2), timed as several back-to-back calls per sample.
// Int8 GEMM (M = N = K = 512 and 1024, one thread) is compared with the CPU's exact int8 MAC
// peak loop (int8_peak.h: AMX tdpbusd where allowed, vpdpbusd with VNNI, vpmaddwd + vpaddd
// without) doing the same number of
// MACs; ratio = peak time / GEMM time. The linear layer on packed weights (M = 1, 16, 128) is
// timed against our unpacked linear (which packs W per call) and the same peak loop;
// dynamic_linear_packed (M = 1 with W DRAM-resident, M = 16) against the unpacked
// dynamic_linear and the same peak loop.
// The machine may be shared (other processes take CPU time unpredictably), so each benchmark
// alternates its baselines and the kernel in every iteration and takes the fastest iteration of
// each (contention only slows a run down). With --benchmark_repetitions=R the ratio of every
// repetition is kept and the JSON reports the median ("ratios") and the minimum ("ratios_min").
// `quantspec_bench --json` prints one JSON object; without it a table follows Google
// Benchmark's console output. Google Benchmark flags pass through.
#include <immintrin.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <memory>
#include <random>
#include <regex>
#include <string>
#include <vector>

#include <unistd.h>

#include "benchmark/benchmark.h"
#include "quantspec/kernel_abi.h"
#include "quantspec/optimized.h"
#include "int8_peak.h"
// Whether the GEMM rows ran on AMX (the report's amx_gemm).
#include "../src/amx_support.h"
// Only for the switch the linear_int8_panels rows flip (Int8PanelOverride).
#include "../src/packed_weights.h"

namespace {

// The size of CPU 0's data or unified cache of this level as Linux reports it in sysfs
// (/sys/devices/system/cpu/cpu0/cache/indexN/{level,type,size}, size like "32768K"); 0 if absent.
// sysfs first: glibc's sysconf decodes CPUID itself, and on an AMD EPYC KVM guest (session 16)
// it gave a 384 MiB L3 where sysfs and lscpu give 32 MiB.
size_t SysfsCacheBytes(int level) {
  for (int index = 0; index < 16; ++index) {
    const std::string dir = "/sys/devices/system/cpu/cpu0/cache/index" + std::to_string(index) + "/";
    std::ifstream level_file(dir + "level"), type_file(dir + "type"), size_file(dir + "size");
    int found_level = 0;
    std::string type, size;
    if (!(level_file >> found_level) || !(type_file >> type) || !(size_file >> size)) continue;
    if (found_level != level || type == "Instruction" || size.empty()) continue;
    char* end = nullptr;
    const unsigned long long value = std::strtoull(size.c_str(), &end, 10);
    const size_t unit = *end == 'K' ? size_t{1} << 10 : *end == 'M' ? size_t{1} << 20 : 1;
    return static_cast<size_t>(value) * unit;
  }
  return 0;
}

// Cache sizes as the OS reports them: sysfs, then sysconf, then a 2 MiB L2 / 64 MiB LLC.
size_t CacheBytes(int level, int sysconf_name, size_t fallback) {
  if (const size_t v = SysfsCacheBytes(level); v > 0) return v;
  const long v = sysconf(sysconf_name);
  return v > 0 ? static_cast<size_t>(v) : fallback;
}
size_t L2Bytes() { return CacheBytes(2, _SC_LEVEL2_CACHE_SIZE, size_t{2} << 20); }
size_t LlcBytes() {
  const size_t l3 = CacheBytes(3, _SC_LEVEL3_CACHE_SIZE, 0);
  return l3 > 0 ? std::max(l3, L2Bytes()) : size_t{64} << 20;
}

size_t RoundUpPow2(size_t v) {
  size_t p = 1;
  while (p < v) p <<= 1;
  return p;
}

// Size classes. Elementwise kernels move 5 bytes per element (4 in + 1 out or 1 in + 4 out),
// LUT 2 bytes per element. DRAM: the smallest power-of-two element count whose traffic is at
// least eight times the LLC (and at least the old 16 Mi elements = 64 MiB arrays). Twice was
// not enough on AMD EPYC (Zen 5 class, 32 MiB L3, session 16): at 2.5x the copies still hit in
// the L3 and every ratio fell (dequantize 0.68, LUT 0.88, the plain read-4/write-1 loop 0.67),
// at 10x and at 40x they agreed (dequantize 0.91 / 0.86, LUT 1.01 / 1.04, loop 0.81 / 0.77). L2: 96 Ki elements
// = 480 KiB of traffic (the kernel's buffers plus one copy's fit L2 together on any L2 of at
// least 1 MiB; warm-up calls make them resident).
// How many times the LLC the DRAM class's traffic and the _W_DRAM rows' copies of W span.
constexpr size_t kDramSpanOfLlc = 8;

// Copies of a w_bytes W that together span kDramSpanOfLlc times the LLC (at least one).
size_t DramCopiesOfW(size_t w_bytes) {
  return std::max<size_t>(1, (kDramSpanOfLlc * LlcBytes() + w_bytes - 1) / w_bytes);
}

struct SizeClass {
  std::string label;
  size_t elements;   // 5-byte-per-element kernels
  size_t lut_bytes;  // LUT: bytes in (= bytes out)
  bool warm;         // precede every timed call by an untimed one (cache-resident classes)
  int calls;         // back-to-back calls per timed sample (amortises the clock reads)
};
const std::vector<SizeClass>& Sizes() {
  static const std::vector<SizeClass> sizes = [] {
    const size_t dram_elements =
        std::max(RoundUpPow2(kDramSpanOfLlc * LlcBytes() / 5 + 1), size_t{16} << 20);
    return std::vector<SizeClass>{
        {"DRAM", dram_elements, dram_elements * 5 / 2, false, 1},
        {"L2", 96 * 1024, 240 * 1024, true, 8},
    };
  }();
  return sizes;
}
size_t MaxElements() { return Sizes()[0].elements; }
size_t MaxLutBytes() { return Sizes()[0].lut_bytes; }
// lut_int16 moves 6 bytes per element: its copies are 3 n bytes.
size_t MaxCopyBytes() { return std::max(MaxElements() * 3, MaxLutBytes()); }

// Heap arrays, page aligned (so every kernel and copy buffer has the same alignment), touched
// once so page faults stay out of the timings.
template <typename T>
struct Buffer {
  explicit Buffer(size_t n) : size(n) {
    data = static_cast<T*>(std::aligned_alloc(4096, ((n * sizeof(T) + 4095) / 4096) * 4096));
    std::memset(static_cast<void*>(data), 0, n * sizeof(T));
  }
  ~Buffer() { std::free(data); }
  Buffer(const Buffer&) = delete;
  Buffer& operator=(const Buffer&) = delete;
  T* data;
  size_t size;
};

struct Arrays {
  Buffer<float> f32_in{MaxElements()};
  Buffer<int32_t> i32_in{MaxElements()};
  Buffer<uint8_t> u8_in{std::max(MaxElements(), MaxLutBytes())};
  Buffer<float> f32_out{MaxElements()};
  Buffer<uint8_t> u8_out{std::max(MaxElements(), MaxLutBytes())};
  Buffer<uint8_t> copy_src{MaxCopyBytes()};
  Buffer<uint8_t> memcpy_dst{MaxCopyBytes()};  // one destination per baseline: see the header
  Buffer<uint8_t> stream_dst{MaxCopyBytes()};
  Arrays() {
    uint64_t state = 42;
    auto next = [&state] {  // splitmix64: fast enough for a few hundred MiB
      uint64_t z = (state += 0x9E3779B97F4A7C15ull);
      z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
      z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
      return z ^ (z >> 31);
    };
    for (size_t i = 0; i < f32_in.size; ++i) {
      const uint64_t r = next();
      // uniform in [-15, 15): t = x / 0.05 covers the s8 range and beyond (clamping)
      f32_in.data[i] = static_cast<float>(static_cast<int32_t>(r >> 40) - (1 << 23)) *
                       (15.0f / (1 << 23));
      i32_in.data[i] = static_cast<int32_t>(r) >> ((r >> 32) % 20);
    }
    for (size_t i = 0; i < u8_in.size; i += 8) {
      const uint64_t r = next();
      std::memcpy(u8_in.data + i, &r, std::min<size_t>(8, u8_in.size - i));
    }
    std::memset(copy_src.data, 1, copy_src.size);
  }
};

Arrays& arrays() {
  static Arrays a;
  return a;
}

// The table under test: the dispatching one (best target), or the target named by --target=NAME.
const qs_kernel_table*& selected_table() {
  static const qs_kernel_table* t = qs_kernel_table_get(QS_KERNEL_ABI_VERSION);
  return t;
}
std::string& selected_target() {
  static std::string name = quantspec::optimized::dispatch_target();
  return name;
}
const qs_kernel_table* table() { return selected_table(); }

bool HasAvx512() { return __builtin_cpu_supports("avx512f"); }
bool HasAvx2() { return __builtin_cpu_supports("avx2"); }

__attribute__((target("avx512f"))) void StreamCopy512(uint8_t* dst, const uint8_t* src,
                                                      size_t bytes) {
  size_t i = 0;
  for (; i + 256 <= bytes; i += 256) {
    const __m512i a = _mm512_load_si512(src + i);
    const __m512i b = _mm512_load_si512(src + i + 64);
    const __m512i c = _mm512_load_si512(src + i + 128);
    const __m512i d = _mm512_load_si512(src + i + 192);
    _mm512_stream_si512(reinterpret_cast<__m512i*>(dst + i), a);
    _mm512_stream_si512(reinterpret_cast<__m512i*>(dst + i + 64), b);
    _mm512_stream_si512(reinterpret_cast<__m512i*>(dst + i + 128), c);
    _mm512_stream_si512(reinterpret_cast<__m512i*>(dst + i + 192), d);
  }
  std::memcpy(dst + i, src + i, bytes - i);
  _mm_sfence();
}

__attribute__((target("avx2"))) void StreamCopy256(uint8_t* dst, const uint8_t* src,
                                                   size_t bytes) {
  size_t i = 0;
  for (; i + 128 <= bytes; i += 128) {
    const __m256i a = _mm256_load_si256(reinterpret_cast<const __m256i*>(src + i));
    const __m256i b = _mm256_load_si256(reinterpret_cast<const __m256i*>(src + i + 32));
    const __m256i c = _mm256_load_si256(reinterpret_cast<const __m256i*>(src + i + 64));
    const __m256i d = _mm256_load_si256(reinterpret_cast<const __m256i*>(src + i + 96));
    _mm256_stream_si256(reinterpret_cast<__m256i*>(dst + i), a);
    _mm256_stream_si256(reinterpret_cast<__m256i*>(dst + i + 32), b);
    _mm256_stream_si256(reinterpret_cast<__m256i*>(dst + i + 64), c);
    _mm256_stream_si256(reinterpret_cast<__m256i*>(dst + i + 96), d);
  }
  std::memcpy(dst + i, src + i, bytes - i);
  _mm_sfence();
}

void StreamCopy(uint8_t* dst, const uint8_t* src, size_t bytes) {
  if (HasAvx512()) return StreamCopy512(dst, src, bytes);
  if (HasAvx2()) return StreamCopy256(dst, src, bytes);
  size_t i = 0;
  for (; i + 16 <= bytes; i += 16) {
    _mm_stream_si128(reinterpret_cast<__m128i*>(dst + i),
                     _mm_load_si128(reinterpret_cast<const __m128i*>(src + i)));
  }
  std::memcpy(dst + i, src + i, bytes - i);
  _mm_sfence();
}

// Reference "kernel" with the traffic shape of quantize / requantize (read 4 bytes, write 1),
// the least possible work (one vpmovdb per 16 elements, ordinary stores) and no software
// prefetch: what the hardware prefetchers alone give a 4-in-1-out loop on this machine (a
// single core's in-order read stream is latency bound). The kernels exceed it in the DRAM class
// by storing non-temporally in interleaved streams (optimized/src/kernels/group_order-inl.h).
__attribute__((target("avx512f"))) void Narrow512(const int32_t* in, uint8_t* out, size_t n) {
  size_t i = 0;
  for (; i + 64 <= n; i += 64) {
    for (size_t u = 0; u < 4; ++u) {
      const __m512i v = _mm512_loadu_si512(in + i + 16 * u);
      _mm_storeu_si128(reinterpret_cast<__m128i*>(out + i + 16 * u),
                       _mm512_maskz_cvtepi32_epi8(0xFFFF, v));
    }
  }
  for (; i < n; ++i) out[i] = static_cast<uint8_t>(in[i]);
}
// AVX2 has no vpmovdb: two packs (with saturation, which the ceiling does not care about) and
// a lane fix-up per 32 elements.
__attribute__((target("avx2"))) void Narrow256(const int32_t* in, uint8_t* out, size_t n) {
  size_t i = 0;
  const __m256i order = _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7);
  for (; i + 32 <= n; i += 32) {
    const __m256i a = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(in + i));
    const __m256i b = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(in + i + 8));
    const __m256i c = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(in + i + 16));
    const __m256i d = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(in + i + 24));
    const __m256i bytes = _mm256_packus_epi16(_mm256_packs_epi32(a, b), _mm256_packs_epi32(c, d));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + i),
                        _mm256_permutevar8x32_epi32(bytes, order));
  }
  for (; i < n; ++i) out[i] = static_cast<uint8_t>(in[i]);
}
void NarrowCeiling(const int32_t* in, uint8_t* out, size_t n) {
  if (HasAvx512()) return Narrow512(in, out, n);
  if (HasAvx2()) return Narrow256(in, out, n);
  for (size_t i = 0; i < n; ++i) out[i] = static_cast<uint8_t>(in[i]);
}

// The GEMM baseline: the CPU's exact int8 MAC peak loop (int8_peak.h), chosen at start-up
// (BestPeak) or named with --peak=NAME (a loop this CPU cannot run is an error).
quantspec::bench::Int8Peak& gemm_peak() {
  static quantspec::bench::Int8Peak peak = quantspec::bench::BestPeak();
  return peak;
}

// ---- registrations ----

struct Measured {
  double kernel_seconds = 0;       // per call
  double copy_seconds = 0;         // memcpy of equal traffic, same iterations (or peak loop)
  double stream_copy_seconds = 0;  // streaming copy of equal traffic, same iterations
  double work = 0;                 // traffic bytes (elementwise) or MACs (GEMM) per call
};
// One entry per repetition.
std::map<std::string, std::vector<Measured>>& results() {
  static std::map<std::string, std::vector<Measured>> r;
  return r;
}
size_t& aggregated_repetitions() {  // repetitions behind the median aggregates (0: none)
  static size_t r = 0;
  return r;
}
// The median aggregates, used for a benchmark whose repetitions were not reported one by one.
std::map<std::string, std::vector<Measured>>& median_results() {
  static std::map<std::string, std::vector<Measured>> r;
  return r;
}
std::map<std::string, double>& work() {
  static std::map<std::string, double> w;
  return w;
}

double Seconds(std::chrono::steady_clock::time_point a, std::chrono::steady_clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

// Seconds per call of f: optionally one untimed warm-up call, then `calls` timed calls.
template <class F>
double TimeCalls(const F& f, bool warm, int calls) {
  if (warm) f();
  benchmark::ClobberMemory();
  const auto t0 = std::chrono::steady_clock::now();
  for (int c = 0; c < calls; ++c) {
    f();
    benchmark::ClobberMemory();
  }
  const auto t1 = std::chrono::steady_clock::now();
  return Seconds(t0, t1) / calls;
}

// Registers `name`: each iteration times baseline(s) then the kernel; reports the kernel's time
// (manual time) and every function's fastest per-call time as counters.
// uses_arrays: the functions read arrays(), which are allocated and touched (page faults out
// of the timings) before the first such benchmark runs, and only if one runs.
// warm_baseline, warm_baseline2: an untimed call of that baseline precedes its timed one even
// when `warm` is false (the peak loops: an AMX unit that has been idle runs TDPBUSD at about
// half its rate for a while. On this project's Sapphire Rapids VM, session 19, the
// tdpbusd_amx loop of the _W_DRAM rows rose from 950-1540 to 1794 GMAC/s with it; the
// gemm_s8 rows' loop stayed at 1.06-1.09 TMAC/s against 2.30 in the linear_packed rows, which
// is not understood: their GEMM ratios are not comparable with the others').
template <class Kernel, class Baseline, class Baseline2>
void RegisterPaired(const std::string& name, double work_per_call, bool warm, int calls,
                    Kernel kernel, Baseline baseline, Baseline2 baseline2,
                    bool uses_arrays = false, bool warm_baseline = false,
                    bool warm_baseline2 = false) {
  work()[name] = work_per_call;
  benchmark::RegisterBenchmark(name.c_str(), [=](benchmark::State& state) {
    if (uses_arrays) arrays();
    // Minimum per-call times: other processes only ever slow a run down, so the minimum is the
    // best estimate of each one's own speed; ratios use these minima.
    double base = 1e30, base2 = 1e30, kernel_min = 1e30;
    for (auto _ : state) {
      base = std::min(base, TimeCalls(baseline, warm || warm_baseline, calls));
      base2 = std::min(base2, TimeCalls(baseline2, warm || warm_baseline2, calls));
      const double k = TimeCalls(kernel, warm, calls);
      kernel_min = std::min(kernel_min, k);
      state.SetIterationTime(k);
    }
    state.counters["baseline_s"] = benchmark::Counter(base);
    state.counters["baseline2_s"] = benchmark::Counter(base2);
    state.counters["kernel_s"] = benchmark::Counter(kernel_min);
    state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * work_per_call));
  })->UseManualTime()->Unit(benchmark::kMicrosecond);
}

// Elementwise kernel moving `traffic` bytes: baselines are memcpy and streaming copy of
// traffic / 2 bytes (equal read + write traffic), each into its own destination.
template <class Kernel>
void Register(const std::string& name, const SizeClass& s, double traffic, Kernel kernel) {
  const size_t copy_bytes = static_cast<size_t>(traffic / 2);
  RegisterPaired(
      name, traffic, s.warm, s.calls, kernel,
      [copy_bytes] { std::memcpy(arrays().memcpy_dst.data, arrays().copy_src.data, copy_bytes); },
      [copy_bytes] { StreamCopy(arrays().stream_dst.data, arrays().copy_src.data, copy_bytes); },
      /*uses_arrays=*/true);
}

const char* RoundingName(uint32_t r) { return r == QS_ROUND_HALF_EVEN ? "half_even" : "half_away"; }
const char* DivisionName(uint32_t d) {
  return d == QS_DIV_EXACT ? "exact" : (d == QS_DIV_F32_DIVIDE ? "f32_divide" : "f32_reciprocal");
}

void RegisterElementwise() {
  for (const auto& s : Sizes()) {
    const size_t n = s.elements;
    // Scale 0.05 is one of the scales whose division takes one Newton-Markstein step in our
    // kernels (markstein_quotient-inl.h); 0.003 needs two, and is measured too ("_scale_0.003").
    for (uint32_t division : {QS_DIV_F32_DIVIDE, QS_DIV_F32_RECIPROCAL, QS_DIV_EXACT}) {
      for (uint32_t rounding : {QS_ROUND_HALF_EVEN, QS_ROUND_HALF_AWAY}) {
        for (float scale : {0.05f, 0.003f}) {
          if (scale != 0.05f && division == QS_DIV_F32_RECIPROCAL) continue;
          qs_quantize_params p{};
          p.output_type = QS_S8;
          p.rounding = rounding;
          p.division = division;
          p.qmin = -128;
          p.qmax = 127;
          p.scale = scale;
          p.zero_point = 3;
          Register(std::string("quantize_") + DivisionName(division) + "_" +
                       RoundingName(rounding) + (scale == 0.05f ? "" : "_scale_0.003") + "/" +
                       s.label,
                   s, 5.0 * n, [p, n] {
                     table()->quantize(&p, arrays().f32_in.data, arrays().u8_out.data, n);
                   });
        }
      }
    }
    {
      qs_dequantize_params p{};
      p.input_type = QS_S8;
      p.scale = 0.05f;
      p.zero_point = 3;
      Register(std::string("dequantize/") + s.label, s, 5.0 * n, [p, n] {
        table()->dequantize(&p, arrays().u8_in.data, arrays().f32_out.data, n);
      });
    }
    struct Variant {
      const char* name;
      uint32_t variant;
      uint32_t entry;
      int32_t multiplier;
      int32_t shift;
    };
    const Variant variants[] = {
        {"fp32", QS_REQUANT_FP32, QS_ZP_AFTER_ROUNDING, 0, 0},
        {"fp32_before_rounding", QS_REQUANT_FP32, QS_ZP_BEFORE_ROUNDING, 0, 0},
        {"double_round", QS_REQUANT_DOUBLE_ROUND, QS_ZP_AFTER_ROUNDING, 1518500250, -9},
        {"single_round", QS_REQUANT_SINGLE_ROUND, QS_ZP_AFTER_ROUNDING, 1518500250, -9},
        {"rndnu", QS_REQUANT_RNDNU, QS_ZP_AFTER_ROUNDING, 1518500250, -9},
        {"rndna", QS_REQUANT_RNDNA, QS_ZP_AFTER_ROUNDING, 1518500250, -9},
        {"tosa_single", QS_REQUANT_TOSA_SINGLE, QS_ZP_AFTER_ROUNDING, 1518500250, 40},
        {"tosa_double", QS_REQUANT_TOSA_DOUBLE, QS_ZP_AFTER_ROUNDING, 1518500250, 40},
        {"tosa_scale16", QS_REQUANT_TOSA_SCALE16, QS_ZP_AFTER_ROUNDING, 23170, 24},
        // SPEC Q11 members, on double_round's pair (m15 = 23170 for the 15-bit members).
        {"neon_double_round", QS_REQUANT_NEON_DOUBLE_ROUND, QS_ZP_AFTER_ROUNDING, 1518500250, -9},
        {"int16x8_int64", QS_REQUANT_INT16X8_INT64, QS_ZP_AFTER_ROUNDING, 1518500250, -9},
        {"rndnu16", QS_REQUANT_RNDNU16, QS_ZP_AFTER_ROUNDING, 1518500250, -9},
        // SPEC Q7.2's wrapping member: on double_round's pair it takes double_round's path (no
        // left shift); with a left shift (multiplier > 1) the two members' paths differ, so
        // both are measured there too.
        {"double_round_wrap", QS_REQUANT_DOUBLE_ROUND_WRAP, QS_ZP_AFTER_ROUNDING, 1518500250, -9},
        {"double_round_shift_2", QS_REQUANT_DOUBLE_ROUND, QS_ZP_AFTER_ROUNDING, 1518500250, 2},
        {"double_round_wrap_shift_2", QS_REQUANT_DOUBLE_ROUND_WRAP, QS_ZP_AFTER_ROUNDING, 1518500250, 2},
    };
    for (const auto& v : variants) {
      qs_requantize_params p{};
      p.requant.variant = v.variant;
      p.requant.zero_point_entry = v.entry;
      p.requant.multiplier = v.multiplier;
      p.requant.shift = v.shift;
      p.requant.scale = 1.0f / 1448.0f;
      p.requant.output_zero_point = -3;
      p.output_type = QS_S8;
      p.qmin = -128;
      p.qmax = 127;
      Register(std::string("requantize_") + v.name + "/" + s.label, s, 5.0 * n, [p, n] {
        table()->requantize(&p, arrays().i32_in.data, arrays().u8_out.data, n);
      });
    }
    Register(std::string("ceiling_read4_write1/") + s.label, s, 5.0 * n, [n] {
      NarrowCeiling(arrays().i32_in.data, arrays().u8_out.data, n);
    });
    {
      static uint8_t lut[256];
      for (int i = 0; i < 256; ++i) lut[i] = static_cast<uint8_t>(255 - i);
      const size_t bytes = s.lut_bytes;
      qs_lut_params p{QS_U8, lut};
      Register(std::string("lut_u8/") + s.label, s, 2.0 * bytes, [p, bytes] {
        table()->lut(&p, arrays().u8_in.data, arrays().u8_out.data, bytes);
      });
    }
    {
      // TOSA TABLE int16 (Q13.3): 2 bytes in + 4 bytes out per element; the int16 input lives
      // in u8_in (2 n bytes <= its size), the int32 output in f32_out (n elements).
      static int16_t table16[513];
      for (int j = 0; j < 513; ++j) table16[j] = static_cast<int16_t>(64 * j - 16384);
      qs_lut_int16_params p{table16};
      const size_t n16 = n;
      Register(std::string("lut_int16/") + s.label, s, 6.0 * n16, [p, n16] {
        if (table()->lut_int16 == nullptr) return;
        table()->lut_int16(&p, reinterpret_cast<const int16_t*>(arrays().u8_in.data),
                           reinterpret_cast<int32_t*>(arrays().f32_out.data), n16);
      });
    }
  }
}

struct GemmData {
  explicit GemmData(size_t n) : a(n * n), w(n * n), bias(n), out(n * n) {
    std::mt19937 rng(7);
    for (auto& v : a) v = static_cast<int8_t>(rng());
    for (auto& v : w) v = static_cast<int8_t>(rng());
    for (auto& v : bias) v = static_cast<int32_t>(rng() % 1000);
  }
  std::vector<int8_t> a, w;
  std::vector<int32_t> bias, out;
};

void RegisterGemm() {
  for (size_t n : {size_t{512}, size_t{1024}}) {
    auto data = std::make_shared<GemmData>(n);
    qs_gemm_params p{};
    p.a_type = QS_S8;
    p.a_zero_point = 1;
    p.w_zero_point = 0;
    p.bias = data->bias.data();
    const double macs = static_cast<double>(n) * n * n;
    // The peak loop runs the same number of MACs as the GEMM, right before it.
    // With no peak loop for this CPU the baseline is not run and no ratio is reported.
    const quantspec::bench::Int8Peak peak = gemm_peak();
    const size_t peak_iterations =
        peak.run == nullptr ? 0 : static_cast<size_t>(macs / peak.macs_per_iteration);
    RegisterPaired(
        "gemm_s8/" + std::to_string(n), macs, /*warm=*/false, /*calls=*/1,
        [p, n, data] {
          table()->gemm(&p, data->a.data(), n, data->w.data(), n, data->out.data(), n, n, n, n);
        },
        [peak_iterations, peak] {
          if (peak.run != nullptr) peak.run(peak_iterations);
        },
        [] {}, /*uses_arrays=*/false, /*warm_baseline=*/true);
  }
}

// Linear layer (s8 x s8 -> s8, double_round per tensor) on packed weights, M x K times K x N,
// one thread: timed against our unpacked linear on the same operands (which packs W on every
// call) and against the peak loop for the same MACs. Packing itself is not timed (done once).
struct LinearData {
  LinearData(size_t m, size_t n, size_t k) : m(m), n(n), k(k), a(m * k), w(n * k), bias(n), out(m * n) {
    std::mt19937 rng(11);
    for (auto& v : a) v = static_cast<int8_t>(rng());
    for (auto& v : w) v = static_cast<int8_t>(rng());
    for (auto& v : bias) v = static_cast<int32_t>(rng() % 1000);
    params.gemm.a_type = QS_S8;
    params.gemm.a_zero_point = 3;
    params.gemm.bias = bias.data();
    params.requant.variant = QS_REQUANT_DOUBLE_ROUND;
    params.requant.multiplier = 1 << 30;
    params.requant.shift = -10;
    params.output_type = QS_S8;
    params.act_min = -128;
    params.act_max = 127;
    if (table()->pack_weights(&params.gemm, w.data(), k, n, k, &packed) != QS_OK) packed = nullptr;
  }
  ~LinearData() { table()->release_packed(packed); }
  size_t m, n, k;
  std::vector<int8_t> a, w;
  std::vector<int32_t> bias;
  std::vector<int8_t> out;
  qs_linear_params params{};
  qs_packed_weights* packed = nullptr;
};

void RegisterLinearPacked() {
  if (table()->pack_weights == nullptr || table()->linear_packed == nullptr) return;
  const size_t shapes[][3] = {{1, 1024, 1024}, {16, 1024, 1024}, {128, 1024, 1024}, {1, 4096, 4096}};
  for (const auto& shape : shapes) {
    auto data = std::make_shared<LinearData>(shape[0], shape[1], shape[2]);
    if (data->packed == nullptr) continue;
    const double macs = static_cast<double>(shape[0]) * shape[1] * shape[2];
    const quantspec::bench::Int8Peak peak = gemm_peak();
    const size_t peak_iterations =
        peak.run == nullptr ? 0 : static_cast<size_t>(macs / peak.macs_per_iteration) + 1;
    RegisterPaired(
        "linear_packed/" + std::to_string(shape[0]) + "x" + std::to_string(shape[1]) + "x" +
            std::to_string(shape[2]),
        macs, /*warm=*/true, /*calls=*/1,
        [data] {
          table()->linear_packed(&data->params, data->a.data(), data->k, data->packed,
                                 data->out.data(), data->n, data->m);
        },
        [data] {
          table()->linear(&data->params, data->a.data(), data->k, data->w.data(), data->k,
                          data->out.data(), data->n, data->m, data->n, data->k);
        },
        [peak_iterations, peak] {
          if (peak.run != nullptr) peak.run(peak_iterations);
        });
  }
}

// dynamic_quantize (Q17): f32 in, u8/s8 out, run-time parameters computed from the data (a
// reduction pass, then the quantize pass). Timed against memcpy / streaming copy of the same
// bytes (4 + 1 per element, copied as 2.5 n), like the elementwise rows.
void RegisterDynamicQuantize() {
  if (table()->dynamic_quantize == nullptr) return;
  for (const auto& s : Sizes()) {
    const size_t n = s.elements;
    struct Variant {
      const char* name;
      uint32_t variant, output_type, per_row;
    };
    for (const Variant v : {Variant{"onnx_u8", QS_DYN_ONNX_U8, QS_U8, 0},
                            Variant{"pytorch_u8", QS_DYN_PYTORCH_U8, QS_U8, 0},
                            Variant{"symmetric_s8_rows_of_4096", QS_DYN_SYMMETRIC_S8, QS_S8, 1}}) {
      qs_dynamic_quantize_params p{};
      p.variant = v.variant;
      p.output_type = v.output_type;
      p.per_row = v.per_row;
      p.scale_floor = 0x1p-20f;
      const size_t rows = v.per_row ? n / 4096 : 1;
      auto scales = std::make_shared<std::vector<float>>(rows);
      auto zero_points = std::make_shared<std::vector<int32_t>>(rows);
      Register(std::string("dynamic_quantize_") + v.name + "/" + s.label, s, 5.0 * n,
               [p, n, rows, scales, zero_points] {
                 table()->dynamic_quantize(&p, arrays().f32_in.data, arrays().u8_out.data, rows,
                                           n / rows, scales->data(), zero_points->data());
               });
    }
  }
}

// dynamic_linear (Q17.7), f32 x (M x K) and s8 W (N x K) -> f32, per tensor u8 (ONNX) and per
// row s8: timed against the peak loop for the same MACs and against our int32 gemm on the
// same shape (u8 x s8, what dynamic_linear runs after quantizing x).
struct DynamicLinearData {
  DynamicLinearData(size_t m, size_t n, size_t k)
      : m(m), n(n), k(k), x(m * k), qa(m * k), w(n * k), scales(n), bias(n), out(m * n), acc(m * n) {
    std::mt19937 rng(13);
    for (auto& v : x) v = static_cast<float>(static_cast<int32_t>(rng() % 2001) - 1000) * 0.01f;
    for (auto& v : qa) v = static_cast<uint8_t>(rng());
    for (auto& v : w) v = static_cast<int8_t>(rng());
    for (auto& v : scales) v = 0.001f + static_cast<float>(rng() % 1000) * 1e-6f;
    for (auto& v : bias) v = static_cast<float>(rng() % 1000) * 0.01f;
  }
  size_t m, n, k;
  std::vector<float> x;
  std::vector<uint8_t> qa;
  std::vector<int8_t> w;
  std::vector<float> scales, bias, out;
  std::vector<int32_t> acc;
};

void RegisterDynamicLinear() {
  if (table()->dynamic_linear == nullptr) return;
  const size_t shapes[][3] = {{1, 1024, 1024}, {16, 1024, 1024}, {128, 1024, 1024}};
  for (const auto& shape : shapes) {
    for (const bool per_row : {false, true}) {
      auto data = std::make_shared<DynamicLinearData>(shape[0], shape[1], shape[2]);
      qs_dynamic_linear_params p{};
      p.quant.variant = per_row ? QS_DYN_SYMMETRIC_S8 : QS_DYN_ONNX_U8;
      p.quant.output_type = per_row ? QS_S8 : QS_U8;
      p.quant.per_row = per_row ? 1 : 0;
      p.quant.scale_floor = 0x1p-20f;
      p.weight_scales = data->scales.data();
      p.bias = data->bias.data();
      qs_gemm_params g{};
      g.a_type = QS_U8;
      g.a_zero_point = 128;
      const double macs = static_cast<double>(shape[0]) * shape[1] * shape[2];
      const quantspec::bench::Int8Peak peak = gemm_peak();
      const size_t peak_iterations =
          peak.run == nullptr ? 0 : static_cast<size_t>(macs / peak.macs_per_iteration) + 1;
      RegisterPaired(
          std::string("dynamic_linear_") + (per_row ? "s8_per_row/" : "onnx_u8/") +
              std::to_string(shape[0]) + "x" + std::to_string(shape[1]) + "x" + std::to_string(shape[2]),
          macs, /*warm=*/true, /*calls=*/1,
          [p, data] {
            table()->dynamic_linear(&p, data->x.data(), data->k, data->w.data(), data->k,
                                    data->out.data(), data->n, data->m, data->n, data->k);
          },
          [peak_iterations, peak] {
            if (peak.run != nullptr) peak.run(peak_iterations);
          },
          [g, data] {
            table()->gemm(&g, data->qa.data(), data->k, data->w.data(), data->k, data->acc.data(),
                          data->n, data->m, data->n, data->k);
          });
    }
  }
}

// dynamic_linear_packed (Q17.7 on W packed once by pack_weights, packing untimed), per tensor u8
// (ONNX) and per row s8, timed against the unpacked dynamic_linear on the same operands and the
// peak loop for the same MACs. M = 16 (16 x 1024 x 1024, W 1 MiB, cache-resident) and M = 1
// (GEMV 1 x 4096 x 4096, W 16 MiB): for M = 1, W is DRAM-resident: as many copies of W (raw
// and packed) as span kDramSpanOfLlc (8) times the LLC the OS reports, one copy per call in turn (the unpacked
// baseline cycles through the raw copies the same way).
// W (N x K) in `copies` identical copies, raw and packed (symmetric, no int32 bias: Q17.7),
// shared by the rows of one shape; each call takes the next copy.
struct WeightCopies {
  WeightCopies(const std::vector<int8_t>& w, size_t n, size_t k, size_t copies)
      : raw(copies, w), packed(copies, nullptr) {
    const qs_gemm_params g{};  // Zw = 0, bias NULL
    for (size_t i = 0; i < copies; ++i) {
      if (table()->pack_weights(&g, raw[i].data(), k, n, k, &packed[i]) != QS_OK) packed[i] = nullptr;
      ok = ok && packed[i] != nullptr;
    }
  }
  ~WeightCopies() {
    for (qs_packed_weights* object : packed) table()->release_packed(object);
  }
  std::vector<std::vector<int8_t>> raw;
  std::vector<qs_packed_weights*> packed;
  size_t next_packed = 0, next_raw = 0;
  bool ok = true;
};

void RegisterDynamicLinearPacked() {
  if (table()->dynamic_linear_packed == nullptr || table()->pack_weights == nullptr ||
      table()->dynamic_linear == nullptr) {
    return;
  }
  const size_t shapes[][3] = {{1, 4096, 4096}, {16, 1024, 1024}};
  for (const auto& shape : shapes) {
    const size_t w_bytes = shape[1] * shape[2];
    const size_t copies = shape[0] == 1 ? DramCopiesOfW(w_bytes) : 1;
    auto base = std::make_shared<DynamicLinearData>(shape[0], shape[1], shape[2]);
    auto weights = std::make_shared<WeightCopies>(base->w, shape[1], shape[2], copies);
    if (!weights->ok) continue;
    for (const bool per_row : {false, true}) {
      qs_dynamic_linear_params p{};
      p.quant.variant = per_row ? QS_DYN_SYMMETRIC_S8 : QS_DYN_ONNX_U8;
      p.quant.output_type = per_row ? QS_S8 : QS_U8;
      p.quant.per_row = per_row ? 1 : 0;
      p.quant.scale_floor = 0x1p-20f;
      p.weight_scales = base->scales.data();
      p.bias = base->bias.data();
      const double macs = static_cast<double>(shape[0]) * shape[1] * shape[2];
      const quantspec::bench::Int8Peak peak = gemm_peak();
      const size_t peak_iterations =
          peak.run == nullptr ? 0 : static_cast<size_t>(macs / peak.macs_per_iteration) + 1;
      RegisterPaired(
          std::string("dynamic_linear_packed_") + (per_row ? "s8_per_row/" : "onnx_u8/") +
              std::to_string(shape[0]) + "x" + std::to_string(shape[1]) + "x" +
              std::to_string(shape[2]) + (copies > 1 ? "_W_DRAM" : ""),
          macs, /*warm=*/copies == 1, /*calls=*/1,
          [p, base, weights] {
            const qs_packed_weights* w = weights->packed[weights->next_packed];
            weights->next_packed = (weights->next_packed + 1) % weights->packed.size();
            table()->dynamic_linear_packed(&p, base->x.data(), base->k, w, base->out.data(),
                                           base->n, base->m);
          },
          [p, base, weights] {
            const int8_t* w = weights->raw[weights->next_raw].data();
            weights->next_raw = (weights->next_raw + 1) % weights->raw.size();
            table()->dynamic_linear(&p, base->x.data(), base->k, w, base->k, base->out.data(),
                                    base->n, base->m, base->n, base->k);
          },
          [peak_iterations, peak] {
            if (peak.run != nullptr) peak.run(peak_iterations);
          },
          /*uses_arrays=*/false, /*warm_baseline=*/false, /*warm_baseline2=*/true);
    }
  }
}

// linear_packed read from the int8 panels of the int16-panel targets (AVX3 without VNNI, AVX2,
// SSE4; gemm.cc, gemm_int8_pairs-inl.h), the same linear as linear_packed/ above, per shape:
//   kernel    = linear_packed with the int8 panels forced (Int8PanelOverride kAlways),
//   baseline  = a read of W's N * K bytes (the least memory traffic of any GEMV: W read once),
//   baseline2 = linear_packed with the int16 panels forced (kNever), on the same
//               object: the path every M took before the int8 panels.
// For M up to the target's bound (gemm.cc: kInt8PanelMaxRows; AVX3 16, AVX2 4) the kernel is
// what linear_packed runs by default; the other rows show why the bound is where it is. SSE4
// and AVX3_DL keep no int8 panels: there the rows are not registered (both columns would run
// the same kernel). _W_DRAM: as many copies of W (raw and packed) as span 8 times the LLC the OS
// reports (kDramSpanOfLlc), one copy per call in turn (each function its own cycle, the int16 one half a cycle
// ahead, so that the kernel never reads the object the call before it just read), so W comes
// from DRAM; the other rows are warm (W 1 MiB as int8).
// The W read: 64-byte loads (AVX-512; 32-byte with AVX2 only) folded by xor into 4
// accumulators, the result kept in a volatile so that the loads stay.
__attribute__((target("avx512f"))) uint64_t ReadBytes512(const uint8_t* p, size_t bytes) {
  __m512i x0 = _mm512_setzero_si512(), x1 = x0, x2 = x0, x3 = x0;
  size_t i = 0;
  for (; i + 256 <= bytes; i += 256) {
    x0 = _mm512_xor_si512(x0, _mm512_loadu_si512(p + i));
    x1 = _mm512_xor_si512(x1, _mm512_loadu_si512(p + i + 64));
    x2 = _mm512_xor_si512(x2, _mm512_loadu_si512(p + i + 128));
    x3 = _mm512_xor_si512(x3, _mm512_loadu_si512(p + i + 192));
  }
  const __m512i x = _mm512_xor_si512(_mm512_xor_si512(x0, x1), _mm512_xor_si512(x2, x3));
  alignas(64) uint64_t lanes[8];
  _mm512_store_si512(lanes, x);
  uint64_t r = 0;
  for (uint64_t lane : lanes) r ^= lane;
  for (; i < bytes; ++i) r += p[i];
  return r;
}
__attribute__((target("avx2"))) uint64_t ReadBytes256(const uint8_t* p, size_t bytes) {
  __m256i x0 = _mm256_setzero_si256(), x1 = x0, x2 = x0, x3 = x0;
  size_t i = 0;
  for (; i + 128 <= bytes; i += 128) {
    x0 = _mm256_xor_si256(x0, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + i)));
    x1 = _mm256_xor_si256(x1, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + i + 32)));
    x2 = _mm256_xor_si256(x2, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + i + 64)));
    x3 = _mm256_xor_si256(x3, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + i + 96)));
  }
  const __m256i x = _mm256_xor_si256(_mm256_xor_si256(x0, x1), _mm256_xor_si256(x2, x3));
  alignas(32) uint64_t lanes[4];
  _mm256_store_si256(reinterpret_cast<__m256i*>(lanes), x);
  uint64_t r = lanes[0] ^ lanes[1] ^ lanes[2] ^ lanes[3];
  for (; i < bytes; ++i) r += p[i];
  return r;
}
volatile uint64_t read_bytes_sink;
void ReadBytes(const uint8_t* p, size_t bytes) {
  volatile uint64_t& sink = read_bytes_sink;
  if (HasAvx512()) {
    sink = ReadBytes512(p, bytes);
  } else if (HasAvx2()) {
    sink = ReadBytes256(p, bytes);
  } else {
    uint64_t r = 0;
    for (size_t i = 0; i < bytes; ++i) r += p[i];
    sink = r;
  }
}

// W (N x K) in `copies` copies, raw and packed with LinearData's weight parameters (per tensor
// Zw = 0 and an int32 bias), each function cycling through them on its own.
struct LinearWeightCopies {
  LinearWeightCopies(const LinearData& base, size_t copies) : raw(copies, base.w), packed(copies, nullptr) {
    for (size_t i = 0; i < copies; ++i) {
      if (table()->pack_weights(&base.params.gemm, raw[i].data(), base.k, base.n, base.k,
                                &packed[i]) != QS_OK) {
        packed[i] = nullptr;
      }
      ok = ok && packed[i] != nullptr;
    }
  }
  ~LinearWeightCopies() {
    for (qs_packed_weights* object : packed) table()->release_packed(object);
  }
  std::vector<std::vector<int8_t>> raw;
  std::vector<qs_packed_weights*> packed;
  size_t next_int8 = 0, next_int16 = 0, next_raw = 0;
  bool ok = true;
};

// Whether --benchmark_filter may select `name` (its run name: manual time). The DRAM rows pack
// tens of copies of a 16 MiB W, which a run that selects none of them should not pay for.
bool FilterMaySelect(const std::string& name) {
  const std::string filter = benchmark::GetBenchmarkFilter();
  if (filter.empty() || filter == "all" || filter[0] == '-') return true;
  try {
    return std::regex_search(name + "/manual_time", std::regex(filter, std::regex::extended));
  } catch (const std::regex_error&) {
    return true;  // Google Benchmark reports a bad filter itself
  }
}

void RegisterLinearInt8Panels() {
  if (table()->pack_weights == nullptr || table()->linear_packed == nullptr) return;
  namespace detail = quantspec::optimized::detail;
  struct Group {
    size_t n, k;
    bool dram;
    std::vector<size_t> rows;
  };
  const Group groups[] = {{4096, 4096, true, {1, 2, 4, 8, 16}}, {1024, 1024, false, {1, 2, 4, 8, 16}}};
  for (const Group& g : groups) {
    auto row_name = [&g](size_t m) {
      return "linear_int8_panels/" + std::to_string(m) + "x" + std::to_string(g.n) + "x" +
             std::to_string(g.k) + (g.dram ? "_W_DRAM" : "");
    };
    bool selected = false;
    for (const size_t m : g.rows) selected = selected || FilterMaySelect(row_name(m));
    if (!selected) continue;
    const size_t w_bytes = g.n * g.k;
    const size_t copies = g.dram ? DramCopiesOfW(w_bytes) : 1;
    // The M = 1 data's W stands for every row of the group; a row's own data gives A, the
    // parameters and the output (its own W and packed object go unused).
    auto weight_source = std::make_shared<LinearData>(1, g.n, g.k);
    auto weights = std::make_shared<LinearWeightCopies>(*weight_source, copies);
    if (!weights->ok || weights->packed[0]->int8_panels == nullptr) continue;
    weights->next_int16 = copies / 2;
    for (const size_t m : g.rows) {
      auto data = std::make_shared<LinearData>(m, g.n, g.k);
      RegisterPaired(
          row_name(m), static_cast<double>(m) * g.n * g.k, /*warm=*/!g.dram, /*calls=*/1,
          [data, weights] {
            const qs_packed_weights* w = weights->packed[weights->next_int8];
            weights->next_int8 = (weights->next_int8 + 1) % weights->packed.size();
            detail::Int8PanelOverride().store(detail::Int8PanelUse::kAlways);
            table()->linear_packed(&data->params, data->a.data(), data->k, w, data->out.data(),
                                   data->n, data->m);
            detail::Int8PanelOverride().store(detail::Int8PanelUse::kByRows);
          },
          [weights, w_bytes] {
            const int8_t* w = weights->raw[weights->next_raw].data();
            weights->next_raw = (weights->next_raw + 1) % weights->raw.size();
            ReadBytes(reinterpret_cast<const uint8_t*>(w), w_bytes);
          },
          [data, weights] {
            const qs_packed_weights* w = weights->packed[weights->next_int16];
            weights->next_int16 = (weights->next_int16 + 1) % weights->packed.size();
            detail::Int8PanelOverride().store(detail::Int8PanelUse::kNever);
            table()->linear_packed(&data->params, data->a.data(), data->k, w, data->out.data(),
                                   data->n, data->m);
            detail::Int8PanelOverride().store(detail::Int8PanelUse::kByRows);
          });
    }
  }
}

class CollectingReporter : public benchmark::ConsoleReporter {
 public:
  explicit CollectingReporter(bool quiet) : quiet_(quiet) {}
  bool ReportContext(const Context& context) override {
    return quiet_ ? true : ConsoleReporter::ReportContext(context);
  }
  void ReportRuns(const std::vector<Run>& runs) override {
    for (const auto& run : runs) {
      if (run.error_occurred || run.iterations == 0) continue;
      // With --benchmark_report_aggregates_only=true only aggregates arrive: the median
      // aggregate (each counter's median over repetitions) then stands for the repetitions.
      const bool median = run.run_type == Run::RT_Aggregate && run.aggregate_name == "median";
      if (run.run_type != Run::RT_Iteration && !median) continue;
      Measured m;
      auto counter = [&](const char* key) {
        const auto it = run.counters.find(key);
        return it == run.counters.end() ? 0.0 : it->second.value;
      };
      m.kernel_seconds = counter("kernel_s");
      m.copy_seconds = counter("baseline_s");
      m.stream_copy_seconds = counter("baseline2_s");
      m.work = work()[run.run_name.function_name];
      if (median) aggregated_repetitions() = std::max<size_t>(aggregated_repetitions(), run.repetitions);
      (median ? median_results() : results())[run.run_name.function_name].push_back(m);
    }
    if (!quiet_) ConsoleReporter::ReportRuns(runs);
  }

 private:
  bool quiet_;
};

std::string Json(double v) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.4g", v);
  return buf;
}

}  // namespace

// "model name" of the first CPU in /proc/cpuinfo ("unknown" if there is none).
std::string CpuModel() {
  std::ifstream cpuinfo("/proc/cpuinfo");
  std::string line;
  while (std::getline(cpuinfo, line)) {
    if (line.rfind("model name", 0) != 0) continue;
    const auto colon = line.find(':');
    if (colon == std::string::npos) break;
    std::string model = line.substr(colon + 1);
    model.erase(0, model.find_first_not_of(' '));
    std::string escaped;  // for the JSON string
    for (char c : model) {
      if (c == '"' || c == '\\') escaped += '\\';
      if (static_cast<unsigned char>(c) >= 0x20) escaped += c;
    }
    return escaped;
  }
  return "unknown";
}

int main(int argc, char** argv) {
  bool json = false;
  bool peak_named = false;    // --peak=NAME given
  bool target_named = false;  // --target=NAME given
  std::vector<char*> args;
  for (int i = 0; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--json") {
      json = true;
    } else if (arg.rfind("--target=", 0) == 0) {
      const std::string name = arg.substr(9);
      std::string known;
      bool found = false;
      for (const auto& t : quantspec::optimized::compiled_tables()) {
        known += (known.empty() ? "" : ", ") + t.target;
        if (t.target == name) {
          selected_table() = t.table;
          selected_target() = t.target;
          found = true;
          target_named = true;
        }
      }
      if (!found) {
        std::fprintf(stderr, "quantspec_bench: --target=%s: not a compiled target this CPU runs (%s)\n",
                     name.c_str(), known.c_str());
        return 2;
      }
    } else if (arg.rfind("--peak=", 0) == 0) {
      const std::string name = arg.substr(7);
      if (!quantspec::bench::PeakRunsHere(name)) {
        std::fprintf(stderr,
                     "quantspec_bench: --peak=%s: not a peak loop this CPU runs (known: "
                     "tdpbusd_amx, vpdpbusd_zmm, vpdpbusd_ymm, vpmaddwd_zmm, vpmaddwd_ymm)\n",
                     name.c_str());
        return 2;
      }
      gemm_peak() = quantspec::bench::PeakByName(name);
      peak_named = true;
    } else {
      args.push_back(argv[i]);
    }
  }
  // --target without --peak: the loop that fits that target, not the CPU's best (an AVX2
  // kernel on an AVX-512 VNNI CPU is held to the AVX2 exact peak).
  if (target_named && !peak_named) {
    gemm_peak() = quantspec::bench::PeakForTarget(selected_target());
  }
  int args_count = static_cast<int>(args.size());
  bool has_min_time = false;
  for (char* a : args) has_min_time = has_min_time || std::string(a).rfind("--benchmark_min_time", 0) == 0;
  static char default_min_time[] = "--benchmark_min_time=0.15";
  if (!has_min_time) {
    args.insert(args.begin() + 1, default_min_time);
    ++args_count;
  }
  benchmark::Initialize(&args_count, args.data());
  if (benchmark::ReportUnrecognizedArguments(args_count, args.data())) return 1;

  // The elementwise arrays (8 x the LLC of traffic: about 13 GiB on a 300 MiB LLC) are
  // allocated by the first elementwise benchmark that runs, so that a run filtered to the GEMMs
  // does not hold them (two such runs side by side had the OOM killer end both).
  RegisterElementwise();
  RegisterGemm();
  RegisterLinearPacked();
  RegisterDynamicQuantize();
  RegisterDynamicLinear();
  RegisterDynamicLinearPacked();
  RegisterLinearInt8Panels();
  CollectingReporter reporter(json);
  benchmark::RunSpecifiedBenchmarks(&reporter);

  // Ratios from paired timings, one per repetition: elementwise = faster copy's time / kernel
  // time (equal traffic); GEMM = peak-loop time / GEMM time for the same number of MACs.
  // Reported: the median over repetitions ("ratios", "raw") and the minimum ("ratios_min").
  std::map<std::string, std::vector<double>> ratio_samples;
  std::map<std::string, std::vector<double>> raw_samples;
  for (const auto& [name, medians] : median_results()) {
    if (results().count(name) == 0) results()[name] = medians;
  }
  for (const auto& [name, reps] : results()) {
    for (const Measured& m : reps) {
      if (m.kernel_seconds <= 0) continue;
      if (name.rfind("linear_packed", 0) == 0) {
        // baseline = our unpacked linear, baseline2 = the peak loop (for equal MACs).
        raw_samples[name + " GMAC/s"].push_back(m.work / m.kernel_seconds / 1e9);
        ratio_samples[name + "_vs_unpacked"].push_back(m.copy_seconds / m.kernel_seconds);
        if (gemm_peak().run != nullptr && m.stream_copy_seconds > 0) {
          ratio_samples[name + "_vs_peak"].push_back(m.stream_copy_seconds / m.kernel_seconds);
        }
        continue;
      }
      if (name.rfind("linear_int8_panels", 0) == 0) {
        // baseline = a read of W's bytes, baseline2 = the int16 panels on the same object.
        const double w_bytes = m.work / static_cast<double>(std::stoul(name.substr(name.find('/') + 1)));
        raw_samples[name + " GMAC/s"].push_back(m.work / m.kernel_seconds / 1e9);
        raw_samples[name + " int16_panels GMAC/s"].push_back(m.work / m.stream_copy_seconds / 1e9);
        raw_samples[name + " W_read GB/s"].push_back(w_bytes / m.copy_seconds / 1e9);
        ratio_samples[name + "_vs_W_read"].push_back(m.copy_seconds / m.kernel_seconds);
        ratio_samples[name + "_vs_int16_panels"].push_back(m.stream_copy_seconds / m.kernel_seconds);
        continue;
      }
      if (name.rfind("dynamic_linear_packed", 0) == 0) {
        // baseline = our unpacked dynamic_linear, baseline2 = the peak loop (for equal MACs).
        raw_samples[name + " GMAC/s"].push_back(m.work / m.kernel_seconds / 1e9);
        raw_samples[name + " unpacked GMAC/s"].push_back(m.work / m.copy_seconds / 1e9);
        ratio_samples[name + "_vs_unpacked"].push_back(m.copy_seconds / m.kernel_seconds);
        if (gemm_peak().run != nullptr && m.stream_copy_seconds > 0) {
          ratio_samples[name + "_vs_peak"].push_back(m.stream_copy_seconds / m.kernel_seconds);
          raw_samples[name + " " + gemm_peak().name + "_peak GMAC/s"].push_back(
              m.work / m.stream_copy_seconds / 1e9);
        }
        continue;
      }
      if (name.rfind("dynamic_linear", 0) == 0) {
        // baseline = the peak loop (equal MACs), baseline2 = our gemm on the same shape.
        raw_samples[name + " GMAC/s"].push_back(m.work / m.kernel_seconds / 1e9);
        ratio_samples[name + "_vs_gemm"].push_back(m.stream_copy_seconds / m.kernel_seconds);
        if (gemm_peak().run != nullptr && m.copy_seconds > 0) {
          ratio_samples[name + "_vs_peak"].push_back(m.copy_seconds / m.kernel_seconds);
          raw_samples[name + " " + gemm_peak().name + "_peak GMAC/s"].push_back(
              m.work / m.copy_seconds / 1e9);
        }
        continue;
      }
      const bool gemm = name.rfind("gemm", 0) == 0;
      if (gemm) {
        raw_samples[name + " GMAC/s"].push_back(m.work / m.kernel_seconds / 1e9);
        if (gemm_peak().run != nullptr && m.copy_seconds > 0) {
          ratio_samples[name].push_back(m.copy_seconds / m.kernel_seconds);
          raw_samples[name + " " + gemm_peak().name + "_peak GMAC/s"].push_back(
              m.work / m.copy_seconds / 1e9);
        }
        continue;
      }
      raw_samples[name + " GB/s"].push_back(m.work / m.kernel_seconds / 1e9);
      raw_samples[name + " memcpy GB/s"].push_back(m.work / m.copy_seconds / 1e9);
      raw_samples[name + " stream_copy GB/s"].push_back(m.work / m.stream_copy_seconds / 1e9);
      ratio_samples[name].push_back(std::min(m.copy_seconds, m.stream_copy_seconds) /
                                    m.kernel_seconds);
      ratio_samples[name + "_vs_memcpy"].push_back(m.copy_seconds / m.kernel_seconds);
      ratio_samples[name + "_vs_stream_copy"].push_back(m.stream_copy_seconds / m.kernel_seconds);
    }
  }
  auto median = [](std::vector<double> v) {
    std::sort(v.begin(), v.end());
    const size_t h = v.size() / 2;
    return v.size() % 2 ? v[h] : 0.5 * (v[h - 1] + v[h]);
  };
  std::map<std::string, double> ratios, ratios_min, raw;
  size_t repetitions = 0;
  for (const auto& [k, v] : ratio_samples) {
    if (v.empty()) continue;
    ratios[k] = median(v);
    ratios_min[k] = *std::min_element(v.begin(), v.end());
    repetitions = std::max(repetitions, v.size());
  }
  repetitions = std::max(repetitions, aggregated_repetitions());
  for (const auto& [k, v] : raw_samples) {
    if (!v.empty()) raw[k] = median(v);
  }

  const std::string target = selected_target();
  const std::string cpu = CpuModel();
  const char* peak_name = gemm_peak().name;
  const SizeClass& dram = Sizes()[0];
  const SizeClass& l2 = Sizes()[1];
  char sizes[1024];
  std::snprintf(
      sizes, sizeof(sizes),
      "\"l2_cache_bytes\": %zu, \"llc_bytes\": %zu, \"DRAM_elements\": %zu, "
      "\"DRAM_traffic_bytes\": %zu, \"DRAM_lut_bytes\": %zu, \"L2_elements\": %zu, "
      "\"L2_traffic_bytes\": %zu, \"L2_lut_bytes\": %zu, \"L2_calls_per_sample\": %d",
      L2Bytes(), LlcBytes(), dram.elements, dram.elements * 5, dram.lut_bytes, l2.elements,
      l2.elements * 5, l2.lut_bytes, l2.calls);
  const char* method =
      "elementwise ratio = min(memcpy, stream copy) time / kernel time for equal bytes moved "
      "(copy of (in+out)/2 bytes); DRAM class touches >= 8x the LLC per pass; L2 class warm "
      "(untimed warm-up call before each sample), own output buffer per function; GEMM ratio = "
      "register-only exact int8 MAC loop (gemm_peak) time / GEMM time for equal MACs, no GEMM "
      "ratio when the CPU has no such loop; linear_packed (packing untimed) _vs_unpacked = our "
      "unpacked linear time / packed time, _vs_peak = peak-loop time / packed time for equal MACs; "
      "dynamic_linear_packed (packing untimed) likewise against the unpacked dynamic_linear, "
      "_W_DRAM: W cycled through copies spanning >= 8x the LLC; "
      "linear_int8_panels (int8 panels forced) _vs_W_read = time to read W's N*K bytes / "
      "kernel time, _vs_int16_panels = int16 panels forced on the same object / kernel time; "
      "fastest iteration per "
      "repetition, median (ratios) and minimum (ratios_min) over repetitions (with "
      "--benchmark_report_aggregates_only: ratios of the median times, ratios_min = ratios); "
      "quantize scale "
      "0.05 (division: one Newton-Markstein step), _scale_0.003 (two steps)";
  auto object = [](const std::map<std::string, double>& m) {
    std::string out = "{";
    bool first = true;
    for (const auto& [k, v] : m) {
      out += (first ? "" : ", ") + std::string("\"") + k + "\": " + Json(v);
      first = false;
    }
    return out + "}";
  };
  // Whether the GEMM rows of this run took AMX tiles (AVX3_DL, from 16 rows, gemm_amx-inl.h).
  const bool amx_gemm = target == "AVX3_DL" && quantspec::optimized::detail::AmxEnabledForCall();
  if (json) {
    std::printf(
        "{\"cpu\": \"%s\", \"target\": \"%s\", \"gemm_peak\": \"%s\", \"amx_gemm\": %s, "
        "\"repetitions\": %zu, "
        "\"method\": \"%s\", \"sizes\": {%s}, \"ratios\": %s, \"ratios_min\": %s, \"raw\": %s}\n",
        cpu.c_str(), target.c_str(), peak_name, amx_gemm ? "true" : "false", repetitions, method,
        sizes, object(ratios).c_str(), object(ratios_min).c_str(), object(raw).c_str());
  } else {
    std::printf(
        "\nCPU: %s\nDispatch target: %s; GEMM peak loop: %s; AMX GEMM (from 16 rows): %s; "
        "%zu repetition(s)\nMethod: %s\nSizes: %s\n",
        cpu.c_str(), target.c_str(), peak_name, amx_gemm ? "yes" : "no", repetitions, method,
        sizes);
    std::printf("%-52s %8s %8s\n", "kernel / size", "median", "min");
    for (const auto& [k, v] : ratios) {
      std::printf("%-52s %8.3f %8.3f\n", k.c_str(), v, ratios_min[k]);
    }
    std::printf("\n%-52s %10s\n", "raw (median)", "value");
    for (const auto& [k, v] : raw) std::printf("%-52s %10.2f\n", k.c_str(), v);
  }
  benchmark::Shutdown();
  return 0;
}
