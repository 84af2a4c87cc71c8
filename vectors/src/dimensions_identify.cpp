// SPEC Q20: identify per dimension (see dimensions_identify.hpp).
#include "dimensions_identify.hpp"

#include <algorithm>
#include <limits>
#include <map>
#include <ostream>

namespace quantspec::vectors {
namespace {

struct RunTest {
  std::int64_t tc_id;
  Json operands;
  const Json* result;
  bool policy;
};

constexpr std::size_t kShownIds = 8;

std::string ids_text(const std::vector<std::int64_t>& ids, std::size_t limit = kShownIds) {
  std::string text;
  for (std::size_t i = 0; i < ids.size() && i < limit; ++i) {
    text += (i ? ", " : "") + std::to_string(ids[i]);
  }
  if (ids.size() > limit) text += ", ...";
  return text;
}

// Mismatch counts (and mismatching tcIds) of each combination on `tests`.
struct Scores {
  std::vector<std::int64_t> mismatches;
  std::vector<std::vector<std::int64_t>> ids;
};

Scores score(const OperationModel& model, const std::vector<Assignment>& combos,
             const std::vector<const RunTest*>& tests) {
  Scores s;
  s.mismatches.assign(combos.size(), 0);
  s.ids.assign(combos.size(), {});
  for (const RunTest* t : tests) {
    const auto predictions = model.predict(t->operands, combos);
    for (std::size_t c = 0; c < combos.size(); ++c) {
      if (!same_output(predictions[c], *t->result)) {
        s.mismatches[c]++;
        s.ids[c].push_back(t->tc_id);
      }
    }
  }
  return s;
}

// Ranks the members of dimension d over `combos` (min over the combinations with that member).
DimensionVerdict rank(const OperationModel& model, const Dimension& dim, int d,
                      const std::vector<Assignment>& combos, const Scores& s, std::int64_t tests) {
  DimensionVerdict v;
  v.name = dim.name;
  v.policy = dim.policy;
  v.tests = tests;
  for (const std::string& member : dim.members) {
    MemberScore best{member, std::numeric_limits<std::int64_t>::max(), {}};
    for (std::size_t c = 0; c < combos.size(); ++c) {
      if (combos[c][d] != member) continue;
      if (s.mismatches[c] < best.mismatches) {
        best.mismatches = s.mismatches[c];
        best.tc_ids = s.ids[c];
      }
    }
    if (best.mismatches != std::numeric_limits<std::int64_t>::max()) v.members.push_back(best);
  }
  std::stable_sort(v.members.begin(), v.members.end(),
                   [](const MemberScore& a, const MemberScore& b) { return a.mismatches < b.mismatches; });
  for (const auto& m : v.members) {
    if (m.mismatches == 0) v.consistent.push_back(m.member);
  }
  (void)model;
  return v;
}

}  // namespace

std::vector<OperationIdentification> identify_dimensions(const VectorFile& file, const Results& results) {
  std::vector<OperationIdentification> out;
  auto per_algorithm = results.find(file.algorithm);
  for (const auto& model : distinguish_models()) {
    OperationIdentification id;
    id.algorithm = file.algorithm;
    id.operation = model->operation();
    id.group_type = model->group_type();
    std::vector<RunTest> run;
    std::vector<RunTest> unrun;
    for (const auto& group : file.groups) {
      if (group.type != model->group_type()) continue;
      for (const auto& test : group.tests) {
        id.tests++;
        const Json* result = nullptr;
        if (per_algorithm != results.end()) {
          auto it = per_algorithm->second.find(test.tc_id);
          if (it != per_algorithm->second.end()) result = &it->second;
        }
        const bool policy = test.has_flag("policy");
        if (result == nullptr) {
          if (test.result == Expectation::valid && !policy) {
            unrun.push_back({test.tc_id, group.operands(test), nullptr, policy});
          }
          continue;
        }
        id.run++;
        const bool rejected = result->contains("error");
        if (test.result == Expectation::invalid) {
          if (!rejected) id.accepted_invalid.push_back(test.tc_id);
          continue;
        }
        if (rejected) {
          id.rejected_valid.push_back(test.tc_id);
          continue;
        }
        run.push_back({test.tc_id, group.operands(test), result, policy});
      }
    }
    if (id.tests == 0) continue;
    if (id.run == 0) {
      out.push_back(id);
      continue;
    }
    std::vector<const RunTest*> arithmetic, policy;
    for (const auto& t : run) (t.policy ? policy : arithmetic).push_back(&t);
    id.arithmetic_run = static_cast<std::int64_t>(arithmetic.size());
    id.policy_run = static_cast<std::int64_t>(policy.size());

    // Arithmetic dimensions, on the non-policy tests.
    const auto dims = model->dimensions();
    const auto combos = model->combinations(false);
    const Scores s = score(*model, combos, arithmetic);
    id.best_mismatches = *std::min_element(s.mismatches.begin(), s.mismatches.end());
    std::vector<std::size_t> best;
    for (std::size_t c = 0; c < combos.size(); ++c) {
      if (s.mismatches[c] == id.best_mismatches) best.push_back(c);
    }
    for (std::size_t b : best) {
      Assignment arithmetic_only = combos[b];  // the policy members are reported apart
      for (std::size_t d = 0; d < dims.size(); ++d) {
        if (dims[d].policy) arithmetic_only[d].clear();
      }
      id.best.push_back(model->label(arithmetic_only));
    }
    const Assignment& best0 = combos[best.front()];
    for (std::size_t d = 0; d < dims.size(); ++d) {
      if (dims[d].policy) continue;
      DimensionVerdict v = rank(*model, dims[d], static_cast<int>(d), combos, s, id.arithmetic_run);
      v.applies = std::any_of(best.begin(), best.end(), [&](std::size_t b) { return !combos[b][d].empty(); });
      if (v.applies && v.consistent.size() > 1) {
        // Which tests not run would separate the consistent members?
        std::vector<Assignment> alternatives;
        for (const auto& m : v.consistent) {
          const Assignment a = model->with_member(best0, static_cast<int>(d), m);
          if (!a.empty()) alternatives.push_back(a);
        }
        for (const RunTest& t : unrun) {
          const auto p = model->predict(t.operands, alternatives);
          for (std::size_t i = 1; i < p.size(); ++i) {
            if (!same_output(p[0], p[i])) {
              v.unrun_separating.push_back(t.tc_id);
              break;
            }
          }
        }
      }
      id.dimensions.push_back(v);
    }
    // Policy dimensions, on the policy tests, the arithmetic at the best combination.
    std::vector<Assignment> policy_combos;
    for (const auto& c : model->combinations(true)) {
      bool same_arithmetic = true;
      for (std::size_t d = 0; d < dims.size(); ++d) {
        if (!dims[d].policy && c[d] != best0[d]) same_arithmetic = false;
      }
      if (same_arithmetic) policy_combos.push_back(c);
    }
    const Scores ps = score(*model, policy_combos, policy);
    for (std::size_t d = 0; d < dims.size(); ++d) {
      if (!dims[d].policy) continue;
      DimensionVerdict v = rank(*model, dims[d], static_cast<int>(d), policy_combos, ps, id.policy_run);
      v.applies = !best0[d].empty() || std::any_of(policy_combos.begin(), policy_combos.end(),
                                                   [&](const Assignment& c) { return !c[d].empty(); });
      id.dimensions.push_back(v);
    }
    out.push_back(id);
  }
  return out;
}

void print_identification(const OperationIdentification& id, std::ostream& out) {
  out << id.algorithm << " " << id.operation << " (" << id.group_type << "): ";
  if (id.run == 0) {
    out << "no results (" << id.tests << " tests not run)\n";
    return;
  }
  out << id.run << " of " << id.tests << " tests run (" << id.arithmetic_run << " arithmetic, "
      << id.policy_run << " policy)\n";
  if (id.arithmetic_run > 0) {
    out << "  best match: " << id.best.front();
    if (id.best.size() > 1) out << " (and " << id.best.size() - 1 << " more with as few mismatches)";
    out << ": " << id.best_mismatches << " mismatches"
        << (id.best_mismatches == 0 ? "" : "; consistent with no combination of members") << "\n";
  }
  for (const auto& d : id.dimensions) {
    out << "  " << d.name << (d.policy ? " (policy)" : "") << ": ";
    if (d.tests == 0) {
      out << "not distinguished by the tests you ran (no " << (d.policy ? "policy" : "arithmetic")
          << " test run)\n";
      continue;
    }
    if (!d.applies) {
      out << "does not apply to the best match\n";
      continue;
    }
    for (std::size_t i = 0; i < d.members.size(); ++i) {
      const auto& m = d.members[i];
      out << (i ? ", " : "") << m.member << " (" << m.mismatches
          << (i == 0 ? (m.mismatches == 1 ? " mismatch" : " mismatches") : "");
      if (m.mismatches > 0 && m.mismatches <= 3) out << ": tcId " << ids_text(m.tc_ids, 3);
      out << ")";
    }
    out << "\n";
    if (d.consistent.size() > 1) {
      out << "    not distinguished by the tests you ran: ";
      for (std::size_t i = 0; i < d.consistent.size(); ++i) out << (i ? " = " : "") << d.consistent[i];
      if (!d.unrun_separating.empty()) {
        out << "; " << d.unrun_separating.size() << " tests you did not run separate them (tcId "
            << ids_text(d.unrun_separating) << ")";
      }
      out << "\n";
    }
  }
  if (!id.rejected_valid.empty()) {
    out << "  parameter acceptance: rejected " << id.rejected_valid.size()
        << " valid tests (tcId " << ids_text(id.rejected_valid) << ")\n";
  }
  if (!id.accepted_invalid.empty()) {
    out << "  parameter acceptance: accepted " << id.accepted_invalid.size()
        << " invalid tests (tcId " << ids_text(id.accepted_invalid) << ")\n";
  }
}

Json identification_json(const OperationIdentification& id) {
  Json j = Json::object();
  j["algorithm"] = id.algorithm;
  j["operation"] = id.operation;
  j["groupType"] = id.group_type;
  j["tests"] = id.tests;
  j["run"] = id.run;
  j["arithmeticRun"] = id.arithmetic_run;
  j["policyRun"] = id.policy_run;
  j["identified"] = id.identified();
  j["bestMismatches"] = id.best_mismatches;
  j["best"] = id.best;
  Json dims = Json::array();
  for (const auto& d : id.dimensions) {
    Json dj = Json::object();
    dj["name"] = d.name;
    dj["policy"] = d.policy;
    dj["applies"] = d.applies;
    dj["tests"] = d.tests;
    Json members = Json::array();
    for (const auto& m : d.members) {
      members.push_back(Json{{"member", m.member}, {"mismatches", m.mismatches}, {"tcIds", m.tc_ids}});
    }
    dj["members"] = members;
    dj["consistent"] = d.consistent;
    dj["distinguished"] = d.tests > 0 && d.consistent.size() <= 1;
    dj["unrunSeparating"] = d.unrun_separating;
    dims.push_back(dj);
  }
  j["dimensions"] = dims;
  j["parameterAcceptance"] = Json{{"rejectedValid", id.rejected_valid},
                                  {"acceptedInvalid", id.accepted_invalid}};
  return j;
}

}  // namespace quantspec::vectors
