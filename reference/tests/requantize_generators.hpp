// RapidCheck generators for requantization tests (SPEC.md Q7): accumulators and parameters
// biased toward the edges (INT32_MIN/MAX, shifts at the ends of their ranges, power-of-two
// multipliers that make exact ties frequent, Zy at qmin/qmax).
#pragma once

#include <rapidcheck.h>

#include <cstdint>
#include <cstring>
#include <limits>
#include <tuple>

#include "quantspec/reference/multiplier.hpp"
#include "quantspec/reference/requantize.hpp"

namespace quantspec::ref::testgen {

inline constexpr std::int32_t kInt32Min = std::numeric_limits<std::int32_t>::min();
inline constexpr std::int32_t kInt32Max = std::numeric_limits<std::int32_t>::max();

inline rc::Gen<std::int32_t> accumulator() {
  return rc::gen::weightedOneOf<std::int32_t>({
      {2, rc::gen::element(kInt32Min, kInt32Min + 1, -1, 0, 1, kInt32Max - 1, kInt32Max)},
      {3, rc::gen::arbitrary<std::int32_t>()},
      {2, rc::gen::inRange(-70000, 70000)},
      // k * 2^t + {-1, 0, +1, 2^(t-1)}: exact ties and their neighbours for power-of-two M.
      {4, rc::gen::map(rc::gen::tuple(rc::gen::inRange(-1000, 1000), rc::gen::inRange(1, 31),
                                      rc::gen::inRange(0, 4)),
                       [](const std::tuple<int, int, int>& t) {
                         const auto [k, shift, pick] = t;
                         const std::int64_t base = static_cast<std::int64_t>(k) * (std::int64_t{1} << shift);
                         const std::int64_t offsets[] = {-1, 0, 1, std::int64_t{1} << (shift - 1)};
                         std::int64_t v = base + offsets[pick];
                         if (v < kInt32Min) v = kInt32Min;
                         if (v > kInt32Max) v = kInt32Max;
                         return static_cast<std::int32_t>(v);
                       })},
  });
}

inline rc::Gen<std::int32_t> q31_multiplier() {
  return rc::gen::weightedOneOf<std::int32_t>({
      {2, rc::gen::element<std::int32_t>(0, 1, 1 << 30, kInt32Max, (1 << 30) + 1)},
      {4, rc::gen::inRange<std::int32_t>(1 << 30, kInt32Max)},
      {1, rc::gen::inRange<std::int32_t>(0, kInt32Max)},
  });
}

inline rc::Gen<int> q31_shift() {
  return rc::gen::weightedOneOf<int>({
      {1, rc::gen::element(kMinQ31Shift, kMaxQ31Shift, 0, -1, 1)},
      {3, rc::gen::inRange(kMinQ31Shift, kMaxQ31Shift + 1)},
      {2, rc::gen::inRange(-20, 1)},  // the usual M < 1
  });
}

inline rc::Gen<int> tosa_shift() {
  return rc::gen::weightedOneOf<int>({
      {1, rc::gen::element(kMinTosaShift, kMaxTosaShift, 31, 32, 30)},
      {3, rc::gen::inRange(kMinTosaShift, kMaxTosaShift + 1)},
      {2, rc::gen::inRange(31, 52)},
  });
}

// (zero_point, qmin, qmax): the full int32 range (y observable), int8, uint8, int16 and a
// random interval, with Zy often at qmin or qmax.
struct Clamp {
  std::int32_t zero_point, qmin, qmax;
};
inline rc::Gen<Clamp> clamp_range() {
  return rc::gen::map(
      rc::gen::tuple(rc::gen::inRange(0, 6), rc::gen::inRange(0, 3),
                     rc::gen::arbitrary<std::int32_t>(), rc::gen::arbitrary<std::int32_t>(),
                     rc::gen::arbitrary<std::int32_t>()),
      [](const std::tuple<int, int, std::int32_t, std::int32_t, std::int32_t>& t) {
        const auto [kind, where, r1, r2, r3] = t;
        std::int32_t lo, hi;
        switch (kind) {
          case 0: lo = kInt32Min; hi = kInt32Max; break;
          case 1: lo = -128; hi = 127; break;
          case 2: lo = 0; hi = 255; break;
          case 3: lo = -32768; hi = 32767; break;
          case 4: lo = -127; hi = 127; break;
          default: lo = std::min(r1, r2); hi = std::max(r1, r2); break;
        }
        std::int32_t zy;
        if (where == 0) zy = lo;
        else if (where == 1) zy = hi;
        else zy = static_cast<std::int32_t>(lo + (static_cast<std::uint32_t>(r3) %
                                                  (static_cast<std::uint64_t>(hi) - lo + 1)));
        return Clamp{zy, lo, hi};
      });
}

// A positive finite binary32 from its bit pattern (exponent anywhere, subnormals included),
// or one near a power of two.
inline rc::Gen<float> positive_binary32() {
  return rc::gen::weightedOneOf<float>({
      {3, rc::gen::map(rc::gen::inRange<std::uint32_t>(1, 0x7F800000u),
                       [](std::uint32_t bits) {
                         float f;
                         std::memcpy(&f, &bits, sizeof f);
                         return f;
                       })},
      {3, rc::gen::map(rc::gen::inRange<std::uint32_t>(0x2F800000u, 0x3F800000u),  // [2^-32, 1)
                       [](std::uint32_t bits) {
                         float f;
                         std::memcpy(&f, &bits, sizeof f);
                         return f;
                       })},
      {1, rc::gen::map(rc::gen::inRange(-40, 10), [](int e) { return std::ldexp(1.0f, e); })},
  });
}

inline rc::Gen<Rounding> rounding() { return rc::gen::elementOf(all_roundings()); }
inline rc::Gen<ZeroPointEntry> zero_point_entry() {
  return rc::gen::elementOf(all_zero_point_entries());
}

// Valid parameters of one variant.
inline RequantizeParams params_for(RequantVariant variant) {
  RequantizeParams p;
  p.variant = variant;
  const Clamp c = *clamp_range();
  p.zero_point = c.zero_point;
  p.qmin = c.qmin;
  p.qmax = c.qmax;
  switch (variant) {
    case RequantVariant::ideal: {
      p.rounding = *rounding();
      p.zero_point_entry = *zero_point_entry();
      if (*rc::gen::inRange(0, 3) == 0) {
        const auto num = *rc::gen::inRange<std::int64_t>(1, std::int64_t{1} << 40);
        const auto den = *rc::gen::inRange<std::int64_t>(1, std::int64_t{1} << 40);
        p.real_multiplier = Rational(Integer(num), Integer(den));
      } else {
        p.real_multiplier =
            exact(*positive_binary32()) * exact(*positive_binary32()) / exact(*positive_binary32());
      }
      break;
    }
    case RequantVariant::fp32:
      p.zero_point_entry = *zero_point_entry();
      p.scale = *positive_binary32();
      break;
    case RequantVariant::double_round:
    case RequantVariant::single_round:
    case RequantVariant::rndnu:
    case RequantVariant::rndna:
      p.multiplier = *q31_multiplier();
      p.shift = *q31_shift();
      break;
    case RequantVariant::tosa_single:
    case RequantVariant::tosa_double:
      p.multiplier = *q31_multiplier();
      p.shift = *tosa_shift();
      break;
    case RequantVariant::tosa_scale16:
      p.multiplier = *rc::gen::weightedOneOf<std::int32_t>(
          {{1, rc::gen::element<std::int32_t>(0, 1, 1 << 14, kMaxTosa16Multiplier)},
           {3, rc::gen::inRange<std::int32_t>(0, kMaxTosa16Multiplier + 1)}});
      p.shift = *tosa_shift();
      break;
  }
  return p;
}

// An accumulator inside the variant's accepted range (TOSA apply_scale_32 REQUIRE).
inline std::int32_t accumulator_for(const RequantizeParams& p) {
  std::int32_t acc = *accumulator();
  if ((p.variant == RequantVariant::tosa_single || p.variant == RequantVariant::tosa_double) &&
      p.shift <= 32) {
    const std::int64_t bound = std::int64_t{1} << (p.shift - 1);
    // Fold acc into [-bound, bound).
    const std::int64_t span = 2 * bound;
    std::int64_t folded = (static_cast<std::int64_t>(acc) % span + span) % span - bound;
    acc = static_cast<std::int32_t>(folded);
  }
  return acc;
}

}  // namespace quantspec::ref::testgen
