// Dynamic quantization (SPEC.md Q17): dynamic_quantize, variants onnx_u8 (Q17.1, per tensor),
// symmetric_s8 (Q17.2, per tensor and per row) and pytorch_u8 (Q17.5, per tensor, with and
// without reduce_range). The oracle is the reference (dynamic.hpp): the
// run-time scales compared bit for bit, zero points and quantized values exactly. The kernel is
// called four times per case (execute(): two output fills, then every buffer at a page end, then
// at a page start) with the unread fields (scale_floor for onnx_u8, reduce_range) holding noise;
// scales_out and zero_points_out are fenced outputs of each call (fences.hpp).
// A per-row onnx_u8 or pytorch_u8 is not defined by Q17, so no suite asks for one.
#include <cfloat>
#include <cmath>
#include <cstring>
#include <limits>
#include <ostream>
#include <sstream>

#include "check_kit.hpp"
#include "execute.hpp"
#include "ops.hpp"
#include "quantspec/reference/dynamic.hpp"
#include "quantspec/reference/dynamic_pytorch.hpp"
#include "dynamic_fields.hpp"
#include "unread_fields.hpp"

namespace quantspec::conformance::ops {
namespace {

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();
constexpr float kInf = std::numeric_limits<float>::infinity();

struct DynamicCase {
  std::uint32_t variant = QS_DYN_ONNX_U8;
  bool per_row = false;
  std::size_t rows = 1;
  std::size_t cols = 0;
  float scale_floor = 0x1p-20f;  // symmetric_s8 only
  bool reduce_range = false;     // pytorch_u8 only
  std::vector<float> input;      // rows * cols, row-major
  Placement placement;
  bool per_channel = true;       // (check_kit: never cut a case down to one element)
};

std::size_t param_count(const DynamicCase& c) { return c.per_row ? c.rows : 1; }

Flavor flavor_of(const DynamicCase& c) { return {QS_S8, dynamic_output_type(c.variant), c.per_row}; }

std::string describe(const DynamicCase& c) {
  std::ostringstream t;
  t << "  op: dynamic_quantize\n  variant: " << dynamic_variant_name(c.variant) << "\n  output_type: "
    << element_type_name(dynamic_output_type(c.variant)) << "\n  per_row: " << c.per_row << "\n  rows, cols: " << c.rows
    << ", " << c.cols << "\n";
  if (c.variant == QS_DYN_SYMMETRIC_S8) t << "  scale_floor: " << hex(c.scale_floor) << "\n";
  if (c.variant == QS_DYN_PYTORCH_U8) t << "  reduce_range: " << c.reduce_range << "\n";
  t << "  input (misaligned by " << c.placement.input_offset << " floats): " << list(c.input) << "\n"
    << "  output misaligned by " << c.placement.output_offset << " bytes\n";
  return t.str();
}

void showValue(const DynamicCase& c, std::ostream& os) { os << "\n" << describe(c); }

struct Expected {
  std::vector<float> scales;
  std::vector<std::int32_t> zero_points;
  std::vector<std::int32_t> q;
};

Expected reference(const DynamicCase& c) {
  Expected e;
  if (c.variant == QS_DYN_ONNX_U8) {
    const ref::OnnxDynamicQuantization d = ref::dynamic_quantize_onnx(c.input);
    e.scales = {d.scale};
    e.zero_points = {static_cast<std::int32_t>(d.zero_point)};
    for (const auto& q : d.q) e.q.push_back(static_cast<std::int32_t>(q));
  } else if (c.variant == QS_DYN_PYTORCH_U8) {
    const ref::PytorchDynamicQuantization d = ref::dynamic_quantize_pytorch(c.input, c.reduce_range);
    e.scales = {d.params.scale_f32};
    e.zero_points = {static_cast<std::int32_t>(d.params.zero_point)};
    for (const auto& q : d.q) e.q.push_back(static_cast<std::int32_t>(q));
  } else {
    const ref::RowDynamicQuantization d = ref::dynamic_quantize_per_row(c.input, c.per_row ? c.rows : 1, c.scale_floor);
    e.scales = d.scales;
    e.zero_points.assign(e.scales.size(), 0);
    for (const auto& q : d.q) e.q.push_back(static_cast<std::int32_t>(q));
  }
  return e;
}

Outcome run_case(const qs_kernel_table& table, const DynamicCase& c, OracleMode = OracleMode::fast) {
  if (!QS_TABLE_HAS_SLOT(&table, dynamic_quantize) || table.dynamic_quantize == nullptr) {
    return Outcome::not_supported();
  }
  const std::string description = describe(c);
  const std::size_t n = c.input.size();
  const std::size_t params = param_count(c);
  qs_dynamic_quantize_params p{};
  NoiseSchedule noise;
  std::vector<std::vector<float>> scales;
  std::vector<std::vector<std::int32_t>> zero_points;
  const Execution e = execute(
      {{to_bytes(c.input), c.placement.input_offset * sizeof(float), "input"}}, n, c.placement.output_offset,
      [&](const std::vector<const void*>& in, void* out) {
        // Reads: variant, output_type, per_row, scale_floor for symmetric_s8, reduce_range for
        // pytorch_u8.
        const Noise unread = noise.next();
        p = dynamic_quant_fields(c.variant, c.per_row, c.reduce_range, c.scale_floor, unread);
        // The run-time parameters are fenced like the output (execute() checks their guard
        // bytes after the call).
        float* const s = output_array<float>(params, "scales_out");
        std::int32_t* const z = output_array<std::int32_t>(params, "zero_points_out");
        const qs_status status = table.dynamic_quantize(&p, static_cast<const float*>(in[0]), out, c.rows, c.cols, s, z);
        scales.emplace_back(s, s + params);
        zero_points.emplace_back(z, z + params);
        return status;
      },
      description);
  if (e.verdict) return *e.verdict;
  if (auto i = first_unwritten(e, 1)) return Outcome::fail(unwritten_message("element " + std::to_string(*i)) + description);
  for (std::size_t r = 0; r < params; ++r) {
    std::uint32_t a, b;
    std::memcpy(&a, &scales.at(0)[r], 4);
    std::memcpy(&b, &scales.at(1)[r], 4);
    if (a != b || zero_points[0][r] != zero_points[1][r]) {
      return Outcome::fail(unwritten_message("scales_out / zero_points_out entry " + std::to_string(r)) + description);
    }
    for (std::size_t call = 2; call < scales.size(); ++call) {
      if (std::memcmp(&scales[call][r], &scales[0][r], 4) != 0 || zero_points[call][r] != zero_points[0][r]) {
        return Outcome::fail("gave a different scale or zero point (entry " + std::to_string(r) + ") in call " +
                             std::to_string(call + 1) +
                             " when only the placement of its buffers and the unread fields changed\n" + description);
      }
    }
  }
  const Expected want = reference(c);
  for (std::size_t r = 0; r < params; ++r) {
    std::uint32_t a, b;
    std::memcpy(&a, &want.scales[r], 4);
    std::memcpy(&b, &scales[0][r], 4);
    if (a != b || want.zero_points[r] != zero_points[0][r]) {
      std::ostringstream t;
      t << "wrong run-time parameters" << (c.per_row ? " of row " + std::to_string(r) : std::string()) << ": expected scale "
        << hex(want.scales[r]) << ", zero_point " << want.zero_points[r] << "; got scale " << hex(scales[0][r])
        << ", zero_point " << zero_points[0][r] << "\n"
        << description;
      return Outcome::fail(t.str());
    }
  }
  const std::uint32_t type = dynamic_output_type(c.variant);
  for (std::size_t i = 0; i < n; ++i) {
    const std::int32_t got = load_narrow(e.first, i, type);
    if (got != want.q[i]) {
      std::ostringstream t;
      t << "wrong output at index " << i << " (row " << i / c.cols << "): input " << hex(c.input[i]) << ", scale "
        << hex(want.scales[c.per_row ? i / c.cols : 0]) << ": expected " << want.q[i] << ", got " << got << "\n"
        << description;
      return Outcome::fail(t.str());
    }
  }
  return Outcome::pass();
}

// ---- Cases -------------------------------------------------------------------------------------

using Cases = std::vector<std::pair<std::string, DynamicCase>>;

DynamicCase dmake(std::uint32_t variant, bool per_row, std::size_t rows, std::vector<float> x) {
  DynamicCase c;
  c.variant = variant;
  c.per_row = per_row;
  c.rows = rows;
  c.cols = x.size() / rows;
  c.input = std::move(x);
  return c;
}

// The ranges whose binary32 steps matter: the ONNX node tests (onnx/backend/test/case/node/
// dynamicquantizelinear.py), a zero-point tie, a range where fl32(hi - lo) rounds, signed zeros,
// constants, one-signed ranges, subnormal and huge ranges; and deterministic random ranges.
Cases onnx_range_cases() {
  Cases cases;
  auto add = [&](const std::string& what, std::vector<float> x) {
    cases.emplace_back(what, dmake(QS_DYN_ONNX_U8, false, 1, std::move(x)));
  };
  add("ONNX node test 1", {0.0f, 2.0f, -3.0f, -2.5f, 1.34f, 0.5f});
  add("ONNX node test 2 (max < 0)", {-1.0f, -2.1f, -1.3f, -2.5f, -3.34f, -4.0f});
  add("ONNX node test 3 (min > 0)", {1.0f, 2.1f, 1.3f, 2.5f, 3.34f, 4.0f, 1.5f, 2.6f, 3.9f, 4.0f, 3.0f, 2.345f});
  add("zero point tie (Q17.1: Z = 2, half_even)", {-2.5f, 252.5f, 0.5f});
  add("fl32(hi - lo) rounds (Q17.1 example)", {-0x1.545784p-10f, 0x1.ab850cp-3f});
  add("every element +0", {0.0f, 0.0f, 0.0f});
  add("every element -0 or +0", {-0.0f, 0.0f, -0.0f, -0.0f});
  add("one element", {3.5f});
  add("constant > 0", std::vector<float>(19, 0.7f));
  add("constant < 0", std::vector<float>(19, -0.7f));
  add("subnormal range", {0x1p-140f, -0x1p-141f, 0.0f});
  add("largest finite range", {-FLT_MAX / 2, FLT_MAX / 2, 1.0f});
  add("huge, one-signed", {FLT_MAX, 1.0f});
  kit::Random rng(17);
  for (int i = 0; i < 300; ++i) {
    const float lo = -std::ldexp(static_cast<float>(rng.in(1, 1 << 24)), static_cast<int>(rng.in(-60, 0)));
    const float hi = std::ldexp(static_cast<float>(rng.in(1, 1 << 24)), static_cast<int>(rng.in(-60, 0)));
    std::vector<float> x = {lo, hi};
    for (int j = 0; j < 17; ++j) x.push_back(static_cast<float>(lo + (hi - lo) * (static_cast<double>(rng.in(0, 1 << 20)) / (1 << 20))));
    if (i % 5 == 0) x[0] = 0.5f * hi;  // a range starting at 0
    add("random range " + std::to_string(i), x);
  }
  return cases;
}

// Q17.5's branches (the inputs run against torch 1.13 in the reference tests: mixed signs with
// and without reduce_range, the small-scale cut of each kind, all zero, a nearbyint tie, the
// 7-bit example whose q leaves [0, 127]) and deterministic random ranges of every magnitude.
Cases pytorch_range_cases() {
  Cases cases;
  auto add = [&](const std::string& what, std::vector<float> x, bool reduce_range) {
    DynamicCase c = dmake(QS_DYN_PYTORCH_U8, false, 1, std::move(x));
    c.reduce_range = reduce_range;
    cases.emplace_back(what + (reduce_range ? " (reduce_range)" : ""), c);
  };
  for (bool rr : {false, true}) {
    add("mixed signs", {-1.0f, 0.5f, 2.0f}, rr);
    add("7-bit grid, q outside it", {-1.0f, 1.0f}, rr);
    add("small scale, min 0", {0.0f, 1e-3f}, rr);
    add("small scale, max 0", {-1e-3f, 0.0f, -5e-4f}, rr);
    add("small scale, both signs", {-1e-3f, 2e-3f, 0.0f}, rr);
    add("every element 0 (S = 0.1)", {0.0f, -0.0f, 0.0f}, rr);
    add("nearbyint tie of Z", {-2.5f, 252.5f, 0.5f}, rr);
    add("subnormal range", {0x1p-140f, -0x1p-141f}, rr);
    add("huge range", {-FLT_MAX / 2, FLT_MAX / 2}, rr);
  }
  kit::Random rng(29);
  for (int i = 0; i < 300; ++i) {
    const int e = static_cast<int>(rng.in(-30, 30));
    std::vector<float> x;
    for (int j = 0; j < 19; ++j) x.push_back(std::ldexp(static_cast<float>(rng.in(-(1 << 24), 1 << 24)), e - 24));
    if (i % 5 == 0) for (float& v : x) v = std::fabs(v);  // one-signed
    add("random range " + std::to_string(i), x, i % 2 == 1);
  }
  return cases;
}

Cases symmetric_range_cases(bool per_row) {
  Cases cases;
  auto add = [&](const std::string& what, std::size_t rows, std::vector<float> x, float floor) {
    DynamicCase c = dmake(QS_DYN_SYMMETRIC_S8, per_row, per_row ? rows : 1, std::move(x));
    c.scale_floor = floor;
    cases.emplace_back(what, c);
  };
  add("ties of x / S (amax 127)", 2, {127.0f, -63.5f, 0.5f, 1.5f, -2.5f, 126.5f}, 0x1p-20f);
  add("a zero row takes the floor", 2, {0.0f, -0.0f, 0.0f, 1.0f, -3.0f, 2.0f}, 0x1p-20f);
  add("floor above amax / 127", 2, {1e-7f, -3e-7f, 0.0f, 5.0f, 1.0f, -5.0f}, 1e-6f);
  add("subnormal amax", 1, {0x1p-140f, -0x1p-149f}, 0x1p-149f);
  add("amax FLT_MAX", 2, {FLT_MAX, -1.0f, -FLT_MAX, 2.0f}, 0x1p-20f);
  add("amax below 0", 1, {-3.0f, -1.0f, -2.0f}, 0x1p-20f);
  kit::Random rng(23);
  for (int i = 0; i < 200; ++i) {
    const std::size_t rows = static_cast<std::size_t>(rng.in(1, 4)), cols = static_cast<std::size_t>(rng.in(1, 20));
    std::vector<float> x;
    const int e = static_cast<int>(rng.in(-40, 20));
    for (std::size_t j = 0; j < rows * cols; ++j) {
      x.push_back(std::ldexp(static_cast<float>(rng.in(-(1 << 24), 1 << 24)), e - 24));
    }
    add("random rows " + std::to_string(i), rows, x, std::ldexp(1.0f, static_cast<int>(rng.in(-60, -10))));
  }
  return cases;
}

// The extreme element at the start, the middle, the second last and the last position of every
// length (the reduction's SIMD tails), misaligned; per row: every block shape of rows x cols.
Cases reduction_cases(std::uint32_t variant, bool per_row) {
  Cases cases;
  std::size_t k = 0;
  auto make = [&](std::size_t rows, std::size_t cols, std::size_t where, float extreme) {
    std::vector<float> x(rows * cols);
    for (std::size_t j = 0; j < x.size(); ++j) x[j] = (static_cast<float>((j * 29) % 61) - 30.0f) * 0.015625f;
    x[where] = extreme;
    DynamicCase c = dmake(variant, per_row, rows, x);
    c.placement = {k % 4, (k / 4) % 4};
    ++k;
    return c;
  };
  if (!per_row) {
    std::vector<std::size_t> lengths;
    for (std::size_t n : kit::interesting_lengths()) {
      if (n > 0 && n < kit::kLargeLength) lengths.push_back(n);
    }
    lengths.push_back(70001);  // past any cache-sized block of the reduction
    for (std::size_t n : lengths) {
      for (std::size_t where : {std::size_t{0}, n / 2, n >= 2 ? n - 2 : 0, n - 1}) {
        if (n > 10000 && where != n - 1) continue;  // the long case once per sign: the reference is slow
        for (float extreme : {5.0f, -7.0f}) {
          cases.emplace_back("length " + std::to_string(n) + ", extreme " + hex(extreme) + " at " + std::to_string(where),
                             make(1, n, where, extreme));
        }
      }
    }
    return cases;
  }
  for (std::size_t rows : {1u, 2u, 3u, 5u}) {
    for (std::size_t cols : kit::block_dimensions()) {
      if (cols == 0) continue;
      for (std::size_t where : {std::size_t{0}, cols - 1, rows * cols - 1}) {
        cases.emplace_back(std::to_string(rows) + " x " + std::to_string(cols) + ", extreme at " + std::to_string(where),
                           make(rows, cols, where, -9.0f));
      }
    }
  }
  return cases;
}

rc::Gen<DynamicCase> gen_dynamic(std::uint32_t variant, const Support& support) {
  return rc::gen::exec([variant, support] {
    using namespace rc::gen;
    const Flavor flavor = *elementOf(support.supported);
    DynamicCase c;
    c.variant = variant;
    c.per_row = flavor.per_channel;
    c.rows = c.per_row ? *inRange<std::size_t>(1, 6) : *inRange<std::size_t>(1, 3);
    c.cols = *map(kit::gen_length(130), [](std::size_t n) { return n == 0 ? std::size_t{1} : n; });
    const int e = *inRange(-40, 30);
    const float floor = std::ldexp(1.0f, *inRange(-80, -5));
    c.scale_floor = floor;
    c.reduce_range = *rc::gen::arbitrary<bool>();
    for (std::size_t i = 0; i < c.rows * c.cols; ++i) {
      c.input.push_back(*weightedOneOf<float>({
          {6, map(inRange(-(1 << 24), (1 << 24) + 1), [e](int m) { return std::ldexp(static_cast<float>(m), e - 24); })},
          {1, element(0.0f, -0.0f)},
          {1, map(inRange(-508, 509), [](int k) { return static_cast<float>(k) * 0.5f; })},
      }));
    }
    c.placement.input_offset = *kit::gen_offset();
    c.placement.output_offset = *kit::gen_offset();
    return c;
  });
}

std::vector<kit::BadCall> bad_calls(const qs_kernel_table& table, std::uint32_t variant, bool per_row) {
  std::vector<kit::BadCall> calls;
  struct Call {
    qs_dynamic_quantize_params p;
    std::size_t rows, cols;
    bool null_scales = false, null_zero_points = false;
    std::vector<float> x;
  };
  auto add = [&](std::string what, std::function<void(Call&)> edit) {
    kit::BadCall bad;
    bad.what = what;
    bad.flavor = {QS_S8, dynamic_output_type(variant), per_row};
    bad.output_bytes = 64;
    bad.call = [&table, variant, per_row, edit](void* out) {
      Call call;
      call.p = {};
      call.p.variant = variant;
      call.p.output_type = dynamic_output_type(variant);
      call.p.per_row = per_row ? 1 : 0;
      call.p.scale_floor = 1e-6f;
      call.rows = 1;
      call.cols = 37;
      call.x.assign(37, 0.25f);
      call.x[5] = -1.5f;
      edit(call);
      float scales[64];
      std::int32_t zero_points[64];
      const float* x = call.x.empty() ? nullptr : kit::fenced_input(call.x, "x");
      return table.dynamic_quantize(&call.p, x, out, call.rows, call.cols, call.null_scales ? nullptr : scales,
                                    call.null_zero_points ? nullptr : zero_points);
    };
    calls.push_back(bad);
  };
  add("variant outside the enum", [](Call& c) { c.p.variant = 3; });
  add("output_type outside the enum", [](Call& c) { c.p.output_type = 2; });
  add("output_type of the other variant",
      [variant](Call& c) { c.p.output_type = dynamic_output_type(variant) == QS_S8 ? QS_U8 : QS_S8; });
  add("rows = 0", [](Call& c) { c.rows = 0; });
  add("cols = 0", [](Call& c) { c.cols = 0; });
  add("NaN in the last element (a SIMD tail)", [](Call& c) { c.x[36] = kNaN; });
  add("+inf in the first element", [](Call& c) { c.x[0] = kInf; });
  add("-inf in the middle", [](Call& c) { c.x[18] = -kInf; });
  add("scales_out = NULL", [](Call& c) { c.null_scales = true; });
  add("zero_points_out = NULL", [](Call& c) { c.null_zero_points = true; });
  add("input = NULL", [](Call& c) { c.x.clear(); });
  if (variant == QS_DYN_SYMMETRIC_S8) {
    for (float f : {0.0f, -1.0f, kNaN, kInf}) {
      add("scale_floor = " + hex(f), [f](Call& c) { c.p.scale_floor = f; });
    }
    if (per_row) add("NaN in the last row", [](Call& c) { c.rows = 37; c.cols = 1; c.x[36] = kNaN; });
  } else if (variant == QS_DYN_ONNX_U8) {
    add("fl32(max - min) = inf", [](Call& c) { c.x[0] = -3e38f; c.x[1] = 3e38f; });
    add("a non-zero range whose scale rounds to 0", [](Call& c) { c.x.assign(37, 0.0f); c.x[30] = 0x1p-149f; });
  }
  kit::BadCall null_params;
  null_params.what = "params = NULL";
  null_params.flavor = {QS_S8, dynamic_output_type(variant), per_row};
  null_params.output_bytes = 16;
  null_params.call = [&table](void* out) {
    static const float input[4] = {1, 2, 3, 4};
    float s[1];
    std::int32_t z[1];
    return table.dynamic_quantize(nullptr, kit::fenced_input(input, 4, "x"), out, 1, 4, s, z);
  };
  calls.push_back(null_params);
  return calls;
}

VariantSuite dynamic_suite(std::uint32_t variant) {
  VariantSuite s;
  s.op = "dynamic_quantize";
  s.variant = dynamic_variant_name(variant);
  s.probe = [variant](const qs_kernel_table& table) {
    std::vector<DynamicCase> probes;
    probes.push_back(dmake(variant, false, 1, {0.25f, -1.0f, 3.0f}));
    if (variant == QS_DYN_SYMMETRIC_S8) probes.push_back(dmake(variant, true, 2, {0.25f, -1.0f, 3.0f, 0.5f}));
    return kit::probe(table, probes, [](const Flavor& f) { return flavor_name(f, false, false, true); });
  };
  auto catalogue = [](const std::string& name, std::function<Cases(bool per_row)> build) {
    return Check{name, false, [build](const qs_kernel_table& t, const Support& sup, const Settings&) {
                   CheckResult total{CheckResult::Verdict::pass, "", 0};
                   for (const Flavor& f : sup.supported) {
                     const CheckResult r = kit::run_cases(t, sup, build(f.per_channel));
                     total.cases += r.cases;
                     if (r.verdict == CheckResult::Verdict::fail) return CheckResult{r.verdict, r.counterexample, total.cases};
                   }
                   return total;
                 }};
  };
  s.checks.push_back(catalogue("ComputesScaleAndZeroPointInBinary32AsOrdered", [variant](bool per_row) {
    if (variant == QS_DYN_PYTORCH_U8) return pytorch_range_cases();
    return variant == QS_DYN_ONNX_U8 ? onnx_range_cases() : symmetric_range_cases(per_row);
  }));
  s.checks.push_back(catalogue("ReducesEveryElementOfEveryLength",
                               [variant](bool per_row) { return reduction_cases(variant, per_row); }));
  s.checks.push_back(kit::random_cases_check(s.op, s.variant, [variant](const Support& sup) { return gen_dynamic(variant, sup); }));
  s.checks.push_back(kit::bad_parameters_per_flavor_check(
      "dynamic_quantize", [variant](const qs_kernel_table& t, const Flavor& f) { return bad_calls(t, variant, f.per_channel); }));
  return s;
}

}  // namespace

std::vector<VariantSuite> dynamic_quantize_suites() {
  return {dynamic_suite(QS_DYN_ONNX_U8), dynamic_suite(QS_DYN_SYMMETRIC_S8), dynamic_suite(QS_DYN_PYTORCH_U8)};
}

}  // namespace quantspec::conformance::ops
