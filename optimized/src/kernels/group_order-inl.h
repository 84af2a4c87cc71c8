// The order in which the 4-in-1-out elementwise kernels (quantize, requantize) visit their
// groups of four vectors, and whether they store them non-temporally. Included once per target.
//
// Outputs of at least StreamingThresholdBytes() are written with non-temporal stores (no read
// for ownership, no eviction of the input), one 64-byte line per group, after peeling the
// elements before the first 64-byte boundary of the output. Such spans are also split into
// kStreams equal parts visited in turn (group 0 of each part, then group 1 of each, ...):
// one core reading one sequential stream is latency bound on the measured VM, and several
// concurrent streams keep more hardware-prefetch streams and line-fill buffers busy
// (a read-4 / write-1 loop measured 0.63-0.72 of memcpy in order with ordinary stores and
// 0.85-0.91 with four streams and non-temporal stores; see optimized/README.md).
#if defined(QUANTSPEC_OPTIMIZED_GROUP_ORDER_INL_H_) == defined(HWY_TARGET_TOGGLE)
#ifdef QUANTSPEC_OPTIMIZED_GROUP_ORDER_INL_H_
#undef QUANTSPEC_OPTIMIZED_GROUP_ORDER_INL_H_
#else
#define QUANTSPEC_OPTIMIZED_GROUP_ORDER_INL_H_
#endif

#include <cstddef>
#include <cstdint>

#include "hwy/highway.h"
#include "kernels/ops-inl.h"

HWY_BEFORE_NAMESPACE();
namespace quantspec::optimized::HWY_NAMESPACE {

inline constexpr size_t kStreams = 4;
// Non-temporal 64-byte group stores exist on the AVX-512 targets (narrow_store-inl.h).
inline constexpr bool kCanStream = HWY_TARGET == HWY_AVX3 || HWY_TARGET == HWY_AVX3_DL;

struct GroupOrder {
  size_t begin = 0;       // element index of the first group (after the peeled head)
  size_t groups = 0;      // number of groups visited
  size_t group = 0;       // elements per group
  size_t per_stream = 0;  // elements per stream; 0: in order with ordinary stores

  bool streamed() const { return per_stream != 0; }
  size_t end() const { return begin + groups * group; }
  // Element index of the g-th group visited.
  size_t At(size_t g) const {
    if (per_stream == 0) return begin + g * group;
    return begin + (g % kStreams) * per_stream + (g / kStreams) * group;
  }
};

// Plans count elements of output type TOut in groups of `group` elements. Streaming needs a
// 64-byte group (AVX-512: four vectors of int32 narrowed to bytes) and may be disallowed by the
// caller (per-channel spans, whose parameters follow the element index, stay in order).
template <typename TOut>
GroupOrder PlanGroups(const TOut* out, size_t count, size_t group, bool allow_streaming) {
  GroupOrder order;
  order.group = group;
  const bool stream = kCanStream && allow_streaming && group * sizeof(TOut) == 64 &&
                      count * sizeof(TOut) >= StreamingThresholdBytes();
  if (stream) {
    const size_t misalignment = reinterpret_cast<uintptr_t>(out) % 64;
    order.begin = misalignment == 0 ? 0 : (64 - misalignment) / sizeof(TOut);
    order.groups = (count - order.begin) / (kStreams * group) * kStreams;
    order.per_stream = order.groups / kStreams * group;
    return order;
  }
  order.groups = count / group;
  return order;
}

}  // namespace quantspec::optimized::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#endif  // include guard
