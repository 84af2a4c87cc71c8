// quantspec quantize: Q2 q = clamp(R(t) + Z, qmin, qmax) of one binary32 input.
#include <iostream>

#include "command.hpp"
#include "quantspec/reference/quantize.hpp"

namespace quantspec::cli {

void register_quantize(CLI::App& app, Registry& registry) {
  struct Options {
    std::string x, scale, zero_point = "0", dtype = "int8", rounding = "half_even",
                                  division = "exact";
    bool narrow_range = false, json = false;
  };
  auto o = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand(
      "quantize",
      "Q2: q = clamp(R(t) + Z, qmin, qmax), t = x/S exactly (exact), fl32(x/S) (f32_divide)\n"
      "or fl32(x * fl32(1/S)) (f32_reciprocal). NaN -> Z, +inf -> qmax, -inf -> qmin.\n"
      "Output: {\"q\": q}");
  cmd->add_option("--x", o->x, "the binary32 input: decimal, hex-float, inf, -inf or nan")
      ->required();
  cmd->add_option("--scale", o->scale, "S, binary32, finite and > 0")->required();
  cmd->add_option("--zero-point", o->zero_point, "Z in [qmin, qmax] (default 0)");
  cmd->add_option("--dtype", o->dtype, names_of_dtypes() + " (default int8)");
  cmd->add_flag("--narrow-range", o->narrow_range, "drop the lowest grid value");
  cmd->add_option("--rounding", o->rounding, names_of_roundings() + " (default half_even)");
  cmd->add_option("--division", o->division, names_of_divisions() + " (default exact)");
  add_json_flag(cmd, &o->json);

  registry.add(cmd, [o](std::ostream& out) {
    const ref::QuantizeParams params = ref::QuantizeParams::for_dtype(
        ref::parse_dtype(o->dtype, "--dtype"), binary32_option(o->scale, "--scale"),
        bounded_integer_option(o->zero_point, "--zero-point", INT64_MIN / 2, INT64_MAX / 2),
        o->narrow_range, ref::parse_rounding(o->rounding, "--rounding"),
        ref::parse_division(o->division, "--division"));
    const float x = binary32_option(o->x, "--x");
    const ref::QuantizeTrace t = ref::quantize_traced(x, params);
    if (o->json) {
      nlohmann::json j{{"q", integer_json(t.q)},
                       {"input_class", std::string(ref::name(t.input_class))},
                       {"clamped", t.clamped},
                       {"special", t.special}};
      if (t.quotient_kind == ref::QuotientKind::finite) {
        j["t"] = rational_json(t.quotient);
        j["rounded"] = integer_json(t.rounded);
      } else {
        j["t"] = std::string(ref::name(t.quotient_kind));
      }
      out << j.dump() << "\n";
    } else {
      out << "q: " << t.q.str() << "\n"
          << "x: " << binary32_text(x) << " (" << ref::name(t.input_class) << ")\n";
      if (t.quotient_kind == ref::QuotientKind::finite) {
        out << "t = x/S (" << ref::name(params.division) << "): " << rational_text(t.quotient)
            << "\n"
            << "R(t) (" << ref::name(params.rounding) << "): " << t.rounded.str() << "\n"
            << "R(t) + Z: " << t.unclamped.str() << "\n";
      } else {
        out << "t: " << ref::name(t.quotient_kind) << "\n";
      }
      out << "grid: [" << params.qmin << ", " << params.qmax << "]"
          << (t.clamped ? " (clamped)" : "") << (t.special ? " (special-input rule)" : "")
          << "\n";
    }
    return kExitOk;
  });
}

}  // namespace quantspec::cli
