#!/usr/bin/env python3
"""Keeps the system table of SPEC.md Q11.6 in step with the names the code knows.

1. Every backquoted name in the requantization, derivation and Zy-entry columns is a name of
   that dimension: RequantVariant / Derivation / ZeroPointEntry (reference/src/variants.cpp),
   DeployedRequant (reference/src/deployed_requantize.cpp), TvmFloatRounding (Q11.11,
   reference/src/binary32_requantize.cpp), or a Q20.3 pipeline
   (vectors/src/dimensions.cpp) with its Rounding (variants.cpp) for the float pipelines.
2. Every requantization variant except `ideal`, and every deployed member, is named by a row.
3. Every row names a source.
4. The quantize table of Q11.9 names Division / Rounding names (variants.cpp) or a quantize
   member declared in reference/include/quantspec/reference/deployed_quantize.hpp, a
   ZeroPointEntry, and a source; every such declared member is named by a row.
5. The policy table of Q11.13 names a policy dimension (edge_policy, left_shift_overflow,
   accumulation) and one of its members as the code names them, a source, and read/run.
Prints each problem and exits 1 if there is any.
"""
import pathlib
import re
import sys

root = pathlib.Path(__file__).resolve().parents[2]
spec = (root / "reference" / "SPEC.md").read_text(encoding="utf-8")
variants_cpp = (root / "reference" / "src" / "variants.cpp").read_text(encoding="utf-8")
deployed_cpp = (root / "reference" / "src" / "deployed_requantize.cpp").read_text(encoding="utf-8")
dimensions_cpp = (root / "vectors" / "src" / "dimensions.cpp").read_text(encoding="utf-8")
binary32_cpp = (root / "reference" / "src" / "binary32_requantize.cpp").read_text(encoding="utf-8")


def names(enum, text):
    """The names of `enum`'s name table: entries written {Enum::value, "name"}."""
    return {n for _, n in re.findall(r"\{\s*" + enum + r"::(\w+)\s*,\s*\"(\w+)\"\s*\}", text)}


requant = names("RequantVariant", variants_cpp)
deployed = names("DeployedRequant", deployed_cpp) | names("TvmFloatRounding", binary32_cpp)
roundings = names("Rounding", variants_cpp)
pipeline_list = re.search(r'\{"pipeline", \{([^}]*)\}', dimensions_cpp)
pipelines = set(re.findall(r'"(\w+)"', pipeline_list.group(1))) if pipeline_list else set()
derivations = names("Derivation", variants_cpp)
entries = names("ZeroPointEntry", variants_cpp)
problems = []
for label, found in (("RequantVariant", requant), ("DeployedRequant", deployed),
                     ("Derivation", derivations), ("ZeroPointEntry", entries),
                     ("Rounding", roundings), ("Q20.3 pipeline", pipelines)):
    if not found:
        problems.append(f"no {label} names found in the code (name table moved?)")

section = re.search(r"^### Q11\.6 .*?$(.*?)(?=^#{2,3} |\Z)", spec, flags=re.M | re.S)
rows = []
if not section:
    problems.append("SPEC.md has no section Q11.6")
else:
    for line in section.group(1).splitlines():
        if not line.startswith("|") or line.startswith("|---") or line.startswith("| system"):
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 6:
            problems.append(f"row with {len(cells)} cells, expected 6: {line}")
            continue
        rows.append(cells)
if section and not rows:
    problems.append("the Q11.6 table has no rows")

columns = ((1, "requantization", requant | deployed | pipelines | roundings),
           (2, "derivation", derivations),
           (3, "Zy entry", entries))
used = set()
for cells in rows:
    for index, label, known in columns:
        cell = cells[index]
        tokens = re.findall(r"`([^`]+)`", cell)
        if not tokens and cell != "—":
            problems.append(f"{cells[0]}: {label} cell '{cell}' is neither backquoted names nor —")
        for token in tokens:
            if token not in known:
                problems.append(f"{cells[0]}: {label} '{token}' is not a name the code knows "
                                f"(known: {', '.join(sorted(known))})")
            if index == 1 and token not in roundings:
                used.add(token)
    if not cells[4]:
        problems.append(f"{cells[0]}: no source")
for name in sorted((requant - {"ideal"}) | deployed | (pipelines - requant - {"ideal"})):
    if name not in used:
        problems.append(f"requantization '{name}' is named by no row of the Q11.6 table")

deployed_quantize_hpp = (root / "reference" / "include" / "quantspec" / "reference" /
                         "deployed_quantize.hpp").read_text(encoding="utf-8")
divisions = names("Division", variants_cpp)
quantize_members = set(re.findall(r"^Integer (quantize_tflite_\w+)\(", deployed_quantize_hpp, flags=re.M))
quantize_section = re.search(r"^### Q11\.9 .*?$(.*?)(?=^#{2,3} |\Z)", spec, flags=re.M | re.S)
if not divisions:
    problems.append("no Division names found in the code (name table moved?)")
if not quantize_section:
    problems.append("SPEC.md has no section Q11.9")
else:
    quantize_rows = []
    for line in quantize_section.group(1).splitlines():
        if not line.startswith("|") or line.startswith("|---") or line.startswith("| path"):
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 6:
            problems.append(f"Q11.9 row with {len(cells)} cells, expected 6: {line}")
            continue
        quantize_rows.append(cells)
    if not quantize_rows:
        problems.append("the Q11.9 table has no rows")
    named = set()
    for cells in quantize_rows:
        for index, label, known in ((2, "quantize member", divisions | roundings | quantize_members),
                                    (3, "Z entry", entries)):
            tokens = re.findall(r"`([^`]+)`", cells[index])
            if not tokens:
                problems.append(f"Q11.9 {cells[0]}: {label} cell '{cells[index]}' names nothing")
            for token in tokens:
                if token not in known:
                    problems.append(f"Q11.9 {cells[0]}: {label} '{token}' is not a name the code knows")
                named.add(token)
        if not cells[4]:
            problems.append(f"Q11.9 {cells[0]}: no source")
    for member in sorted(quantize_members - named):
        problems.append(f"quantize member '{member}' is named by no row of the Q11.9 table")

# 5. The policy table of Q11.13: each row's dimension is a policy dimension of Q20 and its member
#    a member of that dimension as the code names them (edge_policy.cpp; dimensions.cpp).
edge_policy_cpp = (root / "reference" / "src" / "edge_policy.cpp").read_text(encoding="utf-8")
policy_members = {
    "edge_policy": set(re.findall(r'case EdgePolicy::\w+: return "(\w+)";', edge_policy_cpp)),
}
for dimension in ("left_shift_overflow", "accumulation"):
    found = re.search(r'\{"' + dimension + r'", \{([^}]*)\}', dimensions_cpp)
    policy_members[dimension] = set(re.findall(r'"(\w+)"', found.group(1))) if found else set()
for dimension, found in policy_members.items():
    if not found:
        problems.append(f"no {dimension} members found in the code (name table moved?)")
policy_section = re.search(r"^### Q11\.13 .*?$(.*?)(?=^#{2,3} |\Z)", spec, flags=re.M | re.S)
if not policy_section:
    problems.append("SPEC.md has no section Q11.13")
else:
    policy_rows = 0
    for line in policy_section.group(1).splitlines():
        if not line.startswith("|") or line.startswith("|---") or line.startswith("| system"):
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 5:
            problems.append(f"Q11.13 row with {len(cells)} cells, expected 5: {line}")
            continue
        policy_rows += 1
        system, dimension, member, source, checked = cells
        if dimension not in policy_members:
            problems.append(f"Q11.13 {system}: '{dimension}' is not a policy dimension "
                            f"({', '.join(sorted(policy_members))})")
            continue
        tokens = re.findall(r"`([^`]+)`", member)
        if len(tokens) != 1 or tokens[0] not in policy_members[dimension]:
            problems.append(f"Q11.13 {system}: member '{member}' is not one {dimension} member the code "
                            f"knows ({', '.join(sorted(policy_members[dimension]))})")
        if not source:
            problems.append(f"Q11.13 {system}: no source")
        if not {w.strip() for w in checked.split(",")} <= {"read", "run"}:
            problems.append(f"Q11.13 {system}: checked '{checked}' is not read and/or run")
    if policy_rows == 0:
        problems.append("the Q11.13 table has no rows")

for p in problems:
    print(p)
sys.exit(1 if problems else 0)
