#!/usr/bin/env bash
# clang-format over the C++ the repository owns: src/**, bench/*.{h,cc} (not its build tree), tests/**.
#   format.sh SOURCE_DIR --check   fails, naming each file and line, if any file differs from .clang-format
#   format.sh SOURCE_DIR --fix     rewrites the files in place (`make format`)
set -euo pipefail
root=$1 mode=$2
CLANG_FORMAT=${CLANG_FORMAT:-clang-format-14}
command -v "$CLANG_FORMAT" >/dev/null || { echo "$CLANG_FORMAT not found: install the Debian package clang-format-14 (make deps)" >&2; exit 1; }
cd "$root"
mapfile -d '' files < <( { find src tests -name build -prune -o \( -name '*.h' -o -name '*.cc' \) -print0;
                           find bench -maxdepth 1 \( -name '*.h' -o -name '*.cc' \) -print0; } | sort -z)
case $mode in
  --check) printf '%s\0' "${files[@]}" | xargs -0 -n 16 -P 2 "$CLANG_FORMAT" --dry-run -Werror ;;
  --fix) printf '%s\0' "${files[@]}" | xargs -0 -n 16 -P 2 "$CLANG_FORMAT" -i ;;
  *) echo "usage: $0 SOURCE_DIR --check|--fix" >&2; exit 2 ;;
esac
echo "clang-format ${mode#--}: ${#files[@]} files"
