#include "broken_kernels.hpp"

namespace quantspec::conformance::broken {

// Helper used by every broken_kernels_*.cc: the scalar example with one slot replaced.
qs_kernel_table with_slot(void (*edit)(qs_kernel_table&), const char* name) {
  qs_kernel_table table = *qs_scalar_example_table();
  table.name = name;
  edit(table);
  return table;
}

}  // namespace quantspec::conformance::broken
