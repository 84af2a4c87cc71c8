// quantspec requantize: Q7 q = clamp(y + Zy, qmin, qmax), y the named variant's rounding of
// acc * M, with M given as a fixed-point pair, binary32 scales, an exact real or a binary32
// scale.
#include <iostream>
#include <vector>

#include "command.hpp"
#include "quantspec/reference/binary32_requantize.hpp"
#include "quantspec/reference/errors.hpp"
#include "quantspec/reference/requantize.hpp"

namespace quantspec::cli {
namespace {

// SPEC Q11.11: TVM's qnn.requantize with a float compute dtype takes its own operands
// (input/output scale and zero points, the compute dtype) and none of the Q7 variants' options.
bool is_tvm_float_member(const std::string& variant) {
  for (const auto r : ref::all_tvm_float_roundings()) {
    if (variant == ref::name(r)) return true;
  }
  return false;
}

void reject_options_of_the_other_kind(const CLI::App& cmd, bool tvm) {
  const std::vector<const char*> q7_only = {"--multiplier", "--shift", "--scales", "--real",
                                             "--scale", "--rounding", "--zero-point-entry",
                                             "--left-shift-overflow", "--derivation"};
  const std::vector<const char*> tvm_only = {"--input-scale", "--output-scale",
                                              "--input-zero-point", "--compute-dtype"};
  for (const char* option : tvm ? q7_only : tvm_only) {
    if (cmd.count(option) == 0) continue;
    throw ref::ParameterError(option,
                              tvm ? "not with a TVM float member (Q11.11 takes --input-scale, "
                                    "--output-scale, --input-zero-point, --compute-dtype)"
                                  : "only with a TVM float member (--variant tvm_fp_upward, "
                                    "tvm_fp_tonearest or tvm_fp_tonearest_nosse41)",
                              cmd.get_option(option)->as<std::string>());
  }
}

std::string tvm_member_names() {
  std::string names;
  for (const auto r : ref::all_tvm_float_roundings()) {
    names += (names.empty() ? "" : ", ") + std::string(ref::name(r));
  }
  return names;
}

bool is_q31(ref::RequantVariant v) {
  using V = ref::RequantVariant;
  return v == V::double_round || v == V::single_round || v == V::rndnu || v == V::rndna;
}

// The derivation a variant uses unless told otherwise (--help of the command).
ref::Derivation default_derivation(ref::RequantVariant v) {
  using V = ref::RequantVariant;
  return v == V::rndnu || v == V::rndna ? ref::Derivation::rndnu : ref::Derivation::tflite;
}

// Options that would do nothing in this combination are rejected rather than ignored: the
// user meant something by them that this run would not do.
void reject_options_without_effect(const CLI::App& cmd, ref::RequantVariant variant) {
  using V = ref::RequantVariant;
  auto given = [&](const char* option) { return cmd.count(option) > 0; };
  auto value = [&](const char* option) { return cmd.get_option(option)->as<std::string>(); };
  if (given("--rounding") && variant != V::ideal) {
    throw ref::ParameterError("--rounding", "only with --variant ideal (the rounding of " +
                                                std::string(ref::name(variant)) + " is fixed)",
                              value("--rounding"));
  }
  if (given("--left-shift-overflow") && variant != V::double_round) {
    throw ref::ParameterError("--left-shift-overflow", "only with --variant double_round",
                              value("--left-shift-overflow"));
  }
  if (given("--derivation")) {
    // A multiplier is derived from --scales or --real, and not for ideal (M exact), fp32 (the
    // binary32 scale) or rndnu/rndna from --scales (always XNNPACK's rndnu derivation).
    const bool derived = (given("--scales") || given("--real")) && variant != V::ideal &&
                         variant != V::fp32 &&
                         !(given("--scales") && (variant == V::rndnu || variant == V::rndna));
    if (!derived) {
      throw ref::ParameterError("--derivation",
                                "only where a multiplier is derived (--scales or --real with a "
                                "fixed-point variant; not rndnu/rndna with --scales)",
                                value("--derivation"));
    }
  }
}

struct RequantizeOptions {
  std::string acc, multiplier, shift, real, scale, zero_point = "0", dtype = "int8", qmin, qmax,
                                                      variant, rounding = "half_even",
                                                      entry = "after_rounding", derivation,
                                                      left_shift_overflow = "saturate",
                                                      input_scale, output_scale,
                                                      input_zero_point = "0", compute_dtype;
  std::vector<std::string> scales;
  bool json = false;
};

struct OutputOperands {
  std::int32_t zero_point, qmin, qmax;
};

// Zy, qmin, qmax: --qmin/--qmax lie on the dtype's grid (default int8), except that both given
// without --dtype describe a grid of their own (any int32 range).
OutputOperands output_operands(const CLI::App& cmd, const RequantizeOptions& o) {
  const ref::DType dtype = ref::parse_dtype(o.dtype, "--dtype");
  const ref::IntRange grid = ref::dtype_range(dtype);
  const std::int64_t lo32 = INT32_MIN, hi32 = INT32_MAX;
  const auto zy =
      static_cast<std::int32_t>(bounded_integer_option(o.zero_point, "--zero-point", lo32, hi32));
  const bool own_grid = !o.qmin.empty() && !o.qmax.empty() && cmd.count("--dtype") == 0;
  const std::int64_t lo = own_grid ? lo32 : grid.min, hi = own_grid ? hi32 : grid.max;
  auto bound = [&](const std::string& text, const std::string& option) {
    try {
      return static_cast<std::int32_t>(bounded_integer_option(text, option, lo, hi));
    } catch (const ref::ParameterError& e) {
      if (own_grid) throw;
      throw ref::ParameterError(option, "on the " + std::string(ref::name(dtype)) + " grid [" +
                                            std::to_string(lo) + ", " + std::to_string(hi) +
                                            "] (or give both --qmin and --qmax without --dtype)",
                                e.got());
    }
  };
  const auto qmin = static_cast<std::int32_t>(o.qmin.empty() ? grid.min : bound(o.qmin, "--qmin"));
  const auto qmax = static_cast<std::int32_t>(o.qmax.empty() ? grid.max : bound(o.qmax, "--qmax"));
  return {zy, qmin, qmax};
}

// SPEC Q11.11 through the exact definition requantize_tvm_float.
int run_tvm_float(const CLI::App& cmd, const RequantizeOptions& o, std::ostream& out) {
  if (o.input_scale.empty() || o.output_scale.empty() || o.compute_dtype.empty()) {
    throw ref::ParameterError(o.input_scale.empty()    ? "--input-scale"
                              : o.output_scale.empty() ? "--output-scale"
                                                       : "--compute-dtype",
                              "given with a TVM float member", "none");
  }
  const auto [zy, qmin, qmax] = output_operands(cmd, o);
  ref::TvmFloatRequantParams p;
  p.input_scale = binary32_option(o.input_scale, "--input-scale");
  p.output_scale = binary32_option(o.output_scale, "--output-scale");
  p.input_zero_point = static_cast<std::int32_t>(
      bounded_integer_option(o.input_zero_point, "--input-zero-point", INT32_MIN, INT32_MAX));
  p.output_zero_point = zy;
  p.qmin = qmin;
  p.qmax = qmax;
  p.dtype = ref::parse_tvm_compute_dtype(o.compute_dtype, "--compute-dtype");
  p.rounding = ref::parse_tvm_float_rounding(o.variant, "--variant");
  const ref::Integer acc = integer_option(o.acc, "--acc");
  const ref::Integer q = ref::requantize_tvm_float(acc, p);
  // M = fl64(Sin/Sout) as TVM computes it in double (informational).
  const double m = static_cast<double>(p.input_scale) / static_cast<double>(p.output_scale);
  if (o.json) {
    out << nlohmann::json{{"q", integer_json(q)},
                          {"variant", o.variant},
                          {"compute_dtype", std::string(ref::name(p.dtype))},
                          {"multiplier_binary64", ref::hex_float(m)}}
               .dump()
        << "\n";
  } else {
    out << "q: " << q.str() << "\n"
        << "variant: " << o.variant << " (TVM qnn.requantize, compute dtype "
        << ref::name(p.dtype) << ", Q11.11)\n"
        << "M = fl64(Sin/Sout): " << ref::hex_float(m) << "\n"
        << "clamp to [" << p.qmin << ", " << p.qmax << "]\n";
  }
  return kExitOk;
}
}  // namespace

void register_requantize(CLI::App& app, Registry& registry) {
  auto o = std::make_shared<RequantizeOptions>();
  CLI::App* cmd = app.add_subcommand(
      "requantize",
      "Q7: q = clamp(y + Zy, qmin, qmax), y = the variant's rounding of acc * M.\n"
      "Give M one way:\n"
      "  --multiplier m --shift s : the variant's own pair. double_round, single_round, rndnu,\n"
      "      rndna: M = m * 2^(s-31); tosa_single, tosa_double, tosa_scale16: M = m / 2^s;\n"
      "      ideal: M = m * 2^(s-31) exactly. (fp32 needs --scale or --scales.)\n"
      "  --scales SX SW SY : binary32 scales, derived the variant's way (Q7.8):\n"
      "      ideal: M = Sx*Sw/Sy exactly; fp32: scale = fl32(fl32(Sx*Sw)/Sy);\n"
      "      double_round, single_round: the tflite derivation (--derivation to change);\n"
      "      rndnu, rndna: rndnu derivation of fl32(fl32(Sx*Sw)/Sy) (XNNPACK);\n"
      "      tosa_single, tosa_double: TOSA scale32 pair, tosa_scale16: scale16 pair, of\n"
      "      M rounded per --derivation (default tflite = binary64, as the MLIR lowering).\n"
      "  --real M : an exact real (decimal, hex-float or p/q), derived as with --scales.\n"
      "  --scale S : fp32 only, the binary32 scale itself.\n"
      "Q11.11, TVM qnn.requantize with a float compute dtype: --variant tvm_fp_upward\n"
      "  (UPWARD), tvm_fp_tonearest (TONEAREST, SSE4.1 targets) or tvm_fp_tonearest_nosse41,\n"
      "  with --input-scale SIN --output-scale SOUT [--input-zero-point ZIN]\n"
      "  --compute-dtype float32|float64: t' = fl(fl(m * fl(acc - Zin)) + Zy),\n"
      "  m = fl(fl64(SIN/SOUT)), rounded by the member, then clamped.\n"
      "Output: {\"q\": q, ...}");
  cmd->add_option("--acc", o->acc, "the accumulator (any integer; int32 for fixed-point variants)")
      ->required();
  auto* m = cmd->add_option("--multiplier", o->multiplier, "fixed-point multiplier");
  auto* s = cmd->add_option("--shift", o->shift, "fixed-point shift");
  auto* sc = cmd->add_option("--scales", o->scales, "SX SW SY binary32 scales")->expected(3);
  auto* r = cmd->add_option("--real", o->real, "exact real multiplier M");
  auto* f = cmd->add_option("--scale", o->scale, "fp32: the binary32 scale");
  m->needs(s);
  s->needs(m);
  for (auto* a : {m, sc, r, f}) {
    for (auto* b : {m, sc, r, f}) {
      if (a != b) a->excludes(b);
    }
  }
  s->excludes(sc)->excludes(r)->excludes(f);
  cmd->add_option("--zero-point", o->zero_point, "Zy (default 0)");
  cmd->add_option("--dtype", o->dtype,
                  "output grid when --qmin/--qmax are not given: " + names_of_dtypes() +
                      " (default int8)");
  cmd->add_option("--qmin", o->qmin, "lowest output value (default: the dtype's)");
  cmd->add_option("--qmax", o->qmax, "highest output value (default: the dtype's)");
  cmd->add_option("--variant", o->variant, names_of_variants() + ", or " + tvm_member_names() +
                                               " (Q11.11)")
      ->required();
  auto* in_scale = cmd->add_option("--input-scale", o->input_scale,
                                   "TVM float members: input_scale (binary32, > 0)");
  auto* out_scale = cmd->add_option("--output-scale", o->output_scale,
                                    "TVM float members: output_scale (binary32, > 0)");
  cmd->add_option("--input-zero-point", o->input_zero_point,
                  "TVM float members: input_zero_point (int32, default 0)");
  cmd->add_option("--compute-dtype", o->compute_dtype,
                  "TVM float members: float32 or float64 (required with them)");
  for (auto* a : {m, sc, r, f}) {
    a->excludes(in_scale)->excludes(out_scale);
  }
  cmd->add_option("--rounding", o->rounding,
                  "ideal only: " + names_of_roundings() + " (default half_even)");
  cmd->add_option("--zero-point-entry", o->entry,
                  names_of_zero_point_entries() +
                      " (default after_rounding; before_rounding for ideal and fp32 only)");
  cmd->add_option("--left-shift-overflow", o->left_shift_overflow,
                  "double_round only (Q7.2 step 1): saturate (default, SPEC CHOICE) or wrap "
                  "(two's complement, as TFLite's int32 x * (1 << left_shift))");
  cmd->add_option("--derivation", o->derivation,
                  names_of_derivations() +
                      " (with --scales/--real; default tflite, rndnu for rndnu/rndna)");
  add_json_flag(cmd, &o->json);

  registry.add(cmd, [o, cmd](std::ostream& out) {
    using V = ref::RequantVariant;
    const bool tvm = is_tvm_float_member(o->variant);
    reject_options_of_the_other_kind(*cmd, tvm);
    if (tvm) return run_tvm_float(*cmd, *o, out);
    const V variant = ref::parse_requant_variant(o->variant, "--variant");
    const ref::Rounding rounding = ref::parse_rounding(o->rounding, "--rounding");
    const ref::ZeroPointEntry entry = ref::parse_zero_point_entry(o->entry, "--zero-point-entry");
    const ref::Derivation derivation = o->derivation.empty()
                                           ? default_derivation(variant)
                                           : ref::parse_derivation(o->derivation, "--derivation");
    reject_options_without_effect(*cmd, variant);
    const std::int64_t lo32 = INT32_MIN, hi32 = INT32_MAX;
    const auto [zy, qmin, qmax] = output_operands(*cmd, *o);
    const ref::Integer acc = integer_option(o->acc, "--acc");

    ref::RequantizeParams p;
    if (o->scales.size() == 3) {
      p = ref::requantize_params_from_scales(
          variant, binary32_option(o->scales[0], "--scales"),
          binary32_option(o->scales[1], "--scales"), binary32_option(o->scales[2], "--scales"),
          zy, qmin, qmax, derivation, rounding, entry);
    } else {
      p.variant = variant;
      p.rounding = rounding;
      p.zero_point_entry = entry;
      p.zero_point = zy;
      p.qmin = qmin;
      p.qmax = qmax;
      if (!o->multiplier.empty()) {
        const auto mult = static_cast<std::int32_t>(
            bounded_integer_option(o->multiplier, "--multiplier", lo32, hi32));
        const int shift = static_cast<int>(bounded_integer_option(o->shift, "--shift", -64, 64));
        if (variant == V::fp32) {
          throw ref::ParameterError("--multiplier", "--scale or --scales for variant fp32",
                                    "--multiplier/--shift");
        }
        if (variant == V::ideal) {
          p.real_multiplier = ref::real_value(ref::FixedPointMultiplier{mult, shift});
        } else {
          p.multiplier = mult;
          p.shift = shift;
        }
      } else if (!o->real.empty()) {
        const ref::Rational real = rational_option(o->real, "--real");
        if (real <= 0) throw ref::ParameterError("--real", "> 0", o->real);
        if (variant == V::ideal) {
          p.real_multiplier = real;
        } else if (variant == V::fp32) {
          p.scale = ref::round_to_binary32(real);
        } else if (is_q31(variant)) {
          const ref::FixedPointMultiplier fp = ref::derive_multiplier(real, derivation);
          p.multiplier = fp.multiplier;
          p.shift = fp.shift;
        } else {
          const ref::TosaMultiplier t = variant == V::tosa_scale16
                                            ? ref::derive_tosa16(real, derivation)
                                            : ref::derive_tosa32(real, derivation);
          p.multiplier = t.multiplier;
          p.shift = t.shift;
        }
      } else if (!o->scale.empty()) {
        if (variant != V::fp32) {
          throw ref::ParameterError("--scale", "only with --variant fp32", o->variant);
        }
        p.scale = binary32_option(o->scale, "--scale");
      } else {
        throw ref::ParameterError("--multiplier",
                                  "one of --multiplier/--shift, --scales, --real, --scale",
                                  "none");
      }
    }

    p.left_shift_overflow =
        ref::parse_left_shift_overflow(o->left_shift_overflow, "--left-shift-overflow");
    ref::RequantizeTrace t;
    const ref::Integer q = ref::requantize(acc, p, &t);
    if (o->json) {
      nlohmann::json j{{"q", integer_json(q)},
                       {"variant", std::string(ref::name(variant))},
                       {"zero_point_entry", std::string(ref::name(p.zero_point_entry))},
                       {"y", integer_json(t.scaled)},
                       {"y_plus_zero_point", integer_json(t.with_zero_point)},
                       {"clamped", t.clamped},
                       {"effective_multiplier", rational_json(ref::effective_multiplier(p))}};
      if (variant == V::ideal) {
        j["rounding"] = std::string(ref::name(p.rounding));
      } else if (variant == V::fp32) {
        j["scale"] = ref::hex_float(p.scale);
      } else {
        j["multiplier"] = p.multiplier;
        j["shift"] = p.shift;
      }
      if (variant == V::double_round) {
        j["left_shift_overflow"] = std::string(ref::name(p.left_shift_overflow));
        j["left_shift_saturated"] = t.left_shift_saturated;
        j["srdhm_saturated"] = t.srdhm_saturated;
      }
      j["result_saturated"] = t.result_saturated;
      out << j.dump() << "\n";
    } else {
      out << "q: " << q.str() << "\n"
          << "variant: " << ref::name(variant) << " (zero point " << ref::name(p.zero_point_entry)
          << ")\n";
      if (variant == V::ideal) {
        out << "M: " << rational_text(p.real_multiplier) << ", rounding "
            << ref::name(p.rounding) << "\n";
      } else if (variant == V::fp32) {
        out << "scale: " << binary32_text(p.scale) << "\n";
      } else {
        out << "multiplier: " << p.multiplier << ", shift: " << p.shift << " (M = "
            << rational_text(ref::effective_multiplier(p)) << ")\n";
      }
      out << "acc * M: " << rational_text(t.exact_product) << "\n"
          << "y: " << t.scaled.str() << (t.result_saturated ? " (saturated)" : "") << "\n"
          << "y + Zy: " << t.with_zero_point.str() << "\n"
          << "clamp to [" << p.qmin << ", " << p.qmax << "]" << (t.clamped ? ": clamped" : "")
          << "\n";
    }
    return kExitOk;
  });
}

}  // namespace quantspec::cli
