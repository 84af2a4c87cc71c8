// SPEC Q20.7: the s32 destination through binary32 (oneDNN 2.6's int8 matmul with a bias and an
// s32 destination). Expected values are derived in each test from the binary32 grid: in
// [2^k, 2^(k+1)) binary32 values are spaced 2^(k-23), so 4 in [2^25, 2^26), 128 in
// [2^30, 2^31), 256 in [2^31, 2^32); the measured oneDNN 2.6.3 outputs they equal are cited.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <cstdint>
#include <vector>

#include "quantspec/reference/deployed_accumulate.hpp"
#include "quantspec/reference/errors.hpp"
#include "quantspec/reference/s32_destination.hpp"
#include "rejected_parameter.hpp"

#define EXPECT_REJECTS_PARAMETER(call, parameter) \
  EXPECT_EQ(::quantspec::ref::testing::rejected_parameter([&] { (void)(call); }), parameter)

namespace quantspec::ref {
namespace {

// acc = 39326114 lies in [2^25, 2^26): 39326114 = 4 * 9831528.5, a tie, to the even
// 4 * 9831528 = 39326112. The bias -219 is exact; 39326112 - 219 = 39325893 = 4 * 9831473.25
// rounds to 39325892. One rounding of the integer sum 39325895 = 4 * 9831473.75 would give
// 39325896; int32 keeps 39325895. (distinguish.json tcId 275 on brg:avx512_core_vnni: 39325892.)
TEST(S32Destination, RoundsTheAccumulatorAndTheSumEachToBinary32) {
  EXPECT_EQ(store_s32(39326114, Integer(-219), S32Destination::via_binary32), 39325892);
  EXPECT_EQ(store_s32(39326114, Integer(-219), S32Destination::int32), 39325895);
}

// Bias 2^31 - 1001 = 2147482647 = 128 * 16777208.18 rounds to 128 * 16777208 = 2147482624; plus
// the accumulator 4 * 127 * 127 = 64516 gives 2147547140 >= 2^31, clamped to 2147483520 =
// 2^31 - 128 (oneDNN's types::max_value<float>(s32)). int32 wraps: 2147547163 - 2^32 =
// -2147420133. (distinguish.json tcId 276: 2147483520.)
TEST(S32Destination, OverflowSaturatesAtTheLargestBinary32BelowTwoTo31) {
  EXPECT_EQ(store_s32(64516, Integer(2147482647), S32Destination::via_binary32), 2147483520);
  EXPECT_EQ(store_s32(64516, Integer(2147482647), S32Destination::int32), -2147420133);
}

// -65025 + (-2^31) = -2147548673 is below -2^31 (vcvtps2dq gives 0x80000000): INT32_MIN, where
// int32 wraps to 2^32 - 2147548673 = 2147418623. (accumulate.json tcId 5: -2147483648.)
TEST(S32Destination, BelowInt32MinGivesInt32Min) {
  EXPECT_EQ(store_s32(-65025, Integer(INT32_MIN), S32Destination::via_binary32), INT32_MIN);
  EXPECT_EQ(store_s32(-65025, Integer(INT32_MIN), S32Destination::int32), 2147418623);
}

// The accumulator has wrapped before the conversion (K = 33100 products 255 * 255:
// 2152327500 - 2^32 = -2142639796 = -128 * 16739373.41), so it comes back as
// -128 * 16739373 = -2142639744, not saturated. (accumulate.json tcId 3: -2142639744.)
TEST(S32Destination, TheWrappedAccumulatorPassesThroughBinary32) {
  const QuantizedOperand x{DType::int8, -128, std::vector<std::int64_t>(33100, 127)};
  const QuantizedOperand w{DType::int8, -128, std::vector<std::int64_t>(33100, 127)};
  EXPECT_EQ(accumulate_to_s32(x, w, Integer(0), AccumulationMember::wrap, S32Destination::via_binary32),
            -2142639744);
  EXPECT_EQ(accumulate_to_s32(x, w, Integer(0), AccumulationMember::wrap, S32Destination::int32), -2142639796);
}

// DNNL_MAX_CPU_ISA=AVX2 (gemm:jit): int16 pairs, then the same binary32 store. x = 255 (K = 4),
// Zx = 128, w = 127: the pairs 255*127*2 = 64770 saturate to 32767 each, 65534 in all, minus
// Zx * sum(w) = 128 * 508 = 65024: 510. fl32(510) + 2147482624 = 2147483134 = 128 * 16777211.98
// rounds to 2147483136. (distinguish.json tcId 276 under DNNL_MAX_CPU_ISA=AVX2: 2147483136.)
TEST(S32Destination, ComposesWithInt16Pairs) {
  const QuantizedOperand x{DType::uint8, 128, {255, 255, 255, 255}};
  const QuantizedOperand w{DType::int8, 0, {127, 127, 127, 127}};
  EXPECT_EQ(accumulate_to_s32(x, w, Integer(2147482647), AccumulationMember::int16_pairs,
                              S32Destination::via_binary32),
            2147483136);
}

TEST(S32Destination, RejectsABiasOutsideInt32) {
  const QuantizedOperand x{DType::uint8, 0, {1}};
  const QuantizedOperand w{DType::int8, 0, {1}};
  const Integer too_large = Integer(INT32_MAX) + 1;
  EXPECT_REJECTS_PARAMETER(store_s32(0, too_large, S32Destination::via_binary32), "bias");
  EXPECT_REJECTS_PARAMETER(
      accumulate_to_s32(x, w, too_large, AccumulationMember::wrap, S32Destination::via_binary32), "bias");
  EXPECT_REJECTS_PARAMETER(parse_s32_destination("float"), "s32_destination");
}

// Below 2^24 every integer is a binary32 and so is every sum of two of them: the two members
// agree whenever |acc|, |bias| and |acc + bias| are at most 2^24.
RC_GTEST_PROP(S32Destination, EqualsInt32BelowTwoTo24, ()) {
  const std::int32_t acc = *rc::gen::inRange(-(1 << 24), (1 << 24) + 1);
  // bias with |bias| <= 2^24 and |acc + bias| <= 2^24
  const std::int32_t bias = *rc::gen::inRange(std::max(-(1 << 24), -(1 << 24) - acc),
                                              std::min(1 << 24, (1 << 24) - acc) + 1);
  RC_ASSERT(store_s32(acc, Integer(bias), S32Destination::via_binary32) == acc + bias);
}

}  // namespace
}  // namespace quantspec::ref
