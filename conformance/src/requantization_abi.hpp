// The Requantization fields as the ABI struct, and as text. Internal to the suite.
#pragma once

#include <string>

#include "quantspec/conformance/cases.hpp"
#include "unread_fields.hpp"

namespace quantspec::conformance {

// Per-channel arrays point into `r` (which must outlive the result). The fields the variant and
// form do not read hold `unread` noise (unread_fields.hpp); Noise::absent (zero / NULL) for
// calls that test one invalid field.
qs_requantization to_abi(const Requantization& r, bool per_channel, Noise unread = Noise::absent);
std::string describe_requantization(const Requantization& r, bool per_channel);

}  // namespace quantspec::conformance
