// Bug: the u8*s8 GEMM multiplies raw bytes and adds neighbouring products in saturating int16,
// as vpmaddubsw does (255*127 + 255*127 = 64770 saturates to 32767), then corrects for the zero
// points exactly. Expected to be caught by NeverSaturatesInt16ProductPairs.
#include <algorithm>
#include <cstdint>

#include "broken_kernels.hpp"

namespace quantspec::conformance::broken {
qs_kernel_table with_slot(void (*edit)(qs_kernel_table&), const char* name);

namespace {
int32_t sat16(int32_t v) { return std::min(32767, std::max(-32768, v)); }

qs_status gemm_pairs(const qs_gemm_params* p, const void* a, size_t a_stride, const int8_t* w, size_t w_stride,
                     int32_t* out, size_t out_stride, size_t m, size_t n, size_t k) {
  if (p == nullptr || p->a_type != QS_U8) {
    return qs_scalar_example_table()->gemm(p, a, a_stride, w, w_stride, out, out_stride, m, n, k);
  }
  const qs_status status = qs_scalar_example_table()->gemm(p, a, a_stride, w, w_stride, out, out_stride, 0, 0, 0);
  if (status != QS_OK) return status;
  const auto* A = static_cast<const uint8_t*>(a);
  for (size_t row = 0; row < m; ++row) {
    for (size_t col = 0; col < n; ++col) {
      const int32_t zw = p->w_zero_points ? p->w_zero_points[col] : p->w_zero_point;
      const int32_t za = p->a_zero_point;
      uint32_t raw = 0, sum_a = 0, sum_w = 0;
      for (size_t i = 0; i < k; i += 2) {
        int32_t pair = A[row * a_stride + i] * w[col * w_stride + i];
        if (i + 1 < k) pair += A[row * a_stride + i + 1] * w[col * w_stride + i + 1];
        raw += static_cast<uint32_t>(sat16(pair));  // BUG: vpmaddubsw saturation
      }
      for (size_t i = 0; i < k; ++i) {
        sum_a += A[row * a_stride + i];
        sum_w += static_cast<uint32_t>(w[col * w_stride + i]);
      }
      // sum (a - za)(w - zw) = sum a*w - zw*sum a - za*sum w + k*za*zw, mod 2^32
      uint32_t acc = raw - static_cast<uint32_t>(zw) * sum_a - static_cast<uint32_t>(za) * sum_w +
                     static_cast<uint32_t>(k) * static_cast<uint32_t>(za) * static_cast<uint32_t>(zw);
      if (p->bias) acc += static_cast<uint32_t>(p->bias[col]);
      out[row * out_stride + col] = static_cast<int32_t>(acc);
    }
  }
  return QS_OK;
}
}  // namespace

const qs_kernel_table& int16_pair_saturation() {
  static const qs_kernel_table table =
      with_slot([](qs_kernel_table& t) { t.gemm = gemm_pairs; }, "broken: int16 pair saturation");
  return table;
}

}  // namespace quantspec::conformance::broken
