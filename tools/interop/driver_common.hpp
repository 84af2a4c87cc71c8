// Shared by the C++ interop drivers (xnnpack_driver.cc, onednn_driver.cc, gemmlowp_driver.cc):
// read the golden vectors (vectors/README.md format), write the backend document that
// run_interop.py judges: {"backend", "version", "operations": [{operation, family, api,
// claimed, source {says, cite}, results {tcId: output}, vector_tail_disagreements}]}.
#pragma once

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <iostream>
#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

namespace interop {

using Json = nlohmann::json;

inline Json load(const std::string& dir, const std::string& family) {
  std::ifstream in(dir + "/" + family + ".json");
  if (!in) throw std::runtime_error("cannot read " + dir + "/" + family + ".json");
  return Json::parse(in);
}

// A binary32 field: a hex-float string ("0x1.8p-3", "inf", "-inf", "nan"), read exactly.
inline float f32(const Json& v) { return std::strtof(v.get<std::string>().c_str(), nullptr); }

// An integer field: a JSON number or a decimal string (beyond +-2^53).
inline long long integer(const Json& v) {
  return v.is_string() ? std::stoll(v.get<std::string>()) : v.get<long long>();
}

inline std::string hex(float x) {
  if (std::isnan(x)) return "nan";
  if (std::isinf(x)) return x > 0 ? "inf" : "-inf";
  char text[64];
  std::snprintf(text, sizeof text, "%a", static_cast<double>(x));
  return text;
}

// Calls visit(group, test, operands) for every test; operands = params merged with inputs.
inline void for_each_test(const Json& doc,
                          const std::function<void(const Json&, const Json&, const Json&)>& visit) {
  for (const auto& group : doc["testGroups"]) {
    for (const auto& test : group["tests"]) {
      Json operands = group.value("params", Json::object());
      for (auto it = test["inputs"].begin(); it != test["inputs"].end(); ++it) operands[it.key()] = it.value();
      visit(group, test, operands);
    }
  }
}

struct Operation {
  Json entry = Json::object();
  Operation(const std::string& operation, const std::string& family, const std::string& api,
            const Json& claimed, const std::string& says, const std::string& cite) {
    entry["operation"] = operation;
    entry["family"] = family;
    entry["api"] = api;
    entry["claimed"] = claimed;
    entry["source"] = {{"says", says}, {"cite", cite}};
    entry["results"] = Json::object();
    entry["vector_tail_disagreements"] = Json::array();
  }
  void result(const Json& test, const Json& value) { entry["results"][std::to_string(test["tcId"].get<long long>())] = value; }
  void disagreement(const Json& test) { entry["vector_tail_disagreements"].push_back(test["tcId"]); }
};

inline int write(const std::string& path, const std::string& backend, const std::string& version,
                 const Json& operations) {
  std::ofstream out(path);
  out << Json{{"backend", backend}, {"version", version}, {"operations", operations}}.dump(1) << "\n";
  return out ? 0 : 1;
}

}  // namespace interop
