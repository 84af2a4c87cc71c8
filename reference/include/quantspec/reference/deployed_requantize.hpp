// SPEC.md Q11: requantization members of deployed pipelines that Q7 does not name.
//   neon_double_round : TFLite's NEON MultiplyByQuantizedMultiplier4Rows (Q11.1): the left
//                       shift wraps, SQRDMULH, then a rounding shift right with ties up;
//   int16x8_int64     : TFLite's int64 MultiplyByQuantizedMultiplier / CMSIS-NN
//                       arm_nn_requantize_s64 (Q11.2): a 15-bit multiplier and one rounding;
//   rndnu16           : XNNPACK's qu8 rndnu16 kernels (Q11.8): a 15-bit multiplier, a rounding
//                       pre-shift, int16 saturation, then a 16-bit rounding doubling high mul.
// deployed_requantize() is the DEFINITION (unbounded integers, reads like SPEC.md Q11);
// FastDeployedRequantizer is the int64 fast path, held to it by a property test
// (tests/test_deployed_requantize.cc). The kernel ABI selects them as requantization variants
// 9..11 (conformance/include/quantspec/kernel_abi.h); the conformance oracle calls these.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "quantspec/reference/numbers.hpp"
#include "quantspec/reference/requantize.hpp"

namespace quantspec::ref {

enum class DeployedRequant { neon_double_round, int16x8_int64, rndnu16 };

std::string_view name(DeployedRequant member);
// Accepts exactly the names name() returns; otherwise ParameterError naming `parameter`.
DeployedRequant parse_deployed_requant(std::string_view text,
                                       std::string_view parameter = "member");
const std::vector<DeployedRequant>& all_deployed_requants();

// Q11.1 / Q11.2 / Q11.8: every member takes a Q31 pair M' = m * 2^(shift - 31) (Q6.1), Zy and
// the output interval (rndnu16: inside int16).
struct DeployedRequantParams {
  DeployedRequant member = DeployedRequant::neon_double_round;
  std::int32_t multiplier = 0;  // m in [0, 2^31 - 1]
  int shift = 0;  // neon_double_round [-31, 30]; int16x8_int64 [-31, 7]; rndnu16 [-31, 8]
  std::int32_t zero_point = 0;  // Zy in [qmin, qmax]
  std::int32_t qmin = -128;
  std::int32_t qmax = 127;

  // Throws ParameterError naming "multiplier", "shift", "qmin", "qmax" (rndnu16: outside
  // int16) or "zero_point".
  void validate() const;
};

// Q11.1 / Q11.2 / Q11.8: the accumulators a member accepts: neon_double_round and rndnu16
// int32; int16x8_int64 [-2^47, 2^47) (TFLite's stated input range). Others: ParameterError
// naming "acc".
void validate_deployed_accumulator(const Integer& acc, const DeployedRequantParams& params);

// Intermediates and events (Q11.1, Q11.2, Q11.8).
struct DeployedRequantTrace {
  Integer left_shifted;        // neon_double_round: wrap32(acc * 2^left); rndnu16: x16
  Integer high_mul;            // neon_double_round: SQRDMULH result; rndnu16: SQRDMULH.16
  Integer reduced_multiplier;  // int16x8_int64, rndnu16: m15
  int pre_shift = 0;           // rndnu16: p (shift, or shift + 1 where m15 renormalises)
  Integer scaled;              // y, before the zero point
  Integer with_zero_point;     // y + Zy (exact)
  Integer output;              // q
  bool left_shift_wrapped = false;  // neon_double_round: acc * 2^left left int32
  bool result_saturated = false;    // int16x8_int64: y left int32 (SPEC CHOICE: saturate)
  bool pre_shift_saturated = false; // rndnu16: the pre-shifted value left int16 (or int32)
  bool clamped = false;             // y + Zy outside [qmin, qmax]
};

// The definition: validates params and acc, returns q.
Integer deployed_requantize(const Integer& acc, const DeployedRequantParams& params,
                            DeployedRequantTrace* trace = nullptr);

// The fast path (int64 / __int128): the same function, the same ParameterErrors.
class FastDeployedRequantizer {
 public:
  explicit FastDeployedRequantizer(const DeployedRequantParams& params);
  std::int32_t operator()(std::int64_t acc) const;

 private:
  DeployedRequantParams params_;
  std::int32_t reduced_multiplier_ = 0;  // int16x8_int64, rndnu16: m15
  int pre_shift_ = 0;                    // rndnu16: p
};

// Q11.8: the parameters XNNPACK's rndnu16 kernels take from the binary32 scale s
// (xnn_init_qu8_conv_minmax_rndnu16_scalar_params): the Q31 pair of the rndnu derivation
// (Q6.4). XNNPACK asserts s in [2^-32, 256): otherwise ParameterError naming "scale".
DeployedRequantParams rndnu16_params_from_binary32_scale(float scale, std::int32_t zero_point,
                                                         std::int32_t qmin, std::int32_t qmax);

// Q11.4: the parameters of Q7.2 double_round as QNNPACK's q31 requantization derives them:
// the binary32 scale s = fl32(fl32(Sx*Sw)/Sy) (Q6.5), then its significand (the rndnu
// derivation, Q6.4). QNNPACK asserts s in [2^-32, 1): otherwise ParameterError naming "scale".
RequantizeParams double_round_params_from_binary32_scale(float sx, float sw, float sy,
                                                         std::int32_t zero_point,
                                                         std::int32_t qmin, std::int32_t qmax);

}  // namespace quantspec::ref
