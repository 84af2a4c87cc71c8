// Bugs of the SPEC Q11 members (kernel_abi.h variants 9..11), each a kernel that runs the Q7
// pipeline its member is most easily mistaken for:
//  - neon_double_round computed as gemmlowp's double_round (saturating left shift, the final
//    rounding shift with ties away from zero: the fix-up gemmlowp adds before SRSHL, Q11.1);
//  - int16x8_int64 computed with the full 31-bit multiplier (single_round: the 16 low bits
//    TFLite drops are kept, Q11.2);
//  - rndnu16 computed as rndnu (one rounding: no rounding pre-shift, no int16 stage, Q11.8);
//  - double_round with the left shift wrapping (TFLite's own code, declared as the saturating
//    SPEC CHOICE), and double_round_wrap saturating it (Q7.2).
// Parameters are validated as the member's (the scalar example with n = 0); every other call
// goes to the scalar example unchanged.
#include "broken_kernels.hpp"

namespace quantspec::conformance::broken {
qs_kernel_table with_slot(void (*edit)(qs_kernel_table&), const char* name);

namespace {

template <uint32_t kMember, uint32_t kMistakenFor>
qs_status requantize_as(const qs_requantize_params* p, const int32_t* input, void* output, size_t n) {
  if (p == nullptr || p->requant.variant != kMember) return qs_scalar_example_table()->requantize(p, input, output, n);
  const qs_status status = qs_scalar_example_table()->requantize(p, input, output, 0);  // the member's validation
  if (status != QS_OK) return status;
  qs_requantize_params mistaken = *p;
  mistaken.requant.variant = kMistakenFor;
  return qs_scalar_example_table()->requantize(&mistaken, input, output, n);
}

template <uint32_t kMember, uint32_t kMistakenFor>
qs_status requantize_per_channel_as(const qs_requantize_params* p, const int32_t* input, void* output, size_t n) {
  if (p == nullptr || p->requant.variant != kMember) {
    return qs_scalar_example_table()->requantize_per_channel(p, input, output, n);
  }
  const qs_status status = qs_scalar_example_table()->requantize_per_channel(p, input, output, 0);
  if (status != QS_OK) return status;
  qs_requantize_params mistaken = *p;
  mistaken.requant.variant = kMistakenFor;
  return qs_scalar_example_table()->requantize_per_channel(&mistaken, input, output, n);
}

template <uint32_t kMember, uint32_t kMistakenFor>
void edit(qs_kernel_table& t) {
  t.requantize = requantize_as<kMember, kMistakenFor>;
  t.requantize_per_channel = requantize_per_channel_as<kMember, kMistakenFor>;
}

// A kernel built against the header before variants 9..11 were appended: outside its enum.
qs_status requantize_before_the_selectors(const qs_requantize_params* p, const int32_t* input, void* output, size_t n) {
  if (p != nullptr && p->requant.variant > QS_REQUANT_RNDNA) return QS_BAD_PARAMETERS;
  return qs_scalar_example_table()->requantize(p, input, output, n);
}
qs_status requantize_per_channel_before_the_selectors(const qs_requantize_params* p, const int32_t* input,
                                                      void* output, size_t n) {
  if (p != nullptr && p->requant.variant > QS_REQUANT_RNDNA) return QS_BAD_PARAMETERS;
  return qs_scalar_example_table()->requantize_per_channel(p, input, output, n);
}
qs_status linear_before_the_selectors(const qs_linear_params* p, const void* a, size_t a_stride, const int8_t* w,
                                      size_t w_stride, void* out, size_t out_stride, size_t m, size_t n, size_t k) {
  if (p != nullptr && p->requant.variant > QS_REQUANT_RNDNA) return QS_BAD_PARAMETERS;
  return qs_scalar_example_table()->linear(p, a, a_stride, w, w_stride, out, out_stride, m, n, k);
}

// The same, but accepting the s8 flavor of neon_double_round and rejecting u8: inconsistent,
// so a failure, not "not provided".
qs_status requantize_half_aware_of_the_selectors(const qs_requantize_params* p, const int32_t* input, void* output,
                                                 size_t n) {
  if (p != nullptr && p->requant.variant > QS_REQUANT_RNDNA && p->output_type == QS_U8) return QS_BAD_PARAMETERS;
  return qs_scalar_example_table()->requantize(p, input, output, n);
}

}  // namespace

const qs_kernel_table& predates_the_deployed_selectors() {
  static const qs_kernel_table table = with_slot(
      [](qs_kernel_table& t) {
        t.requantize = requantize_before_the_selectors;
        t.requantize_per_channel = requantize_per_channel_before_the_selectors;
        t.linear = linear_before_the_selectors;
      },
      "built before requantization variants 9..11");
  return table;
}

const qs_kernel_table& rejects_a_deployed_selector_for_u8_only() {
  static const qs_kernel_table table =
      with_slot([](qs_kernel_table& t) { t.requantize = requantize_half_aware_of_the_selectors; },
                "rejects requantization variants 9..11 for u8 only");
  return table;
}

const qs_kernel_table& neon_double_round_as_gemmlowp() {
  static const qs_kernel_table table = with_slot(edit<QS_REQUANT_NEON_DOUBLE_ROUND, QS_REQUANT_DOUBLE_ROUND>,
                                                 "broken: neon_double_round as gemmlowp double_round");
  return table;
}

const qs_kernel_table& int16x8_with_the_full_multiplier() {
  static const qs_kernel_table table = with_slot(edit<QS_REQUANT_INT16X8_INT64, QS_REQUANT_SINGLE_ROUND>,
                                                 "broken: int16x8_int64 with the 31-bit multiplier");
  return table;
}

const qs_kernel_table& double_round_with_a_wrapping_left_shift() {
  static const qs_kernel_table table = with_slot(edit<QS_REQUANT_DOUBLE_ROUND, QS_REQUANT_DOUBLE_ROUND_WRAP>,
                                                 "broken: double_round with TFLite's wrapping left shift");
  return table;
}

const qs_kernel_table& double_round_wrap_that_saturates() {
  static const qs_kernel_table table = with_slot(edit<QS_REQUANT_DOUBLE_ROUND_WRAP, QS_REQUANT_DOUBLE_ROUND>,
                                                 "broken: double_round_wrap saturating the left shift");
  return table;
}

const qs_kernel_table& rndnu16_as_rndnu() {
  static const qs_kernel_table table =
      with_slot(edit<QS_REQUANT_RNDNU16, QS_REQUANT_RNDNU>, "broken: rndnu16 as one rndnu rounding");
  return table;
}

}  // namespace quantspec::conformance::broken
