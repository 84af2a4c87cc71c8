// Our kernels' packed weights (kernel_abi.h: pack_weights, linear_packed, gemm_packed): W and
// everything that depends on W alone, prepared once in the layout of the SIMD target that
// packed it, so that a call does only the work that depends on the activations.
// One definition for every target (this header is not included per target); `layout` says
// which microkernel the panels are for, and any target can run the row-major fallback.
#pragma once

#include <cstddef>
#include <cstdint>

#include "hwy/aligned_allocator.h"
#include "quantspec/kernel_abi.h"

namespace quantspec::optimized::detail {

enum class PackedLayout : uint32_t {
  kRowMajor = 0,     // W copied as N x K bytes (stride K): the scalar definition runs on it
  kInt16Panels = 1,  // gemm.cc: (W - Zw) as int16 pairs in panels of two vectors of columns
  kVnniPanels = 2,   // gemm_vnni-inl.h: bytes in groups of four k, 64 columns per panel
};

}  // namespace quantspec::optimized::detail

// The opaque type of the ABI, defined by this library.
struct qs_packed_weights {
  quantspec::optimized::detail::PackedLayout layout =
      quantspec::optimized::detail::PackedLayout::kRowMajor;
  size_t n = 0;
  size_t k = 0;
  size_t lanes = 0;  // kInt16Panels: int32 lanes of the packing target's vectors
  // N entries (padded with zeros to a multiple of 64): Zw[n] (the per-tensor value repeated)
  // and the int32 bias (zeros when the caller gave none).
  hwy::AlignedFreeUniquePtr<int32_t[]> zero_points{nullptr, hwy::AlignedFreer()};
  hwy::AlignedFreeUniquePtr<int32_t[]> bias{nullptr, hwy::AlignedFreer()};
  bool has_bias = false;
  // kVnniPanels: sum over k of W[n][k], per column (padded like zero_points).
  hwy::AlignedFreeUniquePtr<int32_t[]> column_sums{nullptr, hwy::AlignedFreer()};
  hwy::AlignedFreeUniquePtr<uint8_t[]> panels{nullptr, hwy::AlignedFreer()};
};
