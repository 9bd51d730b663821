#!/usr/bin/env bash
# `mesosim validate` and `mesosim run` end to end: exit codes, messages with positions, the
# summary, byte-identical reruns, --seed/--set/--variant, and a clean stop on SIGINT. Run by
# ctest from the repository root with the path of the built mesosim program.
set -uo pipefail
MESOSIM="$1"
DATA=tests/data/scenarios
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
failures=0

fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# expect_ok NAME REGEX -- COMMAND...: exit 0 and stdout matching REGEX.
expect_ok() {
  local name="$1" regex="$2"; shift 3
  local out
  if ! out="$("$@" 2>/dev/null)"; then fail "$name: exit $?"; return; fi
  grep -Eq -- "$regex" <<<"$out" || fail "$name: output does not match '$regex': $out"
}
# expect_exit NAME CODE REGEX -- COMMAND...: exit CODE and stderr matching REGEX.
expect_exit() {
  local name="$1" code="$2" regex="$3"; shift 4
  "$@" >/dev/null 2>"$TMP/err"
  local got=$?
  [[ $got == "$code" ]] || fail "$name: exit $got, expected $code ($(cat "$TMP/err"))"
  grep -Eq -- "$regex" "$TMP/err" || fail "$name: stderr does not match '$regex': $(cat "$TMP/err")"
}

expect_ok validate-quickstart '^ok: 32 agents, 5 frameworks, 1 variants$' -- \
  "$MESOSIM" validate scenarios/quickstart.yaml
expect_ok validate-machines 'ok: 3 agents \(and machines from a trace\), 6 frameworks, 1 variants' -- \
  "$MESOSIM" validate "$DATA/full.yaml"
printf 'duration: 1m\ncluster: {groups: [{count: 1, resources: "cpus:1"}]}\nalocator: {}\n' >"$TMP/typo.yaml"
expect_exit validate-typo 2 "unknown key 'alocator' at .*typo.yaml:3:1; did you mean 'allocator'\?" -- \
  "$MESOSIM" validate "$TMP/typo.yaml"
expect_exit validate-set 2 "unknown policy 'omega' .*\(from --set allocator.policy=omega\)" -- \
  "$MESOSIM" validate "$DATA/tiny.yaml" --set allocator.policy=omega
expect_exit validate-missing 2 "cannot open scenario file '$TMP/none.yaml'" -- \
  "$MESOSIM" validate "$TMP/none.yaml"

# run: the summary table, the same bytes twice with one seed, other bytes with another.
expect_ok run-summary '^hadoop +hadoop +b ' -- "$MESOSIM" run "$DATA/tiny.yaml" --out "$TMP/o1"
"$MESOSIM" run "$DATA/tiny.yaml" --out "$TMP/a" >"$TMP/a.txt" 2>/dev/null || fail "run a"
"$MESOSIM" run "$DATA/tiny.yaml" --out "$TMP/b" >"$TMP/b.txt" 2>/dev/null || fail "run b"
cmp -s "$TMP/a.txt" "$TMP/b.txt" || fail "two runs with one seed differ"
cmp -s "$TMP/a.txt" "$TMP/a/summary.txt" || fail "summary.txt is not the printed summary"
# analysis's outputs: all written, and byte-identical for one seed.
for f in summary.json timeseries.csv jobs.csv tasks.csv report.html; do
  [[ -s "$TMP/a/$f" ]] || fail "run wrote no $f"
  cmp -s "$TMP/a/$f" "$TMP/b/$f" || fail "$f differs between two runs with one seed"
done
"$MESOSIM" run "$DATA/tiny.yaml" --seed 99 --out "$TMP/c" >"$TMP/c.txt" 2>/dev/null || fail "run c"
cmp -s "$TMP/a.txt" "$TMP/c.txt" && fail "another seed gives the same summary"
grep -q 'seed 99' "$TMP/c.txt" || fail "--seed not in the summary"
expect_ok run-variant 'variant static, seed 7, policy static' -- \
  "$MESOSIM" run "$DATA/tiny.yaml" --variant static --out "$TMP/v"
expect_ok run-set 'policy static' -- "$MESOSIM" run "$DATA/tiny.yaml" --set allocator.policy=static --out "$TMP/s"
expect_exit run-variant-unknown 2 "unknown variant 'fast' \(known: base, static, slow\)" -- \
  "$MESOSIM" run "$DATA/tiny.yaml" --variant fast --out "$TMP/x"
expect_exit run-progress 0 '^sim [0-9.]+ s \(until every job finishes, at most 7200 s\), wall' -- \
  "$MESOSIM" run "$DATA/tiny.yaml" --out "$TMP/p"

# SIGINT: a long run stops cleanly, prints the summary and exits 130. Ten simulated years: far
# more than a second of wall time on any machine (30 days took under a second once faster).
"$MESOSIM" run scenarios/quickstart.yaml --set duration=3650d --out "$TMP/int" >"$TMP/int.txt" 2>/dev/null &
pid=$!
sleep 1
kill -INT "$pid"
wait "$pid"
code=$?
[[ $code == 130 ]] || fail "SIGINT: exit $code, expected 130"
grep -q '(stopped)' "$TMP/int.txt" || fail "SIGINT: no summary saying it stopped: $(cat "$TMP/int.txt")"
grep -q '^marathon ' "$TMP/int.txt" || fail "SIGINT: summary table missing"

# compare: 3 variants x 2 seeds; the same table with --jobs 1 and --jobs 2, and from --plan's
# commands followed by its report command.
"$MESOSIM" compare "$DATA/tiny.yaml" --seeds 2 --jobs 1 --out "$TMP/c1" >"$TMP/c1.txt" 2>/dev/null ||
  fail "compare --jobs 1"
"$MESOSIM" compare "$DATA/tiny.yaml" --seeds 2 --jobs 2 --out "$TMP/c2" >"$TMP/c2.txt" 2>/dev/null ||
  fail "compare --jobs 2"
cmp -s "$TMP/c1.txt" "$TMP/c2.txt" || fail "compare's table differs between --jobs 1 and --jobs 2"
grep -q '^figure .*base (n=2) .*static (n=2) .*slow (n=2) .*static/base .*slow/base' "$TMP/c1.txt" ||
  fail "compare's table has no variant columns: $(head -3 "$TMP/c1.txt")"
for f in compare.csv compare.json compare.html; do [[ -s "$TMP/c1/$f" ]] || fail "compare wrote no $f"; done
"$MESOSIM" compare "$DATA/tiny.yaml" --seeds 2 --out "$TMP/cp" --plan >"$TMP/plan.sh" ||
  fail "compare --plan"
[[ $(wc -l <"$TMP/plan.sh") == 7 ]] || fail "--plan: expected 6 runs and a report, got $(cat "$TMP/plan.sh")"
head -n 6 "$TMP/plan.sh" | bash >/dev/null 2>&1 || fail "--plan's run commands failed"
tail -n 1 "$TMP/plan.sh" | bash >"$TMP/cp.txt" 2>/dev/null || fail "--plan's report command failed"
cmp -s "$TMP/c1.txt" "$TMP/cp.txt" || fail "--plan + report differs from compare"
expect_exit report-bad 2 'run.json: cannot read' -- "$MESOSIM" report "$TMP"

if ((failures)); then
  echo "$failures failure(s)"
  exit 1
fi
echo "all scenario CLI checks passed"
