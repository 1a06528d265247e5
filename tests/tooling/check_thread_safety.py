#!/usr/bin/env python3
"""Compiles every product .cc under src/ with clang's -Wthread-safety as an error (syntax only: no code is
generated, so it is fast), then checks that the analysis is live: the canary beside this script must fail
on exactly the lines it marks. Run by ctest as `thread_safety`; see docs/architecture.md.

usage: check_thread_safety.py SOURCE_DIR [--compiler clang++-14] [--jobs 2]
"""
import argparse
import concurrent.futures
import pathlib
import re
import shutil
import subprocess
import sys
import time


def compile_one(compiler, flags, path):
    r = subprocess.run([compiler, *flags, str(path)], capture_output=True, text=True)
    return path, r.returncode, r.stderr


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("source_dir", type=pathlib.Path)
    ap.add_argument("--compiler", default="clang++-14")
    ap.add_argument("--jobs", type=int, default=2)
    args = ap.parse_args()
    if not shutil.which(args.compiler):
        print(f"{args.compiler} not found: install the Debian package clang-14 (`make deps` does)", file=sys.stderr)
        return 1
    root = args.source_dir.resolve()
    src = root / "src"
    flags = ["-std=c++20", f"-I{src}", "-fsyntax-only", "-Wthread-safety", "-Werror"]

    started = time.monotonic()
    sources = sorted(p for p in src.rglob("*.cc") if not p.name.endswith("_test.cc"))
    failed = 0
    with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
        for path, rc, err in pool.map(lambda p: compile_one(args.compiler, flags, p), sources):
            if rc != 0:
                failed += 1
                print(f"FAILED {path.relative_to(root)}\n{err}", file=sys.stderr)

    # The canary: if the macros went empty under clang (or the flag stopped working), everything above
    # would pass while checking nothing.
    canary = pathlib.Path(__file__).with_name("thread_safety_canary.cc")
    _, rc, err = compile_one(args.compiler, flags, canary)
    want = {i + 1 for i, line in enumerate(canary.read_text().splitlines()) if "// EXPECT-ERROR" in line}
    got = {int(m.group(1)) for m in re.finditer(re.escape(canary.name) + r":(\d+):\d+: error:", err)}
    if rc == 0 or got != want:
        failed += 1
        print(f"FAILED canary {canary.name}: errors expected on lines {sorted(want)}, got {sorted(got)}\n{err}",
              file=sys.stderr)

    print(f"thread safety: {len(sources)} files and the canary, {failed} failed, "
          f"{time.monotonic() - started:.0f} s")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
