// Fake quantization (SPEC.md Q15, straight-through mask Q16.1): fake_quantize and
// fake_quantize_per_channel, variants exact (five rounding rules), pytorch and tensorflow.
// The oracle is the reference (fake_quant.hpp): the output compared bit for bit (any NaN for a
// NaN), the mask byte for byte (0 or 1). The kernel is called four times per case (execute():
// two output fills, then every buffer at a page end, then at a page start) with the unread
// fields of kernel_abi.h holding noise; the mask, a second output, is fenced like the output.
// Per-tensor tensorflow is the Vars op (t = s / S), per channel the PerChannel op (t = s * inv),
// as kernel_abi.h says (the Args op has no ABI form).
#include <cfloat>
#include <cmath>
#include <cstring>
#include <limits>
#include <ostream>
#include <sstream>
#include <unordered_map>

#include "check_kit.hpp"
#include "execute.hpp"
#include "ops.hpp"
#include "quantspec/reference/fake_quant.hpp"
#include "unread_fields.hpp"

namespace quantspec::conformance::ops {
namespace {

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();
constexpr float kInf = std::numeric_limits<float>::infinity();

struct FakeQuantCase {
  bool per_channel = false;
  std::uint32_t variant = QS_FQ_EXACT;
  std::uint32_t rounding = QS_ROUND_HALF_EVEN;  // read by exact only
  std::int32_t qmin = -128;
  std::int32_t qmax = 127;
  std::vector<float> scales{1.0f};           // exact / pytorch: one per tensor or per channel
  std::vector<std::int32_t> zero_points{0};
  std::vector<float> mins{-1.0f};            // tensorflow
  std::vector<float> maxs{1.0f};
  bool with_mask = true;
  std::vector<float> input;
  Placement placement;
};

bool is_tf(const FakeQuantCase& c) { return c.variant == QS_FQ_TENSORFLOW; }
std::size_t channel_count(const FakeQuantCase& c) {
  if (!c.per_channel) return 1;
  return is_tf(c) ? c.mins.size() : c.scales.size();
}

std::string variant_name(std::uint32_t v) {
  switch (v) {
    case QS_FQ_EXACT: return "exact";
    case QS_FQ_PYTORCH: return "pytorch";
    case QS_FQ_TENSORFLOW: return "tensorflow";
  }
  return "variant#" + std::to_string(v);
}

// The flavor a table may refuse: the exact variant's rounding rule.
Flavor flavor_of(const FakeQuantCase& c) {
  return {c.variant == QS_FQ_EXACT ? c.rounding : 0u, QS_S8, c.per_channel};
}

std::string describe(const FakeQuantCase& c) {
  std::ostringstream t;
  t << "  op: " << (c.per_channel ? "fake_quantize_per_channel" : "fake_quantize") << "\n"
    << "  variant: " << variant_name(c.variant) << "\n";
  if (c.variant == QS_FQ_EXACT) t << "  rounding: " << rounding_name(c.rounding) << "\n";
  t << "  qmin, qmax: " << c.qmin << ", " << c.qmax << "\n";
  if (is_tf(c)) {
    if (c.per_channel) {
      t << "  channels: " << c.mins.size() << "\n  mins: " << list(c.mins) << "\n  maxs: " << list(c.maxs) << "\n";
    } else {
      t << "  min: " << hex(c.mins.at(0)) << "\n  max: " << hex(c.maxs.at(0)) << "\n";
    }
  } else if (c.per_channel) {
    t << "  channels: " << c.scales.size() << "\n  scales: " << list(c.scales) << "\n  zero_points: "
      << list(c.zero_points) << "\n";
  } else {
    t << "  scale: " << hex(c.scales.at(0)) << "\n  zero_point: " << c.zero_points.at(0) << "\n";
  }
  t << "  mask: " << (c.with_mask ? "requested" : "NULL") << "\n"
    << "  n: " << c.input.size() << "\n"
    << "  input (misaligned by " << c.placement.input_offset << " floats): " << list(c.input) << "\n"
    << "  output misaligned by " << c.placement.output_offset << " floats\n";
  return t.str();
}

void showValue(const FakeQuantCase& c, std::ostream& os) { os << "\n" << describe(c); }

// kernel_abi.h "Which fields a variant reads": the used form's fields from the case, every other
// field noise (rounding: other valid rules where the variant ignores it).
void set_fields(qs_fake_quant_params& p, const FakeQuantCase& c, Noise unread) {
  const bool tf = is_tf(c);
  p.variant = c.variant;
  p.rounding = c.variant == QS_FQ_EXACT ? c.rounding : unread_rounding(unread, c.rounding);
  p.qmin = c.qmin;
  p.qmax = c.qmax;
  p.scale = unread_scale(unread, tf ? 0.1f : c.scales.at(0));
  p.zero_point = unread_zero_point(unread, tf ? 0 : c.zero_points.at(0));
  p.min = unread_scale(unread, tf ? c.mins.at(0) : -1.0f);
  p.max = unread_scale(unread, tf ? c.maxs.at(0) : 1.0f);
  p.scales = unread_array<float>(unread);
  p.zero_points = unread_array<std::int32_t>(unread);
  p.mins = unread_array<float>(unread);
  p.maxs = unread_array<float>(unread);
  p.channels = unread_count(unread);
  if (c.per_channel) {
    p.channels = channel_count(c);
    if (tf) {
      p.mins = parameter_array(c.mins, "mins");
      p.maxs = parameter_array(c.maxs, "maxs");
    } else {
      p.scales = parameter_array(c.scales, "scales");
      p.zero_points = parameter_array(c.zero_points, "zero_points");
    }
  } else if (tf) {
    p.min = c.mins.at(0);
    p.max = c.maxs.at(0);
  } else {
    p.scale = c.scales.at(0);
    p.zero_point = c.zero_points.at(0);
  }
}

int bits_of(std::int32_t qmax) {
  int bits = 0;
  while ((std::int64_t{1} << bits) - 1 < qmax) ++bits;
  return bits;
}

ref::TfFakeQuantParams tf_params(const FakeQuantCase& c, std::size_t ch) {
  ref::TfFakeQuantParams p;
  p.min = c.mins.at(ch);
  p.max = c.maxs.at(ch);
  p.num_bits = bits_of(c.qmax);
  p.narrow_range = c.qmin == 1;
  p.op = c.per_channel ? ref::TfFakeQuantOp::with_min_max_vars_per_channel : ref::TfFakeQuantOp::with_min_max_vars;
  return p;
}

ref::FakeQuantParams fq_params(const FakeQuantCase& c, std::size_t ch) {
  ref::FakeQuantParams p;
  p.scale = c.scales.at(ch);
  p.zero_point = c.zero_points.at(ch);
  p.qmin = c.qmin;
  p.qmax = c.qmax;
  p.rounding = static_cast<ref::Rounding>(c.rounding);  // the ABI lists the rules in the reference's order
  return p;
}

ref::FakeQuantResult reference_element(const FakeQuantCase& c, float x, std::size_t ch) {
  if (is_tf(c)) return ref::fake_quantize_tensorflow(x, tf_params(c, ch));
  return ref::fake_quantize(x, fq_params(c, ch),
                            c.variant == QS_FQ_EXACT ? ref::FakeQuantVariant::exact : ref::FakeQuantVariant::pytorch);
}

bool same_output(float want, float got) {
  if (std::isnan(want)) return std::isnan(got);
  std::uint32_t a, b;
  std::memcpy(&a, &want, 4);
  std::memcpy(&b, &got, 4);
  return a == b;
}

Outcome run_case(const qs_kernel_table& table, const FakeQuantCase& c, OracleMode = OracleMode::fast) {
  if (!QS_TABLE_HAS_SLOT(&table, fake_quantize_per_channel)) return Outcome::not_supported();
  auto* const fn = c.per_channel ? table.fake_quantize_per_channel : table.fake_quantize;
  if (fn == nullptr) return Outcome::not_supported();
  const std::size_t n = c.input.size();
  const std::string description = describe(c);
  qs_fake_quant_params p{};
  NoiseSchedule noise;
  std::vector<std::vector<std::uint8_t>> masks;
  const Execution e = execute(
      {{to_bytes(c.input), c.placement.input_offset * sizeof(float), "input"}}, n * sizeof(float),
      c.placement.output_offset * sizeof(float),
      [&](const std::vector<const void*>& in, void* out) {
        set_fields(p, c, noise.next());
        if (!c.with_mask) return fn(&p, static_cast<const float*>(in[0]), static_cast<float*>(out), nullptr, n);
        // The mask is fenced like the output (execute() checks its guard bytes after the call).
        std::uint8_t* const mask = output_array<std::uint8_t>(n, "mask");
        const qs_status status = fn(&p, static_cast<const float*>(in[0]), static_cast<float*>(out), mask, n);
        masks.emplace_back(mask, mask + n);
        return status;
      },
      description);
  if (e.verdict) return *e.verdict;
  if (auto i = first_unwritten(e, sizeof(float))) {
    return Outcome::fail(unwritten_message("element " + std::to_string(*i)) + description, i);
  }
  if (c.with_mask) {
    for (std::size_t i = 0; i < n; ++i) {
      if (masks.at(0)[i] != masks.at(1)[i]) {
        return Outcome::fail(unwritten_message("mask element " + std::to_string(i)) + description, i);
      }
      for (std::size_t call = 2; call < masks.size(); ++call) {
        if (masks[call][i] != masks[0][i]) {
          return Outcome::fail("gave a different mask at element " + std::to_string(i) + " in call " +
                                   std::to_string(call + 1) +
                                   " when only the placement of its buffers and the unread fields changed\n" +
                                   description,
                               i);
        }
      }
    }
  }
  const std::size_t channels = channel_count(c);
  std::unordered_map<std::uint64_t, ref::FakeQuantResult> memo;  // (channel, bits of x)
  for (std::size_t i = 0; i < n; ++i) {
    const std::size_t ch = i % channels;
    std::uint32_t bits;
    std::memcpy(&bits, &c.input[i], 4);
    const std::uint64_t key = (static_cast<std::uint64_t>(ch) << 32) | bits;
    auto found = memo.find(key);
    if (found == memo.end()) found = memo.emplace(key, reference_element(c, c.input[i], ch)).first;
    const ref::FakeQuantResult& want = found->second;
    const float got = load_float(e.first, i);
    const bool mask_wrong = c.with_mask && masks[0][i] != (want.mask ? 1 : 0);
    if (!same_output(want.value, got) || mask_wrong) {
      std::ostringstream t;
      t << "wrong " << (mask_wrong && same_output(want.value, got) ? "mask" : "output") << " at index " << i
        << " (channel " << ch << "): input " << hex(c.input[i]) << ": expected " << hex(want.value) << " (grid q "
        << want.q.str() << ") mask " << want.mask << ", got " << hex(got);
      if (c.with_mask) t << " mask " << static_cast<int>(masks[0][i]);
      t << "\n" << description;
      return Outcome::fail(t.str(), i);
    }
  }
  return Outcome::pass();
}

// ---- Cases -------------------------------------------------------------------------------------

using Cases = std::vector<std::pair<std::string, FakeQuantCase>>;

struct Grid {
  const char* name;
  std::int32_t qmin, qmax;
};
// 8-bit, narrow, 4-bit and 16-bit grids, the widest grid binary32 lanes hold (2^22), and int32
// grids past it (per-element paths).
const Grid kGrids[] = {{"s8", -128, 127},       {"u8", 0, 255},
                       {"narrow s8", -127, 127}, {"s4", -8, 7},
                       {"u4", 0, 15},           {"s16", -32768, 32767},
                       {"2^22", -(1 << 22), 1 << 22},
                       {"past 2^22", -(1 << 22) - 1, (1 << 22) + 1},
                       {"s32", INT32_MIN, INT32_MAX}};
// TensorFlow grids (qmin = narrow_range, qmax = 2^num_bits - 1).
const Grid kTfGrids[] = {{"8 bits", 0, 255}, {"8 bits narrow", 1, 255}, {"2 bits", 0, 3},
                         {"4 bits narrow", 1, 15}, {"16 bits", 0, 65535}};

void add_near(std::vector<float>& xs, float x) {
  xs.push_back(x);
  xs.push_back(std::nextafter(x, kInf));
  xs.push_back(std::nextafter(x, -kInf));
}

void add_specials(std::vector<float>& xs) {
  for (float x : {0.0f, -0.0f, kInf, -kInf, kNaN, 1e30f, -1e30f, FLT_MAX, -FLT_MAX, 0x1p-149f, -0x1p-149f,
                  0x1p63f, -0x1p63f}) {
    xs.push_back(x);
  }
}

// x on every rounding boundary near the grid's ends, at 0 and in the middle: (k + 1/2) * S,
// k * S and their binary32 neighbours, and (k + 1/2) / fl32(1/S) (PyTorch's ties).
std::vector<float> boundary_inputs(std::int64_t lo, std::int64_t hi, float s) {
  std::vector<float> xs;
  const float inv = 1.0f / s;
  for (std::int64_t k : {lo - 2, lo - 1, lo, lo + 1, std::int64_t{-1}, std::int64_t{0}, std::int64_t{1}, (lo + hi) / 2,
                         hi - 1, hi, hi + 1}) {
    for (double f : {0.0, 0.5, -0.5}) {
      const double real = (static_cast<double>(k) + f) * s;
      add_near(xs, static_cast<float>(real));
      if (f != 0.0 && std::isfinite(inv)) xs.push_back(static_cast<float>((static_cast<double>(k) + f) / inv));
    }
  }
  add_specials(xs);
  return xs;
}

FakeQuantCase fq_case(bool per_channel, std::uint32_t variant, std::uint32_t rounding, const Grid& g) {
  FakeQuantCase c;
  c.per_channel = per_channel;
  c.variant = variant;
  c.rounding = rounding;
  c.qmin = g.qmin;
  c.qmax = g.qmax;
  return c;
}

Cases boundary_cases(bool per_channel, std::uint32_t variant, std::uint32_t rounding) {
  Cases cases;
  if (variant == QS_FQ_TENSORFLOW) {
    // (Ranges narrower than about 255 / FLT_MAX make TF's inv_scale = fl32(255 / range)
    // infinite; Q15.5 does not reject them and the reference cannot evaluate them: not used.)
    const std::pair<float, float> ranges[] = {{-12.8f, 12.7f}, {-1.0f, 1.0f}, {0.0f, 6.0f},   {2.0f, 10.0f},
                                              {-10.0f, -2.0f}, {0.0f, 0.0f},  {-0.1f, 25.4f}, {-3e-30f, 1e-30f},
                                              {-1e30f, 1e30f}, {-0.3f, 0.0f}, {-65504.0f, 65504.0f}};
    for (const Grid& g : kTfGrids) {
      for (const auto& [min, max] : ranges) {
        FakeQuantCase c = fq_case(per_channel, variant, rounding, g);
        c.mins = {min};
        c.maxs = {max};
        std::vector<float> xs;
        add_specials(xs);
        add_near(xs, min);
        add_near(xs, max);
        if (!(min == 0.0f && max == 0.0f)) {
          const ref::TfNudged nudged = ref::tf_nudge(tf_params(c, 0));
          add_near(xs, nudged.nudged_min);
          add_near(xs, nudged.nudged_max);
          const std::int64_t levels = g.qmax - g.qmin;
          for (std::int64_t k : {std::int64_t{0}, std::int64_t{1}, levels / 2, levels - 1}) {
            // Level ties: nudged_min + (k + 1/2) * S, and the neighbours.
            add_near(xs, static_cast<float>(nudged.nudged_min + (static_cast<double>(k) + 0.5) * nudged.scale));
            add_near(xs, static_cast<float>(nudged.nudged_min + static_cast<double>(k) * nudged.scale));
          }
        }
        c.input = xs;
        cases.emplace_back(std::string(g.name) + ", [" + hex(min) + ", " + hex(max) + "]", c);
      }
    }
    return cases;
  }
  const float scales[] = {0.1f, 1.0f, 1.0f / 3.0f, 0.75f, 0x1p-130f, 0x1.8p-140f, 0x1p-149f, 1e-20f,
                          0x1p-101f, 0x1p-100f, 1e10f, 3e37f};
  for (const Grid& g : kGrids) {
    for (float s : scales) {
      const std::int32_t odd = g.qmin + 3;
      const std::int32_t middle = g.qmin < 0 ? 0 : static_cast<std::int32_t>((std::int64_t{g.qmin} + g.qmax) / 2);
      for (std::int32_t z : {g.qmin, g.qmax, middle, odd}) {
        FakeQuantCase c = fq_case(per_channel, variant, rounding, g);
        c.scales = {s};
        c.zero_points = {z};
        c.input = boundary_inputs(std::int64_t{g.qmin} - z, std::int64_t{g.qmax} - z, s);
        cases.emplace_back(std::string(g.name) + ", scale " + hex(s) + ", zero_point " + std::to_string(z), c);
      }
    }
  }
  return cases;
}

// Every length (the SIMD tails; kLargeLength once), the mask requested or not, misaligned.
Cases length_cases(bool per_channel, std::uint32_t variant, std::uint32_t rounding) {
  Cases cases;
  std::size_t i = 0;
  for (std::size_t n : kit::interesting_lengths()) {
    FakeQuantCase c = fq_case(per_channel, variant, rounding, variant == QS_FQ_TENSORFLOW ? kTfGrids[0] : kGrids[0]);
    c.scales = {0.0625f};
    c.zero_points = {-3};
    c.mins = {-7.9f};
    c.maxs = {8.1f};
    for (std::size_t j = 0; j < n; ++j) {
      // Steps of S/2 (ties included) across the whole grid and past it.
      c.input.push_back((static_cast<float>((j * 37 + n) % 600) - 300.0f) * 0.03125f);
    }
    c.with_mask = i % 3 != 2;
    c.placement = {i % 4, (i / 4) % 4};
    ++i;
    cases.emplace_back("length " + std::to_string(n) + (c.with_mask ? "" : ", mask NULL"), c);
  }
  return cases;
}

Cases channel_cases(std::uint32_t variant, std::uint32_t rounding) {
  Cases cases;
  for (std::size_t channels : kit::channel_counts()) {
    FakeQuantCase c = fq_case(true, variant, rounding, variant == QS_FQ_TENSORFLOW ? kTfGrids[0] : kGrids[0]);
    c.scales.clear();
    c.zero_points.clear();
    c.mins.clear();
    c.maxs.clear();
    for (std::size_t ch = 0; ch < channels; ++ch) {
      const int index = kit::channel_parameter_index(ch);
      c.scales.push_back(std::ldexp(1.0f, index % 9 - 4));
      c.zero_points.push_back(-128 + (index * 41) % 256);
      c.mins.push_back(-std::ldexp(1.0f, index % 7));
      c.maxs.push_back(std::ldexp(1.5f, index % 5));
    }
    for (std::size_t j = 0; j < kit::per_channel_length(channels); ++j) {
      c.input.push_back((static_cast<float>(j % 301) - 150.0f) * 0.0625f);
    }
    cases.emplace_back("element i uses channel i % " + std::to_string(channels), c);
  }
  return cases;
}

float gen_scale() {
  using namespace rc::gen;
  return *weightedOneOf<float>({
      {6, map(tuple(inRange<std::uint32_t>(0, 1u << 23), inRange(-30, 12)),
              [](const std::tuple<std::uint32_t, int>& t) {
                return std::ldexp(1.0f + static_cast<float>(std::get<0>(t)) / 8388608.0f, std::get<1>(t));
              })},
      {1, map(inRange<std::uint32_t>(1, 0x7f800000u), [](std::uint32_t bits) {
            float f;
            std::memcpy(&f, &bits, 4);
            return f;
          })},
  });
}

rc::Gen<FakeQuantCase> gen_fake_quant(bool per_channel, std::uint32_t variant, const Support& support) {
  return rc::gen::exec([per_channel, variant, support] {
    using namespace rc::gen;
    const Flavor flavor = *elementOf(support.supported);
    const bool tf = variant == QS_FQ_TENSORFLOW;
    const Grid g = tf ? *elementOf(std::vector<Grid>(std::begin(kTfGrids), std::end(kTfGrids)))
                      : *elementOf(std::vector<Grid>(std::begin(kGrids), std::end(kGrids)));
    FakeQuantCase c = fq_case(per_channel, variant, tf || variant == QS_FQ_PYTORCH ? 0u : flavor.input_type, g);
    const std::size_t channels = per_channel ? *inRange<std::size_t>(1, 70) : 1;
    c.scales.clear();
    c.zero_points.clear();
    c.mins.clear();
    c.maxs.clear();
    for (std::size_t ch = 0; ch < channels; ++ch) {
      c.scales.push_back(gen_scale());
      const std::int64_t span = std::int64_t{g.qmax} - g.qmin;
      const std::int64_t offset = *weightedOneOf<std::int64_t>(
          {{1, element<std::int64_t>(0, span)}, {3, inRange<std::int64_t>(0, std::min<std::int64_t>(span, 1000) + 1)}});
      c.zero_points.push_back(static_cast<std::int32_t>(g.qmin + offset));
      // TF ranges: random ends of either sign (sorted), or zero at one end.
      float a = *map(inRange(-4000, 4001), [](int v) { return static_cast<float>(v) / 64.0f; });
      float b = *map(inRange(-4000, 4001), [](int v) { return static_cast<float>(v) / 64.0f; });
      if (a > b) std::swap(a, b);
      if (a == b) b = a + 1.0f;
      c.mins.push_back(a);
      c.maxs.push_back(b);
    }
    const std::size_t n = *kit::gen_length();
    for (std::size_t i = 0; i < n; ++i) {
      const std::size_t ch = i % channels;
      const float s = tf ? (c.maxs[ch] - c.mins[ch]) / static_cast<float>(g.qmax - g.qmin) : c.scales[ch];
      const float base = tf ? c.mins[ch] : 0.0f;
      c.input.push_back(*weightedOneOf<float>({
          {4, map(inRange(-2000, 2001), [s, base](int k) { return static_cast<float>(base + k * 0.5 * s); })},
          {2, map(inRange(-300000, 300001), [s, base](int k) { return static_cast<float>(base + k * 1e-3 * s); })},
          {1, map(arbitrary<std::uint32_t>(), [](std::uint32_t bits) {
                float f;
                std::memcpy(&f, &bits, 4);
                return f;
              })},
          {1, element(0.0f, -0.0f, kInf, -kInf, kNaN, 1e30f)},
      }));
    }
    c.with_mask = *weightedOneOf<bool>({{4, just(true)}, {1, just(false)}});
    c.placement.input_offset = *kit::gen_offset();
    c.placement.output_offset = *kit::gen_offset();
    return c;
  });
}

// ---- Bad parameters ----------------------------------------------------------------------------

std::vector<kit::BadCall> bad_calls(const qs_kernel_table& table, bool per_channel, std::uint32_t variant,
                                    std::uint32_t rounding) {
  std::vector<kit::BadCall> calls;
  auto* const fn = per_channel ? table.fake_quantize_per_channel : table.fake_quantize;
  const bool tf = variant == QS_FQ_TENSORFLOW;
  auto add = [&](std::string what, std::function<void(qs_fake_quant_params&)> edit) {
    kit::BadCall bad;
    bad.what = what;
    bad.flavor = {variant == QS_FQ_EXACT ? rounding : 0u, QS_S8, per_channel};
    bad.output_bytes = 16;
    bad.call = [=](void* out) {
      static const float input[4] = {0.25f, -1.0f, 3.0f, 100.0f};
      float scales[2] = {0.5f, 0.25f};
      std::int32_t zps[2] = {-128, 5};
      float mins[2] = {-1.0f, -2.0f};
      float maxs[2] = {1.0f, 6.0f};
      qs_fake_quant_params p{};
      p.variant = variant;
      p.rounding = rounding;
      p.qmin = tf ? 0 : -128;
      p.qmax = tf ? 255 : 127;
      p.scale = 0.5f;
      p.zero_point = 1;
      p.min = -1.0f;
      p.max = 1.0f;
      if (per_channel) {
        p.scales = scales;
        p.zero_points = zps;
        p.mins = mins;
        p.maxs = maxs;
        p.channels = 2;
      }
      edit(p);
      if (per_channel) {  // the per-tensor edit, applied to channel 1
        scales[1] = p.scale;
        zps[1] = p.zero_point;
        mins[1] = p.min;
        maxs[1] = p.max;
      }
      if (p.scales == scales) p.scales = kit::fenced_array(scales, 2, "scales");
      if (p.zero_points == zps) p.zero_points = kit::fenced_array(zps, 2, "zero_points");
      if (p.mins == mins) p.mins = kit::fenced_array(mins, 2, "mins");
      if (p.maxs == maxs) p.maxs = kit::fenced_array(maxs, 2, "maxs");
      std::uint8_t mask[4];
      return fn(&p, kit::fenced_input(input, 4, "input"), static_cast<float*>(out), mask, 4);
    };
    calls.push_back(bad);
  };
  add("variant outside the enum", [](qs_fake_quant_params& p) { p.variant = 3; });
  add("rounding outside the enum", [](qs_fake_quant_params& p) { p.rounding = 5; });
  add("qmin = qmax", [](qs_fake_quant_params& p) { p.qmin = p.qmax; });
  add("qmin > qmax", [](qs_fake_quant_params& p) { std::swap(p.qmin, p.qmax); });
  if (tf) {
    add("qmin = 2 (narrow_range gives 1)", [](qs_fake_quant_params& p) { p.qmin = 2; });
    add("qmax = 254 (not 2^num_bits - 1)", [](qs_fake_quant_params& p) { p.qmax = 254; });
    add("qmax = 2^17 - 1 (num_bits 17)", [](qs_fake_quant_params& p) { p.qmax = (1 << 17) - 1; });
    add("qmin = 0, qmax = 1 (num_bits 1)", [](qs_fake_quant_params& p) { p.qmax = 1; });
    add("min = NaN", [](qs_fake_quant_params& p) { p.min = kNaN; });
    add("max = +inf", [](qs_fake_quant_params& p) { p.max = kInf; });
    add("min = -inf", [](qs_fake_quant_params& p) { p.min = -kInf; });
    add("min > max", [](qs_fake_quant_params& p) { p.min = 2.0f; });
    add("min = max = 1", [](qs_fake_quant_params& p) { p.min = p.max = 1.0f; });
    add("fl32(max - min) = inf", [](qs_fake_quant_params& p) { p.min = -3e38f; p.max = 3e38f; });
    add("a range whose scale rounds to 0", [](qs_fake_quant_params& p) { p.min = 0.0f; p.max = 0x1p-149f; });
    // scale = fl32(2^-126 / 255) > 0, but inv_scale = fl32(255 / 2^-126) = +inf (Q15.5).
    add("a range whose inv_scale overflows", [](qs_fake_quant_params& p) { p.min = 0.0f; p.max = 0x1p-126f; });
    if (per_channel) {
      add("mins = NULL", [](qs_fake_quant_params& p) { p.mins = nullptr; });
      add("maxs = NULL", [](qs_fake_quant_params& p) { p.maxs = nullptr; });
    }
  } else {
    for (float s : {0.0f, -1.0f, kNaN, kInf, -0.0f}) {
      add("scale = " + hex(s), [s](qs_fake_quant_params& p) { p.scale = s; });
    }
    add("zero_point below qmin", [](qs_fake_quant_params& p) { p.zero_point = p.qmin - 1; });
    add("zero_point above qmax", [](qs_fake_quant_params& p) { p.zero_point = p.qmax + 1; });
    if (per_channel) {
      add("scales = NULL", [](qs_fake_quant_params& p) { p.scales = nullptr; });
      add("zero_points = NULL", [](qs_fake_quant_params& p) { p.zero_points = nullptr; });
    }
  }
  if (per_channel) add("channels = 0", [](qs_fake_quant_params& p) { p.channels = 0; });
  kit::BadCall null_params;
  null_params.what = "params = NULL";
  null_params.flavor = {variant == QS_FQ_EXACT ? rounding : 0u, QS_S8, per_channel};
  null_params.output_bytes = 16;
  null_params.call = [fn](void* out) {
    static const float input[4] = {1, 2, 3, 4};
    return fn(nullptr, kit::fenced_input(input, 4, "input"), static_cast<float*>(out), nullptr, 4);
  };
  calls.push_back(null_params);
  return calls;
}

// ---- Suites ------------------------------------------------------------------------------------

VariantSuite fake_quantize_suite(bool per_channel, std::uint32_t variant) {
  VariantSuite s;
  s.op = per_channel ? "fake_quantize_per_channel" : "fake_quantize";
  s.variant = variant_name(variant);
  s.probe = [per_channel, variant](const qs_kernel_table& table) {
    std::vector<FakeQuantCase> probes;
    const std::uint32_t rules = variant == QS_FQ_EXACT ? QS_ROUND_FLOOR + 1 : 1;
    for (std::uint32_t r = 0; r < rules; ++r) {
      FakeQuantCase c = fq_case(per_channel, variant, r, variant == QS_FQ_TENSORFLOW ? kTfGrids[0] : kGrids[0]);
      c.scales = {0.5f};
      c.zero_points = {3};
      c.mins = {-1.0f};
      c.maxs = {2.0f};
      c.input = {0.25f, -1.0f, 3.0f};
      probes.push_back(c);
    }
    return kit::probe(table, probes, [variant](const Flavor& f) {
      return variant == QS_FQ_EXACT ? rounding_name(f.input_type) : variant_name(variant);
    });
  };
  // Catalogue checks run every rounding rule the table supports.
  auto catalogue = [per_channel, variant](const std::string& name,
                                          std::function<Cases(std::uint32_t rounding)> build) {
    return Check{name, false, [variant, build](const qs_kernel_table& t, const Support& sup, const Settings&) {
                   CheckResult total{CheckResult::Verdict::pass, "", 0};
                   for (const Flavor& f : sup.supported) {
                     const CheckResult r = kit::run_cases(t, sup, build(variant == QS_FQ_EXACT ? f.input_type : 0u));
                     total.cases += r.cases;
                     if (r.verdict == CheckResult::Verdict::fail) return CheckResult{r.verdict, r.counterexample, total.cases};
                   }
                   return total;
                 }};
    (void)per_channel;
  };
  s.checks.push_back(catalogue("RoundsTiesAndGridBoundariesByItsVariant", [per_channel, variant](std::uint32_t r) {
    return boundary_cases(per_channel, variant, r);
  }));
  s.checks.push_back(catalogue("WritesEveryLengthAndMaskExactlyOnce", [per_channel, variant](std::uint32_t r) {
    return length_cases(per_channel, variant, r);
  }));
  if (per_channel) {
    s.checks.push_back(catalogue("UsesChannelIModChannels", [variant](std::uint32_t r) { return channel_cases(variant, r); }));
  }
  s.checks.push_back(kit::random_cases_check(s.op, s.variant, [per_channel, variant](const Support& sup) {
    return gen_fake_quant(per_channel, variant, sup);
  }));
  s.checks.push_back(kit::bad_parameters_per_flavor_check(s.op, [per_channel, variant](const qs_kernel_table& t, const Flavor& f) {
    return bad_calls(t, per_channel, variant, f.input_type);
  }));
  return s;
}

}  // namespace

std::vector<VariantSuite> fake_quantize_suites() {
  std::vector<VariantSuite> suites;
  for (bool per_channel : {false, true}) {
    for (std::uint32_t variant : {QS_FQ_EXACT, QS_FQ_PYTORCH, QS_FQ_TENSORFLOW}) {
      suites.push_back(fake_quantize_suite(per_channel, variant));
    }
  }
  return suites;
}

}  // namespace quantspec::conformance::ops
