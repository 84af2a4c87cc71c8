/* Shared by the tiny misbehaving plug-ins: a table whose every operation is absent, so that
 * each plug-in differs from a well-behaved one in exactly the one way its file name says. */
#ifndef QUANTSPEC_MISBEHAVING_PLUGIN_H
#define QUANTSPEC_MISBEHAVING_PLUGIN_H
#include "quantspec/kernel_abi.h"

__attribute__((unused)) static qs_kernel_table misbehaving_table = {
    .abi_version = QS_KERNEL_ABI_VERSION, .struct_size = sizeof(qs_kernel_table), .name = "misbehaving"};
#endif
