// gemmlowp (Debian libgemmlowp-dev) fixedpoint.h as TFLite uses it, as a backend for the
// requantize vectors (RequantizeQ31Test groups and the SRDHM / RoundingDivideByPOT primitives)
// and the distinguish vectors' requantize and linear tests (TFLite's per-tensor multiplier):
//   gemmlowp_driver VECTORS_DIR OUT.json
// TFLite's MultiplyByQuantizedMultiplier (tensorflow/lite/kernels/internal/common.h):
//   left = max(shift, 0), right = max(-shift, 0)
//   RoundingDivideByPOT(SaturatingRoundingDoublingHighMul(x * (1 << left), M), right)
// then + Zy and the clamp of the kernels (e.g. reference_ops FullyConnected). The product
// x * (1 << left) is an int32 multiply in TFLite (overflow is undefined in C++); it is computed
// here with two's-complement wrap, what x86-64 code does. Built with -msse4.1: the same
// arithmetic through fixedpoint_sse.h on __m128i lanes is a second operation.
#include <gemmlowp/fixedpoint/fixedpoint.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>

#include "driver_common.hpp"

namespace {

using interop::Json;

std::int32_t wrap_shift_left(std::int32_t x, int left) {
  return static_cast<std::int32_t>(static_cast<std::uint32_t>(x) << left);
}

std::int32_t multiply_by_quantized_multiplier_scalar(std::int32_t x, std::int32_t m, int shift) {
  const int left = shift > 0 ? shift : 0, right = shift > 0 ? 0 : -shift;
  return gemmlowp::RoundingDivideByPOT(gemmlowp::SaturatingRoundingDoublingHighMul(wrap_shift_left(x, left), m), right);
}

#ifdef GEMMLOWP_SSE4
std::int32_t lane0(__m128i v) { return _mm_cvtsi128_si32(v); }
std::int32_t multiply_by_quantized_multiplier_sse(std::int32_t x, std::int32_t m, int shift) {
  const int left = shift > 0 ? shift : 0, right = shift > 0 ? 0 : -shift;
  const __m128i xs = _mm_set1_epi32(wrap_shift_left(x, left));
  return lane0(gemmlowp::RoundingDivideByPOT(gemmlowp::SaturatingRoundingDoublingHighMul(xs, _mm_set1_epi32(m)), right));
}
#endif

bool in_int32(long long v) {
  return v >= std::numeric_limits<std::int32_t>::min() && v <= std::numeric_limits<std::int32_t>::max();
}

template <typename MBQM, typename Srdhm, typename Rdbpot>
void run(const Json& doc, interop::Operation& requant, interop::Operation& primitives, MBQM mbqm, Srdhm srdhm,
         Rdbpot rdbpot) {
  interop::for_each_test(doc, [&](const Json& group, const Json& test, const Json& ops) {
    const std::string type = group["type"];
    if (type == "RequantizeQ31Test") {
      const long long acc = interop::integer(ops["acc"]), m = interop::integer(ops["multiplier"]);
      const long long shift = interop::integer(ops["shift"]);
      if (!in_int32(acc) || !in_int32(m) || shift < -31 || shift > 31) return;  // not an int32 call
      const long long y = static_cast<long long>(mbqm(static_cast<std::int32_t>(acc), static_cast<std::int32_t>(m),
                                                      static_cast<int>(shift))) +
                          interop::integer(ops["zero_point"]);
      const long long q = std::min(std::max(y, interop::integer(ops["qmin"])), interop::integer(ops["qmax"]));
      requant.result(test, {{"q", q}});
    } else if (type == "SrdhmTest") {
      const long long a = interop::integer(ops["a"]), b = interop::integer(ops["b"]);
      if (!in_int32(a) || !in_int32(b)) return;
      primitives.result(test, {{"y", srdhm(static_cast<std::int32_t>(a), static_cast<std::int32_t>(b))}});
    } else if (type == "RoundingDivideByPotTest") {
      const long long v = interop::integer(ops["value"]), e = interop::integer(ops["exponent"]);
      if (!in_int32(v) || e < 0 || e > 31) return;
      primitives.result(test, {{"y", rdbpot(static_cast<std::int32_t>(v), static_cast<int>(e))}});
    }
  });
}

// TFLite's QuantizeMultiplier (tensorflow/lite/kernels/internal/quantization_util.cc; SPEC
// Q6.3): q = round(frexp(M) * 2^31) (half away), 2^31 -> 2^30 with shift + 1, shift < -31 ->
// (0, 0). Returns false for a shift above 30, where TFLite's kernel would shift an int32 left
// by 31 or more (undefined behaviour): such a test is not run.
bool quantize_multiplier(double m, std::int32_t* multiplier, int* shift) {
  if (m == 0.0) {
    *multiplier = 0;
    *shift = 0;
    return true;
  }
  int exponent = 0;
  const double fraction = std::frexp(m, &exponent);
  long long q = std::llround(fraction * 2147483648.0);
  if (q == 2147483648LL) {
    q /= 2;
    ++exponent;
  }
  if (exponent < -31) {
    q = 0;
    exponent = 0;
  }
  if (exponent > 30) return false;
  *multiplier = static_cast<std::int32_t>(q);
  *shift = exponent;
  return true;
}

// distinguish.json (SPEC Q20) through TFLite's per-tensor FULLY_CONNECTED arithmetic of the
// double-rounding build over gemmlowp: M = fl64(fl32(Sx*Sw) / Sy) as the four-argument
// GetQuantizedConvolutionMultipler computes it (tflite/kernels/kernel_util.cc, SPEC Q6.3:
// the Q20.3 derivation f32_product_f64_divide), QuantizeMultiplier, MultiplyByQuantizedMultiplier,
// + Zy, clamp. The linear tests' accumulator is formed here, wrapping as an int32 pipeline.
template <typename MBQM>
void run_distinguish(const Json& doc, interop::Operation& op, MBQM mbqm) {
  interop::for_each_test(doc, [&](const Json& group, const Json& test, const Json& ops) {
    const std::string type = group["type"];
    if (type != "DistinguishRequantizeTest" && type != "DistinguishLinearTest") return;
    long long acc = 0;
    if (ops.contains("acc")) {
      acc = interop::integer(ops["acc"]);
    } else {
      std::uint32_t sum = static_cast<std::uint32_t>(interop::integer(ops["bias"]));
      const long long zx = interop::integer(ops["x_zero_point"]), zw = interop::integer(ops["w_zero_point"]);
      for (std::size_t i = 0; i < ops["x_values"].size(); ++i) {
        sum += static_cast<std::uint32_t>((ops["x_values"][i].get<long long>() - zx) * (ops["w_values"][i].get<long long>() - zw));
      }
      acc = static_cast<std::int32_t>(sum);
    }
    if (!in_int32(acc)) return;
    const float product = interop::f32(ops["sx"]) * interop::f32(ops["sw"]);  // fl32(Sx*Sw)
    const double real = static_cast<double>(product) / static_cast<double>(interop::f32(ops["sy"]));
    std::int32_t m = 0;
    int shift = 0;
    if (!quantize_multiplier(real, &m, &shift)) return;
    const long long y = static_cast<long long>(mbqm(static_cast<std::int32_t>(acc), m, shift)) +
                        interop::integer(ops["zero_point"]);
    op.result(test, {{"q", std::min(std::max(y, interop::integer(ops["qmin"])), interop::integer(ops["qmax"]))}});
  });
}

}  // namespace

int main(int argc, char** argv) {
  if (argc >= 2 && std::string(argv[1]) == "--help") {
    std::printf("usage: gemmlowp_driver VECTORS_DIR OUT.json\n(run by tools/interop/run_interop.py; writes the backend document it judges)\n");
    return 0;
  }
  if (argc != 3) {
    std::fprintf(stderr, "usage: gemmlowp_driver VECTORS_DIR OUT.json\n");
    return 2;
  }
  try {
    const Json doc = interop::load(argv[1], "requantize");
    const std::string tflite = "tensorflow/tensorflow tensorflow/lite/kernels/internal/common.h "
                               "MultiplyByQuantizedMultiplier over google/gemmlowp fixedpoint/fixedpoint.h "
                               "SaturatingRoundingDoublingHighMul, RoundingDivideByPOT";
    const std::string says = "SRDHM(x * 2^left, M) (round half away on the doubled high product), then "
                             "RoundingDivideByPOT (half away from zero) = double_round, Zy after";
    Json ops = Json::array();
    interop::Operation scalar("MultiplyByQuantizedMultiplier (scalar)", "requantize", "gemmlowp scalar int32",
                              {{"variant", "double_round"}}, says, tflite);
    interop::Operation scalar_prims("SRDHM, RoundingDivideByPOT (scalar)", "requantize", "gemmlowp scalar int32",
                                    Json::object(), "gemmlowp's primitives", "google/gemmlowp fixedpoint/fixedpoint.h");
    run(doc, scalar, scalar_prims, multiply_by_quantized_multiplier_scalar,
        [](std::int32_t a, std::int32_t b) { return gemmlowp::SaturatingRoundingDoublingHighMul(a, b); },
        [](std::int32_t v, int e) { return gemmlowp::RoundingDivideByPOT(v, e); });
    ops.push_back(scalar.entry);
    ops.push_back(scalar_prims.entry);
    const Json distinguish_doc = interop::load(argv[1], "distinguish");
    const Json claimed_fc = {{"pipeline", "double_round"}, {"zero_point_entry", "after_rounding"},
                             {"scale_derivation", "f32_product_f64_divide"}};
    interop::Operation fc("TFLite per-tensor FULLY_CONNECTED arithmetic (scalar, distinguish)", "distinguish",
                          "gemmlowp scalar int32", claimed_fc,
                          "M = fl64(fl32(Sx*Sw)/Sy), QuantizeMultiplier, then " + says,
                          tflite + "; tensorflow/lite/kernels/kernel_util.cc GetQuantizedConvolutionMultipler, "
                                   "tensorflow/lite/kernels/internal/quantization_util.cc QuantizeMultiplier");
    run_distinguish(distinguish_doc, fc, multiply_by_quantized_multiplier_scalar);
    ops.push_back(fc.entry);
#ifdef GEMMLOWP_SSE4
    interop::Operation sse("MultiplyByQuantizedMultiplier (SSE4.1)", "requantize", "gemmlowp fixedpoint_sse.h __m128i",
                           {{"variant", "double_round"}}, says, tflite + " (fixedpoint_sse.h)");
    interop::Operation sse_prims("SRDHM, RoundingDivideByPOT (SSE4.1)", "requantize", "gemmlowp fixedpoint_sse.h __m128i",
                                 Json::object(), "gemmlowp's primitives",
                                 "google/gemmlowp fixedpoint/fixedpoint_sse.h");
    run(doc, sse, sse_prims, multiply_by_quantized_multiplier_sse,
        [](std::int32_t a, std::int32_t b) {
          return lane0(gemmlowp::SaturatingRoundingDoublingHighMul(_mm_set1_epi32(a), _mm_set1_epi32(b)));
        },
        [](std::int32_t v, int e) { return lane0(gemmlowp::RoundingDivideByPOT(_mm_set1_epi32(v), e)); });
    ops.push_back(sse.entry);
    ops.push_back(sse_prims.entry);
    interop::Operation sse_fc("TFLite per-tensor FULLY_CONNECTED arithmetic (SSE4.1, distinguish)", "distinguish",
                              "gemmlowp fixedpoint_sse.h __m128i", claimed_fc,
                              "M = fl64(fl32(Sx*Sw)/Sy), QuantizeMultiplier, then " + says,
                              tflite + " (fixedpoint_sse.h); tensorflow/lite/kernels/kernel_util.cc "
                                       "GetQuantizedConvolutionMultipler, quantization_util.cc QuantizeMultiplier");
    run_distinguish(distinguish_doc, sse_fc, multiply_by_quantized_multiplier_sse);
    ops.push_back(sse_fc.entry);
#endif
    return interop::write(argv[2], "gemmlowp", "Debian libgemmlowp-dev 0.0~git20211220.e844ffd", ops);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "gemmlowp_driver: %s\n", e.what());
    return 1;
  }
}
