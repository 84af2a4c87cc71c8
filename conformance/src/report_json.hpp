// VariantResult <-> JSON (the child-to-parent protocol and the --report file). Internal.
#pragma once

#include <nlohmann/json.hpp>

#include "quantspec/conformance/suite.hpp"

namespace quantspec::conformance {

nlohmann::json to_json(const VariantResult&);
VariantResult from_json(const nlohmann::json&);

}  // namespace quantspec::conformance
