// 256-entry table lookup: out[i] = table[in[i]], the index being the input byte's bit pattern
// (TFLite / XNNPACK LUT). s8 and u8 are the same operation on bytes.
// AVX3_DL: the table sits in four zmm registers; two vpermi2b (_mm512_permutex2var_epi8) look
// up 128 entries each by the low 7 index bits, and bit 7 picks between them.
// Other SIMD targets: sixteen 16-byte pshufb lookups (TableLookupBytes), each kept where the
// index's high nibble selects that 16-entry slice.
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "kernels/lut.cc"
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

#if HWY_TARGET == HWY_SCALAR

void LutKernel(const uint8_t* table, const uint8_t* in, uint8_t* out, size_t n) {
  for (size_t i = 0; i < n; ++i) out[i] = table[in[i]];
}

#elif HWY_TARGET == HWY_AVX3_DL

// HWY_TARGET_STR of AVX3_DL already enables avx512vbmi (a target attribute on an externally
// declared function would make GCC treat it as a separate function version).
static HWY_INLINE __m512i Lookup(
    __m512i t0, __m512i t1, __m512i t2, __m512i t3, __m512i idx) {
  const __m512i low = _mm512_permutex2var_epi8(t0, idx, t1);   // entries 0..127
  const __m512i high = _mm512_permutex2var_epi8(t2, idx, t3);  // entries 128..255
  return _mm512_mask_blend_epi8(_mm512_movepi8_mask(idx), low, high);
}

void LutKernel(const uint8_t* table, const uint8_t* in, uint8_t* out, size_t n) {
  const __m512i t0 = _mm512_loadu_si512(table);
  const __m512i t1 = _mm512_loadu_si512(table + 64);
  const __m512i t2 = _mm512_loadu_si512(table + 128);
  const __m512i t3 = _mm512_loadu_si512(table + 192);
  size_t i = 0;
  const GroupOrder order = PlanGroups(out, n, 64, true);
  if (order.streamed()) {
    // Large outputs: one masked ordinary store up to the first 64-byte boundary of out, then
    // non-temporal stores of whole aligned lines in interleaved streams (group_order-inl.h),
    // then the fence; the remainder below.
    if (order.begin != 0) {
      const __mmask64 mask = (__mmask64{1} << order.begin) - 1;
      _mm512_mask_storeu_epi8(out, mask, Lookup(t0, t1, t2, t3, _mm512_maskz_loadu_epi8(mask, in)));
    }
    for (size_t g = 0; g < order.groups; ++g) {
      const size_t at = order.At(g);
      _mm512_stream_si512(reinterpret_cast<__m512i*>(out + at),
                          Lookup(t0, t1, t2, t3, _mm512_loadu_si512(in + at)));
    }
    _mm_sfence();  // order the streaming stores before the caller reads `out`
    i = order.end();
  }
  for (; i + 128 <= n; i += 128) {
    const __m512i a = _mm512_loadu_si512(in + i);
    const __m512i b = _mm512_loadu_si512(in + i + 64);
    _mm512_storeu_si512(out + i, Lookup(t0, t1, t2, t3, a));
    _mm512_storeu_si512(out + i + 64, Lookup(t0, t1, t2, t3, b));
  }
  for (; i < n; i += 64) {  // masked: AVX-512 masked accesses do not fault on masked lanes
    const size_t rest = n - i < 64 ? n - i : 64;
    const __mmask64 mask = rest == 64 ? ~__mmask64{0} : ((__mmask64{1} << rest) - 1);
    const __m512i a = _mm512_maskz_loadu_epi8(mask, in + i);
    _mm512_mask_storeu_epi8(out + i, mask, Lookup(t0, t1, t2, t3, a));
  }
}

#else  // other SIMD targets

void LutKernel(const uint8_t* table, const uint8_t* in, uint8_t* out, size_t n) {
  const hn::ScalableTag<uint8_t> d;
  using V = hn::Vec<decltype(d)>;
  const size_t N = hn::Lanes(d);
  V slices[16];
  for (size_t j = 0; j < 16; ++j) slices[j] = hn::LoadDup128(d, table + 16 * j);
  const V low_nibble = hn::Set(d, 0x0F);
  auto lookup = [&](V idx) {
    const V slice = hn::ShiftRight<4>(idx);
    const V within = hn::And(idx, low_nibble);
    V result = hn::TableLookupBytes(slices[0], within);
    for (size_t j = 1; j < 16; ++j) {
      result = hn::IfThenElse(hn::Eq(slice, hn::Set(d, static_cast<uint8_t>(j))),
                              hn::TableLookupBytes(slices[j], within), result);
    }
    return result;
  };
  size_t i = 0;
  for (; i + N <= n; i += N) hn::StoreU(lookup(hn::LoadU(d, in + i)), d, out + i);
  if (i < n) {
    HWY_ALIGN uint8_t buf[HWY_MAX_BYTES] = {};
    std::memcpy(buf, in + i, n - i);
    hn::Store(lookup(hn::Load(d, buf)), d, buf);
    std::memcpy(out + i, buf, n - i);
  }
}

#endif

}  // namespace quantspec::optimized::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();
