// identify on dequantize.json (SPEC.md Q3.5): two backends written here in host IEEE
// binary32/binary64 from LiteRT's optimized Dequantize (google-ai-edge/LiteRT f6745779,
// tflite/kernels/internal/optimized/optimized_ops.h, the uint8_t / int8_t / int16_t overloads):
// the 8-wide vector loop (ScaleWithNewZeroPoint without FMA) and the scalar tail. identify
// names the loop `dequantize_member=tflite_neon_mul_add` and the tail the conforming Q3.2 groups.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <set>
#include <string>

#include "quantspec/reference/numbers.hpp"
#include "quantspec/vectors/check.hpp"
#include "quantspec/vectors/format.hpp"

namespace quantspec::vectors {
namespace {

const std::string kDequantize = std::string(QUANTSPEC_VECTORS_DIR) + "/dequantize.json";

float binary32(const Json& text) { return std::strtof(text.get<std::string>().c_str(), nullptr); }

float tflite_dequantize(std::int32_t q, float scale, std::int32_t zero_point, bool vector_loop) {
  const double scale64 = scale;  // DequantizationParams::scale
  if (!vector_loop) {
    return static_cast<float>(scale64 * (q - zero_point));  // the scalar loop
  }
  volatile float scale_dup = static_cast<float>(scale64);                  // vdupq_n_f32
  volatile float zero_times_scale = static_cast<float>(-zero_point * scale64);
  volatile float product = static_cast<float>(q) * scale_dup;              // vcvtq_f32_s32, vmulq_f32
  volatile float sum = product + zero_times_scale;                         // vaddq_f32
  return sum;
}

std::set<std::string> consistent(const VectorFile& file, bool vector_loop) {
  Json per = Json::object();
  for (const auto& g : file.groups) {
    for (const auto& t : g.tests) {
      if (t.result != Expectation::valid) continue;  // the kernel validates nothing
      const Json ops = g.operands(t);
      const float x = tflite_dequantize(ops.at("q").get<std::int32_t>(), binary32(ops.at("scale")),
                                        ops.at("zero_point").get<std::int32_t>(), vector_loop);
      per[std::to_string(t.tc_id)] = Json{{"x", ref::hex_float(x)}};
    }
  }
  const auto identified =
      identify_variants({file}, parse_results(Json{{"results", {{"dequantize", per}}}}, "in-memory"), "in-memory");
  std::set<std::string> out;
  for (const auto& v : identified.at(0).verdicts) {
    EXPECT_GT(v.tests_run, 0) << v.variant;
    if (v.mismatches.empty()) out.insert(v.variant);
  }
  return out;
}

TEST(IdentifyTfliteDequantize, TheVectorLoopIsNamedTfliteNeonMulAdd) {
  EXPECT_EQ(consistent(read_vector_file(kDequantize), true),
            std::set<std::string>{"dequantize_member=tflite_neon_mul_add"});
}

TEST(IdentifyTfliteDequantize, TheScalarTailIsNamedTheOneRounding) {
  EXPECT_EQ(consistent(read_vector_file(kDequantize), false), std::set<std::string>{"(none)"});
}

}  // namespace
}  // namespace quantspec::vectors
