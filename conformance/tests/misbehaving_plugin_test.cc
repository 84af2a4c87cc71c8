// The plug-in loader against tiny libraries that each misbehave in one way (tests/plugins/):
// every one gives exit 2 and a one-line message naming the path and what went wrong, and the
// test process itself survives (the first contact happens in a child).
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "quantspec/conformance/conform.hpp"
#include "quantspec/conformance/plugin.hpp"

namespace quantspec::conformance {
namespace {

std::string plugin_path(const std::string& misbehaviour) {
  return std::string(QUANTSPEC_MISBEHAVING_PLUGIN_DIR) + "/qs_misbehaving_" + misbehaviour + ".so";
}

struct Outcome {
  int exit_code;
  std::string message;
};

Outcome conform_with(const std::string& path, int timeout_seconds = 0) {
  ConformOptions options;
  options.plugin = path;
  options.ops = {"dequantize"};
  options.cases = 5;
  options.timeout_seconds = timeout_seconds;
  std::ostringstream progress, out;
  options.progress = &progress;
  const int code = run_conform(options, out);
  return {code, out.str()};
}

void expect_rejected(const Outcome& outcome, const std::string& path, const std::string& reason) {
  EXPECT_EQ(outcome.exit_code, 2) << outcome.message;
  EXPECT_NE(outcome.message.find("--plugin " + path + ": "), std::string::npos) << outcome.message;
  EXPECT_NE(outcome.message.find(reason), std::string::npos) << outcome.message;
  EXPECT_EQ(outcome.message.find("pass"), std::string::npos) << "no table may be printed:\n" << outcome.message;
}

TEST(MisbehavingPlugin, ExitZeroInAConstructorIsNotAPass) {
  const std::string path = plugin_path("exit_in_constructor");
  expect_rejected(conform_with(path), path, "process ended while loading the library or calling "
                                            "qs_kernel_table_get (exit status 0;");
}

TEST(MisbehavingPlugin, SegfaultInTheEntryPointIsReported) {
  const std::string path = plugin_path("segfault_in_get");
  expect_rejected(conform_with(path), path, "(signal SIGSEGV;");
}

TEST(MisbehavingPlugin, AbortInTheEntryPointIsReported) {
  const std::string path = plugin_path("abort_in_get");
  expect_rejected(conform_with(path), path, "(signal SIGABRT;");
}

TEST(MisbehavingPlugin, HangingEntryPointTimesOut) {
  const std::string path = plugin_path("hang_in_get");
  expect_rejected(conform_with(path, 1), path, "loading did not finish within 1 s");
}

// The timeout is the operation group's, not each variant's: with --timeout 2 a group whose
// every variant hangs ends after about 2 s (it took 2 s per variant), and the variants it did
// not reach are rows too.
TEST(MisbehavingPlugin, HangingGroupTimesOutOnceForTheWholeGroup) {
  ConformOptions options;
  options.plugin = plugin_path("hang_in_quantize");
  options.ops = {"quantize"};
  options.cases = 5;
  options.timeout_seconds = 2;
  std::ostringstream progress, out;
  options.progress = &progress;
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(run_conform(options, out), 1) << out.str();
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_LT(seconds, 2 * options.timeout_seconds) << out.str();
  EXPECT_NE(out.str().find("timed out after 2 s"), std::string::npos) << out.str();
  EXPECT_NE(out.str().find("not run: the operation group timed out after 2 s"), std::string::npos) << out.str();
}

// A status outside the enum is a failing case that names the number, not a pass, a "not
// provided" or undefined behaviour.
TEST(MisbehavingPlugin, StatusOutsideTheEnumFailsNamingIt) {
  const Outcome outcome = conform_with(plugin_path("status_outside_enum"));
  EXPECT_EQ(outcome.exit_code, 1) << outcome.message;
  EXPECT_NE(outcome.message.find("unknown status 7"), std::string::npos) << outcome.message;
}

// -1 as well (a negative value: GCC gives qs_status an unsigned underlying type, so this also
// checks that the report prints the value as a signed int32).
TEST(MisbehavingPlugin, StatusMinusOneFailsNamingIt) {
  const Outcome outcome = conform_with(plugin_path("status_minus_one"));
  EXPECT_EQ(outcome.exit_code, 1) << outcome.message;
  EXPECT_NE(outcome.message.find("unknown status -1"), std::string::npos) << outcome.message;
}

// A write far past the output (4096 floats) lands in the output's inaccessible margin
// (fences.hpp): a failing case naming the output and the offset, and the run goes on.
TEST(MisbehavingPlugin, WriteFarPastTheOutputFailsNamingTheOffset) {
  const Outcome outcome = conform_with(plugin_path("writes_far_past_output"));
  EXPECT_EQ(outcome.exit_code, 1) << outcome.message;
  EXPECT_NE(outcome.message.find("wrote past the end of its output 'output': offset "), std::string::npos)
      << outcome.message;
  EXPECT_NE(outcome.message.find("(byte 16384 after its last one"), std::string::npos) << outcome.message;
}

// The reproduce line of a plug-in failure runs as printed: --plugin with the path quoted for
// a POSIX shell (here a path with a space and a single quote), never --target (which the CLI
// refuses together with --plugin).
TEST(MisbehavingPlugin, ReproduceLineNamesThePluginQuoted) {
  const std::string dir = ::testing::TempDir() + "it's here";
  std::filesystem::create_directories(dir);
  const std::string path = dir + "/qs_status_outside_enum.so";
  std::filesystem::copy_file(plugin_path("status_outside_enum"), path,
                             std::filesystem::copy_options::overwrite_existing);
  const Outcome outcome = conform_with(path);
  // POSIX quoting by hand: 'TMP/it'\''s here/qs_status_outside_enum.so'
  EXPECT_NE(outcome.message.find("reproduce: quantspec conform --plugin '" + ::testing::TempDir() +
                                 "it'\\''s here/qs_status_outside_enum.so' --op dequantize --seed "),
            std::string::npos)
      << outcome.message;
  EXPECT_EQ(outcome.message.find("--target"), std::string::npos) << outcome.message;
  std::filesystem::remove_all(dir);
}

TEST(MisbehavingPlugin, NullTableIsRejected) {
  const std::string path = plugin_path("null_table");
  expect_rejected(conform_with(path), path, "qs_kernel_table_get(1) returned NULL");
}

TEST(MisbehavingPlugin, NewerAbiVersionIsRejected) {
  const std::string path = plugin_path("wrong_abi_version");
  expect_rejected(conform_with(path), path, "table has abi_version 2, expected 1..1");
}

TEST(MisbehavingPlugin, ShortStructSizeIsRejected) {
  const std::string path = plugin_path("short_struct_size");
  expect_rejected(conform_with(path), path,
                  "table has struct_size 8, expected at least " + std::to_string(sizeof(qs_kernel_table)));
}

TEST(MisbehavingPlugin, NullNameIsRejected) {
  const std::string path = plugin_path("null_name");
  expect_rejected(conform_with(path), path, "table has a NULL name");
}

TEST(MisbehavingPlugin, AFileThatIsNotASharedLibraryIsRejected) {
  const std::string path = testing::TempDir() + "not_a_library.so";
  std::ofstream(path) << "this is text, not an ELF shared object\n";
  expect_rejected(conform_with(path), path, "cannot load: ");
  std::remove(path.c_str());
}

TEST(MisbehavingPlugin, AnUnwritableReportIsRejectedBeforeTheRun) {
  ConformOptions options;
  options.ops = {"dequantize"};
  options.cases = 5;
  options.report_file = "/nonexistent-directory/report.json";
  std::ostringstream progress, out;
  options.progress = &progress;
  EXPECT_EQ(run_conform(options, out), 2);
  EXPECT_EQ(out.str(), "--report: cannot write /nonexistent-directory/report.json\n");
  EXPECT_TRUE(progress.str().empty()) << "nothing may run first:\n" << progress.str();
}

}  // namespace
}  // namespace quantspec::conformance
