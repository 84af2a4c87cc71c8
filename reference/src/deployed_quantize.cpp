// Q20.2: quantize with the zero point added before rounding (oneDNN reorder), next to the
// conforming "round first, then add Z" of Q2.3.
#include "quantspec/reference/deployed_quantize.hpp"

#include <cmath>

namespace quantspec::ref {

Integer quantize_with_zero_point_entry(float x, const QuantizeParams& params, ZeroPointEntry entry) {
  if (entry == ZeroPointEntry::after_rounding) return quantize(x, params);  // Q2.3
  params.validate();
  const Integer qmin(params.qmin);
  const Integer qmax(params.qmax);
  const Integer zero_point(params.zero_point);
  // Q2.4 for both members: NaN -> Z, +-inf -> qmax/qmin.
  if (std::isnan(x)) return zero_point;
  if (std::isinf(x)) return x > 0 ? qmax : qmin;
  Rational t;
  switch (quotient(x, params.scale, params.division, &t)) {
    case QuotientKind::nan: return zero_point;  // 0 * fl32(1/S) = 0 * inf (Q2.4)
    case QuotientKind::positive_infinity: return qmax;
    case QuotientKind::negative_infinity: return qmin;
    case QuotientKind::finite: break;
  }
  Rational u;
  if (params.division == Division::exact) {
    u = t + Rational(zero_point);  // Q20.2: exact sum, one rounding R
  } else {
    // Q20.2: the binary32 pipeline adds fl32(Z) to its binary32 t, one more rounding.
    const float sum = round_to_binary32(t + exact(round_to_binary32(Rational(zero_point))));
    if (std::isinf(sum)) return sum > 0 ? qmax : qmin;
    u = exact(sum);
  }
  return clamp(round_to_integer(u, params.rounding), qmin, qmax);
}

}  // namespace quantspec::ref
