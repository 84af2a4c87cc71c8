/* Every quantize call hangs (every variant of the group would, one after another). */
#include <unistd.h>

#include "misbehaving_plugin.h"

static qs_status hang(const qs_quantize_params* p, const float* input, void* output, size_t n) {
  (void)p;
  (void)input;
  (void)output;
  (void)n;
  for (;;) pause();
  return 0; /* not reached */
}

QS_EXPORT const qs_kernel_table* qs_kernel_table_get(uint32_t requested_abi_version) {
  (void)requested_abi_version;
  misbehaving_table.quantize = hang;
  return &misbehaving_table;
}
