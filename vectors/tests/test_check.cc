// vectors check / identify: outcomes, summary, exit codes, and bad input reported as
// (file, tcId, problem) with exit 2.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <set>
#include <unistd.h>
#include <sstream>

#include "quantspec/reference/errors.hpp"
#include "quantspec/reference/requantize.hpp"
#include "quantspec/vectors/check.hpp"
#include "quantspec/vectors/generate.hpp"

namespace quantspec::vectors {
namespace {

namespace fs = std::filesystem;

std::string temp_path(const std::string& name) {
  const fs::path dir = fs::temp_directory_path() / ("quantspec_vectors_tests_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  return (dir / name).string();
}

std::string write(const std::string& name, const std::string& text) {
  const std::string path = temp_path(name);
  std::ofstream(path) << text;
  return path;
}

const std::string kQuantize = std::string(QUANTSPEC_VECTORS_DIR) + "/quantize.json";

// A backend that answers every test of `file` with the expected output.
Json perfect_results(const VectorFile& file) {
  Json per = Json::object();
  for (const auto& g : file.groups)
    for (const auto& t : g.tests) per[std::to_string(t.tc_id)] = t.expected;
  return Json{{"results", {{file.algorithm, per}}}};
}

TEST(Check, PerfectResultsPassWithSummaryLine) {
  const auto file = read_vector_file(kQuantize);
  const auto results = write("perfect.json", perfect_results(file).dump());
  std::ostringstream out;
  EXPECT_EQ(check(kQuantize, results, out), kExitOk) << out.str();
  EXPECT_NE(out.str().find(std::to_string(file.number_of_tests) + " passed, 0 failed"),
            std::string::npos) << out.str();
}

TEST(Check, AWrongValueAndAnAcceptedInvalidTestFail) {
  const auto file = read_vector_file(kQuantize);
  Json doc = perfect_results(file);
  const VectorTest* valid = nullptr;
  const VectorTest* invalid = nullptr;
  for (const auto& g : file.groups)
    for (const auto& t : g.tests) {
      if (!valid && t.result == Expectation::valid) valid = &t;
      if (!invalid && t.result == Expectation::invalid) invalid = &t;
    }
  ASSERT_TRUE(valid && invalid);
  const auto q = std::stoll(valid->expected["q"].dump());
  doc["results"]["quantize"][std::to_string(valid->tc_id)] = Json{{"q", q + 1}};
  doc["results"]["quantize"][std::to_string(invalid->tc_id)] = Json{{"q", 0}};
  std::ostringstream out;
  EXPECT_EQ(check(kQuantize, write("wrong.json", doc.dump()), out), kExitFailures);
  EXPECT_NE(out.str().find("tcId " + std::to_string(valid->tc_id) + " "), std::string::npos);
  EXPECT_NE(out.str().find("unexpected failure"), std::string::npos);
  EXPECT_NE(out.str().find("unexpected pass"), std::string::npos);
  EXPECT_NE(out.str().find(" passed, 2 failed"), std::string::npos) << out.str();
}

TEST(Check, NoResultsAtAllIsAFailure) {
  std::ostringstream out;
  EXPECT_EQ(check(kQuantize, write("empty.json", R"({"results": {}})"), out), kExitFailures);
}

// Bad input: exit 2 with the file, the tcId and the fault.
struct BadInput {
  const char* name;
  std::string vectors;  // empty: use the checked-in quantize.json
  std::string results;
  std::string must_mention;
};

class BadInputTest : public ::testing::TestWithParam<BadInput> {};

TEST_P(BadInputTest, ReportsFileTestAndProblemWithExit2) {
  const auto& p = GetParam();
  const std::string vectors =
      p.vectors.empty() ? kQuantize : write(std::string(p.name) + "_vectors.json", p.vectors);
  const std::string results = write(std::string(p.name) + "_results.json", p.results);
  std::ostringstream out;
  EXPECT_EQ(check(vectors, results, out), kExitMalformed) << out.str();
  EXPECT_NE(out.str().find(p.must_mention), std::string::npos) << out.str();
  std::ostringstream out2;
  EXPECT_EQ(identify(vectors, results, out2), kExitMalformed) << out2.str();
}

const std::string kMinimal = R"({"algorithm": "quantize", "schemaVersion": 1, "numberOfTests": 1,
  "notes": {"random": "r"}, "testGroups": [{"type": "QuantizeTest",
  "variant": {"division": "exact", "rounding": "half_even"},
  "params": {"dtype": "int8", "narrow_range": false, "qmin": -128, "qmax": 127},
  "tests": [{"tcId": 7, "comment": "", "flags": ["random"],
  "inputs": {"x": "0x1p+0", "scale": "0x1p+0", "zero_point": ZP},
  "expected": {"q": 1}, "result": "valid"}]}]})";
std::string minimal_with(const std::string& zp) {
  std::string s = kMinimal;
  s.replace(s.find("ZP"), 2, zp);
  return s;
}
const std::string kGoodResults = R"({"results": {"quantize": {"7": {"q": 1}}}})";

INSTANTIATE_TEST_SUITE_P(
    Vectors, BadInputTest,
    ::testing::Values(
        BadInput{"bad_json", "{\"algorithm\": ", kGoodResults, "bad JSON"},
        BadInput{"wrong_schema", R"({"algorithm": "quantize", "schemaVersion": 2})", kGoodResults,
                 "schemaVersion"},
        BadInput{"missing_tcid", [] {
                   std::string s = minimal_with("0");
                   s.replace(s.find("\"tcId\": 7,"), 10, "");
                   return s;
                 }(), kGoodResults, "missing \"tcId\""},
        BadInput{"out_of_range", minimal_with("1e300"), kGoodResults, "tcId 7"},
        BadInput{"results_bad_json", minimal_with("0"), "{", "bad JSON"},
        BadInput{"results_unknown_tcid", minimal_with("0"),
                 R"({"results": {"quantize": {"8": {"q": 1}}}})", "tcId 8"},
        BadInput{"results_bad_value", minimal_with("0"),
                 R"({"results": {"quantize": {"7": {"q": "one"}}}})", "tcId 7: quantize.q"},
        BadInput{"results_not_keyed_by_tcid", minimal_with("0"),
                 R"({"results": {"quantize": {"seven": {"q": 1}}}})", "is not a tcId"}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(BadInput, MessageNamesTheFile) {
  const std::string vectors = write("named.json", minimal_with("1e300"));
  std::ostringstream out;
  EXPECT_EQ(check(vectors, write("named_results.json", kGoodResults), out), kExitMalformed);
  EXPECT_NE(out.str().find(vectors), std::string::npos) << out.str();
  EXPECT_NE(out.str().find("zero_point"), std::string::npos) << out.str();
}

// identify: a backend that runs every RequantizeFromScalesTest with TFLite's pipeline
// (double_round, tflite derivation), computed here by the reference from the test's scales.
TEST(Identify, TellsDoubleRoundingFromTheOthers) {
  const std::string path = std::string(QUANTSPEC_VECTORS_DIR) + "/requantize.json";
  const auto file = read_vector_file(path);
  Json per = Json::object();
  for (const auto& g : file.groups) {
    if (g.type != "RequantizeFromScalesTest") continue;
    for (const auto& t : g.tests) {
      const Json ops = g.operands(t);
      auto f = [&](const char* k) { return std::strtof(ops[k].get<std::string>().c_str(), nullptr); };
      try {
        const auto params = ref::requantize_params_from_scales(
            ref::RequantVariant::double_round, f("sx"), f("sw"), f("sy"),
            ops["zero_point"].get<std::int32_t>(), ops["qmin"].get<std::int32_t>(),
            ops["qmax"].get<std::int32_t>(), ref::Derivation::tflite);
        const auto q = ref::requantize(ref::Integer(ops["acc"].get<std::int64_t>()), params);
        per[std::to_string(t.tc_id)] = Json{{"q", q.convert_to<std::int64_t>()}};
      } catch (const ref::ParameterError& e) {
        per[std::to_string(t.tc_id)] = Json{{"error", e.parameter()}};
      }
    }
  }
  const auto results = parse_results(Json{{"results", {{"requantize", per}}}}, "in-memory");
  const auto identified = identify_variants({file}, results, "in-memory");
  ASSERT_EQ(identified.size(), 1u);
  // Consistent on every test, policy tests and invalid tests included; a variant consistent on
  // the arithmetic alone has its other differences listed apart (VariantVerdict).
  std::set<std::string> consistent;
  for (const auto& v : identified[0].verdicts) {
    if (v.mismatches.empty() && v.policy_mismatches.empty()) consistent.insert(v.variant);
    if (v.variant == "variant=tosa_double, derivation=tflite, zero_point_entry=after_rounding") {
      // TOSA's double rounding differs from gemmlowp's on negative ties of the second step;
      // these scales reach none, so only the parameter ranges tell them apart here.
      EXPECT_TRUE(v.mismatches.empty());
      ASSERT_EQ(v.policy_mismatches.size(), 1u);
      EXPECT_EQ(v.policy_mismatches.begin()->first, "parameter_acceptance");
    }
  }
  EXPECT_TRUE(consistent.count("variant=double_round, derivation=tflite, zero_point_entry=after_rounding"));
  EXPECT_FALSE(consistent.count("variant=single_round, derivation=tflite, zero_point_entry=after_rounding"));
  EXPECT_FALSE(consistent.count("variant=fp32, zero_point_entry=after_rounding"));
  EXPECT_FALSE(consistent.count("variant=rndnu, derivation=rndnu, zero_point_entry=after_rounding"));
  // Only pipelines the file declares indistinguishable from TFLite's may remain.
  for (const auto& c : consistent) {
    EXPECT_TRUE(c.find("double_round") != std::string::npos) << c;
  }
}

// TFLite's MultiplyByQuantizedMultiplier over gemmlowp's primitives, written here from
// gemmlowp fixedpoint.h (SaturatingRoundingDoublingHighMul, RoundingDivideByPOT) with the left
// shift x * (1 << left) wrapping as x86-64 computes it (SPEC Q7.2: the `wrap` member of the
// left-shift overflow, where the spec's default saturates).
std::int64_t gemmlowp_double_round(std::int64_t acc, std::int64_t m, int shift) {
  const int left = shift > 0 ? shift : 0, right = shift > 0 ? 0 : -shift;
  const auto x = static_cast<std::int32_t>(static_cast<std::uint32_t>(static_cast<std::int32_t>(acc)) << left);
  std::int64_t high = 0;
  if (x == std::numeric_limits<std::int32_t>::min() && m == x) {
    high = std::numeric_limits<std::int32_t>::max();
  } else {
    const std::int64_t ab = static_cast<std::int64_t>(x) * m;
    const std::int64_t nudge = ab >= 0 ? (std::int64_t{1} << 30) : 1 - (std::int64_t{1} << 30);
    high = (ab + nudge) / (std::int64_t{1} << 31);  // truncating division, as gemmlowp
  }
  const std::int64_t mask = (std::int64_t{1} << right) - 1, remainder = high & mask;
  const std::int64_t threshold = (mask >> 1) + (high < 0 ? 1 : 0);
  return (high >> right) + (remainder > threshold ? 1 : 0);
}

// A backend that differs from double_round only in wrapping the left shift is still named
// double_round by the whole-variant identify, with the left-shift tests listed apart.
TEST(Identify, NamesAWrappingLeftShiftDoubleRoundWithItsPolicyApart) {
  const auto file = read_vector_file(std::string(QUANTSPEC_VECTORS_DIR) + "/requantize.json");
  Json per = Json::object();
  for (const auto& g : file.groups) {
    if (g.type != "RequantizeQ31Test" || g.variant.value("variant", "") != "double_round") continue;
    for (const auto& t : g.tests) {
      if (t.result != Expectation::valid) continue;  // no parameter-acceptance claim made
      const Json ops = g.operands(t);
      const std::int64_t acc = ops["acc"].get<std::int64_t>();
      if (acc < std::numeric_limits<std::int32_t>::min() || acc > std::numeric_limits<std::int32_t>::max()) continue;
      const std::int64_t y =
          gemmlowp_double_round(acc, ops["multiplier"].get<std::int64_t>(), ops["shift"].get<int>()) +
          ops["zero_point"].get<std::int64_t>();
      per[std::to_string(t.tc_id)] = Json{{"q", std::clamp(y, ops["qmin"].get<std::int64_t>(), ops["qmax"].get<std::int64_t>())}};
    }
  }
  const auto results = parse_results(Json{{"results", {{"requantize", per}}}}, "in-memory");
  const auto identified = identify_variants({file}, results, "in-memory");
  ASSERT_EQ(identified.size(), 1u);
  bool found = false;
  for (const auto& v : identified[0].verdicts) {
    if (v.variant.rfind("variant=double_round", 0) != 0 || v.tests_run == 0) continue;
    found = true;
    EXPECT_TRUE(v.mismatches.empty()) << v.variant << ": " << v.mismatches.size() << " arithmetic mismatches";
    ASSERT_EQ(v.policy_mismatches.count("left_shift_overflow"), 1u) << v.variant;
    EXPECT_GE(v.policy_mismatches.at("left_shift_overflow").size(), 3u);
    EXPECT_EQ(v.policy_mismatches.size(), 1u);
  }
  EXPECT_TRUE(found);
}

// A backend that rejects a valid parameter (XNNPACK's subnormal scales) answers an error for a
// valid test: the whole-variant identify counts it as parameter acceptance, not arithmetic.
TEST(Identify, ARejectedValidTestIsParameterAcceptance) {
  const auto file = read_vector_file(std::string(QUANTSPEC_VECTORS_DIR) + "/dequantize.json");
  Json per = Json::object();
  std::int64_t rejected_id = -1;
  for (const auto& g : file.groups) {
    for (const auto& t : g.tests) {
      if (t.result != Expectation::valid) continue;
      if (rejected_id < 0 && t.has_flag("subnormal_scale")) {
        rejected_id = t.tc_id;
        per[std::to_string(t.tc_id)] = Json{{"error", "scale"}};
      } else {
        per[std::to_string(t.tc_id)] = t.expected;
      }
    }
  }
  ASSERT_GE(rejected_id, 0);
  const auto identified =
      identify_variants({file}, parse_results(Json{{"results", {{"dequantize", per}}}}, "in-memory"), "in-memory");
  ASSERT_EQ(identified.size(), 1u);
  ASSERT_FALSE(identified[0].verdicts.empty());
  const VariantVerdict& v = identified[0].verdicts[0];
  EXPECT_TRUE(v.mismatches.empty());
  ASSERT_EQ(v.policy_mismatches.count("parameter_acceptance"), 1u);
  EXPECT_EQ(v.policy_mismatches.at("parameter_acceptance"), std::vector<std::int64_t>{rejected_id});
  // A backend that rejects every valid test is named by no variant (no right arithmetic result).
  Json all_rejected = Json::object();
  for (const auto& g : file.groups) {
    for (const auto& t : g.tests) {
      if (t.result == Expectation::valid) all_rejected[std::to_string(t.tc_id)] = Json{{"error", "scale"}};
    }
  }
  const auto none = identify_variants(
      {file}, parse_results(Json{{"results", {{"dequantize", all_rejected}}}}, "in-memory"), "in-memory");
  for (const VariantVerdict& verdict : none[0].verdicts) EXPECT_FALSE(verdict.mismatches.empty()) << verdict.variant;
}

}  // namespace

// identify on fake_quant.json: two backends written here in host IEEE binary32, transcribing
// PyTorch 1.13's fake_quantize_tensor_cachemask_kernel and TensorFlow's Nudge +
// FakeQuantWithMinMaxVarsFunctor (SPEC.md Q15.3, Q15.4), run on every FakeQuantTest with
// finite x (NaN/inf make the PyTorch expression undefined C++; those tests are not run).
// Each must be consistent with its own label only.
struct HostFakeQuant {
  bool tensorflow;
  Json operator()(const Json& ops) const {
    auto f = [&](const char* k) { return std::strtof(ops[k].get<std::string>().c_str(), nullptr); };
    const float x = f("x");
    if (!tensorflow) {
      const float sc = f("scale");
      const std::int64_t z = ops["zero_point"].get<std::int64_t>(), lo = 0, hi = 255;
      const float inv_scale = 1.0f / sc;
      const auto qval = x86_64_to_int64(z + std::nearbyint(x * inv_scale));
      const float out = static_cast<float>((std::fmin(std::fmax(qval, lo), hi) - z) * sc);
      return Json{{"value", hex(out)}, {"mask", lo <= qval && qval <= hi}};
    }
    const float min = f("min"), max = f("max"), qmin = 0.0f, qmax = 255.0f;
    const float scale = (max - min) / (qmax - qmin);
    const float inv_scale = (qmax - qmin) / (max - min);
    const float zpfm = qmin - min / scale;
    const float nz = zpfm < qmin ? qmin : zpfm > qmax ? qmax : std::round(zpfm);
    const float nmin = (qmin - nz) * scale, nmax = (qmax - nz) * scale;
    const float quant_zero = std::floor(-nmin * inv_scale + 0.5f);
    const float clamped = std::max(std::min(x, nmax), nmin);
    const float out = std::floor((clamped - nmin) / scale - quant_zero + 0.5f) * scale;
    return Json{{"value", hex(out)}, {"mask", nmin <= x && x <= nmax}};
  }
  // PyTorch's static_cast<int64_t> of a float: undefined in C++ outside int64's range (x = 1e30
  // gets there), so written out as x86-64's cvttss2si computes it, which is what the vector
  // records for PyTorch 1.13 (SPEC Q15.3): out of range or NaN -> INT64_MIN.
  static std::int64_t x86_64_to_int64(float v) {
    return v >= -0x1p63f && v < 0x1p63f ? static_cast<std::int64_t>(v)
                                          : std::numeric_limits<std::int64_t>::min();
  }
  static std::string hex(float v) {
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "%a", static_cast<double>(v));
    return buffer;
  }
};

TEST(Identify, TellsPytorchFakeQuantFromTensorflow) {
  const auto file = read_vector_file(std::string(QUANTSPEC_VECTORS_DIR) + "/fake_quant.json");
  for (bool tensorflow : {false, true}) {
    Json per = Json::object();
    for (const auto& g : file.groups) {
      if (g.type != "FakeQuantTest") continue;
      for (const auto& t : g.tests) {
        const Json ops = g.operands(t);
        if (!std::isfinite(std::strtof(ops["x"].get<std::string>().c_str(), nullptr))) continue;
        per[std::to_string(t.tc_id)] = HostFakeQuant{tensorflow}(ops);
      }
    }
    const auto results = parse_results(Json{{"results", {{"fake_quant", per}}}}, "in-memory");
    const auto identified = identify_variants({file}, results, "in-memory");
    ASSERT_EQ(identified.size(), 1u);
    std::set<std::string> consistent;
    for (const auto& v : identified[0].verdicts) {
      if (v.mismatches.empty() && v.tests_run > 0) consistent.insert(v.variant);
    }
    const std::string mine = tensorflow ? "fake_quant=tensorflow, tf_op=with_min_max_vars"
                                        : "fake_quant=pytorch";
    EXPECT_EQ(consistent, std::set<std::string>{mine}) << "tensorflow=" << tensorflow;
  }
}

}  // namespace quantspec::vectors
