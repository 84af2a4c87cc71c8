// Q18 observers (SPEC.md §Q18): examples with the derivation written here, PyTorch 1.13's
// MovingAverageMinMaxObserver values (obtained by running it, cited), properties and errors.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "quantspec/reference/numbers.hpp"
#include "quantspec/reference/observers.hpp"
#include "rejected_parameter.hpp"

namespace quantspec::ref {
namespace {

using testing::rejected_parameter;

// Example Q18.E1: min/max of a tensor, then Q1.2 (the range of Example Q1.E1).
TEST(Q18Observers, ExampleQ18E1MinMaxFeedsQ1) {
  const ObservedRange r = observe_min_max({0.5f, -1.5f, 2.5f, 1.0f});
  EXPECT_EQ(r.min, -1.5f);
  EXPECT_EQ(r.max, 2.5f);
  const QuantizationParams p = params_from_range(r, ParamsOptions{});
  EXPECT_EQ(hex_float(p.scale), "0x1.010102p-6");  // fl32(4/255), Q1.E1
  EXPECT_EQ(p.zero_point, -32);
}

// Q18.2: channels of a 2x3 row-major tensor along axis 0 (rows) and axis 1 / -1 (columns).
TEST(Q18Observers, MinMaxPerChannel) {
  const std::vector<float> data{1, -2, 3, 4, 5, -6};
  const auto rows = observe_min_max_per_channel(data, {2, 3}, 0);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].min, -2.0f);
  EXPECT_EQ(rows[0].max, 3.0f);
  EXPECT_EQ(rows[1].min, -6.0f);
  EXPECT_EQ(rows[1].max, 5.0f);
  const auto columns = observe_min_max_per_channel(data, {2, 3}, -1);
  ASSERT_EQ(columns.size(), 3u);
  EXPECT_EQ(columns[0].min, 1.0f);
  EXPECT_EQ(columns[0].max, 4.0f);
  EXPECT_EQ(columns[1].min, -2.0f);
  EXPECT_EQ(columns[1].max, 5.0f);
  EXPECT_EQ(columns[2].min, -6.0f);
  EXPECT_EQ(columns[2].max, 3.0f);
  EXPECT_EQ(rejected_parameter([&] { observe_min_max_per_channel(data, {2, 3}, 2); }), "axis");
  EXPECT_EQ(rejected_parameter([&] { observe_min_max_per_channel(data, {4, 2}, 0); }), "shape");
}

// Example Q18.E2: c = fl32(0.01) = 0x1.47ae14p-7; batches [-1, 2] then [-3, 10].
// min: fl32(-3 - -1) = -2; fl32(c * -2) = -0x1.47ae14p-6 (exact); -1 + that =
// -0x1.051eb85p+0 exactly, whose last hex digit 5/16 < 1/2 rounds to -0x1.051eb8p+0.
// max: 10 - 2 = 8; c * 8 = 0x1.47ae14p-4; 2 + that = 0x1.0a3d70ap+1 -> 0x1.0a3d7p+1.
// PyTorch 1.13 MovingAverageMinMaxObserver(averaging_constant=0.01) on the same batches gives
// min_val = -0x1.051eb8p+0, max_val = 0x1.0a3d7p+1 (run under /usr/bin/python3).
TEST(Q18Observers, ExampleQ18E2MovingAverageMatchesPyTorch) {
  MovingAverageMinMax observer(0.01);
  observer.observe({-1.0f, 2.0f});
  EXPECT_EQ(observer.range().min, -1.0f);  // the first batch sets the range
  EXPECT_EQ(observer.range().max, 2.0f);
  observer.observe({-3.0f, 10.0f});
  EXPECT_EQ(hex_float(observer.range().min), "-0x1.051eb8p+0");
  EXPECT_EQ(hex_float(observer.range().max), "0x1.0a3d7p+1");
}

TEST(Q18Observers, MovingAverageRejectsBadConstantAndKeepsStateOnBadBatch) {
  EXPECT_EQ(rejected_parameter([] { MovingAverageMinMax(0.0); }), "averaging_constant");
  EXPECT_EQ(rejected_parameter([] { MovingAverageMinMax(1.5); }), "averaging_constant");
  EXPECT_EQ(rejected_parameter([] { MovingAverageMinMax(std::nan("")); }), "averaging_constant");
  MovingAverageMinMax observer(0.5);
  EXPECT_EQ(rejected_parameter([&] { observer.range(); }), "data");
  observer.observe({1.0f, 3.0f});
  EXPECT_EQ(rejected_parameter([&] { observer.observe({2.0f, std::nanf("")}); }), "data[1]");
  EXPECT_EQ(rejected_parameter([&] { observer.observe({}); }), "data");
  EXPECT_EQ(observer.range().min, 1.0f);
  EXPECT_EQ(observer.range().max, 3.0f);
}

// Example Q18.E3: max of abs, then Q1.3 int8: S = fl32(3.25/127), Z = 0.
TEST(Q18Observers, ExampleQ18E3MaxAbsSymmetric) {
  const float t = observe_max_abs({0.5f, -3.25f, 2.0f});
  EXPECT_EQ(t, 3.25f);
  const ObservedRange r = range_from_threshold(t);
  EXPECT_EQ(r.min, -3.25f);
  EXPECT_EQ(r.max, 3.25f);
  ParamsOptions symmetric;
  symmetric.symmetric = true;
  const QuantizationParams p = params_from_range(r, symmetric);
  EXPECT_EQ(p.scale, round_to_binary32(Rational(13, 4) / 127));
  EXPECT_EQ(p.zero_point, 0);
}

// Example Q18.E4: 1, 2, ..., 100, p = 99: h = 99 * 99/100 = 98.01, x[98] = 99, x[99] = 100,
// 99 + 0.01 * 1 = 99.01 -> fl32(9901/100). numpy 1.24 np.percentile(..., 99) (method
// "linear") gives the binary64 99.01; lower/nearest/inverted_cdf give 99, higher 100,
// midpoint/hazen 99.5, weibull 99.99.
TEST(Q18Observers, ExampleQ18E4PercentileInterpolatesLinearly) {
  std::vector<float> data;
  for (int i = 100; i >= 1; --i) data.push_back(static_cast<float>(i));  // order must not matter
  EXPECT_EQ(percentile(data, 99.0), round_to_binary32(Rational(9901, 100)));
  EXPECT_EQ(percentile(data, 0.0), 1.0f);
  EXPECT_EQ(percentile(data, 100.0), 100.0f);
  EXPECT_EQ(percentile(data, 50.0), 50.5f);  // h = 49.5: (50 + 51)/2
}

// Example Q18.E5: [-10, 1, 2, 3, -4]. Asymmetric p = 90: sorted [-10, -4, 1, 2, 3];
// 10th percentile h = 0.4: -10 + 0.4 * 6 = -7.6; 90th h = 3.6: 2 + 0.6 = 2.6 (each -> fl32).
// Symmetric p = 50: |x| sorted [1, 2, 3, 4, 10], h = 2 -> 3, range [-3, 3].
TEST(Q18Observers, ExampleQ18E5PercentileSymmetricAndAsymmetric) {
  const std::vector<float> data{-10, 1, 2, 3, -4};
  const ObservedRange asym = observe_percentile(data, 90.0, false);
  EXPECT_EQ(asym.min, round_to_binary32(Rational(-38, 5)));
  EXPECT_EQ(asym.max, round_to_binary32(Rational(13, 5)));
  const ObservedRange sym = observe_percentile(data, 50.0, true);
  EXPECT_EQ(sym.min, -3.0f);
  EXPECT_EQ(sym.max, 3.0f);
}

// Q18.1: empty, NaN (one or all), infinities are rejected naming the element; one value is
// accepted and Q1 widens it to contain 0.
TEST(Q18Observers, BadDataIsRejectedNamingTheElement) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const float inf = std::numeric_limits<float>::infinity();
  EXPECT_EQ(rejected_parameter([] { observe_min_max({}); }), "data");
  EXPECT_EQ(rejected_parameter([&] { observe_min_max({nan, nan, nan}); }), "data[0]");
  EXPECT_EQ(rejected_parameter([&] { observe_min_max({1.0f, nan}); }), "data[1]");
  EXPECT_EQ(rejected_parameter([&] { observe_max_abs({1.0f, 2.0f, -inf}); }), "data[2]");
  EXPECT_EQ(rejected_parameter([&] { percentile({inf}, 50.0); }), "data[0]");
  EXPECT_EQ(rejected_parameter([] { percentile({1.0f}, 100.5); }), "percentile");
  EXPECT_EQ(rejected_parameter([] { percentile({1.0f}, -1.0); }), "percentile");
  EXPECT_EQ(rejected_parameter([] { observe_percentile({1.0f}, std::nan(""), true); }),
            "percentile");
  EXPECT_EQ(rejected_parameter([] { range_from_threshold(-1.0f); }), "threshold");
  EXPECT_EQ(rejected_parameter([&] { range_from_threshold(inf); }), "threshold");
  const ObservedRange zeros = observe_min_max({-0.0f, 0.0f, -0.0f});
  EXPECT_FALSE(std::signbit(zeros.min));  // Q18.2: a zero end is +0
  EXPECT_FALSE(std::signbit(range_from_threshold(0.0f).min));
  const ObservedRange one = observe_min_max({3.0f});
  EXPECT_EQ(one.min, 3.0f);
  EXPECT_EQ(one.max, 3.0f);
  const QuantizationParams p = params_from_range(one, ParamsOptions{});
  EXPECT_EQ(p.scale, round_to_binary32(Rational(3, 255)));  // widened to [0, 3]
  EXPECT_EQ(p.zero_point, -128);
}

std::vector<float> finite_floats() {
  return *rc::gen::nonEmpty(rc::gen::container<std::vector<float>>(
      rc::gen::map(rc::gen::inRange(-1000000, 1000000), [](int v) { return v / 64.0f; })));
}

RC_GTEST_PROP(Q18ObserverProperties, PercentileEndsAreMinMaxAndMonotone, ()) {
  const std::vector<float> data = finite_floats();
  const ObservedRange r = observe_min_max(data);
  RC_ASSERT(percentile(data, 0.0) == r.min);
  RC_ASSERT(percentile(data, 100.0) == r.max);
  const double p = *rc::gen::inRange(0, 100);
  const double q = *rc::gen::inRange(static_cast<int>(p), 101);
  RC_ASSERT(percentile(data, p) <= percentile(data, q));
  RC_ASSERT(observe_percentile(data, 100.0, true).max == observe_max_abs(data));
}

RC_GTEST_PROP(Q18ObserverProperties, MovingAverageWithConstantOneIsTheLastBatch, ()) {
  MovingAverageMinMax observer(1.0);
  observer.observe(finite_floats());
  const std::vector<float> last = finite_floats();
  observer.observe(last);
  const ObservedRange expected = observe_min_max(last);
  RC_ASSERT(observer.range().min == expected.min);
  RC_ASSERT(observer.range().max == expected.max);
}

// Each moved end lies between the old end and the batch's end (c in (0, 1], rounding to
// nearest is monotone).
RC_GTEST_PROP(Q18ObserverProperties, MovingAverageStaysBetweenOldAndNew, ()) {
  const double c = *rc::gen::inRange(1, 1001) / 1000.0;
  MovingAverageMinMax observer(c);
  observer.observe(finite_floats());
  const ObservedRange before = observer.range();
  const std::vector<float> batch = finite_floats();
  observer.observe(batch);
  const ObservedRange now = observe_min_max(batch);
  const ObservedRange after = observer.range();
  RC_ASSERT(after.min >= std::min(before.min, now.min));
  RC_ASSERT(after.min <= std::max(before.min, now.min));
  RC_ASSERT(after.max >= std::min(before.max, now.max));
  RC_ASSERT(after.max <= std::max(before.max, now.max));
}

}  // namespace
}  // namespace quantspec::ref
