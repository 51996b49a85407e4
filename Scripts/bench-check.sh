#!/usr/bin/env bash
# Save-to-verdict benchmark for the grader.
#
# Copies the course's exercises to a temporary folder (your own files are never touched), puts the
# solution of one exercise in place, then N times: changes the student file (so the compile cache
# misses, as after a real save) and times `grader check <id>` until its verdict is printed.
# Prints every run and the median.
#
# Usage: Scripts/bench-check.sh [exercise-id] [runs]      (defaults: ex1 10)
# Env:   GRADER=path/to/grader (default: .build/debug/grader; run `swift build` first)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
id=${1:-ex1}
runs=${2:-10}
grader=${GRADER:-$root/.build/debug/grader}
[ -x "$grader" ] || { echo "no grader at $grader: run \`swift build\` first (or set GRADER)" >&2; exit 2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp Package.swift "$work/"
cp -r Exercises "$work/"
folder=$(ls -d "$work"/Exercises/"$id"-*/ | head -1)
[ -d "$folder" ] || { echo "no exercise $id" >&2; exit 2; }
files=$(cd "$folder/solution" && ls *.swift)
for f in $files; do cp "$folder/solution/$f" "$folder/$f"; done
target="$folder/$(echo "$files" | head -1)"

# One untimed run so the runtime is located (and built if it has to be).
"$grader" check "$id" --course "$work" --no-color >/dev/null || true

times=()
for i in $(seq 1 "$runs"); do
  echo "// edit $i $RANDOM" >> "$target"           # the "save"
  start=$(date +%s%N)
  if "$grader" check "$id" --course "$work" --no-color >"$work/out.txt"; then verdict=pass; else verdict=fail; fi
  end=$(date +%s%N)
  ms=$(( (end - start) / 1000000 ))
  times+=("$ms")
  printf 'run %2d: %4d ms (%s)\n' "$i" "$ms" "$verdict"
done
median=$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : int((a[NR/2] + a[NR/2+1]) / 2)}')
echo "median save→verdict for $id over $runs runs: $median ms (grader check after an edit; \`grader watch\` adds up to 250 ms of polling)"
