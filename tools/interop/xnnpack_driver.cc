// XNNPACK (Debian libxnnpack-dev) as a backend for the golden vectors: convert f32 -> qs8/qu8
// (quantize family), qs8/qu8 -> f32 (dequantize), fully connected qs8 (linear, per-tensor
// weights: this XNNPACK has no per-channel qc8 operator).
//   xnnpack_driver VECTORS_DIR OUT.json
// Each quantize/dequantize input is repeated kRepeat times so the SIMD loop produces element 0
// and the remainder path the last one; a disagreement is listed.
#include <xnnpack.h>

#include <cstdint>
#include <vector>

#include "driver_common.hpp"

namespace {

using interop::Json;
constexpr size_t kRepeat = 37;
const char* kRepo = "google/XNNPACK ";

template <typename Q>
void quantize(const Json& doc, interop::Operation& op, bool is_signed) {
  interop::for_each_test(doc, [&](const Json& group, const Json& test, const Json& ops) {
    if (!ops.contains("dtype")) return;  // distinguish.json: the groups of the other operations
    if (!ops.contains("zero_point")) return;  // PytorchFloatQparamsTest (Q20.2): a float zero point
    const std::string dtype = ops["dtype"];
    if (dtype != (is_signed ? "int8" : "uint8")) return;
    const long long z = interop::integer(ops["zero_point"]);
    const long long qmin = interop::integer(ops["qmin"]), qmax = interop::integer(ops["qmax"]);
    if (z < (is_signed ? -128 : 0) || z > (is_signed ? 127 : 255)) return;  // not expressible
    const float scale = interop::f32(ops["scale"]);
    std::vector<float> x(kRepeat, interop::f32(ops["x"]));
    std::vector<Q> y(kRepeat, 0);
    xnn_operator_t convert = nullptr;
    xnn_status status;
    if (is_signed) {
      status = xnn_create_convert_nc_f32_qs8(1, 1, 1, scale, static_cast<int8_t>(z), static_cast<int8_t>(qmin),
                                             static_cast<int8_t>(qmax), 0, &convert);
      if (status == xnn_status_success)
        status = xnn_setup_convert_nc_f32_qs8(convert, kRepeat, x.data(), reinterpret_cast<int8_t*>(y.data()), nullptr);
    } else {
      status = xnn_create_convert_nc_f32_qu8(1, 1, 1, scale, static_cast<uint8_t>(z), static_cast<uint8_t>(qmin),
                                             static_cast<uint8_t>(qmax), 0, &convert);
      if (status == xnn_status_success)
        status = xnn_setup_convert_nc_f32_qu8(convert, kRepeat, x.data(), reinterpret_cast<uint8_t*>(y.data()), nullptr);
    }
    if (status == xnn_status_success) status = xnn_run_operator(convert, nullptr);
    if (convert) xnn_delete_operator(convert);
    if (status != xnn_status_success) {
      op.result(test, {{"error", "xnn_status " + std::to_string(static_cast<int>(status))}});
      return;
    }
    if (y[0] != y[kRepeat - 1]) op.disagreement(test);
    op.result(test, {{"q", static_cast<long long>(y[0])}});
  });
}

template <typename Q>
void dequantize(const Json& doc, interop::Operation& op, bool is_signed) {
  interop::for_each_test(doc, [&](const Json& group, const Json& test, const Json& ops) {
    if (ops["dtype"] != (is_signed ? "int8" : "uint8")) return;
    const long long z = interop::integer(ops["zero_point"]), q = interop::integer(ops["q"]);
    const long long lo = is_signed ? -128 : 0, hi = is_signed ? 127 : 255;
    if (z < lo || z > hi || q < lo || q > hi) return;
    std::vector<Q> in(kRepeat, static_cast<Q>(q));
    std::vector<float> out(kRepeat, 0.0f);
    xnn_operator_t convert = nullptr;
    const float scale = interop::f32(ops["scale"]);
    xnn_status status;
    if (is_signed) {
      status = xnn_create_convert_nc_qs8_f32(1, 1, 1, scale, static_cast<int8_t>(z), 0, &convert);
      if (status == xnn_status_success)
        status = xnn_setup_convert_nc_qs8_f32(convert, kRepeat, reinterpret_cast<int8_t*>(in.data()), out.data(), nullptr);
    } else {
      status = xnn_create_convert_nc_qu8_f32(1, 1, 1, scale, static_cast<uint8_t>(z), 0, &convert);
      if (status == xnn_status_success)
        status = xnn_setup_convert_nc_qu8_f32(convert, kRepeat, reinterpret_cast<uint8_t*>(in.data()), out.data(), nullptr);
    }
    if (status == xnn_status_success) status = xnn_run_operator(convert, nullptr);
    if (convert) xnn_delete_operator(convert);
    if (status != xnn_status_success) {
      op.result(test, {{"error", "xnn_status " + std::to_string(static_cast<int>(status))}});
      return;
    }
    if (interop::hex(out[0]) != interop::hex(out[kRepeat - 1])) op.disagreement(test);
    op.result(test, {{"x", interop::hex(out[0])}});
  });
}

void fully_connected(const Json& doc, interop::Operation& op) {
  interop::for_each_test(doc, [&](const Json& group, const Json& test, const Json& ops) {
    if (group["type"] != "FullyConnectedTest" || ops["w_scales"].size() != 1) return;
    const std::string activation = ops.value("activation", "none");
    if (activation != "none" && activation != "relu") return;  // relu6 bounds need Q8's rounding
    const size_t m = ops["m"], k = ops["k"], n = ops["n"];
    std::vector<int8_t> x, w;
    for (const auto& v : ops["x"]) x.push_back(static_cast<int8_t>(v.get<int>()));
    for (const auto& v : ops["w"]) w.push_back(static_cast<int8_t>(v.get<int>()));
    std::vector<int32_t> bias;
    for (const auto& v : ops["bias"]) bias.push_back(static_cast<int32_t>(interop::integer(v)));
    const long long zy = interop::integer(ops["y_zero_point"]);
    const int8_t out_min = activation == "relu" ? static_cast<int8_t>(zy) : -128;
    std::vector<int8_t> y(m * n, 0);
    xnn_operator_t fc = nullptr;
    xnn_status status = xnn_create_fully_connected_nc_qs8(
        k, n, k, n, static_cast<int8_t>(interop::integer(ops["x_zero_point"])), interop::f32(ops["x_scale"]),
        interop::f32(ops["w_scales"][0]), w.data(), bias.data(), static_cast<int8_t>(zy),
        interop::f32(ops["y_scale"]), out_min, 127, 0, &fc);
    if (status == xnn_status_success) status = xnn_setup_fully_connected_nc_qs8(fc, m, x.data(), y.data(), nullptr);
    if (status == xnn_status_success) status = xnn_run_operator(fc, nullptr);
    if (fc) xnn_delete_operator(fc);
    if (status != xnn_status_success) {
      op.result(test, {{"error", "xnn_status " + std::to_string(static_cast<int>(status))}});
      return;
    }
    Json out = Json::array();
    for (int8_t v : y) out.push_back(static_cast<int>(v));
    op.result(test, {{"y", out}});
  });
}

// distinguish.json requantize tests (SPEC Q20) with the integer operands: a 1 x K by K x 1 fully
// connected, qs8 for the int8 group (int8 x, y), qu8 for the uint8 group (uint8 x, y; the int8
// w with Zw = 0 given as the uint8 w + 128 with kernel zero point 128: the same w - Zw).
// Accumulator-only tests have no x_values and are not run; the linear tests (uint8 x, int8 y)
// run through qs8 with x moved to int8.
void distinguish_fully_connected(const Json& doc, interop::Operation& op, bool is_signed) {
  interop::for_each_test(doc, [&](const Json& group, const Json& test, const Json& ops) {
    const bool linear = group["type"] == "DistinguishLinearTest";
    if ((!linear && group["type"] != "DistinguishRequantizeTest") || !ops.contains("x_values")) return;
    const std::string type = is_signed ? "int8" : "uint8";
    // A uint8 x with Zx in [128, 255] is the int8 x - 128 with Zx - 128 (the same x - Zx): the
    // linear tests (uint8 x, int8 y) run through qs8.
    const int x_shift = is_signed && ops["x_dtype"] == "uint8" ? -128 : 0;
    if ((ops["x_dtype"] != type && x_shift == 0) || ops["y_dtype"] != type || ops["w_dtype"] != "int8" ||
        interop::integer(ops["w_zero_point"]) != 0 || interop::integer(ops["x_zero_point"]) + x_shift < -128)
      return;
    const size_t k = ops["x_values"].size();
    std::vector<int32_t> x, w;
    for (const auto& v : ops["x_values"]) x.push_back(v.get<int>() + x_shift);
    for (const auto& v : ops["w_values"]) w.push_back(v.get<int>());
    const int32_t bias = static_cast<int32_t>(interop::integer(ops["bias"]));
    const long long zx = interop::integer(ops["x_zero_point"]) + x_shift, zy = interop::integer(ops["zero_point"]);
    const long long qmin = interop::integer(ops["qmin"]), qmax = interop::integer(ops["qmax"]);
    const float sx = interop::f32(ops["sx"]), sw = interop::f32(ops["sw"]), sy = interop::f32(ops["sy"]);
    xnn_operator_t fc = nullptr;
    xnn_status status;
    long long q = 0;
    if (is_signed) {
      std::vector<int8_t> x8(x.begin(), x.end()), w8(w.begin(), w.end()), y(1, 0);
      status = xnn_create_fully_connected_nc_qs8(k, 1, k, 1, static_cast<int8_t>(zx), sx, sw, w8.data(), &bias,
                                                 static_cast<int8_t>(zy), sy, static_cast<int8_t>(qmin),
                                                 static_cast<int8_t>(qmax), 0, &fc);
      if (status == xnn_status_success) status = xnn_setup_fully_connected_nc_qs8(fc, 1, x8.data(), y.data(), nullptr);
      if (status == xnn_status_success) status = xnn_run_operator(fc, nullptr);
      q = y[0];
    } else {
      std::vector<uint8_t> x8(x.begin(), x.end()), w8, y(1, 0);
      for (int32_t v : w) w8.push_back(static_cast<uint8_t>(v + 128));
      status = xnn_create_fully_connected_nc_qu8(k, 1, k, 1, static_cast<uint8_t>(zx), sx, 128, sw, w8.data(), &bias,
                                                 static_cast<uint8_t>(zy), sy, static_cast<uint8_t>(qmin),
                                                 static_cast<uint8_t>(qmax), 0, &fc);
      if (status == xnn_status_success) status = xnn_setup_fully_connected_nc_qu8(fc, 1, x8.data(), y.data(), nullptr);
      if (status == xnn_status_success) status = xnn_run_operator(fc, nullptr);
      q = y[0];
    }
    if (fc) xnn_delete_operator(fc);
    if (status != xnn_status_success) {
      op.result(test, {{"error", "xnn_status " + std::to_string(static_cast<int>(status))}});
      return;
    }
    op.result(test, {{"q", q}});
  });
}

}  // namespace

int main(int argc, char** argv) {
  if (argc >= 2 && std::string(argv[1]) == "--help") {
    std::printf("usage: xnnpack_driver VECTORS_DIR OUT.json\n(run by tools/interop/run_interop.py; writes the backend document it judges)\n");
    return 0;
  }
  if (argc != 3) {
    std::fprintf(stderr, "usage: xnnpack_driver VECTORS_DIR OUT.json\n");
    return 2;
  }
  if (xnn_initialize(nullptr) != xnn_status_success) {
    std::fprintf(stderr, "xnn_initialize failed\n");
    return 1;
  }
  try {
    const std::string dir = argv[1];
    const Json quantize_doc = interop::load(dir, "quantize"), dequantize_doc = interop::load(dir, "dequantize");
    const std::string cvt = std::string(kRepo) + "src/operators/unary-elementwise-nc.c xnn_create_convert_nc_f32_qs8 / "
                            "_qu8 (scale 1/output_scale; rejects a non-normal scale) + src/f32-qs8-vcvt, "
                            "src/f32-qu8-vcvt microkernels";
    const std::string cvt_says = "fl32(x * fl32(1/S)) clamped to [qmin - Z, qmax - Z] in float, rounded to "
                                 "nearest even (magic bias / cvtps), + Z";
    const Json claimed = {{"division", "f32_reciprocal"}, {"rounding", "half_even"}};
    interop::Operation qs8("convert f32->qs8", "quantize", "xnn_create_convert_nc_f32_qs8", claimed, cvt_says, cvt);
    quantize<int8_t>(quantize_doc, qs8, true);
    interop::Operation qu8("convert f32->qu8", "quantize", "xnn_create_convert_nc_f32_qu8", claimed, cvt_says, cvt);
    quantize<uint8_t>(quantize_doc, qu8, false);
    const std::string dq = std::string(kRepo) + "src/operators/unary-elementwise-nc.c xnn_create_convert_nc_qs8_f32 + "
                           "src/qs8-f32-vcvt microkernels";
    interop::Operation dqs8("convert qs8->f32", "dequantize", "xnn_create_convert_nc_qs8_f32", Json::object(),
                            "(q - Z) * S in binary32", dq);
    dequantize<int8_t>(dequantize_doc, dqs8, true);
    interop::Operation dqu8("convert qu8->f32", "dequantize", "xnn_create_convert_nc_qu8_f32", Json::object(),
                            "(q - Z) * S in binary32", dq);
    dequantize<uint8_t>(dequantize_doc, dqu8, false);
    interop::Operation fc("fully connected qs8", "linear", "xnn_create_fully_connected_nc_qs8",
                          {{"variant", "fp32"}},
                          "requantization scale fl32(fl32(Sx * Sw) / Sy), fp32 requantization (fmagic / "
                          "cvtps, half even), Zy added after rounding",
                          std::string(kRepo) + "src/operators/fully-connected-nc.c create_fully_connected_nc "
                                               "(xnn_create_fully_connected_nc_qs8) + src/qs8-gemm fp32 microkernels");
    fully_connected(interop::load(dir, "linear"), fc);
    const Json distinguish_doc = interop::load(dir, "distinguish");
    const Json claimed_q20 = {{"division", "f32_reciprocal"}, {"rounding", "half_even"},
                              {"zero_point_entry", "after_rounding"}};
    interop::Operation dq8("convert f32->qs8 (distinguish)", "distinguish", "xnn_create_convert_nc_f32_qs8",
                           claimed_q20, cvt_says, cvt);
    quantize<int8_t>(distinguish_doc, dq8, true);
    interop::Operation du8("convert f32->qu8 (distinguish)", "distinguish", "xnn_create_convert_nc_f32_qu8",
                           claimed_q20, cvt_says, cvt);
    quantize<uint8_t>(distinguish_doc, du8, false);
    const std::string fc_says = "requantization scale fl32(fl32(Sx * Sw) / Sy), fp32 requantization (fmagic / "
                                "cvtps, half even), Zy added after rounding";
    const std::string fc_cite = std::string(kRepo) + "src/operators/fully-connected-nc.c create_fully_connected_nc "
                                "(xnn_create_fully_connected_nc_qs8 / _qu8) + src/qs8-gemm, src/qu8-gemm fp32 "
                                "microkernels";
    const Json claimed_fc = {{"pipeline", "fp32"}, {"rounding", "half_even"}, {"zero_point_entry", "after_rounding"},
                             {"scale_derivation", "f32_product_divide"}};
    interop::Operation dfc8("fully connected qs8 (distinguish)", "distinguish", "xnn_create_fully_connected_nc_qs8",
                            claimed_fc, fc_says, fc_cite);
    distinguish_fully_connected(distinguish_doc, dfc8, true);
    interop::Operation dfcu8("fully connected qu8 (distinguish)", "distinguish", "xnn_create_fully_connected_nc_qu8",
                             claimed_fc, fc_says, fc_cite);
    distinguish_fully_connected(distinguish_doc, dfcu8, false);
    return interop::write(argv[2], "XNNPACK", "Debian libxnnpack-dev 0.0~git20220216.ae108ef",
                          Json::array({qs8.entry, qu8.entry, dqs8.entry, dqu8.entry, fc.entry, dq8.entry, du8.entry,
                                       dfc8.entry, dfcu8.entry}));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "xnnpack_driver: %s\n", e.what());
    return 1;
  }
}
