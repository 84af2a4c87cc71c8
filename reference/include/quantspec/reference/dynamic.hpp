// Q17 dynamic quantization (动态量化, SPEC.md §Q17): activation parameters computed at run time
// from the tensor itself. ONNX DynamicQuantizeLinear as its function body computes it (every
// step binary32), and per-row symmetric int8 with a scale floor.
#pragma once

#include <cstddef>
#include <vector>

#include "quantspec/reference/numbers.hpp"
#include "quantspec/reference/quantize.hpp"

namespace quantspec::ref {

// Q17.1: the run-time parameters and the quantized tensor of ONNX DynamicQuantizeLinear
// (uint8). Every float field is the binary32 the function body's node produces.
struct OnnxDynamicQuantization {
  float min_adjusted = 0.0f;  // Min(ReduceMin(x), 0)
  float max_adjusted = 0.0f;  // Max(ReduceMax(x), 0)
  float range = 0.0f;         // Sub: fl32(max_adjusted - min_adjusted)
  float scale = 1.0f;         // Div: fl32(range / 255)
  float min_scaled = 0.0f;    // Div: fl32(min_adjusted / scale)
  float zero_point_fp = 0.0f; // Sub: 0 - min_scaled, then Clip to [0, 255]
  std::int64_t zero_point = 0;  // Round (half_even), Cast to uint8
  bool degenerate = false;    // every element is 0 (Q17.1 SPEC CHOICE: S = 1, Z = 0)
  std::vector<Integer> q;     // QuantizeLinear(x, scale, zero_point): Q2 f32_divide, half_even
};

// Q17.1. ParameterError naming "x" for an empty tensor, a NaN or infinite element, a range
// whose fl32(max - min) is infinite, or a non-zero range whose scale rounds to 0.
OnnxDynamicQuantization dynamic_quantize_onnx(const std::vector<float>& x);

// Q17.2: per-row symmetric int8: row r of a [rows, x.size() / rows] row-major tensor gets
// S_r = max(fl32(amax_r / 127), scale_floor) and q = clamp(half_even(fl32(x / S_r)), -127, 127)
// (Q2 f32_divide on the narrow int8 grid), Z = 0.
struct RowDynamicQuantization {
  std::vector<float> scales;  // one per row
  std::vector<Integer> q;
};
// ParameterError naming "rows" (0, or not dividing x.size()), "x" (NaN/inf element or empty),
// "scale_floor" (not finite and > 0).
RowDynamicQuantization dynamic_quantize_per_row(const std::vector<float>& x, std::size_t rows,
                                                float scale_floor);

}  // namespace quantspec::ref
