// The hook for the golden vectors (vectors/, another issue): a parsed vector test is a kernel
// case (cases.hpp) plus the vector's own expected output and result, run against a table.
// The vectors loader (not part of this library) turns each JSON test into a VectorTest; this
// library calls the kernel with guarded, misaligned buffers and compares bit for bit with the
// vector, not with the reference, so the vectors stand on their own.
#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "quantspec/conformance/cases.hpp"

namespace quantspec::conformance {

struct VectorTest {
  std::string id;                  // e.g. "requantize_double_round.json tcId 17"
  std::vector<std::string> flags;  // the vector's flags, echoed in failure messages
  // "valid": the kernel must return QS_OK and `expected`; "invalid": QS_BAD_PARAMETERS.
  bool valid = true;
  std::variant<QuantizeCase, DequantizeCase, RequantizeCase, GemmCase, LinearCase, LutCase, DynamicLinearCase>
      kernel_case;
  // Expected output, flat (GEMM/linear: row-major M x N without padding). Integer outputs use
  // `expected`; dequantize and dynamic_linear use `expected_binary32` (compared bit for bit).
  std::vector<std::int64_t> expected;
  std::vector<float> expected_binary32;
};

struct VectorTestResult {
  std::string id;
  enum class Status { pass, fail, not_provided };
  Status status = Status::pass;
  std::string message;  // fail: what differed, with the whole case
};

// Runs each test against `table`. A NULL slot or QS_VARIANT_NOT_SUPPORTED gives not_provided.
std::vector<VectorTestResult> run_vector_tests(const qs_kernel_table& table, const std::vector<VectorTest>& tests);

}  // namespace quantspec::conformance
