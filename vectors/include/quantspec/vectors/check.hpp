// `quantspec vectors check` and `quantspec vectors identify`: hold a foreign backend's outputs
// (a results file, format in vectors/README.md) to the golden vectors.
//
// Results file: {"results": {"<algorithm>": {"<tcId>": {<output fields>} | {"error": "..."}}}}
// An output object carries the fields of the test's `expected` object (e.g. {"q": 5}); a
// backend that rejects the parameters writes {"error": "<anything>"}.
#pragma once

#include <cstdint>
#include <map>
#include <ostream>
#include <string>
#include <vector>

#include "quantspec/vectors/format.hpp"

namespace quantspec::vectors {

// Exit codes shared by check and identify.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailures = 1;
inline constexpr int kExitMalformed = 2;

enum class Outcome {
  expected_pass,        // valid test, output equals expected
  expected_failure,     // invalid test, backend rejected the parameters
  unexpected_pass,      // invalid test, backend produced an output
  unexpected_failure,   // valid test, output differs, is incomplete, or backend rejected
  not_run,              // no result for this tcId
};
const char* name(Outcome outcome);

struct TestOutcome {
  std::string algorithm;
  std::int64_t tc_id = 0;
  std::string variant;  // the group's variant label
  Outcome outcome = Outcome::not_run;
  std::string explanation;  // for failures: which field, expected vs got
};

// Backend results per algorithm and tcId. Throws FormatError (file, tcId, problem).
using Results = std::map<std::string, std::map<std::int64_t, Json>>;
Results read_results(const std::string& path);
Results parse_results(const Json& document, const std::string& path);

// The outcome of every test of `files` given `results`. Throws FormatError when a result
// names an unknown tcId or holds a malformed value.
std::vector<TestOutcome> evaluate(const std::vector<VectorFile>& files, const Results& results,
                                  const std::string& results_path);

struct CheckOptions {
  bool verbose = false;  // one line per test, not only per failure
  // Where "error: ..." lines go (malformed input, nothing run); nullptr: `out`. The CLI
  // passes std::cerr so that a script reading stdout sees only the verdicts.
  std::ostream* errors = nullptr;
};

// Prints per-test failures (all tests with verbose), per-file counts of the four outcomes and
// the summary line "N passed, N failed"; returns kExitOk, kExitFailures (any failure, or no
// test was run) or kExitMalformed (a malformed file: "file: tcId N: problem" on `out`).
int check(const std::string& vectors_path, const std::string& results_path, std::ostream& out,
          const CheckOptions& options = {});

// Per algorithm, which variant labels the results are consistent with (every result of that
// variant's groups matches) and, for the others, the tcIds that rule them out.
// Whole-variant identify (files without an operation model, SPEC Q20) judges a variant on its
// arithmetic tests; the tests that decide a policy (SPEC Q10 edge policies: flags nan_input,
// infinite_input, nan_quotient, infinite_quotient, quotient_beyond_int32; Q7.2's left-shift overflow: flag
// left_shift_saturation; any test flagged policy), the invalid tests and the valid tests the
// backend rejected (parameter acceptance) are counted apart, so a backend that differs from a variant only there is still
// named by it, with those differences listed.
struct VariantVerdict {
  std::string variant;
  std::int64_t tests_run = 0;
  std::vector<std::int64_t> mismatches;  // tcIds of arithmetic tests that differ
  // Policy tests and invalid tests that differ, by kind: "edge_policy", "left_shift_overflow",
  // "policy", "parameter_acceptance".
  std::map<std::string, std::vector<std::int64_t>> policy_mismatches;
};
// The kind of a policy test (see VariantVerdict), or "" for an arithmetic test.
std::string policy_kind(const VectorTest& test);
struct AlgorithmIdentification {
  std::string algorithm;
  std::vector<VariantVerdict> verdicts;  // in file order of first appearance
};
std::vector<AlgorithmIdentification> identify_variants(const std::vector<VectorFile>& files,
                                                       const Results& results,
                                                       const std::string& results_path);

struct IdentifyOptions {
  bool json = false;  // one JSON document (vectors/README.md "identify --json") instead of text
  std::ostream* errors = nullptr;  // as CheckOptions::errors
};

// Prints e.g. "requantize: consistent with variant=double_round, derivation=tflite;
// inconsistent with variant=single_round, derivation=tflite on tcId 41, 97, ..." for whole
// variant groups, and for the distinguish family (SPEC Q20) one verdict per dimension:
// "rounding: half_even (0 mismatches), half_away (41)". Returns kExitOk when every operation
// with results is consistent with some variant / combination of members, kExitFailures when
// one is consistent with none (or no result matched any test), kExitMalformed for bad input.
// `vectors_path` is a file or a directory.
int identify(const std::string& vectors_path, const std::string& results_path, std::ostream& out,
             const IdentifyOptions& options = {});

}  // namespace quantspec::vectors
