// Bugs in which fields a kernel reads (kernel_abi.h states which fields each operation reads):
//  - quantize_per_channel hands a one-channel call to the per-tensor kernel, which reads the
//    per-tensor scale and zero point (right only when a caller happens to copy channel 0 there);
//  - requantize validates the binary32 `scale` for every variant, so a fixed-point call whose
//    unused `scale` holds garbage is rejected;
//  - requantize_per_channel loads every per-channel array whatever the variant (the scalar
//    example did).
// Expected to be caught by UsesChannelIModChannels (the one-channel case) and by every
// requantize catalogue check (the calls whose unread fields hold NaN).
#include <cmath>

#include "broken_kernels.hpp"

namespace quantspec::conformance::broken {
qs_kernel_table with_slot(void (*edit)(qs_kernel_table&), const char* name);

namespace {
qs_status quantize_one_channel_as_per_tensor(const qs_quantize_params* p, const float* input, void* output,
                                             size_t n) {
  const qs_kernel_table& scalar = *qs_scalar_example_table();
  if (p != nullptr && p->channels == 1) return scalar.quantize(p, input, output, n);  // BUG: p->scale is unused here
  return scalar.quantize_per_channel(p, input, output, n);
}

qs_status requantize_validating_every_scale(const qs_requantize_params* p, const int32_t* input, void* output,
                                            size_t n) {
  if (p != nullptr && !(std::isfinite(p->requant.scale) && p->requant.scale > 0.0f)) {
    return QS_BAD_PARAMETERS;  // BUG: only FP32 reads `scale`
  }
  return qs_scalar_example_table()->requantize(p, input, output, n);
}
// The scalar example's old channel view: it loaded all four arrays for every variant.
qs_status requantize_loading_every_array(const qs_requantize_params* p, const int32_t* input, void* output,
                                         size_t n) {
  if (p != nullptr && p->channels > 0 && n > 0) {
    const qs_requantization& r = p->requant;
    volatile float sink = 0.0f;
    if (r.multipliers && r.shifts && r.scales && r.weight_scales) {  // BUG: only the variant's are valid
      sink = sink + static_cast<float>(r.multipliers[0] + r.shifts[0]) + r.scales[0] + r.weight_scales[0];
    }
  }
  return qs_scalar_example_table()->requantize_per_channel(p, input, output, n);
}
}  // namespace

const qs_kernel_table& reads_every_per_channel_array() {
  static const qs_kernel_table table = with_slot(
      [](qs_kernel_table& t) { t.requantize_per_channel = requantize_loading_every_array; },
      "broken: reads every per-channel array");
  return table;
}

const qs_kernel_table& per_tensor_scale_in_per_channel_call() {
  static const qs_kernel_table table = with_slot(
      [](qs_kernel_table& t) { t.quantize_per_channel = quantize_one_channel_as_per_tensor; },
      "broken: per-tensor scale in a per-channel call");
  return table;
}

const qs_kernel_table& validates_unread_scale() {
  static const qs_kernel_table table = with_slot(
      [](qs_kernel_table& t) { t.requantize = requantize_validating_every_scale; },
      "broken: validates a field it must ignore");
  return table;
}

}  // namespace quantspec::conformance::broken
