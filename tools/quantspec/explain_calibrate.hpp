// quantspec explain linear --calibrate X.npy --weights W.npy [--bias B.npy] [--evaluate E.npy]:
// the note's static pipeline on a real layer, per observer (SPEC.md Q18, Q19, Q9).
#pragma once

#include <memory>
#include <ostream>
#include <string>

#include <CLI/CLI.hpp>

namespace quantspec::cli {

struct CalibratedLinearOptions {
  std::string calibrate, weights, bias, evaluate, observers = "minmax,max_abs,percentile,mse,entropy";
  std::string percentile = "99.99";
  bool json = false;
  // True when --calibrate was given: the command runs the calibrated comparison instead of
  // the single-layer trace.
  bool requested() const { return !calibrate.empty(); }
};

// Adds --calibrate, --weights, --bias, --evaluate, --observers, --percentile to `linear`.
// `json` is the flag the command already has (its --json).
std::shared_ptr<CalibratedLinearOptions> add_calibrated_linear_options(CLI::App* linear);

// Steps 0-4 per observer and the comparison with the float layer; returns the exit code.
int explain_calibrated_linear(const CalibratedLinearOptions& options, bool json, std::ostream& out);

}  // namespace quantspec::cli
