// Running build/bin/quantspec as a user would, for the CLI tests: a child process through the
// shell, its stdout, stderr, exit code and wall time.
#pragma once

#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace quantspec_cli_test {

struct CliRun {
  int exit_code = -1;  // the shell's status: 128 + N for a child killed by signal N
  std::string out;
  std::string err;
  double seconds = 0;
};

inline std::string quoted(const std::string& arg) {
  std::string q = "'";
  for (char c : arg) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

inline std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

inline std::string temp_path(const std::string& name) {
  return std::string(QUANTSPEC_CLI_TEST_TMP) + "/" + name;
}

inline std::string write_file(const std::string& name, const std::string& text) {
  const std::string path = temp_path(name);
  std::ofstream(path) << text;
  return path;
}

inline std::string command_line(const std::vector<std::string>& args) {
  std::string command = quoted(QUANTSPEC_CLI);
  for (const std::string& a : args) command += " " + quoted(a);
  return command;
}

// Runs `command` (a shell command line) with `redirect_out` as its stdout redirection
// (default: a file this returns in .out); stderr is captured.
inline CliRun run_shell(const std::string& command, const std::string& redirect_out = "") {
  const std::string base = temp_path("bad_input_run." + std::to_string(::getpid()));
  const std::string full = command + " " + (redirect_out.empty() ? ">" + base + ".out" : redirect_out) +
                           " 2>" + base + ".err";
  const auto start = std::chrono::steady_clock::now();
  const int status = std::system(full.c_str());
  CliRun r;
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = redirect_out.empty() ? slurp(base + ".out") : "";
  r.err = slurp(base + ".err");
  return r;
}

inline CliRun quantspec(const std::vector<std::string>& args) { return run_shell(command_line(args)); }

}  // namespace quantspec_cli_test
