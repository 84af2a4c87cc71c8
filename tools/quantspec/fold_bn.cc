// quantspec fold-bn: Q14 BatchNorm folding. Folds an inference BatchNorm into the preceding
// linear or conv layer (exact, or PyTorch's binary32 order), then quantizes the folded layer:
// weights per output channel (Q1, Q2), and the bias (Q4) when the input scale is given.
// Values come from the command line or from a JSON file.
#include <cmath>
#include <fstream>
#include <set>
#include <iostream>
#include <sstream>

#include "command.hpp"
#include "quantspec/reference/bn_fold.hpp"
#include "quantspec/reference/errors.hpp"

namespace quantspec::cli {
namespace {

// A JSON value as a binary32: a string is decimal or hex-float text, rounded once; a number
// is the binary64 the JSON reader holds, rounded to binary32 (strings avoid that double
// rounding for decimal text).
float json_binary32(const nlohmann::json& value, const std::string& name) {
  if (value.is_string()) return binary32_option(value.get<std::string>(), name);
  if (value.is_number()) {
    const double d = value.get<double>();
    return ref::round_to_binary32(ref::exact(d, name));
  }
  throw ref::ParameterError(name, "a number or a number as text", json_excerpt(value));
}

std::vector<float> json_list(const nlohmann::json& file, const std::string& key) {
  std::vector<float> values;
  if (!file.contains(key)) return values;
  const nlohmann::json& list = file.at(key);
  if (!list.is_array()) throw ref::ParameterError(key, "a JSON array", json_excerpt(list));
  for (std::size_t i = 0; i < list.size(); ++i) {
    values.push_back(json_binary32(list[i], key + "[" + std::to_string(i) + "]"));
  }
  return values;
}

std::vector<std::string> hex_list(const std::vector<float>& values) {
  std::vector<std::string> out;
  for (float v : values) out.push_back(ref::hex_float(v));
  return out;
}

}  // namespace

void register_fold_bn(CLI::App& app, Registry& registry) {
  struct Options {
    std::string file, layer = "conv2d", weight, out_channels, bias, mean, var, gamma, beta,
                      eps = "1e-5", variant = "exact", weight_dtype = "int8", input_scale;
    bool full_range = false, json = false;
  };
  auto o = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand(
      "fold-bn",
      "Q14: fold an inference BatchNorm into the preceding linear/conv layer, per output\n"
      "channel c: W'[c] = W[c]*gamma[c]/sqrt(var[c]+eps), B'[c] = (B[c]-mean[c])*gamma[c]/\n"
      "sqrt(var[c]+eps) + beta[c]; then quantize W' per output channel (symmetric, narrow\n"
      "range by default, Q1.3/Q2) and, with --input-scale, B' on the grid Sb = Sx*Sw[c] (Q4).\n"
      "--variant exact: each value rounded once to binary32 (correctly rounded, Q14.2);\n"
      "pytorch: torch.nn.utils.fusion's binary32 order (Q14.3; --layer picks\n"
      "fuse_conv_bn_weights or fuse_linear_bn_weights).\n"
      "Values from the options (lists: 1,2,3) or --file F.json: {\"layer\", \"out_channels\",\n"
      "\"weight\", \"bias\", \"mean\", \"var\", \"gamma\", \"beta\", \"eps\"}, each number a JSON\n"
      "number or a string (decimal or hex-float text, rounded once). The weight is row-major\n"
      "with the output channel first ([out, in], OHWI or OIHW).");
  cmd->add_option("--file", o->file, "a JSON file holding the layer (options given too override it)");
  cmd->add_option("--layer", o->layer, "linear or conv2d (default conv2d; matters for pytorch)");
  cmd->add_option("--weight", o->weight, "W, row-major, output channel first");
  cmd->add_option("--out-channels", o->out_channels,
                  "number of output channels (default: the number of --var values)");
  cmd->add_option("--bias", o->bias, "B, one per channel (default zeros)");
  cmd->add_option("--mean", o->mean, "running mean, one per channel");
  cmd->add_option("--var", o->var, "running variance, one per channel, >= 0");
  cmd->add_option("--gamma", o->gamma, "BatchNorm weight, one per channel (default ones)");
  cmd->add_option("--beta", o->beta, "BatchNorm bias, one per channel (default zeros)");
  cmd->add_option("--eps", o->eps, "eps > 0, binary32 (default 1e-5, i.e. fl32(1e-5))");
  cmd->add_option("--variant", o->variant, "exact or pytorch (default exact)");
  cmd->add_option("--weight-dtype", o->weight_dtype, names_of_dtypes() + " but int32 (default int8)");
  cmd->add_flag("--full-range", o->full_range, "weights on the full grid (default narrow range)");
  cmd->add_option("--input-scale", o->input_scale, "Sx: also quantize B' with Sb = Sx*Sw[c] (Q4)");
  add_json_flag(cmd, &o->json);

  registry.add(cmd, [o, cmd](std::ostream& out) {
    ref::BatchNormLayer layer;
    nlohmann::json file;
    if (!o->file.empty()) {
      file = read_json_file_option(o->file, "--file");
      if (!file.is_object()) throw ref::ParameterError("--file", "a JSON object", o->file);
      // A misspelt key ("gama") would otherwise fall back to its default silently.
      static const std::set<std::string> kKeys = {"layer", "out_channels", "weight", "bias", "mean",
                                                  "var",   "gamma",        "beta",   "eps"};
      for (const auto& member : file.items()) {
        if (!kKeys.count(member.key())) {
          throw ref::ParameterError("--file", "only the keys layer, out_channels, weight, bias, mean, var, "
                                    "gamma, beta, eps", "'" + member.key() + "'");
        }
      }
    }
    auto values = [&](const std::string& option, const std::string& text, const std::string& key) {
      return !text.empty() ? binary32_list(text, option) : json_list(file, key);
    };
    std::string layer_name = o->layer;
    if (cmd->count("--layer") == 0 && file.contains("layer")) {
      if (!file.at("layer").is_string()) throw ref::ParameterError("layer", "linear or conv2d", json_excerpt(file.at("layer")));
      layer_name = file.at("layer").get<std::string>();
    }
    layer.layer = ref::parse_bn_fold_layer(layer_name, "--layer");
    const ref::BnFoldVariant variant = ref::parse_bn_fold_variant(o->variant, "--variant");
    layer.weight = values("--weight", o->weight, "weight");
    layer.bias = values("--bias", o->bias, "bias");
    layer.mean = values("--mean", o->mean, "mean");
    layer.variance = values("--var", o->var, "var");
    layer.gamma = values("--gamma", o->gamma, "gamma");
    layer.beta = values("--beta", o->beta, "beta");
    if (layer.weight.empty()) throw ref::ParameterError("weight", "given (--weight or the file)", "none");
    if (layer.variance.empty()) throw ref::ParameterError("variance", "given (--var or the file)", "none");
    if (!o->out_channels.empty()) {
      layer.out_channels = static_cast<std::size_t>(
          bounded_integer_option(o->out_channels, "--out-channels", 1, 1 << 24));
    } else if (file.contains("out_channels")) {
      const nlohmann::json& n = file.at("out_channels");
      if (!n.is_number_unsigned() || n.get<std::uint64_t>() == 0 || n.get<std::uint64_t>() > (1u << 24)) {
        throw ref::ParameterError("out_channels", "an integer in [1, 2^24]", json_excerpt(n));
      }
      layer.out_channels = n.get<std::size_t>();
    } else {
      layer.out_channels = layer.variance.size();
    }
    const std::size_t channels = layer.out_channels;
    if (layer.gamma.empty()) layer.gamma.assign(channels, 1.0f);
    if (layer.beta.empty()) layer.beta.assign(channels, 0.0f);
    if (layer.mean.empty()) throw ref::ParameterError("mean", "given (--mean or the file)", "none");
    if (cmd->count("--eps") > 0 || !file.contains("eps")) {
      layer.eps = binary32_option(o->eps, "--eps");
    } else {
      layer.eps = json_binary32(file.at("eps"), "eps");
    }

    const ref::FoldedLayer folded = ref::fold_batch_norm(layer, variant);
    ref::BnFoldQuantization q_options;
    q_options.weight_options.dtype = ref::parse_dtype(o->weight_dtype, "--weight-dtype");
    q_options.weight_options.narrow_range = !o->full_range;
    if (!o->input_scale.empty()) q_options.input_scale = binary32_option(o->input_scale, "--input-scale");
    const ref::QuantizedFoldedLayer q = ref::quantize_folded(folded, channels, q_options);

    const std::size_t row = layer.row_size();
    if (o->json) {
      nlohmann::json j;
      j["variant"] = std::string(ref::name(variant));
      j["layer"] = std::string(ref::name(layer.layer));
      j["out_channels"] = channels;
      j["eps"] = ref::hex_float(layer.eps);
      j["weight"] = hex_list(folded.weight);
      j["bias"] = hex_list(folded.bias);
      if (variant == ref::BnFoldVariant::exact) {
        nlohmann::json ties = nlohmann::json::array();
        for (std::size_t i = 0; i < folded.weight.size(); ++i) {
          if (folded.weight_tie[i]) ties.push_back(i);
        }
        j["weight_ties"] = ties;
        nlohmann::json bias_ties = nlohmann::json::array();
        for (std::size_t c = 0; c < channels; ++c) {
          if (folded.bias_tie[c]) bias_ties.push_back(c);
        }
        j["bias_ties"] = bias_ties;
      } else {
        nlohmann::json steps = nlohmann::json::array();
        for (std::size_t c = 0; c < channels; ++c) {
          const ref::PytorchFoldChannel s = ref::pytorch_fold_channel(
              layer.layer, layer.bias.empty() ? 0.0f : layer.bias[c], layer.mean[c],
              layer.variance[c], layer.eps, layer.gamma[c], layer.beta[c]);
          steps.push_back({{"var_plus_eps", ref::hex_float(s.variance_plus_eps)},
                           {"sqrt", ref::hex_float(s.sqrt)},
                           {"rsqrt", ref::hex_float(s.rsqrt)},
                           {"weight_scale", ref::hex_float(s.weight_scale)}});
        }
        j["pytorch_steps"] = steps;
      }
      nlohmann::json quantized;
      quantized["dtype"] = std::string(ref::name(q_options.weight_options.dtype));
      quantized["narrow_range"] = q_options.weight_options.narrow_range;
      nlohmann::json scales = nlohmann::json::array(), zero_points = nlohmann::json::array();
      for (const auto& p : q.weight_params) {
        scales.push_back(ref::hex_float(p.scale));
        zero_points.push_back(p.zero_point);
      }
      quantized["weight_scales"] = scales;
      quantized["weight_zero_points"] = zero_points;
      nlohmann::json wq = nlohmann::json::array();
      for (const auto& v : q.weight_q) wq.push_back(integer_json(v));
      quantized["weight_q"] = wq;
      if (q_options.input_scale) {
        quantized["input_scale"] = ref::hex_float(*q_options.input_scale);
        nlohmann::json bq = nlohmann::json::array(), sb = nlohmann::json::array(),
                       saturated = nlohmann::json::array();
        for (const auto& b : q.bias_q) {
          bq.push_back(b.stored);
          sb.push_back(rational_json(b.bias_scale));
          saturated.push_back(b.saturated);
        }
        quantized["bias_q"] = bq;
        quantized["bias_scales"] = sb;
        quantized["bias_saturated"] = saturated;
      }
      j["quantized"] = quantized;
      out << j.dump() << "\n";
      return kExitOk;
    }

    out << "BatchNorm fold (Q14), variant " << ref::name(variant) << ", layer "
        << ref::name(layer.layer) << ", " << channels << " output channel(s) of " << row
        << " weight(s), eps " << binary32_text(layer.eps) << "\n";
    for (std::size_t c = 0; c < channels; ++c) {
      out << "channel " << c << ": mean " << binary32_text(layer.mean[c]) << ", var "
          << binary32_text(layer.variance[c]) << ", gamma " << binary32_text(layer.gamma[c])
          << ", beta " << binary32_text(layer.beta[c]) << "\n";
      if (variant == ref::BnFoldVariant::pytorch) {
        const ref::PytorchFoldChannel s = ref::pytorch_fold_channel(
            layer.layer, layer.bias.empty() ? 0.0f : layer.bias[c], layer.mean[c],
            layer.variance[c], layer.eps, layer.gamma[c], layer.beta[c]);
        out << "  fl32(var+eps) " << binary32_text(s.variance_plus_eps) << ", sqrt "
            << binary32_text(s.sqrt) << ", rsqrt " << binary32_text(s.rsqrt)
            << ", gamma*rsqrt " << binary32_text(s.weight_scale) << "\n";
      }
      out << "  W' =";
      for (std::size_t j = 0; j < row; ++j) {
        const std::size_t i = c * row + j;
        out << " " << ref::hex_float(folded.weight[i])
            << (variant == ref::BnFoldVariant::exact && folded.weight_tie[i] ? " (tie)" : "");
      }
      out << "\n  B' = " << binary32_text(folded.bias[c])
          << (variant == ref::BnFoldVariant::exact && folded.bias_tie[c] ? " (tie)" : "") << "\n";
      out << "  weight scale " << binary32_text(q.weight_params[c].scale) << ", zero point "
          << q.weight_params[c].zero_point << "\n  w_q =";
      for (std::size_t j = 0; j < row; ++j) out << " " << q.weight_q[c * row + j].str();
      out << "\n";
      if (q_options.input_scale) {
        out << "  bias scale Sb = " << rational_text(q.bias_q[c].bias_scale) << ", b = "
            << q.bias_q[c].stored << (q.bias_q[c].saturated ? " (saturated)" : "") << "\n";
      }
    }
    return kExitOk;
  });
}

}  // namespace quantspec::cli
