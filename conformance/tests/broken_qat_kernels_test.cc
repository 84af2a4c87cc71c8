// The fake_quantize, dynamic_quantize, dynamic_linear and dynamic_linear_packed suites catch realistic bugs. Each broken table is the
// scalar example with one of these slots filled by a kernel written from the spec with one bug;
// parameter validation is delegated to our optimized table (a call with no elements, or on a
// scratch copy of the outputs), so only the bug differs from a correct kernel.
#include <gtest/gtest.h>

#include <cmath>
#include <cstddef>
#include <cstring>
#include <iostream>
#include <memory>
#include <stdexcept>
#include <vector>

#include "broken_kernels.hpp"
#include "quantspec/conformance/suite.hpp"

#ifdef QUANTSPEC_HAVE_OPTIMIZED
#include "quantspec/optimized.h"

namespace quantspec::conformance {
qs_kernel_table broken_with_slot(void (*edit)(qs_kernel_table&), const char* name);
namespace {

const qs_kernel_table& ours() { return *optimized::dispatch_table(); }

// Q15.3 PyTorch with one bug picked by `kBug`.
enum class PytorchBug { ties_away, exclusive_mask };
template <PytorchBug kBug>
qs_status pytorch_fake_quantize(const qs_fake_quant_params* p, const float* in, float* out, std::uint8_t* mask,
                                size_t n) {
  const qs_status status = ours().fake_quantize(p, in, out, mask, 0);
  if (status != QS_OK || p->variant != QS_FQ_PYTORCH) return ours().fake_quantize(p, in, out, mask, n);
  const float inv = 1.0f / p->scale;
  for (size_t i = 0; i < n; ++i) {
    const float product = in[i] * inv;
    // BUG (ties_away): std::round, the C habit, where PyTorch calls nearbyint (ties to even).
    const float nearest = kBug == PytorchBug::ties_away ? std::round(product) : std::nearbyint(product);
    const float u = static_cast<float>(p->zero_point) + nearest;
    const std::int64_t qval = (std::isnan(u) || std::fabs(u) >= 0x1p63f) ? INT64_MIN : static_cast<std::int64_t>(u);
    const std::int64_t q = qval < p->qmin ? p->qmin : (qval > p->qmax ? p->qmax : qval);
    out[i] = static_cast<float>(static_cast<double>(q - p->zero_point) * p->scale);
    // BUG (exclusive_mask): the boundary grid points get no gradient.
    const bool inside = kBug == PytorchBug::exclusive_mask ? (p->qmin < qval && qval < p->qmax)
                                                           : (p->qmin <= qval && qval <= p->qmax);
    if (mask != nullptr) mask[i] = inside ? 1 : 0;
  }
  return QS_OK;
}

// Q15.2 exact, half_even only, with the zero point added before rounding: R(x/S + Z).
qs_status exact_zero_point_before_rounding(const qs_fake_quant_params* p, const float* in, float* out,
                                           std::uint8_t* mask, size_t n) {
  const qs_status status = ours().fake_quantize(p, in, out, mask, 0);
  if (status != QS_OK || p->variant != QS_FQ_EXACT || p->rounding != QS_ROUND_HALF_EVEN) {
    return ours().fake_quantize(p, in, out, mask, n);
  }
  for (size_t i = 0; i < n; ++i) {
    if (std::isnan(in[i])) {
      out[i] = in[i];
      if (mask != nullptr) mask[i] = 0;
      continue;
    }
    const double t = static_cast<double>(in[i]) / p->scale;  // exact enough for these tests
    const double u = std::nearbyint(t + p->zero_point);       // BUG: Z before rounding
    const double q = u < p->qmin ? p->qmin : (u > p->qmax ? p->qmax : u);
    out[i] = static_cast<float>((q - p->zero_point) * static_cast<double>(p->scale));
    if (mask != nullptr) mask[i] = (u >= p->qmin && u <= p->qmax) ? 1 : 0;
  }
  return QS_OK;
}

// Q17.1 ONNX with a reduction that only looks at whole blocks of 8 elements.
qs_status onnx_reduction_skips_tail(const qs_dynamic_quantize_params* p, const float* in, void* out, size_t rows,
                                    size_t cols, float* scales_out, std::int32_t* zero_points_out) {
  const qs_status status = ours().dynamic_quantize(p, in, out, rows, cols, scales_out, zero_points_out);
  if (status != QS_OK || p->variant != QS_DYN_ONNX_U8) return status;
  const size_t n = rows * cols;
  float lo = 0.0f, hi = 0.0f;
  for (size_t i = 0; i < n / 8 * 8; ++i) {  // BUG: the last n % 8 elements are never looked at
    lo = std::fmin(lo, in[i]);
    hi = std::fmax(hi, in[i]);
  }
  float scale = 1.0f;
  std::int32_t zero_point = 0;
  if (hi - lo > 0.0f) {
    scale = (hi - lo) / 255.0f;
    const float zp = 0.0f - lo / scale;
    zero_point = static_cast<std::int32_t>(std::nearbyint(std::fmin(std::fmax(zp, 0.0f), 255.0f)));
  }
  for (size_t i = 0; i < n; ++i) {
    const float q = std::nearbyint(in[i] / scale) + static_cast<float>(zero_point);
    static_cast<std::uint8_t*>(out)[i] = static_cast<std::uint8_t>(std::fmin(std::fmax(q, 0.0f), 255.0f));
  }
  scales_out[0] = scale;
  zero_points_out[0] = zero_point;
  return QS_OK;
}

// Q15.6 PyTorch per channel with the channel counter restarted every 16 elements (a vector
// loop that reloads the parameters from the start of the array each block).
qs_status per_channel_restarting_every_16(const qs_fake_quant_params* p, const float* in, float* out,
                                          std::uint8_t* mask, size_t n) {
  const qs_status status = ours().fake_quantize_per_channel(p, in, out, mask, 0);
  if (status != QS_OK || p->variant != QS_FQ_PYTORCH) return ours().fake_quantize_per_channel(p, in, out, mask, n);
  for (size_t i = 0; i < n; ++i) {
    const size_t ch = (i % 16) % p->channels;  // BUG: i % channels
    qs_fake_quant_params one = *p;
    one.scale = p->scales[ch];
    one.zero_point = p->zero_points[ch];
    const qs_status s = ours().fake_quantize(&one, in + i, out + i, mask == nullptr ? nullptr : mask + i, 1);
    if (s != QS_OK) return s;
  }
  return QS_OK;
}

// Q17.7 dynamic linear written from the spec with one bug picked by `kBug` (any other value: no
// bug); the quantize of x is our dynamic_quantize on a dense copy.
// Rejects a call with an invalid weight scale correctly, but first looks for the column to
// blame with `<= n`, reading weight_scales[n]; valid calls never take that path, so only the
// fenced bad-parameter calls (ops_dynamic_linear.cc bad_calls) can catch it.
qs_status dynamic_linear_blames_a_column_past_the_last(const qs_dynamic_linear_params* p, const float* x,
                                                      size_t x_stride, const std::int8_t* w, size_t w_stride,
                                                      float* out, size_t out_stride, size_t m, size_t n, size_t k) {
  if (p != nullptr && p->weight_scales != nullptr && n > 0) {
    const volatile float* scales = p->weight_scales;
    auto valid = [](float s) { return s > 0.0f && s <= 3.4028234663852886e38f; };  // false for NaN
    bool any_bad = false;
    for (size_t col = 0; col < n; ++col) any_bad = any_bad || !valid(scales[col]);
    if (any_bad) {
      size_t blamed = 0;
      for (size_t col = 0; col <= n; ++col) {  // BUG: reads weight_scales[n]
        if (!valid(scales[col])) blamed = col;
      }
      (void)blamed;
      return QS_BAD_PARAMETERS;
    }
  }
  return ours().dynamic_linear(p, x, x_stride, w, w_stride, out, out_stride, m, n, k);
}

enum class LinearBug { bias_before_multiply, binary64_scale, binary64_product, exact_accumulator };
template <LinearBug kBug>
qs_status broken_dynamic_linear(const qs_dynamic_linear_params* p, const float* x, size_t x_stride, const std::int8_t* w,
                                size_t w_stride, float* out, size_t out_stride, size_t m, size_t n, size_t k) {
  // Validation by our kernel on the caller's buffers (its outputs are then overwritten).
  const qs_status status = ours().dynamic_linear(p, x, x_stride, w, w_stride, out, out_stride, m, n, k);
  if (status != QS_OK) return status;
  std::vector<float> dense;
  for (size_t r = 0; r < m; ++r) dense.insert(dense.end(), x + r * x_stride, x + r * x_stride + k);
  std::vector<std::uint8_t> qx(m * k);
  std::vector<float> scales(m);
  std::vector<std::int32_t> zero_points(m);
  if (ours().dynamic_quantize(&p->quant, dense.data(), qx.data(), m, k, scales.data(), zero_points.data()) != QS_OK) {
    return QS_BAD_PARAMETERS;
  }
  double pytorch_scale = scales[0];
  if (kBug == LinearBug::binary64_scale && p->quant.variant == QS_DYN_PYTORCH_U8) {
    // BUG: PyTorch's binary64 q_scale (Q17.5 step 3) used as Sx without rounding it to binary32
    // (the ranges of the suite never take the 0.1 or small-scale branches).
    float lo = 0.0f, hi = 0.0f;
    for (float v : dense) lo = std::fmin(lo, v), hi = std::fmax(hi, v);
    pytorch_scale = (static_cast<double>(hi) - lo) / (p->quant.reduce_range ? 127 : 255);
    if (static_cast<float>(pytorch_scale) != scales[0]) pytorch_scale = scales[0];
  }
  for (size_t r = 0; r < m; ++r) {
    const size_t s = p->quant.per_row ? r : 0;
    for (size_t c = 0; c < n; ++c) {
      std::uint32_t acc = 0;
      for (size_t kk = 0; kk < k; ++kk) {
        const std::int32_t q = p->quant.output_type == QS_S8 ? static_cast<std::int8_t>(qx[r * k + kk]) : qx[r * k + kk];
        acc += static_cast<std::uint32_t>((q - zero_points[s]) * w[c * w_stride + kk]);
      }
      const auto acc32 = static_cast<std::int32_t>(acc);
      const float sw = p->weight_scales[c];
      const float d = kBug == LinearBug::binary64_scale ? static_cast<float>(pytorch_scale * sw) : scales[s] * sw;
      const float bias = p->bias != nullptr ? p->bias[c] : 0.0f;
      float result;
      if (kBug == LinearBug::bias_before_multiply) {
        result = p->bias != nullptr ? (static_cast<float>(acc32) + bias) * d : static_cast<float>(acc32) * d;  // BUG
      } else if (kBug == LinearBug::binary64_product) {
        // BUG: product and sum in binary64, rounded once at the end.
        result = static_cast<float>(static_cast<double>(static_cast<float>(acc32)) * d + (p->bias != nullptr ? bias : 0.0));
      } else if (kBug == LinearBug::exact_accumulator) {
        const float product = static_cast<float>(static_cast<double>(acc32) * d);  // BUG: no fl32(acc)
        result = p->bias != nullptr ? product + bias : product;
      } else {
        const float product = static_cast<float>(acc32) * d;
        result = p->bias != nullptr ? product + bias : product;
      }
      out[r * out_stride + c] = result;
    }
  }
  return QS_OK;
}

// dynamic_linear_packed on this test's own packed object (W copied row-major; whether every
// weight zero point was 0 and whether an int32 bias was given), computing with
// broken_dynamic_linear on the copy. pack_weights is validated by ours (then released).
struct TestPacked {
  std::vector<std::int8_t> w;  // N x K, stride K
  size_t n = 0, k = 0;
  bool symmetric = true, has_bias = false;
};
qs_status test_pack(const qs_gemm_params* p, const std::int8_t* w, size_t w_stride, size_t n, size_t k,
                    qs_packed_weights** packed) {
  qs_packed_weights* checked = nullptr;
  const qs_status s = ours().pack_weights(p, w, w_stride, n, k, packed == nullptr ? nullptr : &checked);
  ours().release_packed(checked);
  if (s != QS_OK) return s;
  auto* object = new TestPacked;
  object->n = n, object->k = k;
  for (size_t c = 0; c < n; ++c) {
    object->w.insert(object->w.end(), w + c * w_stride, w + c * w_stride + k);
    object->symmetric = object->symmetric && (p->w_zero_points ? p->w_zero_points[c] : p->w_zero_point) == 0;
  }
  object->has_bias = p->bias != nullptr;
  *packed = reinterpret_cast<qs_packed_weights*>(object);
  return QS_OK;
}
void test_release(qs_packed_weights* packed) { delete reinterpret_cast<TestPacked*>(packed); }

// kBug: a LinearBug of broken_dynamic_linear, or one of these (any other value: no bug).
enum class PackedBug { scales_restart_every_16 = 100, accepts_asymmetric = 101 };
template <int kBug>
qs_status broken_dynamic_linear_packed(const qs_dynamic_linear_params* p, const float* x, size_t x_stride,
                                       const qs_packed_weights* w, float* out, size_t out_stride, size_t m) {
  static const std::int8_t one = 1;
  if (w == nullptr) {
    const qs_status s = ours().dynamic_linear(p, x, x_stride, nullptr, 1, out, out_stride, m, 1, 1);
    return s == QS_VARIANT_NOT_SUPPORTED ? s : QS_BAD_PARAMETERS;
  }
  const auto& t = *reinterpret_cast<const TestPacked*>(w);
  const std::int8_t* weights = t.w.empty() ? &one : t.w.data();  // N or K = 0: rejected below
  const qs_status s = ours().dynamic_linear(p, x, x_stride, weights, t.k, out, out_stride, m, t.n, t.k);
  if (s != QS_OK) return s;
  // BUG (accepts_asymmetric): a non-zero Zw or an int32 bias in the object is not refused.
  if (kBug != static_cast<int>(PackedBug::accepts_asymmetric) && (!t.symmetric || t.has_bias)) return QS_BAD_PARAMETERS;
  if (kBug == static_cast<int>(PackedBug::scales_restart_every_16)) {
    // BUG: a loop over panels of 16 columns that reloads the weight scales from column 0.
    std::vector<float> scales(t.n);
    for (size_t c = 0; c < t.n; ++c) scales[c] = p->weight_scales[c % 16];
    qs_dynamic_linear_params wrong = *p;
    wrong.weight_scales = scales.data();
    return broken_dynamic_linear<static_cast<LinearBug>(99)>(&wrong, x, x_stride, weights, t.k, out, out_stride, m, t.n, t.k);
  }
  return broken_dynamic_linear<static_cast<LinearBug>(kBug)>(p, x, x_stride, weights, t.k, out, out_stride, m, t.n, t.k);
}

template <int kBug>
void with_packed_slots(qs_kernel_table& k) {
  k.pack_weights = test_pack;
  k.release_packed = test_release;
  k.dynamic_linear_packed = broken_dynamic_linear_packed<kBug>;
}

const qs_kernel_table& table_with(void (*edit)(qs_kernel_table&), const char* name) {
  static std::vector<std::unique_ptr<qs_kernel_table>> tables;
  tables.push_back(std::make_unique<qs_kernel_table>(broken_with_slot(edit, name)));
  return *tables.back();
}

Settings test_settings() {
  Settings settings;
  settings.seed = 7;
  settings.cases = 30;
  return settings;
}

const VariantSuite& find_suite(const std::string& op, const std::string& variant) {
  for (const VariantSuite& suite : all_variant_suites()) {
    if (suite.op == op && suite.variant == variant) return suite;
  }
  throw std::runtime_error("no suite " + op + " " + variant);
}

// The named check fails with a counterexample showing `evidence`, and so does the variant.
void expect_caught(const qs_kernel_table& table, const std::string& op, const std::string& variant,
                   const std::string& check_name, const std::string& evidence) {
  const VariantSuite& suite = find_suite(op, variant);
  const VariantResult whole = run_variant(table, table.name, suite, test_settings());
  EXPECT_EQ(whole.status, VariantResult::Status::fail) << table.name << " was not caught by " << op << " " << variant;
  const Support support = suite.probe(table);
  bool found = false;
  for (const Check& check : suite.checks) {
    if (check.name != check_name) continue;
    found = true;
    const CheckResult r = check.run(table, support, test_settings());
    EXPECT_EQ(r.verdict, CheckResult::Verdict::fail) << table.name << " passed " << check_name;
    EXPECT_NE(r.counterexample.find(evidence), std::string::npos) << r.counterexample;
    std::cout << "--- " << table.name << ": " << op << " " << variant << ", check " << check_name
              << " (whole variant first failed in " << whole.failed_check << ")\n"
              << r.counterexample.substr(0, 1500) << std::endl;
  }
  EXPECT_TRUE(found) << "no check " << check_name;
}

TEST(SuiteCatchesQat, PytorchFakeQuantRoundingTiesAwayFromZero) {
  const auto& t = table_with([](qs_kernel_table& k) { k.fake_quantize = pytorch_fake_quantize<PytorchBug::ties_away>; },
                             "broken: fake_quantize pytorch with std::round");
  // The first tie the catalogue meets is x = -S/2 with Z = qmin: std::round gives u = qmin - 1,
  // so the mask (0 instead of 1) is what differs first; the output is (qmin - Z) * S either way.
  expect_caught(t, "fake_quantize", "pytorch", "RoundsTiesAndGridBoundariesByItsVariant",
                "wrong mask at index 0 (channel 0): input -0x1.99999ap-5");
}

TEST(SuiteCatchesQat, PytorchFakeQuantMaskExcludingTheBoundaryGridPoints) {
  const auto& t = table_with(
      [](qs_kernel_table& k) { k.fake_quantize = pytorch_fake_quantize<PytorchBug::exclusive_mask>; },
      "broken: fake_quantize pytorch mask qmin < q < qmax");
  expect_caught(t, "fake_quantize", "pytorch", "RoundsTiesAndGridBoundariesByItsVariant", "wrong mask");
}

TEST(SuiteCatchesQat, ExactFakeQuantAddingTheZeroPointBeforeRounding) {
  const auto& t = table_with([](qs_kernel_table& k) { k.fake_quantize = exact_zero_point_before_rounding; },
                             "broken: fake_quantize exact R(x/S + Z)");
  expect_caught(t, "fake_quantize", "exact", "RoundsTiesAndGridBoundariesByItsVariant", "wrong output");
}

TEST(SuiteCatchesQat, PerChannelIndexRestartingEvery16Elements) {
  const auto& t = table_with([](qs_kernel_table& k) { k.fake_quantize_per_channel = per_channel_restarting_every_16; },
                             "broken: fake_quantize_per_channel channel (i % 16) % C");
  expect_caught(t, "fake_quantize_per_channel", "pytorch", "UsesChannelIModChannels", "element i uses channel i % 17");
}

TEST(SuiteCatchesQat, OnnxDynamicQuantizeReductionSkippingTheTail) {
  const auto& t = table_with([](qs_kernel_table& k) { k.dynamic_quantize = onnx_reduction_skips_tail; },
                             "broken: dynamic_quantize reduction skips the tail");
  expect_caught(t, "dynamic_quantize", "onnx_u8", "ReducesEveryElementOfEveryLength", "wrong run-time parameters");
}

TEST(SuiteCatchesQat, DynamicLinearAddingTheBiasBeforeTheMultiply) {
  const auto& t = table_with([](qs_kernel_table& k) { k.dynamic_linear = broken_dynamic_linear<LinearBug::bias_before_multiply>; },
                             "broken: dynamic_linear fl32((acc + bias) * D)");
  expect_caught(t, "dynamic_linear", "onnx_u8", "MatchesReferenceOnBlockShapes", "wrong output");
}

TEST(SuiteCatchesQat, DynamicLinearReadingPastTheWeightScalesWhileRejectingACall) {
  const auto& t = table_with([](qs_kernel_table& k) { k.dynamic_linear = dynamic_linear_blames_a_column_past_the_last; },
                             "broken: dynamic_linear reads weight_scales[n] when rejecting");
  expect_caught(t, "dynamic_linear", "symmetric_s8", "RejectsBadParameters",
                "read past the end of its parameter array 'weight_scales'");
}

TEST(SuiteCatchesQat, DynamicLinearWithPytorchsBinary64Scale) {
  const auto& t = table_with([](qs_kernel_table& k) { k.dynamic_linear = broken_dynamic_linear<LinearBug::binary64_scale>; },
                             "broken: dynamic_linear D = fl32(S_binary64 * Sw)");
  expect_caught(t, "dynamic_linear", "pytorch_u8", "MatchesReferenceOnBlockShapes", "wrong output");
}

TEST(SuiteCatchesQat, DynamicLinearProductAndBiasInBinary64) {
  const auto& t = table_with([](qs_kernel_table& k) { k.dynamic_linear = broken_dynamic_linear<LinearBug::binary64_product>; },
                             "broken: dynamic_linear fl32(acc * D + bias) in binary64");
  expect_caught(t, "dynamic_linear", "onnx_u8", "MatchesReferenceOnBlockShapes", "wrong output");
}

TEST(SuiteCatchesQat, DynamicLinearWithoutRoundingTheAccumulatorToBinary32) {
  const auto& t = table_with([](qs_kernel_table& k) { k.dynamic_linear = broken_dynamic_linear<LinearBug::exact_accumulator>; },
                             "broken: dynamic_linear fl32(acc * D) without fl32(acc)");
  expect_caught(t, "dynamic_linear", "symmetric_s8", "RoundsTheAccumulatorToBinary32BeforeTheScale", "wrong output");
}

// The spec-following version of the same code passes: the bugs above are what the suite sees.
TEST(SuiteCatchesQat, DynamicLinearWrittenFromTheSpecPasses) {
  const auto& t = table_with([](qs_kernel_table& k) { k.dynamic_linear = broken_dynamic_linear<static_cast<LinearBug>(99)>; },
                             "dynamic_linear from the spec (no bug)");
  for (const char* variant : {"onnx_u8", "symmetric_s8", "pytorch_u8"}) {
    const VariantResult r = run_variant(t, t.name, find_suite("dynamic_linear", variant), test_settings());
    EXPECT_EQ(r.status, VariantResult::Status::pass) << variant << ": " << r.failed_check;
  }
}

TEST(SuiteCatchesQat, DynamicLinearPackedReloadingTheWeightScalesEvery16Columns) {
  const auto& t = table_with(with_packed_slots<static_cast<int>(PackedBug::scales_restart_every_16)>,
                             "broken: dynamic_linear_packed Sw[n % 16]");
  expect_caught(t, "dynamic_linear_packed", "onnx_u8", "MatchesReferenceOnBlockShapes", "wrong output out[0][16]");
}

TEST(SuiteCatchesQat, DynamicLinearPackedWithoutRoundingTheAccumulatorToBinary32) {
  const auto& t = table_with(with_packed_slots<static_cast<int>(LinearBug::exact_accumulator)>,
                             "broken: dynamic_linear_packed fl32(acc * D) without fl32(acc)");
  expect_caught(t, "dynamic_linear_packed", "symmetric_s8", "RoundsTheAccumulatorToBinary32BeforeTheScale",
                "wrong output");
}

TEST(SuiteCatchesQat, DynamicLinearPackedAcceptingAnAsymmetricPackedW) {
  const auto& t = table_with(with_packed_slots<static_cast<int>(PackedBug::accepts_asymmetric)>,
                             "broken: dynamic_linear_packed ignores the object's Zw and int32 bias");
  expect_caught(t, "dynamic_linear_packed", "pytorch_u8", "RejectsBadParameters", "W packed with w_zero_point = 1");
}

// A correct packed kernel next to a wrong unpacked one: the packed suite reports the difference.
TEST(SuiteCatchesQat, DynamicLinearPackedSeesAnUnpackedFormThatDiffers) {
  const auto& t = table_with(
      [](qs_kernel_table& k) {
        with_packed_slots<99>(k);
        k.dynamic_linear = broken_dynamic_linear<LinearBug::bias_before_multiply>;
      },
      "broken: dynamic_linear fl32((acc + bias) * D), dynamic_linear_packed from the spec");
  expect_caught(t, "dynamic_linear_packed", "onnx_u8", "MatchesReferenceOnBlockShapes",
                "dynamic_linear (unpacked) differs from dynamic_linear_packed");
}

TEST(SuiteCatchesQat, DynamicLinearPackedWrittenFromTheSpecPasses) {
  const auto& t = table_with(
      [](qs_kernel_table& k) {
        with_packed_slots<99>(k);
        k.dynamic_linear = broken_dynamic_linear<static_cast<LinearBug>(99)>;
      },
      "dynamic_linear and dynamic_linear_packed from the spec (no bug)");
  for (const char* variant : {"onnx_u8", "symmetric_s8", "pytorch_u8"}) {
    const VariantResult r = run_variant(t, t.name, find_suite("dynamic_linear_packed", variant), test_settings());
    EXPECT_EQ(r.status, VariantResult::Status::pass) << variant << ": " << r.failed_check << "\n" << r.counterexample;
  }
}

// Without the slot (the scalar example), or with a struct_size that ends before it, the packed
// form is "not provided".
TEST(SuiteCatchesQat, DynamicLinearPackedWithoutTheSlotIsNotProvided) {
  qs_kernel_table short_table = ours();
  short_table.struct_size = static_cast<std::uint32_t>(offsetof(qs_kernel_table, dynamic_linear_packed));
  for (const qs_kernel_table* t : {qs_scalar_example_table(), static_cast<const qs_kernel_table*>(&short_table)}) {
    for (const char* variant : {"onnx_u8", "symmetric_s8", "pytorch_u8"}) {
      const VariantResult r = run_variant(*t, t->name, find_suite("dynamic_linear_packed", variant), test_settings());
      EXPECT_EQ(r.status, VariantResult::Status::not_provided) << t->name << " " << variant;
    }
  }
}

}  // namespace

qs_kernel_table broken_with_slot(void (*edit)(qs_kernel_table&), const char* name) {
  qs_kernel_table table = *qs_scalar_example_table();
  table.name = name;
  edit(table);
  return table;
}

}  // namespace quantspec::conformance
#endif  // QUANTSPEC_HAVE_OPTIMIZED
