// SPEC Q11.12 vectors (appended to quantize.json): ONNX QuantizeLinear (opset >= 21) with the
// division in binary16 (f16_divide) or bfloat16 (bf16_divide), beside the binary32 division
// its implementations use instead (Q11.12 "What the implementations do"): f32_divide +
// half_even (the ONNX reference's numpy promotion, ONNX Runtime's blocked paths) and f32_divide
// + toward_zero (ONNX Runtime's per-tensor / per-axis float16 kernel as read at 5f0515bb, a
// static_cast; release 1.32.0 measured f32_divide + half_even, SPEC Q11.12). One group
// per member x grid x operand format (binary16, bfloat16, binary32: every x and S of the group is
// a value of that format, so a float16 or bfloat16 backend can run its own groups). Every
// expected value, and every output the separating search compares, is the reference's
// (quantize_narrow_divide, quantize).
#include <algorithm>
#include <cmath>
#include <limits>

#include "builder.hpp"
#include "quantspec/reference/deployed_quantize.hpp"
#include "quantspec/reference/quantize.hpp"

namespace quantspec::vectors::detail {
namespace {

using ref::Division;
using ref::DType;
using ref::NarrowFormat;
using ref::Rational;
using ref::Rounding;

struct Member {
  std::string division;  // f16_divide, bf16_divide, f32_divide
  Rounding rounding;
  std::string label() const { return division + "/" + std::string(ref::name(rounding)); }
};

const std::vector<Member>& members() {
  static const std::vector<Member> all = {{"f16_divide", Rounding::half_even},
                                          {"bf16_divide", Rounding::half_even},
                                          {"f32_divide", Rounding::half_even},
                                          {"f32_divide", Rounding::toward_zero}};
  return all;
}

enum class Operands { binary16, bfloat16, binary32 };

const char* name(Operands f) {
  switch (f) {
    case Operands::binary16: return "binary16";
    case Operands::bfloat16: return "bfloat16";
    case Operands::binary32: return "binary32";
  }
  return "?";
}

float round_to(Operands f, const Rational& v) {
  switch (f) {
    case Operands::binary16: return ref::round_to_binary16(v);
    case Operands::bfloat16: return ref::round_to_bfloat16(v);
    case Operands::binary32: return ref::round_to_binary32(v);
  }
  return 0;
}

// The value j quanta of the format away from the finite x (quantum of x's binade; the
// format's subnormal quantum at the bottom), rounded to the format.
float step(Operands f, float x, int j) {
  const int precision = f == Operands::binary16 ? 11 : f == Operands::bfloat16 ? 8 : 24;
  const int min_quantum = f == Operands::binary16 ? -24 : f == Operands::bfloat16 ? -133 : -149;
  int e = 0;
  std::frexp(x, &e);
  const int q = std::max(e - precision, min_quantum);
  return round_to(f, ref::exact(x) + Rational(j) * ref::pow2(q));
}

struct Case {
  std::string comment;
  std::vector<std::string> flags;
  float x;
  float scale;
  std::int64_t zero_point;
};

struct Grid {
  DType dtype;
};

// The reference's output of one member; rejected parameters give a value no output takes.
ref::Integer output(const Case& c, const Grid& g, const Member& m) {
  auto p = ref::QuantizeParams::for_dtype(g.dtype, c.scale, c.zero_point, false, m.rounding,
                                          Division::f32_divide);
  try {
    if (m.division == "f32_divide") return ref::quantize(c.x, p);
    return ref::quantize_narrow_divide(c.x, p, ref::parse_narrow_format(m.division));
  } catch (const ref::ParameterError&) {
    return ref::Integer(1) << 64;
  }
}

std::vector<ref::Integer> outputs(const Case& c, const Grid& g) {
  std::vector<ref::Integer> out;
  for (const auto& m : members()) out.push_back(output(c, g, m));
  return out;
}

std::string hexf(float v) { return ref::hex_float(v); }

// Normal scales (decimal, as a model states them), rounded to the operand format.
const Rational kScales[] = {Rational(1, 10), Rational(1, 50),  Rational(1, 255), Rational(1, 20),
                            Rational(2, 255), Rational(1, 5),  Rational(1, 254), Rational(3, 1000)};

std::vector<std::int64_t> zero_points(DType d) {
  switch (d) {
    case DType::uint8: return {128, 0, 3};
    case DType::int16: return {0, -100};
    default: return {0, -3, 10};
  }
}

std::vector<Case> hand_cases(const Grid& g, Operands f) {
  const auto range = ref::dtype_range(g.dtype, false);
  const std::int64_t z = g.dtype == DType::uint8 ? 128 : 0;
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const float inf = std::numeric_limits<float>::infinity();
  std::vector<Case> c;
  switch (f) {
    case Operands::binary16:
      c.push_back({"SPEC Q11.12: x = 0.25, S = fl16(0.1) = 0x1.998p-4: x/S = 2.5006..., fl16 2.5 "
                   "-> 2 (+ Z); the binary32 quotient gives 3",
                   {"narrow_division_differs"}, 0.25f, ref::round_to_binary16(Rational(1, 10)), z});
      c.push_back({"SPEC Q11.12: x = 1000, S = fl16(0.001) = 0x1.064p-10: the binary16 quotient "
                   "overflows to +inf -> qmax",
                   {"narrow_overflow", "clamp_high"}, 1000.0f,
                   ref::round_to_binary16(Rational(1, 1000)), z});
      c.push_back({"S = 2^-20 (a binary16 subnormal) is valid; x = 2^-18: 4", {"subnormal_scale"},
                   0x1p-18f, 0x1p-20f, z});
      c.push_back({"x = 65504 (the largest binary16), S = 0.5: the binary16 quotient overflows",
                   {"narrow_overflow", "clamp_high"}, 65504.0f, 0.5f, z});
      break;
    case Operands::bfloat16:
      c.push_back({"SPEC Q11.12: x = 0.75, S = bf16(0.1) = 0x1.9ap-4: x/S = 7.4927..., bf16 7.5 "
                   "-> 8 (+ Z); binary32 7",
                   {"narrow_division_differs"}, 0.75f, ref::round_to_bfloat16(Rational(1, 10)), z});
      c.push_back({"S = 2^-30: fl16(S) = 0, rejected (scale) by f16_divide only",
                   {"narrow_operand_rounding"}, 0x1p-40f, 0x1p-30f, z});
      c.push_back({"x = 2^20, S = 2^10: fl16(x) = +inf -> qmax under f16_divide; 1024 -> qmax "
                   "for every grid here but int16",
                   {"narrow_overflow", "clamp_high"}, 0x1p20f, 0x1p10f, z});
      break;
    case Operands::binary32:
      c.push_back({"SPEC Q11.12: precision float16 casts x = 1.55f, S = 0.1f first: 16, where "
                   "f32_divide gives 15",
                   {"narrow_operand_rounding", "narrow_division_differs"}, 0x1.8cccccp+0f,
                   0x1.99999ap-4f, z});
      c.push_back({"x = 1e5, S = 1000: fl16(x) = +inf -> qmax under f16_divide; 100 otherwise",
                   {"narrow_overflow", "narrow_division_differs"}, 100000.0f, 1000.0f, 0});
      c.push_back({"S = 1e-9: fl16(S) = 0, rejected (scale) by f16_divide only",
                   {"narrow_operand_rounding"}, 1e-9f, 1e-9f, z});
      break;
  }
  c.push_back({"NaN -> Z (SPEC CHOICE)", {"nan_input"}, nan, round_to(f, Rational(1, 10)), z});
  c.push_back({"+inf -> qmax", {"infinite_input", "clamp_high"}, inf, round_to(f, Rational(1, 10)), z});
  c.push_back({"-inf -> qmin", {"infinite_input", "clamp_low"}, -inf, round_to(f, Rational(1, 10)), z});
  c.push_back({"-0.0 -> Z", {"negative_zero"}, -0.0f, round_to(f, Rational(1, 50)), z});
  c.push_back({"x/S = 2.5 exactly (S = 0.25): ties to even 2; toward_zero 2", {"tie_even_positive"},
               0.625f, 0.25f, z});
  c.push_back({"x/S = -3.5 exactly (S = 0.25): ties to even -4; toward_zero -3",
               {"tie_odd_negative"}, -0.875f, 0.25f, z});
  c.push_back({"scale = 0 is rejected", {}, 1.0f, 0.0f, z});
  c.push_back({"negative scale is rejected", {}, 1.0f, -0.5f, z});
  c.push_back({"NaN scale is rejected", {}, 1.0f, nan, z});
  c.push_back({"infinite scale is rejected", {}, 1.0f, inf, z});
  c.push_back({"zero point above qmax is rejected", {}, 1.0f, 0.5f, range.max + 1});
  return c;
}

constexpr int kPerPair = 3;

std::vector<std::string> separation_flags(const std::vector<ref::Integer>& out) {
  std::vector<std::string> flags = {"distinguishes_variants"};
  // out[0], out[1]: the narrow members; out[2]: f32_divide/half_even.
  if (out[0] != out[2] || out[1] != out[2]) flags.push_back("narrow_division_differs");
  return flags;
}

// For each normal scale and zero point: x near (k + 1/2) * S and near k * S for quotients k of
// the grid, in the operand format, and their neighbours; keeps the first candidates that
// separate a pair of members separated fewer than kPerPair times.
std::vector<std::string> add_separating(const Grid& g, Operands f, std::vector<Case>& chosen,
                                        std::uint64_t seed) {
  const auto range = ref::dtype_range(g.dtype, false);
  const auto& ms = members();
  const std::size_t n = ms.size();
  std::vector<std::vector<int>> told(n, std::vector<int>(n, 0));
  auto all_told = [&]() {
    for (std::size_t a = 0; a < n; ++a)
      for (std::size_t c = a + 1; c < n; ++c)
        if (told[a][c] < kPerPair) return false;
    return true;
  };
  Rng rng(seed);
  const auto zps = zero_points(g.dtype);
  std::size_t zi = 0;
  for (const Rational& decimal : kScales) {
    if (all_told()) break;
    const float s = round_to(f, decimal);
    const std::int64_t z = zps[zi++ % zps.size()];
    std::vector<std::int64_t> ks;
    if (g.dtype == DType::int16) {
      for (int i = 0; i < 60; ++i) ks.push_back(rng.uniform(range.min, range.max) - z);
    } else {
      for (std::int64_t k = range.min - z - 1; k <= range.max - z; ++k) ks.push_back(k);
    }
    for (const std::int64_t k : ks) {
      if (all_told()) break;
      for (const Rational offset : {Rational(1, 2), Rational(0)}) {
        const float centre = round_to(f, (Rational(k) + offset) * ref::exact(s));
        if (!std::isfinite(centre) || std::fabs(centre) > 65504.0f) continue;
        for (const int j : {0, -1, 1, -2, 2}) {
          const float x = step(f, centre, j);
          Case c{"", {}, x, s, z};
          const auto out = outputs(c, g);
          std::string pair;
          for (std::size_t a = 0; a < n && pair.empty(); ++a)
            for (std::size_t e = a + 1; e < n && pair.empty(); ++e)
              if (told[a][e] < kPerPair && out[a] != out[e]) pair = ms[a].label() + " vs " + ms[e].label();
          if (pair.empty()) continue;
          for (std::size_t a = 0; a < n; ++a)
            for (std::size_t e = a + 1; e < n; ++e)
              if (out[a] != out[e]) told[a][e]++;
          std::string values;
          for (std::size_t a = 0; a < n; ++a) values += (a ? ", " : "") + ms[a].label() + " " + out[a].str();
          c.comment = "distinguishes " + pair + "; S = " + hexf(s) + ", x near (" +
                      std::to_string(k) + (offset == 0 ? "" : " + 1/2") + ") * S (" + values + ")";
          c.flags = separation_flags(out);
          chosen.push_back(c);
        }
      }
    }
  }
  std::vector<std::string> untold;
  for (std::size_t a = 0; a < n; ++a)
    for (std::size_t c = a + 1; c < n; ++c)
      if (told[a][c] == 0) untold.push_back(ms[a].label() + " = " + ms[c].label());
  return untold;
}

std::vector<Case> random_cases(const Grid& g, Operands f, std::uint64_t seed, int count) {
  const auto range = ref::dtype_range(g.dtype, false);
  const auto zps = zero_points(g.dtype);
  Rng rng(seed);
  std::vector<Case> out;
  for (int i = 0; i < count; ++i) {
    const float s = round_to(f, kScales[rng.uniform(0, 7)]);
    const std::int64_t z = zps[static_cast<std::size_t>(rng.uniform(0, static_cast<std::int64_t>(zps.size()) - 1))];
    // x/S in [qmin - Z - 4, qmax - Z + 4], in 1/64 steps, rounded to the operand format.
    const std::int64_t lo = (range.min - z - 4) * 64, hi = (range.max - z + 4) * 64;
    const float x = round_to(f, Rational(rng.uniform(lo, hi), 64) * ref::exact(s));
    out.push_back({"random #" + std::to_string(i), {"random"}, x, s, z});
  }
  return out;
}

}  // namespace

void add_narrow_divide_quantize_groups(FileBuilder& file, Json& indistinguishable) {
  std::uint64_t seed = 0x4F4E4E5846ULL;  // "ONNXF"
  for (const DType dtype : {DType::int8, DType::uint8, DType::int16}) {
    const Grid g{dtype};
    const auto range = ref::dtype_range(dtype, false);
    for (const Operands f : {Operands::binary16, Operands::bfloat16, Operands::binary32}) {
      std::vector<Case> cases = hand_cases(g, f);
      for (auto& c : random_cases(g, f, seed++, 8)) cases.push_back(c);
      for (const auto& u : add_separating(g, f, cases, seed++)) {
        indistinguishable.push_back("NarrowDivideQuantizeTest " + std::string(ref::name(dtype)) +
                                    " " + name(f) + ": " + u);
      }
      for (const auto& m : members()) {
        auto& group = file.group("NarrowDivideQuantizeTest",
                                 Json{{"division", m.division}, {"rounding", ref::name(m.rounding)}},
                                 Json{{"dtype", ref::name(dtype)}, {"qmin", range.min},
                                      {"qmax", range.max}, {"operand_format", name(f)}});
        for (const auto& c : cases) {
          Json inputs = {{"x", encode(c.x)}, {"scale", encode(c.scale)},
                         {"zero_point", encode_int(c.zero_point)}};
          auto p = ref::QuantizeParams::for_dtype(dtype, c.scale, c.zero_point, false, m.rounding,
                                                  Division::f32_divide);
          group.add_computed(c.comment, c.flags, inputs, [&]() {
            const ref::Integer q =
                m.division == "f32_divide"
                    ? ref::quantize(c.x, p)
                    : ref::quantize_narrow_divide(c.x, p, ref::parse_narrow_format(m.division));
            return Json{{"q", encode(q)}};
          });
        }
      }
    }
  }
}

}  // namespace quantspec::vectors::detail
