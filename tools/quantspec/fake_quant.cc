// quantspec fake-quant: Q15 fake quantization of one binary32 input (exact, PyTorch 1.13 or
// TensorFlow), with the straight-through mask of Q16.1.
#include <cmath>
#include <iostream>

#include "command.hpp"
#include "quantspec/reference/errors.hpp"
#include "quantspec/reference/fake_quant.hpp"

namespace quantspec::cli {

void register_fake_quant(CLI::App& app, Registry& registry) {
  struct Options {
    std::string x, scale, zero_point = "0", dtype = "int8", variant = "exact", min, max,
                          num_bits = "8", tf_op = "vars";
    bool narrow_range = false, json = false;
  };
  auto o = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand(
      "fake-quant",
      "Q15: fake quantization fq(x) = (clamp(R(x/S) + Z, qmin, qmax) - Z) * S in float.\n"
      "--variant exact (rational, one rounding), pytorch (PyTorch 1.13 CPU, Q15.3: --scale,\n"
      "--zero-point, --dtype) or tensorflow (fake_quant_with_min_max_*, Q15.4: --min, --max,\n"
      "--num-bits, --narrow-range, --tf-op). Prints the output, the grid integer and the\n"
      "straight-through mask (Q16.1: dL/dx = mask * dL/dy).\n"
      "Output: {\"value\": hex-float, \"q\": q, \"mask\": bool, ...}");
  cmd->add_option("--x", o->x, "the binary32 input: decimal, hex-float, inf, -inf or nan")
      ->required();
  cmd->add_option("--scale", o->scale, "S, binary32, finite and > 0 (exact, pytorch)");
  cmd->add_option("--zero-point", o->zero_point, "Z in [qmin, qmax] (default 0)");
  cmd->add_option("--dtype", o->dtype, names_of_dtypes() + " (default int8; exact, pytorch)");
  cmd->add_flag("--narrow-range", o->narrow_range, "drop the lowest grid value");
  cmd->add_option("--variant", o->variant, "exact, pytorch or tensorflow (default exact)");
  cmd->add_option("--min", o->min, "tensorflow: the real range's min (binary32)");
  cmd->add_option("--max", o->max, "tensorflow: the real range's max (binary32)");
  cmd->add_option("--num-bits", o->num_bits, "tensorflow: in [2, 16] (default 8)");
  cmd->add_option("--tf-op", o->tf_op,
                  "tensorflow: args (x * inv_scale), vars (x / scale; default) or per_channel");
  add_json_flag(cmd, &o->json);

  registry.add(cmd, [o, cmd](std::ostream& out) {
    const ref::FakeQuantVariant variant = ref::parse_fake_quant_variant(o->variant, "--variant");
    const bool tf = variant == ref::FakeQuantVariant::tensorflow;
    for (const char* option : {"--scale", "--zero-point", "--dtype"}) {
      refuse_without_effect(*cmd, option, !tf, "only with --variant exact or pytorch (tensorflow takes --min, --max, --num-bits)");
    }
    for (const char* option : {"--min", "--max", "--num-bits", "--tf-op"}) {
      refuse_without_effect(*cmd, option, tf, "only with --variant tensorflow");
    }
    const float x = binary32_option(o->x, "--x");
    ref::FakeQuantResult r;
    nlohmann::json j;
    std::string detail;
    if (variant == ref::FakeQuantVariant::tensorflow) {
      if (o->min.empty()) throw ref::ParameterError("--min", "given with --variant tensorflow", "none");
      if (o->max.empty()) throw ref::ParameterError("--max", "given with --variant tensorflow", "none");
      ref::TfFakeQuantParams p;
      p.min = binary32_option(o->min, "--min");
      p.max = binary32_option(o->max, "--max");
      p.num_bits = static_cast<int>(bounded_integer_option(o->num_bits, "--num-bits", 2, 16));
      p.narrow_range = o->narrow_range;
      if (o->tf_op == "args") {
        p.op = ref::TfFakeQuantOp::with_min_max_args;
      } else if (o->tf_op == "vars") {
        p.op = ref::TfFakeQuantOp::with_min_max_vars;
      } else if (o->tf_op == "per_channel") {
        p.op = ref::TfFakeQuantOp::with_min_max_vars_per_channel;
      } else {
        throw ref::ParameterError("--tf-op", "one of args, vars, per_channel", o->tf_op);
      }
      const ref::TfNudged n = ref::tf_nudge(p);
      r = ref::fake_quantize_tensorflow(x, p);
      if (n.all_zero) {
        j["nudged"] = "min = max = 0: output 0";
        detail = "min = max = 0: the output is 0 and the gradient passes\n";
      } else {
        j["nudged"] = {{"scale", ref::hex_float(n.scale)},
                       {"inv_scale", ref::hex_float(n.inv_scale)},
                       {"zero_point_from_min", ref::hex_float(n.zero_point_from_min)},
                       {"nudged_zero_point", n.nudged_zero_point},
                       {"nudged_min", ref::hex_float(n.nudged_min)},
                       {"nudged_max", ref::hex_float(n.nudged_max)},
                       {"quant_zero", ref::hex_float(n.quant_zero)},
                       {"quant_min", n.quant_min},
                       {"quant_max", n.quant_max}};
        detail = "nudge: scale " + binary32_text(n.scale) + ", inv_scale " +
                 binary32_text(n.inv_scale) + ", zero point " +
                 std::to_string(n.nudged_zero_point) + ", nudged range [" +
                 binary32_text(n.nudged_min) + ", " + binary32_text(n.nudged_max) + "]\n";
      }
    } else {
      if (o->scale.empty()) {
        throw ref::ParameterError("--scale", "given with --variant exact or pytorch", "none");
      }
      ref::FakeQuantParams p = ref::FakeQuantParams::for_dtype(
          ref::parse_dtype(o->dtype, "--dtype"),
          binary32_option(o->scale, "--scale"),
          bounded_integer_option(o->zero_point, "--zero-point", INT64_MIN / 2, INT64_MAX / 2),
          o->narrow_range);
      r = ref::fake_quantize(x, p, variant);
      detail = "grid: [" + std::to_string(p.qmin) + ", " + std::to_string(p.qmax) + "], S " +
               binary32_text(p.scale) + ", Z " + std::to_string(p.zero_point) + "\n";
    }
    if (o->json) {
      j["value"] = ref::hex_float(r.value);
      j["q"] = integer_json(r.q);
      j["mask"] = r.mask;
      j["grad_x"] = r.mask ? 1 : 0;
      j["special"] = r.special;
      j["variant"] = std::string(ref::name(variant));
      if (variant == ref::FakeQuantVariant::exact && std::isfinite(r.value)) {
        j["exact_value"] = rational_json(r.exact_value);
      }
      out << j.dump() << "\n";
    } else {
      out << "fq(x): " << binary32_text(r.value) << "\n"
          << "x: " << binary32_text(x) << "\n"
          << "q: " << r.q.str() << (r.special ? " (special input)" : "") << "\n"
          << detail << "mask (straight-through, Q16.1): " << (r.mask ? "1" : "0")
          << "  dL/dx = " << (r.mask ? "dL/dy" : "0") << "\n";
    }
    return kExitOk;
  });
}

}  // namespace quantspec::cli
