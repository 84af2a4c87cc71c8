// TOSA TABLE int16 (SPEC.md Q13.3): out[i] = T[j]*128 + (T[j+1] - T[j]) * (in[i] & 0x7F),
// j = (in[i] + 32768) >> 7, int32 output. The 513 int16 entries are first packed into 512
// int32 pairs (T[j], T[j+1]), one pass of 512, so each lane needs one 32-bit gather, two
// shifts to split the pair, one multiply and one add. The slope is formed in int32, so a
// table whose adjacent entries differ by more than int16 (TOSA's REQUIRE) gives the formula's
// value (Q13.3 SPEC CHOICE), as the reference does.
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "kernels/lut_int16.cc"
#include "hwy/foreach_target.h"  // IWYU pragma: keep

#include <cstring>

#include "hwy/highway.h"
#include "kernels/ops-inl.h"

HWY_BEFORE_NAMESPACE();
namespace quantspec::optimized::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

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

#if HWY_TARGET == HWY_SCALAR

void LutInt16Kernel(const int16_t* table, const int16_t* in, int32_t* out, size_t n) {
  WideTable w;
  Widen(table, &w);
  for (size_t i = 0; i < n; ++i) out[i] = LookupOne(w, in[i]);
}

#else

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
    const auto pair = hn::GatherIndex(d32, w.pair, index);
    const auto base = hn::ShiftRight<16>(hn::ShiftLeft<16>(pair));  // arithmetic: sign-extends
    const auto next = hn::ShiftRight<16>(pair);
    hn::StoreU(hn::Add(hn::ShiftLeft<7>(base), hn::Mul(hn::Sub(next, base), fraction)), d32, out + i);
  }
  for (; i < n; ++i) out[i] = LookupOne(w, in[i]);
}

#endif

}  // namespace quantspec::optimized::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();
