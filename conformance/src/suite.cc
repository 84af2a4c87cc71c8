// The list of operation x variant suites and running one on a table.
#include "quantspec/conformance/suite.hpp"

#include <chrono>

#include "check_kit.hpp"
#include "ops.hpp"

namespace quantspec::conformance {

bool Support::has(const Flavor& f) const {
  for (const Flavor& s : supported) {
    if (s == f) return true;
  }
  return false;
}

CurrentCase& current_case() {
  static CurrentCase current;
  return current;
}

const std::vector<std::string>& operation_names() {
  static const std::vector<std::string> names = {
      "quantize",   "quantize_per_channel",   "dequantize", "dequantize_per_channel",
      "requantize", "requantize_per_channel", "gemm",       "linear",
      "lut",        "gemm_packed",            "linear_packed", "lut_int16",
      "fake_quantize", "fake_quantize_per_channel", "dynamic_quantize", "dynamic_linear",
      "dynamic_linear_packed"};
  return names;
}

std::string operation_family(const std::string& op) {
  const std::string suffix = "_per_channel";
  if (op.size() > suffix.size() && op.compare(op.size() - suffix.size(), suffix.size(), suffix) == 0) {
    return op.substr(0, op.size() - suffix.size());
  }
  return op;
}

const std::vector<VariantSuite>& all_variant_suites() {
  static const std::vector<VariantSuite> suites = [] {
    std::vector<VariantSuite> all;
    for (auto* make : {&ops::quantize_suites, &ops::dequantize_suites, &ops::requantize_suites,
                       &ops::gemm_suites, &ops::linear_suites, &ops::lut_suites,
                       &ops::packed_suites, &ops::lut_int16_suites, &ops::fake_quantize_suites,
                       &ops::dynamic_quantize_suites, &ops::dynamic_linear_suites}) {
      for (VariantSuite& s : make()) all.push_back(std::move(s));
    }
    // Order by operation (as operation_names lists them), keeping each op's variant order.
    std::vector<VariantSuite> ordered;
    for (const std::string& op : operation_names()) {
      for (const VariantSuite& s : all) {
        if (s.op == op) ordered.push_back(s);
      }
    }
    return ordered;
  }();
  return suites;
}

std::uint64_t check_seed(std::uint64_t run_seed, const std::string& op, const std::string& variant,
                         const std::string& check) {
  // FNV-1a over the identity, mixed with the run seed (splitmix64 finaliser).
  std::uint64_t h = 0xcbf29ce484222325ull;
  for (const std::string* part : {&op, &variant, &check}) {
    for (unsigned char ch : *part) h = (h ^ ch) * 0x100000001b3ull;
    h = (h ^ 0xff) * 0x100000001b3ull;
  }
  return kit::Random(h ^ run_seed).next();
}

std::string status_name(VariantResult::Status s) {
  switch (s) {
    case VariantResult::Status::pass: return "pass";
    case VariantResult::Status::fail: return "FAIL";
    case VariantResult::Status::not_provided: return "not provided";
    case VariantResult::Status::crashed: return "CRASHED";
    case VariantResult::Status::skipped: return "skipped";
  }
  return "?";
}

VariantResult run_variant(const qs_kernel_table& table, const std::string& target,
                          const VariantSuite& suite, const Settings& settings,
                          const std::function<void(const std::string&)>& on_check) {
  const auto start = std::chrono::steady_clock::now();
  VariantResult result;
  result.op = suite.op;
  result.variant = suite.variant;
  result.target = target;
  auto finish = [&] {
    result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return result;
  };
  if (on_check) on_check("probe");
  const Support support = suite.probe(table);
  if (!support.any()) {
    result.status = VariantResult::Status::not_provided;
    return finish();
  }
  if (!support.probe_failure.empty()) {
    result.status = VariantResult::Status::fail;
    result.failed_check = "AcceptsValidParameters";
    result.counterexample = support.probe_failure;
    return finish();
  }
  for (std::size_t i = 0; i < support.not_supported.size(); ++i) {
    result.note += (i ? ", " : "") + support.not_supported[i];
  }
  if (!result.note.empty()) result.note += " not provided";
  for (const Check& check : suite.checks) {
    if (check.exhaustive && !settings.exhaustive) continue;
    if (!check.exhaustive && settings.skip_non_exhaustive) continue;
    if (on_check) on_check(check.name);
    const CheckResult r = check.run(table, support, settings);
    result.cases += r.cases;
    if (r.verdict == CheckResult::Verdict::fail) {
      result.status = VariantResult::Status::fail;
      result.failed_check = check.name;
      result.counterexample = r.counterexample;
      return finish();
    }
  }
  return finish();
}

}  // namespace quantspec::conformance
