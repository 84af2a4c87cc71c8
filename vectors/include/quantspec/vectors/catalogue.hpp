// The edge-case catalogue of DESIGN.md and the flags of the golden vectors. Every catalogue
// item names the flag that marks its tests; every flag has the explanation written into the
// `notes` of each file that uses it. A test holds the two together (every item has a flag that
// some test carries; every flag in a file's notes is used there).
#pragma once

#include <string>
#include <vector>

namespace quantspec::vectors {

struct FlagInfo {
  std::string flag;
  std::string description;
};

struct CatalogueItem {
  std::string category;  // Rounding, Clipping, Zero point, Overflow
  std::string item;      // the catalogue's wording
  std::string flag;
};

// Every flag the generator may use, with its explanation (sorted by flag).
const std::vector<FlagInfo>& all_flags();
// The explanation of `flag`; throws std::logic_error for a flag that is not registered.
const std::string& flag_description(const std::string& flag);

// DESIGN.md "Edge-case catalogue", one entry per item.
const std::vector<CatalogueItem>& edge_case_catalogue();

}  // namespace quantspec::vectors
