// SPEC.md Q11.3: the fast path of the deployed requantization members, on int64 / __int128,
// the way the deployed code computes them. Held to deployed_requantize() by the property
// DeployedRequantizeFast.EqualsDefinition.
#include <algorithm>
#include <cstdint>

#include "quantspec/reference/deployed_requantize.hpp"
#include "quantspec/reference/fixed_point_primitives.hpp"

namespace quantspec::ref {

FastDeployedRequantizer::FastDeployedRequantizer(const DeployedRequantParams& params)
    : params_(params) {
  params_.validate();
  const std::int32_t m = params_.multiplier;
  reduced_multiplier_ = m < 0x7FFF0000 ? static_cast<std::int32_t>(
                                             (static_cast<std::int64_t>(m) + (1 << 15)) >> 16)
                                       : 0x7FFF;
}

std::int32_t FastDeployedRequantizer::operator()(std::int64_t acc) const {
  validate_deployed_accumulator(Integer(acc), params_);
  std::int64_t y = 0;
  if (params_.member == DeployedRequant::neon_double_round) {
    const int left = std::max(params_.shift, 0);
    const int right = std::max(-params_.shift, 0);
    // SSHL keeps the low 32 bits (unsigned arithmetic: no signed overflow).
    const auto shifted = static_cast<std::int32_t>(static_cast<std::uint32_t>(acc) << left);
    const std::int32_t high =
        fixed_point::saturating_rounding_doubling_high_mul(shifted, params_.multiplier);
    y = right == 0 ? high
                   : (static_cast<std::int64_t>(high) + (std::int64_t{1} << (right - 1))) >> right;
  } else {
    const int total = 15 - params_.shift;
    const std::int64_t product = acc * reduced_multiplier_;  // |.| < 2^62
    y = (product + (std::int64_t{1} << (total - 1))) >> total;
    y = std::clamp<std::int64_t>(y, fixed_point::kInt32Min, fixed_point::kInt32Max);
  }
  return static_cast<std::int32_t>(
      std::clamp<std::int64_t>(y + params_.zero_point, params_.qmin, params_.qmax));
}

}  // namespace quantspec::ref
