// The plug-in path of the main job: dlopen the scalar example, run operation groups in forked
// children, report a crash as "crashed on case N" and keep going, write the JSON report, and
// print the same text for the same seed.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "broken_kernels.hpp"
#include "quantspec/conformance/conform.hpp"
#include "quantspec/conformance/plugin.hpp"

namespace quantspec::conformance {
namespace {

ConformOptions plugin_options() {
  ConformOptions options;
  options.plugin = QUANTSPEC_SCALAR_PLUGIN_PATH;
  options.ops = {"lut", "dequantize", "gemm"};
  options.cases = 10;
  static std::ostringstream progress_sink;  // progress is not part of the output
  options.progress = &progress_sink;
  return options;
}

TEST(PluginRunner, LoadsTheScalarExampleAndPasses) {
  const Plugin plugin(QUANTSPEC_SCALAR_PLUGIN_PATH);
  EXPECT_EQ(plugin.table().abi_version, QS_KERNEL_ABI_VERSION);
  std::ostringstream out;
  ConformOptions options = plugin_options();
  const std::string report = testing::TempDir() + "conform_report.json";
  options.report_file = report;
  EXPECT_EQ(run_conform(options, out), 0) << out.str();
  EXPECT_NE(out.str().find("lut"), std::string::npos);
  EXPECT_NE(out.str().find("pass"), std::string::npos);
  std::ifstream file(report);
  const auto json = nlohmann::json::parse(file);
  EXPECT_EQ(json.at("failed"), false);
  EXPECT_EQ(json.at("results").size(), 6u);  // lut s8/u8, dequantize x2, gemm x2
}

TEST(PluginRunner, OutputIsDeterministicForASeed) {
  std::ostringstream first, second;
  run_conform(plugin_options(), first);
  run_conform(plugin_options(), second);
  EXPECT_EQ(first.str(), second.str());
}

TEST(PluginRunner, RejectsAMissingPluginWithExitCode2) {
  ConformOptions options = plugin_options();
  options.plugin = "/nonexistent/libnothing.so";
  std::ostringstream out;
  EXPECT_EQ(run_conform(options, out), 2);
  EXPECT_NE(out.str().find("--plugin"), std::string::npos);
}

TEST(PluginRunner, ReportsACrashWithItsCaseAndKeepsGoing) {
  Settings settings;
  settings.cases = 10;
  std::size_t step = 0;
  const auto results = run_table(broken::crashes_on_long_inputs(), "crashy", settings, {"lut", "gemm"}, true, 60,
                                 nullptr, &step, 4);
  ASSERT_EQ(results.size(), 4u);
  EXPECT_EQ(results[0].op, "gemm");  // operations in the suite's order: gemm before lut
  EXPECT_EQ(results[0].status, VariantResult::Status::pass) << results[0].counterexample;
  EXPECT_EQ(results[2].status, VariantResult::Status::crashed);
  EXPECT_NE(results[2].counterexample.find("crashed (SIGSEGV) on case"), std::string::npos) << results[2].counterexample;
  EXPECT_NE(results[2].counterexample.find("op: lut"), std::string::npos) << results[2].counterexample;
  EXPECT_EQ(results[3].status, VariantResult::Status::crashed);  // the u8 LUT crashes too, reported separately
}

TEST(PluginRunner, ParsesShards) {
  EXPECT_EQ(parse_shard("2/5").index, 2u);
  EXPECT_EQ(parse_shard("2/5").count, 5u);
  EXPECT_THROW(parse_shard("5/5"), std::invalid_argument);
  EXPECT_THROW(parse_shard("x"), std::invalid_argument);
}

}  // namespace
}  // namespace quantspec::conformance
