// The main job: select tables, run the suite on each, print the table and the JSON report.
#include "quantspec/conformance/conform.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <stdexcept>

#include "isolated_runner.hpp"
#include "quantspec/conformance/plugin.hpp"
#include "quantspec/conformance/vector_suites.hpp"
#include "report_json.hpp"

#ifdef QUANTSPEC_HAVE_OPTIMIZED
#include "quantspec/optimized.h"
#endif

namespace quantspec::conformance {
namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

bool op_selected(const std::string& op, const std::vector<std::string>& filter) {
  if (filter.empty()) return true;
  for (const std::string& f : filter) {
    if (f == op || f == operation_family(op)) return true;
  }
  return false;
}

struct NamedTable {
  std::string target;
  const qs_kernel_table* table;
};

}  // namespace

bool ConformReport::failed() const {
  for (const VariantResult& r : results) {
    if (r.status == VariantResult::Status::fail || r.status == VariantResult::Status::crashed) return true;
  }
  return false;
}

Shard parse_shard(const std::string& text) {
  const auto slash = text.find('/');
  try {
    if (slash == std::string::npos) throw std::invalid_argument("");
    std::size_t used = 0;
    const unsigned long index = std::stoul(text.substr(0, slash), &used);
    if (used != slash) throw std::invalid_argument("");
    const std::string rest = text.substr(slash + 1);
    const unsigned long count = std::stoul(rest, &used);
    if (used != rest.size() || count == 0 || index >= count) throw std::invalid_argument("");
    return {index, count};
  } catch (const std::exception&) {
    throw std::invalid_argument("--shard: expected i/n with 0 <= i < n (got \"" + text + "\")");
  }
}

namespace {

// Runs one operation group (in one child process when isolated), announcing each suite.
void run_group(const qs_kernel_table& table, const std::string& target, const std::vector<const VariantSuite*>& group,
               const Settings& settings, bool isolate, int timeout_seconds, std::ostream* progress,
               std::size_t* step, std::size_t steps, std::vector<VariantResult>& results) {
  auto announce = [&](const VariantSuite& s) {
    if (step) ++*step;
    if (progress) {
      *progress << "[" << (step ? *step : 0) << "/" << steps << "] " << s.op << " " << s.variant << " " << target
                << " ..." << std::endl;
    }
  };
  if (isolate) {
    std::vector<VariantResult> group_results =
        run_isolated(table, target, group, settings, timeout_seconds, [&](std::size_t i) { announce(*group[i]); });
    results.insert(results.end(), group_results.begin(), group_results.end());
  } else {
    for (const VariantSuite* s : group) {
      announce(*s);
      results.push_back(run_variant(table, target, *s, settings));
    }
  }
}

}  // namespace

std::vector<VariantResult> run_table(const qs_kernel_table& table, const std::string& target,
                                     const Settings& settings, const std::vector<std::string>& ops,
                                     bool isolate, int timeout_seconds, std::ostream* progress,
                                     std::size_t* step, std::size_t steps) {
  std::vector<VariantResult> results;
  for (const std::string& op : operation_names()) {
    if (!op_selected(op, ops)) continue;
    std::vector<const VariantSuite*> group;
    for (const VariantSuite& s : all_variant_suites()) {
      if (s.op == op) group.push_back(&s);
    }
    run_group(table, target, group, settings, isolate, timeout_seconds, progress, step, steps, results);
  }
  return results;
}

namespace {
// 'text' for a POSIX shell: single quotes, each ' inside written as '\''.
std::string shell_quoted(const std::string& text) {
  std::string quoted = "'";
  for (char c : text) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}
}  // namespace

void print_report(const ConformReport& report, std::ostream& out) {
  // Rows: operation x variant in suite order; columns: targets.
  std::vector<std::pair<std::string, std::string>> rows;
  std::map<std::tuple<std::string, std::string, std::string>, const VariantResult*> cell;
  for (const VariantResult& r : report.results) {
    const auto row = std::make_pair(r.op, r.variant);
    if (std::find(rows.begin(), rows.end(), row) == rows.end()) rows.push_back(row);
    cell[{r.op, r.variant, r.target}] = &r;
  }
  std::size_t op_width = 9, variant_width = 7;
  for (const auto& [op, variant] : rows) {
    op_width = std::max(op_width, op.size());
    variant_width = std::max(variant_width, variant.size());
  }
  std::vector<std::size_t> widths;
  for (const std::string& t : report.targets) widths.push_back(std::max<std::size_t>(t.size(), 6));
  out << std::left << std::setw(static_cast<int>(op_width)) << "operation" << "  "
      << std::setw(static_cast<int>(variant_width)) << "variant";
  for (std::size_t i = 0; i < report.targets.size(); ++i) {
    out << "  " << std::setw(i + 1 < report.targets.size() ? static_cast<int>(widths[i]) : 0) << report.targets[i];
  }
  out << "\n";
  std::vector<const VariantResult*> failures, partial;
  std::size_t counts[5] = {};
  for (const auto& [op, variant] : rows) {
    out << std::setw(static_cast<int>(op_width)) << op << "  " << std::setw(static_cast<int>(variant_width)) << variant;
    for (std::size_t i = 0; i < report.targets.size(); ++i) {
      auto it = cell.find({op, variant, report.targets[i]});
      std::string text = "-";
      if (it != cell.end()) {
        const VariantResult& r = *it->second;
        counts[static_cast<int>(r.status)]++;
        switch (r.status) {
          case VariantResult::Status::pass: text = r.note.empty() ? "pass" : "pass*"; break;
          case VariantResult::Status::fail: text = "FAIL"; break;
          case VariantResult::Status::crashed: text = "CRASH"; break;
          case VariantResult::Status::not_provided: text = "n/p"; break;
          case VariantResult::Status::skipped: text = "-"; break;
        }
        if (r.status == VariantResult::Status::fail || r.status == VariantResult::Status::crashed) failures.push_back(&r);
        if (!r.note.empty()) partial.push_back(&r);
      }
      out << "  " << std::setw(i + 1 < report.targets.size() ? static_cast<int>(widths[i]) : 0) << text;
    }
    out << "\n";
  }
  out << std::right;
  out << "\n(n/p = not provided by the table; pass* = passed, some flavors not provided)\n";
  for (const VariantResult* r : partial) {
    out << "  " << r->op << " " << r->variant << " on " << r->target << ": " << r->note << "\n";
  }
  for (const VariantResult* r : failures) {
    out << "\n" << (r->status == VariantResult::Status::crashed ? "CRASH" : "FAIL") << ": " << r->op << " "
        << r->variant << " on " << r->target << ", check " << r->failed_check << "\n"
        << r->counterexample;
    if (!r->counterexample.empty() && r->counterexample.back() != '\n') out << "\n";
    // Runs as printed: a plug-in run names the library (quoted for the shell), --target is
    // only for our built-in tables (the two are exclusive).
    out << "  reproduce: quantspec conform "
        << (report.plugin.empty() ? "--target " + r->target : "--plugin " + shell_quoted(report.plugin))
        << " --op " << r->op << " --seed " << report.seed << " --cases " << report.cases << "\n";
  }
  out << "\n" << counts[0] << " passed, " << counts[1] << " failed, " << counts[3] << " crashed, " << counts[2]
      << " not provided (seed " << report.seed << ", " << report.cases << " cases per property)\n";
}

void write_json_report(const ConformReport& report, std::ostream& out) {
  nlohmann::json j;
  j["tool"] = "quantspec conform";
  j["schemaVersion"] = 1;
  j["seed"] = report.seed;
  j["cases"] = report.cases;
  j["targets"] = report.targets;
  j["shard"] = {{"index", report.shard.index}, {"count", report.shard.count}};
  j["build"] = report.build;
  j["failed"] = report.failed();
  j["results"] = nlohmann::json::array();
  for (const VariantResult& r : report.results) j["results"].push_back(to_json(r));
  out << j.dump(2) << "\n";
}

namespace {

std::string file_hash(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return "unreadable";
  std::uint64_t hash = 0xcbf29ce484222325ULL;  // FNV-1a 64 offset basis
  char buffer[1 << 16];
  while (in.read(buffer, sizeof(buffer)) || in.gcount() > 0) {
    for (std::streamsize i = 0; i < in.gcount(); ++i) {
      hash = (hash ^ static_cast<unsigned char>(buffer[i])) * 0x100000001b3ULL;  // FNV prime
    }
  }
  std::ostringstream hex;
  hex << std::hex << std::setw(16) << std::setfill('0') << hash;
  return hex.str();
}

}  // namespace

std::string build_identity(const std::string& plugin_path) {
  std::string id = "exe:" + file_hash("/proc/self/exe");
  if (!plugin_path.empty()) id += " plugin:" + file_hash(plugin_path);
  return id;
}

int run_conform(const ConformOptions& options, std::ostream& out) {
  std::ostream* progress = options.progress != nullptr ? options.progress : &std::cerr;
  for (const std::string& op : options.ops) {
    const auto& names = operation_names();
    if (op != kGoldenVectorsOp && std::find(names.begin(), names.end(), op) == names.end()) {
      out << "--op: unknown operation \"" << op << "\" (expected one of:";
      for (const std::string& n : names) out << " " << n;
      out << " " << kGoldenVectorsOp << ")\n";
      return 2;
    }
  }
  if (options.cases < 1) {
    out << "--cases: must be at least 1 (got " << options.cases << ")\n";
    return 2;
  }
  if (options.shard.count == 0 || options.shard.index >= options.shard.count) {
    out << "--shard: expected i/n with 0 <= i < n\n";
    return 2;
  }

  // The report file is checked before the run, not after it.
  if (!options.report_file.empty() && !std::ofstream(options.report_file, std::ios::app)) {
    out << "--report: cannot write " << options.report_file << "\n";
    return 2;
  }

  std::unique_ptr<Plugin> plugin;
  std::vector<NamedTable> tables;
  if (!options.plugin.empty()) {
    // First contact in a child: a library that exits, crashes or hangs while loading is
    // reported here instead of ending (or stopping) this process.
    const std::string problem = probe_plugin_in_child(
        options.plugin, options.timeout_seconds > 0 ? options.timeout_seconds : kPluginLoadTimeoutSeconds);
    if (!problem.empty()) {
      out << problem << "\n";
      return 2;
    }
    try {
      plugin = std::make_unique<Plugin>(options.plugin);
    } catch (const std::exception& error) {
      out << error.what() << "\n";
      return 2;
    }
    tables.push_back({plugin->name(), &plugin->table()});
  } else {
#ifdef QUANTSPEC_HAVE_OPTIMIZED
    std::vector<std::string> available;
    for (const auto& t : optimized::compiled_tables()) available.push_back(t.target);
    for (const std::string& wanted : options.targets) {
      bool found = false;
      for (const std::string& a : available) found = found || lower(a) == lower(wanted);
      if (!found) {
        out << "--target: \"" << wanted << "\" is not compiled in or not supported by this CPU (available:";
        for (const std::string& a : available) out << " " << a;
        out << ")\n";
        return 2;
      }
    }
    for (const auto& t : optimized::compiled_tables()) {
      bool selected = options.targets.empty();
      for (const std::string& wanted : options.targets) selected = selected || lower(wanted) == lower(t.target);
      if (selected) tables.push_back({t.target, t.table});
    }
#else
    out << "no built-in kernel tables: this build has no optimized/ kernels (use --plugin)\n";
    return 2;
#endif
  }

  Settings settings;
  settings.seed = options.seed;
  settings.cases = options.cases;
  settings.exhaustive = options.exhaustive;
  settings.shard = options.shard;
  settings.skip_non_exhaustive = options.exhaustive && options.shard.index != 0;
  settings.progress = [progress](const std::string& text) { *progress << "    " << text << std::endl; };

  // The golden vectors: rows of operation "vectors" after the suite's own (a missing directory
  // is one "not provided" row with a note; a malformed file is bad input).
  const bool vectors_selected = op_selected(kGoldenVectorsOp, options.ops);
  const std::string vectors_dir = options.vectors_dir.empty() ? default_golden_vectors_dir() : options.vectors_dir;
  std::optional<GoldenVectors> golden;
  std::vector<VariantSuite> vector_suites;
  if (vectors_selected && !vectors_dir.empty() && std::filesystem::exists(vectors_dir)) {
    try {
      golden = load_golden_vectors(vectors_dir);
    } catch (const std::exception& error) {
      out << error.what() << "\n";
      return 2;
    }
    vector_suites = golden_vector_suites(*golden);
    if (vector_suites.empty()) golden.reset();  // nothing mappable: reported like a missing directory
  }
  std::vector<const VariantSuite*> vector_group;
  for (const VariantSuite& s : vector_suites) vector_group.push_back(&s);

  std::size_t per_table = 0;
  for (const VariantSuite& s : all_variant_suites()) per_table += op_selected(s.op, options.ops) ? 1 : 0;
  const std::size_t vector_rows = !vectors_selected ? 0 : golden ? vector_suites.size() : 1;
  per_table += vector_rows;
  const std::size_t steps = per_table * tables.size();

  ConformReport report;
  report.seed = options.seed;
  report.cases = options.cases;
  report.shard = options.shard;
  report.build = build_identity(options.plugin);
  report.plugin = options.plugin;
  std::size_t step = 0;
  const auto start = std::chrono::steady_clock::now();
  // Results per table, then interleaved into operation x variant x target order.
  std::vector<std::vector<VariantResult>> per_target;
  for (const NamedTable& t : tables) {
    report.targets.push_back(t.target);
    per_target.push_back(run_table(*t.table, t.target, settings, options.ops, options.isolate,
                                   options.timeout_seconds, progress, &step, steps));
    if (golden) {
      run_group(*t.table, t.target, vector_group, settings, options.isolate, options.timeout_seconds, progress,
                &step, steps, per_target.back());
    } else if (vectors_selected) {
      VariantResult missing;
      missing.op = kGoldenVectorsOp;
      missing.variant = "golden vectors";
      missing.target = t.target;
      missing.status = VariantResult::Status::not_provided;
      missing.note = "no golden vectors that map onto the kernel ABI at \"" + vectors_dir +
                     "\" (set QUANTSPEC_VECTORS_DIR)";
      ++step;
      per_target.back().push_back(missing);
    }
  }
  for (std::size_t row = 0; row < per_table; ++row) {
    for (const auto& results : per_target) {
      if (row < results.size()) report.results.push_back(results[row]);
    }
  }
  *progress << "conform: " << steps << " checks in "
            << std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() << " s" << std::endl;

  print_report(report, out);
  if (golden) {
    out << "golden vectors (" << golden->source << "): " << golden->mapped()
        << " tests map onto the kernel ABI\n" << describe_counts(*golden);
  }
  if (!options.report_file.empty()) {
    std::ofstream file(options.report_file);
    if (!file) {
      out << "--report: cannot write " << options.report_file << "\n";
      return 2;
    }
    write_json_report(report, file);
    file.close();
    if (!file) {  // e.g. a full disk: a run without its report never exits 0
      out << "--report: writing " << options.report_file << " failed\n";
      return 2;
    }
  }
  return report.failed() ? 1 : 0;
}

}  // namespace quantspec::conformance
