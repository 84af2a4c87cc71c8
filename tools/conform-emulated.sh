#!/usr/bin/env bash
# Runs the built kernels on another CPU's CPUID, by QEMU user-mode emulation (qemu-x86_64 -cpu
# MODEL, TCG): the runtime dispatch, the kernel tests, the conformance suite and the bench's
# choice of target and exact peak loop, as they are on a CPU this machine is not.
#
# Why: the CPU of this project's machines changes between sessions, and an AVX2-only CPU
# (Zen 3: no AVX-512, no VNNI) may not come by. `--target=AVX2` already runs the AVX2 code on an
# AVX-512 CPU; what it cannot show is what the dispatch and the bench pick when CPUID reports no
# AVX-512 and no VNNI. QEMU 7.2's TCG implements AVX2 but no AVX-512, so every model runs at
# most AVX2 here.
#
# Timings under emulation say nothing about a real CPU: the bench is run only for the names it
# reports (target, peak loop) and to see that its GEMM ratio is computed against a loop that ran.
#
# Usage: tools/conform-emulated.sh [BUILD_DIR] [CPU_MODEL]   (default: build EPYC-Milan)
#   `qemu-x86_64 -cpu help` lists the models. Expected dispatch for EPYC-Milan (Zen 3) and
#   Haswell: target AVX2, peak loop vpmaddwd_ymm. Log: BUILD_DIR/conform-emulated-MODEL.log.
set -euo pipefail
if [ "${1:-}" = "-h" ] || [ "${1:-}" = "--help" ]; then
  sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'
  exit 0
fi
build="${1:-build}"
model="${2:-EPYC-Milan}"
for binary in quantspec quantspec_bench quantspec_optimized_test; do
  [ -x "$build/bin/$binary" ] || { echo "conform-emulated: $build/bin/$binary not built (run make build)" >&2; exit 2; }
done
command -v qemu-x86_64 >/dev/null || { echo "conform-emulated: qemu-x86_64 missing (apt-get install qemu-user)" >&2; exit 2; }
log="$build/conform-emulated-$model.log"
: > "$log"
# TCG warns once per CPUID feature of the model it does not implement; those go to the log.
run() { qemu-x86_64 -cpu "$model" "$@" 2>>"$log"; }

echo "conform-emulated: CPU model $model under qemu-x86_64 (TCG), log: $log"
echo "conform-emulated: [1/3] bench dispatch report ..."
report=$(run "$build/bin/quantspec_bench" --json --benchmark_filter='^gemm_s8/512/')
echo "$report" >> "$log"
python3 - "$model" "$report" <<'EOF'
import json, sys
model, report = sys.argv[1], json.loads(sys.argv[2])
expected = {"EPYC-Milan": ("AVX2", "vpmaddwd_ymm"), "Haswell": ("AVX2", "vpmaddwd_ymm")}.get(model)
got = (report["target"], report["gemm_peak"])
ratio = report.get("ratios", {}).get("gemm_s8/512")
print("conform-emulated:   cpu %r (the host's /proc/cpuinfo), dispatch target %s, peak loop %s, gemm_s8/512 ratio %s (emulated timing)"
      % (report["cpu"], got[0], got[1], ratio))
if expected and got != expected:
    sys.exit("conform-emulated: expected target %s and peak loop %s on %s" % (expected + (model,)))
if ratio is None or not 0 < ratio < 10:
    sys.exit("conform-emulated: no sane GEMM ratio (its baseline did not run?)")
EOF
echo "conform-emulated: [2/3] kernel tests (every target this CPUID supports) ..."
run "$build/bin/quantspec_optimized_test" >> "$log" || { tail -20 "$log"; echo "conform-emulated: kernel tests FAILED" >&2; exit 1; }
grep -E '^\[  PASSED  \]' "$log" | tail -1 | sed 's/^/conform-emulated:   /'
echo "conform-emulated: [3/3] conformance suite (every target this CPUID supports; about 20 min under emulation) ..."
status=0
run "$build/bin/quantspec" conform --report "$build/conformance-report-$model.json" >> "$log" || status=$?
grep -E '^[0-9]+ passed, ' "$log" | tail -1 | sed 's/^/conform-emulated:   /'
[ $status -eq 0 ] || { echo "conform-emulated: conformance FAILED (exit $status), see $log" >&2; exit 1; }
echo "conform-emulated: report $build/conformance-report-$model.json"
