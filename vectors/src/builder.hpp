// Internal: building one vector document. Tests are collected per group, tcIds are assigned
// in order, and the file's notes are exactly the flags its tests use (with the registered
// explanations), so no note can be unused and no flag unexplained.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "quantspec/reference/errors.hpp"
#include "quantspec/reference/numbers.hpp"
#include "quantspec/vectors/format.hpp"

namespace quantspec::vectors::detail {

// Exact encodings (DESIGN.md "Golden vectors").
Json encode(float value);                    // hex-float string
Json encode_binary64(double value);          // hex-float string
Json encode(const ref::Integer& value);      // number within +-2^53, decimal string beyond
Json encode_int(std::int64_t value);         // same rule
Json encode_rational(const ref::Rational& value);  // "p/q"

struct PendingTest {
  std::string comment;
  std::vector<std::string> flags;
  Json inputs;
  Json expected;
  bool valid = true;
  Json details;
};

class GroupBuilder {
 public:
  GroupBuilder(std::string type, Json variant, Json params)
      : type_(std::move(type)), variant_(std::move(variant)), params_(std::move(params)) {}

  void add(std::string comment, std::vector<std::string> flags, Json inputs, Json expected,
           Json details = nullptr);
  // An invalid test: the reference rejected the parameters with `error`.
  void add_invalid(std::string comment, std::vector<std::string> flags, Json inputs,
                   const ref::ParameterError& error, Json details = nullptr);
  // Runs `compute` (which returns the expected output object); a ParameterError makes the
  // test invalid, naming the parameter.
  void add_computed(std::string comment, std::vector<std::string> flags, Json inputs,
                    const std::function<Json()>& compute, Json details = nullptr);
  std::size_t size() const { return tests_.size(); }
  const std::vector<PendingTest>& pending() const { return tests_; }

 private:
  friend class FileBuilder;
  std::string type_;
  Json variant_;
  Json params_;
  std::vector<PendingTest> tests_;
};

class FileBuilder {
 public:
  FileBuilder(std::string algorithm, std::string spec_section, std::vector<std::string> header);
  GroupBuilder& group(std::string type, Json variant, Json params);
  // Extra top-level member written after the header (e.g. variant pairs that cannot be told
  // apart on some domain).
  void set(const std::string& key, Json value) { extra_[key] = std::move(value); }
  Json finish() const;

 private:
  std::string algorithm_;
  std::string spec_section_;
  std::vector<std::string> header_;
  Json extra_ = Json::object();
  std::vector<GroupBuilder> groups_;  // deque-like stability not needed: see group()
};

// Portable deterministic pseudo-random numbers (SplitMix64): the standard distributions are
// not specified bit for bit across library implementations, so none are used.
class Rng {
 public:
  explicit Rng(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next();
  // Uniform in [lo, hi] (inclusive), lo <= hi.
  std::int64_t uniform(std::int64_t lo, std::int64_t hi);
  bool coin() { return (next() >> 63) != 0; }
  // A binary32 with a uniformly chosen exponent in [min_exp, max_exp] and random mantissa.
  float log_uniform_float(int min_exp, int max_exp);

 private:
  std::uint64_t state_;
};

// Families (one file each).
Json quant_params_family();
Json dynamic_linear_family();
Json calibration_family();
Json quantize_family();
Json dequantize_family();
Json bias_family();
Json accumulate_family();
Json multiplier_family();
Json requantize_family();
Json activation_family();
Json lut_family();
Json leaky_relu_family();
Json hardswish_family();
Json pwl_family();
Json table_int16_family();
Json linear_family();
Json deployed_requantize_family();
Json fake_quant_family();
Json dynamic_quantize_family();
Json bn_fold_family();
Json distinguish_family();

// Groups appended to a family's file, each in a file of its own (SPEC Q11.11, Q11.12). The
// pairs of members their search could not separate are appended to `indistinguishable`.
void add_tvm_float_requantize_groups(FileBuilder& file, Json& indistinguishable);
void add_narrow_divide_quantize_groups(FileBuilder& file, Json& indistinguishable);
// SPEC Q20.3's bias added in binary32 (oneDNN's int8 matmul): groups appended to deployed_requantize.
void add_binary32_float_bias_groups(FileBuilder& file);

}  // namespace quantspec::vectors::detail
