// Requantize (Q7): the edge-case catalogue, the property generator, the parameter-validation
// contract and the exhaustive int32 sweep, for every requantization variant.
#include <cfloat>
#include <cmath>
#include <cstring>
#include <limits>
#include <utility>

#include "check_kit.hpp"
#include "execute.hpp"
#include "ops.hpp"
#include "oracle.hpp"
#include "requantization_abi.hpp"
#include "requantize_params.hpp"

namespace quantspec::conformance::ops {

// ---- Shared with linear: one channel's parameters per variant --------------------------------

bool is_q31(std::uint32_t v) {
  return v == QS_REQUANT_DOUBLE_ROUND || v == QS_REQUANT_SINGLE_ROUND || v == QS_REQUANT_RNDNU ||
         v == QS_REQUANT_RNDNA || v == QS_REQUANT_DOUBLE_ROUND_WRAP || is_deployed(v);
}
bool is_appended_selector(std::uint32_t v) { return v >= QS_REQUANT_NEON_DOUBLE_ROUND; }
bool is_deployed(std::uint32_t v) {
  return v == QS_REQUANT_NEON_DOUBLE_ROUND || v == QS_REQUANT_INT16X8_INT64 || v == QS_REQUANT_RNDNU16;
}
int max_q31_shift(std::uint32_t v) {
  if (v == QS_REQUANT_INT16X8_INT64) return 7;  // SPEC Q11.2
  if (v == QS_REQUANT_RNDNU16) return 8;        // SPEC Q11.8
  return 30;                                    // Q6.1, Q11.1
}
bool is_tosa32(std::uint32_t v) { return v == QS_REQUANT_TOSA_SINGLE || v == QS_REQUANT_TOSA_DOUBLE; }

std::string requant_variant_label(const RequantVariantKey& k) {
  std::string text = requant_variant_name(k.variant);
  if (k.variant == QS_REQUANT_IDEAL) text += " " + rounding_name(k.rounding);
  if (k.entry == QS_ZP_BEFORE_ROUNDING) text += " before_rounding";
  return text;
}

std::vector<RequantVariantKey> all_requant_variant_keys() {
  std::vector<RequantVariantKey> keys;
  for (std::uint32_t v : {QS_REQUANT_DOUBLE_ROUND, QS_REQUANT_SINGLE_ROUND, QS_REQUANT_RNDNU, QS_REQUANT_RNDNA,
                          QS_REQUANT_TOSA_SINGLE, QS_REQUANT_TOSA_DOUBLE, QS_REQUANT_TOSA_SCALE16,
                          QS_REQUANT_NEON_DOUBLE_ROUND, QS_REQUANT_INT16X8_INT64, QS_REQUANT_RNDNU16,
                          QS_REQUANT_DOUBLE_ROUND_WRAP}) {
    keys.push_back({v, QS_ZP_AFTER_ROUNDING, QS_ROUND_HALF_EVEN});
  }
  keys.push_back({QS_REQUANT_FP32, QS_ZP_AFTER_ROUNDING, QS_ROUND_HALF_EVEN});
  keys.push_back({QS_REQUANT_FP32, QS_ZP_BEFORE_ROUNDING, QS_ROUND_HALF_EVEN});
  for (std::uint32_t entry : {QS_ZP_AFTER_ROUNDING, QS_ZP_BEFORE_ROUNDING}) {
    for (std::uint32_t r = QS_ROUND_HALF_EVEN; r <= QS_ROUND_FLOOR; ++r) keys.push_back({QS_REQUANT_IDEAL, entry, r});
  }
  return keys;
}

Requantization requantization_for(const RequantVariantKey& k, const std::vector<ChannelMultiplier>& channels,
                                  std::int32_t zero_point) {
  Requantization r;
  r.variant = k.variant;
  r.zero_point_entry = k.entry;
  r.rounding = k.rounding;
  r.derivation = k.variant == QS_REQUANT_RNDNU || k.variant == QS_REQUANT_RNDNU16 ? QS_DERIVE_RNDNU : QS_DERIVE_TFLITE;
  r.output_zero_point = zero_point;
  r.multipliers.clear();
  r.shifts.clear();
  r.scales.clear();
  r.weight_scales.clear();
  for (const ChannelMultiplier& ch : channels) {
    r.multipliers.push_back(ch.multiplier);
    r.shifts.push_back(ch.shift);
    r.scales.push_back(ch.scale);
    r.weight_scales.push_back(ch.weight_scale);
  }
  if (!channels.empty()) {
    r.input_scale = channels[0].input_scale;
    r.output_scale = channels[0].output_scale;
  }
  return r;
}

ChannelMultiplier multiplier_near_one(std::uint32_t variant) {
  ChannelMultiplier m;
  if (is_q31(variant)) {
    m.multiplier = 1 << 30;
    m.shift = 1;  // 2^30 * 2^(1-31) = 1
  } else if (is_tosa32(variant)) {
    m.multiplier = 1 << 30;
    m.shift = 30;  // accumulators in [-2^29, 2^29) (TOSA REQUIRE)
  } else if (variant == QS_REQUANT_TOSA_SCALE16) {
    m.multiplier = 16384;
    m.shift = 14;
  }
  return m;  // fp32 scale 1, ideal 1 * 1 / 1 by default
}

// The accumulators a variant accepts for channel parameters m (TOSA REQUIRE).
std::int32_t clamp_accumulator(std::uint32_t variant, const ChannelMultiplier& m, std::int64_t acc) {
  std::int64_t lo = INT32_MIN, hi = INT32_MAX;
  if (is_tosa32(variant) && m.shift <= 32) {
    lo = -(std::int64_t{1} << (m.shift - 1));
    hi = (std::int64_t{1} << (m.shift - 1)) - 1;
  }
  return static_cast<std::int32_t>(std::min(std::max(acc, lo), hi));
}

namespace {

using Cases = std::vector<std::pair<std::string, RequantizeCase>>;
const std::uint32_t kTypes[] = {QS_S8, QS_U8};

struct Variant {
  RequantVariantKey key;
  bool per_channel;
};

RequantizeCase make(const Variant& v, std::uint32_t type, const std::vector<ChannelMultiplier>& channels,
                    std::int32_t zero_point, std::int32_t qmin, std::int32_t qmax, std::vector<std::int64_t> accs) {
  RequantizeCase c;
  c.per_channel = v.per_channel;
  c.output_type = type;
  c.qmin = qmin;
  c.qmax = qmax;
  c.requant = requantization_for(v.key, channels, zero_point);
  for (std::size_t i = 0; i < accs.size(); ++i) {
    c.input.push_back(clamp_accumulator(v.key.variant, channels[i % channels.size()], accs[i]));
  }
  return c;
}

RequantizeCase make_full(const Variant& v, std::uint32_t type, const ChannelMultiplier& m, std::int32_t zero_point,
                         std::vector<std::int64_t> accs) {
  return make(v, type, {m}, zero_point, type_min(type), type_max(type), std::move(accs));
}

std::string multiplier_text(std::uint32_t variant, const ChannelMultiplier& m) {
  if (variant == QS_REQUANT_FP32) return "scale " + hex(m.scale);
  if (variant == QS_REQUANT_IDEAL) {
    return "scales " + hex(m.input_scale) + " * " + hex(m.weight_scale) + " / " + hex(m.output_scale);
  }
  return "multiplier " + std::to_string(m.multiplier) + ", shift " + std::to_string(m.shift);
}

// Parameters whose products acc * M land exactly on halves for small accumulators.
std::vector<ChannelMultiplier> tie_multipliers(std::uint32_t variant) {
  std::vector<ChannelMultiplier> out;
  auto fixed = [&](std::int32_t mult, int shift) {
    ChannelMultiplier m;
    m.multiplier = mult;
    m.shift = shift;
    out.push_back(m);
  };
  if (is_q31(variant)) {
    for (auto [mult, shift] : std::vector<std::pair<std::int32_t, int>>{
             {1 << 30, 0}, {1 << 30, -1}, {1 << 30, -3}, {3 << 29, -1}, {1 << 30, -29}, {1 << 30, -30}, {1 << 30, -31}}) {
      fixed(mult, shift);
    }
  } else if (is_tosa32(variant)) {
    for (auto [mult, shift] : std::vector<std::pair<std::int32_t, int>>{
             {64, 8}, {48, 8}, {1 << 30, 32}, {3 << 29, 33}, {40, 9}, {(1 << 30) + 1, 33}}) {
      fixed(mult, shift);
    }
  } else if (variant == QS_REQUANT_TOSA_SCALE16) {
    for (auto [mult, shift] : std::vector<std::pair<std::int32_t, int>>{{1, 2}, {3, 4}, {16384, 16}, {32767, 17}}) {
      fixed(mult, shift);
    }
  } else if (variant == QS_REQUANT_FP32) {
    for (float s : {0.5f, 0.25f, 0.125f, 0.375f, 1.5f, 3.0f}) {
      ChannelMultiplier m;
      m.scale = s;
      out.push_back(m);
    }
  } else {
    for (auto [sx, sw, sy] : std::vector<std::tuple<float, float, float>>{
             {1.0f, 0.5f, 1.0f}, {0.5f, 0.5f, 1.0f}, {3.0f, 0.25f, 2.0f}, {0.1f, 0.1f, 0.04f}, {0.375f, 1.0f, 1.0f}}) {
      ChannelMultiplier m;
      m.input_scale = sx;
      m.weight_scale = sw;
      m.output_scale = sy;
      out.push_back(m);
    }
  }
  return out;
}

std::vector<std::int64_t> range(std::int64_t lo, std::int64_t hi) {
  std::vector<std::int64_t> v;
  for (std::int64_t x = lo; x <= hi; ++x) v.push_back(x);
  return v;
}

Cases ties(const Variant& v) {
  Cases cases;
  for (std::uint32_t type : kTypes) {
    const std::vector<std::int32_t> zps = type == QS_S8 ? std::vector<std::int32_t>{0, 1, -3} : std::vector<std::int32_t>{128, 129};
    for (const ChannelMultiplier& m : tie_multipliers(v.key.variant)) {
      for (std::int32_t z : zps) {
        std::vector<std::int64_t> accs = range(-64, 64);
        // Ties of the small multipliers (2^-29 .. 2^-31) need large accumulators.
        for (std::int64_t k : {1, 3, -1, -3}) {
          for (int e : {28, 29, 30}) accs.push_back(k * (std::int64_t{1} << e));
        }
        cases.emplace_back(multiplier_text(v.key.variant, m) + ", zero_point " + std::to_string(z) + " (" +
                               element_type_name(type) + ")",
                           make_full(v, type, m, z, accs));
      }
    }
  }
  return cases;
}

// A positive normal binary32 value as odd * 2^exponent.
struct OddTimesPowerOfTwo {
  std::uint64_t odd;
  int exponent;
};
OddTimesPowerOfTwo odd_times_power_of_two(float s) {
  int e = 0;
  const double f = std::frexp(static_cast<double>(s), &e);  // s = f * 2^e, f in [0.5, 1)
  auto m = static_cast<std::uint64_t>(std::ldexp(f, 24));
  e -= 24;
  while (m % 2 == 0) {
    m /= 2;
    ++e;
  }
  return {m, e};
}

std::uint64_t gcd(std::uint64_t a, std::uint64_t b) {
  while (b != 0) a = std::exchange(b, a % b);
  return a;
}

// Exact halves and integers of `ideal` at multipliers M = Sx*Sw/Sy that are not dyadic (Sy
// has an odd factor the product does not cancel), derived here: with Sx*Sw = a*b*2^(p+q),
// Sy = c*2^r (a, b, c odd), g = gcd(ab, c), P = ab/g, Q = c/g and E = p+q-r < 0,
// M = P / (Q * 2^-E), and acc * M = u*P/2 (a tie when u*P is odd, an integer otherwise)
// exactly when acc = u * Q * 2^(-E-1). The reference gets each one exactly; a kernel that
// first rounds M to binary64 and multiplies lands a little off for some u, which moves a tie
// (nearest rules) or an integer (floor, toward_zero) to the wrong side. The search keeps, per
// scale triple, the u closest to 0 (|u*P/2| <= 100, acc inside int32) where that binary64
// evaluation misses, at most 3 triples per Sy.
struct NonDyadicTie {
  ChannelMultiplier scales;
  std::vector<std::int64_t> accs;
};

std::vector<NonDyadicTie> non_dyadic_tie_search() {
  const float products[] = {0x1p-14f, 0x1p-15f, 0x1.8p-14f, 0x1p-13f, 1.0f, 0.5f, 0x1p-7f,
                            0x1p-12f, 0.75f,    0x1.8p-5f,  3.0f,     0x1.4p-6f};
  const float outputs[] = {0.3f, 0.1f, 0.7f, 0.6f, 0.05f, 1.0f / 255.0f, 0.02f, 0.75f, 1.5f, 0x1.4p-3f, 0x1.cp-4f};
  std::vector<NonDyadicTie> found;
  for (float sy : outputs) {
    int kept_for_sy = 0;
    for (float sx : products) {
      for (float sw : products) {
        if (kept_for_sy == 3) break;
        const OddTimesPowerOfTwo x = odd_times_power_of_two(sx), w = odd_times_power_of_two(sw),
                                 y = odd_times_power_of_two(sy);
        const std::uint64_t ab = x.odd * w.odd, g = gcd(ab, y.odd), p = ab / g, q = y.odd / g;
        const int e = x.exponent + w.exponent - y.exponent;
        if (q == 1 || e >= 0 || -e - 1 > 40) continue;  // dyadic M, or no half in reach
        const double step = std::ldexp(static_cast<double>(q), -e - 1);  // the acc of u = 1
        if (step > INT32_MAX) continue;
        const double m64 = static_cast<double>(sx) * static_cast<double>(sw) / static_cast<double>(sy);
        NonDyadicTie tie;
        tie.scales.input_scale = sx;
        tie.scales.weight_scale = sw;
        tie.scales.output_scale = sy;
        for (std::int64_t magnitude = 1; magnitude <= 200 && tie.accs.size() < 8; ++magnitude) {
          for (std::int64_t u : {-magnitude, magnitude}) {
            const double acc = step * static_cast<double>(u);
            if (std::fabs(acc) > INT32_MAX || std::fabs(static_cast<double>(u) * static_cast<double>(p)) > 200) continue;
            if (acc * m64 != static_cast<double>(u) * static_cast<double>(p) / 2) {
              tie.accs.push_back(static_cast<std::int64_t>(acc));
            }
          }
        }
        if (tie.accs.empty()) continue;
        found.push_back(std::move(tie));
        ++kept_for_sy;
      }
    }
  }
  return found;
}

Cases non_dyadic_ties(const Variant& v) {
  static const std::vector<NonDyadicTie> search = non_dyadic_tie_search();
  Cases cases;
  for (std::uint32_t type : kTypes) {
    const std::vector<std::int32_t> zps = type == QS_S8 ? std::vector<std::int32_t>{0, 1} : std::vector<std::int32_t>{128, 127};
    for (const NonDyadicTie& tie : search) {
      for (std::int32_t z : zps) {
        cases.emplace_back("exact halves u*P/2 of a non-dyadic " + multiplier_text(v.key.variant, tie.scales) +
                               ", zero_point " + std::to_string(z) + " (" + element_type_name(type) + ")",
                           make_full(v, type, tie.scales, z, tie.accs));
      }
    }
  }
  return cases;
}

// INT32 extremes with the extreme multipliers and shifts: saturation of acc << left, SRDHM at
// INT32_MIN (INT32_MIN * INT32_MIN itself needs a negative multiplier, which the ABI excludes),
// RoundingDivideByPOT with exponent 0 and 31, results beyond int32.
Cases extremes(const Variant& v) {
  Cases cases;
  const std::vector<std::int64_t> accs = {INT32_MIN, INT32_MIN + 1, -(1ll << 30) - 1, -(1ll << 30), -65536, -1, 0, 1,
                                          65535, (1ll << 30) - 1, 1ll << 30, INT32_MAX - 1, INT32_MAX};
  std::vector<ChannelMultiplier> ms;
  auto fixed = [&](std::int32_t mult, int shift) {
    ChannelMultiplier m;
    m.multiplier = mult;
    m.shift = shift;
    ms.push_back(m);
  };
  const std::uint32_t variant = v.key.variant;
  // Besides the ends of each range: total right shifts t = 54 and 55 and multipliers on either
  // side of 2^(t-1) at t = 31 (15 for scale16), where a kernel may switch between adding the
  // zero point inside the 64-bit rounding and adding it after the narrowing.
  if (is_q31(variant)) {
    for (std::int32_t mult : {0, 1, (1 << 30) - 1, 1 << 30, INT32_MAX}) {
      for (int shift : {-31, -24, -23, -1, 0, 1, 5, 30}) fixed(mult, std::min(shift, max_q31_shift(variant)));
    }
    if (is_deployed(variant)) {
      // The 15-bit multiplier of Q11.2 / Q11.8 around its ends: m15 = 0x7FFF kept, 2^15
      // renormalised (rndnu16) or capped (int16x8_int64), and the rounding of the dropped bits.
      for (std::int32_t mult : {0x7FFF0000 - 1, 0x7FFF0000, 0x7FFF8000 - 1, 0x7FFF8000, 0x40007FFF, 0x40008000}) {
        for (int shift : {-31, -8, -1, 0, 1, max_q31_shift(variant)}) fixed(mult, shift);
      }
    }
  } else if (is_tosa32(variant)) {
    for (std::int32_t mult : {0, 1, (1 << 30) - 1, 1 << 30, INT32_MAX}) {
      for (int shift : {2, 31, 32, 33, 54, 55, 62}) fixed(mult, shift);
    }
  } else if (variant == QS_REQUANT_TOSA_SCALE16) {
    for (std::int32_t mult : {0, 1, 16383, 16384, 32767}) {
      for (int shift : {2, 15, 16, 31, 32, 54, 55, 62}) fixed(mult, shift);
    }
  } else if (variant == QS_REQUANT_FP32) {
    for (float s : {0x1p-149f, 0x1p-126f, 0x1p-31f, 1.0f, 0x1p20f, FLT_MAX}) {
      ChannelMultiplier m;
      m.scale = s;
      ms.push_back(m);
    }
  } else {
    for (auto [sx, sw, sy] : std::vector<std::tuple<float, float, float>>{
             {0x1p-149f, 0x1p-149f, FLT_MAX}, {1.0f, 1.0f, 1.0f}, {FLT_MAX, FLT_MAX, 0x1p-149f}, {0.02f, 0.003f, 0.07f}}) {
      ChannelMultiplier m;
      m.input_scale = sx;
      m.weight_scale = sw;
      m.output_scale = sy;
      ms.push_back(m);
    }
  }
  for (std::uint32_t type : kTypes) {
    for (const ChannelMultiplier& m : ms) {
      for (std::int32_t z : {type_min(type), type_max(type)}) {
        cases.emplace_back(multiplier_text(variant, m) + ", zero_point " + std::to_string(z) + " (" +
                               element_type_name(type) + ")",
                           make_full(v, type, m, z, accs));
      }
    }
  }
  return cases;
}

// y + Zy beyond the 8-bit range must clamp, not wrap.
Cases zero_point_overflow(const Variant& v) {
  Cases cases;
  const ChannelMultiplier one = multiplier_near_one(v.key.variant);
  std::vector<std::int64_t> accs;
  for (std::int64_t y : {-400, -300, -256, -200, -129, -128, -1, 0, 1, 100, 127, 128, 200, 255, 256, 300, 400}) {
    accs.push_back(y);  // M = 1: y = acc
  }
  for (std::uint32_t type : kTypes) {
    for (std::int32_t z : {type_min(type), type_max(type), type == QS_S8 ? 0 : 128}) {
      cases.emplace_back("y in [-400, 400], zero_point " + std::to_string(z) + " (" + element_type_name(type) + ")",
                         make_full(v, type, one, z, accs));
    }
  }
  return cases;
}

Cases clamp_ranges(const Variant& v) {
  Cases cases;
  const ChannelMultiplier one = multiplier_near_one(v.key.variant);
  for (std::uint32_t type : kTypes) {
    const std::vector<std::pair<std::int32_t, std::int32_t>> bounds =
        type == QS_S8 ? std::vector<std::pair<std::int32_t, std::int32_t>>{{-127, 127}, {0, 0}, {-128, -128}, {127, 127}, {-10, 20}}
                      : std::vector<std::pair<std::int32_t, std::int32_t>>{{1, 255}, {0, 0}, {255, 255}, {10, 20}};
    for (auto [qmin, qmax] : bounds) {
      for (std::int32_t z : {qmin, qmax}) {
        std::vector<std::int64_t> accs;
        for (std::int32_t edge : {qmin, qmax}) {
          for (int d = -2; d <= 2; ++d) accs.push_back(edge - z + d);
        }
        accs.push_back(INT32_MIN);
        accs.push_back(INT32_MAX);
        cases.emplace_back("bounds [" + std::to_string(qmin) + ", " + std::to_string(qmax) + "], zero_point " +
                               std::to_string(z) + " (" + element_type_name(type) + ")",
                           make(v, type, {one}, z, qmin, qmax, accs));
      }
    }
  }
  return cases;
}

ChannelMultiplier typical_multiplier(std::uint32_t variant, int index) {
  ChannelMultiplier m;
  if (is_q31(variant)) {
    m.multiplier = 1518500250 + index * 7919;  // ~ 0.7071 * 2^31
    m.shift = -(index % 9);
  } else if (is_tosa32(variant)) {
    m.multiplier = 1518500250 - index * 7919;
    m.shift = 31 + (index % 9);
  } else if (variant == QS_REQUANT_TOSA_SCALE16) {
    m.multiplier = 23170 + index;
    m.shift = 15 + (index % 9);
  } else if (variant == QS_REQUANT_FP32) {
    m.scale = std::ldexp(0.7071f, -(index % 9));
  } else {
    m.input_scale = 0.02f;
    m.weight_scale = std::ldexp(0.0071f, -(index % 9));
    m.output_scale = 0.05f;
  }
  return m;
}

Cases every_length(const Variant& v) {
  Cases cases;
  kit::Random random(0x1e57);
  std::size_t i = 0;
  for (std::size_t n : kit::interesting_lengths()) {
    for (std::uint32_t type : kTypes) {
      if (n == kit::kLargeLength && type != kTypes[0]) continue;  // the large length once: it is about size-dependent paths, not types
      std::vector<std::int64_t> accs(n);
      for (auto& a : accs) a = random.in(-3000, 3000);
      const std::int32_t z = type == QS_S8 ? -1 : 127;
      RequantizeCase c = make_full(v, type, typical_multiplier(v.key.variant, 0), z, accs);
      c.placement = {i % 4, (i / 4) % 4};
      ++i;
      cases.emplace_back("length " + std::to_string(n) + " (" + element_type_name(type) + ")", c);
    }
  }
  return cases;
}

Cases channel_index(const Variant& v) {
  Cases cases;
  for (std::uint32_t type : kTypes) {
    for (std::size_t channels : kit::channel_counts()) {
      if (channels > 65536 && type != QS_S8) continue;  // one type is enough for the costly count
      std::vector<ChannelMultiplier> ms;
      for (std::size_t ch = 0; ch < channels; ++ch) {
        ms.push_back(typical_multiplier(v.key.variant, kit::channel_parameter_index(ch)));
      }
      std::vector<std::int64_t> accs;
      for (std::size_t i = 0; i < kit::per_channel_length(channels); ++i) accs.push_back(1000 + static_cast<std::int64_t>(i % 7) * 37);
      const std::int32_t z = type == QS_S8 ? 0 : 128;
      cases.emplace_back("element i uses channel i % " + std::to_string(channels) + " (" + element_type_name(type) + ")",
                         make(v, type, ms, z, type_min(type), type_max(type), accs));
    }
  }
  return cases;
}

Cases as_variant(const Variant& v, Cases cases) {
  for (auto& [name, c] : cases) c.per_channel = v.per_channel;
  return cases;
}

// ---- Property generator --------------------------------------------------------------------------

rc::Gen<std::int32_t> gen_accumulator() {
  using namespace rc::gen;
  return weightedOneOf<std::int32_t>({
      {1, element<std::int32_t>(INT32_MIN, INT32_MAX, 0, 1, -1, INT32_MIN + 1, INT32_MAX - 1)},
      {3, inRange(-2000, 2001)},
      {2, arbitrary<std::int32_t>()},
      {3, map(tuple(inRange(-32768, 32769), inRange(0, 31), inRange(-1, 2)),
              [](const std::tuple<int, int, int>& t) {
                // k * 2^e + half of 2^e (+-1): ties of power-of-two shifts.
                const std::int64_t e = std::get<1>(t);
                const std::int64_t v = std::get<0>(t) * (std::int64_t{1} << e) + (e > 0 ? (std::int64_t{1} << (e - 1)) : 0) +
                                       std::get<2>(t);
                return static_cast<std::int32_t>(static_cast<std::uint32_t>(v));
              })},
  });
}

rc::Gen<float> gen_positive_scale(int min_exp, int max_exp) {
  using namespace rc::gen;
  return weightedOneOf<float>({
      {3, map(inRange(min_exp, max_exp + 1), [](int e) { return std::ldexp(1.0f, e); })},
      {3, map(tuple(inRange(0, 16), inRange(min_exp, max_exp + 1)),
              [](const std::tuple<int, int>& t) { return std::ldexp(1.0f + std::get<0>(t) / 16.0f, std::get<1>(t)); })},
      {4, map(tuple(inRange<std::uint32_t>(0, 1u << 23), inRange(min_exp, max_exp + 1)),
              [](const std::tuple<std::uint32_t, int>& t) {
                return std::ldexp(1.0f + static_cast<float>(std::get<0>(t)) / 8388608.0f, std::get<1>(t));
              })},
  });
}

rc::Gen<ChannelMultiplier> gen_channel(std::uint32_t variant) {
  return rc::gen::exec([variant] {
    using namespace rc::gen;
    ChannelMultiplier m;
    if (is_q31(variant)) {
      m.multiplier = *weightedOneOf<std::int32_t>({{1, element<std::int32_t>(0, 1, 1 << 30, INT32_MAX)},
                                                   {5, inRange<std::int32_t>(1 << 30, INT32_MAX)},
                                                   {1, inRange<std::int32_t>(0, INT32_MAX)}});
      const int top = max_q31_shift(variant);
      m.shift = *weightedOneOf<int>({{1, element(-31, top, 0, -1, 1)}, {4, inRange(-20, 3)}, {1, inRange(-31, top + 1)}});
      if (is_deployed(variant) && *inRange(0, 4) == 0) {
        // Near the 15-bit multiplier's rounding boundaries (Q11.2, Q11.8): m = k * 2^16 + 2^15 + d.
        m.multiplier = static_cast<std::int32_t>(std::min<std::int64_t>(
            INT32_MAX, std::int64_t{*inRange(0x4000, 0x8000)} * 65536 + 32768 + *inRange(-2, 3)));
      }
    } else if (is_tosa32(variant)) {
      m.multiplier = *weightedOneOf<std::int32_t>({{1, element<std::int32_t>(0, 1, 1 << 30, INT32_MAX)},
                                                   {5, inRange<std::int32_t>(1 << 30, INT32_MAX)},
                                                   {1, inRange<std::int32_t>(0, INT32_MAX)}});
      m.shift = *weightedOneOf<int>({{1, element(2, 31, 32, 33, 62)}, {4, inRange(30, 52)}, {1, inRange(2, 63)}});
    } else if (variant == QS_REQUANT_TOSA_SCALE16) {
      m.multiplier = *weightedOneOf<std::int32_t>({{1, element<std::int32_t>(0, 1, 16384, 32767)},
                                                   {4, inRange<std::int32_t>(16384, 32768)},
                                                   {1, inRange<std::int32_t>(0, 32768)}});
      m.shift = *weightedOneOf<int>({{1, element(2, 15, 31, 32, 62)}, {4, inRange(14, 36)}, {1, inRange(2, 63)}});
    } else if (variant == QS_REQUANT_FP32) {
      m.scale = *weightedOneOf<float>({{6, gen_positive_scale(-32, 2)},
                                       {1, element(0x1p-149f, 0x1p-126f, 0x1p20f, FLT_MAX, 1.0f)}});
    } else {
      m.input_scale = *gen_positive_scale(-12, 2);
      m.weight_scale = *gen_positive_scale(-12, 2);
      m.output_scale = *gen_positive_scale(-10, 4);
    }
    return m;
  });
}

rc::Gen<RequantizeCase> gen_case(const Variant& v, const Support& support) {
  return rc::gen::exec([v, support] {
    using namespace rc::gen;
    const std::uint32_t type = (*elementOf(support.supported)).output_type;
    const std::int32_t lo = type_min(type), hi = type_max(type);
    std::int32_t qmin = lo, qmax = hi;
    const int bounds_kind = *weightedElement<int>({{5, 0}, {2, 1}, {2, 2}, {1, 3}});
    if (bounds_kind == 1) {
      qmin = lo + 1;
    } else if (bounds_kind == 2) {
      qmin = *inRange(lo, hi + 1);
      qmax = *inRange(qmin, hi + 1);
    } else if (bounds_kind == 3) {
      qmin = qmax = *inRange(lo, hi + 1);
    }
    const std::int32_t z = *weightedOneOf<std::int32_t>({{1, just(qmin)}, {1, just(qmax)}, {3, inRange(qmin, qmax + 1)}});
    const std::size_t channels =
        v.per_channel ? *weightedOneOf<std::size_t>({{3, elementOf(std::vector<std::size_t>{1, 2, 3, 4, 7, 16, 17, 64, 65})},
                                                     {1, inRange<std::size_t>(1, 80)}})
                      : 1;
    std::vector<ChannelMultiplier> ms;
    const ChannelMultiplier first = *gen_channel(v.key.variant);
    for (std::size_t ch = 0; ch < channels; ++ch) {
      ChannelMultiplier m = ch == 0 ? first : *gen_channel(v.key.variant);
      m.input_scale = first.input_scale;  // one input and output scale per tensor
      m.output_scale = first.output_scale;
      ms.push_back(m);
    }
    const std::size_t n = *kit::gen_length();
    std::vector<std::int64_t> accs;
    for (std::size_t i = 0; i < n; ++i) accs.push_back(*gen_accumulator());
    RequantizeCase c = make(v, type, ms, z, qmin, qmax, accs);
    c.placement.input_offset = *kit::gen_offset();
    c.placement.output_offset = *kit::gen_offset();
    return c;
  });
}

// ---- Parameter validation ----------------------------------------------------------------------

std::vector<kit::BadCall> bad_calls(const qs_kernel_table& table, const Variant& v) {
  std::vector<kit::BadCall> calls;
  auto* const fn = v.per_channel ? table.requantize_per_channel : table.requantize;
  const std::uint32_t variant = v.key.variant;
  for (std::uint32_t type : kTypes) {
    auto add = [&](std::string what, std::function<void(RequantizeCase&)> edit,
                   std::vector<qs_status> accepted = {QS_BAD_PARAMETERS}) {
      RequantizeCase c = make_full(v, type, typical_multiplier(variant, 1), type == QS_S8 ? 0 : 128, {5, -7, 100, 0});
      if (v.per_channel) {
        c = make(v, type, {typical_multiplier(variant, 1), typical_multiplier(variant, 2)}, c.requant.output_zero_point,
                 type_min(type), type_max(type), {5, -7, 100, 0});
      }
      edit(c);
      kit::BadCall bad;
      bad.what = what + " (" + element_type_name(type) + ")";
      bad.flavor = {QS_S8, type, v.per_channel};
      bad.accepted = accepted;
      bad.call = [c, fn, per_channel = v.per_channel](void* out) {
        qs_requantize_params p{};
        p.requant = to_abi(c.requant, per_channel);
        p.output_type = c.output_type;
        p.qmin = c.qmin;
        p.qmax = c.qmax;
        p.channels = per_channel ? c.requant.channels() : 0;
        return fn(&p, kit::fenced_input(c.input, "input"), out, c.input.size());
      };
      calls.push_back(bad);
    };
    auto each_channel = [](RequantizeCase& c, auto&& f) {
      for (std::size_t i = 0; i < c.requant.multipliers.size(); ++i) f(c.requant, i);
    };
    if (is_q31(variant) || is_tosa32(variant) || variant == QS_REQUANT_TOSA_SCALE16) {
      add("multiplier = -1", [&](RequantizeCase& c) { each_channel(c, [](Requantization& r, std::size_t i) { if (i == r.multipliers.size() - 1) r.multipliers[i] = -1; }); });
      add("multiplier = INT32_MIN", [&](RequantizeCase& c) { each_channel(c, [](Requantization& r, std::size_t i) { if (i == r.multipliers.size() - 1) r.multipliers[i] = INT32_MIN; }); });
      const int low = is_q31(variant) ? -32 : 1, high = is_q31(variant) ? max_q31_shift(variant) + 1 : 63;
      for (int bad_shift : {low, high}) {
        add("shift = " + std::to_string(bad_shift), [&, bad_shift](RequantizeCase& c) {
          each_channel(c, [bad_shift](Requantization& r, std::size_t i) { if (i == r.shifts.size() - 1) r.shifts[i] = bad_shift; });
        });
      }
      add("zero_point_entry = before_rounding", [](RequantizeCase& c) { c.requant.zero_point_entry = QS_ZP_BEFORE_ROUNDING; },
          {QS_BAD_PARAMETERS, QS_VARIANT_NOT_SUPPORTED});
    }
    if (variant == QS_REQUANT_TOSA_SCALE16) {
      add("multiplier = 32768", [&](RequantizeCase& c) { each_channel(c, [](Requantization& r, std::size_t i) { if (i == 0) r.multipliers[i] = 32768; }); });
    }
    if (is_tosa32(variant)) {
      add("an accumulator outside [-2^(shift-1), 2^(shift-1)) (TOSA REQUIRE)", [](RequantizeCase& c) {
        for (auto& s : c.requant.shifts) s = 8;
        c.input = {1, 2, 128, 3};
      });
    }
    const float nan = std::numeric_limits<float>::quiet_NaN(), inf = std::numeric_limits<float>::infinity();
    if (variant == QS_REQUANT_FP32) {
      for (float s : {0.0f, -0.0f, -1.0f, nan, inf}) {
        add("scale = " + hex(s), [s](RequantizeCase& c) { c.requant.scales.back() = s; });
      }
    }
    if (variant == QS_REQUANT_IDEAL) {
      for (float s : {0.0f, -1.0f, nan, inf}) {
        add("weight_scale = " + hex(s), [s](RequantizeCase& c) { c.requant.weight_scales.back() = s; });
        add("output_scale = " + hex(s), [s](RequantizeCase& c) { c.requant.output_scale = s; });
        add("input_scale = " + hex(s), [s](RequantizeCase& c) { c.requant.input_scale = s; });
      }
    }
    add("zero_point = qmax + 1", [](RequantizeCase& c) {
      c.qmax -= 1;
      c.requant.output_zero_point = c.qmax + 1;
    });
    add("zero_point = qmin - 1", [](RequantizeCase& c) {
      c.qmin += 1;
      c.requant.output_zero_point = c.qmin - 1;
    });
    add("qmin > qmax", [](RequantizeCase& c) {
      c.qmin = c.requant.output_zero_point + 1;
      c.qmax = c.requant.output_zero_point;
    });
    add("qmin below the type's range", [](RequantizeCase& c) { c.qmin -= 1; });
    add("qmax above the type's range", [](RequantizeCase& c) { c.qmax += 1; });
    add("variant outside the enum", [](RequantizeCase& c) { c.requant.variant = QS_REQUANT_DOUBLE_ROUND_WRAP + 1; });
    add("zero_point_entry outside the enum", [](RequantizeCase& c) { c.requant.zero_point_entry = 2; });
    add("rounding outside the enum", [](RequantizeCase& c) { c.requant.rounding = 5; });
    add("output_type outside the enum", [](RequantizeCase& c) { c.output_type = 2; });
    if (v.per_channel) {
      add("channels = 0 (empty arrays)", [](RequantizeCase& c) {
        c.requant.multipliers.clear();
        c.requant.shifts.clear();
        c.requant.scales.clear();
        c.requant.weight_scales.clear();
      });
    }
    kit::BadCall null_params;
    null_params.what = "params = NULL";
    null_params.flavor = {QS_S8, type, v.per_channel};
    null_params.call = [fn](void* out) {
      static const std::int32_t input[2] = {1, 2};
      return fn(nullptr, kit::fenced_input(input, 2, "input"), out, 2);
    };
    calls.push_back(null_params);
  }
  return calls;
}

// ---- Exhaustive sweep --------------------------------------------------------------------------

CheckResult sweep_every_int32(const qs_kernel_table& table, const Support& support, const Settings& settings,
                              const Variant& v) {
  constexpr std::size_t kChunk = 1u << 16;
  constexpr std::size_t kChunks = (std::size_t{1} << 32) / kChunk;
  std::vector<ChannelMultiplier> ms;
  for (int i : {0, 3, 8}) ms.push_back(typical_multiplier(v.key.variant, i));
  for (const ChannelMultiplier& m : tie_multipliers(v.key.variant)) {
    if (ms.size() < 6) ms.push_back(m);
  }
  std::size_t calls = 0, unit = 0;
  std::vector<std::int32_t> input(kChunk);
  std::vector<std::uint8_t> out(kChunk);
  auto* const fn = v.per_channel ? table.requantize_per_channel : table.requantize;
  for (const Flavor& flavor : support.supported) {
    for (const ChannelMultiplier& m : ms) {
      const std::int32_t z = flavor.output_type == QS_S8 ? 1 : 128;
      RequantizeCase c = make_full(v, flavor.output_type, m, z, {});
      const oracle::Requantizer expected_of(c.requant, 0, c.qmin, c.qmax, OracleMode::fast);
      qs_requantize_params p{};
      p.requant = to_abi(c.requant, v.per_channel);
      p.output_type = c.output_type;
      p.qmin = c.qmin;
      p.qmax = c.qmax;
      p.channels = 1;
      for (std::size_t chunk = 0; chunk < kChunks; ++chunk, ++unit) {
        if (!settings.shard.owns(unit)) continue;
        std::size_t count = 0;
        for (std::size_t i = 0; i < kChunk; ++i) {
          const auto acc = static_cast<std::int32_t>(static_cast<std::uint32_t>(chunk * kChunk + i));
          if (clamp_accumulator(v.key.variant, m, acc) == acc) input[count++] = acc;  // TOSA REQUIRE
        }
        if (count == 0) continue;
        ++calls;
        if (fn(&p, input.data(), out.data(), count) != QS_OK) {
          return kit::failure("exhaustive sweep: call failed\n" + describe(c), calls);
        }
        for (std::size_t i = 0; i < count; ++i) {
          const std::int32_t want = expected_of(input[i]);
          const std::int32_t got = flavor.output_type == QS_S8 ? static_cast<std::int8_t>(out[i]) : out[i];
          if (got != want) {
            c.input = {input[i]};
            const Outcome o = run_case(table, c, OracleMode::fast);
            return kit::failure("exhaustive sweep found (re-run alone):\n" +
                                    (o.failed() ? kit::confirm(table, c, o)
                                                : describe(c) + "  expected " + std::to_string(want) + ", got " +
                                                      std::to_string(got) + " in bulk only\n"),
                                calls);
          }
        }
        if (settings.progress && chunk % 8192 == 0) {
          settings.progress("int32 sweep, " + multiplier_text(v.key.variant, m) + ", " +
                            element_type_name(flavor.output_type) + ": " + std::to_string(chunk * 100 / kChunks) + "%");
        }
      }
    }
  }
  return {CheckResult::Verdict::pass, "", calls};
}

VariantSuite suite_for(const Variant& v) {
  VariantSuite s;
  s.op = v.per_channel ? "requantize_per_channel" : "requantize";
  s.variant = requant_variant_label(v.key);
  s.probe = [v](const qs_kernel_table& table) {
    std::vector<RequantizeCase> probes;
    for (std::uint32_t type : kTypes) {
      probes.push_back(make_full(v, type, typical_multiplier(v.key.variant, 0), type == QS_S8 ? 0 : 128, {100, -100}));
    }
    auto name = [](const Flavor& f) { return flavor_name(f, false, true, false); };
    return is_appended_selector(v.key.variant) ? kit::probe_appended_selector(table, probes, name) : kit::probe(table, probes, name);
  };
  auto catalogue = [v](const std::string& name, Cases (*build)(const Variant&)) {
    return Check{name, false, [v, build](const qs_kernel_table& t, const Support& sup, const Settings&) {
                   return kit::run_cases(t, sup, as_variant(v, build(v)));
                 }};
  };
  s.checks.push_back(catalogue("RoundsTiesByItsRule", ties));
  if (v.key.variant == QS_REQUANT_IDEAL) {
    s.checks.push_back(catalogue("RoundsExactTiesOfNonDyadicMultipliers", non_dyadic_ties));
  }
  s.checks.push_back(catalogue("SaturatesAtInt32ExtremesAndShiftBounds", extremes));
  s.checks.push_back(catalogue("AddsZeroPointWithoutWrappingBeforeTheClamp", zero_point_overflow));
  s.checks.push_back(catalogue("ClampsToNarrowAndDegenerateRanges", clamp_ranges));
  s.checks.push_back(catalogue("WritesEveryLengthExactlyOnce", every_length));
  if (v.per_channel) s.checks.push_back(catalogue("UsesChannelIModChannels", channel_index));
  s.checks.push_back(kit::random_cases_check(s.op, s.variant, [v](const Support& sup) { return gen_case(v, sup); }));
  s.checks.push_back(kit::bad_parameters_check(s.op, [v](const qs_kernel_table& t) { return bad_calls(t, v); }));
  s.checks.push_back(Check{"MatchesReferenceOnEveryInt32", true,
                           [v](const qs_kernel_table& t, const Support& sup, const Settings& set) {
                             return sweep_every_int32(t, sup, set, v);
                           }});
  return s;
}

}  // namespace

rc::Gen<ChannelMultiplier> gen_channel_multiplier(std::uint32_t variant) { return gen_channel(variant); }
ChannelMultiplier typical_channel_multiplier(std::uint32_t variant, int index) {
  return typical_multiplier(variant, index);
}

std::vector<VariantSuite> requantize_suites() {
  std::vector<VariantSuite> suites;
  for (bool per_channel : {false, true}) {
    for (const RequantVariantKey& key : all_requant_variant_keys()) suites.push_back(suite_for({key, per_channel}));
  }
  return suites;
}

}  // namespace quantspec::conformance::ops
