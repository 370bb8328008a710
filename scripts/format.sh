#!/usr/bin/env bash
# Applies .clang-format to the project's own C++ (src/, include/, python/src/, fuzz/,
# bench/); with --check, changes nothing and fails naming every file that is
# not formatted. scripts/test.sh (and so CI) runs the check; the CMake targets
# `format` and `format-check` run this script.
#
#   scripts/format.sh            # format in place
#   scripts/format.sh --check    # exit 1 if any file would change
set -euo pipefail
cd "$(dirname "$0")/.."
CLANG_FORMAT="${CLANG_FORMAT:-clang-format}"
command -v "$CLANG_FORMAT" >/dev/null || {
  echo "$CLANG_FORMAT not found: scripts/install-deps.sh installs it (Debian's clang-format)" >&2
  exit 2
}
mapfile -t files < <(git ls-files -- 'src/*.cpp' 'src/*.h' 'include/*.h' 'python/src/*.cpp' 'python/src/*.h' \
  'bench/*.cpp' 'cmake/*.cpp' 'fuzz/*.cpp' 'fuzz/*.h')
if [[ "${1:-}" == "--check" ]]; then
  bad=()
  for file in "${files[@]}"; do
    "$CLANG_FORMAT" --dry-run --Werror "$file" >/dev/null 2>&1 || bad+=("$file")
  done
  if ((${#bad[@]})); then
    echo "not formatted by .clang-format (run scripts/format.sh): ${bad[*]}" >&2
    exit 1
  fi
  echo "clang-format: ${#files[@]} files formatted"
else
  "$CLANG_FORMAT" -i "${files[@]}"
fi
