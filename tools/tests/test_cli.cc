// Tests of the quantspec CLI, run as a user runs it: a child process, its stdout, stderr and
// exit code. Expected values are derived by hand (comments), published by the system the
// variant models (cited), or computed by the reference library.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <cstdio>
#include <fstream>
#include <functional>
#include <optional>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include "quantspec/reference/numbers.hpp"
#include "quantspec/reference/piecewise_linear.hpp"
#include "quantspec/reference/requantize.hpp"
#include "quantspec/reference/errors.hpp"
#include "quantspec/reference/quantize.hpp"

namespace {

using nlohmann::json;
namespace ref = quantspec::ref;

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

// Q6.8: every command derives the multiplier from scales on one code path. Scales from issue 9,
// where the two paths differed: fl32(Sx*Sw) = 0x1.22e5e2p-12, fl32(fl32(Sx*Sw)/Sy) =
// 0x1.ba269ap-11 (numpy float32 arithmetic gives the same), significand 0xDD134D = 14488397,
// multiplier 14488397 * 2^7 = 1854514816, shift -10 (M in [2^-11, 2^-10)). fl32 of the exact
// M is 0x1.ba269cp-11 instead (-> 1854514944), which `requantize` used to take.
TEST(CliMultiplier, EveryCommandDerivesTheSameMultiplierFromScales) {
  const std::vector<std::string> scales{"0x1.0ed2aep-5", "0x1.12f9ecp-7", "0x1.50da56p-2"};
  const CliRun m = quantspec({"multiplier", "--scales", scales[0], scales[1], scales[2],
                              "--derivation", "rndnu", "--json"});
  ASSERT_EQ(m.exit_code, 0) << m.err;
  EXPECT_EQ(m.parsed()["multiplier"], 1854514816);
  EXPECT_EQ(m.parsed()["shift"], -10);
  for (const char* derivation : {"exact", "tflite", "rndnu"}) {
    const CliRun d = quantspec({"multiplier", "--scales", scales[0], scales[1], scales[2],
                                "--derivation", derivation, "--json"});
    ASSERT_EQ(d.exit_code, 0) << d.err;
    for (const char* variant : {"double_round", "single_round"}) {
      const CliRun r = quantspec({"requantize", "--acc", "1000", "--scales", scales[0], scales[1],
                                  scales[2], "--variant", variant, "--derivation", derivation,
                                  "--json"});
      ASSERT_EQ(r.exit_code, 0) << r.err;
      EXPECT_EQ(r.parsed()["multiplier"], d.parsed()["multiplier"]) << variant << " " << derivation;
      EXPECT_EQ(r.parsed()["shift"], d.parsed()["shift"]) << variant << " " << derivation;
    }
  }
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

// Q7.2 step 1 members (Example Q7.E3, derived in reference/tests/test_requantize.cc):
// acc = 2^29, (2^30, 3): saturate 2^30, wrap 0; wrap is refused for other variants (by the CLI,
// which refuses the option itself there, before the reference's left_shift_overflow check).
TEST(CliRequantize, LeftShiftOverflowMembers) {
  const std::vector<std::string> base{"--acc", "536870912", "--multiplier", "1073741824",
                                      "--shift", "3", "--variant", "double_round", "--qmin",
                                      "-2147483648", "--qmax", "2147483647"};
  std::vector<std::string> wrap = base;
  wrap.insert(wrap.end(), {"--left-shift-overflow", "wrap"});
  EXPECT_EQ(requantized(base), 1073741824);
  EXPECT_EQ(requantized(wrap), 0);
  expect_rejected({"requantize", "--acc", "1", "--multiplier", "1073741824", "--shift", "3",
                   "--variant", "single_round", "--left-shift-overflow", "wrap"},
                  "--left-shift-overflow");
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

// SPEC Q11.11 (TVM qnn.requantize, float compute dtype) through the CLI, on the counterexamples
// derived in reference/tests/test_tvm_onnx_members.cc and here:
// - Sin = fl32(5/6) = 0x1.aaaaaap-1, Sout = 1, acc = 3: acc*M = 2.5 - 2^-24; float32 rounds the
//   product onto 2.5 (quantum 2^-22 in [2, 4)), UPWARD floor(3) = 3; float64 floor(3 - 2^-24) = 2.
// - Sin = 0.05f, Sout = 0.1f: 0.05f = 0.1f / 2 exactly, so M = 1/2; acc = -5: t' = -2.5, UPWARD
//   floor(-2) = -2, llvm.round (half away) -3, the no-SSE4.1 lowering -trunc(3) = -3.
// - Sin = 0x1.fffffep-2, Sout = 1, acc = -1, float32: t' = -(1/2 - 2^-25); the no-SSE4.1
//   lowering rounds fl32(1/2 - 2^-25 + 1/2) = 1 and gives -1, llvm.round gives 0.
TEST(CliRequantize, TvmFloatMembers) {
  auto tvm = [](const char* acc, const char* sin, const char* sout, const char* member,
                const char* dtype) {
    return requantized({"--acc", acc, "--input-scale", sin, "--output-scale", sout, "--variant",
                        member, "--compute-dtype", dtype});
  };
  EXPECT_EQ(tvm("3", "0x1.aaaaaap-1", "1", "tvm_fp_upward", "float32"), 3);
  EXPECT_EQ(tvm("3", "0x1.aaaaaap-1", "1", "tvm_fp_upward", "float64"), 2);
  EXPECT_EQ(tvm("-5", "0.05", "0.1", "tvm_fp_upward", "float32"), -2);
  EXPECT_EQ(tvm("-5", "0.05", "0.1", "tvm_fp_tonearest", "float32"), -3);
  EXPECT_EQ(tvm("-5", "0.05", "0.1", "tvm_fp_tonearest_nosse41", "float64"), -3);
  EXPECT_EQ(tvm("-1", "0x1.fffffep-2", "1", "tvm_fp_tonearest_nosse41", "float32"), -1);
  EXPECT_EQ(tvm("-1", "0x1.fffffep-2", "1", "tvm_fp_tonearest", "float32"), 0);
  // Zy enters before the rounding: t' = -2.5 + 10 = 7.5 -> 8 under UPWARD (floor(8)).
  EXPECT_EQ(requantized({"--acc", "-5", "--input-scale", "0.05", "--output-scale", "0.1",
                         "--zero-point", "10", "--variant", "tvm_fp_upward", "--compute-dtype",
                         "float32"}),
            8);
  expect_rejected({"requantize", "--acc", "1", "--input-scale", "0.1", "--output-scale", "0.1",
                   "--variant", "tvm_fp_upward"},
                  "--compute-dtype");
  expect_rejected({"requantize", "--acc", "1", "--multiplier", "1073741824", "--shift", "0",
                   "--variant", "tvm_fp_upward", "--compute-dtype", "float32"},
                  "--multiplier");
  expect_rejected({"requantize", "--acc", "1", "--multiplier", "1073741824", "--shift", "0",
                   "--variant", "double_round", "--compute-dtype", "float32"},
                  "--compute-dtype");
  expect_rejected({"requantize", "--acc", "1", "--input-scale", "0", "--output-scale", "0.1",
                   "--variant", "tvm_fp_upward", "--compute-dtype", "float32"},
                  "input_scale");
  const CliRun help = quantspec({"requantize", "--help"});
  EXPECT_EQ(help.exit_code, 0);
  for (const char* name : {"tvm_fp_upward", "tvm_fp_tonearest_nosse41", "--compute-dtype"}) {
    EXPECT_NE(help.out.find(name), std::string::npos) << name;
  }
}

// SPEC Q11.12 (ONNX QuantizeLinear >= 21) through the CLI: x = 0.25, S = fl16(0.1) = 0x1.998p-4:
// x/S = 2.5006..., fl16 of it 2.5 (quantum 2^-9 in [2, 4)), ties to even 2; the binary32
// quotient 2.50061 gives 3. bfloat16, S = 0x1.9ap-4, x = 0.75: x/S = 7.4927..., bf16 (quantum
// 2^-5 in [4, 8)) 7.5 -> 8. precision float16 on binary32 operands 1.55f, 0.1f: fl16(1.55f) =
// 0x1.8ccp+0 = 1.5498046875, fl16(0.1f) = 0x1.998p-4 = 0.0999755859375, quotient 15.5018...
// -> fl16 (quantum 2^-7 in [8, 16)) 15.5 -> 16 (f32_divide 15).
TEST(CliQuantize, NarrowDivisionMembers) {
  EXPECT_EQ(quantized({"--x", "0.25", "--scale", "0x1.998p-4", "--division", "f16_divide"}), 2);
  EXPECT_EQ(quantized({"--x", "0.25", "--scale", "0x1.998p-4", "--division", "f32_divide"}), 3);
  EXPECT_EQ(quantized({"--x", "0.75", "--scale", "0x1.9ap-4", "--division", "bf16_divide"}), 8);
  EXPECT_EQ(quantized({"--x", "0.75", "--scale", "0x1.9ap-4", "--division", "f32_divide"}), 7);
  EXPECT_EQ(quantized({"--x", "1.55", "--scale", "0.1", "--division", "f16_divide"}), 16);
  EXPECT_EQ(quantized({"--x", "1.55", "--scale", "0.1", "--division", "f32_divide"}), 15);
  expect_rejected({"quantize", "--x", "1", "--scale", "1e-9", "--division", "f16_divide"}, "scale");
  const CliRun help = quantspec({"quantize", "--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("bf16_divide"), std::string::npos) << help.out;
}

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
  // A conv2d-only key in a linear file is unknown to linear (was CLI::OptionNotFound, exit 3;
  // found by tools/fuzz/fuzz_explain_file).
  expect_rejected({"explain", "linear", "--file",
                   write_file("linear_padding.json", R"({"x": [1], "w": [1], "padding": 1})")},
                  "--file");
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
        {"requantize"}, {"explain"}, {"explain", "linear"}, {"explain", "conv2d"}, {"conform"}, {"report", "merge"},
        {"bench"}, {"vectors"}, {"vectors", "generate"}, {"vectors", "check"},
        {"vectors", "identify"}}) {
    cmd.push_back("--help");
    const CliRun r = quantspec(cmd);
    EXPECT_EQ(r.exit_code, 0) << cmd.front() << r.err;
    EXPECT_NE(r.out.find("Usage"), std::string::npos) << cmd.front() << r.out;
  }
}

// --threads is the peer comparison's (quantspec_peer_bench): without --peers, or outside
// 1..256, it is bad input (exit 2, naming the option) before any benchmark binary is looked for.
TEST(CliBench, ThreadsOutsideThePeerComparisonOrRangeIsBadInput) {
  const CliRun without_peers = quantspec({"bench", "--threads", "2"});
  EXPECT_EQ(without_peers.exit_code, 2) << without_peers.err;
  EXPECT_NE(without_peers.err.find("--threads"), std::string::npos) << without_peers.err;
  for (const char* count : {"0", "257"}) {
    const CliRun r = quantspec({"bench", "--peers", "--threads", count});
    EXPECT_EQ(r.exit_code, 2) << count << r.err;
    EXPECT_NE(r.err.find("--threads"), std::string::npos) << count << r.err;
  }
}

// A missing or malformed results file is bad input (exit 2) whether or not the vectors
// library is built in (then the command says "not built", also exit 2).
TEST(CliVectors, MissingResultsFileIsBadInput) {
  const CliRun r = quantspec({"vectors", "check", "--results", "/nonexistent/results.json"});
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
}

// --- calibrate (Q18) on .npy fixtures written by numpy (tools/tests/fixtures/make_npy_fixtures.py) ---

std::string fixture(const std::string& name) {
  return std::string(QUANTSPEC_CLI_FIXTURES) + "/" + name;
}

// Per-column (axis 1) ranges of a 2x3 fixture as "min:max,min:max,min:max" (hex-floats).
std::string column_ranges(const std::string& file) {
  const CliRun r = quantspec({"calibrate", "--data", fixture(file), "--per-channel", "1", "--json"});
  EXPECT_EQ(r.exit_code, 0) << file << ": " << r.err;
  if (r.exit_code != 0) return "<failed>";
  std::string ranges;
  const json parsed = r.parsed();
  for (const json& c : parsed["channels"]) {
    ranges += (ranges.empty() ? "" : ",") + c["min"].get<std::string>() + ":" +
              c["max"].get<std::string>();
  }
  return ranges;
}

// real = [[0.5, -1.5, 3], [2.5, 1, -0.25]]: columns [0.5, 2.5], [-1.5, 1], [-0.25, 3] in
// every byte order, element size, version and memory order.
TEST(CliCalibrate, NpyFloatFixturesInEveryLayout) {
  const std::string expected = "0x1p-1:0x1.4p+1,-0x1.8p+0:0x1p+0,-0x1p-2:0x1.8p+1";
  for (const char* file : {"f4_le_c_v1.npy", "f4_be_fortran_v1.npy", "f8_le_c_v2.npy",
                           "f8_be_fortran_v3.npy"}) {
    EXPECT_EQ(column_ranges(file), expected) << file;
  }
}

// signed = [[1, -2, 3], [4, 5, -6]]; unsigned = [[1, 2, 3], [4, 5, 6]].
TEST(CliCalibrate, NpyIntegerFixtures) {
  const std::string signed_columns = "0x1p+0:0x1p+2,-0x1p+1:0x1.4p+2,-0x1.8p+2:0x1.8p+1";
  EXPECT_EQ(column_ranges("i1_c_v1.npy"), signed_columns);
  EXPECT_EQ(column_ranges("i4_le_c_v1.npy"), signed_columns);
  EXPECT_EQ(column_ranges("i4_be_c_v2.npy"), signed_columns);
  EXPECT_EQ(column_ranges("u1_fortran_v1.npy"), "0x1p+0:0x1p+2,0x1p+1:0x1.4p+2,0x1.8p+1:0x1.8p+2");
}

TEST(CliCalibrate, BadFilesNameTheFileAndField) {
  expect_rejected({"calibrate", "--data", fixture("c8_unsupported_v1.npy")},
                  "c8_unsupported_v1.npy: descr");
  expect_rejected({"calibrate", "--data", fixture("f4_truncated_v1.npy")},
                  "f4_truncated_v1.npy: data");
  expect_rejected({"calibrate", "--data", fixture("f4_nan_v1.npy")}, "data[0]");  // Q18.1
  expect_rejected({"calibrate", "--data", fixture("ragged.csv")}, "ragged.csv: row 2");
  expect_rejected({"calibrate", "--data", fixture("make_npy_fixtures.py")}, ": file");
  expect_rejected({"calibrate", "--data", fixture("real.csv"), "--observer", "median"}, "--observer");
  expect_rejected({"calibrate", "--data", fixture("real.csv"), "--observer", "percentile",
                   "--percentile", "101"}, "percentile");
  expect_rejected({"calibrate", "--data", fixture("real.csv"), "--observer", "max_abs",
                   "--per-channel", "0"}, "--per-channel");
}

// Q18.2 then Q1.2 through the CLI: the CSV's extremes are [-1.5, 3]: S = fl32(4.5/255),
// Z = round(-128 + 1.5/S), 1.5/(4.5/255) = 85 (S's rounding moves it by < 1e-6) -> -43.
TEST(CliCalibrate, MinMaxFromCsv) {
  const CliRun r = quantspec({"calibrate", "--data", fixture("real.csv"), "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json j = r.parsed();
  EXPECT_EQ(j["min"], "-0x1.8p+0");
  EXPECT_EQ(j["max"], "0x1.8p+1");
  EXPECT_EQ(j["scale"], quantspec::ref::hex_float(quantspec::ref::round_to_binary32(
                            quantspec::ref::Rational(9, 2) / 255)));
  EXPECT_EQ(j["zero_point"], -43);
  EXPECT_EQ(j["elements"], 6);
}

// Q18.3 over the rows as batches, c = 0.5: rows [0.5, -1.5, 3] then [2.5, 1, -0.25];
// min -1.5 + 0.5 * (-0.25 + 1.5) = -0.875, max 3 + 0.5 * (2.5 - 3) = 2.75 (all exact).
// Q18.4: max |x| = 3 -> [-3, 3]; symmetric int8 S = fl32(3/127).
// Q18.5 symmetric p = 50 of |x| = [0.25, 0.5, 1, 1.5, 2.5, 3]: h = 2.5 -> 1.25.
TEST(CliCalibrate, MovingAverageMaxAbsAndPercentile) {
  const std::string data = fixture("f4_le_c_v1.npy");
  const CliRun moving = quantspec({"calibrate", "--data", data, "--observer", "moving_average",
                                   "--averaging-constant", "0.5", "--json"});
  ASSERT_EQ(moving.exit_code, 0) << moving.err;
  EXPECT_EQ(moving.parsed()["min"], "-0x1.cp-1");
  EXPECT_EQ(moving.parsed()["max"], "0x1.6p+1");
  const CliRun max_abs = quantspec(
      {"calibrate", "--data", data, "--observer", "max_abs", "--symmetric", "--json"});
  ASSERT_EQ(max_abs.exit_code, 0) << max_abs.err;
  EXPECT_EQ(max_abs.parsed()["min"], "-0x1.8p+1");
  EXPECT_EQ(max_abs.parsed()["scale"], quantspec::ref::hex_float(quantspec::ref::round_to_binary32(
                                           quantspec::ref::Rational(3, 127))));
  EXPECT_EQ(max_abs.parsed()["zero_point"], 0);
  const CliRun pct = quantspec({"calibrate", "--data", data, "--observer", "percentile",
                                "--percentile", "50", "--symmetric", "--json"});
  ASSERT_EQ(pct.exit_code, 0) << pct.err;
  EXPECT_EQ(pct.parsed()["max"], "0x1.4p+0");
  EXPECT_EQ(pct.parsed()["min"], "-0x1.4p+0");
}

// Example Q19.E1 through the CLI: 100 x 1.0 and one 14.0, int4 symmetric, 4 bins -> T = 10.5,
// S = 1.5 (derivation in test_histogram_calibration.cc).
TEST(CliCalibrate, MseExampleQ19E1) {
  std::string csv;
  for (int i = 0; i < 100; ++i) csv += "1\n";
  csv += "14\n";
  const std::string path = write_file("q19e1.csv", csv);
  const CliRun r = quantspec({"calibrate", "--data", path, "--observer", "mse", "--bins", "4",
                              "--dtype", "int4", "--symmetric", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.parsed()["max"], "0x1.5p+3");
  EXPECT_EQ(r.parsed()["scale"], "0x1.8p+0");
  expect_rejected({"calibrate", "--data", path, "--observer", "mse", "--bins", "1", "--symmetric"},
                  "--bins");
  // Without --symmetric the asymmetric search of Q19.2 runs (CliCalibrate.MseAsymmetricExampleQ19E3).
}

// --- fake-quant (Q15). x = 0.75, S = 0.1f, int8: exact 7 * 0.1f (0.75/0.1f = 7.4999999...);
// PyTorch 1.13 published (torch.ops.aten.fake_quantize_per_tensor_affine_cachemask run here,
// see reference/tests/test_fake_quant.cc) 0x1.99999ap-1 with mask true; TensorFlow with
// [-12.8, 12.7] nudges to S = 0.1f, Z = 128 (derivation in Example Q15.E1). ---
TEST(CliFakeQuant, VariantsDifferOnTheBinary32Tie) {
  const CliRun exact = quantspec({"fake-quant", "--x", "0.75", "--scale", "0.1", "--json"});
  ASSERT_EQ(exact.exit_code, 0) << exact.err;
  EXPECT_EQ(exact.parsed()["value"], "0x1.666666p-1");
  EXPECT_EQ(exact.parsed()["q"], 7);
  const CliRun torch =
      quantspec({"fake-quant", "--x", "0.75", "--scale", "0.1", "--variant", "pytorch", "--json"});
  ASSERT_EQ(torch.exit_code, 0) << torch.err;
  EXPECT_EQ(torch.parsed()["value"], "0x1.99999ap-1");
  EXPECT_EQ(torch.parsed()["mask"], true);
  const CliRun tf = quantspec({"fake-quant", "--x", "0.75", "--variant", "tensorflow", "--min",
                               "-12.8", "--max", "12.7", "--tf-op", "args", "--json"});
  ASSERT_EQ(tf.exit_code, 0) << tf.err;
  EXPECT_EQ(tf.parsed()["value"], "0x1.99999ap-1");
  EXPECT_EQ(tf.parsed()["nudged"]["nudged_zero_point"], 128);
  // 12.75 / 0.1 = 127.5 -> 128 (half_even): outside the int8 grid, no gradient (PyTorch
  // published: mask false).
  const CliRun clamp = quantspec({"fake-quant", "--x", "12.75", "--scale", "0.1", "--variant",
                                  "pytorch"});
  EXPECT_NE(clamp.out.find("mask (straight-through, Q16.1): 0"), std::string::npos) << clamp.out;
  EXPECT_EQ(quantspec({"fake-quant", "--help"}).exit_code, 0);
  expect_rejected({"fake-quant", "--x", "1", "--scale", "0"}, "scale");
  expect_rejected({"fake-quant", "--x", "1"}, "--scale");
  expect_rejected({"fake-quant", "--x", "1", "--variant", "tensorflow", "--max", "1"}, "--min");
  expect_rejected({"fake-quant", "--x", "1", "--variant", "tensorflow", "--min", "2", "--max",
                   "1"},
                  "min");
  expect_rejected({"fake-quant", "--x", "1", "--scale", "1", "--variant", "onnx"}, "--variant");
}


// --- dynamic-quantize (Q17): the ONNX 1.12 node test test_dynamicquantizelinear (Debian
// libonnx-testdata): y = [153, 255, 0, 26, 221, 179], y_scale 0x1.414142p-6, Z = 153. ---
TEST(CliDynamicQuantize, OnnxNodeTestAndPerRow) {
  const CliRun r = quantspec({"dynamic-quantize", "--x", "0,2,-3,-2.5,1.34,0.5", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.parsed()["scale"], "0x1.414142p-6");
  EXPECT_EQ(r.parsed()["zero_point"], 153);
  EXPECT_EQ(r.parsed()["q"], json::parse("[153, 255, 0, 26, 221, 179]"));
  // Per row (Q17.2): row 0 amax 127 -> S = 1, half_even; row 1 all zero -> the floor.
  const CliRun p = quantspec({"dynamic-quantize", "--x", "127,-63.5,0,0", "--per-row", "2",
                              "--scale-floor", "0x1p-20", "--json"});
  ASSERT_EQ(p.exit_code, 0) << p.err;
  EXPECT_EQ(p.parsed()["scales"], json::parse(R"(["0x1p+0", "0x1p-20"])"));
  EXPECT_EQ(p.parsed()["q"], json::parse("[127, -64, 0, 0]"));
  EXPECT_EQ(quantspec({"dynamic-quantize", "--help"}).exit_code, 0);
  expect_rejected({"dynamic-quantize", "--x", "1,nan"}, "x");
  expect_rejected({"dynamic-quantize", "--x", "1,2,3", "--per-row", "2"}, "rows");
  expect_rejected({"dynamic-quantize", "--x", "1,2", "--per-row", "1", "--scale-floor", "0"},
                  "scale_floor");
}

// --- conform: the shard of an exhaustive campaign from the scheduler's environment ---

// Sets the given environment variables for its lifetime, with every scheduler variable the
// test does not name unset (a sharded test run must not leak its own into the child).
using Variables = std::vector<std::pair<std::string, std::string>>;

class SchedulerEnvironment {
 public:
  explicit SchedulerEnvironment(const std::vector<std::pair<std::string, std::string>>& variables) {
    for (const char* name : {"JOB_COMPLETION_INDEX", "SLURM_ARRAY_TASK_ID", "SLURM_ARRAY_TASK_COUNT",
                             "SLURM_ARRAY_TASK_MIN", "GTEST_SHARD_INDEX", "GTEST_TOTAL_SHARDS"}) {
      const char* value = std::getenv(name);
      saved_.emplace_back(name, value ? std::optional<std::string>(value) : std::nullopt);
      ::unsetenv(name);
    }
    for (const auto& [name, value] : variables) ::setenv(name.c_str(), value.c_str(), 1);
  }
  ~SchedulerEnvironment() {
    for (const auto& [name, value] : saved_) {
      if (value) {
        ::setenv(name.c_str(), value->c_str(), 1);
      } else {
        ::unsetenv(name.c_str());
      }
    }
  }

 private:
  std::vector<std::pair<std::string, std::optional<std::string>>> saved_;
};

// The shard the report says it covered, for a short exhaustive run (dequantize has no
// exhaustive sweep, so a shard other than 0 runs nothing and shard 0 only its catalogue).
json shard_of_run(const std::vector<std::pair<std::string, std::string>>& variables,
                  std::vector<std::string> extra = {}) {
  const SchedulerEnvironment environment(variables);
  const std::string report = std::string(QUANTSPEC_CLI_TEST_TMP) + "/shard-report.json";
  std::remove(report.c_str());
  std::vector<std::string> args = {"conform", "--exhaustive", "--op", "dequantize", "--cases", "5",
                                   "--report", report};
  args.insert(args.end(), extra.begin(), extra.end());
  const CliRun r = quantspec(args);
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  return json::parse(slurp(report))["shard"];
}

TEST(CliConformShards, TakesTheShardFromTheScheduler) {
  const json k8s = shard_of_run({{"JOB_COMPLETION_INDEX", "2"}}, {"--shard-count", "3"});
  EXPECT_EQ(k8s, (json{{"index", 2}, {"count", 3}}));
  // Slurm: --array=5-8 gives task IDs 5..8, MIN 5, COUNT 4; ID 7 is shard 2 of 4.
  const json slurm = shard_of_run(
      {{"SLURM_ARRAY_TASK_ID", "7"}, {"SLURM_ARRAY_TASK_MIN", "5"}, {"SLURM_ARRAY_TASK_COUNT", "4"}});
  EXPECT_EQ(slurm, (json{{"index", 2}, {"count", 4}}));
  const json gtest = shard_of_run({{"GTEST_SHARD_INDEX", "1"}, {"GTEST_TOTAL_SHARDS", "5"}});
  EXPECT_EQ(gtest, (json{{"index", 1}, {"count", 5}}));
  // An explicit --shard wins over the environment.
  const json explicit_shard = shard_of_run({{"GTEST_SHARD_INDEX", "1"}, {"GTEST_TOTAL_SHARDS", "5"}},
                                           {"--shard", "3/4"});
  EXPECT_EQ(explicit_shard, (json{{"index", 3}, {"count", 4}}));
  EXPECT_EQ(shard_of_run({}), (json{{"index", 0}, {"count", 1}}));
}

TEST(CliConformShards, RejectsInconsistentShards) {
  const std::vector<std::string> run = {"conform", "--exhaustive", "--op", "dequantize", "--cases", "5"};
  {
    const SchedulerEnvironment environment(Variables{{"JOB_COMPLETION_INDEX", "0"}});
    expect_rejected(run, "--shard-count");  // Kubernetes does not tell the pod the count
  }
  {
    const SchedulerEnvironment environment(Variables{{"SLURM_ARRAY_TASK_ID", "4"}, {"SLURM_ARRAY_TASK_COUNT", "4"}});
    expect_rejected(run, "SLURM_ARRAY_TASK_ID");  // IDs 0..3
  }
  {
    const SchedulerEnvironment environment(Variables{{"SLURM_ARRAY_TASK_ID", "1"}});
    expect_rejected(run, "SLURM_ARRAY_TASK_COUNT");
  }
  {
    const SchedulerEnvironment environment(Variables{{"GTEST_SHARD_INDEX", "1"}, {"GTEST_TOTAL_SHARDS", "2"},
                                            {"SLURM_ARRAY_TASK_ID", "0"}, {"SLURM_ARRAY_TASK_COUNT", "2"}});
    expect_rejected(run, "GTEST_SHARD_INDEX");  // two schedulers that disagree
  }
  const SchedulerEnvironment none(Variables{});
  expect_rejected({"conform", "--shard", "0/2", "--op", "dequantize"}, "--shard");  // needs --exhaustive
  expect_rejected({"conform", "--exhaustive", "--shard-count", "2", "--op", "dequantize"}, "--shard-count");
  expect_rejected({"conform", "--plugin", "/nonexistent.so", "--target", "AVX2"}, "--target");
}


// --- report merge ---

// Two real shard reports of one short exhaustive run (dequantize: shard 0 runs its catalogue
// and properties, shard 1 nothing), written once.
const std::vector<std::string>& shard_reports() {
  static const std::vector<std::string> paths = [] {
    const SchedulerEnvironment none(Variables{});
    std::vector<std::string> p;
    for (int i = 0; i < 2; ++i) {
      p.push_back(std::string(QUANTSPEC_CLI_TEST_TMP) + "/shard" + std::to_string(i) + ".json");
      const CliRun r = quantspec({"conform", "--exhaustive", "--op", "dequantize", "--cases", "5", "--shard",
                                  std::to_string(i) + "/2", "--report", p.back()});
      EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    }
    return p;
  }();
  return paths;
}

std::string edited_copy(const std::string& path, const std::string& name, const std::function<void(json&)>& edit) {
  json j = json::parse(slurp(path));
  edit(j);
  return write_file(name, j.dump(2));
}

TEST(CliReportMerge, CombinesEveryShardOnce) {
  const auto& shards = shard_reports();
  const std::string merged = std::string(QUANTSPEC_CLI_TEST_TMP) + "/merged.json";
  const CliRun r = quantspec({"report", "merge", "--out", merged, shards[1], shards[0]});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  const json m = json::parse(slurp(merged));
  const json first = json::parse(slurp(shards[0]));
  EXPECT_EQ(m["shard"], (json{{"index", 0}, {"count", 1}}));
  EXPECT_EQ(m["merged_shards"], 2);
  EXPECT_EQ(m["build"], first["build"]);
  ASSERT_EQ(m["results"].size(), first["results"].size());
  EXPECT_EQ(m["failed"], false);
  // Shard 1 ran no case (dequantize has no exhaustive sweep): the counts are shard 0's.
  for (std::size_t i = 0; i < m["results"].size(); ++i) {
    EXPECT_EQ(m["results"][i]["cases"], first["results"][i]["cases"]) << i;
    EXPECT_EQ(m["results"][i]["status"], first["results"][i]["status"]) << i;
  }
}

TEST(CliReportMerge, AFailureInAnyShardFailsTheMerge) {
  const auto& shards = shard_reports();
  const std::string failing = edited_copy(shards[1], "shard1-fail.json", [](json& j) {
    j["results"][0]["status"] = "FAIL";
    j["results"][0]["failed_check"] = "planted";
  });
  const std::string merged = std::string(QUANTSPEC_CLI_TEST_TMP) + "/merged-fail.json";
  const CliRun r = quantspec({"report", "merge", "--out", merged, shards[0], failing});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  const json m = json::parse(slurp(merged));
  EXPECT_EQ(m["failed"], true);
  EXPECT_EQ(m["results"][0]["status"], "FAIL");
  EXPECT_EQ(m["results"][0]["failed_check"], "planted");
}

TEST(CliReportMerge, RefusesMissingDuplicatedOrForeignShards) {
  const auto& shards = shard_reports();
  const std::string out = std::string(QUANTSPEC_CLI_TEST_TMP) + "/merged-bad.json";
  CliRun r = quantspec({"report", "merge", "--out", out, shards[0]});
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_NE(r.err.find("missing shard 1"), std::string::npos) << r.err;
  r = quantspec({"report", "merge", "--out", out, shards[0], shards[1], shards[1]});
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_NE(r.err.find("shard 1/2 in both"), std::string::npos) << r.err;
  const std::string other_build = edited_copy(shards[1], "shard1-other-build.json",
                                              [](json& j) { j["build"] = "exe:0123456789abcdef"; });
  r = quantspec({"report", "merge", "--out", out, shards[0], other_build});
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_NE(r.err.find("build"), std::string::npos) << r.err;
  const std::string other_seed = edited_copy(shards[1], "shard1-other-seed.json", [](json& j) { j["seed"] = 2; });
  r = quantspec({"report", "merge", "--out", out, shards[0], other_seed});
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_NE(r.err.find("seed"), std::string::npos) << r.err;
  const std::string other_count = edited_copy(shards[1], "shard1-of-3.json", [](json& j) { j["shard"]["count"] = 3; });
  r = quantspec({"report", "merge", "--out", out, shards[0], other_count});
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  expect_rejected({"report", "merge", "--out", out, write_file("not-a-report.json", "[1, 2]")}, "report");
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

// --- fold-bn (Q14) ---

// Example Q14.E1 through the CLI (SPEC.md Q14.7, derivation in reference/tests/test_bn_fold.cc):
// channel 1's first weight is 0x1.b205d4p-2 exact and 0x1.b205d6p-2 under PyTorch's order
// (PyTorch 1.13's fuse_linear_bn_weights prints the latter, run here); the integers agree.
std::vector<std::string> q14_example(const std::string& variant) {
  return {"fold-bn", "--layer", "linear", "--weight", "3,-1.25,0.3,-0.75", "--bias", "1,0",
          "--mean", "0.5,-0.2", "--var", "0x1.ffep+1,0.5", "--gamma", "1.5,1", "--beta", "0.25,0",
          "--eps", "0x1p-10", "--input-scale", "0x1p-6", "--variant", variant, "--json"};
}

TEST(CliFoldBn, ExampleQ14E1BothVariants) {
  const CliRun exact = quantspec(q14_example("exact"));
  ASSERT_EQ(exact.exit_code, 0) << exact.err;
  const json e = exact.parsed();
  EXPECT_EQ(e["weight"], json({"0x1.2p+1", "-0x1.ep-1", "0x1.b205d4p-2", "-0x1.0f43a4p+0"}));
  EXPECT_EQ(e["bias"], json({"0x1.4p-1", "0x1.215938p-2"}));
  EXPECT_EQ(e["quantized"]["weight_scales"], json({"0x1.22448ap-6", "0x1.11667p-7"}));
  EXPECT_EQ(e["quantized"]["weight_q"], json({127, -53, 51, -127}));
  EXPECT_EQ(e["quantized"]["bias_q"], json({2258, 2167}));
  const CliRun torch = quantspec(q14_example("pytorch"));
  ASSERT_EQ(torch.exit_code, 0) << torch.err;
  const json t = torch.parsed();
  EXPECT_EQ(t["weight"][2], "0x1.b205d6p-2");
  EXPECT_EQ(t["pytorch_steps"][1]["rsqrt"], "0x1.69af86p+0");
  EXPECT_EQ(t["quantized"]["weight_q"], e["quantized"]["weight_q"]);
  // The text form names each step.
  std::vector<std::string> text_args = q14_example("pytorch");
  text_args.pop_back();
  const CliRun text = quantspec(text_args);
  EXPECT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("rsqrt 0x1.69af86p+0"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("w_q = 51 -127"), std::string::npos) << text.out;
}

// The same layer from a JSON file (numbers as text are rounded once; a JSON number is a
// binary64 first: 0.5 and 1.5 are exact either way) gives the same result as the options.
TEST(CliFoldBn, JsonFileEqualsOptions) {
  const std::string path = write_file("fold_bn_q14e1.json", R"({
    "layer": "linear", "out_channels": 2,
    "weight": [3, -1.25, "0.3", -0.75], "bias": [1, 0], "mean": [0.5, "-0.2"],
    "var": ["0x1.ffep+1", 0.5], "gamma": [1.5, 1], "beta": [0.25, 0], "eps": "0x1p-10"})");
  const CliRun r = quantspec({"fold-bn", "--file", path, "--input-scale", "0x1p-6", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const CliRun o = quantspec(q14_example("exact"));
  EXPECT_EQ(r.parsed(), o.parsed());
}

TEST(CliFoldBn, BadInputNamesTheParameter) {
  const std::vector<std::string> base = {"fold-bn", "--weight", "1,2", "--mean", "0,0", "--var", "1,1"};
  auto with = [&](std::vector<std::string> extra) {
    std::vector<std::string> args = base;
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
  };
  expect_rejected(with({"--eps", "0"}), "eps");
  expect_rejected(with({"--eps", "-1e-5"}), "eps");
  expect_rejected({"fold-bn", "--weight", "1,2", "--mean", "0,0", "--var", "1,-1"}, "variance[1]");
  expect_rejected({"fold-bn", "--weight", "1,2,3", "--mean", "0,0", "--var", "1,1"}, "weight");
  expect_rejected(with({"--gamma", "1,1,1"}), "gamma");
  expect_rejected({"fold-bn", "--weight", "1,nan", "--mean", "0,0", "--var", "1,1"}, "weight[1]");
  expect_rejected(with({"--beta", "inf,0"}), "beta[0]");
  expect_rejected(with({"--variant", "tflite"}), "--variant");
  expect_rejected(with({"--layer", "conv3d"}), "--layer");
  expect_rejected({"fold-bn", "--mean", "0", "--var", "1"}, "weight");
  expect_rejected({"fold-bn", "--file", "/nonexistent/bn.json"}, "--file");
  expect_rejected(with({"--input-scale", "0"}), "input_scale");
  // W' = 2 * FLT_MAX overflows binary32: the folded layer cannot be quantized.
  expect_rejected({"fold-bn", "--weight", "0x1.fffffep+127", "--mean", "0", "--var", "0.1875",
                   "--eps", "0.0625", "--gamma", "1"},
                  "folded_weight[0]");
  const CliRun help = quantspec({"fold-bn", "--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("Q14"), std::string::npos) << help.out;
}

// --- explain ... --then (Q9 followed by a Q12 non-linear layer) ---

// Example Q9.E1's layer gives q = [40, -12] on Sy = 2^-5, Zy = 5 (SPEC.md Q9.E1). Then tanh
// with So = 2^-7, Zo = 0: x = (q - 5)/32 = [1.09375, -0.53125], 128 tanh x = [102.175...,
// -62.251...] (far from ties, computed here in binary64) -> [102, -62] by both methods.
std::vector<std::string> q9_then(const std::string& method) {
  return {"explain", "linear", "--x", "0.5,-1.25", "--w", "0.75,-0.5,0.25,0.375", "--w-shape", "2x2",
          "--b", "0.1,-0.2", "--x-scale", "0x1p-6", "--x-zero-point", "10", "--w-scale",
          "0x1p-7,0x1p-8", "--y-scale", "0x1p-5", "--y-zero-point", "5", "--then", "tanh",
          "--then-scale", "0x1p-7", "--method", method};
}

TEST(CliExplainThen, TanhAfterTheLinearLayerByFloatAndByTable) {
  for (const std::string method : {"float", "lut"}) {
    std::vector<std::string> args = q9_then(method);
    args.push_back("--json");
    const CliRun r = quantspec(args);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const json j = r.parsed();
    EXPECT_EQ(j["y_q"], json({40, -12})) << method;
    EXPECT_EQ(j["then"]["q"], json({102, -62})) << method;
    EXPECT_EQ(j["then"]["method"], method);
  }
  const CliRun text = quantspec(q9_then("float"));
  EXPECT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("Step 5  then tanh"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("x = (q - Zy)*Sy = 35/32"), std::string::npos) << text.out;
  const CliRun lut = quantspec(q9_then("lut"));
  EXPECT_NE(lut.out.find("table[244] = -62"), std::string::npos) << lut.out;  // (uint8)-12 = 244
  // --method pwl: the CLI's outputs are the reference's Q13.4 chords evaluated at y_q, within
  // the proven bound of the exact results 102, -62 above.
  {
    ref::LutParams p;
    p.dtype = ref::DType::int8;
    p.input_scale = 0x1p-5f;
    p.input_zero_point = 5;
    p.output_scale = 0x1p-7f;
    p.output_zero_point = 0;
    const ref::PwlTable table = ref::fit_pwl(ref::NonlinearFunction::tanh, p, 4);
    const std::int64_t bound = ref::pwl_error_bound(ref::NonlinearFunction::tanh, p, table);
    std::vector<std::string> args = q9_then("pwl");
    args.insert(args.end(), {"--segments", "4", "--json"});
    const CliRun r = quantspec(args);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const json j = r.parsed();
    EXPECT_EQ(j["then"]["q"], json({ref::pwl_evaluate(table, 40), ref::pwl_evaluate(table, -12)}));
    EXPECT_EQ(j["then"]["error_bound"], bound);
    EXPECT_LE(std::abs(j["then"]["q"][0].get<int>() - 102), bound);
    EXPECT_LE(std::abs(j["then"]["q"][1].get<int>() + 62), bound);
    std::vector<std::string> stray = q9_then("float");
    stray.insert(stray.end(), {"--segments", "4"});
    expect_rejected(stray, "--segments");
    std::vector<std::string> unknown = q9_then("spline");
    expect_rejected(unknown, "--method");
  }
  std::vector<std::string> no_scale = q9_then("float");
  no_scale.erase(no_scale.begin() + 22, no_scale.begin() + 24);  // drop --then-scale 0x1p-7
  expect_rejected(no_scale, "--then-scale");
  std::vector<std::string> bad_f = q9_then("float");
  bad_f[21] = "sin";
  expect_rejected(bad_f, "--then");
}

// --- vectors identify per dimension (SPEC Q20) ---

// ONNX QuantizeLinear's arithmetic (f32_divide, half_even, Z after rounding), computed here
// with the reference for every DistinguishQuantizeTest of distinguish.json; `nan_to_qmin`
// changes only the NaN policy (x86 clamp_then_convert). identify --json names each dimension.
std::string distinguish_quantize_results(bool nan_to_qmin) {
  const std::string vectors = std::string(QUANTSPEC_CLI_FIXTURES) + "/../../../vectors/distinguish.json";
  const json doc = json::parse(slurp(vectors));
  json per = json::object();
  for (const auto& g : doc["testGroups"]) {
    if (g["type"] != "DistinguishQuantizeTest") continue;
    for (const auto& t : g["tests"]) {
      const std::string id = std::to_string(t["tcId"].get<long long>());
      const float x = quantspec::ref::parse_binary32(t["inputs"]["x"].get<std::string>(), "x");
      quantspec::ref::QuantizeParams p;
      p.scale = quantspec::ref::parse_binary32(t["inputs"]["scale"].get<std::string>(), "scale");
      p.zero_point = t["inputs"]["zero_point"].get<long long>();
      p.qmin = g["params"]["qmin"].get<long long>();
      p.qmax = g["params"]["qmax"].get<long long>();
      p.division = quantspec::ref::Division::f32_divide;
      try {
        long long q = quantspec::ref::quantize(x, p).convert_to<long long>();
        if (nan_to_qmin && x != x) q = p.qmin;
        per[id] = {{"q", q}};
      } catch (const quantspec::ref::ParameterError& e) {
        per[id] = {{"error", e.parameter()}};
      }
    }
  }
  return write_file(nan_to_qmin ? "distinguish_nan.json" : "distinguish_onnx.json",
                    json{{"results", {{"distinguish", per}}}}.dump());
}

const json& operation_of(const json& doc, const std::string& operation) {
  for (const auto& op : doc["operations"])
    if (op["operation"] == operation) return op;
  throw std::logic_error("no operation " + operation);
}

json consistent_members(const json& op, const std::string& dimension) {
  for (const auto& d : op["dimensions"])
    if (d["name"] == dimension) return d["consistent"];
  return json();
}

TEST(CliVectorsIdentify, NamesEachQuantizeDimensionOfAnOnnxBackend) {
  const std::string vectors = std::string(QUANTSPEC_CLI_FIXTURES) + "/../../../vectors/distinguish.json";
  const CliRun r = quantspec({"vectors", "identify", "--vectors", vectors, "--results",
                              distinguish_quantize_results(false), "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  const json doc = r.parsed();
  EXPECT_EQ(doc["exitStatus"], 0);
  const json& q = operation_of(doc, "quantize");
  EXPECT_EQ(q["identified"], true);
  EXPECT_EQ(consistent_members(q, "division"), json::array({"f32_divide"}));
  EXPECT_EQ(consistent_members(q, "rounding"), json::array({"half_even"}));
  EXPECT_EQ(consistent_members(q, "zero_point_entry"), json::array({"after_rounding"}));
  EXPECT_EQ(consistent_members(q, "edge_policy"), json::array({"spec"}));
  EXPECT_EQ(operation_of(doc, "requantize")["run"], 0);
}

TEST(CliVectorsIdentify, ANanPolicyDifferenceIsListedApart) {
  const std::string vectors = std::string(QUANTSPEC_CLI_FIXTURES) + "/../../../vectors/distinguish.json";
  const CliRun r = quantspec({"vectors", "identify", "--vectors", vectors, "--results",
                              distinguish_quantize_results(true)});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("  division: f32_divide (0 mismatches)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("  rounding: half_even (0 mismatches)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("  edge_policy (policy): clamp_then_convert (0 mismatches)"), std::string::npos)
      << r.out;
  // A results file with no output for any test: exit 1.
  const CliRun none = quantspec({"vectors", "identify", "--vectors", vectors, "--results",
                                 write_file("distinguish_none.json", "{\"results\": {}}")});
  EXPECT_EQ(none.exit_code, 1) << none.out << none.err;
}

// --- calibrate --observer entropy / mse (Q19), --histogram, --quantized (.npy writing) ---

// The fixed data of reference/tests/test_entropy_calibration.cc: u/v in binary32 times
// `scale`, written as hex-floats (exact), one CSV row per batch.
std::string ratio_rows_csv(const std::string& name, std::vector<std::pair<int, float>> rows) {
  std::string csv;
  for (const auto& [n, scale] : rows) {
    for (int k = 0; k < n; ++k) {
      const float u = static_cast<float>((k * 37) % 199 - 99);
      const float v = static_cast<float>((k * 53) % 97 + 1);
      csv += (k ? "," : "") + quantspec::ref::hex_float(u / v * scale);
    }
    csv += "\n";
  }
  return write_file(name, csv);
}

// ONNX Runtime 1.32's HistogramCollector (run here, see test_entropy_calibration.cc) on the
// same data: one batch of 3000 -> (-0x1.056cp+5, 0x1.0632p+5), 2048 bins, 961 candidates
// (i = 64..1024); two batches of 1000 (x1, x3) -> (-0x1.4034p+4, 0x1.14p+4), 6146 bins.
TEST(CliCalibrate, EntropyMatchesOnnxRuntimeAndWritesTheHistogram) {
  const std::string one = ratio_rows_csv("entropy_one.csv", {{3000, 1.0f}});
  const std::string histogram = std::string(QUANTSPEC_CLI_TEST_TMP) + "/entropy_histogram.csv";
  const CliRun r = quantspec({"calibrate", "--data", one, "--observer", "entropy", "--histogram",
                              histogram, "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.parsed()["min"], "-0x1.056cp+5");
  EXPECT_EQ(r.parsed()["max"], "0x1.0632p+5");
  EXPECT_EQ(r.parsed()["histogram_bins"], 2048);
  EXPECT_EQ(r.parsed()["candidates"], 961);
  const std::string text = slurp(histogram);
  EXPECT_EQ(text.rfind("# quantspec calibrate --observer entropy: chosen range [-32.6777344, "
                       "32.7744141]\nlower_edge,upper_edge,count\n-99,",
                       0),
            0u)
      << text.substr(0, 200);
  std::size_t lines = 0, total = 0;
  std::istringstream rows(text);
  std::string line;
  while (std::getline(rows, line)) {
    if (++lines <= 2) continue;
    total += std::stoul(line.substr(line.rfind(',') + 1));
  }
  EXPECT_EQ(lines, 2u + 2048u);
  EXPECT_EQ(total, 3000u);
  const std::string two = ratio_rows_csv("entropy_two.csv", {{1000, 1.0f}, {1000, 3.0f}});
  const CliRun merged = quantspec({"calibrate", "--data", two, "--observer", "entropy", "--json"});
  ASSERT_EQ(merged.exit_code, 0) << merged.err;
  EXPECT_EQ(merged.parsed()["min"], "-0x1.4034p+4");
  EXPECT_EQ(merged.parsed()["max"], "0x1.14p+4");
  EXPECT_EQ(merged.parsed()["histogram_bins"], 6146);
  expect_rejected({"calibrate", "--data", one, "--observer", "entropy", "--quantized-bins",
                   "4096"},
                  "quantized_bins");
  expect_rejected({"calibrate", "--data", one, "--observer", "minmax", "--histogram", histogram},
                  "--histogram");
}

// Example Q19.E3 through the CLI (derivation in test_histogram_calibration.cc): 0, 300 x 3,
// 60, uint4, 4 bins, asymmetric -> [0, 45], S = 3, Z = 0.
TEST(CliCalibrate, MseAsymmetricExampleQ19E3) {
  std::string csv = "0\n60\n";
  for (int i = 0; i < 300; ++i) csv += "3\n";
  const std::string path = write_file("q19e3.csv", csv);
  const CliRun r = quantspec({"calibrate", "--data", path, "--observer", "mse", "--bins", "4",
                              "--dtype", "uint4", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.parsed()["min"], "0x0p+0");
  EXPECT_EQ(r.parsed()["max"], "0x1.68p+5");
  EXPECT_EQ(r.parsed()["scale"], "0x1.8p+1");
  EXPECT_EQ(r.parsed()["zero_point"], 0);
}

// --quantized writes .npy: Example Q19.E1's data (100 x 1, one 14) with T = 10.5, S = 1.5,
// int4: 1/1.5 -> 1, 14/1.5 = 9.3 -> 7. Read back by our reader (min/max 1, 7) and, where
// /usr/bin/python3 has numpy, by numpy (dtype int8, shape (101,)).
TEST(CliCalibrate, QuantizedDataIsWrittenAsNpy) {
  std::string csv;
  for (int i = 0; i < 100; ++i) csv += "1,";
  csv += "14\n";
  const std::string path = write_file("q19e1_row.csv", csv);
  const std::string out = std::string(QUANTSPEC_CLI_TEST_TMP) + "/q19e1_codes.npy";
  const CliRun r = quantspec({"calibrate", "--data", path, "--observer", "mse", "--bins", "4",
                              "--dtype", "int4", "--symmetric", "--quantized", out});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const CliRun back = quantspec({"calibrate", "--data", out, "--json"});
  ASSERT_EQ(back.exit_code, 0) << back.err;
  EXPECT_EQ(back.parsed()["min"], "0x1p+0");
  EXPECT_EQ(back.parsed()["max"], "0x1.cp+2");
  EXPECT_EQ(back.parsed()["elements"], 101);
  if (std::system("/usr/bin/python3 -c 'import numpy' 2>/dev/null") != 0) {
    GTEST_SKIP() << "no numpy under /usr/bin/python3";
  }
  const std::string check = std::string(QUANTSPEC_CLI_TEST_TMP) + "/q19e1_codes.txt";
  const std::string command = "/usr/bin/python3 -c \"import numpy; a = numpy.load('" + out +
                              "'); print(a.dtype, a.shape, int(a.sum()))\" > " + check;
  ASSERT_EQ(std::system(command.c_str()), 0);
  EXPECT_EQ(slurp(check), "int8 (101,) 107\n");
  expect_rejected({"calibrate", "--data", fixture("f4_le_c_v1.npy"), "--per-channel", "0",
                   "--quantized", out},
                  "--quantized");
}

// int16 and uint16 codes ('<i2', '<u2') round-trip through the reader: min/max over the
// whole grid gives S = 65535/65535 = 1 and Z = 0 (int16: -32768 - (-32768)/1), so the codes
// are the data.
TEST(CliCalibrate, SixteenBitCodesRoundTrip) {
  for (const auto& [dtype, csv, min, max] :
       std::vector<std::tuple<std::string, std::string, std::string, std::string>>{
           {"int16", "-32768,5,32767\n", "-0x1p+15", "0x1.fffcp+14"},
           {"uint16", "0,1,65535\n", "0x0p+0", "0x1.fffep+15"}}) {
    const std::string path = write_file(dtype + "_grid.csv", csv);
    const std::string out = std::string(QUANTSPEC_CLI_TEST_TMP) + "/" + dtype + "_codes.npy";
    const CliRun r = quantspec({"calibrate", "--data", path, "--dtype", dtype, "--quantized", out});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const CliRun back = quantspec({"calibrate", "--data", out, "--dtype", dtype, "--json"});
    ASSERT_EQ(back.exit_code, 0) << back.err;
    EXPECT_EQ(back.parsed()["min"], min) << dtype;
    EXPECT_EQ(back.parsed()["max"], max) << dtype;
    EXPECT_EQ(back.parsed()["scale"], "0x1p+0") << dtype;
  }
}

// --- explain linear --calibrate (the note's steps 0-4 on a real layer, per observer) ---

// A derivation: one input, one output, W = [1], no bias, max_abs (symmetric int8, Z = 0).
// Calibration x = -127, 127 -> Sx = 127/127 = 1; y = x -> Sy = 1; W: Sw = fl32(1/127),
// w_q = 127. Evaluation x = 0.5, 3, -2.25, 200 -> x_q = 0 (half_even), 3, -2, 127 (clamped);
// Acc = 127 x_q, M = Sx Sw / Sy = fl32(1/127) -> y_q = x_q (|x_q| <= 127, the error of M is
// ~1e-8). Errors |y_q - x| = 0.5, 0, 0.25, 73: max 73 (73 output steps), mean 18.4375,
// SQNR 10 log10((0.25 + 9 + 5.0625 + 40000) / (0.25 + 0.0625 + 5329)).
TEST(CliExplain, CalibratedLinearDerivedIdentityLayer) {
  const std::string x = write_file("identity_x.csv", "-127\n127\n");
  const std::string e = write_file("identity_e.csv", "0.5\n3\n-2.25\n200\n");
  const std::string w = write_file("identity_w.csv", "1\n");
  const CliRun r = quantspec({"explain", "linear", "--calibrate", x, "--evaluate", e,
                              "--weights", w, "--observers", "max_abs", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json j = r.parsed();
  EXPECT_EQ(j["calibration_rows"], 2);
  EXPECT_EQ(j["evaluation_rows"], 4);
  ASSERT_EQ(j["observers"].size(), 1u);
  const json& o = j["observers"][0];
  EXPECT_EQ(o["x"]["scale"], "0x1p+0");
  EXPECT_EQ(o["y"]["scale"], "0x1p+0");
  EXPECT_EQ(o["x"]["zero_point"], 0);
  EXPECT_EQ(o["max_abs_error"].get<double>(), 73.0);
  EXPECT_EQ(o["mean_abs_error"].get<double>(), 18.4375);
  EXPECT_EQ(o["max_error_output_steps"].get<double>(), 73.0);
  EXPECT_DOUBLE_EQ(o["sqnr_db"].get<double>(),
                   10 * std::log10((0.25 + 9 + 5.0625 + 40000) / (0.25 + 0.0625 + 5329)));
  expect_rejected({"explain", "linear", "--calibrate", x, "--weights", w, "--observers", "median"},
                  "--observers");
  expect_rejected({"explain", "linear", "--calibrate", x}, "--weights");
  expect_rejected({"explain", "linear", "--calibrate", x, "--weights",
                   write_file("two_w.csv", "1,2\n")},
                  "--weights");
}

// The example set (tools/python/make_linear_example.py, tools/examples/calibration): every
// observer runs; the x ranges are the ones `quantspec calibrate` reports on the calibration
// rows (minmax, percentile 99.99) and the second half of X evaluates when --evaluate is absent.
TEST(CliExplain, CalibratedLinearExampleSetPerObserver) {
  const std::string dir = std::string(QUANTSPEC_CLI_FIXTURES) + "/../../examples/calibration/";
  const CliRun r = quantspec({"explain", "linear", "--calibrate", dir + "calibration.npy",
                              "--evaluate", dir + "evaluation.npy", "--weights",
                              dir + "weights.npy", "--bias", dir + "bias.npy", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json j = r.parsed();
  EXPECT_EQ(j["calibration_rows"], 256);
  EXPECT_EQ(j["evaluation_rows"], 256);
  EXPECT_EQ(j["in_features"], 16);
  EXPECT_EQ(j["out_features"], 8);
  std::vector<std::string> names;
  for (const json& o : j["observers"]) names.push_back(o["observer"]);
  EXPECT_EQ(names, (std::vector<std::string>{"minmax", "max_abs", "percentile", "mse", "entropy"}));
  for (const auto& [index, observer] : std::vector<std::pair<int, std::string>>{{0, "minmax"},
                                                                              {2, "percentile"}}) {
    const CliRun c = quantspec({"calibrate", "--data", dir + "calibration.npy", "--observer",
                                observer, "--json"});
    ASSERT_EQ(c.exit_code, 0) << c.err;
    EXPECT_EQ(j["observers"][index]["x"]["min"], c.parsed()["min"]) << observer;
    EXPECT_EQ(j["observers"][index]["x"]["max"], c.parsed()["max"]) << observer;
  }
  const CliRun split = quantspec({"explain", "linear", "--calibrate", dir + "calibration.npy",
                                  "--weights", dir + "weights.npy", "--observers", "minmax",
                                  "--json"});
  ASSERT_EQ(split.exit_code, 0) << split.err;
  EXPECT_EQ(split.parsed()["calibration_rows"], 128);
  EXPECT_EQ(split.parsed()["evaluation_rows"], 128);
}

// tools/python/plot_calibration.py draws the explain --json output with matplotlib: the PNG
// exists, has the PNG signature and is not trivially small (skipped without matplotlib).
TEST(CliExplain, CalibrationPlotIsDrawn) {
  if (std::system("/usr/bin/python3 -c 'import matplotlib, numpy' 2>/dev/null") != 0) {
    GTEST_SKIP() << "no matplotlib/numpy under /usr/bin/python3";
  }
  const std::string dir = std::string(QUANTSPEC_CLI_FIXTURES) + "/../../examples/calibration/";
  const CliRun r = quantspec({"explain", "linear", "--calibrate", dir + "calibration.npy",
                              "--weights", dir + "weights.npy", "--observers",
                              "minmax,percentile", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string json_path = write_file("explain_plot.json", r.out);
  const std::string png = std::string(QUANTSPEC_CLI_TEST_TMP) + "/explain_plot.png";
  std::remove(png.c_str());
  const std::string command = "/usr/bin/python3 " + std::string(QUANTSPEC_CLI_FIXTURES) +
                              "/../../python/plot_calibration.py " + dir + "calibration.npy " +
                              json_path + " " + png;
  ASSERT_EQ(std::system(command.c_str()), 0) << command;
  const std::string bytes = slurp(png);
  EXPECT_GT(bytes.size(), 10000u);
  EXPECT_EQ(bytes.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
}

// --- pwl (Q13.4) ---

// Example Q13.E4 through the CLI: tanh, Si = 2^-5, So = 2^-7, N = 4: segment 2 starts at 0 with
// slope 126357; q = 32 (index 160 in input order) gives 62; max error 36 at q = -31; bound 50.
TEST(CliPwl, ExampleQ13E4SegmentsAndError) {
  const CliRun r = quantspec({"pwl", "--function", "tanh", "--input-scale", "0x1p-5", "--output-scale",
                              "0x1p-7", "--segments", "4", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = r.parsed();
  EXPECT_EQ(j["segments"].size(), 4u);
  EXPECT_EQ(j["segments"][2]["start"], 0);
  EXPECT_EQ(j["segments"][2]["slope"], 126357);
  EXPECT_EQ(j["outputs"][160], 62);
  EXPECT_EQ(j["exact"][160], 97);
  EXPECT_EQ(j["max_error"], 36);
  EXPECT_EQ(j["worst_input"], -31);
  EXPECT_EQ(j["bound"], 50);
  expect_rejected({"pwl", "--function", "tanh", "--input-scale", "1", "--output-scale", "1", "--segments", "0"},
                  "--segments");
}

// --- fake-quant-grad (Q16.2). S = 0.125, Zf = 1, uint8, dy = -1.5, x = 1.3125: x/S = 10.5.
// exact (LSQ): R(10.5) = 10, dS term dy * (10 - 10.5) = 3/4 (derived); PyTorch adds Z before
// rounding, nearbyint(11.5) = 12, dS = -1.5 * (1.375 - 1.3125) * 8 = -3/4 (measured with torch
// 1.13, reference/tests/test_fake_quant_grad.cc). Zf = -60, S = 0.1: PyTorch's per-tensor
// backward uses trunc(-59.5) = -59, its per-channel one R(-60) = -60. ---
TEST(CliFakeQuantGrad, ExactAndPytorchTermsAndZeroPoints) {
  const std::vector<std::string> base = {"fake-quant-grad", "--x", "1.3125", "--dy", "-1.5",
                                         "--scale", "0.125", "--zero-point", "1", "--dtype",
                                         "uint8", "--json"};
  const CliRun exact = quantspec(base);
  ASSERT_EQ(exact.exit_code, 0) << exact.err;
  EXPECT_EQ(exact.parsed()["region"], "inside");
  EXPECT_EQ(exact.parsed()["grad_scale"]["exact"], "3/4");
  EXPECT_EQ(exact.parsed()["grad_zero_point"]["exact"], "0");
  auto torch_args = base;
  torch_args.insert(torch_args.end(), {"--variant", "pytorch"});
  const CliRun torch = quantspec(torch_args);
  ASSERT_EQ(torch.exit_code, 0) << torch.err;
  EXPECT_EQ(torch.parsed()["grad_scale"]["exact"], "-3/4");
  const CliRun per_tensor = quantspec({"fake-quant-grad", "--x", "1", "--scale", "0.1",
                                       "--zero-point", "-60", "--variant", "pytorch", "--json"});
  ASSERT_EQ(per_tensor.exit_code, 0) << per_tensor.err;
  EXPECT_EQ(per_tensor.parsed()["zero_point"], -59);
  const CliRun per_channel =
      quantspec({"fake-quant-grad", "--x", "1", "--scale", "0.1", "--zero-point", "-60",
                 "--variant", "pytorch", "--per-channel", "--json"});
  ASSERT_EQ(per_channel.exit_code, 0) << per_channel.err;
  EXPECT_EQ(per_channel.parsed()["zero_point"], -60);
  const CliRun text = quantspec({"fake-quant-grad", "--x", "20", "--scale", "0.1"});
  EXPECT_NE(text.out.find("region: above"), std::string::npos) << text.out;
  EXPECT_EQ(quantspec({"fake-quant-grad", "--help"}).exit_code, 0);
  expect_rejected({"fake-quant-grad", "--x", "1", "--scale", "0"}, "--scale");
  expect_rejected({"fake-quant-grad", "--x", "nan", "--scale", "1"}, "--x");
  expect_rejected({"fake-quant-grad", "--x", "1", "--scale", "1", "--variant", "tensorflow"},
                  "--scale");
  expect_rejected({"fake-quant-grad", "--x", "1", "--scale", "1", "--fma"}, "--fma");
}

// --- fake-quant-grad --variant tensorflow (Q16.3). Measured with TensorFlow 2.21
// (reference/measure/tensorflow_min_max_grad_values.py): on [-12.8, 12.7], x = 12.75 with
// dy = -2 gives dx = -0 and a dL/dmax term -2, x = -20 with dy = 1 a dL/dmin term 1; on
// [2, 10] (nudged to [0, 8]) x = 1 passes (dx = dy = 4) although it is below the given min. ---
TEST(CliFakeQuantGrad, TensorflowMinMaxTerms) {
  const CliRun above = quantspec({"fake-quant-grad", "--variant", "tensorflow", "--x", "12.75",
                                  "--dy", "-2", "--min", "-12.8", "--max", "12.7", "--json"});
  ASSERT_EQ(above.exit_code, 0) << above.err;
  EXPECT_EQ(above.parsed()["region"], "above");
  EXPECT_EQ(above.parsed()["grad_x"], "-0x0p+0");
  EXPECT_EQ(above.parsed()["grad_max"], "-0x1p+1");
  EXPECT_EQ(above.parsed()["grad_min"], "-0x0p+0");  // the element term dy * 0.0f
  const CliRun below = quantspec({"fake-quant-grad", "--variant", "tensorflow", "--x", "-20",
                                  "--min", "-12.8", "--max", "12.7", "--json"});
  ASSERT_EQ(below.exit_code, 0) << below.err;
  EXPECT_EQ(below.parsed()["grad_min"], "0x1p+0");
  const CliRun nudged = quantspec({"fake-quant-grad", "--variant", "tensorflow", "--x", "1",
                                   "--dy", "4", "--min", "2", "--max", "10"});
  ASSERT_EQ(nudged.exit_code, 0) << nudged.err;
  EXPECT_NE(nudged.out.find("region: inside"), std::string::npos) << nudged.out;
  EXPECT_NE(nudged.out.find("dL/dx: 0x1p+2 (4)"), std::string::npos) << nudged.out;
  const CliRun zero = quantspec({"fake-quant-grad", "--variant", "tensorflow", "--x", "3",
                                 "--dy", "0.5", "--min", "0", "--max", "0", "--json"});
  ASSERT_EQ(zero.exit_code, 0) << zero.err;
  EXPECT_EQ(zero.parsed()["grad_x"], "0x1p-1");
  const std::vector<std::string> tf = {"fake-quant-grad", "--variant", "tensorflow", "--x", "1"};
  auto with = [&](std::vector<std::string> extra) {
    std::vector<std::string> args = tf;
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
  };
  expect_rejected(with({"--max", "1"}), "--min");
  expect_rejected(with({"--min", "-1"}), "--max");
  expect_rejected(with({"--min", "1", "--max", "-1"}), "--min");
  expect_rejected(with({"--min", "-1", "--max", "1", "--tf-op", "args"}), "--tf-op");
  expect_rejected(with({"--min", "-1", "--max", "1", "--num-bits", "17"}), "--num-bits");
  expect_rejected(with({"--min", "-1", "--max", "1", "--dy", "inf"}), "--dy");
  expect_rejected(with({"--min", "-1", "--max", "1", "--fma"}), "--fma");
  expect_rejected({"fake-quant-grad", "--x", "1", "--scale", "1", "--min", "-1"}, "--min");
}

// --- explain dynamic-linear (Q17.5, Q17.6). Derived by hand: x = [-0.5, 0.25, 1.4921875, 0.3]
// has max - min = 255/128, so S = 2^-7 exactly; Z from min = 0 + 64 (error -64) and from max
// 255 - 191 = 64 (error 64): Zx = 64. qx = nearbyint(x * 128) + 64 = [0, 96, 255, 102]
// (0.3 * 128 = 38.4 -> 38). W = [[1, 2, 3, 4], [-4, 0, 5, -1]], Sw = 0.5: D = 2^-8;
// Acc = [-64 + 64 + 573 + 152, 256 + 955 - 38] = [725, 1173]; y = Acc / 256 + [0.25, -1] =
// [789/256, 917/256] = [0x1.8a8p+1, 0x1.ca8p+1], exact in binary32. torch 1.13 (qnnpack) gives
// the same y, Sx and Zx (run here). Second case, a Zx tie: x = [-2.5, 252.5, 0.5], S = 1,
// Z0 = 2.5 -> 2 (half to even), qx - Zx = [-2, 252, 0], W = [1, -1, 2], Acc = -254, Sw = 0.25:
// y = -63.5. ---
TEST(CliExplainDynamicLinear, HandDerivedStepsAndZeroPointTie) {
  const std::vector<std::string> layer = {"explain", "dynamic-linear", "--x", "-0.5,0.25,1.4921875,0.3",
                                          "--w", "1,2,3,4,-4,0,5,-1", "--w-shape", "2x4",
                                          "--w-scale", "0.5", "--b", "0.25,-1"};
  auto with = [&](std::vector<std::string> extra) {
    std::vector<std::string> args = layer;
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
  };
  const CliRun json = quantspec(with({"--json"}));
  ASSERT_EQ(json.exit_code, 0) << json.err;
  const auto j = json.parsed();
  EXPECT_EQ(j["x_scale"], "0x1p-7");
  EXPECT_EQ(j["x_zero_point"], 64);
  EXPECT_EQ(j["qx"], nlohmann::json::parse("[0, 96, 255, 102]"));
  EXPECT_EQ(j["dequant_scales"], nlohmann::json::parse(R"(["0x1p-8", "0x1p-8"])"));
  EXPECT_EQ(j["acc"], nlohmann::json::parse("[725, 1173]"));
  EXPECT_EQ(j["y"], nlohmann::json::parse(R"(["0x1.8a8p+1", "0x1.ca8p+1"])"));
  const CliRun text = quantspec(layer);
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("Zx = 64"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("Acc 725, fl32(Acc) 0x1.6a8p+9 (725)"), std::string::npos) << text.out;
  const CliRun tie = quantspec({"explain", "dynamic-linear", "--x", "-2.5,252.5,0.5", "--w", "1,-1,2",
                                "--w-scale", "0.25", "--json"});
  ASSERT_EQ(tie.exit_code, 0) << tie.err;
  EXPECT_EQ(tie.parsed()["x_zero_point"], 2);
  EXPECT_EQ(tie.parsed()["acc"], nlohmann::json::parse("[-254]"));
  EXPECT_EQ(tie.parsed()["y"], nlohmann::json::parse(R"(["-0x1.fcp+5"])"));
  EXPECT_EQ(quantspec({"explain", "dynamic-linear", "--help"}).exit_code, 0);
  const std::vector<std::string> bare = {"explain", "dynamic-linear", "--x", "1,2", "--w", "1,2"};
  auto bad = [&](std::vector<std::string> extra) {
    std::vector<std::string> args = bare;
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
  };
  expect_rejected(bare, "--w-scale");
  expect_rejected(bad({"--w-scale", "0"}), "--w-scale");
  expect_rejected(bad({"--w-scale", "1,2,3"}), "--w-scale");
  expect_rejected(bad({"--w-scale", "1", "--b", "1,2"}), "--b");
  expect_rejected({"explain", "dynamic-linear", "--x", "1,nan", "--w", "1,2", "--w-scale", "1"}, "--x");
  expect_rejected({"explain", "dynamic-linear", "--x", "1,2", "--w", "1,200", "--w-scale", "1"}, "--w");
  expect_rejected(bad({"--w-scale", "1", "--x-shape", "2x2"}), "--x");
  expect_rejected(bad({"--w-scale", "1", "--w-shape", "1x3"}), "--w-shape");
  expect_rejected({"explain", "dynamic-linear", "--w", "1", "--w-scale", "1"}, "--x");
}

// --- explain qat (issue 12): the example must train (float accuracy well above the 1/3 of
// chance on three balanced classes), QAT must not lose to PTQ at int4 (the study note's claim
// this command exists to show), int8 PTQ must stay near the float model, and two runs must
// print the same bytes (fixed seeds, no std:: distributions). ---
TEST(CliExplainQat, QatBeatsPtqAtFourBitsAndRunsAreDeterministic) {
  const CliRun first = quantspec({"explain", "qat", "--json"});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  const CliRun second = quantspec({"explain", "qat", "--json"});
  EXPECT_EQ(first.out, second.out);
  const json j = first.parsed();
  EXPECT_EQ(j["test_points"], 450);
  EXPECT_GT(j["float_accuracy"].get<double>(), 0.9);
  EXPECT_GE(j["qat_accuracy"].get<double>(), j["ptq_accuracy"].get<double>());
  const CliRun eight = quantspec({"explain", "qat", "--bits", "8", "--json"});
  ASSERT_EQ(eight.exit_code, 0) << eight.err;
  EXPECT_GT(eight.parsed()["ptq_accuracy"].get<double>(),
            eight.parsed()["float_accuracy"].get<double>() - 0.05);
  const CliRun text = quantspec({"explain", "qat", "--qat-steps", "10", "--float-steps", "10"});
  EXPECT_NE(text.out.find("QAT (fake-quant fine-tuned), integer:"), std::string::npos) << text.out;
  EXPECT_EQ(quantspec({"explain", "qat", "--help"}).exit_code, 0);
  expect_rejected({"explain", "qat", "--bits", "5"}, "--bits");
  expect_rejected({"explain", "qat", "--hidden", "1"}, "--hidden");
  expect_rejected({"explain", "qat", "--qat-steps", "0"}, "--qat-steps");
}

// --- dynamic-quantize --variant pytorch (Q17.5): torch 1.13's quantize_per_tensor_dynamic
// values measured in reference/tests/test_dynamic.cc (TorchQuantizePerTensorDynamicValues):
// x = [-1, 0.5, 2] gives S = 0x1.8181818181818p-7, Z = 85, q = [0, 127, 255]; with
// reduce_range S = 0x1.83060c183060cp-6, Z = 42, q = [0, 63, 127]. ---
TEST(CliDynamicQuantize, PytorchVariantMatchesTorchValues) {
  const CliRun r = quantspec({"dynamic-quantize", "--x", "-1,0.5,2", "--variant", "pytorch", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.parsed()["scale"], "0x1.8181818181818p-7");
  EXPECT_EQ(r.parsed()["zero_point"], 85);
  EXPECT_EQ(r.parsed()["q"], json::parse("[0, 127, 255]"));
  const CliRun rr = quantspec({"dynamic-quantize", "--x", "-1,0.5,2", "--variant", "pytorch",
                               "--reduce-range", "--json"});
  ASSERT_EQ(rr.exit_code, 0) << rr.err;
  EXPECT_EQ(rr.parsed()["scale"], "0x1.83060c183060cp-6");
  EXPECT_EQ(rr.parsed()["zero_point"], 42);
  EXPECT_EQ(rr.parsed()["q"], json::parse("[0, 63, 127]"));
  expect_rejected({"dynamic-quantize", "--x", "1", "--variant", "tflite"}, "--variant");
  expect_rejected({"dynamic-quantize", "--x", "1", "--reduce-range"}, "--reduce-range");
  expect_rejected({"dynamic-quantize", "--x", "1,2", "--variant", "pytorch", "--per-row", "1"},
                  "--per-row");
  expect_rejected({"dynamic-quantize", "--x", "nan", "--variant", "pytorch"}, "x");
  expect_rejected({"dynamic-quantize", "--x", "1", "--scale-floor", "1e-3"}, "--scale-floor");
}

}  // namespace
