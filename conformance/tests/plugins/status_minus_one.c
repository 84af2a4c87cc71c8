/* Every dequantize call returns -1 (a C library's habitual failure value), which is not a
 * qs_status: the suite must report it as a failure naming the number. */
#include "misbehaving_plugin.h"

static qs_status minus_one(const qs_dequantize_params* p, const void* input, float* output, size_t n) {
  (void)p;
  (void)input;
  (void)output;
  (void)n;
  return (qs_status)-1;
}

QS_EXPORT const qs_kernel_table* qs_kernel_table_get(uint32_t requested_abi_version) {
  (void)requested_abi_version;
  misbehaving_table.dequantize = minus_one;
  return &misbehaving_table;
}
