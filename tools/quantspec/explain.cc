// quantspec explain linear | conv2d: the study note's five steps (SPEC.md §Q9) for a small
// layer given on the command line or in a JSON file (format in tools/README.md), printing every
// intermediate and the float result the integers approximate.
#include <algorithm>
#include <array>
#include <cstdint>
#include <fstream>
#include <initializer_list>
#include <iostream>
#include <map>
#include <optional>
#include <sstream>

#include "command.hpp"
#include "explain_calibrate.hpp"
#include "qat_example.hpp"
#include "quantspec/reference/errors.hpp"
#include "quantspec/reference/linear.hpp"
#include "quantspec/reference/nonlinear.hpp"
#include "quantspec/reference/piecewise_linear.hpp"

namespace quantspec::cli {
namespace {

using ref::Integer;
using ref::ParameterError;
using ref::Rational;

// Every option of the layer as text, so the command line and the JSON file fill the same
// fields (file key = option name without "--", dashes as underscores).
struct LayerOptions {
  std::string file;
  std::map<std::string, std::string> text;  // key -> value
  std::map<std::string, bool> flags;
  bool json = false;
};

struct TextOption {
  const char* key;
  const char* help;
};

const TextOption kTextOptions[] = {
    {"x", "input values x, comma-separated (decimal or hex-float)"},
    {"x-shape", "linear: BATCHxIN (default 1xN); conv2d: NxHxWxC"},
    {"w", "weights, comma-separated; linear: [out, in] row-major; conv2d: OHWI"},
    {"w-shape", "linear: OUTxIN (default: len(w)/IN x IN); conv2d: OxKHxKWxI"},
    {"b", "bias B, one per output channel (default none)"},
    {"x-range", "MIN,MAX of x for Q1 (default: min/max of the x data)"},
    {"w-range", "MIN,MAX of W: one per-tensor range (default: per channel from the data)"},
    {"y-range", "MIN,MAX of y (default: min/max of the real-valued output x.W + B)"},
    {"x-scale", "explicit Sx (overrides --x-range)"},
    {"x-zero-point", "explicit Zx (with --x-scale; default 0)"},
    {"w-scale", "explicit Sw, one value or one per output channel"},
    {"w-zero-point", "explicit Zw, as many as --w-scale (default 0)"},
    {"y-scale", "explicit Sy"},
    {"y-zero-point", "explicit Zy (with --y-scale; default 0)"},
    {"x-dtype", "grid of x (default int8)"},
    {"w-dtype", "grid of W (default int8)"},
    {"y-dtype", "grid of y (default int8)"},
    {"variant", "requantization variant of step 3 (default double_round)"},
    {"derivation", "multiplier derivation of step 3 (default tflite; rndnu/rndna use rndnu)"},
    {"rounding", "variant ideal: its rounding rule (default half_even)"},
    {"zero-point-entry", "after_rounding (default) | before_rounding (ideal, fp32)"},
    {"input-rounding", "step 1 rounding of x (default half_even)"},
    {"input-division", "step 1 division of x: exact (default) | f32_divide | f32_reciprocal"},
    {"weight-rounding", "step 1 rounding of W (default half_even)"},
    {"bias-rounding", "step 2 rounding of B / (Sx*Sw) (default half_away, TFLite)"},
    {"activation", "step 4: none (default) | relu | relu6 | relu_n1_to_1"},
    {"activation-min", "step 4: real lower bound a of a fused clamp [a, b]"},
    {"activation-max", "step 4: real upper bound b of a fused clamp [a, b]"},
    {"stride", "conv2d: S or SH,SW (default 1)"},
    {"padding", "conv2d: P, PH,PW or TOP,BOTTOM,LEFT,RIGHT (default 0)"},
    {"dilation", "conv2d: D or DH,DW (default 1)"},
    {"then", "step 5: a non-linear f on the quantized output (Q12: tanh, logistic, gelu, ...)"},
    {"method", "step 5: float (default; dequantize -> f -> quantize, Q12.2) | lut (256-entry "
               "table, Q12.4) | pwl (N uniform chord segments, Q13.4)"},
    {"segments", "step 5, --method pwl: N in [1, 256] (default 8)"},
    {"then-scale", "step 5: So, the output scale of f (required with --then)"},
    {"then-zero-point", "step 5: Zo (default 0)"},
    {"alpha", "step 5: alpha of elu / leaky_relu (default 0)"},
    {"lut-variant", "step 5, --method lut: exact (default) | tflite | xnnpack"},
};

const TextOption kFlagOptions[] = {
    {"x-symmetric", "x symmetric (Z = 0)"},
    {"w-per-tensor", "one weight scale for the tensor (default: per output channel)"},
    {"w-asymmetric", "W asymmetric (default: symmetric, Z = 0)"},
    {"w-full-range", "W on the full grid (default: narrow range, int8 [-127, 127])"},
    {"y-symmetric", "y symmetric (Z = 0)"},
};

std::string underscored(std::string key) {
  for (char& c : key) c = c == '-' ? '_' : c;
  return key;
}

// Fills the options the command line did not give from the JSON file.
void merge_file(LayerOptions& o, CLI::App* cmd) {
  const nlohmann::json doc = read_json_file_option(o.file, "--file");
  if (!doc.is_object()) throw ParameterError("--file", "a JSON object", o.file);
  for (const auto& [key, value] : doc.items()) {
    std::string option;
    for (const TextOption& t : kTextOptions) {
      if (underscored(t.key) == key) option = t.key;
    }
    bool is_flag = false;
    for (const TextOption& t : kFlagOptions) {
      if (underscored(t.key) == key) {
        option = t.key;
        is_flag = true;
      }
    }
    // A key of the other layer command (conv2d's "padding" in a linear file) is unknown here:
    // cmd->count() would throw CLI::OptionNotFound (exit 3; found by fuzz_explain_file).
    if (option.empty() || cmd->get_option_no_throw("--" + option) == nullptr) {
      throw ParameterError("--file", "known keys only (tools/README.md)", key);
    }
    if (cmd->count("--" + option) > 0) continue;  // the command line wins
    const std::string where = "--file: " + key;
    if (is_flag) {
      if (!value.is_boolean()) throw ParameterError(where, "true or false", json_excerpt(value));
      o.flags[option] = value.get<bool>();
      continue;
    }
    // Numbers are best written as strings (decimal or hex-float): a JSON number is read as a
    // binary64 first. Lists become "a,b,c"; shapes may also be [2, 3].
    auto item_text = [&](const nlohmann::json& v) -> std::string {
      if (v.is_string()) return v.get<std::string>();
      if (v.is_number()) return v.dump();
      throw ParameterError(where, "strings or numbers", json_excerpt(v));
    };
    std::string text;
    if (value.is_array()) {
      const bool shape = key == "x_shape" || key == "w_shape";
      for (const auto& v : value) text += (text.empty() ? "" : (shape ? "x" : ",")) + item_text(v);
    } else {
      text = item_text(value);
    }
    o.text[option] = text;
  }
}

std::string get(const LayerOptions& o, const std::string& key, const std::string& fallback = "") {
  auto it = o.text.find(key);
  return it == o.text.end() || it->second.empty() ? fallback : it->second;
}
bool flag(const LayerOptions& o, const std::string& key) {
  auto it = o.flags.find(key);
  return it != o.flags.end() && it->second;
}

std::vector<float> floats(const LayerOptions& o, const std::string& key) {
  std::vector<float> values;
  for (const std::string& item : split_list(get(o, key), "--" + key)) {
    values.push_back(binary32_option(item, "--" + key));
  }
  return values;
}

std::optional<ref::MinMax> range(const LayerOptions& o, const std::string& key) {
  if (get(o, key).empty()) return std::nullopt;
  std::vector<float> v = floats(o, key);
  if (v.size() != 2) throw ParameterError("--" + key, "MIN,MAX", get(o, key));
  return ref::MinMax{v[0], v[1]};
}

// "S" / "SH,SW" / "T,B,L,R" -> count values, each in [lo, hi].
std::vector<std::int64_t> integers(const LayerOptions& o, const std::string& key,
                                   std::int64_t fallback, std::int64_t lo, std::int64_t hi) {
  std::vector<std::int64_t> values;
  for (const std::string& item : split_list(get(o, key), "--" + key)) {
    values.push_back(bounded_integer_option(item, "--" + key, lo, hi));
  }
  if (values.empty()) values.push_back(fallback);
  return values;
}

// An explicit quantization (--x-scale ...) for one tensor, or nullopt.
std::optional<ref::TensorQuantization> explicit_quantization(const LayerOptions& o,
                                                             const std::string& tensor,
                                                             ref::DType dtype, bool narrow) {
  const std::string scale_key = tensor + "-scale", zero_key = tensor + "-zero-point";
  if (get(o, scale_key).empty()) {
    if (!get(o, zero_key).empty()) {
      throw ParameterError("--" + zero_key, "given together with --" + scale_key, get(o, zero_key));
    }
    return std::nullopt;
  }
  ref::TensorQuantization t;
  t.dtype = dtype;
  t.narrow_range = narrow;
  t.scales = floats(o, scale_key);
  for (const std::string& item : split_list(get(o, zero_key), "--" + zero_key)) {
    t.zero_points.push_back(bounded_integer_option(item, "--" + zero_key, INT32_MIN, INT32_MAX));
  }
  if (t.zero_points.empty()) t.zero_points.assign(t.scales.size(), 0);
  return t;
}

ref::LinearPipeline pipeline_from(const LayerOptions& o) {
  ref::LinearPipeline p;
  p.variant = ref::parse_requant_variant(get(o, "variant", "double_round"), "--variant");
  const bool rndnu_family =
      p.variant == ref::RequantVariant::rndnu || p.variant == ref::RequantVariant::rndna;
  p.derivation =
      ref::parse_derivation(get(o, "derivation", rndnu_family ? "rndnu" : "tflite"), "--derivation");
  p.ideal_rounding = ref::parse_rounding(get(o, "rounding", "half_even"), "--rounding");
  p.zero_point_entry =
      ref::parse_zero_point_entry(get(o, "zero-point-entry", "after_rounding"), "--zero-point-entry");
  p.input_rounding = ref::parse_rounding(get(o, "input-rounding", "half_even"), "--input-rounding");
  p.input_division = ref::parse_division(get(o, "input-division", "exact"), "--input-division");
  p.weight_rounding =
      ref::parse_rounding(get(o, "weight-rounding", "half_even"), "--weight-rounding");
  p.bias_rounding = ref::parse_rounding(get(o, "bias-rounding", "half_away"), "--bias-rounding");
  p.activation = ref::parse_activation(get(o, "activation", "none"), "--activation");
  if (!get(o, "activation-min").empty()) {
    p.activation_min = binary32_option(get(o, "activation-min"), "--activation-min");
  }
  if (!get(o, "activation-max").empty()) {
    p.activation_max = binary32_option(get(o, "activation-max"), "--activation-max");
  }
  return p;
}

// Where each tensor's (S, Z) came from, for the step 0 text.
struct Sources {
  std::string x, w, y;
};

std::string range_text(const std::optional<ref::MinMax>& r) {
  if (!r) return "";
  return "[" + ref::hex_float(r->min) + ", " + ref::hex_float(r->max) + "]";
}

// Step 0: calibrate with Q1 (ranges given or taken from the data), then apply any explicit
// scales and zero points.
template <typename Data, typename Calibrate>
ref::LinearQuantization step0(const LayerOptions& o, const Data& data, Calibrate calibrate,
                              Sources* sources) {
  ref::CalibrationOptions c;
  c.input_dtype = ref::parse_dtype(get(o, "x-dtype", "int8"), "--x-dtype");
  c.weight_dtype = ref::parse_dtype(get(o, "w-dtype", "int8"), "--w-dtype");
  c.output_dtype = ref::parse_dtype(get(o, "y-dtype", "int8"), "--y-dtype");
  c.input_symmetric = flag(o, "x-symmetric");
  c.output_symmetric = flag(o, "y-symmetric");
  c.weight_symmetric = !flag(o, "w-asymmetric");
  c.weight_narrow_range = !flag(o, "w-full-range");
  c.weight_per_channel = !flag(o, "w-per-tensor");
  c.input_range = range(o, "x-range");
  c.output_range = range(o, "y-range");
  const auto w_range = range(o, "w-range");
  ref::LinearQuantization q = calibrate(data, c, pipeline_from(o));
  sources->x = c.input_range ? "Q1 from --x-range " + range_text(c.input_range)
                             : "Q1 from the range of the x data";
  sources->y = c.output_range ? "Q1 from --y-range " + range_text(c.output_range)
                              : "Q1 from the range of the real output x.W + B";
  const std::string w_kind = std::string(c.weight_symmetric ? "symmetric" : "asymmetric") +
                             (c.weight_narrow_range ? ", narrow range" : "");
  if (w_range) {
    q.weights = ref::calibrate_tensor(w_range->min, w_range->max, c.weight_dtype,
                                      c.weight_symmetric, c.weight_narrow_range);
    sources->w = "Q1 per tensor from --w-range " + range_text(w_range) + " (" + w_kind + ")";
  } else {
    sources->w = std::string("Q1 ") + (c.weight_per_channel ? "per output channel" : "per tensor") +
                 " from the W data (" + w_kind + ")";
  }
  if (auto t = explicit_quantization(o, "x", c.input_dtype, false)) {
    q.input = *t;
    sources->x = "given";
  }
  if (auto t = explicit_quantization(o, "w", c.weight_dtype, c.weight_narrow_range)) {
    q.weights = *t;
    sources->w = "given";
  }
  if (auto t = explicit_quantization(o, "y", c.output_dtype, false)) {
    q.output = *t;
    sources->y = "given";
  }
  return q;
}

nlohmann::json tensor_json(const ref::TensorQuantization& t, const std::string& source) {
  nlohmann::json scales = nlohmann::json::array();
  for (float s : t.scales) scales.push_back(ref::hex_float(s));
  const ref::IntRange grid = ref::dtype_range(t.dtype, t.narrow_range);
  return {{"dtype", std::string(ref::name(t.dtype))},
          {"narrow_range", t.narrow_range},
          {"qmin", grid.min},
          {"qmax", grid.max},
          {"scale", scales},
          {"zero_point", t.zero_points},
          {"source", source}};
}

nlohmann::json integers_json(const std::vector<Integer>& values) {
  nlohmann::json a = nlohmann::json::array();
  for (const Integer& v : values) a.push_back(integer_json(v));
  return a;
}

std::string shape_text(const std::vector<std::size_t>& shape) {
  std::string text;
  for (std::size_t d : shape) text += (text.empty() ? "" : "x") + std::to_string(d);
  return text;
}

std::string list_text(const std::vector<Integer>& values) {
  std::string text;
  for (const Integer& v : values) text += (text.empty() ? "" : ", ") + v.str();
  return "[" + text + "]";
}

// The index of an output element as text: [m][n] or [b][h][w][c].
std::string index_text(std::size_t flat, const std::vector<std::size_t>& shape) {
  std::vector<std::size_t> index(shape.size());
  for (std::size_t d = shape.size(); d-- > 0;) {
    index[d] = shape[d] == 0 ? 0 : flat % shape[d];
    flat = shape[d] == 0 ? 0 : flat / shape[d];
  }
  std::string text;
  for (std::size_t i : index) text += "[" + std::to_string(i) + "]";
  return text;
}

std::string multiplier_text(const ref::RequantizeParams& p) {
  switch (p.variant) {
    case ref::RequantVariant::ideal:
      return "exact";
    case ref::RequantVariant::fp32:
      return "binary32 scale " + binary32_text(p.scale);
    case ref::RequantVariant::tosa_single:
    case ref::RequantVariant::tosa_double:
    case ref::RequantVariant::tosa_scale16:
      return "multiplier " + std::to_string(p.multiplier) + ", shift " + std::to_string(p.shift) +
             " (M' = multiplier / 2^shift = " + rational_text(ref::effective_multiplier(p)) + ")";
    default:
      return "multiplier " + std::to_string(p.multiplier) + ", shift " + std::to_string(p.shift) +
             " (M' = multiplier * 2^(shift-31) = " + rational_text(ref::effective_multiplier(p)) +
             ")";
  }
}

// Step 5 (the note's non-linear layer after the linear one, SPEC.md Q12): f applied to the
// layer's quantized output y_q, on y's grid, with the intermediates each method computes.
struct ThenStep {
  nlohmann::json json;
  std::string text;
};

std::optional<ThenStep> then_step(const LayerOptions& o, const ref::LinearTrace& t) {
  if (get(o, "then").empty()) {
    for (const char* key : {"method", "then-scale", "then-zero-point", "alpha", "lut-variant", "segments"}) {
      if (!get(o, key).empty()) throw ParameterError(std::string("--") + key, "used with --then", get(o, key));
    }
    return std::nullopt;
  }
  const ref::NonlinearFunction f = ref::parse_nonlinear_function(get(o, "then"), "--then");
  const std::string method = get(o, "method", "float");
  if (method != "float" && method != "lut" && method != "pwl") {
    throw ParameterError("--method", "float, lut or pwl", method);
  }
  if (method != "pwl" && !get(o, "segments").empty()) {
    throw ParameterError("--segments", "used with --method pwl", get(o, "segments"));
  }
  if (get(o, "then-scale").empty()) throw ParameterError("--then-scale", "given with --then", "nothing");
  const ref::TensorQuantization& y = t.quantization.output;
  ref::LutParams p;
  p.dtype = y.dtype;
  p.input_scale = y.scales.at(0);
  p.input_zero_point = static_cast<std::int32_t>(y.zero_points.at(0));
  p.output_scale = binary32_option(get(o, "then-scale"), "--then-scale");
  p.output_zero_point = static_cast<std::int32_t>(
      bounded_integer_option(get(o, "then-zero-point", "0"), "--then-zero-point", -(1 << 16), 1 << 16));
  p.alpha = binary32_option(get(o, "alpha", "0"), "--alpha");
  const ref::LutVariant variant = ref::parse_lut_variant(get(o, "lut-variant", "exact"), "--lut-variant");
  if (method == "float" && !get(o, "lut-variant").empty()) {
    throw ParameterError("--lut-variant", "used with --method lut", get(o, "lut-variant"));
  }
  std::array<std::int32_t, 256> table{};
  if (method == "lut") table = ref::build_lut(f, p, variant);
  ref::PwlTable pwl;
  std::optional<std::int64_t> pwl_bound;
  if (method == "pwl") {
    const int segments = static_cast<int>(bounded_integer_option(get(o, "segments", "8"), "--segments", 1, 256));
    pwl = ref::fit_pwl(f, p, segments);
    try {
      pwl_bound = ref::pwl_error_bound(f, p, pwl);  // proven for tanh and logistic only
    } catch (const ParameterError&) {
    }
  }
  ThenStep step;
  std::ostringstream text;
  text << "\nStep 5  then " << ref::name(f) << " (Q12), method " << method;
  if (method == "lut") {
    text << " (" << ref::name(variant) << " table, indexed by the byte (uint8)q)";
  } else if (method == "pwl") {
    text << " (Q13.4: " << pwl.segments.size() << " uniform chord segments, slope and intercept in units of 2^-"
         << pwl.fraction_bits << " output codes, R half away";
    if (pwl_bound) text << "; proven |pwl - exact| <= " << *pwl_bound;
    text << ")";
  } else {
    text << " (dequantize, f in real arithmetic, quantize: R half away)";
  }
  text << "; input grid Sy = " << binary32_text(p.input_scale) << ", Zy = " << p.input_zero_point
       << "; output So = " << binary32_text(p.output_scale) << ", Zo = " << p.output_zero_point << "\n";
  nlohmann::json outputs = nlohmann::json::array(), q_out = nlohmann::json::array();
  for (const ref::OutputTrace& out : t.outputs) {
    const std::int32_t q = out.q.convert_to<std::int32_t>();
    const Rational x = Rational(q - p.input_zero_point) * ref::exact(p.input_scale);
    nlohmann::json row{{"index", out.index}, {"q_in", q}, {"x", rational_json(x)}};
    Integer result;
    text << "  " << index_text(out.index, t.output_shape) << ": q = " << q;
    if (method == "lut") {
      const std::uint8_t byte = static_cast<std::uint8_t>(q);
      result = table[byte];
      row["table_index"] = byte;
      text << " -> table[" << static_cast<int>(byte) << "] = " << result.str() << "\n";
    } else if (method == "pwl") {
      std::size_t k = 0;  // the segment holding q: the last start <= q
      while (k + 1 < pwl.segments.size() && pwl.segments[k + 1].start <= q) ++k;
      const ref::PwlSegment& seg = pwl.segments[k];
      result = ref::pwl_evaluate(pwl, q);
      row["segment"] = k;
      text << " -> segment " << k << " (start " << seg.start << "): R((" << seg.intercept << " + " << seg.slope
           << "*(q - " << seg.start << ")) / 2^" << pwl.fraction_bits << ") = " << result.str() << " (exact "
           << ref::nonlinear_exact(f, q, p).str() << ")\n";
    } else {
      const Rational fx = ref::nonlinear_approximate(f, x, p.alpha, 128);
      result = ref::nonlinear_exact(f, q, p);
      const double fx_double = ref::round_to_binary64(fx);
      const double ratio = ref::round_to_binary64(fx / ref::exact(p.output_scale));
      row["f_x"] = ref::hex_float(fx_double);
      row["f_x_over_output_scale"] = ref::hex_float(ratio);
      text << ", x = (q - Zy)*Sy = " << rational_text(x) << ", f(x) ~ " << fx_double
           << ", f(x)/So ~ " << ratio << " -> R + Zo = " << result.str() << "\n";
    }
    row["q"] = integer_json(result);
    q_out.push_back(integer_json(result));
    outputs.push_back(row);
  }
  step.json = {{"function", std::string(ref::name(f))},
               {"method", method},
               {"output_scale", ref::hex_float(p.output_scale)},
               {"output_zero_point", p.output_zero_point},
               {"outputs", outputs},
               {"q", q_out}};
  if (method == "lut") step.json["lut_variant"] = std::string(ref::name(variant));
  if (method == "pwl") {
    step.json["segments"] = pwl.segments.size();
    if (pwl_bound) step.json["error_bound"] = *pwl_bound;
  }
  step.text = text.str();
  return step;
}

int print_trace(const ref::LinearTrace& t, const std::string& layer,
                const std::vector<std::size_t>& x_shape, const std::vector<std::size_t>& w_shape,
                const Sources& sources, bool json, std::ostream& out,
                const std::optional<ThenStep>& then = std::nullopt) {
  const ref::LinearQuantization& q = t.quantization;
  const ref::LinearPipeline& pipe = q.pipeline;
  if (json) {
    nlohmann::json bias = nlohmann::json::array(), multipliers = nlohmann::json::array(),
                   outputs = nlohmann::json::array();
    for (std::size_t n = 0; n < t.bias.size(); ++n) {
      bias.push_back({{"channel", n},
                      {"bias_scale", rational_json(t.bias[n].bias_scale)},
                      {"exact", integer_json(t.bias[n].exact)},
                      {"b", t.bias[n].stored},
                      {"saturated", t.bias[n].saturated}});
    }
    for (std::size_t n = 0; n < t.bias.size() && n < t.outputs.size(); ++n) {
      const ref::OutputTrace& o = t.outputs[n];
      nlohmann::json m{{"channel", n},
                       {"real", rational_json(o.multiplier)},
                       {"effective", rational_json(o.effective_multiplier)}};
      if (pipe.variant == ref::RequantVariant::fp32) {
        m["scale"] = ref::hex_float(o.requantize.scale);
      } else if (pipe.variant != ref::RequantVariant::ideal) {
        m["multiplier"] = o.requantize.multiplier;
        m["shift"] = o.requantize.shift;
      }
      multipliers.push_back(m);
    }
    for (const ref::OutputTrace& o : t.outputs) {
      outputs.push_back({{"index", o.index},
                         {"channel", o.channel},
                         {"acc", integer_json(o.acc.exact)},
                         {"acc_int32", o.acc.wrapped},
                         {"acc_overflow", o.acc.final_overflow || o.acc.partial_overflow},
                         {"acc_times_m", rational_json(o.steps.exact_product)},
                         {"y", integer_json(o.steps.scaled)},
                         {"y_plus_zero_point", integer_json(o.steps.with_zero_point)},
                         {"requantized", integer_json(o.requantized)},
                         {"q", integer_json(o.q)},
                         {"dequantized", rational_json(o.dequantized_output)},
                         {"float_result", rational_json(o.float_result)},
                         {"real_result", rational_json(o.real_result)}});
    }
    nlohmann::json j{
        {"layer", layer},
        {"x_shape", x_shape},
        {"w_shape", w_shape},
        {"output_shape", t.output_shape},
        {"variant", std::string(ref::name(pipe.variant))},
        {"derivation", std::string(ref::name(pipe.derivation))},
        {"zero_point_entry", std::string(ref::name(pipe.zero_point_entry))},
        {"step0", {{"x", tensor_json(q.input, sources.x)},
                   {"w", tensor_json(q.weights, sources.w)},
                   {"y", tensor_json(q.output, sources.y)}}},
        {"step1", {{"x_q", integers_json(t.x_q)}, {"w_q", integers_json(t.w_q)}}},
        {"step2", {{"bias", bias}}},
        {"step3", {{"multipliers", multipliers}}},
        {"step4",
         {{"activation", pipe.activation_min || pipe.activation_max
                             ? "interval"
                             : std::string(ref::name(pipe.activation))},
          {"bounds", {t.activation.lo, t.activation.hi}}}},
        {"outputs", outputs},
        {"y_q", integers_json(t.y_q)},
        {"any_accumulator_overflow", t.any_accumulator_overflow},
        {"any_bias_saturated", t.any_bias_saturated}};
    if (then) j["then"] = then->json;
    out << j.dump() << "\n";
    return kExitOk;
  }

  auto tensor_lines = [&](const char* label, const ref::TensorQuantization& tq,
                          const std::string& source) {
    const ref::IntRange grid = ref::dtype_range(tq.dtype, tq.narrow_range);
    out << "  " << label << ": " << ref::name(tq.dtype) << " [" << grid.min << ", " << grid.max
        << "], " << source << "\n";
    for (std::size_t c = 0; c < tq.scales.size(); ++c) {
      out << "     " << (tq.scales.size() > 1 ? "channel " + std::to_string(c) + ": " : "")
          << "S = " << binary32_text(tq.scales[c]) << ", Z = " << tq.zero_points[c] << "\n";
    }
  };
  out << "Quantized " << layer << " layer: x " << shape_text(x_shape) << ", W "
      << shape_text(w_shape) << " -> y " << shape_text(t.output_shape) << "\n\n";
  out << "Step 0  calibrate / load (Q1)\n";
  tensor_lines("x", q.input, sources.x);
  tensor_lines("W", q.weights, sources.w);
  tensor_lines("y", q.output, sources.y);
  out << "\nStep 1  quantize x and W (Q2): q = clamp(R(x/S) + Z)\n"
      << "  x_q = " << list_text(t.x_q) << "   (" << ref::name(pipe.input_rounding) << ", "
      << ref::name(pipe.input_division) << " division)\n"
      << "  W_q = " << list_text(t.w_q) << "   (" << ref::name(pipe.weight_rounding) << ")\n";
  out << "\nStep 2  int32 accumulator (Q4, Q5): Acc = sum (x_q - Zx)(w_q - Zw) + b\n";
  for (std::size_t n = 0; n < t.bias.size(); ++n) {
    out << "  b[" << n << "] = R(B/Sb) = " << t.bias[n].stored << "   with Sb = Sx*Sw = "
        << rational_text(t.bias[n].bias_scale) << " (" << ref::name(pipe.bias_rounding) << ")"
        << (t.bias[n].saturated ? " SATURATED from " + t.bias[n].exact.str() : "") << "\n";
  }
  for (const ref::OutputTrace& o : t.outputs) {
    out << "  Acc" << index_text(o.index, t.output_shape) << " = " << o.acc.exact.str();
    if (o.acc.final_overflow || o.acc.partial_overflow) {
      out << "   OVERFLOWS int32 (an int32 pipeline holds " << o.acc.wrapped << ")";
    }
    out << "\n";
  }
  out << "\nStep 3  x Multiplier + Zy (Q6, Q7: " << ref::name(pipe.variant) << ")\n";
  for (std::size_t n = 0; n < t.bias.size() && n < t.outputs.size(); ++n) {
    const ref::OutputTrace& o = t.outputs[n];
    out << "  channel " << n << ": M = Sx*Sw/Sy = " << rational_text(o.multiplier) << " -> "
        << multiplier_text(o.requantize) << "\n";
  }
  for (const ref::OutputTrace& o : t.outputs) {
    out << "  " << index_text(o.index, t.output_shape) << ": Acc*M' = "
        << rational_text(o.steps.exact_product) << ", y = " << o.steps.scaled.str()
        << ", y + Zy = " << o.steps.with_zero_point.str() << "\n";
  }
  out << "\nStep 4  round and clip (Q7, Q8): clamp to [" << t.activation.lo << ", "
      << t.activation.hi << "]";
  if (pipe.activation != ref::Activation::none) out << " (" << ref::name(pipe.activation) << ")";
  if (pipe.activation_min || pipe.activation_max) out << " (fused clamp interval)";
  out << "\n";
  for (const ref::OutputTrace& o : t.outputs) {
    out << "  q" << index_text(o.index, t.output_shape) << " = " << o.q.str() << "\n";
  }
  out << "\nResult (per output: q, (q - Zy)*Sy, the float layer on the dequantized inputs it "
         "approximates, the real x.W + B)\n";
  for (const ref::OutputTrace& o : t.outputs) {
    out << "  " << index_text(o.index, t.output_shape) << ": q = " << o.q.str()
        << ", dequantized = " << rational_text(o.dequantized_output)
        << ", float = " << rational_text(o.float_result)
        << ", real = " << rational_text(o.real_result) << "\n";
  }
  if (t.any_accumulator_overflow) out << "WARNING: an accumulator overflowed int32\n";
  if (t.any_bias_saturated) out << "WARNING: a bias saturated to int32\n";
  if (then) out << then->text;
  return kExitOk;
}

// explain prints several lines per output; a layer larger than this is for the library or
// `conform`, not for reading (padding 1000 on a 1x1 input once printed 708 MB in 63 s).
constexpr std::uint64_t kMaxExplainedOutputs = 4096;

std::uint64_t saturating_product(std::initializer_list<std::uint64_t> factors) {
  std::uint64_t product = 1;
  for (std::uint64_t f : factors) {
    if (f != 0 && product > UINT64_MAX / f) return UINT64_MAX;
    product *= f;
  }
  return product;
}

std::string size_text(std::uint64_t outputs) {
  return outputs == UINT64_MAX ? std::string("more than 2^64") : std::to_string(outputs);
}

void check_explained_size(const ref::Conv2DGeometry& g, const std::vector<std::int64_t>& padding) {
  const ref::Conv2DOutputSize size = ref::conv2d_output_size(g);  // validates the geometry
  const std::uint64_t outputs = saturating_product({g.batch, size.height, size.width, g.out_channels});
  if (outputs <= kMaxExplainedOutputs) return;
  // Name the padding when the layer would fit without it.
  bool padding_makes_it = false;
  if (std::any_of(padding.begin(), padding.end(), [](std::int64_t p) { return p > 0; })) {
    ref::Conv2DGeometry unpadded = g;
    unpadded.pad_top = unpadded.pad_bottom = unpadded.pad_left = unpadded.pad_right = 0;
    try {
      const ref::Conv2DOutputSize u = ref::conv2d_output_size(unpadded);
      padding_makes_it =
          saturating_product({g.batch, u.height, u.width, g.out_channels}) <= kMaxExplainedOutputs;
    } catch (const ParameterError&) {
      padding_makes_it = true;  // the kernel fits only the padded input
    }
  }
  throw ParameterError(padding_makes_it ? "--padding" : "--x-shape",
                       "a layer of at most " + std::to_string(kMaxExplainedOutputs) +
                           " outputs (explain prints each)",
                       std::to_string(g.batch) + "x" + std::to_string(size.height) + "x" +
                           std::to_string(size.width) + "x" + std::to_string(g.out_channels) +
                           " = " + size_text(outputs) + " outputs");
}

int explain_linear(const LayerOptions& o, std::ostream& out) {
  ref::LinearData data;
  data.x = floats(o, "x");
  data.w = floats(o, "w");
  data.bias = floats(o, "b");
  std::vector<std::size_t> x_shape = get(o, "x-shape").empty()
                                         ? std::vector<std::size_t>{1, data.x.size()}
                                         : shape_option(get(o, "x-shape"), "--x-shape");
  if (x_shape.size() != 2) throw ParameterError("--x-shape", "BATCHxIN", get(o, "x-shape"));
  data.batch = x_shape[0];
  data.in_features = x_shape[1];
  std::vector<std::size_t> w_shape;
  if (get(o, "w-shape").empty()) {
    if (data.in_features == 0 || data.w.size() % data.in_features != 0) {
      throw ParameterError("--w-shape", "OUTxIN (cannot be inferred from " +
                                            std::to_string(data.w.size()) + " weights)",
                           "nothing");
    }
    w_shape = {data.w.size() / data.in_features, data.in_features};
  } else {
    w_shape = shape_option(get(o, "w-shape"), "--w-shape");
  }
  if (w_shape.size() != 2) throw ParameterError("--w-shape", "OUTxIN", get(o, "w-shape"));
  if (w_shape[1] != data.in_features) {
    throw ParameterError("--w-shape", "IN = " + std::to_string(data.in_features) + " (from x)",
                         shape_text(w_shape));
  }
  data.out_features = w_shape[0];
  const std::uint64_t outputs = saturating_product({data.batch, data.out_features});
  if (outputs > kMaxExplainedOutputs) {
    throw ParameterError("--x-shape", "a layer of at most " + std::to_string(kMaxExplainedOutputs) +
                                          " outputs (explain prints each)",
                         std::to_string(data.batch) + "x" + std::to_string(data.out_features) +
                             " = " + size_text(outputs) + " outputs");
  }
  Sources sources;
  const ref::LinearQuantization q = step0(o, data, ref::calibrate_linear, &sources);
  const ref::LinearTrace trace = ref::linear_traced(data, q);
  return print_trace(trace, "linear", x_shape, w_shape, sources, o.json, out, then_step(o, trace));
}

int explain_conv2d(const LayerOptions& o, std::ostream& out) {
  ref::Conv2DData data;
  data.x = floats(o, "x");
  data.w = floats(o, "w");
  data.bias = floats(o, "b");
  const auto x_shape = shape_option(get(o, "x-shape"), "--x-shape");
  if (x_shape.size() != 4) throw ParameterError("--x-shape", "NxHxWxC", get(o, "x-shape"));
  const auto w_shape = shape_option(get(o, "w-shape"), "--w-shape");
  if (w_shape.size() != 4) throw ParameterError("--w-shape", "OxKHxKWxI", get(o, "w-shape"));
  if (w_shape[3] != x_shape[3]) {
    throw ParameterError("--w-shape", "I = C = " + std::to_string(x_shape[3]) + " (from x)",
                         shape_text(w_shape));
  }
  ref::Conv2DGeometry& g = data.geometry;
  g.batch = x_shape[0];
  g.height = x_shape[1];
  g.width = x_shape[2];
  g.in_channels = x_shape[3];
  g.out_channels = w_shape[0];
  g.kernel_h = w_shape[1];
  g.kernel_w = w_shape[2];
  const auto stride = integers(o, "stride", 1, 0, 1 << 20);
  const auto dilation = integers(o, "dilation", 1, 0, 1 << 20);
  const auto padding = integers(o, "padding", 0, -(1 << 20), 1 << 20);
  if (stride.size() > 2) throw ParameterError("--stride", "S or SH,SW", get(o, "stride"));
  if (dilation.size() > 2) throw ParameterError("--dilation", "D or DH,DW", get(o, "dilation"));
  if (padding.size() != 1 && padding.size() != 2 && padding.size() != 4) {
    throw ParameterError("--padding", "P, PH,PW or TOP,BOTTOM,LEFT,RIGHT", get(o, "padding"));
  }
  g.stride_h = stride.front();
  g.stride_w = stride.back();
  g.dilation_h = dilation.front();
  g.dilation_w = dilation.back();
  if (padding.size() == 4) {
    g.pad_top = padding[0];
    g.pad_bottom = padding[1];
    g.pad_left = padding[2];
    g.pad_right = padding[3];
  } else {
    g.pad_top = g.pad_bottom = padding.front();
    g.pad_left = g.pad_right = padding.back();
  }
  check_explained_size(g, padding);
  Sources sources;
  const ref::LinearQuantization q = step0(o, data, ref::calibrate_conv2d, &sources);
  const ref::LinearTrace trace = ref::conv2d_traced(data, q);
  return print_trace(trace, "conv2d", x_shape, w_shape, sources, o.json, out, then_step(o, trace));
}

CLI::App* add_layer_command(CLI::App* explain, const std::string& name, const std::string& help,
                            const std::shared_ptr<LayerOptions>& o) {
  CLI::App* cmd = explain->add_subcommand(name, help);
  cmd->add_option("--file", o->file, "read the layer from a JSON file (tools/README.md); "
                                     "options on the command line override its keys");
  for (const TextOption& t : kTextOptions) {
    const bool conv_only = std::string(t.key) == "stride" || std::string(t.key) == "padding" ||
                           std::string(t.key) == "dilation";
    if (conv_only && name != "conv2d") continue;
    cmd->add_option(std::string("--") + t.key, o->text[t.key], t.help);
  }
  for (const TextOption& t : kFlagOptions) {
    cmd->add_flag(std::string("--") + t.key, o->flags[t.key], t.help);
  }
  add_json_flag(cmd, &o->json);
  return cmd;
}

}  // namespace

void register_explain(CLI::App& app, Registry& registry) {
  CLI::App* explain = app.add_subcommand(
      "explain", "Print every intermediate of a computation, step by step.");
  explain->require_subcommand(1);
  const std::string steps =
      "The study note's steps (SPEC.md Q9): 0 calibrate/load S and Z (Q1), 1 quantize x and W\n"
      "(Q2), 2 int32 Acc = sum (x_q - Zx)(w_q - Zw) + b with b = R(B/(Sx*Sw)) (Q4, Q5),\n"
      "3 x Multiplier M = Sx*Sw/Sy the variant's way + Zy (Q6, Q7), 4 round and clip (Q7, Q8).\n"
      "Prints the float result the integers approximate (the layer on the dequantized inputs)\n"
      "and the real x.W + B. Weights default to symmetric, narrow-range, per output channel.\n"
      "Step 5 (--then F --then-scale So): the non-linear layer after it (Q12), on y's grid:\n"
      "--method float (dequantize, f, quantize), lut (the 256-entry table) or pwl (Q13.4).";
  auto linear = std::make_shared<LayerOptions>();
  CLI::App* linear_cmd = add_layer_command(
      explain, "linear",
      "Fully connected layer y[m][n] = sum_k x[m][k] W[n][k] + B[n] (W is [out, in]).\n" + steps,
      linear);
  auto calibrated = add_calibrated_linear_options(linear_cmd);  // explain_calibrate.cc
  registry.add(linear_cmd, [linear, linear_cmd, calibrated](std::ostream& out) {
    if (calibrated->requested()) return explain_calibrated_linear(*calibrated, linear->json, out);
    if (!linear->file.empty()) merge_file(*linear, linear_cmd);
    if (get(*linear, "x").empty()) throw ParameterError("--x", "the input values", "nothing");
    if (get(*linear, "w").empty()) throw ParameterError("--w", "the weights", "nothing");
    return explain_linear(*linear, out);
  });

  auto conv = std::make_shared<LayerOptions>();
  CLI::App* conv_cmd = add_layer_command(
      explain, "conv2d",
      "2-D convolution, x NHWC, W OHWI, stride/padding/dilation; padding holds the real 0\n"
      "(quantized: Zx).\n" + steps,
      conv);
  registry.add(conv_cmd, [conv, conv_cmd](std::ostream& out) {
    if (!conv->file.empty()) merge_file(*conv, conv_cmd);
    for (const char* key : {"x", "w", "x-shape", "w-shape"}) {
      if (get(*conv, key).empty()) throw ParameterError(std::string("--") + key, "given", "nothing");
    }
    return explain_conv2d(*conv, out);
  });
  add_explain_qat(explain, registry);
  add_explain_dynamic_linear(explain, registry);
}

}  // namespace quantspec::cli
