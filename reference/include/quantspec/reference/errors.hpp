// Typed parameter errors (SPEC.md §Q0.3): every rejected parameter names itself and the
// allowed range, so the CLI and the vector checker can report it without guessing.
#pragma once

#include <stdexcept>
#include <string>

namespace quantspec::ref {

class ParameterError : public std::invalid_argument {
 public:
  ParameterError(std::string parameter, std::string requirement, std::string got)
      : std::invalid_argument(parameter + ": " + requirement + " (got " + got + ")"),
        parameter_(std::move(parameter)),
        requirement_(std::move(requirement)),
        got_(std::move(got)) {}

  const std::string& parameter() const noexcept { return parameter_; }
  const std::string& requirement() const noexcept { return requirement_; }
  const std::string& got() const noexcept { return got_; }

 private:
  std::string parameter_;
  std::string requirement_;
  std::string got_;
};

}  // namespace quantspec::ref
