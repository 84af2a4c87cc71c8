// Bug: double_round's SaturatingRoundingDoublingHighMul without the INT32_MIN * INT32_MIN
// saturation (the one overflowing input pair). With multiplier in [0, 2^31 - 1] (ABI version 1,
// reference Q7.1) the second operand is never INT32_MIN, so this bug cannot change any output:
// the suite exercises the closest reachable case (x = INT32_MIN with the largest multipliers)
// and the test asserts that it passes, documenting why (see the report).
#include <cstdint>

#include "broken_kernels.hpp"

namespace quantspec::conformance::broken {
qs_kernel_table with_slot(void (*edit)(qs_kernel_table&), const char* name);

namespace {
int32_t srdhm_unsaturated(int32_t a, int32_t b) {
  const int64_t ab = static_cast<int64_t>(a) * b;
  const int64_t nudge = ab >= 0 ? (int64_t{1} << 30) : 1 - (int64_t{1} << 30);
  return static_cast<int32_t>(static_cast<uint32_t>((ab + nudge) / (int64_t{1} << 31)));  // BUG: no saturation
}

int32_t rounding_divide_by_pot(int32_t x, int e) {
  const int64_t mask = (int64_t{1} << e) - 1;
  const int64_t remainder = x & mask;
  const int64_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return static_cast<int32_t>((static_cast<int64_t>(x) >> e) + (remainder > threshold ? 1 : 0));
}

qs_status requantize_double_round(const qs_requantize_params* p, const int32_t* input, void* output, size_t n) {
  if (p == nullptr || p->requant.variant != QS_REQUANT_DOUBLE_ROUND) {
    return qs_scalar_example_table()->requantize(p, input, output, n);
  }
  const qs_status status = qs_scalar_example_table()->requantize(p, input, output, 0);
  if (status != QS_OK) return status;
  const int left = p->requant.shift > 0 ? p->requant.shift : 0;
  const int right = p->requant.shift < 0 ? -p->requant.shift : 0;
  for (size_t i = 0; i < n; ++i) {
    int64_t x = static_cast<int64_t>(input[i]) * (int64_t{1} << left);
    x = x < INT32_MIN ? INT32_MIN : x > INT32_MAX ? INT32_MAX : x;
    int64_t q = rounding_divide_by_pot(srdhm_unsaturated(static_cast<int32_t>(x), p->requant.multiplier), right) +
                static_cast<int64_t>(p->requant.output_zero_point);
    q = q < p->qmin ? p->qmin : q > p->qmax ? p->qmax : q;
    if (p->output_type == QS_S8) static_cast<int8_t*>(output)[i] = static_cast<int8_t>(q);
    else static_cast<uint8_t*>(output)[i] = static_cast<uint8_t>(q);
  }
  return QS_OK;
}
}  // namespace

const qs_kernel_table& srdhm_without_saturation() {
  static const qs_kernel_table table =
      with_slot([](qs_kernel_table& t) { t.requantize = requantize_double_round; }, "broken: SRDHM unsaturated");
  return table;
}

}  // namespace quantspec::conformance::broken
