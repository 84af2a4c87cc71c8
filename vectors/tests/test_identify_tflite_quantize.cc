// identify on quantize.json's TfliteQuantizeTest groups (SPEC.md Q11.9): two backends written
// here in host IEEE binary32/binary64 from LiteRT's optimized AffineQuantize
// (google-ai-edge/LiteRT f6745779, tflite/kernels/internal/optimized/optimized_ops.h): the
// vector body with `vcvtnq_s32_f32` (aarch64, x86 SSE4.1) and with the 32-bit Arm
// RoundToNearest (add +-0.5 in binary32, truncate). identify names each as its path.
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

const std::string kQuantize = std::string(QUANTSPEC_VECTORS_DIR) + "/quantize.json";

float binary32(const Json& text) { return std::strtof(text.get<std::string>().c_str(), nullptr); }

std::int64_t affine_quantize_vector_body(float x, float scale, std::int64_t z, std::int64_t qmin,
                                         std::int64_t qmax, bool armv7) {
  const double scale64 = scale;                          // QuantizationParams::scale
  const auto reverse = static_cast<float>(1.0f / scale64);  // vdupq_n_f32(1.0f / scale)
  const float t = x * reverse;                            // vmulq_f32
  std::int64_t v = 0;
  if (armv7) {
    v = static_cast<std::int64_t>(std::trunc(t + (t < 0.0f ? -0.5f : 0.5f)));  // vcvtq_s32_f32
  } else {
    v = static_cast<std::int64_t>(std::nearbyint(t));  // vcvtnq_s32_f32: ties to even
  }
  return std::clamp(v + z, qmin, qmax);  // vaddq_s32, vmaxq_s32, vminq_s32
}

Results results_of(const VectorFile& file, bool armv7) {
  Json per = Json::object();
  for (const auto& g : file.groups) {
    if (g.type != "TfliteQuantizeTest") continue;
    for (const auto& t : g.tests) {
      const Json ops = g.operands(t);
      per[std::to_string(t.tc_id)] = Json{
          {"q", affine_quantize_vector_body(binary32(ops.at("x")), binary32(ops.at("scale")),
                                            ops.at("zero_point").get<std::int64_t>(),
                                            ops.at("qmin").get<std::int64_t>(),
                                            ops.at("qmax").get<std::int64_t>(), armv7)}};
    }
  }
  return parse_results(Json{{"results", {{"quantize", per}}}}, "in-memory");
}

std::set<std::string> consistent(const VectorFile& file, bool armv7) {
  const auto identified = identify_variants({file}, results_of(file, armv7), "in-memory");
  std::set<std::string> out;
  for (const auto& v : identified.at(0).verdicts) {
    EXPECT_GT(v.tests_run, 0) << v.variant;
    if (v.mismatches.empty()) out.insert(v.variant);
  }
  return out;
}

TEST(IdentifyTfliteQuantize, TheAarch64VectorBodyIsNamedNeonVcvtn) {
  const VectorFile file = read_vector_file(kQuantize);
  EXPECT_EQ(consistent(file, false), std::set<std::string>{"tflite_path=neon_vcvtn"});
}

TEST(IdentifyTfliteQuantize, The32BitArmVectorBodyIsNamedNeonArmv7) {
  const VectorFile file = read_vector_file(kQuantize);
  EXPECT_EQ(consistent(file, true), std::set<std::string>{"tflite_path=neon_armv7"});
}

}  // namespace
}  // namespace quantspec::vectors
