// Calling a kernel safely: every buffer of the call (inputs, output, parameter arrays, extra
// outputs) fenced by inaccessible pages (fences.hpp), the call made four times: twice with the
// buffers misaligned as the case says over outputs pre-filled with two different byte patterns,
// then with every buffer ending at a page boundary, then with every buffer starting at one.
// Internal to the suite.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "fences.hpp"
#include "quantspec/conformance/cases.hpp"

namespace quantspec::conformance {

struct InputBytes {
  std::vector<std::uint8_t> bytes;
  std::size_t misalignment = 0;  // bytes
  const char* name = "input";
};

struct Execution {
  qs_status status = QS_OK;           // of the first call
  std::optional<Outcome> verdict;     // set when the call itself decided the case
  std::vector<std::uint8_t> first;    // output bytes after the run over fill kFirstFill
  std::vector<std::uint8_t> second;   // ... over fill kSecondFill
};

inline constexpr std::uint8_t kFirstFill = 0xA5;
inline constexpr std::uint8_t kSecondFill = 0x5A;

using KernelCall = std::function<qs_status(const std::vector<const void*>& inputs, void* output)>;

// Runs `call` four times (above). Parameter arrays and extra outputs are fenced when the call
// builds them through parameter_array() and output_array() (fences.hpp). The verdict is set
// (fail) for a status other than QS_OK, a changed guard byte, an access to a fence (a read
// before or past a buffer, a write to an input or far past an output: the buffer's name and the
// signed offset are reported), a status that differs between the calls, or an output of call 3
// or 4 that differs from call 1's; (not_supported) for QS_VARIANT_NOT_SUPPORTED. `description`
// is the case, appended to every failure.
Execution execute(const std::vector<InputBytes>& inputs, std::size_t output_bytes,
                  std::size_t output_misalignment, const KernelCall& call,
                  const std::string& description);

template <class T>
std::vector<std::uint8_t> to_bytes(const std::vector<T>& values) {
  std::vector<std::uint8_t> bytes(values.size() * sizeof(T));
  if (!bytes.empty()) std::memcpy(bytes.data(), values.data(), bytes.size());
  return bytes;
}
// 8-bit values of `type` (s8 or u8) as bytes.
std::vector<std::uint8_t> narrow_bytes(const std::vector<std::int32_t>& values, std::uint32_t type);
std::int32_t load_narrow(const std::vector<std::uint8_t>& bytes, std::size_t i, std::uint32_t type);
std::int32_t load_int32(const std::vector<std::uint8_t>& bytes, std::size_t i);
float load_float(const std::vector<std::uint8_t>& bytes, std::size_t i);

// Text helpers for describe().
std::string hex(float value);  // C99 hex float, as the vectors and the CLI print it
std::string list(const std::vector<float>& values, std::size_t around = SIZE_MAX);
std::string list(const std::vector<std::int32_t>& values, std::size_t around = SIZE_MAX);
std::string status_name(qs_status status);

// Calls the kernel for a case (through execute()): inputs and output guarded and misaligned as
// the case says. A NULL slot gives verdict not_supported.
Execution call_kernel(const qs_kernel_table&, const QuantizeCase&, const std::string& description);
Execution call_kernel(const qs_kernel_table&, const DequantizeCase&, const std::string& description);
Execution call_kernel(const qs_kernel_table&, const RequantizeCase&, const std::string& description);
Execution call_kernel(const qs_kernel_table&, const GemmCase&, const std::string& description);
Execution call_kernel(const qs_kernel_table&, const LinearCase&, const std::string& description);
Execution call_kernel(const qs_kernel_table&, const LutCase&, const std::string& description);
Execution call_kernel(const qs_kernel_table&, const DynamicLinearCase&, const std::string& description);

// The failure text for an element that differs between the first two calls ("element 5",
// "out[2][3]").
std::string unwritten_message(const std::string& element);

// "element i was not written": the two runs differ at output element i (size `element_bytes`).
std::optional<std::size_t> first_unwritten(const Execution&, std::size_t element_bytes);

}  // namespace quantspec::conformance

namespace quantspec::conformance {
// The Execution of a NULL slot.
inline Execution unsupported_slot() {
  Execution e;
  e.status = QS_VARIANT_NOT_SUPPORTED;
  e.verdict = Outcome::not_supported();
  return e;
}
}  // namespace quantspec::conformance
