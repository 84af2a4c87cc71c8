// Runs a group of variant suites in a forked child so a crashing (or hanging) kernel is
// reported as "crashed on case N of <check>: <case>" and the rest of the report still comes out.
// The child sends one JSON line per event over a pipe; the case in flight lives in a shared
// memory slot that a signal handler fills in (best effort) before the child dies.
#include "isolated_runner.hpp"

#include <poll.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>

#include "report_json.hpp"

namespace quantspec::conformance {
namespace {

struct CrashSlot {
  char check[256];
  std::size_t case_number;
  int described;  // 1 once description holds the whole case
  char description[1 << 16];
};

CrashSlot* g_slot = nullptr;

void copy_text(char* dst, std::size_t capacity, const std::string& text) {
  const std::size_t n = std::min(capacity - 1, text.size());
  std::memcpy(dst, text.data(), n);
  dst[n] = '\0';
}

// In the child: describe the case in flight, then die of the same signal.
extern "C" void on_fatal_signal(int sig) {
  if (g_slot != nullptr) {
    g_slot->case_number = current_case().number;
    // Not async-signal-safe (it formats into the heap); the kernel may have corrupted the heap,
    // in which case the parent still has the check name and case number.
    if (current_case().describe) {
      copy_text(g_slot->description, sizeof(g_slot->description), current_case().describe());
      g_slot->described = 1;
    }
  }
  signal(sig, SIG_DFL);
  raise(sig);
}

void install_crash_handlers() {
  static std::vector<char> alternate_stack(1 << 16);
  stack_t ss{};
  ss.ss_sp = alternate_stack.data();
  ss.ss_size = alternate_stack.size();
  sigaltstack(&ss, nullptr);
  struct sigaction action {};
  action.sa_handler = on_fatal_signal;
  action.sa_flags = SA_ONSTACK;
  for (int sig : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT}) sigaction(sig, &action, nullptr);
}

void write_all(int fd, const std::string& text) {
  const char* p = text.data();
  std::size_t left = text.size();
  while (left > 0) {
    const ssize_t n = write(fd, p, left);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) _exit(3);
    p += n;
    left -= static_cast<std::size_t>(n);
  }
}

[[noreturn]] void child_main(int fd, const qs_kernel_table& table, const std::string& target,
                             const std::vector<const VariantSuite*>& suites, std::size_t first,
                             const Settings& settings) {
  install_crash_handlers();
  for (std::size_t i = first; i < suites.size(); ++i) {
    write_all(fd, nlohmann::json{{"event", "start"}, {"index", i}}.dump() + "\n");
    const VariantResult result = run_variant(table, target, *suites[i], settings, [](const std::string& check) {
      copy_text(g_slot->check, sizeof(g_slot->check), check);
      g_slot->case_number = 0;
      g_slot->described = 0;
    });
    write_all(fd, nlohmann::json{{"event", "result"}, {"index", i}, {"result", to_json(result)}}.dump() + "\n");
  }
  _exit(0);
}

std::string signal_text(int status) {
  if (WIFSIGNALED(status)) {
    const int sig = WTERMSIG(status);
    const char* abbreviation = sigabbrev_np(sig);
    return abbreviation != nullptr ? std::string("SIG") + abbreviation : "signal " + std::to_string(sig);
  }
  if (WIFEXITED(status)) return "exit status " + std::to_string(WEXITSTATUS(status));
  return "unknown status";
}

}  // namespace

std::vector<VariantResult> run_isolated(const qs_kernel_table& table, const std::string& target,
                                        const std::vector<const VariantSuite*>& suites, const Settings& settings,
                                        int timeout_seconds, const std::function<void(std::size_t)>& on_start) {
  std::vector<VariantResult> results(suites.size());
  void* shared = mmap(nullptr, sizeof(CrashSlot), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (shared == MAP_FAILED) throw std::runtime_error("mmap failed for the crash slot");
  g_slot = static_cast<CrashSlot*>(shared);
  // The timeout is the group's, counted once from here: a child restarted after a crash does
  // not get a fresh allowance (with per-child timeouts a group of hanging variants took
  // timeout x variants).
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_seconds);
  bool group_timed_out = false;
  std::size_t next = 0;
  while (next < suites.size()) {
    std::memset(g_slot, 0, sizeof(CrashSlot));
    int fds[2];
    if (pipe(fds) != 0) throw std::runtime_error("pipe failed");
    std::fflush(nullptr);
    const pid_t pid = fork();
    if (pid < 0) throw std::runtime_error("fork failed");
    if (pid == 0) {
      close(fds[0]);
      child_main(fds[1], table, target, suites, next, settings);
    }
    close(fds[1]);
    std::string buffer;
    // The suite the child announced and has not finished (SIZE_MAX: none).
    std::size_t in_flight = SIZE_MAX;
    bool timed_out = false;
    char chunk[4096];
    for (;;) {
      pollfd pfd{fds[0], POLLIN, 0};
      long long wait_ms = -1;
      if (timeout_seconds > 0) {
        wait_ms = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now())
                      .count();
        if (wait_ms < 0) wait_ms = 0;
      }
      const int ready = wait_ms == 0 ? 0 : poll(&pfd, 1, static_cast<int>(wait_ms));
      if (ready == 0) {
        timed_out = true;
        kill(pid, SIGKILL);
        break;
      }
      if (ready < 0) {
        if (errno == EINTR) continue;
        break;
      }
      const ssize_t n = read(fds[0], chunk, sizeof(chunk));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      buffer.append(chunk, static_cast<std::size_t>(n));
      std::size_t newline;
      while ((newline = buffer.find('\n')) != std::string::npos) {
        const auto message = nlohmann::json::parse(buffer.substr(0, newline));
        buffer.erase(0, newline + 1);
        const std::size_t index = message.at("index").get<std::size_t>();
        if (message.at("event") == "start") {
          in_flight = index;
          if (on_start) on_start(index);
        } else {
          results[index] = from_json(message.at("result"));
          in_flight = SIZE_MAX;
          next = index + 1;
        }
      }
    }
    close(fds[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    if (in_flight == SIZE_MAX) {
      if (next < suites.size()) {
        // The child died between variants (or never started one): report the next as crashed.
        in_flight = next;
      } else {
        break;
      }
    }
    const std::size_t crashed = in_flight;
    VariantResult& r = results[crashed];
    r.op = suites[crashed]->op;
    r.variant = suites[crashed]->variant;
    r.target = target;
    r.status = VariantResult::Status::crashed;
    r.failed_check = g_slot->check;
    std::string text = timed_out ? "timed out after " + std::to_string(timeout_seconds) + " s"
                                 : "crashed (" + signal_text(status) + ")";
    text += " on case " + std::to_string(g_slot->case_number) + " of " +
            (g_slot->check[0] ? std::string(g_slot->check) : std::string("the probe")) + ":\n";
    text += g_slot->described ? std::string(g_slot->description) : "  (the case could not be described)\n";
    r.counterexample = text;
    next = crashed + 1;
    if (timed_out) {
      group_timed_out = true;
      break;
    }
  }
  // After the group's time ran out, the variants not run are reported, not silently dropped.
  for (std::size_t i = next; group_timed_out && i < suites.size(); ++i) {
    VariantResult& r = results[i];
    r.op = suites[i]->op;
    r.variant = suites[i]->variant;
    r.target = target;
    r.status = VariantResult::Status::crashed;
    r.counterexample = "not run: the operation group timed out after " + std::to_string(timeout_seconds) + " s\n";
  }
  munmap(shared, sizeof(CrashSlot));
  g_slot = nullptr;
  return results;
}

}  // namespace quantspec::conformance
