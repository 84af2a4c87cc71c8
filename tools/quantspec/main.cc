// quantspec: the command-line face of the specification. Each command lives in its own file
// and registers itself here; this file owns parsing and the exit-code contract:
//   0 ok, 1 a check failed (conform, vectors check), 2 bad input (a CLI11 parse error or a
//   ParameterError, with the parameter named on stderr), 3 an unexpected internal error.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <exception>
#include <iostream>

#include "command.hpp"
#include "quantspec/reference/errors.hpp"

namespace {

// "zero_point" -> "--zero-point" when the selected command has such an option, so the message
// names what the user typed as well as the spec's parameter.
std::string option_hint(const CLI::App& app, const std::string& parameter) {
  std::string option = parameter;
  if (option.rfind("--", 0) == 0) return "";
  for (char& c : option) c = c == '_' ? '-' : c;
  option = "--" + option;
  const CLI::App* command = &app;
  while (true) {
    auto subs = command->get_subcommands();
    if (subs.empty()) break;
    command = subs.front();
  }
  if (command->get_option_no_throw(option) != nullptr) return " (option " + option + ")";
  return "";
}

}  // namespace

int main(int argc, char** argv) {
  using namespace quantspec::cli;
  CLI::App app{
      "quantspec: the exact reference of integer quantization (SPEC.md) on the command line.\n"
      "Numbers are decimal or hex-float text (0x1.8p-3); --json prints one JSON object.\n"
      "Exit codes: 0 ok, 1 check failed, 2 bad input, 3 internal error.",
      "quantspec"};
  app.require_subcommand(1);
  Registry registry;
  register_params(app, registry);
  register_multiplier(app, registry);
  register_quantize(app, registry);
  register_dequantize(app, registry);
  register_requantize(app, registry);
  register_explain(app, registry);
  register_conform(app, registry);
  register_bench(app, registry);
  register_vectors(app, registry);
  register_calibrate(app, registry);
  register_fake_quant(app, registry);
  register_fake_quant_grad(app, registry);
  register_dynamic_quantize(app, registry);
  register_report(app, registry);
  register_lut(app, registry);
  register_fold_bn(app, registry);
  register_pwl(app, registry);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);  // --version and the like
    std::cerr << "quantspec: bad input: " << e.what() << "\n";
    // CLI11 reports a missing subcommand before unknown words; name those words too.
    const std::vector<std::string> unexpected = app.remaining(true);
    if (!unexpected.empty()) {
      std::cerr << "quantspec: unexpected argument(s):";
      for (const std::string& word : unexpected) std::cerr << " " << word;
      std::cerr << "\n";
    }
    std::cerr << "Run with --help for more information.\n";
    return kExitBadInput;
  }

  const Action* action = registry.selected();
  if (action == nullptr) {
    std::cerr << "quantspec: bad input: no command selected; run with --help\n";
    return kExitBadInput;
  }
  // A closed stdout is refused before anything runs: the first file the command opens would
  // otherwise take descriptor 1, and the results would be written into it.
  if (::fcntl(STDOUT_FILENO, F_GETFD) == -1) {
    std::cerr << "quantspec: bad parameter stdout: expected an open standard output, got a closed "
                 "descriptor 1\n";
    return kExitBadInput;
  }
  try {
    const int status = (*action)(std::cout);
    // A result that did not reach its reader (a full disk, /dev/full) is not a success.
    std::cout.flush();
    if (!std::cout) {
      std::cerr << "quantspec: bad parameter stdout: expected a writable standard output, got a "
                   "write error ("
                << std::strerror(errno) << ")\n";
      return kExitBadInput;
    }
    return status;
  } catch (const quantspec::ref::ParameterError& e) {
    std::cerr << "quantspec: bad parameter " << e.parameter() << option_hint(app, e.parameter())
              << ": expected " << e.requirement() << ", got " << e.got() << "\n";
    return kExitBadInput;
  } catch (const std::exception& e) {
    std::cerr << "quantspec: internal error: " << e.what() << "\n";
    return kExitInternalError;
  } catch (...) {
    std::cerr << "quantspec: internal error (unknown exception)\n";
    return kExitInternalError;
  }
}
