#include "oracle.hpp"

#include <cstdint>

#include "quantspec/reference/errors.hpp"
#include "quantspec/reference/multiplier.hpp"

namespace quantspec::conformance::oracle {

ref::QuantizeParams quantize_params(const QuantizeCase& c, std::size_t channel) {
  ref::QuantizeParams p;
  p.scale = c.scales.at(channel);
  p.zero_point = c.zero_points.at(channel);
  p.qmin = c.qmin;
  p.qmax = c.qmax;
  // The ABI enums list the rules and divisions in the reference's order.
  p.rounding = static_cast<ref::Rounding>(c.rounding);
  p.division = static_cast<ref::Division>(c.division);
  return p;
}

std::int32_t quantize(float x, const ref::QuantizeParams& params, OracleMode mode) {
  if (mode == OracleMode::fast) return static_cast<std::int32_t>(ref::quantize_fast(x, params));
  return static_cast<std::int32_t>(ref::quantize(x, params));
}

float dequantize(std::int32_t q, float scale, std::int32_t zero_point) {
  return ref::dequantize(ref::Integer(q), scale, zero_point);
}

namespace {

// Q7: parameters of channel c with output bounds [qmin, qmax].
ref::RequantizeParams requantize_params(const Requantization& r, std::size_t channel,
                                        std::int32_t qmin, std::int32_t qmax) {
  ref::RequantizeParams p;
  if (r.variant == QS_REQUANT_DOUBLE_ROUND_WRAP) {  // Q7.2 with the `wrap` left-shift member
    p.variant = ref::RequantVariant::double_round;
    p.left_shift_overflow = ref::LeftShiftOverflow::wrap;
  } else {
    p.variant = static_cast<ref::RequantVariant>(r.variant);
  }
  p.rounding = static_cast<ref::Rounding>(r.rounding);
  p.zero_point_entry = static_cast<ref::ZeroPointEntry>(r.zero_point_entry);
  p.zero_point = r.output_zero_point;
  p.qmin = qmin;
  p.qmax = qmax;
  switch (r.variant) {
    case QS_REQUANT_IDEAL:
      p.real_multiplier =
          ref::multiplier_from_scales(r.input_scale, r.weight_scales.at(channel), r.output_scale);
      break;
    case QS_REQUANT_FP32:
      p.scale = r.scales.at(channel);
      break;
    default:
      p.multiplier = r.multipliers.at(channel);
      p.shift = r.shifts.at(channel);
      break;
  }
  return p;
}

// SPEC Q11.1 / Q11.2 / Q11.8: the member and its Q31 pair.
ref::DeployedRequantParams deployed_params(const Requantization& r, std::size_t channel,
                                           std::int32_t qmin, std::int32_t qmax) {
  ref::DeployedRequantParams p;
  p.member = r.variant == QS_REQUANT_NEON_DOUBLE_ROUND ? ref::DeployedRequant::neon_double_round
             : r.variant == QS_REQUANT_INT16X8_INT64   ? ref::DeployedRequant::int16x8_int64
                                                       : ref::DeployedRequant::rndnu16;
  p.multiplier = r.multipliers.at(channel);
  p.shift = r.shifts.at(channel);
  p.zero_point = r.output_zero_point;
  p.qmin = qmin;
  p.qmax = qmax;
  return p;
}

bool is_deployed_member(std::uint32_t variant) {
  return variant == QS_REQUANT_NEON_DOUBLE_ROUND || variant == QS_REQUANT_INT16X8_INT64 ||
         variant == QS_REQUANT_RNDNU16;
}

}  // namespace

Requantizer::Requantizer(const Requantization& r, std::size_t channel, std::int32_t qmin,
                         std::int32_t qmax, OracleMode mode)
    : deployed_(is_deployed_member(r.variant)) {
  // The Q11 members add the zero point after rounding only; the ABI rejects the other entry.
  if (deployed_) {
    deployed_params_ = deployed_params(r, channel, qmin, qmax);
    if (r.zero_point_entry != QS_ZP_AFTER_ROUNDING) {
      throw ref::ParameterError("zero_point_entry", "after_rounding for the SPEC Q11 members", "before_rounding");
    }
    if (mode == OracleMode::fast) fast_deployed_ = std::make_unique<ref::FastDeployedRequantizer>(deployed_params_);
    else deployed_params_.validate();
    return;
  }
  params_ = requantize_params(r, channel, qmin, qmax);
  if (mode == OracleMode::fast) fast_ = std::make_unique<ref::FastRequantizer>(params_);
}

std::int32_t Requantizer::operator()(std::int32_t acc) const {
  if (fast_deployed_) return (*fast_deployed_)(acc);
  if (deployed_) return static_cast<std::int32_t>(ref::deployed_requantize(ref::Integer(acc), deployed_params_));
  if (fast_) return (*fast_)(acc);
  return static_cast<std::int32_t>(ref::requantize(ref::Integer(acc), params_));
}

std::int32_t accumulate(const GemmCase& c, std::size_t row, std::size_t col) {
  const std::int64_t zw =
      c.w_zero_point_per_channel ? c.w_zero_points.at(col) : c.w_zero_points.at(0);
  std::int64_t sum = c.bias.empty() ? 0 : c.bias.at(col);
  for (std::size_t i = 0; i < c.k; ++i) {
    sum += (static_cast<std::int64_t>(c.a[row * c.a_stride + i]) - c.a_zero_point) *
           (static_cast<std::int64_t>(c.w[col * c.w_stride + i]) - zw);
  }
  // Q5.2: two's complement wrap modulo 2^32.
  return static_cast<std::int32_t>(static_cast<std::uint32_t>(static_cast<std::uint64_t>(sum)));
}

}  // namespace quantspec::conformance::oracle
