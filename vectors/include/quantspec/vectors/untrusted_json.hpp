// Reading JSON that a user or a foreign backend wrote (results files, vectors files, `explain
// --file`, conform reports) so that no document can crash the reader or make it slow:
//  - no recursion: nlohmann's SAX parser keeps its own state stack, and the value is built
//    here with an explicit stack; nesting deeper than a limit (64 by default) is rejected
//    before it is built, because nlohmann's dump() and copy of a value recurse per level (a
//    10^5-deep array overflows the stack there);
//  - duplicate keys are rejected, naming the key and where it is (nlohmann keeps the last
//    one silently, so a wrong result could hide behind a right one);
//  - numbers beyond binary64 are rejected: 1e400 (nlohmann raises out_of_range, which is not
//    a parse_error), a non-zero literal that underflows to 0 (1e-400), and an integer literal
//    outside int64/uint64 (nlohmann would round it to a binary64 silently);
//  - objects are built in linear time: nlohmann::ordered_json's operator[] / emplace search
//    the members linearly (100k keys took 93 s); members are appended here, and duplicates
//    found with a hash set.
// Header-only so the CLI can use it without the golden-vectors library.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_set>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace quantspec::vectors {

inline constexpr int kUntrustedJsonMaxDepth = 64;

// A document the reader refuses; what() is one line: the problem and where it is (a JSON
// pointer such as /results/quantize/7, or a byte offset for syntax errors).
class UntrustedJsonError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

namespace untrusted_json_detail {

// Appends a member without nlohmann's linear search for an existing key (the caller has
// checked that the key is new).
template <typename Key, typename T, typename Less, typename Allocator, typename Value>
void append_member(nlohmann::ordered_map<Key, T, Less, Allocator>& object, std::string&& key,
                   Value&& value) {
  using Container = typename nlohmann::ordered_map<Key, T, Less, Allocator>::Container;
  static_cast<Container&>(object).emplace_back(std::move(key), std::forward<Value>(value));
}
template <typename Object, typename Value>
void append_member(Object& object, std::string&& key, Value&& value) {
  object.emplace(std::move(key), std::forward<Value>(value));
}

// At most `limit` characters of `text`, for messages (keys can be long).
inline std::string clipped(std::string_view text, std::size_t limit = 40) {
  if (text.size() <= limit) return std::string(text);
  return std::string(text.substr(0, limit)) + "...";
}

// Printable form of a key in a message: control characters as \uXXXX so the message stays
// on one line.
inline std::string printable(std::string_view text) {
  std::string out;
  for (unsigned char c : clipped(text)) {
    if (c < 0x20 || c == 0x7f) {
      static const char* hex = "0123456789abcdef";
      out += "\\u00";
      out += hex[c >> 4];
      out += hex[c & 15];
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

// Whether a number literal's digits before its exponent hold a non-zero digit.
inline bool has_nonzero_mantissa(const std::string& literal) {
  for (char c : literal) {
    if (c == 'e' || c == 'E') break;
    if (c >= '1' && c <= '9') return true;
  }
  return false;
}

inline bool is_integer_literal(const std::string& literal) {
  return literal.find_first_of(".eE") == std::string::npos;
}

template <typename BasicJson>
class Builder {
 public:
  using number_integer_t = typename BasicJson::number_integer_t;
  using number_unsigned_t = typename BasicJson::number_unsigned_t;
  using number_float_t = typename BasicJson::number_float_t;
  using string_t = typename BasicJson::string_t;
  using binary_t = typename BasicJson::binary_t;

  explicit Builder(int max_depth) : max_depth_(max_depth) {}

  bool null() { return put(BasicJson(nullptr)); }
  bool boolean(bool value) { return put(BasicJson(value)); }
  bool number_integer(number_integer_t value) { return put(BasicJson(value)); }
  bool number_unsigned(number_unsigned_t value) { return put(BasicJson(value)); }
  bool number_float(number_float_t value, const string_t& literal) {
    // nlohmann hands an integer literal that overflows int64/uint64 over as a float.
    if (is_integer_literal(literal)) {
      return fail("integer " + clipped(literal) + " is outside the 64-bit range", true);
    }
    if (value == 0 && has_nonzero_mantissa(literal)) {
      return fail("number " + clipped(literal) + " underflows binary64 (it would read as 0)", true);
    }
    return put(BasicJson(value));
  }
  bool string(string_t& value) { return put(BasicJson(std::move(value))); }
  bool binary(binary_t&) { return fail("binary values are not JSON", true); }

  bool start_object(std::size_t) { return open(BasicJson::object()); }
  bool start_array(std::size_t) { return open(BasicJson::array()); }
  bool key(string_t& key) {
    Frame& top = stack_.back();
    if (!top.keys.insert(key).second) {
      return fail("duplicate key \"" + printable(key) + "\"", false);
    }
    top.key = std::move(key);
    return true;
  }
  bool end_object() { return close(); }
  bool end_array() { return close(); }

  bool parse_error(std::size_t position, const std::string& /*last_token*/,
                   const nlohmann::detail::exception& error) {
    std::string what = error.what();
    // "[json.exception.parse_error.101] parse error at line 1, column 5: ..." -> the text
    // after the bracketed id; nlohmann already names line and column.
    const auto bracket = what.find("] ");
    if (bracket != std::string::npos) what = what.substr(bracket + 2);
    if (error.id == 406) {  // out_of_range.406: number overflow
      message_ = what + " at byte " + std::to_string(position) +
                 " (a number beyond binary64's range)";
    } else {
      message_ = what;
    }
    return false;
  }

  const std::string& message() const { return message_; }
  BasicJson take() { return std::move(root_); }

 private:
  struct Frame {
    BasicJson value;
    std::string key;                      // objects: the member being read
    std::unordered_set<std::string> keys; // objects: the members read so far
    std::size_t count = 0;                // arrays: elements read so far
  };

  // Where the reader is, as a JSON pointer (the key being read included), clipped.
  std::string where(bool include_current) const {
    std::string path;
    for (std::size_t i = 0; i < stack_.size(); ++i) {
      const Frame& f = stack_[i];
      const bool last = i + 1 == stack_.size();
      if (last && !include_current) break;
      if (f.value.is_object()) {
        path += "/" + printable(f.key);
      } else {
        path += "/" + std::to_string(f.count);
      }
      if (path.size() > 120) return path.substr(0, 120) + "...";
    }
    return path.empty() ? "/" : path;
  }

  bool fail(const std::string& problem, bool include_current) {
    message_ = problem + " at " + where(include_current);
    return false;
  }

  bool open(BasicJson container) {
    if (static_cast<int>(stack_.size()) >= max_depth_) {
      message_ = "JSON nested deeper than " + std::to_string(max_depth_) + " levels at " +
                 where(true);
      return false;
    }
    stack_.push_back(Frame{std::move(container), {}, {}, 0});
    return true;
  }

  bool close() {
    BasicJson done = std::move(stack_.back().value);
    stack_.pop_back();
    return put(std::move(done));
  }

  bool put(BasicJson&& value) {
    if (stack_.empty()) {
      root_ = std::move(value);
      return true;
    }
    Frame& top = stack_.back();
    if (top.value.is_array()) {
      top.value.template get_ref<typename BasicJson::array_t&>().push_back(std::move(value));
      ++top.count;
    } else {
      append_member(top.value.template get_ref<typename BasicJson::object_t&>(),
                    std::move(top.key), std::move(value));
      top.key.clear();
    }
    return true;
  }

  int max_depth_;
  std::vector<Frame> stack_;
  BasicJson root_;
  std::string message_;
};

}  // namespace untrusted_json_detail

// Parses `text` as one JSON document under the rules above; throws UntrustedJsonError.
template <typename BasicJson = nlohmann::json>
BasicJson parse_untrusted_json(std::string_view text, int max_depth = kUntrustedJsonMaxDepth) {
  untrusted_json_detail::Builder<BasicJson> builder(max_depth);
  const bool ok = BasicJson::sax_parse(text.begin(), text.end(), &builder,
                                       nlohmann::detail::input_format_t::json, /*strict=*/true);
  if (!ok) {
    throw UntrustedJsonError(builder.message().empty() ? std::string("not valid JSON")
                                                       : builder.message());
  }
  return builder.take();
}

}  // namespace quantspec::vectors
