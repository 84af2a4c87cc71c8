// Tests of SPEC.md Q8 (fused activation clamps).
#include <gtest/gtest.h>

#include <limits>
#include <string>

#include "quantspec/reference/activation.hpp"
#include "quantspec/reference/errors.hpp"

namespace quantspec::ref {
namespace {

template <typename F>
void expect_parameter_error(F&& f, const std::string& parameter) {
  try {
    f();
    ADD_FAILURE() << "expected ParameterError naming " << parameter;
  } catch (const ParameterError& e) {
    EXPECT_EQ(e.parameter(), parameter) << e.what();
  }
}

OutputGrid grid(float scale, std::int32_t zy, std::int32_t qmin = -128, std::int32_t qmax = 127) {
  return OutputGrid{scale, zy, qmin, qmax};
}

// Example Q8.E1 (SPEC.md Q8.5): Sy = 0.25, Zy = -10, int8. 6/0.25 = 24, 1/0.25 = 4 exactly.
TEST(ActivationExample, Q8E1NamedActivations) {
  const OutputGrid g = grid(0.25f, -10);
  EXPECT_EQ(activation_bounds(Activation::none, g), (ActivationBounds{-128, 127}));
  EXPECT_EQ(activation_bounds(Activation::relu, g), (ActivationBounds{-10, 127}));
  EXPECT_EQ(activation_bounds(Activation::relu6, g), (ActivationBounds{-10, 14}));
  EXPECT_EQ(activation_bounds(Activation::relu_n1_to_1, g), (ActivationBounds{-14, -6}));
  EXPECT_EQ(apply_activation(Integer(100), activation_bounds(Activation::relu6, g)), Integer(14));
  EXPECT_EQ(apply_activation(Integer(-100), activation_bounds(Activation::relu6, g)), Integer(-10));
}

// How 6/Sy is rounded (Q8.1): TFLite rounds half away (TfLiteRound). Hand derivation:
// Sy = 12: 6/12 = 1/2 exactly: half_away -> 1, half_even -> 0. Sy = 2: +-1/2.
TEST(ActivationRounding, TiesFollowTheStatedRule) {
  EXPECT_EQ(activation_bounds(Activation::relu6, grid(12.0f, 0)), (ActivationBounds{0, 1}));
  EXPECT_EQ(activation_bounds(Activation::relu6, grid(12.0f, 0), {Division::f32_divide, Rounding::half_even}),
            (ActivationBounds{0, 0}));
  EXPECT_EQ(activation_bounds(Activation::relu_n1_to_1, grid(2.0f, 0)), (ActivationBounds{-1, 1}));
  EXPECT_EQ(activation_bounds(Activation::relu_n1_to_1, grid(2.0f, 0),
                              {Division::exact, Rounding::half_even}),
            (ActivationBounds{0, 0}));
}

// fl32(6/Sy) versus 6/Sy: Sy = 0.1f (0x1.99999Ap-4, slightly above 0.1): 6/Sy = 59.9999991...,
// which both round to 60; the binary32 quotient is 60 exactly.
TEST(ActivationRounding, Binary32QuotientAsTfliteComputesIt) {
  EXPECT_EQ(quantized_bound(6.0f, grid(0.1f, 0)), Integer(60));
  EXPECT_EQ(quantized_bound(6.0f, grid(0.1f, 0), {Division::exact, Rounding::half_away}), Integer(60));
  // Sy tiny: fl32(6/Sy) overflows; the bound lies beyond the grid and the clamp is qmax.
  EXPECT_EQ(activation_bounds(Activation::relu6, grid(0x1p-149f, 0)), (ActivationBounds{0, 127}));
}

TEST(ActivationBoundsEdges, CoincideOrCrossQminQmax) {
  // Zy = qmin: ReLU's lower bound coincides with qmin.
  EXPECT_EQ(activation_bounds(Activation::relu, grid(1.0f, -128)), (ActivationBounds{-128, 127}));
  // ReLU6 beyond qmax: 6/0.01 = 600 -> clamped to qmax.
  EXPECT_EQ(activation_bounds(Activation::relu6, grid(0.01f, 0)), (ActivationBounds{0, 127}));
  // uint8, Zy = 128, Sy = 1/32: ReLU6 upper bound 128 + 192 = 320 -> 255.
  EXPECT_EQ(activation_bounds(Activation::relu6, grid(0.03125f, 128, 0, 255)),
            (ActivationBounds{128, 255}));
  // qmin = qmax: a single grid point.
  EXPECT_EQ(activation_bounds(Activation::relu6, grid(1.0f, 5, 5, 5)), (ActivationBounds{5, 5}));
  // Arbitrary interval [a, b] with one end open.
  EXPECT_EQ(activation_bounds_for_interval(-2.0f, std::nullopt, grid(0.5f, 0)),
            (ActivationBounds{-4, 127}));
  EXPECT_EQ(activation_bounds_for_interval(std::nullopt, 3.0f, grid(0.5f, 0)),
            (ActivationBounds{-128, 6}));
}

TEST(ActivationErrors, EveryRejectedParameterIsNamed) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const float inf = std::numeric_limits<float>::infinity();
  expect_parameter_error([] { activation_bounds(Activation::relu, grid(0.0f, 0)); }, "scale");
  expect_parameter_error([&] { activation_bounds(Activation::relu, grid(nan, 0)); }, "scale");
  expect_parameter_error([] { activation_bounds(Activation::relu, grid(1.0f, 200)); }, "zero_point");
  expect_parameter_error([] { activation_bounds(Activation::relu, grid(1.0f, 0, 5, 4)); }, "qmin");
  expect_parameter_error([&] { activation_bounds_for_interval(nan, 1.0f, grid(1.0f, 0)); },
                         "activation_min");
  expect_parameter_error([&] { activation_bounds_for_interval(0.0f, inf, grid(1.0f, 0)); },
                         "activation_max");
  expect_parameter_error([] { activation_bounds_for_interval(2.0f, 1.0f, grid(1.0f, 0)); },
                         "activation_min");
  // Empty after intersecting with [qmin, qmax]: the whole interval above / below the grid.
  expect_parameter_error([] { activation_bounds_for_interval(1000.0f, 2000.0f, grid(1.0f, 0)); },
                         "activation_min");
  expect_parameter_error([] { activation_bounds_for_interval(-2000.0f, -1000.0f, grid(1.0f, 0)); },
                         "activation_max");
  expect_parameter_error(
      [] { activation_bounds(Activation::relu6, grid(1.0f, 0), {Division::f32_reciprocal}); },
      "division");
  expect_parameter_error([] { parse_activation("gelu"); }, "activation");
  EXPECT_EQ(parse_activation("relu_n1_to_1"), Activation::relu_n1_to_1);
}

}  // namespace
}  // namespace quantspec::ref
