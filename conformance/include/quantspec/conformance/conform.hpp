// The main job (`quantspec conform`) as a library call.
//
//   int run_conform(const ConformOptions& options, std::ostream& out);
//
// Contract:
//  - Runs the conformance suite (suite.hpp) on every selected table x operation x variant and
//    prints to `out` a table with one row per operation x variant and one column per target:
//    "pass", "FAIL", "CRASH", "n/p" (not provided), or "-" (filtered out); below it, for each
//    failure, the failing check and the first minimal counterexample with every parameter
//    needed to reproduce it (hex floats for binary32 values), then a one-line summary.
//  - While it runs, writes one progress line per operation x variant x target to `progress`
//    (default std::cerr), e.g. "[12/96] requantize double_round AVX3_DL ...". Progress is the
//    only output that is not deterministic (it carries timings); `out` and the JSON report
//    are byte-identical for the same options (seed, cases, tables).
//  - Returns 0 if nothing failed or crashed, 1 if something did, 2 for invalid options (an
//    unknown target or operation, a bad shard, a plug-in that cannot be loaded or that exits,
//    crashes or hangs while loading, an unwritable --report); then a
//    message naming the option is printed to `out` and nothing is run.
//  - Built-in tables (default): every SIMD target compiled into quantspec_optimized that this
//    CPU supports, best first, each tested separately (optimized.h). With `plugin` set, the
//    plug-in's table instead (dlopen + qs_kernel_table_get).
//  - Isolation: with `isolate` (the default for plug-ins, and on for built-in tables too unless
//    turned off) each operation of each table runs in a forked child; a crash (signal) or a
//    timeout is reported as "crashed on case N of <check>: <case>" and the run continues.
//  - Not thread-safe (it forks, and records the current case in a process-wide slot).
#pragma once

#include <cstddef>
#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include "quantspec/conformance/suite.hpp"

namespace quantspec::conformance {

// Seconds loading a plug-in (in a child) may take when no timeout is given.
constexpr int kPluginLoadTimeoutSeconds = 30;

struct ConformOptions {
  // SIMD targets to test ("AVX3_DL", "AVX3", "AVX2", "SSE4", "scalar"; case-insensitive);
  // empty = all compiled targets this CPU supports. Ignored with `plugin`.
  std::vector<std::string> targets;
  // Operations to test: an operation name ("requantize_per_channel") or a family
  // ("requantize" = requantize and requantize_per_channel), or "vectors" (the golden
  // vectors); empty = all.
  std::vector<std::string> ops;
  // RapidCheck cases per property (GEMM/linear properties run half as many). The default keeps
  // `quantspec conform` with no arguments under 2 minutes on 2 cores.
  int cases = 200;
  std::uint64_t seed = 1;
  // A shared library exporting qs_kernel_table_get; empty = our built-in tables.
  std::string plugin;
  // JSON report with the same content as the table (written even when something failed).
  std::string report_file;
  // Adds the exhaustive sweeps (every int32 accumulator for requantize, every binary32 input
  // for quantize, for a set of multipliers/scales). Hours per variant: use with `shard`.
  bool exhaustive = false;
  // This run's part of the exhaustive sweeps, "i/n" (0 <= i < n); catalogue and properties
  // run in shard 0 only so that a sharded campaign runs them once.
  Shard shard;
  // Run each operation group in a forked child (crash isolation).
  bool isolate = true;
  // Seconds an operation group's child may run in total before it is killed and its
  // remaining variants reported as hung (0 = no limit). With `plugin`, also the limit on
  // loading the library (kPluginLoadTimeoutSeconds when 0).
  int timeout_seconds = 0;
  // Where progress lines go (nullptr = std::cerr).
  std::ostream* progress = nullptr;
  // The golden vectors (vectors/*.json) run as operation "vectors", one row per family x
  // variant: a file or directory; empty = default_golden_vectors_dir() ($QUANTSPEC_VECTORS_DIR,
  // else the source tree's vectors/). A missing directory gives a "not provided" row with a note.
  std::string vectors_dir;
};

// Parses "i/n" (as the CLI's --shard). Throws std::invalid_argument naming "--shard".
Shard parse_shard(const std::string& text);

int run_conform(const ConformOptions& options, std::ostream& out);

// The results of a run, for callers that want them rather than text (the CLI's --report
// uses write_json_report; tests use run_table).
struct ConformReport {
  std::uint64_t seed = 0;
  int cases = 0;
  std::vector<std::string> targets;
  Shard shard;  // of the exhaustive sweeps this run covered (0/1: all)
  // Which build ran: FNV-1a 64 of the running executable's bytes (and of the plug-in's, with
  // --plugin), so that `quantspec report merge` can refuse shards from different builds.
  std::string build;
  std::string plugin;  // the --plugin path, empty for our built-in tables (reproduce lines)
  std::vector<VariantResult> results;  // in table order: operation, variant, target
  bool failed() const;
};

// Runs the suite on one table (in-process or, with `isolate`, one child per operation).
// `ops` filters as ConformOptions::ops.
std::vector<VariantResult> run_table(const qs_kernel_table& table, const std::string& target,
                                     const Settings& settings, const std::vector<std::string>& ops,
                                     bool isolate, int timeout_seconds, std::ostream* progress,
                                     std::size_t* step, std::size_t steps);

void print_report(const ConformReport& report, std::ostream& out);
// "exe:<16 hex digits>" of /proc/self/exe, plus " plugin:<16 hex digits>" for `plugin_path`.
std::string build_identity(const std::string& plugin_path);
void write_json_report(const ConformReport& report, std::ostream& out);

}  // namespace quantspec::conformance
