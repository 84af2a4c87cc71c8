// libFuzzer harness (issue 10): differential test of our optimized kernels (every SIMD target
// table compiled in and supported by this CPU, quantspec::optimized::compiled_tables()) against
// the exact reference (reference/, the definitions of SPEC.md Q2, Q3, Q7) through the C ABI
// (conformance/include/quantspec/kernel_abi.h). Operations: quantize, dequantize and requantize,
// per tensor and per channel, every rounding rule, division, requantization variant and
// zero-point entry the ABI has; gemm (Q5) and gemm_packed; linear and linear_packed; lut; fake_quantize per tensor and per channel
// (Q15, every variant); dynamic_quantize, dynamic_linear and dynamic_linear_packed (Q17, every
// variant, per tensor and per row); valid and invalid parameters alike.
//
// Required of every table, for every input: the status the ABI prescribes (computed here from
// the ABI's text and the reference's parameter checks, not from the kernels' code), and on
// QS_OK every output element bit-equal to the reference's definition (exact rationals), which
// must in turn equal the reference's fast path. QS_VARIANT_NOT_SUPPORTED is accepted only
// where our tables document it (requantize variant IDEAL, optimized/src/jobs.cc). A mismatch
// traps (a crash file); a sanitizer report in a kernel is a finding too (the harness is meant to
// be linked with kernels compiled with ASan, so a read outside a buffer is reported).
//
// Input decoding. Bytes are read in order; a read past the end yields 0. "sel(k)" reads one
// byte b: b < 0xF0 gives b % k (a valid enum value), else k + (b - 0xF0) (outside the enum).
//   byte 0             operation: b % 13 = quantize, quantize_per_channel, dequantize,
//                      dequantize_per_channel, requantize, requantize_per_channel, gemm (with
//                      gemm_packed), lut, fake_quantize, fake_quantize_per_channel,
//                      dynamic_quantize, dynamic_linear (with dynamic_linear_packed), linear
//                      (with linear_packed).
//   type               sel(2): element type of the 8-bit side (S8, U8).
//   quantize:          rounding sel(5), division sel(3), bounds, then the channel block.
//   dequantize:        the channel block.
//   requantize:        variant sel(13), zero_point_entry sel(2), rounding sel(5),
//                      derivation sel(3), bounds, output zero point (zero point below),
//                      input_scale, output_scale (scale below), then the channel block.
//   bounds             one byte m: m % 4 = 0 the type's range, 1 narrow (type min + 1),
//                      2 two bytes a, b: [type min + a, type min + b] (may be empty),
//                      3 two raw int32 (little endian).
//   zero point         one byte z: z < 0xFE: type min + z; else a raw int32.
//   scale              one byte m: m < 0xC0: (1 + b/256) * 2^(m % 64 - 40) with one more byte
//                      b; else raw binary32 bits (NaN, infinities, negatives, subnormals).
//   multiplier, shift  a raw int32, then one byte as int8.
//   channel block      per tensor: one channel's parameters. Per channel: one byte c:
//                      c < 0xE0: channels = 1 + c % 16; 0xE0..0xEF: channels = 0;
//                      0xF0..0xFF: channels = 4 with array (c % 4) passed as NULL (quantize /
//                      dequantize: 0 scales, 1 zero points; requantize: 0 multipliers,
//                      1 shifts, 2 scales, 3 weight_scales); then each channel's parameters.
//   one channel        quantize / dequantize: scale, zero point. requantize: multiplier and
//                      shift (fixed-point variants), scale (fp32), weight scale (ideal): only
//                      those of the variant (a variant outside the enum: multiplier, shift).
//   gemm:              a_type sel(2), Za (zero point), m = b % 5, n = b % 21, k = b % 41,
//                      a_stride, w_stride, out_stride (each one byte s: s < 0xC0: width +
//                      s % 3, else width - 1), forms f (bit 0: per-channel Zw, bit 1: bias),
//                      Zw (one, or n), bias (n raw int32 when present), then A's m x a_stride
//                      and W's n x w_stride bytes (padding included).
//   linear:            the gemm block (N = 0: skipped), one byte (bit 0: per channel), then
//                      the requantize block with [act_min, act_max] as its bounds and N channels.
//   lut:               element_type sel(2), one byte (>= 0xF0: table NULL), the 256 table
//                      bytes, then the input bytes.
//   fake_quantize:     variant sel(3), rounding sel(5); TENSORFLOW: one byte < 0xE0 then g:
//                      qmin = g & 1, qmax = 2^(2 + (g >> 1) % 15) - 1, else bounds; the
//                      others: bounds; mask byte (bit 0: pass a mask); the channel block with
//                      (scale, zero point) or (min, max) per channel (a range end: byte b,
//                      b >= 0xE0 raw binary32, else int8 / (1 + b % 32)); per-channel NULL
//                      arrays 0/1 are scales/zero_points or mins/maxs.
//   dynamic:           variant sel(3); type byte t (t >= 0xF0: 2, outside the enum; t % 8 == 0:
//                      the other variant's type; else the variant's); flags (bit 0 per_row,
//                      bit 1 reduce_range); scale_floor byte f (f >= 0xE0: raw binary32, else
//                      2^-(f % 40)); rows r, cols k (>= 0xF0: 0; else 1 + r % 4, 1 + k % 40);
//                      rows x cols elements (a byte e: e >= 0xF0 raw binary32, else
//                      int8 / 2^(e % 8)). dynamic_linear then: N = b % 9, W's N x K bytes,
//                      N weight scales (scale code), a bias byte (bit 0) and N bias elements.
//   rest               the input elements: binary32 (quantize, fake_quantize), bytes
//                      (dequantize, lut) or int32 (requantize), little endian; at most 256.
// The fields an operation does not read hold garbage (NaN scales, an out-of-range zero point,
// per-channel arrays at an unreadable address in the per-tensor form), as the ABI allows.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <optional>
#include <vector>

#include "quantspec/kernel_abi.h"
#include "quantspec/optimized.h"
#include "quantspec/reference/accumulate.hpp"
#include "quantspec/reference/deployed_requantize.hpp"
#include "quantspec/reference/dequantize.hpp"
#include "quantspec/reference/dynamic_linear.hpp"
#include "quantspec/reference/fake_quant.hpp"
#include "quantspec/reference/errors.hpp"
#include "quantspec/reference/multiplier.hpp"
#include "quantspec/reference/quantize.hpp"
#include "quantspec/reference/requantize.hpp"

namespace {

namespace ref = quantspec::ref;

constexpr std::size_t kMaxElements = 256;

class Bytes {
 public:
  Bytes(const std::uint8_t* data, std::size_t size) : data_(data), size_(size) {}
  std::uint8_t u8() { return pos_ < size_ ? data_[pos_++] : 0; }
  std::uint32_t u32() {
    std::uint32_t v = 0;
    for (int i = 0; i < 4; ++i) v |= static_cast<std::uint32_t>(u8()) << (8 * i);
    return v;
  }
  std::int32_t i32() { return static_cast<std::int32_t>(u32()); }
  float f32_bits() {
    const std::uint32_t bits = u32();
    float f;
    std::memcpy(&f, &bits, sizeof f);
    return f;
  }
  std::uint32_t sel(std::uint32_t count) {
    const std::uint8_t b = u8();
    return b < 0xF0 ? b % count : count + (b - 0xF0);
  }
  float scale() {
    const std::uint8_t m = u8();
    if (m >= 0xC0) return f32_bits();
    return std::ldexp(1.0f + u8() / 256.0f, m % 64 - 40);
  }
  std::size_t remaining() const { return size_ - pos_; }

 private:
  const std::uint8_t* data_;
  std::size_t size_;
  std::size_t pos_ = 0;
};

// An address no buffer lives at: a kernel reading an unread field's array faults.
template <typename T>
const T* unreadable() {
  return reinterpret_cast<const T*>(static_cast<std::uintptr_t>(0x10));
}

void require(bool condition) {
  if (!condition) __builtin_trap();
}

bool is_type(std::uint32_t t) { return t == QS_S8 || t == QS_U8; }
std::int32_t type_min(std::uint32_t t) { return t == QS_U8 ? 0 : -128; }
std::int32_t type_max(std::uint32_t t) { return t == QS_U8 ? 255 : 127; }
bool in_type(std::int64_t v, std::uint32_t t) { return v >= type_min(t) && v <= type_max(t); }

void bounds(Bytes& in, std::uint32_t type, std::int32_t* qmin, std::int32_t* qmax) {
  const std::int32_t lo = is_type(type) ? type_min(type) : -128;
  const std::int32_t hi = is_type(type) ? type_max(type) : 127;
  switch (in.u8() % 4) {
    case 0: *qmin = lo; *qmax = hi; break;
    case 1: *qmin = lo + 1; *qmax = hi; break;
    case 2: *qmin = lo + in.u8(); *qmax = lo + in.u8(); break;
    default: *qmin = in.i32(); *qmax = in.i32(); break;
  }
}

std::int32_t zero_point(Bytes& in, std::uint32_t type) {
  const std::uint8_t z = in.u8();
  if (z >= 0xFE) return in.i32();
  return (is_type(type) ? type_min(type) : -128) + z;
}

// Channel count and which array (if any) is NULL.
struct ChannelShape {
  std::size_t channels = 1;
  int null_array = -1;
};
ChannelShape channel_shape(Bytes& in) {
  const std::uint8_t c = in.u8();
  if (c < 0xE0) return {1u + c % 16u, -1};
  if (c < 0xF0) return {0, -1};
  return {4, c % 4};
}

std::vector<std::uint8_t> store8(const std::vector<std::int32_t>& q) {
  std::vector<std::uint8_t> bytes(q.size());
  for (std::size_t i = 0; i < q.size(); ++i) bytes[i] = static_cast<std::uint8_t>(q[i]);
  return bytes;
}

// What one table must answer: a status, and the outputs when it is QS_OK.
struct Expected {
  qs_status status = QS_OK;
  bool not_supported_allowed = false;
};

template <typename Call>
void check_tables(const Expected& expected, Call&& call) {
  static const auto tables = quantspec::optimized::compiled_tables();
  for (const auto& target : tables) {
    const qs_status status = call(*target.table);
    if (status == QS_VARIANT_NOT_SUPPORTED && expected.not_supported_allowed) continue;
    require(status == expected.status);
  }
}

// ---- quantize (Q2) ----
void fuzz_quantize(Bytes& in, bool per_channel) {
  qs_quantize_params p{};
  p.output_type = in.sel(2);
  p.rounding = in.sel(5);
  p.division = in.sel(3);
  bounds(in, p.output_type, &p.qmin, &p.qmax);
  std::vector<float> scales;
  std::vector<std::int32_t> zero_points;
  ChannelShape shape;
  if (per_channel) {
    shape = channel_shape(in);
    for (std::size_t c = 0; c < shape.channels; ++c) {
      scales.push_back(in.scale());
      zero_points.push_back(zero_point(in, p.output_type));
    }
    p.scales = shape.null_array == 0 ? nullptr : scales.data();
    p.zero_points = shape.null_array == 1 ? nullptr : zero_points.data();
    p.channels = shape.channels;
    p.scale = std::numeric_limits<float>::quiet_NaN();  // unread
    p.zero_point = std::numeric_limits<std::int32_t>::min();
  } else {
    scales.push_back(in.scale());
    zero_points.push_back(zero_point(in, p.output_type));
    p.scale = scales[0];
    p.zero_point = zero_points[0];
    p.scales = unreadable<float>();  // unread
    p.zero_points = unreadable<std::int32_t>();
    p.channels = 0;
  }
  std::vector<float> x(std::min(in.remaining() / 4, kMaxElements));
  for (float& v : x) v = in.f32_bits();

  // Expected status (kernel_abi.h "Status order", qs_quantize_params).
  Expected expected;
  std::vector<ref::QuantizeParams> params;
  auto bad = [&] { expected.status = QS_BAD_PARAMETERS; };
  if (!is_type(p.output_type) || p.rounding > QS_ROUND_FLOOR || p.division > QS_DIV_F32_RECIPROCAL) {
    bad();
  } else if (p.qmin > p.qmax || !in_type(p.qmin, p.output_type) || !in_type(p.qmax, p.output_type)) {
    bad();
  } else if (per_channel && (shape.channels == 0 || shape.null_array == 0 || shape.null_array == 1)) {
    bad();
  } else {
    for (std::size_t c = 0; c < scales.size(); ++c) {
      ref::QuantizeParams q;
      q.scale = scales[c];
      q.zero_point = zero_points[c];
      q.qmin = p.qmin;
      q.qmax = p.qmax;
      q.rounding = static_cast<ref::Rounding>(p.rounding);
      q.division = static_cast<ref::Division>(p.division);
      try {
        q.validate();
      } catch (const ref::ParameterError&) {
        bad();
      }
      params.push_back(q);
    }
  }
  std::vector<std::int32_t> want;
  if (expected.status == QS_OK) {
    for (std::size_t i = 0; i < x.size(); ++i) {
      const ref::QuantizeParams& q = params[i % params.size()];
      const std::int32_t definition = static_cast<std::int32_t>(ref::quantize(x[i], q));
      require(ref::quantize_fast(x[i], q) == definition);
      want.push_back(definition);
    }
  }
  const std::vector<std::uint8_t> want_bytes = store8(want);
  check_tables(expected, [&](const qs_kernel_table& t) {
    std::vector<std::uint8_t> out(x.size(), 0xA5);
    const auto fn = per_channel ? t.quantize_per_channel : t.quantize;
    const qs_status s = fn(&p, x.data(), out.data(), x.size());
    if (s == QS_OK && expected.status == QS_OK) require(out == want_bytes);
    return s;
  });
}

// ---- dequantize (Q3) ----
void fuzz_dequantize(Bytes& in, bool per_channel) {
  qs_dequantize_params p{};
  p.input_type = in.sel(2);
  std::vector<float> scales;
  std::vector<std::int32_t> zero_points;
  ChannelShape shape;
  if (per_channel) {
    shape = channel_shape(in);
    for (std::size_t c = 0; c < shape.channels; ++c) {
      scales.push_back(in.scale());
      zero_points.push_back(zero_point(in, p.input_type));
    }
    p.scales = shape.null_array == 0 ? nullptr : scales.data();
    p.zero_points = shape.null_array == 1 ? nullptr : zero_points.data();
    p.channels = shape.channels;
    p.scale = -std::numeric_limits<float>::infinity();  // unread
    p.zero_point = std::numeric_limits<std::int32_t>::max();
  } else {
    scales.push_back(in.scale());
    zero_points.push_back(zero_point(in, p.input_type));
    p.scale = scales[0];
    p.zero_point = zero_points[0];
    p.scales = unreadable<float>();
    p.zero_points = unreadable<std::int32_t>();
    p.channels = 0;
  }
  std::vector<std::uint8_t> q(std::min(in.remaining(), kMaxElements));
  for (std::uint8_t& v : q) v = in.u8();

  Expected expected;
  if (!is_type(p.input_type) ||
      (per_channel && (shape.channels == 0 || shape.null_array == 0 || shape.null_array == 1))) {
    expected.status = QS_BAD_PARAMETERS;
  } else {
    for (std::size_t c = 0; c < scales.size(); ++c) {
      // Q3: scale finite and > 0 (the reference's dequantize_exact checks it); Z in the
      // input type's range (the ABI's own rule: the reference accepts any integer Z).
      const bool scale_ok = std::isfinite(scales[c]) && scales[c] > 0.0f;
      if (!scale_ok || !in_type(zero_points[c], p.input_type)) expected.status = QS_BAD_PARAMETERS;
    }
  }
  std::vector<float> want;
  if (expected.status == QS_OK) {
    for (std::size_t i = 0; i < q.size(); ++i) {
      const std::size_t c = i % scales.size();
      const std::int32_t value = p.input_type == QS_S8 ? static_cast<std::int8_t>(q[i]) : q[i];
      want.push_back(ref::dequantize(ref::Integer(value), scales[c], zero_points[c]));
    }
  }
  check_tables(expected, [&](const qs_kernel_table& t) {
    std::vector<float> out(q.size(), -1.0f);
    const auto fn = per_channel ? t.dequantize_per_channel : t.dequantize;
    const qs_status s = fn(&p, q.data(), out.data(), q.size());
    if (s == QS_OK && expected.status == QS_OK && !want.empty()) {
      require(std::memcmp(out.data(), want.data(), want.size() * sizeof(float)) == 0);
    }
    return s;
  });
}

// ---- requantize (Q7) ----
bool is_fixed_point(std::uint32_t v) { return v != QS_REQUANT_IDEAL && v != QS_REQUANT_FP32; }

// A decoded requantization (the fields of qs_requantization, the output type and bounds) and
// what the reference says of it: its per-channel parameters, or that the call is bad.
struct RequantCase {
  std::uint32_t output_type = 0;
  std::int32_t qmin = 0, qmax = 0;
  qs_requantization r{};
  std::vector<std::int32_t> multipliers, shifts;
  std::vector<float> scales, weight_scales;
  ChannelShape shape;
  std::size_t channels = 1;
  Expected expected;
  std::vector<ref::RequantizeParams> params;  // one per channel when expected.status is QS_OK
  // The SPEC Q11 members (selectors 9..11) instead: one per channel.
  std::vector<ref::DeployedRequantParams> deployed;
};

// Kernel ABI selectors 9..11: the deployed members of SPEC Q11 (deployed_requantize.hpp).
bool is_deployed(std::uint32_t v) {
  return v == QS_REQUANT_NEON_DOUBLE_ROUND || v == QS_REQUANT_INT16X8_INT64 ||
         v == QS_REQUANT_RNDNU16;
}
ref::DeployedRequant deployed_member(std::uint32_t v) {
  return v == QS_REQUANT_NEON_DOUBLE_ROUND ? ref::DeployedRequant::neon_double_round
         : v == QS_REQUANT_INT16X8_INT64   ? ref::DeployedRequant::int16x8_int64
                                           : ref::DeployedRequant::rndnu16;
}

// Decodes a requantization as the header comment lays it out. `channels_override` (linear:
// one channel per output column) replaces the channel block's count, keeping its NULL array.
void decode_requantization(Bytes& in, bool per_channel, RequantCase& c,
                           std::optional<std::size_t> channels_override = std::nullopt) {
  c.output_type = in.sel(2);
  qs_requantization& r = c.r;
  r.variant = in.sel(13);
  r.zero_point_entry = in.sel(2);
  r.rounding = in.sel(5);
  r.derivation = in.sel(3);
  bounds(in, c.output_type, &c.qmin, &c.qmax);
  r.output_zero_point = zero_point(in, c.output_type);
  r.input_scale = in.scale();
  r.output_scale = in.scale();
  // Unread fields: garbage everywhere first; the variant's own fields are set below.
  r.multiplier = -1;
  r.shift = 1000;
  r.scale = std::numeric_limits<float>::quiet_NaN();
  r.weight_scale = -1.0f;
  r.multipliers = unreadable<std::int32_t>();
  r.shifts = unreadable<std::int32_t>();
  r.scales = unreadable<float>();
  r.weight_scales = unreadable<float>();
  const bool fixed = is_fixed_point(r.variant);
  auto one_channel = [&] {
    if (r.variant == QS_REQUANT_IDEAL) {
      c.weight_scales.push_back(in.scale());
    } else if (r.variant == QS_REQUANT_FP32) {
      c.scales.push_back(in.scale());
    } else {
      c.multipliers.push_back(in.i32());
      c.shifts.push_back(static_cast<std::int8_t>(in.u8()));
    }
  };
  if (per_channel) {
    c.shape = channel_shape(in);
    if (channels_override) c.shape.channels = *channels_override;
    c.channels = c.shape.channels;
    for (std::size_t ch = 0; ch < c.channels; ++ch) one_channel();
    if (fixed) {
      r.multipliers = c.shape.null_array == 0 ? nullptr : c.multipliers.data();
      r.shifts = c.shape.null_array == 1 ? nullptr : c.shifts.data();
    } else if (r.variant == QS_REQUANT_FP32) {
      r.scales = c.shape.null_array == 2 ? nullptr : c.scales.data();
    } else {
      r.weight_scales = c.shape.null_array == 3 ? nullptr : c.weight_scales.data();
    }
  } else {
    one_channel();
    if (r.variant == QS_REQUANT_IDEAL) r.weight_scale = c.weight_scales[0];
    else if (r.variant == QS_REQUANT_FP32) r.scale = c.scales[0];
    else if (r.variant <= QS_REQUANT_DOUBLE_ROUND_WRAP) { r.multiplier = c.multipliers[0]; r.shift = c.shifts[0]; }
  }
}

// The status the ABI prescribes for the decoded requantization, and the reference's parameters.
// acc[i] is requantized with channel channel_of(i) (TOSA REQUIREs a range of every accumulator).
template <typename ChannelOf>
void expect_requantization(RequantCase& c, bool per_channel, const std::vector<std::int32_t>& acc,
                           ChannelOf channel_of) {
  const qs_requantization& r = c.r;
  Expected& expected = c.expected;
  auto bad = [&] { expected.status = QS_BAD_PARAMETERS; };
  const bool fixed = is_fixed_point(r.variant);
  if (!is_type(c.output_type) || r.variant > QS_REQUANT_DOUBLE_ROUND_WRAP ||
      r.zero_point_entry > QS_ZP_BEFORE_ROUNDING || r.rounding > QS_ROUND_FLOOR ||
      r.derivation > QS_DERIVE_RNDNU) {
    bad();
    return;
  }
  expected.not_supported_allowed = r.variant == QS_REQUANT_IDEAL;
  const bool null_read_array =
      (fixed && (c.shape.null_array == 0 || c.shape.null_array == 1)) ||
      (r.variant == QS_REQUANT_FP32 && c.shape.null_array == 2) ||
      (r.variant == QS_REQUANT_IDEAL && c.shape.null_array == 3);
  if (c.qmin > c.qmax || !in_type(c.qmin, c.output_type) || !in_type(c.qmax, c.output_type)) {
    bad();
    return;
  }
  if (per_channel && (c.channels == 0 || null_read_array)) {
    bad();
    return;
  }
  if (is_deployed(r.variant)) {
    // Fixed point: the zero point enters after rounding only (Q7), as for the Q7 variants.
    if (r.zero_point_entry != QS_ZP_AFTER_ROUNDING) {
      bad();
      return;
    }
    for (std::size_t ch = 0; ch < c.channels; ++ch) {
      ref::DeployedRequantParams d;
      d.member = deployed_member(r.variant);
      d.multiplier = c.multipliers[ch];
      d.shift = c.shifts[ch];
      d.zero_point = r.output_zero_point;
      d.qmin = c.qmin;
      d.qmax = c.qmax;
      try {
        d.validate();
      } catch (const ref::ParameterError&) {
        bad();
      }
      c.deployed.push_back(d);
    }
    return;  // every int32 accumulator is accepted by the three members
  }
  for (std::size_t ch = 0; ch < c.channels; ++ch) {
    ref::RequantizeParams q;
    // double_round_wrap (selector 12) is Q7.2 double_round with the wrapping left shift.
    const bool wrap = r.variant == QS_REQUANT_DOUBLE_ROUND_WRAP;
    q.variant = wrap ? ref::RequantVariant::double_round : static_cast<ref::RequantVariant>(r.variant);
    if (wrap) q.left_shift_overflow = ref::LeftShiftOverflow::wrap;
    q.rounding = static_cast<ref::Rounding>(r.rounding);
    q.zero_point_entry = static_cast<ref::ZeroPointEntry>(r.zero_point_entry);
    q.zero_point = r.output_zero_point;
    q.qmin = c.qmin;
    q.qmax = c.qmax;
    try {
      if (r.variant == QS_REQUANT_IDEAL) {
        // M = Sx * Sw / Sy exactly; each scale finite and > 0 (qs_requantization).
        for (float scale : {r.input_scale, c.weight_scales[ch], r.output_scale}) {
          if (!(std::isfinite(scale) && scale > 0.0f)) throw ref::ParameterError("scale", "> 0", "");
        }
        q.real_multiplier = ref::multiplier_from_scales(r.input_scale, c.weight_scales[ch], r.output_scale);
      } else if (r.variant == QS_REQUANT_FP32) {
        q.scale = c.scales[ch];
      } else {
        q.multiplier = c.multipliers[ch];
        q.shift = c.shifts[ch];
      }
      q.validate();
    } catch (const ref::ParameterError&) {
      bad();
    }
    c.params.push_back(q);
  }
  // TOSA REQUIRE: every accumulator in the range the shift allows (else QS_BAD_PARAMETERS).
  for (std::size_t i = 0; expected.status == QS_OK && i < acc.size(); ++i) {
    try {
      ref::validate_accumulator(ref::Integer(acc[i]), c.params[channel_of(i)]);
    } catch (const ref::ParameterError&) {
      bad();
    }
  }
}

// The reference's requantization of acc[i] with channel channel_of(i) (definition = fast path).
template <typename ChannelOf>
std::vector<std::int32_t> requantized(const RequantCase& c, const std::vector<std::int32_t>& acc, ChannelOf channel_of) {
  std::vector<std::int32_t> want;
  if (!c.deployed.empty()) {
    for (std::size_t i = 0; i < acc.size(); ++i) {
      const ref::DeployedRequantParams& d = c.deployed[channel_of(i)];
      const auto definition = static_cast<std::int32_t>(ref::deployed_requantize(ref::Integer(acc[i]), d));
      require(ref::FastDeployedRequantizer(d)(acc[i]) == definition);
      want.push_back(definition);
    }
    return want;
  }
  for (std::size_t i = 0; i < acc.size(); ++i) {
    const ref::RequantizeParams& q = c.params[channel_of(i)];
    const auto definition = static_cast<std::int32_t>(ref::requantize(ref::Integer(acc[i]), q));
    require(ref::FastRequantizer(q)(acc[i]) == definition);
    want.push_back(definition);
  }
  return want;
}

void fuzz_requantize(Bytes& in, bool per_channel) {
  RequantCase c;
  decode_requantization(in, per_channel, c);
  qs_requantize_params p{};
  p.output_type = c.output_type;
  p.requant = c.r;
  p.qmin = c.qmin;
  p.qmax = c.qmax;
  p.channels = per_channel ? c.channels : 0;  // unread per tensor
  std::vector<std::int32_t> acc(std::min(in.remaining() / 4, kMaxElements));
  for (std::int32_t& v : acc) v = in.i32();
  const auto channel_of = [&](std::size_t i) { return i % c.channels; };
  expect_requantization(c, per_channel, acc, channel_of);
  std::vector<std::int32_t> want;
  if (c.expected.status == QS_OK) want = requantized(c, acc, channel_of);
  const std::vector<std::uint8_t> want_bytes = store8(want);
  check_tables(c.expected, [&](const qs_kernel_table& t) {
    std::vector<std::uint8_t> out(acc.size(), 0x5A);
    const auto fn = per_channel ? t.requantize_per_channel : t.requantize;
    const qs_status s = fn(&p, acc.data(), out.data(), acc.size());
    if (s == QS_OK && c.expected.status == QS_OK) require(out == want_bytes);
    return s;
  });
}

// ---- gemm (Q5) ----
// acc[m][n] = bias[n] + sum_k (A[m][k] - Za) * (W[n][k] - Zw[n]) wrapped to int32.
struct GemmCase {
  qs_gemm_params p{};
  std::size_t m = 0, n = 0, k = 0, a_stride = 0, w_stride = 0, out_stride = 0;
  bool per_channel_zw = false, has_bias = false;
  std::vector<std::int32_t> zw, bias;
  std::vector<std::uint8_t> a;
  std::vector<std::int8_t> w;
  Expected expected;
  std::vector<std::int32_t> want;  // m x out_stride (padding 0x7E7E7E7E) when expected is QS_OK
};

void decode_gemm(Bytes& in, GemmCase& g) {
  qs_gemm_params& p = g.p;
  p.a_type = in.sel(2);
  p.a_zero_point = zero_point(in, p.a_type);
  g.m = in.u8() % 5;
  g.n = in.u8() % 21;
  g.k = in.u8() % 41;
  const std::size_t m = g.m, n = g.n, k = g.k;
  // Strides: usually exact, sometimes padded, sometimes one short (bad when the matrix has rows).
  auto stride = [&](std::size_t width) -> std::size_t {
    const std::uint8_t b = in.u8();
    if (b < 0xC0) return width + b % 3;
    return width == 0 ? 0 : width - 1;
  };
  g.a_stride = stride(k);
  g.w_stride = stride(k);
  g.out_stride = stride(n);
  const std::uint8_t forms = in.u8();
  g.per_channel_zw = forms & 1;
  g.has_bias = forms & 2;
  // One spare entry, so that data() is never NULL (NULL w_zero_points means per tensor).
  g.zw.assign(n + 1, 0);
  g.bias.assign(n + 1, 0);
  p.w_zero_point = std::numeric_limits<std::int32_t>::min();  // unread when per channel
  if (g.per_channel_zw) {
    for (std::size_t j = 0; j < n; ++j) g.zw[j] = zero_point(in, QS_S8);
  } else {
    p.w_zero_point = zero_point(in, QS_S8);
    for (auto& z : g.zw) z = p.w_zero_point;
  }
  for (std::size_t j = 0; j < n; ++j) g.bias[j] = g.has_bias ? in.i32() : 0;
  p.w_zero_points = g.per_channel_zw ? g.zw.data() : nullptr;
  p.bias = g.has_bias ? g.bias.data() : nullptr;
  // The elements, row strides included (padding holds bytes too: a kernel must not read them
  // into a result).
  g.a.assign(std::max<std::size_t>(m * g.a_stride, 1), 0);
  g.w.assign(std::max<std::size_t>(n * g.w_stride, 1), 0);
  for (auto& v : g.a) v = in.u8();
  for (auto& v : g.w) v = static_cast<std::int8_t>(in.u8());

  // Expected status (kernel_abi.h, qs_gemm_params).
  const bool a_rows = m > 0 && k > 0, w_rows = n > 0 && k > 0;
  if (!is_type(p.a_type) || !in_type(p.a_zero_point, p.a_type) || (a_rows && g.a_stride < k) ||
      (w_rows && g.w_stride < k) || (m > 0 && g.out_stride < n)) {
    g.expected.status = QS_BAD_PARAMETERS;
  }
  for (std::size_t j = 0; j < n; ++j) {
    if (!in_type(g.zw[j], QS_S8)) g.expected.status = QS_BAD_PARAMETERS;
  }
  if (!g.per_channel_zw && !in_type(p.w_zero_point, QS_S8)) g.expected.status = QS_BAD_PARAMETERS;
  g.want.assign(std::max<std::size_t>(m * g.out_stride, 1), 0x7E7E7E7E);
  if (g.expected.status == QS_OK) {
    const ref::DType a_dtype = p.a_type == QS_U8 ? ref::DType::uint8 : ref::DType::int8;
    for (std::size_t i = 0; i < m; ++i) {
      for (std::size_t j = 0; j < n; ++j) {
        ref::QuantizedOperand x{a_dtype, p.a_zero_point, {}}, y{ref::DType::int8, g.zw[j], {}};
        for (std::size_t c = 0; c < k; ++c) {
          const std::uint8_t byte = g.a[i * g.a_stride + c];
          x.values.push_back(p.a_type == QS_S8 ? static_cast<std::int8_t>(byte) : byte);
          y.values.push_back(g.w[j * g.w_stride + c]);
        }
        g.want[i * g.out_stride + j] = ref::accumulate(x, y, ref::Integer(g.bias[j])).wrapped;
      }
    }
  }
}

void fuzz_gemm(Bytes& in) {
  GemmCase g;
  decode_gemm(in, g);
  const qs_gemm_params& p = g.p;
  const Expected& expected = g.expected;
  check_tables(expected, [&](const qs_kernel_table& t) {
    std::vector<std::int32_t> out(g.want.size(), 0x7E7E7E7E);
    const qs_status s = t.gemm(&p, g.a.data(), g.a_stride, g.w.data(), g.w_stride, out.data(), g.out_stride, g.m, g.n, g.k);
    // The whole buffer: outputs equal, row padding untouched.
    if (s == QS_OK && expected.status == QS_OK) require(out == g.want);
    return s;
  });
  // The same call on packed weights (pack_weights keeps Zw and the bias; gemm_packed ignores
  // the call's): the status of the pair is gemm's, the outputs gemm's.
  check_tables(expected, [&](const qs_kernel_table& t) {
    if (t.pack_weights == nullptr || t.gemm_packed == nullptr) return expected.status;
    qs_packed_weights* packed = nullptr;
    const qs_status packing = t.pack_weights(&p, g.w.data(), g.w_stride, g.n, g.k, &packed);
    if (packing != QS_OK) {
      require(packed == nullptr);
      return packing;
    }
    qs_gemm_params call = p;
    call.w_zero_point = std::numeric_limits<std::int32_t>::min();  // unread by gemm_packed
    call.w_zero_points = unreadable<std::int32_t>();
    call.bias = unreadable<std::int32_t>();
    std::vector<std::int32_t> out(g.want.size(), 0x7E7E7E7E);
    const qs_status s = t.gemm_packed(&call, g.a.data(), g.a_stride, packed, out.data(), g.out_stride, g.m);
    t.release_packed(packed);
    if (s == QS_OK && expected.status == QS_OK) require(out == g.want);
    return s;
  });
}

// ---- linear (Q5 + Q7 + Q8) ----
// out[m][n] = clamp(requantize(acc[m][n]), act_min, act_max): the gemm block, then a byte
// (bit 0: per-channel requantization, one channel per column), then a requantization as
// requantize decodes it (its bounds are [act_min, act_max]; the channel block's count is
// replaced by N). Then linear_packed on the same call. N = 0 cases are skipped (no columns
// to requantize).
void fuzz_linear(Bytes& in) {
  GemmCase g;
  decode_gemm(in, g);
  if (g.n == 0) return;
  const bool per_channel = (in.u8() & 1) != 0;
  RequantCase c;
  decode_requantization(in, per_channel, c, g.n);
  qs_linear_params p{};
  p.gemm = g.p;
  p.requant = c.r;
  p.per_channel = per_channel ? 1 : 0;
  p.output_type = c.output_type;
  p.act_min = c.qmin;
  p.act_max = c.qmax;
  // The accumulators the reference requantizes: row-major m x n without the padding.
  std::vector<std::int32_t> acc;
  for (std::size_t i = 0; g.expected.status == QS_OK && i < g.m; ++i) {
    for (std::size_t j = 0; j < g.n; ++j) acc.push_back(g.want[i * g.out_stride + j]);
  }
  const auto column_of = [&](std::size_t i) { return per_channel ? i % g.n : 0; };
  // The requantization clamps to the output type's range and the activation to [act_min,
  // act_max] after it (Zy need not lie in the activation's range, only in the type's).
  const bool act_ok = is_type(c.output_type) && p.act_min <= p.act_max && in_type(p.act_min, c.output_type) &&
                      in_type(p.act_max, c.output_type);
  if (is_type(c.output_type)) {
    c.qmin = type_min(c.output_type);
    c.qmax = type_max(c.output_type);
  }
  expect_requantization(c, per_channel, acc, column_of);
  Expected expected = c.expected;
  if (g.expected.status != QS_OK || !act_ok) expected.status = QS_BAD_PARAMETERS;
  std::vector<std::uint8_t> want(std::max<std::size_t>(g.m * g.out_stride, 1), 0x6B);
  if (expected.status == QS_OK) {
    const std::vector<std::int32_t> q = requantized(c, acc, column_of);
    for (std::size_t i = 0; i < g.m; ++i) {
      for (std::size_t j = 0; j < g.n; ++j) {
        const std::int32_t v = std::clamp(q[i * g.n + j], p.act_min, p.act_max);
        want[i * g.out_stride + j] = static_cast<std::uint8_t>(v);
      }
    }
  }
  check_tables(expected, [&](const qs_kernel_table& t) {
    std::vector<std::uint8_t> out(want.size(), 0x6B);
    const qs_status s = t.linear(&p, g.a.data(), g.a_stride, g.w.data(), g.w_stride, out.data(), g.out_stride,
                                 g.m, g.n, g.k);
    if (s == QS_OK && expected.status == QS_OK) require(out == want);
    return s;
  });
  check_tables(expected, [&](const qs_kernel_table& t) {
    if (t.pack_weights == nullptr || t.linear_packed == nullptr) return expected.status;
    qs_packed_weights* packed = nullptr;
    const qs_status packing = t.pack_weights(&p.gemm, g.w.data(), g.w_stride, g.n, g.k, &packed);
    if (packing != QS_OK) {
      require(packed == nullptr);
      return packing;
    }
    qs_linear_params call = p;
    call.gemm.w_zero_point = std::numeric_limits<std::int32_t>::min();  // unread by linear_packed
    call.gemm.w_zero_points = unreadable<std::int32_t>();
    call.gemm.bias = unreadable<std::int32_t>();
    std::vector<std::uint8_t> out(want.size(), 0x6B);
    const qs_status s = t.linear_packed(&call, g.a.data(), g.a_stride, packed, out.data(), g.out_stride, g.m);
    t.release_packed(packed);
    if (s == QS_OK && expected.status == QS_OK) require(out == want);
    return s;
  });
}

// ---- lut ----
// out[i] = table[(uint8_t)in[i]]; bad parameters: table NULL (or an element type outside the enum).
void fuzz_lut(Bytes& in) {
  qs_lut_params p{};
  p.element_type = in.sel(2);
  const bool null_table = in.u8() >= 0xF0;
  std::vector<std::uint8_t> table(256);
  for (auto& v : table) v = in.u8();
  p.table = null_table ? nullptr : table.data();
  std::vector<std::uint8_t> x(std::min(in.remaining(), kMaxElements));
  for (auto& v : x) v = in.u8();
  Expected expected;
  if (!is_type(p.element_type) || null_table) expected.status = QS_BAD_PARAMETERS;
  std::vector<std::uint8_t> want;
  for (std::uint8_t v : x) want.push_back(table[v]);
  check_tables(expected, [&](const qs_kernel_table& t) {
    std::vector<std::uint8_t> out(x.size(), 0xC3);
    const qs_status s = t.lut(&p, x.data(), out.data(), x.size());
    if (s == QS_OK && expected.status == QS_OK) require(out == want);
    return s;
  });
}

// ---- fake quantization (Q15) ----
// TENSORFLOW's grid is [narrow ? 1 : 0, 2^b - 1]: the number of bits, or 0 when qmax is not one.
int tf_bits(std::int32_t qmax) {
  for (int b = 2; b <= 16; ++b) {
    if (qmax == (1 << b) - 1) return b;
  }
  return 0;
}

bool same_float(float got, float want) {
  if (std::isnan(want)) return std::isnan(got);  // the NaN's payload is unspecified (ABI)
  return std::memcmp(&got, &want, sizeof got) == 0;
}

void fuzz_fake_quantize(Bytes& in, bool per_channel) {
  qs_fake_quant_params p{};
  p.variant = in.sel(3);
  p.rounding = in.sel(5);
  const bool tf = p.variant == QS_FQ_TENSORFLOW;
  // Grid: for TENSORFLOW mostly one of its grids, else the bounds of the other operations.
  if (tf && in.u8() < 0xE0) {
    const std::uint8_t g = in.u8();
    p.qmin = g & 1;
    p.qmax = (1 << (2 + (g >> 1) % 15)) - 1;
  } else {
    bounds(in, QS_S8, &p.qmin, &p.qmax);
  }
  const bool with_mask = in.u8() & 1;
  // Garbage in every field the form and variant do not read.
  p.scale = std::numeric_limits<float>::quiet_NaN();
  p.zero_point = std::numeric_limits<std::int32_t>::min();
  p.min = std::numeric_limits<float>::infinity();
  p.max = -std::numeric_limits<float>::infinity();
  p.scales = unreadable<float>();
  p.zero_points = unreadable<std::int32_t>();
  p.mins = unreadable<float>();
  p.maxs = unreadable<float>();
  auto real = [&]() -> float {  // a range end: small signed values mostly, raw bits sometimes
    const std::uint8_t b = in.u8();
    if (b >= 0xE0) return in.f32_bits();
    return static_cast<float>(static_cast<std::int8_t>(in.u8())) / (1 + b % 32);
  };
  std::vector<float> scales, mins, maxs;
  std::vector<std::int32_t> zero_points;
  ChannelShape shape;
  std::size_t channels = 1;
  auto one_channel = [&] {
    if (tf) {
      mins.push_back(real());
      maxs.push_back(real());
    } else {
      scales.push_back(in.scale());
      zero_points.push_back(zero_point(in, QS_S8));
    }
  };
  if (per_channel) {
    shape = channel_shape(in);
    channels = shape.channels;
    for (std::size_t c = 0; c < channels; ++c) one_channel();
    p.channels = channels;
    if (tf) {
      p.mins = shape.null_array == 0 ? nullptr : mins.data();
      p.maxs = shape.null_array == 1 ? nullptr : maxs.data();
    } else {
      p.scales = shape.null_array == 0 ? nullptr : scales.data();
      p.zero_points = shape.null_array == 1 ? nullptr : zero_points.data();
    }
  } else {
    one_channel();
    p.channels = 0;
    if (tf) {
      p.min = mins[0];
      p.max = maxs[0];
    } else {
      p.scale = scales[0];
      p.zero_point = zero_points[0];
    }
  }
  std::vector<float> x(std::min(in.remaining() / 4, kMaxElements));
  for (float& v : x) v = in.f32_bits();

  // Expected status (kernel_abi.h, qs_fake_quant_params "Bad parameters (Q15.5)").
  Expected expected;
  auto bad = [&] { expected.status = QS_BAD_PARAMETERS; };
  std::vector<ref::FakeQuantParams> exact_params;
  std::vector<ref::TfFakeQuantParams> tf_params;
  if (p.variant > QS_FQ_TENSORFLOW || p.rounding > QS_ROUND_FLOOR || p.qmin >= p.qmax) {
    bad();
  } else if (per_channel && (channels == 0 || shape.null_array == 0 || shape.null_array == 1)) {
    bad();
  } else if (tf) {
    const int bits = tf_bits(p.qmax);
    if ((p.qmin != 0 && p.qmin != 1) || bits == 0) {
      bad();
    } else {
      for (std::size_t c = 0; c < channels; ++c) {
        ref::TfFakeQuantParams q;
        q.min = mins[c];
        q.max = maxs[c];
        q.num_bits = bits;
        q.narrow_range = p.qmin == 1;
        q.op = per_channel ? ref::TfFakeQuantOp::with_min_max_vars_per_channel
                           : ref::TfFakeQuantOp::with_min_max_vars;
        try {
          q.validate();
          // fl32(max - min) infinite, a scale fl32(range / (qmax - qmin)) of 0 or an inv_scale
          // fl32((qmax - qmin) / range) infinite (ABI text).
          const float range = q.max - q.min;
          const float steps = static_cast<float>(p.qmax - p.qmin);
          const float scale = range / steps;
          if (std::isinf(range) || (q.max != q.min && (scale == 0.0f || std::isinf(steps / range)))) bad();
        } catch (const ref::ParameterError&) {
          bad();
        }
        tf_params.push_back(q);
      }
    }
  } else {
    for (std::size_t c = 0; c < channels; ++c) {
      ref::FakeQuantParams q;
      q.scale = scales[c];
      q.zero_point = zero_points[c];
      q.qmin = p.qmin;
      q.qmax = p.qmax;
      q.rounding = static_cast<ref::Rounding>(p.rounding);
      try {
        q.validate();
      } catch (const ref::ParameterError&) {
        bad();
      }
      exact_params.push_back(q);
    }
  }
  std::vector<float> want;
  std::vector<std::uint8_t> want_mask;
  if (expected.status == QS_OK) {
    const auto variant = p.variant == QS_FQ_EXACT ? ref::FakeQuantVariant::exact : ref::FakeQuantVariant::pytorch;
    for (std::size_t i = 0; i < x.size(); ++i) {
      const ref::FakeQuantResult r = tf ? ref::fake_quantize_tensorflow(x[i], tf_params[i % channels])
                                        : ref::fake_quantize(x[i], exact_params[i % channels], variant);
      want.push_back(r.value);
      want_mask.push_back(r.mask ? 1 : 0);
    }
  }
  check_tables(expected, [&](const qs_kernel_table& t) {
    std::vector<float> out(x.size(), -3.0f);
    std::vector<std::uint8_t> mask(x.size(), 0xEE);
    const auto fn = per_channel ? t.fake_quantize_per_channel : t.fake_quantize;
    const qs_status s = fn(&p, x.data(), out.data(), with_mask ? mask.data() : nullptr, x.size());
    if (s == QS_OK && expected.status == QS_OK) {
      for (std::size_t i = 0; i < x.size(); ++i) require(same_float(out[i], want[i]));
      if (with_mask) require(mask == want_mask);
    }
    return s;
  });
}


// ---- dynamic quantization (Q17) ----
// One decoded dynamic case: the quantize parameters and x (rows x cols); dynamic_linear adds
// N, W, the weight scales and the bias.
struct DynamicCall {
  qs_dynamic_quantize_params p{};
  std::size_t rows = 0, cols = 0;
  std::vector<float> x;
};

std::uint32_t dynamic_type(std::uint32_t variant) { return variant == QS_DYN_SYMMETRIC_S8 ? QS_S8 : QS_U8; }

// An x element: mostly small multiples of 1/8 (ranges with ties), sometimes raw binary32 bits.
float dynamic_element(Bytes& in) {
  const std::uint8_t e = in.u8();
  if (e >= 0xF0) return in.f32_bits();
  return static_cast<float>(static_cast<std::int8_t>(in.u8())) / static_cast<float>(1 << (e % 8));
}

DynamicCall dynamic_call(Bytes& in, std::size_t max_rows, std::size_t max_cols) {
  DynamicCall c;
  c.p.variant = in.sel(3);
  const std::uint8_t t = in.u8();  // t % 8 == 0: the other type; >= 0xF0: outside the enum
  c.p.output_type = t >= 0xF0 ? 2 : t % 8 == 0 ? (dynamic_type(c.p.variant) == QS_S8 ? QS_U8 : QS_S8)
                                              : dynamic_type(c.p.variant);
  const std::uint8_t flags = in.u8();
  c.p.per_row = flags & 1;
  c.p.reduce_range = (flags >> 1) & 1;
  const std::uint8_t f = in.u8();
  c.p.scale_floor = f >= 0xE0 ? in.f32_bits() : std::ldexp(1.0f, -static_cast<int>(f % 40));
  const std::uint8_t r = in.u8(), k = in.u8();
  c.rows = r >= 0xF0 ? 0 : 1 + r % max_rows;
  c.cols = k >= 0xF0 ? 0 : 1 + k % max_cols;
  c.x.resize(c.rows * c.cols);
  for (float& v : c.x) v = dynamic_element(in);
  return c;
}

// The reference's Q17.7 input for `c` (its quantization part; N, W and the scales are set by the
// caller). dynamic_quantize's outputs are those of dynamic_linear's quantization step.
ref::DynamicLinearInput dynamic_input(const DynamicCall& c) {
  ref::DynamicLinearInput d;
  d.activation = c.p.variant == QS_DYN_ONNX_U8       ? ref::DynamicActivation::onnx_u8
                 : c.p.variant == QS_DYN_SYMMETRIC_S8 ? ref::DynamicActivation::symmetric_s8
                                                      : ref::DynamicActivation::pytorch_u8;
  d.per_row = c.p.per_row != 0;
  d.scale_floor = c.p.scale_floor;
  d.reduce_range = c.p.variant == QS_DYN_PYTORCH_U8 && c.p.reduce_range != 0;
  d.x = c.x;
  d.m = c.rows;
  d.k = c.cols;
  return d;
}

// The status the ABI prescribes before the data is looked at (qs_dynamic_quantize_params; the
// per-row form of ONNX_U8 / PYTORCH_U8 a kernel may refuse as not supported), or QS_OK.
Expected dynamic_parameter_status(const DynamicCall& c) {
  Expected e;
  if (c.p.variant > QS_DYN_PYTORCH_U8 || !is_type(c.p.output_type)) {
    e.status = QS_BAD_PARAMETERS;
  } else if (c.p.variant != QS_DYN_SYMMETRIC_S8 && c.p.per_row != 0) {
    e.status = QS_BAD_PARAMETERS;  // Q17.1 / Q17.5 define no per-row form
    e.not_supported_allowed = true;
  } else if (c.p.output_type != dynamic_type(c.p.variant) || c.rows == 0 || c.cols == 0) {
    e.status = QS_BAD_PARAMETERS;
  } else if (c.p.variant == QS_DYN_SYMMETRIC_S8 && !(std::isfinite(c.p.scale_floor) && c.p.scale_floor > 0.0f)) {
    e.status = QS_BAD_PARAMETERS;
  }
  return e;
}

void fuzz_dynamic_quantize(Bytes& in) {
  const DynamicCall c = dynamic_call(in, 4, 40);
  Expected expected = dynamic_parameter_status(c);
  ref::DynamicLinear want;
  if (expected.status == QS_OK) {
    ref::DynamicLinearInput d = dynamic_input(c);
    d.n = 1;
    d.w.assign(c.cols, 0);
    d.weight_scales = {1.0f};
    try {
      want = ref::dynamic_linear(d);
    } catch (const ref::ParameterError&) {
      expected.status = QS_BAD_PARAMETERS;  // an element NaN or infinite, an ONNX range
    }
  }
  const std::size_t params = c.p.per_row != 0 ? c.rows : 1;
  check_tables(expected, [&](const qs_kernel_table& t) {
    std::vector<std::uint8_t> out(c.x.size(), 0xA5);
    std::vector<float> scales(params + 1, -1.0f);
    std::vector<std::int32_t> zero_points(params + 1, -7);
    const qs_status s = t.dynamic_quantize(&c.p, c.x.data(), out.data(), c.rows, c.cols, scales.data(),
                                           zero_points.data());
    if (s == QS_OK && expected.status == QS_OK) {
      for (std::size_t i = 0; i < c.x.size(); ++i) {
        require(static_cast<std::int64_t>(c.p.output_type == QS_S8 ? static_cast<std::int8_t>(out[i]) : out[i]) ==
                static_cast<std::int64_t>(want.qx[i]));
      }
      for (std::size_t r = 0; r < params; ++r) {
        require(same_float(scales[r], want.x_scales[r]) && zero_points[r] == want.x_zero_points[r]);
      }
      require(scales[params] == -1.0f && zero_points[params] == -7);  // nothing past the last
    }
    return s;
  });
}

// dynamic_linear and, where the table has it, dynamic_linear_packed on the same call: N = b % 9
// (0 is a bad parameter), W's N x K bytes, one weight scale per column (the scale byte code),
// a bias flag byte (bit 0) and N biases (dynamic_element), after the x of dynamic_call.
void fuzz_dynamic_linear(Bytes& in) {
  const DynamicCall c = dynamic_call(in, 4, 40);
  const std::size_t n = in.u8() % 9;
  std::vector<std::int8_t> w(n * c.cols);
  for (auto& v : w) v = static_cast<std::int8_t>(in.u8());
  std::vector<float> weight_scales(n);
  for (float& v : weight_scales) v = in.scale();
  const bool with_bias = (in.u8() & 1) != 0;
  std::vector<float> bias(with_bias ? n : 0);
  for (float& v : bias) v = dynamic_element(in);
  Expected expected = dynamic_parameter_status(c);
  if (expected.status == QS_OK && n == 0) expected.status = QS_BAD_PARAMETERS;
  ref::DynamicLinear want;
  if (expected.status == QS_OK) {
    ref::DynamicLinearInput d = dynamic_input(c);
    d.n = n;
    d.w = w;
    d.weight_scales = weight_scales;
    d.bias = bias;
    try {
      want = ref::dynamic_linear(d);
      require(ref::dynamic_linear_fast(d).out.size() == want.out.size());
      const std::vector<float> fast = ref::dynamic_linear_fast(d).out;
      for (std::size_t i = 0; i < fast.size(); ++i) require(same_float(fast[i], want.out[i]));
    } catch (const ref::ParameterError&) {
      expected.status = QS_BAD_PARAMETERS;
    }
  }
  qs_dynamic_linear_params p{};
  p.quant = c.p;
  p.weight_scales = n == 0 ? unreadable<float>() : weight_scales.data();
  p.bias = with_bias && n > 0 ? bias.data() : nullptr;
  const std::size_t m = c.rows, k = c.cols;
  auto compare = [&](qs_status s, const std::vector<float>& out) {
    if (s == QS_OK && expected.status == QS_OK) {
      for (std::size_t i = 0; i < m * n; ++i) require(same_float(out[i], want.out[i]));
    }
  };
  const std::int8_t* w_data = w.empty() ? unreadable<std::int8_t>() : w.data();
  check_tables(expected, [&](const qs_kernel_table& t) {
    std::vector<float> out(m * n + 1, -3.0f);
    const qs_status s = t.dynamic_linear(&p, c.x.empty() ? nullptr : c.x.data(), k, w_data, k, out.data(), n, m, n, k);
    compare(s, out);
    require(out[m * n] == -3.0f);
    return s;
  });
  // Packed: only where the object can be made (N, K >= 1); it must then give the same answer.
  if (n == 0 || k == 0) return;
  check_tables(expected, [&](const qs_kernel_table& t) {
    if (t.pack_weights == nullptr || t.dynamic_linear_packed == nullptr) return expected.status;
    qs_gemm_params pack{};
    pack.a_type = QS_U8;
    qs_packed_weights* packed = nullptr;
    require(t.pack_weights(&pack, w.data(), k, n, k, &packed) == QS_OK && packed != nullptr);
    std::vector<float> out(m * n + 1, -3.0f);
    const qs_status s = t.dynamic_linear_packed(&p, c.x.data(), k, packed, out.data(), n, m);
    t.release_packed(packed);
    compare(s, out);
    require(out[m * n] == -3.0f);
    return s;
  });
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  Bytes in(data, size);
  switch (in.u8() % 13) {
    case 0: fuzz_quantize(in, false); break;
    case 1: fuzz_quantize(in, true); break;
    case 2: fuzz_dequantize(in, false); break;
    case 3: fuzz_dequantize(in, true); break;
    case 4: fuzz_requantize(in, false); break;
    case 5: fuzz_requantize(in, true); break;
    case 6: fuzz_gemm(in); break;
    case 7: fuzz_lut(in); break;
    case 8: fuzz_fake_quantize(in, false); break;
    case 9: fuzz_fake_quantize(in, true); break;
    case 10: fuzz_dynamic_quantize(in); break;
    case 11: fuzz_dynamic_linear(in); break;
    default: fuzz_linear(in); break;
  }
  return 0;
}
