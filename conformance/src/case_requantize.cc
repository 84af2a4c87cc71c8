// Requantize (Q7) cases: describe, call through the ABI, compare.
#include <ostream>
#include <sstream>

#include "execute.hpp"
#include "oracle.hpp"
#include "quantspec/conformance/cases.hpp"
#include "requantization_abi.hpp"

namespace quantspec::conformance {

Flavor flavor_of(const RequantizeCase& c) { return {QS_S8, c.output_type, c.per_channel}; }

std::string describe_requantization(const Requantization& r, bool per_channel) {
  std::ostringstream t;
  t << "  variant: " << requant_variant_name(r.variant) << "\n"
    << "  zero_point_entry: " << zero_point_entry_name(r.zero_point_entry) << "\n";
  if (r.variant == QS_REQUANT_IDEAL) t << "  rounding: " << rounding_name(r.rounding) << "\n";
  t << "  output_zero_point: " << r.output_zero_point << "\n";
  const char* suffix = per_channel ? "s" : "";
  if (r.variant == QS_REQUANT_IDEAL) {
    t << "  input_scale: " << hex(r.input_scale) << "\n  output_scale: " << hex(r.output_scale) << "\n";
    if (per_channel) t << "  weight_scales: " << list(r.weight_scales) << "\n";
    else t << "  weight_scale: " << hex(r.weight_scales.at(0)) << "\n";
  } else if (r.variant == QS_REQUANT_FP32) {
    if (per_channel) t << "  scales: " << list(r.scales) << "\n";
    else t << "  scale: " << hex(r.scales.at(0)) << "\n";
  } else if (per_channel) {
    t << "  multipliers: " << list(r.multipliers) << "\n  shifts: " << list(r.shifts) << "\n";
  } else {
    t << "  multiplier" << suffix << ": " << r.multipliers.at(0) << "\n  shift: " << r.shifts.at(0) << "\n";
  }
  return t.str();
}

qs_requantization to_abi(const Requantization& r, bool per_channel) {
  qs_requantization a{};
  a.variant = r.variant;
  a.zero_point_entry = r.zero_point_entry;
  a.rounding = r.rounding;
  a.derivation = r.derivation;
  a.output_zero_point = r.output_zero_point;
  a.multiplier = r.multipliers.empty() ? 0 : r.multipliers[0];
  a.shift = r.shifts.empty() ? 0 : r.shifts[0];
  a.scale = r.scales.empty() ? 0.0f : r.scales[0];
  a.weight_scale = r.weight_scales.empty() ? 0.0f : r.weight_scales[0];
  a.input_scale = r.input_scale;
  a.output_scale = r.output_scale;
  if (per_channel) {
    a.multipliers = r.multipliers.data();
    a.shifts = r.shifts.data();
    a.scales = r.scales.data();
    a.weight_scales = r.weight_scales.data();
  }
  return a;
}

std::string describe(const RequantizeCase& c) {
  std::ostringstream t;
  t << "  op: " << (c.per_channel ? "requantize_per_channel" : "requantize") << "\n"
    << describe_requantization(c.requant, c.per_channel)
    << "  output_type: " << element_type_name(c.output_type) << "\n"
    << "  qmin, qmax: " << c.qmin << ", " << c.qmax << "\n";
  if (c.per_channel) t << "  channels: " << c.requant.channels() << "\n";
  t << "  n: " << c.input.size() << "\n"
    << "  input (misaligned by " << c.placement.input_offset << " int32): " << list(c.input) << "\n"
    << "  output misaligned by " << c.placement.output_offset << " bytes\n";
  return t.str();
}

void showValue(const RequantizeCase& c, std::ostream& os) { os << "\n" << describe(c); }

Execution call_kernel(const qs_kernel_table& table, const RequantizeCase& c, const std::string& description) {
  auto* const fn = c.per_channel ? table.requantize_per_channel : table.requantize;
  if (fn == nullptr) return unsupported_slot();
  const std::size_t n = c.input.size();
  qs_requantize_params p{};
  p.requant = to_abi(c.requant, c.per_channel);
  p.output_type = c.output_type;
  p.qmin = c.qmin;
  p.qmax = c.qmax;
  p.channels = c.per_channel ? c.requant.channels() : 0;
  return execute(
      {{to_bytes(c.input), c.placement.input_offset * sizeof(std::int32_t), "input"}}, n,
      c.placement.output_offset,
      [&](const std::vector<const void*>& in, void* out) {
        return fn(&p, static_cast<const std::int32_t*>(in[0]), out, n);
      },
      description);
}

Outcome run_case(const qs_kernel_table& table, const RequantizeCase& c, OracleMode mode) {
  const std::size_t n = c.input.size();
  const std::string description = describe(c);
  const Execution e = call_kernel(table, c, description);
  if (e.verdict) return *e.verdict;
  if (auto i = first_unwritten(e, 1)) {
    return Outcome::fail("left output element " + std::to_string(*i) + " unwritten\n" + description, i);
  }
  const std::size_t channels = c.per_channel ? c.requant.channels() : 1;
  std::vector<oracle::Requantizer> requantizers;
  requantizers.reserve(channels);
  for (std::size_t ch = 0; ch < channels; ++ch) {
    requantizers.emplace_back(oracle::requantize_params(c.requant, ch, c.qmin, c.qmax), mode);
  }
  for (std::size_t i = 0; i < n; ++i) {
    const std::size_t ch = i % channels;
    const std::int32_t expected = requantizers[ch](c.input[i]);
    const std::int32_t got = load_narrow(e.first, i, c.output_type);
    if (got != expected) {
      std::ostringstream t;
      t << "wrong output at index " << i << " (channel " << ch << "): acc " << c.input[i]
        << ": expected " << expected << ", got " << got << "\n"
        << description;
      return Outcome::fail(t.str(), i);
    }
  }
  return Outcome::pass();
}

}  // namespace quantspec::conformance
