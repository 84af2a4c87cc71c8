// Quantize (Q2): the edge-case catalogue, the property generator, the parameter-validation
// contract and the exhaustive binary32 sweep, for each division x rounding variant.
#include <cfloat>
#include <cmath>
#include <cstring>
#include <limits>

#include "check_kit.hpp"
#include "execute.hpp"
#include "ops.hpp"
#include "oracle.hpp"

namespace quantspec::conformance::ops {
namespace {

using Cases = std::vector<std::pair<std::string, QuantizeCase>>;

struct Variant {
  std::uint32_t division;
  std::uint32_t rounding;
  bool per_channel;
};

float from_bits(std::uint32_t bits) {
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

float ulps(float x, int count) {
  for (; count > 0; --count) x = std::nextafter(x, std::numeric_limits<float>::infinity());
  for (; count < 0; ++count) x = std::nextafter(x, -std::numeric_limits<float>::infinity());
  return x;
}

const std::uint32_t kTypes[] = {QS_S8, QS_U8};

QuantizeCase make(const Variant& v, std::uint32_t type, float scale, std::int32_t z, std::int32_t qmin,
                  std::int32_t qmax, std::vector<float> input) {
  QuantizeCase c;
  c.per_channel = v.per_channel;
  c.output_type = type;
  c.rounding = v.rounding;
  c.division = v.division;
  c.qmin = qmin;
  c.qmax = qmax;
  c.scales = {scale};
  c.zero_points = {z};
  c.input = std::move(input);
  return c;
}

QuantizeCase make_full(const Variant& v, std::uint32_t type, float scale, std::int32_t z,
                       std::vector<float> input) {
  return make(v, type, scale, z, type_min(type), type_max(type), std::move(input));
}

std::string label(const std::string& what, std::uint32_t type, float scale, std::int32_t z) {
  return what + " (" + element_type_name(type) + ", scale " + hex(scale) + ", zero_point " +
         std::to_string(z) + ")";
}

// Scales with at most 8 significant bits: (k + 1/2) * S is then exact in binary32.
const float kShortScales[] = {1.0f, 0.5f, 0.25f, 2.0f, 3.0f, 0.75f, 0x1p-10f, 0x1.8p-7f};

std::vector<std::int32_t> zero_points_for(std::uint32_t type, bool odd_only) {
  if (type == QS_S8) return odd_only ? std::vector<std::int32_t>{1, 3, -1, -5} : std::vector<std::int32_t>{0, 1, -3};
  return odd_only ? std::vector<std::int32_t>{1, 127, 129} : std::vector<std::int32_t>{128, 129, 0};
}

std::vector<float> ties(float scale, int ulp_offset) {
  std::vector<float> xs;
  for (int k = -6; k <= 6; ++k) xs.push_back(ulps((static_cast<float>(k) + 0.5f) * scale, ulp_offset));
  return xs;
}

Cases exact_ties(const Variant& v, bool odd_zero_points) {
  Cases cases;
  for (std::uint32_t type : kTypes) {
    for (float s : kShortScales) {
      for (std::int32_t z : zero_points_for(type, odd_zero_points)) {
        cases.emplace_back(label("k + 1/2 for k in [-6, 6]", type, s, z), make_full(v, type, s, z, ties(s, 0)));
      }
    }
  }
  return cases;
}

Cases one_ulp_around_ties(const Variant& v) {
  Cases cases;
  for (std::uint32_t type : kTypes) {
    for (float s : kShortScales) {
      for (int d : {-1, 1}) {
        const std::int32_t z = type == QS_S8 ? 0 : 128;
        cases.emplace_back(label(std::string("one ulp ") + (d < 0 ? "below" : "above") + " k + 1/2", type, s, z),
                           make_full(v, type, s, z, ties(s, d)));
      }
    }
  }
  return cases;
}

Cases special_inputs(const Variant& v) {
  const std::vector<float> specials = {0.0f, -0.0f, std::numeric_limits<float>::quiet_NaN(),
                                       -std::numeric_limits<float>::quiet_NaN(), from_bits(0x7fc00001u),
                                       from_bits(0x7f800001u), from_bits(0xffbfffffu),
                                       std::numeric_limits<float>::infinity(),
                                       -std::numeric_limits<float>::infinity()};
  Cases cases;
  for (std::uint32_t type : kTypes) {
    for (float s : {1.0f, 0.1f}) {
      for (std::int32_t z : {type_min(type), type_max(type), type == QS_S8 ? 0 : 128, 5}) {
        cases.emplace_back(label("-0.0, NaNs, +-Inf", type, s, z), make_full(v, type, s, z, specials));
      }
    }
  }
  return cases;
}

Cases subnormals(const Variant& v) {
  const std::vector<float> scales = {0x1p-149f, 0x1p-140f, 0x1.8p-130f, 0x1.fffffcp-127f, 0x1p-126f, 1.0f, 0.5f};
  const std::vector<float> inputs = {0x1p-149f,  -0x1p-149f, 0x1.8p-148f, -0x1.8p-148f, 0x1p-140f,
                                     0x1.8p-140f, -0x1.4p-139f, 0x1p-126f, 0x1.fffffcp-127f, 1e-30f,
                                     -1e-30f,    1.0f,       -1.0f,      0x1p-120f,    0x1.8p-126f};
  Cases cases;
  for (std::uint32_t type : kTypes) {
    for (float s : scales) {
      const std::int32_t z = type == QS_S8 ? 0 : 128;
      cases.emplace_back(label("subnormal inputs and scales", type, s, z), make_full(v, type, s, z, inputs));
    }
  }
  return cases;
}

Cases beyond_int32(const Variant& v) {
  Cases cases;
  for (std::uint32_t type : kTypes) {
    for (float s : {1.0f, 0x1p-20f, 1e-10f, 0x1p-149f, 0.1f}) {
      std::vector<float> xs;
      // 2^30 and its neighbours: where a kernel that clamps in the integer domain may cap t.
      for (double t : {0x1p31, 0x1p31 + 256, 0x1p32, 0x1p40, 3e9, 0x1.fffffep30, 0x1p30,
                       0x1.000002p30, 0x1.fffffep29}) {
        xs.push_back(static_cast<float>(t * s));
        xs.push_back(static_cast<float>(-t * s));
      }
      for (float big : {FLT_MAX, 1e20f, 2147483520.0f, 2147483648.0f}) {
        xs.push_back(big);
        xs.push_back(-big);
      }
      const std::int32_t z = type == QS_S8 ? 0 : 128;
      cases.emplace_back(label("|x / S| at and beyond 2^31", type, s, z), make_full(v, type, s, z, xs));
    }
  }
  return cases;
}

Cases clamp_ranges(const Variant& v) {
  struct Bounds {
    std::int32_t qmin, qmax;
  };
  Cases cases;
  for (std::uint32_t type : kTypes) {
    const std::vector<Bounds> bounds =
        type == QS_S8 ? std::vector<Bounds>{{-127, 127}, {-128, 127}, {0, 0}, {5, 5}, {-128, -128}, {127, 127}, {-10, 20}}
                      : std::vector<Bounds>{{1, 255}, {0, 255}, {0, 0}, {255, 255}, {128, 128}, {10, 20}};
    for (const Bounds& b : bounds) {
      for (std::int32_t z : {b.qmin, b.qmax, (b.qmin + b.qmax) / 2}) {
        for (float s : {1.0f, 0.5f}) {
          std::vector<float> xs;
          for (std::int32_t edge : {b.qmin, b.qmax}) {
            for (float d : {-1.5f, -1.0f, -0.5f, 0.0f, 0.5f, 1.0f, 1.5f}) {
              xs.push_back((static_cast<float>(edge - z) + d) * s);
            }
          }
          xs.push_back(1000.0f * s);
          xs.push_back(-1000.0f * s);
          cases.emplace_back("bounds [" + std::to_string(b.qmin) + ", " + std::to_string(b.qmax) + "] " +
                                 label("", type, s, z),
                             make(v, type, s, z, b.qmin, b.qmax, xs));
        }
      }
    }
  }
  return cases;
}

Cases binary32_intermediates(const Variant& v) {
  Cases cases;
  const std::vector<float> scales = {0.1f, 0.3f, 1.0f / 3.0f, 0.7f, 1e-3f, 3.3e-5f, 0.0086f, 2.54f, 6.1e-5f, 1.0f / 255.0f};
  for (std::uint32_t type : kTypes) {
    for (float s : scales) {
      std::vector<float> xs;
      for (int k : {-128, -100, -64, -63, -7, -2, -1, 0, 1, 2, 7, 63, 64, 100, 126}) {
        const float tie = static_cast<float>((k + 0.5) * static_cast<double>(s));
        for (int d = -2; d <= 2; ++d) xs.push_back(ulps(tie, d));
      }
      const std::int32_t z = type == QS_S8 ? 0 : 128;
      cases.emplace_back(label("fl32((k + 1/2) * S) +- 2 ulps", type, s, z), make_full(v, type, s, z, xs));
    }
  }
  return cases;
}

Cases every_length(const Variant& v) {
  Cases cases;
  kit::Random random(0x5eed);
  std::size_t i = 0;
  for (std::size_t n : kit::interesting_lengths()) {
    for (std::uint32_t type : kTypes) {
      if (n == kit::kLargeLength && type != kTypes[0]) continue;  // the large length once: it is about size-dependent paths, not types
      const float s = 0.25f;
      const std::int32_t z = type == QS_S8 ? -1 : 127;
      std::vector<float> xs(n);
      for (float& x : xs) x = static_cast<float>(random.in(-700, 700)) * 0.125f * s;
      QuantizeCase c = make_full(v, type, s, z, xs);
      c.placement = {i % 4, (i / 4) % 4};
      ++i;
      cases.emplace_back("length " + std::to_string(n) + " " + label("", type, s, z), c);
    }
  }
  return cases;
}

// Per-channel: element i must use channel i % C, for channel counts around the lane counts.
Cases channel_index(const Variant& v) {
  Cases cases;
  for (std::uint32_t type : kTypes) {
    for (std::size_t channels : kit::channel_counts()) {
      if (channels > 65536 && type != QS_S8) continue;  // one type is enough for the costly count
      QuantizeCase c = make_full(v, type, 1.0f, 0, {});
      c.scales.clear();
      c.zero_points.clear();
      for (std::size_t ch = 0; ch < channels; ++ch) {
        const int index = kit::channel_parameter_index(ch);
        c.scales.push_back(std::ldexp(1.0f, -(index % 7)));  // 1, 1/2, ... 1/64
        c.zero_points.push_back(type_min(type) + (index * 37) % 200);
      }
      const std::size_t n = kit::per_channel_length(channels);
      for (std::size_t i = 0; i < n; ++i) c.input.push_back(0.75f + static_cast<float>(i % 5));
      cases.emplace_back("element i uses channel i % " + std::to_string(channels) + " (" +
                             element_type_name(type) + ")",
                         c);
    }
  }
  return cases;
}

// A per-tensor case list run through the per-channel slot with one channel.
Cases as_variant(const Variant& v, Cases cases) {
  for (auto& [name, c] : cases) c.per_channel = v.per_channel;
  return cases;
}

// ---- Property generators -----------------------------------------------------------------------

rc::Gen<float> gen_scale() {
  using namespace rc::gen;
  return weightedOneOf<float>({
      {4, map(inRange(-20, 11), [](int e) { return std::ldexp(1.0f, e); })},
      {3, map(tuple(inRange(0, 16), inRange(-12, 6)),
              [](const std::tuple<int, int>& t) { return std::ldexp(1.0f + std::get<0>(t) / 16.0f, std::get<1>(t)); })},
      {3, map(tuple(inRange<std::uint32_t>(0, 1u << 23), inRange(-20, 5)),
              [](const std::tuple<std::uint32_t, int>& t) {
                return std::ldexp(1.0f + static_cast<float>(std::get<0>(t)) / 8388608.0f, std::get<1>(t));
              })},
      {1, map(inRange<std::uint32_t>(1, 0x800000u), from_bits)},
      {1, element(0x1p-126f, 0x1p-100f, 0x1p20f, 0x1p100f, 3e38f)},
      {2, element(0.1f, 1.0f / 255.0f, 2.0f / 255.0f, 0.0078125f, 0.05f, 6.0f / 255.0f)},
  });
}

rc::Gen<std::int32_t> gen_zero_point(std::int32_t qmin, std::int32_t qmax) {
  using namespace rc::gen;
  const std::int32_t zero = std::min(std::max(0, qmin), qmax);
  const std::int32_t mid = std::min(std::max(128, qmin), qmax);
  return weightedOneOf<std::int32_t>({
      {1, just(qmin)}, {1, just(qmax)}, {1, just(zero)}, {1, just(mid)},
      {3, inRange(qmin, qmax + 1)},
  });
}

rc::Gen<float> gen_input(float s, std::int32_t z, std::int32_t qmin, std::int32_t qmax) {
  using namespace rc::gen;
  auto scaled = [s](double t) { return static_cast<float>(t * static_cast<double>(s)); };
  return weightedOneOf<float>({
      {3, map(inRange(-300, 301), [=](int k) { return scaled(k + 0.5); })},
      {2, map(tuple(inRange(-300, 301), inRange(-3, 4)),
              [=](const std::tuple<int, int>& t) { return ulps(scaled(std::get<0>(t) + 0.5), std::get<1>(t)); })},
      {2, map(inRange(-300, 301), [=](int k) { return scaled(k); })},
      {2, map(tuple(element(qmin, qmax), inRange(-3, 4)),
              [=](const std::tuple<std::int32_t, int>& t) { return scaled(std::get<0>(t) - z + std::get<1>(t) * 0.5); })},
      {1, element(0.0f, -0.0f, std::numeric_limits<float>::quiet_NaN(), std::numeric_limits<float>::infinity(),
                  -std::numeric_limits<float>::infinity(), FLT_MAX, -FLT_MAX, 0x1p-149f, -0x1p-149f)},
      {1, map(tuple(inRange(31, 41), element(1.0, -1.0)),
              [=](const std::tuple<int, double>& t) { return scaled(std::ldexp(std::get<1>(t), std::get<0>(t))); })},
      {1, map(arbitrary<std::uint32_t>(), from_bits)},
      {2, map(inRange(-4000000, 4000001), [=](int r) { return scaled(r / 8192.0); })},
  });
}

rc::Gen<QuantizeCase> gen_case(const Variant& v, const Support& support) {
  return rc::gen::exec([v, support] {
    using namespace rc::gen;
    QuantizeCase c;
    c.per_channel = v.per_channel;
    c.rounding = v.rounding;
    c.division = v.division;
    c.output_type = (*elementOf(support.supported)).output_type;
    const std::int32_t lo = type_min(c.output_type), hi = type_max(c.output_type);
    const int bounds_kind = *weightedElement<int>({{5, 0}, {2, 1}, {2, 2}, {1, 3}});
    c.qmin = lo;
    c.qmax = hi;
    if (bounds_kind == 1) {
      c.qmin = lo + 1;  // narrow range
    } else if (bounds_kind == 2) {
      c.qmin = *inRange(lo, hi + 1);
      c.qmax = *inRange(c.qmin, hi + 1);
    } else if (bounds_kind == 3) {
      c.qmin = c.qmax = *inRange(lo, hi + 1);
    }
    const std::size_t channels =
        v.per_channel ? *weightedOneOf<std::size_t>({{3, elementOf(std::vector<std::size_t>{1, 2, 3, 4, 7, 16, 17, 64, 65})},
                                                     {1, inRange<std::size_t>(1, 80)}})
                      : 1;
    c.scales.clear();
    c.zero_points.clear();
    for (std::size_t ch = 0; ch < channels; ++ch) {
      c.scales.push_back(*gen_scale());
      c.zero_points.push_back(*gen_zero_point(c.qmin, c.qmax));
    }
    const std::size_t n = *kit::gen_length();
    for (std::size_t i = 0; i < n; ++i) {
      const std::size_t ch = i % channels;
      c.input.push_back(*gen_input(c.scales[ch], c.zero_points[ch], c.qmin, c.qmax));
    }
    c.placement.input_offset = *kit::gen_offset();
    c.placement.output_offset = *kit::gen_offset();
    return c;
  });
}

// ---- Parameter validation ----------------------------------------------------------------------

std::vector<kit::BadCall> bad_calls(const qs_kernel_table& table, const Variant& v) {
  std::vector<kit::BadCall> calls;
  auto* const fn = v.per_channel ? table.quantize_per_channel : table.quantize;
  static const float kInput[4] = {0.5f, -1.0f, 2.0f, 100.0f};
  for (std::uint32_t type : kTypes) {
    const Flavor flavor{QS_S8, type, v.per_channel};
    auto add = [&](std::string what, std::function<void(qs_quantize_params&, std::vector<float>&, std::vector<std::int32_t>&)> edit) {
      kit::BadCall bad;
      bad.what = what + " (" + element_type_name(type) + ")";
      bad.flavor = flavor;
      bad.call = [=](void* out) {
        std::vector<float> scales = {0.5f, 0.25f, 1.0f};
        std::vector<std::int32_t> zps = {type_min(type), type_min(type) + 1, type_max(type)};
        qs_quantize_params p{};
        p.output_type = type;
        p.rounding = v.rounding;
        p.division = v.division;
        p.qmin = type_min(type);
        p.qmax = type_max(type);
        p.scale = 0.5f;
        p.zero_point = type_min(type) + 1;
        if (v.per_channel) {
          p.channels = 3;
          p.scales = scales.data();  // edits below change elements in place or set NULL
          p.zero_points = zps.data();
        }
        edit(p, scales, zps);
        if (p.scales == scales.data()) p.scales = kit::fenced_array(scales, "scales");
        if (p.zero_points == zps.data()) p.zero_points = kit::fenced_array(zps, "zero_points");
        return fn(&p, kit::fenced_input(kInput, 4, "input"), out, 4);
      };
      calls.push_back(bad);
    };
    const float nan = std::numeric_limits<float>::quiet_NaN(), inf = std::numeric_limits<float>::infinity();
    for (float bad_scale : {0.0f, -0.0f, -1.0f, nan, inf, -0x1p-149f}) {
      add("scale = " + hex(bad_scale), [=](qs_quantize_params& p, std::vector<float>& s, std::vector<std::int32_t>&) {
        p.scale = bad_scale;
        s[1] = bad_scale;
      });
    }
    add("zero_point = qmin - 1", [=](qs_quantize_params& p, std::vector<float>&, std::vector<std::int32_t>& z) {
      p.qmin = type_min(type) + 1;
      p.zero_point = type_min(type);
      z = {p.qmin, type_min(type), p.qmin};
    });
    add("zero_point = qmax + 1", [=](qs_quantize_params& p, std::vector<float>&, std::vector<std::int32_t>& z) {
      p.qmax = type_max(type) - 1;
      p.zero_point = type_max(type);
      z = {p.qmax, type_max(type), p.qmax};
    });
    add("qmin > qmax", [=](qs_quantize_params& p, std::vector<float>&, std::vector<std::int32_t>&) {
      p.qmin = type_min(type) + 5;
      p.qmax = type_min(type) + 4;
    });
    add("qmin below the type's range", [=](qs_quantize_params& p, std::vector<float>&, std::vector<std::int32_t>&) {
      p.qmin = type_min(type) - 1;
    });
    add("qmax above the type's range", [=](qs_quantize_params& p, std::vector<float>&, std::vector<std::int32_t>&) {
      p.qmax = type_max(type) + 1;
    });
    add("rounding outside the enum", [](qs_quantize_params& p, std::vector<float>&, std::vector<std::int32_t>&) { p.rounding = 5; });
    add("division outside the enum", [](qs_quantize_params& p, std::vector<float>&, std::vector<std::int32_t>&) { p.division = 3; });
    add("output_type outside the enum", [](qs_quantize_params& p, std::vector<float>&, std::vector<std::int32_t>&) { p.output_type = 2; });
    if (v.per_channel) {
      add("channels = 0", [](qs_quantize_params& p, std::vector<float>&, std::vector<std::int32_t>&) { p.channels = 0; });
      add("scales = NULL", [](qs_quantize_params& p, std::vector<float>&, std::vector<std::int32_t>&) { p.scales = nullptr; });
      add("zero_points = NULL", [](qs_quantize_params& p, std::vector<float>&, std::vector<std::int32_t>&) { p.zero_points = nullptr; });
    }
    kit::BadCall null_params;
    null_params.what = "params = NULL";
    null_params.flavor = flavor;
    null_params.call = [fn](void* out) { return fn(nullptr, kit::fenced_input(kInput, 4, "input"), out, 4); };
    calls.push_back(null_params);
  }
  return calls;
}

// ---- Exhaustive sweep --------------------------------------------------------------------------

CheckResult sweep_every_binary32(const qs_kernel_table& table, const Support& support, const Settings& settings,
                                 const Variant& v) {
  constexpr std::size_t kChunk = 1u << 16;
  constexpr std::size_t kChunks = (std::size_t{1} << 32) / kChunk;
  const std::vector<float> scales = {1.0f, 0.1f, 1.0f / 255.0f, 3.0f, 0x1p-149f, 0x1.fffffep-1f};
  std::size_t calls = 0, unit = 0;
  std::vector<float> input(kChunk);
  for (const Flavor& flavor : support.supported) {
    for (float s : scales) {
      const std::int32_t z = flavor.output_type == QS_S8 ? 1 : 128;
      QuantizeCase c = make_full(v, flavor.output_type, s, z, {});
      const ref::QuantizeParams params = oracle::quantize_params(c, 0);
      std::vector<std::uint8_t> out(kChunk);
      qs_quantize_params p{};
      p.output_type = c.output_type;
      p.rounding = c.rounding;
      p.division = c.division;
      p.qmin = c.qmin;
      p.qmax = c.qmax;
      p.scale = s;
      p.zero_point = z;
      p.scales = c.scales.data();
      p.zero_points = c.zero_points.data();
      p.channels = 1;
      auto* const fn = v.per_channel ? table.quantize_per_channel : table.quantize;
      for (std::size_t chunk = 0; chunk < kChunks; ++chunk, ++unit) {
        if (!settings.shard.owns(unit)) continue;
        for (std::size_t i = 0; i < kChunk; ++i) input[i] = from_bits(static_cast<std::uint32_t>(chunk * kChunk + i));
        ++calls;
        if (fn(&p, input.data(), out.data(), kChunk) != QS_OK) {
          return kit::failure("exhaustive sweep: call failed\n" + describe(c), calls);
        }
        for (std::size_t i = 0; i < kChunk; ++i) {
          const std::int32_t expected = oracle::quantize(input[i], params, OracleMode::fast);
          const std::int32_t got = flavor.output_type == QS_S8 ? static_cast<std::int8_t>(out[i]) : out[i];
          if (got != expected) {
            c.input = {input[i]};
            const Outcome o = run_case(table, c, OracleMode::fast);
            return kit::failure("exhaustive sweep found (re-run alone):\n" +
                                    (o.failed() ? kit::confirm(table, c, o) : describe(c) + "  expected " +
                                         std::to_string(expected) + ", got " + std::to_string(got) + " in bulk only\n"),
                                calls);
          }
        }
        if (settings.progress && chunk % 4096 == 0) {
          settings.progress("binary32 sweep, scale " + hex(s) + ", " + element_type_name(flavor.output_type) + ": " +
                            std::to_string(chunk * 100 / kChunks) + "%");
        }
      }
    }
  }
  return {CheckResult::Verdict::pass, "", calls};
}

VariantSuite suite_for(const Variant& v) {
  VariantSuite s;
  s.op = v.per_channel ? "quantize_per_channel" : "quantize";
  s.variant = division_name(v.division) + " " + rounding_name(v.rounding);
  s.probe = [v](const qs_kernel_table& table) {
    std::vector<QuantizeCase> probes;
    for (std::uint32_t type : kTypes) probes.push_back(make_full(v, type, 0.5f, type == QS_S8 ? 0 : 128, {1.0f, -2.25f}));
    return kit::probe(table, probes, [](const Flavor& f) { return flavor_name(f, false, true, false); });
  };
  auto catalogue = [v](const std::string& name, Cases (*build)(const Variant&)) {
    return Check{name, false, [v, build](const qs_kernel_table& t, const Support& sup, const Settings&) {
                   return kit::run_cases(t, sup, as_variant(v, build(v)));
                 }};
  };
  s.checks.push_back(catalogue("RoundsExactTiesByItsRule", [](const Variant& v) { return exact_ties(v, false); }));
  s.checks.push_back(catalogue("RoundsBeforeAddingAnOddZeroPoint", [](const Variant& v) { return exact_ties(v, true); }));
  s.checks.push_back(catalogue("DecidesOneUlpEitherSideOfTies", one_ulp_around_ties));
  s.checks.push_back(catalogue("MapsSignedZeroNaNAndInfinities", special_inputs));
  s.checks.push_back(catalogue("HandlesSubnormalInputsAndScales", subnormals));
  s.checks.push_back(catalogue("SaturatesQuotientsBeyondInt32", beyond_int32));
  s.checks.push_back(catalogue("ClampsToNarrowDegenerateAndOffsetRanges", clamp_ranges));
  s.checks.push_back(catalogue("FollowsBinary32IntermediateRounding", binary32_intermediates));
  s.checks.push_back(catalogue("WritesEveryLengthExactlyOnce", every_length));
  if (v.per_channel) s.checks.push_back(catalogue("UsesChannelIModChannels", channel_index));
  s.checks.push_back(kit::random_cases_check(s.op, s.variant, [v](const Support& sup) { return gen_case(v, sup); }));
  s.checks.push_back(kit::bad_parameters_check(s.op, [v](const qs_kernel_table& t) { return bad_calls(t, v); }));
  s.checks.push_back(Check{"MatchesReferenceOnEveryBinary32", true,
                           [v](const qs_kernel_table& t, const Support& sup, const Settings& set) {
                             return sweep_every_binary32(t, sup, set, v);
                           }});
  return s;
}

}  // namespace

std::vector<VariantSuite> quantize_suites() {
  std::vector<VariantSuite> suites;
  for (bool per_channel : {false, true}) {
    for (std::uint32_t division : {QS_DIV_F32_DIVIDE, QS_DIV_F32_RECIPROCAL, QS_DIV_EXACT}) {
      for (std::uint32_t rounding = QS_ROUND_HALF_EVEN; rounding <= QS_ROUND_FLOOR; ++rounding) {
        suites.push_back(suite_for({division, rounding, per_channel}));
      }
    }
  }
  return suites;
}

}  // namespace quantspec::conformance::ops
