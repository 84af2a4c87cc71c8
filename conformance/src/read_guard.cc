#include "read_guard.hpp"

#include "unread_fields.hpp"

#include <setjmp.h>
#include <signal.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstring>
#include <new>
#include <stdexcept>

namespace quantspec::conformance {

namespace {

std::size_t page_bytes() {
  static const std::size_t bytes = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
  return bytes;
}

// Two inaccessible pages, never unmapped; unreadable_address() is the boundary between them,
// so small offsets either side fault.
std::uint8_t* unreadable_pages() {
  static std::uint8_t* const pages = [] {
    void* mapping = mmap(nullptr, 2 * page_bytes(), PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (mapping == MAP_FAILED) throw std::bad_alloc();
    return static_cast<std::uint8_t*>(mapping);
  }();
  return pages;
}

// State of the one call in flight (the suite calls kernels from one thread at a time).
struct Watch {
  const std::vector<PageEndBuffer>* inputs = nullptr;
  sigjmp_buf resume;
  ReadPastEnd fault;
  struct sigaction previous_segv {};
  struct sigaction previous_bus {};
};
Watch* g_watch = nullptr;

extern "C" void on_guard_fault(int sig, siginfo_t* info, void* context) {
  Watch* watch = g_watch;
  // si_code > 0: raised by the kernel for a memory access (not by kill / raise).
  if (watch != nullptr && watch->inputs != nullptr && info->si_code > 0) {
    const auto address = reinterpret_cast<std::uintptr_t>(info->si_addr);
    const auto unreadable = reinterpret_cast<std::uintptr_t>(unreadable_pages());
    if (address >= unreadable && address < unreadable + 2 * page_bytes()) {
      watch->fault = ReadPastEnd{};
      watch->fault.unread_field = true;
      watch->fault.unread_offset =
          static_cast<std::ptrdiff_t>(address) - static_cast<std::ptrdiff_t>(unreadable + page_bytes());
      siglongjmp(watch->resume, 1);
    }
    for (std::size_t i = 0; i < watch->inputs->size(); ++i) {
      if (auto offset = (*watch->inputs)[i].offset_past_end(info->si_addr)) {
        watch->fault = ReadPastEnd{i, *offset};
        siglongjmp(watch->resume, 1);
      }
    }
  }
  // Not ours: hand the signal to whoever handled it before (the plug-in runner's crash
  // reporter, or the default action) by restoring that handler. A faulting access repeats on
  // return; a sent signal is sent again (it stays pending until this handler returns).
  if (watch != nullptr) {
    sigaction(sig, sig == SIGBUS ? &watch->previous_bus : &watch->previous_segv, nullptr);
  } else {
    signal(sig, SIG_DFL);
  }
  if (info->si_code <= 0) raise(sig);
  (void)context;
}

}  // namespace

const void* unreadable_address() { return unreadable_pages() + page_bytes(); }

PageEndBuffer::PageEndBuffer(const std::vector<std::uint8_t>& bytes) : bytes_(bytes.size()) {
  const std::size_t page = page_bytes();
  const std::size_t data_pages = (bytes_ + page - 1) / page;
  mapping_bytes_ = (data_pages + 1) * page;
  void* mapping = mmap(nullptr, mapping_bytes_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (mapping == MAP_FAILED) throw std::bad_alloc();
  mapping_ = static_cast<std::uint8_t*>(mapping);
  std::uint8_t* guard = mapping_ + data_pages * page;
  if (mprotect(guard, page, PROT_NONE) != 0) {
    munmap(mapping_, mapping_bytes_);
    throw std::runtime_error("mprotect of an input guard page failed");
  }
  data_ = guard - bytes_;
  if (bytes_ > 0) std::memcpy(data_, bytes.data(), bytes_);
}

PageEndBuffer::~PageEndBuffer() {
  if (mapping_ != nullptr) munmap(mapping_, mapping_bytes_);
}

PageEndBuffer::PageEndBuffer(PageEndBuffer&& other) noexcept
    : mapping_(other.mapping_), mapping_bytes_(other.mapping_bytes_), data_(other.data_), bytes_(other.bytes_) {
  other.mapping_ = nullptr;
}

std::optional<std::size_t> PageEndBuffer::offset_past_end(const void* address) const {
  const auto a = reinterpret_cast<std::uintptr_t>(address);
  const auto end = reinterpret_cast<std::uintptr_t>(data_ + bytes_);
  if (a >= end && a < end + page_bytes()) return static_cast<std::size_t>(a - end);
  return std::nullopt;
}

std::optional<ReadPastEnd> call_catching_reads_past_end(const std::vector<PageEndBuffer>& inputs,
                                                        const std::function<void()>& call) {
  unreadable_pages();  // mapped now, never first inside the handler
  Watch watch;
  watch.inputs = &inputs;
  struct sigaction action {};
  action.sa_sigaction = on_guard_fault;
  action.sa_flags = SA_SIGINFO | SA_ONSTACK;
  sigemptyset(&action.sa_mask);
  sigaction(SIGSEGV, &action, &watch.previous_segv);
  sigaction(SIGBUS, &action, &watch.previous_bus);
  Watch* const outer = g_watch;
  g_watch = &watch;
  std::optional<ReadPastEnd> result;
  // savemask = 1: the jump out of the handler restores the signal mask (SIGSEGV unblocked).
  if (sigsetjmp(watch.resume, 1) == 0) {
    call();
  } else {
    result = watch.fault;
  }
  g_watch = outer;
  sigaction(SIGSEGV, &watch.previous_segv, nullptr);
  sigaction(SIGBUS, &watch.previous_bus, nullptr);
  return result;
}

}  // namespace quantspec::conformance
