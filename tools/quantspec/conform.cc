// quantspec conform: the conformance suite (issue 3) against our built-in kernels on every
// SIMD target this CPU supports, or against a third party's kernel table (--plugin). The
// suite is the conformance library (quantspec::conformance); without it this command says
// "not built".
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <optional>
#include <sstream>
#include <tuple>
#include <utility>

#include "command.hpp"
#include "quantspec/reference/errors.hpp"

#if QUANTSPEC_HAVE_CONFORMANCE
#include "quantspec/conformance/conform.hpp"
#endif

namespace quantspec::cli {
namespace {

const char* environment(const char* name) {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0' ? value : nullptr;
}

// The shard (index, count) a scheduler gives this process, if any:
//  - Kubernetes Indexed Job: JOB_COMPLETION_INDEX (0-based; the count is the Job's
//    spec.completions, which the pod does not see: pass it as --shard-count);
//  - Slurm array job: SLURM_ARRAY_TASK_ID - SLURM_ARRAY_TASK_MIN of SLURM_ARRAY_TASK_COUNT (a
//    contiguous array, e.g. --array=0-15);
//  - GoogleTest sharding: GTEST_SHARD_INDEX of GTEST_TOTAL_SHARDS.
// Two schedulers' variables that disagree are bad input rather than a guess.
std::optional<std::pair<std::int64_t, std::int64_t>> shard_from_environment(const std::string& shard_count) {
  constexpr std::int64_t kMaxShards = 1 << 20;
  std::optional<std::pair<std::int64_t, std::int64_t>> found;
  std::string found_from;
  auto offer = [&](std::int64_t index, std::int64_t count, const std::string& from) {
    if (found && *found != std::make_pair(index, count)) {
      throw ref::ParameterError(from, "the same shard as " + found_from,
                                std::to_string(index) + "/" + std::to_string(count));
    }
    found = std::make_pair(index, count);
    found_from = from;
  };
  if (const char* index = environment("JOB_COMPLETION_INDEX")) {
    if (shard_count.empty()) {
      throw ref::ParameterError("--shard-count", "given with JOB_COMPLETION_INDEX (the Job's completions)",
                                "missing");
    }
    const auto count = bounded_integer_option(shard_count, "--shard-count", 1, kMaxShards);
    offer(bounded_integer_option(index, "JOB_COMPLETION_INDEX", 0, count - 1), count, "JOB_COMPLETION_INDEX");
  }
  if (const char* id = environment("SLURM_ARRAY_TASK_ID")) {
    const char* count_text = environment("SLURM_ARRAY_TASK_COUNT");
    if (count_text == nullptr) throw ref::ParameterError("SLURM_ARRAY_TASK_COUNT", "set with SLURM_ARRAY_TASK_ID", "unset");
    const auto count = bounded_integer_option(count_text, "SLURM_ARRAY_TASK_COUNT", 1, kMaxShards);
    const char* min_text = environment("SLURM_ARRAY_TASK_MIN");
    const auto min = min_text ? bounded_integer_option(min_text, "SLURM_ARRAY_TASK_MIN", 0, 1LL << 32) : 0;
    const auto task = bounded_integer_option(id, "SLURM_ARRAY_TASK_ID", min, min + count - 1);
    offer(task - min, count, "SLURM_ARRAY_TASK_ID");
  }
  if (const char* index = environment("GTEST_SHARD_INDEX")) {
    const char* total = environment("GTEST_TOTAL_SHARDS");
    if (total == nullptr) throw ref::ParameterError("GTEST_TOTAL_SHARDS", "set with GTEST_SHARD_INDEX", "unset");
    const auto count = bounded_integer_option(total, "GTEST_TOTAL_SHARDS", 1, kMaxShards);
    offer(bounded_integer_option(index, "GTEST_SHARD_INDEX", 0, count - 1), count, "GTEST_SHARD_INDEX");
  }
  if (!found && !shard_count.empty()) {
    throw ref::ParameterError("--shard-count", "given only with JOB_COMPLETION_INDEX set", shard_count);
  }
  return found;
}

}  // namespace

void register_conform(CLI::App& app, Registry& registry) {
  struct Options {
    std::string report, plugin, shard, shard_count, cases, seed = "1", timeout, vectors;
    std::vector<std::string> targets, ops;
    bool exhaustive = false, no_isolate = false;
  };
  auto o = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand(
      "conform",
      "Run the conformance suite: operation x variant x SIMD target -> pass / FAIL with the\n"
      "first minimal counterexample / not provided. Exit 0 only if nothing failed (1 if\n"
      "something did, 2 bad input).");
  cmd->add_option("--report", o->report, "also write the table as JSON to FILE");
  cmd->add_option("--target", o->targets, "only these SIMD targets (repeatable)");
  cmd->add_option("--op", o->ops,
                  "only these operations (repeatable), e.g. quantize, requantize, gemm, linear, lut,\n"
                  "or 'vectors' for the golden vectors");
  cmd->add_option("--vectors", o->vectors,
                  "golden vectors directory (default: $QUANTSPEC_VECTORS_DIR, then the source tree's "
                  "vectors/)");
  cmd->add_option("--cases", o->cases,
                  "RapidCheck cases per property (default: the suite's, sized for < 2 minutes)");
  cmd->add_option("--seed", o->seed, "seed of the run (default 1)");
  cmd->add_option("--plugin", o->plugin,
                  "a shared library exporting a kernel table (each operation group runs in a "
                  "child process)");
  cmd->add_flag("--exhaustive", o->exhaustive,
                "add the exhaustive sweeps (every int32 accumulator, every binary32 class)");
  cmd->add_option("--shard", o->shard,
                  "i/n: run the i-th of n parts of the exhaustive sweeps (with --exhaustive). Without\n"
                  "it the shard comes from the scheduler: JOB_COMPLETION_INDEX (Kubernetes Indexed\n"
                  "Job, with --shard-count), SLURM_ARRAY_TASK_ID - SLURM_ARRAY_TASK_MIN of\n"
                  "SLURM_ARRAY_TASK_COUNT (Slurm array), GTEST_SHARD_INDEX of GTEST_TOTAL_SHARDS");
  cmd->add_option("--shard-count", o->shard_count,
                  "n, the number of shards, with JOB_COMPLETION_INDEX (a Job's spec.completions)");
  cmd->add_flag("--no-isolate", o->no_isolate,
                "run built-in tables in-process (default: one child process per operation)");
  cmd->add_option("--timeout", o->timeout,
                  "seconds one operation group (every variant of one operation, in one child) may\n"
                  "run in total before it is killed and its unfinished variants reported as hung;\n"
                  "also the limit on loading a --plugin (default 300, none with --exhaustive;\n"
                  "0 = no limit, then loading a plug-in may take 30 s)");

  registry.add(cmd, [o](std::ostream& out) -> int {
    // Options are validated here even without the suite, so bad input is reported the same.
    const std::int64_t cases =
        o->cases.empty() ? 0 : bounded_integer_option(o->cases, "--cases", 1, 1000000000);
    // A default limit so that a hanging kernel cannot stop a run forever; the exhaustive
    // sweeps legitimately take hours per variant.
    const std::int64_t timeout = o->timeout.empty() ? (o->exhaustive ? 0 : 300)
                                                    : bounded_integer_option(o->timeout, "--timeout", 0, 1 << 30);
    const auto seed = integer_option(o->seed, "--seed");
    if (seed < 0 || seed > ref::Integer(UINT64_MAX)) {
      throw ref::ParameterError("--seed", "in [0, 2^64 - 1]", o->seed);
    }
    if (!o->vectors.empty() && !std::filesystem::exists(o->vectors)) {
      throw ref::ParameterError("--vectors", "an existing vectors directory or file", o->vectors);
    }
    if (!o->plugin.empty() && !o->targets.empty()) {
      throw ref::ParameterError("--target", "not given with --plugin (a plug-in is one table)", o->targets.front());
    }
    if (!o->shard.empty() && !o->exhaustive) {
      throw ref::ParameterError("--shard", "given with --exhaustive (only the exhaustive sweeps are sharded)",
                                o->shard);
    }
    std::int64_t shard_index = 0, shard_count = 1;
    if (o->shard.empty() && o->exhaustive) {
      if (const auto from_environment = shard_from_environment(o->shard_count)) {
        std::tie(shard_index, shard_count) = *from_environment;
      }
    } else if (!o->shard_count.empty()) {
      throw ref::ParameterError("--shard-count", "given with --exhaustive and JOB_COMPLETION_INDEX, without --shard",
                                o->shard_count);
    }
    if (!o->shard.empty()) {
      const auto slash = o->shard.find('/');
      if (slash == std::string::npos) throw ref::ParameterError("--shard", "i/n", o->shard);
      shard_count = bounded_integer_option(o->shard.substr(slash + 1), "--shard", 1, 1 << 20);
      shard_index = bounded_integer_option(o->shard.substr(0, slash), "--shard", 0, shard_count - 1);
    }
#if QUANTSPEC_HAVE_CONFORMANCE
    conformance::ConformOptions options;
    options.targets = o->targets;
    options.ops = o->ops;
    if (cases > 0) options.cases = static_cast<int>(cases);
    options.seed = seed.convert_to<std::uint64_t>();
    options.plugin = o->plugin;
    options.report_file = o->report;
    options.vectors_dir = o->vectors;
    options.exhaustive = o->exhaustive;
    options.shard.index = static_cast<std::size_t>(shard_index);
    options.shard.count = static_cast<std::size_t>(shard_count);
    options.isolate = !o->no_isolate;
    options.timeout_seconds = static_cast<int>(timeout);
    // run_conform writes its refusals (exit 2: an unknown --op or --target, a plug-in that
    // does not load, malformed vectors, an unwritable --report) to the stream its table goes
    // to. The table is printed once at the end, so the text is held until the status is
    // known: a refusal goes to stderr, a run's table to stdout.
    std::ostringstream text;
    const int status = conformance::run_conform(options, text);
    (status == kExitBadInput ? std::cerr : out) << text.str();
    return status;
#else
    (void)cases;
    (void)timeout;
    (void)out;
    (void)shard_index;
    std::cerr << "quantspec conform: not built (the conformance suite quantspec::conformance "
                 "was not part of this build)\n";
    return kExitBadInput;
#endif
  });
}

}  // namespace quantspec::cli
