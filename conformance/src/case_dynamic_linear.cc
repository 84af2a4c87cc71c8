// Dynamic linear cases (Q17.7) for the golden vectors: describe, call through the ABI, compare.
// The variant suite (ops_dynamic_linear.cc) generates its own cases; this is the public case
// type a vector test carries (vectors.hpp), so dynamic_linear.json reaches every table.
#include <cstring>
#include <ostream>
#include <sstream>

#include "execute.hpp"
#include "quantspec/conformance/cases.hpp"
#include "quantspec/reference/dynamic_linear.hpp"
#include "quantspec/reference/errors.hpp"
#include "dynamic_fields.hpp"
#include "unread_fields.hpp"

namespace quantspec::conformance {
namespace {


// The dense M x K / N x K operands (stride padding removed).
std::vector<float> dense_x(const DynamicLinearCase& c) {
  std::vector<float> x;
  for (std::size_t r = 0; r < c.m; ++r) {
    x.insert(x.end(), c.x.begin() + static_cast<std::ptrdiff_t>(r * c.x_stride),
             c.x.begin() + static_cast<std::ptrdiff_t>(r * c.x_stride + c.k));
  }
  return x;
}

std::size_t out_elements(const DynamicLinearCase& c) {
  const std::size_t n = c.n == 0 ? 1 : c.n;
  return c.m == 0 ? n : (c.m - 1) * c.out_stride + n;
}

}  // namespace

Flavor flavor_of(const DynamicLinearCase& c) { return {QS_S8, dynamic_output_type(c.variant), c.per_row}; }

std::string describe(const DynamicLinearCase& c) {
  std::ostringstream t;
  t << "  op: dynamic_linear\n  variant: " << dynamic_variant_name(c.variant) << ", per_row " << c.per_row;
  if (c.variant == QS_DYN_SYMMETRIC_S8) t << ", scale_floor " << hex(c.scale_floor);
  if (c.variant == QS_DYN_PYTORCH_U8) t << ", reduce_range " << c.reduce_range;
  t << "\n  m, n, k: " << c.m << ", " << c.n << ", " << c.k << "; strides x/w/out: " << c.x_stride << "/"
    << c.w_stride << "/" << c.out_stride << "\n  weight_scales: " << list(c.weight_scales, 0)
    << "\n  bias: " << (c.bias.empty() ? std::string("NULL") : list(c.bias, 0)) << "\n";
  if (c.m * c.k <= 24) t << "  x: " << list(dense_x(c)) << "\n";
  if (c.n * c.k <= 24) t << "  w: " << list(c.w) << "\n";
  t << "  x misaligned by " << c.placement.input_offset << " floats, out by " << c.placement.output_offset
    << " floats\n";
  return t.str();
}

void showValue(const DynamicLinearCase& c, std::ostream& os) { os << "\n" << describe(c); }

Execution call_kernel(const qs_kernel_table& table, const DynamicLinearCase& c, const std::string& description) {
  if (!QS_TABLE_HAS_SLOT(&table, dynamic_linear) || table.dynamic_linear == nullptr) return unsupported_slot();
  std::vector<std::uint8_t> w_bytes;
  for (std::int32_t v : c.w) w_bytes.push_back(static_cast<std::uint8_t>(static_cast<std::int8_t>(v)));
  NoiseSchedule noise;
  return execute(
      {{to_bytes(c.x), c.placement.input_offset * sizeof(float), "x"}, {w_bytes, 0, "W"}},
      out_elements(c) * sizeof(float), c.placement.output_offset * sizeof(float),
      [&](const std::vector<const void*>& in, void* out) {
        // Reads: quant (variant, output_type, per_row; reduce_range for PYTORCH_U8, scale_floor
        // for SYMMETRIC_S8: the other variants' field is noise), weight_scales, bias.
        const Noise unread = noise.next();
        qs_dynamic_linear_params p{};
        p.quant = dynamic_quant_fields(c.variant, c.per_row, c.reduce_range, c.scale_floor, unread);
        p.weight_scales = parameter_array(c.weight_scales, "weight_scales");
        p.bias = c.bias.empty() ? nullptr : parameter_array(c.bias, "bias");
        return table.dynamic_linear(&p, static_cast<const float*>(in[0]), c.x_stride,
                                    static_cast<const std::int8_t*>(in[1]), c.w_stride, static_cast<float*>(out),
                                    c.out_stride, c.m, c.n, c.k);
      },
      description);
}

// Against the reference (Q17.7 definition; the vectors compare with their own expected values).
Outcome run_case(const qs_kernel_table& table, const DynamicLinearCase& c, OracleMode) {
  const std::string description = describe(c);
  const Execution e = call_kernel(table, c, description);
  if (e.verdict) return *e.verdict;
  ref::DynamicLinearInput in;
  in.activation = c.variant == QS_DYN_ONNX_U8        ? ref::DynamicActivation::onnx_u8
                  : c.variant == QS_DYN_SYMMETRIC_S8 ? ref::DynamicActivation::symmetric_s8
                                                     : ref::DynamicActivation::pytorch_u8;
  in.per_row = c.per_row;
  in.reduce_range = c.reduce_range;
  in.scale_floor = c.scale_floor;
  in.x = dense_x(c);
  in.m = c.m, in.n = c.n, in.k = c.k;
  for (std::size_t j = 0; j < c.n; ++j) {
    for (std::size_t i = 0; i < c.k; ++i) in.w.push_back(static_cast<std::int8_t>(c.w[j * c.w_stride + i]));
  }
  in.weight_scales = c.weight_scales;
  in.bias = c.bias;
  std::vector<float> want;
  try {
    want = ref::dynamic_linear(in).out;
  } catch (const ref::ParameterError& err) {
    return Outcome::fail("the kernel accepted parameters the reference rejects (" + err.parameter() + ")\n" +
                         description);
  }
  for (std::size_t r = 0; r < c.m; ++r) {
    for (std::size_t col = 0; col < c.n; ++col) {
      const std::size_t at = r * c.out_stride + col;
      const float got = load_float(e.first, at);
      if (std::memcmp(&got, &want[r * c.n + col], 4) != 0) {
        return Outcome::fail("wrong out[" + std::to_string(r) + "][" + std::to_string(col) + "]: expected " +
                                 hex(want[r * c.n + col]) + ", got " + hex(got) + "\n" + description,
                             at);
      }
    }
  }
  return Outcome::pass();
}

}  // namespace quantspec::conformance
