// Building blocks of checks, generic over the case type: probing support, running explicit
// cases (with minimisation of a failure to the failing element), RapidCheck properties with
// shrinking, and the parameter-validation contract. Internal to the suite.
#pragma once

#include <rapidcheck.h>

#include <algorithm>
#include <cstdint>
#include <functional>
#include <optional>
#include <sstream>
#include <string>
#include <unordered_map>
#include <vector>

#include "quantspec/conformance/cases.hpp"
#include "quantspec/conformance/suite.hpp"
#include "quantspec/reference/errors.hpp"
#include "execute.hpp"
#include "fences.hpp"

namespace quantspec::conformance::kit {

using Verdict = CheckResult::Verdict;

inline CheckResult not_provided() { return {Verdict::not_provided, "", 0}; }
inline CheckResult failure(std::string text, std::size_t cases) { return {Verdict::fail, std::move(text), cases}; }

// A case that fails with the fast oracle is re-run against the exact definitions; the report
// says which (a disagreement would be a reference bug, reported loudly rather than hidden).
template <class Case>
std::string confirm(const qs_kernel_table& table, const Case& c, const Outcome& fast) {
  std::string text = fast.message;
  try {
    const Outcome exact = run_case(table, c, OracleMode::definition);
    if (exact.failed()) {
      text = exact.message + "  (expected value from the reference's exact definition)\n";
    } else {
      text += "  WARNING: the reference's exact definition accepts this output: its fast path and "
              "definition disagree here (a reference bug)\n";
    }
  } catch (const std::exception& error) {
    text += std::string("  (exact definition threw: ") + error.what() + ")\n";
  }
  return text;
}

// Smaller versions of a failing elementwise case, most reduced first: the failing element
// alone (per tensor), then the prefix up to it.
template <class Case>
std::vector<Case> reductions(const Case& c, std::size_t index) {
  std::vector<Case> out;
  if (index >= c.input.size()) return out;
  if (!c.per_channel && c.input.size() > 1) {
    Case single = c;
    single.input = {c.input[index]};
    out.push_back(single);
  }
  if (index + 1 < c.input.size()) {
    Case prefix = c;
    prefix.input.resize(index + 1);
    out.push_back(prefix);
  }
  return out;
}

template <class Case>
constexpr bool kElementwise = !std::is_same_v<Case, GemmCase> && !std::is_same_v<Case, LinearCase> &&
                              !std::is_same_v<Case, LutCase>;

// Runs one case, tracked as the current case for the crash reporter; exceptions from the
// oracle (a parameter the reference rejects) become failures of the suite, not crashes.
template <class Case>
Outcome run_tracked(const qs_kernel_table& table, const Case& c, std::size_t number) {
  current_case().number = number;
  current_case().describe = [&c] { return describe(c); };
  Outcome outcome;
  try {
    outcome = run_case(table, c, OracleMode::fast);
  } catch (const std::exception& error) {
    outcome = Outcome::fail(std::string("the suite built a case the reference rejects (suite bug): ") +
                            error.what() + "\n" + describe(c));
  }
  current_case().describe = nullptr;
  return outcome;
}

// Explicit cases (a catalogue group). Cases whose flavor the table does not support are
// skipped; a failure is minimised and confirmed against the definition.
template <class Case>
CheckResult run_cases(const qs_kernel_table& table, const Support& support,
                      const std::vector<std::pair<std::string, Case>>& cases) {
  std::size_t calls = 0;
  for (const auto& [label, c] : cases) {
    if (!support.has(flavor_of(c))) continue;
    Outcome outcome = run_tracked(table, c, ++calls);
    if (outcome.kind == Outcome::Kind::not_supported) {
      outcome = Outcome::fail("returned QS_VARIANT_NOT_SUPPORTED for a flavor it accepted before\n" +
                              describe(c));
    }
    if (!outcome.failed()) continue;
    Case minimal = c;
    if constexpr (kElementwise<Case>) {
      if (outcome.index) {
        for (const Case& smaller : reductions(c, *outcome.index)) {
          const Outcome o = run_tracked(table, smaller, ++calls);
          if (o.failed()) {
            minimal = smaller;
            outcome = o;
            break;
          }
        }
      }
    }
    return failure("case: " + label + "\n" + confirm(table, minimal, outcome), calls);
  }
  return {Verdict::pass, "", calls};
}

struct SilentListener : rc::detail::TestListener {
  void onTestCaseFinished(const rc::detail::CaseDescription&) override {}
  void onShrinkTried(const rc::detail::CaseDescription&, bool) override {}
  void onTestFinished(const rc::detail::TestMetadata&, const rc::detail::TestResult&) override {}
};

// A RapidCheck property: `cases` cases from `gen`, shrunk on failure; the counterexample
// printed is the minimal one, with the seed that reproduces the run.
template <class Case>
CheckResult run_property(const qs_kernel_table& table, const rc::Gen<Case>& gen, std::uint64_t seed,
                         int cases) {
  std::size_t calls = 0;
  std::optional<Case> last_failure;
  std::optional<Outcome> last_outcome;
  rc::detail::TestParams params;
  params.seed = seed;
  params.maxSuccess = cases;
  params.maxSize = 100;
  params.maxDiscardRatio = 10;
  rc::detail::TestMetadata metadata;
  metadata.id = "conformance";
  // A silent listener and no reproduce map: the suite prints its own counterexample (with the
  // seed), and RapidCheck's global configuration (RC_PARAMS) must not change a run.
  SilentListener listener;
  const auto result = rc::detail::checkTestable(
      [&] {
        const Case c = *gen;
        Outcome outcome = run_tracked(table, c, ++calls);
        if (outcome.kind == Outcome::Kind::not_supported) {
          outcome = Outcome::fail(
              "returned QS_VARIANT_NOT_SUPPORTED for a flavor it accepted before\n" + describe(c));
        }
        if (outcome.failed()) {
          last_failure = c;
          last_outcome = outcome;
          RC_FAIL(outcome.message);
        }
      },
      metadata, params, listener, std::unordered_map<std::string, rc::detail::Reproduce>{});
  rc::detail::FailureResult failure_result;
  if (result.match(failure_result)) {
    std::ostringstream text;
    text << "property failed after " << failure_result.numSuccess
         << " passing cases; minimal counterexample (RapidCheck seed " << seed << ", shrunk):\n";
    if (last_failure) {
      // RapidCheck shrinks each parameter; for elementwise cases, also cut the input down to the
      // failing element (or the prefix ending at it) while the case still fails.
      if constexpr (kElementwise<Case>) {
        for (bool reduced = true; reduced && last_outcome->index;) {
          reduced = false;
          for (const Case& smaller : reductions(*last_failure, *last_outcome->index)) {
            const Outcome o = run_tracked(table, smaller, ++calls);
            if (o.failed()) {
              last_failure = smaller;
              last_outcome = o;
              reduced = true;
              break;
            }
          }
        }
      }
      text << confirm(table, *last_failure, *last_outcome);
    } else {
      text << failure_result.description;
    }
    return failure(text.str(), calls);
  }
  rc::detail::Error error;
  if (result.match(error)) return failure("RapidCheck error: " + error.description, calls);
  rc::detail::GaveUpResult gave_up;
  if (result.match(gave_up)) return failure("RapidCheck gave up: " + gave_up.description, calls);
  return {Verdict::pass, "", calls};
}

// Calls the table once per candidate flavor with a small valid case.
template <class Case>
Support probe(const qs_kernel_table& table, const std::vector<Case>& probes,
              const std::function<std::string(const Flavor&)>& name) {
  Support support;
  for (const Case& c : probes) {
    Outcome outcome;
    try {
      outcome = run_case(table, c, OracleMode::fast);
    } catch (const std::exception& error) {
      outcome = Outcome::fail(std::string("probe case rejected by the reference (suite bug): ") + error.what());
    }
    if (outcome.kind == Outcome::Kind::not_supported) {
      support.not_supported.push_back(name(flavor_of(c)));
    } else {
      // A wrong answer on the probe is reported by the checks; only the status matters here.
      if (outcome.failed() && outcome.message.rfind("returned QS_BAD", 0) == 0) {
        support.probe_failure = outcome.message;
      }
      support.supported.push_back(flavor_of(c));
    }
  }
  return support;
}

// probe() for a selector value appended to its enum within ABI version 1 (kernel_abi.h: the
// requantization variants 9..11). A kernel built against the earlier header rejects the value
// as outside the enum (QS_BAD_PARAMETERS on every probe): each flavor is then reported as not
// provided, with that reason in its name. A kernel that accepts the value for some flavor and
// rejects it for another is probed as usual (the rejection is a failure).
template <class Case>
Support probe_appended_selector(const qs_kernel_table& table, const std::vector<Case>& probes,
                                const std::function<std::string(const Flavor&)>& name) {
  Support support = probe(table, probes, name);
  if (support.probe_failure.empty()) return support;
  for (const Case& c : probes) {
    if (!support.has(flavor_of(c))) continue;
    const Outcome outcome = run_case(table, c, OracleMode::fast);
    if (!(outcome.failed() && outcome.message.rfind("returned QS_BAD", 0) == 0)) return support;
  }
  for (const Flavor& f : support.supported) {
    support.not_supported.push_back(name(f) + " (QS_BAD_PARAMETERS: a kernel built before this selector was appended)");
  }
  support.supported.clear();
  support.probe_failure.clear();
  return support;
}

// The parameter-validation contract: each call must return QS_BAD_PARAMETERS (or, where the
// ABI allows it, another listed status) and must not touch memory outside its buffers. Each call
// runs twice, every buffer against an inaccessible page at its end and then at its start
// (fences.hpp): the output, the arrays the call passes through parameter_array() or
// fenced_input(), so a kernel that reads past or before an array while rejecting the call
// fails, naming the array and the offset.
struct BadCall {
  std::string what;   // "scale = 0"
  Flavor flavor;      // skipped when the table does not support it
  std::vector<qs_status> accepted{QS_BAD_PARAMETERS};
  std::size_t output_bytes = 64;
  std::function<qs_status(void* output)> call;
};

// Inside a bad call (or any fenced call): a read-only fenced copy of `count` elements of
// `values`, named `name` in failure reports; NULL stays NULL. Outside a call: `values`.
template <class T>
const T* fenced_input(const T* values, std::size_t count, const char* name) {
  CallBuffers* call = current_call_buffers();
  if (call == nullptr || values == nullptr) return values;
  const auto* first = reinterpret_cast<const std::uint8_t*>(values);
  return static_cast<const T*>(call->add_input(std::vector<std::uint8_t>(first, first + count * sizeof(T)), 0, name));
}
template <class T>
const T* fenced_input(const std::vector<T>& values, const char* name) {
  return fenced_input(values.data(), values.size(), name);
}
// The same for a parameter array (scales, zero points, a table): reported as one.
template <class T>
const T* fenced_array(const T* values, std::size_t count, const char* name) {
  CallBuffers* call = current_call_buffers();
  if (call == nullptr || values == nullptr) return values;
  return static_cast<const T*>(call->add_parameters(values, count * sizeof(T), sizeof(T), name));
}
template <class T>
const T* fenced_array(const std::vector<T>& values, const char* name) {
  return fenced_array(values.data(), values.size(), name);
}

inline CheckResult run_bad_calls(const Support& support, const std::vector<BadCall>& calls,
                                 const std::string& op) {
  std::size_t count = 0;
  for (const BadCall& bad : calls) {
    if (!support.has(bad.flavor)) continue;
    ++count;
    current_case().number = count;
    current_case().describe = [&] { return "  op: " + op + "\n  bad parameter: " + bad.what + "\n"; };
    for (BufferPlacement placement : {BufferPlacement::at_page_end, BufferPlacement::at_page_start}) {
      CallBuffers buffers(placement, 0xA5, 0);
      void* const output = buffers.add_output(bad.output_bytes, 0, "output");
      qs_status status = QS_OK;
      const std::string where = std::string(" (every buffer ") + placement_text(placement) + ")";
      if (auto touch = buffers.run([&] { status = bad.call(output); })) {
        current_case().describe = nullptr;
        return failure("while rejecting " + bad.what + ": " + touch_text(*touch) + "\n", count);
      }
      bool ok = false;
      for (qs_status s : bad.accepted) ok = ok || s == status;
      if (!ok) {
        current_case().describe = nullptr;
        return failure("accepted invalid parameters: " + op + " with " + bad.what + " returned " + status_name(status) +
                           " (expected QS_BAD_PARAMETERS)" + where + "\n",
                       count);
      }
      if (auto damaged = buffers.damaged_guard()) {
        current_case().describe = nullptr;
        return failure("wrote outside the " + damaged->first->name() + " (guard byte at offset " +
                           std::to_string(damaged->second) + ") while rejecting " + bad.what + where + "\n",
                       count);
      }
    }
    current_case().describe = nullptr;
  }
  return {Verdict::pass, "", count};
}

// Deterministic pseudo-random numbers for explicit case lists (splitmix64).
class Random {
 public:
  explicit Random(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  std::int64_t in(std::int64_t lo, std::int64_t hi) {  // inclusive
    return lo + static_cast<std::int64_t>(next() % static_cast<std::uint64_t>(hi - lo + 1));
  }

 private:
  std::uint64_t state_;
};

// Past half of any current L2 (2 MiB of byte outputs, 8 MiB of float ones), where kernels
// switch to non-temporal stores or multi-stream orders that no short case reaches.
inline constexpr std::size_t kLargeLength = (std::size_t{1} << 21) + 37;
// Lengths that reach every SIMD tail up to 64 lanes (0..34, and around 2, 3, 4 and 8 vectors of
// 16, 32 and 64 lanes), and kLargeLength.
std::vector<std::size_t> interesting_lengths();
// The same as a RapidCheck generator (weighted toward short and lane-boundary lengths).
rc::Gen<std::size_t> gen_length(std::size_t max = 8 * 64 + 2);
// Misalignment in elements: 0..3 mostly, up to 63 sometimes.
rc::Gen<std::size_t> gen_offset();

// The shape space kernels block over, shared by every operation's catalogue and generators:
// Matrix dimensions M and N from 0 and 1 through every register block up to 64 (around 8, 16,
// 32, 48 and 64), and a few larger (100, 257).
std::vector<std::size_t> block_dimensions();
// Reduction depths K past the 4096 a kernel may block K by (a cache block, or an int32 partial sum
// flushed every 4096 products), odd ones included.
std::vector<std::size_t> deep_depths();
// Per-channel counts: 1 (a per-channel call with one channel), lane counts and past 65536 (a
// uint16 channel index, or a 64 Ki-entry channel cache).
std::vector<std::size_t> channel_counts();
// Elementwise length for a per-channel case with `channels` channels: never a multiple of it, and
// long enough that the channel index wraps at least once (3 times for small counts).
std::size_t per_channel_length(std::size_t channels);
// Parameter index for channel `ch` of a catalogue case: `ch` below 64, then cycling through 1..63
// so that channel 65536 never repeats channel 0's parameters.
inline int channel_parameter_index(std::size_t ch) { return static_cast<int>(ch < 64 ? ch : 1 + ch % 63); }

// The two checks every suite ends with. The property draws its cases from make_gen(support),
// with a seed derived from (run seed, op, variant, check name) so each check is reproducible on
// its own; case_divisor shrinks the case count of expensive operations (GEMM, linear).
template <class MakeGen>
Check random_cases_check(std::string op, std::string variant, MakeGen make_gen, int case_divisor = 1) {
  return Check{"MatchesReferenceOnRandomCases", false,
               [op = std::move(op), variant = std::move(variant), make_gen, case_divisor](
                   const qs_kernel_table& t, const Support& sup, const Settings& set) {
                 return run_property(t, make_gen(sup),
                                     check_seed(set.seed, op, variant, "MatchesReferenceOnRandomCases"),
                                     std::max(1, set.cases / case_divisor));
               }};
}

// The parameter-validation contract: every call of make_calls(table) must be rejected.
template <class MakeCalls>
Check bad_parameters_check(std::string op, MakeCalls make_calls) {
  return Check{"RejectsBadParameters", false,
               [op = std::move(op), make_calls](const qs_kernel_table& t, const Support& sup, const Settings&) {
                 return run_bad_calls(sup, make_calls(t), op);
               }};
}

// The same for operations whose bad calls depend on the flavor: make_calls(table, flavor) for
// every supported flavor in turn; the first failure is reported with the cases run so far.
template <class MakeCalls>
Check bad_parameters_per_flavor_check(std::string op, MakeCalls make_calls) {
  return Check{"RejectsBadParameters", false,
               [op = std::move(op), make_calls](const qs_kernel_table& t, const Support& sup, const Settings&) {
                 CheckResult total{Verdict::pass, "", 0};
                 for (const Flavor& f : sup.supported) {
                   const CheckResult r = run_bad_calls(sup, make_calls(t, f), op);
                   total.cases += r.cases;
                   if (r.verdict == Verdict::fail) return CheckResult{r.verdict, r.counterexample, total.cases};
                 }
                 return total;
               }};
}

}  // namespace quantspec::conformance::kit
