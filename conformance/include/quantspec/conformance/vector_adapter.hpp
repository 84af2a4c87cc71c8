// The golden vectors (vectors/*.json, DESIGN.md "Golden vectors") as kernel cases: every vector
// test that maps onto an operation of the kernel C ABI becomes a VectorTest (vectors.hpp), so
// `quantspec conform` and the tests can hold every kernel table to the checked-in vectors.
//
// What maps (everything else is counted as "not applicable", with the reason):
//  - quantize:    int8 / uint8 outputs (narrow range through qmin/qmax), per tensor, every
//                 division x rounding the file names; invalid scale / zero_point.
//  - dequantize:  int8 / uint8 inputs; invalid scale / zero_point (a q outside the grid cannot
//                 be carried by an 8-bit buffer or a narrow-range-free ABI call).
//  - requantize:  every variant of the ABI, int32 accumulators, outputs whose [qmin, qmax] fits
//                 s8 or u8. Q31 / TOSA pairs as given; ideal real multipliers p/q written as
//                 input_scale * weight_scale / output_scale (exact binary32 factors, verified);
//                 from-scales groups derive their parameters with the reference (Q7.8).
//  - accumulate:  s8*s8 and u8*s8 dot products as a 1 x 1 GEMM with bias.
//  - linear:      fully connected layers, and 2-D convolutions lowered to a fully connected layer
//                 (im2col, padding filled with Zx, which adds nothing to Acc); the activation is
//                 folded into [act_min, act_max] by the reference (Q8, TFLite rounding).
//  - dynamic_linear: PyTorch's qnnpack dynamic Linear (Q17.6) as the ABI's dynamic_linear with
//                 PYTORCH_U8 (reduce_range as the test gives it; absent: off); a per-tensor
//                 weight scale as N copies; y compared bit for bit. Invalid tests whose fault the
//                 ABI cannot carry (element counts; a subnormal D[n], which Q17.6 rejects as
//                 PyTorch does and Q17.7 accepts) are not applicable.
//  - not ABI operations: quant_params, bias, multiplier, activation bounds (the ABI receives
//    the folded bounds), the gemmlowp primitives (SrdhmTest, RoundingDivideByPotTest).
// Numbers are exact: binary32 strings through strtof (exact for hex floats), integers as given.
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <vector>

#include "quantspec/conformance/vectors.hpp"

namespace quantspec::conformance {

// One row of the report: the mapped tests of one vector family x variant, in file order.
struct GoldenVectorRow {
  std::string family;  // the file's algorithm, e.g. "requantize"
  std::string label;   // e.g. "quantize f32_divide half_even", "requantize ideal floor before_rounding"
  std::vector<VectorTest> tests;
};

// How many tests of one file mapped, and why the others did not.
struct GoldenVectorCount {
  std::string family;
  std::size_t tests = 0;
  std::size_t mapped = 0;
  std::map<std::string, std::size_t> not_applicable;  // reason -> tests
  std::size_t not_applicable_total() const;
};

struct GoldenVectors {
  std::string source;                     // the file or directory read
  std::vector<GoldenVectorRow> rows;      // kernel-operation order, then first appearance
  std::vector<GoldenVectorCount> counts;  // one per file, in file order
  std::size_t mapped() const;
  const GoldenVectorCount* count(const std::string& family) const;  // nullptr if absent
};

// Reads one vectors file or every *.json of a directory and adapts it. A malformed file throws
// std::runtime_error naming the file, the test and the fault.
GoldenVectors load_golden_vectors(const std::string& file_or_directory);

// Where the golden vectors are: $QUANTSPEC_VECTORS_DIR when set and non-empty, else the
// source tree's vectors/ (compile-time QUANTSPEC_VECTORS_DIR).
std::string default_golden_vectors_dir();

// "quantize: 1740 mapped, 3465 not applicable (dtype int16: 660, ...)", one line per family.
std::string describe_counts(const GoldenVectors& vectors);

}  // namespace quantspec::conformance
