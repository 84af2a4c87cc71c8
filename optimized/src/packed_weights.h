// Our kernels' packed weights (kernel_abi.h: pack_weights, linear_packed, gemm_packed): W and
// everything that depends on W alone, prepared once in the layout of the SIMD target that
// packed it, so that a call does only the work that depends on the activations.
// One definition for every target (this header is not included per target); `layout` says
// which microkernel the panels are for, and any target can run the row-major fallback.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>

#include "hwy/aligned_allocator.h"
#include "quantspec/kernel_abi.h"

namespace quantspec::optimized::detail {

enum class PackedLayout : uint32_t {
  kRowMajor = 0,     // W copied as N x K bytes (stride K): the scalar definition runs on it
  kInt16Panels = 1,  // gemm.cc: (W - Zw) as int16 pairs in panels of two vectors of columns,
                     // and (AVX3, AVX2) raw W as int8 in the same order (int8_panels) for small M
  kVnniPanels = 2,   // gemm_vnni-inl.h: bytes in groups of four k, 64 columns per panel
};

// kInt16Panels objects of the targets that keep int8_panels: a call with at most the packing
// target's bound of rows of A reads W from int8_panels (one byte per weight), a larger one from
// the int16 panels (gemm.cc: kInt8PanelMaxRows, chosen by measurement per target, NOTES.md
// session 16 gemv15). A benchmark or test may override that choice for every call (read
// relaxed, once per call) to run either panels on the same object, while no other thread is
// calling the kernels; kByRows is the default and what the ABI's users get.
enum class Int8PanelUse : int { kByRows = 0, kAlways = 1, kNever = 2 };
std::atomic<Int8PanelUse>& Int8PanelOverride();

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
  // kInt16Panels: W itself (no zero point subtracted) as int8, in the order of the int16 panels
  // (gemm_int8_pairs-inl.h); every byte, padding included, is a function of W.
  hwy::AlignedFreeUniquePtr<uint8_t[]> int8_panels{nullptr, hwy::AlignedFreer()};
};
