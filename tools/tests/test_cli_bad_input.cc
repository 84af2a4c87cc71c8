// Bad input to the quantspec CLI (issue 10, "Bad input everywhere"): each test is one class of
// input that used to crash (SIGSEGV), hang, report "internal error" (exit 3), or be accepted
// silently, and now exits 2 with one line on stderr naming the parameter. docs/bad-input.md
// lists each class with its exact message and the test here that backs it.
#include <gtest/gtest.h>

#include <filesystem>
#include <initializer_list>
#include <string>
#include <vector>

#include "cli_run.hpp"

namespace {

using namespace quantspec_cli_test;

const std::string kQuantizeVectors = std::string(QUANTSPEC_VECTORS_DIR) + "/quantize.json";

// Exit 2, nothing on stdout, exactly one line on stderr holding every `names` item, and no
// "internal error".
void expect_bad_input(const CliRun& r, const std::vector<std::string>& names) {
  EXPECT_EQ(r.exit_code, 2) << "stdout: " << r.out << "\nstderr: " << r.err;
  EXPECT_EQ(r.out, "");
  for (const std::string& name : names) {
    EXPECT_NE(r.err.find(name), std::string::npos) << "stderr does not name " << name << ": " << r.err;
  }
  EXPECT_EQ(r.err.find("internal error"), std::string::npos) << r.err;
  ASSERT_FALSE(r.err.empty());
  EXPECT_EQ(r.err.find('\n'), r.err.size() - 1) << "not one line: " << r.err;
}

std::string deep_array(std::size_t depth) { return std::string(depth, '[') + std::string(depth, ']'); }

std::string results_file(const std::string& name, const std::string& results_members) {
  return write_file(name, "{\"results\": {" + results_members + "}}");
}

CliRun check(const std::string& results) {
  return quantspec({"vectors", "check", "--vectors", kQuantizeVectors, "--results", results});
}

// quantize.json tcId 1 (by hand from its inputs): x = 0x1.4p-1 = 0.625, S = 0x1p-2 = 0.25,
// x/S = 2.5, half_even -> 2; so {"q": 2} passes it and {"q": 3} fails it.
TEST(CliBadInputJson, ResultsForTcId1AreJudgedAsDerived) {
  EXPECT_EQ(check(results_file("r_ok.json", R"("quantize": {"1": {"q": 2}})")).exit_code, 0);
  EXPECT_EQ(check(results_file("r_wrong.json", R"("quantize": {"1": {"q": 3}})")).exit_code, 1);
}

// 10^5 levels: nlohmann's dump/copy recursed once per level and overflowed the stack
// (SIGSEGV, exit 139); the reader refuses depth 65 before building anything.
TEST(CliBadInputJson, DeepJsonInExplainFileIsRefused) {
  const std::string file = write_file("deep_explain.json", "{\"x\": " + deep_array(100000) + ", \"w\": \"1\"}");
  expect_bad_input(quantspec({"explain", "linear", "--file", file}),
                   {"--file", "deep_explain.json", "JSON nested deeper than 64 levels"});
}

TEST(CliBadInputJson, DeepJsonInResultsIsRefused) {
  const std::string file = results_file("deep_results.json", "\"quantize\": {\"1\": {\"q\": " + deep_array(100000) + "}}");
  expect_bad_input(check(file), {"deep_results.json", "JSON nested deeper than 64 levels at /results/quantize/1/q"});
}

TEST(CliBadInputJson, DeepJsonInFoldBnFileAndReportIsRefused) {
  const std::string file = write_file("deep_other.json", "{\"weight\": " + deep_array(100000) + "}");
  expect_bad_input(quantspec({"fold-bn", "--file", file}), {"--file", "nested deeper than 64"});
  expect_bad_input(quantspec({"report", "merge", "--out", temp_path("merged_deep.json"), file}),
                   {"report", "nested deeper than 64"});
}

// The depth limit is 64: 64 nested arrays are read (and then refused as the wrong kind of
// value), 65 are refused by the reader.
TEST(CliBadInputJson, DepthLimitIsExactly64) {
  const CliRun at_limit = quantspec({"explain", "linear", "--file",
                                     write_file("depth64.json", "{\"x\": " + deep_array(63) + "}")});
  EXPECT_EQ(at_limit.exit_code, 2);
  EXPECT_NE(at_limit.err.find("strings or numbers"), std::string::npos) << at_limit.err;
  const CliRun over = quantspec({"explain", "linear", "--file",
                                 write_file("depth65.json", "{\"x\": " + deep_array(64) + "}")});
  expect_bad_input(over, {"nested deeper than 64"});
}

// 100k results (1.8 MB) took 93 s: nlohmann::ordered_json searches an object's members on
// every insertion. The bound here is loose for a loaded machine; the linear reader takes
// about 1.5 s on this one.
TEST(CliBadInputJson, ResultsParseTimeIsLinearInKeys) {
  std::string members = "\"quantize\": {";
  for (int id = 1; id <= 100000; ++id) {
    members += (id > 1 ? ", \"" : "\"") + std::to_string(id) + "\": {\"q\": 0}";
  }
  members += "}";
  const CliRun r = check(results_file("many_keys.json", members));
  // quantize.json holds tcIds 1..6725 (5205 before Q11.9's groups, 5505 before Q11.12's, 6569
  // before Q20.2's float qparams), so the first unknown one is refused after the parse.
  expect_bad_input(r, {"tcId 6726", "no test with this tcId"});
  EXPECT_LT(r.seconds, 15.0);
}

// Last-wins hid the wrong first result: the file passed (exit 0).
TEST(CliBadInputJson, DuplicateKeysAreRefused) {
  expect_bad_input(check(results_file("dup.json", R"("quantize": {"1": {"q": 3}, "1": {"q": 2}})")),
                   {"dup.json", "duplicate key \"1\" at /results/quantize"});
  const std::string file = write_file("dup_explain.json", R"({"x": "1", "w": "1", "x": "2"})");
  expect_bad_input(quantspec({"explain", "linear", "--file", file}), {"--file", "duplicate key \"x\" at /"});
}

// identify reads results the same way: the duplicate made it report "consistent" (exit 0),
// the deep file crashed it; now both are refused on stderr, with --json too.
TEST(CliBadInputJson, IdentifyRefusesTheSameFiles) {
  const std::string dup = results_file("dup_identify.json", R"("quantize": {"1": {"q": 3}, "1": {"q": 2}})");
  expect_bad_input(quantspec({"vectors", "identify", "--vectors", kQuantizeVectors, "--results", dup}),
                   {"dup_identify.json", "duplicate key \"1\" at /results/quantize"});
  const std::string deep = results_file("deep_identify.json", "\"quantize\": {\"1\": {\"q\": " + deep_array(100000) + "}}");
  expect_bad_input(quantspec({"vectors", "identify", "--vectors", kQuantizeVectors, "--results", deep, "--json"}),
                   {"deep_identify.json", "nested deeper than 64"});
}

// "01" and "1" were both read as tcId 1, one of them silently dropped.
TEST(CliBadInputJson, NonCanonicalTcIdKeysAreRefused) {
  expect_bad_input(check(results_file("tc01.json", R"("quantize": {"1": {"q": 2}, "01": {"q": 3}})")),
                   {"tc01.json", "results.quantize: key \"01\" is not a tcId"});
}

// Results under a name that is no operation family were never read: the file passed (exit 0)
// on the results it did spell right.
TEST(CliBadInputJson, ResultsUnderAMisspeltFamilyAreRefused) {
  const std::string file = results_file("misspelt.json", R"("quantize": {"1": {"q": 2}}, "quantise": {"2": {"q": 0}})");
  expect_bad_input(check(file), {"misspelt.json", "results.\"quantise\" is not an operation family"});
  // A family that is only not loaded (--vectors names one file) is allowed.
  const std::string other = results_file("other_family.json", R"("quantize": {"1": {"q": 2}}, "dequantize": {"1": {"x": "0x0p+0"}})");
  EXPECT_EQ(check(other).exit_code, 0) << check(other).err;
}

// 1e400 made nlohmann throw out_of_range (not parse_error): "internal error", exit 3.
// 1e-400 read as 0 and 2^100 as an inexact binary64, silently.
TEST(CliBadInputJson, NumbersBeyondBinary64AreRefused) {
  expect_bad_input(check(results_file("e400.json", R"("quantize": {"1": {"q": 1e400}})")),
                   {"e400.json", "number overflow parsing '1e400'"});
  const std::string tiny = write_file("tiny.json", R"({"x": [1e-400], "w": "1"})");
  expect_bad_input(quantspec({"explain", "linear", "--file", tiny}),
                   {"--file", "number 1e-400 underflows binary64 (it would read as 0) at /x/0"});
  const std::string huge = write_file("huge.json", R"({"x": [1267650600228229401496703205376], "w": "1"})");
  expect_bad_input(quantspec({"explain", "linear", "--file", huge}),
                   {"--file", "integer 1267650600228229401496703205376 is outside the 64-bit range at /x/0"});
}

// --- former exit 3 ("internal error") cases ---

// boost's cpp_rational(1, -3) throws bad_rational.
TEST(CliBadInputExit3, NegativeDenominatorNamesReal) {
  expect_bad_input(quantspec({"requantize", "--acc", "1", "--real", "1/-3", "--variant", "double_round"}),
                   {"--real", "p/q with q a positive integer", "'1/-3'"});
  expect_bad_input(quantspec({"multiplier", "--real", "1/-3"}), {"--real", "'1/-3'"});
}

TEST(CliBadInputExit3, DirectoryWhereAFileIsExpected) {
  const std::string dir = QUANTSPEC_CLI_TEST_TMP;
  expect_bad_input(quantspec({"explain", "linear", "--file", dir}), {"--file", "a directory"});
  expect_bad_input(quantspec({"fold-bn", "--file", dir}), {"--file", "a directory"});
  expect_bad_input(check(dir), {dir, "is a directory, not a JSON file"});
}

// generate's create_directories threw filesystem_error after nothing had been checked.
TEST(CliBadInputExit3, GenerateOutIsAFile) {
  const std::string file = write_file("not_a_dir.txt", "x\n");
  const CliRun r = quantspec({"vectors", "generate", "--out", file, "--op", "quantize"});
  expect_bad_input(r, {"--out", "not a directory"});
}

// A misspelt key of fold-bn's file ("gama") fell back to the default gamma silently; a
// report row without its members made the merge throw json::out_of_range (exit 3).
TEST(CliBadInputExit3, UnknownKeysAndMissingMembers) {
  const std::string file = write_file("bn_gama.json", R"({"layer": "linear", "weight": [1], "out_channels": 1,
      "mean": [0], "var": [1], "gama": [2]})");
  expect_bad_input(quantspec({"fold-bn", "--file", file}), {"--file", "'gama'"});
  const std::string report = write_file("report_rows.json", R"({"tool": "quantspec conform", "schemaVersion": 1,
      "shard": {"index": 0, "count": 1}, "build": "b", "seed": 1, "cases": 1, "targets": [],
      "results": [{"op": "quantize"}]})");
  expect_bad_input(quantspec({"report", "merge", "--out", temp_path("merged_rows.json"), report}),
                   {"report", "results[0]"});
}

// --- requantize: the output grid and options that do nothing ---

TEST(CliBadInputRequantize, QminQmaxOnTheDtypeGrid) {
  const std::vector<std::string> base = {"requantize", "--acc", "5000", "--real", "1/10", "--variant", "ideal"};
  auto with = [&](std::initializer_list<std::string> extra) {
    std::vector<std::string> args = base;
    args.insert(args.end(), extra);
    return quantspec(args);
  };
  expect_bad_input(with({"--qmax", "300"}), {"--qmax", "on the int8 grid [-128, 127]", "300"});
  expect_bad_input(with({"--qmin", "-5", "--dtype", "uint8"}), {"--qmin", "on the uint8 grid [0, 255]", "-5"});
  // Both bounds without --dtype are a grid of their own: 5000 * 1/10 = 500 exactly.
  const CliRun own = with({"--qmin", "-1000", "--qmax", "1000", "--json"});
  ASSERT_EQ(own.exit_code, 0) << own.err;
  EXPECT_NE(own.out.find("\"q\":500"), std::string::npos) << own.out;
}

TEST(CliBadInputRequantize, OptionsThatDoNothingAreRefused) {
  expect_bad_input(quantspec({"requantize", "--acc", "1", "--real", "0.5", "--variant", "double_round",
                              "--rounding", "half_away"}),
                   {"--rounding", "only with --variant ideal", "half_away"});
  expect_bad_input(quantspec({"requantize", "--acc", "1", "--multiplier", "1073741824", "--shift", "0",
                              "--variant", "double_round", "--derivation", "tflite"}),
                   {"--derivation", "only where a multiplier is derived"});
  expect_bad_input(quantspec({"requantize", "--acc", "1", "--scales", "0.5", "0.5", "0.5", "--variant",
                              "rndnu", "--derivation", "tflite"}),
                   {"--derivation"});
  expect_bad_input(quantspec({"requantize", "--acc", "1", "--real", "0.5", "--variant", "single_round",
                              "--left-shift-overflow", "saturate"}),
                   {"--left-shift-overflow", "only with --variant double_round"});
  // Where they act, they are accepted.
  EXPECT_EQ(quantspec({"requantize", "--acc", "1", "--real", "0.5", "--variant", "ideal", "--rounding",
                       "half_away"}).exit_code, 0);
  EXPECT_EQ(quantspec({"requantize", "--acc", "1", "--real", "0.5", "--variant", "rndnu", "--derivation",
                       "tflite"}).exit_code, 0);
}

// Session 10: the other commands' options that do nothing in a combination (issue 10 "options
// that do nothing in that combination silently ignored"), each refused naming the option and
// accepted where it acts.
TEST(CliBadInputOptions, OptionsWithoutEffectElsewhereAreRefused) {
  const std::vector<std::pair<std::vector<std::string>, std::vector<std::string>>> refused = {
      {{"fake-quant", "--x", "1", "--variant", "tensorflow", "--min", "-1", "--max", "1", "--scale", "0.5"},
       {"--scale", "only with --variant exact or pytorch", "0.5"}},
      {{"fake-quant", "--x", "1", "--variant", "tensorflow", "--min", "-1", "--max", "1", "--dtype", "uint8"},
       {"--dtype", "only with --variant exact or pytorch"}},
      {{"fake-quant", "--x", "1", "--scale", "0.5", "--num-bits", "4"},
       {"--num-bits", "only with --variant tensorflow", "4"}},
      {{"fake-quant", "--x", "1", "--scale", "0.5", "--variant", "pytorch", "--tf-op", "args"},
       {"--tf-op", "only with --variant tensorflow"}},
      {{"lut", "--function", "tanh", "--input-scale", "0.1", "--output-scale", "0.01", "--variant", "tflite",
        "--rounding", "half_even"},
       {"--rounding", "only with --variant exact", "half_even"}},
      {{"lut", "--function", "tanh", "--input-scale", "0.1", "--output-scale", "0.01", "--alpha", "0.2"},
       {"--alpha", "only with --function elu or leaky_relu", "0.2"}},
      {{"pwl", "--function", "logistic", "--input-scale", "0.1", "--output-scale", "0.01", "--alpha", "2"},
       {"--alpha", "only with --function elu or leaky_relu"}},
      {{"dequantize", "--q", "3", "--scale", "0.5", "--narrow-range"},
       {"--narrow-range", "only with --dtype"}},
      {{"params", "--min", "-1", "--max", "1", "--symmetric", "--zero-point-rounding", "half_even"},
       {"--zero-point-rounding", "only without --symmetric", "half_even"}},
  };
  for (const auto& [args, words] : refused) {
    SCOPED_TRACE(command_line(args));
    expect_bad_input(quantspec(args), words);
  }
  // Where they act, they are accepted.
  const std::vector<std::vector<std::string>> accepted = {
      {"fake-quant", "--x", "1", "--variant", "tensorflow", "--min", "-1", "--max", "1", "--num-bits", "4"},
      {"fake-quant", "--x", "1", "--scale", "0.5", "--dtype", "uint8", "--variant", "pytorch"},
      {"lut", "--function", "tanh", "--input-scale", "0.1", "--output-scale", "0.01", "--rounding", "half_even"},
      {"lut", "--function", "elu", "--input-scale", "0.1", "--output-scale", "0.01", "--alpha", "0.2"},
      {"pwl", "--function", "leaky_relu", "--input-scale", "0.1", "--output-scale", "0.01", "--alpha", "0.2"},
      {"dequantize", "--q", "3", "--scale", "0.5", "--dtype", "int8", "--narrow-range"},
      {"params", "--min", "-1", "--max", "1", "--zero-point-rounding", "half_even"},
  };
  for (const auto& args : accepted) {
    SCOPED_TRACE(command_line(args));
    EXPECT_EQ(quantspec(args).exit_code, 0);
  }
}

TEST(CliBadInputOptions, CalibrateObserverOptionsWithoutEffectAreRefused) {
  const std::string data = std::string(QUANTSPEC_CLI_FIXTURES) + "/real.csv";
  const std::vector<std::pair<std::vector<std::string>, std::vector<std::string>>> refused = {
      {{"calibrate", "--data", data, "--bins", "64"}, {"--bins", "only with --observer mse or entropy", "64"}},
      {{"calibrate", "--data", data, "--observer", "mse", "--quantized-bins", "64"},
       {"--quantized-bins", "only with --observer entropy"}},
      {{"calibrate", "--data", data, "--observer", "max_abs", "--percentile", "99"},
       {"--percentile", "only with --observer percentile", "99"}},
      {{"calibrate", "--data", data, "--averaging-constant", "0.5"},
       {"--averaging-constant", "only with --observer moving_average"}},
      {{"calibrate", "--data", data, "--symmetric", "--zero-point-rounding", "half_even"},
       {"--zero-point-rounding", "only without --symmetric"}},
  };
  for (const auto& [args, words] : refused) {
    SCOPED_TRACE(command_line(args));
    expect_bad_input(quantspec(args), words);
  }
  EXPECT_EQ(quantspec({"calibrate", "--data", data, "--observer", "mse", "--bins", "64"}).exit_code, 0);
  EXPECT_EQ(quantspec({"calibrate", "--data", data, "--observer", "percentile", "--percentile", "99"}).exit_code, 0);
  EXPECT_EQ(quantspec({"calibrate", "--data", data, "--observer", "moving_average", "--averaging-constant",
                       "0.5"}).exit_code, 0);
}

// --- output and sizes ---

TEST(CliBadInputOutput, UnwritableStdoutIsAnError) {
  const std::string params = command_line({"params", "--min", "0", "--max", "1"});
  const CliRun full = run_shell(params, ">/dev/full");
  expect_bad_input(full, {"stdout", "No space left on device"});
  const CliRun closed = run_shell(params, ">&-");
  expect_bad_input(closed, {"stdout", "closed"});
}

TEST(CliBadInputOutput, VectorsAndConformErrorsGoToStderr) {
  expect_bad_input(check(write_file("bad_syntax.json", "{\"results\": ")), {"bad_syntax.json", "bad JSON"});
  expect_bad_input(quantspec({"conform", "--op", "nonsense"}), {"nonsense"});
}

// padding 1000 on a 1x1 input: 2001 x 2001 outputs, 63 s, 3.6 GB, 708 MB printed.
TEST(CliBadInputOutput, ExplainSizeCap) {
  const CliRun r = quantspec({"explain", "conv2d", "--x", "1", "--x-shape", "1x1x1x1", "--w", "1",
                              "--w-shape", "1x1x1x1", "--padding", "1000"});
  expect_bad_input(r, {"--padding", "a layer of at most 4096 outputs", "1x2001x2001x1 = 4004001 outputs"});
  EXPECT_LT(r.seconds, 10.0);
  // 64x64 outputs is the cap itself, and is explained.
  std::string ones;
  for (int i = 0; i < 64 * 64; ++i) ones += i ? ",1" : "1";
  EXPECT_EQ(quantspec({"explain", "conv2d", "--x", ones, "--x-shape", "1x64x64x1", "--w", "1",
                       "--w-shape", "1x1x1x1"}).exit_code, 0);
}


// explain linear --calibrate runs every observer's float layer and integer pipeline in exact
// rationals: 2 x 4097 x 512 multiply-adds is past its cap of 2^20 = 1048576 (it took 127 s without the cap) (refused before
// any arithmetic), 2 x 64 x 8 is explained.
TEST(CliBadInputOutput, ExplainCalibrateSizeCap) {
  auto csv = [](std::size_t rows, std::size_t cols) {
    std::string text;
    for (std::size_t r = 0; r < rows; ++r) {
      for (std::size_t c = 0; c < cols; ++c) text += c ? ",0.5" : "0.25";
      text += "\n";
    }
    return text;
  };
  const std::string x = write_file("cal_x_wide.csv", csv(2, 4097));
  const std::string w = write_file("cal_w_wide.csv", csv(512, 4097));
  const CliRun r = quantspec({"explain", "linear", "--calibrate", x, "--weights", w});
  expect_bad_input(r, {"--calibrate", "at most 1048576 multiply-adds", "2 x 4097 x 512"});
  EXPECT_LT(r.seconds, 20.0);
  const std::string small_x = write_file("cal_x_small.csv", csv(2, 64));
  const std::string small_w = write_file("cal_w_small.csv", csv(8, 64));
  EXPECT_EQ(quantspec({"explain", "linear", "--calibrate", small_x, "--weights", small_w,
                       "--observers", "minmax"}).exit_code, 0);
}

// Refusals that already exited 2 but wrote to stdout (now stderr), checked before anything
// runs: an unknown target, a case count of 0, a file that is no shared library, a report
// path that cannot be written.
TEST(CliBadInputOutput, ConformRefusesBeforeTheRun) {
  expect_bad_input(quantspec({"conform", "--target", "nonsense"}), {"--target", "\"nonsense\" is not compiled in"});
  expect_bad_input(quantspec({"conform", "--cases", "0"}), {"--cases", "in [1, 1000000000]"});
  expect_bad_input(quantspec({"conform", "--plugin", "x.so", "--target", "AVX2"}),
                   {"--target", "not given with --plugin"});
  const std::string not_a_library = write_file("not_a_library.txt", "not a shared library\n");
  expect_bad_input(quantspec({"conform", "--plugin", not_a_library}), {"--plugin", "cannot load", "file too short"});
  const CliRun report = quantspec({"conform", "--report", temp_path("no/such/dir/r.json"), "--op", "quantize"});
  expect_bad_input(report, {"--report: cannot write"});
  EXPECT_LT(report.seconds, 10.0);  // before the run, not after it
}

// Number text and family names on the command line.
TEST(CliBadInputOutput, NumberTextAndFamilyNames) {
  expect_bad_input(quantspec({"multiplier", "--real", "1e100001"}), {"--real", "an exponent within +-100000"});
  expect_bad_input(quantspec({"vectors", "generate", "--op", "nonsense"}), {"--op", "got nonsense"});
}

}  // namespace
