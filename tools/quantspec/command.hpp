// The pieces every `quantspec` command shares: how a command registers itself, how numbers
// given as text become exact values (so a bad number names its option), and how a result is
// printed (one JSON object with --json, readable text otherwise).
#pragma once

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <functional>
#include <iosfwd>
#include <memory>
#include <string>
#include <vector>

#include "quantspec/reference/numbers.hpp"
#include "quantspec/reference/variants.hpp"

namespace quantspec::cli {

// Exit codes (tools/README.md).
inline constexpr int kExitOk = 0;
inline constexpr int kExitCheckFailed = 1;
inline constexpr int kExitBadInput = 2;
inline constexpr int kExitInternalError = 3;

// A command's action runs after parsing succeeded; it writes its result to `out` and returns
// the exit code. ParameterErrors it throws become exit 2 (main.cc), anything else exit 3.
using Action = std::function<int(std::ostream& out)>;

class Registry {
 public:
  // Runs `action` when `command` (or one of its nested subcommands) was the one selected.
  void add(CLI::App* command, Action action);
  // The action of the deepest selected command, or nullptr.
  const Action* selected() const;

 private:
  std::vector<std::pair<CLI::App*, Action>> entries_;
};

// One function per command file; main.cc calls them all.
void register_params(CLI::App& app, Registry& registry);
void register_multiplier(CLI::App& app, Registry& registry);
void register_quantize(CLI::App& app, Registry& registry);
void register_dequantize(CLI::App& app, Registry& registry);
void register_requantize(CLI::App& app, Registry& registry);
void register_explain(CLI::App& app, Registry& registry);
// explain_dynamic_linear.cc: `explain dynamic-linear` (SPEC.md Q17.5, Q17.6).
void add_explain_dynamic_linear(CLI::App* explain, Registry& registry);
void register_conform(CLI::App& app, Registry& registry);
void register_bench(CLI::App& app, Registry& registry);
void register_vectors(CLI::App& app, Registry& registry);
void register_calibrate(CLI::App& app, Registry& registry);
void register_fake_quant(CLI::App& app, Registry& registry);
void register_fake_quant_grad(CLI::App& app, Registry& registry);
void register_dynamic_quantize(CLI::App& app, Registry& registry);
void register_report(CLI::App& app, Registry& registry);
void register_lut(CLI::App& app, Registry& registry);
void register_fold_bn(CLI::App& app, Registry& registry);
void register_pwl(CLI::App& app, Registry& registry);

// --- numbers from text (ParameterError naming `option` on bad text) ---
float binary32_option(const std::string& text, const std::string& option);
// Exact rational of decimal ("0.1" = 1/10, "1e-5"), hex-float ("0x1.8p-3") or "p/q" text.
ref::Rational rational_option(const std::string& text, const std::string& option);
ref::Integer integer_option(const std::string& text, const std::string& option);
// An integer that must lie in [lo, hi] (ParameterError naming `option` otherwise).
std::int64_t bounded_integer_option(const std::string& text, const std::string& option,
                                    std::int64_t lo, std::int64_t hi);
// "a,b,c" (commas and/or spaces) -> items; empty items are rejected naming `option`.
std::vector<std::string> split_list(const std::string& text, const std::string& option);
// split_list, each item a binary32 (binary32_option), errors naming `option`.
std::vector<float> binary32_list(const std::string& text, const std::string& option);
// An option given on the command line that does nothing in this combination is refused, naming
// it (ParameterError: expected `applies_only`, got its value), rather than silently ignored: the
// user meant something by it that this run would not do. No-op when `has_effect`.
void refuse_without_effect(const CLI::App& cmd, const std::string& option, bool has_effect,
                           const std::string& applies_only);
// "2x3x4" -> {2, 3, 4} (each >= 0).
std::vector<std::size_t> shape_option(const std::string& text, const std::string& option);

// --- enum options: a CLI11 validator listing the allowed names, for --help ---
std::string names_of_dtypes();
std::string names_of_roundings();
std::string names_of_divisions();
std::string names_of_derivations();
std::string names_of_variants();
std::string names_of_zero_point_entries();

// --- output ---
// The value as JSON: a number when |v| <= 2^53, else a decimal string (DESIGN.md vectors).
nlohmann::json integer_json(const ref::Integer& value);
// An exact rational as {"exact": "p/q", "hex": nearest binary64 as hex-float, "decimal": ...}.
nlohmann::json rational_json(const ref::Rational& value);
// Short human form of a rational: "p/q (≈ 1.2345678)".
std::string rational_text(const ref::Rational& value);
// A binary32 as "0x1.8p-3 (0.1875)".
std::string binary32_text(float value);

// --- files ---
// A JSON file named by `option` (--file, a report), read as untrusted input
// (vectors/include/quantspec/vectors/untrusted_json.hpp: depth <= 64, no duplicate keys,
// numbers within binary64). A missing, unreadable or directory path, or bad JSON, is a
// ParameterError naming `option` and the file.
nlohmann::json read_json_file_option(const std::string& path, const std::string& option);
// A JSON value for a one-line message: at most 80 characters of its dump.
std::string json_excerpt(const nlohmann::json& value);

// Adds the --json flag to a command.
void add_json_flag(CLI::App* command, bool* json);

}  // namespace quantspec::cli
