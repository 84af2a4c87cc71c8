// Bugs in the tail of a blocked loop (16-element blocks as in a 128-bit SIMD kernel):
//  - lut: the partial last block is one element short (skips the last element);
//  - dequantize: the partial last block is stored as a whole 8-float block (writes past the end);
//  - requantize: the partial last block is loaded as a whole 4-int32 block (reads past the end).
// Expected to be caught by WritesEveryLengthExactlyOnce (unwritten element / guard bytes /
// guard page after the input).
#include <csignal>
#include <cstdint>
#include <cstring>

#include "broken_kernels.hpp"

namespace quantspec::conformance::broken {
qs_kernel_table with_slot(void (*edit)(qs_kernel_table&), const char* name);

namespace {
qs_status lut_short_tail(const qs_lut_params* p, const void* input, void* output, size_t n) {
  const qs_status status = qs_scalar_example_table()->lut(p, input, output, 0);
  if (status != QS_OK) return status;
  const size_t full = n / 16 * 16;
  const size_t end = n % 16 != 0 ? n - 1 : n;  // BUG: off by one in the tail
  const auto* in = static_cast<const uint8_t*>(input);
  const auto* table = static_cast<const uint8_t*>(p->table);
  auto* out = static_cast<uint8_t*>(output);
  for (size_t i = 0; i < full; ++i) out[i] = table[in[i]];
  for (size_t i = full; i < end; ++i) out[i] = table[in[i]];
  return QS_OK;
}

qs_status dequantize_whole_block_tail(const qs_dequantize_params* p, const void* input, float* output, size_t n) {
  const qs_status status = qs_scalar_example_table()->dequantize(p, input, output, n);
  if (status != QS_OK || n % 8 == 0) return status;
  // BUG: the tail is computed into a block of 8 and stored whole.
  float block[8] = {};
  const size_t start = n / 8 * 8;
  std::memcpy(block, output + start, (n - start) * sizeof(float));
  std::memcpy(output + start, block, sizeof(block));
  return QS_OK;
}
}  // namespace

const qs_kernel_table& tail_skips_last_element() {
  static const qs_kernel_table table =
      with_slot([](qs_kernel_table& t) { t.lut = lut_short_tail; }, "broken: tail skips last element");
  return table;
}

const qs_kernel_table& tail_writes_past_end() {
  static const qs_kernel_table table =
      with_slot([](qs_kernel_table& t) { t.dequantize = dequantize_whole_block_tail; }, "broken: tail writes past end");
  return table;
}

namespace {
qs_status requantize_whole_block_load(const qs_requantize_params* p, const int32_t* input, void* output, size_t n) {
  const qs_status status = qs_scalar_example_table()->requantize(p, input, output, n);
  if (status != QS_OK || n % 4 == 0) return status;
  // BUG: the tail is loaded as a whole block of 4 int32 (as a 128-bit load would), reading
  // past the end of the input; the extra lanes are discarded, so the output is still right.
  // Volatile: the read must happen as written.
  const volatile int32_t* block = input + n / 4 * 4;
  int32_t sink = 0;
  for (size_t i = 0; i < 4; ++i) sink ^= block[i];
  (void)sink;
  return QS_OK;
}
}  // namespace

const qs_kernel_table& tail_reads_past_end() {
  static const qs_kernel_table table = with_slot(
      [](qs_kernel_table& t) { t.requantize = requantize_whole_block_load; }, "broken: tail reads past end");
  return table;
}

namespace {
qs_status lut_crash(const qs_lut_params* p, const void* input, void* output, size_t n) {
  if (n > 100) {
    // A deliberate crash, raised rather than caused by a null store so that it is the same
    // signal in sanitizer builds (UBSan would abort first) and is not undefined behaviour.
    std::raise(SIGSEGV);
  }
  return qs_scalar_example_table()->lut(p, input, output, n);
}
}  // namespace

const qs_kernel_table& crashes_on_long_inputs() {
  static const qs_kernel_table table =
      with_slot([](qs_kernel_table& t) { t.lut = lut_crash; }, "broken: crashes on long inputs");
  return table;
}

}  // namespace quantspec::conformance::broken
