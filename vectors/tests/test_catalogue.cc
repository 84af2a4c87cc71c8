// Every catalogue item has a flag that some checked-in test carries; every flag in a file's
// notes is used in that file; the checked-in files read back cleanly and stay under 20 MB.
#include <gtest/gtest.h>

#include <filesystem>
#include <set>

#include "quantspec/vectors/catalogue.hpp"
#include "quantspec/vectors/format.hpp"
#include "quantspec/vectors/generate.hpp"

namespace quantspec::vectors {
namespace {

const std::vector<VectorFile>& checked_in() {
  static const std::vector<VectorFile> files = read_vectors(QUANTSPEC_VECTORS_DIR);
  return files;
}

TEST(Catalogue, EveryItemHasARegisteredFlagUsedByATest) {
  std::set<std::string> used;
  for (const auto& f : checked_in())
    for (const auto& g : f.groups)
      for (const auto& t : g.tests) used.insert(t.flags.begin(), t.flags.end());
  for (const auto& item : edge_case_catalogue()) {
    EXPECT_NO_THROW(flag_description(item.flag)) << item.item;
    EXPECT_TRUE(used.count(item.flag)) << "no test carries the flag " << item.flag << " of \""
                                       << item.item << "\"";
  }
}

TEST(Catalogue, EveryNoteIsUsedInItsFile) {
  for (const auto& f : checked_in()) {
    std::set<std::string> used;
    for (const auto& g : f.groups)
      for (const auto& t : g.tests) used.insert(t.flags.begin(), t.flags.end());
    for (const auto& [flag, text] : f.notes) {
      EXPECT_TRUE(used.count(flag)) << f.path << ": note " << flag << " is not used";
      EXPECT_FALSE(text.empty());
    }
  }
}

TEST(Vectors, OneFilePerFamilyEachNonEmpty) {
  std::set<std::string> algorithms;
  for (const auto& f : checked_in()) {
    algorithms.insert(f.algorithm);
    EXPECT_GT(f.number_of_tests, 0) << f.path;
  }
  for (const auto& family : family_names()) EXPECT_TRUE(algorithms.count(family)) << family;
}

TEST(Vectors, CheckedInFilesStayUnder20MB) {
  std::uintmax_t total = 0;
  for (const auto& entry : std::filesystem::directory_iterator(QUANTSPEC_VECTORS_DIR)) {
    if (entry.path().extension() == ".json") total += entry.file_size();
  }
  EXPECT_LT(total, 20u * 1024 * 1024);
}

TEST(Vectors, EveryVariantGroupOfAFamilyHoldsTheSameInputs) {
  // identify relies on it: the groups of one type with the same params differ only in variant.
  for (const auto& f : checked_in()) {
    std::map<std::string, const TestGroup*> first;
    for (const auto& g : f.groups) {
      const std::string key = g.type + g.params.dump();
      auto [it, inserted] = first.emplace(key, &g);
      if (inserted) continue;
      ASSERT_EQ(it->second->tests.size(), g.tests.size()) << f.path << " " << key;
      for (std::size_t i = 0; i < g.tests.size(); ++i) {
        EXPECT_EQ(it->second->tests[i].inputs, g.tests[i].inputs) << f.path << " tcId " << g.tests[i].tc_id;
      }
    }
  }
}

}  // namespace
}  // namespace quantspec::vectors
