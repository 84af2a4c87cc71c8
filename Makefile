# Thin wrapper over CMake. `make conform` runs the main job, `make test` runs every test.
# Each target first installs missing Debian packages (as root) via tools/install-deps.sh.
BUILD_DIR ?= build
JOBS ?= 2
CMAKE_FLAGS ?=

.PHONY: all deps configure build build-logged conform test bench peers vectors spec fuzz clean

all: build

deps:
	@bash tools/install-deps.sh

configure: deps
	@cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=Release $(CMAKE_FLAGS) >/dev/null

build: configure
	@cmake --build $(BUILD_DIR) -j$(JOBS)

# The main job: the conformance suite against our built-in kernels on every SIMD target
# this CPU supports, with a report (build/conformance-report.json).
conform: build-logged
	@echo "quantspec: running the conformance suite (about 1.5 min)"
	@$(BUILD_DIR)/bin/quantspec conform --report $(BUILD_DIR)/conformance-report.json

# The build with its output in $(BUILD_DIR)/build.log (its path printed; its tail on failure).
build-logged: configure
	@echo "quantspec: building into $(BUILD_DIR), log: $(abspath $(BUILD_DIR))/build.log"
	@cmake --build $(BUILD_DIR) -j$(JOBS) > $(BUILD_DIR)/build.log 2>&1 || \
	  { tail -40 $(BUILD_DIR)/build.log; echo "quantspec: build failed, see $(abspath $(BUILD_DIR))/build.log"; exit 1; }

# All tests: the unit/property/conformance test binaries through CTest, then the checks that
# the checked-in golden vectors regenerate byte for byte; the terminal shows the summary, the
# full output is in $(BUILD_DIR)/ctest.log.
test: build-logged
	@echo "quantspec: running the tests (ctest -j$(JOBS)), log: $(abspath $(BUILD_DIR))/ctest.log"
	@cd $(BUILD_DIR) && { ctest --output-on-failure -j$(JOBS) > ctest.log 2>&1; status=$$?; \
	  sed -n '/% tests passed/,/Total Test time/p' ctest.log; \
	  [ $$status -eq 0 ] || { sed -n '/The following tests FAILED/,$$p' ctest.log; \
	    echo "quantspec: tests failed; their output is in $(abspath $(BUILD_DIR))/ctest.log"; }; \
	  exit $$status; }

bench: build
	@$(BUILD_DIR)/bin/quantspec bench

# Our kernels against XNNPACK and oneDNN (Debian packages, installed here when missing).
peers: deps
	@bash tools/install-deps.sh --peers
	@cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=Release $(CMAKE_FLAGS) >/dev/null
	@cmake --build $(BUILD_DIR) -j$(JOBS) --target quantspec quantspec_peer_bench
	@taskset -c 1 $(BUILD_DIR)/bin/quantspec bench --peers --benchmark_repetitions=3

# SPEC.md as one HTML page and a PDF, each section anchored #Qn.m (reference/spec/anchors.lua).
SPEC_PANDOC = pandoc reference/SPEC.md --from gfm --standalone --toc \
  --metadata title="quantspec SPEC.md" --lua-filter reference/spec/anchors.lua
spec:
	@bash tools/install-deps.sh --spec
	@mkdir -p $(BUILD_DIR)/spec
	@$(SPEC_PANDOC) --to html5 --output $(BUILD_DIR)/spec/SPEC.html
	@python3 reference/tests/check_spec_release.py --html $(BUILD_DIR)/spec/SPEC.html
	@echo "quantspec: rendering the PDF (weasyprint, about a minute; log: $(abspath $(BUILD_DIR))/spec/pdf.log)"
	@$(SPEC_PANDOC) --pdf-engine=weasyprint --output $(BUILD_DIR)/spec/SPEC.pdf > $(BUILD_DIR)/spec/pdf.log 2>&1 || \
	  { tail -20 $(BUILD_DIR)/spec/pdf.log; exit 1; }
	@echo "quantspec: $(abspath $(BUILD_DIR))/spec/SPEC.html and SPEC.pdf"

# The libFuzzer harnesses of tools/fuzz/ (tools/fuzz/run.sh: the .npy/CSV reader, the vectors
# and results readers, the explain layer file, the CLI number parsers, our kernels against the
# reference), FUZZ_SECONDS each (default 60), built with the project code instrumented
# (clang-14, ASan + UBSan) in $(BUILD_DIR)/fuzz-cmake; findings in $(BUILD_DIR)/fuzz/<harness>/.
# fuzz-smoke: the short CI pass (10 s each, AVX2 + scalar kernels only to keep the build short).
.PHONY: fuzz-smoke
fuzz: deps
	@bash tools/install-deps.sh --fuzz
	@bash tools/fuzz/run.sh $(BUILD_DIR)
fuzz-smoke: deps
	@bash tools/install-deps.sh --fuzz
	@FUZZ_SECONDS=10 FUZZ_HWY_TARGETS=AVX2 bash tools/fuzz/run.sh $(BUILD_DIR)/fuzz-smoke

# Real backends on the golden vectors (tools/interop, README "Real backends"): PyTorch, the ONNX
# node test data, a numpy ONNX QuantizeLinear, ONNX Runtime and TFLite (PyPI, in a virtual
# environment under $(BUILD_DIR)/interop), XNNPACK, oneDNN, gemmlowp; check + identify on each,
# tools/interop/summary.json and the README table rewritten. Not part of `make test`. A backend
# that cannot be installed here is reported skipped.
.PHONY: interop
interop: deps
	@bash tools/install-deps.sh --interop || echo "interop: some Debian packages are missing; their backends are skipped"
	@cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=Release $(CMAKE_FLAGS) >/dev/null
	@mkdir -p $(BUILD_DIR)/interop
	@echo "interop: building quantspec, log: $(abspath $(BUILD_DIR))/interop/build.log"
	@cmake --build $(BUILD_DIR) -j$(JOBS) --target quantspec quantspec_onnx_node_check > $(BUILD_DIR)/interop/build.log 2>&1 || \
	  { tail -20 $(BUILD_DIR)/interop/build.log; echo "interop: build failed, see $(abspath $(BUILD_DIR))/interop/build.log"; exit 1; }
	@/usr/bin/python3 tools/interop/run_interop.py --quantspec $(BUILD_DIR)/bin/quantspec --build $(BUILD_DIR)

clean:
	@rm -rf $(BUILD_DIR)
