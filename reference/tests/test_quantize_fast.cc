// SPEC.md §Q2.7: the fast path quantize_fast() equals the definition quantize() for every
// input: RapidCheck over all bit patterns of x and wide ranges of S, plus deterministic
// sweeps over the places where the two could differ (ties, one and two ulps around ties and
// grid points, subnormals, overflow of the binary32 quotient or reciprocal).
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <tuple>
#include <vector>

#include "quantspec/reference/quantize.hpp"

namespace quantspec::ref {
namespace {

const float kInf = std::numeric_limits<float>::infinity();

::testing::AssertionResult fast_equals_definition(float x, const QuantizeParams& p) {
  const Integer definition = quantize(x, p);
  const std::int64_t fast = quantize_fast(x, p);
  if (definition == fast) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << "quantize_fast differs: x=" << hex_float(x) << " S=" << hex_float(p.scale)
         << " Z=" << p.zero_point << " grid=[" << p.qmin << ", " << p.qmax << "] "
         << name(p.rounding) << " " << name(p.division) << ": definition " << definition
         << ", fast " << fast;
}

float from_bits(std::uint32_t bits) {
  float f;
  std::memcpy(&f, &bits, sizeof f);
  return f;
}

float step(float x, int ulps) {
  for (int i = 0; i < std::abs(ulps); ++i) x = std::nextafter(x, ulps > 0 ? kInf : -kInf);
  return x;
}

// Around ties k + 1/2 and grid points k, for scales that make binary32 intermediates round
// (0.1f, 1/3, the ONNX DynamicQuantizeLinear scale), exact scales, subnormal scales (with and
// without an overflowing reciprocal) and huge scales, every rounding and division.
TEST(Q2QuantizeFast, EqualsDefinitionAroundTiesAndGridPoints) {
  const float scales[] = {0.1f,      1.0f / 3.0f, 0x1.414142p-6f, 1.0f,     0.5f,
                          0x1p-149f, 0x1p-130f,   0x1.8p-127f,    3e38f,    0x1.0efdfep+0f,
                          7e-41f,    1e-20f};
  int compared = 0;
  for (float s : scales) {
    for (int k = -140; k <= 140; k += 5) {
      for (double offset : {0.0, 0.5}) {
        const float centre = round_to_binary32((Rational(k) + Rational(offset)) * exact(s));
        if (!std::isfinite(centre)) continue;
        for (int ulps = -2; ulps <= 2; ++ulps) {
          const float x = step(centre, ulps);
          for (Rounding rule : all_roundings()) {
            for (Division division : all_divisions()) {
              for (std::int64_t z : {3, -128}) {
                const QuantizeParams p{s, z, -128, 127, rule, division};
                ASSERT_TRUE(fast_equals_definition(x, p));
                ++compared;
              }
            }
          }
        }
      }
    }
  }
  EXPECT_GT(compared, 40000);
}

// Quotients within 2^-22 of an integer or of a half-integer near 2^31..2^33, where the
// double quotient fl64(x/S) alone rounds onto the integer (or the tie) and only the exact
// fma residual test decides. Construction: S = ms * 2^-24, x = mx * 2^(j-24), so
// t = mx * 2^j / ms; choosing mx = delta * (2^j)^-1 mod ms makes mx * 2^j - n * ms = delta
// (|t - n| = |delta| / ms < 2^-21); with 2^(j+1) the same gives t - (n + 1/2) = delta/(2 ms)
// when n is odd. Int32 grids whose Z = qmin make these quotients land inside the grid.
std::int64_t inverse_mod(std::int64_t a, std::int64_t m) {  // a^-1 mod m, gcd(a, m) = 1
  std::int64_t t = 0, new_t = 1, r = m, new_r = a % m;
  while (new_r != 0) {
    const std::int64_t quotient = r / new_r;
    std::tie(t, new_t) = std::make_tuple(new_t, t - quotient * new_t);
    std::tie(r, new_r) = std::make_tuple(new_r, r - quotient * new_r);
  }
  return t < 0 ? t + m : t;
}

TEST(Q2QuantizeFast, EqualsDefinitionWhereTheDoubleQuotientRoundsOntoAnIntegerOrTie) {
  int near_integer_cases = 0;
  for (std::int64_t ms : {16777215LL, 16777213LL, 12582917LL, 8388609LL, 10000019LL}) {
    for (int j = 29; j <= 33; ++j) {
      for (int doubled = 0; doubled <= 1; ++doubled) {
        const int power = j + doubled;
        const std::int64_t inverse = inverse_mod((std::int64_t(1) << power) % ms, ms);
        for (std::int64_t delta = -3; delta <= 3; ++delta) {
          if (delta == 0) continue;
          const std::int64_t mx = ((delta % ms + ms) % ms) * inverse % ms;
          if (mx == 0 || mx >= (1 << 24)) continue;
          const float x = std::ldexp(float(mx), j - 24);
          const float s = std::ldexp(float(ms), -24);
          const double d = double(x) / double(s);
          if (d == std::floor(d) || d - std::floor(d) == 0.5) ++near_integer_cases;
          for (float signed_x : {x, -x}) {
            for (Rounding rule : all_roundings()) {
              for (Division division : all_divisions()) {
                for (std::int64_t z : {-2147483648LL, 0LL, 2147483647LL}) {
                  ASSERT_TRUE(fast_equals_definition(
                      signed_x, QuantizeParams{s, z, -2147483648LL, 2147483647LL, rule, division}));
                }
              }
            }
          }
        }
      }
    }
  }
  // The construction must really produce quotients the double cannot tell from n or n + 1/2.
  EXPECT_GT(near_integer_cases, 20);
}

// Random bit patterns of x and S (every class), random grids including int32; fixed seed.
TEST(Q2QuantizeFast, EqualsDefinitionOnRandomBitPatterns) {
  std::mt19937 random(20240521);
  const std::vector<DType> types = {DType::int8, DType::uint8, DType::int16, DType::uint16,
                                    DType::int4, DType::uint4, DType::int32};
  for (int i = 0; i < 10000; ++i) {
    const float x = from_bits(random());
    float s = std::fabs(from_bits(random()));
    if (!(s > 0.0f) || !std::isfinite(s)) s = 0x1p-149f;
    // Half the cases: x near the grid of S so the quotient is moderate.
    const float near_grid = round_to_binary32(
        Rational(static_cast<int>(random() % 4001) - 2000, 8) * exact(s));
    const float input = (i % 2 == 0 || !std::isfinite(near_grid)) ? x : step(near_grid, int(random() % 5) - 2);
    const IntRange r = dtype_range(types[random() % types.size()], random() % 2 == 0);
    const std::int64_t z = r.min + static_cast<std::int64_t>(random() % (r.max - r.min + 1));
    for (Rounding rule : all_roundings()) {
      for (Division division : all_divisions()) {
        ASSERT_TRUE(fast_equals_definition(input, QuantizeParams{s, z, r.min, r.max, rule, division}));
      }
    }
  }
}

RC_GTEST_PROP(Q2QuantizeFastProperties, EqualsDefinition, ()) {
  const float x = *rc::gen::oneOf(
      rc::gen::map(rc::gen::arbitrary<std::uint32_t>(), from_bits),
      rc::gen::map(rc::gen::pair(rc::gen::inRange(-(1 << 24) + 1, 1 << 24), rc::gen::inRange(-150, 60)),
                   [](std::pair<int, int> m) { return std::ldexp(float(m.first), m.second); }));
  const float s = *rc::gen::map(
      rc::gen::pair(rc::gen::inRange(1, 1 << 24), rc::gen::inRange(-175, 105)),
      [](std::pair<int, int> m) {
        const float v = std::ldexp(float(m.first), m.second);
        return v > 0.0f && std::isfinite(v) ? v : 0x1p-149f;
      });
  const DType type = *rc::gen::element(DType::int8, DType::uint8, DType::int16, DType::uint16,
                                       DType::int4, DType::uint4, DType::int32);
  const IntRange r = dtype_range(type, *rc::gen::arbitrary<bool>());
  const std::int64_t z = *rc::gen::inRange<std::int64_t>(r.min, r.max + 1);
  const QuantizeParams p{s, z, r.min, r.max, *rc::gen::elementOf(all_roundings()),
                         *rc::gen::elementOf(all_divisions())};
  RC_ASSERT(quantize(x, p) == quantize_fast(x, p));
}

}  // namespace
}  // namespace quantspec::ref
