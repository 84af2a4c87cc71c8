# Thin wrapper over CMake. `make conform` runs the main job, `make test` runs every test.
# Each target first installs missing Debian packages (as root) via tools/install-deps.sh.
BUILD_DIR ?= build
JOBS ?= 2
CMAKE_FLAGS ?=

.PHONY: all deps configure build build-logged conform conform-emulated test test-sanitize test-sanitize-avx512 bench peers vectors spec fuzz clean

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

# The kernel tests, the conformance suite and the bench's dispatch report on another CPU's
# CPUID under QEMU user-mode emulation (tools/conform-emulated.sh; default EMULATED_CPU=EPYC-Milan,
# Zen 3: AVX2 without AVX-512 or VNNI). Correctness and dispatch only; emulated timings mean nothing.
EMULATED_CPU ?= EPYC-Milan
conform-emulated: build-logged
	@bash tools/install-deps.sh --emulate
	@bash tools/conform-emulated.sh $(BUILD_DIR) $(EMULATED_CPU)

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

# The tests under AddressSanitizer + UndefinedBehaviorSanitizer (clang-14, CMAKE_BUILD_TYPE=Sanitize:
# -O1, every finding fatal), in $(SANITIZE_DIR)/. Built: the reference, conformance (with the
# scalar example and the misbehaving plug-ins), optimized-table conformance, vectors and CLI
# tests, AVX2 + scalar Highway targets only (QUANTSPEC_HWY_TARGETS=AVX2: build time). Run: the
# CTest labels reference, conformance, cli and vectors, with fewer random cases (the property
# tests are ~10x slower under ASan), including the vectors.regenerate_* tests, which check
# that clang generates the same golden vectors as g++. Log: $(SANITIZE_DIR)/ctest.log.
SANITIZE_DIR ?= build-sanitize
# The Highway targets of the sanitized build: AVX2 (+ scalar), or AVX3_DL (+ scalar) for
# `make test-sanitize-avx512`, which runs the AVX-512 kernels under the sanitizers.
SANITIZE_HWY_TARGETS ?= AVX2
FUZZ_CMAKE_DIR ?=
# SANITIZE_SET=ci builds and runs less (the set .ci/run runs, with SANITIZE_CASES=15): the conformance tests (which
# drive the reference as the oracle, our AVX2/scalar kernels, the scalar example and the
# misbehaving plug-ins) and the vectors regeneration, not reference_tests, the CLI or vectors_tests.
SANITIZE_SET ?= full
ifeq ($(SANITIZE_SET),ci)
SANITIZE_TARGETS = conformance_tests conformance_scalar_example conformance_optimized_tests quantspec_vectors_tool
SANITIZE_LABELS = conformance|vectors
else
SANITIZE_TARGETS = reference_tests conformance_tests conformance_scalar_example conformance_optimized_tests \
  vectors_tests quantspec_vectors_tool quantspec quantspec_cli_tests
SANITIZE_LABELS = reference|conformance|cli|vectors
endif
SANITIZE_CASES ?= 30
# Not run under the sanitizer, by name: Python scripts that read SPEC.md and the sources (no
# compiled code of ours runs in them, so a sanitizer has nothing to check).
SANITIZE_NOT_RUN = reference.spec_matches_code reference.system_table_names_known_variants \
  reference.spec_sections_never_move reference.spec_html_has_section_anchors \
  reference.q13_comparison_table_matches_spec
# handle_segv=0 / allow_user_segv_handler=1: the suite's guard-page fault handlers and the
# plug-in crash reporter must receive SIGSEGV themselves (ASan's handler would abort first).
SANITIZE_ENV = ASAN_OPTIONS=handle_segv=0:allow_user_segv_handler=1:detect_leaks=1 \
  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  QUANTSPEC_CONFORM_CASES=$(SANITIZE_CASES) RC_PARAMS=max_success=$(SANITIZE_CASES)
# Coverage hooks, so that `make fuzz-smoke FUZZ_CMAKE_DIR=$(SANITIZE_DIR)` links the fuzz
# harnesses against these libraries (ASan's runtime answers the hooks when no fuzzer is linked).
# Edge counters and the PC table only: -fsanitize=fuzzer-no-link would add trace-cmp, a call on
# every comparison, which the Boost.Multiprecision oracle pays for in every test; `make fuzz`
# builds its own libraries with the full set.
SANITIZE_COVERAGE ?= -fsanitize-coverage=inline-8bit-counters,pc-table
# ccache, when installed, keeps a second run short (the flags differ from the Release build's).
SANITIZE_LAUNCHER = $(if $(shell command -v ccache),-DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
empty :=
space := $(empty) $(empty)
test-sanitize:
	@bash tools/install-deps.sh
	@bash tools/install-deps.sh --sanitize
	@cmake -S . -B $(SANITIZE_DIR) -DCMAKE_BUILD_TYPE=Sanitize -DCMAKE_C_COMPILER=clang-14 \
	  -DCMAKE_CXX_COMPILER=clang++-14 -DQUANTSPEC_HWY_TARGETS=$(SANITIZE_HWY_TARGETS) -DQUANTSPEC_BUILD_BENCH=OFF \
	  -DCMAKE_C_FLAGS="$(SANITIZE_COVERAGE)" -DCMAKE_CXX_FLAGS="$(SANITIZE_COVERAGE)" \
	  $(SANITIZE_LAUNCHER) $(CMAKE_FLAGS) >/dev/null
	@echo "quantspec: building the sanitized tests into $(SANITIZE_DIR), log: $(abspath $(SANITIZE_DIR))/build.log"
	@cmake --build $(SANITIZE_DIR) -j$(JOBS) --target $(SANITIZE_TARGETS) > $(SANITIZE_DIR)/build.log 2>&1 || \
	  { tail -40 $(SANITIZE_DIR)/build.log; echo "quantspec: build failed, see $(abspath $(SANITIZE_DIR))/build.log"; exit 1; }
	@echo "quantspec: running the tests under ASan+UBSan (ctest -j$(JOBS), $(SANITIZE_CASES) cases per property), log: $(abspath $(SANITIZE_DIR))/ctest.log"
	@cd $(SANITIZE_DIR) && { $(SANITIZE_ENV) ctest --output-on-failure -j$(JOBS) \
	    -L '^($(SANITIZE_LABELS))$$' -E '^($(subst $(space),|,$(strip $(SANITIZE_NOT_RUN))))$$' \
	    > ctest.log 2>&1; status=$$?; \
	  sed -n '/% tests passed/,/Total Test time/p' ctest.log; \
	  [ $$status -eq 0 ] || { sed -n '/The following tests FAILED/,$$p' ctest.log; \
	    echo "quantspec: sanitized tests failed; their output is in $(abspath $(SANITIZE_DIR))/ctest.log"; }; \
	  exit $$status; }

# The conformance tests under ASan + UBSan with the AVX3_DL kernels (the CI's sanitized build has
# AVX2 + scalar only), in build-sanitize-avx512/. Needs a CPU with AVX-512 VNNI and VBMI:
# elsewhere only the scalar fallback would run, so it stops instead.
test-sanitize-avx512:
	@grep -qw avx512_vnni /proc/cpuinfo && grep -qw avx512vbmi /proc/cpuinfo || \
	  { echo "quantspec: this CPU has no AVX-512 VNNI/VBMI, so the AVX3_DL kernels cannot run here"; exit 2; }
	@$(MAKE) --no-print-directory test-sanitize SANITIZE_HWY_TARGETS=AVX3_DL \
	  SANITIZE_DIR=$(SANITIZE_DIR)-avx512 SANITIZE_SET=ci

bench: build
	@$(BUILD_DIR)/bin/quantspec bench

# Our kernels against XNNPACK and oneDNN (Debian packages, installed here when missing), on one
# thread, then the GEMMs on two.
peers: deps
	@bash tools/install-deps.sh --peers
	@cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=Release $(CMAKE_FLAGS) >/dev/null
	@cmake --build $(BUILD_DIR) -j$(JOBS) --target quantspec quantspec_peer_bench
	@taskset -c 1 $(BUILD_DIR)/bin/quantspec bench --peers --benchmark_repetitions=3
	@if [ "$$(nproc)" -ge 2 ]; then echo "quantspec: the GEMMs again on 2 threads (cores 0,1)"; \
	  taskset -c 0,1 $(BUILD_DIR)/bin/quantspec bench --peers --threads 2 \
	    --benchmark_filter=linear --benchmark_repetitions=3; fi

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
# FUZZ_CMAKE_DIR=DIR links the harnesses against the libraries of an existing Sanitize build
# configured with -fsanitize=fuzzer-no-link (what `make test-sanitize` configures) instead of
# building a second instrumented copy; .ci/run passes build-sanitize.
fuzz-smoke: deps
	@bash tools/install-deps.sh --fuzz
	@FUZZ_SECONDS=$${FUZZ_SECONDS:-10} FUZZ_HWY_TARGETS=AVX2 FUZZ_CMAKE_DIR=$(FUZZ_CMAKE_DIR) \
	  bash tools/fuzz/run.sh $(BUILD_DIR)/fuzz-smoke

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
