// Bug: `ideal` requantization computed in binary64 — M = fl64(fl64(Sx*Sw)/Sy) first, then
// R(fl64(acc * M)) — instead of exactly (Q7.1). Every result agrees with the reference except
// where acc * M is exactly a half (or, for floor / toward_zero, an integer) and M is not
// dyadic: fl64(M) is then off by up to half an ulp, and the product can land on the other side.
#include <cmath>
#include <cstdint>

#include "broken_kernels.hpp"

namespace quantspec::conformance::broken {
qs_kernel_table with_slot(void (*edit)(qs_kernel_table&), const char* name);

namespace {
double round_by(double v, uint32_t rounding) {
  switch (rounding) {
    case QS_ROUND_HALF_AWAY: return std::round(v);
    case QS_ROUND_HALF_UP: return std::floor(v + 0.5);
    case QS_ROUND_TOWARD_ZERO: return std::trunc(v);
    case QS_ROUND_FLOOR: return std::floor(v);
    default: return std::nearbyint(v);  // half_even in the default FP environment
  }
}

qs_status requantize_in_binary64(const qs_requantize_params* p, const int32_t* input, void* output, size_t n) {
  if (p == nullptr || p->requant.variant != QS_REQUANT_IDEAL) {
    return qs_scalar_example_table()->requantize(p, input, output, n);
  }
  const qs_status status = qs_scalar_example_table()->requantize(p, input, output, 0);  // validation
  if (status != QS_OK) return status;
  const qs_requantization& r = p->requant;
  const double m = static_cast<double>(r.input_scale) * r.weight_scale / r.output_scale;  // BUG: rounded M
  for (size_t i = 0; i < n; ++i) {
    const double v = static_cast<double>(input[i]) * m;
    double q = r.zero_point_entry == QS_ZP_BEFORE_ROUNDING ? round_by(v + r.output_zero_point, r.rounding)
                                                            : round_by(v, r.rounding) + r.output_zero_point;
    q = q < p->qmin ? p->qmin : q > p->qmax ? p->qmax : q;
    if (p->output_type == QS_S8) static_cast<int8_t*>(output)[i] = static_cast<int8_t>(q);
    else static_cast<uint8_t*>(output)[i] = static_cast<uint8_t>(q);
  }
  return QS_OK;
}
}  // namespace

const qs_kernel_table& ideal_requantize_in_binary64() {
  static const qs_kernel_table table =
      with_slot([](qs_kernel_table& t) { t.requantize = requantize_in_binary64; }, "broken: ideal in binary64");
  return table;
}

}  // namespace quantspec::conformance::broken
