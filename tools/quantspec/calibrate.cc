// quantspec calibrate: Q18/Q19 observers on a data file (.npy or .csv), then Q1 (S, Z);
// optionally the histogram (CSV) and the quantized data (.npy).
#include <cstdio>
#include <fstream>
#include <iostream>

#include "command.hpp"
#include "quantspec/reference/entropy_calibration.hpp"
#include "quantspec/reference/errors.hpp"
#include "quantspec/reference/histogram_calibration.hpp"
#include "quantspec/reference/numbers.hpp"
#include "quantspec/reference/observers.hpp"
#include "quantspec/reference/quantize.hpp"
#include "tensor_file.hpp"

namespace quantspec::cli {
namespace {

// Q18.3: the batches of a moving average are the slices along the first dimension.
std::vector<std::vector<float>> batches_of(const Tensor& tensor) {
  const std::size_t count = tensor.shape.empty() || tensor.values.empty() ? 1 : tensor.shape[0];
  std::vector<std::vector<float>> batches(count);
  const std::size_t per_batch = tensor.values.size() / count;
  for (std::size_t i = 0; i < tensor.values.size(); ++i) {
    batches[i / per_batch].push_back(tensor.values[i]);
  }
  return batches;
}

// A binary32 as the shortest decimal that reads back to it (9 significant digits).
std::string decimal(double v) {
  char text[40];
  std::snprintf(text, sizeof text, "%.9g", v);
  return text;
}

// --histogram: "# <observer>: chosen range [lo, hi]" then lower_edge,upper_edge,count rows.
void write_histogram_csv(const std::string& path, const std::string& observer,
                         const ref::ObservedRange& chosen, const std::vector<double>& edges,
                         const std::vector<std::uint64_t>& counts) {
  std::ofstream out(path);
  if (!out) throw ref::ParameterError("--histogram", "a writable file", path);
  out << "# quantspec calibrate --observer " << observer << ": chosen range ["
      << decimal(chosen.min) << ", " << decimal(chosen.max) << "]\n";
  out << "lower_edge,upper_edge,count\n";
  for (std::size_t k = 0; k < counts.size(); ++k) {
    out << decimal(edges[k]) << "," << decimal(edges[k + 1]) << "," << counts[k] << "\n";
  }
  if (!out) throw ref::ParameterError("--histogram", "a writable file", path);
}

// --quantized: the data on the grid of (S, Z) (Q2: half_even, exact division) as .npy.
void write_quantized(const std::string& path, const Tensor& tensor,
                     const ref::QuantizationParams& params, ref::DType dtype) {
  const ref::QuantizeParams quantize_params = ref::QuantizeParams::from(params);
  std::vector<double> codes;
  codes.reserve(tensor.values.size());
  for (float x : tensor.values) codes.push_back(ref::quantize(x, quantize_params).convert_to<double>());
  NpyElement element = NpyElement::int8;
  switch (dtype) {
    case ref::DType::int8: case ref::DType::int4: element = NpyElement::int8; break;
    case ref::DType::uint8: case ref::DType::uint4: element = NpyElement::uint8; break;
    case ref::DType::int16: element = NpyElement::int16; break;
    case ref::DType::uint16: element = NpyElement::uint16; break;
    default: element = NpyElement::int32; break;
  }
  write_npy(path, tensor.shape, codes, element);
}

}  // namespace

void register_calibrate(CLI::App& app, Registry& registry) {
  struct Options {
    std::string data, observer = "minmax", dtype = "int8", zero_point_rounding = "half_away";
    std::string per_channel, percentile = "99.99", averaging_constant = "0.01", bins;
    std::string quantized_bins = "128", histogram, quantized;
    bool symmetric = false, narrow_range = false, json = false;
  };
  auto o = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand(
      "calibrate",
      "Q18: the range of calibration data by an observer, then Q1 scale and zero point.\n"
      "Observers: minmax (Q18.2, per tensor or --per-channel AXIS), moving_average (Q18.3,\n"
      "PyTorch MovingAverageMinMaxObserver over the slices along axis 0 as batches),\n"
      "max_abs (Q18.4, range [-T, T]), percentile (Q18.5, numpy 'linear'; with --symmetric\n"
      "the percentile of |x|). NaN or infinite data is rejected (Q18.1).\n"
      "Data: .npy (1.0/2.0/3.0; f4, f8, i1, u1, i2, u2, i4; either byte order; C or Fortran\n"
      "order)\n"
      "or .csv (one row per line).\n"
      "mse (Q19.2): with --symmetric the threshold among fl32(j*Amax/bins), j = 1..bins, else\n"
      "the range [fl32(min*j/bins), fl32(max*j/bins)], with the smallest exact squared\n"
      "quantization error of the data.\n"
      "entropy (Q19.3-Q19.5): ONNX Runtime's HistogramCollector: a signed histogram of --bins\n"
      "(default 2048) over [-T, T], merged over the slices along axis 0 as batches (a 1-D\n"
      "tensor is one batch), and the\n"
      "candidate range with the smallest KL divergence (--quantized-bins levels, default 128).");
  cmd->add_option("--data", o->data, "calibration data, .npy or .csv")->required();
  cmd->add_option("--observer", o->observer,
                  "minmax, moving_average, max_abs, percentile or mse (default minmax)");
  cmd->add_option("--bins", o->bins,
                  "mse, entropy: histogram bins in [2, 65536] (default 128 for mse, 2048 for entropy)");
  cmd->add_option("--quantized-bins", o->quantized_bins,
                  "entropy: levels of the candidate distribution, in [2, bins] (default 128)");
  cmd->add_option("--histogram", o->histogram,
                  "mse, entropy: write the histogram (edges and counts) and the chosen range as CSV");
  cmd->add_option("--quantized", o->quantized,
                  "write the data quantized with the chosen S, Z (Q2, half_even) as .npy");
  cmd->add_option("--per-channel", o->per_channel,
                  "axis of the channels (minmax only; negative counts from the end)");
  cmd->add_option("--percentile", o->percentile, "percentile: p in [0, 100] (default 99.99)");
  cmd->add_option("--averaging-constant", o->averaging_constant,
                  "moving_average c in (0, 1] (default 0.01, as PyTorch)");
  cmd->add_option("--dtype", o->dtype, names_of_dtypes() + " except int32 (default int8)");
  cmd->add_flag("--symmetric", o->symmetric, "symmetric quantization (Q1.3)");
  cmd->add_flag("--narrow-range", o->narrow_range, "drop the lowest grid value");
  cmd->add_option("--zero-point-rounding", o->zero_point_rounding,
                  "rounding of Qmin - min/S: " + names_of_roundings() + " (default half_away; not with --symmetric)");
  add_json_flag(cmd, &o->json);

  registry.add(cmd, [o, cmd](std::ostream& out) {
    const std::string& obs = o->observer;
    refuse_without_effect(*cmd, "--bins", obs == "mse" || obs == "entropy", "only with --observer mse or entropy");
    refuse_without_effect(*cmd, "--quantized-bins", obs == "entropy", "only with --observer entropy");
    refuse_without_effect(*cmd, "--percentile", obs == "percentile", "only with --observer percentile");
    refuse_without_effect(*cmd, "--averaging-constant", obs == "moving_average",
                          "only with --observer moving_average");
    refuse_without_effect(*cmd, "--zero-point-rounding", !o->symmetric,
                          "only without --symmetric (a symmetric zero point is fixed)");
    ref::ParamsOptions options;
    options.dtype = ref::parse_dtype(o->dtype, "--dtype");
    options.symmetric = o->symmetric;
    options.narrow_range = o->narrow_range;
    options.zero_point_rounding =
        ref::parse_rounding(o->zero_point_rounding, "--zero-point-rounding");
    const Tensor tensor = read_tensor(o->data);
    if (!o->histogram.empty() && o->observer != "mse" && o->observer != "entropy") {
      throw ref::ParameterError("--histogram", "only with --observer mse or entropy", o->observer);
    }
    if (!o->quantized.empty() && !o->per_channel.empty()) {
      throw ref::ParameterError("--quantized", "a per-tensor observer (not with --per-channel)",
                                o->per_channel);
    }
    const std::string default_bins = o->observer == "entropy" ? "2048" : "128";
    const std::string bins_text = o->bins.empty() ? default_bins : o->bins;
    nlohmann::json extra = nlohmann::json::object();
    std::vector<ref::ObservedRange> ranges;
    if (!o->per_channel.empty()) {
      if (o->observer != "minmax") {
        throw ref::ParameterError("--per-channel", "only with --observer minmax", o->observer);
      }
      const std::int64_t axis = bounded_integer_option(o->per_channel, "--per-channel", -64, 63);
      ranges = ref::observe_min_max_per_channel(tensor.values, tensor.shape, axis);
    } else if (o->observer == "minmax") {
      ranges.push_back(ref::observe_min_max(tensor.values));
    } else if (o->observer == "moving_average") {
      ref::MovingAverageMinMax observer(
          ref::parse_binary64(o->averaging_constant, "--averaging-constant"));
      for (const auto& batch : batches_of(tensor)) observer.observe(batch);
      ranges.push_back(observer.range());
    } else if (o->observer == "max_abs") {
      ranges.push_back(ref::range_from_threshold(ref::observe_max_abs(tensor.values)));
    } else if (o->observer == "percentile") {
      ranges.push_back(ref::observe_percentile(
          tensor.values, ref::parse_binary64(o->percentile, "--percentile"), o->symmetric));
    } else if (o->observer == "mse") {
      const std::int64_t bins = bounded_integer_option(bins_text, "--bins", 2, 65536);
      if (o->symmetric) {
        ranges.push_back(ref::range_from_threshold(
            ref::mse_optimal_threshold(tensor.values, bins, options).threshold()));
      } else {
        ranges.push_back(ref::mse_optimal_range(tensor.values, bins, options).range());
      }
      if (!o->histogram.empty()) {
        const ref::Histogram h = ref::histogram_of_magnitudes(tensor.values, bins);
        std::vector<double> edges;
        for (const ref::Rational& e : h.edges) edges.push_back(ref::round_to_binary64(e));
        write_histogram_csv(o->histogram, "mse (|x|)", ranges.back(), edges, h.counts);
      }
    } else if (o->observer == "entropy") {
      const std::int64_t bins = bounded_integer_option(bins_text, "--bins", 2, 65536);
      const std::int64_t levels =
          bounded_integer_option(o->quantized_bins, "--quantized-bins", 2, 65536);
      ref::SignedHistogramCollector collector(bins);
      // Q19.4 batches: the slices along axis 0 of a tensor of 2 or more dimensions; a 1-D
      // tensor (one CSV line) is one batch.
      if (tensor.shape.size() < 2) {
        collector.observe(tensor.values);
      } else {
        for (const auto& batch : batches_of(tensor)) collector.observe(batch);
      }
      const ref::SignedHistogram& h = collector.histogram();
      const ref::EntropySearch search = ref::entropy_threshold(h, levels);
      ranges.push_back(search.range);
      extra["histogram_bins"] = h.counts.size();
      extra["candidates"] = search.candidates.size();
      extra["divergence"] = ref::hex_float(search.candidates[search.chosen].divergence);
      if (!o->json) {
        out << "entropy: " << h.counts.size() << " bins, " << search.candidates.size()
            << " candidates, smallest KL divergence "
            << binary32_text(search.candidates[search.chosen].divergence) << "\n";
      }
      if (!o->histogram.empty()) {
        const std::vector<double> edges(h.edges.begin(), h.edges.end());
        write_histogram_csv(o->histogram, "entropy", search.range, edges, h.counts);
      }
    } else {
      throw ref::ParameterError(
          "--observer", "minmax, moving_average, max_abs, percentile, mse or entropy", o->observer);
    }
    nlohmann::json channels = nlohmann::json::array();
    for (std::size_t c = 0; c < ranges.size(); ++c) {
      const ref::QuantizationParams p = ref::params_from_range(ranges[c], options);
      if (o->json) {
        channels.push_back({{"min", ref::hex_float(ranges[c].min)},
                            {"max", ref::hex_float(ranges[c].max)},
                            {"scale", ref::hex_float(p.scale)},
                            {"zero_point", p.zero_point}});
      } else {
        if (ranges.size() > 1) out << "channel " << c << ": ";
        out << "range [" << binary32_text(ranges[c].min) << ", " << binary32_text(ranges[c].max)
            << "] -> scale " << binary32_text(p.scale) << ", zero_point " << p.zero_point << "\n";
      }
    }
    if (!o->quantized.empty()) {
      write_quantized(o->quantized, tensor, ref::params_from_range(ranges[0], options),
                      options.dtype);
    }
    if (o->json) {
      nlohmann::json j{{"observer", o->observer}, {"dtype", o->dtype},
                       {"symmetric", o->symmetric}, {"elements", tensor.values.size()}};
      j.update(extra);
      if (ranges.size() == 1) {
        j.update(channels[0]);
      } else {
        j["channels"] = channels;
      }
      out << j.dump() << "\n";
    }
    return kExitOk;
  });
}

}  // namespace quantspec::cli
