#!/usr/bin/env bash
# One step of `make bench`: runs a command, keeps its output in OUT/NAME.log (and shows it),
# and appends "NAME SECONDS" to OUT/durations, so the report can say what took how long.
#   scripts/bench-step.sh target/bench package make package
set -uo pipefail
out=$1 name=$2
shift 2
start=$(date +%s)
"$@" 2>&1 | tee "$out/$name.log"
rc=${PIPESTATUS[0]}
echo "$name $(( $(date +%s) - start ))" >> "$out/durations"
exit "$rc"
