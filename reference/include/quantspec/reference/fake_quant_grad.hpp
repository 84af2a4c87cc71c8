// SPEC.md Q16.2: the learnable scale and zero-point gradients of fake quantization (LSQ;
// PyTorch _fake_quantize_learnable_per_tensor_affine / _per_channel_affine backward), one
// element at a time: dL/dx, and the element's terms of dL/dS and dL/dZ (the gradients of S and
// Z are the exact sums of the terms over the elements that share them). Two variants:
//   exact   : the LSQ derivative of fq(x) = (clamp(R(x/S) + Z) - Z) * S in exact arithmetic;
//   pytorch : PyTorch's CPU backward, every binary32 operation modelled by round_to_binary32
//             in the order of its source (Q16.2 lists it), with or without the FMA
//             contractions of its AVX2 / AVX-512 builds.
#pragma once

#include <cstdint>

#include "quantspec/reference/fake_quant.hpp"
#include "quantspec/reference/numbers.hpp"

namespace quantspec::ref {

// Q16.2: the region of x on the grid, which decides the formulas.
enum class GridRegion { below, inside, above };

// Q16.2: parameters. zero_point is the learnable binary32 Zf; per_channel selects PyTorch's
// per-channel zero point rounding (nearbyint, as its forward) instead of the per-tensor
// backward's trunc(clamp(fl32(Zf + 0.5))).
struct LearnableGradParams {
  float scale = 1.0f;
  float zero_point = 0.0f;
  std::int64_t qmin = -128;
  std::int64_t qmax = 127;
  float grad_factor = 1.0f;
  bool per_channel = false;
  // pytorch only: the kernels of PyTorch's AVX2 / AVX-512 builds, where the compiler contracts
  // Z + x * inv into fl32(x*inv + Z) and xfqi - x (xfqi = k*S) into fl32(k*S - x), one
  // rounding each (fused multiply-add); false = the DEFAULT build (ATEN_CPU_CAPABILITY=default).
  bool fused_multiply_add = false;
  // ParameterError naming "scale" (not finite > 0), "zero_point" (not finite), "qmin"
  // (qmin >= qmax or outside int32), "qmax", "grad_factor" (not finite).
  void validate() const;
};

// Q16.2: one element's gradients. The exact variant's values are exact rationals; the pytorch
// variant's are binary32 values (held exactly).
struct LearnableGradTerms {
  GridRegion region = GridRegion::inside;
  std::int64_t zero_point = 0;  // the integer Z the backward uses
  Rational dx;                  // dL/dx
  Rational d_scale;             // this element's term of dL/dS
  Rational d_zero_point;        // this element's term of dL/dZ
};

// Q16.2: the definition. x and dy are binary32; exact: R = half_even, Z = R(Zf) clamped to the
// grid (as the forward). NaN or infinite x: exact rejects it (ParameterError "x"); pytorch
// takes the below branch (its int64 conversion gives INT64_MIN on x86-64).
LearnableGradTerms learnable_fake_quant_grad(float x, float dy, const LearnableGradParams& params,
                                             FakeQuantVariant variant);

}  // namespace quantspec::ref
