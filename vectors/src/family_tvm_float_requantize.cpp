// SPEC Q11.11 vectors (appended to deployed_requantize.json): TVM's qnn.requantize with a float
// compute dtype, one group per member (tvm_fp_upward, tvm_fp_tonearest,
// tvm_fp_tonearest_nosse41) x compute dtype (float32, float64) x output bounds. Every expected
// value is requantize_tvm_float, the exact definition; so is every output the separating search
// compares (the host arithmetic below only proposes accumulators near rounding boundaries).
//
// Which pairs can be told apart at normal parameters (SPEC Q11.11 derives it): UPWARD and
// TONEAREST differ on negative ties of t' (floor(t' + 1/2) against half away), float32 and
// float64 where a binary32 rounding of M, acc, m*a or t + Zy moves t' across a boundary, and the
// two TONEAREST lowerings only where fl_B(|t'| + 1/2) rounds: |t'| >= 2^23 in float32 (int32
// outputs) or t' = +-(1/2 - 2^-25) with Zy = 0. In float64 that needs |t'| >= 2^52 or
// t' = +-(1/2 - 2^-54) from binary32 scales, neither reachable from an int32 acc at normal
// scales: the file lists that pair as indistinguishable.
#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <set>

#include "builder.hpp"
#include "quantspec/reference/binary32_requantize.hpp"

namespace quantspec::vectors::detail {
namespace {

using ref::TvmComputeDtype;
using ref::TvmFloatRounding;

struct Member {
  TvmFloatRounding rounding;
  TvmComputeDtype dtype;
  std::string label() const {
    return std::string(ref::name(rounding)) + "/" + std::string(ref::name(dtype));
  }
};

std::vector<Member> all_members() {
  std::vector<Member> out;
  for (const auto d : {TvmComputeDtype::float32, TvmComputeDtype::float64}) {
    for (const auto r : ref::all_tvm_float_roundings()) out.push_back({r, d});
  }
  return out;
}

struct Bounds {
  std::string name;
  std::int32_t qmin;
  std::int32_t qmax;
};

struct Case {
  std::string comment;
  std::vector<std::string> flags;
  ref::Integer acc;
  float input_scale;
  float output_scale;
  std::int32_t input_zero_point;
  std::int32_t zero_point;
};

ref::TvmFloatRequantParams params_of(const Case& c, const Member& m, const Bounds& b) {
  ref::TvmFloatRequantParams p;
  p.input_scale = c.input_scale;
  p.output_scale = c.output_scale;
  p.input_zero_point = c.input_zero_point;
  p.output_zero_point = c.zero_point;
  p.qmin = b.qmin;
  p.qmax = b.qmax;
  p.dtype = m.dtype;
  p.rounding = m.rounding;
  return p;
}

// The reference's output of every member; a rejected case is a value no output takes.
std::vector<ref::Integer> outputs(const Case& c, const std::vector<Member>& members,
                                  const Bounds& b) {
  std::vector<ref::Integer> out;
  for (const auto& m : members) {
    try {
      out.push_back(ref::requantize_tvm_float(c.acc, params_of(c, m, b)));
    } catch (const ref::ParameterError&) {
      out.push_back(ref::Integer(1) << 64);
    }
  }
  return out;
}

float f32(double v) { return static_cast<float>(v); }

// Normal parameters: activation scales, weight scales, and accumulator scales as their
// binary32 products (what a QNN frontend passes as input_scale of the requantize after a
// conv2d / dense).
const float kActivationScales[] = {0.1f, 0.05f, f32(1.0 / 255.0), f32(2.0 / 255.0), 0.2f, 0.02f};
const float kWeightScales[] = {0.02f, 0.003f, f32(1.0 / 127.0)};
const float kOutputScales[] = {0.1f, 0.05f, f32(1.0 / 255.0), 0.2f, 0.02f};

// Hand-made cases (SPEC Q11.11's counterexamples, edges, rejections), at bounds b.
std::vector<Case> hand_cases(const Bounds& b) {
  const bool int32_out = b.qmax == std::numeric_limits<std::int32_t>::max();
  const std::int32_t z = b.qmin <= 0 && b.qmax >= 0 ? 0 : b.qmin;
  std::vector<Case> c = {
      {"SPEC Q11.11: Sin = fl32(5/6), Sout = 1, acc = 3: acc*M = 2.5 - 2^-24; float32 rounds t "
       "onto 2.5 and gives 3, float64 2",
       {"compute_dtype_differs"}, 3, 0x1.aaaaaap-1f, 1.0f, 0, z},
      {"SPEC Q11.11: acc = -5, Sin = 0.5, Sout = 1, Zy = 10: t' = 7.5, 8 for every member (the "
       "int64 TONEAREST path adds Zy after rounding: 7)",
       {"zero_point_entry_differs"}, -5, 0.5f, 1.0f, 0, std::clamp(10, b.qmin, b.qmax)},
      {"Sin = 0.05f, Sout = 0.1f (M = 1/2 exactly), acc = -5, Zy = 0: t' = -2.5; UPWARD -2, "
       "TONEAREST -3 (both lowerings)",
       {"tvm_negative_tie"}, -5, 0.05f, 0.1f, 0, z},
      {"SPEC Q11.11: Sin = 0x1.fffffep-2, Sout = 1, acc = 1, Zy = 0: float32 1 under UPWARD and "
       "the no-SSE4.1 lowering (fl32(1 - 2^-25) = 1), 0 under llvm.round; float64 0",
       {"tvm_biased_rounding_just_below_half"}, 1, 0x1.fffffep-2f, 1.0f, 0, z},
      {"Zin = 128, acc = 100, Sin = Sout = 0.1f: t' = -28 + Zy", {}, 100, 0.1f, 0.1f, 128, z},
      {"far above qmax", {"clamp_high"}, 2000000000, 0.1f, 0.02f, 0, z},
      {"far below qmin", {"clamp_low"}, -2000000000, 0.1f, 0.02f, 0, z},
      {"acc = INT32_MIN, Zin = 0", {}, std::numeric_limits<std::int32_t>::min(),
       f32(1.0 / 255.0), 0.1f, 0, z},
      {"Sin = 0x1.fffffep+127, Sout = 2^-10: fl32(fl64(Sin/Sout)) = inf, rejected for float32 "
       "(input_scale); float64 computes",
       {}, 0, 0x1.fffffep+127f, 0x1p-10f, 0, z},
      {"input_scale = 0 is rejected", {}, 1, 0.0f, 0.1f, 0, z},
      {"output_scale = -0.1 is rejected", {}, 1, 0.1f, -0.1f, 0, z},
      {"output_scale = +inf is rejected", {}, 1, 0.1f, std::numeric_limits<float>::infinity(),
       0, z},
      {"input_scale = NaN is rejected", {}, 1, std::numeric_limits<float>::quiet_NaN(), 0.1f, 0,
       z},
      {"acc = 2^31 is outside int32", {}, ref::Integer(1) << 31, 0.1f, 0.1f, 0, z},
  };
  if (b.qmin < 0) {
    c.push_back({"the same with acc = -1: -1 under the no-SSE4.1 TONEAREST only",
                 {"tvm_biased_rounding_just_below_half"}, -1, 0x1.fffffep-2f, 1.0f, 0, z});
  }
  if (b.qmin > std::numeric_limits<std::int32_t>::min()) {
    c.push_back({"zero point below qmin is rejected", {}, 1, 0.1f, 0.1f, 0, b.qmin - 1});
  }
  if (int32_out) {
    c.push_back({"SPEC Q11.11: float32 converts acc = 2^24 + 1 to 2^24 (Sin = Sout)",
                 {"float32_rounds_accumulator", "compute_dtype_differs"},
                 (std::int64_t{1} << 24) + 1, 0.1f, 0.1f, 0, 0});
    c.push_back({"SPEC Q11.11: acc = 2^24 + 2, Zin = 1: float32 a = fl32(2^24 + 2 - 1) = 2^24",
                 {"float32_rounds_accumulator", "compute_dtype_differs"},
                 (std::int64_t{1} << 24) + 2, 0.1f, 0.1f, 1, 0});
    c.push_back({"M = 1 (Sin = Sout = 0.02f), acc = -(2^23 + 1): float32 UPWARD -2^23, "
                 "llvm.round -(2^23 + 1), no-SSE4.1 -(2^23 + 2); float64 -(2^23 + 1)",
                 {"tvm_binary32_half_rounds"}, -((std::int64_t{1} << 23) + 1), 0.02f, 0.02f, 0,
                 0});
  }
  return c;
}

// Accumulators whose t' lies near the targets tau (host binary64 proposes them; the reference
// decides). For every configuration (Sin, Sout, Zin, Zy): the nearest acc to each tau and its
// two neighbours.
struct Config {
  float sin, sout;
  std::int32_t zin, zy;
};

std::vector<Config> configs(const Bounds& b, std::uint64_t seed) {
  std::vector<std::int32_t> zys;
  if (b.name == "uint8") {
    zys = {128, 3, 0, 200};
  } else if (b.name == "int8") {
    zys = {0, -3, 5, -20};
  } else {
    zys = {0, -7};
  }
  std::vector<Config> out;
  // Activation-to-activation requantize first (their ratios include exact powers of two, whose
  // products with odd accumulators are exact ties in both formats).
  std::size_t k = 0;
  for (const float sin : kActivationScales) {
    for (const float sout : kOutputScales) {
      out.push_back({sin, sout, (k % 3 == 1) ? (b.name == "uint8" ? 128 : -3) : 0,
                     zys[k % zys.size()]});
      ++k;
    }
  }
  for (const float sa : kActivationScales) {
    for (const float sw : kWeightScales) {
      const float sin = sa * sw;  // binary32 product, as the frontend computes it
      for (const float sout : kOutputScales) {
        out.push_back({sin, sout, 0, zys[k % zys.size()]});
        ++k;
      }
    }
  }
  // A fixed, seeded order: the search keeps the first separating candidates.
  Rng rng(seed);
  for (std::size_t i = out.size(); i > 1; --i) {
    std::swap(out[i - 1], out[static_cast<std::size_t>(rng.uniform(0, static_cast<std::int64_t>(i) - 1))]);
  }
  // The dyadic-ratio configurations lead (exact ties).
  std::stable_partition(out.begin(), out.end(), [](const Config& c) {
    const double r = static_cast<double>(c.sin) / static_cast<double>(c.sout);
    int e = 0;
    return std::frexp(r, &e) == 0.5;
  });
  return out;
}

std::vector<double> targets(const Bounds& b, Rng& rng) {
  std::vector<double> out;
  if (b.name == "int8" || b.name == "uint8") {
    for (std::int64_t k = b.qmin - 1; k <= b.qmax; ++k) out.push_back(static_cast<double>(k) + 0.5);
  } else if (b.name == "int16") {
    for (int i = 0; i < 160; ++i) out.push_back(static_cast<double>(rng.uniform(b.qmin, b.qmax)) + 0.5);
  } else {
    // int32: ties of small t', and odd integers in [2^23, 2^24) (float32's half rounds).
    for (int i = 0; i < 40; ++i) out.push_back(static_cast<double>(rng.uniform(-3000, 3000)) + 0.5);
    for (int i = 0; i < 40; ++i) {
      const double v = static_cast<double>(rng.uniform(1 << 23, (1 << 24) - 1) | 1);
      out.push_back(rng.coin() ? v : -v);
    }
  }
  return out;
}

std::string hexf(float v) { return ref::hex_float(v); }

// Flags naming why the members' outputs differ (read off the outputs, by the derivation of
// SPEC Q11.11: the two TONEAREST lowerings differ only where fl_B(|t'| + 1/2) rounds; UPWARD and
// TONEAREST otherwise only on negative ties).
std::vector<std::string> separation_flags(const std::vector<Member>& members,
                                          const std::vector<ref::Integer>& out) {
  std::vector<std::string> flags = {"distinguishes_variants"};
  bool dtype_differs = false, lowerings_differ = false, rounding_differs = false;
  for (std::size_t a = 0; a < members.size(); ++a) {
    for (std::size_t c = 0; c < members.size(); ++c) {
      if (out[a] == out[c]) continue;
      if (members[a].rounding == members[c].rounding) dtype_differs = true;
      if (members[a].dtype != members[c].dtype) continue;
      if (members[a].rounding == TvmFloatRounding::tonearest &&
          members[c].rounding == TvmFloatRounding::tonearest_no_sse41) {
        lowerings_differ = true;
      } else {
        rounding_differs = true;
      }
    }
  }
  if (dtype_differs) flags.push_back("compute_dtype_differs");
  if (lowerings_differ) flags.push_back("tvm_binary32_half_rounds");
  if (rounding_differs && !lowerings_differ) flags.push_back("tvm_negative_tie");
  return flags;
}

// Adds to `chosen` candidates that separate a pair of members still separated by fewer than
// kPerPair chosen cases. Returns the pairs left unseparated.
constexpr int kPerPair = 3;
constexpr std::size_t kMaxConfigs = 40;  // bounds the generation time

std::vector<std::string> add_separating(const Bounds& b, const std::vector<Member>& members,
                                        std::vector<Case>& chosen, std::uint64_t seed) {
  const std::size_t n = members.size();
  std::vector<std::vector<int>> told(n, std::vector<int>(n, 0));
  auto mark = [&](const std::vector<ref::Integer>& out) {
    for (std::size_t a = 0; a < n; ++a)
      for (std::size_t c = a + 1; c < n; ++c)
        if (out[a] != out[c]) told[a][c]++;
  };
  // The search stops once every pair it can reach is separated kPerPair times; the pairs it
  // cannot reach at normal scales (SPEC Q11.11's derivation) are still looked for on every
  // candidate examined. Two roundings of one compute dtype differ only on negative ties, at
  // |t'| >= 2^23 (float32) or 2^52 (float64), and at t' = +-(1/2 - 2^-25) (float32) or
  // +-(1/2 - 2^-54) (float64), which need scale ratios such as 0x1.fffffep-2 (a hand case) or
  // none from binary32 scales. So when qmin >= 0 (negative ties clamp to qmin) no two roundings
  // of one dtype are reachable, and the two TONEAREST lowerings only in float32 at bounds
  // beyond +-2^23.
  const bool beyond_2_23 = b.qmax >= (1 << 23) || b.qmin <= -(1 << 23);
  auto proven_equal = [&](std::size_t a, std::size_t c) {
    if (members[a].dtype != members[c].dtype) return false;
    if (b.qmin >= 0) return true;
    const auto near = TvmFloatRounding::tonearest, nosse = TvmFloatRounding::tonearest_no_sse41;
    const bool lowerings = (members[a].rounding == near && members[c].rounding == nosse) ||
                           (members[a].rounding == nosse && members[c].rounding == near);
    return lowerings && (members[a].dtype == TvmComputeDtype::float64 || !beyond_2_23);
  };
  auto all_told = [&]() {
    for (std::size_t a = 0; a < n; ++a)
      for (std::size_t c = a + 1; c < n; ++c)
        if (!proven_equal(a, c) && told[a][c] < kPerPair) return false;
    return true;
  };
  Rng rng(seed);
  const auto cfgs = configs(b, seed ^ 0x5EED);
  const double lo = -2147483648.0, hi = 2147483647.0;
  for (std::size_t i = 0; i < cfgs.size() && i < kMaxConfigs; ++i) {
    const Config& cfg = cfgs[i];
    if (all_told()) break;
    const double m = static_cast<double>(cfg.sin) / static_cast<double>(cfg.sout);
    std::set<std::int64_t> seen;
    for (const double tau : targets(b, rng)) {
      const double centre = std::nearbyint((tau - cfg.zy) / m) + cfg.zin;
      for (const double d : {0.0, -1.0, 1.0}) {
        const double acc = centre + d;
        if (acc < lo || acc > hi || !seen.insert(static_cast<std::int64_t>(acc)).second) continue;
        Case c{"", {"distinguishes_variants"}, ref::Integer(static_cast<std::int64_t>(acc)),
               cfg.sin, cfg.sout, cfg.zin, cfg.zy};
        const auto out = outputs(c, members, b);
        std::string pair;
        for (std::size_t a = 0; a < n && pair.empty(); ++a)
          for (std::size_t e = a + 1; e < n && pair.empty(); ++e)
            if (told[a][e] < kPerPair && out[a] != out[e]) {
              pair = members[a].label() + " vs " + members[e].label();
            }
        if (pair.empty()) continue;
        mark(out);
        c.flags = separation_flags(members, out);
        c.comment = "distinguishes " + pair + "; Sin = " + hexf(cfg.sin) + ", Sout = " +
                    hexf(cfg.sout) + ", t' near " + std::to_string(tau);
        // What separates them, for the reader: the members' outputs on this case.
        std::string values;
        for (std::size_t a = 0; a < n; ++a) {
          values += (a ? ", " : "") + members[a].label() + " " + out[a].str();
        }
        c.comment += " (" + values + ")";
        chosen.push_back(c);
      }
    }
  }
  std::vector<std::string> untold;
  for (std::size_t a = 0; a < n; ++a)
    for (std::size_t c = a + 1; c < n; ++c)
      if (told[a][c] == 0) untold.push_back(members[a].label() + " = " + members[c].label());
  return untold;
}

std::vector<Case> random_cases(const Bounds& b, std::uint64_t seed, int count) {
  Rng rng(seed);
  std::vector<Case> out;
  for (int i = 0; i < count; ++i) {
    const float sa = kActivationScales[rng.uniform(0, 5)];
    const float sw = kWeightScales[rng.uniform(0, 2)];
    const float sout = kOutputScales[rng.uniform(0, 4)];
    const float sin = sa * sw;
    const auto zy = static_cast<std::int32_t>(
        rng.uniform(std::max<std::int64_t>(b.qmin, -200), std::min<std::int64_t>(b.qmax, 255)));
    // t' in [qmin - 2, qmax + 2] (or |t'| < 2^20 for int32 outputs), in eighths.
    const double span_lo = std::max<double>(b.qmin, -1048576.0) - 2.0;
    const double span_hi = std::min<double>(b.qmax, 1048576.0) + 2.0;
    const double target =
        span_lo + (span_hi - span_lo) * static_cast<double>(rng.uniform(0, 1 << 20)) / (1 << 20);
    const double m = static_cast<double>(sin) / static_cast<double>(sout);
    const double acc = std::clamp(std::nearbyint((target - zy) / m), -2147483648.0, 2147483647.0);
    out.push_back({"random #" + std::to_string(i), {"random"},
                   ref::Integer(static_cast<std::int64_t>(acc)), sin, sout, 0, zy});
  }
  return out;
}

}  // namespace

void add_tvm_float_requantize_groups(FileBuilder& file, Json& indistinguishable) {
  const std::vector<Bounds> bounds = {
      {"int8", -128, 127},
      {"uint8", 0, 255},
      {"int16", -32768, 32767},
      {"int32", std::numeric_limits<std::int32_t>::min(), std::numeric_limits<std::int32_t>::max()}};
  const auto members = all_members();
  std::uint64_t seed = 0x54564D4650ULL;  // "TVMFP"
  std::set<std::string> untold_everywhere;
  std::map<std::string, int> untold_count;
  for (const auto& b : bounds) {
    std::vector<Case> cases = hand_cases(b);
    for (auto& c : random_cases(b, seed++, 12)) cases.push_back(c);
    for (const auto& u : add_separating(b, members, cases, seed++)) untold_count[u]++;
    for (const auto& m : members) {
      auto& group = file.group(
          "TvmFloatRequantizeTest",
          Json{{"member", ref::name(m.rounding)}, {"compute_dtype", ref::name(m.dtype)}},
          Json{{"qmin", b.qmin}, {"qmax", b.qmax}});
      for (const auto& c : cases) {
        const auto p = params_of(c, m, b);
        std::vector<std::string> flags = c.flags;
        group.add_computed(
            c.comment, flags,
            Json{{"acc", encode(c.acc)}, {"input_scale", encode(c.input_scale)},
                 {"output_scale", encode(c.output_scale)},
                 {"input_zero_point", c.input_zero_point}, {"zero_point", c.zero_point}},
            [&]() { return Json{{"q", encode(ref::requantize_tvm_float(c.acc, p))}}; });
      }
    }
  }
  // A pair is indistinguishable when no bounds' search separated it.
  for (const auto& [pair, count] : untold_count) {
    if (count == static_cast<int>(bounds.size())) {
      indistinguishable.push_back("TvmFloatRequantizeTest: " + pair);
    }
  }
}

}  // namespace quantspec::vectors::detail
