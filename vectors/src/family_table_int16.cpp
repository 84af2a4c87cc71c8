// Q13.3 TOSA TABLE int16 vectors: the interpolation of a 513-entry int16 table (TOSA's
// apply_lookup_s, int32 output) on chosen inputs, and the exact construction of tables from Q12
// functions (T[j] = clamp(R(f((128 j - 32768 - Zi) Si)/So) + Zo)).
#include "builder.hpp"
#include "quantspec/reference/tosa_table.hpp"

namespace quantspec::vectors::detail {
namespace {

Json to_json(const ref::TosaTableInt16& t) {
  Json a = Json::array();
  for (auto v : t) a.push_back(v);
  return a;
}

// Inputs every apply test uses: the grid ends, the knots around zero, each fraction 0, 1, 127
// of a few entries, and the top segment that reads T[512].
std::vector<std::int32_t> probe_inputs() {
  std::vector<std::int32_t> v = {-32768, -32767, -32641, -32640, -129, -128, -127, -1, 0, 1, 127, 128,
                                 129, 4095, 4096, 4100, 32639, 32640, 32641, 32766, 32767};
  for (std::int32_t x = -32768 + 37; x < 32768; x += 1531) v.push_back(x);
  return v;
}

}  // namespace

Json table_int16_family() {
  FileBuilder file("table_int16", "Q13",
                   {"TOSA TABLE, int16 input (Q13.3): out = T[i]*128 + (T[i+1] - T[i]) * (v & 0x7F), "
                    "i = (v + 32768) >> 7, int32 output; a slope outside int16 (TOSA REQUIRE) gives "
                    "the formula's value (SPEC CHOICE). Construction: T[j] = clamp(R(f(x_j)/So) + Zo, "
                    "-32768, 32767), x_j = (128 j - 32768 - Zi) Si exactly, R half away.",
                    "TableInt16Test operands: table (513 int16), input (int16 values); output outputs. "
                    "TableInt16BuildTest operands: function, alpha, input_scale, input_zero_point, "
                    "output_scale, output_zero_point; output table."});
  using F = ref::NonlinearFunction;
  auto& apply = file.group("TableInt16Test", Json::object(), Json::object());
  struct Apply {
    std::string comment;
    std::vector<std::string> flags;
    ref::TosaTableInt16 table;
  };
  std::vector<Apply> applies;
  {
    ref::TosaTableInt16 identity{};
    for (std::size_t j = 0; j < identity.size(); ++j) {
      identity[j] = static_cast<std::int16_t>(std::min<std::int64_t>(128 * static_cast<std::int64_t>(j) - 32768, 32767));
    }
    applies.push_back({"identity table (Example Q13.E3): T[512] = 32768 is clipped to 32767, so v = 32767 "
                       "gives 4194049, not 128 * 32767",
                       {"table_end_saturation"}, identity});
    ref::TosaTableInt16 alternating{};
    for (std::size_t j = 0; j < alternating.size(); ++j) alternating[j] = j % 2 ? 32767 : -32768;
    applies.push_back({"alternating -32768, 32767: every slope is +-65535, outside int16 (TOSA REQUIRE)",
                       {"slope_beyond_int16"}, alternating});
    ref::TosaTableParams p;
    p.input_scale = 0x1p-12f;
    p.output_scale = 0x1p-15f;
    applies.push_back({"tanh table, Si = 2^-12, So = 2^-15 (Example Q13.E3: v = 4100 gives 3196048)", {},
                       ref::build_tosa_table_int16(F::tanh, p)});
    Rng rng(0x13300000);
    for (int i = 0; i < 4; ++i) {
      ref::TosaTableInt16 t{};
      for (auto& e : t) e = static_cast<std::int16_t>(rng.uniform(-16384, 16383));
      applies.push_back({"random table #" + std::to_string(i), {"random"}, t});
    }
  }
  Json inputs = Json::array();
  for (auto v : probe_inputs()) inputs.push_back(v);
  for (const auto& a : applies) {
    apply.add_computed(a.comment, a.flags, Json{{"table", to_json(a.table)}, {"input", inputs}}, [&]() {
      Json outputs = Json::array();
      for (auto v : probe_inputs()) outputs.push_back(ref::tosa_table_int16(a.table, static_cast<std::int16_t>(v)));
      return Json{{"outputs", outputs}};
    });
  }

  auto& build = file.group("TableInt16BuildTest", Json::object(), Json::object());
  struct Build {
    std::string comment;
    std::vector<std::string> flags;
    F function;
    float alpha;
    float si;
    std::int32_t zi;
    float so;
    std::int32_t zo;
  };
  const std::vector<Build> builds = {
      {"tanh, Si = 2^-12, So = 2^-15 (Example Q13.E3)", {}, F::tanh, 1.0f, 0x1p-12f, 0, 0x1p-15f, 0},
      {"tanh, Si = 2^-10: the knots beyond x = 5.9 round to 32768 and clip to 32767",
       {"table_end_saturation"}, F::tanh, 1.0f, 0x1p-10f, 0, 0x1p-15f, 0},
      {"logistic, So = 2^-16, Zo = -32768: logistic(0) = 1/2 gives 32768 - 32768 = 0 exactly",
       {"exact_tie_in_f", "zero_point_at_qmin"}, F::logistic, 1.0f, 0x1p-11f, 0, 0x1p-16f, -32768},
      {"leaky_relu alpha = 0 (ReLU), Zi at qmax: every knot below the zero point",
       {"alpha_zero", "zero_point_at_qmax"}, F::leaky_relu, 0.0f, 0x1p-8f, 32767, 0x1p-8f, 0},
      {"exp on [-8, 0): the TOSA softmax table", {}, F::exp, 1.0f, 0x1p-12f, 32767, 0x1p-15f, -32768},
      {"output scale 0 is rejected", {}, F::tanh, 1.0f, 0x1p-12f, 0, 0.0f, 0},
      {"output zero point outside int16 is rejected", {}, F::tanh, 1.0f, 0x1p-12f, 0, 0x1p-15f, 40000},
  };
  for (const auto& b : builds) {
    Json in = {{"function", ref::name(b.function)}, {"alpha", encode(b.alpha)},
               {"input_scale", encode(b.si)},       {"input_zero_point", b.zi},
               {"output_scale", encode(b.so)},      {"output_zero_point", b.zo}};
    build.add_computed(b.comment, b.flags, in, [&]() {
      ref::TosaTableParams p;
      p.input_scale = b.si;
      p.input_zero_point = b.zi;
      p.output_scale = b.so;
      p.output_zero_point = b.zo;
      p.alpha = b.alpha;
      return Json{{"table", to_json(ref::build_tosa_table_int16(b.function, p))}};
    });
  }
  return file.finish();
}

}  // namespace quantspec::vectors::detail
