/* A table whose struct_size is smaller than version 1's. */
#include "misbehaving_plugin.h"

QS_EXPORT const qs_kernel_table* qs_kernel_table_get(uint32_t requested_abi_version) {
  (void)requested_abi_version;
  misbehaving_table.struct_size = 8;
  return &misbehaving_table;
}
