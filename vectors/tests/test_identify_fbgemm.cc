// identify on deployed_requantize.json's FbgemmFloatBiasTest groups (SPEC.md Q11.10): FBGEMM's
// two bias orders written here in host binary32 from pytorch/FBGEMM 71d6f8b2
// (include/fbgemm/OutputProcessing-inl.h ReQuantizeOutput::f, the generic loop: bias /
// act_times_w_scale; src/QuantUtilsAvx2.cc requantizeOutputProcessingAvx2 per tensor: bias *
// float(1.0 / act_times_w_scale)); identify names each as its bias_order.
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

float binary32(const Json& text) { return std::strtof(text.get<std::string>().c_str(), nullptr); }

Results results_of(const VectorFile& file, bool per_tensor_avx2) {
  Json per = Json::object();
  for (const auto& g : file.groups) {
    if (g.type != "FbgemmFloatBiasTest") continue;
    for (const auto& t : g.tests) {
      const Json ops = g.operands(t);
      const float sxw = binary32(ops.at("act_times_w_scale"));
      if (!(sxw > 0)) {
        per[std::to_string(t.tc_id)] = Json{{"error", "act_times_w_scale"}};
        continue;
      }
      const auto acc = ops.at("acc").get<std::int32_t>();
      const float b = binary32(ops.at("bias"));
      const float c = binary32(ops.at("c_multiplier"));
      const auto zy = ops.at("zero_point").get<long>();
      volatile float raw_f = static_cast<float>(acc);
      volatile float beta = 0;
      if (per_tensor_avx2) {
        volatile float rcp = static_cast<float>(1.0 / sxw);
        beta = b * rcp;
      } else {
        beta = b / sxw;
      }
      volatile float sum = raw_f + beta;
      volatile float ab = sum * c;
      const long lo = ops.at("fuse_relu").get<bool>() ? zy : 0;
      per[std::to_string(t.tc_id)] = Json{{"q", std::max(lo, std::min(255l, std::lrintf(ab) + zy))}};
    }
  }
  return parse_results(Json{{"results", {{"deployed_requantize", per}}}}, "in-memory");
}

std::set<std::string> consistent(const VectorFile& file, bool per_tensor_avx2) {
  const auto identified = identify_variants({file}, results_of(file, per_tensor_avx2), "in-memory");
  std::set<std::string> out;
  for (const auto& v : identified.at(0).verdicts) {
    if (v.mismatches.empty()) out.insert(v.variant);
  }
  return out;
}

TEST(IdentifyFbgemm, TheGenericLoopIsNamedDivide) {
  EXPECT_EQ(consistent(read_vector_file(kDeployed), false), std::set<std::string>{"bias_order=divide"});
}

TEST(IdentifyFbgemm, TheAvx2PerTensorBodyIsNamedReciprocal) {
  EXPECT_EQ(consistent(read_vector_file(kDeployed), true), std::set<std::string>{"bias_order=reciprocal"});
}

}  // namespace
}  // namespace quantspec::vectors
