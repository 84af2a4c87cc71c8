// quantspec multiplier: Q6 derivation of the fixed-point pair (multiplier, shift) of a real
// multiplier M, M ~= multiplier * 2^(shift - 31).
#include <iostream>

#include "command.hpp"
#include "quantspec/reference/errors.hpp"
#include "quantspec/reference/multiplier.hpp"

namespace quantspec::cli {

void register_multiplier(CLI::App& app, Registry& registry) {
  struct Options {
    std::string real, derivation = "tflite";
    std::vector<std::string> scales;
    bool json = false;
  };
  auto o = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand(
      "multiplier",
      "Q6: M -> (multiplier, shift) with M ~= multiplier * 2^(shift - 31), multiplier in\n"
      "[2^30, 2^31) (or 0). M is given exactly (--real: decimal text is the exact decimal\n"
      "rational, e.g. 0.1 = 1/10, not its binary32) or as binary32 scales (--scales: M =\n"
      "Sx*Sw/Sy exactly; with --derivation rndnu, M = fl32(fl32(Sx*Sw)/Sy) as XNNPACK computes it).\n"
      "Output: {\"multiplier\": m, \"shift\": s, ...}");
  auto* real = cmd->add_option("--real", o->real,
                               "the real multiplier M: decimal, hex-float or p/q, exact");
  auto* scales = cmd->add_option("--scales", o->scales, "SX SW SY: M = Sx*Sw/Sy (binary32 scales)")
                     ->expected(3);
  real->excludes(scales);
  scales->excludes(real);
  cmd->add_option("--derivation", o->derivation,
                  names_of_derivations() + " (default tflite: TFLite QuantizeMultiplier)");
  add_json_flag(cmd, &o->json);

  registry.add(cmd, [o](std::ostream& out) {
    const ref::Derivation derivation = ref::parse_derivation(o->derivation, "--derivation");
    ref::Rational m;
    if (!o->real.empty()) {
      m = rational_option(o->real, "--real");
    } else if (o->scales.size() == 3) {
      const float sx = binary32_option(o->scales[0], "--scales");
      const float sw = binary32_option(o->scales[1], "--scales");
      const float sy = binary32_option(o->scales[2], "--scales");
      m = ref::real_multiplier_from_scales(sx, sw, sy, derivation);
    } else {
      throw ref::ParameterError("--real", "--real M or --scales SX SW SY", "neither");
    }
    const ref::FixedPointMultiplier fp = ref::derive_multiplier(m, derivation);
    const ref::Rational represented = ref::real_value(fp);
    if (o->json) {
      nlohmann::json j{{"multiplier", fp.multiplier},
                       {"shift", fp.shift},
                       {"derivation", std::string(ref::name(derivation))},
                       {"real_multiplier", rational_json(m)},
                       {"represents", rational_json(represented)}};
      out << j.dump() << "\n";
    } else {
      out << "multiplier: " << fp.multiplier << "\n"
          << "shift: " << fp.shift << "\n"
          << "real multiplier M: " << rational_text(m) << "\n"
          << "represents multiplier * 2^(shift - 31) = " << rational_text(represented) << "\n"
          << "derivation: " << ref::name(derivation) << "\n";
    }
    return kExitOk;
  });
}

}  // namespace quantspec::cli
