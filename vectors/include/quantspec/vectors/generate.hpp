// `quantspec vectors generate`: writes one golden-vector file per operation family, computed
// by the exact reference. Deterministic: fixed seeds, a portable random generator, stable
// ordering and exact encodings, so a regeneration is byte-identical.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "quantspec/vectors/format.hpp"

namespace quantspec::vectors {

struct GenerateOptions {
  std::string out_dir = "vectors";
  std::vector<std::string> families;  // empty: every family (family_names())
};

struct GeneratedFile {
  std::string family;
  std::string path;
  std::int64_t tests = 0;
  std::uintmax_t bytes = 0;
};

// The operation families, in generation order; each is written to "<family>.json" and is
// also the file's "algorithm".
const std::vector<std::string>& family_names();

// The document of one family. Throws std::invalid_argument for an unknown family.
Json generate_family(const std::string& family);

// The exact bytes written for a document (2-space indentation, trailing newline).
std::string serialize(const Json& document);

// Generates the requested families into options.out_dir (created if missing) and returns
// what was written; `log` (optional) receives one line per file. Throws std::invalid_argument
// for an unknown family and std::runtime_error when a file cannot be written.
std::vector<GeneratedFile> generate(const GenerateOptions& options, std::ostream* log = nullptr);

}  // namespace quantspec::vectors
