// TOSA TABLE int16 (SPEC.md Q13.3; ABI slot lut_int16): the case type, its call through the ABI,
// the comparison with the reference (quantspec::ref::tosa_table_int16) and the suite.
// qs_lut_int16_params has one field, the table, and every call reads it: there is no unread
// field to fill with noise (unread_fields.hpp); the table itself varies per case instead.
#include <algorithm>
#include <array>
#include <ostream>
#include <sstream>

#include "check_kit.hpp"
#include "execute.hpp"
#include "ops.hpp"
#include "quantspec/reference/tosa_table.hpp"

namespace quantspec::conformance {

struct LutInt16Case {
  std::vector<std::int32_t> table = std::vector<std::int32_t>(ref::kTosaTableInt16Entries, 0);
  std::vector<std::int32_t> input;  // int16 values
  Placement placement;              // element offsets
  bool per_channel = false;         // always per tensor (the suite kit reduces per-tensor cases to one element)
};

// One flavor: int16 in, int32 out (the Flavor's 8-bit type fields are not used by this slot).
Flavor flavor_of(const LutInt16Case&) { return {QS_S8, QS_S8, false}; }

std::string describe(const LutInt16Case& c) {
  std::ostringstream t;
  t << "  op: lut_int16 (TOSA TABLE, SPEC Q13.3)\n"
    << "  table (513 int16): " << list(c.table) << "\n  n: " << c.input.size() << "\n"
    << "  input (int16, misaligned by " << c.placement.input_offset << " elements): " << list(c.input) << "\n"
    << "  output (int32) misaligned by " << c.placement.output_offset << " elements\n";
  return t.str();
}

void showValue(const LutInt16Case& c, std::ostream& os) { os << "\n" << describe(c); }

namespace {

std::vector<std::uint8_t> int16_bytes(const std::vector<std::int32_t>& values) {
  std::vector<std::int16_t> narrow(values.begin(), values.end());
  return to_bytes(narrow);
}

ref::TosaTableInt16 reference_table(const LutInt16Case& c) {
  ref::TosaTableInt16 t{};
  for (std::size_t j = 0; j < t.size(); ++j) t[j] = static_cast<std::int16_t>(c.table.at(j));
  return t;
}

}  // namespace

Execution call_kernel(const qs_kernel_table& table, const LutInt16Case& c, const std::string& description) {
  if (!QS_TABLE_HAS_SLOT(&table, lut_int16) || table.lut_int16 == nullptr) return unsupported_slot();
  const std::size_t n = c.input.size();
  std::vector<std::int16_t> entries(c.table.begin(), c.table.end());
  qs_lut_int16_params p{};
  return execute(
      {{int16_bytes(c.input), c.placement.input_offset * sizeof(std::int16_t), "input"}},
      n * sizeof(std::int32_t), c.placement.output_offset * sizeof(std::int32_t),
      [&](const std::vector<const void*>& in, void* out) {
        p.table = parameter_array(entries, "table");
        return table.lut_int16(&p, static_cast<const std::int16_t*>(in[0]), static_cast<std::int32_t*>(out), n);
      },
      description);
}

Outcome run_case(const qs_kernel_table& table, const LutInt16Case& c, OracleMode) {
  const std::size_t n = c.input.size();
  const std::string description = describe(c);
  const Execution e = call_kernel(table, c, description);
  if (e.verdict) return *e.verdict;
  if (auto i = first_unwritten(e, sizeof(std::int32_t))) {
    return Outcome::fail(unwritten_message("element " + std::to_string(*i)) + description, i);
  }
  const ref::TosaTableInt16 t = reference_table(c);
  for (std::size_t i = 0; i < n; ++i) {
    const std::int32_t expected = ref::tosa_table_int16(t, static_cast<std::int16_t>(c.input[i]));
    const std::int32_t got = load_int32(e.first, i);
    if (got != expected) {
      std::ostringstream s;
      s << "wrong output at index " << i << ": input " << c.input[i] << " (table index "
        << ((c.input[i] + 32768) >> 7) << ", fraction " << (c.input[i] & 0x7F) << "): expected "
        << expected << ", got " << got << "\n"
        << description;
      return Outcome::fail(s.str(), i);
    }
  }
  return Outcome::pass();
}

namespace ops {
namespace {

using Cases = std::vector<std::pair<std::string, LutInt16Case>>;

LutInt16Case random_table_case(std::uint64_t seed, std::int32_t lo, std::int32_t hi) {
  LutInt16Case c;
  kit::Random random(seed);
  for (auto& e : c.table) e = static_cast<std::int32_t>(random.in(lo, hi));
  return c;
}

std::vector<std::int32_t> every_int16() {
  std::vector<std::int32_t> v;
  for (std::int32_t q = -32768; q <= 32767; ++q) v.push_back(q);
  return v;
}

Cases every_input_cases() {
  Cases cases;
  for (std::uint64_t seed : {1u, 2u}) {
    LutInt16Case c = random_table_case(seed, -16384, 16383);  // slopes within int16 (TOSA's REQUIRE)
    c.input = every_int16();
    cases.emplace_back("every int16 input, random table " + std::to_string(seed), c);
  }
  LutInt16Case identity;
  for (std::size_t j = 0; j < identity.table.size(); ++j) {
    identity.table[j] = std::min<std::int32_t>(128 * static_cast<std::int32_t>(j) - 32768, 32767);
  }
  identity.input = every_int16();
  cases.emplace_back("every int16 input, identity table (saturated end entry)", identity);
  ref::TosaTableParams tanh_params;
  tanh_params.input_scale = 0x1p-12f;
  tanh_params.output_scale = 0x1p-15f;
  const ref::TosaTableInt16 tanh_table = ref::build_tosa_table_int16(ref::NonlinearFunction::tanh, tanh_params);
  LutInt16Case tanh_case;
  tanh_case.table.assign(tanh_table.begin(), tanh_table.end());
  tanh_case.input = every_int16();
  cases.emplace_back("every int16 input, tanh table (Si 2^-12, So 2^-15, Q13.3 construction)", tanh_case);
  return cases;
}

// Q13.3 SPEC CHOICE: slopes outside int16 give the formula's int32 value.
Cases wide_slope_cases() {
  Cases cases;
  LutInt16Case alternating;
  for (std::size_t j = 0; j < alternating.table.size(); ++j) alternating.table[j] = j % 2 ? 32767 : -32768;
  alternating.input = every_int16();
  cases.emplace_back("slopes +-65535 (alternating -32768, 32767)", alternating);
  LutInt16Case random = random_table_case(9, -32768, 32767);
  random.input = every_int16();
  cases.emplace_back("random full-range table", random);
  return cases;
}

Cases length_cases() {
  Cases cases;
  std::size_t i = 0;
  for (std::size_t n : kit::interesting_lengths()) {
    LutInt16Case c = random_table_case(7, -16384, 16383);
    c.input.resize(n);
    for (std::size_t j = 0; j < n; ++j) c.input[j] = static_cast<std::int32_t>((j * 40503 + n) % 65536) - 32768;
    c.placement = {i % 4, (i / 4) % 4};
    ++i;
    cases.emplace_back("length " + std::to_string(n), c);
  }
  return cases;
}

rc::Gen<LutInt16Case> gen_lut_int16() {
  return rc::gen::exec([] {
    using namespace rc::gen;
    LutInt16Case c;
    const bool full_range = *arbitrary<bool>();
    for (auto& e : c.table) e = full_range ? *inRange(-32768, 32768) : *inRange(-16384, 16384);
    const std::size_t n = *kit::gen_length();
    for (std::size_t i = 0; i < n; ++i) c.input.push_back(*inRange(-32768, 32768));
    c.placement.input_offset = *kit::gen_offset();
    c.placement.output_offset = *kit::gen_offset();
    return c;
  });
}

std::vector<kit::BadCall> bad_calls(const qs_kernel_table& t) {
  std::vector<kit::BadCall> calls;
  static const std::int16_t input[2] = {1, 2};
  static const std::int16_t table[513] = {};
  kit::BadCall null_table;
  null_table.what = "table = NULL";
  null_table.flavor = {QS_S8, QS_S8, false};
  null_table.call = [&t](void* out) {
    qs_lut_int16_params p{};
    p.table = nullptr;
    return t.lut_int16(&p, kit::fenced_input(input, 2, "input"), static_cast<std::int32_t*>(out), 2);
  };
  calls.push_back(null_table);
  kit::BadCall null_params = null_table;
  null_params.what = "params = NULL";
  null_params.call = [&t](void* out) {
    return t.lut_int16(nullptr, kit::fenced_input(input, 2, "input"), static_cast<std::int32_t*>(out), 2);
  };
  calls.push_back(null_params);
  kit::BadCall null_input = null_table;
  null_input.what = "input = NULL with n = 2";
  null_input.call = [&t](void* out) {
    qs_lut_int16_params p{};
    p.table = kit::fenced_array(table, 513, "table");
    return t.lut_int16(&p, nullptr, static_cast<std::int32_t*>(out), 2);
  };
  calls.push_back(null_input);
  return calls;
}

}  // namespace

std::vector<VariantSuite> lut_int16_suites() {
  VariantSuite s;
  s.op = "lut_int16";
  s.variant = "tosa";
  s.probe = [](const qs_kernel_table& table) {
    LutInt16Case c = random_table_case(1, -100, 100);
    c.input = {-32768, -1, 0, 32767};
    return kit::probe(table, std::vector<LutInt16Case>{c}, [](const Flavor&) { return std::string("s16->s32"); });
  };
  auto catalogue = [](const std::string& name, Cases (*build)()) {
    return Check{name, false, [build](const qs_kernel_table& t, const Support& sup, const Settings&) {
                   return kit::run_cases(t, sup, build());
                 }};
  };
  s.checks.push_back(catalogue("InterpolatesEveryInt16Input", every_input_cases));
  s.checks.push_back(catalogue("EvaluatesSlopesBeyondInt16AsTheFormula", wide_slope_cases));
  s.checks.push_back(catalogue("WritesEveryLengthExactlyOnce", length_cases));
  s.checks.push_back(kit::random_cases_check("lut_int16", "tosa", [](const Support&) { return gen_lut_int16(); }));
  s.checks.push_back(kit::bad_parameters_check("lut_int16", bad_calls));
  return {s};
}

}  // namespace ops
}  // namespace quantspec::conformance
