// Over-read detection for kernel inputs. An input is copied so that its last byte is the last
// byte before an inaccessible page; a kernel that reads past the end of it faults there, and
// the fault is caught (a SIGSEGV handler that recognises the guard page and jumps back) and
// reported as a failing case instead of ending the process. Guard bytes (guarded_buffer.hpp)
// can only show writes; this shows reads. Internal to the suite.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

namespace quantspec::conformance {

class PageEndBuffer {
 public:
  explicit PageEndBuffer(const std::vector<std::uint8_t>& bytes);
  ~PageEndBuffer();
  PageEndBuffer(const PageEndBuffer&) = delete;
  PageEndBuffer& operator=(const PageEndBuffer&) = delete;
  PageEndBuffer(PageEndBuffer&& other) noexcept;
  PageEndBuffer& operator=(PageEndBuffer&&) = delete;

  const void* data() const { return data_; }
  std::size_t size() const { return bytes_; }
  // Offset from the end of the data if `address` lies in the guard page.
  std::optional<std::size_t> offset_past_end(const void* address) const;

 private:
  std::uint8_t* mapping_ = nullptr;
  std::size_t mapping_bytes_ = 0;
  std::uint8_t* data_ = nullptr;
  std::size_t bytes_ = 0;
};

struct ReadPastEnd {
  std::size_t input = 0;   // index into the buffers
  std::size_t offset = 0;  // bytes past the end of that input (0: the first byte after it)
  // The access hit unreadable_address()'s page (unread_fields.hpp): a parameter pointer the
  // call must not dereference; `offset` is then signed bytes from that address.
  bool unread_field = false;
  std::ptrdiff_t unread_offset = 0;
};

// Runs `call`; if it touches the page behind unreadable_address() (unread_fields.hpp), or the guard page of one of `inputs`, the call is abandoned at that
// access and its position returned (the jump skips whatever the abandoned frames would have
// cleaned up: acceptable for a case that fails anyway). Any other fault, or a signal sent by
// kill / raise, goes on to the handler installed before.
std::optional<ReadPastEnd> call_catching_reads_past_end(const std::vector<PageEndBuffer>& inputs,
                                                        const std::function<void()>& call);

}  // namespace quantspec::conformance
