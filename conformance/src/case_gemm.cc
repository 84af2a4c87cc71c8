// GEMM (Q5), linear (Q5 + Q7 + Q8) and LUT cases: describe, call through the ABI, compare.
#include <ostream>
#include <sstream>

#include "execute.hpp"
#include "fences.hpp"
#include "unread_fields.hpp"
#include "oracle.hpp"
#include "quantspec/conformance/cases.hpp"
#include "requantization_abi.hpp"

namespace quantspec::conformance {

// Per-column weight zero points are a parameter of GEMM, not a variant: the flavor is A's type.
Flavor flavor_of(const GemmCase& c) { return {c.a_type, QS_S8, false}; }
Flavor flavor_of(const LinearCase& c) { return {c.gemm.a_type, c.output_type, c.per_channel}; }
Flavor flavor_of(const LutCase& c) { return {c.element_type, c.element_type, false}; }

namespace {

std::string matrix(const std::vector<std::int32_t>& values, std::size_t rows, std::size_t stride) {
  std::ostringstream t;
  for (std::size_t r = 0; r < rows; ++r) {
    t << "\n    [";
    for (std::size_t i = 0; i < stride && r * stride + i < values.size(); ++i) {
      t << (i ? ", " : "") << values[r * stride + i];
      if (i == 40 && stride > 48) {
        t << ", ... (" << stride - 41 << " more)";
        break;
      }
    }
    t << "]";
    if (r == 16 && rows > 20) {
      t << "\n    ... (" << rows - 17 << " more rows)";
      break;
    }
  }
  return t.str();
}

std::string describe_gemm_operands(const GemmCase& c) {
  std::ostringstream t;
  t << "  m, n, k: " << c.m << ", " << c.n << ", " << c.k << "\n"
    << "  a_type: " << element_type_name(c.a_type) << " (w is s8)\n"
    << "  a_zero_point: " << c.a_zero_point << "\n";
  if (c.w_zero_point_per_channel) t << "  w_zero_points (per column): " << list(c.w_zero_points) << "\n";
  else t << "  w_zero_point: " << c.w_zero_points.at(0) << "\n";
  t << "  bias: " << (c.bias.empty() ? std::string("NULL") : list(c.bias)) << "\n"
    << "  a_stride, w_stride, out_stride: " << c.a_stride << ", " << c.w_stride << ", " << c.out_stride << "\n"
    << "  A (misaligned by " << c.placement.input_offset << " bytes):" << matrix(c.a, c.m, c.a_stride) << "\n"
    << "  W:" << matrix(c.w, c.n, c.w_stride) << "\n"
    << "  out misaligned by " << c.placement.output_offset << " elements\n";
  return t.str();
}

// Reads a_type, a_zero_point, bias, and w_zero_point only when w_zero_points is NULL.
qs_gemm_params gemm_abi(const GemmCase& c, Noise unread) {
  qs_gemm_params g{};
  g.a_type = c.a_type;
  g.a_zero_point = c.a_zero_point;
  g.w_zero_point = c.w_zero_point_per_channel ? unread_zero_point(unread, c.w_zero_points.at(0))
                                              : c.w_zero_points.at(0);
  g.w_zero_points = c.w_zero_point_per_channel ? parameter_array(c.w_zero_points, "w_zero_points") : nullptr;
  g.bias = c.bias.empty() ? nullptr : parameter_array(c.bias, "bias");
  return g;
}

std::vector<std::uint8_t> w_bytes(const GemmCase& c) { return narrow_bytes(c.w, QS_S8); }

// Padding columns [n, out_stride) of each row are not output: they must keep the fill.
std::optional<std::string> check_padding(const Execution& e, const GemmCase& c, std::size_t element_bytes) {
  for (std::size_t r = 0; r < c.m; ++r) {
    for (std::size_t col = c.n; col < c.out_stride; ++col) {
      for (std::size_t b = 0; b < element_bytes; ++b) {
        const std::size_t at = (r * c.out_stride + col) * element_bytes + b;
        if (e.first[at] != kFirstFill || e.second[at] != kSecondFill) {
          return "wrote into the row padding of out at row " + std::to_string(r) + ", column " +
                 std::to_string(col) + " (n = " + std::to_string(c.n) + ")";
        }
      }
    }
  }
  return std::nullopt;
}

}  // namespace

std::string describe(const GemmCase& c) { return "  op: gemm\n" + describe_gemm_operands(c); }

std::string describe(const LinearCase& c) {
  std::ostringstream t;
  t << "  op: linear\n"
    << "  per_channel: " << (c.per_channel ? 1 : 0) << "\n"
    << describe_requantization(c.requant, c.per_channel)
    << "  output_type: " << element_type_name(c.output_type) << "\n"
    << "  act_min, act_max: " << c.act_min << ", " << c.act_max << "\n"
    << describe_gemm_operands(c.gemm);
  return t.str();
}

std::string describe(const LutCase& c) {
  std::ostringstream t;
  t << "  op: lut\n  element_type: " << element_type_name(c.element_type) << "\n"
    << "  table: " << list(c.table) << "\n  n: " << c.input.size() << "\n"
    << "  input (misaligned by " << c.placement.input_offset << " bytes): " << list(c.input) << "\n"
    << "  output misaligned by " << c.placement.output_offset << " bytes\n";
  return t.str();
}

void showValue(const GemmCase& c, std::ostream& os) { os << "\n" << describe(c); }
void showValue(const LinearCase& c, std::ostream& os) { os << "\n" << describe(c); }
void showValue(const LutCase& c, std::ostream& os) { os << "\n" << describe(c); }

Execution call_kernel(const qs_kernel_table& table, const GemmCase& c, const std::string& description) {
  if (table.gemm == nullptr) return unsupported_slot();
  NoiseSchedule noise;
  return execute(
      {{narrow_bytes(c.a, c.a_type), c.placement.input_offset, "A"}, {w_bytes(c), 0, "W"}},
      c.m * c.out_stride * sizeof(std::int32_t), c.placement.output_offset * sizeof(std::int32_t),
      [&](const std::vector<const void*>& in, void* out) {
        const qs_gemm_params p = gemm_abi(c, noise.next());
        return table.gemm(&p, in[0], c.a_stride, static_cast<const std::int8_t*>(in[1]), c.w_stride,
                          static_cast<std::int32_t*>(out), c.out_stride, c.m, c.n, c.k);
      },
      description);
}

Outcome run_case(const qs_kernel_table& table, const GemmCase& c, OracleMode) {
  const std::string description = describe(c);
  const Execution e = call_kernel(table, c, description);
  if (e.verdict) return *e.verdict;
  if (auto padding = check_padding(e, c, 4)) return Outcome::fail(*padding + "\n" + description);
  for (std::size_t r = 0; r < c.m; ++r) {
    for (std::size_t col = 0; col < c.n; ++col) {
      const std::size_t at = r * c.out_stride + col;
      const std::int32_t expected = oracle::accumulate(c, r, col);
      const std::int32_t got = load_int32(e.first, at);
      if (load_int32(e.second, at) != got) {
        return Outcome::fail(
            unwritten_message("out[" + std::to_string(r) + "][" + std::to_string(col) + "]") + description, at);
      }
      if (got != expected) {
        std::ostringstream t;
        t << "wrong out[" << r << "][" << col << "]: expected " << expected << " (bias + sum of "
          << c.k << " products, wrapped mod 2^32), got " << got << "\n"
          << description;
        return Outcome::fail(t.str(), at);
      }
    }
  }
  return Outcome::pass();
}

Execution call_kernel(const qs_kernel_table& table, const LinearCase& c, const std::string& description) {
  if (table.linear == nullptr) return unsupported_slot();
  qs_linear_params p{};
  p.per_channel = c.per_channel ? 1 : 0;
  p.output_type = c.output_type;
  p.act_min = c.act_min;
  p.act_max = c.act_max;
  const GemmCase& g = c.gemm;
  NoiseSchedule noise;
  return execute(
      {{narrow_bytes(g.a, g.a_type), g.placement.input_offset, "A"}, {w_bytes(g), 0, "W"}},
      g.m * g.out_stride, g.placement.output_offset,
      [&](const std::vector<const void*>& in, void* out) {
        const Noise unread = noise.next();
        p.gemm = gemm_abi(c.gemm, unread);
        p.requant = to_abi(c.requant, c.per_channel, unread);
        return table.linear(&p, in[0], g.a_stride, static_cast<const std::int8_t*>(in[1]), g.w_stride,
                            out, g.out_stride, g.m, g.n, g.k);
      },
      description);
}

Outcome run_case(const qs_kernel_table& table, const LinearCase& c, OracleMode mode) {
  const GemmCase& g = c.gemm;
  const std::string description = describe(c);
  const Execution e = call_kernel(table, c, description);
  if (e.verdict) return *e.verdict;
  if (auto padding = check_padding(e, g, 1)) return Outcome::fail(*padding + "\n" + description);
  // Requantize to the output type's grid, then apply the activation clamp (Q8); clamping twice
  // equals clamping once to [act_min, act_max], a sub-range of the grid. This keeps Zy valid
  // for the reference when the activation bounds exclude it.
  const std::size_t channels = c.per_channel ? g.n : 1;
  std::vector<oracle::Requantizer> requantizers;
  for (std::size_t ch = 0; ch < channels && ch < g.n; ++ch) {
    requantizers.emplace_back(c.requant, ch, type_min(c.output_type), type_max(c.output_type), mode);
  }
  for (std::size_t r = 0; r < g.m; ++r) {
    for (std::size_t col = 0; col < g.n; ++col) {
      const std::size_t at = r * g.out_stride + col;
      const std::int32_t acc = oracle::accumulate(g, r, col);
      const std::int32_t y = requantizers[c.per_channel ? col : 0](acc);
      const std::int32_t expected = std::min(std::max(y, c.act_min), c.act_max);
      const std::int32_t got = load_narrow(e.first, at, c.output_type);
      if (load_narrow(e.second, at, c.output_type) != got) {
        return Outcome::fail(
            unwritten_message("out[" + std::to_string(r) + "][" + std::to_string(col) + "]") + description, at);
      }
      if (got != expected) {
        std::ostringstream t;
        t << "wrong out[" << r << "][" << col << "]: acc " << acc << " (wrapped int32), expected "
          << expected << ", got " << got << "\n"
          << description;
        return Outcome::fail(t.str(), at);
      }
    }
  }
  return Outcome::pass();
}

Execution call_kernel(const qs_kernel_table& table, const LutCase& c, const std::string& description) {
  if (table.lut == nullptr) return unsupported_slot();
  const std::size_t n = c.input.size();
  const std::vector<std::uint8_t> lut_bytes = narrow_bytes(c.table, c.element_type);
  qs_lut_params p{};
  p.element_type = c.element_type;
  return execute(
      {{narrow_bytes(c.input, c.element_type), c.placement.input_offset, "input"}}, n,
      c.placement.output_offset,
      [&](const std::vector<const void*>& in, void* out) {
        p.table = parameter_array(lut_bytes, "table");
        return table.lut(&p, in[0], out, n);
      },
      description);
}

Outcome run_case(const qs_kernel_table& table, const LutCase& c, OracleMode) {
  const std::size_t n = c.input.size();
  const std::string description = describe(c);
  const Execution e = call_kernel(table, c, description);
  if (e.verdict) return *e.verdict;
  if (auto i = first_unwritten(e, 1)) {
    return Outcome::fail(unwritten_message("element " + std::to_string(*i)) + description, i);
  }
  for (std::size_t i = 0; i < n; ++i) {
    const std::int32_t expected = c.table[static_cast<std::uint8_t>(c.input[i])];
    const std::int32_t got = load_narrow(e.first, i, c.element_type);
    if (got != expected) {
      std::ostringstream t;
      t << "wrong output at index " << i << ": input " << c.input[i] << " (index "
        << static_cast<int>(static_cast<std::uint8_t>(c.input[i])) << "): expected " << expected
        << ", got " << got << "\n"
        << description;
      return Outcome::fail(t.str(), i);
    }
  }
  return Outcome::pass();
}

}  // namespace quantspec::conformance
