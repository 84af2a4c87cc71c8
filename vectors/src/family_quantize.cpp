// Q2 quantize vectors: every (division, rounding) pair is a variant; the same inputs appear in
// every variant's group, so a backend that runs them all can be identified. Cases: the
// rounding, special-input and clipping items of the catalogue, inputs found by searching
// where variants differ, seeded random cases, and rejected parameters.
#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <set>

#include "builder.hpp"
#include "quantspec/reference/deployed_quantize.hpp"
#include "quantspec/reference/quantize.hpp"

namespace quantspec::vectors::detail {
namespace {

using ref::Division;
using ref::DType;
using ref::Rounding;

struct Case {
  std::string comment;
  std::vector<std::string> flags;
  float x;
  float scale;
  std::int64_t zero_point;
};

struct Variant {
  Division division;
  Rounding rounding;
  std::string label() const {
    return std::string(ref::name(division)) + "/" + std::string(ref::name(rounding));
  }
};

std::vector<Variant> all_variants() {
  std::vector<Variant> v;
  for (auto d : ref::all_divisions()) {
    for (auto r : ref::all_roundings()) v.push_back({d, r});
  }
  return v;
}

struct Grid {
  DType dtype;
  bool narrow;
};

std::string hexf(float v) { return ref::hex_float(v); }

// Exact ties, neighbours, special inputs and clipping on a grid. Scales that are powers of two
// make x/S exact in every division variant, so a tie is a tie for all of them.
std::vector<Case> catalogue_cases(const Grid& grid) {
  const auto range = ref::dtype_range(grid.dtype, grid.narrow);
  const float s = 0.25f;
  std::vector<Case> c;
  c.push_back({"x/S = 2.5, Z = 0", {"tie_even_positive"}, 0.625f, s, 0});
  c.push_back({"x/S = 3.5, Z = 0", {"tie_odd_positive"}, 0.875f, s, 0});
  c.push_back({"x/S = -2.5, Z = 0", {"tie_even_negative"}, -0.625f, s, 0});
  c.push_back({"x/S = -3.5, Z = 0", {"tie_odd_negative"}, -0.875f, s, 0});
  if (range.max >= 3 && range.min <= 1) {
    c.push_back({"x/S = 2.5 with odd Z = 1: round first, then add Z",
                 {"tie_even_positive", "odd_zero_point"}, 0.625f, s, 1});
    c.push_back({"x/S = -0.5 with odd Z = 1", {"tie_even_negative", "odd_zero_point"}, -0.125f, s, 1});
  }
  c.push_back({"one ulp below x/S = 2.5", {"ulp_below_tie"}, std::nextafter(0.625f, 0.0f), s, 0});
  c.push_back({"one ulp above x/S = 2.5", {"ulp_above_tie"}, std::nextafter(0.625f, 1.0f), s, 0});
  c.push_back({"one ulp below (toward zero) x/S = -3.5", {"ulp_below_tie"},
               std::nextafter(-0.875f, 0.0f), s, 0});
  c.push_back({"one ulp above (away from zero) x/S = -3.5", {"ulp_above_tie"},
               std::nextafter(-0.875f, -1.0f), s, 0});
  const std::int64_t z = range.min <= 3 && range.max >= 3 ? 3 : range.min;
  c.push_back({"-0.0 quantizes like +0.0 to Z", {"negative_zero"}, -0.0f, 0.5f, z});
  c.push_back({"smallest subnormal x with S = 1", {"subnormal_input"},
               std::numeric_limits<float>::denorm_min(), 1.0f, 0});
  c.push_back({"subnormal x = 3*2^-149 with subnormal S = 2^-148: x/S = 1.5",
               {"subnormal_input", "subnormal_scale", "tie_odd_positive"}, 0x1.8p-148f, 0x1p-148f, 0});
  c.push_back({"subnormal S = 2^-140, x = 2^-146: x/S = 2^-6; fl(1/S) overflows to +inf, so "
               "f32_reciprocal gives x*inf = +inf -> qmax",
               {"subnormal_scale", "subnormal_input"}, 0x1p-146f, 0x1p-140f, 0});
  c.push_back({"x = 0 with subnormal S = 2^-140: f32_reciprocal computes 0 * inf = NaN "
               "(SPEC CHOICE: Z); exact and f32_divide give Z too",
               {"subnormal_scale", "nan_quotient"}, 0.0f, 0x1p-140f, z});
  c.push_back({"x/S = 3e9 beyond int32: saturates to qmax, never INT_MIN",
               {"quotient_beyond_int32", "clamp_high"}, 3e9f, 1.0f, 0});
  c.push_back({"x/S = -3e9 beyond int32", {"quotient_beyond_int32", "clamp_low"}, -3e9f, 1.0f, 0});
  c.push_back({"x/S = 2^31 exactly", {"quotient_beyond_int32", "clamp_high"}, 0x1p31f, 1.0f, 0});
  c.push_back({"x/S = 2^148 (x = 2^128 - ulp, S = 2^-20): f32_divide overflows to +inf",
               {"quotient_beyond_int32", "clamp_high"}, std::numeric_limits<float>::max(),
               0x1p-20f, 0});
  c.push_back({"NaN -> Z (SPEC CHOICE)", {"nan_input"}, std::numeric_limits<float>::quiet_NaN(),
               0.5f, z});
  c.push_back({"+inf -> qmax", {"infinite_input", "clamp_high"},
               std::numeric_limits<float>::infinity(), 0.5f, z});
  c.push_back({"-inf -> qmin", {"infinite_input", "clamp_low"},
               -std::numeric_limits<float>::infinity(), 0.5f, z});
  c.push_back({"far above qmax", {"clamp_high"}, 100000.0f, 1.0f, 0});
  c.push_back({"far below qmin", {"clamp_low"}, -100000.0f, 1.0f, 0});
  c.push_back({"Z = qmin, x/S = 2.5", {"zero_point_at_qmin", "tie_even_positive"}, 2.5f, 1.0f,
               range.min});
  c.push_back({"Z = qmin, negative x clamps to qmin", {"zero_point_at_qmin", "clamp_low"}, -1.0f,
               1.0f, range.min});
  c.push_back({"Z = qmax, x/S = -2.5", {"zero_point_at_qmax", "tie_even_negative"}, -2.5f, 1.0f,
               range.max});
  c.push_back({"Z = qmax, positive x clamps to qmax", {"zero_point_at_qmax", "clamp_high"}, 1.0f,
               1.0f, range.max});
  if (grid.narrow) {
    c.push_back({"narrow range: x/S = qmin - 1 clamps to qmin", {"narrow_range", "clamp_low"},
                 static_cast<float>(range.min - 1), 1.0f, 0});
    c.push_back({"narrow range: x/S = qmin - 0.5 (tie) clamps to qmin under every rule",
                 {"narrow_range", "tie_odd_negative"}, static_cast<float>(range.min) - 0.5f, 1.0f, 0});
  }
  return c;
}

// uint8 with Z = 128 against int8 with Z = 0: same inputs, outputs 128 apart.
std::vector<Case> offset_pair_cases(const Grid& grid) {
  std::vector<Case> c;
  if (grid.narrow || (grid.dtype != DType::int8 && grid.dtype != DType::uint8)) return c;
  const std::int64_t z = grid.dtype == DType::uint8 ? 128 : 0;
  const std::string zname = grid.dtype == DType::uint8 ? "uint8, Z = 128" : "int8, Z = 0";
  for (float x : {1.0f, -1.25f, 2.5f, -63.75f}) {
    c.push_back({zname + ", x = " + hexf(x) + ", S = 0.5 (pairs with the other grid)",
                 {"uint8_zero_point_128"}, x, 0.5f, z});
  }
  return c;
}

std::vector<Case> random_cases(const Grid& grid, std::uint64_t seed, int count) {
  const auto range = ref::dtype_range(grid.dtype, grid.narrow);
  Rng rng(seed);
  std::vector<Case> c;
  for (int i = 0; i < count; ++i) {
    const float scale = rng.log_uniform_float(-14, 3);
    const std::int64_t z = rng.uniform(range.min, range.max);
    float x;
    if (i % 2 == 0) {
      // Near the grid: multiples of S/8 hit ties and near-ties often.
      const std::int64_t span = (range.max - range.min + 8) * 8;
      x = static_cast<float>(static_cast<double>(scale) *
                             (static_cast<double>(rng.uniform(-span, span)) / 8.0));
    } else {
      x = static_cast<float>(static_cast<double>(scale) *
                             static_cast<double>(rng.uniform(-(1 << 24), 1 << 24)) /
                             (1 << 24) * static_cast<double>(range.max - range.min + 8));
    }
    c.push_back({"random, seed " + std::to_string(seed) + " #" + std::to_string(i), {"random"}, x,
                 scale, z});
  }
  return c;
}

std::int64_t quantize_fast_or_error(const Case& c, const Grid& grid, const Variant& v, bool* ok) {
  auto p = ref::QuantizeParams::for_dtype(grid.dtype, c.scale, c.zero_point, grid.narrow,
                                          v.rounding, v.division);
  try {
    p.validate();
  } catch (const ref::ParameterError&) {
    *ok = false;
    return 0;
  }
  *ok = true;
  return ref::quantize_fast(c.x, p);
}

// Candidates where the division variants may differ: x near fl32((k + 1/2) * S) for scales
// that are not powers of two, so fl(x/S) or fl(x*fl(1/S)) can land on or off a tie.
std::vector<Case> division_candidates(const Grid& grid) {
  const auto range = ref::dtype_range(grid.dtype, grid.narrow);
  const float scales[] = {0.1f, 0.3f, 0.7f, 1.0f / 3.0f, 0.017f, 3.1f, 1.0f / 127.5f,
                          6.0f / 255.0f, 0.0123f, 1.1f, 0.9f, 7.0f};
  std::vector<Case> out;
  const std::int64_t lo = std::max<std::int64_t>(range.min, -40);
  const std::int64_t hi = std::min<std::int64_t>(range.max, 40);
  for (float s : scales) {
    for (std::int64_t k = lo; k <= hi; ++k) {
     for (double offset : {0.5, 0.0}) {  // near ties and near integers
      const float tie = static_cast<float>((static_cast<double>(k) + offset) * static_cast<double>(s));
      float x = tie;
      for (int step = 0; step < 2; ++step) x = std::nextafter(x, -INFINITY);
      for (int step = 0; step < 5; ++step, x = std::nextafter(x, INFINITY)) {
        ref::Rational exact_q, div_q, rec_q;
        ref::quotient(x, s, Division::exact, &exact_q);
        const auto kd = ref::quotient(x, s, Division::f32_divide, &div_q);
        const auto kr = ref::quotient(x, s, Division::f32_reciprocal, &rec_q);
        if (kd != ref::QuotientKind::finite || kr != ref::QuotientKind::finite) continue;
        const auto is_tie = [](const ref::Rational& q) {
          return boost::multiprecision::denominator(q) == 2;
        };
        const bool created = is_tie(exact_q) != is_tie(div_q) || is_tie(exact_q) != is_tie(rec_q);
        bool differ = false;
        for (auto r : {Rounding::half_even, Rounding::floor, Rounding::toward_zero}) {
          differ = differ || ref::round_to_integer(exact_q, r) != ref::round_to_integer(div_q, r) ||
                   ref::round_to_integer(exact_q, r) != ref::round_to_integer(rec_q, r) ||
                   ref::round_to_integer(div_q, r) != ref::round_to_integer(rec_q, r);
        }
        if (!created && !differ) continue;
        std::vector<std::string> flags = {"distinguishes_variants"};
        if (created) flags.push_back("binary32_intermediate_tie");
        out.push_back({"x near (" + std::to_string(k) + " + 1/2) * S, S = " + hexf(s) +
                           ": exact x/S = " + ref::to_string(exact_q) +
                           ", fl(x/S) = " + ref::to_string(div_q) +
                           ", fl(x*fl(1/S)) = " + ref::to_string(rec_q),
                       flags, x, s, 0});
      }
     }
    }
  }
  return out;
}

// Adds, for every pair of variants not yet told apart by `chosen`, the first candidate on
// which they differ. Returns the pairs for which no candidate was found.
std::vector<std::string> add_distinguishing(const Grid& grid, const std::vector<Variant>& variants,
                                            std::vector<Case>& chosen,
                                            const std::vector<Case>& candidates) {
  auto outputs = [&](const Case& c) {
    std::vector<std::int64_t> out;
    for (const auto& v : variants) {
      bool ok = false;
      const auto q = quantize_fast_or_error(c, grid, v, &ok);
      out.push_back(ok ? q : std::numeric_limits<std::int64_t>::min());
    }
    return out;
  };
  const std::size_t n = variants.size();
  std::vector<std::vector<bool>> told(n, std::vector<bool>(n, false));
  auto mark = [&](const std::vector<std::int64_t>& out) {
    for (std::size_t a = 0; a < n; ++a)
      for (std::size_t b = a + 1; b < n; ++b)
        if (out[a] != out[b]) told[a][b] = true;
  };
  for (const auto& c : chosen) mark(outputs(c));
  for (const auto& c : candidates) {
    const auto out = outputs(c);
    bool useful = false;
    std::string pair;
    for (std::size_t a = 0; a < n && !useful; ++a)
      for (std::size_t b = a + 1; b < n && !useful; ++b)
        if (!told[a][b] && out[a] != out[b]) {
          useful = true;
          pair = variants[a].label() + " vs " + variants[b].label();
        }
    if (!useful) continue;
    mark(out);
    Case added = c;
    added.comment = "distinguishes " + pair + "; " + c.comment;
    chosen.push_back(added);
  }
  std::vector<std::string> untold;
  for (std::size_t a = 0; a < n; ++a)
    for (std::size_t b = a + 1; b < n; ++b)
      if (!told[a][b]) untold.push_back(variants[a].label() + " = " + variants[b].label());
  return untold;
}

std::vector<Case> invalid_cases() {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const float inf = std::numeric_limits<float>::infinity();
  return {
      {"scale = 0", {}, 1.0f, 0.0f, 0},
      {"scale = -0.0", {}, 1.0f, -0.0f, 0},
      {"negative scale", {}, 1.0f, -0.5f, 0},
      {"NaN scale", {}, 1.0f, nan, 0},
      {"infinite scale", {}, 1.0f, inf, 0},
      {"zero point above qmax", {}, 1.0f, 1.0f, 128},
      {"zero point below qmin", {}, 1.0f, 1.0f, -129},
  };
}

// SPEC Q11.9: the paths of TFLite's QUANTIZE (AffineQuantize), each group a path, the same
// finite inputs in every group of a grid (the paths' NaN / inf / huge-t results are not modelled).
const char* const kTflitePaths[] = {"reference", "neon_vcvtn", "neon_armv7", "scalar"};

ref::Integer tflite_path_quantize(const std::string& path, float x, const ref::QuantizeParams& grid) {
  ref::QuantizeParams p = grid;
  if (path == "neon_armv7") return ref::quantize_tflite_armv7_neon(x, p);
  if (path == "reference") {
    p.division = Division::f32_divide;
    p.rounding = Rounding::half_away;
  } else if (path == "neon_vcvtn") {
    p.division = Division::f32_reciprocal;
    p.rounding = Rounding::half_even;
  } else {
    p.division = Division::exact;
    p.rounding = Rounding::half_away;
  }
  return ref::quantize(x, p);
}

std::vector<Case> tflite_cases(DType dtype, std::uint64_t seed) {
  const auto range = ref::dtype_range(dtype, false);
  const std::int64_t z = dtype == DType::uint8 ? 128 : 0;
  std::vector<Case> c = {
      {"S = 0.5, x = 1.25: t = 2.5 everywhere; reference, scalar and 32-bit Arm 3, aarch64 "
       "vcvtn 2",
       {"tie_even_positive"}, 1.25f, 0.5f, z},
      {"S = 0.5, x = -1.25: t = -2.5; half away -3, ties to even -2", {"tie_even_negative"},
       -1.25f, 0.5f, z},
      {"S = 0.1f, x = 1.55f: fl32(x/S) = 15.4999990 (reference 15), fl32(x*fl32(1/S)) = 15.5 "
       "(vcvtn 16, 32-bit Arm 16), exact 15.4999999 (scalar 15)",
       {"binary32_intermediate_tie"}, 0x1.8cccccp+0f, 0x1.99999ap-4f, z},
      {"S = 0.1f, x = 0.75: exact 7.4999999 (scalar 7), fl32 quotients 7.5 (reference 8, vcvtn 8)",
       {"binary32_intermediate_tie"}, 0.75f, 0x1.99999ap-4f, z},
      {"S = 1, x = 0x1.fffffep-2 = 0.5 - 2^-25: 32-bit Arm fl32(t + 0.5) = 1, trunc 1; the "
       "others 0",
       {"tflite_armv7_rounds_up"}, 0x1.fffffep-2f, 1.0f, z},
      {"S = 1, x = -(0.5 - 2^-25): 32-bit Arm -1, the others 0", {"tflite_armv7_rounds_up"},
       -0x1.fffffep-2f, 1.0f, z},
      {"S = 0.5, x = 0x1.fffffep-3: t = 0.5 - 2^-25 after the reciprocal 2", {"tflite_armv7_rounds_up"},
       0x1.fffffep-3f, 0.5f, z},
      {"S = 1, x = 0.5 - 2^-24: t + 0.5 is a binary32, every path 0", {}, 0x1.fffffcp-2f, 1.0f, z},
      {"x/S far beyond the grid: every path clamps", {"clamp_high"}, 1e6f, 0.5f, z},
  };
  Rng rng(seed);
  for (int i = 0; i < 16; ++i) {
    const float scale = rng.log_uniform_float(-14, 3);
    const std::int64_t zp = rng.uniform(range.min, range.max);
    const std::int64_t span = (range.max - range.min + 8) * 8;
    const float x = static_cast<float>(static_cast<double>(scale) *
                                       (static_cast<double>(rng.uniform(-span, span)) / 8.0));
    c.push_back({"random, seed " + std::to_string(seed) + " #" + std::to_string(i), {"random"}, x,
                 scale, zp});
  }
  return c;
}

void add_tflite_groups(FileBuilder& file) {
  std::uint64_t seed = 0x54464c495445ULL;
  for (const DType dtype : {DType::int8, DType::uint8, DType::int16}) {
    const auto range = ref::dtype_range(dtype, false);
    const std::vector<Case> cases = tflite_cases(dtype, seed++);
    for (const char* path : kTflitePaths) {
      auto& group = file.group("TfliteQuantizeTest", Json{{"tflite_path", path}},
                               Json{{"dtype", ref::name(dtype)}, {"qmin", range.min}, {"qmax", range.max}});
      for (const auto& c : cases) {
        Json inputs = {{"x", encode(c.x)}, {"scale", encode(c.scale)},
                       {"zero_point", encode_int(c.zero_point)}};
        const auto p = ref::QuantizeParams::for_dtype(dtype, c.scale, c.zero_point);
        group.add_computed(c.comment, c.flags, inputs, [&]() {
          return Json{{"q", encode(tflite_path_quantize(path, c.x, p))}};
        });
      }
    }
  }
}

// SPEC Q20.2: PyTorch's float-qparams quantize (per_channel_affine_float_qparams): the 48
// values measured with torch 1.13 (S = 0.1f; Zf = 0, 2.5, -1.25, 100.3; reference test
// DeployedQuantize.PytorchFloatQparamsMatchTorch), the lrintf ties of u = fl32(x*inv) + Zf on
// power-of-two scales, the reciprocal overflow of a tiny scale, a uint4 grid, and random cases.
void add_pytorch_float_qparams_groups(FileBuilder& file) {
  struct FloatCase {
    std::string comment;
    std::vector<std::string> flags;
    float x, scale, zero_point;
  };
  std::vector<FloatCase> cases;
  const float measured_x[] = {0.75f, 0.35f, 1.55f, -0.25f, 0.05f, 1e30f, INFINITY, -INFINITY, NAN, 12.75f, -12.85f, 0.0f};
  for (const float zf : {0.0f, 2.5f, -1.25f, 100.3f}) {
    for (const float x : measured_x) {
      std::vector<std::string> flags = {"published_value"};
      if (std::isnan(x)) flags.push_back("nan_input");
      if (std::isinf(x)) flags.push_back("infinite_input");
      if (x == 1e30f) flags.push_back("quotient_beyond_int32");
      cases.push_back({"torch 1.13 measured: S = 0.1f, Zf = " + ref::hex_float(zf), flags, x, 0x1.99999ap-4f, zf});
    }
  }
  cases.push_back({"S = 1, Zf = 0, x = 2.5: lrintf ties to even, 2 (half away would give 3)", {"tie_even_positive"},
                   2.5f, 1.0f, 0.0f});
  cases.push_back({"S = 0.5, Zf = 1.5, x = 0.5: u = 1 + 1.5 = 2.5 -> 2", {"tie_even_positive"}, 0.5f, 0.5f, 1.5f});
  cases.push_back({"S = 0.25, Zf = 100, x = 0.875: u = 3.5 + 100 = 103.5 -> 104", {"tie_odd_positive"}, 0.875f, 0.25f,
                   100.0f});
  cases.push_back({"S = 2^-140: fl32(1/S) overflows; x * inf gives lrintf's LONG_MIN -> clamp(0)", {"subnormal_scale"},
                   1.0f, 0x1p-140f, 5.0f});
  cases.push_back({"S = 0 means inv_scale 1 (PyTorch's guard): x = 3.4, Zf = 0.5 -> 4", {}, 3.4f, 0.0f, 0.5f});
  cases.push_back({"S = -0.1 is rejected", {}, 1.0f, -0.1f, 0.0f});
  Rng rng(0x464c4f41545a50ULL);
  for (int i = 0; i < 24; ++i) {
    // u = x/S + Zf in about [-2, 360]: mostly inside the uint8 grid, some past either end.
    const float scale = rng.log_uniform_float(-10, 0);
    const float zf = static_cast<float>(static_cast<double>(rng.uniform(0, 1600)) / 16.0);
    const float x = static_cast<float>(static_cast<double>(scale) * static_cast<double>(rng.uniform(-16, 2100)) / 8.0);
    cases.push_back({"random #" + std::to_string(i), {"random"}, x, scale, zf});
  }
  for (const DType dtype : {DType::uint8, DType::uint4}) {
    const auto range = ref::dtype_range(dtype, false);
    auto& group = file.group("PytorchFloatQparamsTest", Json{{"quantize_member", "pytorch_float_qparams"}},
                             Json{{"dtype", ref::name(dtype)}, {"qmin", range.min}, {"qmax", range.max}});
    for (const auto& c : cases) {
      // The torch measurements are of uint8 outputs; on uint4 the same inputs are computed.
      std::vector<std::string> flags = c.flags;
      if (dtype != DType::uint8) flags.erase(std::remove(flags.begin(), flags.end(), "published_value"), flags.end());
      std::string comment = c.comment;
      if (dtype != DType::uint8 && comment.rfind("torch 1.13 measured", 0) == 0) {
        comment = "the torch-measured inputs (uint8) on the uint4 grid: S = 0.1f, Zf = " + ref::hex_float(c.zero_point);
      }
      group.add_computed(comment, flags,
                         Json{{"x", encode(c.x)}, {"scale", encode(c.scale)}, {"float_zero_point", encode(c.zero_point)}},
                         [&]() {
                           return Json{{"q", encode(ref::quantize_pytorch_float_qparams(c.x, c.scale, c.zero_point,
                                                                                       range.min, range.max))}};
                         });
    }
  }
}

}  // namespace

Json quantize_family() {
  FileBuilder file("quantize", "Q2",
                   {"q = clamp(R(t) + Z, qmin, qmax), t = x/S per division variant "
                    "(exact, f32_divide = fl32(x/S), f32_reciprocal = fl32(x*fl32(1/S))), R the "
                    "rounding rule. Round first, then add Z.",
                    "Each group's variant names (division, rounding); every variant's groups "
                    "hold the same inputs, so `vectors identify` can tell them apart.",
                    "Operands: params (dtype, narrow_range, qmin, qmax) and inputs (x, scale, "
                    "zero_point); output q.",
                    "TfliteQuantizeTest (SPEC Q11.9, appended): TFLite's QUANTIZE paths, variant "
                    "tflite_path: reference (f32_divide, half_away), neon_vcvtn (aarch64 and x86 "
                    "SSE4.1 vector body: f32_reciprocal, half_even), neon_armv7 (32-bit Arm body: "
                    "trunc(fl32(t +- 0.5)) of t = fl32(x*fl32(1/S))), scalar (the scalar loop: "
                    "exact, half_away); params dtype, qmin, qmax; finite inputs only.",
                    "NarrowDivideQuantizeTest (SPEC Q11.12, ONNX QuantizeLinear >= 21, "
                    "appended): variant division f16_divide / bf16_divide (u = fl_P(x), s = "
                    "fl_P(S), t = fl_P(u/s) in binary16 / bfloat16) with rounding half_even, and "
                    "the binary32 division its implementations run (f32_divide with half_even or "
                    "toward_zero); params dtype, qmin, qmax and operand_format (binary16, "
                    "bfloat16, binary32: every x and scale of the group is a value of it).",
                    "PytorchFloatQparamsTest (SPEC Q20.2, PyTorch's per_channel_affine_float_qparams, "
                    "appended): inputs x, scale, float_zero_point (binary32, not an integer in "
                    "general); inv = fl32(1/S) (S = 0: 1), u = fl32(fl32(x*inv) + Zf), q = clamp(lrintf(u)) "
                    "with lrintf's LONG_MIN (NaN, inf, beyond long) kept as 0; params dtype, qmin, qmax."});
  const std::vector<Grid> grids = {{DType::int8, false},  {DType::uint8, false},
                                   {DType::int8, true},   {DType::int4, false},
                                   {DType::uint4, false}, {DType::int16, false},
                                   {DType::uint16, false}};
  const auto variants = all_variants();
  Json untold_all = Json::array();
  std::uint64_t seed = 0x5155414e54495aULL;
  for (const auto& grid : grids) {
    std::vector<Case> cases = catalogue_cases(grid);
    for (auto& c : offset_pair_cases(grid)) cases.push_back(c);
    const bool main_grid = grid.dtype == DType::int8 && !grid.narrow;
    for (auto& c : random_cases(grid, seed++, main_grid ? 40 : 12)) cases.push_back(c);
    const auto untold = add_distinguishing(grid, variants, cases, division_candidates(grid));
    for (const auto& u : untold) {
      untold_all.push_back(std::string(ref::name(grid.dtype)) + (grid.narrow ? " narrow" : "") +
                           ": " + u);
    }
    if (main_grid) {
      for (auto& c : invalid_cases()) cases.push_back(c);
    }
    const auto range = ref::dtype_range(grid.dtype, grid.narrow);
    for (const auto& v : variants) {
      Json variant = {{"division", ref::name(v.division)}, {"rounding", ref::name(v.rounding)}};
      Json params = {{"dtype", ref::name(grid.dtype)},
                     {"narrow_range", grid.narrow},
                     {"qmin", range.min},
                     {"qmax", range.max}};
      if (grid.narrow) {
        // The flag belongs to every test of a narrow-range group.
      }
      auto& group = file.group("QuantizeTest", variant, params);
      for (const auto& c : cases) {
        Json inputs = {{"x", encode(c.x)}, {"scale", encode(c.scale)},
                       {"zero_point", encode_int(c.zero_point)}};
        std::vector<std::string> flags = c.flags;
        if (grid.narrow && std::find(flags.begin(), flags.end(), "narrow_range") == flags.end()) {
          flags.push_back("narrow_range");
        }
        const auto p = ref::QuantizeParams::for_dtype(grid.dtype, c.scale, c.zero_point,
                                                      grid.narrow, v.rounding, v.division);
        // This group's division overflows to +-inf on a finite x (f32_reciprocal with a tiny
        // scale): the result is decided by the edge policy (Q10), like an infinite input.
        try {
          const auto trace = ref::quantize_traced(c.x, p);
          if (std::isfinite(c.x) && (trace.quotient_kind == ref::QuotientKind::positive_infinity ||
                                     trace.quotient_kind == ref::QuotientKind::negative_infinity)) {
            flags.push_back("infinite_quotient");
          }
        } catch (const ref::ParameterError&) {
        }
        group.add_computed(c.comment, flags, inputs, [&]() {
          const auto trace = ref::quantize_traced(c.x, p);
          return Json{{"q", encode(trace.q)}};
        });
      }
    }
  }
  add_tflite_groups(file);
  add_narrow_divide_quantize_groups(file, untold_all);  // Q11.12, appended
  add_pytorch_float_qparams_groups(file);               // Q20.2 PyTorch float qparams, appended
  file.set("indistinguishable", untold_all);
  return file.finish();
}

}  // namespace quantspec::vectors::detail
