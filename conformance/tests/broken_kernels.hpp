// Deliberately broken kernel tables: each is the scalar example table with exactly one
// operation replaced by a version carrying one realistic bug, written from the spec. The
// suite must report each one with a failing case (suite_catches_broken_kernels_test.cc).
#pragma once

#include "quantspec/kernel_abi.h"

extern "C" const qs_kernel_table* qs_scalar_example_table(void);

namespace quantspec::conformance::broken {

// quantize: rounds ties away from zero where half_even was asked for.
const qs_kernel_table& half_away_for_half_even();
// quantize: converts t to int32 before clamping (cvttps2dq/cvtps2dq: INT32_MIN when out of range).
const qs_kernel_table& convert_before_clamp();
// gemm (u8*s8): adds product pairs in saturating int16 (vpmaddubsw) before widening.
const qs_kernel_table& int16_pair_saturation();
// requantize double_round: SRDHM without the INT32_MIN * INT32_MIN saturation.
const qs_kernel_table& srdhm_without_saturation();
// requantize (s8 output): adds Zy in int8 (wrapping) before the clamp.
const qs_kernel_table& int8_zero_point_wrap();
// lut: skips the last element of a partial SIMD block.
const qs_kernel_table& tail_skips_last_element();
// dequantize: stores a whole 8-lane block for the tail (writes past the end).
const qs_kernel_table& tail_writes_past_end();
// requantize: loads a whole 4-lane block for the tail (reads past the end of the input).
const qs_kernel_table& tail_reads_past_end();
// requantize ideal: M rounded to binary64 first, then R(fl64(acc * M)) (not exact).
const qs_kernel_table& ideal_requantize_in_binary64();
// requantize_per_channel: restarts the channel counter at every 16-element block.
const qs_kernel_table& per_channel_index_mixup();
// quantize_per_channel: a one-channel call goes to the per-tensor kernel (reads p->scale).
const qs_kernel_table& per_tensor_scale_in_per_channel_call();
// requantize: rejects a NaN `scale` even in fixed-point variants, which do not read it.
const qs_kernel_table& validates_unread_scale();
// requantize_per_channel: loads element 0 of every per-channel array, whatever the variant.
const qs_kernel_table& reads_every_per_channel_array();
// gemm: rows past 32 computed from A row r % 32.
const qs_kernel_table& gemm_rows_past_32_wrong();
// gemm: K blocked by 4096, the tail after the last full block dropped.
const qs_kernel_table& gemm_k_tail_past_4096_dropped();
// requantize_per_channel: the channel index kept in 16 bits.
const qs_kernel_table& channel_index_in_16_bits();
// lut: dereferences NULL for inputs longer than 100 elements (for the crash isolation test).
const qs_kernel_table& crashes_on_long_inputs();

// requantize, requantize_per_channel (SPEC Q11 members, broken_kernels_deployed_members.cc):
// neon_double_round run as double_round; int16x8_int64 run as single_round (31-bit multiplier);
// rndnu16 run as rndnu.
const qs_kernel_table& neon_double_round_as_gemmlowp();
const qs_kernel_table& int16x8_with_the_full_multiplier();
const qs_kernel_table& rndnu16_as_rndnu();
// requantize, requantize_per_channel: double_round computed with the left shift wrapping, and
// double_round_wrap computed saturating it (Q7.2's two left-shift overflow members swapped).
const qs_kernel_table& double_round_with_a_wrapping_left_shift();
const qs_kernel_table& double_round_wrap_that_saturates();
// requantize, requantize_per_channel, linear: QS_BAD_PARAMETERS for variants 9..11 (a kernel
// built before they were appended to the enum); and one that does so for u8 outputs only.
const qs_kernel_table& predates_the_deployed_selectors();
const qs_kernel_table& rejects_a_deployed_selector_for_u8_only();

// gemm_packed: uses the call's w_zero_point instead of the one given to pack_weights.
const qs_kernel_table& packed_uses_call_time_zero_point();
// gemm_packed: sums only the first 4096 k (forgets the last K block).
const qs_kernel_table& packed_drops_k_beyond_4096();
// pack_weights: reads bias[n] (copies n + 1 entries); gemm_packed right.
const qs_kernel_table& packed_reads_bias_past_the_last();

// Reads just outside a buffer, the output still right (broken_kernels_fences.cc):
// quantize_per_channel reads scales[-1]; gemm reads bias[n]; lut reads table[256]; dequantize
// reads input[-1].
const qs_kernel_table& reads_scale_before_the_first();
const qs_kernel_table& reads_bias_past_the_last();
const qs_kernel_table& reads_lut_entry_256();
const qs_kernel_table& reads_input_before_the_first();
// dequantize: writes out[n + 4096] (far past the output, beyond any guard byte).
const qs_kernel_table& writes_far_past_the_output();
// dequantize_per_channel: reads scales[channels] only on the path that rejects a call.
const qs_kernel_table& reads_past_the_scales_while_rejecting();

// lut_int16: the interpolation fraction taken as in % 128 (negative for negative inputs).
const qs_kernel_table& lut_int16_signed_fraction();

}  // namespace quantspec::conformance::broken
