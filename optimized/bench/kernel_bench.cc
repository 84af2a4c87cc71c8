// quantspec_bench: throughput of the optimized kernels (through the dispatching C ABI table),
// reported as ratios to baselines measured in the same run:
//  - elementwise kernels (quantize, dequantize, requantize per variant, LUT) against a plain
//    memcpy and a streaming (non-temporal store) copy that move the same number of bytes: a
//    kernel reading B_in and writing B_out bytes is compared with a copy of (B_in + B_out) / 2
//    bytes (equal read + write traffic); ratio = copy time / kernel time. Two size classes:
//    "64MiB" (the largest array is 64 MiB: DRAM-bound) and "L2" (about 480 KiB of traffic);
//  - int8 GEMM (M = N = K = 512 and 1024, one thread) against a register-only vpdpbusd loop
//    with 24 independent accumulators (the machine's int8 MAC peak); ratio = GEMM MAC/s / peak.
// The machine may be shared (other processes take CPU time unpredictably), so each kernel
// benchmark times its baselines in the same iterations, alternating baseline and kernel, and the
// ratio is taken over those paired timings: the fastest iteration of each (contention only
// slows a run down). The manual time reported to Google Benchmark is the kernel's time only.
// `quantspec_bench --json` prints one JSON object {"ratios": {...}, "raw": {...}}; without it a
// table follows Google Benchmark's console output. Google Benchmark flags pass through.
#include <immintrin.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "benchmark/benchmark.h"
#include "quantspec/kernel_abi.h"
#include "quantspec/optimized.h"

namespace {

constexpr size_t kLargeElements = size_t{16} << 20;  // 16 Mi elements: 64 MiB of f32 / int32
constexpr size_t kLargeBytes = size_t{64} << 20;     // LUT: 64 MiB in, 64 MiB out
constexpr size_t kL2Elements = 96 * 1024;            // 5 bytes each: 480 KiB of traffic
constexpr size_t kL2Bytes = 240 * 1024;              // LUT: 240 KiB in + 240 KiB out

// Heap arrays, 64-byte aligned, touched once so page faults stay out of the timings.
template <typename T>
struct Buffer {
  explicit Buffer(size_t n) : size(n) {
    data = static_cast<T*>(std::aligned_alloc(64, ((n * sizeof(T) + 63) / 64) * 64));
    std::memset(static_cast<void*>(data), 0, n * sizeof(T));
  }
  ~Buffer() { std::free(data); }
  Buffer(const Buffer&) = delete;
  Buffer& operator=(const Buffer&) = delete;
  T* data;
  size_t size;
};

struct Arrays {
  Buffer<float> f32_in{kLargeElements};
  Buffer<int32_t> i32_in{kLargeElements};
  Buffer<uint8_t> u8_in{kLargeBytes};
  Buffer<float> f32_out{kLargeElements};
  Buffer<uint8_t> u8_out{kLargeBytes};
  Buffer<uint8_t> copy_src{kLargeBytes};
  Buffer<uint8_t> copy_dst{kLargeBytes};
  Arrays() {
    std::mt19937 rng(42);
    std::uniform_real_distribution<float> real(-300.0f, 300.0f);
    for (size_t i = 0; i < kLargeElements; ++i) {
      f32_in.data[i] = real(rng) * 0.05f;
      i32_in.data[i] = static_cast<int32_t>(rng()) >> (rng() % 20);
    }
    for (size_t i = 0; i < kLargeBytes; ++i) u8_in.data[i] = static_cast<uint8_t>(rng());
    std::memset(copy_src.data, 1, kLargeBytes);
  }
};

Arrays& arrays() {
  static Arrays a;
  return a;
}

const qs_kernel_table* table() { return qs_kernel_table_get(QS_KERNEL_ABI_VERSION); }

bool HasAvx512() { return __builtin_cpu_supports("avx512f"); }
bool HasVnni() { return __builtin_cpu_supports("avx512vnni"); }

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

void StreamCopy(uint8_t* dst, const uint8_t* src, size_t bytes) {
  if (HasAvx512()) return StreamCopy512(dst, src, bytes);
  size_t i = 0;
  for (; i + 16 <= bytes; i += 16) {
    _mm_stream_si128(reinterpret_cast<__m128i*>(dst + i),
                     _mm_load_si128(reinterpret_cast<const __m128i*>(src + i)));
  }
  std::memcpy(dst + i, src + i, bytes - i);
  _mm_sfence();
}

// Register-only vpdpbusd loop: 24 independent accumulator chains (zmm0..zmm23) keep every
// VNNI port busy whatever its latency; 64 MACs per instruction. Written in assembly so that the
// compiler can neither spill the accumulators nor shorten the loop.
__attribute__((target("avx512f,avx512bw,avx512vnni"), noinline)) int64_t VnniPeak(
    size_t iterations) {
  if (iterations == 0) return 0;
  asm volatile(
      "vpternlogd $0xff, %%zmm30, %%zmm30, %%zmm30\n\t"
      "vpternlogd $0xff, %%zmm31, %%zmm31, %%zmm31\n\t"
      "1:\n\t"
      "vpdpbusd %%zmm30, %%zmm31, %%zmm0\n\t"
      "vpdpbusd %%zmm30, %%zmm31, %%zmm1\n\t"
      "vpdpbusd %%zmm30, %%zmm31, %%zmm2\n\t"
      "vpdpbusd %%zmm30, %%zmm31, %%zmm3\n\t"
      "vpdpbusd %%zmm30, %%zmm31, %%zmm4\n\t"
      "vpdpbusd %%zmm30, %%zmm31, %%zmm5\n\t"
      "vpdpbusd %%zmm30, %%zmm31, %%zmm6\n\t"
      "vpdpbusd %%zmm30, %%zmm31, %%zmm7\n\t"
      "vpdpbusd %%zmm30, %%zmm31, %%zmm8\n\t"
      "vpdpbusd %%zmm30, %%zmm31, %%zmm9\n\t"
      "vpdpbusd %%zmm30, %%zmm31, %%zmm10\n\t"
      "vpdpbusd %%zmm30, %%zmm31, %%zmm11\n\t"
      "vpdpbusd %%zmm30, %%zmm31, %%zmm12\n\t"
      "vpdpbusd %%zmm30, %%zmm31, %%zmm13\n\t"
      "vpdpbusd %%zmm30, %%zmm31, %%zmm14\n\t"
      "vpdpbusd %%zmm30, %%zmm31, %%zmm15\n\t"
      "vpdpbusd %%zmm30, %%zmm31, %%zmm16\n\t"
      "vpdpbusd %%zmm30, %%zmm31, %%zmm17\n\t"
      "vpdpbusd %%zmm30, %%zmm31, %%zmm18\n\t"
      "vpdpbusd %%zmm30, %%zmm31, %%zmm19\n\t"
      "vpdpbusd %%zmm30, %%zmm31, %%zmm20\n\t"
      "vpdpbusd %%zmm30, %%zmm31, %%zmm21\n\t"
      "vpdpbusd %%zmm30, %%zmm31, %%zmm22\n\t"
      "vpdpbusd %%zmm30, %%zmm31, %%zmm23\n\t"
      "dec %0\n\t"
      "jnz 1b\n\t"
      : "+r"(iterations)
      :
      : "zmm0", "zmm1", "zmm2", "zmm3", "zmm4", "zmm5", "zmm6", "zmm7", "zmm8", "zmm9", "zmm10", "zmm11", "zmm12", "zmm13", "zmm14", "zmm15", "zmm16", "zmm17", "zmm18", "zmm19", "zmm20", "zmm21", "zmm22", "zmm23", "zmm30", "zmm31", "cc");
  return static_cast<int64_t>(iterations);
}
constexpr double kPeakMacsPerIteration = 24.0 * 64.0;

// ---- registrations ----

struct Measured {
  double kernel_seconds = 0;       // per iteration
  double copy_seconds = 0;         // memcpy of equal traffic, same iterations (or peak loop)
  double stream_copy_seconds = 0;  // streaming copy of equal traffic, same iterations
  double work = 0;                 // traffic bytes (elementwise) or MACs (GEMM) per call
};
std::map<std::string, Measured>& results() {
  static std::map<std::string, Measured> r;
  return r;
}
std::map<std::string, double>& work() {
  static std::map<std::string, double> w;
  return w;
}

double Seconds(std::chrono::steady_clock::time_point a, std::chrono::steady_clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

// Registers `name`: each iteration runs baseline(s) then the kernel; reports the kernel's time
// (manual time) and the baselines' mean times as counters.
template <class Kernel, class Baseline, class Baseline2>
void RegisterPaired(const std::string& name, double work_per_call, Kernel kernel,
                    Baseline baseline, Baseline2 baseline2) {
  work()[name] = work_per_call;
  benchmark::RegisterBenchmark(name.c_str(), [=](benchmark::State& state) {
    // Minimum per-iteration times: other processes only ever slow a run down, so the minimum
    // is the best estimate of each one's own speed; ratios use these minima.
    double base = 1e30, base2 = 1e30, kernel_min = 1e30;
    for (auto _ : state) {
      const auto t0 = std::chrono::steady_clock::now();
      baseline();
      const auto t1 = std::chrono::steady_clock::now();
      baseline2();
      const auto t2 = std::chrono::steady_clock::now();
      kernel();
      benchmark::ClobberMemory();
      const auto t3 = std::chrono::steady_clock::now();
      base = std::min(base, Seconds(t0, t1));
      base2 = std::min(base2, Seconds(t1, t2));
      kernel_min = std::min(kernel_min, Seconds(t2, t3));
      state.SetIterationTime(Seconds(t2, t3));
    }
    state.counters["baseline_s"] = benchmark::Counter(base);
    state.counters["baseline2_s"] = benchmark::Counter(base2);
    state.counters["kernel_s"] = benchmark::Counter(kernel_min);
    state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * work_per_call));
  })->UseManualTime()->Unit(benchmark::kMicrosecond);
}

// Elementwise kernel moving `traffic` bytes: baselines are memcpy and streaming copy of
// traffic / 2 bytes (equal read + write traffic).
template <class Kernel>
void Register(const std::string& name, double traffic, Kernel kernel) {
  const size_t copy_bytes = static_cast<size_t>(traffic / 2);
  RegisterPaired(
      name, traffic, kernel,
      [copy_bytes] { std::memcpy(arrays().copy_dst.data, arrays().copy_src.data, copy_bytes); },
      [copy_bytes] { StreamCopy(arrays().copy_dst.data, arrays().copy_src.data, copy_bytes); });
}

struct SizeClass {
  const char* label;
  size_t elements;  // 5-byte-per-element kernels (4 in + 1 out or 1 in + 4 out)
  size_t lut_bytes;
};
const SizeClass kSizes[] = {{"64MiB", kLargeElements, kLargeBytes}, {"L2", kL2Elements, kL2Bytes}};

const char* RoundingName(uint32_t r) { return r == QS_ROUND_HALF_EVEN ? "half_even" : "half_away"; }
const char* DivisionName(uint32_t d) {
  return d == QS_DIV_EXACT ? "exact" : (d == QS_DIV_F32_DIVIDE ? "f32_divide" : "f32_reciprocal");
}

void RegisterElementwise() {
  for (const auto& s : kSizes) {
    const size_t n = s.elements;
    for (uint32_t division : {QS_DIV_F32_DIVIDE, QS_DIV_F32_RECIPROCAL, QS_DIV_EXACT}) {
      for (uint32_t rounding : {QS_ROUND_HALF_EVEN, QS_ROUND_HALF_AWAY}) {
        qs_quantize_params p{};
        p.output_type = QS_S8;
        p.rounding = rounding;
        p.division = division;
        p.qmin = -128;
        p.qmax = 127;
        p.scale = 0.05f;
        p.zero_point = 3;
        Register(std::string("quantize_") + DivisionName(division) + "_" + RoundingName(rounding) +
                     "/" + s.label,
                 5.0 * n, [p, n] {
                   table()->quantize(&p, arrays().f32_in.data, arrays().u8_out.data, n);
                 });
      }
    }
    {
      qs_dequantize_params p{};
      p.input_type = QS_S8;
      p.scale = 0.05f;
      p.zero_point = 3;
      Register(std::string("dequantize/") + s.label, 5.0 * n, [p, n] {
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
      Register(std::string("requantize_") + v.name + "/" + s.label, 5.0 * n, [p, n] {
        table()->requantize(&p, arrays().i32_in.data, arrays().u8_out.data, n);
      });
    }
    {
      static uint8_t lut[256];
      for (int i = 0; i < 256; ++i) lut[i] = static_cast<uint8_t>(255 - i);
      const size_t bytes = s.lut_bytes;
      qs_lut_params p{QS_U8, lut};
      Register(std::string("lut_u8/") + s.label, 2.0 * bytes, [p, bytes] {
        table()->lut(&p, arrays().u8_in.data, arrays().u8_out.data, bytes);
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
    const size_t peak_iterations = static_cast<size_t>(macs / kPeakMacsPerIteration);
    const bool vnni = HasVnni();
    RegisterPaired(
        "gemm_s8/" + std::to_string(n), macs,
        [p, n, data] {
          table()->gemm(&p, data->a.data(), n, data->w.data(), n, data->out.data(), n, n, n, n);
        },
        [peak_iterations, vnni] {
          if (vnni) benchmark::DoNotOptimize(VnniPeak(peak_iterations));
        },
        [] {});
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
      if (run.run_type != Run::RT_Iteration) continue;
      Measured& m = results()[run.run_name.function_name];
      m.kernel_seconds = run.real_accumulated_time / static_cast<double>(run.iterations);
      auto counter = [&](const char* key) {
        const auto it = run.counters.find(key);
        return it == run.counters.end() ? 0.0 : it->second.value;
      };
      m.kernel_seconds = counter("kernel_s");
      m.copy_seconds = counter("baseline_s");
      m.stream_copy_seconds = counter("baseline2_s");
      m.work = work()[run.run_name.function_name];
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

int main(int argc, char** argv) {
  bool json = false;
  std::vector<char*> args;
  for (int i = 0; i < argc; ++i) {
    if (std::string(argv[i]) == "--json") {
      json = true;
    } else {
      args.push_back(argv[i]);
    }
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

  arrays();  // allocate and touch every array before timing anything
  RegisterElementwise();
  RegisterGemm();
  CollectingReporter reporter(json);
  benchmark::RunSpecifiedBenchmarks(&reporter);

  // Ratios from paired timings: elementwise = copy time / kernel time (equal traffic);
  // GEMM = peak-loop time / GEMM time for the same number of MACs.
  std::map<std::string, double> ratios;
  std::map<std::string, double> raw;
  for (const auto& [name, m] : results()) {
    if (m.kernel_seconds <= 0) continue;
    const bool gemm = name.rfind("gemm", 0) == 0;
    if (gemm) {
      raw[name + " GMAC/s"] = m.work / m.kernel_seconds / 1e9;
      if (m.copy_seconds > 0) {
        ratios[name] = m.copy_seconds / m.kernel_seconds;
        raw[name + " vpdpbusd_peak GMAC/s"] = m.work / m.copy_seconds / 1e9;
      }
      continue;
    }
    raw[name + " GB/s"] = m.work / m.kernel_seconds / 1e9;
    raw[name + " memcpy GB/s"] = m.work / m.copy_seconds / 1e9;
    raw[name + " stream_copy GB/s"] = m.work / m.stream_copy_seconds / 1e9;
    ratios[name] = m.copy_seconds / m.kernel_seconds;
    ratios[name + "_vs_stream_copy"] = m.stream_copy_seconds / m.kernel_seconds;
  }

  const std::string target = quantspec::optimized::dispatch_target();
  if (json) {
    std::string out = "{\"target\": \"" + target + "\", \"ratios\": {";
    bool first = true;
    for (const auto& [k, v] : ratios) {
      out += (first ? "" : ", ") + std::string("\"") + k + "\": " + Json(v);
      first = false;
    }
    out += "}, \"raw\": {";
    first = true;
    for (const auto& [k, v] : raw) {
      out += (first ? "" : ", ") + std::string("\"") + k + "\": " + Json(v);
      first = false;
    }
    out += "}}";
    std::printf("%s\n", out.c_str());
  } else {
    std::printf("\nDispatch target: %s\n%-52s %8s\n", target.c_str(), "kernel / size", "ratio");
    for (const auto& [k, v] : ratios) std::printf("%-52s %8.3f\n", k.c_str(), v);
    std::printf("\n%-52s %10s\n", "raw", "value");
    for (const auto& [k, v] : raw) std::printf("%-52s %10.2f\n", k.c_str(), v);
  }
  benchmark::Shutdown();
  return 0;
}
