// quantspec report merge: one report from the per-shard JSON reports of a sharded exhaustive
// campaign (`quantspec conform --exhaustive --shard i/n --report ...`, or the shard from a
// scheduler's environment). The shards must be exactly 0..n-1, each once, from the same build
// (the reports' "build": hashes of the executable and plug-in) and the same run options (seed,
// cases, targets); otherwise the merge is refused, so a lost or repeated shard cannot pass.
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <tuple>

#include "command.hpp"
#include "quantspec/reference/errors.hpp"

namespace quantspec::cli {
namespace {

using nlohmann::json;

json read_report(const std::string& path) {
  const json j = read_json_file_option(path, "report");
  const bool shaped = j.is_object() && j.value("tool", "") == "quantspec conform" && j.contains("shard") &&
                      j["shard"].is_object() && j["shard"].contains("index") && j["shard"].contains("count") &&
                      j["shard"]["index"].is_number_unsigned() && j["shard"]["count"].is_number_unsigned() &&
                      j.contains("build") && j["build"].is_string() && j.contains("results") &&
                      j["results"].is_array() && j.contains("seed") && j.contains("cases") && j.contains("targets");
  if (!shaped) {
    throw ref::ParameterError("report", "a conform report with shard, build and results (schemaVersion 1)", path);
  }
  if (j["shard"]["count"].get<std::uint64_t>() == 0) {
    throw ref::ParameterError("report", "a shard count of at least 1", path + " has 0");
  }
  // Every row as conform writes it, so the merge below reads no missing or mistyped member.
  for (std::size_t i = 0; i < j["results"].size(); ++i) {
    const json& row = j["results"][i];
    bool ok = row.is_object();
    for (const char* key : {"op", "variant", "target", "status"}) {
      ok = ok && row.contains(key) && row[key].is_string();
    }
    ok = ok && row.contains("cases") && row["cases"].is_number_unsigned();
    if (!ok) {
      throw ref::ParameterError("report", "results rows with string op, variant, target, status and "
                                          "a count of cases",
                                path + ": results[" + std::to_string(i) + "] = " + json_excerpt(row));
    }
  }
  return j;
}

// The statuses conform writes (status_name in conformance/src/suite.cc) that fail a run.
bool failing(const std::string& status) { return status == "FAIL" || status == "CRASHED"; }

// The combined row: a failure or crash in any shard is the row's (the first by shard index);
// cases add up; a row passes only if no shard failed and at least one ran it.
void combine(json& into, const json& row) {
  const std::string have = into["status"], incoming = row.at("status");
  into["cases"] = into["cases"].get<std::uint64_t>() + row.at("cases").get<std::uint64_t>();
  if (failing(have)) return;
  if (failing(incoming)) {
    const auto cases = into["cases"];
    into = row;
    into["cases"] = cases;
    return;
  }
  if (incoming == "pass") into["status"] = "pass";
}

}  // namespace

void register_report(CLI::App& app, Registry& registry) {
  CLI::App* report = app.add_subcommand("report", "Work with conformance reports (JSON from conform --report).");
  report->require_subcommand(1);
  struct Options {
    std::string out;
    std::vector<std::string> inputs;
  };
  auto o = std::make_shared<Options>();
  CLI::App* merge = report->add_subcommand(
      "merge",
      "Combine the per-shard reports of one sharded run into one report. Fails (exit 2) if a\n"
      "shard is missing or given twice, or the reports come from different builds or run\n"
      "options; exit 1 if the combined report has a failure, else 0.");
  merge->add_option("--out", o->out, "write the combined report to FILE")->required();
  merge->add_option("reports", o->inputs, "the shard reports")->required();

  registry.add(merge, [o](std::ostream& out) -> int {
    std::vector<json> reports;
    for (const std::string& path : o->inputs) reports.push_back(read_report(path));
    const json& first = reports.front();
    const std::size_t count = first["shard"]["count"].get<std::size_t>();
    std::map<std::size_t, std::string> shard_file;
    for (std::size_t i = 0; i < reports.size(); ++i) {
      const json& r = reports[i];
      for (const char* key : {"build", "seed", "cases", "targets", "schemaVersion"}) {
        if (r.value(key, json()) != first.value(key, json())) {
          throw ref::ParameterError("report", std::string("the same ") + key + " as " + o->inputs.front() + " (" +
                                                  json_excerpt(first.value(key, json())) + ")",
                                    o->inputs[i] + " has " + json_excerpt(r.value(key, json())));
        }
      }
      if (r["shard"]["count"].get<std::size_t>() != count) {
        throw ref::ParameterError("report", "a shard of " + std::to_string(count) + " as " + o->inputs.front(),
                                  o->inputs[i] + " is of " + r["shard"]["count"].dump());
      }
      const std::size_t index = r["shard"]["index"].get<std::size_t>();
      if (index >= count) {
        throw ref::ParameterError("report", "a shard index in [0, " + std::to_string(count - 1) + "]",
                                  o->inputs[i] + " has " + std::to_string(index));
      }
      const auto [it, inserted] = shard_file.emplace(index, o->inputs[i]);
      if (!inserted) {
        throw ref::ParameterError("report", "each shard once", "shard " + std::to_string(index) + "/" +
                                                                   std::to_string(count) + " in both " + it->second +
                                                                   " and " + o->inputs[i]);
      }
    }
    if (shard_file.size() != count) {
      std::string missing;
      for (std::size_t i = 0; i < count; ++i) {
        if (!shard_file.count(i)) missing += (missing.empty() ? "" : ", ") + std::to_string(i);
      }
      throw ref::ParameterError("report", "every shard 0.." + std::to_string(count - 1) + " of " +
                                              std::to_string(count),
                                "missing shard " + missing);
    }
    // Rows in the order of shard 0's report; then any row only a later shard has.
    std::map<std::size_t, const json*> by_index;
    for (std::size_t i = 0; i < reports.size(); ++i) by_index[reports[i]["shard"]["index"].get<std::size_t>()] = &reports[i];
    json merged = *by_index.at(0);
    std::vector<std::tuple<std::string, std::string, std::string>> order;
    std::map<std::tuple<std::string, std::string, std::string>, json> rows;
    for (const auto& [index, report] : by_index) {
      (void)index;
      const json& r = *report;
      for (const json& row : r["results"]) {
        const auto key = std::make_tuple(row.at("op").get<std::string>(), row.at("variant").get<std::string>(),
                                         row.at("target").get<std::string>());
        auto found = rows.find(key);
        if (found == rows.end()) {
          order.push_back(key);
          rows.emplace(key, row);
        } else {
          combine(found->second, row);
        }
      }
    }
    merged["results"] = json::array();
    bool failed = false;
    for (const auto& key : order) {
      const std::string status = rows[key]["status"];
      failed = failed || failing(status);
      merged["results"].push_back(rows[key]);
    }
    merged["shard"] = {{"index", 0}, {"count", 1}};
    merged["merged_shards"] = count;
    merged["failed"] = failed;
    std::ofstream file(o->out);
    if (!file) throw ref::ParameterError("--out", "a writable file", o->out);
    file << merged.dump(2) << "\n";
    file.close();
    if (!file) throw ref::ParameterError("--out", "a writable file (the write failed)", o->out);
    out << "merged " << count << " shards (" << merged["results"].size() << " rows): "
        << (failed ? "FAIL" : "pass") << "\n";
    return failed ? kExitCheckFailed : kExitOk;
  });
}

}  // namespace quantspec::cli
