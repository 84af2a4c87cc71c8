// quantspec dynamic-quantize: Q17 run-time quantization of a tensor given on the command line:
// ONNX DynamicQuantizeLinear (uint8, default), per-row symmetric int8 (--per-row N) or
// PyTorch's run-time activation parameters (--variant pytorch [--reduce-range], Q17.5).
#include <iostream>

#include "command.hpp"
#include "quantspec/reference/dynamic.hpp"
#include "quantspec/reference/dynamic_pytorch.hpp"
#include "quantspec/reference/errors.hpp"

namespace quantspec::cli {

void register_dynamic_quantize(CLI::App& app, Registry& registry) {
  struct Options {
    std::string x, per_row, scale_floor = "0x1p-126", variant = "onnx";
    bool json = false, reduce_range = false;
    CLI::Option* scale_floor_option = nullptr;  // to tell "given" from the default
  };
  auto o = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand(
      "dynamic-quantize",
      "Q17: quantize with parameters computed from the tensor itself.\n"
      "Default: ONNX DynamicQuantizeLinear (Q17.1): range widened to contain 0, binary32\n"
      "S = fl32(fl32(max - min) / 255), Z = half_even(clip(-fl32(min / S), 0, 255)), uint8.\n"
      "--per-row N: per-row symmetric int8 (Q17.2): S_r = max(fl32(amax_r / 127), floor).\n"
      "--variant pytorch: PyTorch's quantize_per_tensor_dynamic (Q17.5): binary64 scale\n"
      "fl64(fl64(max - min) / 255) (127 with --reduce-range), small-scale cut, zero point by\n"
      "the smaller error term, q = clamp(nearbyint(fl32(x * fl32(1 / fl32(S)))) + Z, 0, 255).\n"
      "Output: {\"scale\": hex, \"zero_point\": Z, \"q\": [...]} (per row: \"scales\": [...])");
  cmd->add_option("--x", o->x, "the binary32 tensor: v1,v2,... (decimal or hex-float)")
      ->required();
  cmd->add_option("--per-row", o->per_row, "number of rows N (row-major [N, size / N])");
  o->scale_floor_option = cmd->add_option(
      "--scale-floor", o->scale_floor, "per row: the smallest scale, binary32 > 0 (default 0x1p-126)");
  cmd->add_option("--variant", o->variant, "onnx (default) or pytorch");
  cmd->add_flag("--reduce-range", o->reduce_range,
                "pytorch: the 7-bit range of PyTorch's fbgemm/onednn engines");
  add_json_flag(cmd, &o->json);

  registry.add(cmd, [o](std::ostream& out) {
    const std::vector<float> x = binary32_list(o->x, "--x");
    nlohmann::json q = nlohmann::json::array();
    if (o->variant != "onnx" && o->variant != "pytorch") {
      throw ref::ParameterError("--variant", "onnx or pytorch", o->variant);
    }
    if (o->variant == "pytorch" && !o->per_row.empty()) {
      throw ref::ParameterError("--per-row", "given with --variant onnx only", "--variant pytorch");
    }
    if (o->scale_floor_option->count() > 0 && o->per_row.empty()) {
      throw ref::ParameterError("--scale-floor", "given with --per-row only", o->scale_floor);
    }
    if (o->reduce_range && o->variant != "pytorch") {
      throw ref::ParameterError("--reduce-range", "given with --variant pytorch only", o->variant);
    }
    if (o->variant == "pytorch") {
      const ref::PytorchDynamicQuantization d = ref::dynamic_quantize_pytorch(x, o->reduce_range);
      for (const ref::Integer& v : d.q) q.push_back(integer_json(v));
      const ref::PytorchDynamicParams& p = d.params;
      if (o->json) {
        out << nlohmann::json{{"scale", ref::hex_float(p.scale)},
                              {"scale_f32", ref::hex_float(p.scale_f32)},
                              {"zero_point", p.zero_point},
                              {"q", q},
                              {"qmin", p.qmin},
                              {"qmax", p.qmax},
                              {"scale_defaulted", p.scale_defaulted},
                              {"small_scale_cut", p.small_scale_cut}}
                   .dump()
            << "\n";
      } else {
        out << "range [" << binary32_text(p.min_adjusted) << ", " << binary32_text(p.max_adjusted)
            << "] on the grid [" << p.qmin << ", " << p.qmax << "]"
            << (p.small_scale_cut ? " (small-scale cut applied)" : "")
            << (p.scale_defaulted ? " (scale defaulted to 0.1)" : "") << "\n"
            << "scale (binary64): " << ref::hex_float(p.scale) << ", as binary32 "
            << binary32_text(p.scale_f32) << "\n"
            << "zero point: " << p.zero_point << "\n"
            << "q: [";
        for (std::size_t i = 0; i < d.q.size(); ++i) out << (i ? ", " : "") << d.q[i].str();
        out << "]\n";
      }
      return kExitOk;
    }
    if (!o->per_row.empty()) {
      const auto rows = static_cast<std::size_t>(
          bounded_integer_option(o->per_row, "--per-row", 1, INT32_MAX));
      const ref::RowDynamicQuantization r = ref::dynamic_quantize_per_row(
          x, rows, binary32_option(o->scale_floor, "--scale-floor"));
      nlohmann::json scales = nlohmann::json::array();
      for (float s : r.scales) scales.push_back(ref::hex_float(s));
      for (const ref::Integer& v : r.q) q.push_back(integer_json(v));
      if (o->json) {
        out << nlohmann::json{{"scales", scales}, {"zero_point", 0}, {"q", q}}.dump() << "\n";
      } else {
        const std::size_t cols = x.size() / rows;
        for (std::size_t i = 0; i < rows; ++i) {
          out << "row " << i << ": S " << binary32_text(r.scales[i]) << ", q [";
          for (std::size_t c = 0; c < cols; ++c) out << (c ? ", " : "") << r.q[i * cols + c].str();
          out << "]\n";
        }
      }
      return kExitOk;
    }
    const ref::OnnxDynamicQuantization d = ref::dynamic_quantize_onnx(x);
    for (const ref::Integer& v : d.q) q.push_back(integer_json(v));
    if (o->json) {
      out << nlohmann::json{{"scale", ref::hex_float(d.scale)},
                            {"zero_point", d.zero_point},
                            {"q", q},
                            {"min_adjusted", ref::hex_float(d.min_adjusted)},
                            {"max_adjusted", ref::hex_float(d.max_adjusted)},
                            {"range", ref::hex_float(d.range)},
                            {"min_scaled", ref::hex_float(d.min_scaled)},
                            {"degenerate", d.degenerate}}
                 .dump()
          << "\n";
    } else {
      out << "range [" << binary32_text(d.min_adjusted) << ", " << binary32_text(d.max_adjusted)
          << "] (widened to contain 0), fl32(max - min) = " << binary32_text(d.range) << "\n";
      if (d.degenerate) out << "all elements are 0: S = 1, Z = 0 (SPEC CHOICE, Q17.1)\n";
      out << "scale: " << binary32_text(d.scale) << "\n"
          << "zero point: " << d.zero_point << " (from -fl32(min / S) = "
          << binary32_text(-d.min_scaled) << ", half_even)\n"
          << "q: [";
      for (std::size_t i = 0; i < d.q.size(); ++i) out << (i ? ", " : "") << d.q[i].str();
      out << "]\n";
    }
    return kExitOk;
  });
}

}  // namespace quantspec::cli
