#include "fences.hpp"

#include <setjmp.h>
#include <signal.h>
#include <sys/mman.h>
#include <ucontext.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <mutex>
#include <new>
#include <sstream>
#include <stdexcept>

#include "unread_fields.hpp"

namespace quantspec::conformance {

namespace {

std::size_t page_bytes() {
  static const std::size_t bytes = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
  return bytes;
}

std::size_t round_up(std::size_t bytes, std::size_t to) { return (bytes + to - 1) / to * to; }

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

thread_local CallBuffers* g_current = nullptr;

// Mappings of released buffers, kept for the next buffers of similar size: a case's four
// calls use the same sizes, and a fresh mapping per buffer would fault in every page of a
// multi-megabyte input again on each call (and unmap it after), which more than doubled the
// suite's system time. The accessible pages of a kept mapping stay accessible; the margins stay
// inaccessible.
class MappingPool {
 public:
  struct Mapping {
    std::uint8_t* base = nullptr;
    std::size_t bytes = 0;  // margins included
  };
  // A kept mapping whose accessible part is at least `pages_bytes` and at most two pages more.
  std::optional<Mapping> take(std::size_t pages_bytes, std::size_t margin) {
    std::lock_guard<std::mutex> lock(mutex_);
    for (std::size_t i = 0; i < kept_.size(); ++i) {
      const std::size_t usable = kept_[i].bytes - 2 * margin;
      if (usable >= pages_bytes && usable <= pages_bytes + 2 * page_bytes()) {
        const Mapping m = kept_[i];
        kept_.erase(kept_.begin() + static_cast<std::ptrdiff_t>(i));
        kept_bytes_ -= m.bytes - 2 * margin;
        return m;
      }
    }
    return std::nullopt;
  }
  void give(Mapping m, std::size_t margin) {
    std::lock_guard<std::mutex> lock(mutex_);
    kept_.push_back(m);
    kept_bytes_ += m.bytes - 2 * margin;
    // Bounded: the oldest go first.
    while (kept_.size() > kMaxKept || kept_bytes_ > kMaxKeptBytes) {
      kept_bytes_ -= kept_.front().bytes - 2 * margin;
      munmap(kept_.front().base, kept_.front().bytes);
      kept_.erase(kept_.begin());
    }
  }

 private:
  static constexpr std::size_t kMaxKept = 64;
  static constexpr std::size_t kMaxKeptBytes = std::size_t{96} << 20;
  std::mutex mutex_;
  std::vector<Mapping> kept_;
  std::size_t kept_bytes_ = 0;
};

MappingPool& mapping_pool() {
  static MappingPool* const pool = new MappingPool;  // never destroyed: buffers may outlive statics
  return *pool;
}

// State of the one watched call in flight (the suite calls kernels from one thread at a time).
struct Watch {
  const std::vector<std::unique_ptr<FencedBuffer>>* buffers = nullptr;
  sigjmp_buf resume;
  Touch touch;
  struct sigaction previous_segv {};
  struct sigaction previous_bus {};
};
Watch* g_watch = nullptr;

Touch::Kind access_kind(void* context) {
#if defined(__x86_64__) && defined(REG_ERR)
  // The page-fault error code: bit 1 is set for a write.
  const auto* uc = static_cast<const ucontext_t*>(context);
  return (uc->uc_mcontext.gregs[REG_ERR] & 2) != 0 ? Touch::Kind::write : Touch::Kind::read;
#else
  (void)context;
  return Touch::Kind::access;
#endif
}

extern "C" void on_fence_fault(int sig, siginfo_t* info, void* context) {
  Watch* watch = g_watch;
  // si_code > 0: raised by the kernel for a memory access (not by kill / raise).
  if (watch != nullptr && info->si_code > 0) {
    const auto address = reinterpret_cast<std::uintptr_t>(info->si_addr);
    const auto unreadable = reinterpret_cast<std::uintptr_t>(unreadable_pages());
    if (address >= unreadable && address < unreadable + 2 * page_bytes()) {
      watch->touch = Touch{access_kind(context), nullptr,
                           static_cast<std::ptrdiff_t>(address - (unreadable + page_bytes()))};
      siglongjmp(watch->resume, 1);
    }
    for (const auto& buffer : *watch->buffers) {
      if (buffer->contains(address)) {
        watch->touch = Touch{access_kind(context), buffer.get(),
                             static_cast<std::ptrdiff_t>(address - reinterpret_cast<std::uintptr_t>(buffer->data()))};
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
}

const char* role_text(Role role) {
  switch (role) {
    case Role::input: return "input";
    case Role::output: return "output";
    case Role::parameter_array: return "parameter array";
  }
  return "buffer";
}

}  // namespace

const void* unreadable_address() { return unreadable_pages() + page_bytes(); }

const char* placement_text(BufferPlacement placement) {
  switch (placement) {
    case BufferPlacement::misaligned: return "misaligned as the case says, guard bytes around it";
    case BufferPlacement::at_page_end: return "ending at a page boundary, an inaccessible page right after its last byte";
    case BufferPlacement::at_page_start:
      return "starting at a page boundary, an inaccessible page right before its first byte";
  }
  return "";
}

FencedBuffer::FencedBuffer(std::string name, Role role, const void* contents, std::size_t bytes, BufferPlacement placement,
                           std::size_t misalignment, std::uint8_t fill)
    : name_(std::move(name)), role_(role), placement_(placement), bytes_(bytes) {
  const std::size_t page = page_bytes();
  const std::size_t lead = placement == BufferPlacement::misaligned ? kGuardBytes + misalignment : 0;
  const std::size_t trail = placement == BufferPlacement::misaligned ? kGuardBytes : 0;
  pages_bytes_ = std::max(page, round_up(lead + bytes + trail, page));
  if (auto kept = mapping_pool().take(pages_bytes_, kMarginBytes)) {
    mapping_ = kept->base;
    mapping_bytes_ = kept->bytes;
    pages_bytes_ = mapping_bytes_ - 2 * kMarginBytes;
    pages_ = mapping_ + kMarginBytes;
    if (mprotect(pages_, pages_bytes_, PROT_READ | PROT_WRITE) != 0) {
      munmap(mapping_, mapping_bytes_);
      throw std::runtime_error("mprotect of a fenced buffer failed");
    }
  } else {
    mapping_bytes_ = pages_bytes_ + 2 * kMarginBytes;
    void* mapping = mmap(nullptr, mapping_bytes_, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (mapping == MAP_FAILED) throw std::bad_alloc();
    mapping_ = static_cast<std::uint8_t*>(mapping);
    pages_ = mapping_ + kMarginBytes;
    if (mprotect(pages_, pages_bytes_, PROT_READ | PROT_WRITE) != 0) {
      munmap(mapping_, mapping_bytes_);
      throw std::runtime_error("mprotect of a fenced buffer failed");
    }
  }
  switch (placement) {
    case BufferPlacement::misaligned: data_ = pages_ + lead; break;
    case BufferPlacement::at_page_end: data_ = pages_ + pages_bytes_ - bytes; break;
    case BufferPlacement::at_page_start: data_ = pages_; break;
  }
  std::memset(pages_, kGuardPattern, static_cast<std::size_t>(data_ - pages_));
  std::memset(data_ + bytes_, kGuardPattern, static_cast<std::size_t>(pages_ + pages_bytes_ - (data_ + bytes_)));
  if (role == Role::output) {
    if (bytes_ > 0) std::memset(data_, fill, bytes_);
  } else {
    if (bytes_ > 0) std::memcpy(data_, contents, bytes_);
    if (mprotect(pages_, pages_bytes_, PROT_READ) != 0) {
      munmap(mapping_, mapping_bytes_);
      throw std::runtime_error("mprotect of a fenced buffer failed");
    }
  }
}

FencedBuffer::~FencedBuffer() {
  if (mapping_ != nullptr) mapping_pool().give({mapping_, mapping_bytes_}, kMarginBytes);
}

bool FencedBuffer::contains(std::uintptr_t address) const {
  const auto begin = reinterpret_cast<std::uintptr_t>(mapping_);
  return address >= begin && address < begin + mapping_bytes_;
}

std::optional<std::ptrdiff_t> FencedBuffer::damaged_guard() const {
  for (const std::uint8_t* p = pages_; p < data_; ++p) {
    if (*p != kGuardPattern) return p - data_;
  }
  for (const std::uint8_t* p = data_ + bytes_; p < pages_ + pages_bytes_; ++p) {
    if (*p != kGuardPattern) return p - data_;
  }
  return std::nullopt;
}

std::string touch_text(const Touch& touch) {
  std::ostringstream text;
  const char* verb = touch.kind == Touch::Kind::read ? "read" : touch.kind == Touch::Kind::write ? "wrote" : "touched";
  if (touch.buffer == nullptr) {
    text << verb << " through a pointer field this call must not read (it pointed to an inaccessible page; access at "
         << "byte " << touch.offset << " from it)";
    return text.str();
  }
  const FencedBuffer& b = *touch.buffer;
  const std::ptrdiff_t size = static_cast<std::ptrdiff_t>(b.size());
  const std::string what = std::string(role_text(b.role())) + " '" + b.name() + "'";
  if (touch.offset < 0) {
    text << verb << " before the start of its " << what << ": offset " << touch.offset << " (" << -touch.offset
         << (touch.offset == -1 ? " byte" : " bytes") << " before its first byte";
  } else if (touch.offset >= size) {
    text << verb << " past the end of its " << what << ": offset " << touch.offset << " (byte "
         << touch.offset - size << " after its last one";
  } else {
    text << (touch.kind == Touch::Kind::write ? "wrote into its read-only " : "touched its ") << what << ": offset "
         << touch.offset << " (inside it";
  }
  text << "; '" << b.name() << "' is " << b.size() << " bytes, " << placement_text(b.placement()) << ")";
  return text.str();
}

CallBuffers::CallBuffers(BufferPlacement placement, std::uint8_t output_fill, int call_index)
    : placement_(placement), output_fill_(output_fill), call_index_(call_index) {
  buffers_.reserve(16);
}

CallBuffers::~CallBuffers() = default;

std::size_t CallBuffers::misalignment_for(std::size_t element_bytes) const {
  return call_index_ % 2 == 0 ? element_bytes : 0;
}

const void* CallBuffers::add_input(const std::vector<std::uint8_t>& bytes, std::size_t misalignment,
                                   const char* name) {
  buffers_.push_back(std::make_unique<FencedBuffer>(name, Role::input, bytes.data(), bytes.size(), placement_,
                                                    misalignment, 0));
  return buffers_.back()->data();
}

void* CallBuffers::add_output(std::size_t bytes, std::size_t misalignment, const char* name) {
  buffers_.push_back(
      std::make_unique<FencedBuffer>(name, Role::output, nullptr, bytes, placement_, misalignment, output_fill_));
  return buffers_.back()->data();
}

const void* CallBuffers::add_parameters(const void* values, std::size_t bytes, std::size_t element_bytes,
                                        const char* name) {
  buffers_.push_back(std::make_unique<FencedBuffer>(name, Role::parameter_array, values, bytes, placement_,
                                                    misalignment_for(element_bytes), 0));
  return buffers_.back()->data();
}

CallBuffers* current_call_buffers() { return g_current; }

std::optional<Touch> CallBuffers::run(const std::function<void()>& call) {
  unreadable_pages();  // mapped now, never first inside the handler
  Watch watch;
  watch.buffers = &buffers_;
  struct sigaction action {};
  action.sa_sigaction = on_fence_fault;
  action.sa_flags = SA_SIGINFO | SA_ONSTACK;
  sigemptyset(&action.sa_mask);
  sigaction(SIGSEGV, &action, &watch.previous_segv);
  sigaction(SIGBUS, &action, &watch.previous_bus);
  Watch* const outer_watch = g_watch;
  outer_ = g_current;
  g_watch = &watch;
  g_current = this;
  std::optional<Touch> result;
  // savemask = 1: the jump out of the handler restores the signal mask (SIGSEGV unblocked).
  if (sigsetjmp(watch.resume, 1) == 0) {
    call();
  } else {
    result = watch.touch;
  }
  g_current = outer_;
  g_watch = outer_watch;
  sigaction(SIGSEGV, &watch.previous_segv, nullptr);
  sigaction(SIGBUS, &watch.previous_bus, nullptr);
  return result;
}

std::optional<std::pair<const FencedBuffer*, std::ptrdiff_t>> CallBuffers::damaged_guard() const {
  for (const auto& buffer : buffers_) {
    if (buffer->role() != Role::output) continue;
    if (auto at = buffer->damaged_guard()) return std::make_pair(buffer.get(), *at);
  }
  return std::nullopt;
}

}  // namespace quantspec::conformance
