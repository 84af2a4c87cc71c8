// Small-M int8 GEMM (the GEMV path) on the targets whose packed W is int16 pair panels (AVX3
// without VNNI, AVX2, SSE4): W is read as raw int8, one byte per weight, from a copy kept in
// the int16 panels' own pair-interleaved order (packed_weights.h: int8_panels). For M = 1 the
// int16 panels cost two bytes of memory traffic per MAC; this tile costs one.
//
// Each pair of bytes is widened to int16 in registers (PromoteTo: vpmovsxbw) and multiplied
// with a pair of (A - Za) int16 activations by ReorderWidenMulAccumulate (vpmaddwd + vpaddd).
// A pair sum is at most 2 * 255 * 128 = 65280 in magnitude ((A - Za) in [-255, 255], W in
// [-128, 127]), so nothing saturates. The weight zero point is not in the panel; by
//   sum_k (A[m][k] - Za)(W[n][k] - Zw[n]) = sum_k (A[m][k] - Za) W[n][k] - Zw[n] * S[m],
//   S[m] = sum_k (A[m][k] - Za),
// it is subtracted once per output. The identity holds in the integers, hence mod 2^32, where
// every step here is computed (vpaddd, vpmulld and uint32 wrap), as SPEC Q5's int32 pipeline.
// The tile that reads these panels is gemm_pair_tile-inl.h's, shared with the int16 panels.
// Included by gemm.cc; compiled for every SIMD target (AVX3_DL packs VNNI panels instead, but
// its unpacked fallback shares the int16 code).
#if defined(QUANTSPEC_OPTIMIZED_GEMM_INT8_PAIRS_INL_H_) == defined(HWY_TARGET_TOGGLE)
#ifdef QUANTSPEC_OPTIMIZED_GEMM_INT8_PAIRS_INL_H_
#undef QUANTSPEC_OPTIMIZED_GEMM_INT8_PAIRS_INL_H_
#else
#define QUANTSPEC_OPTIMIZED_GEMM_INT8_PAIRS_INL_H_
#endif

#if HWY_TARGET != HWY_SCALAR

#include <cstring>

#include "hwy/highway.h"

HWY_BEFORE_NAMESPACE();
namespace quantspec::optimized::HWY_NAMESPACE {
namespace int8_pairs {
namespace hn = hwy::HWY_NAMESPACE;

using D32 = hn::ScalableTag<int32_t>;

// Panels of two vectors of int32 lanes (columns), as the int16 panels of gemm.cc.
inline size_t PanelColumns() { return 2 * hn::Lanes(D32()); }

// Bytes of the int8 pair panels of an N x K W, with the zeroed tail a full-vector load of the
// last pair may touch.
inline size_t PanelBytes(size_t n, size_t k) {
  const size_t panel_cols = PanelColumns();
  return (n + panel_cols - 1) / panel_cols * panel_cols * 2 * ((k + 1) / 2) + 64;
}

// W as raw int8 pairs in the order of gemm.cc's PackInt16Panels: panel p, pair q, column c ->
// two bytes at ((p * pairs + q) * panel_cols + c) * 2; zero beyond k, beyond n and in the
// tail, so that every byte of the copy is a function of W alone.
inline void PackPanels(const int8_t* w, size_t w_stride, size_t n, size_t k,
                       int8_t* HWY_RESTRICT panels) {
  const size_t panel_cols = PanelColumns();
  const size_t pairs = (k + 1) / 2;
  std::memset(panels, 0, PanelBytes(n, k));
  for (size_t col = 0; col < n; ++col) {
    int8_t* dst = panels + (col / panel_cols) * pairs * panel_cols * 2 + (col % panel_cols) * 2;
    for (size_t kk = 0; kk < k; ++kk) dst[(kk / 2) * panel_cols * 2 + (kk % 2)] = w[col * w_stride + kk];
  }
}

}  // namespace int8_pairs
}  // namespace quantspec::optimized::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#endif  // HWY_TARGET != HWY_SCALAR

#endif  // include guard
