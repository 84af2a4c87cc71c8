// SPEC Q20.3 "bias in binary32": the fp32 pipeline with the bias added to fl32(acc) instead of
// the integer accumulator, t0 = fl32(fl32(acc) + b), t = fl32(t0 * s), q = clamp(R(...)). oneDNN
// 2.6's int8 matmul is R = half_even, before_rounding (measured, Q11.6); the after_rounding
// groups are its neighbour. Groups appended to deployed_requantize.json (Binary32FloatBiasTest),
// every expected value by ref::requantize_binary32_float_bias.
#include <cmath>

#include "builder.hpp"
#include "quantspec/reference/binary32_requantize.hpp"
#include "quantspec/reference/errors.hpp"

namespace quantspec::vectors::detail {
namespace {

struct Case {
  std::string comment;
  std::vector<std::string> flags;
  std::int64_t acc;
  float bias, scale;
  std::int32_t zero_point;
};

struct Bounds {
  std::int32_t qmin, qmax;
};

// Measured cases of SPEC Q20.3 (oneDNN 2.6.3, Debian libdnnl-dev; reference/measure/
// onednn_bias_order.cc), the edges, then random ones in the output range.
std::vector<Case> hand_cases(const Bounds& b) {
  const std::int32_t mid = (b.qmin + b.qmax) / 2;
  return {
      {"SPEC Q20.3, measured with oneDNN 2.6.3: acc = 5, s = 0.5, Zy = 1: before_rounding R(3.5) "
       "= 4, after_rounding R(2.5) + 1 = 3",
       {"published_value", "tie_even_positive"}, 5, 0.0f, 0.5f, b.qmin <= 1 && 1 <= b.qmax ? 1 : b.qmin},
      {"SPEC Q20.3, measured with oneDNN 2.6.3 (brg:avx512_core_vnni): acc = 2^24 + 3, bias = "
       "-2^24, s = 1: fl32(acc) = 2^24 + 4, + bias = 4 (the integer sum is 3)",
       {"published_value", "binary32_accumulator"}, (std::int64_t{1} << 24) + 3, -0x1p24f, 1.0f, 0},
      {"t = 3.5, Zy = 1: before_rounding R(4.5) = 4, after_rounding 4 + 1 = 5", {"zero_point_entry_differs"}, 7,
       0.0f, 0.5f, 1},
      {"t = -2.5, Zy = 3: before_rounding R(0.5) = 0, after_rounding -2 + 3 = 1", {"zero_point_entry_differs"}, -5,
       0.0f, 0.5f, 3},
      {"acc = 3, bias 0.25, s = 2: t = 6.5, Zy = 1: before 8, after 7", {"zero_point_entry_differs"}, 3, 0.25f,
       2.0f, 1},
      {"t = 2.5 + 2^-22, Zy = 100: fl32(t + Zy) = 102.5 (the ulp at 102 is 2^-17), half even 102; "
       "after_rounding 3 + 100",
       {"zero_point_entry_differs", "binary32_intermediate_tie"}, 10485761, 0.0f, 0x1p-22f, 100},
      {"acc = 2^24 + 1 with bias 0: fl32(acc) = 2^24 (ties to even), t = 2^24 * 2^-20 = 16",
       {"binary32_accumulator"}, (std::int64_t{1} << 24) + 1, 0.0f, 0x1p-20f, 0},
      {"bias 0.5 turns acc = 2 into 2.5: half_even 2 with after_rounding", {"tie_even_positive"}, 2, 0.5f,
       1.0f, 0},
      {"bias -0.5 turns acc = -2 into -2.5", {"tie_even_negative"}, -2, -0.5f, 1.0f, 0},
      {"acc*s far above qmax clamps", {"clamp_high"}, 1 << 30, 0.0f, 1.0f, mid},
      {"acc*s far below qmin clamps", {"clamp_low"}, -(1 << 30), 0.0f, 1.0f, mid},
      {"bias +inf is rejected (not finite)", {}, 1, INFINITY, 1.0f, mid},
      {"scale 0 is rejected", {}, 1, 0.0f, 0.0f, mid},
  };
}

std::vector<Case> random_cases(const Bounds& b, std::uint64_t seed, int count) {
  Rng rng(seed);
  std::vector<Case> out;
  for (int i = 0; i < count; ++i) {
    Case c;
    c.scale = rng.log_uniform_float(-14, -4);
    c.zero_point = static_cast<std::int32_t>(rng.uniform(b.qmin, b.qmax));
    // t = (acc + bias) * s a little past either end of the output range, the bias a few
    // hundred accumulator units with a fractional part (oneDNN takes float biases).
    const double target = static_cast<double>(rng.uniform(b.qmin - c.zero_point - 2, b.qmax - c.zero_point + 2)) +
                          static_cast<double>(rng.uniform(0, 1023)) / 1024.0;
    c.bias = static_cast<float>(static_cast<double>(rng.uniform(-409600, 409600)) / 1024.0);
    c.acc = static_cast<std::int64_t>(std::nearbyint(target / static_cast<double>(c.scale) - c.bias));
    c.comment = "random #" + std::to_string(i);
    c.flags = {"random"};
    out.push_back(c);
  }
  return out;
}

}  // namespace

void add_binary32_float_bias_groups(FileBuilder& file) {
  std::uint64_t seed = 0xB1A5F32ULL;
  for (const Bounds& b : {Bounds{-128, 127}, Bounds{0, 255}}) {
    std::vector<Case> cases = hand_cases(b);
    for (auto& c : random_cases(b, seed++, 24)) cases.push_back(c);
    for (const auto entry : {ref::ZeroPointEntry::before_rounding, ref::ZeroPointEntry::after_rounding}) {
      auto& group = file.group("Binary32FloatBiasTest",
                               Json{{"rounding", "half_even"}, {"zero_point_entry", ref::name(entry)}},
                               Json{{"qmin", b.qmin}, {"qmax", b.qmax}});
      for (const auto& c : cases) {
        const Json inputs{{"acc", encode(ref::Integer(c.acc))}, {"bias", encode(c.bias)},
                          {"scale", encode(c.scale)}, {"zero_point", c.zero_point}};
        group.add_computed(c.comment, c.flags, inputs, [&]() {
          return Json{{"q", encode(ref::requantize_binary32_float_bias(ref::Integer(c.acc), c.bias, c.scale,
                                                                        c.zero_point, b.qmin, b.qmax,
                                                                        ref::Rounding::half_even, entry))}};
        });
      }
    }
  }
}

}  // namespace quantspec::vectors::detail
