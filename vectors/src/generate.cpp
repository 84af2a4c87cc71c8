// `vectors generate`: one file per family, written with a fixed serialisation.
#include "quantspec/vectors/generate.hpp"

#include <filesystem>
#include <fstream>
#include <map>
#include <stdexcept>

#include "builder.hpp"

namespace quantspec::vectors {
namespace {

using Factory = Json (*)();

const std::map<std::string, Factory>& factories() {
  static const std::map<std::string, Factory> table = {
      {"quant_params", detail::quant_params_family},
      {"quantize", detail::quantize_family},
      {"dequantize", detail::dequantize_family},
      {"bias", detail::bias_family},
      {"accumulate", detail::accumulate_family},
      {"multiplier", detail::multiplier_family},
      {"requantize", detail::requantize_family},
      {"activation", detail::activation_family},
      {"linear", detail::linear_family},
      {"deployed_requantize", detail::deployed_requantize_family},
      {"calibration", detail::calibration_family},
      {"fake_quant", detail::fake_quant_family},
      {"dynamic_quantize", detail::dynamic_quantize_family},
      {"dynamic_linear", detail::dynamic_linear_family},
      {"lut", detail::lut_family},
      {"bn_fold", detail::bn_fold_family},
      {"distinguish", detail::distinguish_family},
      {"leaky_relu", detail::leaky_relu_family},
      {"hardswish", detail::hardswish_family},
      {"pwl", detail::pwl_family},
      {"table_int16", detail::table_int16_family},
  };
  return table;
}

}  // namespace

const std::vector<std::string>& family_names() {
  static const std::vector<std::string> names = {
      "quant_params", "quantize",   "dequantize", "bias",  "accumulate",
      "multiplier",   "requantize", "activation", "linear",
      "deployed_requantize", "calibration", "fake_quant", "dynamic_quantize", "lut", "bn_fold",
      "distinguish", "leaky_relu", "hardswish", "pwl", "table_int16", "dynamic_linear"};
  return names;
}

Json generate_family(const std::string& family) {
  auto it = factories().find(family);
  if (it == factories().end()) {
    std::string known;
    for (const auto& n : family_names()) known += (known.empty() ? "" : ", ") + n;
    throw std::invalid_argument("unknown family \"" + family + "\" (known: " + known + ")");
  }
  return it->second();
}

std::string serialize(const Json& document) { return document.dump(1) + "\n"; }

std::vector<GeneratedFile> generate(const GenerateOptions& options, std::ostream* log) {
  const auto& families = options.families.empty() ? family_names() : options.families;
  for (const auto& f : families) {
    if (!factories().count(f)) generate_family(f);  // throws the explanatory error
  }
  std::filesystem::create_directories(options.out_dir);
  std::vector<GeneratedFile> written;
  for (const auto& family : families) {
    const Json document = generate_family(family);
    const std::string bytes = serialize(document);
    const std::string path = (std::filesystem::path(options.out_dir) / (family + ".json")).string();
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << bytes;
    out.close();
    if (!out) throw std::runtime_error("cannot write " + path);
    GeneratedFile file{family, path, document["numberOfTests"].get<std::int64_t>(), bytes.size()};
    if (log) *log << path << ": " << file.tests << " tests, " << file.bytes << " bytes\n";
    written.push_back(std::move(file));
  }
  return written;
}

}  // namespace quantspec::vectors
