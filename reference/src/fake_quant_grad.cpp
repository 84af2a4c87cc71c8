// SPEC.md Q16.2: learnable scale and zero-point gradients, the definition. The exact variant
// is LSQ's derivative in rationals; the pytorch variant applies round_to_binary32 after every
// binary32 operation of PyTorch's CPU backward, in its source order (no host FPU).
#include "quantspec/reference/fake_quant_grad.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "quantspec/reference/errors.hpp"

namespace quantspec::ref {
namespace {

Rational f32(const Rational& value) { return exact(round_to_binary32(value)); }

// Q16.2 PyTorch: the learnable per-tensor backward's zero point,
// static_cast<int64_t>(min(max(fl32(Zf + 0.5f), qmin), qmax)) (trunc toward zero).
std::int64_t pytorch_per_tensor_backward_zero_point(const LearnableGradParams& p) {
  const Rational shifted = f32(exact(p.zero_point) + Rational(1, 2));
  const Rational clamped = std::clamp(shifted, Rational(p.qmin), Rational(p.qmax));
  return round_to_integer(clamped, Rounding::toward_zero).convert_to<std::int64_t>();
}

// Q16.2: R(Zf) clamped to the grid (the forward's zero point, and PyTorch's per channel).
std::int64_t rounded_zero_point(const LearnableGradParams& p) {
  const Integer z = round_to_integer(exact(p.zero_point), Rounding::half_even);
  return std::clamp(z, Integer(p.qmin), Integer(p.qmax)).convert_to<std::int64_t>();
}

GridRegion region_of(const Integer& q, const LearnableGradParams& p) {
  if (q < p.qmin) return GridRegion::below;
  if (q > p.qmax) return GridRegion::above;
  return GridRegion::inside;
}

LearnableGradTerms exact_terms(float x, float dy, const LearnableGradParams& p) {
  LearnableGradTerms t;
  exact(x, "x");  // NaN / inf: ParameterError naming "x"
  t.zero_point = rounded_zero_point(p);
  const Rational quotient = exact(x) / exact(p.scale);
  const Integer rounded = round_to_integer(quotient, Rounding::half_even);
  t.region = region_of(rounded + t.zero_point, p);
  const Rational g = exact(dy) * exact(p.grad_factor);
  if (t.region == GridRegion::inside) {
    t.dx = exact(dy);
    t.d_scale = g * (Rational(rounded) - quotient);  // d/dS of R(x/S)*S with dR = 0
    t.d_zero_point = 0;
  } else {
    const std::int64_t bound = t.region == GridRegion::below ? p.qmin : p.qmax;
    t.dx = 0;
    t.d_scale = g * Rational(bound - t.zero_point);
    t.d_zero_point = -g * exact(p.scale);
  }
  return t;
}

LearnableGradTerms pytorch_terms(float x, float dy, const LearnableGradParams& p) {
  LearnableGradTerms t;
  t.zero_point = p.per_channel ? rounded_zero_point(p) : pytorch_per_tensor_backward_zero_point(p);
  const Rational z(t.zero_point);
  const Rational inv = f32(Rational(1) / exact(p.scale));  // 1.0f / scale
  // xqi = int64(nearbyint(Z + x * inv)): two binary32 roundings, or one when contracted; a NaN
  // or infinite sum, or one beyond int64, converts to INT64_MIN (x86-64 cvttss2si): below.
  bool below_by_conversion = !std::isfinite(x);
  Integer xqi = 0;
  if (!below_by_conversion) {
    const float sum = p.fused_multiply_add ? round_to_binary32(exact(x) * inv + z)
                                           : round_to_binary32(z + f32(exact(x) * inv));
    if (!std::isfinite(sum) || std::fabs(sum) >= 0x1p63f) {
      below_by_conversion = true;
    } else {
      xqi = round_to_integer(exact(sum), Rounding::half_even);
    }
  }
  t.region = below_by_conversion ? GridRegion::below : region_of(xqi, p);
  const Rational dyr = exact(dy), factor = exact(p.grad_factor), scale = exact(p.scale);
  if (t.region == GridRegion::inside) {
    t.dx = dyr;  // dy * true
    // xfqi = float((clamp(xqi) - Z) * scale); dS = dy * (xfqi - x) * inv_scale * grad_factor
    // (inside, clamp(xqi) = xqi).
    const Rational k = f32(Rational(xqi) - z);
    const Rational difference = p.fused_multiply_add ? f32(k * scale - exact(x))
                                                     : f32(f32(k * scale) - exact(x));
    t.d_scale = f32(f32(f32(dyr * difference) * inv) * factor);
    t.d_zero_point = 0;
  } else {
    const std::int64_t bound = t.region == GridRegion::below ? p.qmin : p.qmax;
    const Rational dscale_bound = f32(Rational(bound) - z);  // float dscale_small / _big
    t.dx = 0;
    t.d_scale = f32(f32(dyr * dscale_bound) * factor);
    t.d_zero_point = f32(f32(-dyr * scale) * factor);  // dy * (-1) * scale * grad_factor
  }
  return t;
}

}  // namespace

void LearnableGradParams::validate() const {
  exact(scale, "scale");
  if (!(scale > 0.0f)) throw ParameterError("scale", "> 0 and finite", hex_float(scale));
  exact(zero_point, "zero_point");
  exact(grad_factor, "grad_factor");
  if (qmin < -2147483648LL) throw ParameterError("qmin", ">= -2147483648", std::to_string(qmin));
  if (qmax > 2147483647LL) throw ParameterError("qmax", "<= 2147483647", std::to_string(qmax));
  if (qmin >= qmax) {
    throw ParameterError("qmin", "qmin < qmax (qmax = " + std::to_string(qmax) + ")",
                         std::to_string(qmin));
  }
}

LearnableGradTerms learnable_fake_quant_grad(float x, float dy, const LearnableGradParams& params,
                                             FakeQuantVariant variant) {
  params.validate();
  exact(dy, "dy");
  switch (variant) {
    case FakeQuantVariant::exact: return exact_terms(x, dy, params);
    case FakeQuantVariant::pytorch: return pytorch_terms(x, dy, params);
    case FakeQuantVariant::tensorflow: break;
  }
  throw ParameterError("variant", "exact or pytorch (TensorFlow's min/max gradients: Q16.3)",
                       std::string(name(variant)));
}

}  // namespace quantspec::ref
