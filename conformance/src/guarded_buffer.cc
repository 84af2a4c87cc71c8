#include "quantspec/conformance/guarded_buffer.hpp"

#include <cstdint>

namespace quantspec::conformance {

GuardedBuffer::GuardedBuffer(std::size_t bytes, std::size_t misalignment, std::uint8_t fill)
    : bytes_(bytes) {
  constexpr std::size_t kAlignment = 64;
  storage_.assign(bytes + 2 * kGuardBytes + misalignment + kAlignment, kGuardPattern);
  const auto base = reinterpret_cast<std::uintptr_t>(storage_.data());
  const std::size_t to_aligned = (kAlignment - base % kAlignment) % kAlignment;
  begin_ = to_aligned + kGuardBytes + misalignment;
  std::memset(storage_.data() + begin_, fill, bytes);
}

std::optional<std::ptrdiff_t> GuardedBuffer::damaged_guard() const {
  const std::ptrdiff_t begin = static_cast<std::ptrdiff_t>(begin_);
  for (std::ptrdiff_t i = begin - static_cast<std::ptrdiff_t>(kGuardBytes); i < begin; ++i) {
    if (storage_[i] != kGuardPattern) return i - begin;
  }
  const std::size_t end = begin_ + bytes_;
  for (std::size_t i = end; i < end + kGuardBytes; ++i) {
    if (storage_[i] != kGuardPattern) return static_cast<std::ptrdiff_t>(i - begin_);
  }
  return std::nullopt;
}

}  // namespace quantspec::conformance
