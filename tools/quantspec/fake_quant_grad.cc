// quantspec fake-quant-grad: Q16.2 learnable scale and zero-point gradients of one element
// (LSQ exact, or PyTorch 1.13's CPU backward with or without its FMA builds).
#include <iostream>

#include "command.hpp"
#include "quantspec/reference/errors.hpp"
#include "quantspec/reference/fake_quant_grad.hpp"

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

}  // namespace

void register_fake_quant_grad(CLI::App& app, Registry& registry) {
  struct Options {
    std::string x, dy = "1", scale, zero_point = "0", dtype = "int8", variant = "exact",
                   grad_factor = "1";
    bool per_channel = false, fma = false, json = false;
  };
  auto o = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand(
      "fake-quant-grad",
      "Q16.2: the learnable fake-quantization gradients of one element: dL/dx and the\n"
      "element's terms of dL/dS and dL/dZ (the gradients of S and Z sum them over the\n"
      "elements). --variant exact (LSQ, rational) or pytorch (PyTorch 1.13 CPU backward:\n"
      "its per-tensor zero point trunc(clamp(Zf + 0.5)), Z added before rounding; --fma for\n"
      "its AVX2/AVX-512 builds).\n"
      "Output: {\"region\": below|inside|above, \"zero_point\": Z, \"grad_x\", \"grad_scale\",\n"
      "\"grad_zero_point\": exact rationals, ...}");
  cmd->add_option("--x", o->x, "the binary32 input")->required();
  cmd->add_option("--dy", o->dy, "the upstream gradient dL/dy, binary32 (default 1)");
  cmd->add_option("--scale", o->scale, "S, binary32, finite and > 0")->required();
  cmd->add_option("--zero-point", o->zero_point, "the learnable Zf, binary32 (default 0)");
  cmd->add_option("--dtype", o->dtype, names_of_dtypes() + " (default int8): the grid");
  cmd->add_option("--grad-factor", o->grad_factor, "binary32 factor of dS and dZ (default 1)");
  cmd->add_option("--variant", o->variant, "exact or pytorch (default exact)");
  cmd->add_flag("--per-channel", o->per_channel,
                "pytorch: the per-channel backward (zero point R(Zf), not trunc(Zf + 0.5))");
  cmd->add_flag("--fma", o->fma, "pytorch: the FMA contractions of PyTorch's AVX2/AVX-512 builds");
  add_json_flag(cmd, &o->json);

  registry.add(cmd, [o](std::ostream& out) {
    const ref::FakeQuantVariant variant = ref::parse_fake_quant_variant(o->variant, "--variant");
    if (variant == ref::FakeQuantVariant::tensorflow) {
      throw ref::ParameterError("--variant", "exact or pytorch (TensorFlow's min/max gradients "
                                             "are not specified yet)", o->variant);
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
