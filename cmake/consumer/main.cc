// Rounds 1 + 2^-24 (a tie) to binary32 through the installed reference: ties to even gives 1.
#include <cstdio>

#include "quantspec/reference/numbers.hpp"

int main() {
  using namespace quantspec::ref;
  float rounded = round_to_binary32(Rational(1) + pow2(-24));
  std::printf("%s\n", hex_float(rounded).c_str());
  return rounded == 1.0f ? 0 : 1;
}
