// quantspec lut: Q12 the 256-entry table of a non-linear f (dequantize -> f -> quantize), built
// as the ideal (`exact`) or as TFLite / XNNPACK build it in binary32.
#include <iostream>

#include "command.hpp"
#include "quantspec/reference/nonlinear.hpp"

namespace quantspec::cli {

void register_lut(CLI::App& app, Registry& registry) {
  struct Options {
    std::string function, alpha = "1", input_scale, input_zero_point = "0", output_scale,
        output_zero_point = "0", dtype = "int8", variant = "exact", rounding = "half_away";
    bool json = false;
  };
  auto o = std::make_shared<Options>();
  std::string functions;
  for (auto f : ref::all_nonlinear_functions()) {
    functions += (functions.empty() ? "" : ", ") + std::string(ref::name(f));
  }
  CLI::App* cmd = app.add_subcommand(
      "lut",
      "Q12: the table q -> clamp(R(f((q - Zi) Si) / So) + Zo) for every q of the grid.\n"
      "--variant exact: x and f exact, rounding --rounding (default half_away);\n"
      "tflite: TFLite LUTPopulate in binary32 (std::round); xnnpack: XNNPACK's table in\n"
      "binary32 (lrintf, ties to even). f in binary32 is the correctly rounded f(x).\n"
      "Output: the entries in input order q = qmin..qmax, and by input byte (the lut ABI order).");
  cmd->add_option("--function", o->function, functions)->required();
  cmd->add_option("--alpha", o->alpha, "alpha of elu / leaky_relu (default 1)");
  cmd->add_option("--input-scale", o->input_scale, "Si, binary32 > 0")->required();
  cmd->add_option("--input-zero-point", o->input_zero_point, "Zi (default 0)");
  cmd->add_option("--output-scale", o->output_scale, "So, binary32 > 0")->required();
  cmd->add_option("--output-zero-point", o->output_zero_point, "Zo (default 0)");
  cmd->add_option("--dtype", o->dtype, "int8 (default) or uint8, input and output");
  cmd->add_option("--variant", o->variant, "exact (default), tflite, xnnpack");
  cmd->add_option("--rounding", o->rounding, names_of_roundings() + " (exact only; default half_away)");
  add_json_flag(cmd, &o->json);

  registry.add(cmd, [o, cmd](std::ostream& out) {
    ref::LutParams p;
    p.input_scale = binary32_option(o->input_scale, "--input-scale");
    p.output_scale = binary32_option(o->output_scale, "--output-scale");
    p.input_zero_point = static_cast<std::int32_t>(
        bounded_integer_option(o->input_zero_point, "--input-zero-point", INT32_MIN, INT32_MAX));
    p.output_zero_point = static_cast<std::int32_t>(
        bounded_integer_option(o->output_zero_point, "--output-zero-point", INT32_MIN, INT32_MAX));
    p.dtype = ref::parse_dtype(o->dtype, "--dtype");
    p.alpha = binary32_option(o->alpha, "--alpha");
    p.rounding = ref::parse_rounding(o->rounding, "--rounding");
    const ref::NonlinearFunction f = ref::parse_nonlinear_function(o->function, "--function");
    const ref::LutVariant variant = ref::parse_lut_variant(o->variant, "--variant");
    refuse_without_effect(*cmd, "--rounding", variant == ref::LutVariant::exact,
                          "only with --variant exact (tflite and xnnpack round as their sources do)");
    refuse_without_effect(*cmd, "--alpha", ref::uses_alpha(f), "only with --function elu or leaky_relu");
    std::vector<ref::LutEntryTrace> trace;
    const auto table = ref::build_lut(f, p, variant, &trace);
    if (o->json) {
      nlohmann::json in_order = nlohmann::json::array(), by_byte = nlohmann::json::array();
      nlohmann::json saturated = nlohmann::json::array();
      for (const auto& e : trace) {
        in_order.push_back(e.out);
        if (e.saturated_non_finite) saturated.push_back(e.q);
      }
      for (auto v : table) by_byte.push_back(v);
      out << nlohmann::json{{"function", ref::name(f)},
                            {"variant", ref::name(variant)},
                            {"qmin", trace.front().q},
                            {"table", in_order},
                            {"table_by_input_byte", by_byte},
                            {"saturated_inputs", saturated}}
                 .dump()
          << "\n";
    } else {
      out << ref::name(f) << " (" << ref::name(variant) << "), q = " << trace.front().q << ".."
          << trace.back().q << ":\n";
      for (std::size_t i = 0; i < trace.size(); ++i) {
        out << trace[i].out << ((i % 16 == 15) ? "\n" : " ");
      }
      for (const auto& e : trace) {
        if (e.saturated_non_finite) out << "q = " << e.q << ": binary32 overflow, saturated (Q12.4)\n";
      }
    }
    return kExitOk;
  });
}

}  // namespace quantspec::cli
