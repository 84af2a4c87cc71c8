// Q13.1 TFLite quantized LeakyReLU vectors: for each q of the grid, the output of TFLite's
// integer kernel (`tflite`: two Q31 multipliers from binary32 Prepare, double rounding) and of
// the ideal (`exact`: Q12 leaky_relu, half away). The same cases in both groups, so
// `vectors identify` tells an integer-kernel backend from a float one where they differ.
#include "builder.hpp"
#include "quantspec/reference/nonlinear.hpp"
#include "quantspec/reference/tflite_activations.hpp"

namespace quantspec::vectors::detail {
namespace {

struct Case {
  std::string comment;
  std::vector<std::string> flags;
  float alpha;
  ref::DType dtype;
  float si;
  std::int32_t zi;
  float so;
  std::int32_t zo;
};

}  // namespace

Json leaky_relu_family() {
  FileBuilder file("leaky_relu", "Q13",
                   {"Quantized LeakyReLU on the 8-bit grid: outputs[q - qmin] for every q. tflite: "
                    "TFLite QuantizeLeakyRelu, v = q - Zi, Zo + MultiplyByQuantizedMultiplier(v, "
                    "v >= 0 ? QuantizeMultiplier(fl32(Si/So)) : QuantizeMultiplier(fl32(fl32(Si*"
                    "alpha)/So))) (Q7.2 double rounding), clamped (Q13.1). exact: clamp(R(f(x)/So) + "
                    "Zo), f(x) = x (x >= 0) or alpha x, x = (q - Zi) Si, R half away (Q12.2).",
                    "Operands: alpha, dtype, input_scale, input_zero_point, output_scale, "
                    "output_zero_point; output outputs (q = qmin..qmax)."});
  using D = ref::DType;
  std::vector<Case> cases = {
      {"Example Q13.E1: alpha = 0.1f, Si = 0.5, So = 0.25; q = -7: tflite -2 (double rounding), "
       "exact -1",
       {"double_rounding_artifact", "distinguishes_variants", "clamp_high"}, 0.1f, D::int8, 0.5f, 0, 0.25f, 0},
      {"alpha = 0: every q < Zi maps to Zo", {"alpha_zero"}, 0.0f, D::int8, 0.1f, 5, 0.05f, -20},
      {"alpha = 0.5, So = 1: ties on the negative side (-0.5 * odd)", {"exact_tie_in_f"}, 0.5f, D::int8,
       1.0f, 0, 1.0f, 0},
      {"negative alpha: the negative side maps upward", {"clamp_high"}, -1.0f, D::int8, 1.0f, 0, 1.0f, 0},
      {"Zi at qmin: every input on the identity side", {"zero_point_at_qmin"}, 0.2f, D::int8, 0.02f,
       -128, 0.03f, -100},
      {"Zi at qmax: every input on the alpha side", {"zero_point_at_qmax", "clamp_low"}, 0.3f, D::int8,
       0.05f, 127, 0.01f, 0},
      {"uint8, Zi = Zo = 128", {"uint8_zero_point_128"}, 0.01f, D::uint8, 0.04f, 128, 0.04f, 128},
      {"identity multiplier >= 2^30 is rejected", {}, 0.1f, D::int8, 0x1p20f, 0, 0x1p-20f, 0},
      {"alpha multiplier >= 2^30 is rejected", {}, 0x1p31f, D::int8, 1.0f, 0, 1.0f, 0},
      {"output scale 0 is rejected", {}, 0.1f, D::int8, 0.1f, 0, 0.0f, 0},
  };
  Rng rng(0x13100000);
  for (int i = 0; i < 8; ++i) {
    const float si = rng.log_uniform_float(-8, -3);
    cases.push_back({"random #" + std::to_string(i), {"random"},
                     static_cast<float>(rng.uniform(0, 1000)) / 1000.0f, D::int8, si,
                     static_cast<std::int32_t>(rng.uniform(-128, 127)), rng.log_uniform_float(-8, -3),
                     static_cast<std::int32_t>(rng.uniform(-128, 127))});
  }
  for (const char* variant : {"tflite", "exact"}) {
    const bool tflite = std::string(variant) == "tflite";
    auto& group = file.group("LeakyReluTest", Json{{"activation_variant", variant}}, Json::object());
    for (const auto& c : cases) {
      Json inputs = {{"alpha", encode(c.alpha)},         {"dtype", ref::name(c.dtype)},
                     {"input_scale", encode(c.si)},      {"input_zero_point", c.zi},
                     {"output_scale", encode(c.so)},     {"output_zero_point", c.zo}};
      group.add_computed(c.comment, c.flags, inputs, [&]() {
        ref::TfliteActivationParams p;
        p.input_scale = c.si;
        p.input_zero_point = c.zi;
        p.output_scale = c.so;
        p.output_zero_point = c.zo;
        p.dtype = c.dtype;
        p.alpha = c.alpha;
        ref::LutParams l;
        l.input_scale = c.si;
        l.input_zero_point = c.zi;
        l.output_scale = c.so;
        l.output_zero_point = c.zo;
        l.dtype = c.dtype;
        l.alpha = c.alpha;
        // Both variants validate alike: the TFLite Prepare rejects what it cannot represent.
        (void)ref::prepare_tflite_leaky_relu(p);
        Json outputs = Json::array();
        const ref::IntRange r = ref::dtype_range(c.dtype);
        for (std::int64_t q = r.min; q <= r.max; ++q) {
          const std::int32_t qi = static_cast<std::int32_t>(q);
          outputs.push_back(tflite ? ref::tflite_leaky_relu(qi, p)
                                   : ref::nonlinear_exact(ref::NonlinearFunction::leaky_relu, qi, l)
                                         .convert_to<std::int32_t>());
        }
        return Json{{"outputs", outputs}};
      });
    }
  }
  return file.finish();
}

}  // namespace quantspec::vectors::detail
