// ThreadedLinear (the peer bench's --threads N) gives the single-threaded linear_packed /
// gemm_packed result bit for bit, on every compiled target: row blocks (M >= 16 per thread)
// and column blocks (smaller M) with N not a multiple of the 64-column block alignment, per-channel weight
// zero points, bias and per-channel requantization, which column blocks must offset.
#include "threaded_linear.h"

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "quantspec/kernel_abi.h"
#include "quantspec/optimized.h"

namespace quantspec::bench {
namespace {

struct Problem {
  size_t m, n, k;
  std::vector<uint8_t> a;
  std::vector<int8_t> w;
  std::vector<int32_t> bias, w_zero_points;
  std::vector<float> scales;
  qs_linear_params params{};
  Problem(size_t m_, size_t n_, size_t k_) : m(m_), n(n_), k(k_) {
    std::mt19937 rng(static_cast<uint32_t>(m * 1000003 + n * 1009 + k));
    a.resize(m * k);
    w.resize(n * k);
    bias.resize(n);
    w_zero_points.resize(n);
    scales.resize(n);
    for (auto& v : a) v = static_cast<uint8_t>(rng());
    for (auto& v : w) v = static_cast<int8_t>(rng());
    for (auto& v : bias) v = static_cast<int32_t>(rng() % 200001) - 100000;
    for (auto& v : w_zero_points) v = static_cast<int32_t>(rng() % 21) - 10;
    for (auto& v : scales) v = 1e-4f * static_cast<float>(1 + rng() % 50);
    params.gemm.a_type = QS_U8;
    params.gemm.a_zero_point = 121;
    params.gemm.w_zero_points = w_zero_points.data();
    params.gemm.bias = bias.data();
    params.requant.variant = QS_REQUANT_FP32;
    params.requant.zero_point_entry = QS_ZP_AFTER_ROUNDING;
    params.requant.output_zero_point = 3;
    params.requant.scales = scales.data();
    params.per_channel = 1;
    params.output_type = QS_S8;
    params.act_min = -128;
    params.act_max = 127;
  }
};

TEST(ThreadedLinear, GivesTheSingleThreadedResultOnEveryTarget) {
  pthreadpool_t pool = pthreadpool_create(3);
  ASSERT_NE(pool, nullptr);
  // Column blocks below 16 rows per thread, row blocks from there (40: rows for 2 threads,
  // columns for 3).
  const std::vector<size_t> rows = {1, 5, 13, 40, 50}, cols = {1, 63, 64, 200}, depths = {1, 31, 96};
  for (const auto& target : optimized::compiled_tables()) {
    const qs_kernel_table* t = target.table;
    for (size_t m : rows) {
      for (size_t n : cols) {
        for (size_t k : depths) {
          Problem p(m, n, k);
          qs_packed_weights* whole = nullptr;
          ASSERT_EQ(t->pack_weights(&p.params.gemm, p.w.data(), k, n, k, &whole), QS_OK);
          std::vector<int8_t> linear_expected(m * n), linear_got(m * n);
          std::vector<int32_t> gemm_expected(m * n), gemm_got(m * n);
          ASSERT_EQ(t->linear_packed(&p.params, p.a.data(), k, whole, linear_expected.data(), n,
                                     m),
                    QS_OK);
          ASSERT_EQ(t->gemm_packed(&p.params.gemm, p.a.data(), k, whole, gemm_expected.data(),
                                   n, m),
                    QS_OK);
          t->release_packed(whole);
          for (size_t threads : {2, 3}) {
            ThreadedLinear threaded(t, p.params.gemm, p.w.data(), k, n, k, threads);
            for (pthreadpool_t which : {pool, pthreadpool_t{nullptr}}) {
              const std::string where = target.target + " " + std::to_string(m) + "x" +
                                        std::to_string(n) + "x" + std::to_string(k) + ", " +
                                        std::to_string(threads) + " blocks" +
                                        (which ? "" : ", no pool");
              ASSERT_TRUE(threaded.ok()) << where;
              linear_got.assign(m * n, 0x55);
              gemm_got.assign(m * n, 0x5555);
              ASSERT_EQ(threaded.Linear(which, p.params, p.a.data(), k, linear_got.data(), n, m),
                        QS_OK)
                  << where;
              ASSERT_EQ(threaded.Gemm(which, p.params.gemm, p.a.data(), k, gemm_got.data(), n, m),
                        QS_OK)
                  << where;
              EXPECT_EQ(linear_got, linear_expected) << where;
              EXPECT_EQ(gemm_got, gemm_expected) << where;
            }
          }
        }
      }
    }
  }
  pthreadpool_destroy(pool);
}

TEST(ThreadedLinear, PassesABlockFailureOn) {
  const qs_kernel_table* t = optimized::dispatch_table();
  Problem p(4, 100, 8);
  ThreadedLinear threaded(t, p.params.gemm, p.w.data(), 8, 100, 8, 2);
  ASSERT_TRUE(threaded.ok());
  std::vector<int8_t> out(4 * 100);
  qs_linear_params bad = p.params;
  bad.act_min = 100;
  bad.act_max = 0;  // act_min > act_max: every block's call is rejected
  EXPECT_EQ(threaded.Linear(nullptr, bad, p.a.data(), 8, out.data(), 100, 4), QS_BAD_PARAMETERS);
  EXPECT_EQ(threaded.Linear(nullptr, bad, p.a.data(), 8, out.data(), 100, 1), QS_BAD_PARAMETERS);
}

}  // namespace
}  // namespace quantspec::bench
