// Bug: requantize to s8 saturates y to int8, then adds Zy in int8 arithmetic (wrapping, as a
// vector of int8 lanes would) and only then clamps to [qmin, qmax]. Expected to be caught by
// AddsZeroPointWithoutWrappingBeforeTheClamp: y = 100, Zy = 127 gives -29 instead of 127.
#include <cstdint>
#include <vector>

#include "broken_kernels.hpp"

namespace quantspec::conformance::broken {
qs_kernel_table with_slot(void (*edit)(qs_kernel_table&), const char* name);

namespace {
qs_status requantize_wrapping(const qs_requantize_params* p, const int32_t* input, void* output, size_t n) {
  if (p == nullptr || p->output_type != QS_S8 || p->requant.zero_point_entry != QS_ZP_AFTER_ROUNDING) {
    return qs_scalar_example_table()->requantize(p, input, output, n);
  }
  const qs_status status = qs_scalar_example_table()->requantize(p, input, output, 0);
  if (status != QS_OK) return status;
  // y saturated to int8: the correct kernel with Zy = 0 over the full int8 range.
  qs_requantize_params y_only = *p;
  y_only.requant.output_zero_point = 0;
  y_only.qmin = -128;
  y_only.qmax = 127;
  std::vector<int8_t> y(n);
  qs_scalar_example_table()->requantize(&y_only, input, y.data(), n);
  for (size_t i = 0; i < n; ++i) {
    const int8_t sum = static_cast<int8_t>(y[i] + static_cast<int8_t>(p->requant.output_zero_point));  // BUG: wraps
    const int32_t q = sum < p->qmin ? p->qmin : sum > p->qmax ? p->qmax : sum;
    static_cast<int8_t*>(output)[i] = static_cast<int8_t>(q);
  }
  return QS_OK;
}
}  // namespace

const qs_kernel_table& int8_zero_point_wrap() {
  static const qs_kernel_table table =
      with_slot([](qs_kernel_table& t) { t.requantize = requantize_wrapping; }, "broken: int8 zero-point wrap");
  return table;
}

}  // namespace quantspec::conformance::broken
