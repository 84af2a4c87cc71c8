#!/usr/bin/python3
"""Renders tools/interop/summary.json (written by `make interop`) as the README table of the
section "Real backends", between the BEGIN/END markers below.

  summary_table.py --check README.md SUMMARY.json   exit 1 if the README table is not the rendering
  summary_table.py --write README.md SUMMARY.json   replace the table in the README

The CTest test interop.readme_table_matches_summary runs --check, so the table cannot drift
from the committed summary. Standard library only.
"""
import json
import sys

BEGIN = "<!-- BEGIN interop table: rendered from tools/interop/summary.json by tools/interop/summary_table.py -->"
END = "<!-- END interop table -->"
MAX_IDS = 6
# The flags that name *why* a test differs (policy and parameter edges); others are grouped as "other".
POLICY_FLAGS = ["nan_input", "nan_quotient", "infinite_input", "invalid_parameter", "subnormal_scale",
                "subnormal_input", "quotient_beyond_int32", "fake_quant_special_input", "accumulator_wrap",
                "int16_pair_saturation", "left_shift_saturation", "result_saturates_int32", "odd_zero_point",
                "zero_point_entry_differs", "binary32_intermediate_tie", "two_rounding_scale", "scale_floor",
                "published_value", "inexact_result", "result_rounding_tie", "subnormal_result", "tie_even_positive", "tie_odd_positive", "tie_even_negative", "tie_odd_negative",
                "fake_quant_boundary", "clamp_high", "clamp_low"]


def cell(text):
    return str(text).replace("|", "\\|").replace("\n", " ")


def ids(values):
    shown = ", ".join(str(v) for v in values[:MAX_IDS])
    return shown + (", ..." if len(values) > MAX_IDS else "")


def differences(op):
    if "identify_per_dimension" in op:
        parts = [policy_differences(n, d) for n, d in sorted(op["identify_per_dimension"].items())]
        if op.get("vector_tail_disagreements"):
            parts.append("vector loop and scalar tail disagree on tcId " + ids(op["vector_tail_disagreements"]))
        if op.get("crashes"):
            parts.append("**the process crashes** (not run) on tcId " + ids(op["crashes"]))
        return "<br>".join(parts)
    check = op.get("check")
    if check is None:
        return "no group of the source's variant in the vectors"
    parts = []
    if check["failed"] == 0:
        parts.append("none (%d tests)" % check["passed"])
    else:
        groups = {}
        for f in check["failures"]:
            reason = next((flag for flag in POLICY_FLAGS if flag in f["flags"]), "other")
            groups.setdefault(reason, []).append(f["tcId"])
        shown = sum(len(v) for v in groups.values())
        text = "; ".join("`%s` tcId %s" % (reason, ids(tc)) for reason, tc in sorted(groups.items()))
        more = " (first %d listed)" % shown if shown < check["failed"] else ""
        parts.append("**%d of %d**: %s%s" % (check["failed"], check["passed"] + check["failed"], text, more))
    if op.get("vector_tail_disagreements"):
        parts.append("vector loop and scalar tail disagree on tcId " + ids(op["vector_tail_disagreements"]))
    if op.get("crashes"):
        parts.append("**the process crashes** (not run) on tcId " + ids(op["crashes"]))
    if op.get("bias_roundtrip"):
        parts.append("float bias does not round-trip on tcId " + ids(op["bias_roundtrip"]))
    if op.get("binary64_scale"):
        parts.append("binary64 scale (not a binary32) on %d tests" % len(op["binary64_scale"]))
    return "; ".join(parts)


def verdict(ident):
    if ident["consistent"]:
        policy = ident.get("policy_only", {})

        def named(c):
            if c not in policy:
                return "`%s`" % c
            return "`%s` (apart from policy tests: %s)" % (c, ", ".join("%s %d" % kv for kv in sorted(policy[c].items())))
        return "consistent with " + "; ".join(named(c) for c in ident["consistent"])
    nearest = ", ".join("`%s` (%d of %d)" % (v["variant"], v["mismatches"], v["run"]) for v in ident["nearest"])
    return "no named variant; nearest: " + nearest


def dimensions_verdict(name, d):
    """distinguish.json, one operation: the members per dimension, and how far the best combination is."""
    head = "%s: %s" % (name, d["text"])
    if d["identified"]:
        head += " (0 of %d arithmetic tests differ)" % d["arithmetic_run"]
    else:
        head += " (**no combination matches**: best %s, %d of %d arithmetic tests differ)" % (
            "; ".join("`%s`" % b for b in d["best"]) or "none", d["best_mismatches"], d["arithmetic_run"])
    return head


# The conforming member of each policy dimension (reference/SPEC.md Q20 table).
CONFORMING_POLICY = {"edge_policy": "spec", "left_shift_overflow": "saturate", "int32_overflow": "wrap"}


def policy_differences(name, d):
    """Where the backend leaves the conforming member of a policy dimension (tcIds of the policy
    tests that differ from it) and which parameters it accepts differently from the spec."""
    parts = []
    for dim in d["dimensions"]:
        if not dim["policy"] or not dim["tests"]:
            continue
        conforming = CONFORMING_POLICY.get(dim["name"])
        member = next((m for m in dim["members"] if m[0] == conforming), None)
        if member is None:
            parts.append("%s: %s" % (dim["name"], " = ".join(dim["consistent"]) or "no member"))
        elif member[1] == 0:
            parts.append("%s `%s` (conforming, %d policy tests)" % (dim["name"], conforming, dim["tests"]))
        else:
            parts.append("%s **%s**, not `%s`: %d of %d policy tests (tcId %s)" % (
                dim["name"], " = ".join(dim["consistent"]) or "no member", conforming, member[1], dim["tests"],
                ids(member[2])))
    if d["rejected_valid"]:
        parts.append("rejects %d valid tests (tcId %s)" % (len(d["rejected_valid"]), ids(d["rejected_valid"])))
    if d["accepted_invalid"]:
        parts.append("computes %d invalid tests (tcId %s)" % (len(d["accepted_invalid"]), ids(d["accepted_invalid"])))
    return "%s: %s" % (name, "; ".join(parts) if parts else "no policy test run; parameters accepted as the spec")


def identify_cell(op):
    if "identify_per_dimension" in op:
        return "<br>".join(dimensions_verdict(n, d) for n, d in sorted(op["identify_per_dimension"].items()))
    return verdict(op["identify"])


def render(summary):
    m = summary.get("machine", {})
    lines = [BEGIN, "",
             "Run on %s (%s; %s)." % (m.get("arch", "?"), m.get("cpu", "?"), ", ".join(m.get("simd", []))), "",
             "| Backend | Operation (vectors family) | Source code says | `identify` names | "
             "Differences from the source's variant (`check`) |",
             "|---|---|---|---|---|"]
    notes = []
    for b in summary["backends"]:
        name = b["name"] + (" %s" % b["version"] if b.get("version") else "")
        if b["status"] != "ran":
            lines.append("| %s | — | — | %s: %s | — |" % (cell(name), b["status"], cell(b.get("reason", ""))))
            continue
        for op in b["operations"]:
            notes.append("%s, %s: %s (`%s`)" % (b["name"], op["operation"], op["source_says"], op["source_cite"]))
            claimed = "`%s`" % op["claimed"] if op["claimed"] != "(none)" else "(no variants)"
            operation = op["operation"]
            if op["family"] not in operation:
                operation += " (%s)" % op["family"]
            lines.append("| %s | %s | %s [%d] | %s | %s |" % (
                cell(name), cell(operation), cell(claimed), len(notes),
                cell(identify_cell(op)), cell(differences(op))))
    lines.append("")
    node = summary.get("onnx_node_data", {})
    ref = node.get("reference", {})
    if ref.get("cases") is not None:
        line = "ONNX backend node test data (%d cases, read with protobuf): our reference reproduces %d bit-exactly" % (
            ref["cases"], ref["cases"] - ref["failed"])
        if ref.get("failures"):
            line += "; differs on " + ", ".join("%s (%s)" % (f["case"], f["why"]) for f in ref["failures"])
        for b in summary["backends"]:
            if b.get("onnx_node_cases"):
                ok = sum(1 for c in b["onnx_node_cases"] if c["ok"])
                line += "; %s reproduces %d of %d" % (b["name"], ok, len(b["onnx_node_cases"]))
                bad = [c["case"] for c in b["onnx_node_cases"] if not c["ok"]]
                if bad:
                    line += " (not: %s)" % ", ".join(bad)
        lines += [line + ".", ""]
    lines.append("Sources:")
    lines.append("")
    for k, note in enumerate(notes, 1):
        lines.append("%d. %s" % (k, cell(note)))
    lines += ["", END]
    return "\n".join(lines) + "\n"


def split(readme_text):
    start = readme_text.find(BEGIN)
    end = readme_text.find(END)
    if start < 0 or end < start:
        raise ValueError("README has no interop table markers")
    return readme_text[:start], readme_text[start:end + len(END) + 1], readme_text[end + len(END) + 1:]


def write_readme(readme_path, summary):
    with open(readme_path, encoding="utf-8") as fh:
        text = fh.read()
    head, _, tail = split(text)
    with open(readme_path, "w", encoding="utf-8") as fh:
        fh.write(head + render(summary) + tail)


def main(argv):
    if len(argv) != 4 or argv[1] not in ("--check", "--write"):
        print(__doc__)
        return 0 if len(argv) == 2 and argv[1] in ("-h", "--help") else 2
    readme_path, summary_path = argv[2], argv[3]
    with open(summary_path, encoding="utf-8") as fh:
        summary = json.load(fh)
    if argv[1] == "--write":
        write_readme(readme_path, summary)
        return 0
    with open(readme_path, encoding="utf-8") as fh:
        _, table, _ = split(fh.read())
    if table != render(summary):
        print("README.md: the \"Real backends\" table differs from the rendering of %s; "
              "run make interop (or summary_table.py --write)" % summary_path)
        return 1
    print("README.md table matches %s" % summary_path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
