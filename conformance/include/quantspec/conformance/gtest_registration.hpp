// Registering the suite as GoogleTests (library quantspec::conformance_gtest). Each check of
// each operation x variant becomes one test, "<table>_<op>_<variant>.<Check>"; variants the
// table does not provide are skipped (GTEST_SKIP), not failed. GoogleTest's own sharding
// (GTEST_SHARD_INDEX / GTEST_TOTAL_SHARDS) splits the tests over machines.
#pragma once

#include <cstdint>
#include <string>

#include "quantspec/conformance/suite.hpp"
#include "quantspec/kernel_abi.h"

namespace quantspec::conformance {

// Settings with the environment's overrides: QUANTSPEC_CONFORM_CASES, QUANTSPEC_CONFORM_SEED,
// QUANTSPEC_CONFORM_EXHAUSTIVE=1.
Settings settings_from_environment(int default_cases = 100, std::uint64_t default_seed = 1);

// Call before RUN_ALL_TESTS(); `table` must outlive the tests.
void register_conformance_tests(const std::string& table_label, const qs_kernel_table& table,
                                const Settings& settings);

// RUN_ALL_TESTS(), except that a run in which every selected test was skipped and none failed
// returns the exit code in QUANTSPEC_SKIPPED_EXIT_CODE (1..255) when that variable is set. CTest
// registers one test per gtest suite (conformance/cmake/GTestSuites.cmake) with that code as its
// SKIP_RETURN_CODE, so a variant the table does not provide is reported skipped, not passed.
int run_registered_tests();

}  // namespace quantspec::conformance
