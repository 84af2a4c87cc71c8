// Runs our exact reference on the ONNX backend node test cases of the quantization operators
// (tools/interop/onnx_node_cases.json, extracted from Debian libonnx-testdata with the protobuf
// library by onnx_node_cases.py) and compares with ONNX's published expected outputs, bit for bit.
//   quantspec_onnx_node_check CASES.json      prints a JSON report; exit 1 if any case differs
// Operators and the reference members they use:
//   QuantizeLinear          Q2 f32_divide, half_even (SPEC Q2.3), per axis (default axis 1)
//   DequantizeLinear        Q3 (binary32 (q - Z) * S, one rounding)
//   DynamicQuantizeLinear   Q17.1 dynamic_quantize_onnx
//   MatMulInteger, ConvInteger      Q5 accumulate (padding contributes x_zero_point - x_zero_point = 0)
//   QLinearMatMul, QLinearConv      Q5 accumulate + Q7 requantize, two members reported:
//                                   ideal (M = Sa*Sb/Sy exactly, half_even) and fp32 (Q7.11)
#include <cstdio>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "quantspec/reference/accumulate.hpp"
#include "quantspec/reference/dequantize.hpp"
#include "quantspec/reference/dynamic.hpp"
#include "quantspec/reference/quantize.hpp"
#include "quantspec/reference/requantize.hpp"

namespace {

using Json = nlohmann::json;
namespace ref = quantspec::ref;

struct Tensor {
  std::string dtype;
  std::vector<long long> shape;
  std::vector<long long> ints;
  std::vector<float> floats;
  std::size_t size() const { return dtype == "float32" ? floats.size() : ints.size(); }
};

Tensor tensor(const Json& j) {
  Tensor t;
  t.dtype = j["dtype"];
  t.shape = j["shape"].get<std::vector<long long>>();
  for (const auto& v : j["data"]) {
    if (t.dtype == "float32") t.floats.push_back(std::strtof(v.get<std::string>().c_str(), nullptr));
    else t.ints.push_back(v.get<long long>());
  }
  return t;
}

ref::DType dtype_of(const std::string& name) {
  if (name == "uint8") return ref::DType::uint8;
  if (name == "int8") return ref::DType::int8;
  if (name == "int32") return ref::DType::int32;
  throw std::runtime_error("unsupported dtype " + name);
}

bool same_bits(float a, float b) { return ref::hex_float(a) == ref::hex_float(b); }

// Per-axis parameter index of flat element i (axis 1 of an N-D tensor), or 0 for a scalar.
std::size_t channel_of(const Tensor& x, std::size_t i, std::size_t channels) {
  if (channels == 1) return 0;
  std::size_t inner = 1;
  for (std::size_t d = 2; d < x.shape.size(); ++d) inner *= static_cast<std::size_t>(x.shape[d]);
  return (i / inner) % channels;
}

long long zero_point_or_0(const std::vector<Tensor>& in, std::size_t index) {
  return index < in.size() && !in[index].ints.empty() ? in[index].ints[0] : 0;
}

// acc[m][n] of A [.., M, K] x B [.., K, N] (batched when both are 3-D).
std::vector<std::int32_t> matmul_acc(const Tensor& a, const Tensor& b, long long za, long long zb) {
  const std::size_t r = a.shape.size();
  const std::size_t M = a.shape[r - 2], K = a.shape[r - 1], N = b.shape[b.shape.size() - 1];
  const std::size_t batches = a.ints.size() / (M * K);
  std::vector<std::int32_t> out;
  for (std::size_t bt = 0; bt < batches; ++bt) {
    for (std::size_t m = 0; m < M; ++m) {
      for (std::size_t n = 0; n < N; ++n) {
        ref::QuantizedOperand x{dtype_of(a.dtype), za, {}}, w{dtype_of(b.dtype), zb, {}};
        for (std::size_t k = 0; k < K; ++k) {
          x.values.push_back(a.ints[bt * M * K + m * K + k]);
          w.values.push_back(b.ints[(b.shape.size() == 3 ? bt * K * N : 0) + k * N + n]);
        }
        out.push_back(ref::accumulate(x, w, 0).wrapped);
      }
    }
  }
  return out;
}

// NCHW x OIHW, group 1, strides and dilations 1, attribute pads [top, left, bottom, right].
std::vector<std::int32_t> conv_acc(const Tensor& x, const Tensor& w, long long zx, long long zw,
                                   const Json& attributes) {
  std::vector<long long> pads = attributes.value("pads", std::vector<long long>{0, 0, 0, 0});
  const long long C = x.shape[1], H = x.shape[2], W = x.shape[3];
  const long long O = w.shape[0], KH = w.shape[2], KW = w.shape[3];
  const long long OH = H + pads[0] + pads[2] - KH + 1, OW = W + pads[1] + pads[3] - KW + 1;
  std::vector<std::int32_t> out;
  for (long long o = 0; o < O; ++o) {
    for (long long oh = 0; oh < OH; ++oh) {
      for (long long ow = 0; ow < OW; ++ow) {
        ref::QuantizedOperand xs{dtype_of(x.dtype), zx, {}}, ws{dtype_of(w.dtype), zw, {}};
        for (long long c = 0; c < C; ++c) {
          for (long long kh = 0; kh < KH; ++kh) {
            for (long long kw = 0; kw < KW; ++kw) {
              const long long ih = oh + kh - pads[0], iw = ow + kw - pads[1];
              if (ih < 0 || ih >= H || iw < 0 || iw >= W) continue;  // padding: x = Zx, term 0
              xs.values.push_back(x.ints[(c * H + ih) * W + iw]);
              ws.values.push_back(w.ints[((o * C + c) * KH + kh) * KW + kw]);
            }
          }
        }
        out.push_back(ref::accumulate(xs, ws, 0).wrapped);
      }
    }
  }
  return out;
}

// QLinear*: the two requantize members; returns {member: matches}.
Json qlinear(const std::vector<std::int32_t>& acc, float sa, float sb, float sy, long long zy, const Tensor& expected,
             std::string& why) {
  Json members = Json::object();
  for (const auto variant : {ref::RequantVariant::ideal, ref::RequantVariant::fp32}) {
    const ref::RequantizeParams p = ref::requantize_params_from_scales(
        variant, sa, sb, sy, static_cast<std::int32_t>(zy), 0, 255, ref::Derivation::exact);
    bool ok = true;
    for (std::size_t i = 0; i < acc.size(); ++i) {
      const long long q = static_cast<long long>(ref::requantize(acc[i], p));
      if (q != expected.ints[i]) {
        ok = false;
        if (variant == ref::RequantVariant::ideal && why.empty()) {
          why = "ideal: element " + std::to_string(i) + " gives " + std::to_string(q) + ", ONNX " +
                std::to_string(expected.ints[i]);
        }
      }
    }
    members[variant == ref::RequantVariant::ideal ? "ideal" : "fp32"] = ok;
  }
  return members;
}

Json check_case(const Json& c) {
  const std::string op = c["op"];
  std::vector<Tensor> in, out;
  for (const auto& t : c["inputs"]) in.push_back(tensor(t));
  for (const auto& t : c["outputs"]) out.push_back(tensor(t));
  std::string why;
  Json members = Json::object();
  auto mismatch = [&](std::size_t i, const std::string& got, const std::string& want) {
    if (why.empty()) why = "element " + std::to_string(i) + ": reference " + got + ", ONNX " + want;
  };
  if (op == "QuantizeLinear") {
    const Tensor& x = in[0];
    const std::size_t channels = in[1].floats.size();
    for (std::size_t i = 0; i < x.floats.size(); ++i) {
      const std::size_t ch = channel_of(x, i, channels);
      const auto p = ref::QuantizeParams::for_dtype(dtype_of(in[2].dtype), in[1].floats[ch], in[2].ints[ch], false,
                                                    ref::Rounding::half_even, ref::Division::f32_divide);
      const long long q = static_cast<long long>(ref::quantize(x.floats[i], p));
      if (q != out[0].ints[i]) mismatch(i, std::to_string(q), std::to_string(out[0].ints[i]));
    }
  } else if (op == "DequantizeLinear") {
    const Tensor& q = in[0];
    const std::size_t channels = in[1].floats.size();
    for (std::size_t i = 0; i < q.ints.size(); ++i) {
      const std::size_t ch = channel_of(q, i, channels);
      const float x = ref::dequantize(q.ints[i], in[1].floats[ch], in[2].ints[ch]);
      if (!same_bits(x, out[0].floats[i])) mismatch(i, ref::hex_float(x), ref::hex_float(out[0].floats[i]));
    }
  } else if (op == "DynamicQuantizeLinear") {
    const auto d = ref::dynamic_quantize_onnx(in[0].floats);
    if (!same_bits(d.scale, out[1].floats[0])) why = "scale: reference " + ref::hex_float(d.scale) + ", ONNX " +
                                                     ref::hex_float(out[1].floats[0]);
    if (d.zero_point != out[2].ints[0] && why.empty()) why = "zero point " + std::to_string(d.zero_point);
    for (std::size_t i = 0; i < d.q.size(); ++i) {
      if (static_cast<long long>(d.q[i]) != out[0].ints[i]) mismatch(i, d.q[i].str(), std::to_string(out[0].ints[i]));
    }
  } else if (op == "MatMulInteger" || op == "ConvInteger") {
    const auto acc = op == "MatMulInteger"
                         ? matmul_acc(in[0], in[1], zero_point_or_0(in, 2), zero_point_or_0(in, 3))
                         : conv_acc(in[0], in[1], zero_point_or_0(in, 2), zero_point_or_0(in, 3), c["attributes"]);
    for (std::size_t i = 0; i < acc.size(); ++i) {
      if (acc[i] != out[0].ints[i]) mismatch(i, std::to_string(acc[i]), std::to_string(out[0].ints[i]));
    }
  } else if (op == "QLinearMatMul") {
    const auto acc = matmul_acc(in[0], in[3], in[2].ints[0], in[5].ints[0]);
    members = qlinear(acc, in[1].floats[0], in[4].floats[0], in[6].floats[0], in[7].ints[0], out[0], why);
  } else if (op == "QLinearConv") {
    const auto acc = conv_acc(in[0], in[3], in[2].ints[0], in[5].ints[0], c["attributes"]);
    members = qlinear(acc, in[1].floats[0], in[4].floats[0], in[6].floats[0], in[7].ints[0], out[0], why);
  } else {
    why = "operator not handled";
  }
  Json row = {{"case", c["name"]}, {"op", op}, {"ok", why.empty()}, {"why", why}};
  if (!members.empty()) row["members"] = members;
  return row;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2 || std::string(argv[1]) == "--help") {
    std::fprintf(stderr, "usage: quantspec_onnx_node_check CASES.json   (tools/interop/onnx_node_cases.json)\n");
    return argc == 2 ? 0 : 2;
  }
  try {
    std::ifstream in(argv[1]);
    if (!in) throw std::runtime_error(std::string("cannot read ") + argv[1]);
    const Json doc = Json::parse(in);
    Json rows = Json::array(), failures = Json::array();
    for (const auto& c : doc["cases"]) {
      Json row = check_case(c);
      if (!row["ok"].get<bool>()) failures.push_back({{"case", row["case"]}, {"why", row["why"]}});
      rows.push_back(row);
    }
    std::cout << Json{{"cases", rows.size()}, {"failed", failures.size()}, {"failures", failures},
                      {"results", rows}}.dump(1)
              << "\n";
    return failures.empty() ? 0 : 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "quantspec_onnx_node_check: %s\n", e.what());
    return 2;
  }
}
