// SPEC.md Q11.3 (and Q11.8 for rndnu16): the fast path of the deployed requantization members, on int64 / __int128,
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
  const auto rounded =
      static_cast<std::int32_t>((static_cast<std::int64_t>(m) + (1 << 15)) >> 16);  // [0, 2^15]
  if (params_.member == DeployedRequant::rndnu16) {
    // XNNPACK: 2^15 is not an int16; take 2^14 and shift one more.
    reduced_multiplier_ = rounded == (1 << 15) ? (1 << 14) : rounded;
    pre_shift_ = rounded == (1 << 15) ? params_.shift + 1 : params_.shift;
  } else {
    reduced_multiplier_ = m < 0x7FFF0000 ? rounded : 0x7FFF;
  }
}

std::int32_t FastDeployedRequantizer::operator()(std::int64_t acc) const {
  // The accepted ranges of validate_deployed_accumulator, checked in int64 first: the
  // unbounded integer (an allocation) is built only to reject.
  const bool accepted = params_.member == DeployedRequant::int16x8_int64
                            ? acc >= -(std::int64_t{1} << 47) && acc < (std::int64_t{1} << 47)
                            : acc >= fixed_point::kInt32Min && acc <= fixed_point::kInt32Max;
  if (!accepted) validate_deployed_accumulator(Integer(acc), params_);
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
  } else if (params_.member == DeployedRequant::rndnu16) {
    // VQRSHL by p on int32, then VQMOVN: pre-shift in int64 (|acc| * 2^9 < 2^41), saturate to
    // int16; VQRDMULH.16 on int32 products; VQADD.16 of Zy is subsumed by the int16 clamp.
    const std::int64_t pre = pre_shift_ >= 0
                                 ? acc * (std::int64_t{1} << pre_shift_)
                                 : (acc + (std::int64_t{1} << (-pre_shift_ - 1))) >> -pre_shift_;
    const auto x16 = static_cast<std::int32_t>(std::clamp<std::int64_t>(pre, -32768, 32767));
    y = (x16 * reduced_multiplier_ + (1 << 14)) >> 15;
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
