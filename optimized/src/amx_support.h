// Whether this process may run Intel AMX int8 tile instructions (TDPBUSD), which the AVX3_DL
// GEMM uses for calls of at least kAmxMinRows rows when it may (gemm_amx-inl.h). One definition
// for every target (not included per target).
#pragma once

#include <atomic>

namespace quantspec::optimized::detail {

// True when the CPU reports AMX-TILE and AMX-INT8 (CPUID.(EAX=7,ECX=0):EDX bits 24, 25), the OS
// enabled the tile state (XCR0 bits 17, 18), Linux granted this process the tile data state
// (arch_prctl ARCH_REQ_XCOMP_PERM for XFEATURE_XTILEDATA, then ARCH_GET_XCOMP_PERM shows it),
// and the environment variable QUANTSPEC_AMX is not "0" when first asked. Decided once per
// process; thread-safe.
bool AmxAvailable();

// For a benchmark or test that runs the same call with and without AMX on one CPU (read
// relaxed, once per call, while no other thread is calling the kernels); kAuto is the default
// and what the ABI's users get.
enum class AmxUse : int { kAuto = 0, kNever = 1 };
std::atomic<AmxUse>& AmxOverride();

// AmxAvailable() and not overridden off: whether a call may take the AMX path now.
inline bool AmxEnabledForCall() {
  return AmxOverride().load(std::memory_order_relaxed) == AmxUse::kAuto && AmxAvailable();
}

}  // namespace quantspec::optimized::detail
