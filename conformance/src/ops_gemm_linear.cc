// GEMM (Q5) and the fused linear layer (Q5 + Q7 + Q8): catalogue, properties and parameter
// validation.
#include <algorithm>
#include <limits>

#include "check_kit.hpp"
#include "execute.hpp"
#include "ops.hpp"
#include "requantization_abi.hpp"
#include "requantize_params.hpp"

namespace quantspec::conformance::ops {
namespace {

using GCases = std::vector<std::pair<std::string, GemmCase>>;

// A GEMM with every A element `a`, every W element `w` (unless random), packed strides.
GemmCase gmake(std::uint32_t a_type, std::size_t m, std::size_t n, std::size_t k, std::int32_t za, std::int32_t zw) {
  GemmCase c;
  c.a_type = a_type;
  c.a_zero_point = za;
  c.w_zero_points = {zw};
  c.m = m;
  c.n = n;
  c.k = k;
  c.a_stride = k;
  c.w_stride = k;
  c.out_stride = n;
  c.a.assign(m * k, 0);
  c.w.assign(n * k, 0);
  return c;
}

void fill_random(GemmCase& c, std::uint64_t seed) {
  kit::Random random(seed);
  for (auto& x : c.a) x = static_cast<std::int32_t>(random.in(type_min(c.a_type), type_max(c.a_type)));
  for (auto& x : c.w) x = static_cast<std::int32_t>(random.in(-128, 127));
}

std::string shape(const GemmCase& c) {
  return "m " + std::to_string(c.m) + ", n " + std::to_string(c.n) + ", k " + std::to_string(c.k) + " (" +
         element_type_name(c.a_type) + "*s8)";
}

GCases wraps(std::uint32_t a_type) {
  GCases cases;
  const std::int32_t a_far = a_type == QS_S8 ? -128 : 255, za_far = a_type == QS_S8 ? 127 : 0;
  // K * 255 * 255 beyond 2^31 (K = 33100): the int32 sum must wrap, not saturate.
  for (std::int32_t w : {127, -128}) {
    GemmCase c = gmake(a_type, 1, 1, 33100, za_far, w == 127 ? -128 : 127);
    std::fill(c.a.begin(), c.a.end(), a_far);
    std::fill(c.w.begin(), c.w.end(), w);
    cases.emplace_back("K = 33100 extreme products, w = " + std::to_string(w) + ", " + shape(c), c);
  }
  // A bias at the int32 extremes pushed over by a few products.
  for (std::int32_t bias : {INT32_MAX, INT32_MIN, INT32_MAX - 100}) {
    GemmCase c = gmake(a_type, 2, 3, 5, 0, 0);
    fill_random(c, 3);
    c.bias = {bias, ~bias, bias};  // ~bias = -bias - 1 without overflowing at INT32_MIN
    cases.emplace_back("bias " + std::to_string(bias) + ", " + shape(c), c);
  }
  return cases;
}

// vpmaddubsw adds two u8*s8 products in saturating int16: 255*127 + 255*127 = 64770 > 32767.
GCases pair_saturation(std::uint32_t a_type) {
  GCases cases;
  const std::int32_t a_big = a_type == QS_S8 ? -128 : 255;
  for (std::int32_t w : {127, -128}) {
    for (std::size_t k : {2u, 4u, 64u, 65u}) {
      for (std::size_t n : {1u, 16u, 17u}) {
        GemmCase c = gmake(a_type, 2, n, k, 0, 0);
        std::fill(c.a.begin(), c.a.end(), a_big);
        std::fill(c.w.begin(), c.w.end(), w);
        cases.emplace_back("all a = " + std::to_string(a_big) + ", all w = " + std::to_string(w) + ", zero points 0, " + shape(c), c);
      }
    }
  }
  return cases;
}

GCases zero_points(std::uint32_t a_type) {
  GCases cases;
  for (std::int32_t za : {type_min(a_type), type_max(a_type), a_type == QS_S8 ? 0 : 128}) {
    for (std::int32_t zw : {-128, 127, 0}) {
      GemmCase c = gmake(a_type, 3, 5, 19, za, zw);
      fill_random(c, static_cast<std::uint64_t>(za * 1000 + zw));
      cases.emplace_back("a_zero_point " + std::to_string(za) + ", w_zero_point " + std::to_string(zw) + ", " + shape(c), c);
    }
  }
  // Per output column: column n must use w_zero_points[n] and bias[n].
  for (std::size_t n : {1u, 3u, 16u, 17u, 33u, 65u}) {
    GemmCase c = gmake(a_type, 2, n, 9, type_max(a_type) / 2, 0);
    fill_random(c, n);
    c.w_zero_point_per_channel = true;
    c.w_zero_points.clear();
    for (std::size_t j = 0; j < n; ++j) {
      c.w_zero_points.push_back(static_cast<std::int32_t>(j * 29 % 256) - 128);
      c.bias.push_back(static_cast<std::int32_t>(j) * 1000 - 7);
    }
    cases.emplace_back("per-column w_zero_points and bias, " + shape(c), c);
  }
  return cases;
}

GCases tails(std::uint32_t a_type) {
  GCases cases;
  std::uint64_t seed = 11;
  for (std::size_t k : {0u, 1u, 2u, 3u, 4u, 5u, 7u, 8u, 9u, 15u, 16u, 17u, 31u, 32u, 33u, 63u, 64u, 65u, 127u, 128u, 129u, 255u, 256u, 257u}) {
    for (std::size_t n : {1u, 2u, 3u, 4u, 7u, 8u, 9u, 15u, 16u, 17u, 31u, 32u, 33u, 47u, 48u, 49u, 64u, 65u}) {
      const std::size_t m = 1 + (k + n) % 5;
      GemmCase c = gmake(a_type, m, n, k, a_type == QS_S8 ? 3 : 131, -5);
      fill_random(c, ++seed);
      if (seed % 3 == 0) c.bias.assign(n, static_cast<std::int32_t>(seed * 1000));
      c.placement = {seed % 4, (seed / 4) % 4};
      cases.emplace_back(shape(c), c);
    }
  }
  return cases;
}

// M and N through every register block and a few larger (kit::block_dimensions()), and K past
// 4096, odd too (kit::deep_depths()), with random operands: a remainder block of rows or columns,
// or a K block's tail, that is computed wrong changes some element.
GCases blocks(std::uint32_t a_type) {
  GCases cases;
  std::uint64_t seed = 300;
  auto add = [&](std::size_t m, std::size_t n, std::size_t k) {
    GemmCase c = gmake(a_type, m, n, k, a_type == QS_S8 ? -7 : 140, 3);
    fill_random(c, ++seed);
    if (seed % 2 == 0) {
      for (std::size_t j = 0; j < n; ++j) c.bias.push_back(static_cast<std::int32_t>(j * 7919 % 20001) - 10000);
    }
    c.placement = {seed % 4, (seed / 4) % 4};
    cases.emplace_back(shape(c), c);
  };
  for (std::size_t m : kit::block_dimensions()) add(m, 17, 9);
  for (std::size_t n : kit::block_dimensions()) add(5, n, 13);
  for (std::size_t d : {31u, 32u, 33u, 65u}) add(d, d, d);
  add(100, 257, 19);
  for (std::size_t k : kit::deep_depths()) add(2, 33, k);
  add(33, 3, 4097);
  return cases;
}

GCases strides(std::uint32_t a_type) {
  GCases cases;
  std::uint64_t seed = 90;
  for (std::size_t pad : {1u, 3u, 64u}) {
    GemmCase c = gmake(a_type, 3, 17, 33, 1, 2);
    c.a_stride = c.k + pad;
    c.w_stride = c.k + pad * 2;
    c.out_stride = c.n + pad;
    c.a.assign(c.m * c.a_stride, 0);
    c.w.assign(c.n * c.w_stride, 0);
    fill_random(c, ++seed);  // the padding holds values too: reading it changes the result
    cases.emplace_back("padded strides (+" + std::to_string(pad) + "), " + shape(c), c);
  }
  for (auto [m, n, k] : std::vector<std::tuple<std::size_t, std::size_t, std::size_t>>{{0, 5, 7}, {3, 0, 7}, {3, 5, 0}, {0, 0, 0}}) {
    GemmCase c = gmake(a_type, m, n, k, 0, 0);
    fill_random(c, ++seed);
    if (n > 0) c.bias.assign(n, -77);
    cases.emplace_back("empty dimension, " + shape(c), c);
  }
  return cases;
}

rc::Gen<std::int32_t> gen_value(std::int32_t lo, std::int32_t hi) {
  using namespace rc::gen;
  return weightedOneOf<std::int32_t>({{2, element(lo, hi)}, {3, inRange(lo, hi + 1)}, {1, inRange(std::max(lo, -3), std::min(hi, 3) + 1)}});
}

// A random GEMM; with `max_mn` rows/columns and a K that reaches every tail.
// `deep_k`: K sometimes past 4096 (GEMM; linear keeps K short, its oracle is costlier per column).
rc::Gen<GemmCase> gen_gemm(std::uint32_t a_type, bool allow_per_channel_zw, bool deep_k = true) {
  return rc::gen::exec([a_type, allow_per_channel_zw, deep_k] {
    using namespace rc::gen;
    GemmCase c;
    c.a_type = a_type;
    // Mostly small; sometimes M or N past 32 (remainder blocks), sometimes K past 4096 (then a
    // small M x N keeps the case cheap).
    const std::vector<std::size_t> deep = kit::deep_depths();
    c.k = deep_k ? *weightedOneOf<std::size_t>({{12, kit::gen_length(300)}, {1, elementOf(deep)}})
                 : *kit::gen_length(300);
    const bool is_deep = c.k > 4000;
    c.m = is_deep ? *inRange<std::size_t>(0, 4)
                  : *weightedOneOf<std::size_t>({{4, inRange<std::size_t>(0, 7)}, {1, inRange<std::size_t>(0, 41)}});
    c.n = is_deep ? *inRange<std::size_t>(0, 40)
                  : *weightedOneOf<std::size_t>({{3, inRange<std::size_t>(0, 20)}, {1, inRange<std::size_t>(0, 70)}});
    c.a_stride = c.k + *weightedOneOf<std::size_t>({{4, just<std::size_t>(0)}, {1, inRange<std::size_t>(1, 5)}});
    c.w_stride = c.k + *weightedOneOf<std::size_t>({{4, just<std::size_t>(0)}, {1, inRange<std::size_t>(1, 5)}});
    c.out_stride = c.n + *weightedOneOf<std::size_t>({{4, just<std::size_t>(0)}, {1, inRange<std::size_t>(1, 5)}});
    const std::int32_t lo = type_min(a_type), hi = type_max(a_type);
    c.a_zero_point = *gen_value(lo, hi);
    c.w_zero_point_per_channel = allow_per_channel_zw && *inRange(0, 3) == 0;
    c.w_zero_points = {*gen_value(-128, 127)};
    if (c.w_zero_point_per_channel) {
      c.w_zero_points.clear();
      for (std::size_t j = 0; j < c.n; ++j) c.w_zero_points.push_back(*gen_value(-128, 127));
      if (c.w_zero_points.empty()) c.w_zero_points = {0};
    }
    if (*inRange(0, 2) == 1) {
      for (std::size_t j = 0; j < c.n; ++j) {
        c.bias.push_back(*weightedOneOf<std::int32_t>({{1, element(INT32_MIN, INT32_MAX)}, {3, inRange(-100000, 100001)},
                                                       {1, arbitrary<std::int32_t>()}}));
      }
    }
    const bool extremes = *inRange(0, 3) == 0;  // all-extreme operands: overflow and pair saturation
    for (std::size_t i = 0; i < c.m * c.a_stride; ++i) c.a.push_back(extremes ? *element(lo, hi) : *inRange(lo, hi + 1));
    for (std::size_t i = 0; i < c.n * c.w_stride; ++i) c.w.push_back(extremes ? *element(-128, 127) : *inRange(-128, 128));
    c.placement.input_offset = *kit::gen_offset();
    c.placement.output_offset = *kit::gen_offset();
    return c;
  });
}

std::vector<kit::BadCall> gemm_bad_calls(const qs_kernel_table& table, std::uint32_t a_type) {
  std::vector<kit::BadCall> calls;
  auto add = [&](std::string what, std::function<void(GemmCase&)> edit) {
    GemmCase c = gmake(a_type, 2, 3, 4, 0, 0);
    edit(c);
    kit::BadCall bad;
    bad.what = what;
    bad.flavor = {a_type, QS_S8, false};
    bad.output_bytes = 4 * 2 * 8;
    bad.call = [&table, c](void* out) {
      std::vector<std::uint8_t> a(64, 1), w(64, 1);
      qs_gemm_params p{};
      p.a_type = c.a_type;
      p.a_zero_point = c.a_zero_point;
      p.w_zero_point = c.w_zero_points[0];
      p.w_zero_points = c.w_zero_point_per_channel ? kit::fenced_array(c.w_zero_points, "w_zero_points") : nullptr;
      return table.gemm(&p, kit::fenced_input(a, "a"), c.a_stride, reinterpret_cast<const std::int8_t*>(kit::fenced_input(w, "w")), c.w_stride,
                        static_cast<std::int32_t*>(out), c.out_stride, c.m, c.n, c.k);
    };
    calls.push_back(bad);
  };
  add("a_stride < k", [](GemmCase& c) { c.a_stride = c.k - 1; });
  add("w_stride < k", [](GemmCase& c) { c.w_stride = c.k - 1; });
  add("out_stride < n", [](GemmCase& c) { c.out_stride = c.n - 1; });
  add("a_zero_point below the type's range", [a_type](GemmCase& c) { c.a_zero_point = type_min(a_type) - 1; });
  add("a_zero_point above the type's range", [a_type](GemmCase& c) { c.a_zero_point = type_max(a_type) + 1; });
  add("w_zero_point = 128", [](GemmCase& c) { c.w_zero_points = {128}; });
  add("w_zero_point = -129", [](GemmCase& c) { c.w_zero_points = {-129}; });
  add("w_zero_points[2] = 128 (per column)", [](GemmCase& c) {
    c.w_zero_point_per_channel = true;
    c.w_zero_points = {0, 0, 128};
  });
  add("a_type outside the enum", [](GemmCase& c) { c.a_type = 2; });
  kit::BadCall null_params;
  null_params.what = "params = NULL";
  null_params.flavor = {a_type, QS_S8, false};
  null_params.call = [&table](void* out) {
    static const std::int8_t a[8] = {}, w[8] = {};
    return table.gemm(nullptr, kit::fenced_input(a, 8, "a"), 2, kit::fenced_input(w, 8, "w"), 2, static_cast<std::int32_t*>(out), 2, 2, 2, 2);
  };
  calls.push_back(null_params);
  return calls;
}

VariantSuite gemm_suite(std::uint32_t a_type) {
  VariantSuite s;
  s.op = "gemm";
  s.variant = element_type_name(a_type) + "*s8";
  s.probe = [a_type](const qs_kernel_table& table) {
    GemmCase c = gmake(a_type, 1, 2, 3, 0, 0);
    fill_random(c, 1);
    return kit::probe(table, std::vector<GemmCase>{c}, [](const Flavor& f) { return flavor_name(f, true, false, false); });
  };
  auto catalogue = [a_type](const std::string& name, GCases (*build)(std::uint32_t)) {
    return Check{name, false, [a_type, build](const qs_kernel_table& t, const Support& sup, const Settings&) {
                   return kit::run_cases(t, sup, build(a_type));
                 }};
  };
  s.checks.push_back(catalogue("WrapsTheInt32AccumulatorModulo2To32", wraps));
  s.checks.push_back(catalogue("NeverSaturatesInt16ProductPairs", pair_saturation));
  s.checks.push_back(catalogue("SubtractsZeroPointsAtTheBoundsAndPerColumn", zero_points));
  s.checks.push_back(catalogue("CoversEveryTailOfNAndK", tails));
  s.checks.push_back(catalogue("CoversEveryBlockOfMAndNAndDeepK", blocks));
  s.checks.push_back(catalogue("RespectsStridesPaddingAndEmptyShapes", strides));
  s.checks.push_back(kit::random_cases_check(
      "gemm", s.variant, [a_type](const Support&) { return gen_gemm(a_type, true); }, 2));
  s.checks.push_back(kit::bad_parameters_check("gemm", [a_type](const qs_kernel_table& t) { return gemm_bad_calls(t, a_type); }));
  return s;
}

// ---- Linear ------------------------------------------------------------------------------------

using LCases = std::vector<std::pair<std::string, LinearCase>>;

// TOSA apply_scale_32 REQUIREs acc in [-2^(shift-1), 2^(shift-1)); a GEMM accumulator can be any
// int32, so linear uses shifts >= 32 with the TOSA variants.
ChannelMultiplier for_linear(std::uint32_t variant, ChannelMultiplier m) {
  if (is_tosa32(variant) && m.shift < 32) m.shift = 32 + (m.shift % 31);
  return m;
}

LinearCase lmake(const RequantVariantKey& key, const Flavor& f, GemmCase g, const std::vector<ChannelMultiplier>& ms,
                 std::int32_t zy, std::int32_t act_min, std::int32_t act_max) {
  LinearCase c;
  g.a_type = f.input_type;
  for (auto& x : g.a) x = std::min(std::max(x, type_min(f.input_type)), type_max(f.input_type));
  g.a_zero_point = std::min(std::max(g.a_zero_point, type_min(f.input_type)), type_max(f.input_type));
  c.gemm = g;
  c.per_channel = f.per_channel;
  c.output_type = f.output_type;
  std::vector<ChannelMultiplier> channels;
  for (std::size_t j = 0; j < (f.per_channel ? std::max<std::size_t>(g.n, 1) : 1); ++j) {
    channels.push_back(for_linear(key.variant, ms[j % ms.size()]));
  }
  c.requant = requantization_for(key, channels, zy);
  c.act_min = act_min;
  c.act_max = act_max;
  return c;
}

std::vector<Flavor> all_linear_flavors() {
  std::vector<Flavor> flavors;
  for (std::uint32_t a : {QS_S8, QS_U8}) {
    for (std::uint32_t o : {QS_S8, QS_U8}) {
      for (bool pc : {false, true}) flavors.push_back({a, o, pc});
    }
  }
  return flavors;
}

std::string fname(const Flavor& f) { return flavor_name(f, true, true, true); }

LCases linear_activation(const RequantVariantKey& key) {
  LCases cases;
  std::uint64_t seed = 5;
  for (const Flavor& f : all_linear_flavors()) {
    const std::int32_t lo = type_min(f.output_type), hi = type_max(f.output_type);
    const std::int32_t zy = f.output_type == QS_S8 ? -5 : 120;
    const std::vector<std::pair<std::int32_t, std::int32_t>> acts = {
        {lo, hi}, {zy, hi} /* ReLU */, {zy, std::min(hi, zy + 24)} /* ReLU6-like */, {lo, lo}, {hi, hi}, {zy, zy}, {lo + 1, hi}};
    for (auto [amin, amax] : acts) {
      GemmCase g = gmake(f.input_type, 3, 17, 21, f.input_type == QS_S8 ? 2 : 130, -3);
      fill_random(g, ++seed);
      g.bias.assign(17, 0);
      for (std::size_t j = 0; j < 17; ++j) g.bias[j] = static_cast<std::int32_t>(j * 997) - 8000;
      ChannelMultiplier m = typical_channel_multiplier(key.variant, 4);
      cases.emplace_back("act [" + std::to_string(amin) + ", " + std::to_string(amax) + "], " + fname(f),
                         lmake(key, f, g, {m, typical_channel_multiplier(key.variant, 5)}, zy, amin, amax));
    }
  }
  return cases;
}

LCases linear_overflow(const RequantVariantKey& key) {
  LCases cases;
  for (const Flavor& f : all_linear_flavors()) {
    for (const auto& [name, g] : pair_saturation(f.input_type)) {
      if (g.k != 64 || g.n != 17) continue;
      const std::int32_t zy = f.output_type == QS_S8 ? 0 : 128;
      ChannelMultiplier m = typical_channel_multiplier(key.variant, 8);
      cases.emplace_back(name + ", " + fname(f),
                         lmake(key, f, g, {m}, zy, type_min(f.output_type), type_max(f.output_type)));
    }
    for (const auto& [name, g] : wraps(f.input_type)) {
      const std::int32_t zy = f.output_type == QS_S8 ? 0 : 128;
      cases.emplace_back(name + ", " + fname(f), lmake(key, f, g, {multiplier_near_one(key.variant)}, zy,
                                                       type_min(f.output_type), type_max(f.output_type)));
    }
  }
  return cases;
}

LCases linear_tails(const RequantVariantKey& key) {
  LCases cases;
  std::uint64_t seed = 77;
  for (const Flavor& f : all_linear_flavors()) {
    for (std::size_t n : {1u, 3u, 15u, 16u, 17u, 33u, 64u, 65u}) {
      for (std::size_t k : {0u, 1u, 7u, 16u, 17u, 64u, 65u}) {
        GemmCase g = gmake(f.input_type, 1 + (n + k) % 4, n, k, 1, 1);
        fill_random(g, ++seed);
        g.placement = {seed % 4, (seed / 4) % 4};
        std::vector<ChannelMultiplier> ms;
        for (int j = 0; j < 9; ++j) ms.push_back(typical_channel_multiplier(key.variant, j));
        const std::int32_t zy = f.output_type == QS_S8 ? 1 : 127;
        cases.emplace_back(shape(g) + ", " + fname(f), lmake(key, f, g, ms, zy, type_min(f.output_type), type_max(f.output_type)));
      }
    }
    // Rows and columns past 32 and a K past 4096 (kit::block_dimensions, kit::deep_depths).
    // One flavor per output type is enough here: the GEMM part is GEMM's, checked there for both.
    if (f.input_type != f.output_type) continue;
    for (auto [m, n, k] : std::vector<std::tuple<std::size_t, std::size_t, std::size_t>>{
             {33, 33, 17}, {65, 9, 3}, {9, 65, 5}, {2, 17, 4097}}) {
      GemmCase g = gmake(f.input_type, m, n, k, 1, 1);
      fill_random(g, ++seed);
      std::vector<ChannelMultiplier> ms;
      for (int j = 0; j < 9; ++j) ms.push_back(typical_channel_multiplier(key.variant, j));
      const std::int32_t zy = f.output_type == QS_S8 ? 1 : 127;
      cases.emplace_back(shape(g) + ", " + fname(f), lmake(key, f, g, ms, zy, type_min(f.output_type), type_max(f.output_type)));
    }
  }
  return cases;
}

rc::Gen<LinearCase> gen_linear(const RequantVariantKey& key, const Support& support) {
  return rc::gen::exec([key, support] {
    using namespace rc::gen;
    const Flavor f = *elementOf(support.supported);
    GemmCase g = *gen_gemm(f.input_type, true, false);
    const std::int32_t lo = type_min(f.output_type), hi = type_max(f.output_type);
    const std::int32_t zy = *weightedOneOf<std::int32_t>({{1, element(lo, hi)}, {3, inRange(lo, hi + 1)}});
    std::int32_t amin = lo, amax = hi;
    const int act = *weightedElement<int>({{4, 0}, {2, 1}, {2, 2}});
    if (act == 1) {
      amin = zy;  // ReLU
    } else if (act == 2) {
      amin = *inRange(lo, hi + 1);
      amax = *inRange(amin, hi + 1);
    }
    std::vector<ChannelMultiplier> ms;
    const std::size_t channels = f.per_channel ? std::max<std::size_t>(g.n, 1) : 1;
    const ChannelMultiplier first = *gen_channel_multiplier(key.variant);
    for (std::size_t j = 0; j < channels; ++j) {
      ChannelMultiplier m = j == 0 ? first : *gen_channel_multiplier(key.variant);
      m.input_scale = first.input_scale;
      m.output_scale = first.output_scale;
      ms.push_back(m);
    }
    return lmake(key, f, g, ms, zy, amin, amax);
  });
}

std::vector<kit::BadCall> linear_bad_calls(const qs_kernel_table& table, const RequantVariantKey& key) {
  std::vector<kit::BadCall> calls;
  for (const Flavor& f : all_linear_flavors()) {
    auto add = [&](std::string what, std::function<void(LinearCase&)> edit,
                   std::vector<qs_status> accepted = {QS_BAD_PARAMETERS}) {
      GemmCase g = gmake(f.input_type, 2, 3, 4, 0, 0);
      LinearCase c = lmake(key, f, g, {typical_channel_multiplier(key.variant, 1)}, f.output_type == QS_S8 ? 0 : 128,
                           type_min(f.output_type), type_max(f.output_type));
      edit(c);
      kit::BadCall bad;
      bad.what = what + " (" + fname(f) + ")";
      bad.flavor = f;
      bad.accepted = accepted;
      bad.output_bytes = 16;
      bad.call = [&table, c](void* out) {
        std::vector<std::uint8_t> a(64, 1), w(64, 1);
        qs_linear_params p{};
        p.gemm.a_type = c.gemm.a_type;
        p.gemm.a_zero_point = c.gemm.a_zero_point;
        p.gemm.w_zero_point = c.gemm.w_zero_points[0];
        p.requant = to_abi(c.requant, c.per_channel);
        p.per_channel = c.per_channel;
        p.output_type = c.output_type;
        p.act_min = c.act_min;
        p.act_max = c.act_max;
        return table.linear(&p, kit::fenced_input(a, "a"), c.gemm.a_stride, reinterpret_cast<const std::int8_t*>(kit::fenced_input(w, "w")),
                            c.gemm.w_stride, out, c.gemm.out_stride, c.gemm.m, c.gemm.n, c.gemm.k);
      };
      calls.push_back(bad);
    };
    add("act_min > act_max", [](LinearCase& c) {
      c.act_min = 10;
      c.act_max = 9;
    });
    add("act_min below the output type's range", [](LinearCase& c) { c.act_min = type_min(c.output_type) - 1; });
    add("act_max above the output type's range", [](LinearCase& c) { c.act_max = type_max(c.output_type) + 1; });
    add("output_zero_point above the output type's range",
        [](LinearCase& c) { c.requant.output_zero_point = type_max(c.output_type) + 1; });
    add("a_stride < k", [](LinearCase& c) { c.gemm.a_stride = c.gemm.k - 1; });
    add("a_zero_point outside the type's range", [](LinearCase& c) { c.gemm.a_zero_point = type_max(c.gemm.a_type) + 1; });
    add("output_type outside the enum", [](LinearCase& c) { c.output_type = 2; });
    add("variant outside the enum", [](LinearCase& c) { c.requant.variant = QS_REQUANT_DOUBLE_ROUND_WRAP + 1; });
    if (key.variant == QS_REQUANT_FP32) {
      add("scale = 0", [](LinearCase& c) { c.requant.scales.assign(c.requant.scales.size(), 0.0f); });
    } else if (key.variant == QS_REQUANT_IDEAL) {
      add("output_scale = 0", [](LinearCase& c) { c.requant.output_scale = 0.0f; });
    } else {
      add("multiplier = -1", [](LinearCase& c) { c.requant.multipliers.assign(c.requant.multipliers.size(), -1); });
      add("shift = 63", [](LinearCase& c) { c.requant.shifts.assign(c.requant.shifts.size(), 63); });
    }
  }
  return calls;
}

VariantSuite linear_suite(const RequantVariantKey& key) {
  VariantSuite s;
  s.op = "linear";
  s.variant = requant_variant_label(key);
  s.probe = [key](const qs_kernel_table& table) {
    std::vector<LinearCase> probes;
    for (const Flavor& f : all_linear_flavors()) {
      GemmCase g = gmake(f.input_type, 1, 2, 3, 0, 0);
      fill_random(g, 1);
      probes.push_back(lmake(key, f, g, {typical_channel_multiplier(key.variant, 0)}, 0, type_min(f.output_type),
                             type_max(f.output_type)));
    }
    return is_appended_selector(key.variant) ? kit::probe_appended_selector(table, probes, fname) : kit::probe(table, probes, fname);
  };
  auto catalogue = [key](const std::string& name, LCases (*build)(const RequantVariantKey&)) {
    return Check{name, false, [key, build](const qs_kernel_table& t, const Support& sup, const Settings&) {
                   return kit::run_cases(t, sup, build(key));
                 }};
  };
  s.checks.push_back(catalogue("ClampsToTheActivationBounds", linear_activation));
  s.checks.push_back(catalogue("WrapsAndNeverSaturatesBeforeRequantizing", linear_overflow));
  s.checks.push_back(catalogue("UsesColumnNParametersForEveryTail", linear_tails));
  s.checks.push_back(kit::random_cases_check(
      "linear", s.variant, [key](const Support& sup) { return gen_linear(key, sup); }, 2));
  s.checks.push_back(kit::bad_parameters_check("linear", [key](const qs_kernel_table& t) { return linear_bad_calls(t, key); }));
  return s;
}

}  // namespace

std::vector<VariantSuite> gemm_suites() { return {gemm_suite(QS_S8), gemm_suite(QS_U8)}; }

std::vector<VariantSuite> linear_suites() {
  std::vector<VariantSuite> suites;
  for (const RequantVariantKey& key : all_requant_variant_keys()) suites.push_back(linear_suite(key));
  return suites;
}

}  // namespace quantspec::conformance::ops
