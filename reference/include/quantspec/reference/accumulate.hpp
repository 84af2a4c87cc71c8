// Q5: integer accumulation. acc = sum_k (x_k - Zx)(w_k - Zw) + b, exactly; an int32 pipeline
// keeps it modulo 2^32 (two's complement wrap), which the reference reports.
#pragma once

#include <cstdint>
#include <vector>

#include "quantspec/reference/numbers.hpp"
#include "quantspec/reference/variants.hpp"

namespace quantspec::ref {

struct QuantizedOperand {
  DType type;                  // grid of the values and of the zero point (Q1.1)
  std::int64_t zero_point;     // within the grid
  std::vector<std::int64_t> values;
};

struct Accumulation {
  Integer exact;                     // Q5.1 the mathematical sum
  std::int32_t wrapped;              // Q5.2 exact modulo 2^32, as int32
  bool final_overflow = false;       // exact outside int32
  bool partial_overflow = false;     // some partial sum (bias first, then k = 0, 1, ...)
                                     // left int32, even if the final value is back inside
};

// Q5.1-Q5.2. x and w must have the same length ("w": length mismatch), every value and zero
// point must lie in its type's grid ("x"/"w"/"x_zero_point"/"w_zero_point").
Accumulation accumulate(const QuantizedOperand& x, const QuantizedOperand& w, const Integer& bias);

// Q5.2 two's complement wrap of any integer to int32.
std::int32_t wrap_int32(const Integer& value);

// Q5.3 the largest depth K for which no sum of K products (without bias) can leave int32,
// over all values and zero points of the grids. A zero point fixed at 0 (symmetric
// quantization) shrinks the worst product.
std::int64_t max_safe_depth(DType x_type, bool x_zero_point_is_zero, DType w_type,
                            bool w_zero_point_is_zero);

}  // namespace quantspec::ref
