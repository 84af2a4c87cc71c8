// Bugs that live only in the part of the shape space short cases never reach:
//  - gemm computes rows in blocks of 32 and the remainder rows from the wrong A row (r % 32);
//  - gemm blocks K by 4096 and drops the tail after the last full block (right when K <= 4096
//    or K is a multiple of 4096);
//  - requantize_per_channel keeps the channel index in 16 bits (right for up to 65536 channels).
// Expected to be caught by CoversEveryBlockOfMAndNAndDeepK and UsesChannelIModChannels.
#include <cstdint>

#include "broken_kernels.hpp"

namespace quantspec::conformance::broken {
qs_kernel_table with_slot(void (*edit)(qs_kernel_table&), const char* name);

namespace {
const qs_kernel_table& scalar() { return *qs_scalar_example_table(); }

size_t a_element_bytes(const qs_gemm_params*) { return 1; }  // s8 and u8 alike

qs_status gemm_row_block_mixup(const qs_gemm_params* p, const void* a, size_t a_stride, const int8_t* w,
                               size_t w_stride, int32_t* out, size_t out_stride, size_t m, size_t n, size_t k) {
  const qs_status status = scalar().gemm(p, a, a_stride, w, w_stride, out, out_stride, m < 32 ? m : 32, n, k);
  if (status != QS_OK || m <= 32) return status;
  for (size_t r = 32; r < m; ++r) {
    const auto* row = static_cast<const uint8_t*>(a) + (r % 32) * a_stride * a_element_bytes(p);  // BUG: row r
    const qs_status s = scalar().gemm(p, row, a_stride, w, w_stride, out + r * out_stride, out_stride, 1, n, k);
    if (s != QS_OK) return s;
  }
  return QS_OK;
}

qs_status gemm_drops_k_tail(const qs_gemm_params* p, const void* a, size_t a_stride, const int8_t* w,
                            size_t w_stride, int32_t* out, size_t out_stride, size_t m, size_t n, size_t k) {
  const size_t blocked = k > 4096 ? k - k % 4096 : k;  // BUG: the tail of K after the last block
  return scalar().gemm(p, a, a_stride, w, w_stride, out, out_stride, m, n, blocked);
}

qs_status requantize_uint16_channel(const qs_requantize_params* p, const int32_t* input, void* output, size_t n) {
  const qs_status status = scalar().requantize_per_channel(p, input, output, 0);
  if (status != QS_OK) return status;
  for (size_t i = 0; i < n; ++i) {
    const uint16_t c = static_cast<uint16_t>(i % p->channels);  // BUG: channels > 65536 wrap
    qs_requantize_params one = *p;
    if (p->requant.variant == QS_REQUANT_IDEAL) {
      one.requant.weight_scale = p->requant.weight_scales[c];
    } else if (p->requant.variant == QS_REQUANT_FP32) {
      one.requant.scale = p->requant.scales[c];
    } else {
      one.requant.multiplier = p->requant.multipliers[c];
      one.requant.shift = p->requant.shifts[c];
    }
    const qs_status s = scalar().requantize(&one, input + i, static_cast<uint8_t*>(output) + i, 1);
    if (s != QS_OK) return s;
  }
  return QS_OK;
}
}  // namespace

const qs_kernel_table& gemm_rows_past_32_wrong() {
  static const qs_kernel_table table =
      with_slot([](qs_kernel_table& t) { t.gemm = gemm_row_block_mixup; }, "broken: gemm rows past 32");
  return table;
}

const qs_kernel_table& gemm_k_tail_past_4096_dropped() {
  static const qs_kernel_table table =
      with_slot([](qs_kernel_table& t) { t.gemm = gemm_drops_k_tail; }, "broken: gemm K tail past 4096");
  return table;
}

const qs_kernel_table& channel_index_in_16_bits() {
  static const qs_kernel_table table = with_slot(
      [](qs_kernel_table& t) { t.requantize_per_channel = requantize_uint16_channel; }, "broken: 16-bit channel index");
  return table;
}

}  // namespace quantspec::conformance::broken
