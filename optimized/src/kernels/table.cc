// The C ABI tables (kernel_abi.h): one per compiled SIMD target, each entry checking its
// parameters (jobs.cc, shared by every target) and then calling that target's kernel.
// qs_kernel_table_get returns the best target's table through HWY_DYNAMIC_DISPATCH;
// quantspec::optimized::compiled_tables() lists every compiled target the CPU supports.
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "kernels/table.cc"
#include "hwy/foreach_target.h"  // IWYU pragma: keep

#include <cmath>
#include <cstring>
#include <memory>
#include <new>

#if defined(__x86_64__) || defined(__i386__)
#include <xmmintrin.h>
#endif

#include "hwy/aligned_allocator.h"
#include "hwy/highway.h"
#include "kernels/ops-inl.h"
#include "kernels/qat_ops-inl.h"
#include "packed_weights.h"
#include "quantspec/kernel_abi.h"

HWY_BEFORE_NAMESPACE();
namespace quantspec::optimized::HWY_NAMESPACE {
namespace {

// The spec's binary32 steps assume round-to-nearest-even with gradual underflow. A host
// process may have changed MXCSR (e.g. FTZ/DAZ from -ffast-math start-up code), so each
// floating-point entry point runs under the default environment and restores the caller's.
class DefaultFpEnvironment {
 public:
#if defined(__x86_64__) || defined(__i386__)
  DefaultFpEnvironment() : saved_(_mm_getcsr()) {
    constexpr unsigned kDefaultMxcsr = 0x1F80;  // all exceptions masked, RNE, no FTZ/DAZ
    if (saved_ != kDefaultMxcsr) _mm_setcsr(kDefaultMxcsr);
  }
  ~DefaultFpEnvironment() {
    if (_mm_getcsr() != saved_) _mm_setcsr(saved_);
  }

 private:
  unsigned saved_;
#endif
};

using detail::CheckDequantize;
using detail::CheckGemm;
using detail::CheckLinear;
using detail::CheckLut;
using detail::CheckQuantize;
using detail::CheckRequantize;

qs_status Quantize(const qs_quantize_params* p, const float* in, void* out, size_t n) {
  const DefaultFpEnvironment fp_environment;
  QuantizeJob job;
  const qs_status s = CheckQuantize(p, false, in, out, n, &job);
  if (s == QS_OK && n > 0) QuantizeKernel(job, in, out, n);
  return s;
}

qs_status QuantizePerChannel(const qs_quantize_params* p, const float* in, void* out, size_t n) {
  const DefaultFpEnvironment fp_environment;
  QuantizeJob job;
  const qs_status s = CheckQuantize(p, true, in, out, n, &job);
  if (s == QS_OK && n > 0) QuantizeKernel(job, in, out, n);
  return s;
}

qs_status Dequantize(const qs_dequantize_params* p, const void* in, float* out, size_t n) {
  const DefaultFpEnvironment fp_environment;
  DequantizeJob job;
  const qs_status s = CheckDequantize(p, false, in, out, n, &job);
  if (s == QS_OK && n > 0) DequantizeKernel(job, in, out, n);
  return s;
}

qs_status DequantizePerChannel(const qs_dequantize_params* p, const void* in, float* out,
                               size_t n) {
  const DefaultFpEnvironment fp_environment;
  DequantizeJob job;
  const qs_status s = CheckDequantize(p, true, in, out, n, &job);
  if (s == QS_OK && n > 0) DequantizeKernel(job, in, out, n);
  return s;
}

qs_status Requantize(const qs_requantize_params* p, const int32_t* in, void* out, size_t n) {
  const DefaultFpEnvironment fp_environment;
  RequantizeJob job;
  const qs_status s = CheckRequantize(p, false, in, out, n, &job);
  if (s != QS_OK || n == 0) return s;
  return RequantizeKernel(job, in, out, n) ? QS_OK : QS_BAD_PARAMETERS;
}

qs_status RequantizePerChannel(const qs_requantize_params* p, const int32_t* in, void* out,
                               size_t n) {
  const DefaultFpEnvironment fp_environment;
  RequantizeJob job;
  const qs_status s = CheckRequantize(p, true, in, out, n, &job);
  if (s != QS_OK || n == 0) return s;
  return RequantizeKernel(job, in, out, n) ? QS_OK : QS_BAD_PARAMETERS;
}

qs_status Gemm(const qs_gemm_params* p, const void* a, size_t a_stride, const int8_t* w,
               size_t w_stride, int32_t* out, size_t out_stride, size_t m, size_t n, size_t k) {
  GemmJob job;
  const qs_status s = CheckGemm(p, a, a_stride, w, w_stride, out, out_stride, m, n, k, &job);
  if (s == QS_OK) GemmKernel(job, a, a_stride, w, w_stride, out, out_stride, m, n, k);
  return s;
}

// Row stride (in int32) of the accumulators linear, linear_packed and the dynamic linears keep
// between their GEMM and their epilogue: n, but not a multiple of 256 (1 KiB): rows a large
// power of two of bytes apart put a block's rows into the same few L1 sets, and the AMX GEMM
// (gemm_amx-inl.h) stores blocks of 32 rows straight into these accumulators.
size_t AccumulatorStride(size_t n) { return n % 256 == 0 ? n + 16 : n; }

// GEMM into an int32 scratch, then the requantize kernel per row (channel = column).
qs_status Linear(const qs_linear_params* p, const void* a, size_t a_stride, const int8_t* w,
                 size_t w_stride, void* out, size_t out_stride, size_t m, size_t n, size_t k) {
  const DefaultFpEnvironment fp_environment;
  GemmJob gemm_job;
  RequantizeJob requant_job;
  const qs_status s = CheckLinear(p, a, a_stride, w, w_stride, out, out_stride, m, n, k,
                                  &gemm_job, &requant_job);
  if (s != QS_OK || m == 0 || n == 0) return s;
  const size_t acc_stride = AccumulatorStride(n);
  auto acc = hwy::AllocateAligned<int32_t>(m * acc_stride);
  if (!acc) return QS_BAD_PARAMETERS;  // no memory: the ABI has no better status
  GemmKernel(gemm_job, a, a_stride, w, w_stride, acc.get(), acc_stride, m, n, k);
  bool ok = true;  // s8 and u8 outputs are both one byte per element
  for (size_t r = 0; r < m; ++r) {
    ok = RequantizeKernel(requant_job, acc.get() + r * acc_stride,
                          static_cast<uint8_t*>(out) + r * out_stride, n) && ok;
  }
  return ok ? QS_OK : QS_BAD_PARAMETERS;
}

// Packed weights (kernel_abi.h): the object keeps W's zero points and bias; the call's
// qs_gemm_params contribute only a_type and a_zero_point.
qs_status PackWeights(const qs_gemm_params* p, const int8_t* w, size_t w_stride, size_t n,
                      size_t k, qs_packed_weights** packed) {
  if (packed == nullptr) return QS_BAD_PARAMETERS;
  *packed = nullptr;
  if (p == nullptr || (w == nullptr && n * k > 0) || (n > 0 && k > 0 && w_stride < k)) {
    return QS_BAD_PARAMETERS;
  }
  // A per-tensor weight zero point is checked even with no column, as gemm checks it (found by
  // fuzz_kernels_differential: N = 0 with Zw = 251 packed, while gemm rejected the same call).
  if (p->w_zero_points == nullptr && (p->w_zero_point < -128 || p->w_zero_point > 127)) {
    return QS_BAD_PARAMETERS;
  }
  const size_t padded = (n + 63) / 64 * 64;
  auto object = std::unique_ptr<qs_packed_weights>(new (std::nothrow) qs_packed_weights);
  if (!object) return QS_BAD_PARAMETERS;  // no memory: the ABI has no better status
  object->n = n;
  object->k = k;
  object->zero_points = hwy::AllocateAligned<int32_t>(padded + 1);
  object->bias = hwy::AllocateAligned<int32_t>(padded + 1);
  if (!object->zero_points || !object->bias) return QS_BAD_PARAMETERS;
  for (size_t col = 0; col < padded; ++col) {
    const int32_t zw = col >= n ? 0 : (p->w_zero_points ? p->w_zero_points[col] : p->w_zero_point);
    if (zw < -128 || zw > 127) return QS_BAD_PARAMETERS;
    object->zero_points[col] = zw;
    object->bias[col] = (col < n && p->bias != nullptr) ? p->bias[col] : 0;
  }
  object->has_bias = p->bias != nullptr;
  GemmJob job{};
  job.w_zero_points = object->zero_points.get();
  job.bias = object->has_bias ? object->bias.get() : nullptr;
  if (!PackWeightsKernel(job, w, w_stride, object.get())) return QS_BAD_PARAMETERS;
  *packed = object.release();
  return QS_OK;
}

void ReleasePacked(qs_packed_weights* packed) { delete packed; }

// The call's parameters with the weight fields replaced by the object's, checked as the
// unpacked operation checks them (against a dense N x K W: the object's own copy).
qs_gemm_params WithPackedWeights(const qs_gemm_params& call, const qs_packed_weights& packed) {
  qs_gemm_params p = call;
  p.w_zero_point = 0;
  p.w_zero_points = packed.zero_points.get();
  p.bias = packed.has_bias ? packed.bias.get() : nullptr;
  return p;
}

qs_status GemmPacked(const qs_gemm_params* p, const void* a, size_t a_stride,
                     const qs_packed_weights* w, int32_t* out, size_t out_stride, size_t m) {
  if (p == nullptr || w == nullptr) return QS_BAD_PARAMETERS;
  const qs_gemm_params call = WithPackedWeights(*p, *w);
  GemmJob job;
  const qs_status s = CheckGemm(&call, a, a_stride, w->panels.get(), w->k, out, out_stride, m,
                                w->n, w->k, &job);
  if (s != QS_OK) return s;
  return GemmPackedKernel(job, a, a_stride, *w, out, out_stride, m) ? QS_OK : QS_BAD_PARAMETERS;
}

// Per-thread int32 scratch for the accumulators of linear_packed (grows, never shrinks).
int32_t* AccumulatorScratch(size_t elements) {
  static thread_local hwy::AlignedFreeUniquePtr<int32_t[]> memory{nullptr, hwy::AlignedFreer()};
  static thread_local size_t capacity = 0;
  if (capacity < elements) {
    memory = hwy::AllocateAligned<int32_t>(elements);
    capacity = memory ? elements : 0;
  }
  return memory.get();
}

qs_status LinearPacked(const qs_linear_params* p, const void* a, size_t a_stride,
                       const qs_packed_weights* w, void* out, size_t out_stride, size_t m) {
  const DefaultFpEnvironment fp_environment;
  if (p == nullptr || w == nullptr) return QS_BAD_PARAMETERS;
  qs_linear_params call = *p;
  call.gemm = WithPackedWeights(p->gemm, *w);
  const size_t n = w->n, k = w->k;
  GemmJob gemm_job;
  RequantizeJob requant_job;
  const qs_status s = CheckLinear(&call, a, a_stride, w->panels.get(), k, out, out_stride, m, n,
                                  k, &gemm_job, &requant_job);
  if (s != QS_OK || m == 0 || n == 0) return s;
  const size_t acc_stride = AccumulatorStride(n);
  int32_t* acc = AccumulatorScratch(m * acc_stride);
  if (acc == nullptr || !GemmPackedKernel(gemm_job, a, a_stride, *w, acc, acc_stride, m)) {
    return QS_BAD_PARAMETERS;  // no memory, or a layout this target cannot run
  }
  bool ok = true;  // s8 and u8 outputs are both one byte per element
  for (size_t r = 0; r < m; ++r) {
    ok = RequantizeKernel(requant_job, acc + r * acc_stride,
                          static_cast<uint8_t*>(out) + r * out_stride, n) && ok;
  }
  return ok ? QS_OK : QS_BAD_PARAMETERS;
}

qs_status Lut(const qs_lut_params* p, const void* in, void* out, size_t n) {
  const qs_status s = CheckLut(p, in, out, n);
  if (s == QS_OK && n > 0) {
    LutKernel(static_cast<const uint8_t*>(p->table), static_cast<const uint8_t*>(in),
              static_cast<uint8_t*>(out), n);
  }
  return s;
}

// Q13.3: TOSA TABLE int16 (checks in jobs.cc).
qs_status LutInt16(const qs_lut_int16_params* p, const int16_t* in, int32_t* out, size_t n) {
  const qs_status s = detail::CheckLutInt16(p, in, out, n);
  if (s == QS_OK && n > 0) LutInt16Kernel(p->table, in, out, n);
  return s;
}

// Q15 fake quantization (qat_jobs.cc checks, fake_quantize.cc computes).
qs_status FakeQuantize(const qs_fake_quant_params* p, const float* in, float* out, uint8_t* mask,
                       size_t n) {
  const DefaultFpEnvironment fp_environment;
  FakeQuantJob job;
  const qs_status s = detail::CheckFakeQuantize(p, false, in, out, mask, n, &job);
  if (s == QS_OK && n > 0) FakeQuantizeKernel(job, in, out, mask, n);
  return s;
}

qs_status FakeQuantizePerChannel(const qs_fake_quant_params* p, const float* in, float* out,
                                 uint8_t* mask, size_t n) {
  const DefaultFpEnvironment fp_environment;
  FakeQuantJob job;
  const qs_status s = detail::CheckFakeQuantize(p, true, in, out, mask, n, &job);
  if (s == QS_OK && n > 0) FakeQuantizeKernel(job, in, out, mask, n);
  return s;
}

// Q17 dynamic quantization (qat_jobs.cc checks, dynamic_quantize.cc computes). A NaN or
// infinite element, or a range without a binary32 scale, is found by the kernel's reduction.
qs_status DynamicQuantize(const qs_dynamic_quantize_params* p, const float* in, void* out,
                          size_t rows, size_t cols, float* scales_out, int32_t* zero_points_out) {
  const DefaultFpEnvironment fp_environment;
  DynamicQuantizeJob job;
  const qs_status s =
      detail::CheckDynamicQuantize(p, in, out, rows, cols, scales_out, zero_points_out, &job);
  if (s != QS_OK) return s;
  return DynamicQuantizeKernel(job, in, cols, out, cols, scales_out, zero_points_out)
             ? QS_OK
             : QS_BAD_PARAMETERS;
}

// Q17.7: x quantized by the dynamic_quantize kernel into a per-thread scratch (rows of k
// bytes), the int32 GEMM (gemm.cc, u8 or s8 activations, Zw = 0, no bias) into another, then
// the binary32 epilogue (dynamic_linear.cc). An infinite D = fl32(Sx_m * Sw[n]) is rejected:
// fl32 is monotone, so some D is infinite exactly when fl32(max Sx * max Sw) is.
struct DynamicLinearScratch {
  hwy::AlignedFreeUniquePtr<uint8_t[]> memory{nullptr, hwy::AlignedFreer()};
  size_t bytes = 0;
};
uint8_t* DynamicLinearBytes(size_t bytes) {
  static thread_local DynamicLinearScratch scratch;
  if (scratch.bytes < bytes) {
    scratch.memory = hwy::AllocateAligned<uint8_t>(bytes);
    scratch.bytes = scratch.memory ? bytes : 0;
  }
  return scratch.memory.get();
}

// The steps after the checks, shared by dynamic_linear and dynamic_linear_packed: `multiply`
// runs the int32 GEMM (GemmJob, qx with row stride k, acc with row stride n) on W in the form
// the caller has it. False: no memory, NaN / inf in x, an ONNX range without a scale (Q17.3),
// an infinite D, or (packed) a layout this target cannot run.
template <class Multiply>
qs_status DynamicLinearSteps(const qs_dynamic_linear_params* p, const DynamicQuantizeJob& job,
                             const float* x, size_t x_stride, float* out, size_t out_stride,
                             size_t m, size_t n, size_t k, const Multiply& multiply) {
  const size_t q_bytes = (m * k + 63) / 64 * 64;
  const size_t params = job.per_row ? m : 1;
  const size_t param_bytes = (params * 4 + 63) / 64 * 64;
  uint8_t* memory = DynamicLinearBytes(q_bytes + 2 * param_bytes);
  const size_t acc_stride = AccumulatorStride(n);
  int32_t* acc = AccumulatorScratch(m * acc_stride);
  if (memory == nullptr || acc == nullptr) return QS_BAD_PARAMETERS;  // no memory
  uint8_t* qx = memory;
  float* x_scales = reinterpret_cast<float*>(memory + q_bytes);
  int32_t* x_zero_points = reinterpret_cast<int32_t*>(memory + q_bytes + param_bytes);
  if (!DynamicQuantizeKernel(job, x, x_stride, qx, k, x_scales, x_zero_points)) {
    return QS_BAD_PARAMETERS;  // NaN / inf in x, or an ONNX range without a scale (Q17.3)
  }
  float max_sx = x_scales[0], max_sw = p->weight_scales[0];
  for (size_t r = 1; r < params; ++r) max_sx = x_scales[r] > max_sx ? x_scales[r] : max_sx;
  for (size_t c = 1; c < n; ++c) max_sw = p->weight_scales[c] > max_sw ? p->weight_scales[c] : max_sw;
  if (std::isinf(max_sx * max_sw)) return QS_BAD_PARAMETERS;
  GemmJob gemm{};
  gemm.a_type = job.output_type;
  gemm.a_zero_point = x_zero_points[0];  // per row: SYMMETRIC_S8, every Zx = 0
  if (!multiply(gemm, qx, acc, acc_stride)) return QS_BAD_PARAMETERS;
  DynamicLinearEpilogue(acc, acc_stride, m, n, x_scales, job.per_row, p->weight_scales, p->bias,
                        out, out_stride);
  return QS_OK;
}

qs_status DynamicLinear(const qs_dynamic_linear_params* p, const float* x, size_t x_stride,
                        const int8_t* w, size_t w_stride, float* out, size_t out_stride, size_t m,
                        size_t n, size_t k) {
  const DefaultFpEnvironment fp_environment;
  DynamicQuantizeJob job;
  const qs_status s = detail::CheckDynamicLinear(p, x, x_stride, w, w_stride, out, out_stride, m,
                                                 n, k, &job);
  if (s != QS_OK) return s;
  return DynamicLinearSteps(p, job, x, x_stride, out, out_stride, m, n, k,
                            [&](const GemmJob& gemm, const uint8_t* qx, int32_t* acc,
                                size_t acc_stride) {
                              GemmKernel(gemm, qx, k, w, w_stride, acc, acc_stride, m, n, k);
                              return true;
                            });
}

// Q17.7 on an object of pack_weights: checked as dynamic_linear against the object's dense
// N x K copy (status order: a selector outside its enum, then NOT_SUPPORTED, then the rest),
// then the object must be symmetric without an int32 bias (Zw = 0 for every column, packed
// without bias). The GEMM is the packed one of linear_packed (gemm.cc: VNNI panels on
// AVX3_DL, int16 pair panels on the other SIMD targets, the row-major copy on HWY_SCALAR) with
// Zw = 0 and no bias, so acc is the same int32 as dynamic_linear's and so is every output.
qs_status DynamicLinearPacked(const qs_dynamic_linear_params* p, const float* x, size_t x_stride,
                              const qs_packed_weights* w, float* out, size_t out_stride,
                              size_t m) {
  const DefaultFpEnvironment fp_environment;
  DynamicQuantizeJob job;
  if (w == nullptr) {  // the status dynamic_linear gives for W = NULL, in the same order
    const qs_status s =
        detail::CheckDynamicLinear(p, x, x_stride, nullptr, 1, out, out_stride, m, 1, 1, &job);
    return s == QS_VARIANT_NOT_SUPPORTED ? s : QS_BAD_PARAMETERS;
  }
  const size_t n = w->n, k = w->k;
  const qs_status s = detail::CheckDynamicLinear(p, x, x_stride,
                                                 reinterpret_cast<const int8_t*>(w->panels.get()),
                                                 k, out, out_stride, m, n, k, &job);
  if (s != QS_OK) return s;
  if (w->has_bias) return QS_BAD_PARAMETERS;  // Q17.7's bias is the float p->bias
  for (size_t c = 0; c < n; ++c) {
    if (w->zero_points[c] != 0) return QS_BAD_PARAMETERS;  // Q17.7's W is symmetric
  }
  return DynamicLinearSteps(p, job, x, x_stride, out, out_stride, m, n, k,
                            [&](const GemmJob& gemm, const uint8_t* qx, int32_t* acc,
                                size_t acc_stride) {
                              return GemmPackedKernel(gemm, qx, k, *w, acc, acc_stride, m);
                            });
}

const char* TargetName() {
  switch (HWY_TARGET) {
    case HWY_AVX3_DL: return "AVX3_DL";
    case HWY_AVX3: return "AVX3";
    case HWY_AVX2: return "AVX2";
    case HWY_SSE4: return "SSE4";
    case HWY_SSSE3: return "SSSE3";
    case HWY_SCALAR: return "scalar";
    default: return "other";
  }
}

qs_kernel_table MakeTable() {
  qs_kernel_table t;
  std::memset(&t, 0, sizeof(t));
  t.abi_version = QS_KERNEL_ABI_VERSION;
  t.struct_size = sizeof(qs_kernel_table);
  t.name = TargetName();
  t.quantize = &Quantize;
  t.quantize_per_channel = &QuantizePerChannel;
  t.dequantize = &Dequantize;
  t.dequantize_per_channel = &DequantizePerChannel;
  t.requantize = &Requantize;
  t.requantize_per_channel = &RequantizePerChannel;
  t.gemm = &Gemm;
  t.linear = &Linear;
  t.lut = &Lut;
  t.lut_int16 = &LutInt16;
  t.fake_quantize = &FakeQuantize;
  t.fake_quantize_per_channel = &FakeQuantizePerChannel;
  t.dynamic_quantize = &DynamicQuantize;
  t.dynamic_linear = &DynamicLinear;
  t.pack_weights = &PackWeights;
  t.release_packed = &ReleasePacked;
  t.linear_packed = &LinearPacked;
  t.gemm_packed = &GemmPacked;
  t.dynamic_linear_packed = &DynamicLinearPacked;
  return t;
}

}  // namespace

const qs_kernel_table* GetTargetTable() {
  static const qs_kernel_table table = MakeTable();
  return &table;
}

}  // namespace quantspec::optimized::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
#include <string>
#include <vector>

#include "quantspec/optimized.h"

namespace quantspec::optimized {

HWY_EXPORT(GetTargetTable);

std::vector<TargetTable> compiled_tables() {
  std::vector<TargetTable> tables;
  const int64_t supported = hwy::SupportedTargets();
  auto add = [&](int64_t target, const qs_kernel_table* (*get)()) {
    if ((supported & target) != 0) tables.push_back({get()->name, get()});
  };
  (void)add;
#if HWY_TARGETS & HWY_AVX3_DL
  add(HWY_AVX3_DL, &N_AVX3_DL::GetTargetTable);
#endif
#if HWY_TARGETS & HWY_AVX3
  add(HWY_AVX3, &N_AVX3::GetTargetTable);
#endif
#if HWY_TARGETS & HWY_AVX2
  add(HWY_AVX2, &N_AVX2::GetTargetTable);
#endif
#if HWY_TARGETS & HWY_SSE4
  add(HWY_SSE4, &N_SSE4::GetTargetTable);
#endif
#if HWY_TARGETS & HWY_SSSE3
  add(HWY_SSSE3, &N_SSSE3::GetTargetTable);
#endif
#if HWY_TARGETS & HWY_SCALAR
  tables.push_back({N_SCALAR::GetTargetTable()->name, N_SCALAR::GetTargetTable()});
#endif
  return tables;
}

const qs_kernel_table* dispatch_table() { return HWY_DYNAMIC_DISPATCH(GetTargetTable)(); }

std::string dispatch_target() { return dispatch_table()->name; }

}  // namespace quantspec::optimized

extern "C" QS_EXPORT const qs_kernel_table* qs_kernel_table_get(uint32_t requested_abi_version) {
  if (requested_abi_version < QS_KERNEL_ABI_VERSION) return nullptr;
  return quantspec::optimized::dispatch_table();
}

#endif  // HWY_ONCE
