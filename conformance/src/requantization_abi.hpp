// The Requantization fields as the ABI struct, and as text. Internal to the suite.
#pragma once

#include <string>

#include "quantspec/conformance/cases.hpp"

namespace quantspec::conformance {

// Per-channel arrays point into `r` (which must outlive the result).
qs_requantization to_abi(const Requantization& r, bool per_channel);
std::string describe_requantization(const Requantization& r, bool per_channel);

}  // namespace quantspec::conformance
