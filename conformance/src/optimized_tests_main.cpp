// Our Highway kernels, every compiled target this CPU supports, as GoogleTests.
#include <gtest/gtest.h>

#include "quantspec/conformance/gtest_registration.hpp"
#include "quantspec/optimized.h"

int main(int argc, char** argv) {
  testing::InitGoogleTest(&argc, argv);
  const auto settings = quantspec::conformance::settings_from_environment(40, 1);
  for (const auto& t : quantspec::optimized::compiled_tables()) {
    quantspec::conformance::register_conformance_tests(t.target, *t.table, settings);
  }
  return quantspec::conformance::run_registered_tests();
}
