// libFuzzer harness (issue 10): the golden-vector file validator and the results reader /
// evaluator behind `quantspec vectors check` and `identify`, on arbitrary bytes. The bytes are
// parsed as JSON, validated as a vectors file, and read as a backend's results file that is
// evaluated against the checked-in vectors (QUANTSPEC_FUZZ_VECTORS, default vectors/ of the
// source tree). UntrustedJsonError and FormatError are the documented answers to bad input;
// anything else (a crash, a sanitizer report, another exception) is a finding.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "quantspec/vectors/check.hpp"
#include "quantspec/vectors/format.hpp"
#include "quantspec/vectors/untrusted_json.hpp"

namespace {

const std::vector<quantspec::vectors::VectorFile>& checked_in() {
  static const std::vector<quantspec::vectors::VectorFile> files = [] {
    const char* dir = std::getenv("QUANTSPEC_FUZZ_VECTORS");
    // The small files only: the evaluator's cost grows with the vectors, not with the input.
    const std::string base = dir != nullptr ? dir : "vectors";
    std::vector<quantspec::vectors::VectorFile> chosen;
    for (const char* name : {"quantize.json", "bias.json", "requantize.json", "dequantize.json"}) {
      chosen.push_back(quantspec::vectors::read_vector_file(base + "/" + name));
    }
    return chosen;
  }();
  return files;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using quantspec::vectors::FormatError;
  using quantspec::vectors::Json;
  const auto& files = checked_in();
  // The reader the files go through (untrusted_json.hpp): whatever it accepts is bounded in
  // depth, so dumping it must not exhaust the stack.
  Json document;
  try {
    document = quantspec::vectors::parse_untrusted_json<Json>(
        std::string_view(reinterpret_cast<const char*>(data), size));
  } catch (const quantspec::vectors::UntrustedJsonError&) {
    return 0;
  }
  (void)document.dump(-1, ' ', false, Json::error_handler_t::replace);
  try {
    (void)quantspec::vectors::parse_vector_file(document, "fuzz-input.json");
  } catch (const FormatError&) {
  }
  try {
    const auto results = quantspec::vectors::parse_results(document, "fuzz-results.json");
    (void)quantspec::vectors::evaluate(files, results, "fuzz-results.json");
  } catch (const FormatError&) {
  }
  return 0;
}
