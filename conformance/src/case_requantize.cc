// Requantize (Q7) cases: describe, call through the ABI, compare.
#include <ostream>
#include <sstream>

#include "execute.hpp"
#include "fences.hpp"
#include "unread_fields.hpp"
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

qs_requantization to_abi(const Requantization& r, bool per_channel, Noise unread) {
  // Which fields each variant reads: kernel_abi.h, qs_requantization. Everything else is noise.
  const std::uint32_t v = r.variant;
  const bool ideal = v == QS_REQUANT_IDEAL;
  const bool fp32 = v == QS_REQUANT_FP32;
  const bool fixed_point = !ideal && !fp32;
  auto first = [](const auto& values) { return values.empty() ? decltype(values[0] + 0){} : values[0]; };
  qs_requantization a{};
  a.variant = v;
  a.zero_point_entry = r.zero_point_entry;
  a.rounding = ideal ? r.rounding : unread_rounding(unread, r.rounding);
  a.derivation = r.derivation;
  a.output_zero_point = r.output_zero_point;
  const bool tensor = !per_channel;
  a.multiplier = fixed_point && tensor ? first(r.multipliers) : unread_multiplier(unread, first(r.multipliers));
  a.shift = fixed_point && tensor ? first(r.shifts) : unread_shift(unread, first(r.shifts));
  a.scale = fp32 && tensor ? first(r.scales) : unread_scale(unread, first(r.scales));
  a.weight_scale = ideal && tensor ? first(r.weight_scales) : unread_scale(unread, first(r.weight_scales));
  a.input_scale = ideal ? r.input_scale : unread_scale(unread, r.input_scale);
  a.output_scale = ideal ? r.output_scale : unread_scale(unread, r.output_scale);
  a.multipliers = fixed_point && per_channel ? parameter_array(r.multipliers, "multipliers") : unread_array<std::int32_t>(unread);
  a.shifts = fixed_point && per_channel ? parameter_array(r.shifts, "shifts") : unread_array<std::int32_t>(unread);
  a.scales = fp32 && per_channel ? parameter_array(r.scales, "scales") : unread_array<float>(unread);
  a.weight_scales = ideal && per_channel ? parameter_array(r.weight_scales, "weight_scales") : unread_array<float>(unread);
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
  p.output_type = c.output_type;
  p.qmin = c.qmin;
  p.qmax = c.qmax;
  NoiseSchedule noise;
  return execute(
      {{to_bytes(c.input), c.placement.input_offset * sizeof(std::int32_t), "input"}}, n,
      c.placement.output_offset,
      [&](const std::vector<const void*>& in, void* out) {
        const Noise unread = noise.next();
        p.requant = to_abi(c.requant, c.per_channel, unread);
        p.channels = c.per_channel ? c.requant.channels() : unread_count(unread);
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
    return Outcome::fail(unwritten_message("element " + std::to_string(*i)) + description, i);
  }
  const std::size_t channels = c.per_channel ? c.requant.channels() : 1;
  std::vector<oracle::Requantizer> requantizers;
  requantizers.reserve(channels);
  for (std::size_t ch = 0; ch < channels; ++ch) {
    requantizers.emplace_back(c.requant, ch, c.qmin, c.qmax, mode);
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
