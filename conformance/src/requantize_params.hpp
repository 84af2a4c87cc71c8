// One channel's requantization parameters per variant, shared by the requantize and linear
// suites. Internal to the suite.
#pragma once

#include <rapidcheck.h>

#include <cstdint>
#include <string>
#include <vector>

#include "quantspec/conformance/cases.hpp"

namespace quantspec::conformance::ops {

// A requantize variant as the suite enumerates it (a table row).
struct RequantVariantKey {
  std::uint32_t variant;
  std::uint32_t entry;     // zero_point_entry
  std::uint32_t rounding;  // ideal only
};
std::vector<RequantVariantKey> all_requant_variant_keys();
std::string requant_variant_label(const RequantVariantKey&);  // "double_round", "ideal floor before_rounding"

// The fields a variant reads for one channel (the others keep harmless defaults).
struct ChannelMultiplier {
  std::int32_t multiplier = 1 << 30;  // fixed point
  int shift = 0;
  float scale = 1.0f;         // fp32
  float weight_scale = 1.0f;  // ideal
  float input_scale = 1.0f;   // ideal (per tensor: channel 0's value is used)
  float output_scale = 1.0f;  // ideal (per tensor)
};

// Variants taking a Q31 pair (multiplier, shift): Q7's and the SPEC Q11 members.
bool is_q31(std::uint32_t variant);
// The SPEC Q11 members (neon_double_round, int16x8_int64, rndnu16).
bool is_deployed(std::uint32_t variant);
// Selector values appended within ABI version 1 (9..12, kernel_abi.h): probed so that a kernel
// built before them is reported as not providing them.
bool is_appended_selector(std::uint32_t variant);
// The largest shift a Q31-pair variant accepts (30; int16x8_int64 7; rndnu16 8).
int max_q31_shift(std::uint32_t variant);
bool is_tosa32(std::uint32_t variant);
Requantization requantization_for(const RequantVariantKey&, const std::vector<ChannelMultiplier>& channels,
                                  std::int32_t zero_point);
ChannelMultiplier multiplier_near_one(std::uint32_t variant);
ChannelMultiplier typical_channel_multiplier(std::uint32_t variant, int index);
rc::Gen<ChannelMultiplier> gen_channel_multiplier(std::uint32_t variant);
// acc clamped into the range the variant accepts (TOSA REQUIRE), as int32.
std::int32_t clamp_accumulator(std::uint32_t variant, const ChannelMultiplier&, std::int64_t acc);

}  // namespace quantspec::conformance::ops
