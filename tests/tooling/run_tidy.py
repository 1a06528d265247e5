#!/usr/bin/env python3
"""Runs clang-tidy (the repository's .clang-tidy) over the product sources: every .cc under src/ in the
build's compile_commands.json except unit tests (their headers are checked through them). Any finding
fails (.clang-tidy makes every warning an error), except those in KNOWN_FINDINGS. Run by ctest as `tidy`
and by `make tidy`.

KNOWN_FINDINGS holds findings in code that others are rewriting and this change must not touch: each is
printed as a reminder, a count that differs fails (a new finding of the same kind, or a fixed one: then
lower or remove the entry), so the list only shrinks. Never add to it to get new code past the check.

usage: run_tidy.py SOURCE_DIR BUILD_DIR [--jobs 2] [--all] [--clang-tidy clang-tidy-14] [FILE …]
  --all   every translation unit in the build (tests too): slower, for a one-off sweep
  FILE    only these files (paths as in compile_commands.json, or relative to SOURCE_DIR)
"""
import argparse
import collections
import concurrent.futures
import json
import pathlib
import re
import shutil
import subprocess
import sys
import time

# (file under the source dir, check) -> (how many, why it is still there).
KNOWN_FINDINGS = {}

DIAGNOSTIC = re.compile(r"^(?P<file>/[^:]+):(?P<line>\d+):(?P<col>\d+): (?:error|warning): .*"
                        r"\[(?P<check>[^,\]]+)(?:,-warnings-as-errors)?\]$")


def findings_of(output):
    """{(file, line, col, check): text} for each diagnostic in clang-tidy's output, notes included."""
    found, key = {}, None
    for line in output.splitlines():
        if m := DIAGNOSTIC.match(line):
            key = (m["file"], int(m["line"]), int(m["col"]), m["check"])
            found.setdefault(key, [])
        if key is not None and key in found:
            found[key].append(line)
    return {k: "\n".join(v) for k, v in found.items()}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("source_dir", type=pathlib.Path)
    ap.add_argument("build_dir", type=pathlib.Path)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--all", action="store_true")
    ap.add_argument("--clang-tidy", default="clang-tidy-14")
    ap.add_argument("files", nargs="*", type=pathlib.Path)
    args = ap.parse_args()
    if not shutil.which(args.clang_tidy):
        print(f"{args.clang_tidy} not found: install the Debian package clang-tidy-14 (`make deps` does)",
              file=sys.stderr)
        return 1
    root = args.source_dir.resolve()
    src = root / "src"
    db = args.build_dir / "compile_commands.json"
    if not db.is_file():
        print(f"{db} is missing: configure with CMAKE_EXPORT_COMPILE_COMMANDS=ON (the top CMakeLists.txt sets it)",
              file=sys.stderr)
        return 1

    units = sorted({pathlib.Path(e["directory"], e["file"]).resolve() for e in json.loads(db.read_text())})
    if args.files:
        wanted = {(f if f.is_absolute() else root / f).resolve() for f in args.files}
        units = [u for u in units if u in wanted]
    elif not args.all:
        units = [u for u in units if u.is_relative_to(src) and not u.name.endswith("_test.cc")]

    def tidy(unit):
        t0 = time.monotonic()
        r = subprocess.run([args.clang_tidy, "-p", str(args.build_dir), "--quiet", str(unit)],
                           capture_output=True, text=True)
        return unit, r.returncode, r.stdout + r.stderr, time.monotonic() - t0

    started = time.monotonic()
    findings, broken = {}, []
    with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
        for unit, rc, out, seconds in pool.map(tidy, units):
            found = findings_of(out)
            findings.update(found)  # a header's finding comes once per unit that includes it: keep one
            if rc != 0 and not found:
                broken.append(unit)
                print(out)
            print(f"{'FAILED' if rc else 'ok':6} {seconds:5.1f} s  {unit.relative_to(root)}", file=sys.stderr)

    def rel(path):
        p = pathlib.Path(path)
        return p.relative_to(root).as_posix() if p.is_relative_to(root) else path

    counts = collections.Counter((rel(f), check) for f, _, _, check in findings)
    problems = 0
    for key, text in sorted(findings.items()):
        if (rel(key[0]), key[3]) not in KNOWN_FINDINGS:
            print(text)
            problems += 1
    for (path, check), (n, why) in sorted(KNOWN_FINDINGS.items()):
        if (root / path).resolve() in units:  # judged only when its file was run
            got = counts.get((path, check), 0)
            if got == n:
                print(f"known, to fix: {path}: {n} × {check}: {why}")
            else:
                print(f"{path}: {got} × {check}, KNOWN_FINDINGS says {n}: correct the entry in {__file__}")
                problems += 1
    problems += len(broken)
    print(f"clang-tidy: {len(units)} files, {problems} problems, {time.monotonic() - started:.0f} s "
          f"with {args.jobs} jobs")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
