// The run-time quantization fields of dynamic_quantize and dynamic_linear calls (kernel_abi.h
// qs_dynamic_quantize_params), shared by their variant suites and the golden-vector cases so
// that every call reads and leaves unread the same fields. Internal to the suite.
#pragma once

#include <cstdint>
#include <string>

#include "quantspec/kernel_abi.h"
#include "unread_fields.hpp"

namespace quantspec::conformance {

// The element type a dynamic variant quantizes to: S8 for SYMMETRIC_S8, U8 for the others.
inline std::uint32_t dynamic_output_type(std::uint32_t variant) {
  return variant == QS_DYN_SYMMETRIC_S8 ? QS_S8 : QS_U8;
}

inline std::string dynamic_variant_name(std::uint32_t variant) {
  return variant == QS_DYN_SYMMETRIC_S8 ? "symmetric_s8" : variant == QS_DYN_PYTORCH_U8 ? "pytorch_u8" : "onnx_u8";
}

// The fields a call passes: those its variant reads from the case (kernel_abi.h "Reads":
// reduce_range for PYTORCH_U8, scale_floor for SYMMETRIC_S8) and the other variant's field as
// this call's noise.
inline qs_dynamic_quantize_params dynamic_quant_fields(std::uint32_t variant, bool per_row, bool reduce_range,
                                                       float scale_floor, Noise unread) {
  qs_dynamic_quantize_params p{};
  p.variant = variant;
  p.output_type = dynamic_output_type(variant);
  p.per_row = per_row ? 1u : 0u;
  p.reduce_range = variant == QS_DYN_PYTORCH_U8 ? (reduce_range ? 1u : 0u)
                                                : static_cast<std::uint32_t>(unread_count(unread));
  p.scale_floor = variant == QS_DYN_SYMMETRIC_S8 ? scale_floor : unread_scale(unread, 1e-3f);
  return p;
}

}  // namespace quantspec::conformance
