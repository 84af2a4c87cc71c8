// Q10: edge policies of quantize, the named dimension for NaN, +-inf and quotients beyond the
// integer conversion's range. The conforming default (`spec`) is Q2.4; the other members
// model what a float-to-int conversion does on x86 when a pipeline relies on it.
#pragma once

#include <string_view>
#include <vector>

#include "quantspec/reference/numbers.hpp"
#include "quantspec/reference/quantize.hpp"

namespace quantspec::ref {

enum class EdgePolicy {
  spec,                // Q2.4: NaN -> Z, +inf -> qmax, -inf -> qmin, huge t -> clamp
  clamp_then_convert,  // Q10.2: float clamp (maxps with x first), then cvtps2dq: NaN -> qmin
  convert_then_clamp,  // Q10.3: convert to int64 first (x86 gives INT64_MIN for NaN, +-inf and
                       // t >= 2^63), then clamp: all of those -> qmin
  min_then_convert,    // Q10.4: float minps(t, qmax - Z) with t first, cvtps2dq, saturating
                       // narrowing: NaN -> qmax (XNNPACK's f32->qs8/qu8 convert on x86)
  convert32_then_clamp,  // Q10.5: convert R(t) to int32 (x86 gives INT32_MIN for NaN, +-inf and
                         // R(t) outside int32), add Z in wrapping int32, clamp (TFLite's
                         // reference QUANTIZE): NaN, +-inf, |R(t)| >= 2^31 -> qmin
};

std::string_view name(EdgePolicy);
EdgePolicy parse_edge_policy(std::string_view text, std::string_view parameter = "edge_policy");
const std::vector<EdgePolicy>& all_edge_policies();

// Q10: quantize(x, params) with the edge cases decided by `policy`; for every other input the
// result equals quantize(). Validates params (Q2.2).
Integer quantize_with_edge_policy(float x, const QuantizeParams& params, EdgePolicy policy);

}  // namespace quantspec::ref
