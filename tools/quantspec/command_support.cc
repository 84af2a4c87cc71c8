// Shared helpers of the quantspec commands (command.hpp).
#include <cctype>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>

#include "command.hpp"
#include "quantspec/reference/errors.hpp"
#include "quantspec/vectors/untrusted_json.hpp"

namespace quantspec::cli {

using ref::Integer;
using ref::ParameterError;
using ref::Rational;

void Registry::add(CLI::App* command, Action action) {
  entries_.emplace_back(command, std::move(action));
}

const Action* Registry::selected() const {
  // Nested commands are registered after their parents ("explain" before "explain linear"
  // has no action of its own), so the last parsed entry is the deepest one.
  const Action* found = nullptr;
  for (const auto& [command, action] : entries_) {
    if (command->parsed()) found = &action;
  }
  return found;
}

float binary32_option(const std::string& text, const std::string& option) {
  return ref::parse_binary32(text, option);
}

namespace {

bool is_digit(char c, int base) {
  const unsigned char u = static_cast<unsigned char>(c);
  return base == 16 ? std::isxdigit(u) != 0 : std::isdigit(u) != 0;
}

int digit_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  return std::tolower(static_cast<unsigned char>(c)) - 'a' + 10;
}

// Exponents beyond this are rejected rather than turned into enormous integers.
constexpr long kMaxExponent = 100000;

}  // namespace

Rational rational_option(const std::string& text, const std::string& option) {
  const std::string what = "a decimal, hex-float or p/q number";
  auto fail = [&]() -> Rational { throw ParameterError(option, what, "'" + text + "'"); };
  const auto slash = text.find('/');
  if (slash != std::string::npos) {
    Integer p = ref::parse_integer(text.substr(0, slash), option);
    Integer q = ref::parse_integer(text.substr(slash + 1), option);
    // The sign belongs to p: boost's cpp_rational(p, q) throws bad_rational (which is no
    // ParameterError) for a negative q, so "1/-3" is refused here, naming the option.
    if (q <= 0 || text.compare(slash + 1, 1, "+") == 0) {
      throw ParameterError(option, "p/q with q a positive integer", "'" + text + "'");
    }
    return Rational(p, q);
  }
  std::size_t i = 0;
  bool negative = false;
  if (i < text.size() && (text[i] == '+' || text[i] == '-')) negative = text[i++] == '-';
  int base = 10;
  if (i + 1 < text.size() && text[i] == '0' && (text[i + 1] == 'x' || text[i + 1] == 'X')) {
    base = 16;
    i += 2;
  }
  Integer mantissa = 0;
  long fraction_digits = 0;
  bool any_digit = false;
  for (; i < text.size() && is_digit(text[i], base); ++i, any_digit = true) {
    mantissa = mantissa * base + digit_value(text[i]);
  }
  if (i < text.size() && text[i] == '.') {
    for (++i; i < text.size() && is_digit(text[i], base); ++i, any_digit = true) {
      mantissa = mantissa * base + digit_value(text[i]);
      ++fraction_digits;
    }
  }
  if (!any_digit) return fail();
  long exponent = 0;
  const char marker = base == 16 ? 'p' : 'e';
  if (i < text.size() && std::tolower(static_cast<unsigned char>(text[i])) == marker) {
    ++i;
    bool exponent_negative = false;
    if (i < text.size() && (text[i] == '+' || text[i] == '-')) exponent_negative = text[i++] == '-';
    if (i == text.size()) return fail();
    for (; i < text.size() && is_digit(text[i], 10); ++i) {
      exponent = exponent * 10 + (text[i] - '0');
      if (exponent > kMaxExponent) {
        throw ParameterError(option, "an exponent within +-" + std::to_string(kMaxExponent),
                             "'" + text + "'");
      }
    }
    if (exponent_negative) exponent = -exponent;
  }
  if (i != text.size()) return fail();
  // value = mantissa * base^-fraction_digits * (10 or 2)^exponent
  Rational value(mantissa);
  if (base == 16) {
    value *= ref::pow2(static_cast<int>(exponent - 4 * fraction_digits));
  } else {
    const long power = exponent - fraction_digits;
    Integer ten_power = boost::multiprecision::pow(Integer(10), static_cast<unsigned>(
                                                                    power < 0 ? -power : power));
    value = power < 0 ? value / Rational(ten_power) : value * Rational(ten_power);
  }
  return negative ? Rational(-value) : value;
}

Integer integer_option(const std::string& text, const std::string& option) {
  return ref::parse_integer(text, option);
}

std::int64_t bounded_integer_option(const std::string& text, const std::string& option,
                                    std::int64_t lo, std::int64_t hi) {
  Integer value = ref::parse_integer(text, option);
  if (value < lo || value > hi) {
    throw ParameterError(option, "in [" + std::to_string(lo) + ", " + std::to_string(hi) + "]",
                         value.str());
  }
  return value.convert_to<std::int64_t>();
}

std::vector<std::string> split_list(const std::string& text, const std::string& option) {
  std::vector<std::string> items;
  std::string current;
  bool pending_comma = false;
  auto flush = [&](bool from_comma) {
    if (current.empty()) {
      if (from_comma || pending_comma) {
        throw ParameterError(option, "a comma-separated list without empty items",
                             "'" + text + "'");
      }
    } else {
      items.push_back(current);
      current.clear();
    }
    pending_comma = from_comma;
  };
  for (char c : text) {
    if (c == ',') {
      flush(true);
    } else if (c == ' ' || c == '\t' || c == '[' || c == ']') {
      if (!current.empty()) flush(false);
    } else {
      current += c;
    }
  }
  if (!current.empty() || pending_comma) flush(false);
  return items;
}

std::vector<float> binary32_list(const std::string& text, const std::string& option) {
  std::vector<float> values;
  for (const std::string& item : split_list(text, option)) values.push_back(binary32_option(item, option));
  return values;
}

void refuse_without_effect(const CLI::App& cmd, const std::string& option, bool has_effect,
                           const std::string& applies_only) {
  if (has_effect || cmd.count(option) == 0) return;
  const CLI::Option* o = cmd.get_option(option);
  // A flag has no value to show; name it instead.
  const std::string given = o->get_expected_min() == 0 ? option : o->as<std::string>();
  throw ref::ParameterError(option, applies_only, given);
}

std::vector<std::size_t> shape_option(const std::string& text, const std::string& option) {
  std::vector<std::size_t> shape;
  std::string item;
  std::stringstream stream(text);
  while (std::getline(stream, item, 'x')) {
    shape.push_back(static_cast<std::size_t>(bounded_integer_option(
        item, option, 0, std::numeric_limits<std::int32_t>::max())));
  }
  if (shape.empty() || text.back() == 'x') {
    throw ParameterError(option, "dimensions like 2x3", "'" + text + "'");
  }
  return shape;
}

namespace {
template <typename Enum>
std::string join_names(const std::vector<Enum>& values) {
  std::string text;
  for (Enum v : values) text += (text.empty() ? "" : "|") + std::string(ref::name(v));
  return text;
}
}  // namespace

std::string names_of_dtypes() { return join_names(ref::all_dtypes()); }
std::string names_of_roundings() { return join_names(ref::all_roundings()); }
std::string names_of_divisions() { return join_names(ref::all_divisions()); }
std::string names_of_derivations() { return join_names(ref::all_derivations()); }
std::string names_of_variants() { return join_names(ref::all_requant_variants()); }
std::string names_of_zero_point_entries() { return join_names(ref::all_zero_point_entries()); }

nlohmann::json integer_json(const Integer& value) {
  const Integer limit = Integer(1) << 53;
  if (value <= limit && value >= -limit) return value.convert_to<std::int64_t>();
  return value.str();
}

namespace {
std::string decimal(double value) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.17g", value);
  return buffer;
}
std::string short_decimal(double value) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.9g", value);
  return buffer;
}
}  // namespace

nlohmann::json rational_json(const Rational& value) {
  const double nearest = ref::round_to_binary64(value);
  return {{"exact", ref::to_string(value)},
          {"hex", ref::hex_float(nearest)},
          {"approx", decimal(nearest)}};
}

std::string rational_text(const Rational& value) {
  std::string exact = ref::to_string(value);
  if (boost::multiprecision::denominator(value) == 1) return exact;
  return exact + " (~" + short_decimal(ref::round_to_binary64(value)) + ")";
}

std::string binary32_text(float value) {
  return ref::hex_float(value) + " (" + short_decimal(value) + ")";
}

nlohmann::json read_json_file_option(const std::string& path, const std::string& option) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    throw ParameterError(option, "a JSON file", "'" + path + "', a directory");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ParameterError(option, "a readable JSON file", "'" + path + "'");
  std::stringstream text;
  text << in.rdbuf();
  if (in.bad()) throw ParameterError(option, "a readable JSON file", "'" + path + "' (read failed)");
  try {
    return vectors::parse_untrusted_json<nlohmann::json>(text.str());
  } catch (const vectors::UntrustedJsonError& e) {
    throw ParameterError(option, "valid JSON", "'" + path + "': " + e.what());
  }
}

std::string json_excerpt(const nlohmann::json& value) {
  std::string text = value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return text.size() > 80 ? text.substr(0, 80) + "..." : text;
}

void add_json_flag(CLI::App* command, bool* json) {
  command->add_flag("--json", *json, "print the result as one JSON object");
}

}  // namespace quantspec::cli
