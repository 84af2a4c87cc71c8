// Noise for the parameter fields a call must not read (kernel_abi.h says which fields each
// operation and variant reads). execute() calls a kernel four times; each call gets one kind of
// noise in every unread field, so a kernel that reads the wrong field (the per-tensor scale in a
// per-channel call, say) or validates a field it must ignore fails the case:
//   call 1: values that differ from channel 0's (a kernel reading them computes a wrong output);
//   call 2: invalid values (NaN, INT32_MIN) and pointers into an inaccessible page (a read of
//           one faults and is reported as a read of a field the call must not read);
//   calls 3 and 4: zero and NULL.
// Selector fields (rounding) are validated against their enum by every call (kernel_abi.h's
// status order), so an unread selector only takes other valid values. New operations build
// their parameter structs through these helpers inside their KernelCall. Internal to the suite.
#pragma once

#include <cstddef>
#include <cstdint>

#include "fences.hpp"

namespace quantspec::conformance {

enum class Noise { differing, invalid, absent };

// The noise of each successive call of one execute(): differing, invalid, absent, then absent.
class NoiseSchedule {
 public:
  Noise next() { return call_ < 2 ? static_cast<Noise>(call_++) : Noise::absent; }

 private:
  int call_ = 0;
};

// A pointer into an inaccessible page (fences.hpp reports any access to it, at any small
// offset before or after).
const void* unreadable_address();

template <class T>
const T* unread_array(Noise noise) {
  return noise == Noise::absent ? nullptr : static_cast<const T*>(unreadable_address());
}
float unread_scale(Noise noise, float channel0);               // scales of any kind
std::int32_t unread_zero_point(Noise noise, std::int32_t channel0);
std::int32_t unread_multiplier(Noise noise, std::int32_t channel0);
std::int32_t unread_shift(Noise noise, std::int32_t channel0);
std::size_t unread_count(Noise noise);                          // a channel count
std::uint32_t unread_rounding(Noise noise, std::uint32_t used);  // other valid values; absent: `used`

// One line for failure reports: what the unread fields held.
extern const char* const kUnreadFieldsNote;

// Quantize and dequantize read either (scale, zero_point) or (scales, zero_points, channels):
// sets the form the case uses to its values and the other form's fields to `unread`.
template <typename Params, typename Case>
void set_scale_and_zero_point_fields(Params& p, const Case& c, Noise unread) {
  if (c.per_channel) {
    p.scale = unread_scale(unread, c.scales.at(0));
    p.zero_point = unread_zero_point(unread, c.zero_points.at(0));
    p.scales = parameter_array(c.scales, "scales");
    p.zero_points = parameter_array(c.zero_points, "zero_points");
    p.channels = c.scales.size();
  } else {
    p.scale = c.scales.at(0);
    p.zero_point = c.zero_points.at(0);
    p.scales = unread_array<float>(unread);
    p.zero_points = unread_array<std::int32_t>(unread);
    p.channels = unread_count(unread);
  }
}

}  // namespace quantspec::conformance
