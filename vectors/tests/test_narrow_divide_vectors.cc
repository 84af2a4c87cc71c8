// quantize.json's NarrowDivideQuantizeTest groups (SPEC.md Q11.12, ONNX QuantizeLinear >= 21):
// every expected value is the reference's; every pair of the four members (f16_divide,
// bf16_divide with half_even; f32_divide with half_even and toward_zero) is told apart by at
// least three tests at normal parameters for every dtype and operand format (recomputed with
// the reference here); every x and scale of a group is a value of its operand_format; the fast
// path run as a backend passes `check` on its own member's groups and `identify` names it.
#include <gtest/gtest.h>

#include <cstdint>
#include <map>
#include <set>
#include <string>

#include "consistent_variants.hpp"
#include "quantspec/reference/deployed_quantize.hpp"
#include "quantspec/reference/errors.hpp"
#include "quantspec/reference/numbers.hpp"
#include "quantspec/reference/quantize.hpp"
#include "quantspec/vectors/check.hpp"
#include "quantspec/vectors/format.hpp"

namespace quantspec::vectors {
namespace {

const std::string kQuantize = std::string(QUANTSPEC_VECTORS_DIR) + "/quantize.json";
const char* const kType = "NarrowDivideQuantizeTest";

float binary32(const Json& text) { return std::strtof(text.get<std::string>().c_str(), nullptr); }

ref::QuantizeParams params_of(const Json& ops, const Json& variant) {
  ref::QuantizeParams p;
  p.scale = binary32(ops.at("scale"));
  p.zero_point = ops.at("zero_point").get<std::int64_t>();
  p.qmin = ops.at("qmin").get<std::int64_t>();
  p.qmax = ops.at("qmax").get<std::int64_t>();
  p.rounding = ref::parse_rounding(variant.at("rounding").get<std::string>());
  p.division = ref::Division::f32_divide;
  return p;
}

bool is_binary32_division(const Json& variant) { return variant.at("division") == "f32_divide"; }

// The reference's output, or the name of the rejected parameter.
std::string reference_output(const Json& ops, const Json& variant) {
  const float x = binary32(ops.at("x"));
  try {
    const auto p = params_of(ops, variant);
    if (is_binary32_division(variant)) return ref::quantize(x, p).str();
    return ref::quantize_narrow_divide(
               x, p, ref::parse_narrow_format(variant.at("division").get<std::string>()))
        .str();
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

std::string label(const Json& variant) {
  return variant.at("division").get<std::string>() + "/" + variant.at("rounding").get<std::string>();
}

float round_to_format(const std::string& format, const ref::Rational& v) {
  if (format == "binary16") return ref::round_to_binary16(v);
  if (format == "bfloat16") return ref::round_to_bfloat16(v);
  return ref::round_to_binary32(v);
}

bool in_format(const std::string& format, float v) {
  return !std::isfinite(v) || round_to_format(format, ref::exact(v)) == v;
}

TEST(NarrowDivideVectors, EveryExpectedValueIsTheReferencesOnOperandsOfTheGroupsFormat) {
  const VectorFile file = read_vector_file(kQuantize);
  std::size_t n = 0;
  for (const TestGroup* g : groups(file)) {
    const std::string format = g->params.at("operand_format").get<std::string>();
    for (const auto& t : g->tests) {
      const Json ops = g->operands(t);
      const std::string want = t.result == Expectation::invalid
                                   ? "error " + t.expected.at("error").get<std::string>()
                                   : std::to_string(t.expected.at("q").get<std::int64_t>());
      EXPECT_EQ(reference_output(ops, g->variant), want) << "tcId " << t.tc_id;
      EXPECT_TRUE(in_format(format, binary32(ops.at("x")))) << "tcId " << t.tc_id;
      EXPECT_TRUE(in_format(format, binary32(ops.at("scale")))) << "tcId " << t.tc_id;
      ++n;
    }
  }
  EXPECT_EQ(groups(file).size(), 36u);  // 4 members x 3 dtypes x 3 operand formats
  EXPECT_GT(n, 900u);
}

// Normal parameters, defined here independently of the generator: a typical decimal scale
// rounded to the group's operand format, a zero point of the grid.
bool normal_parameters(const Json& ops) {
  const std::string format = ops.at("operand_format").get<std::string>();
  const ref::Rational decimals[] = {{1, 10}, {1, 50}, {1, 255}, {1, 20}, {2, 255}, {1, 5}, {1, 254}, {3, 1000}};
  const float s = binary32(ops.at("scale"));
  for (const auto& d : decimals) {
    if (round_to_format(format, d) == s) return true;
  }
  return false;
}

TEST(NarrowDivideVectors, EveryPairOfMembersIsSeparatedAtNormalParametersOnEveryGrid) {
  const VectorFile file = read_vector_file(kQuantize);
  std::map<std::string, Json> variants;
  std::map<std::string, const TestGroup*> per_grid;  // dtype + operand format -> one group
  for (const TestGroup* g : groups(file)) {
    variants[label(g->variant)] = g->variant;
    per_grid.emplace(g->params.at("dtype").get<std::string>() + " " +
                         g->params.at("operand_format").get<std::string>(),
                     g);
  }
  ASSERT_EQ(variants.size(), 4u);
  ASSERT_EQ(per_grid.size(), 9u);
  for (const auto& [grid, g] : per_grid) {
    std::map<std::pair<std::string, std::string>, int> separated;
    for (const auto& t : g->tests) {
      const Json ops = g->operands(t);
      if (!normal_parameters(ops)) continue;
      std::map<std::string, std::string> out;
      for (const auto& [name, variant] : variants) out[name] = reference_output(ops, variant);
      for (const auto& [a, qa] : out)
        for (const auto& [b, qb] : out)
          if (a < b && qa != qb && qa.rfind("error", 0) != 0 && qb.rfind("error", 0) != 0) {
            separated[{a, b}]++;
          }
    }
    for (const auto& [a, va] : variants)
      for (const auto& [b, vb] : variants)
        if (a < b) EXPECT_GE((separated[{a, b}]), 3) << grid << ": " << a << " vs " << b;
  }
}

// The fast path as a backend: quantize_narrow_divide_fast for the narrow members, quantize_fast
// (host binary32 division) for f32_divide.
Results fast_path_results(const VectorFile& file, const Json& as_variant) {
  Json per = Json::object();
  for (const TestGroup* g : groups(file)) {
    for (const auto& t : g->tests) {
      const Json ops = g->operands(t);
      const float x = binary32(ops.at("x"));
      Json result;
      try {
        const auto p = params_of(ops, as_variant);
        p.validate();
        const std::int64_t q =
            is_binary32_division(as_variant)
                ? ref::quantize_fast(x, p)
                : ref::quantize_narrow_divide_fast(
                      x, p, ref::parse_narrow_format(as_variant.at("division").get<std::string>()));
        result = Json{{"q", q}};
      } catch (const ref::ParameterError& e) {
        result = Json{{"error", e.parameter()}};
      }
      per[std::to_string(t.tc_id)] = result;
    }
  }
  return parse_results(Json{{"results", {{"quantize", per}}}}, "in-memory");
}

std::set<std::string> consistent_labels(const VectorFile& file, const Results& results) {
  return test_support::consistent_variants(file, groups(file), results);
}

TEST(NarrowDivideVectors, IdentifyNamesEachMemberRunByTheFastPath) {
  const VectorFile file = read_vector_file(kQuantize);
  for (const auto& [division, rounding] :
       std::vector<std::pair<const char*, const char*>>{{"f16_divide", "half_even"},
                                                        {"bf16_divide", "half_even"},
                                                        {"f32_divide", "half_even"},
                                                        {"f32_divide", "toward_zero"}}) {
    const Json variant = {{"division", division}, {"rounding", rounding}};
    const std::string name = std::string("division=") + division + ", rounding=" + rounding;
    EXPECT_EQ(consistent_labels(file, fast_path_results(file, variant)), std::set<std::string>{name});
  }
}

TEST(NarrowDivideVectors, CheckFailsABinary16BackendThatRoundsHalfAway) {
  const VectorFile file = read_vector_file(kQuantize);
  const Json wrong = {{"division", "f16_divide"}, {"rounding", "half_away"}};
  std::size_t run = 0, failed = 0;
  for (const auto& o : evaluate({file}, fast_path_results(file, wrong), "in-memory")) {
    if (o.variant != "division=f16_divide, rounding=half_even") continue;
    ++run;
    failed += o.outcome == Outcome::unexpected_failure;
  }
  EXPECT_GT(run, 200u);
  EXPECT_GT(failed, 0u);
}

}  // namespace
}  // namespace quantspec::vectors
