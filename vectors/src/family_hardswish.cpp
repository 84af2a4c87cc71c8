// Q13.2 TFLite int8/uint8 hardswish vectors: for each q of the grid, the output of TFLite's
// int16 fixed-point kernel (`tflite`) and of the ideal (`exact`: Q12 hardswish, half away).
// The same cases in both groups, so `vectors identify` separates them where they differ.
#include "builder.hpp"
#include "quantspec/reference/nonlinear.hpp"
#include "quantspec/reference/tflite_activations.hpp"

namespace quantspec::vectors::detail {
namespace {

struct Case {
  std::string comment;
  std::vector<std::string> flags;
  ref::DType dtype;
  float si;
  std::int32_t zi;
  float so;
  std::int32_t zo;
};

}  // namespace

Json hardswish_family() {
  FileBuilder file("hardswish", "Q13",
                   {"Quantized hardswish on the 8-bit grid: outputs[q - qmin] for every q. tflite: "
                    "TFLite reference_ops::HardSwish (int16 SQRDMULH / SQDMULH steps, multipliers "
                    "from binary32 HardSwishPrepare, DownScaleInt32ToInt16Multiplier; the int16 "
                    "sum with Zo wraps, Q13.2). exact: clamp(R(x relu6(x + 3)/6 / So) + Zo), x = "
                    "(q - Zi) Si, R half away (Q12.2).",
                    "Operands: dtype, input_scale, input_zero_point, output_scale, "
                    "output_zero_point; output outputs (q = qmin..qmax)."});
  using D = ref::DType;
  std::vector<Case> cases = {
      {"Example Q13.E2: Si = 0.05f, Zi = -10, So = 0.03f, Zo = -100; q = 8: tflite -81, exact -80",
       {"distinguishes_variants"}, D::int8, 0.05f, -10, 0.03f, -100},
      {"power-of-two scales Si = 1/16, So = 1/32: every output equals exact", {"clamp_high"}, D::int8,
       1.0f / 16, 0, 1.0f / 32, 0},
      {"uint8, So = 0x1.00001p-7 (int16 multiplier 32767, exponent 0), Zo = 255: at q = 255 the "
       "int16 sum 32638 + 255 wraps to -32643 and clamps to 0 (exact 255)",
       {"int16_wrap", "distinguishes_variants", "zero_point_at_qmax"}, D::uint8, 1.0f, 0, 0x1.00001p-7f, 255},
      {"Zi at qmin", {"zero_point_at_qmin"}, D::int8, 0.05f, -128, 0.05f, -128},
      {"uint8, Zi = Zo = 128", {"uint8_zero_point_128"}, D::uint8, 0.05f, 128, 0.04f, 128},
      {"Si/(128 So) >= 1/2 is rejected (TFLite output_multiplier_exponent <= 0)", {}, D::int8, 1.0f, 0,
       1.0f / 256, 0},
      {"output right shift beyond 15 is rejected (SPEC CHOICE Q13.2)", {}, D::int8, 1.0f, 0, 0x1p20f, 0},
  };
  Rng rng(0x13200000);
  for (int i = 0; i < 8; ++i) {
    const float si = rng.log_uniform_float(-7, -3);
    cases.push_back({"random #" + std::to_string(i), {"random"}, D::int8, si,
                     static_cast<std::int32_t>(rng.uniform(-128, 127)),
                     si * (1.0f + static_cast<float>(rng.uniform(0, 1000)) / 1000.0f),
                     static_cast<std::int32_t>(rng.uniform(-128, 127))});
  }
  for (const char* variant : {"tflite", "exact"}) {
    const bool tflite = std::string(variant) == "tflite";
    auto& group = file.group("HardSwishTest", Json{{"activation_variant", variant}}, Json::object());
    for (const auto& c : cases) {
      Json inputs = {{"dtype", ref::name(c.dtype)},     {"input_scale", encode(c.si)},
                     {"input_zero_point", c.zi},        {"output_scale", encode(c.so)},
                     {"output_zero_point", c.zo}};
      group.add_computed(c.comment, c.flags, inputs, [&]() {
        ref::TfliteActivationParams p;
        p.input_scale = c.si;
        p.input_zero_point = c.zi;
        p.output_scale = c.so;
        p.output_zero_point = c.zo;
        p.dtype = c.dtype;
        ref::LutParams l;
        l.input_scale = c.si;
        l.input_zero_point = c.zi;
        l.output_scale = c.so;
        l.output_zero_point = c.zo;
        l.dtype = c.dtype;
        (void)ref::prepare_tflite_hardswish(p);  // both variants validate as TFLite's Prepare
        Json outputs = Json::array();
        const ref::IntRange r = ref::dtype_range(c.dtype);
        for (std::int64_t q = r.min; q <= r.max; ++q) {
          const std::int32_t qi = static_cast<std::int32_t>(q);
          outputs.push_back(tflite ? ref::tflite_hardswish(qi, p)
                                   : ref::nonlinear_exact(ref::NonlinearFunction::hardswish, qi, l)
                                         .convert_to<std::int32_t>());
        }
        return Json{{"outputs", outputs}};
      });
    }
  }
  return file.finish();
}

}  // namespace quantspec::vectors::detail
