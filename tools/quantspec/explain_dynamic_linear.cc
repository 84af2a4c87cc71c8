// `quantspec explain dynamic-linear`: PyTorch's dynamic quantized Linear (qnnpack engine) step
// by step: the run-time activation parameters (SPEC.md Q17.5), the dequantization scales, the
// int32 accumulators and the binary32 output (Q17.6), each value from the reference's trace
// (dynamic_linear_pytorch), plus the exact real-valued x.(Sw W)^T + B for comparison.
#include <iostream>
#include <sstream>

#include "command.hpp"
#include "quantspec/reference/dynamic_pytorch.hpp"
#include "quantspec/reference/errors.hpp"

namespace quantspec::cli {
namespace {

using ref::ParameterError;

struct DynamicLinearOptions {
  std::string x, x_shape, w, w_shape, w_scale, b;
  bool reduce_range = false, json = false;
};

// The reference names its own fields; the user typed options.
std::string option_of(const std::string& parameter) {
  if (parameter == "weight_scales") return "--w-scale";
  if (parameter == "bias") return "--b";
  if (parameter == "m" || parameter == "k") return "--x-shape";
  if (parameter == "n") return "--w-shape";
  if (parameter == "min" || parameter == "max") return "--x";
  return "--" + parameter;
}

ref::PytorchDynamicLinearInput parse(const DynamicLinearOptions& o) {
  if (o.x.empty()) throw ParameterError("--x", "the input values", "nothing");
  if (o.w.empty()) throw ParameterError("--w", "the int8 weights", "nothing");
  if (o.w_scale.empty()) throw ParameterError("--w-scale", "one weight scale or one per output", "nothing");
  ref::PytorchDynamicLinearInput in;
  in.x = binary32_list(o.x, "--x");
  for (const std::string& item : split_list(o.w, "--w")) {
    in.w.push_back(static_cast<std::int8_t>(bounded_integer_option(item, "--w", -128, 127)));
  }
  in.weight_scales = binary32_list(o.w_scale, "--w-scale");
  if (!o.b.empty()) in.bias = binary32_list(o.b, "--b");
  in.reduce_range = o.reduce_range;
  if (o.x_shape.empty()) {
    in.m = 1;
    in.k = in.x.size();
  } else {
    const auto shape = shape_option(o.x_shape, "--x-shape");
    if (shape.size() != 2) throw ParameterError("--x-shape", "MxK", o.x_shape);
    in.m = shape[0];
    in.k = shape[1];
  }
  if (o.w_shape.empty()) {
    if (in.k == 0 || in.w.size() % in.k != 0) {
      throw ParameterError("--w", "a multiple of K = " + std::to_string(in.k) + " values",
                           std::to_string(in.w.size()));
    }
    in.n = in.w.size() / in.k;
  } else {
    const auto shape = shape_option(o.w_shape, "--w-shape");
    if (shape.size() != 2) throw ParameterError("--w-shape", "NxK", o.w_shape);
    if (shape[1] != in.k) {
      throw ParameterError("--w-shape", "NxK with K = " + std::to_string(in.k) + " (from x)", o.w_shape);
    }
    in.n = shape[0];
  }
  if (in.m * in.n > 4096) {
    throw ParameterError("--x-shape", "at most 4096 outputs (M * N) to explain",
                         std::to_string(in.m) + " x " + std::to_string(in.n));
  }
  return in;
}

std::string decimal(const ref::Rational& value) {
  std::ostringstream text;
  text.precision(9);
  text << value.convert_to<double>();
  return text.str();
}

}  // namespace

void add_explain_dynamic_linear(CLI::App* explain, Registry& registry) {
  auto o = std::make_shared<DynamicLinearOptions>();
  CLI::App* cmd = explain->add_subcommand(
      "dynamic-linear",
      "PyTorch's dynamic quantized Linear, qnnpack engine (SPEC.md Q17.5, Q17.6):\n"
      "1 the run-time Sx, Zx of the whole x (ChooseQuantizationParams: binary64 scale, small-\n"
      "scale branch, zero point from min or max, nearbyint) and qx = clamp(nearbyint(fl32(x *\n"
      "fl32(1/fl32(Sx)))) + Zx, 0, 255); 2 D[n] = fl32(fl32(Sx) * Sw[n]); 3 int32\n"
      "Acc = sum_k (qx - Zx) W[n][k]; 4 out = fl32(fl32(fl32(Acc) * D[n]) + B[n]).\n"
      "W is int8 [out, in] row-major with zero point 0. Also prints the exact x.(Sw W)^T + B.\n"
      "Output (--json): {\"x_scale\", \"x_zero_point\", \"qx\", \"dequant_scales\", \"acc\",\n"
      "\"y\", \"real\", ...}");
  cmd->add_option("--x", o->x, "activations x, comma-separated binary32 (M x K row-major)");
  cmd->add_option("--x-shape", o->x_shape, "MxK (default 1xlen(x))");
  cmd->add_option("--w", o->w, "int8 weights, comma-separated, [N, K] row-major");
  cmd->add_option("--w-shape", o->w_shape, "NxK (default len(w)/K x K)");
  cmd->add_option("--w-scale", o->w_scale, "Sw: one binary32 scale or one per output channel");
  cmd->add_option("--b", o->b, "bias B, N binary32 values (default: no bias)");
  cmd->add_flag("--reduce-range", o->reduce_range,
                "pass reduce_range to step 1 (7-bit [0, 127]; qnnpack itself ignores it)");
  add_json_flag(cmd, &o->json);
  registry.add(cmd, [o](std::ostream& out) {
    const ref::PytorchDynamicLinearInput in = parse(*o);
    ref::PytorchDynamicLinear r;
    try {
      r = ref::dynamic_linear_pytorch(in);
    } catch (const ParameterError& e) {
      throw ParameterError(option_of(e.parameter()), e.requirement(), e.got());
    }
    const ref::PytorchDynamicParams& p = r.x.params;
    std::vector<ref::Rational> real(in.m * in.n);
    for (std::size_t i = 0; i < in.m; ++i) {
      for (std::size_t j = 0; j < in.n; ++j) {
        ref::Rational sum = in.bias.empty() ? ref::Rational(0) : ref::exact(in.bias[j]);
        const float sw = in.weight_scales[in.weight_scales.size() == 1 ? 0 : j];
        for (std::size_t c = 0; c < in.k; ++c) {
          sum += ref::exact(in.x[i * in.k + c]) * ref::Rational(in.w[j * in.k + c]) * ref::exact(sw);
        }
        real[i * in.n + j] = sum;
      }
    }
    if (o->json) {
      nlohmann::json j;
      j["x_min"] = ref::hex_float(p.x_min);
      j["x_max"] = ref::hex_float(p.x_max);
      j["scale_binary64"] = ref::hex_float(p.scale);
      j["x_scale"] = ref::hex_float(p.scale_f32);
      j["small_scale_branch"] = p.small_scale_cut;
      j["scale_defaulted"] = p.scale_defaulted;
      j["initial_zero_point"] = ref::hex_float(p.initial_zero_point);
      j["x_zero_point"] = p.zero_point;
      j["qx"] = nlohmann::json::array();
      for (const ref::Integer& q : r.x.q) j["qx"].push_back(integer_json(q));
      j["dequant_scales"] = nlohmann::json::array();
      for (float d : r.dequant_scales) j["dequant_scales"].push_back(ref::hex_float(d));
      j["acc"] = nlohmann::json::array();
      for (std::int32_t a : r.acc_int32) j["acc"].push_back(a);
      j["y"] = nlohmann::json::array();
      for (float v : r.out) j["y"].push_back(ref::hex_float(v));
      j["real"] = nlohmann::json::array();
      for (const ref::Rational& v : real) j["real"].push_back(rational_json(v));
      out << j.dump() << "\n";
      return kExitOk;
    }
    out << "dynamic Linear (PyTorch qnnpack): x " << in.m << "x" << in.k << ", W " << in.n << "x"
        << in.k << (in.weight_scales.size() == 1 ? ", per-tensor Sw" : ", per-channel Sw")
        << (in.bias.empty() ? ", no bias" : ", bias") << "\n"
        << "step 1 (Q17.5) run-time activation parameters over all of x:\n"
        << "  min(x) = " << binary32_text(p.x_min) << ", max(x) = " << binary32_text(p.x_max)
        << "; grid [" << p.qmin << ", " << p.qmax << "]\n"
        << "  range widened to contain 0: [" << binary32_text(p.min_adjusted) << ", "
        << binary32_text(p.max_adjusted) << "]" << (p.small_scale_cut ? " (after the small-scale cut)" : "")
        << "\n"
        << "  S = fl64(fl64(max - min) / " << (p.qmax - p.qmin) << ") = " << ref::hex_float(p.scale_initial);
    if (p.scale_defaulted) out << " -> defaulted to 0.1 (fl32(S) = 0 or 1/fl32(S) = inf)";
    if (p.small_scale_cut) out << " < fl32(6.1e-5): S = 6.1e-5f, range rescaled (step 5)";
    out << "\n  Sx = fl32(S) = " << binary32_text(p.scale_f32) << "\n"
        << "  zero point from min " << ref::hex_float(p.zero_point_from_min) << " (error "
        << ref::hex_float(p.zero_point_from_min_error) << "), from max "
        << ref::hex_float(p.zero_point_from_max) << " (error "
        << ref::hex_float(p.zero_point_from_max_error) << ")\n"
        << "  Z0 = " << ref::hex_float(p.initial_zero_point) << " -> Zx = " << p.zero_point
        << " (clamped, else nearbyint half to even)\n"
        << "  qx = clamp(nearbyint(fl32(x * fl32(1/Sx))) + Zx, 0, 255):";
    for (const ref::Integer& q : r.x.q) out << " " << q.str();
    out << "\nstep 2 (Q17.6) D[n] = fl32(fl32(Sx) * Sw[n]):";
    for (float d : r.dequant_scales) out << " " << binary32_text(d);
    out << "\nstep 3 int32 Acc[m][n] = sum_k (qx - Zx) W[n][k], then steps 4 and the exact value:\n";
    for (std::size_t i = 0; i < in.m; ++i) {
      for (std::size_t j = 0; j < in.n; ++j) {
        const std::size_t e = i * in.n + j;
        out << "  [" << i << "][" << j << "] Acc " << r.acc_int32[e] << ", fl32(Acc) "
            << binary32_text(r.acc_f32[e]) << ", * D " << binary32_text(r.product[e]);
        if (!in.bias.empty()) out << ", + B " << binary32_text(r.out[e]);
        out << "  (real " << decimal(real[e]) << ")\n";
      }
    }
    out << "y:";
    for (float v : r.out) out << " " << binary32_text(v);
    out << "\n";
    return kExitOk;
  });
}

}  // namespace quantspec::cli
