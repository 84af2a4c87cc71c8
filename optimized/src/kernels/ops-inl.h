// Per-target declarations of the kernels (each defined in its own file, compiled once per
// SIMD target through foreach_target.h), plus the helpers they share. Included once per target.
#if defined(QUANTSPEC_OPTIMIZED_OPS_INL_H_) == defined(HWY_TARGET_TOGGLE)
#ifdef QUANTSPEC_OPTIMIZED_OPS_INL_H_
#undef QUANTSPEC_OPTIMIZED_OPS_INL_H_
#else
#define QUANTSPEC_OPTIMIZED_OPS_INL_H_
#endif

#include <unistd.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "hwy/highway.h"
#include "jobs.h"
#include "scalar_semantics.h"

#if HWY_TARGET == HWY_AVX3 || HWY_TARGET == HWY_AVX3_DL
#include <immintrin.h>
#endif

HWY_BEFORE_NAMESPACE();
namespace quantspec::optimized::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

using detail::DequantizeJob;
using detail::GemmJob;
using detail::QuantizeJob;
using detail::RequantizeJob;

// quantize.cc (Q2)
void QuantizeKernel(const QuantizeJob& job, const float* in, void* out, size_t n);
// dequantize.cc (Q3)
void DequantizeKernel(const DequantizeJob& job, const void* in, float* out, size_t n);
// requantize_fp32.cc (Q7 fp32)
void RequantizeFp32Kernel(const RequantizeJob& job, const int32_t* in, void* out, size_t n);
// requantize_double_round.cc (Q7 double_round, and Q7.2's double_round_wrap: the same with
// the left shift wrapping)
void RequantizeDoubleRoundKernel(const RequantizeJob& job, const int32_t* in, void* out,
                                 size_t n);
// requantize_deployed.cc (Q11.1 neon_double_round, Q11.8 rndnu16 on the job's derived m15, p)
void RequantizeDeployedKernel(const RequantizeJob& job, const int32_t* in, void* out, size_t n);
// requantize_single_shift.cc (Q7 single_round, rndnu, rndna, tosa_*; Q11.2 int16x8_int64 as
// single_round on the job's derived m15 and shift + 16). False: a TOSA REQUIRE
// on the input failed.
bool RequantizeSingleShiftKernel(const RequantizeJob& job, const int32_t* in, void* out,
                                 size_t n);
// gemm.cc (Q5): out[m][n] int32, mod 2^32.
void GemmKernel(const GemmJob& job, const void* a, size_t a_stride, const int8_t* w,
                size_t w_stride, int32_t* out, size_t out_stride, size_t m, size_t n, size_t k);
// gemm.cc, packed weights: fills packed->panels / column_sums / layout for packed->n x
// packed->k (zero points and bias already copied into *packed; `job` points at them). False:
// no memory.
bool PackWeightsKernel(const GemmJob& job, const int8_t* w, size_t w_stride,
                       qs_packed_weights* packed);
// The GEMM on packed weights; `job` has the call's A parameters and the object's zero points and
// bias. False: no scratch memory, or a layout this target cannot run.
bool GemmPackedKernel(const GemmJob& job, const void* a, size_t a_stride,
                      const qs_packed_weights& packed, int32_t* out, size_t out_stride,
                      size_t m);
// lut.cc: out[i] = table[in[i]] on bytes.
void LutKernel(const uint8_t* table, const uint8_t* in, uint8_t* out, size_t n);
// lut_int16.cc (Q13.3, TOSA TABLE int16): 513-entry table, int32 output.
void LutInt16Kernel(const int16_t* table, const int16_t* in, int32_t* out, size_t n);

// Outputs at least this large are written with non-temporal (streaming) stores: half the L2
// as the OS reports it (fallback 1 MiB). Smaller outputs stay in the cache for their consumer;
// larger ones would evict the input (and everything else) on their way to memory anyway, and
// ordinary stores would also read every output line before writing it (RFO).
inline size_t StreamingThresholdBytes() {
  static const size_t threshold = [] {
    const long l2 = sysconf(_SC_LEVEL2_CACHE_SIZE);
    return l2 > 0 ? static_cast<size_t>(l2) / 2 : size_t{1} << 20;
  }();
  return threshold;
}

// a - amount in the lanes where p < bound (AVX-512: one compare into a mask register and one
// masked subtract; elsewhere compare, subtract and blend).
template <class V>
HWY_INLINE V SubWhereLess(V a, V p, V bound, V amount) {
#if HWY_TARGET == HWY_AVX3 || HWY_TARGET == HWY_AVX3_DL
  if constexpr (sizeof(hn::TFromV<V>) == 8) {
    return V{_mm512_mask_sub_epi64(a.raw, _mm512_cmplt_epi64_mask(p.raw, bound.raw), a.raw,
                                   amount.raw)};
  }
#endif
  return hn::IfThenElse(hn::Lt(p, bound), hn::Sub(a, amount), a);
}

#if HWY_TARGET != HWY_SCALAR
// floor(a / 2^t) for t in [32, 63] of two vectors of 64-bit sums a (a_even for the even int32
// lanes, a_odd for the odd ones) as one vector of int32 lanes, where every quotient fits:
// gathers the high halves, floor(a / 2^32), into one vector and shifts all 16 (8, 4) lanes
// right by t - 32 (floor(floor(a / 2^32) / 2^(t-32)) = floor(a / 2^t)). One shift and one
// merging shuffle where shifting both halves and blending takes three vector operations.
template <class DI, class V64>
HWY_INLINE hn::Vec<DI> HighHalvesShiftedRight(DI di, V64 a_even, V64 a_odd,
                                              hn::Vec<DI> count) {
#if HWY_TARGET == HWY_AVX3 || HWY_TARGET == HWY_AVX3_DL
  // Even lanes: a_even's dwords swapped within each pair (high half down); odd lanes keep
  // a_odd's high half, already in place (one vpshufd with a merge mask).
  const hn::Vec<DI> high{_mm512_mask_shuffle_epi32(a_odd.raw, 0x5555, a_even.raw, _MM_PERM_CDAB)};
#else
  const hn::Vec<DI> high =
      hn::OddEven(hn::BitCast(di, a_odd), hn::Shuffle2301(hn::BitCast(di, a_even)));
#endif
  return hn::Shr(high, count);
}
#endif  // HWY_TARGET != HWY_SCALAR

// Requantize dispatch over the variant families (requantize_*.cc). False: TOSA REQUIRE failed.
inline bool RequantizeKernel(const RequantizeJob& job, const int32_t* in, void* out, size_t n) {
  switch (job.variant) {
    case QS_REQUANT_FP32:
      RequantizeFp32Kernel(job, in, out, n);
      return true;
    case QS_REQUANT_DOUBLE_ROUND:
    case QS_REQUANT_DOUBLE_ROUND_WRAP:
      RequantizeDoubleRoundKernel(job, in, out, n);
      return true;
    case QS_REQUANT_NEON_DOUBLE_ROUND:
    case QS_REQUANT_RNDNU16:
      RequantizeDeployedKernel(job, in, out, n);
      return true;
    default:  // int16x8_int64 included, as single_round on the job's derived parameters
      return RequantizeSingleShiftKernel(job, in, out, n);
  }
}

// Per-channel elementwise ops walk the buffer in runs where the channel index rises with the
// element index (element i uses channel i % channels). Runs shorter than a few vectors would
// waste the vector width, so small channel counts are replicated: repeating the parameter
// arrays r times gives the same channel for every element (i % (r*C) % C == i % C).
inline constexpr size_t kMinChannelRun = 64;
inline constexpr size_t kMaxReplicated = 2 * kMinChannelRun;

template <typename T>
inline const T* Replicate(const T* params, size_t channels, size_t replicated, T* storage) {
  if (replicated == channels) return params;
  for (size_t i = 0; i < replicated; ++i) storage[i] = params[i % channels];
  return storage;
}
inline size_t ReplicatedChannels(size_t channels) {
  if (channels >= kMinChannelRun) return channels;
  return channels * ((kMinChannelRun + channels - 1) / channels);
}

}  // namespace quantspec::optimized::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#endif  // include guard
