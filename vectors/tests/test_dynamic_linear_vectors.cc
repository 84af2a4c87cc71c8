// dynamic_linear.json (SPEC.md Q17.6): the edges are present, and `vectors check` tells a
// backend that follows the qnnpack order from one that multiplies the int32 accumulator without
// rounding it to binary32 first. Both backends are written here in host IEEE arithmetic from
// the SPEC text (Q17.5 steps 1-7 via the reference's host form of the parameters, Q17.6 steps
// 2-4 transcribed), not from the generator.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <set>

#include "quantspec/reference/dynamic_pytorch.hpp"
#include "quantspec/reference/errors.hpp"
#include "quantspec/vectors/check.hpp"
#include "quantspec/vectors/format.hpp"

namespace quantspec::vectors {
namespace {

const std::string kDynamicLinear = std::string(QUANTSPEC_VECTORS_DIR) + "/dynamic_linear.json";

std::string hex(float v) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%a", static_cast<double>(v));
  return buffer;
}

float binary32(const Json& text) { return std::strtof(text.get<std::string>().c_str(), nullptr); }

// round_accumulator false: fl32(fl64(acc) * D[n]) instead of fl32(fl32(acc) * D[n]).
Json host_linear(const Json& ops, bool round_accumulator) {
  const std::size_t m = ops["m"], k = ops["k"], n = ops["n"];
  std::vector<float> x;
  for (const Json& v : ops["x"]) x.push_back(binary32(v));
  const auto [lo, hi] = std::minmax_element(x.begin(), x.end());
  const ref::PytorchDynamicParamsFast p = ref::choose_pytorch_dynamic_params_fast(*lo, *hi, false);
  const float sx = static_cast<float>(p.scale);
  const float inv = 1.0f / sx;
  std::vector<std::int64_t> qx;
  for (float v : x) {
    qx.push_back(std::clamp<std::int64_t>(static_cast<std::int64_t>(std::nearbyint(v * inv)) + p.zero_point, 0, 255));
  }
  Json acc = Json::array(), y = Json::array();
  for (std::size_t i = 0; i < m; ++i) {
    for (std::size_t j = 0; j < n; ++j) {
      std::int64_t sum = 0;
      for (std::size_t c = 0; c < k; ++c) {
        sum += (qx[i * k + c] - p.zero_point) * ops["w"][j * k + c].get<std::int64_t>();
      }
      const Json& scales = ops["weight_scales"];
      const float d = sx * binary32(scales[scales.size() == 1 ? 0 : j]);
      float out = round_accumulator ? static_cast<float>(sum) * d
                                    : static_cast<float>(static_cast<double>(sum) * d);
      if (ops.contains("bias")) out = out + binary32(ops["bias"][j]);
      acc.push_back(sum);
      y.push_back(hex(out));
    }
  }
  return Json{{"x_scale", hex(sx)}, {"x_zero_point", p.zero_point}, {"acc", acc}, {"y", y}};
}

// Invalid tests are answered by the reference's validation (this file tests the valid ones).
Json results_of(const VectorFile& file, bool round_accumulator) {
  Json per = Json::object();
  for (const auto& g : file.groups) {
    for (const auto& t : g.tests) {
      per[std::to_string(t.tc_id)] = t.result == Expectation::invalid
                                         ? Json{{"error", t.expected["error"]}}
                                         : host_linear(g.operands(t), round_accumulator);
    }
  }
  return Json{{"results", {{file.algorithm, per}}}};
}

TEST(DynamicLinearVectors, EveryEdgeFlagHasAValidTest) {
  const VectorFile file = read_vector_file(kDynamicLinear);
  std::set<std::string> flags;
  bool with_bias = false;
  for (const auto& g : file.groups) {
    for (const auto& t : g.tests) {
      if (t.result != Expectation::valid) continue;
      flags.insert(t.flags.begin(), t.flags.end());
      with_bias = with_bias || t.inputs.contains("bias");
      if (t.has_flag("accumulator_beyond_binary32")) {
        bool beyond = false;
        for (const Json& a : t.expected["acc"]) beyond = beyond || std::llabs(a.get<std::int64_t>()) > (1 << 24);
        EXPECT_TRUE(beyond) << "tcId " << t.tc_id;
      }
      if (t.has_flag("no_bias")) EXPECT_FALSE(t.inputs.contains("bias")) << "tcId " << t.tc_id;
    }
  }
  for (const char* flag :
       {"accumulator_beyond_binary32", "no_bias", "zero_point_tie", "small_scale", "per_channel"}) {
    EXPECT_TRUE(flags.count(flag)) << flag;
  }
  EXPECT_TRUE(with_bias);
}

TEST(DynamicLinearVectors, CheckPassesTheQnnpackOrderAndFailsTheUnroundedAccumulator) {
  const VectorFile file = read_vector_file(kDynamicLinear);
  for (bool round_accumulator : {true, false}) {
    const Results results = parse_results(results_of(file, round_accumulator), "in-memory");
    std::set<std::int64_t> failed;
    for (const TestOutcome& o : evaluate({file}, results, "in-memory")) {
      EXPECT_NE(o.outcome, Outcome::not_run);
      if (o.outcome == Outcome::unexpected_failure || o.outcome == Outcome::unexpected_pass) {
        failed.insert(o.tc_id);
      }
    }
    if (round_accumulator) {
      EXPECT_TRUE(failed.empty()) << "first failing tcId " << *failed.begin();
    } else {
      // The wide accumulator must be among the failures (fl32(acc) is a tie there).
      ASSERT_FALSE(failed.empty());
      bool wide = false;
      for (std::int64_t id : failed) wide = wide || file.find(id)->has_flag("accumulator_beyond_binary32");
      EXPECT_TRUE(wide);
    }
  }
}

TEST(DynamicLinearVectors, IdentifyNamesTheQnnpackVariant) {
  const VectorFile file = read_vector_file(kDynamicLinear);
  const Results results = parse_results(results_of(file, true), "in-memory");
  const auto identified = identify_variants({file}, results, "in-memory");
  ASSERT_EQ(identified.size(), 1u);
  ASSERT_EQ(identified[0].verdicts.size(), 1u);
  EXPECT_EQ(identified[0].verdicts[0].variant, "dynamic_linear=pytorch_qnnpack");
  EXPECT_TRUE(identified[0].verdicts[0].mismatches.empty());
}

}  // namespace
}  // namespace quantspec::vectors
