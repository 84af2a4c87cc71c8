#include "check_kit.hpp"

#include <algorithm>

namespace quantspec::conformance::kit {

std::vector<std::size_t> interesting_lengths() {
  std::vector<std::size_t> lengths;
  for (std::size_t n = 0; n <= 34; ++n) lengths.push_back(n);
  for (std::size_t lanes : {16u, 32u, 64u}) {
    for (std::size_t multiple : {2u, 3u, 4u, 8u}) {
      const std::size_t center = lanes * multiple;
      for (std::size_t n = center - 1; n <= center + 2; ++n) lengths.push_back(n);
    }
  }
  lengths.push_back(kLargeLength);
  std::sort(lengths.begin(), lengths.end());
  lengths.erase(std::unique(lengths.begin(), lengths.end()), lengths.end());
  return lengths;
}

rc::Gen<std::size_t> gen_length(std::size_t max) {
  using rc::gen::inRange;
  const std::vector<std::size_t> all = interesting_lengths();
  std::vector<std::size_t> boundary;
  for (std::size_t n : all) {
    if (n <= max) boundary.push_back(n);
  }
  return rc::gen::weightedOneOf<std::size_t>({
      {4, inRange<std::size_t>(0, std::min<std::size_t>(max, 17) + 1)},
      {3, rc::gen::elementOf(boundary)},
      {2, inRange<std::size_t>(0, max + 1)},
  });
}

rc::Gen<std::size_t> gen_offset() {
  return rc::gen::weightedOneOf<std::size_t>({
      {6, rc::gen::inRange<std::size_t>(0, 4)},
      {1, rc::gen::inRange<std::size_t>(0, 64)},
  });
}

}  // namespace quantspec::conformance::kit
