// tools/python/deployed_members_example.py (TVM's float qnn.requantize, SPEC Q11.11, and ONNX
// QuantizeLinear's narrow division, Q11.12, in the Python standard library on binary64 floats)
// against the checked-in vectors, judged by the vectors tool: computing every group with its
// own member passes `check` on every TvmFloatRequantizeTest and NarrowDivideQuantizeTest test,
// and one member run on every group is named by `identify`.
#include <gtest/gtest.h>

#include "command_runner.hpp"

#include <string>

namespace {

using quantspec::vectors::test_support::run;

const std::string kExample = std::string(QUANTSPEC_PYTHON_DIR) + "/deployed_members_example.py";
const std::string kTool = QUANTSPEC_VECTORS_TOOL;
const std::string kVectors = QUANTSPEC_VECTORS_DIR;

std::string results_path(const char* name) {
  return quantspec::vectors::test_support::results_path("quantspec_members", name);
}

TEST(PythonMembersExample, EveryGroupByItsOwnMemberPassesCheck) {
  const std::string results = results_path("own.json");
  auto r = run("python3 -I " + kExample + " " + kVectors + " " + results);
  ASSERT_EQ(r.status, 0) << r.output;
  for (const char* file : {"deployed_requantize.json", "quantize.json"}) {
    r = run(kTool + " check --vectors " + kVectors + "/" + file + " --results " + results);
    EXPECT_EQ(r.status, 0) << file << "\n" << r.output;
    EXPECT_NE(r.output.find(" 0 unexpected pass, 0 unexpected failure"), std::string::npos) << r.output;
  }
}

TEST(PythonMembersExample, IdentifyNamesTheMemberThatRanEveryGroup) {
  const std::string results = results_path("one.json");
  auto r = run("python3 -I " + kExample + " " + kVectors + " " + results +
               " --tvm-as tvm_fp_tonearest_nosse41/float32 --onnx-as bf16_divide/half_even");
  ASSERT_EQ(r.status, 0) << r.output;
  r = run(kTool + " identify --vectors " + kVectors + "/deployed_requantize.json --results " + results);
  EXPECT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("deployed_requantize: consistent with member=tvm_fp_tonearest_nosse41, "
                          "compute_dtype=float32 ("),
            std::string::npos) << r.output;
  EXPECT_NE(r.output.find("inconsistent with member=tvm_fp_tonearest, compute_dtype=float32"),
            std::string::npos) << r.output;
  r = run(kTool + " identify --vectors " + kVectors + "/quantize.json --results " + results);
  EXPECT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("quantize: consistent with division=bf16_divide, rounding=half_even ("),
            std::string::npos) << r.output;
  r = run(kTool + " check --vectors " + kVectors + "/quantize.json --results " + results);
  EXPECT_EQ(r.status, 1) << r.output;  // the other members' groups fail
}

}  // namespace
