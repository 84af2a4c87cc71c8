/* qs_kernel_table_get never returns. */
#include <unistd.h>

#include "misbehaving_plugin.h"

QS_EXPORT const qs_kernel_table* qs_kernel_table_get(uint32_t requested_abi_version) {
  (void)requested_abi_version;
  for (;;) pause();
  return &misbehaving_table; /* not reached */
}
