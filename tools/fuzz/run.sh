#!/usr/bin/env bash
# `make fuzz`: builds the libFuzzer harnesses of tools/fuzz/ with clang-14 (ASan + UBSan),
# linking the Release libraries of `make build` (uninstrumented: findings inside them show as
# crashes, not as sanitizer reports), and runs each for FUZZ_SECONDS (default 60) from the seed
# corpora: the .npy/CSV fixtures of tools/tests/fixtures and tools/fuzz/seeds_json.
# Findings (crash-*, leak-*, timeout-* files) land in BUILD_DIR/fuzz/<harness>/; exit 1 if any.
set -euo pipefail
build_dir=${1:-build}
seconds=${FUZZ_SECONDS:-60}
root=$(cd "$(dirname "$0")/../.." && pwd)
out="$build_dir/fuzz"
mkdir -p "$out/bin"
log="$(cd "$out" && pwd)/build.log"
: > "$log"
flags=(-std=c++17 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
       -I"$root/reference/include" -I"$root/vectors/include")
echo "quantspec fuzz: building the harnesses (clang++-14, log: $log)"
clang++-14 "${flags[@]}" "$root/tools/fuzz/fuzz_tensor_file.cc" "$root/tools/quantspec/tensor_file.cc" \
  "$build_dir/lib/libquantspec_reference.a" -o "$out/bin/fuzz_tensor_file" >> "$log" 2>&1
clang++-14 "${flags[@]}" "$root/tools/fuzz/fuzz_vectors_json.cc" "$build_dir/lib/libquantspec_vectors.a" \
  "$build_dir/lib/libquantspec_reference.a" -o "$out/bin/fuzz_vectors_json" >> "$log" 2>&1

# Seeds: the reader's fixtures with the harness's first byte (0: .npy, 1: .csv).
mkdir -p "$out/fuzz_tensor_file/corpus" "$out/fuzz_vectors_json/corpus"
for f in "$root"/tools/tests/fixtures/*.npy; do
  { printf '\x00'; cat "$f"; } > "$out/fuzz_tensor_file/corpus/$(basename "$f")"
done
for f in "$root"/tools/tests/fixtures/*.csv; do
  { printf '\x01'; cat "$f"; } > "$out/fuzz_tensor_file/corpus/$(basename "$f")"
done
cp "$root"/tools/fuzz/seeds_json/*.json "$out/fuzz_vectors_json/corpus/"

status=0
for harness in fuzz_tensor_file fuzz_vectors_json; do
  dir="$out/$harness"
  echo "quantspec fuzz: $harness for ${seconds} s (log: $(cd "$dir" && pwd)/fuzz.log)"
  if ! (cd "$dir" && QUANTSPEC_FUZZ_VECTORS="$root/vectors" "../bin/$harness" -max_total_time="$seconds" \
        -rss_limit_mb=4096 -max_len=8192 corpus > fuzz.log 2>&1); then
    echo "quantspec fuzz: $harness FOUND A PROBLEM; reproduce with: (cd $dir && ../bin/$harness crash-*)"
    tail -30 "$dir/fuzz.log"
    status=1
  else
    echo "quantspec fuzz: $harness: $(grep -o 'Done [0-9]* runs in [0-9]* second(s)' "$dir/fuzz.log"), no finding"
  fi
done
exit $status
