/* A table claiming an ABI version newer than the caller asked for. */
#include "misbehaving_plugin.h"

QS_EXPORT const qs_kernel_table* qs_kernel_table_get(uint32_t requested_abi_version) {
  misbehaving_table.abi_version = requested_abi_version + 1;
  return &misbehaving_table;
}
