// quantspec dequantize: Q3 the real value (q - Z) * S, exactly and rounded once to binary32.
#include <iostream>

#include "command.hpp"
#include "quantspec/reference/dequantize.hpp"

namespace quantspec::cli {

void register_dequantize(CLI::App& app, Registry& registry) {
  struct Options {
    std::string q, scale, zero_point = "0", dtype;
    bool narrow_range = false, json = false;
  };
  auto o = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand(
      "dequantize",
      "Q3: x = (q - Z) * S exactly, and fl32 of it (one rounding, ties to even).\n"
      "With --dtype, q and Z must lie on that grid.\n"
      "Output: {\"value\": \"<hex float>\", \"exact\": \"p/q\"}");
  cmd->add_option("--q", o->q, "the quantized integer")->required();
  cmd->add_option("--scale", o->scale, "S, binary32, finite and > 0")->required();
  cmd->add_option("--zero-point", o->zero_point, "Z (default 0)");
  cmd->add_option("--dtype", o->dtype, names_of_dtypes() + " (optional: check the grid)");
  cmd->add_flag("--narrow-range", o->narrow_range, "with --dtype: drop the lowest grid value");
  add_json_flag(cmd, &o->json);

  registry.add(cmd, [o, cmd](std::ostream& out) {
    refuse_without_effect(*cmd, "--narrow-range", !o->dtype.empty(), "only with --dtype (it narrows that grid)");
    const ref::Integer q = integer_option(o->q, "--q");
    const float scale = binary32_option(o->scale, "--scale");
    const std::int64_t z =
        bounded_integer_option(o->zero_point, "--zero-point", INT64_MIN / 2, INT64_MAX / 2);
    ref::Rational exact;
    float value;
    if (!o->dtype.empty()) {
      const ref::QuantizeParams params = ref::QuantizeParams::for_dtype(
          ref::parse_dtype(o->dtype, "--dtype"), scale, z, o->narrow_range);
      exact = ref::dequantize_exact(q, params);
      value = ref::dequantize(q, params);
    } else {
      exact = ref::dequantize_exact(q, scale, z);
      value = ref::dequantize(q, scale, z);
    }
    if (o->json) {
      out << nlohmann::json{{"value", ref::hex_float(value)}, {"exact", ref::to_string(exact)}}.dump()
          << "\n";
    } else {
      out << "value: " << binary32_text(value) << "\n"
          << "exact: " << rational_text(exact) << "\n";
    }
    return kExitOk;
  });
}

}  // namespace quantspec::cli
