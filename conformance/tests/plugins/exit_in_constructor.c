/* A load-time constructor that ends the process with status 0 (it used to make
 * `quantspec conform --plugin` exit 0 without a report). */
#include <stdlib.h>

#include "misbehaving_plugin.h"

__attribute__((constructor)) static void end_the_process(void) { exit(0); }

QS_EXPORT const qs_kernel_table* qs_kernel_table_get(uint32_t requested_abi_version) {
  (void)requested_abi_version;
  return &misbehaving_table;
}
