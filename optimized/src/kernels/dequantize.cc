// Dequantize s8/u8 -> f32 (SPEC.md Q3): out = fl32((q - Z) * S). q - Z lies in [-255, 255], so
// int32 -> binary32 is exact and the one binary32 multiply is the spec's single rounding
// (subnormal results included: the kernels run with the default FP environment, no FTZ/DAZ).
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "kernels/dequantize.cc"
#include "hwy/foreach_target.h"  // IWYU pragma: keep

#include <cstring>

#include "hwy/cache_control.h"
#include "hwy/highway.h"
#include "kernels/ops-inl.h"

HWY_BEFORE_NAMESPACE();
namespace quantspec::optimized::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

#if HWY_TARGET == HWY_SCALAR

void DequantizeKernel(const DequantizeJob& job, const void* in, float* out, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    const size_t c = i % job.channels;
    const int32_t q = job.input_type == QS_S8 ? static_cast<const int8_t*>(in)[i]
                                              : static_cast<const uint8_t*>(in)[i];
    out[i] = static_cast<float>(q - job.zero_points[c]) * job.scales[c];
  }
}

#else  // SIMD targets

using DF = hn::ScalableTag<float>;
using DI = hn::RebindToSigned<DF>;

// kStream: the main loop writes with non-temporal stores (Stream) after peeling elements until
// `out` is vector aligned; the caller issues the fence (FlushStream).
template <typename TIn, bool kPerChannel, bool kStream = false>
void DequantizeSpan(const TIn* HWY_RESTRICT in, float* HWY_RESTRICT out, size_t count,
                    const float* scales, const int32_t* zero_points) {
  const DF df;
  const DI di;
  const hn::Rebind<TIn, DF> d_in;
  const size_t N = hn::Lanes(df);
  const auto scale0 = hn::Set(df, scales[0]);
  const auto z0 = hn::Set(di, zero_points[0]);
  auto compute = [&](const TIn* q, const float* s, const int32_t* z) {
    const auto wide = hn::PromoteTo(di, hn::LoadU(d_in, q));
    const auto centred = hn::Sub(wide, kPerChannel ? hn::LoadU(di, z) : z0);
    return hn::Mul(hn::ConvertTo(df, centred), kPerChannel ? hn::LoadU(df, s) : scale0);
  };
  auto vector_at = [&](const TIn* q, const float* s, const int32_t* z, float* o) {
    hn::StoreU(compute(q, s, z), df, o);
  };
  size_t i = 0;
  if constexpr (!kPerChannel) {
    // Peel (at most N - 1 elements, ordinary stores) until out + i is aligned to the vector:
    // streaming needs it, and an unaligned full-vector store spans two cache lines (glibc's
    // malloc gives large buffers page + 16 bytes). Short spans skip it.
    const size_t misalign = reinterpret_cast<uintptr_t>(out) % (N * sizeof(float));
    if (misalign % sizeof(float) == 0 && (kStream || count >= 16 * N)) {
      const size_t head = misalign == 0 ? 0 : N - misalign / sizeof(float);
      for (; i < head && i < count; ++i) {
        out[i] = static_cast<float>(static_cast<int32_t>(in[i]) - zero_points[0]) * scales[0];
      }
    }
  }
  if constexpr (kStream) {
    static_assert(!kPerChannel, "streaming is for the per-tensor path");
    if (reinterpret_cast<uintptr_t>(out + i) % (N * sizeof(float)) == 0) {
      for (; i + 4 * N <= count; i += 4 * N) {
        const auto v0 = compute(in + i, scales, zero_points);
        const auto v1 = compute(in + i + N, scales, zero_points);
        const auto v2 = compute(in + i + 2 * N, scales, zero_points);
        const auto v3 = compute(in + i + 3 * N, scales, zero_points);
        hn::Stream(v0, df, out + i);
        hn::Stream(v1, df, out + i + N);
        hn::Stream(v2, df, out + i + 2 * N);
        hn::Stream(v3, df, out + i + 3 * N);
      }
    }
  }
  if constexpr (!kPerChannel) {
    // Per tensor: local pointers and the parameters in registers (through the lambdas' captures
    // GCC reloaded `in` and `count` from the stack in every iteration).
    const auto s_vec = scale0;
    const auto z_vec = z0;
    const TIn* HWY_RESTRICT q = in + i;
    float* HWY_RESTRICT o = out + i;
    const TIn* const q_end = q + (count - i) / (4 * N) * (4 * N);
    for (; q != q_end; q += 4 * N, o += 4 * N) {
      for (size_t u = 0; u < 4; ++u) {
        const auto wide = hn::PromoteTo(di, hn::LoadU(d_in, q + u * N));
        hn::StoreU(hn::Mul(hn::ConvertTo(df, hn::Sub(wide, z_vec)), s_vec), df, o + u * N);
      }
    }
    i = static_cast<size_t>(q - in);
  }
  // Four vectors per iteration keep enough loads in flight for DRAM-sized arrays.
  for (; i + 4 * N <= count; i += 4 * N) {
    for (size_t u = 0; u < 4; ++u) {
      const size_t j = i + u * N;
      vector_at(in + j, scales + (kPerChannel ? j : 0), zero_points + (kPerChannel ? j : 0),
                out + j);
    }
  }
  for (; i + N <= count; i += N) {
    vector_at(in + i, scales + (kPerChannel ? i : 0), zero_points + (kPerChannel ? i : 0),
              out + i);
  }
  if (i < count) {
    const size_t rest = count - i;
    TIn q_buf[HWY_MAX_BYTES / sizeof(float)] = {};
    HWY_ALIGN float s_buf[HWY_MAX_BYTES / sizeof(float)];
    HWY_ALIGN int32_t z_buf[HWY_MAX_BYTES / sizeof(float)];
    HWY_ALIGN float o_buf[HWY_MAX_BYTES / sizeof(float)];
    std::memcpy(q_buf, in + i, rest * sizeof(TIn));
    for (size_t j = 0; j < N; ++j) {
      s_buf[j] = kPerChannel ? scales[i + (j < rest ? j : 0)] : scales[0];
      z_buf[j] = kPerChannel ? zero_points[i + (j < rest ? j : 0)] : zero_points[0];
    }
    vector_at(q_buf, s_buf, z_buf, o_buf);
    std::memcpy(out + i, o_buf, rest * sizeof(float));
  }
}

template <typename TIn>
void DequantizeTyped(const DequantizeJob& job, const TIn* in, float* out, size_t n) {
  if (job.channels == 1) {
    if (n * sizeof(float) >= StreamingThresholdBytes()) {
      DequantizeSpan<TIn, false, true>(in, out, n, job.scales, job.zero_points);
      hwy::FlushStream();  // order the streaming stores before the caller reads `out`
    } else {
      DequantizeSpan<TIn, false>(in, out, n, job.scales, job.zero_points);
    }
    return;
  }
  const size_t channels = ReplicatedChannels(job.channels);
  float scale_storage[kMaxReplicated];
  int32_t zero_point_storage[kMaxReplicated];
  const float* scales = Replicate(job.scales, job.channels, channels, scale_storage);
  const int32_t* zero_points =
      Replicate(job.zero_points, job.channels, channels, zero_point_storage);
  for (size_t row = 0; row < n; row += channels) {
    DequantizeSpan<TIn, true>(in + row, out + row, std::min(channels, n - row), scales,
                              zero_points);
  }
}

void DequantizeKernel(const DequantizeJob& job, const void* in, float* out, size_t n) {
  if (job.input_type == QS_S8) {
    DequantizeTyped(job, static_cast<const int8_t*>(in), out, n);
  } else {
    DequantizeTyped(job, static_cast<const uint8_t*>(in), out, n);
  }
}

#endif  // HWY_TARGET == HWY_SCALAR

}  // namespace quantspec::optimized::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();
