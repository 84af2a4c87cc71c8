#include "report_json.hpp"

namespace quantspec::conformance {

nlohmann::json to_json(const VariantResult& r) {
  // Timings are left out on purpose: the report is deterministic for a given seed.
  return {{"op", r.op},
          {"variant", r.variant},
          {"target", r.target},
          {"status", status_name(r.status)},
          {"failed_check", r.failed_check},
          {"counterexample", r.counterexample},
          {"note", r.note},
          {"cases", r.cases}};
}

VariantResult from_json(const nlohmann::json& j) {
  VariantResult r;
  r.op = j.at("op").get<std::string>();
  r.variant = j.at("variant").get<std::string>();
  r.target = j.at("target").get<std::string>();
  const std::string status = j.at("status").get<std::string>();
  for (auto s : {VariantResult::Status::pass, VariantResult::Status::fail, VariantResult::Status::not_provided,
                 VariantResult::Status::crashed, VariantResult::Status::skipped}) {
    if (status_name(s) == status) r.status = s;
  }
  r.failed_check = j.at("failed_check").get<std::string>();
  r.counterexample = j.at("counterexample").get<std::string>();
  r.note = j.at("note").get<std::string>();
  r.cases = j.at("cases").get<std::size_t>();
  return r;
}

}  // namespace quantspec::conformance
