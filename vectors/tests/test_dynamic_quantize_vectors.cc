// dynamic_quantize.json, PyTorch groups (SPEC.md Q17.5): the edges are present, `vectors check`
// passes a backend that follows Q17.5 and fails one that ignores reduce_range (as qnnpack
// does), and `vectors identify` tells a PyTorch backend from an ONNX one on the same file. The
// backends are written here in host IEEE arithmetic from the SPEC text (Q17.5 steps 1-7 via the
// reference's host form of the parameters, the quantize transcribed; Q17.1 transcribed), not
// from the generator.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <set>

#include "quantspec/reference/dynamic_pytorch.hpp"
#include "quantspec/vectors/check.hpp"
#include "quantspec/vectors/format.hpp"

namespace quantspec::vectors {
namespace {

const std::string kDynamicQuantize = std::string(QUANTSPEC_VECTORS_DIR) + "/dynamic_quantize.json";

std::string hex(double v) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%a", v);
  return buffer;
}

float binary32(const Json& text) { return std::strtof(text.get<std::string>().c_str(), nullptr); }

std::vector<float> elements(const Json& ops) {
  std::vector<float> x;
  for (const Json& v : ops["x"]) x.push_back(binary32(v));
  return x;
}

bool all_finite(const std::vector<float>& x) {
  return std::all_of(x.begin(), x.end(), [](float v) { return std::isfinite(v); });
}

// Q17.5. honour_reduce_range false: what the qnnpack engine does (forces it off).
Json pytorch_host(const Json& ops, bool honour_reduce_range) {
  const std::vector<float> x = elements(ops);
  if (x.empty() || !all_finite(x)) return Json{{"error", "x"}};
  const bool reduce_range = honour_reduce_range && ops.value("reduce_range", false);
  const auto [lo, hi] = std::minmax_element(x.begin(), x.end());
  const ref::PytorchDynamicParamsFast p = ref::choose_pytorch_dynamic_params_fast(*lo, *hi, reduce_range);
  const float s = static_cast<float>(p.scale);
  const float inv = 1.0f / s;
  Json q = Json::array();
  for (float v : x) {
    q.push_back(std::clamp<long long>(std::llrint(std::nearbyint(v * inv)) + p.zero_point, 0, 255));
  }
  return Json{{"q_scale", hex(p.scale)}, {"scale", hex(s)}, {"zero_point", p.zero_point}, {"q", q}};
}

// Q17.1, one binary32 operation per node.
Json onnx_host(const Json& ops) {
  const std::vector<float> x = elements(ops);
  if (x.empty() || !all_finite(x)) return Json{{"error", "x"}};
  const float lo = std::min(*std::min_element(x.begin(), x.end()), 0.0f);
  const float hi = std::max(*std::max_element(x.begin(), x.end()), 0.0f);
  const float range = hi - lo;
  if (std::isinf(range)) return Json{{"error", "x"}};
  float s = range / 255.0f;
  float zero_point = 0.0f;
  if (range == 0.0f) {
    s = 1.0f;  // SPEC CHOICE
  } else {
    if (s == 0.0f) return Json{{"error", "x"}};
    const float min_scaled = lo / s;
    zero_point = std::nearbyint(std::clamp(0.0f - min_scaled, 0.0f, 255.0f));
  }
  Json q = Json::array();
  for (float v : x) q.push_back(static_cast<int>(std::clamp(std::nearbyint(v / s) + zero_point, 0.0f, 255.0f)));
  return Json{{"scale", hex(s)}, {"zero_point", static_cast<int>(zero_point)}, {"q", q}};
}

enum class Backend { pytorch, pytorch_ignoring_reduce_range, onnx };

// Answers the two per-tensor group types (the per-row group is not run).
Results results_of(const VectorFile& file, Backend backend) {
  Json per = Json::object();
  for (const auto& g : file.groups) {
    if (g.type != "DynamicQuantizePytorchTest" && g.type != "DynamicQuantizeLinearTest") continue;
    for (const auto& t : g.tests) {
      const Json ops = g.operands(t);
      per[std::to_string(t.tc_id)] = backend == Backend::onnx ? onnx_host(ops)
                                                              : pytorch_host(ops, backend == Backend::pytorch);
    }
  }
  return parse_results(Json{{"results", {{file.algorithm, per}}}}, "in-memory");
}

// tcIds that fail, per group variant + params.
std::map<std::string, std::set<std::int64_t>> failures(const VectorFile& file, Backend backend) {
  std::map<std::string, std::set<std::int64_t>> failed;
  for (const TestOutcome& o : evaluate({file}, results_of(file, backend), "in-memory")) {
    if (o.outcome == Outcome::unexpected_failure || o.outcome == Outcome::unexpected_pass) {
      const TestGroup* g = nullptr;
      file.find(o.tc_id, &g);
      failed[g->type + (g->params.value("reduce_range", false) ? " reduce_range" : "")].insert(o.tc_id);
    }
  }
  return failed;
}

TEST(DynamicQuantizeVectors, PytorchGroupsHoldEveryQ17_5Edge) {
  const VectorFile file = read_vector_file(kDynamicQuantize);
  std::map<bool, std::set<std::string>> flags;  // per reduce_range, of valid tests
  std::map<bool, std::set<std::int64_t>> tie_zero_points;
  std::map<bool, std::size_t> valid, invalid;
  for (const auto& g : file.groups) {
    if (g.type != "DynamicQuantizePytorchTest") continue;
    ASSERT_EQ(g.variant_label(), "dynamic=pytorch");
    const bool rr = g.params.at("reduce_range").get<bool>();
    for (const auto& t : g.tests) {
      if (t.result != Expectation::valid) {
        ++invalid[rr];
        continue;
      }
      ++valid[rr];
      flags[rr].insert(t.flags.begin(), t.flags.end());
      const std::int64_t z = t.expected.at("zero_point").get<std::int64_t>();
      EXPECT_LE(z, rr ? 127 : 255) << "tcId " << t.tc_id;  // the zero-point grid
      if (t.has_flag("zero_point_tie")) tie_zero_points[rr].insert(z % 2);
      if (t.has_flag("beyond_reduced_range")) {
        EXPECT_TRUE(rr);
        bool above = false;
        for (const Json& q : t.expected.at("q")) above = above || q.get<int>() > 127;
        EXPECT_TRUE(above) << "tcId " << t.tc_id;
      }
      // scale = fl32(q_scale)
      EXPECT_EQ(hex(static_cast<float>(std::strtod(t.expected.at("q_scale").get<std::string>().c_str(), nullptr))),
                hex(binary32(t.expected.at("scale"))))
          << "tcId " << t.tc_id;
    }
  }
  for (bool rr : {false, true}) {
    EXPECT_GE(valid[rr], 25u) << rr;
    EXPECT_GE(invalid[rr], 3u) << rr;
    for (const char* flag : {"degenerate_range", "range_excludes_zero", "zero_point_tie", "small_scale",
                             "scale_defaulted", "subnormal_input", "random"}) {
      EXPECT_TRUE(flags[rr].count(flag)) << flag << " reduce_range " << rr;
    }
    // Z0 = k + 1/2 for even and for odd k: nearbyint gives an even Z either way.
    EXPECT_EQ(tie_zero_points[rr], (std::set<std::int64_t>{0})) << rr;
  }
  EXPECT_TRUE(flags[true].count("beyond_reduced_range"));
}

TEST(DynamicQuantizeVectors, CheckPassesQ17_5AndFailsABackendIgnoringReduceRange) {
  const VectorFile file = read_vector_file(kDynamicQuantize);
  const auto pytorch = failures(file, Backend::pytorch);
  EXPECT_EQ(pytorch.count("DynamicQuantizePytorchTest"), 0u);
  EXPECT_EQ(pytorch.count("DynamicQuantizePytorchTest reduce_range"), 0u);
  const auto qnnpack = failures(file, Backend::pytorch_ignoring_reduce_range);
  EXPECT_EQ(qnnpack.count("DynamicQuantizePytorchTest"), 0u);
  ASSERT_EQ(qnnpack.count("DynamicQuantizePytorchTest reduce_range"), 1u);
  bool beyond = false;
  for (std::int64_t id : qnnpack.at("DynamicQuantizePytorchTest reduce_range")) {
    beyond = beyond || file.find(id)->has_flag("beyond_reduced_range");
  }
  EXPECT_TRUE(beyond);
}

TEST(DynamicQuantizeVectors, IdentifyTellsPytorchFromOnnx) {
  const VectorFile file = read_vector_file(kDynamicQuantize);
  for (Backend backend : {Backend::pytorch, Backend::onnx}) {
    const auto identified = identify_variants({file}, results_of(file, backend), "in-memory");
    ASSERT_EQ(identified.size(), 1u);
    std::map<std::string, std::size_t> mismatches;
    for (const auto& v : identified[0].verdicts) mismatches[v.variant] = v.mismatches.size();
    ASSERT_EQ(mismatches.size(), 2u);  // the per-row group is not run
    const std::string self = backend == Backend::pytorch ? "dynamic=pytorch" : "dynamic=onnx";
    const std::string other = backend == Backend::pytorch ? "dynamic=onnx" : "dynamic=pytorch";
    EXPECT_EQ(mismatches.at(self), 0u) << self;
    EXPECT_GT(mismatches.at(other), 0u) << other;
  }
}

}  // namespace
}  // namespace quantspec::vectors
