// Tests of the quantspec CLI, run as a user runs it: a child process, its stdout, stderr and
// exit code. Expected values are derived by hand (comments), published by the system the
// variant models (cited), or computed by the reference library.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "quantspec/reference/requantize.hpp"

namespace {

using nlohmann::json;

struct CliRun {
  int exit_code = -1;
  std::string out;
  std::string err;
  json parsed() const { return json::parse(out); }
};

std::string quoted(const std::string& arg) {
  std::string q = "'";
  for (char c : arg) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

CliRun quantspec(const std::vector<std::string>& args) {
  const std::string base = std::string(QUANTSPEC_CLI_TEST_TMP) + "/run." + std::to_string(::getpid());
  std::string command = quoted(QUANTSPEC_CLI);
  for (const std::string& a : args) command += " " + quoted(a);
  command += " >" + base + ".out 2>" + base + ".err";
  const int status = std::system(command.c_str());
  CliRun r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = slurp(base + ".out");
  r.err = slurp(base + ".err");
  return r;
}

// Bad input: exit 2 and stderr names `parameter`.
void expect_rejected(const std::vector<std::string>& args, const std::string& parameter) {
  const CliRun r = quantspec(args);
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_NE(r.err.find(parameter), std::string::npos)
      << "stderr does not name " << parameter << ": " << r.err;
  EXPECT_EQ(r.err.find("internal error"), std::string::npos) << r.err;
}

std::string write_file(const std::string& name, const std::string& text) {
  const std::string path = std::string(QUANTSPEC_CLI_TEST_TMP) + "/" + name;
  std::ofstream(path) << text;
  return path;
}

// --- params (Q1) ---

// [-1, 1] on int8: S = fl32(2/255) = 0x1.010102p-7; Z = -128 - (-1)/(2/255) = -0.5 (exactly,
// computed with the rounded S it is -0.50000001...), std::round -> -1.
TEST(CliParams, AsymmetricInt8) {
  const CliRun r = quantspec({"params", "--min", "-1", "--max", "1", "--dtype", "int8", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.parsed()["scale"], "0x1.010102p-7");
  EXPECT_EQ(r.parsed()["zero_point"], -1);
}

// Symmetric: S = max(|-3|, |1|) / 127 = fl32(3/127) = 0x1.83060cp-6 (3/127 = 0.0236220...,
// 0x1.83060cp-6 = 0.02362204...), Z = 0. Hex-float input accepted (-0x1.8p+1 = -3).
TEST(CliParams, SymmetricTakesHexFloatInput) {
  const CliRun r = quantspec(
      {"params", "--min", "-0x1.8p+1", "--max", "1", "--symmetric", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.parsed()["zero_point"], 0);
  EXPECT_EQ(r.parsed()["scale"], quantspec::ref::hex_float(quantspec::ref::round_to_binary32(
                                     quantspec::ref::Rational(3, 127))));
}

TEST(CliParams, TextFormIsReadable) {
  const CliRun r = quantspec({"params", "--min", "0", "--max", "6", "--dtype", "uint8"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("zero_point: 0"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("scale: 0x"), std::string::npos) << r.out;
}

// --- multiplier (Q6): TFLite's published QuantizeMultiplier values, from
// tensorflow/lite/kernels/internal/quantization_util_test.cc (tests
// QuantizeMultiplierSmallerThanOneExp, QuantizeMultiplierGreaterThanOne,
// QuantizeMultiplierUnderflow). ---

void expect_multiplier(const std::string& real, long long multiplier, int shift) {
  const CliRun r = quantspec({"multiplier", "--real", real, "--derivation", "tflite", "--json"});
  ASSERT_EQ(r.exit_code, 0) << real << ": " << r.err;
  EXPECT_EQ(r.parsed()["multiplier"], multiplier) << real;
  EXPECT_EQ(r.parsed()["shift"], shift) << real;
}

TEST(CliMultiplier, TfliteQuantizeMultiplierPublishedValues) {
  expect_multiplier("0.25", 1073741824, -1);
  expect_multiplier("0.499999995", 2147483627, -1);  // 0.50 - 5e-9
  expect_multiplier("0.75", 1610612736, 0);
  expect_multiplier("1.25", 1342177280, 1);
  expect_multiplier("1.999999999", 2147483647, 1);   // 2 - 1e-9
  expect_multiplier("0x1p-32", 1073741824, -31);     // ldexp(1.0f, -32)
  expect_multiplier("0x1.fae148p-33", 0, 0);         // ldexp(0.99f, -32), 0.99f = 0x1.fae148p-1
  expect_multiplier("0x1p-33", 0, 0);                // ldexp(1.0f, -33)
}

// By hand: 1 - 1e-15 in binary64 has frexp mantissa 0.999999999999999 (exponent 0);
// std::round(mantissa * 2^31) = 2^31, renormalised to (2^30, shift 1). p/q text is exact.
TEST(CliMultiplier, MantissaRoundingTo2Pow31Renormalises) {
  expect_multiplier("999999999999999/1000000000000000", 1073741824, 1);
}

// --scales: M = Sx*Sw/Sy = 0.5 * 0.25 / 0.125 = 1 = 2^30 * 2^(1-31) -> (2^30, 1).
TEST(CliMultiplier, FromScales) {
  const CliRun r = quantspec({"multiplier", "--scales", "0.5", "0.25", "0.125", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.parsed()["multiplier"], 1073741824);
  EXPECT_EQ(r.parsed()["shift"], 1);
  EXPECT_EQ(r.parsed()["real_multiplier"]["exact"], "1");
}

// --- quantize / dequantize (Q2, Q3) ---

std::int64_t quantized(std::vector<std::string> args) {
  args.insert(args.begin(), "quantize");
  args.push_back("--json");
  const CliRun r = quantspec(args);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return r.exit_code == 0 ? r.parsed()["q"].get<std::int64_t>() : -999;
}

// 2.5 / 1 = 2.5 is a tie: half_even 2, half_away 3, half_up 3, toward_zero 2, floor 2;
// -2.5: half_up -2 (toward +inf), half_away -3, floor -3.
TEST(CliQuantize, TiesFollowTheNamedRounding) {
  const std::vector<std::string> tie{"--x", "0x1.4p+1", "--scale", "1"};
  auto with = [&](std::vector<std::string> base, const std::string& rounding) {
    base.insert(base.end(), {"--rounding", rounding});
    return quantized(base);
  };
  EXPECT_EQ(with(tie, "half_even"), 2);
  EXPECT_EQ(with(tie, "half_away"), 3);
  EXPECT_EQ(with(tie, "half_up"), 3);
  EXPECT_EQ(with(tie, "toward_zero"), 2);
  EXPECT_EQ(with(tie, "floor"), 2);
  const std::vector<std::string> negative{"--x", "-2.5", "--scale", "1"};
  EXPECT_EQ(with(negative, "half_up"), -2);
  EXPECT_EQ(with(negative, "half_away"), -3);
  EXPECT_EQ(with(negative, "floor"), -3);
}

// Round first, then add Z: 2.5 -> 2 (half_even) + 3 = 5, not R(5.5) = 6. Special inputs:
// NaN -> Z, +inf -> qmax, -inf -> qmin; narrow range int8 -> -127.
TEST(CliQuantize, ZeroPointSpecialInputsAndNarrowRange) {
  EXPECT_EQ(quantized({"--x", "2.5", "--scale", "1", "--zero-point", "3"}), 5);
  EXPECT_EQ(quantized({"--x", "nan", "--scale", "1", "--zero-point", "7"}), 7);
  EXPECT_EQ(quantized({"--x", "inf", "--scale", "1", "--dtype", "uint8"}), 255);
  EXPECT_EQ(quantized({"--x", "-inf", "--scale", "1", "--narrow-range"}), -127);
  EXPECT_EQ(quantized({"--x", "1e30", "--scale", "1e-30", "--dtype", "int16"}), 32767);
}

// (5 - 2) * fl32(0.1) = 3 * 13421773 / 2^27 = 40265319 / 134217728, one rounding to binary32:
// 40265319 needs 26 bits, 40265319/4 = 10066329.75 -> 10066330 * 2^-25 = 0x1.333334p-2.
TEST(CliDequantize, ExactValueAndBinary32) {
  const CliRun r = quantspec({"dequantize", "--q", "5", "--scale", "0.1", "--zero-point", "2", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.parsed()["exact"], "40265319/134217728");
  EXPECT_EQ(r.parsed()["value"], "0x1.333334p-2");
  expect_rejected({"dequantize", "--q", "200", "--scale", "1", "--dtype", "int8"}, "q");
}

// --- requantize (Q7) ---

std::int64_t requantized(std::vector<std::string> args) {
  args.insert(args.begin(), "requantize");
  args.push_back("--json");
  const CliRun r = quantspec(args);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return r.exit_code == 0 ? r.parsed()["q"].get<std::int64_t>() : -999;
}

// TFLite's MultiplyByQuantizedMultiplier(x, QuantizeMultiplier(m)) in double rounding,
// published in tensorflow/lite/kernels/internal/quantization_util_test.cc
// (MultiplyByQuantizedMultiplierInt32): (INT32_MIN, 1e-5) -> -21475, (INT32_MAX, 1e-5) ->
// 21475, (+-10000, 0.00097656) -> +-10. On an int32 output grid, Zy = 0.
TEST(CliRequantize, TflitePublishedValues) {
  auto q = [](const std::string& acc, const std::string& m) {
    return requantized({"--acc", acc, "--real", m, "--variant", "double_round", "--qmin",
                        "-2147483648", "--qmax", "2147483647"});
  };
  EXPECT_EQ(q("-2147483648", "1e-5"), -21475);
  EXPECT_EQ(q("2147483647", "1e-5"), 21475);
  EXPECT_EQ(q("10000", "0.00097656"), 10);
  EXPECT_EQ(q("-10000", "0.00097656"), -10);
}

// M = 0.5 = 2^30 * 2^(0-31): acc = 5 and -5 give the ties 2.5 and -2.5.
// double_round: SRDHM(5, 2^30) = (5*2^30 + 2^30)/2^31 = 3; SRDHM(-5, 2^30) =
//   trunc((-5*2^30 + 1 - 2^30)/2^31) = trunc(-2.99...) = -2; RoundingDivideByPOT(., 0) = .
// single_round: (acc*2^30 + 2^30) >> 31: 3 and -2 (ties toward +inf).
// rndna: ties away from zero: 3 and -3.
// ideal half_even: 2 and -2.
TEST(CliRequantize, VariantsDifferOnTies) {
  auto q = [](const std::string& acc, const std::string& variant) {
    return requantized({"--acc", acc, "--multiplier", "1073741824", "--shift", "0", "--variant",
                        variant});
  };
  EXPECT_EQ(q("5", "double_round"), 3);
  EXPECT_EQ(q("-5", "double_round"), -2);
  EXPECT_EQ(q("5", "single_round"), 3);
  EXPECT_EQ(q("-5", "single_round"), -2);
  EXPECT_EQ(q("-5", "rndna"), -3);
  EXPECT_EQ(q("5", "ideal"), 2);
  EXPECT_EQ(q("-5", "ideal"), -2);
  // ideal before_rounding with odd Zy: R(2.5 + 1) = R(3.5) = 4, after rounding R(2.5) + 1 = 3.
  EXPECT_EQ(requantized({"--acc", "5", "--real", "1/2", "--variant", "ideal", "--zero-point", "1",
                         "--zero-point-entry", "before_rounding"}),
            4);
  EXPECT_EQ(requantized({"--acc", "5", "--real", "1/2", "--variant", "ideal", "--zero-point", "1"}),
            3);
}

// --scales derives the multiplier the variant's way; the reference library computes the same
// pipeline (requantize_params_from_scales, Q7.8) for every variant.
TEST(CliRequantize, ScalesAgreeWithTheReferenceForEveryVariant) {
  using namespace quantspec::ref;
  // The CLI's documented default derivation: rndnu for rndnu/rndna, tflite otherwise.
  auto default_derivation = [](RequantVariant v) {
    return v == RequantVariant::rndnu || v == RequantVariant::rndna ? Derivation::rndnu
                                                                    : Derivation::tflite;
  };
  const float sx = 0.0123f, sw = 0.0456f, sy = 0.0789f;
  for (RequantVariant v : all_requant_variants()) {
    for (int acc : {-123457, -1001, 0, 77, 65537}) {
      const RequantizeParams p =
          requantize_params_from_scales(v, sx, sw, sy, -3, -128, 127, default_derivation(v));
      const Integer expected = requantize(Integer(acc), p);
      EXPECT_EQ(requantized({"--acc", std::to_string(acc), "--scales", "0.0123", "0.0456",
                             "0.0789", "--zero-point", "-3", "--variant", std::string(name(v))}),
                expected.convert_to<std::int64_t>())
          << name(v) << " acc " << acc;
    }
  }
}

// --- explain linear / conv2d (Q9): Example Q9.E1 of SPEC.md, derived by hand in
// reference/tests/test_linear.cc (Linear.ExampleQ9E1): q = [40, -12]. ---

const std::vector<std::string> kExampleQ9E1{
    "explain", "linear", "--x", "0.5,-1.25", "--w", "0.75,-0.5,0.25,0.375", "--w-shape", "2x2",
    "--b", "0.1,-0.2", "--x-scale", "0x1p-6", "--x-zero-point", "10", "--w-scale",
    "0x1p-7,0x1p-8", "--y-scale", "0x1p-5", "--y-zero-point", "5"};

TEST(CliExplain, LinearExampleQ9E1PrintsEveryStep) {
  std::vector<std::string> args = kExampleQ9E1;
  args.push_back("--json");
  const CliRun r = quantspec(args);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json j = r.parsed();
  EXPECT_EQ(j["step1"]["x_q"], json({42, -70}));
  EXPECT_EQ(j["step1"]["w_q"], json({96, -64, 64, 96}));
  EXPECT_EQ(j["step2"]["bias"][0]["b"], 819);
  EXPECT_EQ(j["step2"]["bias"][1]["b"], -3277);
  EXPECT_EQ(j["outputs"][0]["acc"], 9011);
  EXPECT_EQ(j["outputs"][1]["acc"], -8909);
  EXPECT_EQ(j["step3"]["multipliers"][0]["real"]["exact"], "1/256");
  EXPECT_EQ(j["step3"]["multipliers"][0]["multiplier"], 1073741824);
  EXPECT_EQ(j["step3"]["multipliers"][0]["shift"], -7);
  EXPECT_EQ(j["outputs"][0]["y"], 35);
  EXPECT_EQ(j["y_q"], json({40, -12}));
  EXPECT_EQ(j["outputs"][0]["float_result"]["exact"], "9011/8192");
  EXPECT_EQ(j["outputs"][1]["dequantized"]["exact"], "-17/32");

  // The text form shows the same steps.
  args.pop_back();
  const CliRun text = quantspec(args);
  ASSERT_EQ(text.exit_code, 0) << text.err;
  for (const char* needle : {"Step 0", "Step 1", "Step 2", "Step 3", "Step 4", "Acc[0][0] = 9011",
                             "q[0][1] = -12", "float = 9011/8192"}) {
    EXPECT_NE(text.out.find(needle), std::string::npos) << needle << "\n" << text.out;
  }
}

// The same layer from a JSON file; an option on the command line overrides the file:
// Zy = 6 moves both outputs up by one: [41, -11].
TEST(CliExplain, LinearFromJsonFile) {
  const std::string path = write_file("layer_q9e1.json", R"({
    "x": ["0.5", "-1.25"], "w": ["0.75", "-0.5", "0.25", "0.375"], "w_shape": [2, 2],
    "b": ["0.1", "-0.2"], "x_scale": "0x1p-6", "x_zero_point": 10,
    "w_scale": ["0x1p-7", "0x1p-8"], "y_scale": "0x1p-5", "y_zero_point": 5,
    "variant": "double_round"})");
  CliRun r = quantspec({"explain", "linear", "--file", path, "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.parsed()["y_q"], json({40, -12}));
  r = quantspec({"explain", "linear", "--file", path, "--y-zero-point", "6", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.parsed()["y_q"], json({41, -11}));
  expect_rejected({"explain", "linear", "--file", write_file("bad_key.json", R"({"q": 1})")},
                  "--file");
  expect_rejected({"explain", "linear", "--file", write_file("bad.json", "{nope")}, "--file");
  expect_rejected({"explain", "linear", "--file", "/nonexistent/layer.json"}, "--file");
}

// Conv2D with padding 1 and stride 2 on x = 1..9 (3x3, Zx = 3), two output channels of 1.0
// (Sw = 1) and 0.5 (Sw = 0.5): window sums 1, 5, 11, 28 and, at M = 0.5, the ties 0.5, 2.5,
// 5.5, 14 that double_round rounds up (reference/tests/test_linear.cc,
// Conv2D.PaddingHoldsTheZeroPointAndStrideSkips).
TEST(CliExplain, Conv2DPaddingAndStride) {
  const CliRun r = quantspec({"explain", "conv2d", "--x", "1,2,3,4,5,6,7,8,9", "--x-shape",
                           "1x3x3x1", "--w", "1,1,1,1,0.5,0.5,0.5,0.5", "--w-shape", "2x2x2x1",
                           "--stride", "2", "--padding", "1", "--x-scale", "1", "--x-zero-point",
                           "3", "--w-scale", "1,0.5", "--y-scale", "1", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.parsed()["y_q"], json({1, 1, 5, 3, 11, 6, 28, 14}));
  EXPECT_EQ(r.parsed()["output_shape"], json({1, 2, 2, 2}));
}

// Calibrated from the data with ReLU: the negative output clamps to Zy (its dequantized value
// is exactly 0).
TEST(CliExplain, CalibratedLayerWithRelu) {
  const CliRun r = quantspec({"explain", "linear", "--x", "0.5,-1.25", "--w", "0.75,-0.5,0.25,0.375",
                           "--b", "0.1,-0.2", "--activation", "relu", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json j = r.parsed();
  EXPECT_EQ(j["step0"]["w"]["zero_point"], json({0, 0}));
  EXPECT_EQ(j["step0"]["w"]["qmin"], -127);
  EXPECT_EQ(j["outputs"][1]["dequantized"]["exact"], "0");
  EXPECT_EQ(j["y_q"][1], j["step0"]["y"]["zero_point"][0]);
}

// --- bad input: exit 2, the parameter named ---

TEST(CliBadInput, NamesTheParameter) {
  expect_rejected({"quantize", "--x", "1", "--scale", "-1"}, "scale");
  expect_rejected({"quantize", "--x", "1", "--scale", "abc"}, "--scale");
  expect_rejected({"quantize", "--x", "1", "--scale", "1", "--zero-point", "200"}, "zero_point");
  expect_rejected({"quantize", "--x", "1", "--scale", "1", "--rounding", "nearest"}, "--rounding");
  expect_rejected({"quantize", "--scale", "1"}, "--x");
  expect_rejected({"quantize", "--x", "1", "--scale", "1", "--bogus"}, "--bogus");
  expect_rejected({"params", "--min", "2", "--max", "1"}, "min");
  expect_rejected({"params", "--min", "0", "--max", "1", "--dtype", "int9"}, "--dtype");
  expect_rejected({"multiplier", "--real", "-0.5"}, "real_multiplier");
  expect_rejected({"multiplier", "--real", "0.5", "--scales", "1", "1", "1"}, "--real");
  expect_rejected({"requantize", "--acc", "1", "--multiplier", "1073741824", "--shift", "40",
                   "--variant", "double_round"},
                  "shift");
  expect_rejected({"requantize", "--acc", "1", "--multiplier", "1073741824", "--variant",
                   "double_round"},
                  "--shift");
  expect_rejected({"requantize", "--acc", "1", "--real", "0.5", "--variant", "double_round",
                   "--zero-point-entry", "before_rounding"},
                  "zero_point_entry");
  expect_rejected({"requantize", "--acc", "4294967296", "--real", "0.5", "--variant",
                   "single_round"},
                  "acc");
  expect_rejected({"explain", "linear", "--x", "1,2", "--w", "1,2,3"}, "--w-shape");
  expect_rejected({"explain", "linear", "--x", "1,,2", "--w", "1,2"}, "--x");
  expect_rejected({"explain", "conv2d", "--x", "1,2,3,4", "--x-shape", "1x2x2x1", "--w", "1",
                   "--w-shape", "1x1x1x1", "--stride", "0"},
                  "stride");
  expect_rejected({"explain", "conv2d", "--x", "1,2,3,4", "--x-shape", "1x2x2x1", "--w", "1",
                   "--w-shape", "1x3x3x1"},
                  "kernel");
  expect_rejected({"nonsense"}, "nonsense");
  expect_rejected({}, "subcommand");
}

TEST(CliHelp, EveryCommandHasHelp) {
  for (std::vector<std::string> cmd :
       {std::vector<std::string>{}, {"params"}, {"multiplier"}, {"quantize"}, {"dequantize"},
        {"requantize"}, {"explain"}, {"explain", "linear"}, {"explain", "conv2d"}, {"conform"},
        {"bench"}, {"vectors"}, {"vectors", "generate"}, {"vectors", "check"},
        {"vectors", "identify"}}) {
    cmd.push_back("--help");
    const CliRun r = quantspec(cmd);
    EXPECT_EQ(r.exit_code, 0) << cmd.front() << r.err;
    EXPECT_NE(r.out.find("Usage"), std::string::npos) << cmd.front() << r.out;
  }
}

// A missing or malformed results file is bad input (exit 2) whether or not the vectors
// library is built in (then the command says "not built", also exit 2).
TEST(CliVectors, MissingResultsFileIsBadInput) {
  const CliRun r = quantspec({"vectors", "check", "--results", "/nonexistent/results.json"});
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
}

// --- lut (Q12) ---

// Example Q12.E1 through the CLI: hardsigmoid, Si = 0.25, So = 1: f(0) = 1/2 exactly, so the
// entry at q = 0 is 1 under tflite (half away) and 0 under xnnpack (half even); q = 4 gives
// x = 1, f = 4/6 -> 1 under both; q = -128 (first in input order): x = -32, f = 0 -> 0.
TEST(CliLut, VariantsDifferOnTheTie) {
  auto table = [](const std::string& variant) {
    const CliRun r = quantspec({"lut", "--function", "hardsigmoid", "--input-scale", "0.25",
                                "--output-scale", "1", "--variant", variant, "--json"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.parsed()["table"];
  };
  const auto tflite = table("tflite");
  const auto xnnpack = table("xnnpack");
  EXPECT_EQ(tflite[128], 1);
  EXPECT_EQ(xnnpack[128], 0);
  EXPECT_EQ(xnnpack[132], 1);
  EXPECT_EQ(tflite[0], 0);
  expect_rejected({"lut", "--function", "sin", "--input-scale", "1", "--output-scale", "1"}, "--function");
  expect_rejected({"lut", "--function", "tanh", "--input-scale", "0", "--output-scale", "1"}, "input_scale");
}

}  // namespace
