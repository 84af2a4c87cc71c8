// Q20.4 fast path: the accumulation members in machine integers (see deployed_accumulate.hpp).
#include <cstdint>
#include <limits>
#include <string>

#include "quantspec/reference/deployed_accumulate.hpp"
#include "quantspec/reference/errors.hpp"

namespace quantspec::ref {
namespace {

std::int64_t saturate(std::int64_t v, std::int64_t lo, std::int64_t hi) { return v < lo ? lo : v > hi ? hi : v; }

// Two's complement modulo 2^32 of a value whose magnitude stays below 2^62.
std::int32_t wrap32(std::int64_t v) { return static_cast<std::int32_t>(static_cast<std::uint32_t>(v)); }

}  // namespace

std::int32_t accumulate_with_member_fast(const QuantizedOperand& x, const QuantizedOperand& w,
                                         std::int32_t bias, AccumulationMember member) {
  // Q5.1's validation (lengths, grids, zero points) is the definition's, called rather than
  // restated; it also forms the exact sum in Integer, so this path is linear in K but not free
  // of multiprecision work (the members below are what it computes in machine integers).
  (void)accumulate(x, w, Integer(0));
  const std::size_t depth = x.values.size();
  switch (member) {
    case AccumulationMember::wrap: {
      // |(x - Zx)(w - Zw)| <= 2^32 for 16-bit grids, so K < 2^29 terms stay inside int64.
      std::uint64_t sum = static_cast<std::uint64_t>(static_cast<std::int64_t>(bias));
      for (std::size_t k = 0; k < depth; ++k) {
        sum += static_cast<std::uint64_t>((x.values[k] - x.zero_point) * (w.values[k] - w.zero_point));
      }
      return static_cast<std::int32_t>(static_cast<std::uint32_t>(sum));
    }
    case AccumulationMember::saturate32: {
      std::int64_t sum = bias;
      for (std::size_t k = 0; k < depth; ++k) {
        sum = saturate(sum + (x.values[k] - x.zero_point) * (w.values[k] - w.zero_point),
                       std::numeric_limits<std::int32_t>::min(), std::numeric_limits<std::int32_t>::max());
      }
      return static_cast<std::int32_t>(sum);
    }
    case AccumulationMember::int16_pairs: {
      if (x.type != DType::uint8) {
        throw ParameterError("x", "uint8 values (int16_pairs is the u8*s8 vpmaddubsw pipeline)",
                             std::string(name(x.type)));
      }
      if (w.type != DType::int8) {
        throw ParameterError("w", "int8 values (int16_pairs is the u8*s8 vpmaddubsw pipeline)",
                             std::string(name(w.type)));
      }
      // vpmaddubsw: sat16(x[2j]*w[2j] + x[2j+1]*w[2j+1]) on the raw values; the sums and the
      // zero-point terms in int32, wrapping (computed in int64, reduced once).
      std::int64_t sum = bias, sum_x = 0, sum_w = 0;
      for (std::size_t k = 0; k < depth; k += 2) {
        std::int64_t pair = x.values[k] * w.values[k];
        if (k + 1 < depth) pair += x.values[k + 1] * w.values[k + 1];
        sum += saturate(pair, std::numeric_limits<std::int16_t>::min(), std::numeric_limits<std::int16_t>::max());
      }
      for (std::size_t k = 0; k < depth; ++k) {
        sum_x += x.values[k];
        sum_w += w.values[k];
      }
      sum -= x.zero_point * sum_w + w.zero_point * sum_x;
      sum += static_cast<std::int64_t>(depth) * x.zero_point * w.zero_point;
      return wrap32(sum);
    }
  }
  throw ParameterError("accumulation", "a known member", "an invalid enum value");
}

}  // namespace quantspec::ref
