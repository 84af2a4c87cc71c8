// The oracle: expected outputs from the exact reference (quantspec::ref). Internal to the suite.
// Fast paths (quantize_fast, FastRequantizer) serve bulk runs; the definitions (quantize,
// requantize, dequantize on exact rationals) confirm counterexamples (OracleMode::definition).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

#include "quantspec/conformance/cases.hpp"
#include "quantspec/reference/dequantize.hpp"
#include "quantspec/reference/quantize.hpp"
#include "quantspec/reference/requantize.hpp"

namespace quantspec::conformance::oracle {

// Q2: parameters of channel c (0 for the per-tensor form).
ref::QuantizeParams quantize_params(const QuantizeCase&, std::size_t channel);
std::int32_t quantize(float x, const ref::QuantizeParams&, OracleMode);

// Q3: fl32((q - Z) * S), always from the exact definition (one rational per distinct q).
float dequantize(std::int32_t q, float scale, std::int32_t zero_point);

// Q7: parameters of channel c with output bounds [qmin, qmax].
ref::RequantizeParams requantize_params(const Requantization&, std::size_t channel,
                                        std::int32_t qmin, std::int32_t qmax);

// Requantizes int32 accumulators with one parameter set (fast path or definition).
class Requantizer {
 public:
  Requantizer(const ref::RequantizeParams& params, OracleMode mode);
  std::int32_t operator()(std::int32_t acc) const;

 private:
  ref::RequantizeParams params_;
  OracleMode mode_;
  std::unique_ptr<ref::FastRequantizer> fast_;
};

// Q5: acc[row][col] = bias + sum (a - Za)(w - Zw) wrapped to int32, computed in int64
// (|sum| <= K * 65025 + 2^31 stays far inside int64 for any K a test uses).
std::int32_t accumulate(const GemmCase&, std::size_t row, std::size_t col);

}  // namespace quantspec::conformance::oracle
