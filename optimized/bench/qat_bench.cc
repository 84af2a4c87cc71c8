// quantspec_qat_bench: throughput of fake_quantize, fake_quantize_per_channel and
// dynamic_quantize (through the dispatching C ABI table, or --target=NAME) as ratios to glibc's
// memcpy of the same traffic, measured in the same run (Google Benchmark, custom main).
// Traffic per element: fake quantization reads 4 bytes and writes 4 (+ 1 mask byte); dynamic
// quantization reads 4 and writes 1, in two passes over the input (the range reduction, then
// the quantize) that a memory copy of (4 + 1) / 2 bytes per element does not need: its ratio
// shows what the second pass costs. Each iteration times the copy and then the kernel (each with
// its own output buffer, page aligned, touched before timing; an untimed warm-up call before each
// timed one in the L2 class); the fastest iteration of each gives the ratio copy time / kernel
// time (the machine may be shared: contention only slows a run down). Two sizes: "L2" (64 Ki
// elements) and "DRAM" (16 Mi elements, 64 MiB per float array).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "benchmark/benchmark.h"
#include "quantspec/kernel_abi.h"
#include "quantspec/optimized.h"

namespace {

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

constexpr size_t kDramElements = size_t{16} << 20;
constexpr size_t kL2Elements = size_t{64} << 10;

struct Arrays {
  Buffer<float> in{kDramElements};
  Buffer<float> out{kDramElements};
  Buffer<uint8_t> mask{kDramElements};
  Buffer<uint8_t> bytes_out{kDramElements};
  Buffer<uint8_t> copy_src{kDramElements * 9 / 2 + 64};
  Buffer<uint8_t> copy_dst{kDramElements * 9 / 2 + 64};
  Arrays() {
    uint64_t state = 42;
    for (size_t i = 0; i < in.size; ++i) {
      uint64_t z = (state += 0x9E3779B97F4A7C15ull);
      z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
      z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
      z ^= z >> 31;
      // uniform in [-8, 8): x / 0.05 covers the int8 grid and beyond (the clamp)
      in.data[i] = static_cast<float>(static_cast<int32_t>(z >> 40) - (1 << 23)) * (8.0f / (1 << 23));
    }
    std::memset(copy_src.data, 1, copy_src.size);
  }
};
Arrays& arrays() {
  static Arrays a;
  return a;
}

const qs_kernel_table*& table() {
  static const qs_kernel_table* t = qs_kernel_table_get(QS_KERNEL_ABI_VERSION);
  return t;
}
std::string& target_name() {
  static std::string name = quantspec::optimized::dispatch_target();
  return name;
}

struct Best {
  double kernel = 1e30, copy = 1e30;
};
std::map<std::string, Best>& results() {
  static std::map<std::string, Best> r;
  return r;
}

template <class F>
double TimeCall(const F& f, bool warm) {
  if (warm) f();
  benchmark::ClobberMemory();
  const auto t0 = std::chrono::steady_clock::now();
  f();
  benchmark::ClobberMemory();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// `kernel` moves `traffic` bytes; the baseline copies traffic / 2 bytes (equal read + write).
template <class Kernel>
void Register(const std::string& name, size_t n, double bytes_per_element, Kernel kernel) {
  const size_t copy_bytes = static_cast<size_t>(bytes_per_element * static_cast<double>(n) / 2);
  const bool warm = n <= kL2Elements;
  benchmark::RegisterBenchmark(name.c_str(), [=](benchmark::State& state) {
    Best best;
    for (auto _ : state) {
      best.copy = std::min(best.copy, TimeCall([&] {
        std::memcpy(arrays().copy_dst.data, arrays().copy_src.data, copy_bytes);
      }, warm));
      const double k = TimeCall(kernel, warm);
      best.kernel = std::min(best.kernel, k);
      state.SetIterationTime(k);
    }
    Best& kept = results()[name];
    kept.kernel = std::min(kept.kernel, best.kernel);
    kept.copy = std::min(kept.copy, best.copy);
    state.counters["copy_s"] = benchmark::Counter(best.copy);
    state.counters["kernel_s"] = benchmark::Counter(best.kernel);
    state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * bytes_per_element * n));
  })->UseManualTime()->Unit(benchmark::kMicrosecond);
}

void RegisterAll() {
  static float scales[64];
  static int32_t zero_points[64];
  for (int c = 0; c < 64; ++c) {
    scales[c] = 0.03f + 0.001f * static_cast<float>(c);
    zero_points[c] = c - 32;
  }
  for (size_t n : {kL2Elements, kDramElements}) {
    const std::string size = n == kL2Elements ? "/L2" : "/DRAM";
    struct Variant {
      const char* name;
      uint32_t variant;
    };
    for (const Variant v : {Variant{"exact", QS_FQ_EXACT}, Variant{"pytorch", QS_FQ_PYTORCH},
                            Variant{"tensorflow", QS_FQ_TENSORFLOW}}) {
      qs_fake_quant_params p{};
      p.variant = v.variant;
      p.rounding = QS_ROUND_HALF_EVEN;
      p.qmin = v.variant == QS_FQ_TENSORFLOW ? 0 : -128;
      p.qmax = v.variant == QS_FQ_TENSORFLOW ? 255 : 127;
      p.scale = 0.05f;
      p.zero_point = 3;
      p.min = -6.4f;
      p.max = 6.35f;
      Register(std::string("fake_quantize_") + v.name + "_mask" + size, n, 9.0, [p, n] {
        table()->fake_quantize(&p, arrays().in.data, arrays().out.data, arrays().mask.data, n);
      });
      Register(std::string("fake_quantize_") + v.name + size, n, 8.0, [p, n] {
        table()->fake_quantize(&p, arrays().in.data, arrays().out.data, nullptr, n);
      });
    }
    {
      qs_fake_quant_params p{};
      p.variant = QS_FQ_PYTORCH;
      p.qmin = -128;
      p.qmax = 127;
      p.scales = scales;
      p.zero_points = zero_points;
      p.channels = 64;
      Register(std::string("fake_quantize_per_channel_pytorch_64_mask") + size, n, 9.0, [p, n] {
        table()->fake_quantize_per_channel(&p, arrays().in.data, arrays().out.data, arrays().mask.data, n);
      });
    }
    {
      qs_dynamic_quantize_params p{};
      p.variant = QS_DYN_ONNX_U8;
      p.output_type = QS_U8;
      Register(std::string("dynamic_quantize_onnx_u8") + size, n, 5.0, [p, n] {
        float s;
        int32_t z;
        table()->dynamic_quantize(&p, arrays().in.data, arrays().bytes_out.data, 1, n, &s, &z);
      });
      p.variant = QS_DYN_SYMMETRIC_S8;
      p.output_type = QS_S8;
      p.per_row = 1;
      p.scale_floor = 0x1p-20f;
      Register(std::string("dynamic_quantize_symmetric_s8_rows_of_4096") + size, n, 5.0, [p, n] {
        static std::vector<float> s(kDramElements / 4096);
        static std::vector<int32_t> z(kDramElements / 4096);
        table()->dynamic_quantize(&p, arrays().in.data, arrays().bytes_out.data, n / 4096, 4096, s.data(),
                                  z.data());
      });
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<char*> args;
  for (int i = 0; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg.rfind("--target=", 0) == 0) {
      bool found = false;
      for (const auto& t : quantspec::optimized::compiled_tables()) {
        if (t.target == arg.substr(9)) {
          table() = t.table;
          target_name() = t.target;
          found = true;
        }
      }
      if (!found) {
        std::fprintf(stderr, "quantspec_qat_bench: %s: not a compiled target this CPU runs\n", arg.c_str());
        return 2;
      }
    } else {
      args.push_back(argv[i]);
    }
  }
  int count = static_cast<int>(args.size());
  benchmark::Initialize(&count, args.data());
  if (benchmark::ReportUnrecognizedArguments(count, args.data())) return 1;
  arrays();
  RegisterAll();
  benchmark::RunSpecifiedBenchmarks();
  std::printf("\nTarget: %s. Ratio = memcpy time of equal traffic / kernel time (fastest iterations).\n",
              target_name().c_str());
  std::printf("%-56s %8s %10s\n", "kernel / size", "ratio", "GB/s");
  for (const auto& [name, best] : results()) {
    const bool dynamic = name.rfind("dynamic", 0) == 0;
    const bool with_mask = name.find("_mask") != std::string::npos;
    const double per_element = dynamic ? 5.0 : (with_mask ? 9.0 : 8.0);
    const double n = static_cast<double>(name.find("/L2") != std::string::npos ? kL2Elements : kDramElements);
    std::printf("%-56s %8.3f %10.2f\n", name.c_str(), best.copy / best.kernel, per_element * n / best.kernel / 1e9);
  }
  return 0;
}
