// The worked example of vectors/README.md: a "float in, int8 out" backend written in
// standard-library Python (tools/python/distinguish_example.py) writes results for
// distinguish.json; identify names its members: division f32_reciprocal, rounding
// half_even, the x86 NaN policy apart, and the fp32 pipeline of its float-scale linear layer.
// With --half-away the rounding is named half_away.
#include <gtest/gtest.h>

#include "command_runner.hpp"

#include <string>

namespace {

using quantspec::vectors::test_support::run;

const std::string kExample = std::string(QUANTSPEC_PYTHON_DIR) + "/distinguish_example.py";
const std::string kTool = QUANTSPEC_VECTORS_TOOL;
const std::string kVectors = QUANTSPEC_VECTORS_DIR;

std::string results_path(const char* name) {
  return quantspec::vectors::test_support::results_path("quantspec_distinguish", name);
}

TEST(DistinguishPythonExample, FloatInInt8OutBackendIsNamed) {
  const std::string results = results_path("float_in.json");
  auto r = run("python3 -I " + kExample + " " + kVectors + " " + results);
  ASSERT_EQ(r.status, 0) << r.output;
  r = run(kTool + " identify --vectors " + kVectors + "/distinguish.json --results " + results);
  EXPECT_EQ(r.status, 0) << r.output;
  for (const char* line :
       {"  division: f32_reciprocal (0 mismatches)", "  rounding: half_even (0 mismatches)",
        "  zero_point_entry: after_rounding (0 mismatches)",
        "  edge_policy (policy): clamp_then_convert (0 mismatches)",
        // fl32(fl64(q)) = fl32(q) on these tests: the binary64 quotient is not separated.
        "best match: pipeline=fp32, rounding=half_even, zero_point_entry=after_rounding, "
        "scale_derivation=f32_product_divide, accumulation=wrap (and 1 more with as few mismatches): "
        "0 mismatches",
        "    not distinguished by the tests you ran: f32_product_divide = f32_product_f64_divide"}) {
    EXPECT_NE(r.output.find(line), std::string::npos) << line << "\n" << r.output;
  }
}

TEST(DistinguishPythonExample, AHalfAwayQuantizerIsNamedHalfAway) {
  const std::string results = results_path("half_away.json");
  auto r = run("python3 -I " + kExample + " " + kVectors + " " + results + " --half-away");
  ASSERT_EQ(r.status, 0) << r.output;
  r = run(kTool + " identify --vectors " + kVectors + "/distinguish.json --results " + results);
  EXPECT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("  rounding: half_away (0 mismatches), "), std::string::npos) << r.output;
}

}  // namespace
