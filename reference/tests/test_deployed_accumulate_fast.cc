// Q20.4: the accumulation members' fast path equals the definition, and int16_pairs equals
// the x86 instruction it models (SSSE3 pmaddubsw) where the CPU has it.
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <cstdint>
#include <vector>

#include "quantspec/reference/deployed_accumulate.hpp"
#include "quantspec/reference/errors.hpp"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define QUANTSPEC_HAVE_PMADDUBSW_TEST 1
#endif

namespace quantspec::ref {
namespace {

// Values biased to the ends of the grids, where pairs saturate and partial sums overflow.
rc::Gen<std::int64_t> grid_value(std::int64_t lo, std::int64_t hi) {
  return rc::gen::weightedOneOf<std::int64_t>({{3, rc::gen::element(lo, hi, lo + 1, hi - 1, std::int64_t{0})},
                                               {5, rc::gen::inRange(lo, hi + 1)}});
}

RC_GTEST_PROP(DeployedAccumulateFast, EqualsDefinition, ()) {
  const auto member = *rc::gen::element(AccumulationMember::wrap, AccumulationMember::saturate32,
                                        AccumulationMember::int16_pairs);
  const bool u8_x = member == AccumulationMember::int16_pairs || *rc::gen::arbitrary<bool>();
  const std::size_t depth = *rc::gen::weightedOneOf<std::size_t>(
      {{4, rc::gen::inRange<std::size_t>(0, 9)}, {2, rc::gen::inRange<std::size_t>(0, 80)},
       {1, rc::gen::element<std::size_t>(4096, 4097)}});
  QuantizedOperand x{u8_x ? DType::uint8 : DType::int8, 0, {}};
  QuantizedOperand w{DType::int8, 0, {}};
  const std::int64_t x_lo = u8_x ? 0 : -128, x_hi = u8_x ? 255 : 127;
  for (std::size_t k = 0; k < depth; ++k) {
    x.values.push_back(*grid_value(x_lo, x_hi));
    w.values.push_back(*grid_value(-128, 127));
  }
  x.zero_point = *grid_value(x_lo, x_hi);
  w.zero_point = *rc::gen::weightedOneOf<std::int64_t>({{3, rc::gen::just(std::int64_t{0})}, {1, grid_value(-128, 127)}});
  const auto bias = *rc::gen::weightedOneOf<std::int32_t>(
      {{2, rc::gen::element<std::int32_t>(0, INT32_MAX, INT32_MIN, INT32_MAX - 100000, INT32_MIN + 100000)},
       {3, rc::gen::arbitrary<std::int32_t>()}});
  RC_ASSERT(accumulate_with_member_fast(x, w, bias, member) == accumulate_with_member(x, w, Integer(bias), member));
}

TEST(DeployedAccumulateFast, RejectsWhatTheDefinitionRejects) {
  const QuantizedOperand s8{DType::int8, 0, {1, 2}}, u8{DType::uint8, 0, {1, 2}}, short_w{DType::int8, 0, {1}};
  for (AccumulationMember m : all_accumulation_members()) {
    EXPECT_THROW(accumulate_with_member_fast(u8, short_w, 0, m), ParameterError);
  }
  EXPECT_THROW(accumulate_with_member_fast(s8, s8, 0, AccumulationMember::int16_pairs), ParameterError);
  EXPECT_THROW(accumulate_with_member_fast(u8, u8, 0, AccumulationMember::int16_pairs), ParameterError);
}

#ifdef QUANTSPEC_HAVE_PMADDUBSW_TEST
// pmaddubsw on 16 (u8, s8) byte pairs, then pmaddwd by 1 and horizontal int32 sums: the
// instruction sequence of a u8*s8 kernel without VNNI (oneDNN's AVX2 gemm, Q20.4).
__attribute__((target("ssse3"))) std::int32_t pmaddubsw_dot(const std::vector<std::uint8_t>& x,
                                                             const std::vector<std::int8_t>& w) {
  __m128i acc = _mm_setzero_si128();
  for (std::size_t k = 0; k < x.size(); k += 16) {
    const __m128i a = _mm_loadu_si128(reinterpret_cast<const __m128i*>(x.data() + k));
    const __m128i b = _mm_loadu_si128(reinterpret_cast<const __m128i*>(w.data() + k));
    acc = _mm_add_epi32(acc, _mm_madd_epi16(_mm_maddubs_epi16(a, b), _mm_set1_epi16(1)));
  }
  alignas(16) std::int32_t lanes[4];
  _mm_store_si128(reinterpret_cast<__m128i*>(lanes), acc);
  return static_cast<std::int32_t>(static_cast<std::uint32_t>(lanes[0]) + static_cast<std::uint32_t>(lanes[1]) +
                                   static_cast<std::uint32_t>(lanes[2]) + static_cast<std::uint32_t>(lanes[3]));
}

RC_GTEST_PROP(DeployedAccumulateFast, Int16PairsEqualsPmaddubsw, ()) {
  if (!__builtin_cpu_supports("ssse3")) return;  // every x86-64 CPU this project runs on has it
  const std::size_t depth = 16 * *rc::gen::inRange<std::size_t>(1, 9);
  std::vector<std::uint8_t> xb;
  std::vector<std::int8_t> wb;
  QuantizedOperand x{DType::uint8, 0, {}}, w{DType::int8, 0, {}};
  for (std::size_t k = 0; k < depth; ++k) {
    x.values.push_back(*grid_value(0, 255));
    w.values.push_back(*grid_value(-128, 127));
    xb.push_back(static_cast<std::uint8_t>(x.values.back()));
    wb.push_back(static_cast<std::int8_t>(w.values.back()));
  }
  RC_ASSERT(accumulate_with_member_fast(x, w, 0, AccumulationMember::int16_pairs) == pmaddubsw_dot(xb, wb));
}
#endif

}  // namespace
}  // namespace quantspec::ref
