// Stand-alone driver of the vectors library, for use before and besides `quantspec vectors`:
//   quantspec_vectors_tool generate [--out DIR] [--op FAMILY]... [--skip FAMILY]...
//   quantspec_vectors_tool check --vectors FILE|DIR --results RESULTS.json [--verbose]
//   quantspec_vectors_tool identify [--vectors FILE|DIR] --results RESULTS.json
// Exit codes: 0 ok, 1 failures, 2 bad input.
#include <algorithm>
#include <chrono>
#include <iostream>
#include <string>
#include <vector>

#include "quantspec/vectors/check.hpp"
#include "quantspec/vectors/generate.hpp"

namespace {

int usage() {
  std::cerr << "usage: quantspec_vectors_tool generate [--out DIR] [--op FAMILY]... [--skip FAMILY]...\n"
               "       quantspec_vectors_tool check --vectors FILE|DIR --results FILE [--verbose]\n"
               "       quantspec_vectors_tool identify [--vectors FILE|DIR] --results FILE\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace quantspec::vectors;
  if (argc < 2) return usage();
  const std::string command = argv[1];
  std::string out_dir = "vectors", vectors_path = "vectors", results_path;
  std::vector<std::string> ops, skipped;
  bool verbose = false;
  for (int i = 2; i < argc; ++i) {
    const std::string arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) throw std::invalid_argument(arg + " needs a value");
      return argv[++i];
    };
    try {
      if (arg == "--out") out_dir = value();
      else if (arg == "--op") ops.push_back(value());
      else if (arg == "--skip") skipped.push_back(value());
      else if (arg == "--vectors") vectors_path = value();
      else if (arg == "--results") results_path = value();
      else if (arg == "--verbose") verbose = true;
      else return usage();
    } catch (const std::exception& e) {
      std::cerr << e.what() << "\n";
      return 2;
    }
  }
  if (command == "generate") {
    try {
      const auto start = std::chrono::steady_clock::now();
      // --skip: every family (or every --op) but these, e.g. to regenerate a slow one apart.
      if (!skipped.empty()) {
        for (const auto& name : skipped) {
          const auto& known = family_names();
          if (std::find(known.begin(), known.end(), name) == known.end()) {
            throw std::invalid_argument("--skip: unknown family \"" + name + "\"");
          }
        }
        std::vector<std::string> kept;
        for (const auto& name : ops.empty() ? family_names() : ops) {
          if (std::find(skipped.begin(), skipped.end(), name) == skipped.end()) kept.push_back(name);
        }
        if (kept.empty()) throw std::invalid_argument("--skip leaves no family to generate");
        ops = kept;
      }
      generate({out_dir, ops}, &std::cout);
      const double seconds =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      std::cout << "generated in " << seconds << " s\n";
      return 0;
    } catch (const std::exception& e) {
      std::cerr << "error: " << e.what() << "\n";
      return 2;
    }
  }
  if (results_path.empty()) return usage();
  if (command == "check") return check(vectors_path, results_path, std::cout, {verbose});
  if (command == "identify") return identify(vectors_path, results_path, std::cout);
  return usage();
}
