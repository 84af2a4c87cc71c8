// libFuzzer harness (issue 10): `quantspec explain linear|conv2d --file FILE` on arbitrary
// files: the layer file reader (merge_file in tools/quantspec/explain.cc: JSON, known keys,
// strings / numbers / lists / booleans) and everything it feeds (the option parsers, the
// layer's calibration, quantization, accumulation, requantization and printing).
//
// Input decoding: byte 0 chooses the command: bit 0 conv2d (else linear), bit 1 adds --json.
// The remaining bytes are the file's contents, written to /dev/shm (the reader takes a path).
// The commands are registered on a fresh CLI::App per input and run as main.cc runs them, with
// the output going to a string.
//
// A ParameterError (exit 2, "bad input") is the documented answer to a bad file. Anything else
// (a crash, a sanitizer report, another exception: exit 3 "internal error") is a finding.
//
// Skipped (return before running): conv2d files whose "stride", "padding" or "dilation" hold a
// number of magnitude above 16. The output of a convolution grows with them without a cap
// (issue 10, "explain conv2d --padding 1000 -> 63 s, 3.6 GB"), a known bad-input item owned by
// the CLI's input checks; without the skip every run ends in the same out-of-memory report.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <string>
#include <vector>

#include "../quantspec/command.hpp"
#include "quantspec/reference/errors.hpp"

namespace {

bool has_large_geometry(const std::uint8_t* data, std::size_t size) {
  const nlohmann::json doc = nlohmann::json::parse(data, data + size, nullptr, false);
  if (!doc.is_object()) return false;
  for (const char* key : {"stride", "padding", "dilation"}) {
    const auto found = doc.find(key);
    if (found == doc.end()) continue;
    std::string text = found->is_string() ? found->get<std::string>() : found->dump();
    for (char& c : text) {
      if (c < '0' || c > '9') c = ' ';
    }
    std::istringstream numbers(text);
    std::string number;
    while (numbers >> number) {
      if (number.size() > 2 || std::atoi(number.c_str()) > 16) return true;
    }
  }
  return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const bool conv2d = (data[0] & 1) != 0;
  const bool json = (data[0] & 2) != 0;
  if (conv2d && has_large_geometry(data + 1, size - 1)) return 0;
  const std::string path = "/dev/shm/quantspec_fuzz_explain_" + std::to_string(getpid()) + ".json";
  std::FILE* file = std::fopen(path.c_str(), "wb");
  if (file == nullptr) return 0;
  std::fwrite(data + 1, 1, size - 1, file);
  std::fclose(file);

  CLI::App app{"quantspec", "quantspec"};
  app.require_subcommand(1);
  quantspec::cli::Registry registry;
  quantspec::cli::register_explain(app, registry);
  // CLI11 takes the arguments in reverse order.
  std::vector<std::string> args = {path, "--file", conv2d ? "conv2d" : "linear", "explain"};
  if (json) args.insert(args.begin(), "--json");
  try {
    app.parse(args);
    const quantspec::cli::Action* action = app.got_subcommand("explain") ? registry.selected()
                                                                       : nullptr;
    if (action == nullptr) __builtin_trap();  // the command line above always selects one
    std::ostringstream out;
    (void)(*action)(out);
  } catch (const quantspec::ref::ParameterError&) {
  }
  std::remove(path.c_str());
  return 0;
}
