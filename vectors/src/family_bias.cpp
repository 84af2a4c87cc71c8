// Q4 bias vectors: b = R(B / (Sx * Sw)) saturated to int32; the variant is the rounding rule
// (TFLite: half_away).
#include <cmath>
#include <limits>

#include "builder.hpp"
#include "quantspec/reference/bias.hpp"

namespace quantspec::vectors::detail {
namespace {

struct Case {
  std::string comment;
  std::vector<std::string> flags;
  float bias;
  float sx;
  float sw;
};

}  // namespace

Json bias_family() {
  FileBuilder file("bias", "Q4",
                   {"b = sat32(R(B / Sb)), Sb = Sx * Sw exactly (no binary32 rounding of the "
                    "product), R the variant's rounding rule. details.exact is R(B/Sb) before "
                    "saturation.",
                    "Operands: inputs (real_bias, input_scale, weight_scale); output b.",
                    "Group variant bias_variant tflite_converter: SPEC Q4.5, the TFLite converter's binary32 steps "
                    "(fl32(Sx*Sw), its reciprocal, fl32(B*inv), std::round, SafeCast, clamp to "
                    "+-(2^31-1))."});
  std::vector<Case> cases = {
      {"B/Sb = 2.5", {"tie_even_positive"}, 0.625f, 0.5f, 0.5f},
      {"B/Sb = 3.5", {"tie_odd_positive"}, 0.875f, 0.5f, 0.5f},
      {"B/Sb = -2.5", {"tie_even_negative"}, -0.625f, 0.5f, 0.5f},
      {"B/Sb = -3.5", {"tie_odd_negative"}, -0.875f, 0.5f, 0.5f},
      {"one ulp below B/Sb = 2.5", {"ulp_below_tie"}, std::nextafter(0.625f, 0.0f), 0.5f, 0.5f},
      {"one ulp above B/Sb = 2.5", {"ulp_above_tie"}, std::nextafter(0.625f, 1.0f), 0.5f, 0.5f},
      {"B/Sb = 2^40 beyond int32: saturates to INT32_MAX", {"bias_beyond_int32"}, 0x1p20f,
       0x1p-10f, 0x1p-10f},
      {"B/Sb = -2^40: saturates to INT32_MIN", {"bias_beyond_int32"}, -0x1p20f, 0x1p-10f, 0x1p-10f},
      {"B/Sb = 2^31 exactly: one beyond INT32_MAX, saturates", {"bias_beyond_int32"}, 0x1p31f,
       1.0f, 1.0f},
      {"-0.0 bias", {"negative_zero"}, -0.0f, 0.5f, 0.25f},
      {"Sb = 2^-70 * 2^-70 = 2^-140 is below binary32 normals, kept exact; subnormal B = 2^-130", {"subnormal_scale", "subnormal_input"}, 0x1p-130f, 0x1p-70f, 0x1p-70f},
      {"subnormal weight scale", {"subnormal_scale"}, 0x1p-140f, 1.0f, 0x1p-141f},
      {"Sx*Sw is not a binary32: 0.1f * 0.3f exactly", {}, 0.45f, 0.1f, 0.3f},
      {"zero input scale is rejected", {}, 1.0f, 0.0f, 0.5f},
      {"negative weight scale is rejected", {}, 1.0f, 0.5f, -0.5f},
      {"NaN bias is rejected", {}, std::numeric_limits<float>::quiet_NaN(), 0.5f, 0.5f},
      {"infinite bias is rejected", {}, std::numeric_limits<float>::infinity(), 0.5f, 0.5f},
  };
  Rng rng(0x51340000);
  for (int i = 0; i < 16; ++i) {
    const float sx = rng.log_uniform_float(-12, -2);
    const float sw = rng.log_uniform_float(-12, -2);
    float b = rng.log_uniform_float(-16, 4);
    if (rng.coin()) b = -b;
    cases.push_back({"random #" + std::to_string(i), {"random"}, b, sx, sw});
  }
  // Cases where Q4.5's binary32 steps change the result (found with the reference against
  // Q4.2), and a product that underflows in binary32; every group holds the same inputs.
  cases.push_back({"Example Q4.E2: exact 78247, tflite_converter 78248", {"binary32_steps_differ"},
                   0x1.12f0b4p+1f, 0x1.010102p-8f, 0x1.cac084p-8f});
  cases.push_back({"tflite_converter -48586, exact -48585", {"binary32_steps_differ"},
                   -0x1.7522fap+0f, 0x1.89374cp-9f, 0x1.47ae14p-7f});
  cases.push_back({"tflite_converter 98080, exact 98079", {"binary32_steps_differ"},
                   0x1.78a01p+1f, 0x1.89374cp-9f, 0x1.47ae14p-7f});
  cases.push_back({"fl32(2^-80 * 2^-80) = 0: the converter's guard gives 0, Q4.3 saturates",
                   {"scale_product_underflows"}, 1.0f, 0x1p-80f, 0x1p-80f});
  for (auto rounding : ref::all_roundings()) {
    auto& group = file.group("BiasTest", Json{{"rounding", ref::name(rounding)}}, Json::object());
    for (const auto& c : cases) {
      Json details = nullptr;
      try {
        const auto qb = ref::quantize_bias(c.bias, c.sx, c.sw, rounding);
        details = Json{{"exact", encode(qb.exact)}, {"saturated", qb.saturated}};
      } catch (const ref::ParameterError&) {
      }
      group.add_computed(c.comment, c.flags,
                         Json{{"real_bias", encode(c.bias)}, {"input_scale", encode(c.sx)},
                              {"weight_scale", encode(c.sw)}},
                         [&]() {
                           return Json{{"b", ref::quantize_bias(c.bias, c.sx, c.sw, rounding).stored}};
                         },
                         details);
    }
  }
  auto& converter = file.group("BiasTest", Json{{"bias_variant", "tflite_converter"}}, Json::object());
  for (const auto& c : cases) {
    const bool scales_valid = std::isfinite(c.sx) && c.sx > 0 && std::isfinite(c.sw) && c.sw > 0;
    Json details = nullptr;
    if (scales_valid) {
      const auto qb = ref::quantize_bias_tflite_converter(c.bias, c.sx, c.sw);
      details = Json{{"bias_scale", encode(qb.bias_scale)}, {"inverse_scale", encode(qb.inverse_scale)}};
    }
    converter.add_computed(
        c.comment + (std::isfinite(c.bias) ? "" : " (the converter accepts it)"), c.flags,
        Json{{"real_bias", encode(c.bias)}, {"input_scale", encode(c.sx)},
             {"weight_scale", encode(c.sw)}},
        [&]() { return Json{{"b", ref::quantize_bias_tflite_converter(c.bias, c.sx, c.sw).stored}}; },
        details);
  }
  return file.finish();
}

}  // namespace quantspec::vectors::detail
