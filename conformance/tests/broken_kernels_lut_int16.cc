// A broken TOSA TABLE int16 kernel (Q13.3): the fraction is taken as `in % 128`, C's remainder,
// which is negative for negative inputs (the definition takes the low 7 bits, in & 0x7F).
// Written from the spec, added to the scalar example table (which has no lut_int16). Expected
// to be caught by InterpolatesEveryInt16Input (any negative input not a multiple of 128).
#include <cstdint>

#include "broken_kernels.hpp"

namespace quantspec::conformance::broken {
qs_kernel_table with_slot(void (*edit)(qs_kernel_table&), const char* name);

namespace {
qs_status lut_int16_signed_remainder(const qs_lut_int16_params* p, const int16_t* in, int32_t* out, size_t n) {
  if (p == nullptr || p->table == nullptr || ((in == nullptr || out == nullptr) && n > 0)) {
    return QS_BAD_PARAMETERS;
  }
  for (size_t i = 0; i < n; ++i) {
    const int32_t v = in[i];
    const int32_t index = (v + 32768) >> 7;
    const int32_t fraction = v % 128;  // BUG: negative for negative v
    const int32_t base = p->table[index];
    out[i] = base * 128 + (p->table[index + 1] - base) * fraction;
  }
  return QS_OK;
}
}  // namespace

const qs_kernel_table& lut_int16_signed_fraction() {
  static const qs_kernel_table table = with_slot(
      [](qs_kernel_table& t) { t.lut_int16 = lut_int16_signed_remainder; }, "broken: lut_int16 fraction in % 128");
  return table;
}

}  // namespace quantspec::conformance::broken
