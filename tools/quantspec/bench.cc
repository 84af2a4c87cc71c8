// quantspec bench: runs the Google Benchmark binary `quantspec_bench` that is built next to
// quantspec (optimized/), passing --json and any other arguments through unchanged.
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <iostream>

#include "command.hpp"

namespace quantspec::cli {
namespace {

std::string directory_of_this_program() {
  char path[4096];
  const ssize_t n = ::readlink("/proc/self/exe", path, sizeof path - 1);
  if (n <= 0) return ".";
  path[n] = '\0';
  std::string text(path);
  const auto slash = text.rfind('/');
  return slash == std::string::npos ? "." : text.substr(0, slash);
}

}  // namespace

void register_bench(CLI::App& app, Registry& registry) {
  struct Options {
    bool json = false;
    bool peers = false;
    unsigned threads = 1;
    std::vector<std::string> passthrough;
  };
  auto o = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand(
      "bench",
      "Throughput of the optimized kernels as ratios measured in the same run (issue 3):\n"
      "elementwise kernels against a memory copy, GEMM against the measured exact int8 MAC\n"
      "peak loop of this CPU (vpdpbusd zmm with AVX-512 VNNI, vpdpbusd ymm with AVX-VNNI,\n"
      "vpmaddwd + vpaddd zmm/ymm otherwise; no GEMM ratio without AVX2). The report names\n"
      "the CPU model, the target and the peak loop. --peak=NAME forces a loop;\n"
      "--target=NAME measures one compiled target (e.g. AVX2 on an AVX-512 CPU) against\n"
      "the peak loop that fits it (AVX2: vpmaddwd_ymm) unless --peak is given.\n"
      "Runs quantspec_bench from the same directory as quantspec; --json and every other\n"
      "argument (e.g. --benchmark_filter=...) are passed through; its exit code is returned.");
  cmd->add_flag("--json", o->json, "print the ratios as one JSON object");
  cmd->add_flag("--peers", o->peers,
                "run quantspec_peer_bench instead: ours vs XNNPACK (fully connected qs8, convert)\n"
                "and oneDNN (int8 matmul) on the same data in the same process, weight packing\n"
                "excluded for everybody, each peer's output compared with ours element by element\n"
                "(built when libxnnpack-dev, libpthreadpool-dev and libdnnl-dev are installed;\n"
                "`make peers` installs them)");
  cmd->add_option("--threads", o->threads,
                  "with --peers: run the GEMMs on N threads (default 1): ours split over a\n"
                  "pthreadpool of N threads (row blocks, column blocks for M < 16 N), XNNPACK on the\n"
                  "same pool, oneDNN on N OpenMP threads; ours on one thread is timed next to\n"
                  "them (the speedup) and must give the same output. Pin the cores with taskset\n"
                  "(e.g. taskset -c 0,1 ... --threads 2)")
      ->check(CLI::Range(1u, 256u));
  cmd->allow_extras();
  registry.add(cmd, [o, cmd](std::ostream& out) {
    const std::string program =
        directory_of_this_program() + (o->peers ? "/quantspec_peer_bench" : "/quantspec_bench");
    if (o->threads != 1 && !o->peers) {
      std::cerr << "quantspec bench: --threads applies to the peer comparison (--peers) only\n";
      return kExitBadInput;
    }
    if (::access(program.c_str(), X_OK) != 0) {
      std::cerr << "quantspec bench: not built: " << program
                << (o->peers ? " is missing (install libxnnpack-dev libpthreadpool-dev libdnnl-dev "
                               "and rebuild, or run `make peers`)\n"
                             : " is missing (build the optimized/ benchmarks: target quantspec_bench)\n");
      return kExitBadInput;
    }
    std::vector<std::string> args{program};
    if (o->json) args.push_back("--json");
    if (o->peers) args.push_back("--threads=" + std::to_string(o->threads));
    for (const std::string& extra : cmd->remaining()) args.push_back(extra);
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    out.flush();
    std::cout.flush();
    ::execv(program.c_str(), argv.data());
    std::cerr << "quantspec bench: cannot run " << program << ": " << std::strerror(errno) << "\n";
    return kExitInternalError;
  });
}

}  // namespace quantspec::cli
