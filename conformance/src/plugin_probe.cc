// The first contact with a third party's library happens in a forked child: its load-time
// constructors and qs_kernel_table_get run there, and the parent learns only "usable table" or
// why not. Without this, a constructor calling exit(0) ended `quantspec conform` with status 0
// and no report, and a crashing or hanging qs_kernel_table_get took the whole run down.
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <stdexcept>
#include <string>

#include "quantspec/conformance/plugin.hpp"

namespace quantspec::conformance {
namespace {

constexpr const char* kUsable = "usable\n";

[[noreturn]] void probe_child(int fd, const std::string& path) {
  std::string verdict;
  try {
    const Plugin plugin(path);  // throws with the reason
    verdict = kUsable;
  } catch (const std::exception& error) {
    verdict = std::string("unusable: ") + error.what() + "\n";
  }
  const char* p = verdict.data();
  std::size_t left = verdict.size();
  while (left > 0) {
    const ssize_t n = write(fd, p, left);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    p += n;
    left -= static_cast<std::size_t>(n);
  }
  _exit(0);  // no atexit handlers or static destructors of the parent's image
}

std::string ending(int status) {
  if (WIFSIGNALED(status)) {
    const char* abbreviation = sigabbrev_np(WTERMSIG(status));
    return abbreviation != nullptr ? std::string("signal SIG") + abbreviation
                                   : "signal " + std::to_string(WTERMSIG(status));
  }
  if (WIFEXITED(status)) return "exit status " + std::to_string(WEXITSTATUS(status));
  return "an unknown wait status";
}

}  // namespace

std::string probe_plugin_in_child(const std::string& path, int timeout_seconds) {
  const std::string prefix = "--plugin " + path + ": ";
  int fds[2];
  if (pipe(fds) != 0) throw std::runtime_error("pipe failed");
  std::fflush(nullptr);
  const pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    close(fds[0]);
    probe_child(fds[1], path);
  }
  close(fds[1]);
  std::string said;
  bool timed_out = false;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_seconds);
  char chunk[4096];
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now()).count();
    if (left <= 0) {
      timed_out = true;
      break;
    }
    pollfd pfd{fds[0], POLLIN, 0};
    const int ready = poll(&pfd, 1, static_cast<int>(left));
    if (ready < 0 && errno == EINTR) continue;
    if (ready == 0) {
      timed_out = true;
      break;
    }
    if (ready < 0) break;
    const ssize_t n = read(fds[0], chunk, sizeof(chunk));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    said.append(chunk, static_cast<std::size_t>(n));
  }
  close(fds[0]);
  if (timed_out) kill(pid, SIGKILL);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (timed_out) {
    return prefix + "loading did not finish within " + std::to_string(timeout_seconds) +
           " s (a load-time constructor or qs_kernel_table_get hangs)";
  }
  const bool exited_cleanly = WIFEXITED(status) && WEXITSTATUS(status) == 0;
  if (said == kUsable && exited_cleanly) return "";
  if (said.rfind("unusable: ", 0) == 0 && exited_cleanly) {
    std::string reason = said.substr(10);
    while (!reason.empty() && reason.back() == '\n') reason.pop_back();
    return reason;  // Plugin's message already names the path
  }
  return prefix + "the process ended while loading the library or calling qs_kernel_table_get (" +
         ending(status) + "; a load-time constructor or the entry point called exit, abort or crashed)";
}

}  // namespace quantspec::conformance
