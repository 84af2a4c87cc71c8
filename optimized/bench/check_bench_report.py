#!/usr/bin/env python3
"""The bench names the CPU, the dispatch target and the GEMM peak loop it measured against, and
reports a GEMM ratio only together with that loop's own measured peak (never against a baseline
that did not run). Runs one GEMM shape with a forced loop that every x86-64 machine of this
project has (vpmaddwd_ymm needs AVX2) and checks the JSON; then checks that an unknown loop name
is refused with exit status 2. Timing values are not checked (this is not a performance test)."""
import json
import subprocess
import sys

bench = sys.argv[1]
run = subprocess.run([bench, "--json", "--peak=vpmaddwd_ymm", "--benchmark_filter=^gemm_s8/512/",
                      "--benchmark_min_time=0.01"], capture_output=True, text=True, timeout=300)
problems = []
if run.returncode != 0:
    problems.append(f"exit status {run.returncode}: {run.stderr.strip()}")
else:
    report = json.loads(run.stdout)
    if not report.get("cpu"):
        problems.append("no cpu model in the report")
    if not report.get("target"):
        problems.append("no dispatch target in the report")
    if report.get("gemm_peak") != "vpmaddwd_ymm":
        problems.append(f"gemm_peak is {report.get('gemm_peak')!r}, expected 'vpmaddwd_ymm'")
    if "gemm_s8/512" not in report.get("ratios", {}):
        problems.append("no GEMM ratio although the peak loop ran")
    if "gemm_s8/512 vpmaddwd_ymm_peak GMAC/s" not in report.get("raw", {}):
        problems.append("the peak loop's own GMAC/s is not reported next to the ratio")
# --target=AVX2 without --peak is held to the AVX2 exact loop, not to the CPU's best.
avx2 = subprocess.run([bench, "--json", "--target=AVX2", "--benchmark_filter=^gemm_s8/512/",
                       "--benchmark_min_time=0.01"], capture_output=True, text=True, timeout=300)
if avx2.returncode == 2 and "not a compiled target" in avx2.stderr:
    pass  # a CPU without AVX2 (not one of this project's machines)
elif avx2.returncode != 0:
    problems.append(f"--target=AVX2: exit status {avx2.returncode}: {avx2.stderr.strip()}")
elif json.loads(avx2.stdout).get("gemm_peak") != "vpmaddwd_ymm":
    problems.append("--target=AVX2 measured against "
                    f"{json.loads(avx2.stdout).get('gemm_peak')!r}, expected 'vpmaddwd_ymm'")
refused = subprocess.run([bench, "--peak=no_such_loop"], capture_output=True, text=True, timeout=60)
if refused.returncode != 2 or "no_such_loop" not in refused.stderr:
    problems.append(f"--peak=no_such_loop: exit {refused.returncode}, stderr {refused.stderr!r}")
for p in problems:
    print("bench report:", p)
sys.exit(1 if problems else 0)
