// quantspec params: Q1 quantization parameters (S, Z) of a real range [min, max].
#include <iostream>

#include "command.hpp"
#include "quantspec/reference/params.hpp"

namespace quantspec::cli {

void register_params(CLI::App& app, Registry& registry) {
  struct Options {
    std::string min, max, dtype = "int8", zero_point_rounding = "half_away";
    bool symmetric = false, narrow_range = false, json = false;
  };
  auto o = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand(
      "params",
      "Q1: scale and zero point for real values in [min, max].\n"
      "Asymmetric: the range is widened to contain 0, S = (max - min)/(Qmax - Qmin) rounded\n"
      "to binary32, Z = Qmin - min/S rounded (--zero-point-rounding) and clamped.\n"
      "Symmetric: signed types S = max(|min|, |max|)/Qmax, Z = 0; unsigned types\n"
      "Z = 2^(bits-1) (128 for uint8), S = max(|min|, |max|)/(Qmax - Z).\n"
      "Output: {\"scale\": \"<hex float>\", \"zero_point\": Z}");
  cmd->add_option("--min", o->min, "smallest real value (decimal or hex-float)")->required();
  cmd->add_option("--max", o->max, "largest real value (decimal or hex-float)")->required();
  cmd->add_option("--dtype", o->dtype, names_of_dtypes() + " except int32 (default int8)");
  cmd->add_flag("--symmetric", o->symmetric, "symmetric quantization: Z = 0");
  cmd->add_flag("--narrow-range", o->narrow_range, "drop the lowest grid value (int8: [-127, 127])");
  cmd->add_option("--zero-point-rounding", o->zero_point_rounding,
                  "rounding of Qmin - min/S: " + names_of_roundings() +
                      " (default half_away = std::round, as TFLite; not with --symmetric)");
  add_json_flag(cmd, &o->json);

  registry.add(cmd, [o, cmd](std::ostream& out) {
    refuse_without_effect(*cmd, "--zero-point-rounding", !o->symmetric,
                          "only without --symmetric (a symmetric zero point is fixed)");
    ref::ParamsOptions options;
    options.dtype = ref::parse_dtype(o->dtype, "--dtype");
    options.symmetric = o->symmetric;
    options.narrow_range = o->narrow_range;
    options.zero_point_rounding = ref::parse_rounding(o->zero_point_rounding, "--zero-point-rounding");
    const float min = binary32_option(o->min, "--min");
    const float max = binary32_option(o->max, "--max");
    const ref::QuantizationParams p = ref::choose_params(min, max, options);
    if (o->json) {
      nlohmann::json j{{"scale", ref::hex_float(p.scale)}, {"zero_point", p.zero_point},
                       {"qmin", p.qmin}, {"qmax", p.qmax}};
      out << j.dump() << "\n";
    } else {
      out << "scale: " << binary32_text(p.scale) << "\n"
          << "zero_point: " << p.zero_point << "\n"
          << "grid: [" << p.qmin << ", " << p.qmax << "] (" << ref::name(options.dtype)
          << (options.narrow_range ? ", narrow range" : "") << ")\n";
    }
    return kExitOk;
  });
}

}  // namespace quantspec::cli
