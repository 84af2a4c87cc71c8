#!/usr/bin/env bash
# The exit codes CTest's per-suite tests rely on (GTestSuites.cmake): with
# QUANTSPEC_SKIPPED_EXIT_CODE=77 a conformance binary exits 0 for a suite whose checks ran and
# passed, 77 for a suite whose every check was skipped (a variant the table does not provide), and
# 0 when the filter selects nothing (no skip, no pass: not reported as skipped); without the
# variable an all-skipped suite exits 0, as plain GoogleTest does.
set -u
exe=$1
prefix=quantspec_scalar_example_plug_in
expect() {  # expect <code> <filter> [env...]
  local want=$1 filter=$2; shift 2
  env "$@" "$exe" --gtest_filter="$filter" > /dev/null 2>&1
  local got=$?
  if [ "$got" -ne "$want" ]; then
    echo "FAIL: $filter with '$*' exited $got, expected $want"; exit 1
  fi
  echo "ok: $filter ${*:-(no env)} -> $got"
}
provided=${prefix}_requantize_double_round.*
not_provided=${prefix}_dynamic_linear_pytorch_u8.*
expect 0 "$provided" QUANTSPEC_SKIPPED_EXIT_CODE=77 QUANTSPEC_CONFORM_CASES=5
expect 77 "$not_provided" QUANTSPEC_SKIPPED_EXIT_CODE=77
expect 0 "no_such_suite.*" QUANTSPEC_SKIPPED_EXIT_CODE=77
expect 0 "$not_provided"
expect 0 "$not_provided" QUANTSPEC_SKIPPED_EXIT_CODE=0
