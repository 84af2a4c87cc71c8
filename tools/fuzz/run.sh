#!/usr/bin/env bash
# `make fuzz` / `make fuzz-smoke`: builds the libFuzzer harnesses of tools/fuzz/ and runs each
# for FUZZ_SECONDS (default 60) from its seed corpus, after replaying the checked-in
# regression inputs (tools/fuzz/regressions/<harness>/, each a past finding).
#
# The project code a harness exercises is compiled with coverage instrumentation and the
# sanitizers (-fsanitize=fuzzer-no-link,address,undefined, clang-14, CMake build type Sanitize)
# in BUILD_DIR/fuzz-cmake, so libFuzzer is guided by the reference's, the kernels' and the
# readers' branches and ASan sees their out-of-bounds accesses. FUZZ_HWY_TARGETS (default ALL)
# chooses the Highway targets compiled there: ALL (every target this CPU runs is fuzzed), or
# AVX2 (AVX2 + scalar only; the instrumented multi-target kernels dominate the build time).
#
# Usage: run.sh BUILD_DIR [HARNESS...]   (default: every harness)
# Logs: BUILD_DIR/fuzz/build.log, BUILD_DIR/fuzz/<harness>/fuzz.log. Findings (crash-*,
# leak-*, timeout-*, oom-*) land in BUILD_DIR/fuzz/<harness>/; exit 1 if any.
set -euo pipefail
build_dir=${1:-build}
shift || true
seconds=${FUZZ_SECONDS:-60}
hwy_targets=${FUZZ_HWY_TARGETS:-ALL}
root=$(cd "$(dirname "$0")/../.." && pwd)
all_harnesses=(fuzz_tensor_file fuzz_vectors_json fuzz_explain_file fuzz_number_parser
               fuzz_kernels_differential)
harnesses=("$@")
[ ${#harnesses[@]} -gt 0 ] || harnesses=("${all_harnesses[@]}")
mkdir -p "$build_dir/fuzz/bin"
out=$(cd "$build_dir/fuzz" && pwd)
log="$out/build.log"
: > "$log"
launcher=()
command -v ccache > /dev/null && launcher=(ccache)

started=$(date +%s)
# FUZZ_CMAKE_DIR: reuse an existing instrumented Sanitize build (e.g. `make test-sanitize`'s
# build-sanitize/, whose libraries carry edge-counter coverage hooks) rather than configuring a
# second one.
cmake_dir=${FUZZ_CMAKE_DIR:-}
if [ -n "$cmake_dir" ]; then
  cmake_dir=$(cd "$cmake_dir" 2>/dev/null && pwd) || { echo "quantspec fuzz: FUZZ_CMAKE_DIR=$FUZZ_CMAKE_DIR is not a directory"; exit 2; }
  cache="$cmake_dir/CMakeCache.txt"
  if ! grep -q '^CMAKE_BUILD_TYPE:STRING=Sanitize$' "$cache" 2>/dev/null ||
     ! grep -Eq '^CMAKE_CXX_FLAGS:.*=.*(-fsanitize=fuzzer-no-link|-fsanitize-coverage=inline-8bit-counters)' "$cache"; then
    echo "quantspec fuzz: $cmake_dir is not a Sanitize build with coverage hooks (-fsanitize=fuzzer-no-link or -fsanitize-coverage=inline-8bit-counters; see make test-sanitize)"
    exit 2
  fi
  echo "quantspec fuzz: using the instrumented libraries of $cmake_dir (log: $log)"
else
  cmake_dir="$out-cmake"
  echo "quantspec fuzz: building the instrumented libraries (clang-14, Highway targets $hwy_targets; log: $log)"
  cmake -S "$root" -B "$cmake_dir" -DCMAKE_BUILD_TYPE=Sanitize \
    -DCMAKE_C_COMPILER=clang-14 -DCMAKE_CXX_COMPILER=clang++-14 \
    -DCMAKE_C_FLAGS=-fsanitize=fuzzer-no-link -DCMAKE_CXX_FLAGS=-fsanitize=fuzzer-no-link \
    ${launcher:+-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache} \
    -DQUANTSPEC_HWY_TARGETS="$hwy_targets" -DQUANTSPEC_BUILD_TESTS=OFF -DQUANTSPEC_BUILD_BENCH=OFF \
    >> "$log" 2>&1
fi
if ! cmake --build "$cmake_dir" -j"${JOBS:-2}" \
     --target quantspec_reference quantspec_optimized quantspec_vectors >> "$log" 2>&1; then
  tail -30 "$log"; echo "quantspec fuzz: build failed, see $log"; exit 1
fi
lib="$cmake_dir/lib"
flags=(-std=c++17 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
       -ffp-contract=off -I"$root/reference/include" -I"$root/vectors/include"
       -I"$root/optimized/include" -I"$root/conformance/include")
cli="$root/tools/quantspec"
# Harness -> the CLI files it needs (compiled here, instrumented too) and its libraries.
sources_of() {
  case "$1" in
    fuzz_tensor_file) echo "$cli/tensor_file.cc" ;;
    fuzz_explain_file) echo "$cli/explain.cc $cli/explain_calibrate.cc $cli/explain_qat.cc" \
                            "$cli/qat_example.cc $cli/explain_dynamic_linear.cc $cli/tensor_file.cc" \
                            "$cli/command_support.cc" ;;
    fuzz_number_parser) echo "$cli/command_support.cc" ;;
  esac
}
libraries_of() {
  case "$1" in
    fuzz_tensor_file) echo "$lib/libquantspec_reference.a" ;;
    fuzz_kernels_differential) echo "$lib/libquantspec_optimized.a $lib/libquantspec_reference.a -lhwy" ;;
    *) echo "$lib/libquantspec_vectors.a $lib/libquantspec_reference.a" ;;
  esac
}
object_of() { local name; name=$(basename "$1"); echo "$out/obj/${name%.cc}.o"; }
# Every source is compiled once, JOBS at a time (a CLI file two harnesses share is not compiled
# twice, and the explain harness's seven files do not run one after another); then each harness
# links. Each compile writes its own log, appended to $log afterwards.
mkdir -p "$out/obj"
sources=()
for harness in "${harnesses[@]}"; do
  for src in "$root/tools/fuzz/$harness.cc" $(sources_of "$harness"); do
    case " ${sources[*]} " in *" $src "*) ;; *) sources+=("$src") ;; esac
  done
done
echo "quantspec fuzz: compiling ${#sources[@]} files for ${#harnesses[@]} harnesses"
pids=()
for src in "${sources[@]}"; do
  obj=$(object_of "$src")
  "${launcher[@]}" clang++-14 "${flags[@]}" -c "$src" -o "$obj" > "$obj.log" 2>&1 &
  pids+=($!)
  while [ "$(jobs -rp | wc -l)" -ge "${JOBS:-2}" ]; do sleep 1; done
done
failed=()
for i in "${!sources[@]}"; do
  wait "${pids[$i]}" || failed+=("$(basename "${sources[$i]}")")
  cat "$(object_of "${sources[$i]}").log" >> "$log"
done
for harness in "${harnesses[@]}"; do
  [ ${#failed[@]} -eq 0 ] || break
  objects=()
  for src in "$root/tools/fuzz/$harness.cc" $(sources_of "$harness"); do objects+=("$(object_of "$src")"); done
  echo "quantspec fuzz: linking $harness"
  # shellcheck disable=SC2046
  clang++-14 "${flags[@]}" "${objects[@]}" $(libraries_of "$harness") -o "$out/bin/$harness" >> "$log" 2>&1 ||
    failed+=("$harness")
done
if [ ${#failed[@]} -gt 0 ]; then
  tail -30 "$log"; echo "quantspec fuzz: building ${failed[*]} failed, see $log"; exit 1
fi
echo "quantspec fuzz: built in $(( $(date +%s) - started )) s"

# Seed corpora: tools/fuzz/seeds_<name>/ as they are; the tensor reader's seeds are the
# reader's fixtures with the harness's first byte (0: .npy, 1: .csv).
seed_corpus() {
  local harness=$1 dir=$2
  case "$harness" in
    fuzz_tensor_file)
      for f in "$root"/tools/tests/fixtures/*.npy; do { printf '\x00'; cat "$f"; } > "$dir/$(basename "$f")"; done
      for f in "$root"/tools/tests/fixtures/*.csv; do { printf '\x01'; cat "$f"; } > "$dir/$(basename "$f")"; done ;;
    fuzz_vectors_json) cp "$root"/tools/fuzz/seeds_json/* "$dir/" ;;
    fuzz_explain_file) cp "$root"/tools/fuzz/seeds_explain/* "$dir/" ;;
    fuzz_number_parser) cp "$root"/tools/fuzz/seeds_numbers/* "$dir/" ;;
    fuzz_kernels_differential) cp "$root"/tools/fuzz/seeds_kernels/* "$dir/" ;;
  esac
}

status=0
for harness in "${harnesses[@]}"; do
  dir="$out/$harness"
  mkdir -p "$dir/corpus" "$dir/seeds"
  rm -f "$dir"/seeds/*
  seed_corpus "$harness" "$dir/seeds"
  regressions="$root/tools/fuzz/regressions/$harness"
  if [ -d "$regressions" ] && [ -n "$(ls -A "$regressions")" ]; then
    if ! (cd "$dir" && QUANTSPEC_FUZZ_VECTORS="$root/vectors" "../bin/$harness" "$regressions"/* \
          > regressions.log 2>&1); then
      echo "quantspec fuzz: $harness FAILS A REGRESSION INPUT of $regressions (log: $dir/regressions.log)"
      tail -30 "$dir/regressions.log"
      status=1
      continue
    fi
  fi
  echo "quantspec fuzz: $harness for ${seconds} s (log: $dir/fuzz.log)"
  if ! (cd "$dir" && QUANTSPEC_FUZZ_VECTORS="$root/vectors" "../bin/$harness" -max_total_time="$seconds" \
        -rss_limit_mb=4096 -max_len=8192 -timeout=30 -print_final_stats=1 corpus seeds \
        > fuzz.log 2>&1); then
    echo "quantspec fuzz: $harness FOUND A PROBLEM; reproduce with: (cd $dir && ../bin/$harness crash-*)"
    grep -m1 -A12 'ERROR\|deadly signal\|SUMMARY' "$dir/fuzz.log" || tail -30 "$dir/fuzz.log"
    status=1
  else
    runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$dir/fuzz.log" | grep -o '[0-9]*$' || echo '?')
    cov=$(grep -o 'cov: [0-9]*' "$dir/fuzz.log" | tail -1 || true)
    echo "quantspec fuzz: $harness: $runs runs in ${seconds} s, ${cov:-cov ?}, corpus $(ls "$dir/corpus" | wc -l) files, no finding"
  fi
done
exit $status
