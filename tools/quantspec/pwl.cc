// quantspec pwl: Q13.4 the piecewise-linear replacement of a non-linear f on the 8-bit grid
// (N uniform chord segments, Q.F slope and intercept) and its error against Q12 `exact`.
#include <cstdlib>
#include <iostream>

#include "command.hpp"
#include "quantspec/reference/nonlinear.hpp"
#include "quantspec/reference/piecewise_linear.hpp"

namespace quantspec::cli {

void register_pwl(CLI::App& app, Registry& registry) {
  struct Options {
    std::string function, alpha = "1", input_scale, input_zero_point = "0", output_scale,
        output_zero_point = "0", dtype = "int8", segments = "8", fraction_bits = "16",
        rounding = "half_away";
    bool json = false;
  };
  auto o = std::make_shared<Options>();
  std::string functions;
  for (auto f : ref::all_nonlinear_functions()) {
    functions += (functions.empty() ? "" : ", ") + std::string(ref::name(f));
  }
  CLI::App* cmd = app.add_subcommand(
      "pwl",
      "Q13.4: fit N uniform chord segments to f on the 8-bit grid: breakpoints\n"
      "b_k = qmin + floor(256 k / N), knots R(2^F (f((b_k - Zi) Si)/So + Zo)) exact, slopes\n"
      "R((K_{k+1} - K_k)/(b_{k+1} - b_k)); out = clamp(R((K_k + m_k (q - b_k))/2^F)).\n"
      "Prints the segments, the outputs, and the error against Q12 exact (max |pwl - exact|\n"
      "in output codes, inputs that differ, and for tanh/logistic the Q13.4 bound).");
  cmd->add_option("--function", o->function, functions)->required();
  cmd->add_option("--alpha", o->alpha, "alpha of elu / leaky_relu (default 1)");
  cmd->add_option("--input-scale", o->input_scale, "Si, binary32 > 0")->required();
  cmd->add_option("--input-zero-point", o->input_zero_point, "Zi (default 0)");
  cmd->add_option("--output-scale", o->output_scale, "So, binary32 > 0")->required();
  cmd->add_option("--output-zero-point", o->output_zero_point, "Zo (default 0)");
  cmd->add_option("--dtype", o->dtype, "int8 (default) or uint8, input and output");
  cmd->add_option("--segments", o->segments, "N in [1, 256] (default 8)");
  cmd->add_option("--fraction-bits", o->fraction_bits, "F in [0, 24] (default 16)");
  cmd->add_option("--rounding", o->rounding,
                  names_of_roundings() + ": rounding of the evaluation (default half_away)");
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
    const int segments = static_cast<int>(bounded_integer_option(o->segments, "--segments", 1, 256));
    const int fraction_bits = static_cast<int>(bounded_integer_option(o->fraction_bits, "--fraction-bits", 0, 24));
    const ref::Rounding rounding = ref::parse_rounding(o->rounding, "--rounding");
    const ref::NonlinearFunction f = ref::parse_nonlinear_function(o->function, "--function");
    refuse_without_effect(*cmd, "--alpha", ref::uses_alpha(f), "only with --function elu or leaky_relu");
    const ref::PwlTable t = ref::fit_pwl(f, p, segments, fraction_bits, rounding);
    const ref::IntRange r = ref::dtype_range(p.dtype);
    std::vector<std::int32_t> outputs, exact;
    std::int32_t max_error = 0, worst_q = static_cast<std::int32_t>(r.min);
    int differing = 0;
    for (std::int64_t q = r.min; q <= r.max; ++q) {
      outputs.push_back(ref::pwl_evaluate(t, static_cast<std::int32_t>(q)));
      exact.push_back(ref::nonlinear_exact(f, static_cast<std::int32_t>(q), p).convert_to<std::int32_t>());
      const std::int32_t e = std::abs(outputs.back() - exact.back());
      if (e != 0) ++differing;
      if (e > max_error) {
        max_error = e;
        worst_q = static_cast<std::int32_t>(q);
      }
    }
    const bool has_bound = f == ref::NonlinearFunction::tanh || f == ref::NonlinearFunction::logistic;
    const std::int64_t bound = has_bound && rounding == ref::Rounding::half_away ? ref::pwl_error_bound(f, p, t) : -1;
    if (o->json) {
      nlohmann::json segs = nlohmann::json::array();
      for (std::size_t k = 0; k < t.segments.size(); ++k) {
        const std::int64_t end = k + 1 < t.segments.size() ? t.segments[k + 1].start - 1 : r.max;
        segs.push_back({{"start", t.segments[k].start}, {"end", end}, {"intercept", t.segments[k].intercept},
                        {"slope", t.segments[k].slope}});
      }
      nlohmann::json j{{"function", ref::name(f)}, {"segments", segs}, {"fraction_bits", fraction_bits},
                       {"qmin", r.min}, {"outputs", outputs}, {"exact", exact},
                       {"max_error", max_error}, {"worst_input", worst_q},
                       {"inputs_differing", differing}};
      j["bound"] = bound >= 0 ? nlohmann::json(bound) : nlohmann::json(nullptr);
      out << j.dump() << "\n";
    } else {
      out << ref::name(f) << ": " << t.segments.size() << " segments, F = " << fraction_bits
          << " (intercept and slope in units of 2^-" << fraction_bits << " output codes)\n";
      for (std::size_t k = 0; k < t.segments.size(); ++k) {
        const std::int64_t end = k + 1 < t.segments.size() ? t.segments[k + 1].start - 1 : r.max;
        out << "  q " << t.segments[k].start << ".." << end << ": y = " << t.segments[k].intercept
            << " + " << t.segments[k].slope << " * (q - " << t.segments[k].start << ")\n";
      }
      out << "outputs q = " << r.min << ".." << r.max << ":\n";
      for (std::size_t i = 0; i < outputs.size(); ++i) out << outputs[i] << ((i % 16 == 15) ? "\n" : " ");
      out << "against Q12 exact: " << differing << " of " << outputs.size() << " inputs differ, max error "
          << max_error << " (q = " << worst_q << ")";
      if (bound >= 0) out << ", Q13.4 bound " << bound;
      out << "\n";
    }
    return kExitOk;
  });
}

}  // namespace quantspec::cli
