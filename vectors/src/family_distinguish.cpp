// SPEC Q20: the distinguishing set. For each operation model (dimensions.hpp) a search with
// the reference over candidates at normal parameters (scales such as 0.1f, 0.02f, 1/255,
// ordinary zero points, K <= 4096, uint8 and int8 activations) keeps a candidate when it
// separates a pair of members of one dimension, in some context of the other dimensions, that
// fewer than kTarget kept tests separate yet. Expected outputs are the base context's (Q20.6).
// Policy tests (NaN, inf, huge quotients, int32 overflow, rejected parameters) are built by
// hand, kept apart and flagged "policy". Pairs the search could not separate are listed in the
// file's "indistinguishable" member.
#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "builder.hpp"
#include "dimensions.hpp"
#include "quantspec/reference/binary32_requantize.hpp"
#include "quantspec/reference/deployed_accumulate.hpp"
#include "quantspec/reference/quantize.hpp"

namespace quantspec::vectors::detail {
namespace {

constexpr int kTarget = 3;

struct Candidate {
  std::string comment;
  std::vector<std::string> flags;
  Json inputs;  // per-test operands (the group's params hold the rest)
};

// An item of the search: dimension d, members a < b, and a context (the other members).
struct Item {
  int first, second;  // indices into the combination list
  int dimension;
};

bool compatible_context(const Assignment& a, const Assignment& b, int d) {
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (static_cast<int>(i) == d) continue;
    if (a[i] != b[i] && !a[i].empty() && !b[i].empty()) return false;
  }
  return a[d] != b[d] && !a[d].empty() && !b[d].empty();
}

// Pairs of arithmetic combinations that differ in exactly one dimension (the members of a
// dimension that does not apply to one of them are free).
std::vector<Item> search_items(const OperationModel& model, const std::vector<Assignment>& combos) {
  std::vector<Item> items;
  const auto dims = model.dimensions();
  for (std::size_t i = 0; i < combos.size(); ++i) {
    for (std::size_t j = i + 1; j < combos.size(); ++j) {
      for (std::size_t d = 0; d < dims.size(); ++d) {
        if (dims[d].policy) continue;
        if (compatible_context(combos[i], combos[j], static_cast<int>(d))) {
          items.push_back({static_cast<int>(i), static_cast<int>(j), static_cast<int>(d)});
          break;
        }
      }
    }
  }
  return items;
}

Json variant_of(const OperationModel& model) {
  Json v = Json::object();
  const auto dims = model.dimensions();
  const Assignment base = model.base();
  for (std::size_t d = 0; d < dims.size(); ++d) {
    if (!base[d].empty()) v[dims[d].name] = base[d];
  }
  return v;
}

Json merged(const Json& params, const Json& inputs) {
  Json out = params;
  for (auto it = inputs.begin(); it != inputs.end(); ++it) out[it.key()] = it.value();
  return out;
}

// Runs the search over `candidates` for one group; returns the items left below kTarget.
struct SearchState {
  std::vector<Assignment> combos;
  std::vector<Item> items;
  std::vector<int> count;
};

// Stops at max_tests, or after `patience` candidates in a row that separate nothing new (the
// remaining pairs are then listed as not separated).
void search(const OperationModel& model, const Json& params, const std::vector<Candidate>& candidates,
            GroupBuilder& group, SearchState& state, std::size_t max_tests, std::size_t patience = 600) {
  std::size_t useless = 0;
  const auto dims = model.dimensions();
  const Assignment base = model.base();
  const int base_index = static_cast<int>(
      std::find(state.combos.begin(), state.combos.end(), base) - state.combos.begin());
  for (const Candidate& c : candidates) {
    if (group.size() >= max_tests || useless >= patience) break;
    const Json operands = merged(params, c.inputs);
    const auto predictions = model.predict(operands, state.combos);
    if (predictions[base_index].contains("error")) {  // normal tests are valid
      ++useless;
      continue;
    }
    std::vector<std::string> keys;
    keys.reserve(predictions.size());
    for (const auto& p : predictions) keys.push_back(p.dump());
    std::vector<std::size_t> useful;
    for (std::size_t k = 0; k < state.items.size(); ++k) {
      const Item& it = state.items[k];
      if (keys[it.first] != keys[it.second]) {
        if (state.count[k] < kTarget) useful.push_back(k);
      }
    }
    if (useful.empty()) {
      ++useless;
      continue;
    }
    useless = 0;
    // Name one pair it separates (the first still needed) in the comment.
    const Item& first = state.items[useful.front()];
    const std::string& dname = dims[first.dimension].name;
    std::string comment = c.comment + "; separates " + dname + " " +
                          state.combos[first.first][first.dimension] + " | " +
                          state.combos[first.second][first.dimension] + " (" +
                          std::to_string(useful.size()) + " member pairs still needed)";
    for (std::size_t k = 0; k < state.items.size(); ++k) {
      const Item& it = state.items[k];
      if (keys[it.first] != keys[it.second]) state.count[k]++;
    }
    std::vector<std::string> flags = c.flags;
    flags.push_back("distinguishes_variants");
    group.add(comment, flags, c.inputs, predictions[base_index]);
  }
}

// "quantize: rounding half_up = floor under division=f32_divide, zero_point_entry=..." lines
// for the items the search left below kTarget (0 separating tests: "not separated").
void report_shortfall(const OperationModel& model, const SearchState& state,
                      std::vector<std::string>& out) {
  const auto dims = model.dimensions();
  std::map<std::string, std::pair<int, int>> per_pair;  // "dim a | b" -> (items short, total)
  std::map<std::string, std::string> example;
  for (std::size_t k = 0; k < state.items.size(); ++k) {
    const Item& it = state.items[k];
    const auto& a = state.combos[it.first];
    const auto& b = state.combos[it.second];
    std::string x = a[it.dimension], y = b[it.dimension];
    if (y < x) std::swap(x, y);
    const std::string key = model.operation() + ": " + dims[it.dimension].name + " " + x + " | " + y;
    auto& [short_items, total] = per_pair[key];
    total++;
    if (state.count[k] == 0) {
      short_items++;
      if (!example.count(key)) {
        Assignment context = a;
        context[it.dimension] = "";
        example[key] = model.label(context);
      }
    }
  }
  for (const auto& [key, counts] : per_pair) {
    if (counts.first == 0) continue;
    out.push_back(key + ": not separated in " + std::to_string(counts.first) + " of " +
                  std::to_string(counts.second) + " contexts, e.g. " + example[key]);
  }
}

// Members by the release of the family that added them, so that each release's tests are
// searched in passes appended after the earlier ones and released tcIds never move:
//   0  the first release;
//   1  scale_derivation f32_reciprocal_quotient, and the requantize model's accumulation
//      int16_pairs (decided on the linear form);
//   2  pipeline neon_double_round (Q11.1: ruy's x86 kernels), scale_derivation
//      f32_product_f64_divide (LiteRT's per-tensor FULLY_CONNECTED multiplier);
//   3  the accumulate model's s32_destination via_binary32 (Q20.7: oneDNN 2.6's s32 matmul
//      output).
int derivation_generation(const std::string& derivation) {
  if (derivation == ref::name(ref::ScaleDerivation::f32_reciprocal_quotient)) return 1;
  if (derivation == ref::name(ref::ScaleDerivation::f32_product_f64_divide)) return 2;
  return 0;
}

std::vector<ref::ScaleDerivation> derivations_up_to(int generation) {
  std::vector<ref::ScaleDerivation> out;
  for (auto d : ref::all_scale_derivations()) {
    if (derivation_generation(std::string(ref::name(d))) <= generation) out.push_back(d);
  }
  return out;
}

const std::vector<ref::ScaleDerivation>& first_derivations() {
  static const std::vector<ref::ScaleDerivation> d = derivations_up_to(0);
  return d;
}

int member_generation(const OperationModel& model, const Assignment& a) {
  int generation = 0;
  // The requantize model's accumulation dimension (the linear form's int16 pairs) came later.
  const int acc = model.dimension_index("accumulation");
  if (model.operation() == "requantize" && acc >= 0 && a[acc] == "int16_pairs") generation = 1;
  const int d = model.dimension_index("scale_derivation");
  if (d >= 0 && !a[d].empty()) generation = std::max(generation, derivation_generation(a[d]));
  const int p = model.dimension_index("pipeline");
  if (p >= 0 && a[p] == "neon_double_round") generation = std::max(generation, 2);
  const int s = model.dimension_index("s32_destination");
  if (s >= 0 && a[s] == "via_binary32") generation = std::max(generation, 3);
  return generation;
}

// The items both of whose combinations are of `generation` or earlier.
std::vector<Item> items_up_to(const OperationModel& model, const std::vector<Assignment>& combos,
                              const std::vector<Item>& items, int generation) {
  std::vector<Item> out;
  for (const Item& it : items) {
    if (member_generation(model, combos[it.first]) <= generation &&
        member_generation(model, combos[it.second]) <= generation) {
      out.push_back(it);
    }
  }
  return out;
}

std::vector<Item> first_items(const OperationModel& model, const std::vector<Assignment>& combos,
                              const std::vector<Item>& items) {
  return items_up_to(model, combos, items, 0);
}

// The counts of `items` over tests already kept.
std::vector<int> counts_over(const OperationModel& model, const Json& params, const std::vector<Assignment>& combos,
                             const std::vector<Item>& items, const std::vector<PendingTest>& kept) {
  std::vector<int> count(items.size(), 0);
  for (const PendingTest& t : kept) {
    const auto predictions = model.predict(merged(params, t.inputs), combos);
    for (std::size_t k = 0; k < items.size(); ++k) {
      if (predictions[items[k].first].dump() != predictions[items[k].second].dump()) count[k]++;
    }
  }
  return count;
}

// ------------------------------------------------------------------------- quantize
std::vector<float> quantize_scales() {
  return {0.1f, 0.02f, 1.0f / 255.0f, 0.05f, 0.3f, 0.007f, 2.0f / 255.0f, 0.0125f, 1.0f / 127.0f};
}

float next_up(float x, int ulps) {
  for (int i = 0; i < ulps; ++i) x = std::nextafter(x, INFINITY);
  for (int i = 0; i > ulps; --i) x = std::nextafter(x, -INFINITY);
  return x;
}

std::vector<Candidate> quantize_candidates(const std::vector<std::int64_t>& zero_points) {
  std::vector<Candidate> out;
  // SPEC Q2.5's counterexample first: x = 1.55f, S = 0.1f separates f32_divide (15) from
  // f32_reciprocal (16) under half_even.
  for (std::int64_t z : zero_points) {
    out.push_back({"SPEC Q2.5 counterexample x = 1.55f, S = 0.1f", {"binary32_intermediate_tie"},
                   Json{{"x", encode(0x1.8cccccp+0f)}, {"scale", encode(0x1.99999ap-4f)},
                        {"zero_point", z}}});
    out.push_back({"SPEC Q2.5 x = 0.35f, S = 0.1f", {"binary32_intermediate_tie"},
                   Json{{"x", encode(0x1.666666p-2f)}, {"scale", encode(0x1.99999ap-4f)},
                        {"zero_point", z}}});
  }
  const int ks[] = {0, 1, 2, 3, -1, -2, -3, 5, -6, 7, 12, -13, 15, 22, -27, 31, 44, -50, 63, 70};
  const int ulps[] = {0, -1, 1};
  for (int u : ulps) {
    for (float s : quantize_scales()) {
      for (std::int64_t z : zero_points) {
        for (int k : ks) {
          const float tie = static_cast<float>((k + 0.5) * static_cast<double>(s));
          const float whole = static_cast<float>(k * static_cast<double>(s));
          out.push_back({"x near (k + 1/2)S, k = " + std::to_string(k) + ", " + std::to_string(u) +
                             " ulps",
                         {}, Json{{"x", encode(next_up(tie, u))}, {"scale", encode(s)}, {"zero_point", z}}});
          if (k != 0) {
            out.push_back({"x near kS, k = " + std::to_string(k) + ", " + std::to_string(u) + " ulps",
                           {}, Json{{"x", encode(next_up(whole, u))}, {"scale", encode(s)},
                                    {"zero_point", z}}});
          }
        }
      }
    }
  }
  // Q20.2: a binary32 t + Z that rounds (t = 1/2 + 2^-24 at S = 1 is not normal data, so
  // the same effect at S = 1/255: t just above a tie with a large Z).
  for (std::int64_t z : zero_points) {
    for (int u = 1; u <= 3; ++u) {
      for (int k : {0, 1, -1, 2}) {
        const float s = 1.0f / 255.0f;
        const float x = next_up(static_cast<float>((k + 0.5) * s), u);
        out.push_back({"t a few ulps above a tie; t + Z rounds in binary32", {},
                       Json{{"x", encode(x)}, {"scale", encode(s)}, {"zero_point", z}}});
      }
    }
  }
  return out;
}

void quantize_policy_tests(GroupBuilder& group, const OperationModel& model, const Json& params,
                           std::int64_t z) {
  const auto base = model.base();
  auto add = [&](const std::string& comment, std::vector<std::string> flags, const Json& inputs) {
    flags.insert(flags.begin(), "policy");
    const Json expected = model.predict(merged(params, inputs), {base})[0];
    if (expected.contains("error")) {
      flags.erase(std::remove(flags.begin(), flags.end(), "invalid_parameter"), flags.end());
      group.add_invalid(comment, flags, inputs,
                        ref::ParameterError(expected["error"].get<std::string>(), "", ""));
    } else {
      group.add(comment, flags, inputs, expected);
    }
  };
  const Json s = encode(0.1f);
  add("NaN: spec Z, clamp_then_convert and convert_then_clamp qmin (Q10)", {"nan_input"},
      Json{{"x", "nan"}, {"scale", s}, {"zero_point", z}});
  add("+inf: qmax; convert_then_clamp qmin (Q10.3)", {"infinite_input"},
      Json{{"x", "inf"}, {"scale", s}, {"zero_point", z}});
  add("-inf: qmin", {"infinite_input"}, Json{{"x", "-inf"}, {"scale", s}, {"zero_point", z}});
  add("x/S = 3e39 beyond int64: spec qmax, convert_then_clamp qmin", {"quotient_beyond_int32"},
      Json{{"x", encode(3e38f)}, {"scale", s}, {"zero_point", z}});
  add("x/S = 3e9 beyond int32: spec qmax", {"quotient_beyond_int32"},
      Json{{"x", encode(3e8f)}, {"scale", s}, {"zero_point", z}});
  add("subnormal scale 2^-140 (valid, Q2.2), x = 2^-138: q = Z + 4", {"subnormal_scale"},
      Json{{"x", encode(0x1p-138f)}, {"scale", encode(0x1p-140f)}, {"zero_point", z}});
  add("scale 0 is rejected (Q2.2)", {"invalid_parameter"},
      Json{{"x", encode(1.0f)}, {"scale", encode(0.0f)}, {"zero_point", z}});
  add("negative scale is rejected", {"invalid_parameter"},
      Json{{"x", encode(1.0f)}, {"scale", encode(-0.1f)}, {"zero_point", z}});
  add("NaN scale is rejected", {"invalid_parameter"},
      Json{{"x", encode(1.0f)}, {"scale", "nan"}, {"zero_point", z}});
  add("infinite scale is rejected", {"invalid_parameter"},
      Json{{"x", encode(1.0f)}, {"scale", "inf"}, {"zero_point", z}});
}

// ----------------------------------------------------------------------- requantize
struct Scales {
  float sx, sw, sy;
};

// Ordinary scales, and power-of-two-like scales with short significands (1/256 outputs of
// TFLite's logistic, 0.25, 3/256): only with those is acc*M ever exactly a tie, where the
// rounding rules, the zero-point entry and the ideal pipeline differ.
std::vector<Scales> requantize_scales() {
  std::vector<Scales> out;
  std::size_t n = 0;
  for (float sx : {0.1f, 0.02f, 1.0f / 255.0f, 0.05f, 1.0f / 128.0f})
    for (float sw : {0.01f, 0.003f, 0.02f, 1.0f / 127.0f, 0.0021f})
      for (float sy : {0.1f, 0.2f, 0.05f, 0.07f, 0.13f, 1.0f / 255.0f, 0.3f}) {
        if (n++ % 6 == 0) out.push_back({sx, sw, sy});
      }
  for (float sx : {0.25f, 1.0f / 128.0f, 3.0f / 256.0f, 0.375f})
    for (float sw : {1.0f / 64.0f, 0.125f, 1.0f / 256.0f})
      for (float sy : {0.5f, 1.0f / 256.0f, 1.0f / 16.0f}) out.push_back({sx, sw, sy});
  return out;
}

// Every triple, for the constructed derivation candidates (few pass the filter).
std::vector<Scales> all_requantize_scales() {
  std::vector<Scales> out;
  for (float sx : {0.1f, 0.02f, 1.0f / 255.0f, 0.05f, 1.0f / 128.0f})
    for (float sw : {0.01f, 0.003f, 0.02f, 1.0f / 127.0f, 0.0021f})
      for (float sy : {0.1f, 0.2f, 0.05f, 0.07f, 0.13f, 1.0f / 255.0f, 0.3f}) out.push_back({sx, sw, sy});
  return out;
}

// The linear-form operands of an accumulator: x (int8 with Zx = 3, or uint8 with Zx = 128,
// PyTorch's activation type) and int8 w (Zw = 0) whose exact accumulation plus a small bias
// is `acc`, and the float forms a float-scale API takes. |w| <= 60 for uint8 x keeps every
// adjacent pair below 32767 (2*248*60 = 29760), so every accumulation member gives acc.
Json linear_form(std::int64_t acc, const Scales& s, ref::DType x_type) {
  const bool unsigned_x = x_type == ref::DType::uint8;
  const std::int64_t zx = unsigned_x ? 128 : 3;
  const std::int64_t w_limit = unsigned_x ? 60 : 110;
  const std::int64_t per_product = 120 * w_limit;
  const std::int64_t depth = std::max<std::int64_t>(1, (std::llabs(acc) + per_product - 1) / per_product);
  const std::int64_t dx = acc >= 0 ? 120 : -120;
  std::vector<std::int64_t> x(depth, zx + dx), w(depth, 0);
  std::int64_t sum = 0;
  for (std::int64_t k = 0; k < depth; ++k) {
    const std::int64_t remaining = acc - sum;
    const std::int64_t left = depth - k;
    std::int64_t wk = remaining / (dx * left);
    wk = std::clamp<std::int64_t>(wk, -w_limit, w_limit);
    w[k] = wk;
    sum += dx * wk;
  }
  const std::int64_t bias = acc - sum;
  const float bias_scale = ref::round_to_binary32(ref::exact(s.sx) * ref::exact(s.sw));
  const float bias_float = ref::round_to_binary32(ref::Rational(bias) * ref::exact(bias_scale));
  Json out = Json::object();
  out["x_values"] = x;
  out["w_values"] = w;
  out["x_zero_point"] = zx;
  out["w_zero_point"] = 0;
  out["bias"] = bias;
  out["bias_scale"] = encode(bias_scale);
  out["bias_float"] = encode(bias_float);
  out["requant_scale"] = encode(ref::binary32_requantization_scale(
      s.sx, s.sw, s.sy, ref::ScaleDerivation::f32_product_divide));
  return out;
}

// The per-test operands of a requantize candidate.
Json requantize_operands(std::int64_t acc, const Scales& s, std::int32_t zero_point) {
  Json in = Json::object();
  in["acc"] = acc;
  in["sx"] = encode(s.sx);
  in["sw"] = encode(s.sw);
  in["sy"] = encode(s.sy);
  in["zero_point"] = zero_point;
  return in;
}

std::vector<Candidate> requantize_candidates(const std::vector<std::int32_t>& zero_points,
                                             std::int32_t qmin, std::int32_t qmax,
                                             const std::vector<ref::ScaleDerivation>& derivations,
                                             bool constructed_only = false) {
  std::vector<Candidate> out;
  const auto scales = requantize_scales();
  auto make = [&](std::int64_t acc, const Scales& s, std::int32_t z, const std::string& why) {
    out.push_back({why, {}, requantize_operands(acc, s, z)});
  };
  // Near ties of acc*M for small outputs (rounding, entry, pipeline pairs).
  const int ks[] = {0, -1, 1, 2, -3, 4, -6, 9, 13, -20, 33, -41};
  std::size_t i = 0;
  for (const Scales& s : scales) {
    const double m = static_cast<double>(s.sx) * s.sw / s.sy;
    const std::int32_t z = zero_points[i++ % zero_points.size()];
    for (int k : ks) {
      const double target = (k + 0.5) / m;
      const auto a0 = static_cast<std::int64_t>(std::llround(target));
      for (std::int64_t d : {0, -1, 1, 2, -2}) make(a0 + d, s, z, "acc*M near the tie " + std::to_string(k) + ".5");
      const auto w0 = static_cast<std::int64_t>(std::llround(k / m));
      make(w0, s, z, "acc*M near the integer " + std::to_string(k));
    }
  }
  // Derivation pairs: two multipliers m1 < m2 differing by an ulp separate only where a tie
  // (k + 1/2) or, for floor-like rules, an integer lies between acc*m1 and acc*m2, i.e. for
  // acc in ((k + 1/2)/m2, (k + 1/2)/m1): constructed for outputs k near the top of the grid.
  const std::size_t tie_candidates = out.size();
  for (const Scales& s : all_requantize_scales()) {
    std::vector<double> ms;
    for (auto d : derivations) {
      ms.push_back(ref::derived_multiplier(s.sx, s.sw, s.sy, d).convert_to<double>());
    }
    std::sort(ms.begin(), ms.end());
    for (std::size_t a = 0; a + 1 < ms.size(); ++a) {
      if (ms[a] == ms[a + 1]) continue;
      for (int k = qmax - 1; k > qmax - 90; --k) {
        for (double offset : {0.5, 0.0}) {
          const double lo = (k - (qmin + qmax) / 2 + offset) / ms[a + 1];
          const double hi = (k - (qmin + qmax) / 2 + offset) / ms[a];
          const double acc = std::ceil(lo);
          if (acc < hi && std::fabs(acc) < 1.0e8) {
            make(static_cast<std::int64_t>(acc), s, (qmin + qmax) / 2,
                 "acc between the boundaries of two derived multipliers");
            make(-static_cast<std::int64_t>(acc), s, (qmin + qmax) / 2,
                 "negative acc between the boundaries of two derived multipliers");
          }
        }
      }
    }
  }
  if (constructed_only) {
    out.erase(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(tie_candidates));
    return out;
  }
  // The constructed candidates are few and separate what ties cannot: search them first.
  std::rotate(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(tie_candidates), out.end());
  return out;
}

// Derivation pairs under the double-rounding pipelines (double_round, neon_double_round): two
// Q31 pairs an ulp apart change the first rounding's result by at most one, which the second
// rounding absorbs except near its own ties, so the boundary construction above never finds
// them. A scan over the accumulators of the unclamped output range (host int64 arithmetic, the
// fast paths; the search then decides with the reference) proposes, per scale triple and
// derivation pair, the first accumulator where the pipeline's results under the two pairs
// differ, at Zy = (qmin + qmax) / 2.
std::vector<Candidate> double_rounding_derivation_candidates(std::int32_t qmin, std::int32_t qmax) {
  std::vector<Candidate> out;
  const std::int32_t zy = (qmin + qmax) / 2;
  constexpr std::int64_t kMaxSteps = 100000;
  for (const Scales& s : all_requantize_scales()) {
    std::vector<ref::FixedPointMultiplier> pairs;
    for (auto d : ref::all_scale_derivations()) {
      ref::FixedPointMultiplier q;
      if (derived_fixed_point(s.sx, s.sw, s.sy, d, q) &&
          std::find(pairs.begin(), pairs.end(), q) == pairs.end()) {
        pairs.push_back(q);
      }
    }
    const double m = static_cast<double>(s.sx) * s.sw / s.sy;
    const auto first = static_cast<std::int64_t>(std::ceil((qmin - zy - 0.5) / m));
    const auto last = static_cast<std::int64_t>(std::floor((qmax - zy + 0.5) / m));
    for (std::size_t a = 0; a < pairs.size(); ++a) {
      for (std::size_t b = a + 1; b < pairs.size(); ++b) {
        for (const char* pipeline : {"neon_double_round", "double_round"}) {
          const auto fa = double_rounding(pipeline, pairs[a]);
          const auto fb = double_rounding(pipeline, pairs[b]);
          if (!fa || !fb) continue;
          for (std::int64_t acc = first; acc <= last && acc - first < kMaxSteps; ++acc) {
            if (fa(acc) != fb(acc)) {
              out.push_back({std::string("first acc where two derived Q31 pairs differ under ") + pipeline, {},
                             requantize_operands(acc, s, zy)});
              break;
            }
          }
        }
      }
    }
  }
  return out;
}

void requantize_policy_tests(GroupBuilder& group, const OperationModel& model, const Json& params,
                             std::int32_t z) {
  const auto base = model.base();
  auto add = [&](const std::string& comment, std::vector<std::string> flags, Json inputs) {
    flags.insert(flags.begin(), "policy");
    const Json expected = model.predict(merged(params, inputs), {base})[0];
    if (expected.contains("error")) {
      flags.erase(std::remove(flags.begin(), flags.end(), "invalid_parameter"), flags.end());
      group.add_invalid(comment, flags, inputs,
                        ref::ParameterError(expected["error"].get<std::string>(), "", ""));
    } else {
      group.add(comment, flags, inputs, expected);
    }
  };
  auto in = [&](std::int64_t acc, float sx, float sw, float sy) {
    return Json{{"acc", acc}, {"sx", encode(sx)}, {"sw", encode(sw)}, {"sy", encode(sy)}, {"zero_point", z}};
  };
  // M = 0.25*0.5/0.03125 = 4: double_round shifts left by 3; acc*8 leaves int32.
  add("M = 4, acc = 2^29: acc*2^3 = 2^32 saturates (Q7.2 saturate) or wraps to 0 (wrap)",
      {"left_shift_saturation"}, in(1 << 29, 0.25f, 0.5f, 0.03125f));
  add("M = 4, acc = 2^28 + 3: acc*2^3 wraps to a negative int32 under wrap",
      {"left_shift_saturation"}, in((1 << 28) + 3, 0.25f, 0.5f, 0.03125f));
  add("M = 4, acc = -(2^29 + 5): wraps to a positive int32 under wrap",
      {"left_shift_saturation"}, in(-((1 << 29) + 5), 0.25f, 0.5f, 0.03125f));
  add("sy = 0 is rejected", {"invalid_parameter"}, in(100, 0.1f, 0.01f, 0.0f));
  add("NaN sx is rejected", {"invalid_parameter"},
      Json{{"acc", 100}, {"sx", "nan"}, {"sw", encode(0.01f)}, {"sy", encode(0.1f)}, {"zero_point", z}});
  add("infinite sw is rejected", {"invalid_parameter"},
      Json{{"acc", 100}, {"sx", encode(0.1f)}, {"sw", "inf"}, {"sy", encode(0.1f)}, {"zero_point", z}});
  add("negative sy is rejected", {"invalid_parameter"}, in(100, 0.1f, 0.01f, -0.1f));
}

// ----------------------------------------------------------- accumulate and linear
Json accumulate_inputs(const std::vector<std::int64_t>& x, const std::vector<std::int64_t>& w,
                       std::int64_t zx, std::int64_t bias) {
  Json in = Json::object();
  in["x_values"] = x;
  in["w_values"] = w;
  in["x_zero_point"] = zx;
  in["w_zero_point"] = 0;
  in["bias"] = bias;
  return in;
}

std::vector<Candidate> accumulate_candidates(Rng& rng) {
  std::vector<Candidate> out;
  const std::int64_t depths[] = {8, 4096, 3, 256, 2, 64, 1024};
  const std::int64_t zxs[] = {128, 0, 3, 120};
  int i = 0;
  for (std::int64_t k : depths) {
    for (int variant = 0; variant < 3; ++variant) {
      std::vector<std::int64_t> x(k), w(k);
      for (std::int64_t j = 0; j < k; ++j) {
        // Bright pixels and large weights of one sign (variant 0), mixed signs (1), ordinary
        // data (2): pair sums of 255*127 + 255*127 = 64770 saturate at 32767.
        x[j] = variant == 2 ? rng.uniform(0, 255) : rng.uniform(180, 255);
        w[j] = variant == 0 ? rng.uniform(70, 127) : variant == 1 ? (rng.coin() ? 1 : -1) * rng.uniform(70, 127)
                                                                  : rng.uniform(-128, 127);
      }
      const std::int64_t zx = zxs[i++ % 4];
      out.push_back({"u8 x s8, K = " + std::to_string(k) + (variant == 0 ? ", bright x, large positive w"
                                                            : variant == 1 ? ", bright x, large w of both signs"
                                                                           : ", uniform data"),
                     {"int16_pair_saturation", "random"}, accumulate_inputs(x, w, zx, rng.uniform(-1000, 1000))});
    }
  }
  return out;
}

// Q20.7: sums beyond 2^24, where binary32 keeps only some of the low bits: K = 1024 to 4096
// products of bright u8 activations and large s8 weights (the int16 pairs saturate too, so the
// int16_pairs accumulator is beyond 2^24 as well), then uniform data.
std::vector<Candidate> s32_destination_candidates(Rng& rng) {
  std::vector<Candidate> out;
  const std::int64_t zxs[] = {0, 128, 3, 120};
  int i = 0;
  for (int variant = 0; variant < 3; ++variant) {
    for (std::int64_t k : {4096, 2048, 1024}) {
      std::vector<std::int64_t> x(k), w(k);
      for (std::int64_t j = 0; j < k; ++j) {
        x[j] = variant == 2 ? rng.uniform(0, 255) : rng.uniform(180, 255);
        w[j] = variant == 2 ? rng.uniform(-128, 127) : variant == 0 ? rng.uniform(70, 127) : rng.uniform(-127, -70);
      }
      out.push_back({"u8 x s8, K = " + std::to_string(k) +
                         (variant == 0 ? ", bright x, large positive w: the sum is beyond 2^24"
                          : variant == 1 ? ", bright x, large negative w: the sum is below -2^24"
                                         : ", uniform data"),
                     variant == 2 ? std::vector<std::string>{"random"}
                                  : std::vector<std::string>{"int16_pair_saturation", "random"},
                     accumulate_inputs(x, w, zxs[i++ % 4], rng.uniform(-1000, 1000))});
    }
  }
  return out;
}

// Linear form of an accumulate candidate: scales chosen so that the exact and the int16-pair
// accumulators both land inside the output grid (q about +-100 around Zy).
Json linear_inputs(const Json& acc_inputs, const Json& params, float sx, float sw, std::int32_t zy) {
  const OperationModel& acc_model = *model_for_group_type("DistinguishAccumulateTest");
  const auto accs =
      acc_model.predict(merged(params, acc_inputs), {{"wrap", "wrap", "int32"}, {"int16_pairs", "", "int32"}});
  double largest = 1;
  for (const auto& a : accs) largest = std::max(largest, std::fabs(a["acc"].get<double>()));
  const float sy = static_cast<float>(static_cast<double>(sx) * sw * largest / 100.0);
  Json in = acc_inputs;
  in["sx"] = encode(sx);
  in["sw"] = encode(sw);
  in["sy"] = encode(sy);
  in["zero_point"] = zy;
  const float bias_scale = ref::round_to_binary32(ref::exact(sx) * ref::exact(sw));
  in["bias_scale"] = encode(bias_scale);
  in["bias_float"] = encode(ref::round_to_binary32(
      ref::Rational(in["bias"].get<std::int64_t>()) * ref::exact(bias_scale)));
  in["requant_scale"] = encode(ref::binary32_requantization_scale(sx, sw, sy,
                                                                  ref::ScaleDerivation::f32_product_divide));
  return in;
}

}  // namespace

Json distinguish_family() {
  FileBuilder file(
      "distinguish", "Q20",
      {"SPEC Q20: tests on which every pair of members of every variant dimension differs at "
       "normal parameters, found by a search with the reference; `quantspec vectors identify` "
       "names the member of each dimension a backend's results are consistent with.",
       "Expected outputs are those of the group's variant (the base context of Q20.6); tests "
       "flagged policy decide only the policy dimensions (edge_policy, left_shift_overflow, "
       "int32_overflow) and parameter acceptance.",
       "Requantize and linear tests also carry x_values, w_values (integers), bias with "
       "bias_float = fl32(bias * bias_scale), bias_scale = fl32(sx*sw) and requant_scale = "
       "fl32(fl32(sx*sw)/sy), the single binary32 scale a float-scale API takes.",
       "The requantize groups after the linear group hold the tests found for members added "
       "later (second_pass: scale_derivation f32_reciprocal_quotient and the requantize "
       "accumulation, decided on the linear form; search_pass 3: pipeline neon_double_round and "
       "scale_derivation f32_product_f64_divide), and the accumulate group with search_pass 4 those of "
       "the s32_destination via_binary32 (Q20.7), so the earlier tcIds are unchanged."});
  std::vector<std::string> shortfall;
  const auto& models = distinguish_models();
  const OperationModel& qmodel = *models[0];
  const OperationModel& rmodel = *models[1];
  const OperationModel& amodel = *models[2];
  const OperationModel& lmodel = *models[3];

  // Quantize: int8 and uint8 grids.
  {
    const auto combos = qmodel.combinations(false);
    const auto items = search_items(qmodel, combos);
    struct Grid { const char* dtype; std::int64_t qmin, qmax; std::vector<std::int64_t> zps; };
    for (const Grid& g : {Grid{"int8", -128, 127, {0, 1, -1, 3, -7, 10}},
                          Grid{"uint8", 0, 255, {128, 127, 0, 3, 10}}}) {
      SearchState state{combos, items, std::vector<int>(items.size(), 0)};
      const Json params{{"dtype", g.dtype}, {"qmin", g.qmin}, {"qmax", g.qmax}};
      GroupBuilder& group = file.group(qmodel.group_type(), variant_of(qmodel), params);
      search(qmodel, params, quantize_candidates(g.zps), group, state, 400, 100000);
      quantize_policy_tests(group, qmodel, params, g.zps[1]);
      if (std::string(g.dtype) == "int8") report_shortfall(qmodel, state, shortfall);
    }
  }
  const std::size_t quantize_lines = shortfall.size();
  // Requantize: int8 and uint8 outputs.
  struct RequantizeGrid { const char* dtype; std::int32_t qmin, qmax; std::vector<std::int32_t> zps; };
  struct SecondPass {
    RequantizeGrid grid;
    Json params;
    SearchState state;
    std::vector<PendingTest> kept;  // the grid's arithmetic tests so far (for the third pass)
  };
  std::vector<SecondPass> second;
  std::vector<std::string> requantize_shortfall;
  // The linear form of each accumulator (x_values, w_values, bias, float forms) of the found tests.
  auto add_with_linear_form = [&](const GroupBuilder& found, GroupBuilder& group, const char* dtype) {
    for (const PendingTest& t : found.pending()) {
      Json in = t.inputs;
      const Scales s{ref::parse_binary32(in["sx"].get<std::string>(), "sx"),
                     ref::parse_binary32(in["sw"].get<std::string>(), "sw"),
                     ref::parse_binary32(in["sy"].get<std::string>(), "sy")};
      const Json form = linear_form(in["acc"].get<std::int64_t>(), s, ref::parse_dtype(dtype));
      for (auto it = form.begin(); it != form.end(); ++it) in[it.key()] = it.value();
      group.add(t.comment, t.flags, in, t.expected);
    }
  };
  {
    const auto combos = rmodel.combinations(false);
    const auto items = search_items(rmodel, combos);
    const auto items1 = first_items(rmodel, combos, items);
    const auto items2 = items_up_to(rmodel, combos, items, 1);
    for (const RequantizeGrid& g : {RequantizeGrid{"int8", -128, 127, {0, 1, -1, 3, -5}},
                                    RequantizeGrid{"uint8", 0, 255, {128, 127, 3, 0}}}) {
      SearchState state{combos, items1, std::vector<int>(items1.size(), 0)};
      // uint8 outputs come with uint8 activations (PyTorch), int8 with int8 (TFLite).
      const Json params{{"y_dtype", g.dtype}, {"qmin", g.qmin}, {"qmax", g.qmax},
                        {"x_dtype", g.dtype}, {"w_dtype", "int8"}};
      GroupBuilder found(rmodel.group_type(), variant_of(rmodel), params);
      search(rmodel, params, requantize_candidates(g.zps, g.qmin, g.qmax, first_derivations()), found, state,
             700, 100000);
      GroupBuilder& group = file.group(rmodel.group_type(), variant_of(rmodel), params);
      add_with_linear_form(found, group, g.dtype);
      // The counts of every pair over these tests with their linear form (the accumulation is
      // decided on it), before the policy tests.
      second.push_back({g, params, SearchState{combos, items2, counts_over(rmodel, params, combos, items2, group.pending())},
                        group.pending()});
      requantize_policy_tests(group, rmodel, params, g.zps[0]);
    }
  }
  // Accumulate (u8 x s8, and int8 x int8 for coverage) and linear.
  std::vector<PendingTest> accumulate_kept;  // the accumulate group's arithmetic tests
  {
    Rng rng(0x51ED2026);
    const Json params{{"x_dtype", "uint8"}, {"w_dtype", "int8"}};
    const auto combos = amodel.combinations(false);
    // The first release's pairs (s32_destination via_binary32 is searched in the fourth pass).
    SearchState state{combos, first_items(amodel, combos, search_items(amodel, combos)), {}};
    state.count.assign(state.items.size(), 0);
    const auto candidates = accumulate_candidates(rng);
    GroupBuilder& group = file.group(amodel.group_type(), variant_of(amodel), params);
    search(amodel, params, candidates, group, state, 12);
    report_shortfall(amodel, state, shortfall);
    accumulate_kept = group.pending();
    // Policy: a bias near INT32_MAX with positive products leaves int32 (wrap vs saturate).
    group.add("policy: bias 2^31 - 1000, 4 products of 127*127 = 16129: the exact sum leaves "
              "int32; wrap gives it modulo 2^32, saturate32 gives INT32_MAX",
              {"policy", "accumulator_wrap"},
              accumulate_inputs({255, 255, 255, 255}, {127, 127, 127, 127}, 128, 2147483647LL - 1000),
              amodel.predict(merged(params, accumulate_inputs({255, 255, 255, 255}, {127, 127, 127, 127},
                                                              128, 2147483647LL - 1000)),
                             {amodel.base()})[0]);
    group.add_invalid("policy: x = 256 is not a uint8 (rejected, Q5.1)", {"policy"},
                      accumulate_inputs({256, 1}, {1, 1}, 0, 0), ref::ParameterError("x[0]", "", ""));

    const Json lparams{{"x_dtype", "uint8"}, {"w_dtype", "int8"}, {"y_dtype", "int8"},
                       {"qmin", -128}, {"qmax", 127}};
    const auto lcombos = lmodel.combinations(false);
    // The linear search targets only the accumulation pair (requantize pairs are covered by
    // the requantize group, whose tests carry the linear form too).
    SearchState lstate{lcombos, {}, {}};
    // (Contexts with members added later are left out: the accumulation tests separate the
    // accumulation in every context of the requantize dimensions alike.)
    for (const Item& it : first_items(lmodel, lcombos, search_items(lmodel, lcombos))) {
      if (it.dimension == 0) lstate.items.push_back(it);
    }
    lstate.count.assign(lstate.items.size(), 0);
    std::vector<Candidate> lcandidates;
    int i = 0;
    for (const Candidate& c : candidates) {
      const float sx = (i % 2) ? 0.02f : 1.0f / 255.0f;
      const float sw = (i % 3) ? 0.003f : 0.01f;
      lcandidates.push_back({c.comment, c.flags, linear_inputs(c.inputs, params, sx, sw, (i % 2) ? 5 : 0)});
      ++i;
    }
    GroupBuilder& lgroup = file.group(lmodel.group_type(), variant_of(lmodel), lparams);
    search(lmodel, lparams, lcandidates, lgroup, lstate, 12);
    report_shortfall(lmodel, lstate, shortfall);
  }
  // Requantize, second pass: the pairs of the members added later (appended groups).
  for (SecondPass& pass : second) {
    const RequantizeGrid& g = pass.grid;
    // The appended groups are marked (groups of one type with equal params must hold equal
    // inputs: they would be read as variants of one group).
    pass.params["second_pass"] = true;
    GroupBuilder found(rmodel.group_type(), variant_of(rmodel), pass.params);
    // The candidates with their linear form (the accumulation pairs are decided on it).
    // Only the constructed derivation candidates: the tie candidates were all tried in the
    // first pass, and its tests with their linear forms separate the accumulation already.
    std::vector<Candidate> candidates =
        requantize_candidates(g.zps, g.qmin, g.qmax, derivations_up_to(1), true);
    for (Candidate& c : candidates) {
      const Scales sc{ref::parse_binary32(c.inputs["sx"].get<std::string>(), "sx"),
                      ref::parse_binary32(c.inputs["sw"].get<std::string>(), "sw"),
                      ref::parse_binary32(c.inputs["sy"].get<std::string>(), "sy")};
      const Json form = linear_form(c.inputs["acc"].get<std::int64_t>(), sc, ref::parse_dtype(g.dtype));
      for (auto it = form.begin(); it != form.end(); ++it) c.inputs[it.key()] = it.value();
    }
    search(rmodel, pass.params, candidates, found, pass.state, 200, 100000);
    GroupBuilder& group = file.group(rmodel.group_type(), variant_of(rmodel), pass.params);
    add_with_linear_form(found, group, g.dtype);
    pass.kept.insert(pass.kept.end(), group.pending().begin(), group.pending().end());
  }
  // Requantize, third pass: the pairs of the members of generation 2 (groups appended after
  // the second pass's, params search_pass = 3), over every candidate, the counts starting from
  // every test kept so far.
  for (SecondPass& pass : second) {
    const RequantizeGrid& g = pass.grid;
    Json params = pass.params;
    params.erase("second_pass");
    params["search_pass"] = 3;
    const auto combos = rmodel.combinations(false);
    const auto items = search_items(rmodel, combos);
    SearchState state{combos, items, counts_over(rmodel, params, combos, items, pass.kept)};
    std::vector<Candidate> candidates = double_rounding_derivation_candidates(g.qmin, g.qmax);
    const auto more = requantize_candidates(g.zps, g.qmin, g.qmax, ref::all_scale_derivations());
    candidates.insert(candidates.end(), more.begin(), more.end());
    for (Candidate& c : candidates) {
      const Scales sc{ref::parse_binary32(c.inputs["sx"].get<std::string>(), "sx"),
                      ref::parse_binary32(c.inputs["sw"].get<std::string>(), "sw"),
                      ref::parse_binary32(c.inputs["sy"].get<std::string>(), "sy")};
      const Json form = linear_form(c.inputs["acc"].get<std::int64_t>(), sc, ref::parse_dtype(g.dtype));
      for (auto it = form.begin(); it != form.end(); ++it) c.inputs[it.key()] = it.value();
    }
    GroupBuilder found(rmodel.group_type(), variant_of(rmodel), params);
    search(rmodel, params, candidates, found, state, 200, 3000);
    GroupBuilder& group = file.group(rmodel.group_type(), variant_of(rmodel), params);
    add_with_linear_form(found, group, g.dtype);
    if (std::string(g.dtype) == "int8") report_shortfall(rmodel, state, requantize_shortfall);
  }
  // Accumulate, fourth pass (params search_pass = 4, appended): the pairs of the s32
  // destination via_binary32 (generation 3), the counts starting from the accumulate group's
  // arithmetic tests (tcId 275 separates int32 | via_binary32 already).
  {
    const Json params{{"x_dtype", "uint8"}, {"w_dtype", "int8"}, {"search_pass", 4}};
    const auto combos = amodel.combinations(false);
    const auto items = search_items(amodel, combos);
    SearchState state{combos, items, counts_over(amodel, params, combos, items, accumulate_kept)};
    Rng rng(0x51ED2027);
    GroupBuilder& group = file.group(amodel.group_type(), variant_of(amodel), params);
    search(amodel, params, s32_destination_candidates(rng), group, state, 12);
    report_shortfall(amodel, state, shortfall);
  }
  // In the order of the operations (quantize, requantize, accumulate, linear).
  shortfall.insert(shortfall.begin() + static_cast<std::ptrdiff_t>(quantize_lines), requantize_shortfall.begin(),
                   requantize_shortfall.end());
  file.set("indistinguishable", shortfall);
  return file.finish();
}

}  // namespace quantspec::vectors::detail
