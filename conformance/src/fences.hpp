// Fences around every buffer of a kernel call. Each buffer (input, output, parameter array,
// extra output) lives in its own mapping with kMarginBytes of inaccessible memory on both
// sides; the data is placed misaligned inside its pages (as the case says), against the end of
// its last page, or against the start of its first page, and the rest of its pages hold guard
// bytes. Inputs and parameter arrays are read-only. A kernel that touches a margin (a read
// before the start or past the end of a buffer, a write far past an output, a write to an
// input) faults; the fault is caught (a SIGSEGV handler that recognises the margins and jumps
// back) and reported with the buffer's name, the signed offset of the access from the buffer's
// first byte, and whether it was a read or a write. A write into the guard bytes next to an
// output is found after the call. Internal to the suite.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace quantspec::conformance {

enum class BufferPlacement {
  misaligned,     // `misalignment` bytes past a 64-byte boundary, guard bytes either side
  at_page_end,    // the last byte right before an inaccessible page
  at_page_start,  // the first byte right after an inaccessible page
};
// "misaligned as the case says", "ending at a page boundary", ...
const char* placement_text(BufferPlacement placement);

enum class Role { input, output, parameter_array };

class FencedBuffer {
 public:
  // Inaccessible bytes on each side: a write 4096 int32 elements past an output still lands here.
  static constexpr std::size_t kMarginBytes = std::size_t{1} << 20;
  static constexpr std::size_t kGuardBytes = 128;  // at least, either side of a misaligned buffer
  static constexpr std::uint8_t kGuardPattern = 0xCD;

  // `contents` (bytes of it) copied in for inputs and parameter arrays, which are then made
  // read-only; outputs are filled with `fill`.
  FencedBuffer(std::string name, Role role, const void* contents, std::size_t bytes, BufferPlacement placement,
               std::size_t misalignment, std::uint8_t fill);
  ~FencedBuffer();
  FencedBuffer(const FencedBuffer&) = delete;
  FencedBuffer& operator=(const FencedBuffer&) = delete;

  std::uint8_t* data() const { return data_; }
  std::size_t size() const { return bytes_; }
  const std::string& name() const { return name_; }
  Role role() const { return role_; }
  BufferPlacement placement() const { return placement_; }
  // Whether `address` lies in this buffer's mapping, margins included.
  bool contains(std::uintptr_t address) const;
  // The position (relative to data(); negative before it, >= size() after it) of the first guard
  // byte that changed, if any.
  std::optional<std::ptrdiff_t> damaged_guard() const;

 private:
  std::string name_;
  Role role_;
  BufferPlacement placement_;
  std::uint8_t* mapping_ = nullptr;
  std::size_t mapping_bytes_ = 0;
  std::uint8_t* pages_ = nullptr;  // the accessible pages
  std::size_t pages_bytes_ = 0;
  std::uint8_t* data_ = nullptr;
  std::size_t bytes_ = 0;
};

// An access that faulted during a call.
struct Touch {
  enum class Kind { read, write, access };  // access: the CPU did not say
  Kind kind = Kind::access;
  const FencedBuffer* buffer = nullptr;  // NULL: the unreadable page behind unread pointer fields
  std::ptrdiff_t offset = 0;             // from the buffer's first byte (or from unreadable_address())
};
// "read before the start of its parameter array 'scales': offset -4 (4 bytes before its first
// byte; 'scales' is 12 bytes, starting at a page boundary)".
std::string touch_text(const Touch& touch);

// The buffers of one kernel call, all placed the same way. While run() executes the call, the
// call's parameter arrays and extra outputs are added by parameter_array() and output_array().
class CallBuffers {
 public:
  // `call_index` varies the misalignment of parameter arrays between calls.
  CallBuffers(BufferPlacement placement, std::uint8_t output_fill, int call_index);
  ~CallBuffers();
  CallBuffers(const CallBuffers&) = delete;
  CallBuffers& operator=(const CallBuffers&) = delete;

  const void* add_input(const std::vector<std::uint8_t>& bytes, std::size_t misalignment, const char* name);
  void* add_output(std::size_t bytes, std::size_t misalignment, const char* name);
  const void* add_parameters(const void* values, std::size_t bytes, std::size_t element_bytes, const char* name);
  // The misalignment of parameter arrays and extra outputs in a misaligned call: 0 or one
  // element, alternating between calls (a kernel must not assume 64-byte aligned parameters).
  std::size_t misalignment_for(std::size_t element_bytes) const;

  // Runs `call` (which may add buffers); a fault in one of the buffers' margins, or in the
  // unreadable page of unread fields, abandons the call at that access and is returned (the
  // jump skips whatever the abandoned frames would have cleaned up: acceptable for a case that
  // fails anyway). Any other fault, or a signal sent by kill / raise, goes on to the handler
  // installed before.
  std::optional<Touch> run(const std::function<void()>& call);

  // The first writable buffer whose guard bytes changed, and where.
  std::optional<std::pair<const FencedBuffer*, std::ptrdiff_t>> damaged_guard() const;
  BufferPlacement placement() const { return placement_; }
  const std::vector<std::unique_ptr<FencedBuffer>>& buffers() const { return buffers_; }

 private:
  BufferPlacement placement_;
  std::uint8_t output_fill_;
  int call_index_;
  std::vector<std::unique_ptr<FencedBuffer>> buffers_;
  CallBuffers* outer_ = nullptr;
};

// The CallBuffers of the call in flight on this thread, or NULL.
CallBuffers* current_call_buffers();

// Inside a KernelCall: a read-only fenced copy of `values`, placed as the call's other
// buffers and named `name` in failure reports, valid until the call returns. Outside a call
// (a direct call of a kernel by a check): values.data().
template <class T>
const T* parameter_array(const std::vector<T>& values, const char* name) {
  CallBuffers* call = current_call_buffers();
  if (call == nullptr) return values.data();
  return static_cast<const T*>(call->add_parameters(values.data(), values.size() * sizeof(T), sizeof(T), name));
}

// Inside a KernelCall: a fenced, writable array of `count` T filled with the call's output
// fill (an extra output: a mask, run-time scales), checked for writes outside it after the
// call, valid until execute() moves to the next call. Outside a call: NULL.
template <class T>
T* output_array(std::size_t count, const char* name) {
  CallBuffers* call = current_call_buffers();
  if (call == nullptr) return nullptr;
  return static_cast<T*>(call->add_output(count * sizeof(T), call->misalignment_for(sizeof(T)), name));
}

}  // namespace quantspec::conformance
