// Bug: quantize converts t = x / S to int32 first (x86 cvtps2dq: INT32_MIN, the "integer
// indefinite", for NaN and anything outside int32) and clamps afterwards. Expected to be caught
// by SaturatesQuotientsBeyondInt32: x / S = 2^31 gives qmin instead of qmax.
#include <cmath>
#include <cstdint>

#include "broken_kernels.hpp"

namespace quantspec::conformance::broken {
qs_kernel_table with_slot(void (*edit)(qs_kernel_table&), const char* name);

namespace {
int32_t cvtps2dq(float t) {
  if (!(t >= -2147483648.0f && t < 2147483648.0f)) return INT32_MIN;
  return static_cast<int32_t>(std::nearbyint(t));  // default rounding mode: ties to even
}

qs_status quantize_convert_first(const qs_quantize_params* p, const float* input, void* output, size_t n) {
  if (p == nullptr || p->rounding != QS_ROUND_HALF_EVEN || p->division != QS_DIV_F32_DIVIDE) {
    return qs_scalar_example_table()->quantize(p, input, output, n);
  }
  const qs_status status = qs_scalar_example_table()->quantize(p, input, output, 0);
  if (status != QS_OK) return status;
  for (size_t i = 0; i < n; ++i) {
    int64_t q = std::isnan(input[i]) ? p->zero_point
                                     : static_cast<int64_t>(cvtps2dq(input[i] / p->scale)) + p->zero_point;  // BUG
    q = q < p->qmin ? p->qmin : q > p->qmax ? p->qmax : q;
    if (p->output_type == QS_S8) static_cast<int8_t*>(output)[i] = static_cast<int8_t>(q);
    else static_cast<uint8_t*>(output)[i] = static_cast<uint8_t>(q);
  }
  return QS_OK;
}
}  // namespace

const qs_kernel_table& convert_before_clamp() {
  static const qs_kernel_table table =
      with_slot([](qs_kernel_table& t) { t.quantize = quantize_convert_first; }, "broken: convert before clamp");
  return table;
}

}  // namespace quantspec::conformance::broken
