// The register-blocked tile of the int16-pair GEMM (gemm.cc, every SIMD target but AVX3_DL's
// VNNI panels): MR rows of A times one panel of two vectors of int32 columns, each lane of a
// panel row holding one column's pair (k, k+1). The panel is read either as int16 (W - Zw),
// gemm.cc's PackInt16Panels, or as raw int8 W in the same order, widened in registers
// (gemm_int8_pairs-inl.h); the int8 form leaves the weight zero point out of the panel and
// subtracts Zw[n] * S[m] once per output (the identity is in gemm_int8_pairs-inl.h).
// Pairs are multiplied and summed into int32 by ReorderWidenMulAccumulate (vpmaddwd + vpaddd,
// or vpdpwssd): no pair sum saturates (gemm.cc), and the int32 sums wrap as SPEC Q5's pipeline.
#if defined(QUANTSPEC_OPTIMIZED_GEMM_PAIR_TILE_INL_H_) == defined(HWY_TARGET_TOGGLE)
#ifdef QUANTSPEC_OPTIMIZED_GEMM_PAIR_TILE_INL_H_
#undef QUANTSPEC_OPTIMIZED_GEMM_PAIR_TILE_INL_H_
#else
#define QUANTSPEC_OPTIMIZED_GEMM_PAIR_TILE_INL_H_
#endif

#if HWY_TARGET != HWY_SCALAR

#include <cstring>
#include <type_traits>

#include "hwy/highway.h"

HWY_BEFORE_NAMESPACE();
namespace quantspec::optimized::HWY_NAMESPACE {
namespace pair_tile {
namespace hn = hwy::HWY_NAMESPACE;

using D32 = hn::ScalableTag<int32_t>;
using D16 = hn::Repartition<int16_t, D32>;
using V32 = hn::Vec<D32>;

// One panel row's half (one vector of columns' pairs) as int16 lanes.
HWY_INLINE hn::Vec<D16> LoadPairs(const int16_t* HWY_RESTRICT w) { return hn::Load(D16(), w); }
HWY_INLINE hn::Vec<D16> LoadPairs(const int8_t* HWY_RESTRICT w) {
  return hn::PromoteTo(D16(), hn::LoadU(hn::Rebind<int8_t, D16>(), w));  // vpmovsxbw
}

// a: MR rows of (A - Za) as int16, padded to an even length with a zero (stride a_stride);
// panel: `pairs` rows of 2 vectors of pairs (int16 W - Zw, or raw int8 W); bias: the panel's
// 2L columns (zeros past `valid`). With int8 panels, zw holds the panel's 2L weight zero
// points and row_sums S[m] of each row; with int16 panels both are unused (may be null).
// Writes `valid` columns of MR rows.
// Inlined into gemm.cc's TileOfRows, which is not inlined (the reason is there): as a function
// of its own, the int16 tile spilled (GCC 12: 8 stack accesses per k step at 4 rows).
template <size_t MR, typename PanelT>
HWY_INLINE void Tile(const int16_t* HWY_RESTRICT a, size_t a_stride, size_t pairs,
                       const PanelT* HWY_RESTRICT panel, const int32_t* HWY_RESTRICT bias,
                       const int32_t* HWY_RESTRICT zw, const int32_t* HWY_RESTRICT row_sums,
                       int32_t* HWY_RESTRICT out, size_t out_stride, size_t valid) {
  static_assert(std::is_same_v<PanelT, int16_t> || std::is_same_v<PanelT, int8_t>);
  const D32 d32;
  const D16 d16;
  const size_t L = hn::Lanes(d32);
  // sum1 of each accumulator: ReorderWidenMulAccumulate may spread the pairs over sum0 and
  // sum1 (x86 leaves sum1 untouched, so these stay zero and cost no register there);
  // RearrangeToOddPlusEven combines them into the pairwise sums.
  V32 acc0[MR], acc1[MR], odd0[MR], odd1[MR];
  for (size_t r = 0; r < MR; ++r) {
    acc0[r] = acc1[r] = odd0[r] = odd1[r] = hn::Zero(d32);
  }
  const PanelT* w = panel;
  for (size_t p = 0; p < pairs; ++p, w += 4 * L) {
    const auto w0 = LoadPairs(w);
    const auto w1 = LoadPairs(w + 2 * L);
    for (size_t r = 0; r < MR; ++r) {
      int32_t pair;
      std::memcpy(&pair, a + r * a_stride + 2 * p, sizeof(pair));
      const auto av = hn::BitCast(d16, hn::Set(d32, pair));
      acc0[r] = hn::ReorderWidenMulAccumulate(d32, av, w0, acc0[r], odd0[r]);
      acc1[r] = hn::ReorderWidenMulAccumulate(d32, av, w1, acc1[r], odd1[r]);
    }
  }
  const V32 b0 = hn::Load(d32, bias);
  const V32 b1 = hn::Load(d32, bias + L);
  for (size_t r = 0; r < MR; ++r) {
    V32 v0 = hn::Add(hn::RearrangeToOddPlusEven(acc0[r], odd0[r]), b0);
    V32 v1 = hn::Add(hn::RearrangeToOddPlusEven(acc1[r], odd1[r]), b1);
    if constexpr (std::is_same_v<PanelT, int8_t>) {
      const V32 s = hn::Set(d32, row_sums[r]);
      v0 = hn::Sub(v0, hn::Mul(hn::LoadU(d32, zw), s));
      v1 = hn::Sub(v1, hn::Mul(hn::LoadU(d32, zw + L), s));
    }
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

}  // namespace pair_tile
}  // namespace quantspec::optimized::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#endif  // HWY_TARGET != HWY_SCALAR

#endif  // include guard
