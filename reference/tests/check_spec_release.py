#!/usr/bin/env python3
"""SPEC.md is citable (SPEC.md "Versions and citation"): a released section number never moves.

Checks, against every list of released sections kept in reference/spec/sections-<version>.txt:
  - each released number is still a heading of SPEC.md with the same title, or a stub whose
    title says "withdrawn" (and what replaced it);
  - no number is used by two headings;
  - the version SPEC.md states has a changelog entry.
With --html FILE (SPEC.md rendered by `make spec`, pandoc with reference/spec/anchors.lua) it
also checks that the page has an anchor id="Qn.m" for every numbered heading.
"""
import argparse
import html.parser
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]
SPEC = ROOT / "reference" / "SPEC.md"
RELEASES = ROOT / "reference" / "spec"
HEADING = re.compile(r"^#{2,4} (?:Example )?(Q\d+(?:\.E?\d+)?)\b\s*(.*)$")


def numbered_headings(text):
    """(number, title, line) of every numbered heading, in order."""
    found = []
    for line_number, line in enumerate(text.splitlines(), 1):
        m = HEADING.match(line)
        if m:
            found.append((m.group(1), m.group(2).strip(), line_number))
    return found


def released_lists():
    for path in sorted(RELEASES.glob("sections-*.txt")):
        entries = []
        for raw in path.read_text(encoding="utf-8").splitlines():
            if not raw.strip() or raw.startswith("#"):
                continue
            number, _, title = raw.partition("\t")
            entries.append((number, title.strip()))
        yield path, entries


class AnchorCollector(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids = set()

    def handle_starttag(self, tag, attrs):
        for key, value in attrs:
            if key == "id" and value:
                self.ids.add(value)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--html", help="SPEC.md rendered by `make spec`: check its anchors")
    args = parser.parse_args()

    text = SPEC.read_text(encoding="utf-8")
    headings = numbered_headings(text)
    errors = []

    by_number = {}
    for number, title, line in headings:
        if number in by_number:
            errors.append(f"SPEC.md:{line}: {number} is already the heading of line "
                          f"{by_number[number][1]} (a number names one section)")
        else:
            by_number[number] = (title, line)

    lists = list(released_lists())
    if not lists:
        errors.append(f"no released section list in {RELEASES} (sections-<version>.txt)")
    for path, entries in lists:
        for number, title in entries:
            if number not in by_number:
                errors.append(f"{path.name}: released section {number} ({title}) is gone from "
                              "SPEC.md: keep it, as a stub saying what replaced it if withdrawn")
                continue
            now = by_number[number][0]
            if now != title and "withdrawn" not in now.lower():
                errors.append(f"SPEC.md:{by_number[number][1]}: released section {number} was "
                              f"'{title}', is now '{now}' (renumbered or reused?)")

    version = re.search(r"^Version (\d+\.\d+)", text, re.MULTILINE)
    if not version:
        errors.append("SPEC.md states no 'Version X.Y' line")
    elif not re.search(rf"^### {re.escape(version.group(1))}\b", text, re.MULTILINE):
        errors.append(f"SPEC.md's changelog has no '### {version.group(1)}' entry")

    if args.html:
        collector = AnchorCollector()
        collector.feed(pathlib.Path(args.html).read_text(encoding="utf-8"))
        for number, title, line in headings:
            if number not in collector.ids:
                errors.append(f"{args.html}: no anchor id=\"{number}\" for SPEC.md:{line} "
                              f"({number} {title})")

    for e in errors:
        print(e, file=sys.stderr)
    if errors:
        return 1
    print(f"{len(headings)} numbered headings; "
          f"{sum(len(e) for _, e in lists)} released numbers kept"
          + (f"; every one has an anchor in {args.html}" if args.html else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
