// Q15 fake quantization vectors (value and straight-through mask). FakeQuantTest: the same
// inputs under the exact, PyTorch 1.13 and TensorFlow (Vars op) variants, each test giving
// both (S, Z) and the [min, max] that TensorFlow's Nudge turns into exactly that (S, Z), so
// one backend run on every group is identified. FakeQuantTfTest: TensorFlow's own edges
// (nudging, narrow range, num_bits, the all-zero range, rejected parameters).
#include <cmath>
#include <limits>
#include <stdexcept>

#include "builder.hpp"
#include "quantspec/reference/fake_quant.hpp"
#include "quantspec/reference/fake_quant_grad.hpp"
#include "quantspec/reference/fake_quant_tf_grad.hpp"

namespace quantspec::vectors::detail {
namespace {

using ref::FakeQuantVariant;

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();
constexpr float kInf = std::numeric_limits<float>::infinity();

struct Case {
  std::string comment;
  std::vector<std::string> flags;
  float x;
  float scale;
  std::int64_t zero_point;
};

// [min, max] = [(0 - Z) S, (255 - Z) S]: exact in binary32 for the scales used here; the
// generator checks that Nudge gives back S and Z and throws otherwise.
std::pair<float, float> tf_range(float scale, std::int64_t z) {
  return {static_cast<float>(-z) * scale, static_cast<float>(255 - z) * scale};
}

Json fq_expected(const ref::FakeQuantResult& r) {
  return Json{{"value", encode(r.value)}, {"mask", r.mask}};
}

void shared_group(FileBuilder& file) {
  std::vector<Case> cases = {
      {"x/S = 2.5 (k even): exact/PyTorch half_even 2, TF floor(v + 0.5) 3", {"tie_even_positive"},
       0.625f, 0.25f, 0},
      {"x/S = 3.5 (k odd): all round up to 4", {"tie_odd_positive"}, 0.875f, 0.25f, 0},
      {"x/S = -2.5 with Z = 64: exact/PyTorch -2, TF -2 (floor(-2.5 + 0.5))", {"tie_even_negative"},
       -0.625f, 0.25f, 64},
      {"x/S = -3.5 with Z = 64: half_even -4, TF -3", {"tie_odd_negative"}, -0.875f, 0.25f, 64},
      {"S = 0.1f, x = 0.75: exact 7.4999999 -> 7, PyTorch fl32(0.75 * 10) = 7.5 -> 8",
       {"binary32_intermediate_tie", "distinguishes_variants"}, 0.75f, 0.1f, 0},
      {"S = 0.1f, x = 0.35f: exact 3.4999999 -> 3, PyTorch 3.5 -> 4",
       {"binary32_intermediate_tie", "distinguishes_variants"}, 0x1.666666p-2f, 0.1f, 0},
      {"x exactly on the top grid point (255 - Z) S: mask 1 in every variant",
       {"fake_quant_boundary"}, 47.75f, 0.25f, 64},
      {"x on the top grid point + S/2 (tie beyond qmax): half_even 192 -> 256 outside",
       {"fake_quant_boundary", "clamp_high"}, 47.875f, 0.25f, 64},
      {"x one ulp above the top grid point: exact/PyTorch mask 1, TF mask 0 (x > nudged_max)",
       {"fake_quant_boundary", "distinguishes_variants"}, std::nextafter(47.75f, 100.0f), 0.25f, 64},
      {"x exactly on the bottom grid point -Z S", {"fake_quant_boundary"}, -16.0f, 0.25f, 64},
      {"x one ulp below the bottom grid point: TF mask 0",
       {"fake_quant_boundary", "distinguishes_variants"}, std::nextafter(-16.0f, -100.0f), 0.25f, 64},
      {"far above qmax", {"clamp_high"}, 1000.0f, 0.25f, 64},
      {"far below qmin", {"clamp_low"}, -1000.0f, 0.25f, 64},
      {"x = 1e30: PyTorch 1.13's int64 conversion gives INT64_MIN -> qmin",
       {"quotient_beyond_int32", "distinguishes_variants"}, 1e30f, 0.25f, 64},
      {"x = +inf: exact/TF qmax, PyTorch 1.13 qmin (INT64_MIN)",
       {"fake_quant_special_input", "distinguishes_variants"}, kInf, 0.25f, 64},
      {"x = -inf: qmin everywhere", {"fake_quant_special_input"}, -kInf, 0.25f, 64},
      {"x = NaN: exact/TF NaN (SPEC CHOICE), PyTorch 1.13 qmin",
       {"fake_quant_special_input", "distinguishes_variants"}, kNaN, 0.25f, 64},
      {"x = -0.0", {"negative_zero"}, -0.0f, 0.25f, 64},
      {"Z = qmin", {"zero_point_at_qmin"}, 3.3f, 0.5f, 0},
      {"Z = qmax", {"zero_point_at_qmax"}, -3.3f, 0.5f, 255},
  };
  Rng rng(0xFA4E0001);
  for (int i = 0; i < 24; ++i) {
    // One draw per statement: the order of draws inside one call or one product is unspecified
    // (clang and g++ differ). The order below is the one g++ 12 used when the file was written.
    const int exponent = -static_cast<int>(rng.uniform(2, 10));
    const float scale = std::ldexp(static_cast<float>(rng.uniform(1, 255)), exponent);
    const std::int64_t z = rng.uniform(0, 255);
    const float steps = static_cast<float>(rng.uniform(-300, 300));
    const float nudge = rng.coin() ? 1.0f : 1.0f + 0x1p-20f;
    const float x = steps * 0.5f * scale * nudge;
    cases.push_back({"random #" + std::to_string(i), {"random"}, x, scale, z});
  }
  const Json params{{"dtype", "uint8"}, {"qmin", 0}, {"qmax", 255}, {"num_bits", 8},
                    {"narrow_range", false}};
  for (FakeQuantVariant variant :
       {FakeQuantVariant::exact, FakeQuantVariant::pytorch, FakeQuantVariant::tensorflow}) {
    Json label{{"fake_quant", ref::name(variant)}};
    if (variant == FakeQuantVariant::tensorflow) label["tf_op"] = "with_min_max_vars";
    auto& group = file.group("FakeQuantTest", label, params);
    for (const Case& c : cases) {
      const auto [min, max] = tf_range(c.scale, c.zero_point);
      const ref::TfFakeQuantParams tf{min, max, 8, false, ref::TfFakeQuantOp::with_min_max_vars};
      const ref::TfNudged n = ref::tf_nudge(tf);
      if (n.scale != c.scale || n.nudged_zero_point != c.zero_point) {
        throw std::logic_error("fake_quant vectors: Nudge does not return S, Z for " + c.comment);
      }
      const ref::FakeQuantParams p =
          ref::FakeQuantParams::for_dtype(ref::DType::uint8, c.scale, c.zero_point);
      group.add_computed(
          c.comment, c.flags,
          Json{{"x", encode(c.x)}, {"scale", encode(c.scale)}, {"zero_point", encode_int(c.zero_point)},
               {"min", encode(min)}, {"max", encode(max)}},
          [&]() {
            return fq_expected(variant == FakeQuantVariant::tensorflow
                                   ? ref::fake_quantize_tensorflow(c.x, tf)
                                   : ref::fake_quantize(c.x, p, variant));
          });
    }
  }
}

void tensorflow_group(FileBuilder& file) {
  struct TfCase {
    std::string comment;
    std::vector<std::string> flags;
    float x, min, max;
    int num_bits;
    bool narrow;
  };
  const std::vector<TfCase> cases = {
      {"published: TF fake_quant_ops_test WithArgsNudgedDown_RegularRange, x = 0.1 -> 0",
       {"published_value", "range_excludes_zero"}, 0.1f, -0.1f, 63.65f, 8, false},
      {"published: WithArgsNudgedDown_NarrowRange, x = 63.6 -> 63.5",
       {"published_value", "narrow_range"}, 63.6f, -0.1f, 63.4f, 8, true},
      {"range [2, 10] above 0 is nudged to [0, 255 S]", {"range_excludes_zero"}, 5.01f, 2.0f, 10.0f,
       8, false},
      {"range [-10, -2] below 0 is nudged to [-255 S, 0]", {"range_excludes_zero"}, -5.01f, -10.0f,
       -2.0f, 8, false},
      {"4 bits: grid [0, 15]", {}, 0.3f, -1.0f, 1.0f, 4, false},
      {"16 bits", {}, 0.3f, -1.0f, 1.0f, 16, false},
      {"min = max = 0: output 0, gradient passes (Vars op)", {"degenerate_range"}, 3.0f, 0.0f, 0.0f,
       8, false},
      {"min > max is rejected", {}, 0.0f, 1.0f, -1.0f, 8, false},
      {"min = max != 0 is rejected", {"degenerate_range"}, 0.0f, 0.5f, 0.5f, 8,
       false},
      {"num_bits = 1 is rejected", {}, 0.0f, -1.0f, 1.0f, 1, false},
      {"NaN min is rejected", {}, 0.0f, kNaN, 1.0f, 8, false},
  };
  for (ref::TfFakeQuantOp op :
       {ref::TfFakeQuantOp::with_min_max_vars, ref::TfFakeQuantOp::with_min_max_args}) {
    auto& group = file.group("FakeQuantTfTest",
                             Json{{"fake_quant", "tensorflow"}, {"tf_op", ref::name(op)}},
                             Json::object());
    for (const TfCase& c : cases) {
      const ref::TfFakeQuantParams p{c.min, c.max, c.num_bits, c.narrow, op};
      group.add_computed(c.comment, c.flags,
                         Json{{"x", encode(c.x)}, {"min", encode(c.min)}, {"max", encode(c.max)},
                              {"num_bits", c.num_bits}, {"narrow_range", c.narrow}},
                         [&]() { return fq_expected(ref::fake_quantize_tensorflow(c.x, p)); });
    }
  }
}

// Q16.2: one element per test (x, dy, S, the learnable Zf, grad_factor); outputs dL/dx and the
// element's terms of dL/dS and dL/dZ as exact rationals (binary32 values for pytorch).
void learnable_grad_group(FileBuilder& file) {
  struct GradCase {
    std::string comment;
    std::vector<std::string> flags;
    float x, dy, scale, zero_point, grad_factor;
    ref::DType dtype;
  };
  std::vector<GradCase> cases = {
      {"S = 0.125, Zf = 1, x/S = 10.5: exact R(10.5) + 1 = 11 (dS 3/4); PyTorch rounds 1 + 10.5 "
       "= 12 (dS -3/4)",
       {"tie_even_positive", "distinguishes_variants"}, 1.3125f, -1.5f, 0.125f, 1.0f, 1.0f,
       ref::DType::uint8},
      {"x = 0.3f, S = 0.1f: fl32(3 * 0.1f) = 0.3f gives dS 0; with FMA 3 * 0.1f - 0.3f is not 0",
       {"distinguishes_variants"}, 0.3f, 1.0f, 0.1f, 0.0f, 1.0f, ref::DType::int8},
      {"Zf = 2.5: PyTorch's per-tensor backward uses trunc(3.0) = 3, the forward (and exact) 2",
       {"distinguishes_variants"}, 0.05f, 1.0f, 0.1f, 2.5f, 1.0f, ref::DType::int8},
      {"Zf = -1.2: PyTorch's per-tensor backward trunc(-0.7) = 0, exact R(-1.2) = -1",
       {"distinguishes_variants"}, 0.05f, 1.0f, 0.1f, -1.2f, 1.0f, ref::DType::int8},
      {"Zf = -60, x/S = 56.4: PyTorch's per-tensor Z = trunc(-59.5) = -59 gives q = -3, exact -4",
       {"distinguishes_variants"}, 0x1.cf20c8p+4f, 1.0f, 0x1.064d78p-1f, -60.0f, 1.0f,
       ref::DType::int8},
      {"above: x/S = 127.5 -> 128 > qmax, dS = dy (127 - Z), dZ = -dy S",
       {"clamp_high"}, 12.75f, 0.5f, 0.1f, 0.0f, 1.0f, ref::DType::int8},
      {"below with grad_factor 1/4", {"clamp_low"}, -20.0f, 2.0f, 0.1f, 3.0f, 0.25f,
       ref::DType::int8},
      {"x/S = 0.5 exactly: half_even 0 in both", {"tie_even_positive"}, 0.0625f, 1.0f, 0.125f,
       0.0f, 1.0f, ref::DType::int8},
      {"x = 1e30: PyTorch's int64 conversion gives INT64_MIN, the below branch",
       {"quotient_beyond_int32", "distinguishes_variants"}, 1e30f, 1.0f, 0.1f, 0.0f, 1.0f,
       ref::DType::int8},
      {"x = +inf: exact rejects x, PyTorch takes the below branch",
       {"fake_quant_special_input"}, kInf, 1.0f, 0.1f, 0.0f, 1.0f, ref::DType::int8},
      {"x = NaN: exact rejects x, PyTorch takes the below branch",
       {"fake_quant_special_input"}, kNaN, 1.0f, 0.1f, 0.0f, 1.0f, ref::DType::int8},
      {"scale 0 is rejected", {}, 1.0f, 1.0f, 0.0f, 0.0f, 1.0f,
       ref::DType::int8},
  };
  Rng rng(0xFA4E0002);
  for (int i = 0; i < 16; ++i) {
    GradCase c;
    // One draw per statement: the order of two draws in one expression is unspecified.
    const auto significand = rng.uniform(1 << 23, (1 << 24) - 1);
    const auto exponent = rng.uniform(1, 8);
    c.scale = std::ldexp(static_cast<float>(significand), -23 - static_cast<int>(exponent));
    c.zero_point = static_cast<float>(rng.uniform(-400, 400)) * 0.25f;
    c.x = static_cast<float>(rng.uniform(-2000, 2000)) * 0.0625f * c.scale;
    c.dy = static_cast<float>(rng.uniform(-64, 64)) * 0.125f;
    c.grad_factor = rng.coin() ? 1.0f : 0.0625f;
    c.dtype = rng.coin() ? ref::DType::int8 : ref::DType::uint8;
    c.comment = "random #" + std::to_string(i);
    c.flags = {"random"};
    cases.push_back(c);
  }
  // One FakeQuantLearnableGradTest group: the cases of `dtype` through `variant`.
  const auto add_group = [&](const Json& label, ref::DType dtype, FakeQuantVariant variant,
                             bool per_channel, bool fma) {
    const ref::IntRange grid = ref::dtype_range(dtype);
    auto& group = file.group("FakeQuantLearnableGradTest", label,
                             Json{{"dtype", ref::name(dtype)}, {"qmin", grid.min},
                                  {"qmax", grid.max}, {"per_channel", per_channel}});
    for (const GradCase& c : cases) {
      if (c.dtype != dtype) continue;
      ref::LearnableGradParams p;
      p.scale = c.scale;
      p.zero_point = c.zero_point;
      p.qmin = grid.min;
      p.qmax = grid.max;
      p.grad_factor = c.grad_factor;
      p.per_channel = per_channel;
      p.fused_multiply_add = fma;
      group.add_computed(
          c.comment, c.flags,
          Json{{"x", encode(c.x)}, {"dy", encode(c.dy)}, {"scale", encode(c.scale)},
               {"zero_point_float", encode(c.zero_point)}, {"grad_factor", encode(c.grad_factor)}},
          [&]() {
            const ref::LearnableGradTerms t = ref::learnable_fake_quant_grad(c.x, c.dy, p, variant);
            return Json{{"grad_x", ref::to_string(t.dx)},
                        {"grad_scale", ref::to_string(t.d_scale)},
                        {"grad_zero_point", ref::to_string(t.d_zero_point)}};
          });
    }
  };
  struct Member {
    FakeQuantVariant variant;
    bool fma;
  };
  for (const Member m : {Member{FakeQuantVariant::exact, false},
                         Member{FakeQuantVariant::pytorch, false},
                         Member{FakeQuantVariant::pytorch, true}}) {
    Json label{{"fake_quant", ref::name(m.variant)}};
    if (m.variant == FakeQuantVariant::pytorch) label["cpu_build"] = m.fma ? "fma" : "default";
    for (const ref::DType dtype : {ref::DType::int8, ref::DType::uint8}) {
      add_group(label, dtype, m.variant, /*per_channel=*/false, m.fma);
    }
  }
  // The per-channel backward (_fake_quantize_learnable_per_channel_affine): the same elements,
  // each alone in its channel (PyTorch shape (1, 1), axis 1); its zero point is R(Zf) clamped,
  // as the forward's, where the per-tensor backward truncates fl32(Zf + 0.5). Appended after
  // the per-tensor groups so their tcIds stay.
  for (const bool fma : {false, true}) {
    const Json label{{"fake_quant", "pytorch"}, {"cpu_build", fma ? "fma" : "default"}};
    for (const ref::DType dtype : {ref::DType::int8, ref::DType::uint8}) {
      add_group(label, dtype, FakeQuantVariant::pytorch, /*per_channel=*/true, fma);
    }
  }
}

// Q16.3 tensor cases (the Vars and the Args op): one tensor of x and upstream dy, a range and
// the op's grid.
struct TfTensorCase {
  std::string comment;
  std::vector<std::string> flags;
  std::vector<float> xs, dys;
  float min, max;
  int num_bits;
  bool narrow;
};

// Random case `index`: a range on the 1/32 grid with min in [-16, 0] and max in (0, 16], then
// (random_grid) num_bits in [2, 16] and narrow_range drawn, else 8 bits, full range; then 16 x on
// the 1/32 grid in [-25, 25] with dy on the 1/8 grid in [-8, 8]. The draw order is part of the
// vectors' bytes.
TfTensorCase random_tf_tensor(Rng& rng, int index, bool random_grid) {
  TfTensorCase c;
  const auto lo = rng.uniform(-512, 0);
  const auto hi = rng.uniform(1, 512);
  c.min = static_cast<float>(lo) * 0.03125f;
  c.max = static_cast<float>(hi) * 0.03125f;
  c.num_bits = random_grid ? static_cast<int>(rng.uniform(2, 16)) : 8;
  c.narrow = random_grid ? rng.coin() : false;
  for (int k = 0; k < 16; ++k) {
    const auto xv = rng.uniform(-800, 800);
    const auto dv = rng.uniform(-64, 64);
    c.xs.push_back(static_cast<float>(xv) * 0.03125f);
    c.dys.push_back(static_cast<float>(dv) * 0.125f);
  }
  c.comment = "random #" + std::to_string(index);
  c.flags = {"random"};
  return c;
}

Json tf_tensor_inputs(const TfTensorCase& c) {
  Json xs = Json::array(), dys = Json::array();
  for (float v : c.xs) xs.push_back(encode(v));
  for (float v : c.dys) dys.push_back(encode(v));
  return Json{{"xs", xs}, {"dys", dys}, {"min", encode(c.min)}, {"max", encode(c.max)},
              {"num_bits", c.num_bits}, {"narrow_range", c.narrow}};
}

// Q16.3: TensorFlow's FakeQuantWithMinMaxVarsGradient on small tensors (xs, dys); outputs the
// binary32 dL/dx of every element (grad_xs, signs of zeros included) and the exact sums
// grad_min, grad_max.
void tensorflow_grad_group(FileBuilder& file) {
  std::vector<TfTensorCase> cases = {
      {"x on both nudged bounds passes (inclusive); 12.75 above, -20 below; NaN nowhere; -inf "
       "below, +inf above; a negative dy outside gives dL/dx = -0",
       {"fake_quant_boundary", "fake_quant_special_input"},
       {-20.0f, 12.75f, 0.3f, kNaN, kInf, -kInf, -12.8f, 12.7f},
       {1.0f, -2.0f, 3.0f, 4.0f, -0.5f, 5.0f, 0.25f, -0.75f}, -12.8f, 12.7f, 8, false},
      {"one ulp outside each nudged bound", {"fake_quant_boundary"},
       {std::nextafter(-12.8f, -20.0f), std::nextafter(12.7f, 20.0f)}, {1.0f, 2.0f}, -12.8f,
       12.7f, 8, false},
      {"range [2, 10] nudged to [0, 255 S]: x = 1 below the given min passes",
       {"range_excludes_zero"}, {-0.5f, 0.0f, 1.0f, 10.0f}, {1.0f, 2.0f, 4.0f, 8.0f}, 2.0f,
       10.0f, 8, false},
      {"min = max = 0: every gradient passes, dL/dmin = dL/dmax = 0", {"degenerate_range"},
       {-1.0f, 0.0f, 3.0f}, {1.5f, -2.0f, 0.5f}, 0.0f, 0.0f, 8, false},
      {"4 bits, narrow range", {"narrow_range"}, {-1.2f, -1.0f, 0.99f, 1.1f},
       {1.0f, 2.0f, 4.0f, 8.0f}, -1.0f, 1.0f, 4, true},
      {"2^24 + 1 + 1 below min: the exact sum 2^24 + 2 (a left-to-right binary32 sum gives 2^24)",
       {"inexact_binary32_sum"}, {-5.0f, -5.0f, -5.0f}, {0x1p24f, 1.0f, 1.0f}, -1.0f, 1.0f, 8,
       false},
      {"dy = NaN is rejected", {}, {0.0f}, {kNaN}, -1.0f, 1.0f, 8, false},
      {"min > max is rejected", {}, {0.0f}, {1.0f}, 1.0f, -1.0f, 8, false},
  };
  Rng rng(0xFA4E0003);
  for (int i = 0; i < 8; ++i) cases.push_back(random_tf_tensor(rng, i, /*random_grid=*/false));
  auto& group = file.group("FakeQuantTfGradTest",
                           Json{{"fake_quant", "tensorflow"}, {"tf_op", "with_min_max_vars"}},
                           Json::object());
  for (const TfTensorCase& c : cases) {
    const ref::TfFakeQuantParams p{c.min, c.max, c.num_bits, c.narrow,
                                   ref::TfFakeQuantOp::with_min_max_vars};
    group.add_computed(c.comment, c.flags, tf_tensor_inputs(c),
                       [&]() {
                         const ref::TfMinMaxGradient g =
                             ref::tensorflow_min_max_gradient(c.xs, c.dys, {p});
                         Json dx = Json::array();
                         for (float v : g.dx) dx.push_back(encode(v));
                         return Json{{"grad_xs", dx},
                                     {"grad_min", ref::to_string(g.d_min[0])},
                                     {"grad_max", ref::to_string(g.d_max[0])}};
                       });
  }
}

// Q16.3 per channel (FakeQuantWithMinMaxVarsPerChannelGradient): xs is [b, d] row-major with
// d = len(mins); each channel's sums are built to be exact in binary32 (dy on a 1/8 grid, at
// most 16 rows), so grad_mins / grad_maxs are binary32 arrays and any summation order agrees.
void tensorflow_per_channel_grad_group(FileBuilder& file) {
  struct ChannelCase {
    std::string comment;
    std::vector<std::string> flags;
    std::vector<float> xs, dys, mins, maxs;
  };
  std::vector<ChannelCase> cases = {
      {"(3, 2): channel 0 [-1, 1], channel 1 [0.5, 2] nudged to [0, 1.5]", {"range_excludes_zero"},
       {-2.0f, 0.75f, 0.5f, 3.0f, -0.25f, -1.0f}, {1.0f, 2.0f, 4.0f, 8.0f, 16.0f, 32.0f},
       {-1.0f, 0.5f}, {1.0f, 2.0f}},
      {"a channel with min = max = 0 passes everything", {"degenerate_range"},
       {5.0f, 5.0f, -5.0f, -5.0f}, {1.0f, -2.0f, 3.0f, -4.0f}, {0.0f, -1.0f}, {0.0f, 1.0f}},
      {"x on each channel's nudged bounds", {"fake_quant_boundary"},
       {-12.8f, -1.0f, 12.7f, 1.0f}, {1.0f, 2.0f, 4.0f, 8.0f}, {-12.8f, -1.0f}, {12.7f, 1.0f}},
      {"a channel with min > max is rejected", {}, {0.0f, 0.0f}, {1.0f, 1.0f}, {-1.0f, 1.0f},
       {1.0f, -1.0f}},
  };
  Rng rng(0xFA4E0004);
  for (int i = 0; i < 4; ++i) {
    ChannelCase c;
    const auto depth = rng.uniform(1, 4);
    const auto batch = rng.uniform(1, 16);
    for (std::int64_t d = 0; d < depth; ++d) {
      const auto lo = rng.uniform(-256, 0);
      const auto hi = rng.uniform(1, 256);
      c.mins.push_back(static_cast<float>(lo) * 0.0625f);
      c.maxs.push_back(static_cast<float>(hi) * 0.0625f);
    }
    for (std::int64_t e = 0; e < batch * depth; ++e) {
      const auto xv = rng.uniform(-400, 400);
      const auto dv = rng.uniform(-64, 64);
      c.xs.push_back(static_cast<float>(xv) * 0.0625f);
      c.dys.push_back(static_cast<float>(dv) * 0.125f);
    }
    c.comment = "random #" + std::to_string(i);
    c.flags = {"random"};
    cases.push_back(c);
  }
  auto& group = file.group("FakeQuantTfPerChannelGradTest",
                           Json{{"fake_quant", "tensorflow"}, {"tf_op", "with_min_max_vars_per_channel"}},
                           Json{{"num_bits", 8}, {"narrow_range", false}});
  for (const ChannelCase& c : cases) {
    std::vector<ref::TfFakeQuantParams> params;
    for (std::size_t d = 0; d < c.mins.size(); ++d) {
      params.push_back({c.mins[d], c.maxs[d], 8, false, ref::TfFakeQuantOp::with_min_max_vars_per_channel});
    }
    Json xs = Json::array(), dys = Json::array(), mins = Json::array(), maxs = Json::array();
    for (float v : c.xs) xs.push_back(encode(v));
    for (float v : c.dys) dys.push_back(encode(v));
    for (float v : c.mins) mins.push_back(encode(v));
    for (float v : c.maxs) maxs.push_back(encode(v));
    group.add_computed(c.comment, c.flags,
                       Json{{"xs", xs}, {"dys", dys}, {"mins", mins}, {"maxs", maxs}}, [&]() {
                         const ref::TfMinMaxGradient g =
                             ref::tensorflow_min_max_gradient(c.xs, c.dys, params);
                         Json dx = Json::array(), gmin = Json::array(), gmax = Json::array();
                         for (float v : g.dx) dx.push_back(encode(v));
                         for (std::size_t d = 0; d < params.size(); ++d) {
                           for (const auto& [sum, out] : {std::pair{&g.d_min[d], &gmin},
                                                          std::pair{&g.d_max[d], &gmax}}) {
                             const float rounded = ref::round_to_binary32(*sum);
                             if (ref::exact(rounded) != *sum) {
                               throw std::logic_error("fake_quant vectors: inexact channel sum in " +
                                                      c.comment);
                             }
                             out->push_back(encode(rounded));
                           }
                         }
                         return Json{{"grad_xs", dx}, {"grad_mins", gmin}, {"grad_maxs", gmax}};
                       });
  }
}

// Q16.3, Args op: TensorFlow's FakeQuantWithMinMaxArgsGradient (dL/dx only) on small tensors;
// min, max, num_bits and narrow_range are the op's attributes. The published tests of
// tensorflow/core/kernels/fake_quant_ops_test.cc (tensorflow/tensorflow e4f88306,
// WithArgsGradient_*) use random upstream gradients; here dy is fixed and the published part is
// which elements pass.
void tensorflow_args_grad_group(FileBuilder& file) {
  const std::vector<float> six = {1.0f, -2.0f, 3.0f, -4.0f, 5.0f, -6.0f};
  std::vector<TfTensorCase> cases = {
      {"published: WithArgsGradient_RegularRange, nudged [-0.25, 63.5]: the ends pass, -0.26 and "
       "63.6 do not",
       {"published_value", "fake_quant_boundary"}, {-0.26f, -0.25f, -0.24f, 0.0f, 63.5f, 63.6f}, six,
       -0.125f, 63.625f, 8, false},
      {"published: WithArgsGradient_NarrowRange, nudged [-0.25, 63.25]",
       {"published_value", "fake_quant_boundary", "narrow_range"},
       {-0.26f, -0.25f, -0.24f, 0.0f, 63.25f, 63.3f}, six, -0.125f, 63.375f, 8, true},
      {"published: WithArgsGradient_4Bits_RegularRange, nudged [-0.5, 7]",
       {"published_value", "fake_quant_boundary"}, {-0.6f, -0.5f, -0.4f, 0.0f, 7.0f, 7.1f}, six,
       -0.4f, 7.1f, 4, false},
      {"published: WithArgsGradient_4Bits_NarrowRange, nudged [-0.5, 6.5]",
       {"published_value", "fake_quant_boundary", "narrow_range"},
       {-0.6f, -0.5f, -0.4f, 0.0f, 6.5f, 6.6f}, six, -0.4f, 6.6f, 4, true},
      {"x on both nudged bounds of [-12.8, 12.7] passes (inclusive), one ulp outside does not; "
       "NaN and +-inf x do not; a negative dy outside gives -0",
       {"fake_quant_boundary", "fake_quant_special_input"},
       {-12.8f, 12.7f, std::nextafter(-12.8f, -20.0f), std::nextafter(12.7f, 20.0f), kNaN, kInf,
        -kInf, 12.75f},
       {1.0f, -0.75f, 2.0f, -3.0f, 4.0f, -0.5f, 5.0f, -2.0f}, -12.8f, 12.7f, 8, false},
      {"range [2, 10] nudged to [0, 255 S]: x = 1 below the given min passes",
       {"range_excludes_zero"}, {-0.5f, 0.0f, 1.0f, 10.0f, 10.5f}, {1.0f, 2.0f, 4.0f, 8.0f, -1.0f},
       2.0f, 10.0f, 8, false},
      {"range [-10, -2] nudged to [-255 S, 0]: x = -1 passes, x > 0 does not",
       {"range_excludes_zero"}, {-10.5f, -10.0f, -1.0f, 0.0f, 0.5f}, {1.0f, 2.0f, 4.0f, 8.0f, -1.0f},
       -10.0f, -2.0f, 8, false},
      {"16 bits", {}, {-1.0f, 1.0f, 1.5f, -0.5f}, {1.0f, 2.0f, 4.0f, 8.0f}, -1.0f, 1.0f, 16, false},
      {"infinite and NaN upstream gradients: dy * 1.0f inside, dy * 0.0f = NaN outside (no sum "
       "to protect: IEEE products)",
       {}, {0.5f, 3.0f, 0.5f, 3.0f, 0.5f, 3.0f}, {kInf, kInf, -kInf, -kInf, kNaN, kNaN}, -1.0f, 1.0f, 8,
       false},
      {"min = max = 0 is rejected (the Args op requires min < max)", {"degenerate_range"}, {1.0f},
       {1.0f}, 0.0f, 0.0f, 8, false},
      {"min > max is rejected", {}, {0.0f}, {1.0f}, 1.0f, -1.0f, 8, false},
      {"num_bits = 17 is rejected", {}, {0.0f}, {1.0f}, -1.0f, 1.0f, 17, false},
      {"a NaN max is rejected", {}, {0.0f}, {1.0f}, -1.0f, kNaN, 8, false},
      {"dy with fewer elements than x is rejected", {}, {0.0f, 1.0f}, {1.0f}, -1.0f, 1.0f, 8, false},
  };
  Rng rng(0xFA4E0005);
  for (int i = 0; i < 8; ++i) cases.push_back(random_tf_tensor(rng, i, /*random_grid=*/true));
  auto& group = file.group("FakeQuantTfArgsGradTest",
                           Json{{"fake_quant", "tensorflow"}, {"tf_op", "with_min_max_args"}},
                           Json::object());
  for (const TfTensorCase& c : cases) {
    const ref::TfFakeQuantParams p{c.min, c.max, c.num_bits, c.narrow,
                                   ref::TfFakeQuantOp::with_min_max_args};
    group.add_computed(c.comment, c.flags, tf_tensor_inputs(c),
                       [&]() {
                         Json dx = Json::array();
                         for (float v : ref::tensorflow_args_gradient(c.xs, c.dys, p)) dx.push_back(encode(v));
                         return Json{{"grad_xs", dx}};
                       });
  }
}

}  // namespace

Json fake_quant_family() {
  FileBuilder file("fake_quant", "Q15",
                   {"fq(x) = dequantize(quantize(x)) in float and the straight-through mask "
                    "(Q16.1): exact (one rounding), pytorch (PyTorch 1.13 CPU, x86-64), "
                    "tensorflow (fake_quant_with_min_max_vars / _args, nudged range).",
                    "Operands: x, and scale, zero_point (exact, pytorch) or min, max, num_bits, "
                    "narrow_range (tensorflow; FakeQuantTest gives both, consistent); outputs "
                    "value (binary32 hex) and mask (boolean).",
                    "FakeQuantLearnableGradTest (Q16.2): inputs x, dy, scale, zero_point_float "
                    "(the learnable binary32 Zf), grad_factor; per tensor; outputs grad_x, "
                    "grad_scale, grad_zero_point, the element's dL/dx and terms of dL/dS and "
                    "dL/dZ as exact rationals (\"p/q\"; binary32 values for pytorch). Variants: "
                    "exact (LSQ), pytorch with cpu_build default (ATEN_CPU_CAPABILITY=default) or "
                    "fma (its AVX2/AVX-512 builds, multiply-adds contracted). params.per_channel "
                    "true: PyTorch's per-channel backward (_fake_quantize_learnable_per_channel_"
                    "affine, one element in a (1, 1) tensor, axis 1).",
                    "FakeQuantTfGradTest (Q16.3): TensorFlow's FakeQuantWithMinMaxVarsGradient on "
                    "a tensor xs with upstream dys and min, max, num_bits, narrow_range; outputs "
                    "grad_xs (binary32 per element, signs of zeros count), grad_min and grad_max "
                    "(the exact sums, rationals; TensorFlow's binary32 summation order is not "
                    "modelled, so a backend's binary32 sum may differ where the sum is inexact).",
                    "FakeQuantTfPerChannelGradTest (Q16.3): FakeQuantWithMinMaxVarsPerChannelGradient"
                    " on xs [b, d] row-major with per-channel mins, maxs (d each); outputs grad_xs "
                    "and grad_mins, grad_maxs (binary32 arrays: every channel sum here is exact in "
                    "binary32).",
                    "FakeQuantTfArgsGradTest (Q16.3, Args op): FakeQuantWithMinMaxArgsGradient on xs "
                    "with upstream dys and the attributes min, max, num_bits, narrow_range; output "
                    "grad_xs only (dy where nudged_min <= x <= nudged_max, both ends inclusive, "
                    "else dy * 0.0f; binary32, signs of zeros count)."});
  shared_group(file);
  tensorflow_group(file);
  learnable_grad_group(file);
  tensorflow_grad_group(file);
  tensorflow_per_channel_grad_group(file);
  tensorflow_args_grad_group(file);
  return file.finish();
}

}  // namespace quantspec::vectors::detail
