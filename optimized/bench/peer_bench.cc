// quantspec_peer_bench: our kernels against the peers a user would pick instead, in the same
// process, on the same data, one thread, with weight packing excluded for everybody (our
// pack_weights, XNNPACK's operator creation and oneDNN's weight reorder all happen before
// timing):
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
#include <algorithm>
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
#include <vector>

#include "benchmark/benchmark.h"
#include "dnnl.hpp"
#include "quantspec/kernel_abi.h"
#include "quantspec/optimized.h"
#include "xnnpack.h"

namespace {

const qs_kernel_table* ours() { return qs_kernel_table_get(QS_KERNEL_ABI_VERSION); }

struct Timing {
  // implementation -> fastest iteration of each repetition (--benchmark_repetitions)
  std::map<std::string, std::vector<double>> best_seconds;
  std::map<std::string, size_t> differing;     // peer -> elements differing from ours
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

// Registers a benchmark that times every implementation once per iteration (after one untimed
// warm-up call each) and records each one's fastest time under `name`.
void RegisterAlternating(const std::string& name,
                         std::vector<std::pair<std::string, std::function<void()>>> impls) {
  benchmark::RegisterBenchmark(name.c_str(), [name, impls](benchmark::State& state) {
    std::map<std::string, double> best;
    for (const auto& [who, f] : impls) {
      f();
      best[who] = 1e30;
    }
    for (auto _ : state) {
      double ours_time = 0;
      for (const auto& [who, f] : impls) {
        const double t = TimeOnce(f);
        best[who] = std::min(best[who], t);
        if (who == "ours") ours_time = t;
      }
      state.SetIterationTime(ours_time);
    }
    // Reported through counters: Google Benchmark calls this function several times while it
    // sizes the iteration count, and only the final run of each repetition reaches the reporter.
    for (const auto& [who, t] : best) state.counters["best_s:" + who] = benchmark::Counter(t);
  })->UseManualTime()->Unit(benchmark::kMicrosecond);
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
  std::vector<int8_t> out_ours, out_peer;
  float sx = 0.02f, sw = 0.005f, sy = 0.4f;
  int32_t za = 0, zy = -3;
  qs_linear_params params{};
  qs_packed_weights* packed = nullptr;
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
    return ours()->pack_weights(&params.gemm, w.data(), s.k, s.n, s.k, &packed) == QS_OK;
  }
  void RunOurs() {
    ours()->linear_packed(&params, a.data(), s.k, packed, out_ours.data(), s.n, s.m);
  }
  size_t Differing() const {
    size_t d = 0;
    for (size_t i = 0; i < out_ours.size(); ++i) d += out_ours[i] != out_peer[i];
    return d;
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
                                       d->out_peer.data(), nullptr) != xnn_status_success) {
    std::fprintf(stderr, "peer_bench: XNNPACK fully connected %s could not be created\n",
                 ShapeName(shape).c_str());
    return;
  }
  d->RunOurs();
  xnn_run_operator(op, nullptr);
  const std::string name = "linear_s8/" + ShapeName(shape);
  timings()[name].differing["xnnpack"] = d->Differing();
  timings()[name].elements = d->out_ours.size();
  timings()[name].work = static_cast<double>(shape.m) * shape.n * shape.k;
  RegisterAlternating(name, {{"ours", [d] { d->RunOurs(); }},
                             {"xnnpack", [op] { xnn_run_operator(op, nullptr); }}});
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
  RegisterAlternating(name, {{"ours", [d] { d->RunOurs(); }}, {"onednn", run}});
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
    if (std::string(argv[i]) == "--json") {
      json = true;
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

  std::string out = "{\"target\": \"" + quantspec::optimized::dispatch_target() + "\", \"results\": {";
  bool first = true;
  for (const auto& [name, t] : timings()) {
    const auto it = t.best_seconds.find("ours");
    if (it == t.best_seconds.end() || it->second.empty()) continue;
    const std::vector<double>& ours_s = it->second;
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
      if (!json) {
        std::printf("%-28s vs %-8s ratio %.3f [%.3f, %.3f] (ours %.3g/s, peer %.3g/s)%s\n",
                    name.c_str(), who.c_str(), median(ratios), lo, hi, median(ours_rate),
                    median(peer_rate),
                    diff == 0 ? "" : (" inexact: " + std::to_string(diff) + " of " +
                                      std::to_string(t.elements) + " differ").c_str());
      }
    }
  }
  out += "}}";
  if (json) std::printf("%s\n", out.c_str());
  return 0;
}
