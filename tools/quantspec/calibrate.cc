// quantspec calibrate: Q18 observers on a data file (.npy or .csv), then Q1 (S, Z).
#include <iostream>

#include "command.hpp"
#include "quantspec/reference/errors.hpp"
#include "quantspec/reference/histogram_calibration.hpp"
#include "quantspec/reference/numbers.hpp"
#include "quantspec/reference/observers.hpp"
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

}  // namespace

void register_calibrate(CLI::App& app, Registry& registry) {
  struct Options {
    std::string data, observer = "minmax", dtype = "int8", zero_point_rounding = "half_away";
    std::string per_channel, percentile = "99.99", averaging_constant = "0.01", bins = "128";
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
      "Data: .npy (1.0/2.0/3.0; f4, f8, i1, u1, i4; either byte order; C or Fortran order)\n"
      "or .csv (one row per line).\n"
      "mse (Q19.2, --symmetric only): the threshold among fl32(j*Amax/bins), j = 1..bins,\n"
      "with the smallest exact squared quantization error of the data.");
  cmd->add_option("--data", o->data, "calibration data, .npy or .csv")->required();
  cmd->add_option("--observer", o->observer,
                  "minmax, moving_average, max_abs, percentile or mse (default minmax)");
  cmd->add_option("--bins", o->bins, "mse: histogram bins in [2, 65536] (default 128)");
  cmd->add_option("--per-channel", o->per_channel,
                  "axis of the channels (minmax only; negative counts from the end)");
  cmd->add_option("--percentile", o->percentile, "p in [0, 100] (default 99.99)");
  cmd->add_option("--averaging-constant", o->averaging_constant,
                  "moving_average c in (0, 1] (default 0.01, as PyTorch)");
  cmd->add_option("--dtype", o->dtype, names_of_dtypes() + " except int32 (default int8)");
  cmd->add_flag("--symmetric", o->symmetric, "symmetric quantization (Q1.3)");
  cmd->add_flag("--narrow-range", o->narrow_range, "drop the lowest grid value");
  cmd->add_option("--zero-point-rounding", o->zero_point_rounding,
                  "rounding of Qmin - min/S: " + names_of_roundings() + " (default half_away)");
  add_json_flag(cmd, &o->json);

  registry.add(cmd, [o](std::ostream& out) {
    ref::ParamsOptions options;
    options.dtype = ref::parse_dtype(o->dtype, "--dtype");
    options.symmetric = o->symmetric;
    options.narrow_range = o->narrow_range;
    options.zero_point_rounding =
        ref::parse_rounding(o->zero_point_rounding, "--zero-point-rounding");
    const Tensor tensor = read_tensor(o->data);
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
      const std::int64_t bins = bounded_integer_option(o->bins, "--bins", 2, 65536);
      ranges.push_back(ref::range_from_threshold(
          ref::mse_optimal_threshold(tensor.values, bins, options).threshold()));
    } else {
      throw ref::ParameterError("--observer", "minmax, moving_average, max_abs, percentile or mse",
                                o->observer);
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
    if (o->json) {
      nlohmann::json j{{"observer", o->observer}, {"dtype", o->dtype},
                       {"symmetric", o->symmetric}, {"elements", tensor.values.size()}};
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
