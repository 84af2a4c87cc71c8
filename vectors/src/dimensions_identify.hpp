// SPEC Q20: `vectors identify` per dimension. For each operation model of the distinguish
// family: the members of each dimension consistent with a backend's results, ranked by
// mismatches; the policy dimensions decided on the policy tests; parameter acceptance.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "dimensions.hpp"
#include "quantspec/vectors/check.hpp"
#include "quantspec/vectors/format.hpp"

namespace quantspec::vectors {

struct MemberScore {
  std::string member;
  std::int64_t mismatches = 0;          // of the best combination with this member
  std::vector<std::int64_t> tc_ids;     // the mismatching tests of that combination
};

struct DimensionVerdict {
  std::string name;
  bool policy = false;
  bool applies = true;                  // false: the best combination has no member here
  std::int64_t tests = 0;               // tests this verdict was decided on
  std::vector<MemberScore> members;     // ranked: fewest mismatches first, then member order
  std::vector<std::string> consistent;  // members with 0 mismatches
  // More than one consistent member: tests of the file that were not run and would separate
  // them (with the other members at the best combination).
  std::vector<std::int64_t> unrun_separating;
};

struct OperationIdentification {
  std::string algorithm;   // the file's algorithm ("distinguish")
  std::string operation;   // quantize, requantize, accumulate, linear
  std::string group_type;
  std::int64_t tests = 0;           // tests of this type in the file
  std::int64_t run = 0;             // with a result
  std::int64_t arithmetic_run = 0;  // valid, non-policy, with an output
  std::int64_t policy_run = 0;      // valid, policy, with an output
  std::int64_t best_mismatches = 0;
  std::vector<std::string> best;    // labels of the best arithmetic combinations
  std::vector<DimensionVerdict> dimensions;
  std::vector<std::int64_t> rejected_valid;    // valid tests the backend rejected
  std::vector<std::int64_t> accepted_invalid;  // invalid tests the backend computed
  bool identified() const { return run > 0 && best_mismatches == 0; }
};

// Identification of every operation of `file` that has a model (distinguish groups); other
// groups are left to identify_variants().
std::vector<OperationIdentification> identify_dimensions(const VectorFile& file, const Results& results);

// The text form ("rounding: half_even (0 mismatches), half_away (41)") and the JSON form
// (schema in vectors/README.md "identify --json").
void print_identification(const OperationIdentification& id, std::ostream& out);
Json identification_json(const OperationIdentification& id);

}  // namespace quantspec::vectors
