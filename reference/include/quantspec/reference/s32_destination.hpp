// Q20.7: how an int32 accumulator reaches an s32 destination. `int32` (conforming, Q5.2) stores
// the integer sum, bias included; `via_binary32` is oneDNN 2.6's int8 matmul with a bias and
// an s32 destination: the int32 accumulator (zero-point terms included) and the s32 bias are
// each converted to binary32, added in binary32, the sum clamped above at 2147483520 (the
// largest binary32 below 2^31) and converted back, so sums beyond 2^24 lose their low bits
// and an overflow saturates instead of wrapping.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "quantspec/reference/deployed_accumulate.hpp"
#include "quantspec/reference/numbers.hpp"

namespace quantspec::ref {

enum class S32Destination {
  int32,         // Q5.2: wrap32(acc + bias)
  via_binary32,  // Q20.7: sat(fl32(fl32(acc) + fl32(bias)))
};

std::string_view name(S32Destination);
S32Destination parse_s32_destination(std::string_view text, std::string_view parameter = "s32_destination");
const std::vector<S32Destination>& all_s32_destinations();

// The largest binary32 below 2^31 (0x1.fffffep+30): oneDNN's upper saturation bound for s32.
inline constexpr std::int32_t kBinary32BelowTwoTo31 = 2147483520;

// Q20.7: the s32 result of an accumulator `acc` (the sum of the products and the zero-point
// terms, as the accumulation member leaves it in int32, bias not included) and `bias`.
// `bias` must be an int32 (ParameterError naming "bias"); `acc` is an int32 by type.
std::int32_t store_s32(std::int32_t acc, const Integer& bias, S32Destination destination);

// Q20.7: a matmul's s32 output: accumulate_with_member(x, w, bias, member) for `int32`; for
// `via_binary32`, store_s32 of the member's accumulator without the bias (the bias enters in
// binary32). The errors of both (Q5.1's, the member's, "bias").
std::int32_t accumulate_to_s32(const QuantizedOperand& x, const QuantizedOperand& w, const Integer& bias,
                               AccumulationMember member, S32Destination destination);

}  // namespace quantspec::ref
