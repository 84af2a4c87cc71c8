// int8 GEMM with int32 accumulation (SPEC.md Q5):
//   out[m][n] = bias[n] + sum_k (A[m][k] - Za) * (W[n][k] - Zw[n]),  mod 2^32.
// AVX3_DL: vpdpbusd microkernel (gemm_vnni-inl.h).
// Other SIMD targets: the zero points are subtracted first, in int16 (exact: both factors lie in
// [-255, 255]), and pairs are multiplied and summed into int32 by ReorderWidenMulAccumulate
// (pmaddwd): a pair sum is at most 2 * 255 * 255 = 130050, so nothing saturates, and the int32
// accumulation wraps like the spec's int32 pipeline. W is packed into panels of two vectors of
// columns, each int32 lane holding one column's pair (k, k+1); A is copied as int16 with rows
// padded to an even length; a 4 x 2-vector tile of accumulators is register blocked.
// Packed weights on these targets also keep raw int8 W in the same panel order: calls of few
// rows (M = 1: a GEMV, bound by reading W) read it instead, one byte per weight instead of two
// (gemm_int8_pairs-inl.h).
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "kernels/gemm.cc"
#include "hwy/foreach_target.h"  // IWYU pragma: keep

#include <atomic>
#include <cstring>
#include <utility>

#include "hwy/aligned_allocator.h"
#include "hwy/highway.h"
#include "kernels/gemm_int8_pairs-inl.h"
#include "kernels/gemm_pair_tile-inl.h"
#include "kernels/gemm_vnni-inl.h"
#include "kernels/ops-inl.h"
#include "packed_weights.h"

HWY_BEFORE_NAMESPACE();
namespace quantspec::optimized::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

namespace {

HWY_INLINE int32_t ZeroPointW(const GemmJob& job, size_t col) {
  return job.w_zero_points ? job.w_zero_points[col] : job.w_zero_point;
}

HWY_INLINE int32_t LoadA(const GemmJob& job, const void* a, size_t index) {
  return job.a_type == QS_S8 ? static_cast<const int8_t*>(a)[index]
                             : static_cast<const uint8_t*>(a)[index];
}

// The definition, in uint32 so that wrapping is defined behaviour.
void GemmScalar(const GemmJob& job, const void* a, size_t a_stride, const int8_t* w,
                size_t w_stride, int32_t* out, size_t out_stride, size_t m, size_t n, size_t k) {
  for (size_t r = 0; r < m; ++r) {
    for (size_t c = 0; c < n; ++c) {
      uint32_t acc = job.bias ? static_cast<uint32_t>(job.bias[c]) : 0u;
      const int32_t zw = ZeroPointW(job, c);
      for (size_t kk = 0; kk < k; ++kk) {
        const int32_t x = LoadA(job, a, r * a_stride + kk) - job.a_zero_point;
        const int32_t y = static_cast<int32_t>(w[c * w_stride + kk]) - zw;
        acc += static_cast<uint32_t>(x * y);
      }
      out[r * out_stride + c] = static_cast<int32_t>(acc);
    }
  }
}

#if HWY_TARGET != HWY_SCALAR

using D32 = hn::ScalableTag<int32_t>;

constexpr size_t kRows = 4;

// The largest M that reads the int8 panels (packed_weights.h), per target, from
// linear_int8_panels in quantspec_bench (AMD EPYC Zen 5 class, 1 thread; NOTES.md session 16
// gemv15). AVX3 (32 zmm): the int8 panels are as fast or faster at every M measured (1..16,
// W warm or in DRAM). AVX2 (16 ymm): faster with W in DRAM up to M = 8, but with W cache
// resident slower from M = 4 (the widening costs issue slots the memory no longer hides).
// SSE4: slower even at M = 1 with W in DRAM, so SSE4 keeps no int8 panels.
constexpr size_t kInt8PanelMaxRows = HWY_TARGET == HWY_AVX3 ? 16 : HWY_TARGET == HWY_AVX2 ? 4 : 0;

// One tile of `rows` (1..kRows) rows: pair_tile::Tile for that row count.
// Not inlined: inlined into the caller's loops, GCC 12 kept the caller's vectors live across
// the k loop and spilled an accumulator of the 4-row int8 tile to the stack (a store and
// reload on every iteration's dependency chain: half the MAC rate, AVX2, M = 4).
template <typename PanelT>
HWY_NOINLINE void TileOfRows(size_t rows, const int16_t* a, size_t a_stride, size_t pairs, const PanelT* panel,
                const int32_t* bias, const int32_t* zw, const int32_t* row_sums, int32_t* out,
                size_t out_stride, size_t valid) {
  switch (rows) {
    case 4: pair_tile::Tile<4>(a, a_stride, pairs, panel, bias, zw, row_sums, out, out_stride, valid); break;
    case 3: pair_tile::Tile<3>(a, a_stride, pairs, panel, bias, zw, row_sums, out, out_stride, valid); break;
    case 2: pair_tile::Tile<2>(a, a_stride, pairs, panel, bias, zw, row_sums, out, out_stride, valid); break;
    default: pair_tile::Tile<1>(a, a_stride, pairs, panel, bias, zw, row_sums, out, out_stride, valid); break;
  }
}
static_assert(kRows == 4, "TileOfRows covers 1..4 rows");

size_t Int16PanelColumns() { return 2 * hn::Lanes(D32()); }
size_t Int16PanelElements(size_t n, size_t k) {
  const size_t panel_cols = Int16PanelColumns();
  return (n + panel_cols - 1) / panel_cols * panel_cols * 2 * ((k + 1) / 2) + 64;
}

// (W - Zw) as int16 pairs: panel p, pair q, column c -> two int16 at
// ((p * pairs + q) * panel_cols + c) * 2; zero beyond k and beyond n.
void PackInt16Panels(const GemmJob& job, const int8_t* w, size_t w_stride, size_t n, size_t k,
                     int16_t* HWY_RESTRICT packed_w) {
  const size_t panel_cols = Int16PanelColumns();
  const size_t pairs = (k + 1) / 2;
  const size_t k_padded = 2 * pairs;
  const size_t n_padded = (n + panel_cols - 1) / panel_cols * panel_cols;
  for (size_t col = 0; col < n_padded; ++col) {
    int16_t* dst = packed_w + (col / panel_cols) * pairs * panel_cols * 2 + (col % panel_cols) * 2;
    const bool real = col < n;
    const int32_t zw = real ? ZeroPointW(job, col) : 0;
    for (size_t kk = 0; kk < k_padded; ++kk) {
      const int32_t v = (real && kk < k) ? w[col * w_stride + kk] - zw : 0;
      dst[(kk / 2) * panel_cols * 2 + (kk % 2)] = static_cast<int16_t>(v);
    }
  }
}

// (A - Za) as int16 rows padded to an even length with a zero, and each row's sum S[m] of
// (A - Za) (mod 2^32; the int8 panels' zero-point term), in a per-thread scratch that only
// grows. Its size grows with m alone for a given k, so a call never needs more scratch than an
// earlier call with as many rows had (kernel_abi.h's scratch contract). Null: no memory.
struct ConvertedA {
  const int16_t* rows;      // m rows, stride k_padded
  const int32_t* row_sums;  // m entries
};
bool ConvertA(const GemmJob& job, const void* a, size_t a_stride, size_t m, size_t k,
              ConvertedA* converted) {
  const size_t k_padded = (k + 1) / 2 * 2;
  const size_t elements = m * (k_padded + 2) + 64;  // int16 elements: sums (2 each), rows
  static thread_local hwy::AlignedFreeUniquePtr<int16_t[]> scratch{nullptr, hwy::AlignedFreer()};
  static thread_local size_t scratch_elements = 0;
  if (scratch_elements < elements) {
    scratch = hwy::AllocateAligned<int16_t>(elements);
    scratch_elements = scratch ? elements : 0;
    if (!scratch) return false;
  }
  int32_t* row_sums = reinterpret_cast<int32_t*>(scratch.get());
  int16_t* rows = scratch.get() + 2 * m;
  for (size_t r = 0; r < m; ++r) {
    int16_t* dst = rows + r * k_padded;
    uint32_t sum = 0;
    for (size_t kk = 0; kk < k; ++kk) {
      const int32_t x = LoadA(job, a, r * a_stride + kk) - job.a_zero_point;
      dst[kk] = static_cast<int16_t>(x);
      sum += static_cast<uint32_t>(x);
    }
    if (k_padded > k) dst[k] = 0;
    row_sums[r] = static_cast<int32_t>(sum);
  }
  converted->rows = rows;
  converted->row_sums = row_sums;
  return true;
}

// The product of A and packed W, plus the bias of `job` (padded per panel into a stack array).
// W is read from `int8_panels` (gemm_int8_pairs-inl.h: raw W in the same order, with the
// pack-time zero points `zero_points`) when given and m is at most kInt8PanelMaxRows (unless
// Int8PanelOverride() says otherwise), else from the int16 panels. Panels are the outer loop, so each panel of W is read from memory once
// per call and its later row blocks find it in cache. False: no scratch memory.
bool MultiplyInt16Panels(const GemmJob& job, const void* a, size_t a_stride,
                         const int16_t* packed_w, const int8_t* int8_panels,
                         const int32_t* zero_points, int32_t* out, size_t out_stride, size_t m,
                         size_t n, size_t k) {
  const size_t L = hn::Lanes(D32());
  const size_t panel_cols = 2 * L;
  const size_t pairs = (k + 1) / 2;
  const size_t k_padded = 2 * pairs;
  ConvertedA converted;
  if (!ConvertA(job, a, a_stride, m, k, &converted)) return false;
  bool read_int8 = int8_panels != nullptr && m <= kInt8PanelMaxRows;
  switch (detail::Int8PanelOverride().load(std::memory_order_relaxed)) {
    case detail::Int8PanelUse::kAlways: read_int8 = int8_panels != nullptr; break;
    case detail::Int8PanelUse::kNever: read_int8 = false; break;
    default: break;
  }
  for (size_t col0 = 0; col0 < n; col0 += panel_cols) {
    const size_t panel_index = col0 / panel_cols;
    const size_t valid = n - col0 < panel_cols ? n - col0 : panel_cols;
    HWY_ALIGN int32_t bias[2 * HWY_MAX_BYTES / sizeof(int32_t)] = {};
    for (size_t c = 0; c < valid; ++c) bias[c] = job.bias ? job.bias[col0 + c] : 0;
    for (size_t r = 0; r < m; r += kRows) {
      const int16_t* a_rows = converted.rows + r * k_padded;
      int32_t* o = out + r * out_stride + col0;
      const size_t rows = m - r < kRows ? m - r : kRows;
      const size_t panel_offset = panel_index * pairs * panel_cols * 2;
      if (read_int8) {
        TileOfRows(rows, a_rows, k_padded, pairs, int8_panels + panel_offset, bias, zero_points + col0,
                   converted.row_sums + r, o, out_stride, valid);
      } else {
        TileOfRows(rows, a_rows, k_padded, pairs, packed_w + panel_offset, bias, nullptr, nullptr, o,
                   out_stride, valid);
      }
    }
  }
  return true;
}

bool GemmHighway(const GemmJob& job, const void* a, size_t a_stride, const int8_t* w,
                 size_t w_stride, int32_t* out, size_t out_stride, size_t m, size_t n,
                 size_t k) {
  auto packed_w = hwy::AllocateAligned<int16_t>(Int16PanelElements(n, k));
  if (!packed_w) return false;
  PackInt16Panels(job, w, w_stride, n, k, packed_w.get());
  return MultiplyInt16Panels(job, a, a_stride, packed_w.get(), nullptr, nullptr, out, out_stride,
                             m, n, k);
}

#endif  // HWY_TARGET != HWY_SCALAR

}  // namespace

void GemmKernel(const GemmJob& job, const void* a, size_t a_stride, const int8_t* w,
                size_t w_stride, int32_t* out, size_t out_stride, size_t m, size_t n, size_t k) {
  if (m == 0 || n == 0) return;
#if HWY_TARGET == HWY_AVX3_DL
  if (vnni::Gemm(job, a, a_stride, w, w_stride, out, out_stride, m, n, k)) return;
#elif HWY_TARGET != HWY_SCALAR
  if (GemmHighway(job, a, a_stride, w, w_stride, out, out_stride, m, n, k)) return;
#endif
  // HWY_SCALAR, or no memory for the packed copies: the definition needs no buffer.
  GemmScalar(job, a, a_stride, w, w_stride, out, out_stride, m, n, k);
}

bool PackWeightsKernel(const GemmJob& job, const int8_t* w, size_t w_stride,
                       qs_packed_weights* packed) {
  const size_t n = packed->n, k = packed->k;
#if HWY_TARGET == HWY_AVX3_DL
  if (vnni::PackInto(w, w_stride, n, k, packed)) return true;
#elif HWY_TARGET != HWY_SCALAR
  const size_t int16_bytes = Int16PanelElements(n, k) * sizeof(int16_t);
  auto panels = hwy::AllocateAligned<uint8_t>(int16_bytes);
  hwy::AlignedFreeUniquePtr<uint8_t[]> int8_panels{nullptr, hwy::AlignedFreer()};
  if (kInt8PanelMaxRows > 0) int8_panels = hwy::AllocateAligned<uint8_t>(int8_pairs::PanelBytes(n, k));
  if (panels && (int8_panels || kInt8PanelMaxRows == 0)) {
    // Zeroed first: the padding and the tail are then a function of W too (packing twice gives
    // the same bytes).
    std::memset(panels.get(), 0, int16_bytes);
    PackInt16Panels(job, w, w_stride, n, k, reinterpret_cast<int16_t*>(panels.get()));
    if (int8_panels) {
      int8_pairs::PackPanels(w, w_stride, n, k, reinterpret_cast<int8_t*>(int8_panels.get()));
    }
    packed->panels = std::move(panels);
    packed->int8_panels = std::move(int8_panels);
    packed->layout = detail::PackedLayout::kInt16Panels;
    packed->lanes = hn::Lanes(D32());
    return true;
  }
#endif
  (void)job;
  // The row-major copy every target can run (and the only layout of HWY_SCALAR).
  packed->panels = hwy::AllocateAligned<uint8_t>(n * k + 1);
  if (!packed->panels) return false;
  packed->panels[n * k] = 0;  // the spare byte too is a function of W
  for (size_t col = 0; col < n; ++col) {
    if (k > 0) std::memcpy(packed->panels.get() + col * k, w + col * w_stride, k);
  }
  packed->layout = detail::PackedLayout::kRowMajor;
  return true;
}

bool GemmPackedKernel(const GemmJob& job, const void* a, size_t a_stride,
                      const qs_packed_weights& packed, int32_t* out, size_t out_stride,
                      size_t m) {
  if (m == 0 || packed.n == 0) return true;
  switch (packed.layout) {
#if HWY_TARGET == HWY_AVX3_DL
    case detail::PackedLayout::kVnniPanels:
      return vnni::GemmPacked(job, a, a_stride, packed, out, out_stride, m);
#elif HWY_TARGET != HWY_SCALAR
    case detail::PackedLayout::kInt16Panels:
      if (packed.lanes != hn::Lanes(D32())) return false;
      return MultiplyInt16Panels(job, a, a_stride,
                                 reinterpret_cast<const int16_t*>(packed.panels.get()),
                                 reinterpret_cast<const int8_t*>(packed.int8_panels.get()),
                                 packed.zero_points.get(), out, out_stride, m, packed.n,
                                 packed.k);
#endif
    case detail::PackedLayout::kRowMajor:
      GemmScalar(job, a, a_stride, reinterpret_cast<const int8_t*>(packed.panels.get()),
                 packed.k, out, out_stride, m, packed.n, packed.k);
      return true;
    default:
      return false;  // packed by another target for a microkernel this one does not have
  }
}

}  // namespace quantspec::optimized::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace quantspec::optimized::detail {

std::atomic<Int8PanelUse>& Int8PanelOverride() {
  static std::atomic<Int8PanelUse> use{Int8PanelUse::kByRows};
  return use;
}

}  // namespace quantspec::optimized::detail
#endif  // HWY_ONCE
