// libFuzzer harness (issue 10: "a tool that cannot be crashed"): the .npy / CSV reader of the
// calibration commands (tools/quantspec/tensor_file.cc) on arbitrary bytes. The reader takes a
// path, so each input is written to a file in /dev/shm first; the first byte chooses the
// extension (.npy or .csv). A ParameterError is the reader's documented answer to bad input;
// anything else (a crash, a sanitizer report, another exception) is a finding.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>

#include "../quantspec/tensor_file.hpp"
#include "quantspec/reference/errors.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string path = "/dev/shm/quantspec_fuzz_" + std::to_string(getpid()) +
                           ((data[0] & 1) ? ".csv" : ".npy");
  std::FILE* file = std::fopen(path.c_str(), "wb");
  if (file == nullptr) return 0;
  std::fwrite(data + 1, 1, size - 1, file);
  std::fclose(file);
  try {
    const quantspec::cli::Tensor tensor = quantspec::cli::read_tensor(path);
    std::size_t elements = 1;
    for (std::size_t d : tensor.shape) elements *= d;
    if (elements != tensor.values.size()) __builtin_trap();  // shape and data must agree
  } catch (const quantspec::ref::ParameterError&) {
  }
  std::remove(path.c_str());
  return 0;
}
