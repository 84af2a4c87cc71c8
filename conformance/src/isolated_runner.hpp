// Running variant suites in forked children (crash isolation). Internal to the suite.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "quantspec/conformance/suite.hpp"

namespace quantspec::conformance {

// Runs suites[0..] on `table` in a child process; after a crash or timeout the crashed suite is
// reported (status crashed) and a new child continues with the next one. `on_start(i)` is called
// in the parent when suite i starts.
std::vector<VariantResult> run_isolated(const qs_kernel_table& table, const std::string& target,
                                        const std::vector<const VariantSuite*>& suites, const Settings& settings,
                                        int timeout_seconds, const std::function<void(std::size_t)>& on_start);

}  // namespace quantspec::conformance
