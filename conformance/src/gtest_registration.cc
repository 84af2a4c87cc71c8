// The suite as GoogleTests: one test per table x operation x variant x check, named so that
// the name reads as the property (AVX2_requantize_double_round.RoundsTiesByItsRule).
#include "quantspec/conformance/gtest_registration.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <map>
#include <memory>

namespace quantspec::conformance {
namespace {

std::string identifier(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (std::isalnum(static_cast<unsigned char>(c))) {
      out += c;
    } else if (c == '*') {
      out += "x";
    } else if (!out.empty() && out.back() != '_') {
      out += '_';
    }
  }
  while (!out.empty() && out.back() == '_') out.pop_back();
  return out;
}

long env_or(const char* name, long fallback) {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0' ? std::strtol(value, nullptr, 10) : fallback;
}

// The probe result per (table, suite), computed once per process.
const Support& cached_support(const qs_kernel_table* table, const VariantSuite* suite) {
  static std::map<std::pair<const qs_kernel_table*, const VariantSuite*>, Support> cache;
  auto it = cache.find({table, suite});
  if (it == cache.end()) it = cache.emplace(std::make_pair(table, suite), suite->probe(*table)).first;
  return it->second;
}

class CheckTest : public testing::Test {
 public:
  CheckTest(const qs_kernel_table* table, const VariantSuite* suite, const Check* check, Settings settings)
      : table_(table), suite_(suite), check_(check), settings_(std::move(settings)) {}
  void TestBody() override {
    const Support& support = cached_support(table_, suite_);
    if (!support.any()) GTEST_SKIP() << suite_->op << " " << suite_->variant << ": not provided";
    ASSERT_TRUE(support.probe_failure.empty()) << support.probe_failure;
    const CheckResult result = check_->run(*table_, support, settings_);
    EXPECT_NE(result.verdict, CheckResult::Verdict::fail)
        << suite_->op << " " << suite_->variant << " (" << (table_->name ? table_->name : "") << "), check "
        << check_->name << ":\n" << result.counterexample;
  }

 private:
  const qs_kernel_table* table_;
  const VariantSuite* suite_;
  const Check* check_;
  Settings settings_;
};

}  // namespace

Settings settings_from_environment(int default_cases, std::uint64_t default_seed) {
  Settings settings;
  settings.cases = static_cast<int>(env_or("QUANTSPEC_CONFORM_CASES", default_cases));
  settings.seed = static_cast<std::uint64_t>(env_or("QUANTSPEC_CONFORM_SEED", static_cast<long>(default_seed)));
  settings.exhaustive = env_or("QUANTSPEC_CONFORM_EXHAUSTIVE", 0) != 0;
  return settings;
}

void register_conformance_tests(const std::string& table_label, const qs_kernel_table& table, const Settings& settings) {
  const std::string prefix = identifier(table_label);
  for (const VariantSuite& suite : all_variant_suites()) {
    const std::string suite_name = prefix + "_" + identifier(suite.op + " " + suite.variant);
    for (const Check& check : suite.checks) {
      if (check.exhaustive && !settings.exhaustive) continue;
      const VariantSuite* s = &suite;
      const Check* c = &check;
      const qs_kernel_table* t = &table;
      testing::RegisterTest(suite_name.c_str(), check.name.c_str(), nullptr, nullptr, __FILE__, __LINE__,
                            [=]() -> testing::Test* { return new CheckTest(t, s, c, settings); });
    }
  }
}

int run_registered_tests() {
  const int status = RUN_ALL_TESTS();
  const long skipped_code = env_or("QUANTSPEC_SKIPPED_EXIT_CODE", 0);
  const testing::UnitTest& unit = *testing::UnitTest::GetInstance();
  // Only when nothing ran to a verdict: one failure anywhere keeps the failing status.
  if (status == 0 && skipped_code >= 1 && skipped_code <= 255 && unit.successful_test_count() == 0 &&
      unit.failed_test_count() == 0 && unit.skipped_test_count() > 0) {
    return static_cast<int>(skipped_code);
  }
  return status;
}

}  // namespace quantspec::conformance
