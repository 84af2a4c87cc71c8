// Packed-weights implementations with one realistic bug each, built on the scalar example's
// unpacked gemm (the packed object is a row-major copy of W with its zero point and bias):
//  - uses the call's w_zero_point instead of the one given at pack time;
//  - drops the part of K beyond 4096 (a K-blocked loop that forgets its last block);
//  - pack_weights copies the bias with `<= n`, reading bias[n] (the object is still right).
// Expected to be caught by PackedMatchesReferenceAndUnpackedOnBlockShapes
// (packed_weights_test.cc).
#include <cstdint>
#include <cstring>
#include <vector>

#include "broken_kernels.hpp"

struct qs_packed_weights {
  std::vector<int8_t> w;  // N x K
  std::vector<int32_t> zero_points;
  std::vector<int32_t> bias;
  bool per_channel = false;
  bool has_bias = false;
  int32_t zero_point = 0;
  size_t n = 0, k = 0;
};

namespace quantspec::conformance::broken {
qs_kernel_table with_slot(void (*edit)(qs_kernel_table&), const char* name);

namespace {

qs_status pack(const qs_gemm_params* p, const int8_t* w, size_t w_stride, size_t n, size_t k,
               qs_packed_weights** packed) {
  if (packed == nullptr) return QS_BAD_PARAMETERS;
  *packed = nullptr;
  if (p == nullptr || (w == nullptr && n * k > 0) || (n > 0 && k > 0 && w_stride < k)) return QS_BAD_PARAMETERS;
  if (p->w_zero_points == nullptr && (p->w_zero_point < -128 || p->w_zero_point > 127)) return QS_BAD_PARAMETERS;
  auto* object = new qs_packed_weights;
  object->n = n;
  object->k = k;
  object->per_channel = p->w_zero_points != nullptr;
  object->zero_point = p->w_zero_point;
  for (size_t c = 0; c < n; ++c) {
    const int32_t zw = object->per_channel ? p->w_zero_points[c] : p->w_zero_point;
    if (zw < -128 || zw > 127) {
      delete object;
      return QS_BAD_PARAMETERS;
    }
    object->zero_points.push_back(zw);
    object->bias.push_back(p->bias ? p->bias[c] : 0);
    for (size_t i = 0; i < k; ++i) object->w.push_back(w[c * w_stride + i]);
  }
  object->has_bias = p->bias != nullptr;
  *packed = object;
  return QS_OK;
}

void release(qs_packed_weights* packed) { delete packed; }

qs_status gemm_with(const qs_gemm_params* p, const void* a, size_t a_stride, const qs_packed_weights* w,
                    int32_t* out, size_t out_stride, size_t m, bool call_time_zero_point, size_t k_limit) {
  if (p == nullptr || w == nullptr) return QS_BAD_PARAMETERS;
  qs_gemm_params q = *p;
  if (!call_time_zero_point) {  // BUG when true: keeps the call's (ignored) weight fields
    q.w_zero_point = w->zero_point;
    q.w_zero_points = w->per_channel ? w->zero_points.data() : nullptr;
    q.bias = w->has_bias ? w->bias.data() : nullptr;
  } else {
    q.bias = w->has_bias ? w->bias.data() : nullptr;
  }
  const size_t k = w->k < k_limit ? w->k : k_limit;
  // W rows keep their full stride; only the first k columns are summed (BUG when k < w->k).
  return qs_scalar_example_table()->gemm(&q, a, a_stride, w->w.empty() ? nullptr : w->w.data(), w->k, out,
                                         out_stride, m, w->n, k);
}

qs_status gemm_call_time_zero_point(const qs_gemm_params* p, const void* a, size_t a_stride,
                                    const qs_packed_weights* w, int32_t* out, size_t out_stride, size_t m) {
  return gemm_with(p, a, a_stride, w, out, out_stride, m, true, SIZE_MAX);
}

qs_status pack_reading_bias_n(const qs_gemm_params* p, const int8_t* w, size_t w_stride, size_t n, size_t k,
                              qs_packed_weights** packed) {
  if (p != nullptr && p->bias != nullptr) {
    const volatile int32_t* bias = p->bias;
    int32_t sink = 0;
    for (size_t c = 0; c <= n; ++c) sink ^= bias[c];  // BUG: bias has n entries
    (void)sink;
  }
  return pack(p, w, w_stride, n, k, packed);
}

qs_status gemm_packed_correct(const qs_gemm_params* p, const void* a, size_t a_stride, const qs_packed_weights* w,
                              int32_t* out, size_t out_stride, size_t m) {
  return gemm_with(p, a, a_stride, w, out, out_stride, m, false, SIZE_MAX);
}

qs_status gemm_drops_k_beyond_4096(const qs_gemm_params* p, const void* a, size_t a_stride,
                                   const qs_packed_weights* w, int32_t* out, size_t out_stride, size_t m) {
  return gemm_with(p, a, a_stride, w, out, out_stride, m, false, 4096);
}

}  // namespace

const qs_kernel_table& packed_uses_call_time_zero_point() {
  static const qs_kernel_table table = with_slot(
      [](qs_kernel_table& t) {
        t.pack_weights = pack;
        t.release_packed = release;
        t.gemm_packed = gemm_call_time_zero_point;
      },
      "broken: packed gemm uses the call's weight zero point");
  return table;
}

const qs_kernel_table& packed_drops_k_beyond_4096() {
  static const qs_kernel_table table = with_slot(
      [](qs_kernel_table& t) {
        t.pack_weights = pack;
        t.release_packed = release;
        t.gemm_packed = gemm_drops_k_beyond_4096;
      },
      "broken: packed gemm drops k beyond 4096");
  return table;
}

const qs_kernel_table& packed_reads_bias_past_the_last() {
  static const qs_kernel_table table = with_slot(
      [](qs_kernel_table& t) {
        t.pack_weights = pack_reading_bias_n;
        t.release_packed = release;
        t.gemm_packed = gemm_packed_correct;
      },
      "broken: pack_weights reads bias[n]");
  return table;
}

}  // namespace quantspec::conformance::broken
