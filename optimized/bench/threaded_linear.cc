#include "threaded_linear.h"

#include <atomic>

namespace quantspec::bench {
namespace {

// Column blocks are whole multiples of the widest packed panel of our targets (64 columns:
// the AVX3_DL VNNI panel; AVX2 and AVX3 int16 panels are 16 and 32), so no block ends in a
// partly used panel that a single-threaded call would not have.
constexpr size_t kColumnAlignment = 64;

// Row blocks need at least this many rows per thread. With fewer, every thread still reads
// all of W for a few rows (and fills few of the microkernel's 6-row tiles): measured with
// --threads 2 on a Zen 5 EPYC (peer bench, u8, vs oneDNN in the same run), column blocks took
// M = 16 from 0.99 / 0.88 / 0.82 to 1.05 / 0.98 / 1.06 (K = N = 512 / 1024 / 4096), while at
// M = 128 and 512 row blocks were as fast or faster (0.94-1.00 vs 0.89-0.99) except
// 128 x 4096 x 4096 (0.91 rows, 0.99 columns).
constexpr size_t kMinRowsPerBlock = 16;

size_t DivideRoundingUp(size_t a, size_t b) { return (a + b - 1) / b; }

const int32_t* Offset(const int32_t* p, size_t first) { return p ? p + first : nullptr; }
const float* Offset(const float* p, size_t first) { return p ? p + first : nullptr; }

}  // namespace

struct ThreadedLinear::Call {
  const ThreadedLinear* self;
  bool linear;  // linear_packed (1-byte outputs) or gemm_packed (int32 outputs)
  const qs_linear_params* linear_params;
  const qs_gemm_params* gemm_params;
  const uint8_t* a;  // s8 or u8 activations: one byte per element
  size_t a_stride;
  void* out;
  size_t out_stride;
  size_t m;
  size_t rows_per_block;  // 0: column blocks
  std::atomic<int> status{QS_OK};
};

ThreadedLinear::ThreadedLinear(const qs_kernel_table* table, const qs_gemm_params& gemm,
                               const int8_t* w, size_t w_stride, size_t n, size_t k,
                               size_t threads)
    : table_(table), n_(n), k_(k), threads_(threads < 1 ? 1 : threads) {
  ok_ = table_->pack_weights(&gemm, w, w_stride, n, k, &whole_) == QS_OK;
  const size_t width = DivideRoundingUp(DivideRoundingUp(n, threads_), kColumnAlignment) *
                       kColumnAlignment;
  for (size_t first = 0; first < n && ok_; first += width) {
    ColumnBlock block{first, n - first < width ? n - first : width, nullptr};
    qs_gemm_params part = gemm;
    part.bias = Offset(gemm.bias, first);
    part.w_zero_points = Offset(gemm.w_zero_points, first);
    ok_ = table_->pack_weights(&part, w + first * w_stride, w_stride, block.count, k,
                               &block.packed) == QS_OK;
    columns_.push_back(block);
  }
}

ThreadedLinear::~ThreadedLinear() {
  table_->release_packed(whole_);
  for (const ColumnBlock& block : columns_) table_->release_packed(block.packed);
}

void ThreadedLinear::RunBlock(void* context, size_t block) {
  Call& c = *static_cast<Call*>(context);
  const ThreadedLinear& t = *c.self;
  const size_t out_bytes = c.linear ? 1 : sizeof(int32_t);
  qs_status s;
  if (c.rows_per_block != 0) {
    const size_t first = block * c.rows_per_block;
    const size_t rows = c.m - first < c.rows_per_block ? c.m - first : c.rows_per_block;
    // NULL stays NULL, for the table to reject.
    const uint8_t* a = c.a ? c.a + first * c.a_stride : nullptr;
    uint8_t* out = c.out ? static_cast<uint8_t*>(c.out) + first * c.out_stride * out_bytes
                         : nullptr;
    s = c.linear ? t.table_->linear_packed(c.linear_params, a, c.a_stride, t.whole_, out,
                                           c.out_stride, rows)
                 : t.table_->gemm_packed(c.gemm_params, a, c.a_stride, t.whole_,
                                         reinterpret_cast<int32_t*>(out), c.out_stride, rows);
  } else {
    const ColumnBlock& b = t.columns_[block];
    uint8_t* out = c.out ? static_cast<uint8_t*>(c.out) + b.first * out_bytes : nullptr;
    if (c.linear) {
      qs_linear_params part = *c.linear_params;
      if (part.per_channel != 0) {  // the [N] requantization arrays start at the block
        part.requant.multipliers = Offset(part.requant.multipliers, b.first);
        part.requant.shifts = Offset(part.requant.shifts, b.first);
        part.requant.scales = Offset(part.requant.scales, b.first);
        part.requant.weight_scales = Offset(part.requant.weight_scales, b.first);
      }
      s = t.table_->linear_packed(&part, c.a, c.a_stride, b.packed, out, c.out_stride, c.m);
    } else {
      s = t.table_->gemm_packed(c.gemm_params, c.a, c.a_stride, b.packed,
                                reinterpret_cast<int32_t*>(out), c.out_stride, c.m);
    }
  }
  if (s != QS_OK) {
    int expected = QS_OK;
    c.status.compare_exchange_strong(expected, s);
  }
}

bool ThreadedLinear::ByColumns(size_t m) const {
  return columns_.size() > 1 && m < kMinRowsPerBlock * threads_;
}

qs_status ThreadedLinear::Split(pthreadpool_t pool, Call& call, size_t m) const {
  if (!ok_) return QS_BAD_PARAMETERS;
  size_t blocks;
  if (!ByColumns(m)) {
    call.rows_per_block = m == 0 ? 1 : DivideRoundingUp(m, threads_);
    blocks = m == 0 ? 1 : DivideRoundingUp(m, call.rows_per_block);
  } else {
    call.rows_per_block = 0;
    blocks = columns_.size();
  }
  // NULL pool: pthreadpool runs the blocks on the calling thread.
  pthreadpool_parallelize_1d(pool, &ThreadedLinear::RunBlock, &call, blocks, 0);
  return static_cast<qs_status>(call.status.load());
}

qs_status ThreadedLinear::Linear(pthreadpool_t pool, const qs_linear_params& p, const void* a,
                                 size_t a_stride, void* out, size_t out_stride,
                                 size_t m) const {
  Call call{this, true, &p, &p.gemm, static_cast<const uint8_t*>(a), a_stride, out,
            out_stride, m, 0};
  return Split(pool, call, m);
}

qs_status ThreadedLinear::Gemm(pthreadpool_t pool, const qs_gemm_params& p, const void* a,
                               size_t a_stride, int32_t* out, size_t out_stride,
                               size_t m) const {
  Call call{this, false, nullptr, &p, static_cast<const uint8_t*>(a), a_stride, out,
            out_stride, m, 0};
  return Split(pool, call, m);
}

}  // namespace quantspec::bench
