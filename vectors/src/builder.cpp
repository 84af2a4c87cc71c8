// Internal document builder, exact encoders and the portable random generator.
#include "builder.hpp"

#include <cmath>
#include <set>
#include <stdexcept>

#include "quantspec/vectors/catalogue.hpp"

namespace quantspec::vectors::detail {

Json encode(float value) { return ref::hex_float(value); }
Json encode_binary64(double value) { return ref::hex_float(value); }

Json encode(const ref::Integer& value) {
  static const ref::Integer limit = ref::Integer(1) << 53;
  if (value > limit || value < -limit) return value.str();
  return static_cast<std::int64_t>(value);
}

Json encode_int(std::int64_t value) { return encode(ref::Integer(value)); }

Json encode_rational(const ref::Rational& value) {
  const ref::Integer n = boost::multiprecision::numerator(value);
  const ref::Integer d = boost::multiprecision::denominator(value);
  return d == 1 ? n.str() : n.str() + "/" + d.str();
}

void GroupBuilder::add(std::string comment, std::vector<std::string> flags, Json inputs,
                       Json expected, Json details) {
  tests_.push_back({std::move(comment), std::move(flags), std::move(inputs), std::move(expected),
                    true, std::move(details)});
}

void GroupBuilder::add_invalid(std::string comment, std::vector<std::string> flags, Json inputs,
                               const ref::ParameterError& error, Json details) {
  flags.push_back("invalid_parameter");
  Json expected = Json::object();
  expected["error"] = error.parameter();
  if (details.is_null()) details = Json::object();
  details["reference_message"] = error.what();
  tests_.push_back({std::move(comment), std::move(flags), std::move(inputs), std::move(expected),
                    false, std::move(details)});
}

void GroupBuilder::add_computed(std::string comment, std::vector<std::string> flags, Json inputs,
                                const std::function<Json()>& compute, Json details) {
  try {
    Json expected = compute();
    add(std::move(comment), std::move(flags), std::move(inputs), std::move(expected),
        std::move(details));
  } catch (const ref::ParameterError& e) {
    add_invalid(std::move(comment), std::move(flags), std::move(inputs), e, std::move(details));
  }
}

FileBuilder::FileBuilder(std::string algorithm, std::string spec_section,
                         std::vector<std::string> header)
    : algorithm_(std::move(algorithm)),
      spec_section_(std::move(spec_section)),
      header_(std::move(header)) {
  groups_.reserve(4096);  // references returned by group() stay valid
}

GroupBuilder& FileBuilder::group(std::string type, Json variant, Json params) {
  if (groups_.size() == groups_.capacity()) throw std::logic_error("too many groups");
  groups_.emplace_back(std::move(type), std::move(variant), std::move(params));
  return groups_.back();
}

Json FileBuilder::finish() const {
  std::set<std::string> used;
  std::int64_t count = 0;
  for (const auto& g : groups_) {
    for (const auto& t : g.tests_) {
      ++count;
      std::set<std::string> own;
      for (const auto& f : t.flags) {
        if (!own.insert(f).second) throw std::logic_error("duplicate flag " + f);
        used.insert(f);
      }
    }
  }
  Json doc = Json::object();
  doc["algorithm"] = algorithm_;
  doc["schemaVersion"] = kSchemaVersion;
  doc["specSection"] = spec_section_;
  doc["generator"] = "quantspec vectors generate (vectors/src, from the exact reference)";
  doc["numberOfTests"] = count;
  doc["header"] = header_;
  for (auto it = extra_.begin(); it != extra_.end(); ++it) doc[it.key()] = it.value();
  Json notes = Json::object();
  for (const auto& f : used) notes[f] = flag_description(f);  // std::set: sorted
  doc["notes"] = notes;
  Json groups = Json::array();
  std::int64_t tc_id = 0;
  for (const auto& g : groups_) {
    if (g.tests_.empty()) continue;
    Json jg = Json::object();
    jg["type"] = g.type_;
    jg["variant"] = g.variant_;
    jg["params"] = g.params_;
    Json tests = Json::array();
    for (const auto& t : g.tests_) {
      Json jt = Json::object();
      jt["tcId"] = ++tc_id;
      jt["comment"] = t.comment;
      jt["flags"] = t.flags;
      jt["inputs"] = t.inputs;
      jt["expected"] = t.expected;
      jt["result"] = t.valid ? "valid" : "invalid";
      if (!t.details.is_null()) jt["details"] = t.details;
      tests.push_back(std::move(jt));
    }
    jg["tests"] = std::move(tests);
    groups.push_back(std::move(jg));
  }
  doc["testGroups"] = std::move(groups);
  return doc;
}

std::uint64_t Rng::next() {
  std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

std::int64_t Rng::uniform(std::int64_t lo, std::int64_t hi) {
  const unsigned __int128 span = static_cast<unsigned __int128>(
                                     static_cast<__int128>(hi) - static_cast<__int128>(lo)) + 1;
  const unsigned __int128 r = (static_cast<unsigned __int128>(next()) * span) >> 64;
  return static_cast<std::int64_t>(static_cast<__int128>(lo) + static_cast<__int128>(r));
}

float Rng::log_uniform_float(int min_exp, int max_exp) {
  const int e = static_cast<int>(uniform(min_exp, max_exp));
  const std::uint32_t mantissa = static_cast<std::uint32_t>(next() >> 41);  // 23 bits
  return std::ldexp(1.0f + static_cast<float>(mantissa) / 8388608.0f, e);
}

}  // namespace quantspec::vectors::detail
