/* A table whose name is NULL. */
#include <stddef.h>

#include "misbehaving_plugin.h"

QS_EXPORT const qs_kernel_table* qs_kernel_table_get(uint32_t requested_abi_version) {
  (void)requested_abi_version;
  misbehaving_table.name = NULL;
  return &misbehaving_table;
}
