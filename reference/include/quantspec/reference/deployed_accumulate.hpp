// Q20.4: the accumulation members. `wrap` is Q5.2 (the conforming int32 pipeline); the others
// are what deployed kernels do when they do not wrap: saturating int32 adds, and u8*s8
// products summed in saturating int16 pairs (x86 vpmaddubsw, oneDNN on CPUs without VNNI).
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "quantspec/reference/accumulate.hpp"
#include "quantspec/reference/numbers.hpp"

namespace quantspec::ref {

enum class AccumulationMember {
  wrap,         // Q5.2: exact sum modulo 2^32
  saturate32,   // Q20.4: every partial sum (bias, then k = 0, 1, ...) saturated to int32
  int16_pairs,  // Q20.4: sat16(x[2j]*w[2j] + x[2j+1]*w[2j+1]) of the raw values, summed in
                // int32 (wrap) with the zero-point terms; uint8 x, int8 w only
};

std::string_view name(AccumulationMember);
AccumulationMember parse_accumulation_member(std::string_view text,
                                             std::string_view parameter = "accumulation");
const std::vector<AccumulationMember>& all_accumulation_members();

// Q20.4: the int32 accumulator of `member`. Validates like accumulate() (Q5.1: "w" for a
// length mismatch, "x[k]", "w[k]", "x_zero_point", "w_zero_point"); int16_pairs also needs
// x of type uint8 and w of type int8 (ParameterError naming "x" or "w") and a bias in int32
// ("bias"), as does saturate32.
std::int32_t accumulate_with_member(const QuantizedOperand& x, const QuantizedOperand& w,
                                    const Integer& bias, AccumulationMember member);

// The fast path (int64, as the kernels compute it: saturate32 as saturating int32 adds,
// int16_pairs as vpmaddubsw's saturated pair sums added in wrapping int32): the same function
// and the same ParameterErrors, for an int32 bias. Held to the definition by the property
// `DeployedAccumulateFast.EqualsDefinition` (tests/test_deployed_accumulate_fast.cc), which
// also compares int16_pairs with the SSSE3 instruction where the CPU has it.
std::int32_t accumulate_with_member_fast(const QuantizedOperand& x, const QuantizedOperand& w,
                                         std::int32_t bias, AccumulationMember member);

}  // namespace quantspec::ref
