// Bug: requantize_per_channel restarts its channel counter at every 16-element block (the
// channel of element i becomes (i % 16) % channels instead of i % channels), which is right
// only when channels divides 16. Expected to be caught by UsesChannelIModChannels.
#include <cstdint>

#include "broken_kernels.hpp"

namespace quantspec::conformance::broken {
qs_kernel_table with_slot(void (*edit)(qs_kernel_table&), const char* name);

namespace {
qs_status requantize_block_channels(const qs_requantize_params* p, const int32_t* input, void* output, size_t n) {
  const qs_status status = qs_scalar_example_table()->requantize_per_channel(p, input, output, 0);
  if (status != QS_OK) return status;
  // Each element through the correct per-tensor kernel with the (wrong) channel's parameters.
  for (size_t i = 0; i < n; ++i) {
    const size_t c = (i % 16) % p->channels;  // BUG: should be i % channels
    qs_requantize_params one = *p;
    // Only the arrays the variant uses (the others may point anywhere).
    if (p->requant.variant == QS_REQUANT_IDEAL) {
      one.requant.weight_scale = p->requant.weight_scales[c];
    } else if (p->requant.variant == QS_REQUANT_FP32) {
      one.requant.scale = p->requant.scales[c];
    } else {
      one.requant.multiplier = p->requant.multipliers[c];
      one.requant.shift = p->requant.shifts[c];
    }
    void* out = static_cast<uint8_t*>(output) + i;
    const qs_status s = qs_scalar_example_table()->requantize(&one, input + i, out, 1);
    if (s != QS_OK) return s;
  }
  return QS_OK;
}
}  // namespace

const qs_kernel_table& per_channel_index_mixup() {
  static const qs_kernel_table table = with_slot(
      [](qs_kernel_table& t) { t.requantize_per_channel = requantize_block_channels; }, "broken: per-channel index");
  return table;
}

}  // namespace quantspec::conformance::broken
