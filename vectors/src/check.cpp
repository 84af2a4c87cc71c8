// `vectors check` and `vectors identify`: compare a backend's results file with the vectors.
#include "quantspec/vectors/check.hpp"

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>

#include "quantspec/vectors/fields.hpp"
#include "quantspec/vectors/generate.hpp"
#include "dimensions_identify.hpp"

namespace quantspec::vectors {
namespace {

// The backend answered an error for this test (it rejected the parameters).
bool rejected(const Results& results, const std::string& algorithm, std::int64_t tc_id) {
  const auto family = results.find(algorithm);
  if (family == results.end()) return false;
  const auto result = family->second.find(tc_id);
  return result != family->second.end() && result->second.is_object() && result->second.contains("error");
}

// A tcId key is canonical decimal: digits only, no sign, no leading zero. "01" beside "1"
// would otherwise be two keys for one test, one of them silently dropped.
bool parse_tc_id(const std::string& text, std::int64_t& out) {
  if (text.empty() || text.size() > 15 || text[0] == '0') return false;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
  }
  out = std::stoll(text);
  return out > 0;
}

// Results under an algorithm that no loaded vectors file holds are bad input when the name is
// no operation family at all (a misspelling such as "quantise" would otherwise leave every
// result unread and the tests "not run"); a family whose file was not loaded (--vectors one
// file) is allowed.
void reject_unknown_algorithms(const std::vector<VectorFile>& files, const Results& results,
                               const std::string& results_path) {
  std::set<std::string> known(family_names().begin(), family_names().end());
  for (const auto& file : files) known.insert(file.algorithm);
  for (const auto& [algorithm, per_test] : results) {
    if (known.count(algorithm)) continue;
    std::string names;
    for (const std::string& f : family_names()) names += (names.empty() ? "" : "|") + f;
    throw FormatError(results_path, std::nullopt,
                      "results.\"" + algorithm + "\" is not an operation family (one of " + names + ")");
  }
}

// Compares one result with the expected output; returns the outcome and, on failure, why.
TestOutcome judge(const VectorFile& file, const TestGroup& group, const VectorTest& test,
                  const Json* result) {
  TestOutcome o;
  o.algorithm = file.algorithm;
  o.tc_id = test.tc_id;
  o.variant = group.variant_label();
  if (result == nullptr) {
    o.outcome = Outcome::not_run;
    return o;
  }
  const bool rejected = result->contains("error");
  if (test.result == Expectation::invalid) {
    o.outcome = rejected ? Outcome::expected_failure : Outcome::unexpected_pass;
    if (!rejected) {
      o.explanation = "must reject parameter \"" + test.expected["error"].get<std::string>() +
                      "\", produced " + result->dump();
    }
    return o;
  }
  if (rejected) {
    o.outcome = Outcome::unexpected_failure;
    o.explanation = "rejected (" + (*result)["error"].dump() + ") but expected " + test.expected.dump();
    return o;
  }
  for (auto it = test.expected.begin(); it != test.expected.end(); ++it) {
    auto got = result->find(it.key());
    if (got == result->end()) {
      o.outcome = Outcome::unexpected_failure;
      o.explanation = "no \"" + it.key() + "\" in the result; expected " + it.value().dump();
      return o;
    }
    const FieldKind kind = *field_kind(file.algorithm, it.key());
    if (!same_value(kind, it.value(), *got)) {
      o.outcome = Outcome::unexpected_failure;
      std::string got_text = got->dump();
      if (got_text.size() > 200) got_text = got_text.substr(0, 200) + "...";
      std::string expected_text = it.value().dump();
      if (expected_text.size() > 200) expected_text = expected_text.substr(0, 200) + "...";
      o.explanation = it.key() + ": expected " + expected_text + ", got " + got_text;
      return o;
    }
  }
  o.outcome = Outcome::expected_pass;
  return o;
}

// Result values must be well formed for their field kinds (a malformed value is an input
// error, exit 2, not a test failure).
void validate_result(const std::string& results_path, const std::string& algorithm,
                     std::int64_t tc_id, const Json& result) {
  if (!result.is_object()) {
    throw FormatError(results_path, tc_id, algorithm + ": a result must be an object, got " +
                                               result.dump().substr(0, 80));
  }
  for (auto it = result.begin(); it != result.end(); ++it) {
    if (it.key() == "error") continue;  // any JSON: the backend's rejection message
    const auto kind = field_kind(algorithm, it.key());
    if (!kind) continue;  // extra fields a backend reports are ignored
    const std::string problem = validate_value(*kind, it.key(), it.value());
    if (!problem.empty()) throw FormatError(results_path, tc_id, algorithm + "." + it.key() + ": " + problem);
  }
}

std::string join_ids(const std::vector<std::int64_t>& ids, std::size_t limit) {
  std::string text;
  for (std::size_t i = 0; i < ids.size() && i < limit; ++i) {
    if (i) text += ", ";
    text += std::to_string(ids[i]);
  }
  if (ids.size() > limit) text += ", ...";
  return text;
}

}  // namespace

const char* name(Outcome outcome) {
  switch (outcome) {
    case Outcome::expected_pass: return "expected pass";
    case Outcome::expected_failure: return "expected failure";
    case Outcome::unexpected_pass: return "unexpected pass";
    case Outcome::unexpected_failure: return "unexpected failure";
    case Outcome::not_run: return "not run";
  }
  return "?";
}

Results parse_results(const Json& document, const std::string& path) {
  if (!document.is_object()) throw FormatError(path, std::nullopt, "the document must be a JSON object");
  auto results = document.find("results");
  if (results == document.end()) throw FormatError(path, std::nullopt, "missing \"results\"");
  if (!results->is_object()) {
    throw FormatError(path, std::nullopt, "\"results\" must be an object keyed by algorithm");
  }
  Results parsed;
  for (auto a = results->begin(); a != results->end(); ++a) {
    if (!a.value().is_object()) {
      throw FormatError(path, std::nullopt, "results." + a.key() + " must be an object keyed by tcId");
    }
    auto& per_test = parsed[a.key()];
    for (auto t = a.value().begin(); t != a.value().end(); ++t) {
      std::int64_t tc_id = 0;
      if (!parse_tc_id(t.key(), tc_id)) {
        throw FormatError(path, std::nullopt,
                          "results." + a.key() + ": key \"" + t.key() +
                              "\" is not a tcId (a positive decimal integer without sign or leading zeros)");
      }
      validate_result(path, a.key(), tc_id, t.value());
      per_test[tc_id] = t.value();
    }
  }
  return parsed;
}

Results read_results(const std::string& path) {
  return parse_results(read_json_file(path), path);
}

std::vector<TestOutcome> evaluate(const std::vector<VectorFile>& files, const Results& results,
                                  const std::string& results_path) {
  reject_unknown_algorithms(files, results, results_path);
  std::vector<TestOutcome> outcomes;
  for (const auto& file : files) {
    auto per_algorithm = results.find(file.algorithm);
    const std::map<std::int64_t, Json> none;
    const auto& per_test = per_algorithm == results.end() ? none : per_algorithm->second;
    // An index of the file's tcIds: VectorFile::find is linear, once per result would be
    // quadratic in a large results file.
    std::set<std::int64_t> tc_ids;
    for (const auto& group : file.groups) {
      for (const auto& test : group.tests) tc_ids.insert(test.tc_id);
    }
    for (const auto& [tc_id, value] : per_test) {
      if (!tc_ids.count(tc_id)) {
        throw FormatError(results_path, tc_id, file.algorithm + ": no test with this tcId in " + file.path);
      }
    }
    for (const auto& group : file.groups) {
      for (const auto& test : group.tests) {
        auto it = per_test.find(test.tc_id);
        outcomes.push_back(judge(file, group, test, it == per_test.end() ? nullptr : &it->second));
      }
    }
  }
  return outcomes;
}

int check(const std::string& vectors_path, const std::string& results_path, std::ostream& out,
          const CheckOptions& options) {
  std::ostream& errors = options.errors != nullptr ? *options.errors : out;
  std::vector<TestOutcome> outcomes;
  std::vector<VectorFile> files;
  Results results;
  try {
    files = read_vectors(vectors_path);
    results = read_results(results_path);
    outcomes = evaluate(files, results, results_path);
  } catch (const FormatError& e) {
    errors << "error: " << e.what() << "\n";
    return kExitMalformed;
  }
  std::int64_t passed = 0, failed = 0, not_run = 0;
  std::map<std::string, std::map<Outcome, std::int64_t>> per_file;
  for (const auto& o : outcomes) {
    per_file[o.algorithm][o.outcome]++;
    const bool ok = o.outcome == Outcome::expected_pass || o.outcome == Outcome::expected_failure;
    const bool bad = o.outcome == Outcome::unexpected_pass || o.outcome == Outcome::unexpected_failure;
    passed += ok;
    failed += bad;
    not_run += o.outcome == Outcome::not_run;
    if (bad || (options.verbose && o.outcome != Outcome::not_run)) {
      out << o.algorithm << " tcId " << o.tc_id << " [" << o.variant << "]: " << name(o.outcome);
      if (!o.explanation.empty()) out << ": " << o.explanation;
      out << "\n";
    }
  }
  for (const auto& file : files) {
    auto& counts = per_file[file.algorithm];
    out << file.algorithm << ": " << counts[Outcome::expected_pass] << " expected pass, "
        << counts[Outcome::expected_failure] << " expected failure, "
        << counts[Outcome::unexpected_pass] << " unexpected pass, "
        << counts[Outcome::unexpected_failure] << " unexpected failure, "
        << counts[Outcome::not_run] << " not run\n";
  }
  out << passed << " passed, " << failed << " failed\n";
  // Which failures decide a policy rather than the arithmetic (VariantVerdict, check.hpp).
  std::map<std::string, std::int64_t> policy_failures;
  std::int64_t policy_failed = 0;
  std::size_t next = 0;
  for (const auto& file : files) {
    for (const auto& group : file.groups) {
      for (const auto& test : group.tests) {
        const Outcome o = outcomes[next++].outcome;
        if (o != Outcome::unexpected_pass && o != Outcome::unexpected_failure) continue;
        std::string kind = policy_kind(test);
        if (kind.empty() && rejected(results, file.algorithm, test.tc_id)) kind = "parameter_acceptance";
        if (kind.empty()) continue;
        ++policy_failures[kind];
        ++policy_failed;
      }
    }
  }
  if (policy_failed > 0) {
    out << policy_failed << " of the " << failed << " failures are policy tests (";
    bool first = true;
    for (const auto& [kind, count] : policy_failures) {
      out << (first ? "" : ", ") << kind << " " << count;
      first = false;
    }
    out << "); `vectors identify` judges the arithmetic without them\n";
  }
  if (passed + failed == 0) {
    errors << "error: the results hold no output for any test of " << vectors_path << "\n";
    return kExitFailures;
  }
  return failed > 0 ? kExitFailures : kExitOk;
}

std::string policy_kind(const VectorTest& test) {
  if (test.result == Expectation::invalid) return "parameter_acceptance";
  for (const char* flag : {"nan_input", "infinite_input", "nan_quotient", "infinite_quotient", "quotient_beyond_int32"}) {
    if (test.has_flag(flag)) return "edge_policy";
  }
  if (test.has_flag("left_shift_saturation")) return "left_shift_overflow";
  if (test.has_flag("policy")) return "policy";
  return "";
}

std::vector<AlgorithmIdentification> identify_variants(const std::vector<VectorFile>& files,
                                                       const Results& results,
                                                       const std::string& results_path) {
  std::vector<AlgorithmIdentification> identified;
  const auto outcomes = evaluate(files, results, results_path);
  std::size_t next = 0;
  for (const auto& file : files) {
    AlgorithmIdentification id;
    id.algorithm = file.algorithm;
    std::map<std::string, std::size_t> index;
    // Per verdict: valid tests the backend rejected with an error, and arithmetic tests it got
    // right. A rejection is parameter acceptance only beside some right arithmetic result, so a
    // backend that rejects everything is named by no variant.
    std::vector<std::vector<std::int64_t>> rejected_valid;
    std::vector<std::int64_t> arithmetic_matched;
    for (const auto& group : file.groups) {
      for (std::size_t t = 0; t < group.tests.size(); ++t) {
        const TestOutcome& o = outcomes[next++];
        if (o.outcome == Outcome::not_run) continue;
        auto [it, inserted] = index.emplace(o.variant, id.verdicts.size());
        if (inserted) {
          id.verdicts.push_back({o.variant, 0, {}});
          rejected_valid.emplace_back();
          arithmetic_matched.push_back(0);
        }
        VariantVerdict& verdict = id.verdicts[it->second];
        verdict.tests_run++;
        const std::string kind = policy_kind(group.tests[t]);
        if (o.outcome == Outcome::unexpected_failure || o.outcome == Outcome::unexpected_pass) {
          if (!kind.empty()) {
            verdict.policy_mismatches[kind].push_back(o.tc_id);
          } else if (rejected(results, file.algorithm, o.tc_id)) {
            rejected_valid[it->second].push_back(o.tc_id);  // decided after the loop
          } else {
            verdict.mismatches.push_back(o.tc_id);
          }
        } else if (kind.empty()) {
          ++arithmetic_matched[it->second];
        }
      }
    }
    for (std::size_t v = 0; v < id.verdicts.size(); ++v) {
      if (rejected_valid[v].empty()) continue;
      auto& into = arithmetic_matched[v] > 0 ? id.verdicts[v].policy_mismatches["parameter_acceptance"]
                                             : id.verdicts[v].mismatches;
      into.insert(into.end(), rejected_valid[v].begin(), rejected_valid[v].end());
      std::sort(into.begin(), into.end());
    }
    identified.push_back(std::move(id));
  }
  return identified;
}

int identify(const std::string& vectors_path, const std::string& results_path, std::ostream& out,
             const IdentifyOptions& options) {
  std::ostream& errors = options.errors != nullptr ? *options.errors : out;
  std::vector<AlgorithmIdentification> identified;
  std::vector<OperationIdentification> operations;
  try {
    auto files = read_vectors(vectors_path);
    const Results results = read_results(results_path);
    (void)evaluate(files, results, results_path);  // validates every tcId of the results
    // SPEC Q20: groups with an operation model are identified per dimension; the others by
    // whole variant labels.
    std::vector<VectorFile> whole_variant_files;
    for (const auto& file : files) {
      VectorFile rest = file;
      rest.groups.clear();
      for (const auto& group : file.groups) {
        if (model_for_group_type(group.type) == nullptr) rest.groups.push_back(group);
      }
      if (rest.groups.size() != file.groups.size()) {
        for (auto& op : identify_dimensions(file, results)) operations.push_back(std::move(op));
      }
      if (!rest.groups.empty()) whole_variant_files.push_back(std::move(rest));
    }
    identified = identify_variants(whole_variant_files, results, results_path);
  } catch (const FormatError& e) {
    errors << "error: " << e.what() << "\n";
    return kExitMalformed;
  }
  bool any_run = false, all_named = true;
  for (const auto& id : identified) {
    if (id.verdicts.empty()) continue;
    any_run = true;
    const bool named = std::any_of(id.verdicts.begin(), id.verdicts.end(),
                                   [](const VariantVerdict& v) { return v.mismatches.empty(); });
    all_named = all_named && named;
  }
  for (const auto& op : operations) {
    if (op.run == 0) continue;
    any_run = true;
    all_named = all_named && (op.arithmetic_run == 0 || op.identified());
  }
  const int status = any_run && all_named ? kExitOk : kExitFailures;

  if (options.json) {
    Json doc = Json::object();
    doc["schema"] = "quantspec-identify";
    doc["schemaVersion"] = 1;
    doc["vectors"] = vectors_path;
    doc["results"] = results_path;
    doc["exitStatus"] = status;
    Json variants = Json::array();
    for (const auto& id : identified) {
      if (id.verdicts.empty()) continue;
      Json a = Json::object();
      a["algorithm"] = id.algorithm;
      Json consistent = Json::array(), inconsistent = Json::array();
      for (const auto& v : id.verdicts) {
        Json entry{{"variant", v.variant}, {"testsRun", v.tests_run}};
        if (!v.policy_mismatches.empty()) entry["policyMismatches"] = v.policy_mismatches;
        if (v.mismatches.empty()) {
          consistent.push_back(entry);
        } else {
          entry["mismatches"] = v.mismatches;
          inconsistent.push_back(entry);
        }
      }
      a["consistent"] = consistent;
      a["inconsistent"] = inconsistent;
      variants.push_back(a);
    }
    doc["variants"] = variants;
    Json ops = Json::array();
    for (const auto& op : operations) ops.push_back(identification_json(op));
    doc["operations"] = ops;
    out << doc.dump(2) << "\n";
    return status;
  }

  for (const auto& id : identified) {
    std::vector<std::string> consistent;
    std::vector<const VariantVerdict*> inconsistent;
    for (const auto& v : id.verdicts) {
      if (v.mismatches.empty()) {
        consistent.push_back(v.variant + " (" + std::to_string(v.tests_run) + " tests)");
      } else {
        inconsistent.push_back(&v);
      }
    }
    if (id.verdicts.empty()) {
      out << id.algorithm << ": no results\n";
      continue;
    }
    out << id.algorithm << ": ";
    if (consistent.empty()) {
      out << "consistent with no named variant";
    } else {
      out << "consistent with ";
      for (std::size_t i = 0; i < consistent.size(); ++i) out << (i ? "; " : "") << consistent[i];
    }
    out << "\n";
    for (const auto& v : id.verdicts) {
      if (!v.mismatches.empty() || v.policy_mismatches.empty()) continue;
      out << "  " << v.variant << " differs only on policy tests:";
      bool first = true;
      for (const auto& [kind, ids] : v.policy_mismatches) {
        out << (first ? " " : "; ") << kind << " tcId " << join_ids(ids, 8) << " (" << ids.size() << ")";
        first = false;
      }
      out << "\n";
    }
    for (const auto* v : inconsistent) {
      out << "  inconsistent with " << v->variant << " on tcId " << join_ids(v->mismatches, 8)
          << " (" << v->mismatches.size() << " of " << v->tests_run << " tests)\n";
    }
  }
  for (const auto& op : operations) print_identification(op, out);
  if (!any_run) errors << "error: the results hold no output for any test of " << vectors_path << "\n";
  return status;
}

}  // namespace quantspec::vectors
