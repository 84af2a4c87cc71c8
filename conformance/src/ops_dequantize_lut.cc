// Dequantize (Q3) and LUT: catalogue, properties and parameter validation.
#include <cfloat>
#include <cstring>
#include <cmath>
#include <limits>

#include "check_kit.hpp"
#include "execute.hpp"
#include "ops.hpp"

namespace quantspec::conformance::ops {
namespace {

const std::uint32_t kTypes[] = {QS_S8, QS_U8};

std::vector<std::int32_t> every_value(std::uint32_t type) {
  std::vector<std::int32_t> v;
  for (std::int32_t q = type_min(type); q <= type_max(type); ++q) v.push_back(q);
  return v;
}

// ---- Dequantize --------------------------------------------------------------------------------

using DCases = std::vector<std::pair<std::string, DequantizeCase>>;

DequantizeCase dmake(bool per_channel, std::uint32_t type, float s, std::int32_t z, std::vector<std::int32_t> input) {
  DequantizeCase c;
  c.per_channel = per_channel;
  c.input_type = type;
  c.scales = {s};
  c.zero_points = {z};
  c.input = std::move(input);
  return c;
}

// Every q for scales whose product (q - Z) * S needs rounding, overflows or is subnormal.
DCases every_value_cases(bool per_channel) {
  DCases cases;
  for (std::uint32_t type : kTypes) {
    for (float s : {1.0f, 0.1f, 1.0f / 3.0f, 0x1.fffffep-1f, 0x1p-149f, 0x1.8p-140f, 0x1.fffffep127f, 0x1p120f, 1e-3f}) {
      for (std::int32_t z : {type_min(type), type_max(type), type == QS_S8 ? 0 : 128, 1}) {
        cases.emplace_back("every q, scale " + hex(s) + ", zero_point " + std::to_string(z) + " (" +
                               element_type_name(type) + ")",
                           dmake(per_channel, type, s, z, every_value(type)));
      }
    }
  }
  return cases;
}

DCases dequantize_lengths(bool per_channel) {
  DCases cases;
  std::size_t i = 0;
  for (std::size_t n : kit::interesting_lengths()) {
    for (std::uint32_t type : kTypes) {
      if (n == kit::kLargeLength && type != kTypes[0]) continue;  // the large length once: it is about size-dependent paths, not types
      std::vector<std::int32_t> input(n);
      for (std::size_t j = 0; j < n; ++j) input[j] = type_min(type) + static_cast<std::int32_t>((j * 97 + n) % 256);
      DequantizeCase c = dmake(per_channel, type, 0.37f, type == QS_S8 ? -3 : 131, input);
      c.placement = {i % 4, (i / 4) % 4};
      ++i;
      cases.emplace_back("length " + std::to_string(n) + " (" + element_type_name(type) + ")", c);
    }
  }
  return cases;
}

DCases dequantize_channels() {
  DCases cases;
  for (std::uint32_t type : kTypes) {
    for (std::size_t channels : kit::channel_counts()) {
      if (channels > 65536 && type != QS_S8) continue;  // one type is enough for the costly count
      DequantizeCase c = dmake(true, type, 1.0f, 0, {});
      c.scales.clear();
      c.zero_points.clear();
      for (std::size_t ch = 0; ch < channels; ++ch) {
        const int index = kit::channel_parameter_index(ch);
        c.scales.push_back(std::ldexp(1.0f, index % 9));
        c.zero_points.push_back(type_min(type) + (index * 41) % 256);
      }
      for (std::size_t j = 0; j < kit::per_channel_length(channels); ++j) c.input.push_back(type_min(type) + static_cast<std::int32_t>(j % 200));
      cases.emplace_back("element i uses channel i % " + std::to_string(channels) + " (" + element_type_name(type) + ")", c);
    }
  }
  return cases;
}

rc::Gen<DequantizeCase> gen_dequantize(bool per_channel, const Support& support) {
  return rc::gen::exec([per_channel, support] {
    using namespace rc::gen;
    DequantizeCase c;
    c.per_channel = per_channel;
    c.input_type = (*elementOf(support.supported)).input_type;
    const std::int32_t lo = type_min(c.input_type), hi = type_max(c.input_type);
    const std::size_t channels = per_channel ? *inRange<std::size_t>(1, 70) : 1;
    c.scales.clear();
    c.zero_points.clear();
    for (std::size_t ch = 0; ch < channels; ++ch) {
      c.scales.push_back(*weightedOneOf<float>({
          {4, map(tuple(inRange<std::uint32_t>(0, 1u << 23), inRange(-30, 10)),
                  [](const std::tuple<std::uint32_t, int>& t) {
                    return std::ldexp(1.0f + static_cast<float>(std::get<0>(t)) / 8388608.0f, std::get<1>(t));
                  })},
          {1, map(inRange<std::uint32_t>(1, 0x7f800000u), [](std::uint32_t bits) {
                float f;
                std::memcpy(&f, &bits, 4);
                return f;
              })},
      }));
      c.zero_points.push_back(*weightedOneOf<std::int32_t>({{1, element(lo, hi)}, {3, inRange(lo, hi + 1)}}));
    }
    const std::size_t n = *kit::gen_length();
    for (std::size_t i = 0; i < n; ++i) c.input.push_back(*inRange(lo, hi + 1));
    c.placement.input_offset = *kit::gen_offset();
    c.placement.output_offset = *kit::gen_offset();
    return c;
  });
}

std::vector<kit::BadCall> dequantize_bad_calls(const qs_kernel_table& table, bool per_channel) {
  std::vector<kit::BadCall> calls;
  auto* const fn = per_channel ? table.dequantize_per_channel : table.dequantize;
  for (std::uint32_t type : kTypes) {
    auto add = [&](std::string what, std::function<void(qs_dequantize_params&)> edit) {
      kit::BadCall bad;
      bad.what = what + " (" + element_type_name(type) + ")";
      bad.flavor = {type, QS_S8, per_channel};
      bad.call = [=](void* out) {
        static const std::uint8_t input[4] = {1, 2, 3, 200};
        const float scales[2] = {0.5f, 0.25f};
        const std::int32_t zps[2] = {type_min(type), type_max(type)};
        qs_dequantize_params p{};
        p.input_type = type;
        p.scale = 0.5f;
        p.zero_point = type_min(type);
        if (per_channel) {
          p.scales = scales;
          p.zero_points = zps;
          p.channels = 2;
        }
        float bad_scales[2] = {scales[0], scales[1]};
        std::int32_t bad_zps[2] = {zps[0], zps[1]};
        edit(p);
        if (per_channel) {  // the per-tensor edit, applied to channel 1
          bad_scales[1] = p.scale;
          bad_zps[1] = p.zero_point;
          if (p.scales == scales) p.scales = kit::fenced_array(bad_scales, 2, "scales");
          if (p.zero_points == zps) p.zero_points = kit::fenced_array(bad_zps, 2, "zero_points");
        }
        return fn(&p, kit::fenced_input(input, 4, "input"), static_cast<float*>(out), 4);
      };
      bad.output_bytes = 16;
      calls.push_back(bad);
    };
    for (float s : {0.0f, -1.0f, std::numeric_limits<float>::quiet_NaN(), std::numeric_limits<float>::infinity()}) {
      add("scale = " + hex(s), [s](qs_dequantize_params& p) { p.scale = s; });
    }
    add("zero_point below the type's range", [type](qs_dequantize_params& p) { p.zero_point = type_min(type) - 1; });
    add("zero_point above the type's range", [type](qs_dequantize_params& p) { p.zero_point = type_max(type) + 1; });
    add("input_type outside the enum", [](qs_dequantize_params& p) { p.input_type = 2; });
    if (per_channel) {
      add("channels = 0", [](qs_dequantize_params& p) { p.channels = 0; });
      add("scales = NULL", [](qs_dequantize_params& p) { p.scales = nullptr; });
      add("zero_points = NULL", [](qs_dequantize_params& p) { p.zero_points = nullptr; });
    }
    kit::BadCall null_params;
    null_params.what = "params = NULL";
    null_params.flavor = {type, QS_S8, per_channel};
    null_params.output_bytes = 16;
    null_params.call = [fn](void* out) {
      static const std::uint8_t input[4] = {1, 2, 3, 4};
      return fn(nullptr, kit::fenced_input(input, 4, "input"), static_cast<float*>(out), 4);
    };
    calls.push_back(null_params);
  }
  return calls;
}

VariantSuite dequantize_suite(bool per_channel) {
  VariantSuite s;
  s.op = per_channel ? "dequantize_per_channel" : "dequantize";
  s.variant = "fl32";
  s.probe = [per_channel](const qs_kernel_table& table) {
    std::vector<DequantizeCase> probes;
    for (std::uint32_t type : kTypes) probes.push_back(dmake(per_channel, type, 0.5f, type == QS_S8 ? 0 : 128, {1, 100}));
    return kit::probe(table, probes, [](const Flavor& f) { return flavor_name(f, true, false, false); });
  };
  auto catalogue = [](const std::string& name, std::function<DCases()> build) {
    return Check{name, false, [build](const qs_kernel_table& t, const Support& sup, const Settings&) {
                   return kit::run_cases(t, sup, build());
                 }};
  };
  s.checks.push_back(catalogue("RoundsEveryValueOnceToBinary32", [per_channel] { return every_value_cases(per_channel); }));
  s.checks.push_back(catalogue("WritesEveryLengthExactlyOnce", [per_channel] { return dequantize_lengths(per_channel); }));
  if (per_channel) s.checks.push_back(catalogue("UsesChannelIModChannels", dequantize_channels));
  s.checks.push_back(kit::random_cases_check(
      s.op, "fl32", [per_channel](const Support& sup) { return gen_dequantize(per_channel, sup); }));
  s.checks.push_back(kit::bad_parameters_check(
      s.op, [per_channel](const qs_kernel_table& t) { return dequantize_bad_calls(t, per_channel); }));
  return s;
}

// ---- LUT ---------------------------------------------------------------------------------------

using LCases = std::vector<std::pair<std::string, LutCase>>;

LutCase lmake(std::uint32_t type, std::uint64_t seed, std::vector<std::int32_t> input) {
  LutCase c;
  c.element_type = type;
  kit::Random random(seed);
  for (auto& entry : c.table) entry = static_cast<std::int32_t>(random.in(type_min(type), type_max(type)));
  c.input = std::move(input);
  return c;
}

LCases lut_every_index(std::uint32_t type) {
  LCases cases;
  for (std::uint64_t seed : {1u, 2u, 3u}) {
    cases.emplace_back("every input byte, random table " + std::to_string(seed), lmake(type, seed, every_value(type)));
  }
  LutCase identity = lmake(type, 0, every_value(type));
  for (std::size_t i = 0; i < 256; ++i) identity.table[i] = static_cast<std::int32_t>(type == QS_S8 ? static_cast<std::int8_t>(i) : i);
  cases.emplace_back("identity table", identity);
  return cases;
}

LCases lut_lengths(std::uint32_t type) {
  LCases cases;
  std::size_t i = 0;
  for (std::size_t n : kit::interesting_lengths()) {
    std::vector<std::int32_t> input(n);
    for (std::size_t j = 0; j < n; ++j) input[j] = type_min(type) + static_cast<std::int32_t>((j * 131 + n) % 256);
    LutCase c = lmake(type, 7, input);
    c.placement = {i % 4, (i / 4) % 4};
    ++i;
    cases.emplace_back("length " + std::to_string(n), c);
  }
  return cases;
}

rc::Gen<LutCase> gen_lut(std::uint32_t type) {
  return rc::gen::exec([type] {
    using namespace rc::gen;
    LutCase c;
    c.element_type = type;
    for (auto& entry : c.table) entry = *inRange(type_min(type), type_max(type) + 1);
    const std::size_t n = *kit::gen_length();
    for (std::size_t i = 0; i < n; ++i) c.input.push_back(*inRange(type_min(type), type_max(type) + 1));
    c.placement.input_offset = *kit::gen_offset();
    c.placement.output_offset = *kit::gen_offset();
    return c;
  });
}

VariantSuite lut_suite(std::uint32_t type) {
  VariantSuite s;
  s.op = "lut";
  s.variant = element_type_name(type);
  s.probe = [type](const qs_kernel_table& table) {
    return kit::probe(table, std::vector<LutCase>{lmake(type, 1, {1, 2, 3})},
                      [](const Flavor& f) { return flavor_name(f, true, false, false); });
  };
  s.checks.push_back(Check{"LooksUpEveryInputByteItsBitPattern", false,
                           [type](const qs_kernel_table& t, const Support& sup, const Settings&) {
                             return kit::run_cases(t, sup, lut_every_index(type));
                           }});
  s.checks.push_back(Check{"WritesEveryLengthExactlyOnce", false,
                           [type](const qs_kernel_table& t, const Support& sup, const Settings&) {
                             return kit::run_cases(t, sup, lut_lengths(type));
                           }});
  s.checks.push_back(kit::random_cases_check("lut", s.variant, [type](const Support&) { return gen_lut(type); }));
  s.checks.push_back(Check{"RejectsBadParameters", false, [type](const qs_kernel_table& t, const Support& sup, const Settings&) {
                             std::vector<kit::BadCall> calls;
                             static const std::uint8_t input[2] = {1, 2};
                             kit::BadCall null_table;
                             null_table.what = "table = NULL";
                             null_table.flavor = {type, type, false};
                             null_table.call = [&t, type](void* out) {
                               qs_lut_params p{};
                               p.element_type = type;
                               p.table = nullptr;
                               return t.lut(&p, kit::fenced_input(input, 2, "input"), out, 2);
                             };
                             calls.push_back(null_table);
                             kit::BadCall bad_type = null_table;
                             bad_type.what = "element_type outside the enum";
                             bad_type.call = [&t](void* out) {
                               static const std::uint8_t table[256] = {};
                               qs_lut_params p{};
                               p.element_type = 2;
                               p.table = kit::fenced_array(table, 256, "table");
                               return t.lut(&p, kit::fenced_input(input, 2, "input"), out, 2);
                             };
                             calls.push_back(bad_type);
                             kit::BadCall null_params = null_table;
                             null_params.what = "params = NULL";
                             null_params.call = [&t](void* out) { return t.lut(nullptr, kit::fenced_input(input, 2, "input"), out, 2); };
                             calls.push_back(null_params);
                             return kit::run_bad_calls(sup, calls, "lut");
                           }});
  return s;
}

}  // namespace

std::vector<VariantSuite> dequantize_suites() { return {dequantize_suite(false), dequantize_suite(true)}; }
std::vector<VariantSuite> lut_suites() { return {lut_suite(QS_S8), lut_suite(QS_U8)}; }

}  // namespace quantspec::conformance::ops
