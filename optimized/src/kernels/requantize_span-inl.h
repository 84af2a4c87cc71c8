// The elementwise driver shared by the requantize kernels: walks the int32 input in vectors,
// per-tensor or per-channel (channel = i % channels, small channel counts replicated), hands
// each vector to the variant's arithmetic and stores the narrowed result; the tail goes through
// padded copies so no variant needs a partial-vector path. Included once per target.
#if defined(QUANTSPEC_OPTIMIZED_REQUANTIZE_SPAN_INL_H_) == defined(HWY_TARGET_TOGGLE)
#ifdef QUANTSPEC_OPTIMIZED_REQUANTIZE_SPAN_INL_H_
#undef QUANTSPEC_OPTIMIZED_REQUANTIZE_SPAN_INL_H_
#else
#define QUANTSPEC_OPTIMIZED_REQUANTIZE_SPAN_INL_H_
#endif

#include <cstring>
#include <type_traits>

#include "hwy/cache_control.h"
#include "hwy/highway.h"
#include "kernels/group_order-inl.h"
#include "kernels/narrow_store-inl.h"
#include "kernels/ops-inl.h"

HWY_BEFORE_NAMESPACE();
namespace quantspec::optimized::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

#if HWY_TARGET != HWY_SCALAR

template <typename T>
HWY_INLINE const T* Offset(const T* p, size_t offset) {
  return p == nullptr ? nullptr : p + offset;
}

// Op must provide:
//   explicit Op(const RequantizeJob& job)             per-tensor constants from channel 0
//   V Tensor(V acc) const                             q for per-tensor parameters (int32 lanes)
//   V Channel(V acc, const int32_t* mult, const int32_t* shift, const float* scale) const
// returning int32 lanes y of the variant before the zero point; the narrower then stores
// clamp(y + Zy, qmin, qmax) (narrow_store-inl.h). An op may return y already clamped to
// [qmin - Zy, qmax - Zy] (it must where its y does not fit in int32). `bool FoldsZeroPoint()`
// true: its Tensor lanes are y + Zy already (Zy * 2^t folded into the rounding constant, one
// 16-bit add per two vectors less), and the per-tensor narrower adds 0. Each op also declares
// `static constexpr bool kReturnsOutput`: true when its lanes are already the final q in
// [qmin, qmax], which are then only narrowed.
// Software prefetch of the input 4 KiB ahead (one prefetcht0 per 64-byte line). On the
// Sapphire Rapids VM it raised DRAM-class requantize from ~0.4 to ~0.65-0.7 of memcpy: the
// hardware prefetchers alone leave a single core's read stream latency bound.
inline constexpr size_t kPrefetchAhead = 1024;  // int32 elements

// An op with state (the TOSA range record of requantize_single_shift.cc) provides
// `void Absorb(const Op& copy) const`, which merges a copy's record into the op.
template <class Op, class = void>
struct AbsorbsCopies : std::false_type {};
template <class Op>
struct AbsorbsCopies<Op, std::void_t<decltype(std::declval<const Op&>().Absorb(
                             std::declval<const Op&>()))>> : std::true_type {};

// An op may finish its per-tensor arithmetic on int16 lanes: with `kTensorStage16` true its
// Tensor lanes are x, which the narrower saturates to int16 and maps by `op.Stage16(v16)`
// before adding Zy (narrow_store-inl.h); Channel lanes are y as usual.
template <class Op, class = void>
struct HasTensorStage16 : std::false_type {};
template <class Op>
struct HasTensorStage16<Op, std::enable_if_t<Op::kTensorStage16>> : std::true_type {};

// An op may take its odd lanes from a second load, one element further (`TensorWithOdd(acc,
// acc_from_next)`: the low half of 64-bit lane k of acc_from_next is lane 2k + 1), which saves
// the shuffle of acc before the odd lanes' vpmuldq. Used where that load stays inside the input.
template <class Op, class = void>
struct TakesOddLoad : std::false_type {};
template <class Op>
struct TakesOddLoad<Op, std::enable_if_t<Op::kTakesOddLoad>> : std::true_type {};

template <typename TOut, bool kPerChannel, class Op>
void RequantizeSpan(const Op& op_in, const ZeroPointNarrower<TOut>& narrow_in,
                    const int32_t* HWY_RESTRICT in, TOut* HWY_RESTRICT out, size_t count,
                    const int32_t* mult, const int32_t* shift, const float* scale) {
  // Local copies: the byte stores below may alias anything the references reach (char types
  // alias every object, and the lambdas lose `out`'s restrict), so GCC reloaded the op's
  // constants from memory and re-tested the narrower's flags after every 64-byte store. A
  // local whose address never escapes cannot be aliased.
  const Op op = op_in;
  const ZeroPointNarrower<TOut> narrow = narrow_in;
  const hn::ScalableTag<int32_t> di;
  const size_t N = hn::Lanes(di);
  // always_inline: GCC otherwise outlines the larger variants' lambda (a call per vector).
  auto compute = [&](const int32_t* acc_ptr, size_t offset) __attribute__((always_inline)) {
    const auto acc = hn::LoadU(di, acc_ptr);
    return kPerChannel ? op.Channel(acc, Offset(mult, offset), Offset(shift, offset),
                                    Offset(scale, offset))
                       : op.Tensor(acc);
  };
  auto stage16 = [&]() {
    if constexpr (!kPerChannel && HasTensorStage16<Op>::value) {
      return [&](auto v16) __attribute__((always_inline)) { return op.Stage16(v16); };
    } else {
      return NoStage16();
    }
  }();
  auto store1 = [&](auto q, TOut* o) {
    if constexpr (Op::kReturnsOutput) {
      const hn::Rebind<TOut, decltype(di)> d_out;
      hn::StoreU(hn::DemoteTo(d_out, q), d_out, o);
    } else {
      narrow.Store1(di, q, o, stage16);
    }
  };
  auto vector_at = [&](const int32_t* acc_ptr, size_t offset, TOut* o) {
    store1(compute(acc_ptr, offset), o);
  };
  // Four independent vectors per group (more loads in flight for DRAM-sized arrays),
  // narrowed and stored together.
  auto group_at = [&](size_t i, auto stream) __attribute__((always_inline)) {
    if (i + 4 * N + kPrefetchAhead <= count) {  // only addresses inside the input
      for (size_t u = 0; u < 4 * N; u += 16) hwy::Prefetch(in + i + u + kPrefetchAhead);
    }
    hn::Vec<decltype(di)> q0, q1, q2, q3;
    if constexpr (!kPerChannel && TakesOddLoad<Op>::value) {
      if (i + 4 * N < count) {  // the last odd load reads in[i + 4N]
        auto with_odd = [&](const int32_t* p) __attribute__((always_inline)) {
          return op.TensorWithOdd(hn::LoadU(di, p), hn::LoadU(di, p + 1));
        };
        q0 = with_odd(in + i);
        q1 = with_odd(in + i + N);
        q2 = with_odd(in + i + 2 * N);
        q3 = with_odd(in + i + 3 * N);
      } else {
        q0 = compute(in + i, i);
        q1 = compute(in + i + N, i + N);
        q2 = compute(in + i + 2 * N, i + 2 * N);
        q3 = compute(in + i + 3 * N, i + 3 * N);
      }
    } else {
      q0 = compute(in + i, i);
      q1 = compute(in + i + N, i + N);
      q2 = compute(in + i + 2 * N, i + 2 * N);
      q3 = compute(in + i + 3 * N, i + 3 * N);
    }
    if constexpr (Op::kReturnsOutput) {
      StoreNarrow4<decltype(stream)::value>(di, q0, q1, q2, q3, out + i);
    } else {
      narrow.template Store4<decltype(stream)::value>(di, q0, q1, q2, q3, out + i, stage16);
    }
  };
  // Elements [begin, end) one vector at a time, then a padded tail.
  auto finish = [&](size_t begin, size_t end) {
    size_t i = begin;
    for (; i + N <= end; i += N) vector_at(in + i, i, out + i);
    if (i == end) return;
    const size_t rest = end - i;
    constexpr size_t kMax = HWY_MAX_BYTES / sizeof(int32_t);
    HWY_ALIGN int32_t acc_buf[kMax] = {};
    HWY_ALIGN int32_t mult_buf[kMax];
    HWY_ALIGN int32_t shift_buf[kMax];
    HWY_ALIGN float scale_buf[kMax];
    TOut o_buf[kMax];
    std::memcpy(acc_buf, in + i, rest * sizeof(int32_t));
    if (kPerChannel) {  // pad with the first valid channel's parameters
      for (size_t j = 0; j < N; ++j) {
        const size_t src = i + (j < rest ? j : 0);
        mult_buf[j] = mult ? mult[src] : 0;
        shift_buf[j] = shift ? shift[src] : 0;
        scale_buf[j] = scale ? scale[src] : 1.0f;
      }
    }
    const auto acc = hn::LoadU(di, acc_buf);
    const auto q = kPerChannel ? op.Channel(acc, mult_buf, shift_buf, scale_buf) : op.Tensor(acc);
    store1(q, o_buf);
    std::memcpy(out + i, o_buf, rest * sizeof(TOut));
  };
  const GroupOrder order = PlanGroups(out, count, 4 * N, !kPerChannel);
  finish(0, order.begin);
  bool streamed = false;
  if constexpr (kCanStream) {
    if (order.streamed()) {
      for (size_t g = 0; g < order.groups; ++g) group_at(order.At(g), std::true_type());
      hwy::FlushStream();
      streamed = true;
    }
  }
  if (!streamed) {
    for (size_t g = 0; g < order.groups; ++g) group_at(order.At(g), std::false_type());
  }
  finish(order.end(), count);
  if constexpr (AbsorbsCopies<Op>::value) op_in.Absorb(op);
}

template <class Op, typename TOut>
void RequantizeTyped(const Op& op, const RequantizeJob& job, const int32_t* in, TOut* out,
                     size_t n) {
  if (job.channels == 1) {
    const ZeroPointNarrower<TOut> narrow(op.FoldsZeroPoint() ? 0 : job.output_zero_point,
                                         job.qmin, job.qmax);
    RequantizeSpan<TOut, false>(op, narrow, in, out, n, job.multipliers, job.shifts, job.scales);
    return;
  }
  const ZeroPointNarrower<TOut> narrow(job.output_zero_point, job.qmin, job.qmax);
  const size_t channels = ReplicatedChannels(job.channels);
  int32_t mult_storage[kMaxReplicated];
  int32_t shift_storage[kMaxReplicated];
  float scale_storage[kMaxReplicated];
  // The arrays a variant does not read may be NULL; they stay NULL.
  const int32_t* mult_r =
      job.multipliers ? Replicate(job.multipliers, job.channels, channels, mult_storage) : nullptr;
  const int32_t* shift_r =
      job.shifts ? Replicate(job.shifts, job.channels, channels, shift_storage) : nullptr;
  const float* scale_r =
      job.scales ? Replicate(job.scales, job.channels, channels, scale_storage) : nullptr;
  for (size_t row = 0; row < n; row += channels) {
    RequantizeSpan<TOut, true>(op, narrow, in + row, out + row, std::min(channels, n - row),
                               mult_r, shift_r, scale_r);
  }
}

template <class Op>
void RequantizeDispatchType(const RequantizeJob& job, const int32_t* in, void* out, size_t n) {
  const Op op(job);
  if (job.output_type == QS_S8) {
    RequantizeTyped(op, job, in, static_cast<int8_t*>(out), n);
  } else {
    RequantizeTyped(op, job, in, static_cast<uint8_t*>(out), n);
  }
}

#endif  // HWY_TARGET != HWY_SCALAR

}  // namespace quantspec::optimized::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#endif  // include guard
