// Quantize (Q2) and dequantize (Q3) cases: describe, call through the ABI, compare.
#include <cmath>
#include <cstring>
#include <ostream>
#include <sstream>
#include <unordered_map>

#include "execute.hpp"
#include "unread_fields.hpp"
#include "oracle.hpp"
#include "quantspec/conformance/cases.hpp"

namespace quantspec::conformance {

Flavor flavor_of(const QuantizeCase& c) { return {QS_S8, c.output_type, c.per_channel}; }
Flavor flavor_of(const DequantizeCase& c) { return {c.input_type, QS_S8, c.per_channel}; }

std::string describe(const QuantizeCase& c) {
  std::ostringstream t;
  t << "  op: " << (c.per_channel ? "quantize_per_channel" : "quantize") << "\n"
    << "  output_type: " << element_type_name(c.output_type) << "\n"
    << "  rounding: " << rounding_name(c.rounding) << "\n"
    << "  division: " << division_name(c.division) << "\n"
    << "  qmin, qmax: " << c.qmin << ", " << c.qmax << "\n";
  if (c.per_channel) {
    t << "  channels: " << c.scales.size() << "\n"
      << "  scales: " << list(c.scales) << "\n"
      << "  zero_points: " << list(c.zero_points) << "\n";
  } else {
    t << "  scale: " << hex(c.scales.at(0)) << "\n"
      << "  zero_point: " << c.zero_points.at(0) << "\n";
  }
  t << "  n: " << c.input.size() << "\n"
    << "  input (misaligned by " << c.placement.input_offset << " floats): " << list(c.input) << "\n"
    << "  output misaligned by " << c.placement.output_offset << " bytes\n";
  return t.str();
}

std::string describe(const DequantizeCase& c) {
  std::ostringstream t;
  t << "  op: " << (c.per_channel ? "dequantize_per_channel" : "dequantize") << "\n"
    << "  input_type: " << element_type_name(c.input_type) << "\n";
  if (c.per_channel) {
    t << "  channels: " << c.scales.size() << "\n"
      << "  scales: " << list(c.scales) << "\n"
      << "  zero_points: " << list(c.zero_points) << "\n";
  } else {
    t << "  scale: " << hex(c.scales.at(0)) << "\n"
      << "  zero_point: " << c.zero_points.at(0) << "\n";
  }
  t << "  n: " << c.input.size() << "\n"
    << "  input (misaligned by " << c.placement.input_offset << " bytes): " << list(c.input) << "\n"
    << "  output misaligned by " << c.placement.output_offset << " floats\n";
  return t.str();
}

void showValue(const QuantizeCase& c, std::ostream& os) { os << "\n" << describe(c); }
void showValue(const DequantizeCase& c, std::ostream& os) { os << "\n" << describe(c); }

Execution call_kernel(const qs_kernel_table& table, const QuantizeCase& c, const std::string& description) {
  auto* const fn = c.per_channel ? table.quantize_per_channel : table.quantize;
  if (fn == nullptr) return unsupported_slot();
  const std::size_t n = c.input.size();
  qs_quantize_params p{};
  p.output_type = c.output_type;
  p.rounding = c.rounding;
  p.division = c.division;
  p.qmin = c.qmin;
  p.qmax = c.qmax;
  NoiseSchedule noise;
  return execute(
      {{to_bytes(c.input), c.placement.input_offset * sizeof(float), "input"}}, n,
      c.placement.output_offset,
      [&](const std::vector<const void*>& in, void* out) {
        // Reads: output_type, rounding, division, qmin, qmax, and scale + zero_point (per tensor)
        // or scales + zero_points + channels (per channel); the other form's fields are noise.
        set_scale_and_zero_point_fields(p, c, noise.next());
        return fn(&p, static_cast<const float*>(in[0]), out, n);
      },
      description);
}

Outcome run_case(const qs_kernel_table& table, const QuantizeCase& c, OracleMode mode) {
  const std::size_t n = c.input.size();
  const std::string description = describe(c);
  const Execution e = call_kernel(table, c, description);
  if (e.verdict) return *e.verdict;
  if (auto i = first_unwritten(e, 1)) {
    return Outcome::fail(unwritten_message("element " + std::to_string(*i)) + description, i);
  }
  const std::size_t channels = c.per_channel ? c.scales.size() : 1;
  std::vector<ref::QuantizeParams> params;
  for (std::size_t ch = 0; ch < channels; ++ch) params.push_back(oracle::quantize_params(c, ch));
  for (std::size_t i = 0; i < n; ++i) {
    const std::size_t ch = i % channels;
    const std::int32_t expected = oracle::quantize(c.input[i], params[ch], mode);
    const std::int32_t got = load_narrow(e.first, i, c.output_type);
    if (got != expected) {
      std::ostringstream t;
      t << "wrong output at index " << i << " (channel " << ch << "): input " << hex(c.input[i])
        << ", scale " << hex(c.scales[ch]) << ", zero_point " << c.zero_points[ch]
        << ": expected " << expected << ", got " << got << "\n"
        << description;
      return Outcome::fail(t.str(), i);
    }
  }
  return Outcome::pass();
}

Execution call_kernel(const qs_kernel_table& table, const DequantizeCase& c, const std::string& description) {
  auto* const fn = c.per_channel ? table.dequantize_per_channel : table.dequantize;
  if (fn == nullptr) return unsupported_slot();
  const std::size_t n = c.input.size();
  qs_dequantize_params p{};
  p.input_type = c.input_type;
  NoiseSchedule noise;
  return execute(
      {{narrow_bytes(c.input, c.input_type), c.placement.input_offset, "input"}}, n * sizeof(float),
      c.placement.output_offset * sizeof(float),
      [&](const std::vector<const void*>& in, void* out) {
        // Reads: input_type, and scale + zero_point or scales + zero_points + channels.
        set_scale_and_zero_point_fields(p, c, noise.next());
        return fn(&p, in[0], static_cast<float*>(out), n);
      },
      description);
}

Outcome run_case(const qs_kernel_table& table, const DequantizeCase& c, OracleMode) {
  const std::size_t n = c.input.size();
  const std::string description = describe(c);
  const Execution e = call_kernel(table, c, description);
  if (e.verdict) return *e.verdict;
  if (auto i = first_unwritten(e, sizeof(float))) {
    return Outcome::fail(unwritten_message("element " + std::to_string(*i)) + description, i);
  }
  const std::size_t channels = c.per_channel ? c.scales.size() : 1;
  // The expected value depends only on (q, channel): compute each once, exactly (a map: a case
  // may have 65537 channels, each used a few times).
  std::unordered_map<std::size_t, float> expected;
  for (std::size_t i = 0; i < n; ++i) {
    const std::size_t ch = i % channels;
    const std::size_t key = ch * 256 + static_cast<std::uint8_t>(c.input[i]);
    auto found = expected.find(key);
    if (found == expected.end()) {
      found = expected.emplace(key, oracle::dequantize(c.input[i], c.scales[ch], c.zero_points[ch])).first;
    }
    const float* const slot = &found->second;
    const float got = load_float(e.first, i);
    std::uint32_t want_bits, got_bits;
    std::memcpy(&want_bits, &*slot, 4);
    std::memcpy(&got_bits, &got, 4);
    if (want_bits != got_bits) {
      std::ostringstream t;
      t << "wrong output at index " << i << " (channel " << ch << "): input " << c.input[i]
        << ", scale " << hex(c.scales[ch]) << ", zero_point " << c.zero_points[ch]
        << ": expected " << hex(*slot) << ", got " << hex(got) << "\n"
        << description;
      return Outcome::fail(t.str(), i);
    }
  }
  return Outcome::pass();
}

}  // namespace quantspec::conformance
