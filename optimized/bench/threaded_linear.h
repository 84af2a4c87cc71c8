// Multi-threaded linear_packed / gemm_packed on top of any kernel table, for the peer bench's
// --threads N: one call is split into one block per thread of a pthreadpool.
//   - M >= 16 x threads: row blocks of A and out on the whole packed W (kernel_abi.h: a packed
//     object is read-only after pack_weights and may be used by several threads at once; our
//     kernels' scratch is thread_local, gemm.cc / gemm_vnni-inl.h / table.cc).
//   - Smaller M (GEMV included): column blocks of W, out, bias, weight zero points and
//     per-channel requantization, so that each thread reads only its part of W
//     (threaded_linear.cc says what was measured). The packed calls take no column offset, so
//     every column block has a packed object of its own, made here before any timed call
//     (packing is excluded for everybody).
// Each block is an ordinary call of the table on a sub-problem, so the result is the
// single-threaded one element for element (every output depends only on its row of A and its
// column of W); threaded_linear_test.cc checks that on every compiled target.
#pragma once

#include <pthreadpool.h>

#include <cstddef>
#include <cstdint>
#include <vector>

#include "quantspec/kernel_abi.h"

namespace quantspec::bench {

class ThreadedLinear {
 public:
  // W is N x K s8 with row stride w_stride; `gemm` gives its zero points and bias (copied into
  // the packed objects, as pack_weights does). `threads` >= 1 blocks are prepared.
  ThreadedLinear(const qs_kernel_table* table, const qs_gemm_params& gemm, const int8_t* w,
                 size_t w_stride, size_t n, size_t k, size_t threads);
  ~ThreadedLinear();
  ThreadedLinear(const ThreadedLinear&) = delete;
  ThreadedLinear& operator=(const ThreadedLinear&) = delete;

  // False if some pack_weights call failed (then Linear / Gemm return QS_BAD_PARAMETERS).
  bool ok() const { return ok_; }
  // The packed object of the whole W (the row blocks'), for single-threaded calls on the same
  // memory.
  const qs_packed_weights* whole() const { return whole_; }
  // Whether a call with M rows is split into column blocks (else row blocks).
  bool ByColumns(size_t m) const;

  // As table->linear_packed / gemm_packed on the whole W, run on `pool` (NULL: the calling
  // thread runs every block). The first failing block's status is returned.
  qs_status Linear(pthreadpool_t pool, const qs_linear_params& p, const void* a,
                   size_t a_stride, void* out, size_t out_stride, size_t m) const;
  qs_status Gemm(pthreadpool_t pool, const qs_gemm_params& p, const void* a, size_t a_stride,
                 int32_t* out, size_t out_stride, size_t m) const;

 private:
  struct ColumnBlock {
    size_t first, count;
    qs_packed_weights* packed;
  };
  struct Call;
  static void RunBlock(void* call, size_t block);
  qs_status Split(pthreadpool_t pool, Call& call, size_t m) const;

  const qs_kernel_table* table_;
  size_t n_, k_, threads_;
  qs_packed_weights* whole_ = nullptr;  // row blocks
  std::vector<ColumnBlock> columns_;    // M = 1
  bool ok_ = true;
};

}  // namespace quantspec::bench
