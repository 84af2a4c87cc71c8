#include "unread_fields.hpp"

#include <cfloat>
#include <cmath>
#include <limits>

#include "quantspec/kernel_abi.h"

namespace quantspec::conformance {

const char* const kUnreadFieldsNote =
    "  (fields kernel_abi.h says this call does not read held, in the 4 calls made: values unlike "
    "channel 0's; NaN / INT32_MIN / unreadable pointers; zero / NULL, twice)\n";

float unread_scale(Noise noise, float channel0) {
  switch (noise) {
    case Noise::differing:
      // Far from channel 0's (a factor of 4 moves every non-saturated output).
      return std::isfinite(channel0) && std::fabs(channel0) < FLT_MAX / 4 ? channel0 * 4.0f + 1.0f : 0.5f;
    case Noise::invalid: return std::numeric_limits<float>::quiet_NaN();
    case Noise::absent: return 0.0f;
  }
  return 0.0f;
}

std::int32_t unread_zero_point(Noise noise, std::int32_t channel0) {
  switch (noise) {
    case Noise::differing: return channel0 >= 0 ? channel0 - 37 : channel0 + 37;
    case Noise::invalid: return std::numeric_limits<std::int32_t>::min();
    case Noise::absent: return 0;
  }
  return 0;
}

std::int32_t unread_multiplier(Noise noise, std::int32_t channel0) {
  switch (noise) {
    case Noise::differing: return channel0 >= (1 << 29) ? channel0 / 2 : channel0 * 2 + 1;
    case Noise::invalid: return std::numeric_limits<std::int32_t>::min();
    case Noise::absent: return 0;
  }
  return 0;
}

std::int32_t unread_shift(Noise noise, std::int32_t channel0) {
  switch (noise) {
    case Noise::differing: return channel0 > 3 ? channel0 - 1 : channel0 + 1;
    case Noise::invalid: return std::numeric_limits<std::int32_t>::min();
    case Noise::absent: return 0;
  }
  return 0;
}

std::size_t unread_count(Noise noise) {
  switch (noise) {
    case Noise::differing: return 3;
    case Noise::invalid: return std::numeric_limits<std::size_t>::max();
    case Noise::absent: return 0;
  }
  return 0;
}

std::uint32_t unread_rounding(Noise noise, std::uint32_t used) {
  const std::uint32_t count = QS_ROUND_FLOOR + 1;
  switch (noise) {
    case Noise::differing: return (used + 1) % count;
    case Noise::invalid: return (used + 3) % count;
    case Noise::absent: return used;  // as the case gave it (a bad call may set it outside the enum)
  }
  return used;
}

}  // namespace quantspec::conformance
