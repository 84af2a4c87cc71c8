// Q17 dynamic quantization (SPEC.md §Q17). Each binary32 node of ONNX's DynamicQuantizeLinear
// function body is one round_to_binary32 of an exact value; the quantization itself is Q2.
#include "quantspec/reference/dynamic.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "quantspec/reference/errors.hpp"

namespace quantspec::ref {
namespace {

void check_elements(const std::vector<float>& x) {
  if (x.empty()) throw ParameterError("x", "at least one element", "an empty tensor");
  for (std::size_t i = 0; i < x.size(); ++i) {
    if (!std::isfinite(x[i])) {
      throw ParameterError("x", "finite elements (the run-time range must be a real range)",
                           "x[" + std::to_string(i) + "] = " + hex_float(x[i]));
    }
  }
}

}  // namespace

// Q17.1.
OnnxDynamicQuantization dynamic_quantize_onnx(const std::vector<float>& x) {
  check_elements(x);
  OnnxDynamicQuantization d;
  const auto [lo, hi] = std::minmax_element(x.begin(), x.end());
  d.min_adjusted = std::min(*lo, 0.0f);  // comparisons are exact: no rounding
  d.max_adjusted = std::max(*hi, 0.0f);
  const Rational range = exact(d.max_adjusted) - exact(d.min_adjusted);
  d.range = round_to_binary32(range);
  if (std::isinf(d.range)) {
    throw ParameterError("x", "fl32(max(x, 0) - min(x, 0)) finite", hex_float(d.range));
  }
  if (d.range == 0.0f) {  // every element is +-0: the function body would divide 0 by 0
    d.degenerate = true;
    d.scale = 1.0f;
    d.zero_point = 0;
  } else {
    d.scale = round_to_binary32(exact(d.range) / 255);
    if (d.scale == 0.0f) {
      throw ParameterError("x", "a range whose binary32 scale fl32(range / 255) is > 0",
                           "range " + hex_float(d.range));
    }
    d.min_scaled = round_to_binary32(exact(d.min_adjusted) / exact(d.scale));
    // 0 - min_scaled is exact; Clip to [0, 255] before Round (half_even) and Cast.
    const Rational zero_point_fp = std::clamp(Rational(-exact(d.min_scaled)), Rational(0), Rational(255));
    d.zero_point_fp = round_to_binary32(zero_point_fp);
    d.zero_point = static_cast<std::int64_t>(round_to_integer(zero_point_fp, Rounding::half_even));
  }
  const QuantizeParams params{d.scale, d.zero_point, 0, 255, Rounding::half_even,
                              Division::f32_divide};
  d.q.reserve(x.size());
  for (float v : x) d.q.push_back(quantize(v, params));
  return d;
}

// Q17.2.
RowDynamicQuantization dynamic_quantize_per_row(const std::vector<float>& x, std::size_t rows,
                                                float scale_floor) {
  check_elements(x);
  if (rows == 0 || x.size() % rows != 0) {
    throw ParameterError("rows", "> 0 and dividing the element count " + std::to_string(x.size()),
                         std::to_string(rows));
  }
  exact(scale_floor, "scale_floor");
  if (!(scale_floor > 0.0f)) {
    throw ParameterError("scale_floor", "> 0 and finite", hex_float(scale_floor));
  }
  const std::size_t cols = x.size() / rows;
  RowDynamicQuantization out;
  out.q.reserve(x.size());
  for (std::size_t r = 0; r < rows; ++r) {
    Rational amax = 0;
    for (std::size_t c = 0; c < cols; ++c) amax = std::max(amax, Rational(abs(exact(x[r * cols + c]))));
    const float scale = std::max(round_to_binary32(amax / 127), scale_floor);
    out.scales.push_back(scale);
    const QuantizeParams params{scale, 0, -127, 127, Rounding::half_even, Division::f32_divide};
    for (std::size_t c = 0; c < cols; ++c) out.q.push_back(quantize(x[r * cols + c], params));
  }
  return out;
}

}  // namespace quantspec::ref
