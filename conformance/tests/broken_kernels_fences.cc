// Reads just outside a buffer that leave the output right (the value read is discarded or
// unused), so only the suite's fences can catch them: every buffer of a call, parameter arrays
// included, is placed against an inaccessible page at its start in one call and at its end in
// another (execute.hpp).
//  - quantize_per_channel: compares each channel's scale with the previous one (to reuse a
//    reciprocal) from channel 0 on, so it reads scales[-1];
//  - gemm: loads the next column's bias one column ahead, so the last column reads bias[n];
//  - lut: copies the table into a local one with `<= 256`, reading table[256];
//  - dequantize: compares each input with its predecessor (run-length fast path) from element
//    0 on, so it reads input[-1].
//  - dequantize_per_channel: when it rejects a call, it looks for the channel to blame with
//    `<= channels`, reading scales[channels]; valid calls never take that path, so only the
//    fenced bad-parameter calls (check_kit.hpp run_bad_calls) can catch it.
// And one that writes where no guard byte is: dequantize stores one float 4096 elements past
// the end of its output.
// Volatile accesses: each read or write must happen as written.
#include <cstddef>
#include <cstdint>

#include "broken_kernels.hpp"

namespace quantspec::conformance::broken {
qs_kernel_table with_slot(void (*edit)(qs_kernel_table&), const char* name);

namespace {
qs_status quantize_compares_with_previous_scale(const qs_quantize_params* p, const float* input, void* output,
                                                size_t n) {
  if (p != nullptr && p->scales != nullptr && p->channels > 0 && n > 0) {
    const volatile float* scales = p->scales;
    int reusable = 0;
    for (std::ptrdiff_t c = 0; c < static_cast<std::ptrdiff_t>(p->channels); ++c) {
      reusable += scales[c] == scales[c - 1];  // BUG: scales[-1] at c = 0
    }
    (void)reusable;
  }
  return qs_scalar_example_table()->quantize_per_channel(p, input, output, n);
}

qs_status gemm_loads_bias_one_column_ahead(const qs_gemm_params* p, const void* a, size_t a_stride, const int8_t* w,
                                           size_t w_stride, int32_t* out, size_t out_stride, size_t m, size_t n,
                                           size_t k) {
  const qs_status status = qs_scalar_example_table()->gemm(p, a, a_stride, w, w_stride, out, out_stride, m, n, k);
  if (status != QS_OK || p->bias == nullptr || m == 0) return status;
  const volatile int32_t* bias = p->bias;
  int32_t next = 0;
  for (size_t col = 0; col < n; ++col) next ^= bias[col + 1];  // BUG: bias[n] at the last column
  (void)next;
  return status;
}

qs_status lut_copies_257_entries(const qs_lut_params* p, const void* input, void* output, size_t n) {
  if (p != nullptr && p->table != nullptr) {
    const volatile uint8_t* table = static_cast<const uint8_t*>(p->table);
    uint8_t local[257];
    for (size_t i = 0; i <= 256; ++i) local[i] = table[i];  // BUG: the table has 256 entries
    (void)local;
  }
  return qs_scalar_example_table()->lut(p, input, output, n);
}

qs_status dequantize_compares_with_predecessor(const qs_dequantize_params* p, const void* input, float* output,
                                               size_t n) {
  if (p != nullptr && n > 0) {
    const volatile uint8_t* bytes = static_cast<const uint8_t*>(input);
    size_t repeats = 0;
    for (std::ptrdiff_t i = 0; i < static_cast<std::ptrdiff_t>(n); ++i) {
      repeats += bytes[i] == bytes[i - 1];  // BUG: input[-1] at i = 0
    }
    (void)repeats;
  }
  return qs_scalar_example_table()->dequantize(p, input, output, n);
}

bool valid_scale(float s) { return s > 0.0f && s <= 3.4028234663852886e38f; }  // false for NaN

qs_status dequantize_blames_a_channel_past_the_last(const qs_dequantize_params* p, const void* input, float* output,
                                                    size_t n) {
  if (p != nullptr && p->scales != nullptr && p->channels > 0) {
    const volatile float* scales = p->scales;
    bool any_bad = false;
    for (size_t c = 0; c < p->channels; ++c) any_bad = any_bad || !valid_scale(scales[c]);
    if (any_bad) {
      size_t blamed = 0;
      for (size_t c = 0; c <= p->channels; ++c) {  // BUG: reads scales[channels]
        if (!valid_scale(scales[c])) blamed = c;
      }
      (void)blamed;
      return QS_BAD_PARAMETERS;
    }
  }
  return qs_scalar_example_table()->dequantize_per_channel(p, input, output, n);
}

qs_status dequantize_writes_far_past_the_end(const qs_dequantize_params* p, const void* input, float* output,
                                             size_t n) {
  const qs_status status = qs_scalar_example_table()->dequantize(p, input, output, n);
  if (status != QS_OK || n == 0) return status;
  volatile float* out = output;
  out[n + 4096] = 0.0f;  // BUG: a stride or index computed wrongly, far past the output
  return status;
}
}  // namespace

const qs_kernel_table& reads_scale_before_the_first() {
  static const qs_kernel_table table =
      with_slot([](qs_kernel_table& t) { t.quantize_per_channel = quantize_compares_with_previous_scale; },
                "broken: reads scales[-1]");
  return table;
}

const qs_kernel_table& reads_bias_past_the_last() {
  static const qs_kernel_table table = with_slot(
      [](qs_kernel_table& t) { t.gemm = gemm_loads_bias_one_column_ahead; }, "broken: reads bias[n]");
  return table;
}

const qs_kernel_table& reads_lut_entry_256() {
  static const qs_kernel_table table =
      with_slot([](qs_kernel_table& t) { t.lut = lut_copies_257_entries; }, "broken: reads table[256]");
  return table;
}

const qs_kernel_table& reads_input_before_the_first() {
  static const qs_kernel_table table = with_slot(
      [](qs_kernel_table& t) { t.dequantize = dequantize_compares_with_predecessor; }, "broken: reads input[-1]");
  return table;
}

const qs_kernel_table& reads_past_the_scales_while_rejecting() {
  static const qs_kernel_table table =
      with_slot([](qs_kernel_table& t) { t.dequantize_per_channel = dequantize_blames_a_channel_past_the_last; },
                "broken: reads scales[channels] when rejecting");
  return table;
}

const qs_kernel_table& writes_far_past_the_output() {
  static const qs_kernel_table table = with_slot(
      [](qs_kernel_table& t) { t.dequantize = dequantize_writes_far_past_the_end; }, "broken: writes out[n + 4096]");
  return table;
}

}  // namespace quantspec::conformance::broken
