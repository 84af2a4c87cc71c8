// Golden-vector rows as variant suites (see conform_vectors.hpp).
#include "quantspec/conformance/vector_suites.hpp"

#include <algorithm>
#include <memory>
#include <type_traits>
#include <variant>

namespace quantspec::conformance {
namespace {

using Tests = std::vector<VectorTest>;

// How the report names a flavor of this kind of case (the parts a table may refuse).
std::string flavor_label(const VectorTest& test) {
  return std::visit(
      [](const auto& c) {
        using Case = std::decay_t<decltype(c)>;
        const Flavor f = flavor_of(c);
        if constexpr (std::is_same_v<Case, QuantizeCase> || std::is_same_v<Case, RequantizeCase>) {
          return flavor_name(f, false, true, false);
        } else if constexpr (std::is_same_v<Case, DequantizeCase> || std::is_same_v<Case, GemmCase>) {
          return flavor_name(f, true, false, false);
        } else {
          return flavor_name(f, true, true, true);
        }
      },
      test.kernel_case);
}

Flavor flavor_of_test(const VectorTest& test) {
  return std::visit([](const auto& c) { return flavor_of(c); }, test.kernel_case);
}

std::string describe_test(const VectorTest& test) {
  return "  vector: " + test.id + "\n" + std::visit([](const auto& c) { return describe(c); }, test.kernel_case);
}

// Runs one test with the crash reporter pointed at it.
VectorTestResult run_one(const qs_kernel_table& table, const VectorTest& test, std::size_t number) {
  current_case().number = number;
  current_case().describe = [&test] { return describe_test(test); };
  std::vector<VectorTestResult> results = run_vector_tests(table, {test});
  current_case().describe = nullptr;
  return results.at(0);
}

Support probe(const qs_kernel_table& table, const Tests& tests) {
  Support support;
  std::vector<Flavor> seen;
  for (std::size_t i = 0; i < tests.size(); ++i) {
    const Flavor flavor = flavor_of_test(tests[i]);
    if (std::find(seen.begin(), seen.end(), flavor) != seen.end()) continue;
    seen.push_back(flavor);
    // A valid test of this flavor says whether it is provided (an invalid one may legitimately
    // be refused either way).
    std::size_t pick = i;
    for (std::size_t j = i; j < tests.size(); ++j) {
      if (tests[j].valid && flavor_of_test(tests[j]) == flavor) {
        pick = j;
        break;
      }
    }
    if (run_one(table, tests[pick], pick + 1).status == VectorTestResult::Status::not_provided) {
      support.not_supported.push_back(flavor_label(tests[pick]));
    } else {
      support.supported.push_back(flavor);
    }
  }
  return support;
}

CheckResult check(const qs_kernel_table& table, const Support& support, const Tests& tests) {
  CheckResult result;
  for (std::size_t i = 0; i < tests.size(); ++i) {
    if (!support.has(flavor_of_test(tests[i]))) continue;
    ++result.cases;
    const VectorTestResult r = run_one(table, tests[i], i + 1);
    if (r.status == VectorTestResult::Status::fail) {
      result.verdict = CheckResult::Verdict::fail;
      result.counterexample = r.message;
      return result;
    }
  }
  return result;
}

}  // namespace

std::vector<VariantSuite> golden_vector_suites(const GoldenVectors& vectors) {
  std::vector<VariantSuite> suites;
  for (const GoldenVectorRow& row : vectors.rows) {
    auto tests = std::make_shared<const Tests>(row.tests);
    VariantSuite s;
    s.op = kGoldenVectorsOp;
    s.variant = row.label;
    s.probe = [tests](const qs_kernel_table& table) { return probe(table, *tests); };
    s.checks.push_back({"MatchesGoldenVectors", false,
                        [tests](const qs_kernel_table& table, const Support& support, const Settings&) {
                          return check(table, support, *tests);
                        }});
    suites.push_back(std::move(s));
  }
  return suites;
}

}  // namespace quantspec::conformance
