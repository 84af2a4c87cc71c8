// quantspec explain linear --calibrate: the study note's static pipeline on a real layer.
// Step 0: each observer (Q18, Q19) calibrates the range of x on the calibration rows and the
// range of y = x.W + B (the float layer, each output rounded to binary32) on the same rows;
// Q1 turns them into (Sx, Zx), (Sy, Zy); weights are symmetric per output channel (Q9.4).
// Steps 1-4 (Q9.5) run integer-only on separate evaluation rows, and each output is compared
// with the exact real x.W + B: max and mean absolute error, the max error in output steps
// (|error| / Sy) and the SQNR 10 log10(sum y^2 / sum error^2).
#include "explain_calibrate.hpp"

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <limits>
#include <sstream>

#include "command.hpp"
#include "quantspec/reference/entropy_calibration.hpp"
#include "quantspec/reference/errors.hpp"
#include "quantspec/reference/histogram_calibration.hpp"
#include "quantspec/reference/linear.hpp"
#include "quantspec/reference/numbers.hpp"
#include "quantspec/reference/observers.hpp"
#include "tensor_file.hpp"

namespace quantspec::cli {
namespace {

using ref::ParameterError;

struct Observer {
  std::string name;
  bool symmetric;  // Q18.6: the grid the observer's range feeds
  std::function<ref::ObservedRange(const std::vector<float>&)> observe;
};

std::vector<Observer> observers_named(const std::string& list, double percentile) {
  std::vector<Observer> chosen;
  std::stringstream names(list);
  std::string name;
  while (std::getline(names, name, ',')) {
    if (name == "minmax") {
      chosen.push_back({name, false, [](const auto& d) { return ref::observe_min_max(d); }});
    } else if (name == "max_abs") {
      chosen.push_back({name, true, [](const auto& d) {
                          return ref::range_from_threshold(ref::observe_max_abs(d));
                        }});
    } else if (name == "percentile") {
      chosen.push_back({name, false, [percentile](const auto& d) {
                          return ref::observe_percentile(d, percentile, false);
                        }});
    } else if (name == "mse") {  // Q19.2 symmetric, 128 bins
      chosen.push_back({name, true, [](const auto& d) {
                          ref::ParamsOptions options;
                          options.symmetric = true;
                          return ref::range_from_threshold(
                              ref::mse_optimal_threshold(d, 128, options).threshold());
                        }});
    } else if (name == "entropy") {  // Q19.3-Q19.5, the calibration set as one batch
      chosen.push_back({name, false, [](const auto& d) {
                          ref::SignedHistogramCollector collector(2048);
                          collector.observe(d);
                          return ref::entropy_threshold(collector.histogram(), 128).range;
                        }});
    } else {
      throw ParameterError("--observers", "a comma list of minmax, max_abs, percentile, mse, entropy",
                           name);
    }
  }
  if (chosen.empty()) throw ParameterError("--observers", "at least one observer", list);
  return chosen;
}

Tensor matrix(const std::string& path, const char* option) {
  if (path.empty()) throw ParameterError(option, "a .npy or .csv file", "nothing");
  Tensor t = read_tensor(path);
  if (t.shape.size() == 1) t.shape = {1, t.shape[0]};  // one CSV line: one row
  if (t.shape.size() != 2 || t.shape[0] == 0 || t.shape[1] == 0) {
    std::string shape;
    for (std::size_t d : t.shape) shape += (shape.empty() ? "" : "x") + std::to_string(d);
    throw ParameterError(option, "a non-empty 2-D tensor (rows x features)", "shape " + shape);
  }
  return t;
}

std::vector<float> rows(const Tensor& t, std::size_t first, std::size_t count) {
  const std::size_t width = t.shape[1];
  return std::vector<float>(t.values.begin() + static_cast<std::ptrdiff_t>(first * width),
                            t.values.begin() + static_cast<std::ptrdiff_t>((first + count) * width));
}

// The float layer y = x.W + B on binary32 values, each output the exact sum rounded once.
std::vector<float> float_layer(const ref::LinearData& d) {
  std::vector<float> y;
  for (std::size_t m = 0; m < d.batch; ++m) {
    for (std::size_t n = 0; n < d.out_features; ++n) {
      ref::Rational sum = d.bias.empty() ? ref::Rational(0) : ref::exact(d.bias[n]);
      for (std::size_t k = 0; k < d.in_features; ++k) {
        sum += ref::exact(d.x[m * d.in_features + k]) * ref::exact(d.w[n * d.in_features + k]);
      }
      y.push_back(ref::round_to_binary32(sum));
    }
  }
  return y;
}

struct Comparison {
  ref::TensorQuantization x, y;
  ref::ObservedRange x_range, y_range;
  double max_abs_error = 0, mean_abs_error = 0, max_error_steps = 0, sqnr_db = 0;
  bool accumulator_overflow = false;
};

Comparison compare(const Observer& observer, const ref::LinearData& calibration,
                   const ref::LinearData& evaluation) {
  Comparison c;
  c.x_range = observer.observe(calibration.x);
  c.y_range = observer.observe(float_layer(calibration));
  ref::CalibrationOptions options;
  options.input_symmetric = observer.symmetric;
  options.output_symmetric = observer.symmetric;
  options.input_range = ref::MinMax{c.x_range.min, c.x_range.max};
  options.output_range = ref::MinMax{c.y_range.min, c.y_range.max};
  const ref::LinearQuantization q = ref::calibrate_linear(evaluation, options);
  c.x = q.input;
  c.y = q.output;
  const ref::LinearTrace trace = ref::linear_traced(evaluation, q);
  ref::Rational max_error = 0, sum_error = 0, sum_error_squared = 0, sum_signal_squared = 0;
  for (const ref::OutputTrace& o : trace.outputs) {
    const ref::Rational error = abs(o.dequantized_output - o.real_result);
    if (error > max_error) max_error = error;
    sum_error += error;
    sum_error_squared += error * error;
    sum_signal_squared += o.real_result * o.real_result;
  }
  const double count = static_cast<double>(trace.outputs.size());
  c.max_abs_error = ref::round_to_binary64(max_error);
  c.mean_abs_error = ref::round_to_binary64(sum_error) / count;
  c.max_error_steps = ref::round_to_binary64(max_error / ref::exact(q.output.scales[0]));
  c.sqnr_db = sum_error_squared == 0
                  ? std::numeric_limits<double>::infinity()
                  : 10 * std::log10(ref::round_to_binary64(sum_signal_squared / sum_error_squared));
  c.accumulator_overflow = trace.any_accumulator_overflow;
  return c;
}

nlohmann::json tensor_json(const ref::ObservedRange& r, const ref::TensorQuantization& t) {
  return {{"min", ref::hex_float(r.min)}, {"max", ref::hex_float(r.max)},
          {"scale", ref::hex_float(t.scales[0])}, {"zero_point", t.zero_points[0]}};
}

std::string fixed(double v, int digits) {
  char text[64];
  std::snprintf(text, sizeof text, "%.*f", digits, v);
  return text;
}

}  // namespace

std::shared_ptr<CalibratedLinearOptions> add_calibrated_linear_options(CLI::App* linear) {
  auto o = std::make_shared<CalibratedLinearOptions>();
  linear->add_option("--calibrate", o->calibrate,
                     "calibration inputs X (.npy or .csv, rows x in): run steps 0-4 per observer "
                     "on a real layer (needs --weights)");
  linear->add_option("--weights", o->weights, "with --calibrate: W (.npy or .csv, out x in)");
  linear->add_option("--bias", o->bias, "with --calibrate: B (.npy or .csv, out values)");
  linear->add_option("--evaluate", o->evaluate,
                     "with --calibrate: evaluation inputs (rows x in); default: the second half "
                     "of the --calibrate rows (the first half calibrates)");
  linear->add_option("--observers", o->observers,
                     "with --calibrate: comma list of minmax, max_abs, percentile, mse, entropy "
                     "(default all)");
  linear->add_option("--percentile", o->percentile, "with --calibrate: p (default 99.99)");
  return o;
}

int explain_calibrated_linear(const CalibratedLinearOptions& o, bool json, std::ostream& out) {
  const Tensor x = matrix(o.calibrate, "--calibrate");
  const Tensor w = matrix(o.weights, "--weights");
  const std::size_t in = x.shape[1];
  if (w.shape[1] != in) {
    throw ParameterError("--weights", "out x " + std::to_string(in) + " (in from --calibrate)",
                         std::to_string(w.shape[0]) + "x" + std::to_string(w.shape[1]));
  }
  ref::LinearData calibration, evaluation;
  for (ref::LinearData* d : {&calibration, &evaluation}) {
    d->in_features = in;
    d->out_features = w.shape[0];
    d->w = w.values;
  }
  if (!o.bias.empty()) {
    const Tensor b = read_tensor(o.bias);
    if (b.values.size() != w.shape[0]) {
      throw ParameterError("--bias", std::to_string(w.shape[0]) + " values (out from --weights)",
                           std::to_string(b.values.size()));
    }
    calibration.bias = evaluation.bias = b.values;
  }
  if (o.evaluate.empty()) {
    if (x.shape[0] < 2) {
      throw ParameterError("--calibrate", "at least 2 rows (or --evaluate)", "1 row");
    }
    calibration.batch = x.shape[0] / 2;
    evaluation.batch = x.shape[0] - calibration.batch;
    calibration.x = rows(x, 0, calibration.batch);
    evaluation.x = rows(x, calibration.batch, evaluation.batch);
  } else {
    const Tensor e = matrix(o.evaluate, "--evaluate");
    if (e.shape[1] != in) {
      throw ParameterError("--evaluate", "rows x " + std::to_string(in), std::to_string(e.shape[1]));
    }
    calibration.batch = x.shape[0];
    calibration.x = x.values;
    evaluation.batch = e.shape[0];
    evaluation.x = e.values;
  }
  // Every observer runs the float layer and the integer pipeline in exact rationals, so the
  // run time grows with rows x in x out (2 x 4097 x 512, four times the cap, took 127 s on a
  // loaded 2-core machine); larger layers are for the library or `conform`. Checked before
  // any arithmetic.
  constexpr std::uint64_t kMaxExplainedMacs = std::uint64_t{1} << 20;
  const std::uint64_t rows_total = calibration.batch + evaluation.batch;
  const std::uint64_t per_row = static_cast<std::uint64_t>(in) * w.shape[0];
  if (per_row > kMaxExplainedMacs || rows_total > kMaxExplainedMacs / per_row) {
    throw ParameterError("--calibrate",
                         "at most " + std::to_string(kMaxExplainedMacs) +
                             " multiply-adds (calibration + evaluation rows x in x out)",
                         std::to_string(rows_total) + " x " + std::to_string(in) + " x " +
                             std::to_string(w.shape[0]));
  }
  const auto observers =
      observers_named(o.observers, ref::parse_binary64(o.percentile, "--percentile"));
  nlohmann::json results = nlohmann::json::array();
  if (!json) {
    out << "explain linear --calibrate: " << calibration.batch << " calibration rows, "
        << evaluation.batch << " evaluation rows, " << in << " -> " << w.shape[0] << "\n"
        << "step 0: each observer's range of x and of the float layer's y on the calibration "
           "rows -> Q1 int8 (S, Z); W symmetric narrow int8 per output channel, B int32 (Q4)\n"
        << "steps 1-4 (Q9.5) integer-only on the evaluation rows; errors against the exact "
           "x.W + B\n\n";
    out << "observer    x range                  Sx           Zx    y range                  "
           "Sy           Zy    max|err|   mean|err|  max err/Sy  SQNR dB\n";
  }
  for (const Observer& observer : observers) {
    const Comparison c = compare(observer, calibration, evaluation);
    if (json) {
      results.push_back({{"observer", observer.name},
                         {"symmetric", observer.symmetric},
                         {"x", tensor_json(c.x_range, c.x)},
                         {"y", tensor_json(c.y_range, c.y)},
                         {"max_abs_error", c.max_abs_error},
                         {"mean_abs_error", c.mean_abs_error},
                         {"max_error_output_steps", c.max_error_steps},
                         {"sqnr_db", std::isinf(c.sqnr_db) ? nlohmann::json("inf")
                                                           : nlohmann::json(c.sqnr_db)},
                         {"accumulator_overflow", c.accumulator_overflow}});
      continue;
    }
    char line[512];
    std::snprintf(line, sizeof line,
                  "%-11s [%-9.4g, %-9.4g]  %-12.6g %-5lld [%-9.4g, %-9.4g]  %-12.6g %-5lld "
                  "%-10.5g %-10.5g %-11.4g %s%s\n",
                  observer.name.c_str(), static_cast<double>(c.x_range.min),
                  static_cast<double>(c.x_range.max), static_cast<double>(c.x.scales[0]),
                  static_cast<long long>(c.x.zero_points[0]), static_cast<double>(c.y_range.min),
                  static_cast<double>(c.y_range.max), static_cast<double>(c.y.scales[0]),
                  static_cast<long long>(c.y.zero_points[0]), c.max_abs_error, c.mean_abs_error,
                  c.max_error_steps, fixed(c.sqnr_db, 2).c_str(),
                  c.accumulator_overflow ? " (accumulator overflow)" : "");
    out << line;
  }
  if (json) {
    out << nlohmann::json{{"calibration_rows", calibration.batch},
                          {"evaluation_rows", evaluation.batch},
                          {"in_features", in},
                          {"out_features", w.shape[0]},
                          {"observers", results}}
               .dump()
        << "\n";
  }
  return kExitOk;
}

}  // namespace quantspec::cli
