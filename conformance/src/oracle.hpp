// The oracle: expected outputs from the exact reference (quantspec::ref). Internal to the suite.
// Fast paths (quantize_fast, FastRequantizer) serve bulk runs; the definitions (quantize,
// requantize, dequantize on exact rationals) confirm counterexamples (OracleMode::definition).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

#include "quantspec/conformance/cases.hpp"
#include "quantspec/reference/deployed_requantize.hpp"
#include "quantspec/reference/dequantize.hpp"
#include "quantspec/reference/quantize.hpp"
#include "quantspec/reference/requantize.hpp"

namespace quantspec::conformance::oracle {

// Q2: parameters of channel c (0 for the per-tensor form).
ref::QuantizeParams quantize_params(const QuantizeCase&, std::size_t channel);
std::int32_t quantize(float x, const ref::QuantizeParams&, OracleMode);

// Q3: fl32((q - Z) * S), always from the exact definition (one rational per distinct q).
float dequantize(std::int32_t q, float scale, std::int32_t zero_point);

// Requantizes int32 accumulators with channel c's parameters of `r` and output bounds
// [qmin, qmax] (fast path or definition): Q7 for variants 0..8, the SPEC Q11 members
// (deployed_requantize.hpp) for NEON_DOUBLE_ROUND, INT16X8_INT64 and RNDNU16.
class Requantizer {
 public:
  Requantizer(const Requantization& r, std::size_t channel, std::int32_t qmin, std::int32_t qmax,
              OracleMode mode);
  std::int32_t operator()(std::int32_t acc) const;

 private:
  bool deployed_ = false;
  ref::RequantizeParams params_;
  ref::DeployedRequantParams deployed_params_;
  std::unique_ptr<ref::FastRequantizer> fast_;
  std::unique_ptr<ref::FastDeployedRequantizer> fast_deployed_;
};

// Q5: acc[row][col] = bias + sum (a - Za)(w - Zw) wrapped to int32, computed in int64
// (|sum| <= K * 65025 + 2^31 stays far inside int64 for any K a test uses).
std::int32_t accumulate(const GemmCase&, std::size_t row, std::size_t col);

}  // namespace quantspec::conformance::oracle
