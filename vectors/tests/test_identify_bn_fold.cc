// identify on bn_fold.json (SPEC.md Q14): two folding backends written here in host
// arithmetic, each quantizing its folded layer with the reference (Q14.4), so only the fold
// is under test:
// - PyTorch's torch/nn/utils/fusion.py expressions in IEEE binary32 (Q14.3): consistent with
//   fold=pytorch only;
// - a converter that folds in binary64 and rounds to binary32 at the end: consistent with
//   neither (double rounding misses the near-tie case that fold=exact decides correctly, and
//   it is not PyTorch's order).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <string>
#include <vector>

#include "quantspec/reference/bn_fold.hpp"
#include "quantspec/reference/errors.hpp"
#include "quantspec/vectors/check.hpp"
#include "quantspec/vectors/format.hpp"

namespace quantspec::vectors {
namespace {

std::vector<float> floats(const Json& list) {
  std::vector<float> out;
  for (const auto& v : list) out.push_back(std::strtof(v.get<std::string>().c_str(), nullptr));
  return out;
}

struct HostFold {
  bool binary64;  // false: PyTorch's binary32 order
  Json operator()(const Json& ops) const {
    ref::BatchNormLayer layer;
    layer.layer = ref::parse_bn_fold_layer(ops["layer"].get<std::string>());
    layer.out_channels = ops["out_channels"].get<std::size_t>();
    layer.weight = floats(ops["weight"]);
    layer.bias = floats(ops["bias"]);
    layer.mean = floats(ops["mean"]);
    layer.variance = floats(ops["var"]);
    layer.gamma = floats(ops["gamma"]);
    layer.beta = floats(ops["beta"]);
    layer.eps = std::strtof(ops["eps"].get<std::string>().c_str(), nullptr);
    try {
      layer.validate();
      ref::FoldedLayer folded;
      const std::size_t row = layer.row_size();
      for (std::size_t c = 0; c < layer.out_channels; ++c) {
        const float b = layer.bias[c], mu = layer.mean[c], var = layer.variance[c];
        const float g = layer.gamma[c], beta = layer.beta[c], eps = layer.eps;
        if (binary64) {
          const double sigma = std::sqrt(static_cast<double>(var) + eps);
          for (std::size_t j = 0; j < row; ++j) {
            folded.weight.push_back(static_cast<float>(static_cast<double>(layer.weight[c * row + j]) * g / sigma));
          }
          folded.bias.push_back(static_cast<float>((static_cast<double>(b) - mu) * g / sigma + beta));
        } else {
          volatile float s = var + eps;
          volatile float root = std::sqrt(s);
          volatile float rsqrt = 1.0f / root;
          volatile float scale = g * rsqrt;
          for (std::size_t j = 0; j < row; ++j) {
            volatile float w = layer.weight[c * row + j] * scale;
            folded.weight.push_back(static_cast<float>(w));
          }
          volatile float centred = b - mu;
          volatile float t = layer.layer == ref::BnFoldLayer::conv2d ? centred * rsqrt : centred * scale;
          volatile float u = layer.layer == ref::BnFoldLayer::conv2d ? t * g : t;
          volatile float folded_bias = u + beta;
          folded.bias.push_back(static_cast<float>(folded_bias));
        }
      }
      ref::BnFoldQuantization options;
      options.input_scale = std::strtof(ops["input_scale"].get<std::string>().c_str(), nullptr);
      const ref::QuantizedFoldedLayer q = ref::quantize_folded(folded, layer.out_channels, options);
      Json fw = Json::array(), fb = Json::array(), scales = Json::array(), wq = Json::array(),
           bq = Json::array();
      for (float v : folded.weight) fw.push_back(ref::hex_float(v));
      for (float v : folded.bias) fb.push_back(ref::hex_float(v));
      for (const auto& p : q.weight_params) scales.push_back(ref::hex_float(p.scale));
      for (const auto& v : q.weight_q) wq.push_back(v.convert_to<long long>());
      for (const auto& v : q.bias_q) bq.push_back(v.stored);
      return Json{{"folded_weight", fw}, {"folded_bias", fb}, {"weight_scales", scales},
                  {"weight_q", wq}, {"bias_q", bq}};
    } catch (const ref::ParameterError& e) {
      return Json{{"error", e.parameter()}};
    }
  }
};

TEST(Identify, TellsPytorchBatchNormFoldFromExactAndFromBinary64) {
  const auto file = read_vector_file(std::string(QUANTSPEC_VECTORS_DIR) + "/bn_fold.json");
  for (bool binary64 : {false, true}) {
    Json per = Json::object();
    for (const auto& g : file.groups) {
      for (const auto& t : g.tests) per[std::to_string(t.tc_id)] = HostFold{binary64}(g.operands(t));
    }
    const auto results = parse_results(Json{{"results", {{"bn_fold", per}}}}, "in-memory");
    const auto identified = identify_variants({file}, results, "in-memory");
    ASSERT_EQ(identified.size(), 1u);
    std::set<std::string> consistent;
    std::size_t exact_mismatches = 0;
    for (const auto& v : identified[0].verdicts) {
      EXPECT_GT(v.tests_run, 0u) << v.variant;
      if (v.mismatches.empty()) consistent.insert(v.variant);
      std::printf("%s backend vs %s: %zu of %zu tests differ\n", binary64 ? "binary64" : "pytorch-order",
                  v.variant.c_str(), v.mismatches.size(), static_cast<std::size_t>(v.tests_run));
      if (binary64 && v.variant == "fold=exact") {
        for (auto id : v.mismatches) std::printf("  tcId %lld\n", static_cast<long long>(id));
      }
      if (v.variant == "fold=exact") exact_mismatches = v.mismatches.size();
    }
    if (binary64) {
      EXPECT_EQ(consistent, std::set<std::string>{}) << "a binary64 fold";
      EXPECT_GT(exact_mismatches, 0u);
    } else {
      EXPECT_EQ(consistent, std::set<std::string>{"fold=pytorch"}) << "PyTorch's order";
    }
  }
}

}  // namespace
}  // namespace quantspec::vectors
