// The operation x variant suites, one file per operation family. Internal to the suite.
#pragma once

#include <vector>

#include "quantspec/conformance/suite.hpp"

namespace quantspec::conformance::ops {

std::vector<VariantSuite> quantize_suites();    // quantize and quantize_per_channel
std::vector<VariantSuite> dequantize_suites();  // dequantize and dequantize_per_channel
std::vector<VariantSuite> requantize_suites();  // requantize and requantize_per_channel
std::vector<VariantSuite> gemm_suites();
std::vector<VariantSuite> linear_suites();
std::vector<VariantSuite> lut_suites();
std::vector<VariantSuite> packed_suites();  // gemm_packed and linear_packed
std::vector<VariantSuite> lut_int16_suites();  // TOSA TABLE int16 (Q13.3)
std::vector<VariantSuite> fake_quantize_suites();     // fake_quantize and fake_quantize_per_channel
std::vector<VariantSuite> dynamic_quantize_suites();  // dynamic_quantize
std::vector<VariantSuite> dynamic_linear_suites();    // dynamic_linear and dynamic_linear_packed (Q17.7)

}  // namespace quantspec::conformance::ops
