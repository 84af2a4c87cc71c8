// quantspec_peer_bench: our kernels against the peers a user would pick instead, in the same
// process, on the same data, on --threads N threads (default 1), with weight packing excluded
// for everybody (our pack_weights, XNNPACK's operator creation and oneDNN's weight reorder all
// happen before timing):
//   - linear s8*s8 -> s8 (M = 1, 16, 128, 512; K = N = 512, 1024, 4096): our linear_packed
//     (fp32 requantization) vs XNNPACK fully connected qs8;
//   - linear u8*s8 -> s8, same shapes: ours vs oneDNN int8 matmul (output scale, zero points);
//   - quantize f32 -> s8 and dequantize s8 -> f32 (L2-resident and DRAM-sized arrays): ours vs
//     XNNPACK convert f32->qs8 / qs8->f32.
// Every benchmark alternates the implementations in each iteration and keeps each one's fastest
// iteration (other processes only slow a run down); the ratio is peer time / our time (> 1: we
// are faster), per repetition, reported as the median with the range over repetitions. Before timing, every peer's output is compared element by element with ours on
// the same data, and ours with the pipeline the conformance suite holds to the reference (fp32
// requantization with the scale the peer computes, the zero point after rounding for XNNPACK
// and before rounding for oneDNN); the count of differing elements is reported next to the
// ratio, and a peer with any difference is marked "inexact".
// --threads N > 1 (the GEMMs; the elementwise kernels stay on one thread): ours splits each
// linear_packed call over a pthreadpool of N threads (threaded_linear.h: row blocks, or column
// blocks for M < 16 N), XNNPACK runs on the same pool, oneDNN on N OpenMP threads
// (omp_set_num_threads, before its primitives are created). Ours on one thread is timed next to
// them ("ours_single_thread": the ratio is the speedup of N threads in the same run), and our
// N-thread output must equal the one-thread output element for element (exit code 1 if not).
// Every thread is pinned to a core of its own (the calling thread to the first CPU of the
// affinity mask, the pool's and OpenMP's workers to the next ones): unpinned, a sleeping
// worker that is woken can land on the core of the thread that spin-waits for it and then
// waits for a scheduler time slice (calls of microseconds took 5-20 ms in this bench).
// Idle pool workers spin before they sleep (measured here: pthreadpool's ~50 ms, libgomp's
// ~20 ms), and a spinning worker of one library takes its core from the next library's; so
// before an implementation on another pool runtime, the benchmark waits until no other thread
// of the process is runnable, then makes one untimed call that wakes its own pool.
#include <dirent.h>
#include <dlfcn.h>
#include <sched.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <functional>
#include <map>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "benchmark/benchmark.h"
#include "dnnl.hpp"
#include "quantspec/kernel_abi.h"
#include "quantspec/optimized.h"
#include "threaded_linear.h"
#include "../src/amx_support.h"
#include "xnnpack.h"

namespace {

const qs_kernel_table* ours() { return qs_kernel_table_get(QS_KERNEL_ABI_VERSION); }

// --threads: the GEMMs' thread count, and the pool ours and XNNPACK share (NULL for 1).
size_t g_threads = 1;
pthreadpool_t g_pool = nullptr;
bool Threaded() { return g_threads > 1; }

// Where an implementation's work runs; a change between the two pool runtimes is what makes a
// benchmark wait for idle workers (header comment).
enum class Runtime { kCallingThread, kPthreadpool, kOpenMp };

// Sleeps until no thread of this process but the caller is runnable (state R in
// /proc/self/task/*/stat), i.e. every idle pool worker has stopped spinning; gives up after
// 1 s. Returns false on giving up.
bool WaitForIdleWorkers() {
  const std::string self = std::to_string(gettid());
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(1);
  while (std::chrono::steady_clock::now() < deadline) {
    bool runnable = false;
    if (DIR* dir = opendir("/proc/self/task")) {
      while (const dirent* entry = readdir(dir)) {
        if (entry->d_name[0] == '.' || self == entry->d_name) continue;
        char stat[512] = {};
        if (FILE* f = std::fopen(("/proc/self/task/" + std::string(entry->d_name) + "/stat").c_str(), "r")) {
          const size_t got = std::fread(stat, 1, sizeof stat - 1, f);
          std::fclose(f);
          const char* paren = std::strrchr(stat, ')');  // the state follows the name's ')'
          if (got > 0 && paren != nullptr && paren[1] == ' ' && paren[2] == 'R') runnable = true;
        }
      }
      closedir(dir);
    }
    if (!runnable) return true;
    std::this_thread::sleep_for(std::chrono::microseconds(500));
  }
  return false;
}
size_t g_idle_wait_timeouts = 0;

bool PinCallingThread(int cpu) {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  return sched_setaffinity(0, sizeof set, &set) == 0;
}

// Pins the threads of one parallel region, one call per thread: each waits until all
// `threads` have arrived (so that no thread runs two calls), then the region's calling thread
// takes cpus[0] and every worker the next free entry.
struct PinRegion {
  std::vector<int> cpus;
  pid_t caller = 0;
  size_t threads = 0;
  std::atomic<size_t> arrived{0}, next_worker{1};
  std::atomic<bool> ok{true};
  void Run() {
    arrived.fetch_add(1);
    while (arrived.load() < threads) {
    }
    const size_t slot = gettid() == caller ? 0 : next_worker.fetch_add(1);
    if (slot >= cpus.size() || !PinCallingThread(cpus[slot])) ok = false;
  }
};

// Pins this thread, the workers of g_pool and the OpenMP team oneDNN will use (libgomp keeps
// its team's threads for the next region of the same size) to the CPUs of the affinity mask,
// one each. False if the mask has fewer CPUs than threads or a step failed.
bool PinThreads() {
  cpu_set_t mask;
  if (sched_getaffinity(0, sizeof mask, &mask) != 0) return false;
  std::vector<int> cpus;
  for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu) {
    if (CPU_ISSET(cpu, &mask)) cpus.push_back(cpu);
  }
  if (cpus.size() < g_threads) return false;
  auto run = [](void* region, size_t) { static_cast<PinRegion*>(region)->Run(); };
  PinRegion pool_region;
  pool_region.cpus = cpus;
  pool_region.caller = gettid();
  pool_region.threads = g_threads;
  pthreadpool_parallelize_1d(g_pool, run, &pool_region, g_threads, 0);
  // GOMP_parallel is libgomp's entry for `#pragma omp parallel` (the runtime libdnnl loaded).
  using GompParallel = void (*)(void (*)(void*), void*, unsigned, unsigned);
  auto gomp_parallel = reinterpret_cast<GompParallel>(dlsym(RTLD_DEFAULT, "GOMP_parallel"));
  if (gomp_parallel == nullptr) return false;
  PinRegion omp_region;
  omp_region.cpus = cpus;
  omp_region.caller = gettid();
  omp_region.threads = g_threads;
  gomp_parallel([](void* region) { static_cast<PinRegion*>(region)->Run(); }, &omp_region,
                static_cast<unsigned>(g_threads), 0);
  return pool_region.ok && omp_region.ok;
}

// oneDNN's thread count: Debian's oneDNN 2.6 runs on OpenMP (DNNL_CPU_RUNTIME = OMP), so it is
// that runtime's omp_set_num_threads, looked up in the process (the libgomp libdnnl loaded)
// rather than linked, so that no other OpenMP runtime gets in. False if there is none.
bool SetOnednnThreads(size_t threads) {
  if (dnnl_version()->cpu_runtime != DNNL_RUNTIME_OMP) return false;
  using SetNumThreads = void (*)(int);
  auto set = reinterpret_cast<SetNumThreads>(dlsym(RTLD_DEFAULT, "omp_set_num_threads"));
  if (set == nullptr) return false;
  set(static_cast<int>(threads));
  return true;
}

struct Timing {
  // implementation -> fastest iteration of each repetition (--benchmark_repetitions)
  std::map<std::string, std::vector<double>> best_seconds;
  std::map<std::string, size_t> differing;     // peer -> elements differing from ours
  size_t threaded_differing = 0;  // --threads N: our N-thread output vs our one-thread output
  size_t elements = 0;
  double work = 0;  // MACs (linear) or elements (elementwise) per call
};
std::map<std::string, Timing>& timings() {
  static std::map<std::string, Timing> t;
  return t;
}

using Clock = std::chrono::steady_clock;
double TimeOnce(const std::function<void()>& f) {
  benchmark::ClobberMemory();
  const auto t0 = Clock::now();
  f();
  benchmark::ClobberMemory();
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

struct Impl {
  std::string who;
  std::function<void()> run;
  Runtime runtime = Runtime::kCallingThread;
};

// Iterations of a benchmark that waits for idle workers: a fixed count, since Google Benchmark
// would size it by the (manual) time of our calls alone, not counting the waits; and the timed
// calls after each wait (the fastest counts), so that one wait buys more than one sample.
constexpr int kIterationsWithWaits = 10;
constexpr int kTimedCallsAfterWait = 3;

// Registers a benchmark that times every implementation once per iteration (after one untimed
// warm-up call each) and records each one's fastest time under `name`. With --threads N > 1,
// an implementation on a pool runtime other than the previous one's is preceded by a wait for
// idle workers and one untimed call (header comment).
void RegisterAlternating(const std::string& name, std::vector<Impl> impls) {
  bool waits = false;
  for (size_t i = 0; i < impls.size(); ++i) {
    const Runtime a = impls[i].runtime, b = impls[(i + 1) % impls.size()].runtime;
    waits |= Threaded() && a != b && a != Runtime::kCallingThread && b != Runtime::kCallingThread;
  }
  auto* bench = benchmark::RegisterBenchmark(name.c_str(), [name, impls, waits](benchmark::State& state) {
    std::map<std::string, double> best;
    if (Threaded() && !WaitForIdleWorkers()) ++g_idle_wait_timeouts;
    for (const Impl& impl : impls) {
      impl.run();
      best[impl.who] = 1e30;
    }
    Runtime previous = impls.back().runtime;
    for (auto _ : state) {
      double ours_time = 0;
      for (const Impl& impl : impls) {
        int calls = 1;
        if (waits && impl.runtime != previous && impl.runtime != Runtime::kCallingThread) {
          if (previous != Runtime::kCallingThread && !WaitForIdleWorkers()) ++g_idle_wait_timeouts;
          impl.run();
          calls = kTimedCallsAfterWait;
        }
        previous = impl.runtime;
        double t = TimeOnce(impl.run);
        for (int c = 1; c < calls; ++c) t = std::min(t, TimeOnce(impl.run));
        best[impl.who] = std::min(best[impl.who], t);
        if (impl.who == "ours") ours_time = t;
      }
      state.SetIterationTime(ours_time);
    }
    // Reported through counters: Google Benchmark calls this function several times while it
    // sizes the iteration count, and only the final run of each repetition reaches the reporter.
    for (const auto& [who, t] : best) state.counters["best_s:" + who] = benchmark::Counter(t);
  });
  bench->UseManualTime()->Unit(benchmark::kMicrosecond);
  if (waits) bench->Iterations(kIterationsWithWaits);
}

// ---- linear ----

struct LinearShape {
  size_t m, n, k;
};

struct LinearData {
  LinearShape s;
  std::vector<uint8_t> a;  // s8 or u8 bytes
  std::vector<int8_t> w;
  std::vector<int32_t> bias;
  std::vector<int8_t> out_ours, out_peer, out_single_thread;
  float sx = 0.02f, sw = 0.005f, sy = 0.4f;
  int32_t za = 0, zy = -3;
  qs_linear_params params{};
  qs_packed_weights* packed = nullptr;  // one thread
  // --threads N > 1, instead of `packed`: the calls on one thread use its objects too, so that
  // no run holds more copies of W than the other (W of 16 MiB is L3-sized).
  std::unique_ptr<quantspec::bench::ThreadedLinear> threaded;
  LinearData(LinearShape shape, uint32_t a_type) : s(shape) {
    std::mt19937 rng(5);
    a.resize(s.m * s.k);
    w.resize(s.n * s.k);
    bias.resize(s.n);
    for (auto& v : a) v = static_cast<uint8_t>(rng());
    for (auto& v : w) v = static_cast<int8_t>(rng());
    for (auto& v : bias) v = static_cast<int32_t>(rng() % 20001) - 10000;
    za = a_type == QS_U8 ? 128 : 1;
    out_ours.assign(s.m * s.n, 0);
    out_peer.assign(s.m * s.n, 0);
    out_single_thread.assign(s.m * s.n, 0);
    params.gemm.a_type = a_type;
    params.gemm.a_zero_point = za;
    params.gemm.bias = bias.data();
    params.requant.variant = QS_REQUANT_FP32;
    params.requant.output_zero_point = zy;
    params.output_type = QS_S8;
    params.act_min = -128;
    params.act_max = 127;
  }
  ~LinearData() {
    if (packed != nullptr) ours()->release_packed(packed);
  }
  bool Pack(float requant_scale, uint32_t zero_point_entry) {
    params.requant.scale = requant_scale;
    params.requant.zero_point_entry = zero_point_entry;
    if (Threaded()) {
      threaded = std::make_unique<quantspec::bench::ThreadedLinear>(
          ours(), params.gemm, w.data(), s.k, s.n, s.k, g_threads);
      return threaded->ok();
    }
    return ours()->pack_weights(&params.gemm, w.data(), s.k, s.n, s.k, &packed) == QS_OK;
  }
  void RunOurs() {
    if (threaded) {
      threaded->Linear(g_pool, params, a.data(), s.k, out_ours.data(), s.n, s.m);
    } else {
      ours()->linear_packed(&params, a.data(), s.k, packed, out_ours.data(), s.n, s.m);
    }
  }
  // One linear_packed call on the whole W (the reference for our N-thread output).
  void RunOursOneCall() {
    ours()->linear_packed(&params, a.data(), s.k, threaded->whole(), out_single_thread.data(),
                          s.n, s.m);
  }
  // Ours on one thread on the memory the N-thread calls read: their column blocks one after
  // another where they split by columns (each weight read once, as in one call), else one call.
  void RunOursSingleThread() {
    if (threaded->ByColumns(s.m)) {
      threaded->Linear(nullptr, params, a.data(), s.k, out_single_thread.data(), s.n, s.m);
    } else {
      RunOursOneCall();
    }
  }
  static size_t Count(const std::vector<int8_t>& x, const std::vector<int8_t>& y) {
    size_t d = 0;
    for (size_t i = 0; i < x.size(); ++i) d += x[i] != y[i];
    return d;
  }
  size_t Differing() const { return Count(out_ours, out_peer); }
  // Runs ours in one call and counts the elements our last (N-thread) call differs in.
  size_t ThreadedDiffering() {
    RunOursOneCall();
    return Count(out_ours, out_single_thread);
  }
};

std::vector<LinearShape> LinearShapes() {
  std::vector<LinearShape> shapes;
  for (size_t m : {1, 16, 128, 512}) {
    for (size_t kn : {512, 1024, 4096}) shapes.push_back({m, kn, kn});
  }
  return shapes;
}

std::string ShapeName(const LinearShape& s) {
  return std::to_string(s.m) + "x" + std::to_string(s.n) + "x" + std::to_string(s.k);
}

// XNNPACK fully connected qs8 (src/operators/fully-connected-nc.c): requantization scale
// fl32(fl32(input_scale * kernel_scale) / output_scale), fp32 requantization, zero point added
// after rounding: our FP32 variant with that scale.
void RegisterXnnpackLinear(const LinearShape& shape) {
  auto d = std::make_shared<LinearData>(shape, QS_S8);
  const float scale = (d->sx * d->sw) / d->sy;
  if (!d->Pack(scale, QS_ZP_AFTER_ROUNDING)) return;
  xnn_operator_t op = nullptr;
  if (xnn_create_fully_connected_nc_qs8(shape.k, shape.n, shape.k, shape.n,
                                        static_cast<int8_t>(d->za), d->sx, d->sw, d->w.data(),
                                        d->bias.data(), static_cast<int8_t>(d->zy), d->sy, -128,
                                        127, 0, &op) != xnn_status_success ||
      xnn_setup_fully_connected_nc_qs8(op, shape.m, reinterpret_cast<const int8_t*>(d->a.data()),
                                       d->out_peer.data(), g_pool) != xnn_status_success) {
    std::fprintf(stderr, "peer_bench: XNNPACK fully connected %s could not be created\n",
                 ShapeName(shape).c_str());
    return;
  }
  d->RunOurs();
  xnn_run_operator(op, g_pool);
  const std::string name = "linear_s8/" + ShapeName(shape);
  timings()[name].differing["xnnpack"] = d->Differing();
  timings()[name].elements = d->out_ours.size();
  timings()[name].work = static_cast<double>(shape.m) * shape.n * shape.k;
  std::vector<Impl> impls = {
      {"ours", [d] { d->RunOurs(); }, Runtime::kPthreadpool},
      {"xnnpack", [op] { xnn_run_operator(op, g_pool); }, Runtime::kPthreadpool}};
  if (Threaded()) {
    timings()[name].threaded_differing = d->ThreadedDiffering();
    timings()[name].differing["ours_single_thread"] = timings()[name].threaded_differing;
    impls.push_back({"ours_single_thread", [d] { d->RunOursSingleThread(); }});
  }
  RegisterAlternating(name, impls);
}

// oneDNN int8 matmul (u8 source, s8 weights, s8 destination): output scale Sx*Sw/Sy, source
// and destination zero points as attributes, int32 bias. Compared with our FP32 variant with
// the zero point before rounding (Q7.11), the model of oneDNN's int8 output this project
// expects; this formula was not read from oneDNN's source: the reported count of differing
// elements is the evidence (0 on this bench's data with oneDNN 2.6.3).
void RegisterOnednnLinear(const LinearShape& shape) {
  using namespace dnnl;
  auto d = std::make_shared<LinearData>(shape, QS_U8);
  const float scale = (d->sx * d->sw) / d->sy;
  if (!d->Pack(scale, QS_ZP_BEFORE_ROUNDING)) return;
  static engine eng(engine::kind::cpu, 0);
  const memory::dim M = shape.m, N = shape.n, K = shape.k;
  memory::desc a_md({M, K}, memory::data_type::u8, memory::format_tag::ab);
  memory::desc w_any({K, N}, memory::data_type::s8, memory::format_tag::any);
  memory::desc w_user({K, N}, memory::data_type::s8, memory::format_tag::ba);  // W is N x K
  memory::desc b_md({1, N}, memory::data_type::s32, memory::format_tag::ab);
  memory::desc c_md({M, N}, memory::data_type::s8, memory::format_tag::ab);
  primitive_attr attr;
  attr.set_output_scales(0, {scale});
  attr.set_zero_points(DNNL_ARG_SRC, 0, {d->za});
  attr.set_zero_points(DNNL_ARG_DST, 0, {d->zy});
  auto pd = matmul::primitive_desc(matmul::desc(a_md, w_any, b_md, c_md), attr, eng);
  auto state = std::make_shared<std::tuple<stream, matmul, memory, memory, memory, memory>>(
      stream(eng), matmul(pd), memory(a_md, eng, d->a.data()), memory(pd.weights_desc(), eng),
      memory(b_md, eng, d->bias.data()), memory(c_md, eng, d->out_peer.data()));
  auto& [strm, mm, a_mem, w_mem, b_mem, c_mem] = *state;
  memory w_user_mem(w_user, eng, d->w.data());
  reorder(w_user_mem, w_mem).execute(strm, w_user_mem, w_mem);  // packing, untimed
  strm.wait();
  auto run = [state] {
    auto& [s, p, am, wm, bm, cm] = *state;
    p.execute(s, {{DNNL_ARG_SRC, am}, {DNNL_ARG_WEIGHTS, wm}, {DNNL_ARG_BIAS, bm}, {DNNL_ARG_DST, cm}});
    s.wait();
  };
  d->RunOurs();
  run();
  const std::string name = "linear_u8/" + ShapeName(shape);
  timings()[name].differing["onednn"] = d->Differing();
  timings()[name].elements = d->out_ours.size();
  timings()[name].work = static_cast<double>(shape.m) * shape.n * shape.k;
  if (Threaded()) timings()[name].threaded_differing = d->ThreadedDiffering();
  RegisterAlternating(name, {{"ours", [d] { d->RunOurs(); }, Runtime::kPthreadpool},
                             {"onednn", run, Runtime::kOpenMp}});
}

// ---- elementwise ----

struct ElementwiseData {
  std::vector<float> f32_in, f32_ours, f32_peer;
  std::vector<int8_t> s8_in, s8_ours, s8_peer;
  explicit ElementwiseData(size_t n)
      : f32_in(n), f32_ours(n), f32_peer(n), s8_in(n), s8_ours(n), s8_peer(n) {
    std::mt19937 rng(9);
    std::uniform_real_distribution<float> u(-8.0f, 8.0f);
    for (auto& v : f32_in) v = u(rng);
    for (auto& v : s8_in) v = static_cast<int8_t>(rng());
  }
};

// XNNPACK convert f32 -> qs8 compared with our quantize f32_reciprocal half_even (fl32(x *
// fl32(1/S)), ties to even, Z after rounding) and qs8 -> f32 with our dequantize; not read from
// XNNPACK's source: the reported count of differing elements is the evidence.
void RegisterConvert(const std::string& size_class, size_t n) {
  auto d = std::make_shared<ElementwiseData>(n);
  const float scale = 0.0625f / 3.0f;
  const int32_t zero_point = 5;
  qs_quantize_params qp{};
  qp.output_type = QS_S8;
  qp.rounding = QS_ROUND_HALF_EVEN;
  qp.division = QS_DIV_F32_RECIPROCAL;
  qp.qmin = -128;
  qp.qmax = 127;
  qp.scale = scale;
  qp.zero_point = zero_point;
  qs_dequantize_params dp{};
  dp.input_type = QS_S8;
  dp.scale = scale;
  dp.zero_point = zero_point;
  xnn_operator_t to_q = nullptr, to_f = nullptr;
  if (xnn_create_convert_nc_f32_qs8(1, 1, 1, scale, zero_point, -128, 127, 0, &to_q) != xnn_status_success ||
      xnn_setup_convert_nc_f32_qs8(to_q, n, d->f32_in.data(), d->s8_peer.data(), nullptr) != xnn_status_success ||
      xnn_create_convert_nc_qs8_f32(1, 1, 1, scale, zero_point, 0, &to_f) != xnn_status_success ||
      xnn_setup_convert_nc_qs8_f32(to_f, n, d->s8_in.data(), d->f32_peer.data(), nullptr) != xnn_status_success) {
    std::fprintf(stderr, "peer_bench: XNNPACK convert could not be created\n");
    return;
  }
  auto quantize = [d, qp, n] { ours()->quantize(&qp, d->f32_in.data(), d->s8_ours.data(), n); };
  auto dequantize = [d, dp, n] { ours()->dequantize(&dp, d->s8_in.data(), d->f32_ours.data(), n); };
  quantize();
  dequantize();
  xnn_run_operator(to_q, nullptr);
  xnn_run_operator(to_f, nullptr);
  size_t q_diff = 0, f_diff = 0;
  for (size_t i = 0; i < n; ++i) {
    q_diff += d->s8_ours[i] != d->s8_peer[i];
    f_diff += std::memcmp(&d->f32_ours[i], &d->f32_peer[i], sizeof(float)) != 0;
  }
  const std::string qname = "quantize_f32_s8/" + size_class, fname = "dequantize_s8_f32/" + size_class;
  timings()[qname].differing["xnnpack"] = q_diff;
  timings()[fname].differing["xnnpack"] = f_diff;
  timings()[qname].elements = timings()[fname].elements = n;
  timings()[qname].work = timings()[fname].work = static_cast<double>(n);
  RegisterAlternating(qname, {{"ours", quantize}, {"xnnpack", [to_q] { xnn_run_operator(to_q, nullptr); }}});
  RegisterAlternating(fname, {{"ours", dequantize}, {"xnnpack", [to_f] { xnn_run_operator(to_f, nullptr); }}});
}

}  // namespace

// Collects each final run's per-implementation fastest times (counters "best_s:<who>").
class CollectingReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    for (const auto& run : runs) {
      if (run.error_occurred || run.iterations == 0 || run.run_type != Run::RT_Iteration) continue;
      for (const auto& [key, counter] : run.counters) {
        if (key.rfind("best_s:", 0) != 0) continue;
        timings()[run.run_name.function_name].best_seconds[key.substr(7)].push_back(counter.value);
      }
    }
    ConsoleReporter::ReportRuns(runs);
  }
};

int main(int argc, char** argv) {
  bool json = false;
  std::vector<char*> args;
  for (int i = 0; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--json") {
      json = true;
    } else if (arg == "--threads" || arg.rfind("--threads=", 0) == 0) {
      const std::string value = arg == "--threads" ? (i + 1 < argc ? argv[++i] : "")
                                                   : arg.substr(std::strlen("--threads="));
      char* end = nullptr;
      const long n = std::strtol(value.c_str(), &end, 10);
      if (value.empty() || *end != '\0' || n < 1 || n > 256) {
        std::fprintf(stderr, "peer_bench: --threads needs a count from 1 to 256, not '%s'\n",
                     value.c_str());
        return 1;
      }
      g_threads = static_cast<size_t>(n);
    } else {
      args.push_back(argv[i]);
    }
  }
  int count = static_cast<int>(args.size());
  benchmark::Initialize(&count, args.data());
  if (benchmark::ReportUnrecognizedArguments(count, args.data())) return 1;
  if (xnn_initialize(nullptr) != xnn_status_success) {
    std::fprintf(stderr, "peer_bench: xnn_initialize failed\n");
    return 1;
  }
  // Before any oneDNN primitive exists (its kernels are chosen for the thread count then); also
  // for one thread, so that oneDNN does not use every core of a wider affinity mask.
  if (!SetOnednnThreads(g_threads)) {
    std::fprintf(stderr, "peer_bench: oneDNN does not run on OpenMP here; its thread count is "
                         "its default, not --threads\n");
  }
  if (Threaded()) {
    g_pool = pthreadpool_create(g_threads);
    if (g_pool == nullptr) {
      std::fprintf(stderr, "peer_bench: pthreadpool_create(%zu) failed\n", g_threads);
      return 1;
    }
    if (!PinThreads()) {
      std::fprintf(stderr, "peer_bench: could not pin %zu threads to cores of their own (fewer "
                           "CPUs in the affinity mask?); timings may suffer\n", g_threads);
    }
  }
  for (const LinearShape& s : LinearShapes()) {
    RegisterXnnpackLinear(s);
    RegisterOnednnLinear(s);
  }
  RegisterConvert("L2", 96 * 1024);          // 480 KiB of f32 + s8 traffic
  RegisterConvert("DRAM", 64 * 1024 * 1024); // 320 MiB of traffic per call
  CollectingReporter console;
  std::ostringstream discarded;
  if (json) console.SetOutputStream(&discarded);  // stdout holds only the JSON
  benchmark::RunSpecifiedBenchmarks(&console);

  // Whether our GEMM rows took AMX tiles (AVX3_DL, from 16 rows, gemm_amx-inl.h).
  const bool amx_gemm = quantspec::optimized::dispatch_target() == "AVX3_DL" &&
                        quantspec::optimized::detail::AmxEnabledForCall();
  std::string out = "{\"target\": \"" + quantspec::optimized::dispatch_target() +
                    "\", \"amx_gemm\": " + (amx_gemm ? "true" : "false") +
                    ", \"threads\": " + std::to_string(g_threads) + ", \"results\": {";
  size_t threaded_differing = 0;
  bool first = true;
  for (const auto& [name, t] : timings()) {
    const auto it = t.best_seconds.find("ours");
    if (it == t.best_seconds.end() || it->second.empty()) continue;
    const std::vector<double>& ours_s = it->second;
    threaded_differing += t.threaded_differing;
    if (t.threaded_differing != 0) {
      std::fprintf(stderr, "peer_bench: %s: ours on %zu threads differs from ours on one thread "
                   "in %zu of %zu elements\n", name.c_str(), g_threads, t.threaded_differing,
                   t.elements);
    }
    for (const auto& [who, peer_s] : t.best_seconds) {
      if (who == "ours" || peer_s.size() != ours_s.size()) continue;
      // Ratio of each repetition (same iterations), then median and range over repetitions.
      std::vector<double> ratios, ours_rate, peer_rate;
      for (size_t r = 0; r < ours_s.size(); ++r) {
        ratios.push_back(peer_s[r] / ours_s[r]);
        ours_rate.push_back(t.work / ours_s[r]);
        peer_rate.push_back(t.work / peer_s[r]);
      }
      auto median = [](std::vector<double> v) {
        std::sort(v.begin(), v.end());
        const size_t h = v.size() / 2;
        return v.size() % 2 ? v[h] : 0.5 * (v[h - 1] + v[h]);
      };
      const double lo = *std::min_element(ratios.begin(), ratios.end());
      const double hi = *std::max_element(ratios.begin(), ratios.end());
      const size_t diff = t.differing.count(who) ? t.differing.at(who) : 0;
      char line[640];
      std::snprintf(line, sizeof line,
                    "%s\"%s vs %s\": {\"ratio_peer_time_over_ours\": %.3f, \"ratio_min\": %.3f, "
                    "\"ratio_max\": %.3f, \"repetitions\": %zu, \"ours_per_s\": %.4g, "
                    "\"peer_per_s\": %.4g, \"unit\": \"%s\", \"differing_elements\": %zu, "
                    "\"elements\": %zu, \"peer_exact_vs_ours\": %s}",
                    first ? "" : ", ", name.c_str(), who.c_str(), median(ratios), lo, hi,
                    ratios.size(), median(ours_rate), median(peer_rate),
                    name.rfind("linear", 0) == 0 ? "MAC" : "element", diff, t.elements,
                    diff == 0 ? "true" : "false");
      out += line;
      first = false;
      if (!json && who == "ours_single_thread") {
        std::printf("%-28s ours on %zu threads: %.3f [%.3f, %.3f] times as fast as on one "
                    "(%.3g/s vs %.3g/s)%s\n",
                    name.c_str(), g_threads, median(ratios), lo, hi, median(ours_rate),
                    median(peer_rate), diff == 0 ? "" : " OUTPUTS DIFFER");
      } else if (!json) {
        std::printf("%-28s vs %-8s ratio %.3f [%.3f, %.3f] (ours %.3g/s, peer %.3g/s)%s\n",
                    name.c_str(), who.c_str(), median(ratios), lo, hi, median(ours_rate),
                    median(peer_rate),
                    diff == 0 ? "" : (" inexact: " + std::to_string(diff) + " of " +
                                      std::to_string(t.elements) + " differ").c_str());
      }
    }
  }
  char tail[160];
  std::snprintf(tail, sizeof tail,
                "}, \"ours_threaded_differing_from_single_thread\": %zu, "
                "\"idle_worker_wait_timeouts\": %zu}",
                threaded_differing, g_idle_wait_timeouts);
  out += tail;
  if (json) std::printf("%s\n", out.c_str());
  if (g_idle_wait_timeouts != 0) {
    std::fprintf(stderr, "peer_bench: %zu waits for idle pool workers gave up after 1 s\n",
                 g_idle_wait_timeouts);
  }
  if (g_pool != nullptr) pthreadpool_destroy(g_pool);
  return threaded_differing == 0 ? 0 : 1;
}
