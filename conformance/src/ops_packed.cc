// Packed weights (kernel_abi.h: pack_weights, release_packed, gemm_packed, linear_packed):
//   - gemm_packed equals the reference accumulation (Q5) and the table's own unpacked gemm;
//   - linear_packed equals the table's own unpacked linear (which the linear suite holds to the
//     reference), per tensor and per channel;
//   - packing the same W twice gives objects that compute the same results;
//   - the weight fields of the call's qs_gemm_params are ignored (the object holds them);
//   - bad parameters of pack_weights are rejected and leave *packed NULL.
// Shapes cover the register and cache blocks kernels use: M up to 17 (past tiles of 4 and 6
// rows and the no-allocation bound of 16), N past panels of 16/32/64 columns, K past groups of
// 2/4 and K blocks of 1024, and K = 4097.
#include <algorithm>
#include <cmath>
#include <sstream>
#include <string>

#include "check_kit.hpp"
#include "execute.hpp"
#include "fences.hpp"
#include "oracle.hpp"
#include "ops.hpp"
#include "unread_fields.hpp"

namespace quantspec::conformance::ops {
namespace {

using Verdict = CheckResult::Verdict;

std::string status_text(qs_status s) {
  switch (s) {
    case QS_OK: return "QS_OK";
    case QS_VARIANT_NOT_SUPPORTED: return "QS_VARIANT_NOT_SUPPORTED";
    case QS_BAD_PARAMETERS: return "QS_BAD_PARAMETERS";
    case QS_STATUS_RANGE_MIN_IS_INT32:
    case QS_STATUS_RANGE_IS_INT32: break;  // not statuses
  }
  return std::to_string(static_cast<int>(s)) + " (outside the enum)";
}

bool has_packed_gemm(const qs_kernel_table& t) {
  return QS_TABLE_HAS_SLOT(&t, gemm_packed) && t.pack_weights != nullptr &&
         t.release_packed != nullptr && t.gemm_packed != nullptr;
}
bool has_packed_linear(const qs_kernel_table& t) {
  return QS_TABLE_HAS_SLOT(&t, linear_packed) && t.pack_weights != nullptr &&
         t.release_packed != nullptr && t.linear_packed != nullptr && t.linear != nullptr;
}

// Owns a packed object for the duration of a check.
class Packed {
 public:
  explicit Packed(const qs_kernel_table& t) : table_(t) {}
  ~Packed() { table_.release_packed(object_); }
  Packed(const Packed&) = delete;
  Packed& operator=(const Packed&) = delete;
  void pack(const qs_gemm_params& p, const std::int8_t* w, std::size_t w_stride, std::size_t n, std::size_t k) {
    status_ = table_.pack_weights(&p, w, w_stride, n, k, &object_);
  }
  qs_status status() const { return status_; }
  const qs_packed_weights* get() const { return object_; }

 private:
  const qs_kernel_table& table_;
  qs_packed_weights* object_ = nullptr;
  qs_status status_ = QS_BAD_PARAMETERS;
};

// A shape of the list below, with random operands (extremes one case in three).
GemmCase packed_case(std::uint32_t a_type, kit::Random& rng) {
  static const std::size_t ms[] = {1, 2, 4, 5, 6, 7, 12, 16, 17};
  static const std::size_t ns[] = {1, 3, 15, 16, 17, 31, 33, 63, 64, 65, 130};
  static const std::size_t ks[] = {0, 1, 2, 3, 4, 5, 31, 64, 65, 257, 1023, 1025, 4097};
  GemmCase c;
  c.a_type = a_type;
  c.m = ms[rng.in(0, 8)];
  c.n = ns[rng.in(0, 10)];
  c.k = ks[rng.in(0, 12)];
  if (c.k > 1000 && c.n > 33) c.n = 33;  // keeps the reference's MACs per case small
  c.a_stride = c.k + static_cast<std::size_t>(rng.in(0, 1) * rng.in(1, 5));
  c.w_stride = c.k + static_cast<std::size_t>(rng.in(0, 1) * rng.in(1, 5));
  c.out_stride = c.n + static_cast<std::size_t>(rng.in(0, 1) * rng.in(1, 3));
  const std::int32_t lo = type_min(a_type), hi = type_max(a_type);
  c.a_zero_point = static_cast<std::int32_t>(rng.in(lo, hi));
  c.w_zero_point_per_channel = rng.in(0, 2) == 0;
  c.w_zero_points = {static_cast<std::int32_t>(rng.in(-128, 127))};
  if (c.w_zero_point_per_channel) {
    c.w_zero_points.clear();
    for (std::size_t j = 0; j < c.n; ++j) c.w_zero_points.push_back(static_cast<std::int32_t>(rng.in(-128, 127)));
  }
  if (rng.in(0, 1) == 1) {
    for (std::size_t j = 0; j < c.n; ++j) c.bias.push_back(static_cast<std::int32_t>(rng.in(INT32_MIN, INT32_MAX)));
  }
  const bool extremes = rng.in(0, 2) == 0;
  for (std::size_t i = 0; i < c.m * c.a_stride; ++i) {
    c.a.push_back(static_cast<std::int32_t>(extremes ? (rng.in(0, 1) ? lo : hi) : rng.in(lo, hi)));
  }
  for (std::size_t i = 0; i < c.n * c.w_stride; ++i) {
    c.w.push_back(static_cast<std::int32_t>(extremes ? (rng.in(0, 1) ? -128 : 127) : rng.in(-128, 127)));
  }
  return c;
}

struct Operands {
  std::vector<std::uint8_t> a;  // bytes of a_type
  std::vector<std::int8_t> w;
  qs_gemm_params params{};
};
Operands operands(const GemmCase& c) {
  Operands o;
  for (std::int32_t v : c.a) o.a.push_back(static_cast<std::uint8_t>(v));
  for (std::int32_t v : c.w) o.w.push_back(static_cast<std::int8_t>(v));
  o.params.a_type = c.a_type;
  o.params.a_zero_point = c.a_zero_point;
  o.params.w_zero_point = c.w_zero_points[0];
  o.params.w_zero_points = c.w_zero_point_per_channel ? c.w_zero_points.data() : nullptr;
  o.params.bias = c.bias.empty() ? nullptr : c.bias.data();
  return o;
}

std::string case_text(const GemmCase& c, std::size_t number, const std::string& what) {
  std::ostringstream t;
  t << what << "\n  case " << number << ": m = " << c.m << ", n = " << c.n << ", k = " << c.k
    << ", a_type = " << element_type_name(c.a_type) << ", a_zero_point = " << c.a_zero_point
    << ", w_zero_points " << (c.w_zero_point_per_channel ? "per column" : "per tensor = ")
    << (c.w_zero_point_per_channel ? "" : std::to_string(c.w_zero_points[0]))
    << ", bias " << (c.bias.empty() ? "NULL" : "per column") << ", strides a/w/out = "
    << c.a_stride << "/" << c.w_stride << "/" << c.out_stride << "\n";
  return t.str();
}

// pack_weights with W and the arrays it reads (w_zero_points, bias) each in a fenced buffer
// placed as `placement` (fences.hpp) and freed after the call (the object keeps copies,
// kernel_abi.h). A touch of a fence is returned as its text.
std::optional<std::string> pack_fenced(Packed& into, const GemmCase& c, const Operands& o, BufferPlacement placement) {
  CallBuffers buffers(placement, kFirstFill, 0);
  const std::vector<std::uint8_t> w_bytes(o.w.begin(), o.w.end());
  const auto* w = static_cast<const std::int8_t*>(buffers.add_input(w_bytes, 0, "W"));
  const auto touch = buffers.run([&] {
    qs_gemm_params p = o.params;
    p.w_zero_points = c.w_zero_point_per_channel ? parameter_array(c.w_zero_points, "w_zero_points") : nullptr;
    p.bias = c.bias.empty() ? nullptr : parameter_array(c.bias, "bias");
    into.pack(p, o.w.empty() ? nullptr : w, c.w_stride, c.n, c.k);
  });
  if (!touch) return std::nullopt;
  return "pack_weights " + touch_text(*touch);
}

// gemm_packed on c with `pw` through execute() (A and out fenced, four calls); the call's own
// weight fields are noise (the object holds the real ones).
Execution run_packed(const qs_kernel_table& t, const GemmCase& c, const Operands& o, const qs_packed_weights* pw,
                     const std::string& description) {
  NoiseSchedule noise;
  return execute(
      {{o.a, 0, "A"}}, c.m * c.out_stride * sizeof(std::int32_t), 0,
      [&](const std::vector<const void*>& in, void* out) {
        const Noise unread = noise.next();
        qs_gemm_params call = o.params;
        call.w_zero_point = unread_zero_point(unread, c.w_zero_points[0]);
        call.w_zero_points = unread_array<std::int32_t>(unread);
        call.bias = unread_array<std::int32_t>(unread);
        return t.gemm_packed(&call, o.a.empty() ? nullptr : in[0], c.a_stride, pw, static_cast<std::int32_t*>(out),
                             c.out_stride, c.m);
      },
      description);
}

// Columns [n, out_stride) of each row are padding: they keep the fill of each call.
std::optional<std::string> padding_written(const Execution& e, const GemmCase& c) {
  for (std::size_t r = 0; r < c.m; ++r) {
    for (std::size_t b = c.n * 4; b < c.out_stride * 4; ++b) {
      const std::size_t at = r * c.out_stride * 4 + b;
      if (e.first[at] != kFirstFill || e.second[at] != kSecondFill) {
        return "wrote into the row padding of out at row " + std::to_string(r) + ", column " + std::to_string(b / 4);
      }
    }
  }
  return std::nullopt;
}

constexpr int kCases = 40;

Check gemm_matches_reference(std::uint32_t a_type) {
  return Check{"PackedMatchesReferenceAndUnpackedOnBlockShapes", false,
               [a_type](const qs_kernel_table& t, const Support&, const Settings& set) {
                 kit::Random rng(check_seed(set.seed, "gemm_packed", element_type_name(a_type), "shapes"));
                 std::size_t calls = 0;
                 for (int i = 0; i < kCases; ++i) {
                   const GemmCase c = packed_case(a_type, rng);
                   const Operands o = operands(c);
                   // Packed twice, W and its arrays at a page end, then at a page start.
                   Packed first(t), second(t);
                   for (auto [packed, placement] : {std::pair{&first, BufferPlacement::at_page_end},
                                                    std::pair{&second, BufferPlacement::at_page_start}}) {
                     ++calls;
                     if (auto touch = pack_fenced(*packed, c, o, placement)) {
                       return kit::failure(case_text(c, i, *touch), calls);
                     }
                     if (packed->status() != QS_OK) {
                       return kit::failure(case_text(c, i, "pack_weights rejected valid parameters: status " +
                                                               status_text(packed->status())), calls);
                     }
                   }
                   const Execution packed_out = run_packed(t, c, o, first.get(), case_text(c, i, "gemm_packed"));
                   const Execution twice_out =
                       run_packed(t, c, o, second.get(), case_text(c, i, "gemm_packed (second packing)"));
                   calls += 8;
                   for (const Execution* e : {&packed_out, &twice_out}) {
                     if (e->verdict && e->verdict->kind == Outcome::Kind::not_supported) {
                       return kit::failure(case_text(c, i, "gemm_packed returned QS_VARIANT_NOT_SUPPORTED"), calls);
                     }
                     if (e->verdict) return kit::failure(e->verdict->message, calls);
                     if (auto padding = padding_written(*e, c)) return kit::failure(case_text(c, i, *padding), calls);
                   }
                   std::vector<std::int32_t> unpacked_out;
                   if (t.gemm != nullptr) {
                     unpacked_out.assign(c.m * c.out_stride + 1, 0x5A5A5A5A);
                     t.gemm(&o.params, o.a.empty() ? nullptr : o.a.data(), c.a_stride, o.w.empty() ? nullptr : o.w.data(),
                            c.w_stride, unpacked_out.data(), c.out_stride, c.m, c.n, c.k);
                     ++calls;
                   }
                   for (std::size_t r = 0; r < c.m; ++r) {
                     for (std::size_t col = 0; col < c.n; ++col) {
                       const std::size_t at = r * c.out_stride + col;
                       const std::int32_t expected = oracle::accumulate(c, r, col);
                       const std::int32_t got = load_int32(packed_out.first, at);
                       const std::int32_t got_twice = load_int32(twice_out.first, at);
                       std::string problem;
                       // The calls' own weight fields held noise (noisy call-time weight fields: the
                       // object holds the real ones).
                       if (got != expected) problem = "gemm_packed (noisy call-time weight fields)";
                       else if (load_int32(packed_out.second, at) != got) {
                         problem = "gemm_packed differs between two calls that differ only in the output's fill and "
                                   "the noisy call-time weight fields";
                       } else if (got_twice != expected) problem = "gemm_packed (second packing, noisy call-time weight fields)";
                       else if (!unpacked_out.empty() && unpacked_out[at] != got) problem = "gemm (unpacked) differs from gemm_packed";
                       if (!problem.empty()) {
                         std::ostringstream t2;
                         t2 << problem << ": out[" << r << "][" << col << "]: gemm_packed " << got
                            << ", second packing " << got_twice << ", gemm "
                            << (unpacked_out.empty() ? std::string("not provided") : std::to_string(unpacked_out[at]))
                            << ", expected (reference) " << expected;
                         return kit::failure(case_text(c, i, t2.str()), calls);
                       }
                     }
                   }
                 }
                 return CheckResult{Verdict::pass, "", calls};
               }};
}

Check pack_rejects_bad_parameters(std::uint32_t a_type) {
  return Check{"PackRejectsBadParametersAndLeavesNull", false,
               [a_type](const qs_kernel_table& t, const Support&, const Settings&) {
                 const std::vector<std::int8_t> w(64, 1);
                 qs_gemm_params p{};
                 p.a_type = a_type;
                 struct Bad {
                   const char* what;
                   qs_gemm_params params;
                   std::size_t w_stride;
                   bool null_w;
                   std::size_t n = 3;
                 };
                 const std::int32_t zps[3] = {0, 0, 128};
                 qs_gemm_params zw_high = p, zw_low = p, zw_column = p;
                 zw_high.w_zero_point = 128;
                 zw_low.w_zero_point = -129;
                 zw_column.w_zero_points = zps;
                 const Bad bads[] = {{"w_stride < k", p, 3, false},
                                     {"W = NULL with n * k > 0", p, 4, true},
                                     {"w_zero_point = 128", zw_high, 4, false},
                                     {"w_zero_point = -129", zw_low, 4, false},
                                     {"w_zero_points[2] = 128", zw_column, 4, false},
                                     // Checked with no column too, as gemm checks it.
                                     {"w_zero_point = 128 with n = 0", zw_high, 4, false, 0}};
                 std::size_t calls = 0;
                 for (const Bad& b : bads) {
                   qs_packed_weights* object = reinterpret_cast<qs_packed_weights*>(&calls);  // not NULL
                   const qs_status s = t.pack_weights(&b.params, b.null_w ? nullptr : w.data(), b.w_stride, b.n, 4, &object);
                   ++calls;
                   if (s != QS_BAD_PARAMETERS || object != nullptr) {
                     const bool leaked = s == QS_OK && object != nullptr;
                     if (leaked) t.release_packed(object);
                     return kit::failure(std::string("pack_weights: ") + b.what + ": status " + status_text(s) +
                                             (object != nullptr && !leaked ? ", *packed not set to NULL" : "") +
                                             ", expected QS_BAD_PARAMETERS and *packed = NULL",
                                         calls);
                   }
                 }
                 const qs_status s = t.pack_weights(&p, w.data(), 4, 3, 4, nullptr);
                 ++calls;
                 if (s != QS_BAD_PARAMETERS) {
                   return kit::failure("pack_weights with packed = NULL: status " + status_text(s) +
                                           ", expected QS_BAD_PARAMETERS", calls);
                 }
                 std::int32_t out[16];
                 const std::int8_t a[16] = {};
                 const qs_status g = t.gemm_packed(&p, a, 4, nullptr, out, 4, 2);
                 ++calls;
                 if (g != QS_BAD_PARAMETERS) {
                   return kit::failure("gemm_packed with w = NULL: status " + status_text(g) +
                                           ", expected QS_BAD_PARAMETERS", calls);
                 }
                 t.release_packed(nullptr);  // a no-op by contract
                 return CheckResult{Verdict::pass, "", calls};
               }};
}

VariantSuite gemm_packed_suite(std::uint32_t a_type) {
  VariantSuite s;
  s.op = "gemm_packed";
  s.variant = element_type_name(a_type) + "*s8";
  s.probe = [a_type](const qs_kernel_table& t) {
    Support support;
    if (!has_packed_gemm(t)) {
      support.not_supported.push_back(element_type_name(a_type));
      return support;
    }
    support.supported.push_back(Flavor{a_type, QS_S8, false});
    return support;
  };
  s.checks.push_back(gemm_matches_reference(a_type));
  s.checks.push_back(pack_rejects_bad_parameters(a_type));
  return s;
}

// linear_packed against the table's own linear on the same shapes, for one fixed-point and one
// binary32 requantization, per tensor and per column.
Check linear_matches_unpacked(std::uint32_t variant) {
  return Check{"PackedLinearMatchesUnpackedLinear", false,
               [variant](const qs_kernel_table& t, const Support&, const Settings& set) {
                 kit::Random rng(check_seed(set.seed, "linear_packed", std::to_string(variant), "shapes"));
                 std::size_t calls = 0;
                 for (int i = 0; i < kCases; ++i) {
                   GemmCase c = packed_case(rng.in(0, 1) ? QS_U8 : QS_S8, rng);
                   const Operands o = operands(c);
                   qs_linear_params lp{};
                   lp.gemm = o.params;
                   lp.per_channel = static_cast<std::uint32_t>(rng.in(0, 1));
                   lp.output_type = rng.in(0, 1) ? QS_U8 : QS_S8;
                   lp.act_min = type_min(lp.output_type);
                   lp.act_max = type_max(lp.output_type);
                   lp.requant.variant = variant;
                   lp.requant.zero_point_entry = QS_ZP_AFTER_ROUNDING;
                   lp.requant.output_zero_point = static_cast<std::int32_t>(rng.in(lp.act_min, lp.act_max));
                   std::vector<std::int32_t> multipliers, shifts;
                   std::vector<float> scales;
                   for (std::size_t j = 0; j < std::max<std::size_t>(c.n, 1); ++j) {
                     multipliers.push_back(static_cast<std::int32_t>(rng.in(1 << 30, INT32_MAX)));
                     shifts.push_back(static_cast<std::int32_t>(rng.in(-20, -4)));
                     scales.push_back(std::ldexp(static_cast<float>(rng.in(1 << 23, (1 << 24) - 1)), -43));
                   }
                   lp.requant.multiplier = multipliers[0];
                   lp.requant.shift = shifts[0];
                   lp.requant.scale = scales[0];
                   lp.requant.multipliers = multipliers.data();
                   lp.requant.shifts = shifts.data();
                   lp.requant.scales = scales.data();
                   std::vector<std::uint8_t> unpacked_out(c.m * c.out_stride + 1, 0xA5);
                   const qs_status su = t.linear(&lp, o.a.empty() ? nullptr : o.a.data(), c.a_stride,
                                                 o.w.empty() ? nullptr : o.w.data(), c.w_stride, unpacked_out.data(),
                                                 c.out_stride, c.m, c.n, c.k);
                   ++calls;
                   if (su == QS_VARIANT_NOT_SUPPORTED) continue;  // nothing to compare with
                   Packed packed(t);
                   ++calls;
                   if (auto touch = pack_fenced(packed, c, o, i % 2 == 0 ? BufferPlacement::at_page_end : BufferPlacement::at_page_start)) {
                     return kit::failure(case_text(c, i, *touch), calls);
                   }
                   if (packed.status() != QS_OK) {
                     return kit::failure(case_text(c, i, "pack_weights rejected valid parameters"), calls);
                   }
                   // linear_packed through execute(): A, out and the per-channel arrays fenced; the
                   // call's weight zero points and bias are noise (the object holds them).
                   NoiseSchedule noise;
                   const Execution e = execute(
                       {{o.a, 0, "A"}}, c.m * c.out_stride, 0,
                       [&](const std::vector<const void*>& in, void* out) {
                         const Noise unread = noise.next();
                         qs_linear_params call = lp;
                         call.gemm.w_zero_point = unread_zero_point(unread, c.w_zero_points[0]);
                         call.gemm.w_zero_points = unread_array<std::int32_t>(unread);
                         call.gemm.bias = unread_array<std::int32_t>(unread);
                         call.requant.multipliers = parameter_array(multipliers, "multipliers");
                         call.requant.shifts = parameter_array(shifts, "shifts");
                         call.requant.scales = parameter_array(scales, "scales");
                         return t.linear_packed(&call, o.a.empty() ? nullptr : in[0], c.a_stride, packed.get(), out,
                                                c.out_stride, c.m);
                       },
                       case_text(c, i, "linear_packed"));
                   calls += 4;
                   if (e.verdict || su != QS_OK) {
                     const std::string sp = !e.verdict ? "QS_OK" : e.verdict->kind == Outcome::Kind::not_supported
                                                                        ? "QS_VARIANT_NOT_SUPPORTED"
                                                                        : e.verdict->message;
                     return kit::failure(case_text(c, i, "linear (unpacked) status " + status_text(su) +
                                                             ", linear_packed: " + sp), calls);
                   }
                   for (std::size_t r = 0; r < c.m; ++r) {
                     for (std::size_t col = 0; col < c.n; ++col) {
                       const std::size_t at = r * c.out_stride + col;
                       if (e.first[at] != e.second[at] || e.first[at] != unpacked_out[at]) {
                         std::ostringstream t2;
                         t2 << "linear_packed differs from linear: out[" << r << "][" << col << "] = "
                            << int(e.first[at]) << " (" << int(e.second[at]) << " over the second fill), unpacked "
                            << int(unpacked_out[at]) << " (bytes), per_channel = " << lp.per_channel << ", output "
                            << element_type_name(lp.output_type) << ", Zy = " << lp.requant.output_zero_point;
                         return kit::failure(case_text(c, i, t2.str()), calls);
                       }
                     }
                   }
                 }
                 return CheckResult{Verdict::pass, "", calls};
               }};
}

VariantSuite linear_packed_suite(std::uint32_t variant, const char* name) {
  VariantSuite s;
  s.op = "linear_packed";
  s.variant = name;
  s.probe = [](const qs_kernel_table& t) {
    Support support;
    if (!has_packed_linear(t)) {
      support.not_supported.push_back("packed");
      return support;
    }
    support.supported.push_back(Flavor{QS_S8, QS_S8, false});
    return support;
  };
  s.checks.push_back(linear_matches_unpacked(variant));
  return s;
}

}  // namespace

std::vector<VariantSuite> packed_suites() {
  return {gemm_packed_suite(QS_S8), gemm_packed_suite(QS_U8),
          linear_packed_suite(QS_REQUANT_DOUBLE_ROUND, "double_round"),
          linear_packed_suite(QS_REQUANT_FP32, "fp32")};
}

}  // namespace quantspec::conformance::ops
