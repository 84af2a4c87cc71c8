// One test case per kernel operation: every parameter and input needed to call the kernel
// through the C ABI, to compute the expected output with the reference, and to reproduce a
// failure by hand. run_case() calls the kernel with guarded, misaligned buffers and compares
// bit for bit; describe() prints the case completely (hex floats for binary32 values).
#pragma once

#include <cstddef>
#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include "quantspec/kernel_abi.h"

namespace quantspec::conformance {

// Which oracle computes the expected output: the reference's fast paths (property-tested
// equal to the definitions) for bulk runs, the exact definitions to confirm a counterexample.
enum class OracleMode { fast, definition };

// The result of running one case.
struct Outcome {
  enum class Kind { pass, fail, not_supported };
  Kind kind = Kind::pass;
  std::string message;                   // fail: what went wrong, with the whole case
  std::optional<std::size_t> index;      // fail: first wrong element (flat output index)

  bool passed() const { return kind == Kind::pass; }
  bool failed() const { return kind == Kind::fail; }
  static Outcome pass() { return {}; }
  static Outcome not_supported() { return {Kind::not_supported, "", std::nullopt}; }
  static Outcome fail(std::string message, std::optional<std::size_t> index = std::nullopt) {
    return {Kind::fail, std::move(message), index};
  }
};

// The part of a case that a kernel may legitimately refuse as a variant combination
// (QS_VARIANT_NOT_SUPPORTED): element types and the per-channel form of linear.
struct Flavor {
  std::uint32_t input_type = QS_S8;
  std::uint32_t output_type = QS_S8;
  bool per_channel = false;
  friend bool operator==(const Flavor& a, const Flavor& b) {
    return a.input_type == b.input_type && a.output_type == b.output_type &&
           a.per_channel == b.per_channel;
  }
};

// Misalignment of the buffers: element offsets for typed (float/int32) buffers, byte offsets for
// 8-bit buffers, counted from a 64-byte boundary.
struct Placement {
  std::size_t input_offset = 0;
  std::size_t output_offset = 0;
};

// ---- Quantize (Q2) ---------------------------------------------------------------------------
struct QuantizeCase {
  bool per_channel = false;
  std::uint32_t output_type = QS_S8;
  std::uint32_t rounding = QS_ROUND_HALF_EVEN;
  std::uint32_t division = QS_DIV_F32_DIVIDE;
  std::int32_t qmin = -128;
  std::int32_t qmax = 127;
  std::vector<float> scales{1.0f};          // one entry per tensor, else one per channel
  std::vector<std::int32_t> zero_points{0};  // same count as scales
  std::vector<float> input;
  Placement placement;
};

// ---- Dequantize (Q3) -------------------------------------------------------------------------
struct DequantizeCase {
  bool per_channel = false;
  std::uint32_t input_type = QS_S8;
  std::vector<float> scales{1.0f};
  std::vector<std::int32_t> zero_points{0};
  std::vector<std::int32_t> input;  // values of input_type
  Placement placement;
};

// ---- Requantization fields shared by requantize and linear (Q7) ------------------------------
// Per-channel arrays have one entry per channel; the per-tensor form uses entry 0.
struct Requantization {
  std::uint32_t variant = QS_REQUANT_DOUBLE_ROUND;
  std::uint32_t zero_point_entry = QS_ZP_AFTER_ROUNDING;
  std::uint32_t rounding = QS_ROUND_HALF_EVEN;  // ideal only
  std::uint32_t derivation = QS_DERIVE_TFLITE;  // informational
  std::int32_t output_zero_point = 0;
  std::vector<std::int32_t> multipliers{1 << 30};  // fixed-point variants
  std::vector<std::int32_t> shifts{0};
  std::vector<float> scales{1.0f};          // fp32
  std::vector<float> weight_scales{1.0f};   // ideal
  float input_scale = 1.0f;                 // ideal
  float output_scale = 1.0f;                // ideal
  std::size_t channels() const;             // the size of the arrays the variant reads
};

// ---- Requantize (Q7) -------------------------------------------------------------------------
struct RequantizeCase {
  bool per_channel = false;
  std::uint32_t output_type = QS_S8;
  std::int32_t qmin = -128;
  std::int32_t qmax = 127;
  Requantization requant;
  std::vector<std::int32_t> input;
  Placement placement;
};

// ---- GEMM (Q5) -------------------------------------------------------------------------------
struct GemmCase {
  std::uint32_t a_type = QS_S8;
  std::int32_t a_zero_point = 0;
  std::vector<std::int32_t> w_zero_points{0};  // one entry: per tensor; N entries: per channel
  bool w_zero_point_per_channel = false;
  std::vector<std::int32_t> bias;  // empty: NULL (zero bias); else N entries
  std::size_t m = 0, n = 0, k = 0;
  std::size_t a_stride = 0, w_stride = 0, out_stride = 0;  // in elements
  std::vector<std::int32_t> a;  // m * a_stride values of a_type (padding included)
  std::vector<std::int32_t> w;  // n * w_stride int8 values
  Placement placement;          // input_offset applies to A, output_offset to out
};

// ---- Linear (Q5 + Q7 + Q8) -------------------------------------------------------------------
struct LinearCase {
  GemmCase gemm;
  Requantization requant;  // per-channel arrays have N entries when per_channel
  bool per_channel = false;
  std::uint32_t output_type = QS_S8;
  std::int32_t act_min = -128;
  std::int32_t act_max = 127;
};

// ---- LUT -------------------------------------------------------------------------------------
struct LutCase {
  std::uint32_t element_type = QS_S8;
  std::vector<std::int32_t> table = std::vector<std::int32_t>(256, 0);  // 256 values
  std::vector<std::int32_t> input;
  Placement placement;
};

// ---- Dynamic linear (Q17.7) -------------------------------------------------------------------
// Used by the golden vectors (dynamic_linear.json); the variant suite has its own generator.
struct DynamicLinearCase {
  std::uint32_t variant = QS_DYN_PYTORCH_U8;  // qs_dynamic_variant
  bool per_row = false;
  bool reduce_range = false;  // PYTORCH_U8
  float scale_floor = 0.0f;   // SYMMETRIC_S8
  std::size_t m = 0, n = 0, k = 0;
  std::size_t x_stride = 0, w_stride = 0, out_stride = 0;  // in elements
  std::vector<float> x;                // m * x_stride values (padding included)
  std::vector<std::int32_t> w;         // n * w_stride int8 values
  std::vector<float> weight_scales;    // [n]
  std::vector<float> bias;             // empty: NULL; else [n]
  Placement placement;                 // in floats: input_offset for x, output_offset for out
};

Flavor flavor_of(const QuantizeCase&);
Flavor flavor_of(const DequantizeCase&);
Flavor flavor_of(const RequantizeCase&);
Flavor flavor_of(const GemmCase&);
Flavor flavor_of(const LinearCase&);
Flavor flavor_of(const LutCase&);
Flavor flavor_of(const DynamicLinearCase&);  // output_type = the variant's u8 / s8, per_channel = per_row

// Everything needed to reproduce the case (one parameter per line).
std::string describe(const QuantizeCase&);
std::string describe(const DequantizeCase&);
std::string describe(const RequantizeCase&);
std::string describe(const GemmCase&);
std::string describe(const LinearCase&);
std::string describe(const LutCase&);
std::string describe(const DynamicLinearCase&);

// RapidCheck prints counterexamples through these (found by argument-dependent lookup).
void showValue(const QuantizeCase&, std::ostream&);
void showValue(const DequantizeCase&, std::ostream&);
void showValue(const RequantizeCase&, std::ostream&);
void showValue(const GemmCase&, std::ostream&);
void showValue(const LinearCase&, std::ostream&);
void showValue(const LutCase&, std::ostream&);
void showValue(const DynamicLinearCase&, std::ostream&);

// Calls the kernel (twice, over outputs pre-filled with two different patterns, so an element
// left unwritten is seen), checks the status, the guard zones, that the inputs are unchanged
// and every output element against the reference. A NULL slot gives not_supported.
Outcome run_case(const qs_kernel_table&, const QuantizeCase&, OracleMode = OracleMode::fast);
Outcome run_case(const qs_kernel_table&, const DequantizeCase&, OracleMode = OracleMode::fast);
Outcome run_case(const qs_kernel_table&, const RequantizeCase&, OracleMode = OracleMode::fast);
Outcome run_case(const qs_kernel_table&, const GemmCase&, OracleMode = OracleMode::fast);
Outcome run_case(const qs_kernel_table&, const LinearCase&, OracleMode = OracleMode::fast);
Outcome run_case(const qs_kernel_table&, const LutCase&, OracleMode = OracleMode::fast);
Outcome run_case(const qs_kernel_table&, const DynamicLinearCase&, OracleMode = OracleMode::fast);

// Names used in reports, the CLI and the JSON output.
std::string element_type_name(std::uint32_t type);  // "s8" / "u8"
std::string rounding_name(std::uint32_t rounding);   // the shared vocabulary ("half_even", ...)
std::string division_name(std::uint32_t division);
std::string requant_variant_name(std::uint32_t variant);
std::string zero_point_entry_name(std::uint32_t entry);
std::string flavor_name(const Flavor&, bool show_input, bool show_output, bool show_per_channel);
std::int32_t type_min(std::uint32_t type);
std::int32_t type_max(std::uint32_t type);

}  // namespace quantspec::conformance
