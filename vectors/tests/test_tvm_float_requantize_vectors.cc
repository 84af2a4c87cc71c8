// deployed_requantize.json's TvmFloatRequantizeTest groups (SPEC.md Q11.11): every expected value
// is the reference's; every pair of the six members (3 roundings x 2 compute dtypes) is told
// apart by at least three tests at normal parameters (recomputed with the reference here), but
// the pair the file lists as indistinguishable, which no test tells apart; the fast path run
// as a backend passes `check` and `identify` names each member by it.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <map>
#include <set>
#include <string>

#include "consistent_variants.hpp"
#include "quantspec/reference/binary32_requantize.hpp"
#include "quantspec/reference/errors.hpp"
#include "quantspec/reference/numbers.hpp"
#include "quantspec/vectors/check.hpp"
#include "quantspec/vectors/format.hpp"

namespace quantspec::vectors {
namespace {

const std::string kDeployed = std::string(QUANTSPEC_VECTORS_DIR) + "/deployed_requantize.json";
const char* const kType = "TvmFloatRequantizeTest";

float binary32(const Json& text) { return std::strtof(text.get<std::string>().c_str(), nullptr); }

ref::TvmFloatRequantParams params_of(const Json& ops, const Json& variant) {
  ref::TvmFloatRequantParams p;
  p.input_scale = binary32(ops.at("input_scale"));
  p.output_scale = binary32(ops.at("output_scale"));
  p.input_zero_point = ops.at("input_zero_point").get<std::int32_t>();
  p.output_zero_point = ops.at("zero_point").get<std::int32_t>();
  p.qmin = ops.at("qmin").get<std::int32_t>();
  p.qmax = ops.at("qmax").get<std::int32_t>();
  p.rounding = ref::parse_tvm_float_rounding(variant.at("member").get<std::string>());
  p.dtype = ref::parse_tvm_compute_dtype(variant.at("compute_dtype").get<std::string>());
  return p;
}

ref::Integer acc_of(const Json& ops) {
  const Json& a = ops.at("acc");
  return a.is_string() ? ref::Integer(a.get<std::string>()) : ref::Integer(a.get<std::int64_t>());
}

// The reference's output, or the name of the rejected parameter.
std::string reference_output(const Json& ops, const Json& variant) {
  try {
    return ref::requantize_tvm_float(acc_of(ops), params_of(ops, variant)).str();
  } catch (const ref::ParameterError& e) {
    return "error " + e.parameter();
  }
}

std::vector<const TestGroup*> groups(const VectorFile& file) {
  std::vector<const TestGroup*> out;
  for (const auto& g : file.groups) {
    if (g.type == kType) out.push_back(&g);
  }
  return out;
}

TEST(TvmFloatRequantizeVectors, EveryExpectedValueIsTheReferences) {
  const VectorFile file = read_vector_file(kDeployed);
  std::size_t n = 0;
  for (const TestGroup* g : groups(file)) {
    for (const auto& t : g->tests) {
      const std::string want = t.result == Expectation::invalid
                                   ? "error " + t.expected.at("error").get<std::string>()
                                   : ref::Integer(t.expected.at("q").is_string()
                                                      ? t.expected.at("q").get<std::string>()
                                                      : std::to_string(t.expected.at("q").get<std::int64_t>()))
                                         .str();
      EXPECT_EQ(reference_output(g->operands(t), g->variant), want) << "tcId " << t.tc_id;
      ++n;
    }
  }
  EXPECT_EQ(groups(file).size(), 24u);  // 6 members x 4 output bounds
  EXPECT_GT(n, 600u);
}

// Normal parameters, defined here independently of the generator: output scales that are a
// typical decimal scale rounded to binary32, input scales that are one of them or the binary32
// product of one with a typical weight scale, |Zin| <= 128, Zy a value of the output type.
bool normal_parameters(const Json& ops) {
  static const double decimals[] = {0.1, 0.05, 1.0 / 255, 2.0 / 255, 0.2, 0.02};
  static const double weights[] = {0.02, 0.003, 1.0 / 127};
  std::set<float> out_scales, in_scales;
  for (const double d : decimals) {
    const float s = static_cast<float>(d);
    out_scales.insert(s);
    in_scales.insert(s);
    for (const double w : weights) in_scales.insert(s * static_cast<float>(w));
  }
  const auto zin = ops.at("input_zero_point").get<std::int64_t>();
  return in_scales.count(binary32(ops.at("input_scale"))) &&
         out_scales.count(binary32(ops.at("output_scale"))) && zin >= -128 && zin <= 128;
}

std::string label(const Json& variant) {
  return variant.at("member").get<std::string>() + "/" + variant.at("compute_dtype").get<std::string>();
}

TEST(TvmFloatRequantizeVectors, EveryPairOfMembersIsSeparatedAtNormalParameters) {
  const VectorFile file = read_vector_file(kDeployed);
  // Per output bounds, the groups of the six members hold the same inputs (README): recompute
  // every member on every test of one member's group.
  std::map<std::string, Json> variants;  // label -> variant
  std::map<std::pair<std::int64_t, std::int64_t>, const TestGroup*> per_bounds;
  for (const TestGroup* g : groups(file)) {
    variants[label(g->variant)] = g->variant;
    per_bounds.emplace(std::make_pair(g->params.at("qmin").get<std::int64_t>(),
                                      g->params.at("qmax").get<std::int64_t>()),
                       g);
  }
  ASSERT_EQ(variants.size(), 6u);
  ASSERT_EQ(per_bounds.size(), 4u);
  std::map<std::pair<std::string, std::string>, int> separated;
  for (const auto& [bounds, g] : per_bounds) {
    for (const auto& t : g->tests) {
      const Json ops = g->operands(t);
      if (!normal_parameters(ops)) continue;
      std::map<std::string, std::string> out;
      for (const auto& [name, variant] : variants) out[name] = reference_output(ops, variant);
      for (const auto& [a, qa] : out) {
        for (const auto& [b, qb] : out) {
          if (a < b && qa != qb && qa.rfind("error", 0) != 0 && qb.rfind("error", 0) != 0) {
            separated[{a, b}]++;
          }
        }
      }
    }
  }
  // SPEC Q11.11: the TONEAREST lowerings differ in float64 only at |t'| >= 2^52 or
  // t' = +-(1/2 - 2^-54), neither reachable from an int32 acc and binary32 scales of this kind.
  const std::pair<std::string, std::string> proven_equal = {"tvm_fp_tonearest/float64",
                                                            "tvm_fp_tonearest_nosse41/float64"};
  for (const auto& [a, va] : variants) {
    for (const auto& [b, vb] : variants) {
      if (!(a < b)) continue;
      if (std::make_pair(a, b) == proven_equal) {
        EXPECT_EQ((separated[{a, b}]), 0) << a << " vs " << b;
      } else {
        EXPECT_GE((separated[{a, b}]), 3) << a << " vs " << b;
      }
    }
  }
  const Json doc = read_json_file(kDeployed);
  EXPECT_EQ(doc.at("indistinguishable"),
            Json::array({std::string(kType) + ": tvm_fp_tonearest/float64 = "
                                              "tvm_fp_tonearest_nosse41/float64"}));
}

// The fast path (host float / double, SPEC Q11.11) as a backend, one member for every group.
Results fast_path_results(const VectorFile& file, const Json& as_variant) {
  Json per = Json::object();
  for (const TestGroup* g : groups(file)) {
    for (const auto& t : g->tests) {
      const Json ops = g->operands(t);
      const ref::Integer acc = acc_of(ops);
      Json result;
      try {
        if (!ref::fits_int32(acc)) throw ref::ParameterError("acc", "an int32", acc.str());
        result = Json{{"q", ref::requantize_tvm_float_fast(acc.convert_to<std::int32_t>(),
                                                           params_of(ops, as_variant))}};
      } catch (const ref::ParameterError& e) {
        result = Json{{"error", e.parameter()}};
      }
      per[std::to_string(t.tc_id)] = result;
    }
  }
  return parse_results(Json{{"results", {{"deployed_requantize", per}}}}, "in-memory");
}

std::set<std::string> consistent_labels(const VectorFile& file, const Results& results) {
  return test_support::consistent_variants(file, groups(file), results);
}

TEST(TvmFloatRequantizeVectors, IdentifyNamesEachMemberRunByTheFastPath) {
  const VectorFile file = read_vector_file(kDeployed);
  for (const char* dtype : {"float32", "float64"}) {
    for (const auto rounding : ref::all_tvm_float_roundings()) {
      const Json variant = {{"member", ref::name(rounding)}, {"compute_dtype", dtype}};
      const std::string name = "member=" + std::string(ref::name(rounding)) + ", compute_dtype=" + dtype;
      std::set<std::string> expected = {name};
      if (std::string(dtype) == "float64" && rounding != ref::TvmFloatRounding::upward) {
        expected = {"member=tvm_fp_tonearest, compute_dtype=float64",
                    "member=tvm_fp_tonearest_nosse41, compute_dtype=float64"};
      }
      EXPECT_EQ(consistent_labels(file, fast_path_results(file, variant)), expected) << name;
    }
  }
}

TEST(TvmFloatRequantizeVectors, CheckPassesTheFastPathOnItsOwnGroupsOnly) {
  const VectorFile file = read_vector_file(kDeployed);
  const Json upward32 = {{"member", "tvm_fp_upward"}, {"compute_dtype", "float32"}};
  std::size_t own = 0, other = 0, other_failed = 0;
  for (const auto& o : evaluate({file}, fast_path_results(file, upward32), "in-memory")) {
    if (o.outcome == Outcome::not_run) continue;
    const bool ok = o.outcome == Outcome::expected_pass || o.outcome == Outcome::expected_failure;
    if (o.variant == "member=tvm_fp_upward, compute_dtype=float32") {
      ++own;
      EXPECT_TRUE(ok) << "tcId " << o.tc_id << ": " << o.explanation;
    } else {
      ++other;
      other_failed += !ok;
    }
  }
  EXPECT_GT(own, 100u);
  EXPECT_GT(other_failed, 0u) << other;
}

}  // namespace
}  // namespace quantspec::vectors
