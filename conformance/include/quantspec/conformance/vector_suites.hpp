// The golden vectors as rows of `quantspec conform`: one variant suite per vector family x
// variant (operation "vectors"), run like every other suite (in a child process when isolated).
// Used by run_conform (conform.hpp) and the tests.
#pragma once

#include <vector>

#include "quantspec/conformance/suite.hpp"
#include "quantspec/conformance/vector_adapter.hpp"

namespace quantspec::conformance {

// The operation name of the golden-vector rows (and of `--op vectors`).
inline constexpr const char* kGoldenVectorsOp = "vectors";

// The probe calls one valid test per flavor (element types, per-channel form) to find what the
// table provides; the check "MatchesGoldenVectors" runs every test of the row and fails on the
// first whose status or output differs from the vector (the failure names the tcId and prints
// the whole case).
std::vector<VariantSuite> golden_vector_suites(const GoldenVectors& vectors);

}  // namespace quantspec::conformance
