// Q5 accumulation vectors: acc = sum_k (x_k - Zx)(w_k - Zw) + b, kept modulo 2^32 as an int32
// pipeline does; details.exact is the exact sum and the overflow flags.
#include "builder.hpp"
#include "quantspec/reference/accumulate.hpp"

namespace quantspec::vectors::detail {
namespace {

using ref::DType;

struct Case {
  std::string comment;
  std::vector<std::string> flags;
  std::vector<std::int64_t> x;
  std::int64_t zx;
  std::vector<std::int64_t> w;
  std::int64_t zw;
  ref::Integer bias;
};

Json int_array(const std::vector<std::int64_t>& v) {
  Json a = Json::array();
  for (auto e : v) a.push_back(e);
  return a;
}

}  // namespace

Json accumulate_family() {
  FileBuilder file("accumulate", "Q5",
                   {"acc = wrap32(sum_k (x_k - Zx)(w_k - Zw) + bias): exact, then reduced modulo "
                    "2^32 to int32 (two's complement), which is what an int32 accumulator holds.",
                    "Operands: params (x_dtype, w_dtype) and inputs (x, w, x_zero_point, "
                    "w_zero_point, bias); output acc. details: exact sum, final_overflow, "
                    "partial_overflow."});
  struct Pair {
    DType x;
    DType w;
    std::vector<Case> cases;
  };
  const std::int64_t k_wrap = 33100;  // 33100 * 255 * 255 > 2^31
  std::vector<Pair> pairs = {
      {DType::int8, DType::int8,
       {{"small dot product", {}, {1, -2, 3}, 0, {4, 5, -6}, 0, 0},
        {"zero points and bias", {}, {10, 20, 30}, -5, {-1, 0, 1}, 3, 100},
        {"K = 33100 with (x - Zx) = (w - Zw) = 255: exact 2152372500 wraps",
         {"accumulator_wrap", "large_depth"}, std::vector<std::int64_t>(k_wrap, 127), -128,
         std::vector<std::int64_t>(k_wrap, 127), -128, 0},
        {"partial sums leave int32, the final sum is back inside",
         {"partial_sum_overflow"}, {127, 127, 127}, -128, {127, 127, -128}, 0,
         ref::Integer(2147483647) - 1000},
        {"bias = INT32_MIN plus a negative product wraps", {"accumulator_wrap"}, {-128}, 127,
         {127}, -128, ref::Integer(-2147483647) - 1},
        {"x out of the int8 grid is rejected", {}, {128}, 0, {1}, 0, 0},
        {"length mismatch is rejected", {}, {1, 2}, 0, {1}, 0, 0},
        {"w zero point outside the grid is rejected", {}, {1}, 0, {1}, 200, 0}}},
      {DType::uint8, DType::int8,
       {{"u8*s8 pairs 255*127 + 255*127 = 64770 > 32767: no int16 saturation in the exact sum",
         {"int16_pair_saturation"}, {255, 255, 255, 255}, 0, {127, 127, 127, 127}, 0, 0},
        {"u8*s8 pairs 255*(-128) * 2 = -65280 < -32768", {"int16_pair_saturation"},
         {255, 255}, 0, {-128, -128}, 0, 0},
        {"uint8 Z = 128 vs int8 Z = 0 operands", {"uint8_zero_point_128"}, {128, 0, 255}, 128,
         {1, 2, 3}, 0, 0}}},
      {DType::int16, DType::int16,
       {{"int16 operands: one product 65535^2 already leaves int32", {"accumulator_wrap"},
         {32767}, -32768, {32767}, -32768, 0}}},
      {DType::int4, DType::uint4, {{"int4 x uint4", {}, {-8, 7, 3}, 0, {15, 0, 7}, 8, -5}}},
  };
  std::uint64_t seed = 0x51350000;
  for (auto& pair : pairs) {
    Rng rng(seed++);
    const auto xr = ref::dtype_range(pair.x);
    const auto wr = ref::dtype_range(pair.w);
    for (int i = 0; i < 8; ++i) {
      const auto k = rng.uniform(1, 64);
      Case c{"random #" + std::to_string(i), {"random"}, {}, rng.uniform(xr.min, xr.max), {},
             rng.uniform(wr.min, wr.max), ref::Integer(rng.uniform(-(1LL << 20), 1LL << 20))};
      for (std::int64_t j = 0; j < k; ++j) {
        c.x.push_back(rng.uniform(xr.min, xr.max));
        c.w.push_back(rng.uniform(wr.min, wr.max));
      }
      pair.cases.push_back(c);
    }
    auto& group = file.group("AccumulateTest", Json::object(),
                             Json{{"x_dtype", ref::name(pair.x)}, {"w_dtype", ref::name(pair.w)}});
    for (const auto& c : pair.cases) {
      const ref::QuantizedOperand x{pair.x, c.zx, c.x};
      const ref::QuantizedOperand w{pair.w, c.zw, c.w};
      Json details = nullptr;
      try {
        const auto a = ref::accumulate(x, w, c.bias);
        details = Json{{"exact", encode(a.exact)},
                       {"final_overflow", a.final_overflow},
                       {"partial_overflow", a.partial_overflow}};
      } catch (const ref::ParameterError&) {
      }
      group.add_computed(c.comment, c.flags,
                         Json{{"x", int_array(c.x)}, {"w", int_array(c.w)},
                              {"x_zero_point", c.zx}, {"w_zero_point", c.zw},
                              {"bias", encode(c.bias)}},
                         [&]() { return Json{{"acc", ref::accumulate(x, w, c.bias).wrapped}}; },
                         details);
    }
  }
  return file.finish();
}

}  // namespace quantspec::vectors::detail
