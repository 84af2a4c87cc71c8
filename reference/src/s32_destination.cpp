// Q20.7: the s32 destination of an int32 accumulator, stored as an integer or through binary32.
#include "quantspec/reference/s32_destination.hpp"

#include <string>

#include "quantspec/reference/accumulate.hpp"
#include "quantspec/reference/errors.hpp"

namespace quantspec::ref {

std::string_view name(S32Destination destination) {
  switch (destination) {
    case S32Destination::int32: return "int32";
    case S32Destination::via_binary32: return "via_binary32";
  }
  return "?";
}

const std::vector<S32Destination>& all_s32_destinations() {
  static const std::vector<S32Destination> all = {S32Destination::int32, S32Destination::via_binary32};
  return all;
}

S32Destination parse_s32_destination(std::string_view text, std::string_view parameter) {
  for (S32Destination d : all_s32_destinations()) {
    if (name(d) == text) return d;
  }
  throw ParameterError(std::string(parameter), "int32 or via_binary32", std::string(text));
}

std::int32_t store_s32(std::int32_t acc, const Integer& bias, S32Destination destination) {
  if (!fits_int32(bias)) {
    throw ParameterError("bias", "an int32 (an s32 bias)", to_string(Rational(bias)));
  }
  if (destination == S32Destination::int32) return wrap_int32(Integer(acc) + bias);
  // vcvtdq2ps of the accumulator and of the bias (round to nearest even), vaddps (one more
  // rounding of the exact sum of two binary32 values).
  const Rational sum = exact(round_to_binary32(Rational(Integer(acc)))) + exact(round_to_binary32(Rational(bias)));
  const Rational t = exact(round_to_binary32(sum));
  // vminps against 2147483520.f; no lower clamp: vcvtps2dq returns 0x80000000 (INT32_MIN) for
  // a value below -2^31, which is also the saturated value. t is an integer: the binary32
  // nearest to an integer is an integer, so vcvtps2dq's rounding does not act.
  if (t > Rational(kBinary32BelowTwoTo31)) return kBinary32BelowTwoTo31;
  if (t < Rational(INT32_MIN)) return INT32_MIN;
  return boost::multiprecision::numerator(t).convert_to<std::int32_t>();
}

std::int32_t accumulate_to_s32(const QuantizedOperand& x, const QuantizedOperand& w, const Integer& bias,
                               AccumulationMember member, S32Destination destination) {
  if (destination == S32Destination::int32) return accumulate_with_member(x, w, bias, member);
  if (!fits_int32(bias)) {
    throw ParameterError("bias", "an int32 (an s32 bias)", to_string(Rational(bias)));
  }
  return store_s32(accumulate_with_member(x, w, Integer(0), member), bias, destination);
}

}  // namespace quantspec::ref
