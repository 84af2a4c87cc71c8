/* qs_kernel_table_get calls abort(). */
#include <stdlib.h>

#include "misbehaving_plugin.h"

QS_EXPORT const qs_kernel_table* qs_kernel_table_get(uint32_t requested_abi_version) {
  (void)requested_abi_version;
  abort();
}
