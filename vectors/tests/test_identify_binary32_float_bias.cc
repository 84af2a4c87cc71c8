// identify on deployed_requantize.json's Binary32FloatBiasTest groups (SPEC.md Q20.3, bias in
// binary32): oneDNN 2.6's int8 matmul written here in host binary32 (d = fl32(acc) + bias, then
// * scale, + Zy in float, nearbyintf under the default rounding mode, saturate; SPEC Q20.3,
// measured against Debian libdnnl-dev 2.6.3) is named zero_point_entry=before_rounding, the
// same steps with Zy added after the rounding after_rounding; and the two values measured
// with oneDNN stand in the file as measured.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <set>
#include <string>

#include "quantspec/vectors/check.hpp"
#include "quantspec/vectors/format.hpp"

namespace quantspec::vectors {
namespace {

const std::string kDeployed = std::string(QUANTSPEC_VECTORS_DIR) + "/deployed_requantize.json";
constexpr const char* kType = "Binary32FloatBiasTest";

float binary32(const Json& text) { return std::strtof(text.get<std::string>().c_str(), nullptr); }

Results results_of(const VectorFile& file, bool zero_point_before_rounding) {
  Json per = Json::object();
  for (const auto& g : file.groups) {
    if (g.type != kType) continue;
    for (const auto& t : g.tests) {
      const Json ops = g.operands(t);
      const float bias = binary32(ops.at("bias"));
      const float scale = binary32(ops.at("scale"));
      if (!std::isfinite(bias)) {
        per[std::to_string(t.tc_id)] = Json{{"error", "bias"}};
        continue;
      }
      if (!(scale > 0)) {
        per[std::to_string(t.tc_id)] = Json{{"error", "scale"}};
        continue;
      }
      const double acc = static_cast<double>(ops.at("acc").get<std::int64_t>());
      const auto zy = ops.at("zero_point").get<long>();
      const long qmin = ops.at("qmin").get<long>(), qmax = ops.at("qmax").get<long>();
      volatile float d = static_cast<float>(acc);
      d = d + bias;
      d = d * scale;
      long q = 0;
      if (zero_point_before_rounding) {
        volatile float biased = d + static_cast<float>(zy);
        q = std::lrint(std::nearbyint(static_cast<double>(biased)));
      } else {
        q = std::lrint(std::nearbyint(static_cast<double>(d))) + zy;
      }
      per[std::to_string(t.tc_id)] = Json{{"q", std::clamp(q, qmin, qmax)}};
    }
  }
  return parse_results(Json{{"results", {{"deployed_requantize", per}}}}, "in-memory");
}

std::set<std::string> consistent(const VectorFile& file, bool zero_point_before_rounding) {
  const auto identified =
      identify_variants({file}, results_of(file, zero_point_before_rounding), "in-memory");
  std::set<std::string> out;
  for (const auto& id : identified) {
    for (const auto& v : id.verdicts) {
      if (v.mismatches.empty() && v.variant.find("zero_point_entry") != std::string::npos) out.insert(v.variant);
    }
  }
  return out;
}

TEST(IdentifyBinary32FloatBias, OneDnnsStepsAreNamedBeforeRounding) {
  EXPECT_EQ(consistent(read_vector_file(kDeployed), true),
            std::set<std::string>{"rounding=half_even, zero_point_entry=before_rounding"});
}

TEST(IdentifyBinary32FloatBias, ZeroPointAfterTheRoundingIsNamedAfterRounding) {
  EXPECT_EQ(consistent(read_vector_file(kDeployed), false),
            std::set<std::string>{"rounding=half_even, zero_point_entry=after_rounding"});
}

// SPEC Q20.3: acc = 5, s = 0.5, Zy = 1 gave 4 and acc = 2^24 + 3, bias = -2^24, s = 1 gave 4
// with oneDNN 2.6.3 (reference/measure/onednn_bias_order.cc).
TEST(IdentifyBinary32FloatBias, TheMeasuredOneDnnValuesAreInTheFile) {
  int found = 0;
  for (const auto& g : read_vector_file(kDeployed).groups) {
    if (g.type != kType || g.variant.at("zero_point_entry") != "before_rounding") continue;
    for (const auto& t : g.tests) {
      if (!t.has_flag("published_value")) continue;
      const Json ops = g.operands(t);
      const auto acc = ops.at("acc").get<std::int64_t>();
      if (acc == 5 && ops.at("zero_point").get<long>() == 1) {
        EXPECT_EQ(t.expected.at("q").get<long>(), 4) << t.tc_id;
        ++found;
      }
      if (acc == (std::int64_t{1} << 24) + 3) {
        EXPECT_EQ(t.expected.at("q").get<long>(), 4) << t.tc_id;
        ++found;
      }
    }
  }
  EXPECT_EQ(found, 4);  // each case in the int8 and the uint8 grid
}

}  // namespace
}  // namespace quantspec::vectors
