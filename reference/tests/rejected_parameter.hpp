// Test helper: the name carried by the ParameterError a call throws (SPEC.md §Q0.3), or
// "<not rejected>" when it throws nothing, so EXPECT_EQ prints what went wrong.
#pragma once

#include <string>

#include "quantspec/reference/errors.hpp"

namespace quantspec::ref::testing {

template <typename Call>
std::string rejected_parameter(Call&& call) {
  try {
    call();
  } catch (const ParameterError& error) {
    return error.parameter();
  }
  return "<not rejected>";
}

}  // namespace quantspec::ref::testing
