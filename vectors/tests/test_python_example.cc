// The Python loader (standard library only) and the numpy ONNX QuantizeLinear/DequantizeLinear
// example against the checked-in vectors, judged by the vectors tool: the ONNX implementation
// passes; a deliberately wrong rounding is caught by check (exit 1) and by identify.
#include <gtest/gtest.h>

#include "command_runner.hpp"

#include <memory>
#include <string>

namespace {

using quantspec::vectors::test_support::run;

const std::string kPython = "/usr/bin/python3";
const std::string kExample = std::string(QUANTSPEC_PYTHON_DIR) + "/onnx_quantize_example.py";
const std::string kTool = QUANTSPEC_VECTORS_TOOL;
const std::string kVectors = QUANTSPEC_VECTORS_DIR;

std::string results_path(const char* name) {
  return quantspec::vectors::test_support::results_path("quantspec_py", name);
}

bool have_numpy() { return run(kPython + " -c 'import numpy'").status == 0; }

TEST(PythonLoader, ReadsEveryFileWithTheStandardLibraryOnly) {
  const auto r = run("python3 -I -c \"import sys; sys.path.insert(0, '" +
                     std::string(QUANTSPEC_PYTHON_DIR) +
                     "'); import quantspec_vectors as qv; fs = qv.load_dir('" + kVectors +
                     "'); n = sum(1 for d in fs.values() for _ in qv.tests(d)); "
                     "assert n == sum(d['numberOfTests'] for d in fs.values()); "
                     "assert qv.f('0x1.8p-3') == 0.1875; print(n)\"");
  EXPECT_EQ(r.status, 0) << r.output;
}

TEST(PythonOnnxExample, OnnxQuantizeLinearPassesCheck) {
  if (!have_numpy()) GTEST_SKIP() << "python3-numpy is not installed for /usr/bin/python3";
  const std::string results = results_path("onnx.json");
  auto r = run(kPython + " -W ignore " + kExample + " " + kVectors + " " + results);
  ASSERT_EQ(r.status, 0) << r.output;
  r = run(kTool + " check --vectors " + kVectors + "/quantize.json --results " + results);
  EXPECT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find(" passed, 0 failed"), std::string::npos) << r.output;
  r = run(kTool + " check --vectors " + kVectors + "/dequantize.json --results " + results);
  EXPECT_EQ(r.status, 0) << r.output;
}

TEST(PythonOnnxExample, WrongRoundingIsCaughtByCheckAndIdentify) {
  if (!have_numpy()) GTEST_SKIP() << "python3-numpy is not installed for /usr/bin/python3";
  const std::string results = results_path("wrong.json");
  auto r = run(kPython + " -W ignore " + kExample + " " + kVectors + " " + results +
               " --variant wrong_half_away");
  ASSERT_EQ(r.status, 0) << r.output;
  r = run(kTool + " check --vectors " + kVectors + "/quantize.json --results " + results);
  EXPECT_EQ(r.status, 1) << r.output;
  EXPECT_EQ(r.output.find(" 0 failed"), std::string::npos) << r.output;

  const std::string all = results_path("wrong_all.json");
  r = run(kPython + " -W ignore " + kExample + " " + kVectors + " " + all +
          " --all-groups --variant wrong_half_away");
  ASSERT_EQ(r.status, 0) << r.output;
  r = run(kTool + " identify --vectors " + kVectors + "/quantize.json --results " + all);
  EXPECT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("consistent with division=f32_divide, rounding=half_away"),
            std::string::npos) << r.output;
  EXPECT_NE(r.output.find("inconsistent with division=f32_divide, rounding=half_even"),
            std::string::npos) << r.output;
}

TEST(PythonOnnxExample, IdentifyNamesTheOnnxVariant) {
  if (!have_numpy()) GTEST_SKIP() << "python3-numpy is not installed for /usr/bin/python3";
  const std::string all = results_path("onnx_all.json");
  auto r = run(kPython + " -W ignore " + kExample + " " + kVectors + " " + all + " --all-groups");
  ASSERT_EQ(r.status, 0) << r.output;
  r = run(kTool + " identify --vectors " + kVectors + "/quantize.json --results " + all);
  EXPECT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("quantize: consistent with division=f32_divide, rounding=half_even ("),
            std::string::npos) << r.output;
  EXPECT_NE(r.output.find("inconsistent with division=exact, rounding=half_even on tcId"),
            std::string::npos) << r.output;
}

}  // namespace
