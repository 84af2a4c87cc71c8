#!/usr/bin/env bash
# Installs the Debian 12 packages quantspec builds with, if any is missing.
# As root it runs apt-get; otherwise it prints the command to run and fails.
set -euo pipefail
packages=(
  build-essential cmake
  libboost-dev libhwy-dev libgtest-dev librapidcheck-dev nlohmann-json3-dev
  libcli11-dev libbenchmark-dev libgemmlowp-dev python3 python3-numpy pandoc
)
# --peers: the peer libraries of `make peers` (XNNPACK, oneDNN) instead.
if [ "${1:-}" = "--peers" ]; then
  packages=(libxnnpack-dev libpthreadpool-dev libdnnl-dev)
fi
# --fuzz: what `make fuzz` needs (clang-14 with libFuzzer and the sanitizer runtimes).
if [ "${1:-}" = "--fuzz" ]; then
  packages=(clang-14 libclang-rt-14-dev libfuzzer-14-dev)
fi
# --sanitize: what `make test-sanitize` needs (clang-14 and its ASan/UBSan runtimes).
if [ "${1:-}" = "--sanitize" ]; then
  packages=(clang-14 libclang-rt-14-dev)
fi
# --spec: what `make spec` needs beyond pandoc for the PDF (HTML -> PDF, a CJK font).
if [ "${1:-}" = "--spec" ]; then
  packages=(pandoc weasyprint fonts-wqy-microhei)
fi
# --emulate: what `make conform-emulated` needs (QEMU user-mode emulation of another CPU's CPUID).
if [ "${1:-}" = "--emulate" ]; then
  packages=(qemu-user)
fi
# --interop: the real backends of `make interop` (tools/interop; PyTorch, ONNX node test data
# read with protobuf, XNNPACK, oneDNN, gemmlowp; python3-venv for the PyPI backends).
if [ "${1:-}" = "--interop" ]; then
  packages=(python3-torch libonnx-testdata python3-onnx python3-numpy python3-venv libxnnpack-dev
            libpthreadpool-dev libdnnl-dev libgemmlowp-dev)
fi
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "quantspec: installing missing Debian packages: ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
  echo "quantspec: not root; please run: sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
# apt's own output (pages of unpacking and triggers) goes to a log; the terminal gets one line,
# and the log's tail if the installation fails.
log="${QUANTSPEC_DEPS_LOG:-$(cd "$(dirname "$0")/.." && pwd)/build/install-deps.log}"
mkdir -p "$(dirname "$log")"
echo "quantspec: apt-get output goes to $log"
export DEBIAN_FRONTEND=noninteractive
if ! { apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}"; } >> "$log" 2>&1; then
  tail -20 "$log" >&2
  echo "quantspec: installing ${missing[*]} failed; see $log" >&2
  exit 1
fi
