// SPEC.md Q7.10: the fast path equals the definition, for every variant, on edge-biased
// accumulators and parameters (including the ParameterErrors both must throw).
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <optional>
#include <sstream>
#include <string>

#include "quantspec/reference/errors.hpp"
#include "quantspec/reference/requantize.hpp"
#include "requantize_generators.hpp"

namespace quantspec::ref {
namespace {

std::string describe(const RequantizeParams& p) {
  std::ostringstream out;
  out << "variant=" << name(p.variant) << " rounding=" << name(p.rounding)
      << " entry=" << name(p.zero_point_entry) << " M=" << to_string(p.real_multiplier)
      << " scale=" << hex_float(p.scale) << " multiplier=" << p.multiplier
      << " shift=" << p.shift << " left_shift_overflow=" << name(p.left_shift_overflow) << " Zy=" << p.zero_point << " qmin=" << p.qmin
      << " qmax=" << p.qmax;
  return out.str();
}

// The outcome of one call: a value or the name of the rejected parameter.
struct Outcome {
  std::optional<std::int64_t> value;
  std::string error;
  bool operator==(const Outcome& o) const { return value == o.value && error == o.error; }
};

Outcome definition(std::int32_t acc, const RequantizeParams& p) {
  try {
    return {requantize(Integer(acc), p).convert_to<std::int64_t>(), ""};
  } catch (const ParameterError& e) {
    return {std::nullopt, e.parameter()};
  }
}

Outcome fast(std::int32_t acc, const FastRequantizer& f) {
  try {
    return {f(acc), ""};
  } catch (const ParameterError& e) {
    return {std::nullopt, e.parameter()};
  }
}

void check_params(const RequantizeParams& p, bool keep_acc_in_tosa_range) {
  const FastRequantizer f(p);
  for (int i = 0; i < 16; ++i) {
    const std::int32_t acc =
        keep_acc_in_tosa_range ? testgen::accumulator_for(p) : *testgen::accumulator();
    const Outcome want = definition(acc, p);
    const Outcome got = fast(acc, f);
    if (!(want == got)) {
      RC_FAIL(describe(p) + " acc=" + std::to_string(acc) + " definition=" +
              (want.value ? std::to_string(*want.value) : want.error) +
              " fast=" + (got.value ? std::to_string(*got.value) : got.error));
    }
  }
}

void check_variant(RequantVariant variant, bool keep_acc_in_tosa_range) {
  check_params(testgen::params_for(variant), keep_acc_in_tosa_range);
}

RC_GTEST_PROP(RequantizeFast, IdealEqualsDefinition, ()) { check_variant(RequantVariant::ideal, true); }
RC_GTEST_PROP(RequantizeFast, Fp32EqualsDefinition, ()) { check_variant(RequantVariant::fp32, true); }
RC_GTEST_PROP(RequantizeFast, DoubleRoundEqualsDefinition, ()) {
  check_variant(RequantVariant::double_round, true);
}
// Q7.2 member wrap of the left-shift overflow; shifts biased to M > 1 where it matters.
RC_GTEST_PROP(RequantizeFast, DoubleRoundWrapEqualsDefinition, ()) {
  RequantizeParams p = testgen::params_for(RequantVariant::double_round);
  p.left_shift_overflow = LeftShiftOverflow::wrap;
  if (*rc::gen::inRange(0, 2) == 0) p.shift = *rc::gen::inRange(1, 31);
  check_params(p, true);
}
RC_GTEST_PROP(RequantizeFast, SingleRoundEqualsDefinition, ()) {
  check_variant(RequantVariant::single_round, true);
}
RC_GTEST_PROP(RequantizeFast, RndnuEqualsDefinition, ()) { check_variant(RequantVariant::rndnu, true); }
RC_GTEST_PROP(RequantizeFast, RndnaEqualsDefinition, ()) { check_variant(RequantVariant::rndna, true); }
RC_GTEST_PROP(RequantizeFast, TosaSingleEqualsDefinition, ()) {
  check_variant(RequantVariant::tosa_single, true);
}
RC_GTEST_PROP(RequantizeFast, TosaDoubleEqualsDefinition, ()) {
  check_variant(RequantVariant::tosa_double, true);
}
RC_GTEST_PROP(RequantizeFast, TosaScale16EqualsDefinition, ()) {
  check_variant(RequantVariant::tosa_scale16, true);
}
// Accumulators outside TOSA's REQUIRE range: both reject them, naming "acc".
RC_GTEST_PROP(RequantizeFast, TosaRejectsTheSameAccumulators, ()) {
  check_variant(*rc::gen::element(RequantVariant::tosa_single, RequantVariant::tosa_double), false);
}

// Deterministic edge sweep: every variant, the extreme accumulators, shifts at both ends.
TEST(RequantizeFastEdges, ExtremesOfEveryQ31AndTosaRange) {
  const std::int32_t accs[] = {testgen::kInt32Min, testgen::kInt32Min + 1, -65536, -3, -1, 0,
                               1, 3, 65535, testgen::kInt32Max - 1, testgen::kInt32Max};
  const std::int32_t multipliers[] = {0, 1, 1 << 30, (1 << 30) + 1, testgen::kInt32Max};
  for (auto variant : {RequantVariant::double_round, RequantVariant::single_round,
                       RequantVariant::rndnu, RequantVariant::rndna}) {
    for (int shift = kMinQ31Shift; shift <= kMaxQ31Shift; ++shift) {
      for (std::int32_t m : multipliers) {
        RequantizeParams p;
        p.variant = variant;
        p.multiplier = m;
        p.shift = shift;
        p.qmin = testgen::kInt32Min;
        p.qmax = testgen::kInt32Max;
        const FastRequantizer f(p);
        for (std::int32_t acc : accs) {
          ASSERT_EQ(definition(acc, p), fast(acc, f)) << describe(p) << " acc=" << acc;
        }
      }
    }
  }
  for (auto variant : {RequantVariant::tosa_single, RequantVariant::tosa_double,
                       RequantVariant::tosa_scale16}) {
    for (int shift = kMinTosaShift; shift <= kMaxTosaShift; ++shift) {
      for (std::int32_t m : multipliers) {
        RequantizeParams p;
        p.variant = variant;
        p.multiplier = variant == RequantVariant::tosa_scale16 ? std::min(m, kMaxTosa16Multiplier) : m;
        p.shift = shift;
        p.qmin = testgen::kInt32Min;
        p.qmax = testgen::kInt32Max;
        const FastRequantizer f(p);
        for (std::int32_t acc : accs) {
          ASSERT_EQ(definition(acc, p), fast(acc, f)) << describe(p) << " acc=" << acc;
        }
      }
    }
  }
}

}  // namespace
}  // namespace quantspec::ref
