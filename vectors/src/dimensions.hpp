// SPEC Q20: the variant dimensions of the `distinguish` family, one model per operation
// (quantize, requantize, accumulate, linear). A model lists its dimensions and members and
// predicts, with the reference, the output of any combination of members on a test's
// operands; the generator searches with it, `vectors identify` reasons with it, and the
// separation test checks the family with it.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "quantspec/reference/binary32_requantize.hpp"
#include "quantspec/reference/multiplier.hpp"
#include "quantspec/vectors/format.hpp"

namespace quantspec::vectors {

struct Dimension {
  std::string name;                  // e.g. "division"
  std::vector<std::string> members;  // e.g. exact, f32_divide, f32_reciprocal
  std::string base;                  // the member of the base context (Q20.6)
  bool policy = false;               // decided only on tests flagged "policy" (Q20.5)
};

// One member per dimension, in the model's dimension order; "" where a dimension does not
// apply to this combination (e.g. rounding under pipeline double_round).
using Assignment = std::vector<std::string>;

class OperationModel {
 public:
  virtual ~OperationModel() = default;
  virtual std::string operation() const = 0;   // "quantize", "requantize", ...
  virtual std::string group_type() const = 0;  // "DistinguishQuantizeTest", ...
  virtual std::vector<Dimension> dimensions() const = 0;
  // Every valid combination (dimensions that do not apply are ""); with policy = false the
  // policy dimensions are fixed at their base member (where they apply).
  virtual std::vector<Assignment> combinations(bool include_policy) const = 0;
  // The base context of Q20.6 (expected outputs of the family are for it).
  virtual Assignment base() const = 0;
  // The output object of `assignment` on the merged operands, or {"error": parameter} when
  // the reference rejects them. One call per test for every assignment (so models can share
  // work between assignments).
  virtual std::vector<Json> predict(const Json& operands,
                                    const std::vector<Assignment>& assignments) const = 0;

  // Index of a dimension by name, or -1.
  int dimension_index(const std::string& name) const;
  // "division=exact, rounding=half_even" (dimensions that do not apply left out).
  std::string label(const Assignment& assignment) const;
  // `assignment` with dimension d set to `member`, or nullopt-like empty vector when that
  // combination is not valid (e.g. rounding on a fixed-point pipeline).
  Assignment with_member(const Assignment& assignment, int d, const std::string& member) const;
};

// The models of the distinguish family, in file order.
const std::vector<std::unique_ptr<OperationModel>>& distinguish_models();
// The model whose group type is `type`, or nullptr.
const OperationModel* model_for_group_type(const std::string& type);

// SPEC Q20.3: the Q31 pair (m, s) the fixed-point pipelines take under `derivation`; false
// where the reference rejects the scales or the pair.
bool derived_fixed_point(float sx, float sw, float sy, ref::ScaleDerivation derivation,
                         ref::FixedPointMultiplier& out);
// The result y (before Zy and the clamp) of double_round (saturating left shift) or
// neon_double_round on int32 accumulators with pair q, by the fast paths (host int64
// arithmetic, to propose candidates); an empty function where the fast path rejects the pair.
std::function<std::int64_t(std::int64_t)> double_rounding(const std::string& pipeline,
                                                         const ref::FixedPointMultiplier& q);

// Equal outputs (every field of `expected` present and equal in `got`, exact encodings).
bool same_output(const Json& expected, const Json& got);

}  // namespace quantspec::vectors
