// Stores four vectors of int32 lanes, already clamped to the output type's range, as 4 * lanes
// bytes (s8 or u8) in element order. On AVX-512 targets two vpackssdw, one vpacksswb /
// vpackuswb and one vpermd do it with one 64-byte store (4 shuffle uops per 4 vectors, where
// four vpmovsdb need 8 plus four 16-byte stores); the saturating packs never saturate because
// the lanes are in range. Other targets: four DemoteTo + StoreU. Included once per target.
#if defined(QUANTSPEC_OPTIMIZED_NARROW_STORE_INL_H_) == defined(HWY_TARGET_TOGGLE)
#ifdef QUANTSPEC_OPTIMIZED_NARROW_STORE_INL_H_
#undef QUANTSPEC_OPTIMIZED_NARROW_STORE_INL_H_
#else
#define QUANTSPEC_OPTIMIZED_NARROW_STORE_INL_H_
#endif

#include <type_traits>

#include "hwy/highway.h"

#if HWY_TARGET == HWY_AVX3 || HWY_TARGET == HWY_AVX3_DL
#include <immintrin.h>
#endif

HWY_BEFORE_NAMESPACE();
namespace quantspec::optimized::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

#if HWY_TARGET != HWY_SCALAR

template <typename TOut, class DI, class VI = hn::Vec<DI>>
HWY_INLINE void StoreNarrow4(DI di, VI v0, VI v1, VI v2, VI v3, TOut* HWY_RESTRICT out) {
#if HWY_TARGET == HWY_AVX3 || HWY_TARGET == HWY_AVX3_DL
  (void)di;
  const __m512i ab = _mm512_packs_epi32(v0.raw, v1.raw);  // per 128-bit block: a0-3 b0-3
  const __m512i cd = _mm512_packs_epi32(v2.raw, v3.raw);
  const __m512i bytes = std::is_same<TOut, int8_t>::value ? _mm512_packs_epi16(ab, cd)
                                                          : _mm512_packus_epi16(ab, cd);
  // Block L holds dwords (a_L, b_L, c_L, d_L), each 4 bytes of one input's lanes 4L..4L+3;
  // output dword 4v + L takes input dword 4L + v.
  const __m512i order = _mm512_setr_epi32(0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15);
  _mm512_storeu_si512(out, _mm512_permutexvar_epi32(order, bytes));
#else
  const hn::Rebind<TOut, DI> d_out;
  const size_t N = hn::Lanes(di);
  hn::StoreU(hn::DemoteTo(d_out, v0), d_out, out);
  hn::StoreU(hn::DemoteTo(d_out, v1), d_out, out + N);
  hn::StoreU(hn::DemoteTo(d_out, v2), d_out, out + 2 * N);
  hn::StoreU(hn::DemoteTo(d_out, v3), d_out, out + 3 * N);
#endif
}

#endif  // HWY_TARGET != HWY_SCALAR

}  // namespace quantspec::optimized::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#endif  // include guard
