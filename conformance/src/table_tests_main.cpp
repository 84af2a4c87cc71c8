// main() of the binaries quantspec_add_conformance_test() builds: the table comes from the
// linked qs_kernel_table_get(), exactly as a plug-in's would.
#include <gtest/gtest.h>

#include <iostream>

#include "quantspec/conformance/gtest_registration.hpp"

#ifndef QUANTSPEC_CONFORM_DEFAULT_CASES
#define QUANTSPEC_CONFORM_DEFAULT_CASES 100
#endif
#ifndef QUANTSPEC_CONFORM_DEFAULT_SEED
#define QUANTSPEC_CONFORM_DEFAULT_SEED 1
#endif

int main(int argc, char** argv) {
  testing::InitGoogleTest(&argc, argv);
  const qs_kernel_table* table = qs_kernel_table_get(QS_KERNEL_ABI_VERSION);
  if (table == nullptr) {
    std::cerr << "qs_kernel_table_get(" << QS_KERNEL_ABI_VERSION << ") returned NULL\n";
    return 2;
  }
  quantspec::conformance::register_conformance_tests(
      table->name != nullptr ? table->name : "table", *table,
      quantspec::conformance::settings_from_environment(QUANTSPEC_CONFORM_DEFAULT_CASES, QUANTSPEC_CONFORM_DEFAULT_SEED));
  return quantspec::conformance::run_registered_tests();
}
