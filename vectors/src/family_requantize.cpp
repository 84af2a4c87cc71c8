// Q7 requantization vectors. Five kinds of groups:
//   RequantizeQ31Test       : (multiplier, shift) given, variants double_round, single_round,
//                             rndnu, rndna (same inputs in each);
//   RequantizeTosaTest      : TOSA (multiplier, shift) given, tosa_single, tosa_double,
//                             tosa_scale16;
//   RequantizeIdealTest     : exact rational M, every rounding rule and zero-point entry;
//   RequantizeFp32Test      : binary32 scale, both zero-point entries;
//   RequantizeFromScalesTest: binary32 scales (Sx, Sw, Sy) as a deployed layer holds them;
//                             each pipeline derives its own parameters (Q7.8), so every
//                             pipeline can be identified from the same inputs;
// plus the fixed-point primitives SRDHM and RoundingDivideByPOT on their edge cases.
// Inputs that tell variants apart are found by searching with the reference's fast path.
#include <cmath>
#include <functional>
#include <limits>
#include <map>
#include <optional>
#include <set>

#include "builder.hpp"
#include "quantspec/reference/fixed_point_primitives.hpp"
#include "quantspec/reference/requantize.hpp"

namespace quantspec::vectors::detail {
namespace {

using ref::Derivation;
using ref::Integer;
using ref::Rational;
using ref::RequantizeParams;
using ref::RequantVariant;
using ref::Rounding;
using ref::ZeroPointEntry;

constexpr std::int64_t kInt32Min = std::numeric_limits<std::int32_t>::min();
constexpr std::int64_t kInt32Max = std::numeric_limits<std::int32_t>::max();

struct Case {
  std::string comment;
  std::vector<std::string> flags;
  Integer acc;
  std::int32_t zero_point = 0;
  // Parameter-kind specific operands (only the ones the group reads are used).
  std::int32_t multiplier = 0;
  int shift = 0;
  Rational real_multiplier = 0;
  float scale = 0.0f;
  float sx = 0.0f, sw = 0.0f, sy = 0.0f;
};

struct Bounds {
  std::int32_t qmin;
  std::int32_t qmax;
  std::string name;
};

Json bounds_params(const Bounds& b) { return Json{{"qmin", b.qmin}, {"qmax", b.qmax}}; }

// Computes the expected output of one case under `params` (acc, zero point and bounds set);
// a ParameterError makes the test invalid.
void add_case(GroupBuilder& group, const Case& c, Json inputs, RequantizeParams params,
              const Bounds& bounds) {
  params.zero_point = c.zero_point;
  params.qmin = bounds.qmin;
  params.qmax = bounds.qmax;
  std::vector<std::string> flags = c.flags;
  Json details = nullptr;
  try {
    ref::RequantizeTrace trace;
    ref::requantize(c.acc, params, &trace);
    auto add_flag = [&](const char* f) {
      if (std::find(flags.begin(), flags.end(), f) == flags.end()) flags.push_back(f);
    };
    if (trace.left_shift_saturated) add_flag("left_shift_saturation");
    if (trace.result_saturated) add_flag("result_saturates_int32");
    if (trace.clamped) add_flag(trace.with_zero_point < bounds.qmin ? "clamp_low" : "clamp_high");
    if (bounds.qmin == bounds.qmax) add_flag("single_point_range");
    details = Json{{"scaled", encode(trace.scaled)}};
  } catch (const ref::ParameterError&) {
  }
  group.add_computed(c.comment, flags, std::move(inputs),
                     [&]() { return Json{{"q", encode(ref::requantize(c.acc, params))}}; }, details);
}

// --- fixed (multiplier, shift) groups -------------------------------------------------------

// First candidate telling each pair of `variants` apart, evaluated with the fast path.
std::vector<Case> distinguishing(const std::vector<RequantizeParams>& variants,
                                 const std::vector<std::string>& labels,
                                 const std::vector<Case>& fixed,
                                 const std::vector<Case>& candidates,
                                 const std::function<void(RequantizeParams&, const Case&)>& set,
                                 std::vector<std::string>* untold) {
  const std::size_t n = variants.size();
  std::vector<std::vector<bool>> told(n, std::vector<bool>(n, false));
  std::vector<Case> chosen;
  std::vector<Case> all = fixed;
  all.insert(all.end(), candidates.begin(), candidates.end());
  for (std::size_t index = 0; index < all.size(); ++index) {
    const Case& c = all[index];
    const bool is_fixed = index < fixed.size();
    if (c.acc < kInt32Min || c.acc > kInt32Max) continue;
    std::vector<std::optional<std::int64_t>> out(n);
    for (std::size_t v = 0; v < n; ++v) {
      RequantizeParams p = variants[v];
      set(p, c);
      try {
        out[v] = ref::FastRequantizer(p)(c.acc.convert_to<std::int32_t>());
      } catch (const ref::ParameterError&) {
        out[v] = std::nullopt;
      }
    }
    std::string pair;
    for (std::size_t a = 0; a < n; ++a) {
      for (std::size_t b = a + 1; b < n; ++b) {
        if (!told[a][b] && out[a] != out[b]) {
          told[a][b] = true;
          if (pair.empty()) pair = labels[a] + " vs " + labels[b];
        }
      }
    }
    if (pair.empty() || is_fixed) continue;
    Case added = c;
    added.comment = "distinguishes " + pair + "; " + c.comment;
    added.flags.push_back("distinguishes_variants");
    chosen.push_back(added);
  }
  for (std::size_t a = 0; a < n; ++a)
    for (std::size_t b = a + 1; b < n; ++b)
      if (!told[a][b] && untold) untold->push_back(labels[a] + " = " + labels[b]);
  return chosen;
}

// Accumulators near ties of acc * M for a multiplier M = m * 2^e: acc ~ (k + 1/2) / M.
Integer near_tie_acc(Rng& rng, const Rational& m) {
  const std::int64_t k = rng.uniform(-200, 200);
  const Rational target = (Rational(2 * k + 1, 2)) / m;
  Integer acc = ref::round_to_integer(target, Rounding::floor) + rng.uniform(-1, 1);
  if (acc > kInt32Max) acc = kInt32Max;
  if (acc < kInt32Min) acc = kInt32Min;
  return acc;
}

void q31_groups(FileBuilder& file, Json& untold_all) {
  const std::vector<RequantVariant> variants = {RequantVariant::double_round,
                                                RequantVariant::single_round,
                                                RequantVariant::rndnu, RequantVariant::rndna};
  const std::int32_t half = 1 << 30;  // M = 0.5 at shift 0
  std::vector<Case> cases;
  auto add = [&](std::string comment, std::vector<std::string> flags, Integer acc,
                 std::int32_t multiplier, int shift, std::int32_t z) {
    Case c;
    c.comment = std::move(comment);
    c.flags = std::move(flags);
    c.acc = acc;
    c.multiplier = multiplier;
    c.shift = shift;
    c.zero_point = z;
    cases.push_back(c);
  };
  add("acc*M = 2.5 (M = 0.5)", {"tie_even_positive", "rdbpot_exponent_0"}, 5, half, 0, 0);
  add("acc*M = 3.5", {"tie_odd_positive"}, 7, half, 0, 0);
  add("acc*M = -2.5", {"tie_even_negative"}, -5, half, 0, 0);
  add("acc*M = -3.5", {"tie_odd_negative"}, -7, half, 0, 0);
  add("acc*M = 0.25 * 3 = 0.75 at M = 0.25: double rounding rounds 1.5 then 0.75",
      {}, 3, half, -1, 0);
  add("acc*M = 1/4 at M = 0.25: SRDHM gives 0.5 -> 1, then RDBPOT(1, 1) -> 1; single "
      "rounding gives 0", {}, 1, half, -1, 0);
  add("acc*M just above 2.5 (M = 0.5 + 2^-31)", {"ulp_above_tie"}, 5, half + 1, 0, 0);
  add("acc*M just below 2.5 (M = 0.5 - 2^-31)", {"ulp_below_tie"}, 5, half - 1, 0, 0);
  add("M = 16 (shift 5), acc = 2^28: acc << 5 leaves int32 and saturates (SPEC CHOICE)",
      {"left_shift_saturation"}, Integer(1) << 28, half, 5, 0);
  add("M = 16, acc = -2^28: negative saturation", {"left_shift_saturation"},
      -(Integer(1) << 28), half, 5, 0);
  add("shift = -31: RoundingDivideByPOT exponent 31, acc = INT32_MIN", {"rdbpot_exponent_31"},
      kInt32Min, kInt32Max, -31, 0);
  add("shift = -31: RoundingDivideByPOT exponent 31, acc = INT32_MAX", {"rdbpot_exponent_31"},
      kInt32Max, kInt32Max, -31, 0);
  add("y = 120, Zy = 100: 220 leaves int8 before the clamp", {"zero_point_add_overflows_int8"},
      240, half, 0, 100);
  add("y = -120, Zy = -100: -220 leaves int8 before the clamp",
      {"zero_point_add_overflows_int8"}, -240, half, 0, -100);
  add("Zy = qmin", {"zero_point_at_qmin"}, -7, half, 0, -128);
  add("Zy = qmax", {"zero_point_at_qmax"}, 7, half, 0, 127);
  add("acc = INT32_MIN, multiplier 1e-5 (tflite derivation: 1407374884, shift -16). Value -21475 "
      "for double rounding is listed as TFLite's MultiplyByQuantizedMultiplier result in issue 2",
      {"published_value"}, kInt32Min, 1407374884, -16, 0);
  add("shift above 30 is rejected", {}, 1, half, 31, 0);
  add("shift below -31 is rejected", {}, 1, half, -32, 0);
  add("negative multiplier is rejected", {}, 1, -1, 0, 0);
  add("acc beyond int32 is rejected for int32 pipelines", {}, Integer(1) << 31, half, 0, 0);
  add("zero point outside [qmin, qmax] is rejected", {}, 1, half, 0, 128);

  // Search candidates and random cases.
  Rng rng(0x51370000);
  std::vector<Case> candidates;
  for (int i = 0; i < 4000; ++i) {
    Case c;
    c.multiplier = static_cast<std::int32_t>(rng.uniform(half, kInt32Max));
    c.shift = static_cast<int>(rng.uniform(-12, 2));
    if (i % 10 == 0) c.shift = static_cast<int>(rng.uniform(-31, 30));
    const Rational m = Rational(Integer(c.multiplier)) * ref::pow2(c.shift - 31);
    c.acc = i % 2 ? near_tie_acc(rng, m) : Integer(rng.uniform(-(1LL << 20), 1LL << 20));
    c.zero_point = static_cast<std::int32_t>(rng.uniform(-128, 127));
    c.comment = "search #" + std::to_string(i) + ": multiplier " + std::to_string(c.multiplier) +
                ", shift " + std::to_string(c.shift);
    candidates.push_back(c);
  }
  std::vector<RequantizeParams> base;
  std::vector<std::string> labels;
  for (auto v : variants) {
    RequantizeParams p;
    p.variant = v;
    p.qmin = -128;
    p.qmax = 127;
    base.push_back(p);
    labels.push_back(std::string(ref::name(v)));
  }
  std::vector<std::string> untold;
  for (auto& c : distinguishing(base, labels, cases, candidates,
                                [](RequantizeParams& p, const Case& c) {
                                  p.multiplier = c.multiplier;
                                  p.shift = c.shift;
                                  p.zero_point = c.zero_point;
                                },
                                &untold)) {
    cases.push_back(c);
  }
  for (const auto& u : untold) {
    untold_all.push_back("RequantizeQ31Test (same multiplier and shift): " + u +
                         " (rndnu is single_round's arithmetic; it differs only in how the "
                         "multiplier is derived: see RequantizeFromScalesTest)");
  }
  for (int i = 0; i < 16; ++i) {
    Case c = candidates[3000 + i];
    c.comment = "random #" + std::to_string(i) + ": multiplier " + std::to_string(c.multiplier) +
                ", shift " + std::to_string(c.shift);
    c.flags = {"random"};
    cases.push_back(c);
  }

  const std::vector<Bounds> bounds = {{-128, 127, "int8"}, {static_cast<std::int32_t>(kInt32Min),
                                                            static_cast<std::int32_t>(kInt32Max),
                                                            "int32 (raw y)"}};
  for (const auto& b : bounds) {
    for (auto v : variants) {
      auto& group = file.group("RequantizeQ31Test", Json{{"variant", ref::name(v)}}, bounds_params(b));
      for (const auto& c : cases) {
        RequantizeParams p;
        p.variant = v;
        p.multiplier = c.multiplier;
        p.shift = c.shift;
        add_case(group, c,
                 Json{{"acc", encode(c.acc)}, {"multiplier", c.multiplier}, {"shift", c.shift},
                      {"zero_point", c.zero_point}},
                 p, b);
      }
    }
  }
  // qmin = qmax: every output is that point.
  const Bounds point{5, 5, "single point"};
  for (auto v : variants) {
    auto& group = file.group("RequantizeQ31Test", Json{{"variant", ref::name(v)}}, bounds_params(point));
    for (Integer acc : {Integer(-1000), Integer(0), Integer(1000)}) {
      Case c;
      c.comment = "qmin = qmax = 5, acc = " + acc.str();
      c.acc = acc;
      c.multiplier = half;
      c.shift = 0;
      c.zero_point = 5;
      RequantizeParams p;
      p.variant = v;
      p.multiplier = half;
      p.shift = 0;
      add_case(group, c,
               Json{{"acc", encode(c.acc)}, {"multiplier", c.multiplier}, {"shift", c.shift},
                    {"zero_point", c.zero_point}},
               p, point);
    }
  }
}

void tosa_groups(FileBuilder& file, Json& untold_all) {
  const std::vector<RequantVariant> variants = {
      RequantVariant::tosa_single, RequantVariant::tosa_double, RequantVariant::tosa_scale16};
  std::vector<Case> cases;
  auto add = [&](std::string comment, std::vector<std::string> flags, Integer acc,
                 std::int32_t multiplier, int shift, std::int32_t z) {
    Case c;
    c.comment = std::move(comment);
    c.flags = std::move(flags);
    c.acc = acc;
    c.multiplier = multiplier;
    c.shift = shift;
    c.zero_point = z;
    cases.push_back(c);
  };
  add("acc*M = 2.5 (multiplier 16384, shift 15)", {"tie_even_positive"}, 5, 16384, 15, 0);
  add("acc*M = -3.5", {"tie_odd_negative"}, -7, 16384, 15, 0);
  add("shift 40 > 31: tosa_double adds +-2^30 to the rounding term", {}, 1000000, 1 << 30, 40, 0);
  add("shift 62 (largest), acc = 2^40", {}, Integer(1) << 40, 32767, 62, 0);
  add("shift 2 (smallest), acc = 1", {}, 1, 3, 2, 0);
  add("acc = 2^31 (int48, only tosa_scale16 accepts it)", {"requires_acc_range"},
      Integer(1) << 31, 100, 45, 0);
  add("acc outside [-2^(shift-1), 2^(shift-1)) violates TOSA REQUIRE", {"requires_acc_range"},
      1 << 20, 1 << 30, 10, 0);
  add("shift 63 is rejected", {}, 1, 1, 63, 0);
  add("shift 1 is rejected", {}, 1, 1, 1, 0);
  add("multiplier 40000 is beyond int16 (scale16 rejects it)", {}, 1000, 40000, 20, 0);
  add("zero-point add overflows int8 before the clamp", {"zero_point_add_overflows_int8"}, 240,
      16384, 15, 100);
  Rng rng(0x51380000);
  std::vector<Case> candidates;
  for (int i = 0; i < 3000; ++i) {
    Case c;
    c.multiplier = static_cast<std::int32_t>(i % 3 ? rng.uniform(1, 32767) : rng.uniform(1, kInt32Max));
    c.shift = static_cast<int>(rng.uniform(20, 50));
    const Rational m = Rational(Integer(c.multiplier)) * ref::pow2(-c.shift);
    c.acc = i % 2 ? near_tie_acc(rng, m) : Integer(rng.uniform(-(1LL << 24), 1LL << 24));
    const Integer bound = Integer(1) << (c.shift - 1);
    if (c.acc >= bound || c.acc < -bound) c.acc = 0;
    c.zero_point = static_cast<std::int32_t>(rng.uniform(-128, 127));
    c.comment = "search #" + std::to_string(i);
    candidates.push_back(c);
  }
  std::vector<RequantizeParams> base;
  std::vector<std::string> labels;
  for (auto v : variants) {
    RequantizeParams p;
    p.variant = v;
    base.push_back(p);
    labels.push_back(std::string(ref::name(v)));
  }
  std::vector<std::string> untold;
  for (auto& c : distinguishing(base, labels, cases, candidates,
                                [](RequantizeParams& p, const Case& c) {
                                  p.multiplier = c.multiplier;
                                  p.shift = c.shift;
                                  p.zero_point = c.zero_point;
                                },
                                &untold)) {
    cases.push_back(c);
  }
  for (const auto& u : untold) untold_all.push_back("RequantizeTosaTest: " + u);
  for (int i = 0; i < 12; ++i) {
    Case c = candidates[2000 + i];
    c.comment = "random #" + std::to_string(i);
    c.flags = {"random"};
    cases.push_back(c);
  }
  const Bounds b{-128, 127, "int8"};
  for (auto v : variants) {
    auto& group = file.group("RequantizeTosaTest", Json{{"variant", ref::name(v)}}, bounds_params(b));
    for (const auto& c : cases) {
      RequantizeParams p;
      p.variant = v;
      p.multiplier = c.multiplier;
      p.shift = c.shift;
      add_case(group, c,
               Json{{"acc", encode(c.acc)}, {"multiplier", c.multiplier}, {"shift", c.shift},
                    {"zero_point", c.zero_point}},
               p, b);
    }
  }
}

void ideal_and_fp32_groups(FileBuilder& file) {
  // Ideal: exact rational M.
  std::vector<Case> ideal;
  auto add_ideal = [&](std::string comment, std::vector<std::string> flags, Integer acc,
                       Rational m, std::int32_t z) {
    Case c;
    c.comment = std::move(comment);
    c.flags = std::move(flags);
    c.acc = acc;
    c.real_multiplier = m;
    c.zero_point = z;
    ideal.push_back(c);
  };
  add_ideal("acc*M = 2.5", {"tie_even_positive"}, 5, Rational(1, 2), 0);
  add_ideal("acc*M = 3.5", {"tie_odd_positive"}, 7, Rational(1, 2), 0);
  add_ideal("acc*M = -2.5", {"tie_even_negative"}, -5, Rational(1, 2), 0);
  add_ideal("acc*M = -3.5", {"tie_odd_negative"}, -7, Rational(1, 2), 0);
  add_ideal("acc*M = 2.5 with odd Zy = 1: round then add (3) vs round(3.5) (4) under half_even",
            {"tie_even_positive", "odd_zero_point", "zero_point_entry_differs"}, 5, Rational(1, 2), 1);
  add_ideal("acc*M = 10/3 (M = 1/3): not dyadic", {}, 10, Rational(1, 3), 0);
  add_ideal("acc = 2^40 beyond int32 (ideal accepts any integer)", {"clamp_high"},
            Integer(1) << 40, Rational(1, 3), 0);
  add_ideal("M = 0 is rejected", {}, 1, Rational(0), 0);
  add_ideal("negative M is rejected", {}, 1, Rational(-1, 2), 0);
  Rng rng(0x51390000);
  for (int i = 0; i < 12; ++i) {
    // One draw per statement: the order of evaluation of function arguments is unspecified
    // (GCC and Clang differ), and the vectors must not depend on the compiler. The order below
    // is the one GCC chose when the checked-in vectors were generated (last argument first).
    const Integer denominator(rng.uniform(1, 1 << 24));
    const Integer numerator(rng.uniform(1, 1 << 20));
    const Rational m(numerator, denominator);
    const auto zero_point = static_cast<std::int32_t>(rng.uniform(-128, 127));
    const Integer acc = near_tie_acc(rng, m);
    add_ideal("random #" + std::to_string(i), {"random"}, acc, m, zero_point);
  }
  const Bounds b{-128, 127, "int8"};
  for (auto rounding : ref::all_roundings()) {
    for (auto entry : ref::all_zero_point_entries()) {
      auto& group = file.group("RequantizeIdealTest",
                               Json{{"variant", "ideal"},
                                    {"rounding", ref::name(rounding)},
                                    {"zero_point_entry", ref::name(entry)}},
                               bounds_params(b));
      for (const auto& c : ideal) {
        RequantizeParams p;
        p.variant = RequantVariant::ideal;
        p.rounding = rounding;
        p.zero_point_entry = entry;
        p.real_multiplier = c.real_multiplier;
        add_case(group, c,
                 Json{{"acc", encode(c.acc)}, {"real_multiplier", encode_rational(c.real_multiplier)},
                      {"zero_point", c.zero_point}},
                 p, b);
      }
    }
  }
  // fp32: binary32 scale.
  std::vector<Case> fp;
  auto add_fp = [&](std::string comment, std::vector<std::string> flags, Integer acc, float s,
                    std::int32_t z) {
    Case c;
    c.comment = std::move(comment);
    c.flags = std::move(flags);
    c.acc = acc;
    c.scale = s;
    c.zero_point = z;
    fp.push_back(c);
  };
  add_fp("fl32(acc*s) = 2.5, ties to even", {"tie_even_positive"}, 5, 0.5f, 0);
  add_fp("fl32(acc*s) = -3.5", {"tie_odd_negative"}, -7, 0.5f, 0);
  add_fp("2.5 + odd Zy: after rounding 3, before rounding RNE(3.5) = 4",
         {"tie_even_positive", "odd_zero_point", "zero_point_entry_differs"}, 5, 0.5f, 1);
  add_fp("acc = 2^24 + 1: fl32(acc) = 2^24 (the binary32 conversion rounds)", {}, (1 << 24) + 1,
         0x1p-20f, 0);
  add_fp("binary32 product rounds onto a tie: acc = 3, s = 0x1.555556p-1 (~2/3): exact 2.0000001, "
         "fl32 2.0000002", {"binary32_intermediate_tie"}, 3, 0x1.555556p-1f, 0);
  add_fp("product overflows binary32: acc = INT32_MAX, s = 2^100", {"result_saturates_int32"},
         kInt32Max, 0x1p100f, 0);
  add_fp("subnormal scale", {"subnormal_scale"}, kInt32Max, 0x1p-140f, 0);
  add_fp("scale 0 is rejected", {}, 1, 0.0f, 0);
  add_fp("NaN scale is rejected", {}, 1, std::numeric_limits<float>::quiet_NaN(), 0);
  for (int i = 0; i < 12; ++i) {
    const float s = rng.log_uniform_float(-16, 0);
    // One draw per statement, in the order GCC chose (see the ideal cases above).
    const auto zero_point = static_cast<std::int32_t>(rng.uniform(-128, 127));
    const Integer acc = near_tie_acc(rng, ref::exact(s));
    add_fp("random #" + std::to_string(i), {"random"}, acc, s, zero_point);
  }
  for (auto entry : ref::all_zero_point_entries()) {
    auto& group = file.group("RequantizeFp32Test",
                             Json{{"variant", "fp32"}, {"zero_point_entry", ref::name(entry)}},
                             bounds_params(b));
    for (const auto& c : fp) {
      RequantizeParams p;
      p.variant = RequantVariant::fp32;
      p.zero_point_entry = entry;
      p.scale = c.scale;
      add_case(group, c,
               Json{{"acc", encode(c.acc)}, {"scale", encode(c.scale)}, {"zero_point", c.zero_point}},
               p, b);
    }
  }
}

// A deployed pipeline: a requantization variant with its derivation, rounding and entry.
struct Pipeline {
  RequantVariant variant;
  std::optional<Derivation> derivation;  // fixed-point variants
  std::optional<Rounding> rounding;      // ideal
  ZeroPointEntry entry = ZeroPointEntry::after_rounding;

  Json variant_json() const {
    Json j = Json::object();
    j["variant"] = ref::name(variant);
    if (derivation) j["derivation"] = ref::name(*derivation);
    if (rounding) j["rounding"] = ref::name(*rounding);
    j["zero_point_entry"] = ref::name(entry);
    return j;
  }
  std::string label() const {
    std::string l(ref::name(variant));
    if (derivation) l += "/" + std::string(ref::name(*derivation));
    if (rounding) l += "/" + std::string(ref::name(*rounding));
    if (entry == ZeroPointEntry::before_rounding) l += "/before_rounding";
    return l;
  }
  RequantizeParams params(const Case& c, const Bounds& b) const {
    return ref::requantize_params_from_scales(variant, c.sx, c.sw, c.sy, c.zero_point, b.qmin,
                                              b.qmax, derivation.value_or(Derivation::tflite),
                                              rounding.value_or(Rounding::half_even), entry);
  }
};

std::vector<Pipeline> pipelines() {
  using V = RequantVariant;
  const auto before = ZeroPointEntry::before_rounding;
  const auto after = ZeroPointEntry::after_rounding;
  return {
      {V::ideal, std::nullopt, Rounding::half_even, after},
      {V::ideal, std::nullopt, Rounding::half_even, before},
      {V::ideal, std::nullopt, Rounding::half_away, after},
      {V::ideal, std::nullopt, Rounding::half_up, after},
      {V::fp32, std::nullopt, std::nullopt, after},
      {V::fp32, std::nullopt, std::nullopt, before},
      {V::double_round, Derivation::tflite, std::nullopt, after},
      {V::double_round, Derivation::exact, std::nullopt, after},
      {V::single_round, Derivation::tflite, std::nullopt, after},
      {V::single_round, Derivation::exact, std::nullopt, after},
      {V::rndnu, Derivation::rndnu, std::nullopt, after},
      {V::rndna, Derivation::rndnu, std::nullopt, after},
      {V::tosa_single, Derivation::tflite, std::nullopt, after},
      {V::tosa_double, Derivation::tflite, std::nullopt, after},
      {V::tosa_scale16, Derivation::tflite, std::nullopt, after},
  };
}

void from_scales_groups(FileBuilder& file, Json& untold_all) {
  const auto all = pipelines();
  const Bounds b{-128, 127, "int8"};
  std::vector<Case> cases;
  auto add = [&](std::string comment, std::vector<std::string> flags, Integer acc, float sx,
                 float sw, float sy, std::int32_t z) {
    Case c;
    c.comment = std::move(comment);
    c.flags = std::move(flags);
    c.acc = acc;
    c.sx = sx;
    c.sw = sw;
    c.sy = sy;
    c.zero_point = z;
    cases.push_back(c);
  };
  add("M = 0.5 exactly, acc*M = 2.5", {"tie_even_positive"}, 5, 0.5f, 1.0f, 1.0f, 0);
  add("M = 0.5, acc*M = -3.5", {"tie_odd_negative"}, -7, 0.5f, 1.0f, 1.0f, 0);
  add("M = 0.5, acc*M = 2.5, odd Zy = 3", {"tie_even_positive", "odd_zero_point"}, 5, 0.5f, 1.0f,
      1.0f, 3);
  add("typical layer scales, acc = 1000", {}, 1000, 0.0078125f, 0.00390625f, 0.0234375f, -3);
  add("M > 1: sx*sw/sy = 4, acc = 2^28 (left shift saturates in double_round)",
      {"left_shift_saturation"}, Integer(1) << 28, 2.0f, 2.0f, 1.0f, 0);
  add("zero sy is rejected", {}, 1, 1.0f, 1.0f, 0.0f, 0);

  Rng rng(0x513a0000);
  std::vector<Case> candidates = cases;  // the fixed cases first: they mark pairs, kept as is
  const std::size_t fixed_count = cases.size();
  // Exact ties of acc * M: M = p/c * 2^-e with p odd and small, c in {1, 3, 5}; then
  // acc = (Q/2)(2u+1), Q the denominator of M, makes acc*M = p(2u+1)/2.
  for (int t = 0; t < 200; ++t) {
    Case base;
    const int p = 2 * static_cast<int>(rng.uniform(0, 31)) + 1;
    base.sx = std::ldexp(static_cast<float>(p), -static_cast<int>(rng.uniform(5, 12)));
    base.sw = std::ldexp(1.0f, -static_cast<int>(rng.uniform(3, 8)));
    const int c3 = static_cast<int>(rng.uniform(0, 2)) * 2 + 1;
    base.sy = std::ldexp(static_cast<float>(c3), -static_cast<int>(rng.uniform(8, 16)));
    const Rational m = ref::exact(base.sx) * ref::exact(base.sw) / ref::exact(base.sy);
    const Integer q = boost::multiprecision::denominator(m);
    if (q % 2 != 0 || q > (Integer(1) << 28)) continue;
    for (int i = 0; i < 6; ++i) {
      Case c = base;
      const std::int64_t u = rng.uniform(-3, 3);
      c.acc = (q / 2) * (2 * u + 1) + (i % 3 == 2 ? rng.uniform(-1, 1) : 0);
      c.zero_point = static_cast<std::int32_t>(rng.uniform(-20, 20));
      c.comment = "tie search #" + std::to_string(t) + "." + std::to_string(i) +
                  ": acc*M = " + ref::to_string(Rational(c.acc) * m);
      candidates.push_back(c);
    }
  }
  for (int t = 0; t < 300; ++t) {
    Case base;
    base.sx = rng.log_uniform_float(-10, -2);
    base.sw = rng.log_uniform_float(-10, -2);
    base.sy = rng.log_uniform_float(-10, 0);
    const Rational m = ref::exact(base.sx) * ref::exact(base.sw) / ref::exact(base.sy);
    for (int i = 0; i < 40; ++i) {
      Case c = base;
      c.acc = i % 4 == 3 ? Integer(rng.uniform(-(1LL << 22), 1LL << 22)) : near_tie_acc(rng, m);
      c.zero_point = static_cast<std::int32_t>(rng.uniform(-128, 127));
      c.comment = "search triple #" + std::to_string(t) + " acc #" + std::to_string(i);
      candidates.push_back(c);
    }
  }
  // Evaluate each pipeline's derived parameters once per scale triple.
  const std::size_t n = all.size();
  std::vector<std::vector<bool>> told(n, std::vector<bool>(n, false));
  std::map<std::tuple<float, float, float>, std::vector<std::optional<ref::FastRequantizer>>> cache;
  for (std::size_t index = 0; index < candidates.size(); ++index) {
    const Case& c = candidates[index];
    if (c.acc < kInt32Min || c.acc > kInt32Max) continue;
    auto key = std::make_tuple(c.sx, c.sw, c.sy);
    auto it = cache.find(key);
    if (it == cache.end()) {
      std::vector<std::optional<ref::FastRequantizer>> fast;
      for (const auto& p : all) {
        try {
          fast.emplace_back(ref::FastRequantizer(p.params(c, b)));
        } catch (const ref::ParameterError&) {
          fast.emplace_back(std::nullopt);
        }
      }
      it = cache.emplace(key, std::move(fast)).first;
    }
    std::vector<std::optional<std::int64_t>> out(n);
    for (std::size_t v = 0; v < n; ++v) {
      if (!it->second[v]) continue;
      ref::RequantizeParams p = it->second[v]->params();
      p.zero_point = c.zero_point;
      try {
        out[v] = ref::FastRequantizer(p)(c.acc.convert_to<std::int32_t>());
      } catch (const ref::ParameterError&) {
      }
    }
    std::string pair;
    for (std::size_t a = 0; a < n; ++a)
      for (std::size_t bb = a + 1; bb < n; ++bb)
        if (!told[a][bb] && out[a] != out[bb]) {
          told[a][bb] = true;
          if (pair.empty()) pair = all[a].label() + " vs " + all[bb].label();
        }
    if (pair.empty() || index < fixed_count) continue;
    Case added = c;
    added.comment = "distinguishes " + pair + "; " + c.comment;
    added.flags = {"distinguishes_variants"};
    cases.push_back(added);
  }
  for (std::size_t a = 0; a < n; ++a)
    for (std::size_t bb = a + 1; bb < n; ++bb)
      if (!told[a][bb]) {
        untold_all.push_back("RequantizeFromScalesTest: " + all[a].label() + " = " + all[bb].label());
      }
  for (int i = 0; i < 16; ++i) {
    Case c = candidates[fixed_count + static_cast<std::size_t>(i) * 701 % (candidates.size() - fixed_count)];
    c.comment = "random #" + std::to_string(i);
    c.flags = {"random"};
    cases.push_back(c);
  }
  for (const auto& pipeline : all) {
    auto& group = file.group("RequantizeFromScalesTest", pipeline.variant_json(), bounds_params(b));
    for (const auto& c : cases) {
      Json inputs = {{"acc", encode(c.acc)}, {"sx", encode(c.sx)}, {"sw", encode(c.sw)},
                     {"sy", encode(c.sy)},   {"zero_point", c.zero_point}};
      try {
        add_case(group, c, inputs, pipeline.params(c, b), b);
      } catch (const ref::ParameterError& e) {
        group.add_invalid(c.comment, c.flags, inputs, e);
      }
    }
  }
}

void primitive_groups(FileBuilder& file) {
  namespace fp = ref::fixed_point;
  {
    auto& group = file.group("SrdhmTest", Json{{"primitive", "srdhm"}}, Json::object());
    struct P {
      std::string comment;
      std::vector<std::string> flags;
      std::int32_t a, b;
    };
    std::vector<P> cases = {
        {"SRDHM(INT32_MIN, INT32_MIN) = INT32_MAX (gemmlowp fixedpoint.h saturating case)",
         {"srdhm_int32_min"}, fp::kInt32Min, fp::kInt32Min},
        {"SRDHM(INT32_MAX, INT32_MAX)", {}, fp::kInt32Max, fp::kInt32Max},
        {"SRDHM(INT32_MIN, INT32_MAX)", {}, fp::kInt32Min, fp::kInt32Max},
        {"a*b/2^31 = 0.5: ties toward +inf -> 1", {"tie_even_positive"}, 1, 1 << 30},
        {"a*b/2^31 = -0.5: ties toward +inf -> 0", {"tie_even_negative"}, -1, 1 << 30},
        {"a*b/2^31 = -1.5 -> -1", {"tie_odd_negative"}, -3, 1 << 30},
    };
    Rng rng(0x513b0000);
    for (int i = 0; i < 8; ++i) {
      cases.push_back({"random #" + std::to_string(i), {"random"},
                       static_cast<std::int32_t>(rng.uniform(fp::kInt32Min, fp::kInt32Max)),
                       static_cast<std::int32_t>(rng.uniform(fp::kInt32Min, fp::kInt32Max))});
    }
    for (const auto& c : cases) {
      group.add(c.comment, c.flags, Json{{"a", c.a}, {"b", c.b}},
                Json{{"y", fp::saturating_rounding_doubling_high_mul(c.a, c.b)}});
    }
  }
  {
    auto& group = file.group("RoundingDivideByPotTest", Json{{"primitive", "rounding_divide_by_pot"}},
                             Json::object());
    struct P {
      std::string comment;
      std::vector<std::string> flags;
      std::int32_t value;
      int exponent;
    };
    std::vector<P> cases = {
        {"exponent 0 is the identity", {"rdbpot_exponent_0"}, -12345, 0},
        {"exponent 31, INT32_MIN: -0.5 rounds away to -1", {"rdbpot_exponent_31", "tie_even_negative"},
         fp::kInt32Min, 31},
        {"exponent 31, INT32_MAX: ~1 -> 1", {"rdbpot_exponent_31"}, fp::kInt32Max, 31},
        {"exponent 31, 2^30: 0.5 rounds away to 1", {"rdbpot_exponent_31", "tie_even_positive"},
         1 << 30, 31},
        {"5/2 = 2.5 -> 3 (ties away)", {"tie_even_positive"}, 5, 1},
        {"-7/2 = -3.5 -> -4", {"tie_odd_negative"}, -7, 1},
    };
    for (const auto& c : cases) {
      group.add(c.comment, c.flags, Json{{"value", c.value}, {"exponent", c.exponent}},
                Json{{"y", fp::rounding_divide_by_pot(c.value, c.exponent)}});
    }
    group.add_invalid("exponent 32 is outside [0, 31]", {}, Json{{"value", 1}, {"exponent", 32}},
                      ref::ParameterError("exponent", "in [0, 31]", "32"));
  }
}

}  // namespace

Json requantize_family() {
  FileBuilder file("requantize", "Q7",
                   {"q = clamp(y + Zy, qmin, qmax) with y the variant's rounding of acc * M "
                    "(SPEC.md Q7). Group types: RequantizeQ31Test (multiplier, shift in the Q31 "
                    "convention), RequantizeTosaTest (TOSA convention), RequantizeIdealTest "
                    "(exact rational real_multiplier), RequantizeFp32Test (binary32 scale), "
                    "RequantizeFromScalesTest (binary32 scales sx, sw, sy: each pipeline "
                    "derives its own parameters as in Q7.8; details.scaled is y), SrdhmTest and "
                    "RoundingDivideByPotTest (the gemmlowp primitives: inputs a, b or value, "
                    "exponent; output y).",
                    "Operands: params (qmin, qmax); inputs acc, zero_point and the group's "
                    "multiplier operands; output q."});
  Json untold = Json::array();
  q31_groups(file, untold);
  tosa_groups(file, untold);
  ideal_and_fp32_groups(file);
  from_scales_groups(file, untold);
  primitive_groups(file);
  file.set("indistinguishable", untold);
  return file.finish();
}

}  // namespace quantspec::vectors::detail
