// libFuzzer harness (issue 10): the CLI's number parsers (tools/quantspec/command_support.cc and
// the reference's parse_binary32 / parse_integer they call) on arbitrary text. The whole input is
// the text of one option value; every parser runs on it.
//
// A ParameterError is the documented answer to text that is not a number. Anything else (a
// crash, a sanitizer report, another exception: main.cc turns those into exit 3 "internal
// error") is a finding, and so is a broken cross-check between parsers that accept the text:
//  - rational_option: the exact value survives its own printing ("p/q", to_string) unchanged;
//    when parse_binary32 also accepts the text (it is strtof, correctly rounded), the binary32
//    is the exact value rounded once to nearest (round_to_binary32, the reference's software
//    rounding): two independent roundings of the same decimal or hex-float must agree;
//  - integer_option (parse_integer): equal to the value of the digits read here one by one
//    (decimal, or hex after 0x), so a leading zero cannot turn the text octal; when
//    rational_option accepts the same text it gives the same integer;
//  - bounded_integer_option: accepts exactly the parsed integers inside its bounds;
//  - binary32_option: the printed hex-float (hex_float) parses back to the same bits;
//  - split_list: items non-empty, with no separator in them; shape_option: every dimension in
//    [0, 2^31 - 1].
// Skipped: decimal text with an exponent above 9999 (huge_decimal_exponent, below).
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>

#include "../quantspec/command.hpp"
#include "quantspec/reference/errors.hpp"
#include "quantspec/reference/numbers.hpp"

namespace {

using quantspec::ref::Integer;
using quantspec::ref::ParameterError;
using quantspec::ref::Rational;

template <typename F>
auto accepted(F&& parse) -> std::optional<decltype(parse())> {
  try {
    return parse();
  } catch (const ParameterError&) {
    return std::nullopt;
  }
}

// The integer the text spells in the CLI's integer syntax ([+-] digits, or [+-] 0x hex digits),
// computed digit by digit; nullopt for other text.
std::optional<Integer> integer_by_digits(const std::string& text) {
  std::size_t i = 0;
  bool negative = false;
  if (i < text.size() && (text[i] == '+' || text[i] == '-')) negative = text[i++] == '-';
  int base = 10;
  if (text.size() - i > 2 && text[i] == '0' && (text[i + 1] == 'x' || text[i + 1] == 'X')) {
    base = 16;
    i += 2;
  }
  if (i == text.size()) return std::nullopt;
  Integer value = 0;
  for (; i < text.size(); ++i) {
    const char c = text[i];
    int digit;
    if (c >= '0' && c <= '9') {
      digit = c - '0';
    } else if (base == 16 && c >= 'a' && c <= 'f') {
      digit = c - 'a' + 10;
    } else if (base == 16 && c >= 'A' && c <= 'F') {
      digit = c - 'A' + 10;
    } else {
      return std::nullopt;
    }
    value = value * base + digit;
  }
  return negative ? Integer(-value) : value;
}

// True for decimal text with an exponent above 9999 ("1e-99999"). The parser accepts exponents
// up to 100000 (kMaxExponent); such values take 0.1 s in a Release build but seconds under ASan
// and coverage, which would stall the fuzzer, so the harness skips them.
bool huge_decimal_exponent(const std::string& text) {
  if (text.find_first_of("xX") != std::string::npos) return false;
  const std::size_t e = text.find_last_of("eE");
  if (e == std::string::npos) return false;
  std::size_t i = e + 1;
  if (i < text.size() && (text[i] == '+' || text[i] == '-')) ++i;
  std::size_t digits = 0;
  for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i) {
    if (digits > 0 || text[i] != '0') ++digits;
  }
  return digits > 4;
}

void require(bool condition) {
  if (!condition) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace cli = quantspec::cli;
  namespace ref = quantspec::ref;
  const std::string text(reinterpret_cast<const char*>(data), size);
  if (huge_decimal_exponent(text)) return 0;

  const auto rational = accepted([&] { return cli::rational_option(text, "--real"); });
  const auto binary32 = accepted([&] { return cli::binary32_option(text, "--x"); });
  if (rational) {
    // Values of more than 20,000 bits (1e99999) are not printed: cpp_int's decimal printing is
    // quadratic, 0.6 s for 10^100000 in a Release build but minutes under ASan + coverage.
    const auto bits = [](const Integer& v) { return v == 0 ? 0u : boost::multiprecision::msb(abs(v)); };
    if (bits(numerator(*rational)) + bits(denominator(*rational)) < 20000) {
      const std::string printed = ref::to_string(*rational);
      require(cli::rational_option(printed, "--real") == *rational);
    }
    if (binary32 && text.find('/') == std::string::npos) {
      const float rounded = ref::round_to_binary32(*rational);
      // Both are correctly rounded from the same exact value; -0 and +0 compare equal (the
      // rational has no sign of zero).
      require(rounded == *binary32);
    }
  }
  if (binary32 && *binary32 == *binary32) {  // not NaN
    const float back = cli::binary32_option(ref::hex_float(*binary32), "--x");
    require(std::memcmp(&back, &*binary32, sizeof back) == 0);
  }

  const auto integer = accepted([&] { return cli::integer_option(text, "--acc"); });
  const auto by_digits = integer_by_digits(text);
  require(integer.has_value() == by_digits.has_value());
  if (integer) {
    require(*integer == *by_digits);
    if (rational) require(*rational == Rational(*integer));
    const auto bounded =
        accepted([&] { return cli::bounded_integer_option(text, "--qmin", -128, 255); });
    require(bounded.has_value() == (*integer >= -128 && *integer <= 255));
    if (bounded) require(Integer(*bounded) == *integer);
  }

  if (const auto items = accepted([&] { return cli::split_list(text, "--x"); })) {
    for (const std::string& item : *items) {
      require(!item.empty() && item.find_first_of(", \t[]") == std::string::npos);
    }
  }
  if (const auto shape = accepted([&] { return cli::shape_option(text, "--x-shape"); })) {
    require(!shape->empty());
    for (std::size_t dimension : *shape) require(dimension <= 0x7fffffffu);
  }
  return 0;
}
