// Q18/Q19 calibration vectors: input tensor -> observer range -> Q1 (S, Z). The variant is
// the observer; its parameters (percentile, averaging_constant, bins, quantized_bins) and Q1's
// choices are params.
#include <cmath>
#include <limits>

#include "builder.hpp"
#include "quantspec/reference/entropy_calibration.hpp"
#include "quantspec/reference/histogram_calibration.hpp"
#include "quantspec/reference/observers.hpp"

namespace quantspec::vectors::detail {
namespace {

using ref::DType;

struct Tensor {
  std::string comment;
  std::vector<std::string> flags;
  std::vector<float> data;
  std::vector<std::size_t> shape;  // [batches, per batch] for moving_average
};

Json encode_all(const std::vector<float>& values) {
  Json array = Json::array();
  for (float v : values) array.push_back(encode(v));
  return array;
}

Json encode_shape(const std::vector<std::size_t>& shape) {
  Json array = Json::array();
  for (std::size_t d : shape) array.push_back(d);
  return array;
}

// Heavy-tailed activations: mostly small values, a few large outliers (where the observers
// disagree most).
std::vector<float> heavy_tailed(Rng& rng, std::size_t n) {
  std::vector<float> v;
  for (std::size_t i = 0; i < n; ++i) {
    float x = rng.log_uniform_float(-6, 1);
    if (rng.uniform(0, 15) == 0) x = rng.log_uniform_float(2, 5);
    v.push_back(rng.coin() ? -x : x);
  }
  return v;
}

std::vector<Tensor> tensors() {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const float inf = std::numeric_limits<float>::infinity();
  std::vector<Tensor> t = {
      {"Example Q18.E1", {}, {0.5f, -1.5f, 2.5f, 1.0f}, {2, 2}},
      {"Example Q18.E5", {}, {-10, 1, 2, 3, -4, 0}, {2, 3}},
      {"1..8", {}, {1, 2, 3, 4, 5, 6, 7, 8}, {2, 4}},
      {"a single value: widened to contain 0", {"degenerate_range"}, {3.0f}, {1, 1}},
      {"all zeros", {"degenerate_range"}, {0.0f, -0.0f, 0.0f, 0.0f}, {2, 2}},
      {"all NaN: rejected (data[0])", {}, {nan, nan}, {1, 2}},
      {"NaN element: rejected, not skipped", {}, {1.0f, nan, 2.0f, 3.0f}, {2, 2}},
      {"infinite element: rejected", {}, {1.0f, 2.0f, -inf, 3.0f}, {2, 2}},
      {"empty tensor: rejected", {}, {}, {0, 0}},
  };
  Rng rng(0xCA11B000);
  for (int i = 0; i < 4; ++i) {
    t.push_back({"heavy-tailed, seed 0xCA11B000 #" + std::to_string(i), {"random"},
                 heavy_tailed(rng, 32), {4, 8}});
  }
  return t;
}

struct Observer {
  std::string name;
  Json params;
  std::function<ref::ObservedRange(const Tensor&, const ref::ParamsOptions&)> observe;
};

// The rows (shape[0] of them) as batches, in order (moving_average, entropy).
std::vector<std::vector<float>> rows_of(const Tensor& t) {
  std::vector<std::vector<float>> rows;
  const std::size_t batches = t.shape.empty() ? 1 : t.shape[0];
  const std::size_t per = batches == 0 ? 0 : t.data.size() / batches;
  if (t.data.empty()) rows.push_back(t.data);  // rejected, naming data
  for (std::size_t b = 0; b < batches && per > 0; ++b) {
    rows.emplace_back(t.data.begin() + b * per, t.data.begin() + (b + 1) * per);
  }
  return rows;
}

std::vector<Observer> observers() {
  auto moving = [](double c) {
    return [c](const Tensor& t, const ref::ParamsOptions&) {
      ref::MovingAverageMinMax observer(c);
      for (const auto& row : rows_of(t)) observer.observe(row);
      return observer.range();
    };
  };
  auto pct = [](double p, bool symmetric) {
    return [p, symmetric](const Tensor& t, const ref::ParamsOptions&) {
      return ref::observe_percentile(t.data, p, symmetric);
    };
  };
  // Q19.2: symmetric grids search a threshold, asymmetric ones a range.
  auto mse = [](std::int64_t bins) {
    return [bins](const Tensor& t, const ref::ParamsOptions& options) {
      if (options.symmetric) {
        return ref::range_from_threshold(ref::mse_optimal_threshold(t.data, bins, options).threshold());
      }
      return ref::mse_optimal_range(t.data, bins, options).range();
    };
  };
  // Q19.3-Q19.5 over the rows as batches.
  auto entropy = [](std::int64_t bins, std::int64_t levels) {
    return [bins, levels](const Tensor& t, const ref::ParamsOptions&) {
      ref::SignedHistogramCollector collector(bins);
      for (const auto& row : rows_of(t)) collector.observe(row);
      return ref::entropy_threshold(collector.histogram(), levels).range;
    };
  };
  return {
      {"minmax", Json::object(),
       [](const Tensor& t, const ref::ParamsOptions&) { return ref::observe_min_max(t.data); }},
      {"max_abs", Json::object(),
       [](const Tensor& t, const ref::ParamsOptions&) {
         return ref::range_from_threshold(ref::observe_max_abs(t.data));
       }},
      {"moving_average", Json{{"averaging_constant", encode_binary64(0.01)}}, moving(0.01)},
      {"moving_average", Json{{"averaging_constant", encode_binary64(0.5)}}, moving(0.5)},
      {"percentile", Json{{"percentile", encode_binary64(99.99)}, {"percentile_of_abs", false}},
       pct(99.99, false)},
      {"percentile", Json{{"percentile", encode_binary64(90.0)}, {"percentile_of_abs", false}},
       pct(90.0, false)},
      {"percentile", Json{{"percentile", encode_binary64(99.0)}, {"percentile_of_abs", true}},
       pct(99.0, true)},
      {"mse", Json{{"bins", encode_int(16)}}, mse(16)},
      {"entropy", Json{{"bins", encode_int(64)}, {"quantized_bins", encode_int(16)}}, entropy(64, 16)},
  };
}

}  // namespace

Json calibration_family() {
  FileBuilder file("calibration", "Q18",
                   {"An observer's range of a calibration tensor (Q18.2-Q18.5, Q19.2 mse, "
                    "Q19.3-Q19.5 entropy), then Q1 (scale, zero_point) of that range (Q18.6). "
                    "NaN, infinite elements and an empty tensor are rejected (Q18.1).",
                    "Operands: params (observer parameters, dtype, symmetric) and inputs (data, "
                    "shape: row-major; moving_average and entropy take the rows, shape[0] of "
                    "them, as their batches in order; mse searches a threshold when symmetric, "
                    "a range otherwise); outputs min, max (the observed range), scale, "
                    "zero_point."});
  struct Grid {
    DType dtype;
    bool symmetric;
  };
  const std::vector<Grid> grids = {{DType::int8, false}, {DType::int8, true}, {DType::uint8, false}};
  const auto all = tensors();
  for (const Observer& observer : observers()) {
    for (const Grid& grid : grids) {
      Json params = observer.params;
      params["dtype"] = ref::name(grid.dtype);
      params["symmetric"] = grid.symmetric;
      auto& group = file.group("CalibrationTest", Json{{"observer", observer.name}}, params);
      ref::ParamsOptions options;
      options.dtype = grid.dtype;
      options.symmetric = grid.symmetric;
      for (const Tensor& t : all) {
        group.add_computed(t.comment, t.flags,
                           Json{{"data", encode_all(t.data)}, {"shape", encode_shape(t.shape)}},
                           [&]() {
                             const ref::ObservedRange r = observer.observe(t, options);
                             const auto p = ref::params_from_range(r, options);
                             return Json{{"min", encode(r.min)}, {"max", encode(r.max)},
                                         {"scale", encode(p.scale)},
                                         {"zero_point", encode_int(p.zero_point)}};
                           });
      }
    }
  }
  return file.finish();
}

}  // namespace quantspec::vectors::detail
