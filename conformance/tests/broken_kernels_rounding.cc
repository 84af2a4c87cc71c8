// Bug: quantize rounds ties away from zero (std::round, the C habit) where the caller asked for
// half_even. Expected to be caught by RoundsExactTiesByItsRule: t = 0.5 gives 1, not 0.
#include <cmath>

#include "broken_kernels.hpp"

namespace quantspec::conformance::broken {
qs_kernel_table with_slot(void (*edit)(qs_kernel_table&), const char* name);

namespace {
qs_status quantize_half_away(const qs_quantize_params* p, const float* input, void* output, size_t n) {
  if (p == nullptr || p->rounding != QS_ROUND_HALF_EVEN || p->division != QS_DIV_F32_DIVIDE) {
    return qs_scalar_example_table()->quantize(p, input, output, n);
  }
  // Validation as the spec asks (delegated on an empty call), then the buggy loop.
  const qs_status status = qs_scalar_example_table()->quantize(p, input, output, 0);
  if (status != QS_OK) return status;
  for (size_t i = 0; i < n; ++i) {
    float q;
    if (std::isnan(input[i])) {
      q = static_cast<float>(p->zero_point);
    } else {
      q = std::round(input[i] / p->scale) + static_cast<float>(p->zero_point);  // BUG: half away
    }
    q = std::fmin(std::fmax(q, static_cast<float>(p->qmin)), static_cast<float>(p->qmax));
    if (p->output_type == QS_S8) static_cast<int8_t*>(output)[i] = static_cast<int8_t>(q);
    else static_cast<uint8_t*>(output)[i] = static_cast<uint8_t>(q);
  }
  return QS_OK;
}
}  // namespace

const qs_kernel_table& half_away_for_half_even() {
  static const qs_kernel_table table =
      with_slot([](qs_kernel_table& t) { t.quantize = quantize_half_away; }, "broken: half_away for half_even");
  return table;
}

}  // namespace quantspec::conformance::broken
