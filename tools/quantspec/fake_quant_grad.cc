// quantspec fake-quant-grad: Q16.2 learnable scale and zero-point gradients of one element
// (LSQ exact, or PyTorch 1.13's CPU backward with or without its FMA builds).
#include <iostream>

#include "command.hpp"
#include "quantspec/reference/errors.hpp"
#include "quantspec/reference/fake_quant_grad.hpp"
#include "quantspec/reference/fake_quant_tf_grad.hpp"

namespace quantspec::cli {
namespace {

const char* region_name(ref::GridRegion region) {
  switch (region) {
    case ref::GridRegion::below: return "below";
    case ref::GridRegion::inside: return "inside";
    case ref::GridRegion::above: return "above";
  }
  return "?";
}

struct TfGradOptions {
  std::string min, max, num_bits = "8", tf_op = "vars";
  bool narrow_range = false;
};

// Q16.3: TensorFlow's FakeQuantWithMinMaxVars[PerChannel]Gradient for one element.
int run_tensorflow(const TfGradOptions& o, float x, float dy, bool json, std::ostream& out) {
  if (o.min.empty()) throw ref::ParameterError("--min", "given with --variant tensorflow", "none");
  if (o.max.empty()) throw ref::ParameterError("--max", "given with --variant tensorflow", "none");
  ref::TfFakeQuantParams p;
  p.min = binary32_option(o.min, "--min");
  p.max = binary32_option(o.max, "--max");
  p.num_bits = static_cast<int>(bounded_integer_option(o.num_bits, "--num-bits", 2, 16));
  p.narrow_range = o.narrow_range;
  if (o.tf_op == "vars") {
    p.op = ref::TfFakeQuantOp::with_min_max_vars;
  } else if (o.tf_op == "per_channel") {
    p.op = ref::TfFakeQuantOp::with_min_max_vars_per_channel;
  } else {
    throw ref::ParameterError("--tf-op", "vars or per_channel (the Args op has no min/max "
                                         "gradient)", o.tf_op);
  }
  ref::TfNudged n;
  ref::TfMinMaxGradTerms t;
  try {
    n = ref::tf_nudge(p);
    t = ref::tensorflow_min_max_grad(x, dy, p);
  } catch (const ref::ParameterError& e) {
    const std::string parameter = e.parameter() == "num_bits" ? "--num-bits" : "--" + e.parameter();
    throw ref::ParameterError(parameter, e.requirement(), e.got());
  }
  const std::string region = t.unordered ? "unordered (x is NaN)" : region_name(t.region);
  if (json) {
    nlohmann::json j;
    j["variant"] = "tensorflow";
    j["region"] = t.unordered ? "unordered" : region_name(t.region);
    if (!n.all_zero) {
      j["nudged_min"] = ref::hex_float(n.nudged_min);
      j["nudged_max"] = ref::hex_float(n.nudged_max);
    }
    j["grad_x"] = ref::hex_float(t.dx);
    j["grad_min"] = ref::hex_float(t.d_min);
    j["grad_max"] = ref::hex_float(t.d_max);
    out << j.dump() << "\n";
    return kExitOk;
  }
  if (n.all_zero) {
    out << "min = max = 0: every gradient passes to x, dL/dmin = dL/dmax = 0\n";
  } else {
    out << "nudged range: [" << binary32_text(n.nudged_min) << ", "
        << binary32_text(n.nudged_max) << "] (both ends inclusive)\n"
        << "region: " << region << "\n";
  }
  out << "dL/dx: " << binary32_text(t.dx) << "\n"
      << "dL/dmin term: " << binary32_text(t.d_min) << "  (dy where x < nudged_min)\n"
      << "dL/dmax term: " << binary32_text(t.d_max) << "  (dy where x > nudged_max)\n";
  return kExitOk;
}

}  // namespace

void register_fake_quant_grad(CLI::App& app, Registry& registry) {
  struct Options {
    std::string x, dy = "1", scale, zero_point = "0", dtype = "int8", variant = "exact",
                   grad_factor = "1";
    bool per_channel = false, fma = false, json = false;
    TfGradOptions tf;
  };
  auto o = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand(
      "fake-quant-grad",
      "Q16.2: the learnable fake-quantization gradients of one element: dL/dx and the\n"
      "element's terms of dL/dS and dL/dZ (the gradients of S and Z sum them over the\n"
      "elements). --variant exact (LSQ, rational) or pytorch (PyTorch 1.13 CPU backward:\n"
      "its per-tensor zero point trunc(clamp(Zf + 0.5)), Z added before rounding; --fma for\n"
      "its AVX2/AVX-512 builds).\n"
      "--variant tensorflow (Q16.3: FakeQuantWithMinMaxVars[PerChannel]Gradient; --min, --max,\n"
      "--num-bits, --narrow-range, --tf-op vars|per_channel): dL/dx and the element's terms\n"
      "of dL/dmin (dy below the nudged min) and dL/dmax (dy above the nudged max).\n"
      "Output: {\"region\": below|inside|above, \"zero_point\": Z, \"grad_x\", \"grad_scale\",\n"
      "\"grad_zero_point\": exact rationals, ...}; tensorflow: {\"region\", \"nudged_min\",\n"
      "\"nudged_max\", \"grad_x\", \"grad_min\", \"grad_max\": hex floats}");
  cmd->add_option("--x", o->x, "the binary32 input")->required();
  cmd->add_option("--dy", o->dy, "the upstream gradient dL/dy, binary32 (default 1)");
  cmd->add_option("--scale", o->scale, "S, binary32, finite and > 0 (exact, pytorch)");
  cmd->add_option("--zero-point", o->zero_point, "the learnable Zf, binary32 (default 0)");
  cmd->add_option("--dtype", o->dtype, names_of_dtypes() + " (default int8): the grid");
  cmd->add_option("--grad-factor", o->grad_factor, "binary32 factor of dS and dZ (default 1)");
  cmd->add_option("--variant", o->variant, "exact, pytorch or tensorflow (default exact)");
  cmd->add_option("--min", o->tf.min, "tensorflow: the real range's min (binary32)");
  cmd->add_option("--max", o->tf.max, "tensorflow: the real range's max (binary32)");
  cmd->add_option("--num-bits", o->tf.num_bits, "tensorflow: in [2, 16] (default 8)");
  cmd->add_flag("--narrow-range", o->tf.narrow_range, "tensorflow: drop the lowest grid value");
  cmd->add_option("--tf-op", o->tf.tf_op, "tensorflow: vars (default) or per_channel");
  cmd->add_flag("--per-channel", o->per_channel,
                "pytorch: the per-channel backward (zero point R(Zf), not trunc(Zf + 0.5))");
  cmd->add_flag("--fma", o->fma, "pytorch: the FMA contractions of PyTorch's AVX2/AVX-512 builds");
  add_json_flag(cmd, &o->json);

  registry.add(cmd, [o](std::ostream& out) {
    const ref::FakeQuantVariant variant = ref::parse_fake_quant_variant(o->variant, "--variant");
    const bool tensorflow = variant == ref::FakeQuantVariant::tensorflow;
    if (tensorflow) {
      for (const auto& [given, option] :
           {std::pair{!o->scale.empty(), "--scale"}, std::pair{o->zero_point != "0", "--zero-point"},
            std::pair{o->dtype != "int8", "--dtype"}, std::pair{o->grad_factor != "1", "--grad-factor"},
            std::pair{o->per_channel, "--per-channel"}, std::pair{o->fma, "--fma"}}) {
        if (given) throw ref::ParameterError(option, "not given with --variant tensorflow", option);
      }
      return run_tensorflow(o->tf, binary32_option(o->x, "--x"), binary32_option(o->dy, "--dy"),
                            o->json, out);
    }
    if (o->scale.empty()) {
      throw ref::ParameterError("--scale", "given with --variant exact or pytorch", "none");
    }
    for (const auto& [given, option] :
         {std::pair{!o->tf.min.empty(), "--min"}, std::pair{!o->tf.max.empty(), "--max"},
          std::pair{o->tf.num_bits != "8", "--num-bits"}, std::pair{o->tf.narrow_range, "--narrow-range"},
          std::pair{o->tf.tf_op != "vars", "--tf-op"}}) {
      if (given) throw ref::ParameterError(option, "given with --variant tensorflow only", option);
    }
    if (variant == ref::FakeQuantVariant::exact && (o->per_channel || o->fma)) {
      throw ref::ParameterError(o->fma ? "--fma" : "--per-channel",
                                "given with --variant pytorch only", "--variant exact");
    }
    ref::LearnableGradParams p;
    const ref::DType type = ref::parse_dtype(o->dtype, "--dtype");
    const ref::IntRange grid = ref::dtype_range(type);
    p.qmin = grid.min;
    p.qmax = grid.max;
    p.scale = binary32_option(o->scale, "--scale");
    p.zero_point = binary32_option(o->zero_point, "--zero-point");
    p.grad_factor = binary32_option(o->grad_factor, "--grad-factor");
    p.per_channel = o->per_channel;
    p.fused_multiply_add = o->fma;
    const float x = binary32_option(o->x, "--x");
    const float dy = binary32_option(o->dy, "--dy");
    ref::LearnableGradTerms t;
    try {
      t = ref::learnable_fake_quant_grad(x, dy, p, variant);
    } catch (const ref::ParameterError& e) {
      // The reference names its own parameters; the user typed options.
      const std::string parameter = e.parameter() == "zero_point"    ? "--zero-point"
                                    : e.parameter() == "grad_factor" ? "--grad-factor"
                                                                     : "--" + e.parameter();
      throw ref::ParameterError(parameter, e.requirement(), e.got());
    }
    if (o->json) {
      nlohmann::json j;
      j["variant"] = std::string(ref::name(variant));
      j["region"] = region_name(t.region);
      j["zero_point"] = t.zero_point;
      j["grad_x"] = rational_json(t.dx);
      j["grad_scale"] = rational_json(t.d_scale);
      j["grad_zero_point"] = rational_json(t.d_zero_point);
      out << j.dump() << "\n";
    } else {
      out << "region: " << region_name(t.region) << " of [" << p.qmin << ", " << p.qmax
          << "], zero point used: " << t.zero_point << "\n"
          << "dL/dx: " << rational_text(t.dx) << "\n"
          << "dL/dS term: " << rational_text(t.d_scale) << "\n"
          << "dL/dZ term: " << rational_text(t.d_zero_point) << "\n";
    }
    return kExitOk;
  });
}

}  // namespace quantspec::cli
