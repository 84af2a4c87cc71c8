// The golden vectors (vectors/*.json) run against kernel tables: the adapter maps a substantial
// share of them (lower bounds observed on the checked-in files, so a silent zero cannot pass),
// the scalar example and every compiled optimized table pass every mapped test, and broken
// tables fail on named vectors. `quantspec conform --op vectors` shows them as report rows.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <sstream>
#include <string>
#include <vector>

#include "broken_kernels.hpp"
#include "quantspec/conformance/conform.hpp"
#include "quantspec/conformance/vector_adapter.hpp"
#include "quantspec/conformance/vector_suites.hpp"

#ifdef QUANTSPEC_HAVE_OPTIMIZED
#include "quantspec/optimized.h"
#endif

namespace quantspec::conformance {
namespace {

const GoldenVectors& golden() {
  static const GoldenVectors vectors = load_golden_vectors(QUANTSPEC_VECTORS_SOURCE_DIR);
  return vectors;
}

const GoldenVectorRow& row(const std::string& label) {
  for (const GoldenVectorRow& r : golden().rows) {
    if (r.label == label) return r;
  }
  throw std::runtime_error("no golden-vector row " + label);
}

struct Tally {
  std::size_t passed = 0, not_provided = 0;
  std::vector<std::string> failures;  // "row: message"
};

Tally run_every_row(const qs_kernel_table& table) {
  Tally tally;
  for (const GoldenVectorRow& r : golden().rows) {
    for (const VectorTestResult& result : run_vector_tests(table, r.tests)) {
      switch (result.status) {
        case VectorTestResult::Status::pass: ++tally.passed; break;
        case VectorTestResult::Status::not_provided: ++tally.not_provided; break;
        case VectorTestResult::Status::fail: tally.failures.push_back(r.label + ": " + result.message); break;
      }
    }
  }
  return tally;
}

// The first failing test of a row on a table, or "" when all pass.
const VectorTest* first_failure(const qs_kernel_table& table, const std::string& label, std::string* message) {
  const GoldenVectorRow& r = row(label);
  const std::vector<VectorTestResult> results = run_vector_tests(table, r.tests);
  for (std::size_t i = 0; i < results.size(); ++i) {
    if (results[i].status == VectorTestResult::Status::fail) {
      *message = results[i].message;
      return &r.tests[i];
    }
  }
  return nullptr;
}

bool has_flag(const VectorTest& t, const std::string& flag) {
  return std::find(t.flags.begin(), t.flags.end(), flag) != t.flags.end();
}

// Lower bounds: what the checked-in files map today (quantize 1245 int8 + 690 uint8 + 660
// narrow int8 tests of 5205, the rest int4/uint4/int16/uint16), rounded down, so a regression
// to "maps nothing" (or a family dropping out) fails.
TEST(GoldenVectorAdapter, MapsEveryFamilyTheAbiCarries) {
  const GoldenVectors& v = golden();
  ASSERT_NE(v.count("quantize"), nullptr);
  EXPECT_GT(v.count("quantize")->mapped, 3000u) << describe_counts(v);  // 3121 with Q11.9 / Q11.12's groups
  EXPECT_GT(v.count("dequantize")->mapped, 40u) << describe_counts(v);
  EXPECT_GT(v.count("requantize")->mapped, 800u) << describe_counts(v);
  EXPECT_GT(v.count("accumulate")->mapped, 20u) << describe_counts(v);
  EXPECT_GE(v.count("linear")->mapped, 40u) << describe_counts(v);
  // deployed_requantize.json: the int8/uint8 groups of the three SPEC Q11 members with an ABI
  // selector and Q11.4's two derivations (205 today); its float pipelines stay not applicable.
  ASSERT_NE(v.count("deployed_requantize"), nullptr) << describe_counts(v);
  EXPECT_GE(v.count("deployed_requantize")->mapped, 200u) << describe_counts(v);
  for (const char* label : {"requantize neon_double_round", "requantize int16x8_int64", "requantize rndnu16"}) {
    EXPECT_GE(row(label).tests.size(), 40u) << label;
  }
  // What the ABI cannot carry is counted, not silently dropped.
  for (const GoldenVectorCount& c : v.counts) EXPECT_EQ(c.mapped + c.not_applicable_total(), c.tests) << c.family;
  // dynamic_linear.json: 20 valid + 3 invalid tests the ABI carries (m = 0, a weight scale 0,
  // a NaN activation); 3 not applicable (two weight scales for N = 1, a bias of the wrong size,
  // a subnormal D[n] that only Q17.6 rejects).
  ASSERT_NE(v.count("dynamic_linear"), nullptr) << describe_counts(v);
  EXPECT_GE(v.count("dynamic_linear")->mapped, 23u) << describe_counts(v);
  EXPECT_LE(v.count("dynamic_linear")->not_applicable_total(), 3u) << describe_counts(v);
  EXPECT_EQ(v.count("quant_params")->mapped, 0u);
  EXPECT_GT(v.count("quantize")->not_applicable_total(), 2000u);  // int4, uint4, int16, uint16
}

TEST(GoldenVectorAdapter, MapsInvalidVectorsOnlyWhenTheAbiCarriesTheRejectedParameter) {
  std::size_t invalid = 0;
  for (const GoldenVectorRow& r : golden().rows) {
    for (const VectorTest& t : r.tests) invalid += t.valid ? 0 : 1;
  }
  // quantize: scale 0, -0, negative, inf, nan and Z = -129, 128 in the int8 / uint8 / narrow
  // groups; requantize: multiplier, shift, zero point, TOSA acc ranges.
  EXPECT_GT(invalid, 100u);
}

TEST(GoldenVectors, ScalarExamplePassesEveryMappedTest) {
  const Tally tally = run_every_row(*qs_scalar_example_table());
  EXPECT_TRUE(tally.failures.empty()) << tally.failures.size() << " failures, first:\n" << tally.failures.front();
  EXPECT_EQ(tally.passed + tally.not_provided + tally.failures.size(), golden().mapped());
  EXPECT_GT(tally.passed, 3000u) << "not provided: " << tally.not_provided;
}

#ifdef QUANTSPEC_HAVE_OPTIMIZED
TEST(GoldenVectors, EveryCompiledOptimizedTablePassesEveryMappedTest) {
  for (const optimized::TargetTable& t : optimized::compiled_tables()) {
    const Tally tally = run_every_row(*t.table);
    EXPECT_TRUE(tally.failures.empty()) << t.target << ": " << tally.failures.size() << " failures, first:\n"
                                        << (tally.failures.empty() ? "" : tally.failures.front());
    // Our kernels provide at least f32_divide / f32_reciprocal quantize, dequantize and the
    // fp32 / double_round / single_round requantizations.
    EXPECT_GT(tally.passed, 1500u) << t.target << " (not provided: " << tally.not_provided << ")";
  }
}
#endif

// dynamic_linear.json through the ABI's dynamic_linear (PYTORCH_U8): every compiled table passes
// every mapped test (not "not provided"); a kernel that multiplies the int32 accumulator without
// rounding it to binary32 first fails on the vector built for that (|acc| > 2^24), and the same
// kernel with the rounding passes them all, so only the bug makes the difference.
#ifdef QUANTSPEC_HAVE_OPTIMIZED
const qs_kernel_table& ours() { return *optimized::dispatch_table(); }

template <bool kRoundAccumulator>
qs_status dynamic_linear_from_spec(const qs_dynamic_linear_params* p, const float* x, size_t x_stride,
                                   const std::int8_t* w, size_t w_stride, float* out, size_t out_stride, size_t m,
                                   size_t n, size_t k) {
  const qs_status status = ours().dynamic_linear(p, x, x_stride, w, w_stride, out, out_stride, m, n, k);
  if (status != QS_OK || p->quant.variant != QS_DYN_PYTORCH_U8) return status;  // validation, other variants
  std::vector<float> dense;
  for (size_t r = 0; r < m; ++r) dense.insert(dense.end(), x + r * x_stride, x + r * x_stride + k);
  std::vector<std::uint8_t> qx(m * k);
  float sx = 0.0f;
  std::int32_t zx = 0;
  if (ours().dynamic_quantize(&p->quant, dense.data(), qx.data(), m, k, &sx, &zx) != QS_OK) return QS_BAD_PARAMETERS;
  for (size_t r = 0; r < m; ++r) {
    for (size_t c = 0; c < n; ++c) {
      std::int64_t acc = 0;
      for (size_t i = 0; i < k; ++i) acc += (static_cast<std::int32_t>(qx[r * k + i]) - zx) * w[c * w_stride + i];
      const float d = sx * p->weight_scales[c];
      const float product = kRoundAccumulator ? static_cast<float>(acc) * d
                                              : static_cast<float>(static_cast<double>(acc) * d);  // BUG when false
      out[r * out_stride + c] = p->bias != nullptr ? product + p->bias[c] : product;
    }
  }
  return QS_OK;
}

qs_kernel_table with_dynamic_linear(decltype(qs_kernel_table::dynamic_linear) fn, const char* name) {
  qs_kernel_table table = *qs_scalar_example_table();
  table.name = name;
  table.dynamic_linear = fn;
  table.dynamic_quantize = ours().dynamic_quantize;
  return table;
}

TEST(GoldenVectors, DynamicLinearVectorsPassOnEveryTableAndCatchAnUnroundedAccumulator) {
  const GoldenVectorRow& r = row("dynamic_linear pytorch_u8");
  std::size_t valid = 0;
  for (const VectorTest& t : r.tests) valid += t.valid ? 1 : 0;
  EXPECT_GE(valid, 20u);
  for (const optimized::TargetTable& target : optimized::compiled_tables()) {
    for (const VectorTestResult& result : run_vector_tests(*target.table, r.tests)) {
      EXPECT_EQ(result.status, VectorTestResult::Status::pass) << target.target << " " << result.id << "\n" << result.message;
    }
  }
  const qs_kernel_table good = with_dynamic_linear(dynamic_linear_from_spec<true>, "dynamic_linear from the spec");
  std::string message;
  EXPECT_EQ(first_failure(good, "dynamic_linear pytorch_u8", &message), nullptr) << message;
  const qs_kernel_table bad = with_dynamic_linear(dynamic_linear_from_spec<false>, "broken: fl32(acc * D) without fl32(acc)");
  const VectorTest* failed = first_failure(bad, "dynamic_linear pytorch_u8", &message);
  ASSERT_NE(failed, nullptr) << "the broken table passed every dynamic_linear vector";
  EXPECT_TRUE(has_flag(*failed, "accumulator_beyond_binary32")) << message;
  EXPECT_NE(message.find("dynamic_linear.json tcId "), std::string::npos) << message;
  EXPECT_NE(message.find("variant: pytorch_u8"), std::string::npos) << message;  // the whole case
}
#endif

// Half-away where half_even was asked: the first f32_divide half_even vector it gets wrong is a
// tie that half_even rounds to even (x/S = 2.5 -> 2, half_away gives 3).
TEST(GoldenVectors, BrokenRoundingFailsOnATieVector) {
  std::string message;
  const VectorTest* failed = first_failure(broken::half_away_for_half_even(), "quantize f32_divide half_even", &message);
  ASSERT_NE(failed, nullptr) << "the broken table passed every vector";
  EXPECT_TRUE(has_flag(*failed, "tie_even_positive") || has_flag(*failed, "tie_even_negative")) << message;
  EXPECT_NE(message.find("quantize.json tcId "), std::string::npos) << message;
  EXPECT_NE(message.find("rounding: half_even"), std::string::npos) << message;  // the whole case
}

// The SPEC Q11 members mistaken for their Q7 neighbours fail on the vectors built to separate
// them (vectors/deployed_requantize.json flags): neon_double_round rounded as gemmlowp on its
// negative tie or its wrapped left shift; int16x8_int64 with the full multiplier where the
// dropped 16 bits matter; rndnu16 as one rndnu rounding on its pre-shift ties, renormalised
// multipliers or double-rounding cases.
TEST(GoldenVectors, DeployedMembersFailAsTheirQ7Neighbours) {
  struct Expectation {
    const qs_kernel_table* table;
    const char* label;
    std::vector<std::string> flags;
  };
  const std::vector<Expectation> expectations = {
      {&broken::neon_double_round_as_gemmlowp(), "requantize neon_double_round", {"neon_tie_up", "left_shift_wraps"}},
      {&broken::int16x8_with_the_full_multiplier(), "requantize int16x8_int64",
       {"reduced_multiplier_drops_bits", "reduced_multiplier_at_top", "rndnu16_multiplier_rounding"}},
      {&broken::rndnu16_as_rndnu(), "requantize rndnu16",
       {"neon_tie_up", "double_rounding_artifact", "rndnu16_pre_shift_tie", "rndnu16_multiplier_renormalised",
        "rndnu16_multiplier_rounding"}},
  };
  for (const Expectation& e : expectations) {
    SCOPED_TRACE(e.label);
    std::string message;
    const VectorTest* failed = first_failure(*e.table, e.label, &message);
    ASSERT_NE(failed, nullptr) << e.table->name << " passed every vector";
    EXPECT_TRUE(std::any_of(e.flags.begin(), e.flags.end(), [&](const std::string& f) { return has_flag(*failed, f); }))
        << message;
    EXPECT_NE(message.find("deployed_requantize.json tcId "), std::string::npos) << message;
    std::string none;
    EXPECT_EQ(first_failure(*qs_scalar_example_table(), e.label, &none), nullptr) << none;
  }
}

// Convert-before-clamp: a quotient beyond int32 converts to INT32_MIN, so it fails on the
// vectors flagged quotient_beyond_int32 (or an infinite input).
TEST(GoldenVectors, ConvertBeforeClampFailsOnAQuotientBeyondInt32) {
  std::string message;
  const VectorTest* failed = first_failure(broken::convert_before_clamp(), "quantize f32_divide half_even", &message);
  ASSERT_NE(failed, nullptr);
  EXPECT_TRUE(has_flag(*failed, "quotient_beyond_int32") || has_flag(*failed, "infinite_input")) << message;
}

// y + Zy wrapped at 8 bits: fails on a vector whose y + Zy leaves int8.
TEST(GoldenVectors, Int8ZeroPointWrapFailsOnTheOverflowVector) {
  std::string message;
  const VectorTest* failed = first_failure(broken::int8_zero_point_wrap(), "requantize double_round", &message);
  ASSERT_NE(failed, nullptr);
  EXPECT_TRUE(has_flag(*failed, "zero_point_add_overflows_int8") || has_flag(*failed, "clamp_high") ||
              has_flag(*failed, "clamp_low"))
      << message;
}

// int16 pair saturation in u8*s8: the accumulate vectors flagged int16_pair_saturation catch it.
TEST(GoldenVectors, Int16PairSaturationFailsOnTheAccumulateVector) {
  std::string message;
  const VectorTest* failed = first_failure(broken::int16_pair_saturation(), "accumulate (gemm 1x1)", &message);
  ASSERT_NE(failed, nullptr);
  EXPECT_TRUE(has_flag(*failed, "int16_pair_saturation")) << message;
}

// The report row: a broken table's row FAILs in check MatchesGoldenVectors with the tcId and
// the whole case; the scalar example's passes.
TEST(GoldenVectorsInConform, ARowFailsWithTheFirstFailingTcIdAndTheWholeCase) {
  const std::vector<VariantSuite> suites = golden_vector_suites(golden());
  const auto suite = std::find_if(suites.begin(), suites.end(), [](const VariantSuite& s) {
    return s.op == "vectors" && s.variant == "quantize f32_divide half_even";
  });
  ASSERT_NE(suite, suites.end());
  const VariantResult broken_result = run_variant(broken::half_away_for_half_even(), "broken", *suite, Settings{});
  EXPECT_EQ(broken_result.status, VariantResult::Status::fail);
  EXPECT_EQ(broken_result.failed_check, "MatchesGoldenVectors");
  EXPECT_NE(broken_result.counterexample.find("quantize.json tcId "), std::string::npos) << broken_result.counterexample;
  EXPECT_NE(broken_result.counterexample.find("division: f32_divide"), std::string::npos) << broken_result.counterexample;
  const VariantResult good = run_variant(*qs_scalar_example_table(), "scalar", *suite, Settings{});
  EXPECT_EQ(good.status, VariantResult::Status::pass) << good.counterexample;
  EXPECT_EQ(good.cases, row("quantize f32_divide half_even").tests.size());
}

ConformOptions vector_options() {
  ConformOptions options;
  options.plugin = QUANTSPEC_SCALAR_PLUGIN_PATH;
  options.ops = {"vectors"};
  options.vectors_dir = QUANTSPEC_VECTORS_SOURCE_DIR;
  static std::ostringstream progress_sink;
  options.progress = &progress_sink;
  return options;
}

TEST(GoldenVectorsInConform, PluginRunsTheVectorRowsInChildProcesses) {
  std::ostringstream out;
  EXPECT_EQ(run_conform(vector_options(), out), 0) << out.str();
  const std::string text = out.str();
  EXPECT_NE(text.find("vectors    quantize f32_divide half_even"), std::string::npos) << text;
  EXPECT_NE(text.find("requantize double_round"), std::string::npos) << text;
  EXPECT_EQ(text.find("FAIL"), std::string::npos) << text;
  EXPECT_NE(text.find("tests map onto the kernel ABI"), std::string::npos) << text;
}

TEST(GoldenVectorsInConform, AMissingDirectoryIsNotProvidedNotAFailure) {
  ConformOptions options = vector_options();
  options.vectors_dir = "/nonexistent/vectors";
  std::ostringstream out;
  EXPECT_EQ(run_conform(options, out), 0) << out.str();
  EXPECT_NE(out.str().find("n/p"), std::string::npos) << out.str();
  EXPECT_NE(out.str().find("no golden vectors that map onto the kernel ABI at \"/nonexistent/vectors\""), std::string::npos) << out.str();
}

TEST(GoldenVectorsInConform, OtherOperationsDoNotRunTheVectors) {
  ConformOptions options = vector_options();
  options.ops = {"lut"};
  options.cases = 5;
  std::ostringstream out;
  EXPECT_EQ(run_conform(options, out), 0) << out.str();
  EXPECT_EQ(out.str().find("vectors "), std::string::npos) << out.str();
}

}  // namespace
}  // namespace quantspec::conformance
