// SPEC Q20.3 oneDNN 3.x output stage, fast path: the host's binary32 operations in the order of
// the definition (onednn3_requantize.hpp), each stored to a volatile so none is contracted.
#include <algorithm>
#include <cmath>

#include "quantspec/reference/onednn3_requantize.hpp"

namespace quantspec::ref {

std::int32_t onednn3_requantize_fast(std::int32_t acc, const OneDnn3RequantParams& p) {
  p.validate();
  const volatile float a = static_cast<float>(acc);
  volatile float t1;
  if (p.order == OneDnn3Order::brgemm) {
    const volatile float c = p.src_scale * p.wei_scale;
    t1 = c == 0.0f ? 0.0f : a * c;
  } else {
    const volatile float scaled = a * p.src_scale;
    t1 = std::isinf(scaled) ? scaled : scaled * p.wei_scale;
  }
  const volatile float t2 = t1 + p.bias;
  const volatile float r = 1.0f / p.dst_scale;
  const volatile float t3 = t2 * r;
  const volatile float u = t3 + static_cast<float>(p.zero_point);
  if (std::isinf(u)) return u > 0 ? p.qmax : p.qmin;
  const float clamped = std::min(std::max(static_cast<float>(u), static_cast<float>(p.qmin)), static_cast<float>(p.qmax));
  return static_cast<std::int32_t>(std::nearbyint(clamped));
}

}  // namespace quantspec::ref
