// Q12 table vectors: the 256-entry table of a non-linear f (dequantize -> f -> quantize) as
// each construction variant builds it: `exact` (the ideal, half_away), `tflite` (TFLite
// LUTPopulate in binary32, std::round) and `xnnpack` (XNNPACK's table in binary32, lrintf).
// The same cases appear in every variant's group, so `vectors identify` separates them where
// their tables differ (the tie cases below, and binary32 steps on the random ones).
#include "builder.hpp"
#include "quantspec/reference/nonlinear.hpp"

namespace quantspec::vectors::detail {
namespace {

struct Case {
  std::string comment;
  std::vector<std::string> flags;
  ref::NonlinearFunction function;
  float alpha;
  ref::DType dtype;
  float si;
  std::int32_t zi;
  float so;
  std::int32_t zo;
};

}  // namespace

Json lut_family() {
  FileBuilder file("lut", "Q12",
                   {"256-entry tables of a non-linear f: for each q of the grid (int8 or uint8, "
                    "input and output alike), table[q - qmin] = clamp(R(p) + Zo) where exact: "
                    "p = f((q - Zi) Si)/So exactly, R half away from zero; tflite: p = "
                    "fl32(fl32(f(fl32((q - Zi) Si))) * fl32(1/So)), R half away (std::round); "
                    "xnnpack: the same p, R half to even (lrintf). fl32(f(x)) is the correctly "
                    "rounded value of f (Q12.3); binary32 overflow saturates (Q12.4).",
                    "Operands: inputs function (tanh, logistic, gelu, gelu_tanh, silu, hardswish, "
                    "hardsigmoid, elu, leaky_relu, softplus, exp), alpha, dtype, input_scale, "
                    "input_zero_point, output_scale, output_zero_point; output table (input "
                    "order q = qmin..qmax; the lut kernel's table is indexed by the input byte)."});
  using F = ref::NonlinearFunction;
  using D = ref::DType;
  std::vector<Case> cases = {
      {"tanh, Si = 2^-5, So = 2^-7 (Example Q12.E1)", {}, F::tanh, 0, D::int8, 0x1p-5f, 0, 0x1p-7f, 0},
      {"logistic, So = 2^-8, Zo = -128: logistic(0) = 1/2 exactly gives 0",
       {"exact_tie_in_f", "zero_point_at_qmin"}, F::logistic, 0, D::int8, 0x1p-4f, 0, 0x1p-8f, -128},
      {"hardsigmoid, So = 1: f(0) = 1/2 is a tie: tflite 1, xnnpack 0",
       {"exact_tie_in_f", "distinguishes_variants"}, F::hardsigmoid, 0, D::int8, 0.25f, 0, 1.0f, 0},
      {"hardswish, So = 2: f(3)/So = 3/2 and f(1)/So = 2/3.. ties at several inputs",
       {"exact_tie_in_f", "distinguishes_variants"}, F::hardswish, 0, D::int8, 1.0f, 0, 2.0f, 0},
      {"leaky_relu alpha = 0.5, So = 1: -1.5, -2.5 ... are ties on the negative side",
       {"exact_tie_in_f", "distinguishes_variants"}, F::leaky_relu, 0.5f, D::int8, 1.0f, 0, 1.0f, 0},
      {"leaky_relu, Si = 0x1.060c18p-2, So = 1: at q = 127 the exact x = 32.5 - 3.6e-7 rounds "
       "to 32, fl32(x) = 32.5 is a tie: exact 32, tflite 33, xnnpack 32",
       {"binary32_intermediate_tie", "distinguishes_variants"}, F::leaky_relu, 0.5f, D::int8,
       0x1.060c18p-2f, 0, 1.0f, 0},
      {"leaky_relu alpha = 0: ReLU", {"alpha_zero"}, F::leaky_relu, 0.0f, D::int8, 0.05f, 3, 0.05f, 3},
      {"exp with Si = 1: e^x overflows binary32 for x >= 89, the table saturates at qmax",
       {"binary32_overflow", "clamp_high"}, F::exp, 0, D::int8, 1.0f, 0, 1.0f, -128},
      {"tanh uint8, Zi = Zo = 128", {"uint8_zero_point_128"}, F::tanh, 0, D::uint8, 0x1p-5f, 128,
       0x1p-7f, 128},
      {"gelu, Zi at qmax", {"zero_point_at_qmax", "clamp_low"}, F::gelu, 0, D::int8, 0.05f, 127,
       0.02f, -20},
      {"gelu_tanh", {}, F::gelu_tanh, 0, D::int8, 0.05f, 0, 0.02f, -20},
      {"silu", {}, F::silu, 0, D::int8, 0.06f, 10, 0.03f, -40},
      {"elu alpha = 1", {}, F::elu, 1.0f, D::int8, 0.05f, 0, 0.04f, 30},
      {"softplus", {"clamp_high"}, F::softplus, 0, D::int8, 0.1f, 0, 0.05f, -128},
      {"tanh with a large input scale: every entry but the middle saturates",
       {"clamp_low", "clamp_high"}, F::tanh, 0, D::int8, 100.0f, 0, 0x1p-7f, 0},
      {"output scale 0 is rejected", {}, F::tanh, 0, D::int8, 0.1f, 0, 0.0f, 0},
      {"input zero point off the uint8 grid is rejected", {}, F::tanh, 0,
       D::uint8, 0.1f, -1, 0.1f, 0},
  };
  Rng rng(0x12a00000);
  const F randoms[] = {F::tanh, F::logistic, F::gelu, F::silu, F::exp, F::softplus};
  for (int i = 0; i < 12; ++i) {
    cases.push_back({"random #" + std::to_string(i), {"random"}, randoms[i % 6], 0, D::int8,
                     rng.log_uniform_float(-7, -2), static_cast<std::int32_t>(rng.uniform(-128, 127)),
                     rng.log_uniform_float(-8, -3), static_cast<std::int32_t>(rng.uniform(-128, 127))});
  }
  for (auto variant : {ref::LutVariant::exact, ref::LutVariant::tflite, ref::LutVariant::xnnpack}) {
    auto& group = file.group("LutTableTest", Json{{"lut_variant", ref::name(variant)}}, Json::object());
    for (const auto& c : cases) {
      Json inputs = {{"function", ref::name(c.function)}, {"alpha", encode(c.alpha)},
                     {"dtype", ref::name(c.dtype)},       {"input_scale", encode(c.si)},
                     {"input_zero_point", c.zi},          {"output_scale", encode(c.so)},
                     {"output_zero_point", c.zo}};
      ref::LutParams p;
      p.input_scale = c.si;
      p.input_zero_point = c.zi;
      p.output_scale = c.so;
      p.output_zero_point = c.zo;
      p.dtype = c.dtype;
      p.alpha = c.alpha;
      group.add_computed(c.comment, c.flags, inputs, [&]() {
        std::vector<ref::LutEntryTrace> trace;
        ref::build_lut(c.function, p, variant, &trace);
        Json table = Json::array();
        for (const auto& e : trace) table.push_back(e.out);
        return Json{{"table", table}};
      });
    }
  }
  return file.finish();
}

}  // namespace quantspec::vectors::detail
