// AMX availability (amx_support.h): CPU, OS state and the Linux per-process permission.
#include "amx_support.h"

#include <cstdlib>
#include <cstring>

#if defined(__x86_64__) && defined(__linux__)
#include <cpuid.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

namespace quantspec::optimized::detail {
namespace {

#if defined(__x86_64__) && defined(__linux__)
// Linux uapi asm/prctl.h (since 5.16); spelled here so that older headers still build.
constexpr int kArchGetXcompPerm = 0x1022;
constexpr int kArchReqXcompPerm = 0x1023;
constexpr unsigned kXfeatureXtiledata = 18;

bool CpuAndOsHaveAmxInt8() {
  unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
  if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx) || (ecx & (1u << 27)) == 0) return false;  // OSXSAVE
  if (!__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx)) return false;
  const bool amx_tile = (edx >> 24) & 1u, amx_int8 = (edx >> 25) & 1u;
  if (!amx_tile || !amx_int8) return false;
  unsigned xcr0_low = 0, xcr0_high = 0;
  __asm__ volatile("xgetbv" : "=a"(xcr0_low), "=d"(xcr0_high) : "c"(0));
  return (xcr0_low & (3u << 17)) == (3u << 17);  // XTILECFG and XTILEDATA enabled by the OS
}

bool ProcessMayUseTileData() {
  if (syscall(SYS_arch_prctl, kArchReqXcompPerm, kXfeatureXtiledata) != 0) return false;
  unsigned long long permitted = 0;
  if (syscall(SYS_arch_prctl, kArchGetXcompPerm, &permitted) != 0) return false;
  return (permitted >> kXfeatureXtiledata) & 1u;
}

bool Decide() {
  const char* setting = std::getenv("QUANTSPEC_AMX");
  if (setting != nullptr && std::strcmp(setting, "0") == 0) return false;
  return CpuAndOsHaveAmxInt8() && ProcessMayUseTileData();
}
#else
bool Decide() { return false; }
#endif

}  // namespace

bool AmxAvailable() {
  static const bool available = Decide();
  return available;
}

std::atomic<AmxUse>& AmxOverride() {
  static std::atomic<AmxUse> use{AmxUse::kAuto};
  return use;
}

}  // namespace quantspec::optimized::detail
