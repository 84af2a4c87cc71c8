// The suite engine: for each operation x variant, a list of named checks (the edge-case
// catalogue of DESIGN.md as explicit cases, RapidCheck properties against the reference, the
// parameter-validation contract, and opt-in exhaustive sweeps), run against one kernel table.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "quantspec/conformance/cases.hpp"
#include "quantspec/kernel_abi.h"

namespace quantspec::conformance {

// Splits a deep campaign: a unit of work with index u runs when u % count == index.
struct Shard {
  std::size_t index = 0;
  std::size_t count = 1;
  bool owns(std::size_t unit) const { return unit % count == index; }
};

struct Settings {
  std::uint64_t seed = 1;  // the run's seed; each check derives its own from it and its name
  int cases = 100;         // RapidCheck cases per property
  bool exhaustive = false; // add the exhaustive sweeps (requantize: every int32; quantize: every binary32)
  Shard shard;             // which part of the exhaustive sweeps to run
  bool skip_non_exhaustive = false;  // sharded campaigns run catalogue/properties in shard 0 only
  // Called now and then by long checks (exhaustive sweeps) with a short progress text.
  std::function<void(const std::string&)> progress;
};

// Which flavors (element types, per-channel form of linear) a table provides for a variant,
// found by calling it once per flavor with small valid parameters.
struct Support {
  std::vector<Flavor> supported;
  std::vector<std::string> not_supported;  // flavor names
  std::string probe_failure;               // non-empty: the probe call itself failed
  bool any() const { return !supported.empty(); }
  bool has(const Flavor& f) const;
};

struct CheckResult {
  enum class Verdict { pass, fail, not_provided };
  Verdict verdict = Verdict::pass;
  std::string counterexample;  // fail: the first minimal counterexample, fully printed
  std::size_t cases = 0;       // kernel calls made
};

struct Check {
  std::string name;  // reads as the property, e.g. "SaturatesQuotientsBeyondInt32"
  bool exhaustive = false;
  std::function<CheckResult(const qs_kernel_table&, const Support&, const Settings&)> run;
};

struct VariantSuite {
  std::string op;       // "quantize", "quantize_per_channel", ..., "lut"
  std::string variant;  // "f32_divide half_even", "double_round", "s8*s8", ...
  std::function<Support(const qs_kernel_table&)> probe;
  std::vector<Check> checks;  // exhaustive ones included; run_variant skips them unless asked
};

// Every operation x variant of ABI version 1, in a fixed order.
const std::vector<VariantSuite>& all_variant_suites();

// The operation names, in order: quantize, quantize_per_channel, dequantize,
// dequantize_per_channel, requantize, requantize_per_channel, gemm, linear, lut, gemm_packed,
// linear_packed, lut_int16, fake_quantize, fake_quantize_per_channel, dynamic_quantize,
// dynamic_linear, dynamic_linear_packed.
const std::vector<std::string>& operation_names();
// The family of an operation ("requantize_per_channel" -> "requantize"), for --op filters.
std::string operation_family(const std::string& op);

// The result of one operation x variant on one table.
struct VariantResult {
  std::string op;
  std::string variant;
  std::string target;
  enum class Status { pass, fail, not_provided, crashed, skipped };
  Status status = Status::pass;
  std::string failed_check;    // fail/crashed: the check's name
  std::string counterexample;  // fail/crashed: the first minimal counterexample
  std::string note;            // e.g. "u8 not provided"
  std::size_t cases = 0;
  double seconds = 0;
};
std::string status_name(VariantResult::Status);

// Runs every check of `suite` (the exhaustive ones only when settings.exhaustive) until the
// first failure. Calls `on_check(check name)` before each check (the plug-in runner uses it to
// say where a crash happened).
VariantResult run_variant(const qs_kernel_table& table, const std::string& target,
                          const VariantSuite& suite, const Settings& settings,
                          const std::function<void(const std::string&)>& on_check = {});

// The seed a check uses: a fixed mix of the run's seed and the check's identity, so a check's
// cases do not depend on which other checks run (filters, shards, targets).
std::uint64_t check_seed(std::uint64_t run_seed, const std::string& op, const std::string& variant,
                         const std::string& check);

// The case currently being run, for the crash reporter of the plug-in runner: set before each
// kernel call of a check (the case number and a function that describes it).
struct CurrentCase {
  std::size_t number = 0;
  std::function<std::string()> describe;
};
CurrentCase& current_case();

}  // namespace quantspec::conformance
