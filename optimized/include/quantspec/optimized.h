// C++ view of the optimized kernels: one C ABI table per SIMD target that is both compiled in
// and supported by this CPU, each calling exactly that target's code (no dispatch), so a test
// suite can hold every target to the spec separately. qs_kernel_table_get() (kernel_abi.h)
// returns the dispatching table (the best target at run time).
#pragma once

#include <string>
#include <vector>

#include "quantspec/kernel_abi.h"

namespace quantspec::optimized {

struct TargetTable {
  std::string target;            // "AVX3_DL", "AVX3", "AVX2", "SSE4", "scalar"
  const qs_kernel_table* table;  // static storage; function pointers bound to that target
};

// Best target first. Always contains "scalar" (the portable fallback).
std::vector<TargetTable> compiled_tables();

// The table qs_kernel_table_get(QS_KERNEL_ABI_VERSION) returns (best supported target).
const qs_kernel_table* dispatch_table();

// Name of the target the dispatching table runs on this CPU.
std::string dispatch_target();

}  // namespace quantspec::optimized
