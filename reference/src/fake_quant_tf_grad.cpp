// SPEC.md Q16.3: TensorFlow's min/max gradients. The element terms are dy * 1.0f or
// dy * 0.0f (exact for finite dy: dy itself or a zero carrying dy's sign); the sums are exact.
#include "quantspec/reference/fake_quant_tf_grad.hpp"

#include <cmath>
#include <limits>
#include <string>

#include "quantspec/reference/errors.hpp"

namespace quantspec::ref {
namespace {

// The binary32 product dy * select(condition, 1.0f, 0.0f) of the functor: exact for finite dy.
float times_indicator(float dy, bool condition) {
  return condition ? dy : std::copysign(0.0f, dy);
}

TfMinMaxGradTerms element_terms(float x, float dy, const TfNudged& n) {
  TfMinMaxGradTerms t;
  if (n.all_zero) {  // "If min and max are both zero, we propagate everything to inputs."
    t.dx = dy;
    return t;
  }
  t.unordered = std::isnan(x);
  const bool between = x >= n.nudged_min && x <= n.nudged_max;
  const bool below = x < n.nudged_min;
  const bool above = x > n.nudged_max;
  t.region = below ? GridRegion::below : (above ? GridRegion::above : GridRegion::inside);
  t.dx = times_indicator(dy, between);
  t.d_min = times_indicator(dy, below);
  t.d_max = times_indicator(dy, above);
  return t;
}

TfNudged nudge_for_gradient(const TfFakeQuantParams& params) {
  if (params.op == TfFakeQuantOp::with_min_max_args) {
    throw ParameterError("op", "with_min_max_vars or with_min_max_vars_per_channel (the Args "
                               "gradient has no min/max outputs)",
                         std::string(name(params.op)));
  }
  return tf_nudge(params);
}

}  // namespace

TfMinMaxGradTerms tensorflow_min_max_grad(float x, float dy, const TfFakeQuantParams& params) {
  const TfNudged n = nudge_for_gradient(params);
  exact(dy, "dy");  // NaN / inf: dy * 0.0f would be NaN in every sum
  return element_terms(x, dy, n);
}

TfMinMaxGradient tensorflow_min_max_gradient(const std::vector<float>& x,
                                             const std::vector<float>& dy,
                                             const std::vector<TfFakeQuantParams>& params) {
  if (params.empty()) throw ParameterError("params", "one entry per channel (at least 1)", "0");
  if (dy.size() != x.size()) {
    throw ParameterError("dy", "as many elements as x (" + std::to_string(x.size()) + ")",
                         std::to_string(dy.size()));
  }
  if (x.empty() || x.size() % params.size() != 0) {
    throw ParameterError("shape",
                         "a non-empty multiple of the channel count (" +
                             std::to_string(params.size()) + ")",
                         std::to_string(x.size()) + " elements");
  }
  std::vector<TfNudged> nudged;
  for (const TfFakeQuantParams& p : params) nudged.push_back(nudge_for_gradient(p));
  for (float g : dy) exact(g, "dy");
  TfMinMaxGradient out;
  out.dx.reserve(x.size());
  out.d_min.assign(params.size(), Rational(0));
  out.d_max.assign(params.size(), Rational(0));
  for (std::size_t i = 0; i < x.size(); ++i) {
    const std::size_t channel = i % params.size();
    const TfMinMaxGradTerms t = element_terms(x[i], dy[i], nudged[channel]);
    out.dx.push_back(t.dx);
    out.d_min[channel] += exact(t.d_min);
    out.d_max[channel] += exact(t.d_max);
  }
  return out;
}

// Q16.3, Args op: the functor's gradients * select(between, 1.0f, 0.0f) with no other output, so
// no sum constrains dy: the IEEE product is the definition (inf * 0 and NaN * 1 are NaN).
std::vector<float> tensorflow_args_gradient(const std::vector<float>& x, const std::vector<float>& dy,
                                            const TfFakeQuantParams& params) {
  if (params.op != TfFakeQuantOp::with_min_max_args) {
    throw ParameterError("op", "with_min_max_args (the Vars ops' gradients are tensorflow_min_max_gradient)",
                         std::string(name(params.op)));
  }
  const TfNudged n = tf_nudge(params);  // validates: the Args op requires min < max
  if (dy.size() != x.size()) {
    throw ParameterError("dy", "as many elements as x (" + std::to_string(x.size()) + ")",
                         std::to_string(dy.size()));
  }
  if (x.empty()) throw ParameterError("shape", "a non-empty tensor", "0 elements");
  std::vector<float> dx;
  dx.reserve(x.size());
  for (std::size_t i = 0; i < x.size(); ++i) {
    const bool between = x[i] >= n.nudged_min && x[i] <= n.nudged_max;  // false for a NaN x
    if (between) {
      dx.push_back(dy[i]);  // dy * 1.0f
    } else {
      dx.push_back(std::isfinite(dy[i]) ? std::copysign(0.0f, dy[i])
                                        : std::numeric_limits<float>::quiet_NaN());  // dy * 0.0f
    }
  }
  return dx;
}

}  // namespace quantspec::ref
