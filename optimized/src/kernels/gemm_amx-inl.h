// int8 GEMM on Intel AMX (AVX3_DL target, when amx_support.h says the process may): TDPBUSD
// multiplies a 16 x 64 tile of unsigned bytes (16 rows of A, 16 groups of four k) by a 16 x 64
// tile of signed bytes (16 groups of four k, 16 columns x 4 bytes) and adds each group of four
// products into a 16 x 16 tile of int32, exactly and wrapping mod 2^32 like vpdpbusd (as the
// Intel SDM describes TDPBUSD; not read for this file, but checked by running it on this
// project's Sapphire Rapids VM: 40000 accumulations of 64 products 255 * -128 gave the int32
// value mod 2^32, and kernels_test's K = 33100 case wraps). So it computes the same sum as
// gemm_vnni-inl.h's tile, on the same operands:
//   - W: the kVnniPanels layout is already B tiles: in a panel, group g holds 64 columns x 4
//     bytes (256 bytes), so 16 columns of 16 groups are a tile with a row stride of 256 bytes.
//     Panel buffers carry kAmxSlack bytes after the last panel: a K that is not a multiple of
//     64 makes the last tile read up to 15 group rows past its panel, which meet zeros of A.
//   - A: offset to unsigned as for vpdpbusd, in rows padded with zeros to a multiple of 64
//     bytes, and to a multiple of 16 rows.
// A block is 32 rows x 32 columns: four C tiles (tmm0..3), two A tiles (tmm4, 5), two B tiles
// (tmm6, 7); per 64 k it loads four tiles for four TDPBUSD. C stays in the tiles over all of K
// and is stored once to a stack buffer, where the column bias and the weight zero point's row
// term (as in gemm_vnni-inl.h) are added and the valid rows and columns are written to `out`.
// Included by gemm_vnni-inl.h (HWY_TARGET == HWY_AVX3_DL only).
#if defined(QUANTSPEC_OPTIMIZED_GEMM_AMX_INL_H_) == defined(HWY_TARGET_TOGGLE)
#ifdef QUANTSPEC_OPTIMIZED_GEMM_AMX_INL_H_
#undef QUANTSPEC_OPTIMIZED_GEMM_AMX_INL_H_
#else
#define QUANTSPEC_OPTIMIZED_GEMM_AMX_INL_H_
#endif

#if HWY_TARGET == HWY_AVX3_DL

#include <immintrin.h>

#include <cstdint>

#include "hwy/highway.h"

HWY_BEFORE_NAMESPACE();
namespace quantspec::optimized::HWY_NAMESPACE {
namespace amx {

#define QS_AMX_ATTR \
  __attribute__((target("avx512f,avx512bw,avx512dq,avx512vl,avx512vnni,amx-tile,amx-int8")))

inline constexpr size_t kTileRows = 16;    // rows of A (and of C) per tile
inline constexpr size_t kStepBytes = 64;   // bytes of k per tile row: 16 groups of four
inline constexpr size_t kBlockRows = 32;   // two A tiles
inline constexpr size_t kBlockCols = 32;   // two B tiles of 16 columns
// Bytes a B tile may read past the last panel: 15 group rows of 256 bytes (below 4096).
inline constexpr size_t kAmxSlack = 4096;

inline size_t RowBytes(size_t k) { return (k + kStepBytes - 1) / kStepBytes * kStepBytes; }
inline size_t PaddedRows(size_t m) { return (m + kTileRows - 1) / kTileRows * kTileRows; }

// The tile configuration (palette 1): every tile 16 rows of 64 bytes.
struct alignas(64) TileConfig {
  uint8_t palette_id = 1;
  uint8_t start_row = 0;
  uint8_t reserved[14] = {};
  uint16_t colsb[16] = {64, 64, 64, 64, 64, 64, 64, 64};
  uint8_t rows[16] = {16, 16, 16, 16, 16, 16, 16, 16};
};

// The tile instructions read and write memory the compiler cannot see through the intrinsics'
// asm statements: a compiler barrier around each block keeps the packed A written before the
// loads and the stack buffer read after the stores.
#define QS_COMPILER_BARRIER() __asm__ volatile("" ::: "memory")

// One block of kTileRows * ROW_TILES rows x 32 columns over `steps` steps of 64 k:
// c[r][c] (int32, row stride 32) = sum over k of a[r][k] * w[k][c], mod 2^32.
// a: packed A rows (stride a_stride bytes); b: the panel at its first column of the block.
template <int ROW_TILES>
QS_AMX_ATTR void Block(const uint8_t* a, size_t a_stride, size_t steps, const int8_t* b,
                       int32_t* c) {
  QS_COMPILER_BARRIER();
  const long a_step = static_cast<long>(a_stride);
  constexpr long kPanelRowBytes = 256;  // one group of four k for 64 columns
  _tile_zero(0);
  _tile_zero(1);
  if (ROW_TILES == 2) {
    _tile_zero(2);
    _tile_zero(3);
  }
  for (size_t s = 0; s < steps; ++s) {
    const int8_t* b_step = b + s * kTileRows * kPanelRowBytes;
    // Each load right before its first use, so a tile is reloaded as late after its last
    // reader as the block allows (our reading of the timings: a load into a tile waits for the
    // TDPBUSDs that read it; not checked against Intel's documentation). On this project's
    // Sapphire Rapids VM (AVX3_DL + AMX) this order ran a 2 x 2 block with its loads from L1
    // at 0.70-0.82 TMAC/s against 0.46-0.76 for the four loads first (noisy shared machine,
    // three alternating runs).
    _tile_loadd(4, a + s * kStepBytes, a_step);
    _tile_loadd(6, b_step, kPanelRowBytes);
    _tile_dpbusd(0, 4, 6);
    _tile_loadd(7, b_step + 64, kPanelRowBytes);
    _tile_dpbusd(1, 4, 7);
    if (ROW_TILES == 2) {
      _tile_loadd(5, a + kTileRows * a_stride + s * kStepBytes, a_step);
      _tile_dpbusd(2, 5, 6);
      _tile_dpbusd(3, 5, 7);
    }
  }
  constexpr long kCStride = kBlockCols * sizeof(int32_t);
  _tile_stored(0, c, kCStride);
  _tile_stored(1, c + 16, kCStride);
  if (ROW_TILES == 2) {
    _tile_stored(2, c + kTileRows * kBlockCols, kCStride);
    _tile_stored(3, c + kTileRows * kBlockCols + 16, kCStride);
  }
  QS_COMPILER_BARRIER();
}

// out[r][c] = c_block[r][c] + col_bias[c] - zw[c] * row_sum[r] (mod 2^32) for the block's
// `rows` rows and `cols` (<= 32) valid columns; col_bias and zw start at the block's column.
QS_AMX_ATTR inline void Epilogue(const int32_t* c_block, size_t rows, size_t cols,
                                 const int32_t* col_bias, const int32_t* zw,
                                 const int32_t* row_sum, int32_t* out, size_t out_stride) {
  for (size_t u = 0; u < 2 && 16 * u < cols; ++u) {
    const size_t lanes = cols - 16 * u < 16 ? cols - 16 * u : 16;
    const __mmask16 mask = lanes == 16 ? __mmask16(0xFFFF) : __mmask16((1u << lanes) - 1);
    const __m512i bias = _mm512_loadu_si512(col_bias + 16 * u);
    const __m512i zwv = zw ? _mm512_loadu_si512(zw + 16 * u) : _mm512_setzero_si512();
    for (size_t r = 0; r < rows; ++r) {
      __m512i v = _mm512_add_epi32(_mm512_load_si512(c_block + r * kBlockCols + 16 * u), bias);
      if (zw) v = _mm512_sub_epi32(v, _mm512_mullo_epi32(zwv, _mm512_set1_epi32(row_sum[r])));
      _mm512_mask_storeu_epi32(out + r * out_stride + 16 * u, mask, v);
    }
  }
}

// One panel of 64 columns (`valid` of them real) for all m rows of packed A (PaddedRows(m)
// rows of RowBytes(k) bytes), col_bias and zw per panel column (zw nullptr: every Zw is 0).
QS_AMX_ATTR inline void Panel(const uint8_t* packed_a, const int32_t* row_sum, size_t m, size_t k,
                              const int8_t* panel, const int32_t* col_bias, const int32_t* zw,
                              size_t valid, int32_t* out, size_t out_stride) {
  const size_t a_stride = RowBytes(k);
  const size_t steps = a_stride / kStepBytes;
  alignas(64) int32_t c_block[kBlockRows * kBlockCols];
  for (size_t col = 0; col < valid; col += kBlockCols) {
    const int8_t* b = panel + col * 4;
    const size_t cols = valid - col < kBlockCols ? valid - col : kBlockCols;
    for (size_t r = 0; r < m; r += kBlockRows) {
      const size_t rows = m - r < kBlockRows ? m - r : kBlockRows;
      if (rows > kTileRows) {
        Block<2>(packed_a + r * a_stride, a_stride, steps, b, c_block);
      } else {
        Block<1>(packed_a + r * a_stride, a_stride, steps, b, c_block);
      }
      Epilogue(c_block, rows, cols, col_bias + col, zw ? zw + col : nullptr, row_sum + r,
               out + r * out_stride + col, out_stride);
    }
  }
}

QS_AMX_ATTR inline void Begin() {
  static const TileConfig config;
  _tile_loadconfig(&config);
}
// Frees the tile state, so that the thread's context switches do not carry 8 KiB of tiles.
QS_AMX_ATTR inline void End() { _tile_release(); }

#undef QS_COMPILER_BARRIER
#undef QS_AMX_ATTR

}  // namespace amx
}  // namespace quantspec::optimized::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#endif  // HWY_TARGET == HWY_AVX3_DL
#endif  // include guard
