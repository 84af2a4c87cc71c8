// quantspec quantize: Q2 q = clamp(R(t) + Z, qmin, qmax) of one binary32 input.
#include <iostream>

#include "command.hpp"
#include "quantspec/reference/deployed_quantize.hpp"
#include "quantspec/reference/quantize.hpp"

namespace quantspec::cli {
namespace {

bool is_narrow_division(const std::string& division) {
  return division == ref::name(ref::NarrowFormat::binary16) ||
         division == ref::name(ref::NarrowFormat::bfloat16);
}

// SPEC Q11.12 (ONNX QuantizeLinear >= 21): the division in binary16 / bfloat16, through the exact
// definition quantize_narrow_divide.
int run_narrow_division(const ref::QuantizeParams& params, float x, const std::string& division,
                        bool json, std::ostream& out) {
  const ref::NarrowFormat format = ref::parse_narrow_format(division, "--division");
  const ref::Integer q = ref::quantize_narrow_divide(x, params, format);
  const char* p = format == ref::NarrowFormat::binary16 ? "binary16" : "bfloat16";
  if (json) {
    out << nlohmann::json{{"q", integer_json(q)}, {"division", division}, {"format", p}}.dump()
        << "\n";
  } else {
    out << "q: " << q.str() << "\n"
        << "x: " << binary32_text(x) << "\n"
        << "t = fl(fl(x) / fl(S)) in " << p << " (" << division << ", Q11.12), rounded "
        << ref::name(params.rounding) << ", + Z\n"
        << "grid: [" << params.qmin << ", " << params.qmax << "]\n";
  }
  return kExitOk;
}

}  // namespace

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
      "Q11.12 (ONNX QuantizeLinear >= 21): --division f16_divide or bf16_divide divides in\n"
      "binary16 / bfloat16: t = fl_P(fl_P(x) / fl_P(S)) (ONNX rounds half_even).\n"
      "Output: {\"q\": q}");
  cmd->add_option("--x", o->x, "the binary32 input: decimal, hex-float, inf, -inf or nan")
      ->required();
  cmd->add_option("--scale", o->scale, "S, binary32, finite and > 0")->required();
  cmd->add_option("--zero-point", o->zero_point, "Z in [qmin, qmax] (default 0)");
  cmd->add_option("--dtype", o->dtype, names_of_dtypes() + " (default int8)");
  cmd->add_flag("--narrow-range", o->narrow_range, "drop the lowest grid value");
  cmd->add_option("--rounding", o->rounding, names_of_roundings() + " (default half_even)");
  cmd->add_option("--division", o->division,
                  names_of_divisions() + ", f16_divide, bf16_divide (Q11.12) (default exact)");
  add_json_flag(cmd, &o->json);

  registry.add(cmd, [o](std::ostream& out) {
    const ref::QuantizeParams params = ref::QuantizeParams::for_dtype(
        ref::parse_dtype(o->dtype, "--dtype"), binary32_option(o->scale, "--scale"),
        bounded_integer_option(o->zero_point, "--zero-point", INT64_MIN / 2, INT64_MAX / 2),
        o->narrow_range, ref::parse_rounding(o->rounding, "--rounding"),
        is_narrow_division(o->division) ? ref::Division::f32_divide
                                        : ref::parse_division(o->division, "--division"));
    const float x = binary32_option(o->x, "--x");
    if (is_narrow_division(o->division)) return run_narrow_division(params, x, o->division, o->json, out);
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
