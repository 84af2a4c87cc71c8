// oneDNN (Debian libdnnl-dev 2.6) as a backend for the golden vectors:
//   reorder f32 -> s8/u8 with output scale fl32(1/S) and a destination zero point (quantize);
//   matmul u8 x s8 -> s8 with output scales fl32(fl32(Sx*Sw)/Sy) and src/dst zero points (linear);
//   matmul u8/s8 x s8 -> s32 with src/weights zero points and an s32 bias (accumulate; with a
//   bias the s32 destination goes through binary32, SPEC Q20.7).
//   onednn_driver VECTORS_DIR OUT.json [BACKEND_LABEL]
// (run_interop.py runs it twice: on this CPU's best ISA and with DNNL_MAX_CPU_ISA=AVX2, the
// kernels an AVX2 machine without VNNI gets: u8 x s8 products summed in int16 pairs.)
// oneDNN takes the *multiplier* dst = scale * src: fl32(1/S) is what a caller (PyTorch's onednn
// engine, for example) passes for a scale S; its rounding and where it adds the zero point are
// oneDNN's.
#include <dnnl.hpp>

#include <cstdint>
#include <vector>

#include "driver_common.hpp"

namespace {

using interop::Json;
using namespace dnnl;
constexpr long long kRepeat = 37;
const char* kRepo = "oneapi-src/oneDNN ";
// The release Debian ships (libdnnl 2.6.3): the lines cited below are of this tag.
const char* kTag = "v2.6.3 (92ac4007) ";

// Whether oneDNN's int8 kernels have a u8*s8 dot product instruction here (vpdpbusd): without
// one, its GEMM sums u8*s8 products in saturating int16 pairs (SPEC Q20.4).
bool has_vnni() {
  switch (get_effective_cpu_isa()) {
    case cpu_isa::avx512_core_vnni:
    case cpu_isa::avx512_core_bf16:
    case cpu_isa::avx512_core_amx:
    case cpu_isa::avx2_vnni: return true;
    default: return false;
  }
}

// brgemm (the matmul oneDNN picks first for int8 on AVX-512 with VNNI), else the GEMM-based matmul.
bool brgemm_int8() {
  const cpu_isa isa = get_effective_cpu_isa();
  return isa == cpu_isa::avx512_core_vnni || isa == cpu_isa::avx512_core_bf16 || isa == cpu_isa::avx512_core_amx;
}

// How the u8*s8 products are summed, by the ISA, with the source that says so.
std::string accumulation_says() {
  return has_vnni() ? "u8*s8 products summed by vpdpbusd in wrapping int32"
                    : "u8*s8 products summed in saturating int16 pairs: vpmaddubsw, then vpmaddwd with ones "
                      "(gemm:jit; src/cpu/x64/gemm/s8x8s32/jit_avx2_gemm_s8u8s32_kern.cpp "
                      "jit_avx2_gemm_s8u8s32_kern::dot_product, lines 70-76)";
}

// SPEC Q20.7: with a bias, an s32 destination goes through binary32.
std::string s32_destination_says() {
  return accumulation_says() +
         ", zero-point terms added in int32; then fl32(acc) + fl32(bias) in binary32, min(., 2147483520.f) and "
         "vcvtps2dq: sums beyond 2^24 lose low bits, an overflow saturates (SPEC Q20.7 via_binary32)";
}

std::string s32_destination_cite() {
  const std::string tag = std::string(kRepo) + kTag;
  const std::string common = "; the bound: src/common/type_helpers.hpp max_value<float>, line 139 "
                             "(case s32: return 2147483520.f), src/cpu/x64/jit_generator.hpp init_saturate_f32 "
                             "line 1636, saturate_f32 line 1661 (vminps)";
  if (brgemm_int8()) {
    return tag + "src/cpu/x64/brgemm/jit_brgemm_kernel.cpp jit_brgemm_kernel_t::apply_compensation "
                 "(vpaddd of the zero-point terms, lines 1106, 1119), "
                 "jit_brgemm_kernel_t::store_accumulators_apply_post_ops (vcvtdq2ps line 985, cvt2ps of the "
                 "bias and vaddps line 989, saturate_f32 and vcvtps2dq line 1045)" + common;
  }
  return tag + "src/cpu/matmul/gemm_x8s8s32x_matmul.cpp need_post_processing (with_bias, line 47: the pp "
               "kernel runs), src/cpu/x64/jit_gemm_inner_product_utils.cpp jit_pp_kernel_t load_and_cvt "
               "(uni_vcvtdq2ps of acc and bias, line 536), compute_oc_channel_blk / compute_mb_blk (uni_vaddps, "
               "lines 759, 990), cvt_and_store (saturate_f32, vcvtps2dq)" + common;
}

engine& cpu() {
  static engine eng(engine::kind::cpu, 0);
  return eng;
}

template <typename Q>
void reorder_quantize(const Json& doc, interop::Operation& op, memory::data_type type, const std::string& dtype) {
  interop::for_each_test(doc, [&](const Json& group, const Json& test, const Json& ops) {
    // reorder saturates to the type only; distinguish.json: skip the groups of the other operations
    if (!ops.contains("dtype") || ops["dtype"] != dtype || ops.value("narrow_range", false)) return;
    if (!ops.contains("zero_point")) return;  // PytorchFloatQparamsTest (Q20.2): a float zero point
    const long long z = interop::integer(ops["zero_point"]);
    const float scale = interop::f32(ops["scale"]);
    std::vector<float> x(kRepeat, interop::f32(ops["x"]));
    std::vector<Q> y(kRepeat, 0);
    try {
      memory::desc src_md({kRepeat}, memory::data_type::f32, memory::format_tag::a);
      memory::desc dst_md({kRepeat}, type, memory::format_tag::a);
      primitive_attr attr;
      attr.set_output_scales(0, {1.0f / scale});
      attr.set_zero_points(DNNL_ARG_DST, 0, {static_cast<int32_t>(z)});
      memory src(src_md, cpu(), x.data()), dst(dst_md, cpu(), y.data());
      reorder::primitive_desc pd(cpu(), src_md, cpu(), dst_md, attr);
      stream s(cpu());
      reorder(pd).execute(s, src, dst);
      s.wait();
    } catch (const dnnl::error& e) {
      op.result(test, {{"error", std::string("dnnl: ") + e.what()}});
      return;
    }
    if (y[0] != y[kRepeat - 1]) op.disagreement(test);
    op.result(test, {{"q", static_cast<long long>(y[0])}});
  });
}

// x (int8, zero point Zx) is given as the u8 x + 128 with Zx + 128: the same x - Zx.
void matmul_linear(const Json& doc, interop::Operation& op) {
  interop::for_each_test(doc, [&](const Json& group, const Json& test, const Json& ops) {
    if (group["type"] != "FullyConnectedTest") return;
    const std::string activation = ops.value("activation", "none");
    if (activation != "none" && activation != "relu") return;
    const memory::dim M = ops["m"], K = ops["k"], N = ops["n"];
    std::vector<uint8_t> x;
    for (const auto& v : ops["x"]) x.push_back(static_cast<uint8_t>(v.get<int>() + 128));
    std::vector<int8_t> w;
    for (const auto& v : ops["w"]) w.push_back(static_cast<int8_t>(v.get<int>()));
    std::vector<int32_t> bias;
    for (const auto& v : ops["bias"]) bias.push_back(static_cast<int32_t>(interop::integer(v)));
    const float sx = interop::f32(ops["x_scale"]), sy = interop::f32(ops["y_scale"]);
    std::vector<float> scales;
    for (const auto& s : ops["w_scales"]) scales.push_back((sx * interop::f32(s)) / sy);
    const long long zy = interop::integer(ops["y_zero_point"]);
    std::vector<int8_t> y(static_cast<size_t>(M * N), 0);
    try {
      memory::desc a_md({M, K}, memory::data_type::u8, memory::format_tag::ab);
      memory::desc w_md({K, N}, memory::data_type::s8, memory::format_tag::ba);  // w is [N][K]
      memory::desc b_md({1, N}, memory::data_type::s32, memory::format_tag::ab);
      memory::desc c_md({M, N}, memory::data_type::s8, memory::format_tag::ab);
      primitive_attr attr;
      attr.set_output_scales(scales.size() == 1 ? 0 : 1 << 1, scales);
      attr.set_zero_points(DNNL_ARG_SRC, 0, {static_cast<int32_t>(interop::integer(ops["x_zero_point"]) + 128)});
      attr.set_zero_points(DNNL_ARG_DST, 0, {static_cast<int32_t>(zy)});
      if (activation == "relu") {
        post_ops po;
        po.append_eltwise(1.0f, algorithm::eltwise_relu, 0.0f, 0.0f);
        attr.set_post_ops(po);
      }
      matmul::primitive_desc pd(matmul::desc(a_md, w_md, b_md, c_md), attr, cpu());
      memory a(a_md, cpu(), x.data()), wm(w_md, cpu(), w.data()), b(b_md, cpu(), bias.data()),
          c(c_md, cpu(), y.data());
      stream s(cpu());
      matmul(pd).execute(s, {{DNNL_ARG_SRC, a}, {DNNL_ARG_WEIGHTS, wm}, {DNNL_ARG_BIAS, b}, {DNNL_ARG_DST, c}});
      s.wait();
    } catch (const dnnl::error& e) {
      op.result(test, {{"error", std::string("dnnl: ") + e.what()}});
      return;
    }
    Json out = Json::array();
    for (int8_t v : y) out.push_back(static_cast<int>(v));
    op.result(test, {{"y", out}});
  });
}

// x_key, w_key: "x", "w" in accumulate.json; "x_values", "w_values" in distinguish.json.
void matmul_accumulate(const Json& doc, interop::Operation& op, const std::string& x_key = "x",
                       const std::string& w_key = "w") {
  interop::for_each_test(doc, [&](const Json& group, const Json& test, const Json& ops) {
    if (x_key != "x" && group["type"] != "DistinguishAccumulateTest") return;
    const std::string xd = ops["x_dtype"], wd = ops["w_dtype"];
    if ((xd != "uint8" && xd != "int8") || wd != "int8") return;
    const memory::dim K = static_cast<memory::dim>(ops[x_key].size());
    const bool shift = xd == "int8";  // as u8 with +128 on x and Zx
    // Not expressible (not run): operands of different lengths, values outside their type.
    if (ops[w_key].size() != ops[x_key].size()) return;
    for (const auto& v : ops[x_key]) {
      if (v.get<long long>() < (shift ? -128 : 0) || v.get<long long>() > (shift ? 127 : 255)) return;
    }
    for (const auto& v : ops[w_key]) {
      if (v.get<long long>() < -128 || v.get<long long>() > 127) return;
    }
    std::vector<uint8_t> x;
    for (const auto& v : ops[x_key]) x.push_back(static_cast<uint8_t>(v.get<int>() + (shift ? 128 : 0)));
    std::vector<int8_t> w;
    for (const auto& v : ops[w_key]) w.push_back(static_cast<int8_t>(v.get<int>()));
    std::vector<int32_t> bias{static_cast<int32_t>(interop::integer(ops["bias"]))};
    int32_t acc = 0;
    try {
      memory::desc a_md({1, K}, memory::data_type::u8, memory::format_tag::ab);
      memory::desc w_md({K, 1}, memory::data_type::s8, memory::format_tag::ab);
      memory::desc b_md({1, 1}, memory::data_type::s32, memory::format_tag::ab);
      memory::desc c_md({1, 1}, memory::data_type::s32, memory::format_tag::ab);
      primitive_attr attr;
      attr.set_zero_points(DNNL_ARG_SRC, 0,
                           {static_cast<int32_t>(interop::integer(ops["x_zero_point"]) + (shift ? 128 : 0))});
      const long long zw = interop::integer(ops["w_zero_point"]);
      if (zw != 0) attr.set_zero_points(DNNL_ARG_WEIGHTS, 0, {static_cast<int32_t>(zw)});
      matmul::primitive_desc pd(matmul::desc(a_md, w_md, b_md, c_md), attr, cpu());
      memory a(a_md, cpu(), x.data()), wm(w_md, cpu(), w.data()), b(b_md, cpu(), bias.data()), c(c_md, cpu(), &acc);
      stream s(cpu());
      matmul(pd).execute(s, {{DNNL_ARG_SRC, a}, {DNNL_ARG_WEIGHTS, wm}, {DNNL_ARG_BIAS, b}, {DNNL_ARG_DST, c}});
      s.wait();
    } catch (const dnnl::error& e) {
      op.result(test, {{"error", std::string("dnnl: ") + e.what()}});
      return;
    }
    op.result(test, {{"acc", acc}});
  });
}

// distinguish.json requantize and linear tests (SPEC Q20) with the integer operands: 1 x K by K x 1 matmul,
// u8 (or s8 as u8 + 128) x s8 -> s8/u8 with the harness's single output scale requant_scale =
// fl32(fl32(Sx*Sw)/Sy) (so identify names scale_derivation f32_product_divide: the harness's
// choice), src/dst zero points, s32 bias. Accumulator-only tests (no x_values) are not run.
void distinguish_matmul(const Json& doc, interop::Operation& op) {
  interop::for_each_test(doc, [&](const Json& group, const Json& test, const Json& ops) {
    const bool requantize = group["type"] == "DistinguishRequantizeTest";
    if ((!requantize && group["type"] != "DistinguishLinearTest") || !ops.contains("x_values")) return;
    if (ops["w_dtype"] != "int8" || interop::integer(ops["w_zero_point"]) != 0) return;
    const bool shift = ops["x_dtype"] == "int8";
    const bool out_signed = ops["y_dtype"] == "int8";
    const memory::dim K = static_cast<memory::dim>(ops["x_values"].size());
    std::vector<uint8_t> x;
    for (const auto& v : ops["x_values"]) x.push_back(static_cast<uint8_t>(v.get<int>() + (shift ? 128 : 0)));
    std::vector<int8_t> w;
    for (const auto& v : ops["w_values"]) w.push_back(static_cast<int8_t>(v.get<int>()));
    std::vector<int32_t> bias{static_cast<int32_t>(interop::integer(ops["bias"]))};
    int8_t y8 = 0;
    uint8_t yu8 = 0;
    try {
      memory::desc a_md({1, K}, memory::data_type::u8, memory::format_tag::ab);
      memory::desc w_md({K, 1}, memory::data_type::s8, memory::format_tag::ab);
      memory::desc b_md({1, 1}, memory::data_type::s32, memory::format_tag::ab);
      memory::desc c_md({1, 1}, out_signed ? memory::data_type::s8 : memory::data_type::u8, memory::format_tag::ab);
      primitive_attr attr;
      attr.set_output_scales(0, {interop::f32(ops["requant_scale"])});
      attr.set_zero_points(DNNL_ARG_SRC, 0,
                           {static_cast<int32_t>(interop::integer(ops["x_zero_point"]) + (shift ? 128 : 0))});
      attr.set_zero_points(DNNL_ARG_DST, 0, {static_cast<int32_t>(interop::integer(ops["zero_point"]))});
      matmul::primitive_desc pd(matmul::desc(a_md, w_md, b_md, c_md), attr, cpu());
      memory a(a_md, cpu(), x.data()), wm(w_md, cpu(), w.data()), b(b_md, cpu(), bias.data());
      memory c(c_md, cpu(), out_signed ? static_cast<void*>(&y8) : static_cast<void*>(&yu8));
      stream s(cpu());
      matmul(pd).execute(s, {{DNNL_ARG_SRC, a}, {DNNL_ARG_WEIGHTS, wm}, {DNNL_ARG_BIAS, b}, {DNNL_ARG_DST, c}});
      s.wait();
    } catch (const dnnl::error& e) {
      op.result(test, {{"error", std::string("dnnl: ") + e.what()}});
      return;
    }
    op.result(test, {{"q", out_signed ? static_cast<long long>(y8) : static_cast<long long>(yu8)}});
  });
}

}  // namespace

int main(int argc, char** argv) {
  if (argc >= 2 && std::string(argv[1]) == "--help") {
    std::printf("usage: onednn_driver VECTORS_DIR OUT.json [BACKEND_LABEL]\n(run by tools/interop/run_interop.py; writes the backend document it judges)\n");
    return 0;
  }
  if (argc != 3 && argc != 4) {
    std::fprintf(stderr, "usage: onednn_driver VECTORS_DIR OUT.json [BACKEND_LABEL]\n");
    return 2;
  }
  try {
    const std::string dir = argv[1];
    const Json quantize_doc = interop::load(dir, "quantize");
    const std::string cite = std::string(kRepo) + "src/cpu/reorder/simple_reorder.hpp (int8 reorders: "
                             "scale * x, then + dst zero point, saturate and round by qz_a1b0 / saturate + "
                             "out_round in src/cpu/simple_q10n.hpp)";
    const std::string says = "R(x * fl32(1/S) + Z): the zero point is added in float before the one rounding "
                             "(nearbyint, half even), then saturated to the type";
    const Json claimed = {{"division", "f32_reciprocal"}, {"rounding", "half_even"}};
    interop::Operation s8("reorder f32->s8", "quantize", "dnnl::reorder, output scale fl32(1/S), dst zero point",
                          claimed, says, cite);
    reorder_quantize<int8_t>(quantize_doc, s8, memory::data_type::s8, "int8");
    interop::Operation u8("reorder f32->u8", "quantize", "dnnl::reorder, output scale fl32(1/S), dst zero point",
                          claimed, says, cite);
    reorder_quantize<uint8_t>(quantize_doc, u8, memory::data_type::u8, "uint8");
    // linear.json has no accumulation variant: without VNNI the claim is fp32 on int16-pair sums,
    // which its tests do not name (its check lists them).
    const std::string int16_pairs_note =
        has_vnni() ? ""
                   : "; the acc is not the exact sum: " + accumulation_says() +
                         " (linear.json has no variant for that accumulation: its differences are those tests)";
    interop::Operation lin("matmul u8 x s8 -> s8", "linear",
                           "dnnl::matmul, output scales fl32(fl32(Sx*Sw)/Sy), src/dst zero points, s32 bias",
                           {{"variant", "fp32"}},
                           "acc (s32, + bias) * output scale in binary32, + dst zero point before the rounding, "
                           "saturated (the fp32 variant with Zy before rounding)" + int16_pairs_note,
                           std::string(kRepo) + "src/cpu/matmul/ref_matmul.cpp / gemm_x8s8s32x_matmul.cpp "
                                                "(post-processing: scale, + dst zero point, saturate, round)");
    matmul_linear(interop::load(dir, "linear"), lin);
    interop::Operation acc("matmul u8 x s8 -> s32", "accumulate",
                           "dnnl::matmul, src/weights zero points, s32 bias, s32 destination", Json::object(),
                           s32_destination_says() + " (accumulate.json has no variants; distinguish.json names it)",
                           s32_destination_cite());
    matmul_accumulate(interop::load(dir, "accumulate"), acc);
    const Json distinguish_doc = interop::load(dir, "distinguish");
    const Json claimed_q20 = {{"division", "f32_reciprocal"}, {"rounding", "half_even"},
                              {"zero_point_entry", "before_rounding"}};
    interop::Operation ds8("reorder f32->s8 (distinguish)", "distinguish",
                           "dnnl::reorder, output scale fl32(1/S), dst zero point", claimed_q20, says, cite);
    reorder_quantize<int8_t>(distinguish_doc, ds8, memory::data_type::s8, "int8");
    interop::Operation du8("reorder f32->u8 (distinguish)", "distinguish",
                           "dnnl::reorder, output scale fl32(1/S), dst zero point", claimed_q20, says, cite);
    reorder_quantize<uint8_t>(distinguish_doc, du8, memory::data_type::u8, "uint8");
    Json claimed_dlin = {{"pipeline", "fp32"}, {"zero_point_entry", "before_rounding"}};
    if (!has_vnni()) claimed_dlin["accumulation"] = "int16_pairs";
    interop::Operation dlin("matmul u8 x s8 -> s8/u8 (distinguish)", "distinguish",
                            "dnnl::matmul, output scale requant_scale = fl32(fl32(Sx*Sw)/Sy), src/dst zero points, "
                            "s32 bias",
                            claimed_dlin,
                            "acc (s32, + bias) * output scale in binary32, + dst zero point before the rounding, "
                            "saturated (the fp32 variant with Zy before rounding)" + int16_pairs_note,
                            std::string(kRepo) + "src/cpu/matmul/ref_matmul.cpp / gemm_x8s8s32x_matmul.cpp "
                                                 "(post-processing: scale, + dst zero point, saturate, round)");
    distinguish_matmul(distinguish_doc, dlin);
    interop::Operation dacc("matmul u8 x s8 -> s32 (distinguish)", "distinguish",
                            "dnnl::matmul, src/weights zero points, s32 bias, s32 destination",
                            {{"accumulation", has_vnni() ? "wrap" : "int16_pairs"}, {"s32_destination", "via_binary32"}},
                            s32_destination_says(), s32_destination_cite());
    matmul_accumulate(distinguish_doc, dacc, "x_values", "w_values");
    return interop::write(argv[2], argc == 4 ? argv[3] : "oneDNN", std::to_string(dnnl_version()->major) + "." +
                                                 std::to_string(dnnl_version()->minor) + "." +
                                                 std::to_string(dnnl_version()->patch),
                          Json::array({s8.entry, u8.entry, lin.entry, acc.entry, ds8.entry, du8.entry, dlin.entry,
                                       dacc.entry}));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "onednn_driver: %s\n", e.what());
    return 1;
  }
}
