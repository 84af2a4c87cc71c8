// Stores four vectors of int32 lanes, already clamped to the output type's range, as 4 * lanes
// bytes (s8 or u8) in element order. On AVX-512 targets two vpackssdw, one vpacksswb /
// vpackuswb and one vpermd do it with one 64-byte store (4 shuffle uops per 4 vectors, where
// four vpmovsdb need 8 plus four 16-byte stores); the saturating packs never saturate because
// the lanes are in range. AVX2 (full 256-bit vectors): the same two packs and one vpermd per
// 32 bytes (4 shuffle uops, where four DemoteTo to bytes take 12). Other targets: four
// DemoteTo + StoreU. Included once per target.
#if defined(QUANTSPEC_OPTIMIZED_NARROW_STORE_INL_H_) == defined(HWY_TARGET_TOGGLE)
#ifdef QUANTSPEC_OPTIMIZED_NARROW_STORE_INL_H_
#undef QUANTSPEC_OPTIMIZED_NARROW_STORE_INL_H_
#else
#define QUANTSPEC_OPTIMIZED_NARROW_STORE_INL_H_
#endif

#include <cstdint>
#include <limits>
#include <type_traits>

#include "hwy/highway.h"

#if HWY_TARGET == HWY_AVX3 || HWY_TARGET == HWY_AVX3_DL || HWY_TARGET == HWY_AVX2
#include <immintrin.h>
#endif

HWY_BEFORE_NAMESPACE();
namespace quantspec::optimized::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

#if HWY_TARGET != HWY_SCALAR

#if HWY_TARGET == HWY_AVX3 || HWY_TARGET == HWY_AVX3_DL
// One 64-byte store; kStream: non-temporal (out 64-byte aligned; see group_order-inl.h).
template <bool kStream>
HWY_INLINE void Store64(__m512i bytes, void* out) {
  if constexpr (kStream) {
    _mm512_stream_si512(static_cast<__m512i*>(out), bytes);
  } else {
    _mm512_storeu_si512(out, bytes);
  }
}
#endif

#if HWY_TARGET == HWY_AVX2
// True for full 256-bit vectors (the AVX2 pack path); partial vectors take the portable path.
template <class VI>
constexpr bool kIsVec256 = std::is_same<decltype(VI().raw), __m256i>::value;

// packs_epi32(a, b), packs_epi32(c, d), then packs_epi16 leave, per 128-bit lane L, the dwords
// (a_L, b_L, c_L, d_L) with x_L = 4 bytes of lanes 4L..4L+3 of x; output dword 2v + L takes
// input dword 4L + v.
HWY_INLINE __m256i ElementOrder256(__m256i bytes) {
  return _mm256_permutevar8x32_epi32(bytes, _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7));
}
#endif

template <bool kStream = false, typename TOut, class DI, class VI = hn::Vec<DI>>
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
  Store64<kStream>(_mm512_permutexvar_epi32(order, bytes), out);
#else
  static_assert(!kStream, "streaming stores are planned for 64-byte groups only");
#if HWY_TARGET == HWY_AVX2
  if constexpr (kIsVec256<VI>) {
    const __m256i ab = _mm256_packs_epi32(v0.raw, v1.raw);
    const __m256i cd = _mm256_packs_epi32(v2.raw, v3.raw);
    const __m256i bytes = std::is_same<TOut, int8_t>::value ? _mm256_packs_epi16(ab, cd)
                                                            : _mm256_packus_epi16(ab, cd);
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(out), ElementOrder256(bytes));
    return;
  }
#endif
  const hn::Rebind<TOut, DI> d_out;
  const size_t N = hn::Lanes(di);
  hn::StoreU(hn::DemoteTo(d_out, v0), d_out, out);
  hn::StoreU(hn::DemoteTo(d_out, v1), d_out, out + N);
  hn::StoreU(hn::DemoteTo(d_out, v2), d_out, out + 2 * N);
  hn::StoreU(hn::DemoteTo(d_out, v3), d_out, out + 3 * N);
#endif
}

// Narrows int32 lanes y to bytes q = clamp(y + Z, qmin, qmax) for any int32 y: saturate y to
// int16, add Z with int16 saturation, saturate to the byte type, then clamp to [qmin, qmax]
// (skipped when that is the type's whole range). Each saturation only moves values that are
// already outside [qmin, qmax] further out on the same side (|Z| <= 255 < 2^15 - 2^8), so the
// result is the exact clamp; no step wraps. This replaces two 32-bit min/max and one add per
// vector by a few 16-bit and byte operations per four vectors.
// Stage16 (optional): an elementwise map of the int16 lanes applied right after the first
// saturation, before Z (rndnu16's (x * m15 + 2^14) >> 15 on the saturated x; the map must
// work on any int16 vector and return int16 values, so the argument above still holds).
struct NoStage16 {
  template <class V16>
  HWY_INLINE V16 operator()(V16 v) const {
    return v;
  }
};

template <typename TOut>
class ZeroPointNarrower {
 public:
  ZeroPointNarrower(int32_t zero_point, int32_t qmin, int32_t qmax)
      : zero_point_(static_cast<int16_t>(zero_point)),
        qmin_(static_cast<TOut>(qmin)),
        qmax_(static_cast<TOut>(qmax)),
        full_range_(qmin == std::numeric_limits<TOut>::min() &&
                    qmax == std::numeric_limits<TOut>::max()) {}

  template <class DI, class VI = hn::Vec<DI>, class Stage16 = NoStage16>
  HWY_INLINE void Store1(DI di, VI y, TOut* HWY_RESTRICT out, Stage16 stage16 = {}) const {
    const hn::Rebind<int16_t, DI> d16;
    const hn::Rebind<TOut, DI> d8;
    const auto with_zero_point =
        hn::SaturatedAdd(stage16(hn::DemoteTo(d16, y)), hn::Set(d16, zero_point_));
    auto q = hn::DemoteTo(d8, with_zero_point);
    if (!full_range_) q = hn::Min(hn::Max(q, hn::Set(d8, qmin_)), hn::Set(d8, qmax_));
    hn::StoreU(q, d8, out);
  }

  template <bool kStream = false, class DI, class VI = hn::Vec<DI>, class Stage16 = NoStage16>
  HWY_INLINE void Store4(DI di, VI y0, VI y1, VI y2, VI y3, TOut* HWY_RESTRICT out,
                         Stage16 stage16 = {}) const {
#if HWY_TARGET == HWY_AVX3 || HWY_TARGET == HWY_AVX3_DL
    const hn::Repartition<int16_t, DI> d16;
    (void)d16;
    __m512i ab = stage16(hn::Vec<decltype(d16)>{_mm512_packs_epi32(y0.raw, y1.raw)}).raw;
    __m512i cd = stage16(hn::Vec<decltype(d16)>{_mm512_packs_epi32(y2.raw, y3.raw)}).raw;
    if (zero_point_ != 0) {  // uniform over a call; 0 also where the op already added Zy
      const __m512i z = _mm512_set1_epi16(zero_point_);
      ab = _mm512_adds_epi16(ab, z);
      cd = _mm512_adds_epi16(cd, z);
    }
    __m512i bytes;
    if constexpr (std::is_same<TOut, int8_t>::value) {
      bytes = _mm512_packs_epi16(ab, cd);
      if (!full_range_) {
        bytes = _mm512_min_epi8(_mm512_max_epi8(bytes, _mm512_set1_epi8(qmin_)),
                                _mm512_set1_epi8(qmax_));
      }
    } else {
      bytes = _mm512_packus_epi16(ab, cd);
      if (!full_range_) {
        bytes = _mm512_min_epu8(_mm512_max_epu8(bytes, _mm512_set1_epi8(static_cast<char>(qmin_))),
                                _mm512_set1_epi8(static_cast<char>(qmax_)));
      }
    }
    // Same block layout as StoreNarrow4.
    const __m512i order = _mm512_setr_epi32(0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15);
    Store64<kStream>(_mm512_permutexvar_epi32(order, bytes), out);
#else
    static_assert(!kStream, "streaming stores are planned for 64-byte groups only");
#if HWY_TARGET == HWY_AVX2
    if constexpr (kIsVec256<VI>) {
      const hn::Repartition<int16_t, DI> d16;
      (void)d16;
      __m256i ab = stage16(hn::Vec<decltype(d16)>{_mm256_packs_epi32(y0.raw, y1.raw)}).raw;
      __m256i cd = stage16(hn::Vec<decltype(d16)>{_mm256_packs_epi32(y2.raw, y3.raw)}).raw;
      if (zero_point_ != 0) {
        const __m256i z = _mm256_set1_epi16(zero_point_);
        ab = _mm256_adds_epi16(ab, z);
        cd = _mm256_adds_epi16(cd, z);
      }
      __m256i bytes;
      if constexpr (std::is_same<TOut, int8_t>::value) {
        bytes = _mm256_packs_epi16(ab, cd);
        if (!full_range_) {
          bytes = _mm256_min_epi8(_mm256_max_epi8(bytes, _mm256_set1_epi8(qmin_)),
                                  _mm256_set1_epi8(qmax_));
        }
      } else {
        bytes = _mm256_packus_epi16(ab, cd);
        if (!full_range_) {
          bytes = _mm256_min_epu8(_mm256_max_epu8(bytes, _mm256_set1_epi8(static_cast<char>(qmin_))),
                                  _mm256_set1_epi8(static_cast<char>(qmax_)));
        }
      }
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(out), ElementOrder256(bytes));
      return;
    }
#endif
    const size_t N = hn::Lanes(di);
    Store1(di, y0, out, stage16);
    Store1(di, y1, out + N, stage16);
    Store1(di, y2, out + 2 * N, stage16);
    Store1(di, y3, out + 3 * N, stage16);
#endif
  }

 private:
  int16_t zero_point_;
  TOut qmin_;
  TOut qmax_;
  bool full_range_;
};

#endif  // HWY_TARGET != HWY_SCALAR

}  // namespace quantspec::optimized::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#endif  // include guard
