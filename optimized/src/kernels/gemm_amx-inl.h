// int8 GEMM on Intel AMX (AVX3_DL target, when amx_support.h says the process may): TDPBUSD
// multiplies a 16 x 64 tile of unsigned bytes (16 rows of A, 16 groups of four k) by a 16 x 64
// tile of signed bytes (16 groups of four k, 16 columns x 4 bytes) and adds each group of four
// products into a 16 x 16 tile of int32, exactly and wrapping mod 2^32 like vpdpbusd (as the
// Intel SDM describes TDPBUSD; not read for this file, but checked by running it on this
// project's Sapphire Rapids VM: 40000 accumulations of 64 products 255 * -128 gave the int32
// value mod 2^32, and kernels_test's K = 33100 case wraps). So it computes the same sum as
// gemm_vnni-inl.h's tile, on the same operands:
//   - W: the kVnniPanels layout is already B tiles: a panel's quarter of 16 columns holds, per
//     group of four k, 16 columns x 4 bytes (64 bytes), so 16 groups are a tile of 1 KiB of
//     consecutive bytes (row stride 64). Panel buffers carry kAmxSlack bytes after the last
//     panel: a K that is not a multiple of 64 makes the last tile of a quarter read up to 15
//     group rows past it (into the next quarter, or the slack), which meet zeros of A.
//   - A: offset to unsigned as for vpdpbusd, in rows padded with zeros to a multiple of 64
//     bytes and to a multiple of 16 rows, each tile 1 KiB of consecutive bytes (PackActivations
//     in gemm_vnni-inl.h).
// Tiles of consecutive bytes rather than rows 256 bytes (W) or K bytes (A) apart: on this
// project's Sapphire Rapids VM, a stand-alone copy of Block's loop over M = 512 (or 128), K = N
// = 1024 ran 1.07-1.10x as fast with both (M = N = K = 512: 1.37x), medians of 5-7 rounds with
// the variants interleaved; the stride-256 B tiles cost the most.
// A block is 32 rows x 32 columns: four C tiles (tmm0..3), two A tiles (tmm4, 5), two B tiles
// (tmm6, 7); per 64 k it loads four tiles for four TDPBUSD. C starts from the column bias,
// stays in the tiles over all of K and is stored once, into `out` or, for a partial block or
// with the weight zero point's row term (as in gemm_vnni-inl.h), to a stack buffer from which
// the valid rows and columns are written.
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
inline constexpr size_t kTileBytes = kTileRows * kStepBytes;  // one A or B tile: 1 KiB
// Bytes a B tile may read past the last panel: 15 group rows of 64 bytes (below 1024).
inline constexpr size_t kAmxSlack = 1024;

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
// c[r][j] = init[r][j] + sum over k of a[r][k] * w[k][j], mod 2^32, for r < 16 * ROW_TILES,
// j < 32, stored at c + r * c_stride_bytes / 4 + j.
// a: the block's first A tile (its tiles for step s at s * 1 KiB, the second row tile
// a_tile_row_bytes further); b0, b1: the two quarters' first B tiles (step s at s * 1 KiB);
// init0, init1: 16 int32 each, the row the accumulators of columns 0-15 and 16-31 start from
// in every row (the column bias, so that a block needs no epilogue pass of its own): a tile
// load with a row stride of 0 reads the same 64 bytes for each of its 16 rows (checked by
// running it on this project's Sapphire Rapids VM).
template <int ROW_TILES>
QS_AMX_ATTR void Block(const uint8_t* a, size_t a_tile_row_bytes, size_t steps,
                       const int8_t* b0, const int8_t* b1, const int32_t* init0,
                       const int32_t* init1, int32_t* c, size_t c_stride_bytes) {
  QS_COMPILER_BARRIER();
  constexpr long kStride = static_cast<long>(kStepBytes);
  _tile_loadd(0, init0, 0);
  _tile_loadd(1, init1, 0);
  if (ROW_TILES == 2) {
    _tile_loadd(2, init0, 0);
    _tile_loadd(3, init1, 0);
  }
  for (size_t s = 0; s < steps; ++s) {
    const uint8_t* a_step = a + s * kTileBytes;
    // Each load right before its first use. Session 19 measured this order at 0.70-0.82 TMAC/s
    // against 0.46-0.76 for the four loads first, with loads walking through 16-64 KiB; in
    // session 20, with the loads hitting L1 at fixed addresses, both orders ran at the TDPBUSD
    // rate (2.6-2.7 TMAC/s), so the order matters little and where the tiles come from (L1 or
    // L2) does (this project's Sapphire Rapids VM, AVX3_DL + AMX).
    _tile_loadd(4, a_step, kStride);
    _tile_loadd(6, b0 + s * kTileBytes, kStride);
    _tile_dpbusd(0, 4, 6);
    _tile_loadd(7, b1 + s * kTileBytes, kStride);
    _tile_dpbusd(1, 4, 7);
    if (ROW_TILES == 2) {
      _tile_loadd(5, a_step + a_tile_row_bytes, kStride);
      _tile_dpbusd(2, 5, 6);
      _tile_dpbusd(3, 5, 7);
    }
  }
  const long c_stride = static_cast<long>(c_stride_bytes);
  int32_t* c_low = c + kTileRows * (c_stride_bytes / sizeof(int32_t));
  _tile_stored(0, c, c_stride);
  _tile_stored(1, c + 16, c_stride);
  if (ROW_TILES == 2) {
    _tile_stored(2, c_low, c_stride);
    _tile_stored(3, c_low + 16, c_stride);
  }
  QS_COMPILER_BARRIER();
}

// out[r][j] = c_block[r][j] - zw[j] * row_sum[r] (mod 2^32; no row term when zw is nullptr)
// for the block's `rows` rows and `cols` (<= 32) valid columns; zw starts at the block's column.
QS_AMX_ATTR inline void Epilogue(const int32_t* c_block, size_t rows, size_t cols,
                                 const int32_t* zw, const int32_t* row_sum, int32_t* out,
                                 size_t out_stride) {
  for (size_t u = 0; u < 2 && 16 * u < cols; ++u) {
    const size_t lanes = cols - 16 * u < 16 ? cols - 16 * u : 16;
    const __mmask16 mask = lanes == 16 ? __mmask16(0xFFFF) : __mmask16((1u << lanes) - 1);
    const __m512i zwv = zw ? _mm512_loadu_si512(zw + 16 * u) : _mm512_setzero_si512();
    for (size_t r = 0; r < rows; ++r) {
      __m512i v = _mm512_load_si512(c_block + r * kBlockCols + 16 * u);
      if (zw) v = _mm512_sub_epi32(v, _mm512_mullo_epi32(zwv, _mm512_set1_epi32(row_sum[r])));
      _mm512_mask_storeu_epi32(out + r * out_stride + 16 * u, mask, v);
    }
  }
}

// The whole product: m rows of packed A (PaddedRows(m) rows of RowBytes(k) bytes in tiles) by
// n columns of panels (panel_bytes apart, their quarters of 16 columns quarter_bytes apart),
// col_bias and zw per column, padded to whole panels (zw nullptr: every Zw is 0).
// The accumulators start from the column bias. Without a row term, a block of whole tiles
// inside `out` is stored from the tiles straight into `out`; the others go through a stack
// buffer and Epilogue. On this project's Sapphire Rapids VM, a stand-alone copy of the block
// loop over M = 512 (or 128), K = N = 1024 or M = N = K = 512 ran 1.16-1.24x as fast storing
// straight into a row-major int32 C as through the stack buffer and a copy (1.28-1.33x when
// C's rows were 4 KiB + 64 bytes apart rather than 4 KiB: linear's accumulators are laid out
// so), medians of 7 interleaved rounds.
// Block order: while a block's A rows fit in L1 (32 rows of up to 1 KiB), each row block runs
// over every column block, so that its A tiles are read from L2 once; longer rows keep the
// B slice of a column block in cache for every row block instead.
QS_AMX_ATTR inline void Multiply(const uint8_t* packed_a, const int32_t* row_sum, size_t m,
                                 size_t k, const int8_t* packed_w, size_t panel_bytes,
                                 size_t quarter_bytes, const int32_t* col_bias,
                                 const int32_t* zw, size_t n, int32_t* out, size_t out_stride) {
  const size_t a_stride = RowBytes(k);
  const size_t steps = a_stride / kStepBytes;
  const size_t tile_row_bytes = kTileRows * a_stride;  // 16 rows of A
  alignas(64) int32_t c_block[kBlockRows * kBlockCols];
  constexpr size_t kBlockStrideBytes = kBlockCols * sizeof(int32_t);
  const size_t out_stride_bytes = out_stride * sizeof(int32_t);
  const auto block = [&](size_t r, size_t col) QS_AMX_ATTR {
    constexpr size_t kPanelColumns = 4 * kTileRows;
    const int8_t* b0 = packed_w + (col / kPanelColumns) * panel_bytes +
                       (col % kPanelColumns / kTileRows) * quarter_bytes;
    const int8_t* b1 = b0 + quarter_bytes;
    const size_t cols = n - col < kBlockCols ? n - col : kBlockCols;
    const size_t rows = m - r < kBlockRows ? m - r : kBlockRows;
    // r is a multiple of 32: row tile r / 16 starts r * a_stride bytes in.
    const uint8_t* a = packed_a + r * a_stride;
    int32_t* o = out + r * out_stride + col;
    const bool direct = zw == nullptr && cols == kBlockCols && rows % kTileRows == 0;
    int32_t* c = direct ? o : c_block;
    const size_t c_stride = direct ? out_stride_bytes : kBlockStrideBytes;
    if (rows > kTileRows) {
      Block<2>(a, tile_row_bytes, steps, b0, b1, col_bias + col, col_bias + col + 16, c, c_stride);
    } else {
      Block<1>(a, tile_row_bytes, steps, b0, b1, col_bias + col, col_bias + col + 16, c, c_stride);
    }
    if (!direct) {
      Epilogue(c_block, rows, cols, zw ? zw + col : nullptr, row_sum + r, o, out_stride);
    }
  };
  if (a_stride <= 1024) {
    for (size_t r = 0; r < m; r += kBlockRows) {
      for (size_t col = 0; col < n; col += kBlockCols) block(r, col);
    }
  } else {
    for (size_t col = 0; col < n; col += kBlockCols) {
      for (size_t r = 0; r < m; r += kBlockRows) block(r, col);
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
