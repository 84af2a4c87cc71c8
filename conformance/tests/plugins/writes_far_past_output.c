/* dequantize is right but also stores one float 4096 elements past the end of its output,
 * beyond any guard byte next to it: the suite must report the write (buffer, offset) as a
 * failing case, not let it land in whatever memory lies there. */
#include "misbehaving_plugin.h"

static qs_status dequantize_and_write_far(const qs_dequantize_params* p, const void* input, float* output,
                                          size_t n) {
  if (p == NULL || (p->input_type != QS_S8 && p->input_type != QS_U8) || !(p->scale > 0.0f)) {
    return QS_BAD_PARAMETERS;
  }
  for (size_t i = 0; i < n; ++i) {
    int32_t q = p->input_type == QS_S8 ? ((const int8_t*)input)[i] : ((const uint8_t*)input)[i];
    output[i] = (float)((double)(q - p->zero_point) * (double)p->scale);
  }
  if (n > 0) ((volatile float*)output)[n + 4096] = 0.0f;
  return QS_OK;
}

QS_EXPORT const qs_kernel_table* qs_kernel_table_get(uint32_t requested_abi_version) {
  (void)requested_abi_version;
  misbehaving_table.dequantize = dequantize_and_write_far;
  return &misbehaving_table;
}
