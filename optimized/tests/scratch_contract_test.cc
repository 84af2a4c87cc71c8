// The scratch contract of kernel_abi.h: linear_packed, gemm_packed and dynamic_linear_packed
// allocate nothing once the calling thread has made one call at least as large. This binary
// replaces the C allocation functions (malloc, calloc, realloc, the aligned ones; operator new
// and Highway's AllocateAligned end in malloc) with counting forwarders to glibc's own
// (__libc_malloc, ...), and counts the allocations made inside each call after a warm-up call
// of the largest shape, on every compiled target's table.
#include <malloc.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "quantspec/kernel_abi.h"
#include "quantspec/optimized.h"

extern "C" {
void* __libc_malloc(size_t size);
void* __libc_calloc(size_t count, size_t size);
void* __libc_realloc(void* p, size_t size);
void* __libc_memalign(size_t alignment, size_t size);
}

namespace {
std::atomic<long> g_allocations{0};
}  // namespace

extern "C" {
void* malloc(size_t size) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  return __libc_malloc(size);
}
void* calloc(size_t count, size_t size) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  return __libc_calloc(count, size);
}
void* realloc(void* p, size_t size) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  return __libc_realloc(p, size);
}
void* memalign(size_t alignment, size_t size) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  return __libc_memalign(alignment, size);
}
void* aligned_alloc(size_t alignment, size_t size) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  return __libc_memalign(alignment, size);
}
int posix_memalign(void** out, size_t alignment, size_t size) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  *out = __libc_memalign(alignment, size);
  return *out == nullptr ? 12 /* ENOMEM */ : 0;
}
}

namespace {

// Allocations made by f().
template <class F>
long AllocationsIn(const F& f) {
  const long before = g_allocations.load();
  f();
  return g_allocations.load() - before;
}

constexpr size_t kN = 130, kK = 1025, kMaxM = 16;

struct Operands {
  Operands() : x(kMaxM * kK), a(kMaxM * kK), w(kN * kK), scales(kN), fbias(kN), f_out(kMaxM * kN),
               i_out(kMaxM * kN), q_out(kMaxM * kN) {
    std::mt19937 rng(3);
    for (auto& v : x) v = static_cast<float>(static_cast<int>(rng() % 2001) - 1000) * 0.01f;
    for (auto& v : a) v = static_cast<int8_t>(rng());
    for (auto& v : w) v = static_cast<int8_t>(rng());
    for (auto& v : scales) v = 0.001f + static_cast<float>(rng() % 1000) * 1e-6f;
    for (auto& v : fbias) v = static_cast<float>(rng() % 1000) * 0.01f;
  }
  std::vector<float> x;
  std::vector<int8_t> a, w;
  std::vector<float> scales, fbias, f_out;
  std::vector<int32_t> i_out;
  std::vector<int8_t> q_out;
};

TEST(ScratchContract, CounterSeesTheAllocationsOfPackWeights) {
  // The counter sees malloc and Highway's AllocateAligned (else every "0 allocations" below
  // would be vacuous): pack_weights allocates the object and its arrays (4 at least).
  const Operands o;
  for (const auto& target : quantspec::optimized::compiled_tables()) {
    qs_gemm_params g{};
    qs_packed_weights* packed = nullptr;
    EXPECT_GE(AllocationsIn([&] { target.table->pack_weights(&g, o.w.data(), kK, kN, kK, &packed); }), 4)
        << target.target;
    target.table->release_packed(packed);
  }
  void* volatile p = nullptr;
  EXPECT_EQ(AllocationsIn([&] { p = std::malloc(100); }), 1);
  std::free(p);
}

TEST(ScratchContract, PackedCallsAllocateNothingAfterALargerCall) {
  const Operands o;
  for (const auto& target : quantspec::optimized::compiled_tables()) {
    const qs_kernel_table& t = *target.table;
    ASSERT_NE(t.dynamic_linear_packed, nullptr) << target.target;
    qs_gemm_params g{};
    g.a_type = QS_S8;
    g.a_zero_point = 3;
    qs_packed_weights* packed = nullptr;
    ASSERT_EQ(t.pack_weights(&g, o.w.data(), kK, kN, kK, &packed), QS_OK) << target.target;

    qs_linear_params lp{};
    lp.gemm = g;
    lp.requant.variant = QS_REQUANT_DOUBLE_ROUND;
    lp.requant.multiplier = 1 << 30;
    lp.requant.shift = -10;
    lp.output_type = QS_S8;
    lp.act_min = -128;
    lp.act_max = 127;
    for (const uint32_t variant : {QS_DYN_ONNX_U8, QS_DYN_SYMMETRIC_S8, QS_DYN_PYTORCH_U8}) {
      qs_dynamic_linear_params dp{};
      dp.quant.variant = variant;
      dp.quant.output_type = variant == QS_DYN_SYMMETRIC_S8 ? QS_S8 : QS_U8;
      dp.quant.per_row = variant == QS_DYN_SYMMETRIC_S8 ? 1 : 0;
      dp.quant.scale_floor = 0x1p-20f;
      dp.weight_scales = o.scales.data();
      dp.bias = o.fbias.data();
      auto calls = [&](size_t m) {
        float* fo = const_cast<float*>(o.f_out.data());
        int32_t* io = const_cast<int32_t*>(o.i_out.data());
        int8_t* qo = const_cast<int8_t*>(o.q_out.data());
        EXPECT_EQ(t.dynamic_linear_packed(&dp, o.x.data(), kK, packed, fo, kN, m), QS_OK);
        EXPECT_EQ(t.linear_packed(&lp, o.a.data(), kK, packed, qo, kN, m), QS_OK);
        EXPECT_EQ(t.gemm_packed(&g, o.a.data(), kK, packed, io, kN, m), QS_OK);
      };
      calls(kMaxM);  // warm-up: the per-thread scratch grows to this size
      for (const size_t m : {kMaxM, size_t{1}, size_t{7}, kMaxM}) {
        EXPECT_EQ(AllocationsIn([&] { calls(m); }), 0)
            << target.target << ", variant " << variant << ", m = " << m;
      }
    }
    t.release_packed(packed);
  }
}

}  // namespace
