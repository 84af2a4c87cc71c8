#!/usr/bin/python3
"""`make interop`: runs real backends on the golden vectors, then `quantspec vectors check` and
`identify` on each backend's results, and writes the summary and the README table.

  run_interop.py --quantspec BIN [--build DIR] [--summary tools/interop/summary.json]
                 [--readme README.md] [--only NAME]...

Per backend: a results file per operation (every group of the family it can run, so identify
can name the variant), `identify` on all of it, `check` on the groups of the variant the
backend's source code says it implements (the differences, with tcIds). Operations on
distinguish.json (SPEC Q20) are identified per variant dimension with `identify --json`
(judge_distinguish; no `check`: its groups' expected outputs are one base context). A backend that cannot
be installed or built here is "skipped" with the reason, never failed. Compiler and pip output
go to BUILD/interop/interop.log. Exit 1 only if the harness itself breaks (a backend crashing,
the committed ONNX node data differing from the installed package, our reference failing a
published ONNX output).
"""
import argparse
import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, HERE)
import quantspec_runner as runner  # noqa: E402
import summary_table  # noqa: E402

SYSTEM_PYTHON = "/usr/bin/python3"


class Skip(Exception):
    pass


class Harness:
    def __init__(self, args):
        self.args = args
        self.work = os.path.join(os.path.abspath(args.build), "interop")
        os.makedirs(self.work, exist_ok=True)
        self.log_path = os.path.join(self.work, "interop.log")
        self.log = open(self.log_path, "w", encoding="utf-8")
        self.vectors = os.path.join(ROOT, "vectors")

    def run(self, cmd, timeout=600, **kw):
        if "env" in kw:
            self.log.write("$ env %s \\\n" % " ".join("%s=%s" % item for item in kw.pop("env_shown", {}).items()))
        self.log.write("$ %s\n" % " ".join(cmd))
        self.log.flush()
        proc = subprocess.run(cmd, stdout=self.log, stderr=subprocess.STDOUT, timeout=timeout, **kw)
        self.log.flush()
        return proc.returncode

    # --- environments -------------------------------------------------------------------------
    def venv_python(self, packages):
        """The virtual environment under BUILD/interop with `packages` installed from PyPI, or
        Skip(reason). Each backend asks for its own packages, so one that has no wheel for this
        platform skips only its backend."""
        venv = os.path.join(self.work, "venv")
        python = os.path.join(venv, "bin", "python")
        if not os.path.exists(python) and self.run([SYSTEM_PYTHON, "-m", "venv", venv]) != 0:
            raise Skip("python3 -m venv failed (Debian python3-venv missing?)")
        if self.run([python, "-m", "pip", "install", "--disable-pip-version-check", "-q"] + packages,
                    timeout=900) != 0:
            raise Skip("pip install %s failed (no PyPI access, or no wheel for this platform)" % " ".join(packages))
        return python

    def compile(self, name, libraries, headers, flags=()):
        missing = [h for h in headers if not os.path.exists(h)]
        if missing:
            raise Skip("not installed: %s" % ", ".join(missing))
        exe = os.path.join(self.work, name)
        src = os.path.join(HERE, name + ".cc")
        cxx = os.environ.get("CXX", "c++")
        sources = [src, os.path.join(HERE, "driver_common.hpp")]
        if os.path.exists(exe) and all(os.path.getmtime(exe) > os.path.getmtime(f) for f in sources):
            return exe  # built by this run or an earlier one from the same sources
        if self.run([cxx, "-std=c++17", "-O1"] + list(flags) + ["-o", exe, src] + ["-l" + lib for lib in libraries]) != 0:
            raise Skip("%s did not compile (see the log)" % name)
        return exe

    # --- backends -----------------------------------------------------------------------------
    def backend_command(self, name):
        slug = "".join(c if c.isalnum() else "_" for c in name.lower()).strip("_")
        out = os.path.join(self.work, "results-" + slug + ".json")
        if name == "PyTorch":
            if self.run([SYSTEM_PYTHON, "-c", "import torch"]) != 0:
                raise Skip("python3-torch not importable under /usr/bin/python3")
            return [SYSTEM_PYTHON, os.path.join(HERE, "backend_torch.py"), self.vectors, out], out
        if name == "ONNX doc (numpy)":
            return [SYSTEM_PYTHON, os.path.join(HERE, "backend_onnx_numpy.py"), self.vectors, out], out
        if name == "ONNX Runtime":
            return [self.venv_python(["onnxruntime", "onnx"]), os.path.join(HERE, "backend_onnxruntime.py"),
                    self.vectors, out,
                    self.node_cases_path], out
        if name == "ONNX reference (onnx.reference)":
            return [self.venv_python(["onnxruntime", "onnx"]), os.path.join(HERE, "backend_onnx_reference.py"),
                    self.vectors, out], out
        if name == "TFLite (ai-edge-litert)":
            return [self.venv_python(["ai-edge-litert"]), os.path.join(HERE, "backend_litert.py"), self.vectors,
                    out], out
        if name == "XNNPACK":
            exe = self.compile("xnnpack_driver", ["XNNPACK", "pthreadpool", "pthread"],
                               ["/usr/include/xnnpack.h", "/usr/include/pthreadpool.h"])
            return [exe, self.vectors, out], out
        if name == "oneDNN":
            exe = self.compile("onednn_driver", ["dnnl"], ["/usr/include/oneapi/dnnl/dnnl.hpp"])
            return [exe, self.vectors, out], out
        if name == "oneDNN (DNNL_MAX_CPU_ISA=AVX2)":
            exe = self.compile("onednn_driver", ["dnnl"], ["/usr/include/oneapi/dnnl/dnnl.hpp"])
            return [exe, self.vectors, out, name], out
        if name == "gemmlowp":
            exe = self.compile("gemmlowp_driver", [], ["/usr/include/gemmlowp/fixedpoint/fixedpoint.h"],
                               ["-msse4.1"] if os.uname().machine == "x86_64" else [])
            return [exe, self.vectors, out], out
        raise ValueError(name)

    def run_backend(self, name):
        cmd, out = self.backend_command(name)
        if os.path.exists(out):
            os.remove(out)
        extra_env = {"DNNL_MAX_CPU_ISA": "AVX2"} if "DNNL_MAX_CPU_ISA=AVX2" in name else {}
        rc = self.run(cmd, timeout=900, env=dict(os.environ, **extra_env), env_shown=extra_env)
        if rc == 3:  # a backend's way to say "cannot run here" (the reason is the file's "skipped")
            with open(out, encoding="utf-8") as fh:
                raise Skip(json.load(fh)["skipped"])
        if rc != 0:
            raise RuntimeError("%s exited %d (see %s)" % (" ".join(cmd[:2]), rc, self.log_path))
        with open(out, encoding="utf-8") as fh:
            doc = json.load(fh)
        entry = {"backend": doc["backend"], "version": doc.get("version", ""), "status": "ran", "operations": []}
        for op in doc["operations"]:
            entry["operations"].append(self.judge(doc["backend"], op))
        if "node_cases" in doc:
            entry["onnx_node_cases"] = doc["node_cases"]
        return entry

    def judge(self, backend, op):
        if op["family"] == "distinguish":
            return self.judge_distinguish(backend, op)
        family = op["family"]
        vectors_file = os.path.join(self.vectors, family + ".json")
        safe = "".join(c if c.isalnum() else "_" for c in backend + "_" + op["operation"])
        identified, checked = runner.check_and_identify(self.args.quantspec, vectors_file, family, op["results"],
                                                        op.get("claimed"), os.path.join(self.work, safe))
        flags = flags_by_tc_id(vectors_file)
        entry = {"operation": op["operation"], "family": family, "api": op.get("api", ""),
                 "source_says": op["source"]["says"], "source_cite": op["source"]["cite"],
                 "claimed": runner.variant_label(op.get("claimed") or {}) if op.get("claimed") else "(none)",
                 "tests_run": len(op["results"]),
                 "identify": {"consistent": [c["variant"] for c in identified["consistent"]],
                              "policy_only": {c["variant"]: c["policy"] for c in identified["consistent"]
                                              if c["policy"]},
                              "nearest": identified["inconsistent"][:3]}}
        if checked is not None:
            failures = checked["failures"]
            entry["check"] = {"passed": checked["passed"], "failed": checked["failed"],
                              "failures": [{"tcId": f["tcId"], "flags": flags.get(f["tcId"], []), "why": f["why"]}
                                           for f in failures[:40]]}
        for key in ("vector_tail_disagreements", "crashes", "bias_roundtrip", "binary64_scale", "notes"):
            if op.get(key):
                entry[key] = op[key]
        return entry

    def judge_distinguish(self, backend, op):
        """distinguish.json (SPEC Q20): identify --json per variant dimension; no `check` (the
        groups' expected outputs are only the base context, not a claim of the backend's)."""
        vectors_file = os.path.join(self.vectors, "distinguish.json")
        safe = "".join(c if c.isalnum() else "_" for c in backend + "_" + op["operation"])
        got = runner.identify_distinguish(self.args.quantspec, vectors_file, op["results"], os.path.join(self.work, safe))
        entry = {"operation": op["operation"], "family": "distinguish", "api": op.get("api", ""),
                 "source_says": op["source"]["says"], "source_cite": op["source"]["cite"],
                 "claimed": runner.variant_label(op.get("claimed") or {}) if op.get("claimed") else "(none)",
                 "tests_run": len(op["results"]), "identify_exit_status": got["exit_status"],
                 "identify_per_dimension": {name: dict(summary, text=runner.dimension_text(summary))
                                            for name, summary in got["operations"].items()}}
        for key in ("vector_tail_disagreements", "crashes", "bias_roundtrip", "notes"):
            if op.get(key):
                entry[key] = op[key]
        return entry

    # --- ONNX backend node test data -------------------------------------------------------------
    def onnx_node_data(self):
        """Re-extracts the node test data with python3-onnx, compares it with the committed copy
        and runs our reference on it (onnx_node_check)."""
        committed = os.path.join(HERE, "onnx_node_cases.json")
        fresh = os.path.join(self.work, "onnx_node_cases.json")
        self.node_cases_path = committed
        result = {"extracted": False}
        if self.run([SYSTEM_PYTHON, "-c", "import onnx"]) != 0 or not os.path.isdir("/usr/share/libonnx-testdata"):
            result["skipped"] = "python3-onnx or libonnx-testdata not installed; the committed copy is used"
            return result
        if self.run([SYSTEM_PYTHON, os.path.join(HERE, "onnx_node_cases.py"), fresh]) != 0:
            raise RuntimeError("onnx_node_cases.py failed (see %s)" % self.log_path)
        with open(fresh, encoding="utf-8") as a, open(committed, encoding="utf-8") as b:
            result["extracted"] = True
            result["same_as_committed"] = json.load(a)["cases"] == json.load(b)["cases"]
        checker = os.path.join(os.path.abspath(self.args.build), "bin", "quantspec_onnx_node_check")
        if not os.path.exists(checker):
            print("interop:   %s not built: our reference is not run on the node data" % checker, flush=True)
        else:
            proc = subprocess.run([checker, fresh], capture_output=True, text=True)
            self.log.write(proc.stdout + proc.stderr)
            result["reference"] = json.loads(proc.stdout) if proc.stdout.strip().startswith("{") else {
                "error": proc.stderr.strip()[:200]}
        return result


def machine():
    """What the results may depend on: the CPU's SIMD features (oneDNN and XNNPACK pick kernels by them)."""
    flags, model = set(), ""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("flags") and not flags:
                    flags = set(line.split(":", 1)[1].split())
                elif line.startswith("model name") and not model:
                    model = line.split(":", 1)[1].strip()
    except OSError:
        pass
    wanted = ["sse4_1", "avx2", "avx512f", "avx512bw", "avx512_vnni", "avx_vnni", "amx_int8"]
    return {"arch": os.uname().machine, "cpu": model, "simd": [f for f in wanted if f in flags]}


def flags_by_tc_id(vectors_file):
    with open(vectors_file, encoding="utf-8") as fh:
        doc = json.load(fh)
    return {t["tcId"]: t.get("flags", []) for g in doc["testGroups"] for t in g["tests"]}


BACKENDS = ["PyTorch", "ONNX doc (numpy)", "ONNX reference (onnx.reference)", "ONNX Runtime", "TFLite (ai-edge-litert)", "XNNPACK", "oneDNN",
            "oneDNN (DNNL_MAX_CPU_ISA=AVX2)", "gemmlowp"]


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quantspec", required=True, help="the quantspec binary (build/bin/quantspec)")
    parser.add_argument("--build", default=os.path.join(ROOT, "build"), help="build directory (work files, log)")
    parser.add_argument("--summary", default=os.path.join(HERE, "summary.json"))
    parser.add_argument("--readme", default=os.path.join(ROOT, "README.md"))
    parser.add_argument("--only", action="append", help="run only these backends (the summary keeps the others)")
    args = parser.parse_args(argv[1:])
    h = Harness(args)
    print("interop: log (compiler, pip, backend output): %s" % h.log_path, flush=True)
    start = time.time()
    summary = {"generated_by": "make interop (tools/interop/run_interop.py)", "machine": machine(), "backends": []}
    if args.only and os.path.exists(args.summary):
        with open(args.summary, encoding="utf-8") as fh:
            summary = json.load(fh)
    failed = False
    print("interop: ONNX backend node test data ...", flush=True)
    node = h.onnx_node_data()
    summary["onnx_node_data"] = node
    if node.get("extracted") and not node.get("same_as_committed"):
        print("interop:   the installed node test data differ from tools/interop/onnx_node_cases.json", flush=True)
        failed = True
    ref = node.get("reference", {})
    if ref.get("failed"):
        print("interop:   our reference differs from %d published ONNX outputs" % ref["failed"], flush=True)
        failed = True
    names = [n for n in BACKENDS if not args.only or n in args.only]
    by_name = {b["name"]: b for b in summary["backends"]}
    for k, name in enumerate(names, 1):
        t0 = time.time()
        print("interop: [%d/%d] %s ..." % (k, len(names), name), end="", flush=True)
        try:
            entry = h.run_backend(name)
            print(" ran %d operations (%.0f s)" % (len(entry["operations"]), time.time() - t0), flush=True)
        except Skip as s:
            entry = {"status": "skipped", "reason": str(s), "operations": []}
            print(" skipped: %s" % s, flush=True)
        except Exception as e:  # noqa: BLE001  (report and go on with the next backend)
            entry = {"status": "error", "reason": str(e)[:300], "operations": []}
            print(" ERROR: %s" % e, flush=True)
            failed = True
        entry["name"] = name
        by_name[name] = entry
    summary["backends"] = [by_name[n] for n in BACKENDS if n in by_name]
    with open(args.summary, "w", encoding="utf-8") as fh:
        json.dump(summary, fh, indent=1, sort_keys=True)
        fh.write("\n")
    summary_table.write_readme(args.readme, summary)
    print("interop: summary %s, README section \"Real backends\" updated (%.0f s)" %
          (os.path.relpath(args.summary, ROOT), time.time() - start), flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
