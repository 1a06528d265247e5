#!/usr/bin/env python3
"""Holds the layering rules of DESIGN.md ("Layers") by reading every #include "…" line under src/.

A folder is the first path component under src/ (common, geo, http …), except that each domain/<module>
and store/sqlite count as folders of their own. The rules:
  1. domain/* includes nothing from http/ or store/ (store/sqlite/ included): a domain module owns its
     store interface, and the store implements it.
  2. common includes only common; geo, calendar and privacy include only themselves and common.
  3. ledger includes no domain module.
  4. No cycles between folders. Unit tests (*_test.cc) obey rules 1-3 but add no edges here: they sit
     beside their source yet link into the one test binary, above every folder.
Each offence is printed as file:line. Run by ctest as `layering`; see docs/architecture.md.

KNOWN_OFFENCES lists includes that break a rule today in code someone else is rewriting: each is printed
as a reminder and its edge is left out of the cycle check, and an entry that no longer matches fails the
test, so the list only shrinks. Never add to it to get a new include past the check.

usage: check_layering.py SOURCE_DIR
"""
import pathlib
import re
import sys

INCLUDE = re.compile(r'^\s*#\s*include\s*"([^"]+)"')
BASE = {"geo", "calendar", "privacy"}

# (including file under src/, included path as written) -> why it is still there and how it goes away.
KNOWN_OFFENCES = {}


def folder_of(rel):
    """The folder of a path relative to src/ ("domain/cases/case.h" -> "domain/cases")."""
    parts = pathlib.PurePosixPath(rel).parts
    if len(parts) >= 3 and (parts[0] == "domain" or parts[:2] == ("store", "sqlite")):
        return f"{parts[0]}/{parts[1]}"
    return parts[0] if len(parts) > 1 else "."


def resolve(src, including, target):
    """The included file relative to src/: from src/ (our convention), else beside the including file."""
    if (src / target).is_file():
        return pathlib.PurePosixPath(target).as_posix()
    beside = (src / including).parent / target
    if beside.is_file():
        return beside.resolve().relative_to(src.resolve()).as_posix()
    return pathlib.PurePosixPath(target).as_posix()  # not found (generated?): judge it by its spelling


def rule_offence(frm, to, target):
    if frm.startswith("domain/") and (to == "http" or to == "store" or to.startswith("store/")):
        return f"domain module {frm} includes {target} (domain never includes http/ or store/)"
    if frm == "common" and to != "common":
        return f"common includes {target} (common includes only itself)"
    if frm in BASE and to not in (frm, "common"):
        return f"{frm} includes {target} ({frm} includes only itself and common)"
    if frm == "ledger" and to.startswith("domain/"):
        return f"ledger includes {target} (ledger knows no domain module)"
    return None


def cycles(edges):
    """Strongly connected components with more than one folder (Tarjan), each as a sorted list."""
    index, low, on_stack, stack, out = {}, {}, set(), [], []
    nodes = sorted({a for a, _ in edges} | {b for _, b in edges})
    succ = {n: sorted({b for a, b in edges if a == n and b != n}) for n in nodes}

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in succ[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for n in nodes:
        if n not in index:
            visit(n)
    return out


def shortest_loop(comp, edges):
    """One shortest cycle through the first folder of a strongly connected component, closed: [a, …, a]."""
    start = comp[0]
    prev, frontier = {start: None}, [start]
    while frontier:
        nxt = []
        for v in frontier:
            for w in sorted(b for (a, b) in edges if a == v and b in comp):
                if w == start:
                    path = [v]  # back from v to start
                    while prev[path[-1]] is not None:
                        path.append(prev[path[-1]])
                    return path[::-1] + [start]
                if w not in prev:
                    prev[w] = v
                    nxt.append(w)
        frontier = nxt
    return comp + [comp[0]]


def main():
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    src = pathlib.Path(sys.argv[1]) / "src"
    offences, known = [], []
    unused = set(KNOWN_OFFENCES)
    edges = {}  # (from folder, to folder) -> ["file:line", …]
    files = sorted(p for p in src.rglob("*") if p.suffix in (".h", ".cc"))
    for path in files:
        rel = path.relative_to(src).as_posix()
        frm = folder_of(rel)
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            m = INCLUDE.match(line)
            if not m:
                continue
            target = resolve(src, rel, m.group(1))
            to = folder_of(target)
            where = f"src/{rel}:{n}"
            if (rel, m.group(1)) in KNOWN_OFFENCES:
                unused.discard((rel, m.group(1)))
                known.append(f"{where}: known, to fix: {KNOWN_OFFENCES[(rel, m.group(1))]}")
                continue
            if problem := rule_offence(frm, to, target):
                offences.append(f"{where}: {problem}")
            if frm != to and not path.name.endswith("_test.cc"):
                edges.setdefault((frm, to), []).append(where)

    for comp in cycles(edges):
        loop = shortest_loop(comp, edges)
        offences.append(f"cycle between folders {' -> '.join(loop)}; the includes that make it:")
        for a, b in zip(loop, loop[1:]):
            for where in edges[(a, b)]:
                offences.append(f"  {where}: {a} -> {b}")

    for rel, target in sorted(unused):
        offences.append(f"src/{rel}: no longer includes {target}: remove it from KNOWN_OFFENCES")

    for k in known:
        print(k)
    for o in offences:
        print(o)
    print(f"layering: {len(files)} files, {sum(1 for o in offences if not o.startswith(' '))} offences")
    return 1 if offences else 0


if __name__ == "__main__":
    sys.exit(main())
