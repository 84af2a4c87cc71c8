// quantspec vectors generate | check | identify: the golden vectors of vectors/ (issue 4),
// computed by the reference and held against a foreign backend's results. The work is done
// by the vectors library (quantspec::vectors); without it this command says "not built".
#include <unistd.h>

#include <filesystem>
#include <iostream>
#include <stdexcept>

#include "command.hpp"
#include "quantspec/reference/errors.hpp"

#if QUANTSPEC_HAVE_VECTORS
#include "quantspec/vectors/check.hpp"
#include "quantspec/vectors/format.hpp"
#include "quantspec/vectors/generate.hpp"
#endif

#ifndef QUANTSPEC_VECTORS_SOURCE_DIR
#define QUANTSPEC_VECTORS_SOURCE_DIR "vectors"
#endif

namespace quantspec::cli {
namespace {

int not_built(const char* what) {
  std::cerr << "quantspec vectors " << what
            << ": not built (the golden-vectors library quantspec::vectors was not part of this "
               "build)\n";
  return kExitBadInput;
}

#if QUANTSPEC_HAVE_VECTORS
// A malformed vectors/results file names the file, the test and the fault (exit 2).
template <typename Fn>
int reporting_format_errors(Fn&& fn) {
  try {
    return fn();
  } catch (const vectors::FormatError& e) {
    std::cerr << "quantspec vectors: bad input: " << e.file();
    if (e.tc_id()) std::cerr << ": tcId " << *e.tc_id();
    std::cerr << ": " << e.problem() << "\n";
    return kExitBadInput;
  }
}
#endif

}  // namespace

void register_vectors(CLI::App& app, Registry& registry) {
  CLI::App* group = app.add_subcommand(
      "vectors",
      "Golden vectors (vectors/README.md): generate them from the reference, check a foreign\n"
      "backend's results against them, identify which named variants the results match.");
  group->require_subcommand(1);

  struct GenerateOptions {
    std::string out = "vectors";
    std::vector<std::string> ops;
  };
  auto g = std::make_shared<GenerateOptions>();
  CLI::App* generate = group->add_subcommand(
      "generate",
      "Write one JSON file per operation family into --out, deterministically (regenerating\n"
      "reproduces the checked-in files byte for byte).");
  generate->add_option("--out", g->out, "output directory (default ./vectors)");
  generate->add_option("--op", g->ops, "only these families (repeatable; default all)");
  registry.add(generate, [g](std::ostream& out) -> int {
#if QUANTSPEC_HAVE_VECTORS
    for (const std::string& op : g->ops) {
      bool known = false;
      for (const std::string& f : vectors::family_names()) known = known || f == op;
      if (!known) {
        std::string all;
        for (const std::string& f : vectors::family_names()) all += (all.empty() ? "" : "|") + f;
        std::cerr << "quantspec: bad parameter --op: expected one of " << all << ", got " << op
                  << "\n";
        return kExitBadInput;
      }
    }
    // The output directory is checked before the (long) generation, not by its first write.
    namespace fs = std::filesystem;
    std::error_code ec;
    if (fs::exists(g->out, ec) && !fs::is_directory(g->out, ec)) {
      throw ref::ParameterError("--out", "a directory (created if missing)",
                                "'" + g->out + "', which is not a directory");
    }
    fs::create_directories(g->out, ec);
    if (ec) {
      throw ref::ParameterError("--out", "a directory that can be created",
                                "'" + g->out + "': " + ec.message());
    }
    if (::access(g->out.c_str(), W_OK) != 0) {
      throw ref::ParameterError("--out", "a writable directory", "'" + g->out + "'");
    }
    vectors::GenerateOptions options;
    options.out_dir = g->out;
    options.families = g->ops;
    std::vector<vectors::GeneratedFile> files;
    try {
      files = vectors::generate(options, &out);
    } catch (const std::runtime_error& e) {  // a file that could not be written (a full disk)
      throw ref::ParameterError("--out", "a directory the vectors can be written to", e.what());
    }
    std::int64_t tests = 0;
    for (const auto& f : files) tests += f.tests;
    out << files.size() << " files, " << tests << " tests written to " << g->out << "\n";
    return kExitOk;
#else
    (void)g;
    (void)out;
    return not_built("generate");
#endif
  });

  struct CheckOptions {
    std::string vectors = QUANTSPEC_VECTORS_SOURCE_DIR, results;
    bool verbose = false;
  };
  auto c = std::make_shared<CheckOptions>();
  CLI::App* check = group->add_subcommand(
      "check",
      "Hold a backend's results (RESULTS.json, keyed by algorithm and tcId; vectors/README.md)\n"
      "to the vectors: per-test outcome (expected pass/failure, unexpected pass/failure) and\n"
      "'N passed, N failed'. Exit 0 all passed, 1 failures, 2 malformed input.");
  check->add_option("--vectors", c->vectors, "a vectors file or directory (default: the checked-in vectors/)");
  check->add_option("--results", c->results, "the backend's results file")->required();
  check->add_flag("--verbose", c->verbose, "one line per test");
  registry.add(check, [c](std::ostream& out) -> int {
#if QUANTSPEC_HAVE_VECTORS
    return reporting_format_errors([&] {
      vectors::CheckOptions options;
      options.verbose = c->verbose;
      options.errors = &std::cerr;
      return vectors::check(c->vectors, c->results, out, options);
    });
#else
    (void)c;
    (void)out;
    return not_built("check");
#endif
  });

  struct IdentifyOptions {
    std::string vectors = QUANTSPEC_VECTORS_SOURCE_DIR, results;
    bool json = false;
  };
  auto i = std::make_shared<IdentifyOptions>();
  CLI::App* identify = group->add_subcommand(
      "identify",
      "Which named variants a backend's results are consistent with, per operation, and the\n"
      "tcIds that rule the others out. For the distinguish family (SPEC Q20), per variant\n"
      "dimension: the consistent members ranked by mismatches, the policy dimensions (NaN,\n"
      "inf, overflow) and parameter acceptance apart. Exit 0 every operation run is\n"
      "consistent with some variant, 1 one is consistent with none (or nothing was run),\n"
      "2 malformed input.");
  identify->add_option("--vectors", i->vectors, "a vectors file or directory (default: the checked-in vectors/)");
  identify->add_option("--results", i->results, "the backend's results file")->required();
  identify->add_flag("--json", i->json,
                     "print one JSON document for scripts (schema: vectors/README.md)");
  registry.add(identify, [i](std::ostream& out) -> int {
#if QUANTSPEC_HAVE_VECTORS
    return reporting_format_errors([&] {
      vectors::IdentifyOptions options;
      options.json = i->json;
      options.errors = &std::cerr;
      return vectors::identify(i->vectors, i->results, out, options);
    });
#else
    (void)i;
    (void)out;
    return not_built("identify");
#endif
  });
}

}  // namespace quantspec::cli
