/* qs_kernel_table_get dereferences NULL. */
#include "misbehaving_plugin.h"

QS_EXPORT const qs_kernel_table* qs_kernel_table_get(uint32_t requested_abi_version) {
  volatile int* nowhere = (volatile int*)0;
  *nowhere = (int)requested_abi_version;
  return &misbehaving_table;
}
