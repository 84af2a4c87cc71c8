// int8 GEMM on AVX-512 VNNI (AVX3_DL target): vpdpbusd (_mm512_dpbusd_epi32) multiplies
// unsigned bytes by signed bytes and adds each group of four products to an int32 lane
// without any intermediate saturation (unlike vpmaddubsw's int16 pairs) and wraps mod 2^32.
//
// The unsigned operand is A: s8 activations are offset by +128 (a ^ 0x80), and the identity
//   sum_k (a-Za)(w-Zw) = sum_k (a+128) w - (128 + Za) sum_k w - Zw sum_k a + K Za Zw
// moves every correction into a per-column bias (bias - (128+Za) sum w + K Za Zw) and, when a
// weight zero point is non-zero, a rank-one row term (- Zw[n] * sum_k a[m][k]). All of it is
// computed mod 2^32 (uint32), where the identity holds because it holds in the integers.
//
// W is packed (once per call, or once for all calls by pack_weights) into panels of 64 columns
// (four zmm of 16 int32 lanes); a panel is four quarters of 16 columns, one after the other, and
// in a quarter each group of four k holds, for its 16 columns, their four consecutive bytes (64
// bytes: one zmm, and one row of an AMX B tile, so that a tile of 16 groups is 1 KiB of
// consecutive bytes). Blocks of 16 columns x 16 groups come from a dword transpose of 16 row
// loads, the rest from gathers; the column sums for the bias come from vpdpbusd of the packed
// bytes with ones. The packed copies live in a per-thread scratch buffer reused across calls.
// A is copied into rows padded to a multiple of four bytes (the padded W is zero, so padding
// never contributes).
// The microkernel keeps a 6 x 64 tile in 24 zmm accumulators; calls of kAmxMinRows rows or
// more run on AMX tiles instead where the process may (gemm_amx-inl.h), on the same panels.
// Included by gemm.cc for HWY_TARGET == HWY_AVX3_DL only.
#if defined(QUANTSPEC_OPTIMIZED_GEMM_VNNI_INL_H_) == defined(HWY_TARGET_TOGGLE)
#ifdef QUANTSPEC_OPTIMIZED_GEMM_VNNI_INL_H_
#undef QUANTSPEC_OPTIMIZED_GEMM_VNNI_INL_H_
#else
#define QUANTSPEC_OPTIMIZED_GEMM_VNNI_INL_H_
#endif

// Every pass of foreach_target includes it (its per-target guard toggles once per pass).
#include "kernels/gemm_amx-inl.h"

#if HWY_TARGET == HWY_AVX3_DL

#include <immintrin.h>

#include <cstring>

#include "hwy/aligned_allocator.h"
#include "hwy/highway.h"
#include "amx_support.h"
#include "kernels/ops-inl.h"
#include "packed_weights.h"

HWY_BEFORE_NAMESPACE();
namespace quantspec::optimized::HWY_NAMESPACE {
namespace vnni {

inline constexpr size_t kPanel = 64;    // columns per packed W panel (4 zmm x 16 int32)
inline constexpr size_t kQuarter = 16;  // columns per quarter of a panel (one zmm)
// Byte offset, in a panel of `groups` groups, of group g of quarter u (64 bytes: 16 columns x 4).
inline size_t QuarterOffset(size_t groups, size_t g, size_t u) { return (u * groups + g) * 64; }
inline constexpr size_t kRows = 6;    // rows per microkernel tile: 6 x 4 = 24 accumulators
// K block: 1024 k. The panel slice (64 KiB) is read from L2 at 256 bytes per 24 vpdpbusd, well
// within L2 bandwidth; longer blocks mean fewer passes of partial sums through `out`. Measured
// on this project's Sapphire Rapids VM (noisy, shared), M=N=K=1024: 160-205 GMAC/s with 256 k
// blocks, 230-256 with 512 k, 255-272 with 1024 k.
inline constexpr size_t kBlockGroups = 256;
// Calls of at least this many rows run on AMX tiles where amx_support.h allows it (below it
// the 6-row vpdpbusd tile, which wastes no rows of a 16-row tile).
inline constexpr size_t kAmxMinRows = 16;

// The VNNI instructions need avx512vnni, which the AVX3_DL target string does not name; these
// functions are internal (never declared elsewhere), so the attribute cannot create a
// separate function version of a declared symbol.
#define QS_VNNI_ATTR __attribute__((target("avx512f,avx512bw,avx512dq,avx512vl,avx512vnni")))

// MR x 64 tile, K in groups of four: acc[r][u] += A[r][4g..4g+3] . W[panel col 16u+j][4g..].
// Then out = acc + col_bias[n] - zw[n] * row_sum[m] (mod 2^32), columns >= valid masked out.
// K is blocked (kBlockGroups groups at a time) so that the panel's slice stays cached while the
// tiles of every row block use it; partial sums live in `out` between blocks (first: start from
// zero; last: apply the column bias and row term).
// `panel` points at group g0 of quarter 0; quarter u starts quarter_bytes after quarter u-1.
template <size_t MR>
QS_VNNI_ATTR void Tile(const uint8_t* HWY_RESTRICT a, size_t a_stride, size_t groups,
                       const int8_t* HWY_RESTRICT panel, size_t quarter_bytes,
                       const int32_t* HWY_RESTRICT col_bias,
                       const int32_t* HWY_RESTRICT zw, const int32_t* HWY_RESTRICT row_sum,
                       int32_t* HWY_RESTRICT out, size_t out_stride, size_t valid, bool first,
                       bool last) {
  __m512i acc[MR][4];
#pragma GCC unroll 8
  for (size_t r = 0; r < MR; ++r) {
#pragma GCC unroll 4
    for (size_t u = 0; u < 4; ++u) acc[r][u] = _mm512_setzero_si512();
  }
  const int8_t* w = panel;
  for (size_t g = 0; g < groups; ++g, w += 64) {
    const __m512i w0 = _mm512_load_si512(w);
    const __m512i w1 = _mm512_load_si512(w + quarter_bytes);
    const __m512i w2 = _mm512_load_si512(w + 2 * quarter_bytes);
    const __m512i w3 = _mm512_load_si512(w + 3 * quarter_bytes);
#pragma GCC unroll 8
    for (size_t r = 0; r < MR; ++r) {
      int32_t four;
      std::memcpy(&four, a + r * a_stride + 4 * g, sizeof(four));
      const __m512i av = _mm512_set1_epi32(four);
      acc[r][0] = _mm512_dpbusd_epi32(acc[r][0], av, w0);
      acc[r][1] = _mm512_dpbusd_epi32(acc[r][1], av, w1);
      acc[r][2] = _mm512_dpbusd_epi32(acc[r][2], av, w2);
      acc[r][3] = _mm512_dpbusd_epi32(acc[r][3], av, w3);
    }
  }
  // Epilogue (mod 2^32: vpaddd / vpmulld wrap). Earlier K blocks' sums are added from `out`.
#pragma GCC unroll 4
  for (size_t u = 0; u < 4; ++u) {
    const size_t first_col = 16 * u;
    if (first_col >= valid) break;
    const size_t lanes = valid - first_col < 16 ? valid - first_col : 16;
    const __mmask16 mask = lanes == 16 ? __mmask16(0xFFFF) : __mmask16((1u << lanes) - 1);
    const __m512i bias = _mm512_loadu_si512(col_bias + first_col);
    const __m512i zwv = zw ? _mm512_loadu_si512(zw + first_col) : _mm512_setzero_si512();
#pragma GCC unroll 8
    for (size_t r = 0; r < MR; ++r) {
      int32_t* o = out + r * out_stride + first_col;
      __m512i v = acc[r][u];
      if (!first) v = _mm512_add_epi32(v, _mm512_maskz_loadu_epi32(mask, o));
      if (last) {
        v = _mm512_add_epi32(v, bias);
        if (zw) v = _mm512_sub_epi32(v, _mm512_mullo_epi32(zwv, _mm512_set1_epi32(row_sum[r])));
      }
      _mm512_mask_storeu_epi32(o, mask, v);
    }
  }
}

// Dispatches the M tail to the tile height that is left.
QS_VNNI_ATTR inline void TileRows(size_t rows, const uint8_t* a, size_t a_stride, size_t groups,
                                  const int8_t* panel, size_t quarter_bytes,
                                  const int32_t* col_bias,
                                  const int32_t* zw, const int32_t* row_sum, int32_t* out,
                                  size_t out_stride, size_t valid, bool first, bool last) {
#define QS_TILE(R) \
  return Tile<R>(a, a_stride, groups, panel, quarter_bytes, col_bias, zw, row_sum, out, \
                 out_stride, valid, first, last)
  switch (rows) {
    case 6: QS_TILE(6);
    case 5: QS_TILE(5);
    case 4: QS_TILE(4);
    case 3: QS_TILE(3);
    case 2: QS_TILE(2);
    default: QS_TILE(1);
  }
#undef QS_TILE
}

// Per-thread scratch memory reused across calls (grown when a call needs more), so that a call
// does not pay for fresh pages (allocation + page faults) every time.
struct Scratch {
  hwy::AlignedFreeUniquePtr<uint8_t[]> memory{nullptr, hwy::AlignedFreer()};
  size_t bytes = 0;
};
inline uint8_t* ScratchBytes(size_t bytes) {
  static thread_local Scratch scratch;
  if (scratch.bytes < bytes) {
    scratch.memory = hwy::AllocateAligned<uint8_t>(bytes);
    scratch.bytes = scratch.memory ? bytes : 0;
  }
  return scratch.memory.get();
}
inline size_t RoundUp64(size_t v) { return (v + 63) / 64 * 64; }

// Transposes 16 x 16 dwords: out[c] holds dword c of in[0..15] (4 stages of 16 shuffles).
QS_VNNI_ATTR inline void Transpose16x16Dwords(const __m512i in[16], __m512i out[16]) {
  __m512i pairs[16], quads[16];
  for (int i = 0; i < 8; ++i) {
    pairs[2 * i] = _mm512_unpacklo_epi32(in[2 * i], in[2 * i + 1]);
    pairs[2 * i + 1] = _mm512_unpackhi_epi32(in[2 * i], in[2 * i + 1]);
  }
  // quads[4i + j], 128-bit lane L: dword 4L + j of in[4i .. 4i + 3].
  for (int i = 0; i < 4; ++i) {
    quads[4 * i] = _mm512_unpacklo_epi64(pairs[4 * i], pairs[4 * i + 2]);
    quads[4 * i + 1] = _mm512_unpackhi_epi64(pairs[4 * i], pairs[4 * i + 2]);
    quads[4 * i + 2] = _mm512_unpacklo_epi64(pairs[4 * i + 1], pairs[4 * i + 3]);
    quads[4 * i + 3] = _mm512_unpackhi_epi64(pairs[4 * i + 1], pairs[4 * i + 3]);
  }
  for (int j = 0; j < 4; ++j) {
    const __m512i even01 = _mm512_shuffle_i32x4(quads[j], quads[4 + j], 0x88);  // lanes 0, 2
    const __m512i odd01 = _mm512_shuffle_i32x4(quads[j], quads[4 + j], 0xDD);   // lanes 1, 3
    const __m512i even23 = _mm512_shuffle_i32x4(quads[8 + j], quads[12 + j], 0x88);
    const __m512i odd23 = _mm512_shuffle_i32x4(quads[8 + j], quads[12 + j], 0xDD);
    out[j] = _mm512_shuffle_i32x4(even01, even23, 0x88);       // lane 0: dword j
    out[8 + j] = _mm512_shuffle_i32x4(even01, even23, 0xDD);   // lane 2: dword 8 + j
    out[4 + j] = _mm512_shuffle_i32x4(odd01, odd23, 0x88);     // lane 1: dword 4 + j
    out[12 + j] = _mm512_shuffle_i32x4(odd01, odd23, 0xDD);    // lane 3: dword 12 + j
  }
}

// Packs columns [col0, col0 + 64) of W (rows of w, `cols` of them real) into one panel:
// group g, column c -> 4 bytes at QuarterOffset(groups, g, c / 16) + (c % 16) * 4, zero beyond
// k and beyond `cols`. Blocks of 16 full groups x 16 columns are 16 row loads of 64 bytes and a
// 16 x 16 dword transpose; the remaining full groups take one gather per 16 columns (index =
// column offset, 4 bytes per lane); the last partial group of k is copied bytewise (a 4-byte
// read could pass the row's end). Then each column's sum of its k weights (vpdpbusd of the
// packed bytes with 1s).
QS_VNNI_ATTR inline void PackPanel(const int8_t* w, size_t w_stride, size_t cols, size_t k,
                                   size_t groups, int8_t* HWY_RESTRICT panel,
                                   int32_t* HWY_RESTRICT col_sums) {
  const size_t full_groups = k / 4;
  size_t n_lanes[4];
  __m512i index[4];
  __mmask16 lanes[4];
  for (size_t u = 0; u < 4; ++u) {
    const size_t first = 16 * u;
    n_lanes[u] = cols > first ? (cols - first < 16 ? cols - first : 16) : 0;
    lanes[u] = static_cast<__mmask16>((1u << n_lanes[u]) - 1);
    index[u] = _mm512_mullo_epi32(
        _mm512_add_epi32(_mm512_set1_epi32(static_cast<int32_t>(first)),
                         _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15)),
        _mm512_set1_epi32(static_cast<int32_t>(w_stride)));
  }
  const size_t transposed_groups = full_groups / 16 * 16;
  for (size_t g0 = 0; g0 < transposed_groups; g0 += 16) {
    for (size_t u = 0; u < 4; ++u) {
      __m512i rows[16], packed[16];
      for (size_t j = 0; j < 16; ++j) {
        rows[j] = j < n_lanes[u] ? _mm512_loadu_si512(w + (16 * u + j) * w_stride + 4 * g0)
                                 : _mm512_setzero_si512();
      }
      Transpose16x16Dwords(rows, packed);
      for (size_t g = 0; g < 16; ++g) {
        _mm512_store_si512(panel + QuarterOffset(groups, g0 + g, u), packed[g]);
      }
    }
  }
  for (size_t g = transposed_groups; g < groups; ++g) {
    if (g < full_groups) {
      const int8_t* base = w + 4 * g;
#pragma GCC unroll 4
      for (size_t u = 0; u < 4; ++u) {
        // Masked-off lanes are not read (columns beyond n).
        _mm512_store_si512(panel + QuarterOffset(groups, g, u),
                           _mm512_mask_i32gather_epi32(_mm512_setzero_si512(), lanes[u],
                                                       index[u], base, 1));
      }
    } else {
      for (size_t u = 0; u < 4; ++u) std::memset(panel + QuarterOffset(groups, g, u), 0, 64);
      for (size_t c = 0; c < cols; ++c) {
        int8_t* dst = panel + QuarterOffset(groups, g, c / kQuarter) + (c % kQuarter) * 4;
        for (size_t kk = 4 * g; kk < k; ++kk) dst[kk - 4 * g] = w[c * w_stride + kk];
      }
    }
  }
  const __m512i ones = _mm512_set1_epi8(1);
  __m512i sums[4] = {_mm512_setzero_si512(), _mm512_setzero_si512(), _mm512_setzero_si512(),
                     _mm512_setzero_si512()};
  for (size_t g = 0; g < groups; ++g) {
#pragma GCC unroll 4
    for (size_t u = 0; u < 4; ++u) {
      sums[u] = _mm512_dpbusd_epi32(sums[u], ones,
                                    _mm512_load_si512(panel + QuarterOffset(groups, g, u)));
    }
  }
  for (size_t u = 0; u < 4; ++u) _mm512_storeu_si512(col_sums + 16 * u, sums[u]);
}

inline size_t Groups(size_t k) { return (k + 3) / 4; }
inline size_t PaddedColumns(size_t n) { return (n + kPanel - 1) / kPanel * kPanel; }
inline size_t PanelDataBytes(size_t n, size_t k) { return PaddedColumns(n) * 4 * Groups(k); }
// Panels plus the bytes an AMX tile may read past the last one (gemm_amx-inl.h), zeroed.
inline size_t PanelBytes(size_t n, size_t k) { return RoundUp64(PanelDataBytes(n, k) + amx::kAmxSlack); }
// Gathers index W with int32 offsets: beyond this row stride W cannot be packed here.
inline bool CanPack(size_t w_stride) { return w_stride <= (size_t{1} << 24); }

// W panels: panel p, group g, column c (0..63) -> 4 bytes at ((p*groups + g)*64 + c)*4, and
// each column's sum of weights (col_sum has PaddedColumns(n) entries; padding columns get 0).
QS_VNNI_ATTR inline void PackWeights(const int8_t* w, size_t w_stride, size_t n, size_t k,
                                     int8_t* packed_w, int32_t* col_sum) {
  const size_t groups = Groups(k);
  for (size_t col0 = 0; col0 < PaddedColumns(n); col0 += kPanel) {
    PackPanel(w + col0 * w_stride, w_stride, n - col0 < kPanel ? n - col0 : kPanel, k, groups,
              packed_w + (col0 / kPanel) * groups * kPanel * 4, col_sum + col0);
  }
  std::memset(packed_w + PanelDataBytes(n, k), 0, PanelBytes(n, k) - PanelDataBytes(n, k));
}

// How the A side is laid out for a call: rows of row_bytes (>= 4 * Groups(k)), `rows` of them
// (>= m; rows beyond m are zero). The vpdpbusd tile needs whole groups of four k; the AMX tiles
// need rows of whole 64-byte steps and whole 16-row tiles.
struct ActivationLayout {
  bool amx = false;
  size_t row_bytes = 0;
  size_t rows = 0;
};
inline ActivationLayout LayoutFor(size_t m, size_t k) {
  if (m >= kAmxMinRows && detail::AmxEnabledForCall()) {
    return {true, amx::RowBytes(k), amx::PaddedRows(m)};
  }
  return {false, 4 * Groups(k), m};
}

// The A side, once per call: rows offset to unsigned and padded with zeros to the layout's row
// bytes and rows, and the row sums of the original values (for the weight zero point's
// rank-one term). The vpdpbusd tile reads rows one after the other (row r at r * row_bytes);
// the AMX tiles read 16 rows x 64 bytes, so there each tile is 1 KiB of consecutive bytes:
// row r, bytes [64 s, 64 s + 64) at ((r / 16) * steps + s) * 1024 + (r % 16) * 64, which
// spans the same PaddedRows(m) * row_bytes bytes. 64 bytes at a time (masked at the row's end,
// so nothing past it is read), the sums by vpsadbw.
QS_VNNI_ATTR inline void PackActivations(const GemmJob& job, const void* a_in, size_t a_stride,
                                         size_t m, size_t k, const ActivationLayout& layout,
                                         uint8_t* packed_a, int32_t* row_sum) {
  const size_t k_padded = layout.row_bytes;
  const bool is_s8 = job.a_type == QS_S8;
  const __m512i flip = _mm512_set1_epi8(is_s8 ? static_cast<char>(0x80) : 0);
  const __m512i zero = _mm512_setzero_si512();
  for (size_t r = 0; r < layout.rows; ++r) {
    const uint8_t* src = r < m ? static_cast<const uint8_t*>(a_in) + r * a_stride : nullptr;
    const size_t valid_k = r < m ? k : 0;  // rows beyond m are zeros
    // Sum of the stored (unsigned) bytes in 64-bit lanes (vpsadbw against zero).
    __m512i sums = _mm512_setzero_si512();
    for (size_t c0 = 0; c0 < k_padded; c0 += 64) {
      uint8_t* dst = layout.amx ? packed_a + (r / amx::kTileRows) * amx::kTileRows * k_padded +
                                      (c0 / amx::kStepBytes) * amx::kTileBytes +
                                      (r % amx::kTileRows) * amx::kStepBytes
                                : packed_a + r * k_padded + c0;
      const size_t load = valid_k > c0 ? (valid_k - c0 < 64 ? valid_k - c0 : 64) : 0;
      const size_t store = k_padded - c0 < 64 ? k_padded - c0 : 64;
      const __mmask64 load_mask = load == 64 ? ~__mmask64{0} : (__mmask64{1} << load) - 1;
      const __mmask64 store_mask = store == 64 ? ~__mmask64{0} : (__mmask64{1} << store) - 1;
      // Masked-off bytes are neither read (past the row's end) nor flipped (they stay 0).
      const __m512i v = load == 0 ? zero : _mm512_maskz_loadu_epi8(load_mask, src + c0);
      const __m512i u = _mm512_maskz_mov_epi8(load_mask, _mm512_xor_si512(v, flip));
      sums = _mm512_add_epi64(sums, _mm512_sad_epu8(u, zero));
      _mm512_mask_storeu_epi8(dst, store_mask, u);
    }
    if (r < m) {
      // s8: each stored byte is a + 128, so the sum of the a is the stored sum - 128 k (mod 2^32).
      const uint64_t stored = static_cast<uint64_t>(_mm512_reduce_add_epi64(sums));
      const uint32_t offsets = is_s8 ? 128u * static_cast<uint32_t>(k) : 0u;
      row_sum[r] = static_cast<int32_t>(static_cast<uint32_t>(stored) - offsets);
    }
  }
}

// Column n's term of the identity above: bias - (128 + Za) sum w + K Za Zw (mod 2^32).
inline int32_t ColumnBias(const GemmJob& job, const int32_t* col_sum, size_t k, size_t col) {
  const uint32_t a_offset = job.a_type == QS_S8 ? 128u : 0u;
  const uint32_t za = static_cast<uint32_t>(job.a_zero_point);
  const int32_t zwn = job.w_zero_points ? job.w_zero_points[col] : job.w_zero_point;
  const uint32_t bias = job.bias ? static_cast<uint32_t>(job.bias[col]) : 0u;
  return static_cast<int32_t>(bias - (a_offset + za) * static_cast<uint32_t>(col_sum[col]) +
                              static_cast<uint32_t>(k) * za * static_cast<uint32_t>(zwn));
}

// The product of packed A and packed W. The zero points and the bias come from `job` (the
// caller's parameters, or a packed object's copies). The column terms (ColumnBias) and zero
// points are formed per panel of 64 columns in stack arrays for the vpdpbusd tile, and for all
// columns at once in `column_terms` (2 * PaddedColumns(n) int32, ActivationScratch) for AMX.
// A laid out by `layout` (ActivationLayout): AMX tiles, else the vpdpbusd tile.
QS_VNNI_ATTR inline void MultiplyPacked(const GemmJob& job, const uint8_t* packed_a,
                                        const ActivationLayout& layout, const int32_t* row_sum,
                                        size_t m, size_t k, const int8_t* packed_w,
                                        const int32_t* col_sum, size_t n, int32_t* column_terms,
                                        int32_t* out, size_t out_stride) {
  const size_t groups = Groups(k);
  const size_t k_padded = layout.row_bytes;
  bool any_zw = false;
  for (size_t col = 0; col < n; ++col) {
    any_zw = any_zw || (job.w_zero_points ? job.w_zero_points[col] : job.w_zero_point) != 0;
  }
  if (layout.amx) {
    const size_t padded = PaddedColumns(n);
    int32_t* col_bias = column_terms;
    int32_t* zw = column_terms + padded;
    for (size_t col = 0; col < padded; ++col) {
      col_bias[col] = col < n ? ColumnBias(job, col_sum, k, col) : 0;
      zw[col] = col >= n ? 0 : job.w_zero_points ? job.w_zero_points[col] : job.w_zero_point;
    }
    amx::Begin();
    amx::Multiply(packed_a, row_sum, m, k, packed_w, QuarterOffset(groups, 0, 4),
                  QuarterOffset(groups, 0, 1), col_bias, any_zw ? zw : nullptr, n, out,
                  out_stride);
    amx::End();
    return;
  }
  for (size_t col0 = 0; col0 < n; col0 += kPanel) {
    const int8_t* panel = packed_w + (col0 / kPanel) * groups * kPanel * 4;
    const size_t valid = n - col0 < kPanel ? n - col0 : kPanel;
    alignas(64) int32_t col_bias[kPanel] = {};
    alignas(64) int32_t zw[kPanel] = {};
    for (size_t c = 0; c < valid; ++c) {
      const size_t col = col0 + c;
      zw[c] = job.w_zero_points ? job.w_zero_points[col] : job.w_zero_point;
      col_bias[c] = ColumnBias(job, col_sum, k, col);
    }
    // groups == 0 (K == 0) still needs one pass to write the bias.
    for (size_t g0 = 0; g0 < groups || g0 == 0; g0 += kBlockGroups) {
      const size_t block = groups - g0 < kBlockGroups ? groups - g0 : kBlockGroups;
      const bool first = g0 == 0;
      const bool last = g0 + block >= groups;
      for (size_t r = 0; r < m; r += kRows) {
        const size_t rows = m - r < kRows ? m - r : kRows;
        TileRows(rows, packed_a + r * k_padded + 4 * g0, k_padded, block,
                 panel + QuarterOffset(groups, g0, 0), QuarterOffset(groups, 0, 1), col_bias,
                 any_zw ? zw : nullptr, row_sum + r,
                 out + r * out_stride + col0, out_stride, valid, first, last);
      }
      if (groups == 0) break;
    }
  }
}

// Activations' scratch: packed A rows and their sums, and for AMX the column terms of n
// columns (MultiplyPacked), from the per-thread scratch. Returns nullptr if it could not be
// allocated.
inline uint8_t* ActivationScratch(size_t extra_front, const ActivationLayout& layout, size_t n,
                                  uint8_t** packed_a, int32_t** row_sum,
                                  int32_t** column_terms) {
  const size_t a_bytes = RoundUp64(layout.rows * layout.row_bytes + 64);
  const size_t m_bytes = RoundUp64((layout.rows + amx::kBlockRows) * sizeof(int32_t));
  const size_t n_bytes = layout.amx ? 2 * PaddedColumns(n) * sizeof(int32_t) : 0;
  uint8_t* memory = ScratchBytes(extra_front + a_bytes + m_bytes + n_bytes);
  if (memory == nullptr) return nullptr;
  *packed_a = memory + extra_front;
  *row_sum = reinterpret_cast<int32_t*>(memory + extra_front + a_bytes);
  *column_terms = reinterpret_cast<int32_t*>(memory + extra_front + a_bytes + m_bytes);
  return memory;
}

// Unpacked GEMM: W packed into the per-thread scratch for this call. Returns false if a buffer
// could not be allocated or W's stride is too large to gather from.
QS_VNNI_ATTR inline bool Gemm(const GemmJob& job, const void* a_in, size_t a_stride,
                              const int8_t* w, size_t w_stride, int32_t* out, size_t out_stride,
                              size_t m, size_t n, size_t k) {
  if (!CanPack(w_stride)) return false;
  const size_t w_bytes = PanelBytes(n, k);
  const size_t sum_bytes = RoundUp64(PaddedColumns(n) * sizeof(int32_t));
  uint8_t* packed_a = nullptr;
  int32_t* row_sum = nullptr;
  int32_t* column_terms = nullptr;
  const ActivationLayout layout = LayoutFor(m, k);
  uint8_t* memory =
      ActivationScratch(w_bytes + sum_bytes, layout, n, &packed_a, &row_sum, &column_terms);
  if (memory == nullptr) return false;
  int8_t* packed_w = reinterpret_cast<int8_t*>(memory);
  int32_t* col_sum = reinterpret_cast<int32_t*>(memory + w_bytes);
  PackWeights(w, w_stride, n, k, packed_w, col_sum);
  PackActivations(job, a_in, a_stride, m, k, layout, packed_a, row_sum);
  MultiplyPacked(job, packed_a, layout, row_sum, m, k, packed_w, col_sum, n, column_terms, out,
                 out_stride);
  return true;
}

// Packs W into `packed` (kVnniPanels). False: no memory, or W's stride too large.
QS_VNNI_ATTR inline bool PackInto(const int8_t* w, size_t w_stride, size_t n, size_t k,
                                  qs_packed_weights* packed) {
  if (!CanPack(w_stride)) return false;
  packed->panels = hwy::AllocateAligned<uint8_t>(PanelBytes(n, k));
  // + 16: Highway asserts on a zero-byte allocation, and N = 0 is a valid (empty) W.
  packed->column_sums = hwy::AllocateAligned<int32_t>(PaddedColumns(n) + 16);
  if (!packed->panels || !packed->column_sums) return false;
  PackWeights(w, w_stride, n, k, reinterpret_cast<int8_t*>(packed->panels.get()),
              packed->column_sums.get());
  packed->layout = detail::PackedLayout::kVnniPanels;
  return true;
}

// GEMM on a kVnniPanels object; `job` carries the call's A parameters and the object's zero
// points and bias. False: no scratch memory.
QS_VNNI_ATTR inline bool GemmPacked(const GemmJob& job, const void* a_in, size_t a_stride,
                                    const qs_packed_weights& packed, int32_t* out,
                                    size_t out_stride, size_t m) {
  uint8_t* packed_a = nullptr;
  int32_t* row_sum = nullptr;
  int32_t* column_terms = nullptr;
  const ActivationLayout layout = LayoutFor(m, packed.k);
  if (ActivationScratch(0, layout, packed.n, &packed_a, &row_sum, &column_terms) == nullptr) {
    return false;
  }
  PackActivations(job, a_in, a_stride, m, packed.k, layout, packed_a, row_sum);
  MultiplyPacked(job, packed_a, layout, row_sum, m, packed.k,
                 reinterpret_cast<const int8_t*>(packed.panels.get()), packed.column_sums.get(),
                 packed.n, column_terms, out, out_stride);
  return true;
}

#undef QS_VNNI_ATTR

}  // namespace vnni
}  // namespace quantspec::optimized::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#endif  // HWY_TARGET == HWY_AVX3_DL
#endif  // include guard
