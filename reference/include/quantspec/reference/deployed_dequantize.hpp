// Q3.5: dequantize members of deployed systems, next to the conforming fl32((q - Z) * S) of
// Q3.2. Each is defined exactly here so that `vectors identify` can name what a backend runs.
#pragma once

#include <cstdint>

#include "quantspec/reference/numbers.hpp"
#include "quantspec/reference/quantize.hpp"

namespace quantspec::ref {

// Q3.5: TFLite's optimized Dequantize (uint8, int8, int16), the 8-wide vector loop where
// ScaleWithNewZeroPoint multiplies, then adds (no FMA: x86 through NEON_2_SSE.h, and Arm builds
// without __ARM_FEATURE_FMA):
//   p = fl32(fl32(q) * S)        vcvtq_f32_s32, vmulq_f32 by vdupq_n_f32(float(scale))
//   z = fl32(fl64(-Z * S))       vdupq_n_f32(static_cast<float>(-zero_point * scale)), a double scale
//   x = fl32(p + z)              vaddq_f32
// For the 8- and 16-bit grids fl32(q) = q and fl64(-Z * S) = -Z * S, so x = fl32(fl32(q*S) - fl32(Z*S)):
// two roundings before the subtraction, where Q3.2 rounds (q - Z) * S once. p + z of two
// opposite infinities is NaN, of one infinity that infinity (binary32 addition). Throws
// ParameterError naming "scale" (NaN, infinite, <= 0), as Q3.1; q and Z must be int32 (ParameterError
// naming "q" or "zero_point", the type the kernel converts).
float dequantize_tflite_neon_mul_add(const Integer& q, float scale, std::int64_t zero_point);

// Q3.5 with a full parameter set: validates params (Q2.2) and requires q in [qmin, qmax]
// (ParameterError naming "q"), as Q3.3.
float dequantize_tflite_neon_mul_add(const Integer& q, const QuantizeParams& params);

}  // namespace quantspec::ref
