// SPEC Q20.3: oneDNN 3.x int8 matmul's output stage with per-argument scales, the two orders
// its implementations compute (read in oneapi-src/oneDNN; not run: Debian ships 2.6):
//   brgemm    : c = fl32(Ssrc*Swei) (scale_utils precompute_scales), t1 = fl32(fl32(acc)*c);
//   reference : t1 = fl32(fl32(fl32(acc)*Ssrc)*Swei) (ref_matmul_int8.cpp);
// then, both: t2 = fl32(t1 + b) (f32 bias, real units), t3 = fl32(t2 * fl32(1/Sdst))
// (DEFINE_ARG_SCALES_BUFFER), u = fl32(t3 + Zy), q = half_even(clamp(u, qmin, qmax))
// (saturate_cvt_f32: a float clamp, then vcvtps2dq). onednn3_requantize() is the DEFINITION
// (exact rationals, each binary32 step rounded once); onednn3_requantize_fast() the host
// binary32 fast path, held to it by `OneDnn3RequantizeFast.EqualsDefinition`.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "quantspec/reference/numbers.hpp"

namespace quantspec::ref {

enum class OneDnn3Order { brgemm, reference };
std::string_view name(OneDnn3Order order);
OneDnn3Order parse_onednn3_order(std::string_view text, std::string_view parameter = "order");

struct OneDnn3RequantParams {
  OneDnn3Order order = OneDnn3Order::brgemm;
  float src_scale = 1.0f;  // Ssrc, finite > 0 (subnormal allowed)
  float wei_scale = 1.0f;  // Swei
  float dst_scale = 1.0f;  // Sdst
  float bias = 0.0f;       // b, finite, real units
  std::int32_t zero_point = 0;  // Zy in [qmin, qmax]
  std::int32_t qmin = -128;
  std::int32_t qmax = 127;
  // ParameterError naming "src_scale", "wei_scale", "dst_scale" (not finite or <= 0, or
  // fl32(1/Sdst) overflowing), "bias" (not finite), "qmin" (> qmax or below -2^24), "qmax"
  // (above 2^24: the float clamp must hold the bounds exactly), "zero_point".
  void validate() const;
};

Integer onednn3_requantize(const Integer& acc, const OneDnn3RequantParams& params);
std::int32_t onednn3_requantize_fast(std::int32_t acc, const OneDnn3RequantParams& params);

}  // namespace quantspec::ref
