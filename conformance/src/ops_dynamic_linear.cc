// Dynamic linear (SPEC.md Q17.7): dynamic_linear for every qs_dynamic_variant (onnx_u8;
// symmetric_s8 per tensor and per row; pytorch_u8 with and without reduce_range), bias NULL
// and not. The oracle is the reference: its exact definition (dynamic_linear.hpp) for cases of
// up to 60000 multiply-adds, its host form (property-tested equal to the definition) above;
// outputs compared bit for bit (the sign of zero included). x, W, the output, weight_scales and
// bias are fenced (execute(), fences.hpp); unread fields (scale_floor, reduce_range) hold noise.
// Shapes: M, N, K = 1, odd, past tiles of 4 / 6 rows and panels of 16 / 32 / 64 columns, K past
// groups of 2 / 4 and 4096; strided rows. The accumulator catalogue makes |acc| > 2^24 (x and W
// of one sign, K = 2200), where fl32(acc) before the multiply decides the output.
// dynamic_linear_packed (kernel_abi.h) runs the same cases (the same seeds) on W packed by the
// table's pack_weights (W fenced; weight zero point 0, per tensor or as a per-column array of
// zeros; bias NULL): its output must equal the reference bit for bit and then the table's own
// unpacked dynamic_linear on the same case. Its bad parameters are dynamic_linear's (packed =
// NULL for W = NULL, the object's N or K = 0) plus objects packed with a non-zero weight zero
// point or an int32 bias.
#include <cfloat>
#include <cmath>
#include <cstring>
#include <iostream>
#include <limits>
#include <optional>
#include <ostream>
#include <sstream>

#include "check_kit.hpp"
#include "execute.hpp"
#include "fences.hpp"
#include "ops.hpp"
#include "quantspec/reference/dynamic_linear.hpp"
#include "dynamic_fields.hpp"
#include "unread_fields.hpp"

namespace quantspec::conformance::ops {
namespace {

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();
constexpr float kInf = std::numeric_limits<float>::infinity();

struct DynLinearCase {
  std::uint32_t variant = QS_DYN_ONNX_U8;
  bool per_row = false;
  bool reduce_range = false;
  float scale_floor = 0x1p-20f;
  std::size_t m = 1, n = 1, k = 1;
  std::size_t x_stride = 1, w_stride = 1, out_stride = 1;
  std::vector<float> input;         // x: m rows of x_stride floats (check_kit's name)
  std::vector<std::int8_t> w;       // n rows of w_stride bytes
  std::vector<float> weight_scales;  // [n]
  std::vector<float> bias;           // empty: NULL
  bool per_channel = true;           // (check_kit: never cut a case down to one element)
  bool packed = false;               // dynamic_linear_packed on W packed by pack_weights
};

Flavor flavor_of(const DynLinearCase& c) { return {dynamic_output_type(c.variant), QS_S8, c.per_row}; }

std::vector<float> dense_x(const DynLinearCase& c) {
  std::vector<float> x;
  for (std::size_t r = 0; r < c.m; ++r) x.insert(x.end(), c.input.begin() + r * c.x_stride, c.input.begin() + r * c.x_stride + c.k);
  return x;
}

// Packed cases alternate between the two ways of saying Zw = 0.
bool packed_with_zero_point_array(const DynLinearCase& c) { return (c.m + c.n + c.k) % 2 == 1; }

bool has_packed_slot(const qs_kernel_table& t) {
  return QS_TABLE_HAS_SLOT(&t, dynamic_linear_packed) && t.pack_weights != nullptr && t.release_packed != nullptr &&
         t.dynamic_linear_packed != nullptr;
}

// Owns a packed object (released with the table's release_packed).
class PackedW {
 public:
  explicit PackedW(const qs_kernel_table& t) : table_(t) {}
  ~PackedW() {
    if (object_ != nullptr) table_.release_packed(object_);
  }
  PackedW(const PackedW&) = delete;
  PackedW& operator=(const PackedW&) = delete;
  qs_status pack(const qs_gemm_params& p, const std::int8_t* w, std::size_t w_stride, std::size_t n, std::size_t k) {
    return table_.pack_weights(&p, w, w_stride, n, k, &object_);
  }
  const qs_packed_weights* get() const { return object_; }

 private:
  const qs_kernel_table& table_;
  qs_packed_weights* object_ = nullptr;
};

std::string status_text(qs_status s) {
  return s == QS_OK ? "QS_OK" : s == QS_BAD_PARAMETERS ? "QS_BAD_PARAMETERS"
                            : s == QS_VARIANT_NOT_SUPPORTED ? "QS_VARIANT_NOT_SUPPORTED"
                                                            : std::to_string(static_cast<int>(s));
}

std::string describe(const DynLinearCase& c) {
  std::ostringstream t;
  t << "  op: " << (c.packed ? "dynamic_linear_packed" : "dynamic_linear") << "\n  variant: " << dynamic_variant_name(c.variant)
    << ", per_row " << c.per_row;
  if (c.variant == QS_DYN_SYMMETRIC_S8) t << ", scale_floor " << hex(c.scale_floor);
  if (c.variant == QS_DYN_PYTORCH_U8) t << ", reduce_range " << c.reduce_range;
  t << "\n  m, n, k: " << c.m << ", " << c.n << ", " << c.k << "; strides x/w/out: " << c.x_stride << "/" << c.w_stride
    << "/" << c.out_stride << "\n  weight_scales: " << list(c.weight_scales, 0) << "\n  bias: "
    << (c.bias.empty() ? std::string("NULL") : list(c.bias, 0)) << "\n";
  if (c.packed) {
    t << "  W packed by pack_weights with "
      << (packed_with_zero_point_array(c) ? "w_zero_points = N zeros" : "w_zero_point = 0") << ", int32 bias NULL\n";
  }
  if (c.m * c.k <= 24) t << "  x: " << list(dense_x(c)) << "\n";
  return t.str();
}
void showValue(const DynLinearCase& c, std::ostream& os) { os << "\n" << describe(c); }

ref::DynamicLinearInput reference_input(const DynLinearCase& c) {
  ref::DynamicLinearInput in;
  in.activation = c.variant == QS_DYN_ONNX_U8        ? ref::DynamicActivation::onnx_u8
                  : c.variant == QS_DYN_SYMMETRIC_S8 ? ref::DynamicActivation::symmetric_s8
                                                     : ref::DynamicActivation::pytorch_u8;
  in.per_row = c.per_row;
  in.reduce_range = c.reduce_range;
  in.scale_floor = c.scale_floor;
  in.x = dense_x(c);
  in.m = c.m, in.n = c.n, in.k = c.k;
  for (std::size_t j = 0; j < c.n; ++j) in.w.insert(in.w.end(), c.w.begin() + j * c.w_stride, c.w.begin() + j * c.w_stride + c.k);
  in.weight_scales = c.weight_scales;
  in.bias = c.bias;
  return in;
}

std::vector<float> expected_out(const DynLinearCase& c, OracleMode mode) {
  const ref::DynamicLinearInput in = reference_input(c);
  if (mode == OracleMode::definition || c.m * c.n * c.k <= 60000) return ref::dynamic_linear(in).out;
  return ref::dynamic_linear_fast(in).out;
}

bool has_unpacked_slot(const qs_kernel_table& t) {
  return QS_TABLE_HAS_SLOT(&t, dynamic_linear) && t.dynamic_linear != nullptr;
}

// The case's quantize parameters (unread fields zero).
qs_dynamic_linear_params plain_params(const DynLinearCase& c) {
  qs_dynamic_linear_params p{};
  p.quant.variant = c.variant;
  p.quant.output_type = dynamic_output_type(c.variant);
  p.quant.per_row = c.per_row ? 1u : 0u;
  p.quant.reduce_range = c.variant == QS_DYN_PYTORCH_U8 && c.reduce_range ? 1u : 0u;
  p.quant.scale_floor = c.variant == QS_DYN_SYMMETRIC_S8 ? c.scale_floor : 0.0f;
  p.weight_scales = c.weight_scales.data();
  p.bias = c.bias.empty() ? nullptr : c.bias.data();
  return p;
}

// pack_weights on the case's W (fenced, at a page end, freed after the call: the object keeps
// what it needs) with Zw = 0 and bias NULL. A failure is returned as its text.
std::optional<std::string> pack_case(PackedW& into, const DynLinearCase& c, const std::vector<std::uint8_t>& w_bytes,
                                     const std::string& description) {
  CallBuffers buffers(BufferPlacement::at_page_end, kFirstFill, 0);
  const auto* w = static_cast<const std::int8_t*>(buffers.add_input(w_bytes, 0, "W"));
  const std::vector<std::int32_t> zeros(c.n, 0);
  qs_status status = QS_BAD_PARAMETERS;
  const auto touch = buffers.run([&] {
    qs_gemm_params g{};
    g.a_type = dynamic_output_type(c.variant);
    g.w_zero_points = packed_with_zero_point_array(c) ? parameter_array(zeros, "w_zero_points") : nullptr;
    status = into.pack(g, w, c.w_stride, c.n, c.k);
  });
  if (touch) return "pack_weights " + touch_text(*touch) + "\n" + description;
  if (status != QS_OK || into.get() == nullptr) {
    return "pack_weights rejected a symmetric W without bias: status " + status_text(status) + "\n" + description;
  }
  return std::nullopt;
}

Outcome run_case(const qs_kernel_table& table, const DynLinearCase& c, OracleMode mode = OracleMode::fast) {
  if (c.packed ? !has_packed_slot(table) : !has_unpacked_slot(table)) return Outcome::not_supported();
  const std::string description = describe(c);
  NoiseSchedule noise;
  const std::vector<std::uint8_t> w_bytes(reinterpret_cast<const std::uint8_t*>(c.w.data()),
                                          reinterpret_cast<const std::uint8_t*>(c.w.data()) + c.w.size());
  const std::size_t out_elements = (c.m - 1) * c.out_stride + c.n;
  PackedW packed(table);
  if (c.packed) {
    if (auto failed = pack_case(packed, c, w_bytes, description)) return Outcome::fail(*failed);
  }
  std::vector<InputBytes> inputs{{to_bytes(c.input), 0, "x"}};
  if (!c.packed) inputs.push_back({w_bytes, 0, "W"});
  const Execution e = execute(
      inputs, out_elements * sizeof(float), 0,
      [&](const std::vector<const void*>& in, void* out) {
        const Noise unread = noise.next();
        qs_dynamic_linear_params p{};
        p.quant = dynamic_quant_fields(c.variant, c.per_row, c.reduce_range, c.scale_floor, unread);
        p.weight_scales = parameter_array(c.weight_scales, "weight_scales");
        p.bias = c.bias.empty() ? nullptr : parameter_array(c.bias, "bias");
        if (c.packed) {
          return table.dynamic_linear_packed(&p, static_cast<const float*>(in[0]), c.x_stride, packed.get(),
                                             static_cast<float*>(out), c.out_stride, c.m);
        }
        return table.dynamic_linear(&p, static_cast<const float*>(in[0]), c.x_stride,
                                    static_cast<const std::int8_t*>(in[1]), c.w_stride, static_cast<float*>(out),
                                    c.out_stride, c.m, c.n, c.k);
      },
      description);
  if (e.verdict) return *e.verdict;
  const std::vector<float> want = expected_out(c, mode);
  for (std::size_t r = 0; r < c.m; ++r) {
    for (std::size_t col = 0; col < c.out_stride && r * c.out_stride + col < out_elements; ++col) {
      const std::size_t at = r * c.out_stride + col;
      std::uint32_t first, second;
      std::memcpy(&first, e.first.data() + 4 * at, 4);
      std::memcpy(&second, e.second.data() + 4 * at, 4);
      if (col >= c.n) {  // row padding keeps each call's fill
        if (first != 0xA5A5A5A5u || second != 0x5A5A5A5Au) {
          return Outcome::fail("wrote into the row padding of out at row " + std::to_string(r) + ", column " +
                               std::to_string(col) + "\n" + description);
        }
        continue;
      }
      if (first != second) return Outcome::fail(unwritten_message("out[" + std::to_string(r) + "][" + std::to_string(col) + "]") + description);
      std::uint32_t expected;
      const float w = want[r * c.n + col];
      std::memcpy(&expected, &w, 4);
      if (first != expected) {
        float got;
        std::memcpy(&got, &first, 4);
        return Outcome::fail("wrong output out[" + std::to_string(r) + "][" + std::to_string(col) + "]: expected " +
                             hex(w) + ", got " + hex(got) + "\n" + description);
      }
    }
  }
  if (c.packed && has_unpacked_slot(table)) {
    // Packed equals unpacked: the table's own dynamic_linear on the same case (plain buffers).
    std::vector<float> unpacked(out_elements, 0.0f);
    const qs_dynamic_linear_params p = plain_params(c);
    const qs_status s = table.dynamic_linear(&p, c.input.data(), c.x_stride, c.w.data(), c.w_stride, unpacked.data(),
                                             c.out_stride, c.m, c.n, c.k);
    if (s != QS_OK) {
      return Outcome::fail("dynamic_linear (unpacked) returned " + status_text(s) +
                           " where dynamic_linear_packed returned QS_OK with the reference's output\n" + description);
    }
    for (std::size_t r = 0; r < c.m; ++r) {
      for (std::size_t col = 0; col < c.n; ++col) {
        const std::size_t at = r * c.out_stride + col;
        std::uint32_t packed_bits, unpacked_bits;
        std::memcpy(&packed_bits, e.first.data() + 4 * at, 4);
        std::memcpy(&unpacked_bits, &unpacked[at], 4);
        if (packed_bits != unpacked_bits) {
          float got;
          std::memcpy(&got, &packed_bits, 4);
          return Outcome::fail("dynamic_linear (unpacked) differs from dynamic_linear_packed at out[" + std::to_string(r) +
                               "][" + std::to_string(col) + "]: packed " + hex(got) + " (= the reference), unpacked " +
                               hex(unpacked[at]) + "\n" + description);
        }
      }
    }
  }
  return Outcome::pass();
}

// ---- Cases -------------------------------------------------------------------------------------

using Cases = std::vector<std::pair<std::string, DynLinearCase>>;

// A case of the given shape: x with elements of magnitude about 2^e (one sign and W of one sign
// when `one_signed`: |acc| grows like K), random weight scales around 2^-7, a bias or none.
DynLinearCase make_case(std::uint32_t variant, bool per_row, std::size_t m, std::size_t n, std::size_t k,
                        bool one_signed, kit::Random& rng) {
  DynLinearCase c;
  c.variant = variant;
  c.per_row = per_row;
  c.reduce_range = rng.in(0, 1) == 1;
  c.scale_floor = std::ldexp(1.0f, static_cast<int>(rng.in(-60, -10)));
  c.m = m, c.n = n, c.k = k;
  c.x_stride = k + static_cast<std::size_t>(rng.in(0, 1) * rng.in(1, 3));
  c.w_stride = k + static_cast<std::size_t>(rng.in(0, 1) * rng.in(1, 3));
  c.out_stride = n + static_cast<std::size_t>(rng.in(0, 1) * rng.in(1, 3));
  const int e = static_cast<int>(rng.in(-20, 20));
  const float sign = rng.in(0, 1) ? 1.0f : -1.0f;
  const int w_extreme = rng.in(0, 1) ? 127 : -128;
  for (std::size_t i = 0; i < m * c.x_stride; ++i) {
    const float v = std::ldexp(static_cast<float>(rng.in(one_signed ? (1 << 23) : -(1 << 24), 1 << 24)), e - 24);
    c.input.push_back(one_signed ? sign * v : v);
  }
  for (std::size_t i = 0; i < n * c.w_stride; ++i) {
    c.w.push_back(static_cast<std::int8_t>(one_signed ? (rng.in(0, 31) == 0 ? -1 - w_extreme : w_extreme) : rng.in(-128, 127)));
  }
  for (std::size_t j = 0; j < n; ++j) {
    c.weight_scales.push_back(std::ldexp(static_cast<float>(rng.in(1 << 23, (1 << 24) - 1)), -31 - static_cast<int>(rng.in(0, 3))));
  }
  if (rng.in(0, 1) == 1) {
    for (std::size_t j = 0; j < n; ++j) c.bias.push_back(std::ldexp(static_cast<float>(rng.in(-(1 << 24), 1 << 24)), -24 + static_cast<int>(rng.in(-4, 8))));
  }
  return c;
}

Cases shape_cases(std::uint32_t variant, bool per_row, std::uint64_t seed) {
  static const std::size_t ms[] = {1, 2, 3, 5, 7, 17};
  static const std::size_t ns[] = {1, 3, 15, 16, 17, 33, 65};
  static const std::size_t ks[] = {1, 2, 3, 5, 31, 64, 65, 257, 1023};
  kit::Random rng(seed);
  Cases cases;
  for (std::size_t m : ms) {
    for (std::size_t n : ns) {
      const std::size_t k = ks[rng.in(0, 8)];
      cases.emplace_back("shape " + std::to_string(m) + " x " + std::to_string(n) + " x " + std::to_string(k),
                         make_case(variant, per_row, m, n, k, false, rng));
    }
  }
  for (int i = 0; i < 3; ++i) {  // K past 4096 (the host-form oracle)
    cases.emplace_back("K = 4097, case " + std::to_string(i), make_case(variant, per_row, 1 + i, 17, 4097, false, rng));
  }
  return cases;
}

Cases large_accumulator_cases(std::uint32_t variant, bool per_row, std::uint64_t seed) {
  kit::Random rng(seed);
  Cases cases;
  for (int i = 0; i < 12; ++i) {
    DynLinearCase c = make_case(variant, per_row, 1 + i % 3, 5 + i % 4, 2200, true, rng);
    if (i % 2 == 0 && c.bias.empty()) c.bias.assign(c.n, 0.5f);
    cases.emplace_back("|acc| > 2^24, case " + std::to_string(i), c);
  }
  return cases;
}

// Inputs whose binary32 scale decides the result: PyTorch ranges where fl32(S) differs from the
// binary64 S (most ranges), constants, an all-zero x, and (symmetric per row) a zero row at a
// tiny floor with a tiny weight scale (D = +0: the sign of a zero product).
Cases edge_cases(std::uint32_t variant, bool per_row) {
  Cases cases;
  kit::Random rng(31);
  auto add = [&](const std::string& what, std::size_t m, std::size_t k, std::vector<float> x) {
    DynLinearCase c = make_case(variant, per_row, m, 3, k, false, rng);
    c.x_stride = k;
    c.input = std::move(x);
    cases.emplace_back(what, c);
  };
  add("mixed signs [-1, 0.5, 2]", 1, 3, {-1.0f, 0.5f, 2.0f});
  add("every element 0", 2, 2, {0.0f, -0.0f, 0.0f, 0.0f});
  add("constant > 0", 2, 3, std::vector<float>(6, 0.7f));
  add("constant < 0", 1, 5, std::vector<float>(5, -0.3f));
  add("tie of x / S", 2, 3, {127.0f, -63.5f, 0.5f, 1.5f, -2.5f, 126.5f});
  if (variant == QS_DYN_SYMMETRIC_S8) {
    DynLinearCase c = make_case(variant, per_row, 2, 2, 2, false, rng);
    c.x_stride = 2;
    c.input = {0x1p-140f, -0x1p-141f, 0.0f, 0.0f};
    c.w = {-5, 3, 1, 2};
    c.w_stride = 2;
    c.scale_floor = 0x1p-149f;
    c.weight_scales = {0x1p-149f, 0x1p-149f};
    c.bias.clear();
    cases.emplace_back("D = +0: the product -0 when acc < 0", c);
  }
  return cases;
}

// A status outside the enum, returned by a packed bad call whose pack_weights (of a valid,
// symmetric W) failed: the bad-parameter check then fails, with the pack status on stderr.
constexpr int kPackFailed = -999;

std::vector<kit::BadCall> bad_calls(const qs_kernel_table& table, std::uint32_t variant, bool per_row, bool packed) {
  std::vector<kit::BadCall> calls;
  struct Call {
    qs_dynamic_linear_params p{};
    std::size_t m = 2, n = 3, k = 5, x_stride = 5, w_stride = 5, out_stride = 3;
    std::vector<float> x = std::vector<float>(10, 0.5f);
    std::vector<std::int8_t> w = std::vector<std::int8_t>(15, 3);
    std::vector<float> scales = std::vector<float>(3, 0.01f);
    std::vector<float> bias = std::vector<float>(3, 1.0f);
    bool null_x = false, null_w = false, null_out = false, null_scales = false;
    bool out_over_x = false;
    qs_gemm_params pack{};  // packed: what pack_weights gets (valid: Zw = 0, bias NULL)
    std::vector<std::int32_t> pack_zero_points = std::vector<std::int32_t>(3, 0);
    std::vector<std::int32_t> pack_bias = {5, 0, -7};
    bool pack_with_zero_points = false, pack_with_bias = false;
  };
  auto add = [&](std::string what, std::function<void(Call&)> edit, std::vector<qs_status> accepted = {QS_BAD_PARAMETERS}) {
    kit::BadCall bad;
    bad.what = what;
    bad.flavor = {dynamic_output_type(variant), QS_S8, per_row};
    bad.accepted = accepted;
    bad.output_bytes = 64 * sizeof(float);
    bad.call = [&table, variant, per_row, packed, what, edit](void* out) {
      // Not on this frame: a kernel that faults on a fence is recovered from by a jump out of
      // the call (fences.cc), which would skip the vectors' destructors (a leak under LSan).
      static thread_local Call c;
      c = Call();
      c.x[3] = -2.0f;
      c.p.quant.variant = variant;
      c.p.quant.output_type = dynamic_output_type(variant);
      c.p.quant.per_row = per_row ? 1 : 0;
      c.p.quant.scale_floor = 1e-6f;
      edit(c);
      // Every array the call reads is fenced (kit::fenced_input / fenced_array), so a kernel
      // that reads past or before one while rejecting the call fails with the array's name.
      c.p.weight_scales = c.null_scales ? nullptr : kit::fenced_array(c.scales, "weight_scales");
      if (!c.bias.empty()) c.p.bias = kit::fenced_array(c.bias, "bias");
      const float* x = c.null_x ? nullptr : kit::fenced_input(c.x, "x");
      const std::int8_t* w = c.null_w ? nullptr : kit::fenced_input(c.w, "w");
      float* o = c.null_out ? nullptr : static_cast<float*>(out);
      if (c.out_over_x) {  // x is the fenced output buffer itself
        std::memcpy(out, c.x.data(), c.x.size() * sizeof(float));
        x = o = static_cast<float*>(out);
      }
      if (packed) {
        PackedW object(table);
        if (!c.null_w) {
          c.pack.w_zero_points = c.pack_with_zero_points ? c.pack_zero_points.data() : nullptr;
          c.pack.bias = c.pack_with_bias ? c.pack_bias.data() : nullptr;
          const qs_status s = object.pack(c.pack, w, c.w_stride, c.n, c.k);
          if (s != QS_OK) {
            std::cerr << "dynamic_linear_packed bad call '" << what << "': pack_weights of its W returned "
                      << status_text(s) << "\n";
            return static_cast<qs_status>(kPackFailed);
          }
        }
        return table.dynamic_linear_packed(&c.p, x, c.x_stride, object.get(), o, c.out_stride, c.m);
      }
      return table.dynamic_linear(&c.p, x, c.x_stride, w, c.w_stride, o, c.out_stride, c.m, c.n, c.k);
    };
    calls.push_back(bad);
  };
  add("quant.variant outside the enum", [](Call& c) { c.p.quant.variant = 3; });
  add("quant.output_type of the other variant",
      [variant](Call& c) { c.p.quant.output_type = dynamic_output_type(variant) == QS_S8 ? QS_U8 : QS_S8; });
  add("m = 0", [](Call& c) { c.m = 0; });
  add("n = 0", [](Call& c) { c.n = 0; });
  add("k = 0", [](Call& c) { c.k = 0; });
  add("x = NULL", [](Call& c) { c.null_x = true; });
  add(packed ? "packed W = NULL" : "w = NULL", [](Call& c) { c.null_w = true; });
  add("out = NULL", [](Call& c) { c.null_out = true; });
  add("weight_scales = NULL", [](Call& c) { c.null_scales = true; });
  add("x_stride < k", [](Call& c) { c.x_stride = 4; });
  if (!packed) add("w_stride < k", [](Call& c) { c.w_stride = 4; });
  add("out_stride < n", [](Call& c) { c.out_stride = 2; });
  add("weight_scales[2] = 0", [](Call& c) { c.scales[2] = 0.0f; });
  add("weight_scales[1] = -1", [](Call& c) { c.scales[1] = -1.0f; });
  add("weight_scales[0] = NaN", [](Call& c) { c.scales[0] = kNaN; });
  add("weight_scales[0] = inf", [](Call& c) { c.scales[0] = kInf; });
  add("bias[2] = NaN", [](Call& c) { c.bias[2] = kNaN; });
  add("bias[0] = -inf", [](Call& c) { c.bias[0] = -kInf; });
  add("NaN in the last element of x", [](Call& c) { c.x[9] = kNaN; });
  add("+inf in x", [](Call& c) { c.x[0] = kInf; });
  add("fl32(Sx * Sw) infinite", [](Call& c) { c.x[0] = 3e37f; c.scales[1] = 3e37f; });
  add("out overlapping x", [](Call& c) { c.out_over_x = true; });
  if (variant == QS_DYN_SYMMETRIC_S8) {
    for (float f : {0.0f, -1.0f, kNaN, kInf}) add("scale_floor = " + hex(f), [f](Call& c) { c.p.quant.scale_floor = f; });
  } else if (!per_row) {
    add("per_row = 1 (defined per tensor only)", [](Call& c) { c.p.quant.per_row = 1; },
        {QS_BAD_PARAMETERS, QS_VARIANT_NOT_SUPPORTED});
  }
  if (variant == QS_DYN_ONNX_U8) add("fl32(max - min) = inf", [](Call& c) { c.x[0] = -3e38f; c.x[1] = 3e38f; });
  if (packed) {  // Q17.7: W symmetric (Zw = 0), the bias a float of the call
    add("W packed with w_zero_point = 1", [](Call& c) { c.pack.w_zero_point = 1; });
    add("W packed with w_zero_point = -128", [](Call& c) { c.pack.w_zero_point = -128; });
    add("W packed with w_zero_points[2] = -1", [](Call& c) {
      c.pack_with_zero_points = true;
      c.pack_zero_points[2] = -1;
    });
    add("W packed with an int32 bias {5, 0, -7}", [](Call& c) { c.pack_with_bias = true; });
    add("W packed with an int32 bias and p->bias = NULL", [](Call& c) {
      c.pack_with_bias = true;
      c.bias.clear();
    });
  }
  kit::BadCall null_params;
  null_params.what = "params = NULL";
  null_params.flavor = {dynamic_output_type(variant), QS_S8, per_row};
  null_params.output_bytes = 16;
  null_params.call = [&table, packed](void* out) {
    static const float x[4] = {1, 2, 3, 4};
    static const std::int8_t w[4] = {1, 2, 3, 4};
    if (packed) {
      PackedW object(table);
      qs_gemm_params g{};
      if (object.pack(g, w, 4, 1, 4) != QS_OK) return static_cast<qs_status>(kPackFailed);
      return table.dynamic_linear_packed(nullptr, x, 4, object.get(), static_cast<float*>(out), 1, 1);
    }
    return table.dynamic_linear(nullptr, x, 4, w, 4, static_cast<float*>(out), 1, 1, 1, 4);
  };
  calls.push_back(null_params);
  return calls;
}

// The same cases for dynamic_linear_packed.
Cases packed_form(Cases cases, bool packed) {
  for (auto& [label, c] : cases) c.packed = packed;
  return cases;
}

VariantSuite dynamic_linear_suite(std::uint32_t variant, bool packed) {
  VariantSuite s;
  s.op = packed ? "dynamic_linear_packed" : "dynamic_linear";
  s.variant = dynamic_variant_name(variant);
  s.probe = [variant, packed](const qs_kernel_table& table) {
    kit::Random rng(5);
    std::vector<DynLinearCase> probes{make_case(variant, false, 2, 3, 4, false, rng)};
    if (variant == QS_DYN_SYMMETRIC_S8) probes.push_back(make_case(variant, true, 2, 3, 4, false, rng));
    for (DynLinearCase& c : probes) c.packed = packed;
    return kit::probe(table, probes, [](const Flavor& f) { return flavor_name(f, false, false, true); });
  };
  // Both forms draw their cases from the same seeds ("dynamic_linear"): the packed form runs the
  // unpacked form's cases.
  auto catalogue = [variant, packed](const std::string& name, std::function<Cases(bool per_row, std::uint64_t seed)> build) {
    return Check{name, false, [build, name, variant, packed](const qs_kernel_table& t, const Support& sup, const Settings& set) {
                   CheckResult total{CheckResult::Verdict::pass, "", 0};
                   for (const Flavor& f : sup.supported) {
                     const std::uint64_t seed = check_seed(set.seed, "dynamic_linear", dynamic_variant_name(variant), name);
                     const CheckResult r = kit::run_cases(t, sup, packed_form(build(f.per_channel, seed), packed));
                     total.cases += r.cases;
                     if (r.verdict == CheckResult::Verdict::fail) return CheckResult{r.verdict, r.counterexample, total.cases};
                   }
                   return total;
                 }};
  };
  s.checks.push_back(catalogue("MatchesReferenceOnBlockShapes",
                               [variant](bool per_row, std::uint64_t seed) { return shape_cases(variant, per_row, seed); }));
  s.checks.push_back(catalogue("RoundsTheAccumulatorToBinary32BeforeTheScale", [variant](bool per_row, std::uint64_t seed) {
    return large_accumulator_cases(variant, per_row, seed);
  }));
  s.checks.push_back(catalogue("UsesTheBinary32RunTimeScale",
                               [variant](bool per_row, std::uint64_t) { return edge_cases(variant, per_row); }));
  s.checks.push_back(kit::bad_parameters_per_flavor_check(s.op, [variant, packed](const qs_kernel_table& t, const Flavor& f) {
    return bad_calls(t, variant, f.per_channel, packed);
  }));
  return s;
}

}  // namespace

std::vector<VariantSuite> dynamic_linear_suites() {
  std::vector<VariantSuite> suites;
  for (bool packed : {false, true}) {
    for (std::uint32_t variant : {QS_DYN_ONNX_U8, QS_DYN_SYMMETRIC_S8, QS_DYN_PYTORCH_U8}) {
      suites.push_back(dynamic_linear_suite(variant, packed));
    }
  }
  return suites;
}

}  // namespace quantspec::conformance::ops
