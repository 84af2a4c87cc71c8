// SPEC Q20.6: the distinguish family separates every pair of members of every dimension on at
// least three non-policy tests (policy members on a policy test), recomputed here with the
// reference; and `vectors identify` names, per dimension, the member that produced a results
// file: the reference's own results, one results file per member, and a backend that
// differs from the spec only in its NaN policy.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <set>
#include <sstream>

#include "../src/dimensions.hpp"
#include "../src/dimensions_identify.hpp"
#include "quantspec/vectors/check.hpp"
#include "quantspec/vectors/format.hpp"
#include "quantspec/reference/numbers.hpp"

namespace quantspec::vectors {
namespace {

const std::string kDistinguish = std::string(QUANTSPEC_VECTORS_DIR) + "/distinguish.json";

const VectorFile& family() {
  static const VectorFile file = read_vector_file(kDistinguish);
  return file;
}

// Member pairs the search cannot separate at normal parameters, with the reason (they are
// listed in the file's "indistinguishable" member as well).
bool known_indistinguishable(const std::string& operation, const std::string& dimension,
                             std::string a, std::string b) {
  if (b < a) std::swap(a, b);
  // fl64(M) and M give the same binary32 scale unless the binary64 rounding of M creates a
  // binary32 tie (probability about 2^-29 per scale triple; SPEC Q6.3).
  const bool requantizes = operation == "requantize" || operation == "linear";
  if (requantizes && dimension == "scale_derivation" && a == "exact" && b == "tflite") return true;
  // The same for fl64(fl32(Sx*Sw)/Sy) against fl32(fl32(Sx*Sw)/Sy) wherever the pipeline takes
  // a binary32 scale (fp32, the base context): fl32(fl64(q)) = fl32(q) unless the binary64
  // rounding of q creates a binary32 tie.
  if (requantizes && dimension == "scale_derivation" && a == "f32_product_divide" &&
      b == "f32_product_f64_divide") {
    return true;
  }
  // fl64(fl64(acc)*M') rounds differently from the exact acc*M' only where the binary64
  // product lands on or across a half the exact value misses: with an int32 accumulator that
  // needs |acc*M'| near 2^30 (SPEC Q20.3 fp64; Binary64Requantize tests), never at normal
  // int8/uint8 outputs.
  return requantizes && dimension == "pipeline" && a == "fp64" && b == "ideal";
}

// Members that are the same function in some context of the other dimensions (so a results
// file made from one is consistent with the other there too).
bool same_function_somewhere(const std::string& operation, const std::string& dimension,
                             std::string a, std::string b) {
  if (known_indistinguishable(operation, dimension, a, b)) return true;
  if (b < a) std::swap(a, b);
  // Same functions (SPEC Q7.12): single_round is round_half_up(acc*M') and rndna
  // round_half_away(acc*M'), i.e. the ideal pipeline with that rounding, wherever the Q31 pair
  // represents M' exactly (the binary32 derivations). identify reports both as consistent.
  // fp64 is ideal at these parameters (SPEC Q20.3), so the same holds for it.
  return (operation == "requantize" || operation == "linear") && dimension == "pipeline" &&
         (a == "ideal" || a == "fp64") && (b == "single_round" || b == "rndna");
}

// Every test of `type`, with its merged operands.
struct FamilyTest {
  const VectorTest* test;
  Json operands;
};
std::vector<FamilyTest> tests_of(const std::string& type) {
  std::vector<FamilyTest> out;
  for (const auto& g : family().groups) {
    if (g.type != type) continue;
    for (const auto& t : g.tests) out.push_back({&t, g.operands(t)});
  }
  return out;
}

TEST(DistinguishFamily, ExpectedOutputsAreTheBaseContextsAndQ25IsIncluded) {
  bool q25 = false;
  for (const auto& model : distinguish_models()) {
    const auto tests = tests_of(model->group_type());
    ASSERT_FALSE(tests.empty()) << model->group_type();
    for (const auto& t : tests) {
      const Json predicted = model->predict(t.operands, {model->base()})[0];
      if (t.test->result == Expectation::invalid) {
        EXPECT_TRUE(predicted.contains("error")) << t.test->tc_id;
        EXPECT_TRUE(t.test->has_flag("policy")) << t.test->tc_id;
      } else {
        EXPECT_TRUE(same_output(t.test->expected, predicted)) << t.test->tc_id << " " << predicted.dump();
      }
      // The linear form of a requantize test accumulates to acc under every accumulation
      // member (no int16 pair saturates), with a bias_float that quantizes back to bias.
      if (model->operation() == "requantize" && t.operands.contains("x_values")) {
        const OperationModel& acc_model = *model_for_group_type("DistinguishAccumulateTest");
        for (const auto& p : acc_model.predict(t.operands, acc_model.combinations(true))) {
          EXPECT_EQ(p["acc"], t.operands["acc"]) << t.test->tc_id << " " << p.dump();
        }
        const double bias_float = ref::parse_binary32(t.operands["bias_float"].get<std::string>(), "b");
        const double bias_scale = ref::parse_binary32(t.operands["bias_scale"].get<std::string>(), "s");
        EXPECT_EQ(std::llround(bias_float / bias_scale), t.operands["bias"].get<long long>()) << t.test->tc_id;
      }
      if (model->operation() == "quantize" && t.operands["x"].is_string() &&
          ref::parse_binary32(t.operands["x"].get<std::string>(), "x") == 0x1.8cccccp+0f &&
          ref::parse_binary32(t.operands["scale"].get<std::string>(), "scale") == 0x1.99999ap-4f) {
        q25 = true;
      }
    }
  }
  EXPECT_TRUE(q25) << "SPEC Q2.5's x = 1.55f, S = 0.1f is not in the family";
}

TEST(DistinguishFamily, EveryPairOfMembersDiffersOnThreeNormalTests) {
  for (const auto& model : distinguish_models()) {
    const auto dims = model->dimensions();
    const Assignment base = model->base();
    // The base-context assignment of every member of every dimension.
    std::vector<Assignment> needed;
    std::map<std::pair<int, std::string>, std::size_t> index;
    for (std::size_t d = 0; d < dims.size(); ++d) {
      for (const auto& m : dims[d].members) {
        const Assignment a = model->with_member(base, static_cast<int>(d), m);
        ASSERT_FALSE(a.empty()) << model->operation() << " " << dims[d].name << "=" << m;
        index[{static_cast<int>(d), m}] = needed.size();
        needed.push_back(a);
      }
    }
    std::map<std::pair<std::size_t, std::size_t>, int> normal, policy;
    for (const auto& t : tests_of(model->group_type())) {
      if (t.test->result == Expectation::invalid) continue;
      const auto p = model->predict(t.operands, needed);
      for (std::size_t i = 0; i < needed.size(); ++i)
        for (std::size_t j = i + 1; j < needed.size(); ++j)
          if (!same_output(p[i], p[j])) (t.test->has_flag("policy") ? policy : normal)[{i, j}]++;
    }
    for (std::size_t d = 0; d < dims.size(); ++d) {
      // The linear tests are there for the accumulation; their requantize dimensions are
      // separated by the requantize tests, which carry the linear form too.
      if (model->operation() == "linear" && dims[d].name != "accumulation") continue;
      for (std::size_t a = 0; a < dims[d].members.size(); ++a) {
        for (std::size_t b = a + 1; b < dims[d].members.size(); ++b) {
          const auto& ma = dims[d].members[a];
          const auto& mb = dims[d].members[b];
          const std::size_t i = index[{static_cast<int>(d), ma}], j = index[{static_cast<int>(d), mb}];
          if (needed[i] == needed[j]) continue;
          const int n = (dims[d].policy ? policy : normal)[{std::min(i, j), std::max(i, j)}];
          if (known_indistinguishable(model->operation(), dims[d].name, ma, mb)) {
            EXPECT_EQ(n, 0) << "now separated: drop it from known_indistinguishable";
            continue;
          }
          EXPECT_GE(n, dims[d].policy ? 1 : 3)
              << model->operation() << " " << dims[d].name << ": " << ma << " | " << mb;
        }
      }
    }
  }
}

// The results a backend implementing `assignment` of `model` would write for every test of
// its type (invalid tests: rejected).
Json results_of(const OperationModel& model, const Assignment& assignment, Json per = Json::object()) {
  for (const auto& t : tests_of(model.group_type())) {
    if (t.test->result == Expectation::invalid) {
      per[std::to_string(t.test->tc_id)] = Json{{"error", "rejected"}};
      continue;
    }
    per[std::to_string(t.test->tc_id)] = model.predict(t.operands, {assignment})[0];
  }
  return per;
}

Results as_results(const Json& per) {
  return parse_results(Json{{"results", {{"distinguish", per}}}}, "in-memory");
}

const OperationIdentification& find_operation(const std::vector<OperationIdentification>& ids,
                                              const std::string& operation) {
  for (const auto& id : ids)
    if (id.operation == operation) return id;
  throw std::logic_error("no identification for " + operation);
}

const DimensionVerdict& find_dimension(const OperationIdentification& id, const std::string& name) {
  for (const auto& d : id.dimensions)
    if (d.name == name) return d;
  throw std::logic_error("no dimension " + name);
}

// The label identify gives a best match: the policy dimensions are reported apart.
std::string arithmetic_label(const OperationModel& model, Assignment a) {
  const auto dims = model.dimensions();
  for (std::size_t d = 0; d < dims.size(); ++d) {
    if (dims[d].policy) a[d].clear();
  }
  return model.label(a);
}

TEST(DistinguishIdentify, TheReferencesOwnResultsNameTheBaseMembers) {
  Json per = Json::object();
  for (const auto& model : distinguish_models()) per = results_of(*model, model->base(), per);
  const auto ids = identify_dimensions(family(), as_results(per));
  for (const auto& model : distinguish_models()) {
    const auto& id = find_operation(ids, model->operation());
    EXPECT_TRUE(id.identified()) << model->operation();
    EXPECT_NE(std::find(id.best.begin(), id.best.end(), arithmetic_label(*model, model->base())),
              id.best.end())
        << model->operation();
    // Requantize: the base's binary32 scale fl32(fl32(Sx*Sw)/Sy) and fl32(fl64(fl32(Sx*Sw)/Sy))
    // are equal on every test (known_indistinguishable), so both combinations are best.
    const std::string base_label = arithmetic_label(*model, model->base());
    for (const auto& label : id.best) {
      if (model->operation() == "linear") break;
      std::string twin = base_label;
      const std::string from = "scale_derivation=f32_product_divide";
      if (twin.find(from) != std::string::npos) {
        twin.replace(twin.find(from), from.size(), "scale_derivation=f32_product_f64_divide");
      }
      EXPECT_TRUE(label == base_label || label == twin) << model->operation() << ": " << label;
    }
    if (model->operation() == "quantize" || model->operation() == "accumulate") {
      EXPECT_EQ(id.best.size(), 1u) << id.best.back();
    }
    const auto dims = model->dimensions();
    const auto base = model->base();
    for (std::size_t d = 0; d < dims.size(); ++d) {
      if (base[d].empty()) continue;
      const auto& v = find_dimension(id, dims[d].name);
      ASSERT_FALSE(v.members.empty()) << dims[d].name;
      EXPECT_NE(std::find(v.consistent.begin(), v.consistent.end(), base[d]), v.consistent.end())
          << model->operation() << " " << dims[d].name;
      // The linear tests decide the accumulation; their requantize dimensions are decided by
      // the requantize tests.
      if (model->operation() == "linear" && dims[d].name != "accumulation") continue;
      EXPECT_EQ(v.members.front().member, base[d]) << model->operation() << " " << dims[d].name;
      EXPECT_EQ(v.members.front().mismatches, 0);
    }
  }
}

// A results file made from each member of each dimension by the reference is identified as
// that member (the only consistent one, unless the pair is known to be indistinguishable).
TEST(DistinguishIdentify, EachMembersResultsAreNamedAsThatMember) {
  for (const auto& model : distinguish_models()) {
    if (model->operation() == "linear") continue;  // its requantize dimensions: see above
    const auto dims = model->dimensions();
    for (std::size_t d = 0; d < dims.size(); ++d) {
      for (const auto& m : dims[d].members) {
        const Assignment a = model->with_member(model->base(), static_cast<int>(d), m);
        const auto ids = identify_dimensions(family(), as_results(results_of(*model, a)));
        const auto& id = find_operation(ids, model->operation());
        EXPECT_TRUE(id.identified()) << model->label(a);
        const auto& v = find_dimension(id, dims[d].name);
        ASSERT_FALSE(v.consistent.empty()) << model->label(a);
        EXPECT_NE(std::find(v.consistent.begin(), v.consistent.end(), m), v.consistent.end())
            << model->label(a);
        for (const auto& other : v.consistent) {
          if (other == m) continue;
          EXPECT_TRUE(same_function_somewhere(model->operation(), dims[d].name, m, other))
              << model->label(a) << " also consistent with " << dims[d].name << "=" << other;
        }
      }
    }
  }
}

// Only the NaN policy differs (NaN -> qmin, as x86 clamp_then_convert): the arithmetic is
// still named with 0 mismatches and the edge policy is named apart.
TEST(DistinguishIdentify, ANanPolicyDifferenceIsNamedApartFromTheArithmetic) {
  const OperationModel& q = *model_for_group_type("DistinguishQuantizeTest");
  Json per = results_of(q, q.base());
  for (const auto& t : tests_of(q.group_type())) {
    if (t.test->has_flag("nan_input")) {
      per[std::to_string(t.test->tc_id)] = Json{{"q", t.operands["qmin"]}};
    }
  }
  const auto ids = identify_dimensions(family(), as_results(per));
  const auto& id = find_operation(ids, "quantize");
  EXPECT_TRUE(id.identified());
  EXPECT_EQ(id.best.front(), arithmetic_label(q, q.base()));
  const auto& policy = find_dimension(id, "edge_policy");
  ASSERT_FALSE(policy.members.empty());
  EXPECT_EQ(policy.consistent, std::vector<std::string>{"clamp_then_convert"});
  EXPECT_GT(policy.members.back().mismatches, 0);
  std::ostringstream text;
  print_identification(id, text);
  EXPECT_NE(text.str().find("edge_policy (policy): clamp_then_convert (0 mismatches)"), std::string::npos)
      << text.str();
  EXPECT_NE(text.str().find("rounding: half_even (0 mismatches)"), std::string::npos) << text.str();
}

// Only the first test run: most members stay consistent, identify says the tests run do not
// distinguish them and how many tests not run would.
TEST(DistinguishIdentify, UnrunSeparatingTestsAreCounted) {
  const OperationModel& q = *model_for_group_type("DistinguishQuantizeTest");
  const auto all = tests_of(q.group_type());
  Json per = Json::object();
  per[std::to_string(all.front().test->tc_id)] = q.predict(all.front().operands, {q.base()})[0];
  const auto ids = identify_dimensions(family(), as_results(per));
  const auto& id = find_operation(ids, "quantize");
  EXPECT_EQ(id.run, 1);
  const auto& rounding = find_dimension(id, "rounding");
  EXPECT_GT(rounding.consistent.size(), 1u);
  EXPECT_FALSE(rounding.unrun_separating.empty());
  std::ostringstream text;
  print_identification(id, text);
  EXPECT_NE(text.str().find("not distinguished by the tests you ran"), std::string::npos) << text.str();
  EXPECT_NE(text.str().find("tests you did not run separate them"), std::string::npos) << text.str();
}

}  // namespace
}  // namespace quantspec::vectors
