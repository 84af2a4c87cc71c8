// Q14 BatchNorm folding (SPEC.md §Q14). The exact fold never evaluates a square root: every
// rounding decision "is the real value above this binary32 midpoint?" is answered by squaring
// rationals (Q14.2), so the result is the correctly rounded binary32 with certainty and an
// exact tie is seen as a tie. The pytorch variant models each binary32 operation of
// torch/nn/utils/fusion.py with IEEE special values, rounding in software (Q14.3).
#include "quantspec/reference/bn_fold.hpp"

#include <cmath>
#include <cstring>
#include <limits>
#include <string>

#include "quantspec/reference/errors.hpp"
#include "quantspec/reference/quantize.hpp"

namespace quantspec::ref {

std::string_view name(BnFoldVariant variant) {
  switch (variant) {
    case BnFoldVariant::exact: return "exact";
    case BnFoldVariant::pytorch: return "pytorch";
  }
  return "?";
}

BnFoldVariant parse_bn_fold_variant(std::string_view text, std::string_view parameter) {
  if (text == "exact") return BnFoldVariant::exact;
  if (text == "pytorch") return BnFoldVariant::pytorch;
  throw ParameterError(std::string(parameter), "one of exact, pytorch", std::string(text));
}

std::string_view name(BnFoldLayer layer) {
  switch (layer) {
    case BnFoldLayer::linear: return "linear";
    case BnFoldLayer::conv2d: return "conv2d";
  }
  return "?";
}

BnFoldLayer parse_bn_fold_layer(std::string_view text, std::string_view parameter) {
  if (text == "linear") return BnFoldLayer::linear;
  if (text == "conv2d" || text == "conv") return BnFoldLayer::conv2d;
  throw ParameterError(std::string(parameter), "one of linear, conv2d", std::string(text));
}

namespace {

std::string show(float value) { return hex_float(value); }

void require_length(const std::vector<float>& values, std::size_t expected, const char* parameter,
                    bool empty_allowed = false) {
  if (empty_allowed && values.empty()) return;
  if (values.size() != expected) {
    throw ParameterError(parameter, std::to_string(expected) + " values (one per output channel)",
                         std::to_string(values.size()) + " values");
  }
}

void require_finite(const std::vector<float>& values, const char* parameter) {
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (!std::isfinite(values[i])) {
      throw ParameterError(std::string(parameter) + "[" + std::to_string(i) + "]",
                           "a finite number", show(values[i]));
    }
  }
}

}  // namespace

// Q14.5
void BatchNormLayer::validate() const {
  if (out_channels == 0) throw ParameterError("out_channels", "at least 1", "0");
  if (weight.empty() || weight.size() % out_channels != 0) {
    throw ParameterError("weight",
                         "a non-empty multiple of out_channels = " + std::to_string(out_channels) +
                             " values",
                         std::to_string(weight.size()) + " values");
  }
  require_length(bias, out_channels, "bias", /*empty_allowed=*/true);
  require_length(mean, out_channels, "mean");
  require_length(variance, out_channels, "variance");
  require_length(gamma, out_channels, "gamma");
  require_length(beta, out_channels, "beta");
  if (!std::isfinite(eps) || !(eps > 0.0f)) {
    throw ParameterError("eps", "finite and > 0", show(eps));
  }
  require_finite(weight, "weight");
  require_finite(bias, "bias");
  require_finite(mean, "mean");
  require_finite(gamma, "gamma");
  require_finite(beta, "beta");
  for (std::size_t c = 0; c < variance.size(); ++c) {
    if (!std::isfinite(variance[c]) || variance[c] < 0.0f) {
      throw ParameterError("variance[" + std::to_string(c) + "]", "finite and >= 0",
                           show(variance[c]));
    }
  }
}

// Q14.2: sign(a + k/sqrt(v) - m). With d = m - a and s = k/sqrt(v) (sign of k): if the signs
// of s and d differ (or one is 0) the sign of s - d is known; otherwise |s| <=> |d| is
// k^2 <=> d^2 * v, an exact comparison of rationals.
int compare(const SqrtForm& value, const Rational& m) {
  const Rational d = m - value.offset;
  const int sign_k = value.coefficient.sign();
  const int sign_d = d.sign();
  if (sign_k == 0) return -sign_d;
  if (sign_k > 0 && sign_d <= 0) return 1;
  if (sign_k < 0 && sign_d >= 0) return -1;
  const Rational k_squared = value.coefficient * value.coefficient;
  const Rational d_squared_v = d * d * value.radicand;
  const int magnitude = k_squared < d_squared_v ? -1 : (k_squared > d_squared_v ? 1 : 0);
  return sign_k > 0 ? magnitude : -magnitude;
}

namespace {

constexpr std::uint32_t kInfinityBits = 0x7F800000u;

float from_bits(std::uint32_t bits) {
  float value;
  std::memcpy(&value, &bits, sizeof value);
  return value;
}
std::uint32_t to_bits(float value) {
  std::uint32_t bits;
  std::memcpy(&bits, &value, sizeof bits);
  return bits;
}

// The upper end of the rounding interval of the positive binary32 with magnitude bits b:
// the midpoint between it and the next binary32 (2^128 stands in for the next of FLT_MAX,
// so values from FLT_MAX + ulp/2 on overflow, IEEE 754 roundTiesToEven).
Rational upper_midpoint(std::uint32_t bits) {
  const Rational here = exact(from_bits(bits));
  const Rational next = bits + 1 == kInfinityBits ? pow2(128) : exact(from_bits(bits + 1));
  return (here + next) / 2;
}

struct Rounded {
  float value;
  bool tie;
};

// Q14.2 for a positive value: the smallest magnitude b whose rounding interval's upper end
// is >= the value; a value equal to that end is a tie, which goes to the even significand.
Rounded round_positive(const SqrtForm& value) {
  std::uint32_t lo = 0;
  std::uint32_t hi = kInfinityBits;  // the answer is in [lo, hi]; hi = inf needs no test
  // A binary64 estimate of the value proposes the answer; two exact comparisons accept it
  // (the host arithmetic only chooses where to look, it decides nothing).
  const double estimate = round_to_binary64(value.offset) +
                          round_to_binary64(value.coefficient) /
                              std::sqrt(round_to_binary64(value.radicand));
  if (std::isfinite(estimate) && estimate > 0 &&
      estimate < static_cast<double>(std::numeric_limits<float>::max())) {
    const std::uint32_t guess = to_bits(static_cast<float>(estimate));
    if (guess < kInfinityBits) {
      if (compare(value, upper_midpoint(guess)) <= 0) {
        hi = guess;
        if (guess == 0 || compare(value, upper_midpoint(guess - 1)) > 0) lo = guess;
        else hi = guess - 1;
      } else {
        lo = guess + 1;
      }
    }
  }
  while (lo < hi) {
    const std::uint32_t mid = lo + (hi - lo) / 2;
    if (compare(value, upper_midpoint(mid)) <= 0) hi = mid;
    else lo = mid + 1;
  }
  bool tie = false;
  if (lo < kInfinityBits && compare(value, upper_midpoint(lo)) == 0) {
    tie = true;
    if (lo % 2 == 1) ++lo;  // the even significand (FLT_MAX's is odd: the tie overflows)
  }
  return {from_bits(lo), tie};
}

Rounded round_sqrt_form(const SqrtForm& value) {
  const int sign = compare(value, Rational(0));
  if (sign == 0) return {0.0f, false};
  if (sign > 0) return round_positive(value);
  const Rounded magnitude = round_positive(SqrtForm{-value.offset, -value.coefficient, value.radicand});
  return {-magnitude.value, magnitude.tie};
}

}  // namespace

float round_to_binary32(const SqrtForm& value) { return round_sqrt_form(value).value; }
bool is_binary32_tie(const SqrtForm& value) { return round_sqrt_form(value).tie; }

// Q14.2: W' = (W * gamma) / sqrt(var + eps).
SqrtForm folded_weight_form(float weight, float gamma, float variance, float eps) {
  return SqrtForm{Rational(0), exact(weight) * exact(gamma), exact(variance) + exact(eps)};
}

// Q14.2: B' = beta + ((B - mu) * gamma) / sqrt(var + eps).
SqrtForm folded_bias_form(float bias, float mean, float gamma, float variance, float eps,
                          float beta) {
  return SqrtForm{exact(beta), (exact(bias) - exact(mean)) * exact(gamma),
                  exact(variance) + exact(eps)};
}

namespace {

// Q14.3: IEEE 754 binary32 operations (round to nearest even), each finite case rounded in
// software from the exact result; the special cases follow IEEE 754 (x86 SSE/AVX, which
// PyTorch's CPU kernels run).
constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();
constexpr float kInf = std::numeric_limits<float>::infinity();

float f32_add(float a, float b) {
  if (std::isnan(a) || std::isnan(b)) return kNaN;
  if (std::isinf(a) || std::isinf(b)) {
    if (std::isinf(a) && std::isinf(b) && std::signbit(a) != std::signbit(b)) return kNaN;
    return std::isinf(a) ? a : b;
  }
  const Rational sum = exact(a) + exact(b);
  if (sum == 0) return (std::signbit(a) && std::signbit(b)) ? -0.0f : 0.0f;
  return round_to_binary32(sum);
}

float f32_sub(float a, float b) { return f32_add(a, -b); }

float f32_mul(float a, float b) {
  if (std::isnan(a) || std::isnan(b)) return kNaN;
  const bool negative = std::signbit(a) != std::signbit(b);
  if (std::isinf(a) || std::isinf(b)) {
    if (a == 0.0f || b == 0.0f) return kNaN;
    return negative ? -kInf : kInf;
  }
  const Rational product = exact(a) * exact(b);
  if (product == 0) return negative ? -0.0f : 0.0f;
  return round_to_binary32(product);
}

float f32_reciprocal(float x) {
  if (std::isnan(x)) return kNaN;
  if (x == 0.0f) return std::signbit(x) ? -kInf : kInf;
  if (std::isinf(x)) return std::signbit(x) ? -0.0f : 0.0f;
  return round_to_binary32(Rational(1) / exact(x));
}

float f32_sqrt(float x) {
  if (std::isnan(x) || x < 0.0f) return kNaN;
  if (x == 0.0f || std::isinf(x)) return x;
  // sqrt(x) = x / sqrt(x): the correctly rounded square root by Q14.2's exact comparisons.
  return round_to_binary32(SqrtForm{Rational(0), exact(x), exact(x)});
}

}  // namespace

// Q14.3: bn_var_rsqrt = torch.rsqrt(bn_rv + bn_eps) (the Python float eps becomes a binary32
// operand; ATen's rsqrt is 1 / sqrt in binary32), then per layer kind:
//   conv2d: W' = W * (gamma * rsqrt);        B' = ((B - mu) * rsqrt) * gamma + beta
//   linear: scale = gamma * rsqrt; W' = W * scale; B' = (B - mu) * scale + beta
PytorchFoldChannel pytorch_fold_channel(BnFoldLayer layer, float bias, float mean,
                                        float variance, float eps, float gamma, float beta) {
  PytorchFoldChannel channel;
  channel.variance_plus_eps = f32_add(variance, eps);
  channel.sqrt = f32_sqrt(channel.variance_plus_eps);
  channel.rsqrt = f32_reciprocal(channel.sqrt);
  channel.weight_scale = f32_mul(gamma, channel.rsqrt);
  const float centred = f32_sub(bias, mean);
  if (layer == BnFoldLayer::conv2d) {
    channel.bias = f32_add(f32_mul(f32_mul(centred, channel.rsqrt), gamma), beta);
  } else {
    channel.bias = f32_add(f32_mul(centred, channel.weight_scale), beta);
  }
  return channel;
}

float pytorch_fold_weight(float weight, const PytorchFoldChannel& channel) {
  return f32_mul(weight, channel.weight_scale);
}

// Q14.1-Q14.3
FoldedLayer fold_batch_norm(const BatchNormLayer& layer, BnFoldVariant variant) {
  layer.validate();
  FoldedLayer folded;
  folded.variant = variant;
  const std::size_t rows = layer.out_channels;
  const std::size_t row_size = layer.row_size();
  folded.weight.resize(layer.weight.size());
  folded.bias.resize(rows);
  folded.weight_tie.assign(layer.weight.size(), false);
  folded.bias_tie.assign(rows, false);
  for (std::size_t c = 0; c < rows; ++c) {
    const float bias = layer.bias.empty() ? 0.0f : layer.bias[c];
    if (variant == BnFoldVariant::exact) {
      for (std::size_t j = 0; j < row_size; ++j) {
        const std::size_t i = c * row_size + j;
        const Rounded w = round_sqrt_form(
            folded_weight_form(layer.weight[i], layer.gamma[c], layer.variance[c], layer.eps));
        folded.weight[i] = w.value;
        folded.weight_tie[i] = w.tie;
      }
      const Rounded b = round_sqrt_form(folded_bias_form(bias, layer.mean[c], layer.gamma[c],
                                                         layer.variance[c], layer.eps,
                                                         layer.beta[c]));
      folded.bias[c] = b.value;
      folded.bias_tie[c] = b.tie;
    } else {
      const PytorchFoldChannel channel =
          pytorch_fold_channel(layer.layer, bias, layer.mean[c], layer.variance[c], layer.eps,
                               layer.gamma[c], layer.beta[c]);
      for (std::size_t j = 0; j < row_size; ++j) {
        const std::size_t i = c * row_size + j;
        folded.weight[i] = pytorch_fold_weight(layer.weight[i], channel);
      }
      folded.bias[c] = channel.bias;
    }
  }
  for (float w : folded.weight) folded.any_non_finite |= !std::isfinite(w);
  for (float b : folded.bias) folded.any_non_finite |= !std::isfinite(b);
  return folded;
}

// Q14.4
QuantizedFoldedLayer quantize_folded(const FoldedLayer& folded, std::size_t out_channels,
                                     const BnFoldQuantization& options) {
  if (out_channels == 0 || folded.weight.empty() || folded.weight.size() % out_channels != 0 ||
      folded.bias.size() != out_channels) {
    throw ParameterError("out_channels", "divides the folded weights, one bias per channel",
                         std::to_string(out_channels));
  }
  for (std::size_t i = 0; i < folded.weight.size(); ++i) {
    if (!std::isfinite(folded.weight[i])) {
      throw ParameterError("folded_weight[" + std::to_string(i) + "]",
                           "finite (the fold overflowed binary32)", show(folded.weight[i]));
    }
  }
  for (std::size_t c = 0; c < folded.bias.size(); ++c) {
    if (!std::isfinite(folded.bias[c])) {
      throw ParameterError("folded_bias[" + std::to_string(c) + "]",
                           "finite (the fold overflowed binary32)", show(folded.bias[c]));
    }
  }
  const std::size_t row_size = folded.weight.size() / out_channels;
  QuantizedFoldedLayer result;
  result.weight_params = choose_params_per_channel(folded.weight, {out_channels, row_size},
                                                   /*axis=*/0, options.weight_options);
  result.weight_q.reserve(folded.weight.size());
  for (std::size_t i = 0; i < folded.weight.size(); ++i) {
    const QuantizeParams params =
        QuantizeParams::from(result.weight_params[i / row_size], options.weight_rounding);
    result.weight_q.push_back(quantize(folded.weight[i], params));
  }
  if (options.input_scale) {
    std::vector<float> weight_scales;
    for (const auto& p : result.weight_params) weight_scales.push_back(p.scale);
    result.bias_q = quantize_bias_per_channel(folded.bias, *options.input_scale, weight_scales,
                                              options.bias_rounding);
  }
  return result;
}

}  // namespace quantspec::ref
