// Reading and validating golden-vector files (schema: vectors/schema/vectors.schema.json).
// Every fault is reported as FormatError(file, tcId, problem); nothing here may crash on a
// malformed file.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "quantspec/vectors/fields.hpp"
#include "quantspec/vectors/format.hpp"
#include "quantspec/vectors/untrusted_json.hpp"

namespace quantspec::vectors {
namespace {

std::string describe(const std::string& file, const std::optional<std::int64_t>& tc_id,
                     const std::string& problem) {
  return file + (tc_id ? ": tcId " + std::to_string(*tc_id) : std::string()) + ": " + problem;
}

class Validator {
 public:
  explicit Validator(std::string path) : path_(std::move(path)) {}

  [[noreturn]] void fail(const std::string& problem,
                         std::optional<std::int64_t> tc_id = std::nullopt) const {
    throw FormatError(path_, tc_id, problem);
  }

  const Json& member(const Json& object, const char* key, const std::string& where,
                     std::optional<std::int64_t> tc_id = std::nullopt) const {
    auto it = object.find(key);
    if (it == object.end()) fail(where + ": missing \"" + key + "\"", tc_id);
    return *it;
  }

  std::string string_member(const Json& object, const char* key, const std::string& where,
                            std::optional<std::int64_t> tc_id = std::nullopt) const {
    const Json& value = member(object, key, where, tc_id);
    if (!value.is_string()) fail(where + ": \"" + key + "\" must be a string", tc_id);
    return value.get<std::string>();
  }

  // Every member of `fields` must be a defined field of the algorithm, valid for its kind.
  void fields(const std::string& algorithm, const Json& fields, const std::string& where,
              std::optional<std::int64_t> tc_id = std::nullopt) const {
    if (!fields.is_object()) fail(where + " must be an object", tc_id);
    for (auto it = fields.begin(); it != fields.end(); ++it) {
      const auto kind = field_kind(algorithm, it.key());
      if (!kind) fail(where + ": unknown field \"" + it.key() + "\" for " + algorithm, tc_id);
      const std::string problem = validate_value(*kind, it.key(), it.value());
      if (!problem.empty()) fail(where + "." + it.key() + ": " + problem, tc_id);
    }
  }

 private:
  std::string path_;
};

}  // namespace

FormatError::FormatError(std::string file, std::optional<std::int64_t> tc_id, std::string problem)
    : std::runtime_error(describe(file, tc_id, problem)),
      file_(std::move(file)),
      tc_id_(tc_id),
      problem_(std::move(problem)) {}

bool VectorTest::has_flag(const std::string& flag) const {
  return std::find(flags.begin(), flags.end(), flag) != flags.end();
}

std::string TestGroup::variant_label() const {
  std::string label;
  for (auto it = variant.begin(); it != variant.end(); ++it) {
    if (!label.empty()) label += ", ";
    label += it.key() + "=" + (it.value().is_string() ? it.value().get<std::string>() : it.value().dump());
  }
  return label.empty() ? "(none)" : label;
}

Json TestGroup::operands(const VectorTest& test) const {
  Json merged = params;
  for (auto it = test.inputs.begin(); it != test.inputs.end(); ++it) merged[it.key()] = it.value();
  return merged;
}

const VectorTest* VectorFile::find(std::int64_t tc_id, const TestGroup** group) const {
  for (const auto& g : groups) {
    for (const auto& t : g.tests) {
      if (t.tc_id == tc_id) {
        if (group) *group = &g;
        return &t;
      }
    }
  }
  return nullptr;
}

VectorFile parse_vector_file(const Json& document, const std::string& path) {
  Validator v(path);
  if (!document.is_object()) v.fail("the document must be a JSON object");
  VectorFile file;
  file.path = path;
  file.algorithm = v.string_member(document, "algorithm", "top level");
  const Json& version = v.member(document, "schemaVersion", "top level");
  if (!version.is_number_integer() || version.get<std::int64_t>() != kSchemaVersion) {
    v.fail("schemaVersion " + version.dump() + " is not supported (this reader reads " +
           std::to_string(kSchemaVersion) + ")");
  }
  if (document.contains("specSection")) {
    file.spec_section = v.string_member(document, "specSection", "top level");
  }
  const Json& count = v.member(document, "numberOfTests", "top level");
  if (!count.is_number_integer() || count.get<std::int64_t>() < 0) {
    v.fail("numberOfTests must be a non-negative integer");
  }
  file.number_of_tests = count.get<std::int64_t>();

  const Json& notes = v.member(document, "notes", "top level");
  if (!notes.is_object()) v.fail("notes must be an object (flag -> explanation)");
  std::set<std::string> known_flags;
  for (auto it = notes.begin(); it != notes.end(); ++it) {
    if (!it.value().is_string()) v.fail("notes." + it.key() + " must be a string");
    file.notes.emplace_back(it.key(), it.value().get<std::string>());
    known_flags.insert(it.key());
  }

  const Json& groups = v.member(document, "testGroups", "top level");
  if (!groups.is_array()) v.fail("testGroups must be an array");
  std::set<std::int64_t> seen;
  std::int64_t total = 0;
  for (std::size_t g = 0; g < groups.size(); ++g) {
    const Json& jg = groups[g];
    const std::string where = "testGroups[" + std::to_string(g) + "]";
    if (!jg.is_object()) v.fail(where + " must be an object");
    TestGroup group;
    group.type = v.string_member(jg, "type", where);
    if (jg.contains("variant")) {
      group.variant = jg["variant"];
      if (!group.variant.is_object()) v.fail(where + ".variant must be an object");
      for (auto it = group.variant.begin(); it != group.variant.end(); ++it) {
        if (!it.value().is_string()) v.fail(where + ".variant." + it.key() + " must be a string");
        const std::string problem = validate_value(FieldKind::name, it.key(), it.value());
        if (!problem.empty()) v.fail(where + ".variant." + it.key() + ": " + problem);
      }
    }
    if (jg.contains("params")) {
      group.params = jg["params"];
      v.fields(file.algorithm, group.params, where + ".params");
    }
    const Json& tests = v.member(jg, "tests", where);
    if (!tests.is_array()) v.fail(where + ".tests must be an array");
    for (std::size_t t = 0; t < tests.size(); ++t) {
      const Json& jt = tests[t];
      const std::string twhere = where + ".tests[" + std::to_string(t) + "]";
      if (!jt.is_object()) v.fail(twhere + " must be an object");
      auto id = jt.find("tcId");
      if (id == jt.end()) v.fail(twhere + ": missing \"tcId\"");
      if (!id->is_number_integer() || id->get<std::int64_t>() <= 0) {
        v.fail(twhere + ": tcId must be a positive integer, got " + id->dump());
      }
      VectorTest test;
      test.tc_id = id->get<std::int64_t>();
      const auto tc = std::optional<std::int64_t>(test.tc_id);
      if (!seen.insert(test.tc_id).second) v.fail("duplicate tcId", tc);
      if (jt.contains("comment")) {
        if (!jt["comment"].is_string()) v.fail("comment must be a string", tc);
        test.comment = jt["comment"].get<std::string>();
      }
      const Json& flags = v.member(jt, "flags", "test", tc);
      if (!flags.is_array()) v.fail("flags must be an array of strings", tc);
      for (const auto& flag : flags) {
        if (!flag.is_string()) v.fail("flags must be an array of strings", tc);
        if (!known_flags.count(flag.get<std::string>())) {
          v.fail("flag \"" + flag.get<std::string>() + "\" is not explained in notes", tc);
        }
        test.flags.push_back(flag.get<std::string>());
      }
      test.inputs = jt.contains("inputs") ? jt["inputs"] : Json::object();
      v.fields(file.algorithm, test.inputs, "inputs", tc);
      for (auto it = test.inputs.begin(); it != test.inputs.end(); ++it) {
        if (group.params.contains(it.key())) {
          v.fail("inputs." + it.key() + " repeats a field of the group's params", tc);
        }
      }
      const std::string result = v.string_member(jt, "result", "test", tc);
      if (result == "valid") {
        test.result = Expectation::valid;
      } else if (result == "invalid") {
        test.result = Expectation::invalid;
      } else {
        v.fail("result must be \"valid\" or \"invalid\", got \"" + result + "\"", tc);
      }
      test.expected = v.member(jt, "expected", "test", tc);
      v.fields(file.algorithm, test.expected, "expected", tc);
      if ((test.result == Expectation::invalid) != test.expected.contains("error")) {
        v.fail(test.result == Expectation::invalid
                   ? "an invalid test's expected output must name the rejected parameter (\"error\")"
                   : "a valid test's expected output must not hold \"error\"",
               tc);
      }
      if (test.expected.empty()) v.fail("expected must hold at least one field", tc);
      if (jt.contains("details")) test.details = jt["details"];
      group.tests.push_back(std::move(test));
      ++total;
    }
    file.groups.push_back(std::move(group));
  }
  if (total != file.number_of_tests) {
    v.fail("numberOfTests is " + std::to_string(file.number_of_tests) + " but the file holds " +
           std::to_string(total) + " tests");
  }
  return file;
}

Json read_json_file(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    throw FormatError(path, std::nullopt, "is a directory, not a JSON file");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) throw FormatError(path, std::nullopt, "cannot open the file");
  std::stringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) throw FormatError(path, std::nullopt, "cannot read the file");
  // Untrusted text: bounded depth, no duplicate keys, numbers within binary64, linear time
  // (untrusted_json.hpp).
  try {
    return parse_untrusted_json<Json>(buffer.str());
  } catch (const UntrustedJsonError& e) {
    throw FormatError(path, std::nullopt, std::string("bad JSON: ") + e.what());
  }
}

VectorFile read_vector_file(const std::string& path) {
  return parse_vector_file(read_json_file(path), path);
}

std::vector<VectorFile> read_vectors(const std::string& file_or_directory) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_directory(file_or_directory, ec)) return {read_vector_file(file_or_directory)};
  std::vector<std::string> paths;
  for (const auto& entry : fs::directory_iterator(file_or_directory, ec)) {
    if (entry.is_regular_file() && entry.path().extension() == ".json") {
      paths.push_back(entry.path().string());
    }
  }
  if (ec) throw FormatError(file_or_directory, std::nullopt, "cannot list: " + ec.message());
  std::sort(paths.begin(), paths.end());
  if (paths.empty()) throw FormatError(file_or_directory, std::nullopt, "no *.json vector files");
  std::vector<VectorFile> files;
  for (const auto& p : paths) files.push_back(read_vector_file(p));
  return files;
}

}  // namespace quantspec::vectors
