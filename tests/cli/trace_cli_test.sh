#!/usr/bin/env bash
# `mesosim trace` end to end: inspect, convert and generate on the fixtures, and the errors a
# user gets for a missing file, an unknown format and a malformed row. Run by ctest from the
# repository root with the path of the built mesosim program.
set -uo pipefail
MESOSIM="$1"
DATA=tests/data/workloads
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
failures=0

fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# expect_ok NAME REGEX -- COMMAND...: exit 0 and stdout matching REGEX.
expect_ok() {
  local name="$1" regex="$2"; shift 3
  local out
  if ! out="$("$@" 2>&1)"; then fail "$name: exit $? ($out)"; return; fi
  grep -Eq -- "$regex" <<<"$out" || fail "$name: output does not match '$regex': $out"
}
# expect_error NAME REGEX -- COMMAND...: non-zero exit and stderr matching REGEX.
expect_error() {
  local name="$1" regex="$2"; shift 3
  local err
  if "$@" >/dev/null 2>"$TMP/err"; then fail "$name: exit 0, expected an error"; return; fi
  err="$(cat "$TMP/err")"
  grep -Eq -- "$regex" <<<"$err" || fail "$name: stderr does not match '$regex': $err"
}

expect_ok inspect-swf-gz 'jobs: 30 \(30 gang' -- "$MESOSIM" trace inspect "$DATA/small.swf.gz"
expect_ok inspect-swf-format 'format: swf \(gzip\)' -- "$MESOSIM" trace inspect "$DATA/small.swf.gz"
expect_ok inspect-swf-header 'header MaxProcs: 64' -- "$MESOSIM" trace inspect "$DATA/small.swf"
expect_ok inspect-native 'tasks: 56 \(2 with no end' -- "$MESOSIM" trace inspect "$DATA/jobs.csv"
expect_ok inspect-google-parts 'tasks: 5 \(1 with no end' -- "$MESOSIM" trace inspect \
  "$DATA/google/task_events-part-00000-of-00002.csv" \
  "$DATA/google/task_events-part-00001-of-00002.csv.gz"
expect_ok inspect-machines 'machine events add: 2' -- "$MESOSIM" trace inspect \
  "$DATA/google/machine_events.csv"
expect_ok inspect-skip 'rows skipped: 10' -- "$MESOSIM" trace inspect --skip-bad-rows \
  "$DATA/bad_native.csv"
expect_ok inspect-skip-reason 'skipped 1 x field gang: expected 0, 1, true or false' -- \
  "$MESOSIM" trace inspect --skip-bad-rows "$DATA/bad_native.csv"

expect_error missing-file 'mesosim trace inspect: .*no-such-file.swf: cannot open: No such file' \
  -- "$MESOSIM" trace inspect "$DATA/no-such-file.swf"
printf 'hello world\n' >"$TMP/unknown.txt"
expect_error unknown-format 'unknown trace format' -- "$MESOSIM" trace inspect "$TMP/unknown.txt"
expect_error bad-row 'bad_native.csv:3: field outcome: expected finished, failed, killed or lost' \
  -- "$MESOSIM" trace inspect "$DATA/bad_native.csv"
expect_error bad-generator "unknown generator 'yarn'" -- "$MESOSIM" trace generate yarn "$TMP/x.csv"
expect_error bad-param 'expected key=value' -- "$MESOSIM" trace generate mpi --param small "$TMP/x.csv"

# convert: SWF to native, which reads back to the same numbers.
expect_ok convert 'small.swf.gz \(swf\) -> .*: 30 jobs, 122 tasks, 0 rows skipped' -- \
  "$MESOSIM" trace convert "$DATA/small.swf.gz" --to native "$TMP/small.csv"
expect_ok convert-readback 'jobs: 30 \(30 gang' -- "$MESOSIM" trace inspect "$TMP/small.csv"

# generate: same seed, same bytes; another seed, other bytes; the file reads back.
"$MESOSIM" trace generate facebook --seed 4 "$TMP/a.csv" >/dev/null || fail "generate a"
"$MESOSIM" trace generate facebook --seed 4 "$TMP/b.csv" >/dev/null || fail "generate b"
"$MESOSIM" trace generate facebook --seed 5 "$TMP/c.csv" >/dev/null || fail "generate c"
cmp -s "$TMP/a.csv" "$TMP/b.csv" || fail "same seed gave different files"
cmp -s "$TMP/a.csv" "$TMP/c.csv" && fail "another seed gave the same file"
expect_ok generate-readback 'jobs: 122 \(0 gang, 22 with dependencies\)' -- \
  "$MESOSIM" trace inspect "$TMP/a.csv"
expect_ok generate-google-like 'google-like \(seed 2\) -> .*: 1000 jobs' -- "$MESOSIM" trace \
  generate google-like --seed 2 --param jobs=1000 --machines 100 --machines-out "$TMP/m.csv" \
  "$TMP/g.csv.gz"
expect_ok generate-machines-readback 'machine events add: 200' -- "$MESOSIM" trace inspect "$TMP/m.csv"

# The demo still runs.
expect_ok demo 'agent' -- "$MESOSIM" demo --cycles 2

if [ "$failures" -ne 0 ]; then echo "$failures check(s) failed"; exit 1; fi
echo "all trace CLI checks passed"
