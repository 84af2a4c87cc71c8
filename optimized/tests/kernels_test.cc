// Every compiled target's C ABI table against a plain model of the spec written here from the
// team brief's normative text (not from the kernels' own scalar code): exact integer formulas
// in int64 / __int128, exact rational comparisons in binary64 for quantize. Lengths sweep
// 0 .. 3*64+5 so every vector tail and every unroll remainder runs.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include <xmmintrin.h>

#include "gtest/gtest.h"
#include "quantspec/kernel_abi.h"
#include "quantspec/optimized.h"
#include "quantspec/reference/deployed_requantize.hpp"

#include "../src/amx_support.h"

namespace {

using quantspec::optimized::TargetTable;

std::vector<TargetTable> Tables() { return quantspec::optimized::compiled_tables(); }

// ---- model: quantize (Q2) ----
// R applied to the exact rational x/S, decided by exact binary64 comparisons (c*S and
// (c+1/2)*S are exact in binary64 for |c| < 2^21 and binary32 S).
int64_t ModelRoundQuotient(double x, double s, uint32_t rounding) {
  double c = std::floor(x / s);
  while (c * s > x) c -= 1;
  while ((c + 1) * s <= x) c += 1;
  // now c <= x/s < c+1
  if (c * s == x) return static_cast<int64_t>(c);
  const double half = (c + 0.5) * s;
  switch (rounding) {
    case QS_ROUND_FLOOR: return static_cast<int64_t>(c);
    case QS_ROUND_TOWARD_ZERO: return static_cast<int64_t>(c < 0 ? c + 1 : c);
    case QS_ROUND_HALF_UP: return static_cast<int64_t>(x >= half ? c + 1 : c);
    case QS_ROUND_HALF_AWAY:
      if (x == half) return static_cast<int64_t>(c < 0 ? c : c + 1);
      return static_cast<int64_t>(x > half ? c + 1 : c);
    default:  // half even
      if (x == half) return static_cast<int64_t>(std::fmod(c, 2.0) == 0 ? c : c + 1);
      return static_cast<int64_t>(x > half ? c + 1 : c);
  }
}

int32_t ModelQuantize(float x, float s, int32_t z, int32_t qmin, int32_t qmax, uint32_t rounding,
                      uint32_t division) {
  if (std::isnan(x)) return z;
  double t_num = x, t_den = s;  // the value to round is t_num / t_den exactly
  if (division != QS_DIV_EXACT) {
    volatile float inv = 1.0f / s;
    volatile float t = division == QS_DIV_F32_DIVIDE ? x / s : x * inv;
    if (std::isnan(t)) return z;
    t_num = t;
    t_den = 1.0;
  }
  if (std::isinf(t_num)) return t_num > 0 ? qmax : qmin;
  // Saturate far quotients first (approximate test with a wide margin is enough there).
  const double approx = t_num / t_den;
  if (approx > 1e6) return qmax;
  if (approx < -1e6) return qmin;
  int64_t q = ModelRoundQuotient(t_num, t_den, rounding) + z;
  return static_cast<int32_t>(q < qmin ? qmin : (q > qmax ? qmax : q));
}

// ---- model: requantize (Q7), literally as the brief states it ----
int32_t Sat32(__int128 v) {
  return static_cast<int32_t>(v > INT32_MAX ? INT32_MAX : (v < INT32_MIN ? INT32_MIN : v));
}
__int128 TruncDiv(__int128 a, __int128 b) { return a / b; }  // C++ truncates
int32_t ModelSrdhm(int32_t a, int32_t b) {
  if (a == INT32_MIN && b == INT32_MIN) return INT32_MAX;
  const __int128 ab = static_cast<__int128>(a) * b;
  const __int128 nudge = ab >= 0 ? (__int128{1} << 30) : (1 - (__int128{1} << 30));
  return static_cast<int32_t>(TruncDiv(ab + nudge, __int128{1} << 31));
}
int32_t ModelRdbpot(int32_t x, int e) {
  const int64_t mask = (int64_t{1} << e) - 1;
  const int64_t rem = x & mask;
  const int64_t thr = (mask >> 1) + (x < 0 ? 1 : 0);
  return static_cast<int32_t>((static_cast<int64_t>(x) >> e) + (rem > thr ? 1 : 0));
}
int64_t ModelY(uint32_t variant, int32_t acc, int32_t mult, int32_t shift, float scale,
               bool before, int32_t zy) {
  switch (variant) {
    case QS_REQUANT_DOUBLE_ROUND: {
      const int left = std::max(shift, 0), right = std::max(-shift, 0);
      const int32_t x = Sat32(static_cast<__int128>(acc) << left);
      return ModelRdbpot(ModelSrdhm(x, mult), right);
    }
    case QS_REQUANT_DOUBLE_ROUND_WRAP: {  // Q7.2's wrap member: acc * 2^left mod 2^32
      const int left = std::max(shift, 0), right = std::max(-shift, 0);
      const __int128 low = (static_cast<__int128>(acc) * (__int128{1} << left)) & 0xFFFFFFFF;
      const auto x = static_cast<int32_t>(low >= (__int128{1} << 31) ? low - (__int128{1} << 32) : low);
      return ModelRdbpot(ModelSrdhm(x, mult), right);
    }
    case QS_REQUANT_SINGLE_ROUND:
    case QS_REQUANT_RNDNU: {
      const int total = 31 - shift;
      return Sat32(((static_cast<__int128>(acc) * mult) + (__int128{1} << (total - 1))) >> total);
    }
    case QS_REQUANT_RNDNA: {
      const int total = 31 - shift;
      const __int128 mag = acc < 0 ? -static_cast<__int128>(acc) : acc;
      const __int128 y = (mag * mult + (__int128{1} << (total - 1))) >> total;
      return Sat32(acc < 0 ? -y : y);
    }
    case QS_REQUANT_TOSA_SINGLE:
    case QS_REQUANT_TOSA_DOUBLE:
    case QS_REQUANT_TOSA_SCALE16: {
      __int128 round = __int128{1} << (shift - 1);
      if (variant == QS_REQUANT_TOSA_DOUBLE && shift > 31) {
        round += acc >= 0 ? (__int128{1} << 30) : -(__int128{1} << 30);
      }
      return Sat32((static_cast<__int128>(acc) * mult + round) >> shift);
    }
    default: {  // fp32
      volatile float v = static_cast<float>(acc) * scale;
      if (before) {
        volatile float w = v + static_cast<float>(zy);
        return static_cast<int64_t>(std::nearbyint(std::fmax(std::fmin(w, 1e9f), -1e9f))) - zy;
      }
      return static_cast<int64_t>(std::nearbyint(std::fmax(std::fmin(v, 1e9f), -1e9f)));
    }
  }
}

int32_t ModelRequantize(uint32_t variant, int32_t acc, int32_t mult, int32_t shift, float scale,
                        bool before, int32_t zy, int32_t qmin, int32_t qmax) {
  const int64_t q = ModelY(variant, acc, mult, shift, scale, before, zy) + zy;
  return static_cast<int32_t>(q < qmin ? qmin : (q > qmax ? qmax : q));
}

std::vector<size_t> Lengths() {
  std::vector<size_t> lengths;
  for (size_t n = 0; n <= 3 * 64 + 5; ++n) lengths.push_back(n);
  lengths.push_back(1000);
  return lengths;
}

// Inputs that reach the edges: ties (k + 1/2) * S, one ulp either side, huge, NaN, +-Inf, -0.
std::vector<float> QuantizeInputs(float s, size_t n, std::mt19937& rng) {
  std::vector<float> x(n);
  std::uniform_int_distribution<int> kind(0, 9);
  std::uniform_int_distribution<int> k(-300, 300);
  for (auto& v : x) {
    const float tie = (static_cast<float>(k(rng)) + 0.5f) * s;
    switch (kind(rng)) {
      case 0: v = tie; break;
      case 1: v = std::nextafter(tie, 1e30f); break;
      case 2: v = std::nextafter(tie, -1e30f); break;
      case 3: v = static_cast<float>(k(rng)) * s; break;
      case 4: v = std::nextafter(static_cast<float>(k(rng)) * s, -1e30f); break;
      case 5: v = std::ldexp(1.0f, 40) * (k(rng) < 0 ? -1.0f : 1.0f); break;
      case 6: {
        const float specials[] = {std::numeric_limits<float>::quiet_NaN(),
                                  std::numeric_limits<float>::infinity(),
                                  -std::numeric_limits<float>::infinity(), -0.0f, 0.0f,
                                  std::numeric_limits<float>::denorm_min(), 3e9f, -3e9f};
        v = specials[static_cast<size_t>(k(rng) + 300) % 8];
        break;
      }
      default: v = std::uniform_real_distribution<float>(-300.0f, 300.0f)(rng) * s; break;
    }
  }
  return x;
}

TEST(OptimizedTables, ListsScalarAndDispatch) {
  const auto tables = Tables();
  ASSERT_FALSE(tables.empty());
  EXPECT_EQ(tables.back().target, "scalar");
  const qs_kernel_table* t = qs_kernel_table_get(QS_KERNEL_ABI_VERSION);
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(t->abi_version, QS_KERNEL_ABI_VERSION);
  EXPECT_EQ(t->struct_size, sizeof(qs_kernel_table));
  EXPECT_EQ(std::string(t->name), tables.front().target);
  EXPECT_EQ(qs_kernel_table_get(0), nullptr);
}

TEST(OptimizedTables, QuantizeMatchesModelOnEdgesForEveryVariant) {
  std::mt19937 rng(1);
  const float scales[] = {0.05f, 1.0f / 3.0f, 0.0078125f, 1e-40f /* subnormal */, 3.7e5f};
  for (const auto& [name, table] : Tables()) {
    for (uint32_t division : {QS_DIV_EXACT, QS_DIV_F32_DIVIDE, QS_DIV_F32_RECIPROCAL}) {
      for (uint32_t rounding = 0; rounding <= QS_ROUND_FLOOR; ++rounding) {
        for (uint32_t type : {QS_S8, QS_U8}) {
          for (float s : scales) {
            const size_t n = 1 + rng() % 200;
            const auto x = QuantizeInputs(s, n, rng);
            qs_quantize_params p{};
            p.output_type = type;
            p.rounding = rounding;
            p.division = division;
            p.qmin = type == QS_S8 ? -128 : 0;
            p.qmax = type == QS_S8 ? 127 : 255;
            p.scale = s;
            p.zero_point = type == QS_S8 ? 3 : 128;
            std::vector<uint8_t> out(n + 1, 0xAB);
            ASSERT_EQ(table->quantize(&p, x.data(), out.data(), n), QS_OK);
            ASSERT_EQ(out[n], 0xAB) << name << " wrote past the end";
            for (size_t i = 0; i < n; ++i) {
              const int32_t got = type == QS_S8 ? static_cast<int8_t>(out[i]) : out[i];
              const int32_t want =
                  ModelQuantize(x[i], s, p.zero_point, p.qmin, p.qmax, rounding, division);
              ASSERT_EQ(got, want) << name << " division=" << division << " rounding=" << rounding
                                   << " type=" << type << " S=" << std::hexfloat << s
                                   << " x=" << x[i] << " i=" << std::dec << i << " n=" << n;
            }
          }
        }
      }
    }
  }
}

TEST(OptimizedTables, QuantizePerChannelUsesIModChannels) {
  std::mt19937 rng(2);
  for (const auto& [name, table] : Tables()) {
    for (size_t channels : {1u, 3u, 16u, 70u}) {
      std::vector<float> scales(channels);
      std::vector<int32_t> zps(channels);
      for (size_t c = 0; c < channels; ++c) {
        scales[c] = 0.01f * static_cast<float>(c + 1);
        zps[c] = static_cast<int32_t>(c % 7) - 3;
      }
      for (size_t n : {size_t{0}, size_t{5}, size_t{67}, size_t{301}}) {
        std::vector<float> x(n);
        for (auto& v : x) v = std::uniform_real_distribution<float>(-2.0f, 2.0f)(rng);
        qs_quantize_params p{};
        p.output_type = QS_S8;
        p.rounding = QS_ROUND_HALF_EVEN;
        p.division = QS_DIV_F32_DIVIDE;
        p.qmin = -128;
        p.qmax = 127;
        p.scales = scales.data();
        p.zero_points = zps.data();
        p.channels = channels;
        std::vector<int8_t> out(n + 1, 77);
        ASSERT_EQ(table->quantize_per_channel(&p, x.data(), out.data(), n), QS_OK);
        ASSERT_EQ(out[n], 77);
        for (size_t i = 0; i < n; ++i) {
          const size_t c = i % channels;
          ASSERT_EQ(out[i], ModelQuantize(x[i], scales[c], zps[c], -128, 127,
                                          QS_ROUND_HALF_EVEN, QS_DIV_F32_DIVIDE))
              << name << " channels=" << channels << " i=" << i;
        }
      }
    }
  }
}

// Sets FTZ and DAZ for the scope (as -ffast-math start-up code does in a host process).
struct FlushDenormals {
  FlushDenormals() : saved(_mm_getcsr()) { _mm_setcsr(saved | 0x8040); }
  ~FlushDenormals() { _mm_setcsr(saved); }
  unsigned saved;
};

TEST(OptimizedTables, DequantizeIsOneBinary32MultiplyEvenWhenTheCallerFlushesDenormals) {
  for (const auto& [name, table] : Tables()) {
    for (size_t n : Lengths()) {
      std::vector<uint8_t> q(n);
      for (size_t i = 0; i < n; ++i) q[i] = static_cast<uint8_t>(i * 37 + 11);
      for (uint32_t type : {QS_S8, QS_U8}) {
        qs_dequantize_params p{};
        p.input_type = type;
        p.scale = 1e-40f;  // subnormal results must not be flushed
        p.zero_point = type == QS_S8 ? -128 : 255;
        std::vector<float> out(n + 1, 42.0f);
        qs_status status;
        {
          FlushDenormals ftz_daz;  // the kernel must still produce the subnormal results
          status = table->dequantize(&p, q.data(), out.data(), n);
        }
        ASSERT_EQ(status, QS_OK);
        ASSERT_EQ(out[n], 42.0f);
        for (size_t i = 0; i < n; ++i) {
          const int32_t v = type == QS_S8 ? static_cast<int8_t>(q[i]) : q[i];
          // Exact in binary64 (9-bit integer times a 24-bit significand), then one rounding
          // to binary32; compared bit for bit.
          const double exact = static_cast<double>(v - p.zero_point) * p.scale;
          const float want = static_cast<float>(exact);
          uint32_t got_bits, want_bits;
          std::memcpy(&got_bits, &out[i], 4);
          std::memcpy(&want_bits, &want, 4);
          ASSERT_EQ(got_bits, want_bits) << name << " i=" << i;
        }
      }
    }
  }
}

struct RequantCase {
  uint32_t variant;
  int32_t multiplier;
  int32_t shift;
};

TEST(OptimizedTables, RequantizeMatchesModelForEveryVariantAndEdge) {
  std::mt19937 rng(3);
  const RequantCase cases[] = {
      {QS_REQUANT_DOUBLE_ROUND, 1 << 30, 0},          {QS_REQUANT_DOUBLE_ROUND, INT32_MAX, 30},
      {QS_REQUANT_DOUBLE_ROUND, 1518500250, -31},     {QS_REQUANT_DOUBLE_ROUND, 1073741825, -8},
      {QS_REQUANT_DOUBLE_ROUND, 1999999999, 5},       {QS_REQUANT_DOUBLE_ROUND, 0, 0},
      // The wrapping member: left shifts where most accumulators wrap (2^30 << 3 is 0), the
      // fused path it shares with double_round (shift < 0), and no shift at all.
      {QS_REQUANT_DOUBLE_ROUND_WRAP, 1 << 30, 3},     {QS_REQUANT_DOUBLE_ROUND_WRAP, INT32_MAX, 30},
      {QS_REQUANT_DOUBLE_ROUND_WRAP, 1999999999, 1},  {QS_REQUANT_DOUBLE_ROUND_WRAP, 1073741825, -8},
      {QS_REQUANT_DOUBLE_ROUND_WRAP, 1 << 30, 0},
      {QS_REQUANT_SINGLE_ROUND, 1 << 30, -1},         {QS_REQUANT_SINGLE_ROUND, INT32_MAX, 30},
      {QS_REQUANT_SINGLE_ROUND, 1518500250, -31},     {QS_REQUANT_SINGLE_ROUND, 1234567890, -7},
      {QS_REQUANT_RNDNU, 1234567890, -7},             {QS_REQUANT_RNDNA, 1 << 30, -1},
      {QS_REQUANT_RNDNA, 1234567890, -20},            {QS_REQUANT_RNDNA, INT32_MAX, 30},
      {QS_REQUANT_TOSA_SINGLE, 1234567890, 40},       {QS_REQUANT_TOSA_DOUBLE, 1234567890, 40},
      {QS_REQUANT_TOSA_DOUBLE, 1234567890, 62},       {QS_REQUANT_TOSA_SCALE16, 32767, 20},
      {QS_REQUANT_TOSA_SINGLE, 1 << 20, 33},          {QS_REQUANT_FP32, 0, 0},
      // The per-tensor rounding on the gathered high halves (total shift t >= 33): its
      // smallest t, the largest t where Zy * 2^(t-32) rides in the int32 constant (54, with
      // |h| near 2^30 and Zy = 250 the sum comes within 2^22 of 2^31), and the first t without.
      {QS_REQUANT_SINGLE_ROUND, INT32_MAX, -2},       {QS_REQUANT_SINGLE_ROUND, INT32_MAX, -23},
      {QS_REQUANT_SINGLE_ROUND, INT32_MAX, -24},      {QS_REQUANT_RNDNA, INT32_MAX, -2},
      {QS_REQUANT_TOSA_SINGLE, INT32_MAX, 54},        {QS_REQUANT_TOSA_SINGLE, INT32_MAX, 62},
      // double_round's clamp before the left shift (per tensor, multiplier / 2 > qmax - Zy):
      // at left = 30 the clamped x is 2^30, whose y = floor(m / 2 + 1/2) differs from the
      // saturated x's y = m. With Zy = 120 (s8, qmax - Zy = 7), m = 12 must saturate (y 6 or
      // 12: q 126 or 127), m = 16 may clamp (y 8 or 16: q 127 either way).
      {QS_REQUANT_DOUBLE_ROUND, 12, 30},              {QS_REQUANT_DOUBLE_ROUND, 16, 30},
      // The tie-away term on int32 lanes (sign_term_shift-inl.h, targets without AVX-512),
      // taken where m + k32 <= INT32_MAX, k32 = the constant's share above 2^31 (Zy's included):
      // double_round k32 = 2^(r-1) + Zy * 2^r, at r = 1 with Zy = 120 (s8) k32 = 241, so
      // m = INT32_MAX - 241 is the last m that takes it and INT32_MAX - 239 must not (bits
      // 31..62 of acc = INT32_MAX would wrap); r = 23 with Zy folded (u8: Zy * 2^23 too large).
      // tosa_double k32 = 2^(s-32) + Zy * 2^(s-31): the same pair at s = 32, and at s = 62
      // (no Zy) m = 2^30 - 1 takes it, m = 2^30 must not.
      {QS_REQUANT_DOUBLE_ROUND, INT32_MAX - 241, -1}, {QS_REQUANT_DOUBLE_ROUND, INT32_MAX - 239, -1},
      {QS_REQUANT_DOUBLE_ROUND, 1 << 30, -23},        {QS_REQUANT_DOUBLE_ROUND, INT32_MAX, -31},
      {QS_REQUANT_TOSA_DOUBLE, INT32_MAX - 241, 32},  {QS_REQUANT_TOSA_DOUBLE, INT32_MAX - 239, 32},
      {QS_REQUANT_TOSA_DOUBLE, (1 << 30) - 1, 62},    {QS_REQUANT_TOSA_DOUBLE, 1 << 30, 62},
  };
  const float fp32_scales[] = {1.0f / 4096, 0.5f, 3.0f, 1e-30f, 1e30f};
  for (const auto& [name, table] : Tables()) {
    for (const auto& c : cases) {
      for (bool before : {false, true}) {
        if (before && c.variant != QS_REQUANT_FP32) continue;
        for (float scale : fp32_scales) {
          if (c.variant != QS_REQUANT_FP32 && scale != fp32_scales[0]) continue;
          for (uint32_t type : {QS_S8, QS_U8}) {
            const size_t n = 1 + rng() % 150;
            std::vector<int32_t> acc(n);
            const int32_t specials[] = {INT32_MIN, INT32_MAX, 0, -1, 1, 1 << 30, -(1 << 30),
                                        4096 * 3 / 2, -4096 * 3 / 2, 2048, -2048};
            for (auto& a : acc) {
              a = (rng() % 3 == 0) ? specials[rng() % 11] : static_cast<int32_t>(rng());
              if (rng() % 3 == 0) a >>= (rng() % 31);
            }
            qs_requantize_params p{};
            p.requant.variant = c.variant;
            p.requant.zero_point_entry = before ? QS_ZP_BEFORE_ROUNDING : QS_ZP_AFTER_ROUNDING;
            p.requant.multiplier = c.multiplier;
            p.requant.shift = c.shift;
            p.requant.scale = scale;
            p.requant.output_zero_point = type == QS_S8 ? 120 : 250;  // y + Zy overflows int8
            p.output_type = type;
            p.qmin = type == QS_S8 ? -127 : 0;
            p.qmax = type == QS_S8 ? 127 : 255;
            std::vector<uint8_t> out(n + 1, 0xCD);
            ASSERT_EQ(table->requantize(&p, acc.data(), out.data(), n), QS_OK)
                << name << " variant=" << c.variant;
            ASSERT_EQ(out[n], 0xCD);
            for (size_t i = 0; i < n; ++i) {
              const int32_t got = type == QS_S8 ? static_cast<int8_t>(out[i]) : out[i];
              const int32_t want =
                  ModelRequantize(c.variant, acc[i], c.multiplier, c.shift, scale, before,
                                  p.requant.output_zero_point, p.qmin, p.qmax);
              ASSERT_EQ(got, want) << name << " variant=" << c.variant << " mult=" << c.multiplier
                                   << " shift=" << c.shift << " scale=" << scale
                                   << " before=" << before << " acc=" << acc[i] << " i=" << i;
            }
          }
        }
      }
    }
  }
}

TEST(OptimizedTables, RequantizePerChannelMatchesModel) {
  std::mt19937 rng(4);
  for (const auto& [name, table] : Tables()) {
    for (uint32_t variant : {QS_REQUANT_DOUBLE_ROUND, QS_REQUANT_DOUBLE_ROUND_WRAP,
                             QS_REQUANT_SINGLE_ROUND, QS_REQUANT_RNDNA, QS_REQUANT_TOSA_DOUBLE,
                             QS_REQUANT_FP32}) {
      for (size_t channels : {1u, 5u, 33u, 100u}) {
        std::vector<int32_t> mult(channels), shift(channels);
        std::vector<float> scales(channels);
        for (size_t c = 0; c < channels; ++c) {
          mult[c] = (1 << 30) + static_cast<int32_t>(rng() % (1u << 30));
          const bool tosa = variant == QS_REQUANT_TOSA_DOUBLE;
          shift[c] = tosa ? 32 + static_cast<int32_t>(rng() % 30)
                          : -static_cast<int32_t>(rng() % 32) + (c % 4 == 0 ? 3 : 0);
          scales[c] = std::ldexp(1.0f + static_cast<float>(c) / 128, -static_cast<int>(c % 20));
        }
        const size_t n = 1 + rng() % 400;
        std::vector<int32_t> acc(n);
        for (auto& a : acc) a = static_cast<int32_t>(rng()) >> (rng() % 31);
        qs_requantize_params p{};
        p.requant.variant = variant;
        p.requant.multipliers = mult.data();
        p.requant.shifts = shift.data();
        p.requant.scales = scales.data();
        p.requant.output_zero_point = -5;
        p.output_type = QS_S8;
        p.qmin = -128;
        p.qmax = 127;
        p.channels = channels;
        std::vector<int8_t> out(n);
        ASSERT_EQ(table->requantize_per_channel(&p, acc.data(), out.data(), n), QS_OK);
        for (size_t i = 0; i < n; ++i) {
          const size_t c = i % channels;
          ASSERT_EQ(out[i], ModelRequantize(variant, acc[i], mult[c], shift[c], scales[c], false,
                                            -5, -128, 127))
              << name << " variant=" << variant << " channels=" << channels << " i=" << i;
        }
      }
    }
  }
}

TEST(OptimizedTables, TosaRequireViolationIsBadParameters) {
  for (const auto& [name, table] : Tables()) {
    qs_requantize_params p{};
    p.requant.variant = QS_REQUANT_TOSA_SINGLE;
    p.requant.multiplier = 1 << 20;
    p.requant.shift = 10;  // acc must lie in [-512, 512)
    p.output_type = QS_S8;
    p.qmin = -128;
    p.qmax = 127;
    std::vector<int32_t> acc(37, 3);
    std::vector<int8_t> out(37);
    EXPECT_EQ(table->requantize(&p, acc.data(), out.data(), acc.size()), QS_OK) << name;
    acc[36] = 512;
    EXPECT_EQ(table->requantize(&p, acc.data(), out.data(), acc.size()), QS_BAD_PARAMETERS)
        << name;
  }
}

TEST(OptimizedTables, StatusesForUnsupportedAndBadParameters) {
  for (const auto& [name, table] : Tables()) {
    qs_requantize_params p{};
    p.requant.variant = QS_REQUANT_IDEAL;
    p.output_type = QS_S8;
    p.qmin = -128;
    p.qmax = 127;
    int32_t acc = 0;
    int8_t out = 0;
    EXPECT_EQ(table->requantize(&p, &acc, &out, 1), QS_VARIANT_NOT_SUPPORTED) << name;
    p.requant.variant = QS_REQUANT_DOUBLE_ROUND;
    p.requant.shift = 31;
    EXPECT_EQ(table->requantize(&p, &acc, &out, 1), QS_BAD_PARAMETERS) << name;
    p.requant.shift = 0;
    p.requant.zero_point_entry = QS_ZP_BEFORE_ROUNDING;
    EXPECT_EQ(table->requantize(&p, &acc, &out, 1), QS_BAD_PARAMETERS) << name;
    EXPECT_EQ(table->requantize(nullptr, &acc, &out, 1), QS_BAD_PARAMETERS) << name;
    qs_quantize_params q{};
    q.output_type = QS_S8;
    q.qmin = -128;
    q.qmax = 127;
    q.scale = 0.0f;
    float x = 1.0f;
    EXPECT_EQ(table->quantize(&q, &x, &out, 1), QS_BAD_PARAMETERS) << name;
    q.scale = 1.0f;
    q.zero_point = 128;
    EXPECT_EQ(table->quantize(&q, &x, &out, 1), QS_BAD_PARAMETERS) << name;
    q.zero_point = 0;
    EXPECT_EQ(table->quantize(&q, nullptr, nullptr, 0), QS_OK) << name;
    q.rounding = 99;
    EXPECT_EQ(table->quantize(&q, &x, &out, 1), QS_BAD_PARAMETERS) << name;
  }
}

// The ABI forbids overlapping input and output buffers; these kernels say so instead of
// reading what they have already overwritten. Adjacent buffers are fine.
TEST(OptimizedTables, OverlappingBuffersAreBadParameters) {
  alignas(64) unsigned char memory[1024] = {};
  for (const auto& [name, table] : Tables()) {
    qs_quantize_params q{};
    q.output_type = QS_S8;
    q.qmin = -128;
    q.qmax = 127;
    q.scale = 1.0f;
    const float* f32 = reinterpret_cast<const float*>(memory);
    EXPECT_EQ(table->quantize(&q, f32, memory + 40, 16), QS_BAD_PARAMETERS) << name;  // in place
    EXPECT_EQ(table->quantize(&q, f32, memory + 63, 16), QS_BAD_PARAMETERS) << name;  // last byte
    EXPECT_EQ(table->quantize(&q, f32, memory + 64, 16), QS_OK) << name;             // adjacent
    qs_dequantize_params d{};
    d.input_type = QS_S8;
    d.scale = 1.0f;
    float* f32_out = reinterpret_cast<float*>(memory + 256);
    EXPECT_EQ(table->dequantize(&d, memory + 256 + 63, f32_out, 16), QS_BAD_PARAMETERS) << name;
    EXPECT_EQ(table->dequantize(&d, memory + 256 + 64, f32_out, 16), QS_OK) << name;
    qs_requantize_params r{};
    r.output_type = QS_S8;
    r.requant.variant = QS_REQUANT_FP32;
    r.requant.scale = 1.0f;
    r.qmin = -128;
    r.qmax = 127;
    const int32_t* acc = reinterpret_cast<const int32_t*>(memory + 512);
    EXPECT_EQ(table->requantize(&r, acc, memory + 512 + 8, 16), QS_BAD_PARAMETERS) << name;
    EXPECT_EQ(table->requantize(&r, acc, memory + 512 + 64, 16), QS_OK) << name;
    uint8_t lut[256] = {};
    qs_lut_params l{QS_U8, lut};
    EXPECT_EQ(table->lut(&l, memory + 768, memory + 768, 16), QS_BAD_PARAMETERS) << name;
    EXPECT_EQ(table->lut(&l, memory + 768, memory + 768 + 16, 16), QS_OK) << name;
  }
}

// acc[m][n] = bias[n] + sum_k (A - Za)(W - Zw[n]) mod 2^32, in int64 then wrapped.
void ModelGemm(uint32_t a_type, const std::vector<uint8_t>& a, int32_t za, const std::vector<int8_t>& w,
               const std::vector<int32_t>& zw, const std::vector<int32_t>& bias, size_t m,
               size_t n, size_t k, std::vector<int32_t>& out) {
  for (size_t r = 0; r < m; ++r) {
    for (size_t c = 0; c < n; ++c) {
      int64_t acc = bias[c];
      for (size_t kk = 0; kk < k; ++kk) {
        const int64_t x = a_type == QS_S8 ? static_cast<int8_t>(a[r * k + kk]) : a[r * k + kk];
        acc += (x - za) * (w[c * k + kk] - zw[c]);
      }
      out[r * n + c] = static_cast<int32_t>(static_cast<uint32_t>(static_cast<uint64_t>(acc)));
    }
  }
}

TEST(OptimizedTables, GemmIsExactModTwoToThe32ForAnyShape) {
  std::mt19937 rng(5);
  struct Shape { size_t m, n, k; };
  const Shape shapes[] = {{0, 5, 3}, {3, 0, 3}, {2, 3, 0}, {1, 1, 1}, {7, 65, 5},
                          {13, 129, 67}, {6, 64, 64}, {5, 17, 1031}};
  for (const auto& [name, table] : Tables()) {
    for (const auto& s : shapes) {
      for (uint32_t a_type : {QS_S8, QS_U8}) {
        for (bool per_channel : {false, true}) {
          std::vector<uint8_t> a(s.m * s.k);
          std::vector<int8_t> w(s.n * s.k);
          std::vector<int32_t> zw(s.n), bias(s.n);
          for (auto& v : a) v = static_cast<uint8_t>(rng() % 3 == 0 ? (rng() & 1 ? 0 : 255) : rng());
          for (auto& v : w) v = static_cast<int8_t>(rng() % 3 == 0 ? (rng() & 1 ? -128 : 127) : rng());
          for (auto& v : zw) v = per_channel ? static_cast<int8_t>(rng()) : -128;
          for (auto& v : bias) v = rng() % 4 == 0 ? INT32_MAX : static_cast<int32_t>(rng());
          const int32_t za = a_type == QS_S8 ? 127 : 0;  // extreme: pushes the int32 wrap
          qs_gemm_params p{};
          p.a_type = a_type;
          p.a_zero_point = za;
          p.w_zero_point = -128;
          p.w_zero_points = per_channel ? zw.data() : nullptr;
          p.bias = bias.data();
          const size_t out_stride = s.n + 3;
          std::vector<int32_t> out(s.m * out_stride + 1, 0x5A5A5A5A);
          ASSERT_EQ(table->gemm(&p, a.data(), s.k, w.data(), s.k, out.data(), out_stride, s.m,
                                s.n, s.k),
                    QS_OK);
          std::vector<int32_t> want(s.m * s.n);
          ModelGemm(a_type, a, za, w, zw, bias, s.m, s.n, s.k, want);
          for (size_t r = 0; r < s.m; ++r) {
            for (size_t c = 0; c < out_stride; ++c) {
              if (c < s.n) {
                ASSERT_EQ(out[r * out_stride + c], want[r * s.n + c])
                    << name << " m=" << s.m << " n=" << s.n << " k=" << s.k << " r=" << r
                    << " c=" << c << " a_type=" << a_type << " per_channel=" << per_channel;
              } else {
                ASSERT_EQ(out[r * out_stride + c], 0x5A5A5A5A) << name << " wrote in the gap";
              }
            }
          }
        }
      }
    }
  }
}

// Shapes: a small one, and one with N a multiple of 256 and M >= 32, where linear and
// linear_packed keep their int32 accumulators with a padded row stride (table.cc
// AccumulatorStride) and the AMX GEMM stores whole blocks straight into them.
TEST(OptimizedTables, LinearIsGemmThenRequantizeThenClamp) {
  std::mt19937 rng(6);
  struct Shape { size_t m, n, k; };
  for (const Shape& s : {Shape{9, 70, 45}, Shape{40, 256, 70}}) {
    const size_t m = s.m, n = s.n, k = s.k;
    for (const auto& [name, table] : Tables()) {
      std::vector<uint8_t> a(m * k);
      std::vector<int8_t> w(n * k);
      std::vector<int32_t> zw(n, 0), bias(n), mult(n), shift(n);
      for (auto& v : a) v = static_cast<uint8_t>(rng());
      for (auto& v : w) v = static_cast<int8_t>(rng());
      for (auto& v : bias) v = static_cast<int32_t>(rng() % 20001) - 10000;
      for (size_t c = 0; c < n; ++c) {
        mult[c] = (1 << 30) + static_cast<int32_t>(rng() % (1u << 30));
        shift[c] = -8 - static_cast<int32_t>(c % 4);
      }
      qs_linear_params p{};
      p.gemm.a_type = QS_U8;
      p.gemm.a_zero_point = 128;
      p.gemm.bias = bias.data();
      p.requant.variant = QS_REQUANT_DOUBLE_ROUND;
      p.requant.multipliers = mult.data();
      p.requant.shifts = shift.data();
      p.requant.output_zero_point = 10;
      p.per_channel = 1;
      p.output_type = QS_S8;
      p.act_min = 10;  // ReLU at Zy
      p.act_max = 100;
      std::vector<int32_t> acc(m * n);
      ModelGemm(QS_U8, a, 128, w, zw, bias, m, n, k, acc);
      qs_packed_weights* packed = nullptr;
      ASSERT_EQ(table->pack_weights(&p.gemm, w.data(), k, n, k, &packed), QS_OK);
      for (bool from_packed : {false, true}) {
        std::vector<int8_t> out(m * n);
        const qs_status status =
            from_packed ? table->linear_packed(&p, a.data(), k, packed, out.data(), n, m)
                        : table->linear(&p, a.data(), k, w.data(), k, out.data(), n, m, n, k);
        ASSERT_EQ(status, QS_OK);
        for (size_t i = 0; i < m * n; ++i) {
          const size_t c = i % n;
          ASSERT_EQ(out[i], ModelRequantize(QS_REQUANT_DOUBLE_ROUND, acc[i], mult[c], shift[c],
                                            0, false, 10, 10, 100))
              << name << (from_packed ? " linear_packed" : " linear") << " m=" << m
              << " n=" << n << " i=" << i;
        }
      }
      table->release_packed(packed);
    }
  }
}

// A and W for the packed-GEMM tests: two thirds of the values at the ends of their ranges (so
// A - Za and W - Zw reach +-255 with Za, Zw at the other end), the rest uniform.
void FillEndHeavyOperands(std::mt19937& rng, uint32_t a_type, std::vector<uint8_t>& a,
                          std::vector<int8_t>& w) {
  const uint8_t a_ends[2] = {static_cast<uint8_t>(a_type == QS_S8 ? 0x80 : 0x00),
                             static_cast<uint8_t>(a_type == QS_S8 ? 0x7F : 0xFF)};
  for (auto& v : a) v = rng() % 3 != 0 ? a_ends[rng() & 1] : static_cast<uint8_t>(rng());
  for (auto& v : w) v = static_cast<int8_t>(rng() % 3 != 0 ? (rng() & 1 ? -128 : 127) : rng());
}

// gemm_packed and linear_packed with few rows of A: the GEMV path of the int16-panel targets
// (AVX3 without VNNI, AVX2, SSE4) reads raw int8 W and subtracts Zw[n] * sum_k (A - Za) at the
// end (gemm.cc, gemm_int8_pairs-inl.h); M sweeps past its bounds (AVX2 4, AVX3 16) so both
// sides of them run. K odd
// and even, around the vector's pair counts and up to 4096; N around the panel widths (8, 16,
// 32 columns); A - Za and W - Zw at +-255 (Za, Zw at the ends of their ranges), biases at
// INT32_MIN / INT32_MAX so the output wraps, and one K = 33100 case whose products alone pass
// 2^31 (255 * 255 * 33100 = 2152327500): SPEC Q5 wraps mod 2^32.
TEST(OptimizedTables, PackedCallsOfFewRowsAreExactModTwoToThe32) {
  std::mt19937 rng(16);
  struct Shape { size_t m, n, k; };
  std::vector<Shape> shapes;
  for (size_t m = 1; m <= 6; ++m) {
    for (size_t k : {1, 2, 3, 15, 16, 17, 31, 33, 64, 65}) {
      for (size_t n : {1, 7, 8, 9, 16, 17, 31, 32, 33, 65}) shapes.push_back({m, n, k});
    }
  }
  for (size_t m : {16, 17}) {  // AVX3's bound and past it
    for (size_t k : {3, 33, 64}) {
      for (size_t n : {7, 32, 33}) shapes.push_back({m, n, k});
    }
  }
  for (size_t m : {1, 2, 5}) {
    for (size_t k : {4095, 4096}) {
      for (size_t n : {17, 33}) shapes.push_back({m, n, k});
    }
  }
  struct ZeroPoints { uint32_t a_type; int32_t za, zw; };
  // (A - Za, W - Zw) reach (255, 255), (-255, -255), (255, -255), (-255, 255).
  const ZeroPoints zero_points[] = {{QS_U8, 0, -128}, {QS_U8, 255, 127}, {QS_S8, -128, 127},
                                    {QS_S8, 127, -128}};
  for (const auto& [name, table] : Tables()) {
    for (const Shape& s : shapes) {
      for (const ZeroPoints& z : zero_points) {
        const bool per_channel = (s.m + s.n + s.k) % 2 == 1;
        std::vector<uint8_t> a(s.m * s.k);
        std::vector<int8_t> w(s.n * s.k);
        std::vector<int32_t> zw(s.n, z.zw), bias(s.n);
        FillEndHeavyOperands(rng, z.a_type, a, w);
        if (per_channel) {
          for (size_t c = 0; c < s.n; ++c) zw[c] = c % 3 == 0 ? z.zw : c % 3 == 1 ? -z.zw - 1 : static_cast<int8_t>(rng());
        }
        for (auto& v : bias) v = rng() % 3 == 0 ? INT32_MAX : rng() % 2 == 0 ? INT32_MIN : static_cast<int32_t>(rng());
        qs_gemm_params pack{};
        pack.w_zero_point = z.zw;
        pack.w_zero_points = per_channel ? zw.data() : nullptr;
        pack.bias = bias.data();
        qs_packed_weights* packed = nullptr;
        ASSERT_EQ(table->pack_weights(&pack, w.data(), s.k, s.n, s.k, &packed), QS_OK);
        qs_gemm_params call{};
        call.a_type = z.a_type;
        call.a_zero_point = z.za;
        const size_t out_stride = s.n + 3;
        std::vector<int32_t> out(s.m * out_stride + 1, 0x5A5A5A5A);
        ASSERT_EQ(table->gemm_packed(&call, a.data(), s.k, packed, out.data(), out_stride, s.m),
                  QS_OK);
        std::vector<int32_t> want(s.m * s.n);
        ModelGemm(z.a_type, a, z.za, w, zw, bias, s.m, s.n, s.k, want);
        for (size_t r = 0; r < s.m; ++r) {
          for (size_t c = 0; c < out_stride; ++c) {
            if (c < s.n) {
              ASSERT_EQ(out[r * out_stride + c], want[r * s.n + c])
                  << name << " gemm_packed m=" << s.m << " n=" << s.n << " k=" << s.k
                  << " r=" << r << " c=" << c << " a_type=" << z.a_type << " Za=" << z.za
                  << " Zw=" << zw[c] << " per_channel=" << per_channel;
            } else {
              ASSERT_EQ(out[r * out_stride + c], 0x5A5A5A5A) << name << " wrote in the gap";
            }
          }
        }
        // linear_packed against the unpacked linear (int16 panels packed per call).
        qs_linear_params p{};
        p.gemm = pack;
        p.gemm.a_type = z.a_type;
        p.gemm.a_zero_point = z.za;
        p.requant.variant = QS_REQUANT_DOUBLE_ROUND;
        p.requant.multiplier = (1 << 30) + 12345;
        p.requant.shift = -20;
        p.requant.output_zero_point = 3;
        p.output_type = QS_S8;
        p.act_min = -128;
        p.act_max = 127;
        std::vector<int8_t> y(s.m * s.n), y_packed(s.m * s.n);
        ASSERT_EQ(table->linear(&p, a.data(), s.k, w.data(), s.k, y.data(), s.n, s.m, s.n, s.k),
                  QS_OK);
        ASSERT_EQ(table->linear_packed(&p, a.data(), s.k, packed, y_packed.data(), s.n, s.m), QS_OK);
        for (size_t i = 0; i < y.size(); ++i) {
          ASSERT_EQ(y_packed[i], y[i]) << name << " linear_packed m=" << s.m << " n=" << s.n
                                       << " k=" << s.k << " i=" << i << " acc=" << want[i];
        }
        table->release_packed(packed);
      }
    }
    // The int32 sum itself wraps: every product is 255 * 255 (A - Za = W - Zw = 255, and = -255).
    for (const ZeroPoints& z : {ZeroPoints{QS_U8, 0, -128}, ZeroPoints{QS_U8, 255, 127}}) {
      const size_t m = 1, n = 9, k = 33100;
      std::vector<uint8_t> a(m * k, z.za == 0 ? 255 : 0);
      std::vector<int8_t> w(n * k, static_cast<int8_t>(z.zw == -128 ? 127 : -128));
      std::vector<int32_t> zw(n, z.zw), bias(n, 0);
      qs_gemm_params pack{};
      pack.w_zero_point = z.zw;
      qs_packed_weights* packed = nullptr;
      ASSERT_EQ(table->pack_weights(&pack, w.data(), k, n, k, &packed), QS_OK);
      qs_gemm_params call{};
      call.a_type = z.a_type;
      call.a_zero_point = z.za;
      std::vector<int32_t> out(n), want(n);
      ASSERT_EQ(table->gemm_packed(&call, a.data(), k, packed, out.data(), n, m), QS_OK);
      ModelGemm(z.a_type, a, z.za, w, zw, bias, m, n, k, want);
      ASSERT_EQ(want[0], static_cast<int32_t>(2152327500u));  // 255 * 255 * 33100 - 2^32
      for (size_t c = 0; c < n; ++c) ASSERT_EQ(out[c], want[c]) << name << " K=33100 c=" << c;
      table->release_packed(packed);
    }
  }
}

// The AVX3_DL GEMM runs calls of 16 rows or more on AMX tiles where the process may
// (gemm_amx-inl.h), else on the 6-row vpdpbusd tile: both against the model, unpacked and
// packed, with AMX allowed and with it switched off (detail::AmxOverride). M around the
// 16-row tiles and 32-row blocks; K around the 64-byte tile steps (a K tail makes the last B
// tile read past its panel into zeros of A); N around the 16-column tiles, 32-column blocks and
// 64-column panels; zero points at the ends of their ranges and Zw = 0 (the AMX blocks then
// store whole 32 x 32 blocks straight into `out`, whose rows here have a gap after column n),
// biases that wrap, and one K = 33100 case whose products alone pass 2^31 (65025 * 33100 =
// 2152327500, read mod 2^32).
namespace detail = quantspec::optimized::detail;
// Sets detail::AmxOverride() for one call and restores the default (kAuto) after it, so that a
// failing assertion never leaves AMX switched off for later tests.
struct ScopedAmxUse {
  explicit ScopedAmxUse(detail::AmxUse use) { detail::AmxOverride().store(use); }
  ~ScopedAmxUse() { detail::AmxOverride().store(detail::AmxUse::kAuto); }
  ScopedAmxUse(const ScopedAmxUse&) = delete;
  ScopedAmxUse& operator=(const ScopedAmxUse&) = delete;
};

TEST(OptimizedTables, GemmOnAmxTilesAndOnVnniMatchesTheModel) {
  if (!detail::AmxAvailable()) {
    std::printf("note: this process may not use AMX; only the vpdpbusd path runs here\n");
  }
  std::mt19937 rng(17);
  struct Shape { size_t m, n, k; };
  std::vector<Shape> shapes;
  for (size_t m : {15, 16, 17, 31, 32, 33, 49, 64}) {
    for (size_t k : {1, 63, 64, 65, 130}) {
      for (size_t n : {1, 16, 33, 64, 65}) shapes.push_back({m, n, k});
    }
  }
  shapes.push_back({70, 130, 1031});
  shapes.push_back({16, 9, 33100});  // 255 * 255 * 33100 passes 2^31: the sum wraps
  struct ZeroPoints { uint32_t a_type; int32_t za, zw; };
  const ZeroPoints zero_points[] = {{QS_U8, 0, -128}, {QS_S8, 127, -128}, {QS_S8, -128, 127},
                                    {QS_U8, 255, 0},  {QS_S8, -128, 0}};
  for (const auto& [name, table] : Tables()) {
    size_t case_index = 0;
    for (const Shape& s : shapes) {
      const bool wraps = s.k == 33100;  // every product (255 - 0) * (127 - -128)
      const size_t index = case_index++;
      const ZeroPoints& z = wraps ? zero_points[0] : zero_points[index % 5];
      const bool per_channel = !wraps && z.zw != 0 && index % 2 == 0;
      std::vector<uint8_t> a(s.m * s.k);
      std::vector<int8_t> w(s.n * s.k);
      std::vector<int32_t> zw(s.n, z.zw), bias(s.n);
      FillEndHeavyOperands(rng, z.a_type, a, w);
      if (per_channel) {
        for (auto& v : zw) v = static_cast<int8_t>(rng());
      }
      for (auto& v : bias) v = rng() % 3 == 0 ? INT32_MAX : static_cast<int32_t>(rng());
      if (wraps) {
        std::fill(a.begin(), a.end(), 0xFF);
        std::fill(w.begin(), w.end(), 127);
        std::fill(bias.begin(), bias.end(), 0);
      }
      std::vector<int32_t> want(s.m * s.n);
      ModelGemm(z.a_type, a, z.za, w, zw, bias, s.m, s.n, s.k, want);
      if (wraps) ASSERT_EQ(want[0], static_cast<int32_t>(2152327500u));  // 65025 * 33100 mod 2^32
      qs_gemm_params p{};
      p.a_type = z.a_type;
      p.a_zero_point = z.za;
      p.w_zero_point = z.zw;
      p.w_zero_points = per_channel ? zw.data() : nullptr;
      p.bias = bias.data();
      qs_packed_weights* packed = nullptr;
      ASSERT_EQ(table->pack_weights(&p, w.data(), s.k, s.n, s.k, &packed), QS_OK);
      qs_gemm_params call{};
      call.a_type = z.a_type;
      call.a_zero_point = z.za;
      const size_t out_stride = s.n + 5;
      for (detail::AmxUse use : {detail::AmxUse::kAuto, detail::AmxUse::kNever}) {
        for (bool from_packed : {false, true}) {
          std::vector<int32_t> out(s.m * out_stride + 1, 0x5A5A5A5A);
          qs_status status;
          {
            const ScopedAmxUse scoped(use);
            status = from_packed
                         ? table->gemm_packed(&call, a.data(), s.k, packed, out.data(), out_stride, s.m)
                         : table->gemm(&p, a.data(), s.k, w.data(), s.k, out.data(), out_stride,
                                       s.m, s.n, s.k);
          }
          ASSERT_EQ(status, QS_OK);
          for (size_t r = 0; r < s.m; ++r) {
            for (size_t c = 0; c < out_stride; ++c) {
              if (c < s.n) {
                ASSERT_EQ(out[r * out_stride + c], want[r * s.n + c])
                    << name << (from_packed ? " gemm_packed" : " gemm") << " AMX "
                    << (use == detail::AmxUse::kAuto ? "allowed" : "off") << " m=" << s.m
                    << " n=" << s.n << " k=" << s.k << " r=" << r << " c=" << c;
              } else {
                ASSERT_EQ(out[r * out_stride + c], 0x5A5A5A5A) << name << " wrote in the gap";
              }
            }
          }
        }
      }
      table->release_packed(packed);
    }
  }
}

TEST(OptimizedTables, LutIndexesByBitPattern) {
  for (const auto& [name, table] : Tables()) {
    uint8_t lut[256];
    for (int i = 0; i < 256; ++i) lut[i] = static_cast<uint8_t>(i * 7 + 3);
    for (size_t n : Lengths()) {
      std::vector<uint8_t> in(n), out(n + 1, 0xEE);
      for (size_t i = 0; i < n; ++i) in[i] = static_cast<uint8_t>(i * 131 + 7);
      for (uint32_t type : {QS_S8, QS_U8}) {
        qs_lut_params p{type, lut};
        ASSERT_EQ(table->lut(&p, in.data(), out.data(), n), QS_OK);
        ASSERT_EQ(out[n], 0xEE);
        for (size_t i = 0; i < n; ++i) ASSERT_EQ(out[i], lut[in[i]]) << name << " i=" << i;
      }
    }
  }
}

// Outputs above the streaming threshold (half the L2) take the non-temporal store path, which
// peels elements until the output is aligned: misaligned outputs and odd lengths must still
// give every element and touch nothing past the end. 8 MiB + a few elements of output exceed
// half of any L2 this runs on.
TEST(OptimizedTables, LargeOutputsTakingTheStreamingPathMatchTheModel) {
  const size_t n = (size_t{2} << 20) + 37;
  std::vector<uint8_t> in(n);
  for (size_t i = 0; i < n; ++i) in[i] = static_cast<uint8_t>(i * 131 + 7 + (i >> 9));
  uint8_t lut[256];
  for (int i = 0; i < 256; ++i) lut[i] = static_cast<uint8_t>(i * 7 + 3);
  for (const auto& [name, table] : Tables()) {
    for (size_t offset : {0, 1, 3}) {  // in floats (dequantize) and in bytes (LUT)
      qs_dequantize_params p{};
      p.input_type = QS_S8;
      p.scale = 0.0371f;
      p.zero_point = -5;
      std::vector<float> out(n + offset + 1, 42.0f);
      ASSERT_EQ(table->dequantize(&p, in.data(), out.data() + offset, n), QS_OK);
      ASSERT_EQ(out[n + offset], 42.0f) << name;
      for (size_t i = 0; i < offset; ++i) ASSERT_EQ(out[i], 42.0f) << name;
      for (size_t i = 0; i < n; ++i) {
        const double exact =
            static_cast<double>(static_cast<int8_t>(in[i]) - p.zero_point) * p.scale;
        ASSERT_EQ(out[offset + i], static_cast<float>(exact)) << name << " i=" << i;
      }
      std::vector<uint8_t> lut_out(n + 4 * offset + 1, 0xEE);
      qs_lut_params lp{QS_U8, lut};
      ASSERT_EQ(table->lut(&lp, in.data(), lut_out.data() + 4 * offset + offset, n - offset),
                QS_OK);
      for (size_t i = 0; i < 5 * offset; ++i) ASSERT_EQ(lut_out[i], 0xEE) << name;
      for (size_t i = 0; i + offset < n; ++i) {
        ASSERT_EQ(lut_out[5 * offset + i], lut[in[i]]) << name << " i=" << i;
      }
      ASSERT_EQ(lut_out[n + 4 * offset], 0xEE) << name;
    }
  }
}

// The 4-in-1-out kernels stream large outputs too, visiting four interleaved parts of the
// span (group_order-inl.h), and quantize's division variants recompute a block with vdivps
// when the Newton-Markstein quotient raised an exception flag. Both paths need outputs above
// the streaming threshold: 2 Mi + 37 elements, outputs misaligned by 0 and 3 bytes, inputs
// with a sprinkling of values that raise flags (infinities, huge, subnormal, NaN).
TEST(OptimizedTables, LargeQuantizeAndRequantizeOutputsMatchTheModel) {
  const size_t n = (size_t{2} << 20) + 37;
  std::mt19937 rng(11);
  std::vector<float> x(n);
  std::uniform_real_distribution<float> value(-15.0f, 15.0f);
  for (size_t i = 0; i < n; ++i) x[i] = value(rng);
  const float specials[] = {INFINITY, -INFINITY, 3e38f, -1e-40f, 1e-45f, NAN, 0.0f, -0.0f};
  for (size_t i = 0; i < n; i += 4099) x[i] = specials[(i / 4099) % 8];
  for (size_t i = 1; i < n; i += 7919) x[i] = 0.05f * (std::floor(x[i] / 0.05f) + 0.5f);  // ties
  const float scale = 0.05f;
  for (uint32_t division : {QS_DIV_F32_DIVIDE, QS_DIV_F32_RECIPROCAL, QS_DIV_EXACT}) {
    for (uint32_t rounding : {QS_ROUND_HALF_EVEN, QS_ROUND_HALF_AWAY, QS_ROUND_FLOOR}) {
      std::vector<int8_t> expected(n);
      for (size_t i = 0; i < n; ++i) {
        expected[i] = static_cast<int8_t>(
            ModelQuantize(x[i], scale, 3, -128, 127, rounding, division));
      }
      for (const auto& [name, table] : Tables()) {
        for (size_t offset : {0, 3}) {
          qs_quantize_params p{};
          p.output_type = QS_S8;
          p.rounding = rounding;
          p.division = division;
          p.qmin = -128;
          p.qmax = 127;
          p.scale = scale;
          p.zero_point = 3;
          std::vector<int8_t> out(n + offset + 1, 0x55);
          ASSERT_EQ(table->quantize(&p, x.data(), out.data() + offset, n), QS_OK);
          for (size_t i = 0; i < offset; ++i) ASSERT_EQ(out[i], 0x55) << name;
          ASSERT_EQ(out[n + offset], 0x55) << name;
          for (size_t i = 0; i < n; ++i) {
            ASSERT_EQ(out[offset + i], expected[i])
                << name << " division " << division << " rounding " << rounding << " i=" << i
                << " x=" << x[i];
          }
        }
      }
    }
  }
  std::vector<int32_t> acc(n);
  std::uniform_int_distribution<int32_t> any(INT32_MIN, INT32_MAX);
  std::uniform_int_distribution<int32_t> small(-40000, 40000);
  for (size_t i = 0; i < n; ++i) acc[i] = i % 5 == 0 ? any(rng) : small(rng);
  struct Variant {
    uint32_t variant;
    int32_t multiplier;
    int32_t shift;
  };
  for (const Variant v : {Variant{QS_REQUANT_FP32, 0, 0}, Variant{QS_REQUANT_DOUBLE_ROUND, 1518500250, -7},
                          Variant{QS_REQUANT_DOUBLE_ROUND, 1518500250, 2},
                          Variant{QS_REQUANT_DOUBLE_ROUND_WRAP, 1518500250, 2},
                          Variant{QS_REQUANT_SINGLE_ROUND, 1518500250, -7},
                          Variant{QS_REQUANT_RNDNA, 1518500250, -7},
                          Variant{QS_REQUANT_TOSA_SINGLE, 1518500250, 38},
                          Variant{QS_REQUANT_TOSA_DOUBLE, 1518500250, 38},
                          Variant{QS_REQUANT_TOSA_SCALE16, 23170, 22}}) {
    const float fp32_scale = 0.0037f;
    std::vector<uint8_t> expected(n);
    for (size_t i = 0; i < n; ++i) {
      expected[i] = static_cast<uint8_t>(ModelRequantize(v.variant, acc[i], v.multiplier, v.shift,
                                                         fp32_scale, false, 128, 0, 255));
    }
    for (const auto& [name, table] : Tables()) {
      for (size_t offset : {0, 3}) {
        qs_requantize_params p{};
        p.output_type = QS_U8;
        p.requant.variant = v.variant;
        p.requant.zero_point_entry = QS_ZP_AFTER_ROUNDING;
        p.requant.multiplier = v.multiplier;
        p.requant.shift = v.shift;
        p.requant.scale = fp32_scale;
        p.requant.output_zero_point = 128;
        p.qmin = 0;
        p.qmax = 255;
        std::vector<uint8_t> out(n + offset + 1, 0xAA);
        ASSERT_EQ(table->requantize(&p, acc.data(), out.data() + offset, n), QS_OK) << name;
        for (size_t i = 0; i < offset; ++i) ASSERT_EQ(out[i], 0xAA) << name;
        ASSERT_EQ(out[n + offset], 0xAA) << name;
        for (size_t i = 0; i < n; ++i) {
          ASSERT_EQ(out[offset + i], expected[i])
              << name << " variant " << v.variant << " i=" << i << " acc=" << acc[i];
        }
      }
    }
  }
}

}  // namespace

// ---- the deployed members of SPEC Q11 (kernel ABI selectors 9..11) against the reference ----
// Expected values: ref::FastDeployedRequantizer (the int64 fast path the reference proves equal
// to its definition), and on a subset ref::deployed_requantize (the definition) itself.
namespace deployed {

namespace ref = quantspec::ref;

struct Member {
  uint32_t variant;
  ref::DeployedRequant member;
  int32_t min_shift;
  int32_t max_shift;
};
const Member kMembers[] = {
    {QS_REQUANT_NEON_DOUBLE_ROUND, ref::DeployedRequant::neon_double_round, -31, 30},
    {QS_REQUANT_INT16X8_INT64, ref::DeployedRequant::int16x8_int64, -31, 7},
    {QS_REQUANT_RNDNU16, ref::DeployedRequant::rndnu16, -31, 8},
};

ref::DeployedRequantParams RefParams(const Member& m, int32_t multiplier, int32_t shift,
                                     int32_t zy, int32_t qmin, int32_t qmax) {
  ref::DeployedRequantParams r;
  r.member = m.member;
  r.multiplier = multiplier;
  r.shift = shift;
  r.zero_point = zy;
  r.qmin = qmin;
  r.qmax = qmax;
  return r;
}

// Accumulators at the edges of all three members: ties of every rounding shift
// +-(2k+1) * 2^(j-1), their neighbours, powers of two (neon's wrapping left shift: 2^29 at
// shift 3 wraps to INT32_MIN), rndnu16's int16 saturation of the pre-shift (+-32767.5 * 2^r
// and around), the int32 ends, and random values of every magnitude.
std::vector<int32_t> EdgeAccumulators(std::mt19937& rng, size_t count) {
  std::vector<int32_t> acc;
  acc.reserve(count);
  std::uniform_int_distribution<int> kind(0, 6);
  while (acc.size() < count) {
    const int j = static_cast<int>(rng() % 32);
    const int sign = (rng() & 1) ? -1 : 1;
    const int64_t k = rng() % 5;
    int64_t v = 0;
    switch (kind(rng)) {
      case 0:  // a tie of the shift by j
        v = sign * (2 * k + 1) * (int64_t{1} << (j > 0 ? j - 1 : 0));
        break;
      case 1:  // a tie's neighbour
        v = sign * (2 * k + 1) * (int64_t{1} << (j > 0 ? j - 1 : 0)) + ((rng() & 1) ? 1 : -1);
        break;
      case 2:  // powers of two and their neighbours
        v = sign * (int64_t{1} << (j < 31 ? j : 30)) + static_cast<int>(rng() % 3) - 1;
        break;
      case 3:  // around the int16 bounds of rndnu16's pre-shift, scaled by 2^r
        v = (sign * 65535 + static_cast<int>(rng() % 3) - 1) * (int64_t{1} << (j % 17)) / 2;
        break;
      case 4: {
        const int64_t ends[] = {INT32_MIN, INT32_MAX, INT32_MIN + 1, INT32_MAX - 1, 0, 1, -1,
                                1 << 29, -(1 << 29), (1 << 29) - 1, 1 << 30, -(1 << 30)};
        v = ends[rng() % 12];
        break;
      }
      default:
        v = static_cast<int32_t>(rng()) >> (rng() % 32);
        break;
    }
    if (v >= INT32_MIN && v <= INT32_MAX) acc.push_back(static_cast<int32_t>(v));
  }
  return acc;
}

// (multiplier, shift) pairs per member: both shift ends, the 15-bit multiplier's boundaries
// (0x7FFF0000 caps int16x8_int64's m15; 0x7FFF8000 renormalises rndnu16's to 2^14 with p + 1),
// neon's wrapping left shifts, and ordinary multipliers < 1.
std::vector<std::pair<int32_t, int32_t>> Cases(const Member& m) {
  std::vector<std::pair<int32_t, int32_t>> cases = {
      {1 << 30, 0},       {INT32_MAX, 0},          {1518500250, -9},     {1073741825, -1},
      {0, 0},             {INT32_MAX, m.min_shift}, {INT32_MAX, m.max_shift},
      {1 << 30, m.max_shift}, {1234567890, m.min_shift}, {0x7FFF8000, -5}, {0x7FFF7FFF, -5},
      {0x7FFF0000, m.max_shift}, {0x7FFEFFFF, m.max_shift}, {0x7FFF8000, m.max_shift},
      {32768, 0},         {32767, 3},              {1999999999, -20},    {1 << 30, 3},
      // neon_double_round folds Zy * 2^(31+r) into its constant for r <= 23: the last r that
      // does (|a| / 2^32 within 2^31 at INT32_MAX) and the first that does not.
      {INT32_MAX, -23},   {INT32_MAX, -24},
  };
  return cases;
}

int32_t Expected(const ref::FastDeployedRequantizer& fast, int32_t acc) { return fast(acc); }

}  // namespace deployed

TEST(OptimizedTables, DeployedRequantizeMatchesReferenceOnEdgesLengthsAndAlignments) {
  using namespace deployed;
  std::mt19937 rng(11);
  for (const auto& [name, table] : Tables()) {
    for (const Member& member : kMembers) {
      for (const auto& [mult, shift] : Cases(member)) {
        for (uint32_t type : {QS_S8, QS_U8}) {
          const int32_t zy = type == QS_S8 ? -3 : 130;
          const int32_t qmin = type == QS_S8 ? -128 : 0;
          const int32_t qmax = type == QS_S8 ? 127 : 255;
          const ref::FastDeployedRequantizer fast(RefParams(member, mult, shift, zy, qmin, qmax));
          qs_requantize_params p{};
          p.requant.variant = member.variant;
          p.requant.zero_point_entry = QS_ZP_AFTER_ROUNDING;
          p.requant.multiplier = mult;
          p.requant.shift = shift;
          p.requant.output_zero_point = zy;
          p.output_type = type;
          p.qmin = qmin;
          p.qmax = qmax;
          // Every length 0..67 at every input and output misalignment (offsets 0..3).
          for (size_t n = 0; n <= 67; ++n) {
            const size_t in_offset = n % 4, out_offset = (n / 4) % 4;
            const std::vector<int32_t> values = EdgeAccumulators(rng, n);
            std::vector<int32_t> in_storage(n + 4);
            std::copy(values.begin(), values.end(), in_storage.begin() + in_offset);
            std::vector<uint8_t> out_storage(n + 5, 0xCD);
            const int32_t* in = in_storage.data() + in_offset;
            uint8_t* out = out_storage.data() + out_offset;
            ASSERT_EQ(table->requantize(&p, n ? in : nullptr, n ? out : nullptr, n), QS_OK)
                << name << " variant=" << member.variant;
            for (size_t i = 0; i < out_offset; ++i) ASSERT_EQ(out_storage[i], 0xCD);
            ASSERT_EQ(out[n], 0xCD) << name;
            for (size_t i = 0; i < n; ++i) {
              const int32_t got = type == QS_S8 ? static_cast<int8_t>(out[i]) : out[i];
              ASSERT_EQ(got, Expected(fast, in[i]))
                  << name << " variant=" << member.variant << " mult=" << mult
                  << " shift=" << shift << " type=" << type << " acc=" << in[i] << " n=" << n
                  << " i=" << i;
            }
          }
        }
      }
    }
  }
}

TEST(OptimizedTables, DeployedRequantizeNamedEdgesMatchTheDefinition) {
  using namespace deployed;
  struct Named {
    const Member& member;
    int32_t multiplier, shift, acc;
    const char* what;
  };
  const Named named[] = {
      {kMembers[0], 1 << 30, 3, 1 << 29, "neon: 2^29 << 3 wraps to INT32_MIN"},
      {kMembers[0], 1 << 30, 3, (1 << 28) + 1, "neon: wraps to -2^31 + 8"},
      {kMembers[0], 1 << 30, -2, 4, "neon: final tie 0.5 -> 1 (ties up)"},
      {kMembers[0], 1 << 30, -2, -4, "neon: final tie -0.5 -> 0 (ties up, not away)"},
      {kMembers[0], 1 << 30, -2, -12, "neon: final tie -1.5 -> -1"},
      {kMembers[1], 0x7FFF8000, -5, 1 << 20, "int16x8: m15 capped at 0x7FFF"},
      {kMembers[1], 1 << 30, -1, -3, "int16x8: tie -1.5 -> -1 (ties up)"},
      {kMembers[1], INT32_MAX, 7, 1 << 18, "int16x8: y beyond int8 at total shift 8"},
      {kMembers[2], 0x7FFF8000, 0, 16384, "rndnu16: m15 renormalised to 2^14, p + 1"},
      {kMembers[2], 1 << 30, 8, 200, "rndnu16: 200 << 8 saturates to int16"},
      {kMembers[2], 1 << 30, -3, -12, "rndnu16: pre-shift tie -1.5 -> -1"},
      {kMembers[2], 1 << 30, 0, -32769, "rndnu16: -32769 saturates to int16"},
  };
  for (const auto& [name, table] : Tables()) {
    for (const Named& c : named) {
      for (int32_t zy : {0, -100}) {
        const auto params = RefParams(c.member, c.multiplier, c.shift, zy, -128, 127);
        const auto want = static_cast<int32_t>(ref::deployed_requantize(ref::Integer(c.acc), params));
        ASSERT_EQ(ref::FastDeployedRequantizer(params)(c.acc), want) << c.what;
        qs_requantize_params p{};
        p.requant.variant = c.member.variant;
        p.requant.multiplier = c.multiplier;
        p.requant.shift = c.shift;
        p.requant.output_zero_point = zy;
        p.output_type = QS_S8;
        p.qmin = -128;
        p.qmax = 127;
        // One vector's worth and more, so the SIMD body (not only the tail) computes it.
        std::vector<int32_t> acc(67, c.acc);
        std::vector<int8_t> out(67);
        ASSERT_EQ(table->requantize(&p, acc.data(), out.data(), acc.size()), QS_OK);
        for (size_t i = 0; i < out.size(); ++i) {
          ASSERT_EQ(out[i], want) << name << ": " << c.what << " zy=" << zy << " i=" << i;
        }
      }
    }
  }
}

TEST(OptimizedTables, DeployedRequantizePerChannelAndLinearMatchReference) {
  using namespace deployed;
  std::mt19937 rng(12);
  for (const auto& [name, table] : Tables()) {
    for (const Member& member : kMembers) {
      for (size_t channels : {1u, 3u, 16u, 67u, 100u}) {
        std::vector<int32_t> mult(channels), shift(channels);
        const int32_t special_mults[] = {0x7FFF8000, 0x7FFF0000, INT32_MAX, 0, 1 << 30};
        for (size_t c = 0; c < channels; ++c) {
          mult[c] = c % 7 == 0 ? special_mults[(c / 7) % 5]
                               : static_cast<int32_t>(rng() % (uint32_t{1} << 31));
          const int32_t span = member.max_shift - member.min_shift + 1;
          shift[c] = c % 5 == 1 ? member.min_shift
                     : c % 5 == 2 ? member.max_shift
                                  : member.min_shift + static_cast<int32_t>(rng() % span);
        }
        for (size_t n : {channels, 3 * channels + 5, size_t{400}}) {
          const std::vector<int32_t> acc = EdgeAccumulators(rng, n);
          qs_requantize_params p{};
          p.requant.variant = member.variant;
          p.requant.multipliers = mult.data();
          p.requant.shifts = shift.data();
          p.requant.output_zero_point = 7;
          p.output_type = QS_S8;
          p.qmin = -100;
          p.qmax = 120;
          p.channels = channels;
          std::vector<int8_t> out(n);
          ASSERT_EQ(table->requantize_per_channel(&p, acc.data(), out.data(), n), QS_OK);
          for (size_t i = 0; i < n; ++i) {
            const size_t c = i % channels;
            const ref::FastDeployedRequantizer fast(
                RefParams(member, mult[c], shift[c], 7, -100, 120));
            ASSERT_EQ(out[i], fast(acc[i])) << name << " variant=" << member.variant
                                            << " channels=" << channels << " mult=" << mult[c]
                                            << " shift=" << shift[c] << " acc=" << acc[i];
          }
        }
      }
      // linear and linear_packed, per tensor and per channel (channel = output column).
      const size_t m = 5, n = 37, k = 29;
      std::vector<int8_t> a(m * k), w(n * k);
      std::vector<int32_t> zw(n, 0), bias(n), mult(n), shift(n);
      for (auto& v : a) v = static_cast<int8_t>(rng());
      for (auto& v : w) v = static_cast<int8_t>(rng());
      for (auto& v : bias) v = static_cast<int32_t>(rng() % 200001) - 100000;
      for (size_t c = 0; c < n; ++c) {
        mult[c] = static_cast<int32_t>(rng() % (uint32_t{1} << 31));
        shift[c] = member.min_shift + 20 + static_cast<int32_t>(c % 8);  // within every range
      }
      std::vector<int32_t> acc(m * n);
      std::vector<uint8_t> a_bytes(a.begin(), a.end());
      ModelGemm(QS_S8, a_bytes, 0, w, zw, bias, m, n, k, acc);
      qs_gemm_params pack{};
      pack.bias = bias.data();
      qs_packed_weights* packed = nullptr;
      ASSERT_EQ(table->pack_weights(&pack, w.data(), k, n, k, &packed), QS_OK);
      for (uint32_t per_channel : {0u, 1u}) {
        qs_linear_params p{};
        p.gemm.a_type = QS_S8;
        p.gemm.bias = bias.data();
        p.requant.variant = member.variant;
        p.requant.multiplier = mult[0];
        p.requant.shift = shift[0];
        p.requant.multipliers = mult.data();
        p.requant.shifts = shift.data();
        p.requant.output_zero_point = -2;
        p.per_channel = per_channel;
        p.output_type = QS_S8;
        p.act_min = -128;
        p.act_max = 127;
        std::vector<int8_t> out(m * n), out_packed(m * n);
        ASSERT_EQ(table->linear(&p, a.data(), k, w.data(), k, out.data(), n, m, n, k), QS_OK);
        ASSERT_EQ(table->linear_packed(&p, a.data(), k, packed, out_packed.data(), n, m), QS_OK);
        for (size_t i = 0; i < m * n; ++i) {
          const size_t c = per_channel ? i % n : 0;
          const ref::FastDeployedRequantizer fast(
              RefParams(member, mult[c], shift[c], -2, -128, 127));
          ASSERT_EQ(out[i], fast(acc[i])) << name << " linear variant=" << member.variant
                                          << " per_channel=" << per_channel << " i=" << i;
          ASSERT_EQ(out_packed[i], out[i]) << name << " linear_packed i=" << i;
        }
      }
      table->release_packed(packed);
    }
  }
}

TEST(OptimizedTables, DeployedRequantizeOutOfRangeParametersAreBad) {
  using namespace deployed;
  for (const auto& [name, table] : Tables()) {
    for (const Member& member : kMembers) {
      auto status = [&](int32_t mult, int32_t shift, uint32_t entry) {
        qs_requantize_params p{};
        p.requant.variant = member.variant;
        p.requant.zero_point_entry = entry;
        p.requant.multiplier = mult;
        p.requant.shift = shift;
        p.output_type = QS_S8;
        p.qmin = -128;
        p.qmax = 127;
        const int32_t acc[3] = {1, 2, 3};
        int8_t out[3];
        return table->requantize(&p, acc, out, 3);
      };
      auto per_channel_status = [&](int32_t bad_shift) {
        const int32_t mult[3] = {1 << 30, 1 << 30, 1 << 30};
        const int32_t shift[3] = {0, bad_shift, 0};
        qs_requantize_params p{};
        p.requant.variant = member.variant;
        p.requant.multipliers = mult;
        p.requant.shifts = shift;
        p.output_type = QS_S8;
        p.qmin = -128;
        p.qmax = 127;
        p.channels = 3;
        const int32_t acc[3] = {1, 2, 3};
        int8_t out[3];
        return table->requantize_per_channel(&p, acc, out, 3);
      };
      const uint32_t after = QS_ZP_AFTER_ROUNDING;
      EXPECT_EQ(status(INT32_MAX, member.max_shift, after), QS_OK) << name;
      EXPECT_EQ(status(0, member.min_shift, after), QS_OK) << name;
      EXPECT_EQ(status(1 << 30, member.max_shift + 1, after), QS_BAD_PARAMETERS) << name;
      EXPECT_EQ(status(1 << 30, member.min_shift - 1, after), QS_BAD_PARAMETERS) << name;
      EXPECT_EQ(status(-1, 0, after), QS_BAD_PARAMETERS) << name;
      EXPECT_EQ(status(1 << 30, 0, QS_ZP_BEFORE_ROUNDING), QS_BAD_PARAMETERS) << name;
      EXPECT_EQ(per_channel_status(member.max_shift), QS_OK) << name;
      EXPECT_EQ(per_channel_status(member.max_shift + 1), QS_BAD_PARAMETERS) << name;
      EXPECT_EQ(per_channel_status(member.min_shift - 1), QS_BAD_PARAMETERS) << name;
    }
  }
}
