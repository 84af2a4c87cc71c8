// A byte buffer with guard zones on both sides and a chosen misalignment, so a test can tell a
// kernel that writes past either end of its output (or into its input) from a correct one.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <vector>

namespace quantspec::conformance {

class GuardedBuffer {
 public:
  // Bytes of guard on each side; larger than any SIMD register a kernel might store.
  static constexpr std::size_t kGuardBytes = 128;
  static constexpr std::uint8_t kGuardPattern = 0xCD;

  // `misalignment` bytes past a 64-byte boundary; the data bytes are filled with `fill`.
  GuardedBuffer(std::size_t bytes, std::size_t misalignment, std::uint8_t fill);

  std::uint8_t* data() { return storage_.data() + begin_; }
  const std::uint8_t* data() const { return storage_.data() + begin_; }
  std::size_t size() const { return bytes_; }
  template <class T>
  T* as() { return reinterpret_cast<T*>(data()); }

  // The position (relative to data(); negative before it, >= size() after it) of the first
  // guard byte that changed, if any.
  std::optional<std::ptrdiff_t> damaged_guard() const;

 private:
  std::vector<std::uint8_t> storage_;
  std::size_t begin_ = 0;
  std::size_t bytes_ = 0;
};

}  // namespace quantspec::conformance
