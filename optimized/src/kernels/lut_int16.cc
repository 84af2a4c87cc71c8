// TOSA TABLE int16 (SPEC.md Q13.3): out[i] = T[j]*128 + (T[j+1] - T[j]) * (in[i] & 0x7F),
// j = (in[i] + 32768) >> 7, int32 output. The slope is formed in int32 (or never formed, see
// below), so a table whose adjacent entries differ by more than int16 (TOSA's REQUIRE) gives
// the formula's value (Q13.3 SPEC CHOICE), as the reference does.
// AVX3_DL: no gather. The table is split into four 512-byte planes (low and high bytes of
// T[0..511] and of T[1..512]); per 64 inputs each plane is looked up with four masked vpermi2b
// (128 entries each, the block chosen by j's bits 7 and 8), the bytes are interleaved into
// dword pairs (T[j], T[j+1]) and one vpmaddwd with the weights (128 - f, f) gives the output.
// Outputs of at least half the L2 are written with non-temporal stores in four streams.
// Other SIMD targets: the 513 entries packed into 512 int32 pairs (T[j], T[j+1]), one 32-bit
// lookup per lane (vpgatherdd on AVX3, scalar loads on AVX2 and SSE4), two shifts to split the
// pair, one multiply and one add.
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "kernels/lut_int16.cc"
#include "hwy/foreach_target.h"  // IWYU pragma: keep

#include <cstring>

#include "hwy/highway.h"
#include "kernels/group_order-inl.h"
#include "kernels/ops-inl.h"

#if HWY_TARGET == HWY_AVX3_DL
#include <immintrin.h>
#endif

HWY_BEFORE_NAMESPACE();
namespace quantspec::optimized::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

#if HWY_TARGET != HWY_AVX3_DL

namespace {

// pair[j] holds T[j] in its low and T[j + 1] in its high 16 bits: one 32-bit gather per lane
// fetches both ends of the segment.
struct WideTable {
  HWY_ALIGN int32_t pair[512];
};

void Widen(const int16_t* table, WideTable* w) {
  for (size_t j = 0; j < 512; ++j) {
    const uint32_t low = static_cast<uint16_t>(table[j]);
    const uint32_t high = static_cast<uint16_t>(table[j + 1]);
    w->pair[j] = static_cast<int32_t>(low | (high << 16));
  }
}

inline int32_t LookupOne(const WideTable& w, int16_t v) {
  const int32_t index = (static_cast<int32_t>(v) + 32768) >> 7;
  const uint32_t pair = static_cast<uint32_t>(w.pair[index]);
  const int32_t base = static_cast<int16_t>(pair & 0xFFFF);
  const int32_t next = static_cast<int16_t>(pair >> 16);
  return base * 128 + (next - base) * (static_cast<int32_t>(v) & 0x7F);
}

}  // namespace

#endif  // HWY_TARGET != HWY_AVX3_DL

#if HWY_TARGET == HWY_SCALAR

void LutInt16Kernel(const int16_t* table, const int16_t* in, int32_t* out, size_t n) {
  WideTable w;
  Widen(table, &w);
  for (size_t i = 0; i < n; ++i) out[i] = LookupOne(w, in[i]);
}

#elif HWY_TARGET == HWY_AVX3_DL

// The table as four 512-byte planes: the low and high bytes of T[0..511] (base) and of
// T[1..512] (next). Every plane is looked up with the same byte index (j's low 7 bits) and the
// same block masks (j's bits 7 and 8), so T[512] needs no special case.
struct BytePlanes {
  HWY_ALIGN uint8_t base_low[512];
  HWY_ALIGN uint8_t base_high[512];
  HWY_ALIGN uint8_t next_low[512];
  HWY_ALIGN uint8_t next_high[512];
};

void SplitPlanes(const int16_t* table, BytePlanes* planes) {
  // Byte 2k (low) and 2k + 1 (high) of 32 words in each of two vectors.
  HWY_ALIGN uint8_t even[64], odd[64];
  for (int k = 0; k < 64; ++k) {
    even[k] = static_cast<uint8_t>(2 * k);
    odd[k] = static_cast<uint8_t>(2 * k + 1);
  }
  const __m512i low_bytes = _mm512_load_si512(even);
  const __m512i high_bytes = _mm512_load_si512(odd);
  for (size_t k = 0; k < 512; k += 64) {  // T[k..k+63] and T[k+1..k+64]: within the 513 entries
    const __m512i a = _mm512_loadu_si512(table + k);
    const __m512i b = _mm512_loadu_si512(table + k + 32);
    const __m512i a1 = _mm512_loadu_si512(table + k + 1);
    const __m512i b1 = _mm512_loadu_si512(table + k + 33);
    _mm512_store_si512(planes->base_low + k, _mm512_permutex2var_epi8(a, low_bytes, b));
    _mm512_store_si512(planes->base_high + k, _mm512_permutex2var_epi8(a, high_bytes, b));
    _mm512_store_si512(planes->next_low + k, _mm512_permutex2var_epi8(a1, low_bytes, b1));
    _mm512_store_si512(planes->next_high + k, _mm512_permutex2var_epi8(a1, high_bytes, b1));
  }
}

// Lanes whose j lies in 128-entry block k (j >> 7 == k); the four masks partition the lanes.
struct BlockMasks {
  __mmask64 block[4];
};

// One plane's byte at j for 64 lanes. vpermi2b looks up 128 entries by the index's low 7 bits
// (j mod 128); masked, it writes only block k's lanes and leaves the others holding the index,
// so four of them in a chain fill every lane once, with no blends.
// (Raw intrinsics as in lut.cc: Highway 1.0.3 has no 8-bit or two-table TableLookupLanes.)
static HWY_INLINE __m512i LookupPlane(const uint8_t* plane, __m512i index, const BlockMasks& m) {
  const __m512i* p = reinterpret_cast<const __m512i*>(plane);
  __m512i r = index;
  for (int k = 0; k < 4; ++k) {
    r = _mm512_mask2_permutex2var_epi8(_mm512_load_si512(p + 2 * k), r, m.block[k],
                                       _mm512_load_si512(p + 2 * k + 1));
  }
  return r;
}

// Constant index vectors of the main loop.
struct LoopIndices {
  __m512i pack;     // byte p <- byte 2 * element(p) + 1 of the 64 words (A, B)
  __m512i dup_low;  // words 2i, 2i + 1 <- word i (i < 16) of one vector
  __m512i dup_high; // words 2i, 2i + 1 <- word 16 + i
};

// Byte position p of the packed index vector holds element e(p) = 16 d + 4 k + m for
// p = 16 k + 4 d + m: the byte-to-word and word-to-dword unpacks (which stay inside 128-bit
// lanes) then leave output vector d holding elements 16 d .. 16 d + 15 in order.
LoopIndices MakeLoopIndices() {
  HWY_ALIGN uint8_t pack[64];
  HWY_ALIGN uint16_t dup_low[32], dup_high[32];
  for (int p = 0; p < 64; ++p) {
    const int k = p / 16, d = (p % 16) / 4, m = p % 4;
    pack[p] = static_cast<uint8_t>(2 * (16 * d + 4 * k + m) + 1);
  }
  for (int w = 0; w < 32; ++w) {
    dup_low[w] = static_cast<uint16_t>(w / 2);
    dup_high[w] = static_cast<uint16_t>(16 + w / 2);
  }
  return {_mm512_load_si512(pack), _mm512_load_si512(dup_low), _mm512_load_si512(dup_high)};
}

// Pairs (T[j], T[j + 1]) as dwords times weights (128 - f, f) with one vpmaddwd:
// T[j]*(128 - f) + T[j+1]*f = T[j]*128 + (T[j+1] - T[j])*f exactly (the weights are at most 128,
// so no pair sum nears int32's range). dup holds the input word in both halves of each dword.
static HWY_INLINE __m512i Interpolate(__m512i pair, __m512i dup) {
  // (dup & 0x007F007F) ^ 0x0000007F = (f, 127 - f) in (high, low) words; +1 gives 128 - f.
  const __m512i w = _mm512_add_epi32(
      _mm512_ternarylogic_epi32(dup, _mm512_set1_epi32(0x007F007F), _mm512_set1_epi32(0x7F), 0x6A),
      _mm512_set1_epi32(1));
  return _mm512_madd_epi16(pair, w);
}

// 64 elements: input words a (elements 0..31), b (32..63); out_d gets elements 16d..16d+15.
static HWY_INLINE void Lookup64(const BytePlanes& planes, const LoopIndices& ix, __m512i a,
                                __m512i b, __m512i out[4]) {
  // High byte of (v << 1): bits 7..14 of v, i.e. j's low 8 bits (j = (v + 32768) >> 7 differs
  // from v >> 7 only in bit 8). High byte of v: its sign is the complement of j's bit 8.
  const __m512i index =
      _mm512_permutex2var_epi8(_mm512_slli_epi16(a, 1), ix.pack, _mm512_slli_epi16(b, 1));
  const __m512i high = _mm512_permutex2var_epi8(a, ix.pack, b);
  const __mmask64 j7 = _mm512_movepi8_mask(index);
  const __mmask64 negative = _mm512_movepi8_mask(high);  // j < 256
  BlockMasks m;
  m.block[0] = _kandn_mask64(j7, negative);
  m.block[1] = _kand_mask64(j7, negative);
  m.block[2] = _knot_mask64(_kor_mask64(j7, negative));
  m.block[3] = _kandn_mask64(negative, j7);
  const __m512i base_low = LookupPlane(planes.base_low, index, m);
  const __m512i base_high = LookupPlane(planes.base_high, index, m);
  const __m512i next_low = LookupPlane(planes.next_low, index, m);
  const __m512i next_high = LookupPlane(planes.next_high, index, m);
  const __m512i base0 = _mm512_unpacklo_epi8(base_low, base_high);
  const __m512i base1 = _mm512_unpackhi_epi8(base_low, base_high);
  const __m512i next0 = _mm512_unpacklo_epi8(next_low, next_high);
  const __m512i next1 = _mm512_unpackhi_epi8(next_low, next_high);
  out[0] = Interpolate(_mm512_unpacklo_epi16(base0, next0), _mm512_permutexvar_epi16(ix.dup_low, a));
  out[1] = Interpolate(_mm512_unpackhi_epi16(base0, next0), _mm512_permutexvar_epi16(ix.dup_high, a));
  out[2] = Interpolate(_mm512_unpacklo_epi16(base1, next1), _mm512_permutexvar_epi16(ix.dup_low, b));
  out[3] = Interpolate(_mm512_unpackhi_epi16(base1, next1), _mm512_permutexvar_epi16(ix.dup_high, b));
}

// Masks of the first `count` (0..64) lanes of 32-lane words / 16-lane dwords.
static HWY_INLINE __mmask32 FirstWords(size_t count) {
  return count >= 32 ? ~__mmask32{0} : ((__mmask32{1} << count) - 1);
}
static HWY_INLINE __mmask16 FirstDwords(size_t count) {
  return count >= 16 ? static_cast<__mmask16>(0xFFFF) : static_cast<__mmask16>((1u << count) - 1);
}

// Elements [i, i + count), count <= 64, with masked loads and stores (masked lanes do not fault).
static HWY_INLINE void LookupMasked(const BytePlanes& planes, const LoopIndices& ix,
                                    const int16_t* in, int32_t* out, size_t count) {
  const __m512i a = _mm512_maskz_loadu_epi16(FirstWords(count), in);
  const __m512i b = _mm512_maskz_loadu_epi16(FirstWords(count > 32 ? count - 32 : 0), in + 32);
  __m512i r[4];
  Lookup64(planes, ix, a, b, r);
  for (size_t d = 0; d < 4; ++d) {
    const size_t done = 16 * d;
    _mm512_mask_storeu_epi32(out + done, FirstDwords(count > done ? count - done : 0), r[d]);
  }
}

void LutInt16Kernel(const int16_t* table, const int16_t* in, int32_t* out, size_t n) {
  BytePlanes planes;
  SplitPlanes(table, &planes);
  const LoopIndices ix = MakeLoopIndices();
  size_t i = 0;
  const uintptr_t misalignment = reinterpret_cast<uintptr_t>(out) % 64;
  if (n * sizeof(int32_t) >= StreamingThresholdBytes() && misalignment % sizeof(int32_t) == 0) {
    // Large outputs: the elements before out's first 64-byte boundary with masked stores, then
    // whole aligned lines with non-temporal stores (no read for ownership), then the fence.
    const size_t head = misalignment == 0 ? 0 : (64 - misalignment) / sizeof(int32_t);
    if (head != 0) LookupMasked(planes, ix, in, out, head);
    const size_t per_stream = (n - head) / (kStreams * 64) * 64;
    for (size_t g = 0; g < per_stream; g += 64) {
      for (size_t s = 0; s < kStreams; ++s) {
        const size_t at = head + s * per_stream + g;
        __m512i r[4];
        Lookup64(planes, ix, _mm512_loadu_si512(in + at), _mm512_loadu_si512(in + at + 32), r);
        for (size_t d = 0; d < 4; ++d) {
          _mm512_stream_si512(reinterpret_cast<__m512i*>(out + at + 16 * d), r[d]);
        }
      }
    }
    i = head + kStreams * per_stream;
    _mm_sfence();  // order the streaming stores before the caller reads `out`
  }
  for (; i + 64 <= n; i += 64) {
    __m512i r[4];
    Lookup64(planes, ix, _mm512_loadu_si512(in + i), _mm512_loadu_si512(in + i + 32), r);
    for (size_t d = 0; d < 4; ++d) _mm512_storeu_si512(out + i + 16 * d, r[d]);
  }
  if (i < n) LookupMasked(planes, ix, in + i, out + i, n - i);
}

#else

// pair[index] per lane. AVX2: scalar loads through a stack copy of the indices,
// as Highway's SSE4 GatherIndex does (vpgatherdd measured slower on Zen 5, see NOTES.md).
template <class D>
HWY_INLINE hn::Vec<D> PairsAt(D d, const WideTable& w, hn::Vec<D> index) {
#if HWY_TARGET == HWY_AVX2
  HWY_ALIGN int32_t lanes[hn::MaxLanes(D())];
  hn::Store(index, d, lanes);
  for (size_t k = 0; k < hn::Lanes(d); ++k) lanes[k] = w.pair[lanes[k]];
  return hn::Load(d, lanes);
#else
  return hn::GatherIndex(d, w.pair, index);
#endif
}

void LutInt16Kernel(const int16_t* table, const int16_t* in, int32_t* out, size_t n) {
  WideTable w;
  Widen(table, &w);
  const hn::ScalableTag<int32_t> d32;
  const hn::Rebind<int16_t, decltype(d32)> d16;  // half-width int16 vector, one per int32 lane
  const size_t N = hn::Lanes(d32);
  const auto bias = hn::Set(d32, 32768);
  const auto low7 = hn::Set(d32, 0x7F);
  size_t i = 0;
  for (; i + N <= n; i += N) {
    const auto v = hn::PromoteTo(d32, hn::LoadU(d16, in + i));
    const auto index = hn::ShiftRight<7>(hn::Add(v, bias));  // 0..511, never negative
    const auto fraction = hn::And(v, low7);
    const auto pair = PairsAt(d32, w, index);
    const auto base = hn::ShiftRight<16>(hn::ShiftLeft<16>(pair));  // arithmetic: sign-extends
    const auto next = hn::ShiftRight<16>(pair);
    hn::StoreU(hn::Add(hn::ShiftLeft<7>(base), hn::Mul(hn::Sub(next, base), fraction)), d32, out + i);
  }
  for (; i < n; ++i) out[i] = LookupOne(w, in[i]);
}

#endif

}  // namespace quantspec::optimized::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();
