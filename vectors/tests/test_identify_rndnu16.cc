// identify on deployed_requantize.json (SPEC.md Q11.8): a backend written here from XNNPACK's
// scalar statement of rndnu16 (google/XNNPACK 75db3c09, src/xnnpack/requantization.h
// `xnn_qu8_requantize_rndnu16`: the binary32 scale's bits, a 15-bit multiplier, a rounding
// pre-shift, int16 saturation, a rounding high multiply), in host integer arithmetic from the
// float scale, not from the reference or the generator. identify names it `member=rndnu16` on
// the uint8 groups and rejects the other members; the same backend with the multiplier step
// of XNNPACK before commit fda3ca7b (m15 capped at 2^15 - 1, no renormalisation) is told
// apart from today's rndnu16 on the renormalised case.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <set>
#include <string>

#include "quantspec/vectors/check.hpp"
#include "quantspec/vectors/format.hpp"

namespace quantspec::vectors {
namespace {

const std::string kDeployed = std::string(QUANTSPEC_VECTORS_DIR) + "/deployed_requantize.json";

// XNNPACK's qu8 rndnu16 on one accumulator; `before_fix` takes the multiplier step of the
// revision before fda3ca7b.
std::int32_t xnnpack_rndnu16(std::int32_t input, float scale, std::int32_t zero_point,
                             std::int32_t qmin, std::int32_t qmax, bool before_fix) {
  std::uint32_t bits = 0;
  std::memcpy(&bits, &scale, sizeof bits);
  const std::int32_t significand = static_cast<std::int32_t>((bits & 0x007FFFFFu) | 0x00800000u);
  int exponent = static_cast<int>(bits >> 23) - 127;  // scale = significand * 2^(exponent - 23)
  std::int32_t m15 = (significand + (1 << 8)) >> 9;   // rounding shift right by 9
  if (before_fix) {
    m15 = std::min(m15, (1 << 15) - 1);
  } else if (m15 == (1 << 15)) {
    m15 = 1 << 14;
    exponent += 1;
  }
  const int shift = exponent + 1;
  std::int64_t pre = 0;
  if (shift >= 0) {
    pre = std::clamp<std::int64_t>(static_cast<std::int64_t>(input) * (std::int64_t{1} << shift),
                                   INT32_MIN, INT32_MAX);
  } else {
    pre = (static_cast<std::int64_t>(input) + (std::int64_t{1} << (-shift - 1))) >> -shift;
  }
  const auto x16 = static_cast<std::int32_t>(std::clamp<std::int64_t>(pre, -32768, 32767));
  const std::int32_t high = (x16 * m15 + (1 << 14)) >> 15;
  const std::int32_t with_zero = std::clamp(high + zero_point, -32768, 32767);
  return std::clamp(with_zero, qmin, qmax);
}

bool uint8_group(const TestGroup& g) {
  return g.params.value("qmin", -1) == 0 && g.params.value("qmax", -1) == 255;
}

// Results of the backend for every test of the uint8 groups (the scale reconstructed from
// the test's Q31 pair, which the rndnu derivation makes exact, and checked against
// details.scale).
Results results_of(const VectorFile& file, bool before_fix) {
  Json per = Json::object();
  for (const auto& g : file.groups) {
    if (g.type != "DeployedRequantizeTest" || !uint8_group(g)) continue;
    for (const auto& t : g.tests) {
      const Json ops = g.operands(t);
      const auto m = ops.at("multiplier").get<std::int32_t>();
      const int shift = ops.at("shift").get<int>();
      const float scale = std::ldexp(static_cast<float>(m), shift - 31);
      EXPECT_EQ(static_cast<double>(scale), std::ldexp(static_cast<double>(m), shift - 31)) << t.tc_id;
      EXPECT_EQ(static_cast<double>(scale),
                std::strtod(t.details.at("scale").get<std::string>().c_str(), nullptr))
          << t.tc_id;
      const auto acc = ops.at("acc").get<std::int64_t>();
      EXPECT_TRUE(acc >= INT32_MIN && acc <= INT32_MAX) << t.tc_id;
      per[std::to_string(t.tc_id)] =
          Json{{"q", xnnpack_rndnu16(static_cast<std::int32_t>(acc), scale,
                                     ops.at("zero_point").get<std::int32_t>(), 0, 255, before_fix)}};
    }
  }
  return parse_results(Json{{"results", {{"deployed_requantize", per}}}}, "in-memory");
}

std::set<std::string> consistent(const AlgorithmIdentification& id) {
  std::set<std::string> out;
  for (const auto& v : id.verdicts) {
    if (v.mismatches.empty()) out.insert(v.variant);
  }
  return out;
}

TEST(IdentifyRndnu16, XnnpacksScalarStatementIsNamedRndnu16) {
  const VectorFile file = read_vector_file(kDeployed);
  const auto identified = identify_variants({file}, results_of(file, false), "in-memory");
  ASSERT_EQ(identified.size(), 1u);
  EXPECT_EQ(identified[0].verdicts.size(), 3u);
  EXPECT_EQ(consistent(identified[0]), std::set<std::string>{"member=rndnu16"});
}

TEST(IdentifyRndnu16, TheRevisionBeforeTheRenormalisationFixIsToldApart) {
  const VectorFile file = read_vector_file(kDeployed);
  const auto identified = identify_variants({file}, results_of(file, true), "in-memory");
  ASSERT_EQ(identified.size(), 1u);
  EXPECT_TRUE(consistent(identified[0]).empty());
  // s = 0x1.fffep-4, acc = 2: the old multiplier step keeps p = -3 and gives 0; rndnu16 gives 1.
  for (const auto& v : identified[0].verdicts) {
    if (v.variant != "member=rndnu16") continue;
    ASSERT_FALSE(v.mismatches.empty());
    for (const std::int64_t id : v.mismatches) {
      EXPECT_TRUE(file.find(id)->has_flag("rndnu16_multiplier_renormalised")) << id;
    }
  }
}

}  // namespace
}  // namespace quantspec::vectors
