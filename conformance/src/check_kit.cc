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

std::vector<std::size_t> block_dimensions() {
  return {0, 1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 47, 48, 49, 63, 64, 65, 100, 257};
}

std::vector<std::size_t> deep_depths() { return {4095, 4096, 4097, 4099, 8191, 8193}; }

std::vector<std::size_t> channel_counts() { return {1, 2, 3, 5, 16, 17, 64, 65, 65537}; }

std::size_t per_channel_length(std::size_t channels) {
  return channels <= 65 ? channels * 3 + 1 : channels + 7;
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
