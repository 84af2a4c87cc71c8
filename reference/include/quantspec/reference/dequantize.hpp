// Q3 dequantize (SPEC.md §Q3): the real value (q - Z) * S of a quantized integer, exactly,
// and its one rounding to binary32.
#pragma once

#include <cstdint>

#include "quantspec/reference/numbers.hpp"
#include "quantspec/reference/quantize.hpp"

namespace quantspec::ref {

// Q3.1: (q - zero_point) * scale as an exact rational. Throws ParameterError naming "scale"
// (NaN, infinite, <= 0). Any integer q and zero_point are accepted.
Rational dequantize_exact(const Integer& q, float scale, std::int64_t zero_point);
// Q3.2: fl32((q - zero_point) * scale): one rounding, ties to even; overflows to +-inf only
// when |q - Z| * S > FLT_MAX (impossible for the dtypes' grids unless S > 2^110).
float dequantize(const Integer& q, float scale, std::int64_t zero_point);

// Q3.3: the same with a full parameter set: validates params (Q2.2) and requires q in
// [qmin, qmax] (ParameterError naming "q"). Rounding and division are not used.
Rational dequantize_exact(const Integer& q, const QuantizeParams& params);
float dequantize(const Integer& q, const QuantizeParams& params);

}  // namespace quantspec::ref
