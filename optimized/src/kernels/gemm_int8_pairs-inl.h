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
using D16 = hn::Repartition<int16_t, D32>;
using D8 = hn::Rebind<int8_t, D16>;  // half a vector of bytes: one byte per int16 lane
using V32 = hn::Vec<D32>;

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

// MR rows x one panel (two vectors of columns). a: MR rows of (A - Za) as int16, padded to an
// even length with a zero (stride a_stride); bias: the panel's 2L columns (zeros past `valid`);
// zw: the panel's 2L weight zero points; row_sums: S[m] of each row. Writes `valid` columns.
// Not inlined: inlined into the caller's loops, GCC 12 kept the caller's vectors live across
// the k loop and spilled an accumulator of the 4-row tile to the stack (a store and reload
// on every iteration's dependency chain: half the MAC rate of the int16 tile, AVX2, M = 4).
template <size_t MR>
HWY_NOINLINE void Tile(const int16_t* HWY_RESTRICT a, size_t a_stride, size_t pairs,
          const int8_t* HWY_RESTRICT panel, const int32_t* HWY_RESTRICT bias,
          const int32_t* HWY_RESTRICT zw, const int32_t* HWY_RESTRICT row_sums,
          int32_t* HWY_RESTRICT out, size_t out_stride, size_t valid) {
  const D32 d32;
  const D16 d16;
  const D8 d8;
  const size_t L = hn::Lanes(d32);
  V32 acc0[MR], acc1[MR];
  V32 unused = hn::Zero(d32);  // sum1 of ReorderWidenMulAccumulate: untouched on x86 targets
  for (size_t r = 0; r < MR; ++r) {
    acc0[r] = hn::Zero(d32);
    acc1[r] = hn::Zero(d32);
  }
  const int8_t* w = panel;
  for (size_t p = 0; p < pairs; ++p, w += 4 * L) {
    const auto w0 = hn::PromoteTo(d16, hn::LoadU(d8, w));
    const auto w1 = hn::PromoteTo(d16, hn::LoadU(d8, w + 2 * L));
    for (size_t r = 0; r < MR; ++r) {
      int32_t pair;
      std::memcpy(&pair, a + r * a_stride + 2 * p, sizeof(pair));
      const auto av = hn::BitCast(d16, hn::Set(d32, pair));
      acc0[r] = hn::ReorderWidenMulAccumulate(d32, av, w0, acc0[r], unused);
      acc1[r] = hn::ReorderWidenMulAccumulate(d32, av, w1, acc1[r], unused);
    }
  }
  const V32 b0 = hn::Load(d32, bias);
  const V32 b1 = hn::Load(d32, bias + L);
  const V32 z0 = hn::LoadU(d32, zw);
  const V32 z1 = hn::LoadU(d32, zw + L);
  for (size_t r = 0; r < MR; ++r) {
    const V32 s = hn::Set(d32, row_sums[r]);
    const V32 v0 = hn::Sub(hn::Add(hn::Add(acc0[r], unused), b0), hn::Mul(z0, s));
    const V32 v1 = hn::Sub(hn::Add(acc1[r], b1), hn::Mul(z1, s));
    int32_t* o = out + r * out_stride;
    if (valid == 2 * L) {
      hn::StoreU(v0, d32, o);
      hn::StoreU(v1, d32, o + L);
    } else {
      HWY_ALIGN int32_t buf[2 * HWY_MAX_BYTES / sizeof(int32_t)];
      hn::Store(v0, d32, buf);
      hn::Store(v1, d32, buf + L);
      std::memcpy(o, buf, valid * sizeof(int32_t));
    }
  }
}

}  // namespace int8_pairs
}  // namespace quantspec::optimized::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#endif  // HWY_TARGET != HWY_SCALAR

#endif  // include guard
