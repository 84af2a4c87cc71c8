// The golden-vector file format (vectors/README.md, vectors/schema/vectors.schema.json) as
// parsed data, and the reader that validates a file against it. The conformance suite and the
// CLI use the reader; malformed files raise FormatError naming the file, the test and the fault.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace quantspec::vectors {

// Insertion-ordered JSON: the generator writes keys in a fixed, readable order, which is part
// of what makes regeneration byte-identical.
using Json = nlohmann::ordered_json;

inline constexpr int kSchemaVersion = 1;

// A malformed vectors or results file. tc_id is set when the fault is inside one test.
class FormatError : public std::runtime_error {
 public:
  FormatError(std::string file, std::optional<std::int64_t> tc_id, std::string problem);
  const std::string& file() const noexcept { return file_; }
  const std::optional<std::int64_t>& tc_id() const noexcept { return tc_id_; }
  const std::string& problem() const noexcept { return problem_; }

 private:
  std::string file_;
  std::optional<std::int64_t> tc_id_;
  std::string problem_;
};

// `result` of a test: valid = the expected output must be produced; invalid = the parameters
// must be rejected (the expected output names the rejected parameter under "error").
enum class Expectation { valid, invalid };

struct VectorTest {
  std::int64_t tc_id = 0;
  std::string comment;
  std::vector<std::string> flags;
  Json inputs = Json::object();    // per-test operands
  Json expected = Json::object();  // expected output fields, or {"error": parameter}
  Expectation result = Expectation::valid;
  Json details;                    // informational (intermediates), never compared; may be null

  bool has_flag(const std::string& flag) const;
};

struct TestGroup {
  std::string type;                 // e.g. "QuantizeTest"
  Json variant = Json::object();    // variant dimension -> name, e.g. {"division": "exact"}
  Json params = Json::object();     // operands shared by every test of the group
  std::vector<VectorTest> tests;

  // "division=exact, rounding=half_even" (keys in file order); "(none)" without variants.
  std::string variant_label() const;
  // The complete operand set of one test: params and inputs merged (they share no key).
  Json operands(const VectorTest& test) const;
};

struct VectorFile {
  std::string path;
  std::string algorithm;
  int schema_version = kSchemaVersion;
  std::string spec_section;
  std::int64_t number_of_tests = 0;
  std::vector<std::pair<std::string, std::string>> notes;  // flag -> explanation
  std::vector<TestGroup> groups;

  const VectorTest* find(std::int64_t tc_id, const TestGroup** group = nullptr) const;
};

// Parses and validates one document (schema, tcId uniqueness, numberOfTests, every flag in
// notes, every operand of the right kind and range). `path` is used in error messages.
VectorFile parse_vector_file(const Json& document, const std::string& path);
// Reads one file, or every *.json file of a directory in name order.
// Reads and parses a JSON file; a missing file or bad JSON is a FormatError naming the file.
Json read_json_file(const std::string& path);
VectorFile read_vector_file(const std::string& path);
std::vector<VectorFile> read_vectors(const std::string& file_or_directory);

}  // namespace quantspec::vectors
