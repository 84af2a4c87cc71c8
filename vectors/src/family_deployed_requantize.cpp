// Q11 deployed requantization vectors: the members neon_double_round (Q11.1),
// int16x8_int64 (Q11.2) and rndnu16 (Q11.8), and Q11.4's derivation from the binary32 scale;
// each group holds the same inputs as the other groups of its type and bounds, so a backend
// that runs them all can be identified. The rndnu16 groups come last (earlier tcIds kept). details.neighbours carries, for information, what the nearest Q7
// variants (double_round, single_round) give on the same (acc, multiplier, shift) where they
// accept it: the counterexamples of Q11.1/Q11.2 are visible side by side.
#include <algorithm>
#include <cmath>
#include <limits>

#include "builder.hpp"
#include "quantspec/reference/binary32_requantize.hpp"
#include "quantspec/reference/deployed_requantize.hpp"
#include "quantspec/reference/multiplier.hpp"
#include "quantspec/reference/onednn3_requantize.hpp"
#include "quantspec/reference/requantize.hpp"

namespace quantspec::vectors::detail {
namespace {

using ref::DeployedRequant;
using ref::Integer;

struct Case {
  std::string comment;
  std::vector<std::string> flags;
  Integer acc;
  std::int32_t multiplier;
  int shift;
  std::int32_t zero_point;
  std::string scale_hex = {};  // the binary32 scale (m, shift) is the rndnu pair of (Q6.4)
};

struct Bounds {
  std::int32_t qmin;
  std::int32_t qmax;
};

Json neighbours(const Case& c, const Bounds& b) {
  Json out = Json::object();
  for (const auto v : {ref::RequantVariant::double_round, ref::RequantVariant::single_round}) {
    ref::RequantizeParams p;
    p.variant = v;
    p.multiplier = c.multiplier;
    p.shift = c.shift;
    p.zero_point = c.zero_point;
    p.qmin = b.qmin;
    p.qmax = b.qmax;
    try {
      out[std::string(ref::name(v))] = encode(ref::requantize(c.acc, p));
    } catch (const ref::ParameterError&) {
    }
  }
  return out;
}

void add_case(GroupBuilder& group, const Case& c, DeployedRequant member, const Bounds& b) {
  ref::DeployedRequantParams p;
  p.member = member;
  p.multiplier = c.multiplier;
  p.shift = c.shift;
  p.zero_point = c.zero_point;
  p.qmin = b.qmin;
  p.qmax = b.qmax;
  std::vector<std::string> flags = c.flags;
  auto add_flag = [&](const char* f) {
    if (std::find(flags.begin(), flags.end(), f) == flags.end()) flags.push_back(f);
  };
  Json details = nullptr;
  try {
    ref::DeployedRequantTrace trace;
    ref::deployed_requantize(c.acc, p, &trace);
    if (trace.left_shift_wrapped) add_flag("left_shift_wraps");
    if (trace.result_saturated) add_flag("result_saturates_int32");
    if (trace.pre_shift_saturated) add_flag("pre_shift_saturates_int16");
    if (trace.clamped) add_flag(trace.with_zero_point < b.qmin ? "clamp_low" : "clamp_high");
    details = Json{{"scaled", encode(trace.scaled)}, {"neighbours", neighbours(c, b)}};
    if (member == DeployedRequant::int16x8_int64) {
      details["reduced_multiplier"] = encode(trace.reduced_multiplier);
    }
    if (member == DeployedRequant::rndnu16) {
      details["reduced_multiplier"] = encode(trace.reduced_multiplier);
      details["pre_shift"] = trace.pre_shift;
      details["pre_shifted"] = encode(trace.left_shifted);
    }
  } catch (const ref::ParameterError&) {
  }
  if (!c.scale_hex.empty()) {
    if (details.is_null()) details = Json::object();
    details["scale"] = c.scale_hex;
  }
  group.add_computed(c.comment, flags,
                     Json{{"acc", encode(c.acc)}, {"multiplier", c.multiplier},
                          {"shift", c.shift}, {"zero_point", c.zero_point}},
                     [&]() { return Json{{"q", encode(ref::deployed_requantize(c.acc, p))}}; },
                     details);
}

// Q11.4: double_round with (m, s) derived from the binary32 scale (QNNPACK q31) against the
// TFLite derivation of the exact M (Q6.3), on the same scales and accumulators.
struct ScalesCase {
  std::string comment;
  std::vector<std::string> flags;
  Integer acc;
  float sx, sw, sy;
  std::int32_t zero_point;
};

void add_scales_groups(FileBuilder& file, const std::vector<ScalesCase>& cases) {
  for (const bool binary32_scale : {true, false}) {
    auto& group = file.group(
        "DoubleRoundFromScalesTest",
        Json{{"variant", "double_round"},
             {"derivation", binary32_scale ? "rndnu" : "tflite"},
             {"multiplier_from", binary32_scale ? "binary32_scale" : "exact_multiplier"}},
        Json{{"qmin", -128}, {"qmax", 127}});
    for (const auto& c : cases) {
      group.add_computed(
          c.comment, c.flags,
          Json{{"acc", encode(c.acc)}, {"sx", encode(c.sx)}, {"sw", encode(c.sw)},
               {"sy", encode(c.sy)}, {"zero_point", c.zero_point}},
          [&]() {
            const ref::RequantizeParams p =
                binary32_scale
                    ? ref::double_round_params_from_binary32_scale(c.sx, c.sw, c.sy, c.zero_point,
                                                                   -128, 127)
                    : ref::requantize_params_from_scales(ref::RequantVariant::double_round, c.sx,
                                                         c.sw, c.sy, c.zero_point, -128, 127,
                                                         ref::Derivation::tflite);
            return Json{{"q", encode(ref::requantize(c.acc, p))}};
          });
    }
  }
}

// Q11.8: cases on the rndnu pair (Q6.4) of a binary32 scale, as XNNPACK's rndnu16 kernels
// take them.
Case from_scale(std::string comment, std::vector<std::string> flags, std::int64_t acc, float scale,
                std::int32_t zero_point) {
  const ref::DeployedRequantParams p =
      ref::rndnu16_params_from_binary32_scale(scale, zero_point, 0, 255);
  return Case{std::move(comment), std::move(flags), Integer(acc), p.multiplier, p.shift,
              zero_point, ref::hex_float(scale)};
}

std::vector<Case> rndnu16_cases() {
  std::vector<Case> cases = {
      from_scale("s = 2^-4, acc = 4: the pre-shift rounds 0.5 up to 1, SQRDMULH.16 rounds 0.5 up "
                 "to 1: 129 (rndnu and the Q11.1/Q11.2 members give 128)",
                 {"rndnu16_pre_shift_tie"}, 4, 0x1p-4f, 128),
      from_scale("s = 2^-4, acc = -12: pre-shift -1, SQRDMULH.16 rounds -0.5 up to 0: 128 "
                 "(rndnu 127)",
                 {"rndnu16_pre_shift_tie"}, -12, 0x1p-4f, 128),
      from_scale("s = 0x1.fffep-2: m15 rounds to 2^15 and renormalises to (2^14, p + 1); "
                 "acc = 1 gives 1 (rndnu 0, int16x8_int64 0)",
                 {"rndnu16_multiplier_renormalised"}, 1, 0x1.fffep-2f, 0),
      from_scale("s = 0x1.fffep-4, acc = 2: renormalised p = -2 gives 1 (XNNPACK before "
                 "fda3ca7b and rndnu give 0)",
                 {"rndnu16_multiplier_renormalised"}, 2, 0x1.fffep-4f, 0),
      from_scale("s = 0x1.00fep+7 = 128.49609375, acc = 1: m15 = 0x4040 rounds up, 129 (rndnu "
                 "128; int16x8_int64 rejects shift 8)",
                 {"rndnu16_multiplier_rounding"}, 1, 0x1.00fep+7f, 0),
      from_scale("s = 2^-8, acc = 2^23: the pre-shifted 65536 saturates to int16; both clamp to "
                 "255 at uint8 bounds",
                 {}, std::int64_t{1} << 23, 0x1p-8f, 0),
      from_scale("s = 2^-32 (the smallest XNNPACK accepts), acc = INT32_MAX", {},
                 std::numeric_limits<std::int32_t>::max(), 0x1p-32f, 0),
      from_scale("s = 0x1.fffffep+7 (the largest below 256), acc = -1, Zy = 255", {}, -1,
                 0x1.fffffep+7f, 255),
  };
  Rng rng(0xD3910A16);
  for (int i = 0; i < 24; ++i) {
    const float scale = rng.log_uniform_float(-12, -2);
    const std::int32_t zy = static_cast<std::int32_t>(rng.uniform(0, 255));
    // acc*s lands in [-Zy - 2, 257 - Zy]: inside the uint8 output or just past its bounds.
    const double target =
        static_cast<double>(rng.uniform(-1024 * (zy + 2), 1024 * (257 - zy))) / 1024.0;
    const double acc = std::clamp(std::nearbyint(target / static_cast<double>(scale)),
                                  -2147483648.0, 2147483647.0);
    cases.push_back(from_scale("random scale #" + std::to_string(i), {"random"},
                               static_cast<std::int64_t>(acc), scale, zy));
  }
  return cases;
}

// Q11.10: FBGEMM's requantization with a float bias, both orders of the bias term.
struct FbgemmCase {
  std::string comment;
  std::vector<std::string> flags;
  std::int64_t acc;
  float bias, act_times_w_scale, c_multiplier;
  std::int32_t zero_point;
};

void add_fbgemm_groups(FileBuilder& file) {
  std::vector<FbgemmCase> cases = {
      {"b = 1.55f, Sxw = 0.1f, C = 1: divide beta = 15.4999990 -> 15, reciprocal beta = 15.5 -> 16",
       {"fbgemm_bias_order_differs"}, 0, 0x1.8cccccp+0f, 0x1.99999ap-4f, 1.0f, 0},
      {"the same with Zy = 100: 115 and 116", {"fbgemm_bias_order_differs"}, 0, 0x1.8cccccp+0f,
       0x1.99999ap-4f, 1.0f, 100},
      {"acc = 2^24 + 1: fl32(acc) = 2^24 before the bias 0.5 is added; C = 2^-24 gives 1", {},
       (std::int64_t{1} << 24) + 1, 0.5f, 1.0f, 0x1p-24f, 0},
      {"acc = -40, C = 0.5, Zy = 30: 10, or Zy with the fused ReLU", {}, -40, 0.0f, 1.0f, 0.5f, 30},
      {"acc = 1000, C = 0.5: clamps to 255", {"clamp_high"}, 1000, 0.0f, 1.0f, 0.5f, 30},
      {"act_times_w_scale = 0 is rejected", {}, 0, 1.0f, 0.0f, 1.0f, 0},
  };
  Rng rng(0xFB6E1110);
  for (int i = 0; i < 24; ++i) {
    FbgemmCase c;
    c.act_times_w_scale = rng.log_uniform_float(-16, -6);
    c.c_multiplier = rng.log_uniform_float(-12, -4);
    c.zero_point = static_cast<std::int32_t>(rng.uniform(0, 255));
    // acc*C in [-Zy - 2, 257 - Zy]: inside the uint8 output or just past it; the bias a few
    // hundred accumulator units either way.
    const double target =
        static_cast<double>(rng.uniform(-1024 * (c.zero_point + 2), 1024 * (257 - c.zero_point))) /
        1024.0;
    c.acc = static_cast<std::int64_t>(std::nearbyint(target / static_cast<double>(c.c_multiplier)));
    c.bias = static_cast<float>(static_cast<double>(rng.uniform(-4096, 4096)) / 4096.0 *
                                static_cast<double>(c.act_times_w_scale) * 200.0);
    c.comment = "random #" + std::to_string(i);
    c.flags = {"random"};
    cases.push_back(c);
  }
  for (const bool relu : {false, true}) {
    for (const auto order : {ref::FbgemmBiasOrder::divide, ref::FbgemmBiasOrder::reciprocal}) {
      auto& group = file.group(
          "FbgemmFloatBiasTest",
          Json{{"bias_order", order == ref::FbgemmBiasOrder::divide ? "divide" : "reciprocal"}},
          Json{{"qmin", 0}, {"qmax", 255}, {"fuse_relu", relu}});
      for (const auto& c : cases) {
        group.add_computed(
            c.comment, c.flags,
            Json{{"acc", encode(Integer(c.acc))}, {"bias", encode(c.bias)},
                 {"act_times_w_scale", encode(c.act_times_w_scale)},
                 {"c_multiplier", encode(c.c_multiplier)}, {"zero_point", c.zero_point}},
            [&]() {
              return Json{{"q", encode(ref::requantize_fbgemm_float_bias(
                                    Integer(c.acc), c.bias, c.act_times_w_scale, c.c_multiplier,
                                    c.zero_point, relu, order))}};
            });
      }
    }
  }
}

// SPEC Q20.3 oneDNN 3.x: the two orders of the per-argument scales (brgemm c = fl32(Ssrc*Swei)
// against the reference's two products), on near-ties found by a search with the fast path
// (the definition gives the expected outputs), the single-scale case, clamps, random cases.
struct OneDnn3Case {
  std::string comment;
  std::vector<std::string> flags;
  std::int64_t acc;
  float src_scale, wei_scale, dst_scale, bias;
  std::int32_t zero_point;  // int8 grid; the uint8 groups add 128
};

std::vector<OneDnn3Case> onednn3_cases() {
  std::vector<OneDnn3Case> cases = {
      {"near-tie: brgemm u = -69.4999924 -> -69, reference u = -69.5 -> -70 (test "
       "OneDnn3Requantize.ScaleOrdersDifferOnANearTie)",
       {"onednn3_scale_order_differs"}, -1114945, 0x1.010102p-8f, 0x1.24bff6p-9f, 0x1.333334p-3f, -0x1.7p-2f, -2},
      {"near-tie: brgemm u = 98.5 -> 98, reference 98.5000153 -> 99", {"onednn3_scale_order_differs"}, 239449,
       0x1.47ae14p-6f, 0x1.190cf4p-9f, 0x1.99999ap-4f, -0x1.cp-3f, -2},
      {"Ssrc = Swei = 1: the single-scale pipeline, fl32(5.25 * 2) + 1 = 11.5 -> 12", {"tie_even_positive"}, 5, 1.0f,
       1.0f, 0.5f, 0.25f, 1},
      {"clamps high", {"clamp_high"}, 1000, 1.0f, 1.0f, 0.5f, 0.0f, 0},
      {"clamps low", {"clamp_low"}, -1000, 1.0f, 1.0f, 0.5f, 0.0f, 0},
      {"Ssrc*Swei underflows to 0 in brgemm: b / Sdst remains", {}, 1000, 0x1p-80f, 0x1p-80f, 0.5f, 1.0f, 0},
      {"Sdst = 2^-140: fl32(1/Sdst) overflows (rejected)", {}, 10, 1.0f, 1.0f, 0x1p-140f, 0.0f, 0},
  };
  Rng rng(0x4f4e45444e4e33ULL);
  int searched = 0;
  for (int attempt = 0; attempt < 200000 && searched < 12; ++attempt) {
    const float ss = rng.log_uniform_float(-9, -1), sw = rng.log_uniform_float(-10, -5),
                sd = rng.log_uniform_float(-4, -1);
    const float b = static_cast<float>(static_cast<double>(rng.uniform(-64, 64)) / 128.0);
    const auto z = static_cast<std::int32_t>(rng.uniform(-5, 5));
    const double k = static_cast<double>(rng.uniform(-100, 100)) + 0.5;
    const double target = ((k - z) * static_cast<double>(sd) - b) / (static_cast<double>(ss) * static_cast<double>(sw));
    if (std::fabs(target) > 1e8) continue;
    const auto acc = static_cast<std::int32_t>(std::llround(target));
    ref::OneDnn3RequantParams p;
    p.src_scale = ss;
    p.wei_scale = sw;
    p.dst_scale = sd;
    p.bias = b;
    p.zero_point = z;
    const std::int32_t brgemm = ref::onednn3_requantize_fast(acc, p);
    p.order = ref::OneDnn3Order::reference;
    if (brgemm == ref::onednn3_requantize_fast(acc, p)) continue;
    cases.push_back({"searched near-tie #" + std::to_string(searched++), {"onednn3_scale_order_differs"}, acc, ss, sw,
                     sd, b, z});
  }
  for (int i = 0; i < 12; ++i) {
    const float ss = rng.log_uniform_float(-9, -1), sw = rng.log_uniform_float(-10, -5),
                sd = rng.log_uniform_float(-4, -1);
    const float b = static_cast<float>(static_cast<double>(rng.uniform(-256, 256)) / 128.0);
    const auto z = static_cast<std::int32_t>(rng.uniform(-5, 5));
    const double y = static_cast<double>(rng.uniform(-140, 140));  // the output before Zy
    const auto acc = static_cast<std::int64_t>(std::llround((y * sd - b) / (static_cast<double>(ss) * sw)));
    if (std::llabs(acc) > 2000000000LL) continue;
    cases.push_back({"random #" + std::to_string(i), {"random"}, acc, ss, sw, sd, b, z});
  }
  return cases;
}

void add_onednn3_groups(FileBuilder& file) {
  const std::vector<OneDnn3Case> cases = onednn3_cases();
  for (const Bounds& b : {Bounds{-128, 127}, Bounds{0, 255}}) {
    const std::int32_t shift = b.qmin == 0 ? 128 : 0;
    for (const auto order : {ref::OneDnn3Order::brgemm, ref::OneDnn3Order::reference}) {
      auto& group = file.group("OneDnn3MatmulTest", Json{{"order", ref::name(order)}},
                               Json{{"qmin", b.qmin}, {"qmax", b.qmax}});
      for (const auto& c : cases) {
        ref::OneDnn3RequantParams p;
        p.order = order;
        p.src_scale = c.src_scale;
        p.wei_scale = c.wei_scale;
        p.dst_scale = c.dst_scale;
        p.bias = c.bias;
        p.zero_point = c.zero_point + shift;
        p.qmin = static_cast<std::int32_t>(b.qmin);
        p.qmax = static_cast<std::int32_t>(b.qmax);
        group.add_computed(c.comment, c.flags,
                           Json{{"acc", encode(Integer(c.acc))}, {"bias", encode(c.bias)},
                                {"src_scale", encode(c.src_scale)}, {"wei_scale", encode(c.wei_scale)},
                                {"dst_scale", encode(c.dst_scale)}, {"zero_point", p.zero_point}},
                           [&]() { return Json{{"q", encode(ref::onednn3_requantize(Integer(c.acc), p))}}; });
      }
    }
  }
}

// Cases at 8-bit outputs that tell int16x8_int64 (Q11.2: the multiplier rounded to 15 bits)
// from single_round (all 31 bits): for TFLite-derived pairs of ordinary scales, the accumulator
// closest to zero whose two results differ with |y| <= 127. The low 16 bits change the product
// by at most |y| * 2^-15 relative, so such an accumulator lies where acc * M is within about
// 0.004 of a half; the fast paths search, the definitions give the expected outputs.
std::vector<Case> reduced_multiplier_cases_at_8_bits() {
  std::vector<Case> cases;
  for (const double real : {0.0123, 1.0 / 255.0, 0.0421, 0.3, 0.0071, 0.00089, 0.75, 0.0625 + 1e-6}) {
    const ref::FixedPointMultiplier m =
        ref::derive_multiplier(ref::exact(real), ref::Derivation::tflite);
    if (m.shift > 7) continue;
    ref::DeployedRequantParams member;
    member.member = DeployedRequant::int16x8_int64;
    member.multiplier = m.multiplier;
    member.shift = m.shift;
    const ref::FastDeployedRequantizer reduced(member);
    ref::RequantizeParams neighbour;
    neighbour.variant = ref::RequantVariant::single_round;
    neighbour.multiplier = m.multiplier;
    neighbour.shift = m.shift;
    const ref::FastRequantizer full(neighbour);
    int found = 0;
    for (std::int64_t magnitude = 1; magnitude < (std::int64_t{1} << 30) && found < 2; ++magnitude) {
      for (const std::int64_t acc : {magnitude, -magnitude}) {
        const std::int32_t y = reduced(acc);
        if (y == full(acc) || y < -127 || y > 127 || found == 2) continue;
        cases.push_back({"M = " + std::to_string(real) + " (TFLite pair " + std::to_string(m.multiplier) + ", " +
                             std::to_string(m.shift) + "), acc = " + std::to_string(acc) +
                             ": int16x8_int64 (m15) gives " + std::to_string(y) + ", single_round (31 bits) " +
                             std::to_string(full(acc)),
                         {"reduced_multiplier_drops_bits"}, Integer(acc), m.multiplier, m.shift, 0});
        ++found;
      }
      if (real * static_cast<double>(magnitude) > 128) break;
    }
  }
  return cases;
}

}  // namespace

Json deployed_requantize_family() {
  FileBuilder file(
      "deployed_requantize", "Q11",
      {"q = clamp(y + Zy, qmin, qmax) for the deployed members of Q11: neon_double_round "
       "(y = floor((SQRDMULH(wrap32(acc*2^left), m) + 2^(r-1)) / 2^r), ties up at the second "
       "step) and int16x8_int64 (m15 = m < 0x7FFF0000 ? (m + 2^15) >> 16 : 0x7FFF, "
       "y = floor((acc*m15 + 2^(14-shift)) / 2^(15-shift))).",
       "Operands: params (qmin, qmax) and inputs (acc, multiplier, shift, zero_point) in the "
       "Q31 convention M = multiplier * 2^(shift-31); output q. details.neighbours: the Q7 "
       "variants double_round and single_round on the same inputs (informational).",
       "DoubleRoundFromScalesTest (Q11.4): inputs acc, sx, sy, sw (binary32), zero_point; "
       "double_round with (multiplier, shift) derived by rndnu from the binary32 scale "
       "fl32(fl32(Sx*Sw)/Sy) as QNNPACK q31 does (multiplier_from binary32_scale), and by "
       "TFLite's derivation from the exact M (multiplier_from exact_multiplier).",
       "rndnu16 (Q11.8, XNNPACK qu8 on Cortex-A53/A55): m15 = (m + 2^15) >> 16, renormalised "
       "to 2^14 with p = shift + 1 where it is 2^15 (else p = shift); x16 = sat16(VQRSHL(acc, "
       "p)); y = (x16*m15 + 2^14) >> 15; bounds inside int16. Its groups come last; the "
       "uint8 groups take (multiplier, shift) from a binary32 scale by the rndnu derivation "
       "(details.scale), as XNNPACK does.",
       "FbgemmFloatBiasTest (Q11.10, FBGEMM with a float bias, uint8): inputs acc, bias, "
       "act_times_w_scale, c_multiplier (binary32), zero_point; params qmin, qmax, fuse_relu; "
       "q = clamp(lrintf(fl32(fl32(fl32(acc) + beta) * C)) + Zy, fuse_relu ? Zy : 0, 255) with "
       "beta = fl32(b / Sxw) (bias_order divide) or fl32(b * fl32(1/Sxw)) (reciprocal).",
       "TvmFloatRequantizeTest (Q11.11, TVM qnn.requantize with compute_dtype float32 / "
       "float64, appended): inputs acc, input_scale, output_scale (binary32), "
       "input_zero_point, zero_point; params qmin, qmax; variant member (tvm_fp_upward, "
       "tvm_fp_tonearest, tvm_fp_tonearest_nosse41) and compute_dtype (float32, float64, the "
       "format B): a = fl_B(fl_B(acc) - fl_B(Zin)), m = fl_B(fl64(Sin/Sout)), t' = "
       "fl_B(fl_B(m*a) + fl_B(Zy)), r = floor(fl_B(t' + 0.5)) (upward), half_away(t') "
       "(tonearest), sign(t')*trunc(fl_B(|t'| + 0.5)) (tonearest_nosse41), q = clamp(r, qmin, "
       "qmax).",
       "Binary32FloatBiasTest (SPEC Q20.3 bias in binary32, oneDNN 2.6 int8 matmul, appended): "
       "inputs acc, bias, scale (binary32), zero_point; params qmin, qmax; variant rounding "
       "half_even and zero_point_entry: t0 = fl32(fl32(acc) + bias), t = fl32(t0*scale), "
       "before_rounding q = clamp(R(fl32(t + Zy))) (oneDNN), after_rounding q = clamp(R(t) + Zy).",
       "DeployedRequantizeTest groups with params case_set reduced_multiplier_at_8_bits (appended): "
       "TFLite-derived pairs of ordinary scales and the accumulators nearest zero where "
       "int16x8_int64's 15-bit multiplier and single_round's 31-bit one give different 8-bit "
       "results, for every member.",
       "OneDnn3MatmulTest (SPEC Q20.3, oneDNN 3.x int8 matmul, appended): inputs acc, bias, "
       "src_scale, wei_scale, dst_scale (binary32), zero_point; variant order brgemm "
       "(t1 = fl32(fl32(acc)*fl32(Ssrc*Swei))) or reference (t1 = fl32(fl32(fl32(acc)*Ssrc)*Swei)); "
       "then t2 = fl32(t1 + b), t3 = fl32(t2*fl32(1/Sdst)), u = fl32(t3 + Zy), q = "
       "half_even(clamp(u, qmin, qmax))."});
  const std::int32_t half = 1 << 30;
  std::vector<Case> cases = {
      {"M = 1/16, acc = -1000: SQRDMULH gives -500, -500/8 = -62.5 ties up to -62 (Q7.2 "
       "double_round rounds it away to -63)",
       {"neon_tie_up"}, -1000, half, -3, 3},
      {"M = 1/16, acc = 1000: positive tie 62.5 -> 63 in both double roundings",
       {"tie_even_positive"}, 1000, half, -3, 3},
      {"M = 1/16, acc = 7: v = 0.4375; SQRDMULH rounds 3.5 up to 4, 4/8 = 0.5 ties up to 1 "
       "(single_round gives 0)",
       {"double_rounding_artifact"}, 7, half, -3, 0},
      {"M = 4, acc = 2^29: acc * 8 = 2^32 wraps to 0 in a 32-bit lane (Q7.2 saturates)",
       {}, Integer(1) << 29, half, 3, 0},
      {"m = 0x40007FFF, shift -1, acc = 120000: m15 = 0x4000 drops the low 16 bits, y = 30000 "
       "(single_round 30001)",
       {"reduced_multiplier_drops_bits"}, 120000, 0x40007FFF, -1, 0},
      {"m = 2^31 - 1: m15 = 0x7FFF, not 0x8000; acc = 2^20, shift 0",
       {"reduced_multiplier_at_top"}, Integer(1) << 20, 0x7FFFFFFF, 0, 0},
      {"acc = 2^47 - 1 (int48), m = 2^30, shift 7: y ~ 2^53 leaves int32",
       {"int48_accumulator"}, (Integer(1) << 47) - 1, half, 7, 0},
      {"acc = -2^47 (int48), m = 2^30, shift -31", {"int48_accumulator"},
       -(Integer(1) << 47), half, -31, 0},
      {"acc = 2^47 is outside int16x8_int64's range (and int32)", {"int48_accumulator"},
       Integer(1) << 47, half, 0, 0},
      {"shift 8 is outside int16x8_int64's range [-31, 7]", {}, 1000, half, 8, 0},
      {"shift 30, m = 2^30, acc = 1: M = 2^29", {}, 1, half, 30, 0},
      {"multiplier 0", {}, 12345, 0, -5, 2},
      {"acc = INT32_MIN, m = 2^31 - 1, shift -31", {}, std::numeric_limits<std::int32_t>::min(),
       0x7FFFFFFF, -31, 0},
  };
  Rng rng(0xD3910A11);
  for (int i = 0; i < 16; ++i) {
    Case c;
    c.multiplier = static_cast<std::int32_t>(rng.uniform(1 << 30, 0x7FFFFFFF));
    c.shift = static_cast<int>(rng.uniform(-20, 0));
    c.acc = rng.uniform(-(std::int64_t{1} << 31), (std::int64_t{1} << 31) - 1);
    c.zero_point = static_cast<std::int32_t>(rng.uniform(-100, 100));
    c.comment = "random #" + std::to_string(i);
    c.flags = {"random"};
    cases.push_back(c);
  }
  const std::vector<Bounds> bounds = {{-128, 127},
                                      {-32768, 32767},
                                      {std::numeric_limits<std::int32_t>::min(),
                                       std::numeric_limits<std::int32_t>::max()}};
  for (const auto& b : bounds) {
    // The groups of 0.2's members, in their order (tcIds of earlier releases kept).
    for (const auto member : {DeployedRequant::neon_double_round, DeployedRequant::int16x8_int64}) {
      auto& group = file.group("DeployedRequantizeTest", Json{{"member", ref::name(member)}},
                               Json{{"qmin", b.qmin}, {"qmax", b.qmax}});
      for (const auto& c : cases) add_case(group, c, member, b);
    }
  }
  const float sx = 0x1.0ed2aep-5f, sw = 0x1.12f9ecp-7f, sy = 0x1.50da56p-2f;
  std::vector<ScalesCase> scales = {
      {"issue 9's scales, acc = 48023: (1854514816, -10) gives 40, TFLite's (1854514918, -10) 41",
       {"binary32_scale_derivation"}, 48023, sx, sw, sy, 0},
      {"issue 9's scales, acc = -48023", {"binary32_scale_derivation"}, -48023, sx, sw, sy, 0},
      {"issue 9's scales, acc = 1000", {}, 1000, sx, sw, sy, 0},
      {"Sx = Sw = 1, Sy = 0.5: scale 2 is outside QNNPACK's [2^-32, 1)", {}, 100, 1.0f, 1.0f,
       0.5f, 0},
  };
  Rng scale_rng(0xD3910A12);
  for (int i = 0; i < 12; ++i) {
    ScalesCase c;
    c.sx = scale_rng.log_uniform_float(-10, -4);
    c.sw = scale_rng.log_uniform_float(-10, -4);
    c.sy = scale_rng.log_uniform_float(-6, -1);
    c.acc = scale_rng.uniform(-200000, 200000);
    c.zero_point = static_cast<std::int32_t>(scale_rng.uniform(-20, 20));
    c.comment = "random scales #" + std::to_string(i);
    c.flags = {"random"};
    scales.push_back(c);
  }
  add_scales_groups(file, scales);
  // Q11.8 rndnu16, appended: the cases above at the int8 and int16 bounds (the int32 bounds
  // are outside the member's int16 output), then cases on binary32 scales at XNNPACK's uint8
  // bounds for every member.
  for (const auto& b : {bounds[0], bounds[1]}) {
    auto& group = file.group("DeployedRequantizeTest", Json{{"member", "rndnu16"}},
                             Json{{"qmin", b.qmin}, {"qmax", b.qmax}});
    for (const auto& c : cases) add_case(group, c, DeployedRequant::rndnu16, b);
  }
  const Bounds u8{0, 255};
  const std::vector<Case> from_scales = rndnu16_cases();
  for (const auto member : ref::all_deployed_requants()) {
    auto& group = file.group("DeployedRequantizeTest", Json{{"member", ref::name(member)}},
                             Json{{"qmin", u8.qmin}, {"qmax", u8.qmax}});
    for (const auto& c : from_scales) add_case(group, c, member, u8);
  }
  add_fbgemm_groups(file);
  Json indistinguishable = Json::array();
  add_tvm_float_requantize_groups(file, indistinguishable);  // Q11.11, appended
  add_binary32_float_bias_groups(file);                        // Q20.3 bias in binary32, appended
  // int16x8_int64's 15-bit multiplier at 8-bit outputs, for every member, appended.
  const std::vector<Case> reduced = reduced_multiplier_cases_at_8_bits();
  for (const auto member : ref::all_deployed_requants()) {
    auto& group = file.group(
        "DeployedRequantizeTest", Json{{"member", ref::name(member)}},
        Json{{"qmin", bounds[0].qmin}, {"qmax", bounds[0].qmax}, {"case_set", "reduced_multiplier_at_8_bits"}});
    for (const auto& c : reduced) add_case(group, c, member, bounds[0]);
  }
  add_onednn3_groups(file);  // Q20.3 oneDNN 3.x per-argument scales, appended
  file.set("indistinguishable", indistinguishable);
  return file.finish();
}

}  // namespace quantspec::vectors::detail
