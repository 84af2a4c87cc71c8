// Q6 multiplier-derivation vectors: M -> (multiplier, shift) in the Q31 convention
// (M ~= multiplier * 2^(shift - 31)) and the TOSA conventions (M ~= multiplier / 2^shift),
// for each derivation (exact, tflite, rndnu). M is given as binary32 scales (M = Sx*Sw/Sy),
// as a binary64 (TFLite's QuantizeMultiplier(double)) or as an exact rational.
#include <cmath>

#include "builder.hpp"
#include "quantspec/reference/multiplier.hpp"

namespace quantspec::vectors::detail {
namespace {

using ref::Derivation;
using ref::Rational;

struct Case {
  std::string comment;
  std::vector<std::string> flags;
  Json inputs;
  Rational m;          // the exact multiplier (when the inputs are valid)
  std::string error;   // non-empty: the scales are rejected before any derivation
  bool from_scales = false;
  float sx = 0, sw = 0, sy = 0;

  // Q6.8: what derivation d starts from (for scales: rndnu starts from fl32(fl32(sx*sw)/sy)).
  Rational start(Derivation d) const {
    return from_scales ? ref::real_multiplier_from_scales(sx, sw, sy, d) : m;
  }
};

enum class Form { q31, tosa32, tosa16 };
const char* form_name(Form f) {
  return f == Form::q31 ? "q31" : f == Form::tosa32 ? "tosa32" : "tosa16";
}

Json derive(const Rational& m, Form form, Derivation d) {
  if (form == Form::q31) {
    const auto r = ref::derive_multiplier(m, d);
    return Json{{"multiplier", r.multiplier}, {"shift", r.shift}};
  }
  const auto r = form == Form::tosa32 ? ref::derive_tosa32(m, d) : ref::derive_tosa16(m, d);
  return Json{{"multiplier", r.multiplier}, {"shift", r.shift}};
}

Case from_double(std::string comment, std::vector<std::string> flags, double m) {
  Case c{std::move(comment), std::move(flags), Json{{"real_multiplier", encode_binary64(m)}}, 0, ""};
  if (std::isfinite(m)) c.m = ref::exact(m);
  return c;
}

Case from_scales(std::string comment, std::vector<std::string> flags, float sx, float sw, float sy) {
  Case c{std::move(comment), std::move(flags),
         Json{{"sx", encode(sx)}, {"sw", encode(sw)}, {"sy", encode(sy)}}, 0, ""};
  c.from_scales = true;
  c.sx = sx;
  c.sw = sw;
  c.sy = sy;
  try {
    c.m = ref::multiplier_from_scales(sx, sw, sy);
  } catch (const ref::ParameterError& e) {
    c.error = e.parameter();
  }
  return c;
}

Case from_rational(std::string comment, std::vector<std::string> flags, const Rational& m) {
  return {std::move(comment), std::move(flags), Json{{"exact_multiplier", encode_rational(m)}}, m, ""};
}

}  // namespace

Json multiplier_family() {
  FileBuilder file("multiplier", "Q6",
                   {"Fixed-point multiplier derivation. Form q31: M ~= multiplier * 2^(shift-31), "
                    "multiplier in [2^30, 2^31) or (0, 0), shift in [-31, 30]. Forms tosa32 / "
                    "tosa16: M ~= multiplier / 2^shift, shift in [2, 62].",
                    "Derivations: exact (from the exact rational, mantissa rounded half away), "
                    "tflite (M rounded to binary64 first, frexp, std::round, renormalise, flush "
                    "to (0, 0) below 2^-32), rndnu (M rounded to binary32, 24-bit significand << 7).",
                    "Operands: inputs are either (sx, sw, sy) with M = sx*sw/sy exactly (derivation "
                    "rndnu starts from the binary32 scale fl32(fl32(sx*sw)/sy) instead, Q6.8), or "
                    "real_multiplier (binary64), or exact_multiplier (\"p/q\"); outputs "
                    "multiplier, shift."});
  const std::string tflite_test =
      "published: TFLite tensorflow/lite/kernels/internal/quantization_util_test.cc "
      "(QuantizeMultiplier) gives ";
  std::vector<Case> cases = {
      from_double("M = 0.5 - 5e-9; " + tflite_test + "(2147483627, -1)", {"published_value"}, 0.5 - 5e-9),
      from_double("M = 2 - 1e-9; " + tflite_test + "(2147483647, 1)", {"published_value"}, 2 - 1e-9),
      from_double("M = 1 - 1e-15: mantissa rounds to 2^31; " + tflite_test + "(2^30, 1)",
                  {"published_value", "mantissa_rounds_to_2_31"}, 1 - 1e-15),
      from_double("M = 2^-32; " + tflite_test + "(2^30, -31)", {"published_value"}, 0x1p-32),
      from_double("M = 0.99 * 2^-32: exponent below -31; " + tflite_test + "(0, 0)",
                  {"published_value", "exponent_below_minus_31"}, 0.99 * 0x1p-32),
      from_double("M = 1 - 2^-40: mantissa rounds to 2^31", {"mantissa_rounds_to_2_31"}, 1 - 0x1p-40),
      from_double("M = 2^-40: exponent below -31", {"exponent_below_minus_31"}, 0x1p-40),
      from_double("M = 0", {}, 0.0),
      from_double("M = 0.5 exactly", {}, 0.5),
      from_double("M = 1.5 (M > 1, shift > 0)", {}, 1.5),
      from_double("M = 2^29 (largest power of two with shift <= 30)", {}, 0x1p29),
      from_double("M = 2^30 is too large for shift <= 30", {}, 0x1p30),
      from_double("negative M is rejected", {}, -0.5),
      from_double("NaN M is rejected", {}, std::nan("")),
      from_rational("M = 1/2 + 2^-32 - 2^-60: exactly below a 31-bit tie; binary64 rounds it onto "
                    "the tie, so tflite rounds up and exact down",
                    {"distinguishes_variants"},
                    Rational(1, 2) + ref::pow2(-32) - ref::pow2(-60)),
      from_rational("M = 1/3", {}, Rational(1, 3)),
      from_rational("M = 1/2 + 2^-25 + 2^-60: binary32 rounding (rndnu) drops the low bits",
                    {"distinguishes_variants"}, Rational(1, 2) + ref::pow2(-25) + ref::pow2(-60)),
      from_scales("typical int8 layer: 0.0078125 * 0.00390625 / 0.0234375", {}, 0.0078125f,
                  0.00390625f, 0.0234375f),
      from_scales("0.1f * 0.2f / 0.3f: not dyadic", {}, 0.1f, 0.2f, 0.3f),
      from_scales("subnormal product of scales", {"subnormal_scale"}, 0x1p-140f, 0x1p-10f, 0x1p-130f),
      from_scales("zero sx is rejected", {}, 0.0f, 1.0f, 1.0f),
      from_scales("negative sy is rejected", {}, 1.0f, 1.0f, -1.0f),
  };
  Rng rng(0x51360000);
  for (int i = 0; i < 20; ++i) {
    const float sx = rng.log_uniform_float(-10, 0);
    const float sw = rng.log_uniform_float(-10, 0);
    const float sy = rng.log_uniform_float(-16, 0);
    cases.push_back(from_scales("random #" + std::to_string(i), {"random"}, sx, sw, sy));
  }
  for (Form form : {Form::q31, Form::tosa32, Form::tosa16}) {
    for (Derivation d : ref::all_derivations()) {
      auto& group = file.group("MultiplierTest",
                               Json{{"form", form_name(form)}, {"derivation", ref::name(d)}},
                               Json::object());
      for (const auto& c : cases) {
        if (!c.error.empty()) {
          group.add_invalid(c.comment, c.flags, c.inputs,
                            ref::ParameterError(c.error, "a finite binary32 > 0", "see inputs"));
          continue;
        }
        if (c.inputs.contains("real_multiplier") &&
            !std::isfinite(std::strtod(c.inputs["real_multiplier"].get<std::string>().c_str(), nullptr))) {
          group.add_invalid(c.comment, c.flags, c.inputs,
                            ref::ParameterError("real_multiplier", "finite", "nan"));
          continue;
        }
        group.add_computed(c.comment, c.flags, c.inputs, [&]() { return derive(c.start(d), form, d); },
                           Json{{"exact_value", encode_rational(c.m)}});
      }
    }
  }
  return file.finish();
}

}  // namespace quantspec::vectors::detail
