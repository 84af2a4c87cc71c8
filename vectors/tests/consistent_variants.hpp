// The variants `identify` finds consistent (no mismatch) with `results` on some groups of a file.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "quantspec/vectors/check.hpp"
#include "quantspec/vectors/format.hpp"

namespace quantspec::vectors::test_support {

inline std::set<std::string> consistent_variants(const VectorFile& file,
                                                 const std::vector<const TestGroup*>& groups,
                                                 const Results& results) {
  VectorFile only = file;
  only.groups.clear();
  for (const TestGroup* g : groups) only.groups.push_back(*g);
  std::set<std::string> out;
  const auto identified = identify_variants({only}, results, "in-memory");  // outlives the loop
  for (const auto& v : identified.at(0).verdicts) {
    if (v.mismatches.empty()) out.insert(v.variant);
  }
  return out;
}

}  // namespace quantspec::vectors::test_support
