// The binary32 epilogue of the dynamic linear layer (SPEC.md Q17.7 step 2 and 4), in the
// spec's order, one IEEE binary32 operation per step (built with -ffp-contract=off, so nothing
// fuses; the entry point runs under round-to-nearest without FTZ/DAZ):
//   D = fl32(Sx_m * Sw[n]);  p = fl32(fl32(acc) * D);  out = fl32(p + bias[n]).
// int32 -> binary32 is vcvtdq2ps (rounds to nearest even, as Q0.1's fl32). The quantize of x
// and the int32 GEMM are dynamic_quantize.cc and gemm.cc, called from table.cc.
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "kernels/dynamic_linear.cc"
#include "hwy/foreach_target.h"  // IWYU pragma: keep

#include "hwy/highway.h"
#include "kernels/ops-inl.h"
#include "kernels/qat_ops-inl.h"

HWY_BEFORE_NAMESPACE();
namespace quantspec::optimized::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

void DynamicLinearEpilogue(const int32_t* acc, size_t acc_stride, size_t m, size_t n,
                           const float* x_scales,
                           bool per_row, const float* weight_scales, const float* bias,
                           float* out, size_t out_stride) {
  const hn::ScalableTag<float> df;
  const hn::RebindToSigned<decltype(df)> di;
  const size_t L = hn::Lanes(df);
  for (size_t r = 0; r < m; ++r) {
    const float sx = x_scales[per_row ? r : 0];
    const auto sxv = hn::Set(df, sx);
    const int32_t* a = acc + r * acc_stride;
    float* o = out + r * out_stride;
    size_t c = 0;
    for (; c + L <= n; c += L) {
      const auto d = hn::Mul(sxv, hn::LoadU(df, weight_scales + c));
      auto v = hn::Mul(hn::ConvertTo(df, hn::LoadU(di, a + c)), d);
      if (bias != nullptr) v = hn::Add(v, hn::LoadU(df, bias + c));
      hn::StoreU(v, df, o + c);
    }
    for (; c < n; ++c) {  // the tail, the same operations on one element
      const float d = sx * weight_scales[c];
      const float p = static_cast<float>(a[c]) * d;
      o[c] = bias != nullptr ? p + bias[c] : p;
    }
  }
}

}  // namespace quantspec::optimized::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();
