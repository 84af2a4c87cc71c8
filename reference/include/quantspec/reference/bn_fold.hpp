// Q14 BatchNorm folding (BN 折叠, SPEC.md §Q14): the study note's third method for a
// non-linear-looking layer, remove it. An inference BatchNorm after a linear or conv layer is
// an affine map per output channel c, so it merges into the layer's weights and bias:
//   W'[c] = W[c] * gamma[c] / sqrt(var[c] + eps)
//   B'[c] = (B[c] - mean[c]) * gamma[c] / sqrt(var[c] + eps) + beta[c]
// `exact` rounds each real value once to binary32 (correctly rounded, decided by exact
// rational comparisons, never by evaluating the square root); `pytorch` is the binary32
// operation order of torch/nn/utils/fusion.py. Then the folded layer is quantized: weights
// per output channel (Q1, Q2), bias on the accumulator grid (Q4).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "quantspec/reference/bias.hpp"
#include "quantspec/reference/numbers.hpp"
#include "quantspec/reference/params.hpp"
#include "quantspec/reference/variants.hpp"

namespace quantspec::ref {

// Q14.1: the variants.
enum class BnFoldVariant { exact, pytorch };
std::string_view name(BnFoldVariant);
BnFoldVariant parse_bn_fold_variant(std::string_view text, std::string_view parameter = "variant");

// Q14.3: the layer the BatchNorm follows. PyTorch's two fusion functions order the bias
// products differently, so the layer kind is part of the pytorch variant (exact ignores it).
enum class BnFoldLayer { linear, conv2d };
std::string_view name(BnFoldLayer);
BnFoldLayer parse_bn_fold_layer(std::string_view text, std::string_view parameter = "layer");

// Q14.1: a layer followed by an inference BatchNorm. `weight` is row-major with the output
// channel as its first dimension (linear [out, in]; conv OHWI [O, KH, KW, C] as in Q9.3, or
// PyTorch's OIHW: either way channel c is the contiguous row c of weight.size() / out_channels
// values). `bias` is empty (zeros) or has out_channels values; each BatchNorm vector has
// out_channels values.
struct BatchNormLayer {
  BnFoldLayer layer = BnFoldLayer::conv2d;
  std::size_t out_channels = 0;
  std::vector<float> weight;
  std::vector<float> bias;
  std::vector<float> mean;      // running mean mu
  std::vector<float> variance;  // running variance sigma^2
  std::vector<float> gamma;     // BatchNorm weight
  std::vector<float> beta;      // BatchNorm bias
  float eps = 1e-5f;            // PyTorch's Python float enters as fl32(eps) (Q14.3)

  // Q14.5: ParameterError naming "out_channels" (0), "weight" (empty, or not a multiple of
  // out_channels), "bias", "mean", "variance", "gamma", "beta" (wrong length), "eps" (not
  // finite, or <= 0), "weight[i]" / "bias[c]" / "mean[c]" / "gamma[c]" / "beta[c]" (NaN or
  // infinite), "variance[c]" (NaN, infinite or negative).
  void validate() const;
  std::size_t row_size() const { return weight.size() / out_channels; }
};

// Q14.2: a real number a + k / sqrt(v) with rationals a, k and v > 0. Both folded values have
// this form: W' = 0 + (W*gamma) / sqrt(var + eps), B' = beta + ((B - mu)*gamma) / sqrt(var + eps).
struct SqrtForm {
  Rational offset;       // a
  Rational coefficient;  // k
  Rational radicand;     // v > 0
};
// Q14.2: the sign of value - m, decided exactly (squares of rationals, no square root).
int compare(const SqrtForm& value, const Rational& m);
// Q14.2: the binary32 nearest to the real value, ties to even (a tie needs sqrt(v) rational),
// overflow to +-inf, a nonzero value that rounds to 0 keeps its sign, an exact 0 is +0.
float round_to_binary32(const SqrtForm& value);
// Q14.2: true when the real value is exactly a binary32 midpoint (the tie was decided by the
// even rule): used by the trace and the vectors' exact_tie flag.
bool is_binary32_tie(const SqrtForm& value);

// Q14.2: the exact fold of one weight / one bias value (no validation beyond Q14.5's
// variance and eps rules, which the caller has checked).
SqrtForm folded_weight_form(float weight, float gamma, float variance, float eps);
SqrtForm folded_bias_form(float bias, float mean, float gamma, float variance, float eps,
                          float beta);

// Q14.3: PyTorch's binary32 steps for one channel, modelled with IEEE binary32 special values
// (overflow gives inf, inf * 0 gives NaN) and every rounding done in software.
struct PytorchFoldChannel {
  float variance_plus_eps = 0.0f;  // fl32(var + fl32(eps))
  float sqrt = 0.0f;               // fl32(sqrt(.))
  float rsqrt = 0.0f;              // fl32(1 / sqrt)
  float weight_scale = 0.0f;       // fl32(gamma * rsqrt), the factor of every weight
  float bias = 0.0f;               // B'
};
PytorchFoldChannel pytorch_fold_channel(BnFoldLayer layer, float bias, float mean,
                                        float variance, float eps, float gamma, float beta);
float pytorch_fold_weight(float weight, const PytorchFoldChannel& channel);

// Q14.1-Q14.3: the folded layer (same shapes as the input layer).
struct FoldedLayer {
  BnFoldVariant variant = BnFoldVariant::exact;
  std::vector<float> weight;            // W'
  std::vector<float> bias;              // B'
  std::vector<bool> weight_tie;         // exact: W'[i] was a binary32 midpoint
  std::vector<bool> bias_tie;           // exact: B'[c] was a binary32 midpoint
  bool any_non_finite = false;          // some W' or B' is +-inf (or NaN under pytorch)
};
FoldedLayer fold_batch_norm(const BatchNormLayer& layer, BnFoldVariant variant);

// Q14.4: how the folded layer is quantized. Weights: per output channel, Q1.3 parameters
// from each row's range (symmetric, narrow range by default: Q9.4, TFLite's int8 scheme) and
// Q2 quantize (exact division, the named rounding). Bias: Q4 with Sb[c] = Sx * Sw[c], only
// when the input scale Sx is given.
struct BnFoldQuantization {
  ParamsOptions weight_options{DType::int8, /*symmetric=*/true, /*narrow_range=*/true,
                               Rounding::half_away};
  Rounding weight_rounding = Rounding::half_even;
  std::optional<float> input_scale;
  Rounding bias_rounding = Rounding::half_away;
};
struct QuantizedFoldedLayer {
  std::vector<QuantizationParams> weight_params;  // one per output channel
  std::vector<Integer> weight_q;                  // same layout as the weights
  std::vector<QuantizedBias> bias_q;              // one per channel, when input_scale is set
};
// Q14.4: ParameterError naming "folded_weight[i]" / "folded_bias[c]" for a non-finite
// folded value, and the Q1/Q2/Q4 errors ("input_scale", "scale", ...).
QuantizedFoldedLayer quantize_folded(const FoldedLayer& folded, std::size_t out_channels,
                                     const BnFoldQuantization& options);

}  // namespace quantspec::ref
