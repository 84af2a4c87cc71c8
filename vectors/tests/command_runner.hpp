// The vectors tests that drive the Python examples and the vectors tool as a user would: run a
// shell command and keep its exit status and combined output; name a per-process results file.
#pragma once

#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <string>

namespace quantspec::vectors::test_support {

struct Run {
  int status;  // the exit status, or -1 when the command could not run or was killed
  std::string output;
};

inline Run run(const std::string& command) {
  std::array<char, 4096> buffer;
  std::string output;
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (!pipe) return {-1, "popen failed"};
  while (fgets(buffer.data(), buffer.size(), pipe)) output += buffer.data();
  const int status = pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, output};
}

// A path in the temporary directory unique to this process: "<prefix>_<pid>_<name>".
inline std::string results_path(const std::string& prefix, const char* name) {
  return (std::filesystem::temp_directory_path() / (prefix + "_" + std::to_string(::getpid()) + "_" + name))
      .string();
}

}  // namespace quantspec::vectors::test_support
