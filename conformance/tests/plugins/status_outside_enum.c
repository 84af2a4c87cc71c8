/* Every dequantize call returns 7, a value that is not a qs_status: the suite must report it
 * as a failure naming the number (kernel_abi.h makes every int32 a valid qs_status object, so
 * receiving it is not undefined behaviour in the C++ suite). */
#include "misbehaving_plugin.h"

static qs_status seven(const qs_dequantize_params* p, const void* input, float* output, size_t n) {
  (void)p;
  (void)input;
  (void)output;
  (void)n;
  return (qs_status)7;
}

QS_EXPORT const qs_kernel_table* qs_kernel_table_get(uint32_t requested_abi_version) {
  (void)requested_abi_version;
  misbehaving_table.dequantize = seven;
  return &misbehaving_table;
}
