#!/usr/bin/env bash
# `mesosim paper-table` end to end: --list for the reproduce script, the table from a compare's
# folders, the README rewrite between the markers (the same bytes twice), and errors with exit 2
# for a bad spec, missing runs, missing markers and wrong flags. Run by ctest from the repository
# root with the path of the built mesosim program.
set -uo pipefail
MESOSIM="$1"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
failures=0

fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
# expect_exit NAME CODE REGEX -- COMMAND...: exit CODE and stderr matching REGEX.
expect_exit() {
  local name="$1" code="$2" regex="$3"; shift 4
  "$@" >/dev/null 2>"$TMP/err"
  local got=$?
  [[ $got == "$code" ]] || fail "$name: exit $got, expected $code ($(cat "$TMP/err"))"
  grep -Eq -- "$regex" "$TMP/err" || fail "$name: stderr does not match '$regex': $(cat "$TMP/err")"
}

# The shipped spec lists its experiments as name, scenario, seeds.
list="$("$MESOSIM" paper-table scenarios/papers/figures.yaml --list)" || fail "--list"
grep -q $'^drf-example\tscenarios/papers/drf-example.yaml\t5$' <<<"$list" ||
  fail "--list: no drf-example line: $list"

# A spec of its own beside a copy of the DRF example, with an override.
mkdir -p "$TMP/papers"
cp scenarios/papers/drf-example.yaml scenarios/papers/drf-example-*.csv "$TMP/papers/"
cat >"$TMP/papers/figures.yaml" <<'YAML'
experiments:
  - scenario: drf-example.yaml
    seeds: 2
    set: {duration: 30s}
    figures:
      - label: "user A's tasks"
        paper: 3
        paper_text: "3 tasks"
        mesosim: {variant: base, path: "frameworks[name=user-a].task_states.TASK_RUNNING"}
        digits: 0
        gap: "none | at all"
      - label: "tasks, B over A"
        paper: [0.5, 1]
        paper_text: "2 of 3"
        mesosim:
          ratio:
            - {variant: weighted-2-1, path: "frameworks[name=user-b].task_states.TASK_RUNNING"}
            - {variant: weighted-2-1, path: "frameworks[name=user-a].task_states.TASK_RUNNING"}
YAML
[[ "$("$MESOSIM" paper-table "$TMP/papers/figures.yaml" --list)" == \
  "drf-example"$'\t'"$TMP/papers/drf-example.yaml"$'\t'"2"$'\t'"duration=30s" ]] ||
  fail "--list with an override: $("$MESOSIM" paper-table "$TMP/papers/figures.yaml" --list)"
expect_exit no-runs 2 "experiment 'drf-example': no run folder $TMP/runs/drf-example" -- \
  "$MESOSIM" paper-table "$TMP/papers/figures.yaml" --runs "$TMP/runs"

"$MESOSIM" compare "$TMP/papers/drf-example.yaml" --seeds 2 --jobs 2 --set duration=30s \
  --out "$TMP/runs/drf-example" >/dev/null 2>&1 || fail "compare"
"$MESOSIM" paper-table "$TMP/papers/figures.yaml" --runs "$TMP/runs" >"$TMP/table.md" ||
  fail "paper-table"
grep -qF '| `drf-example` | user A'"'"'s tasks | 3 tasks | 3 ± 0 (n=2) | 1.00 | none \| at all |' \
  "$TMP/table.md" || fail "table row A: $(cat "$TMP/table.md")"
grep -qF '| `drf-example` | tasks, B over A | 2 of 3 | 0.67 ± 0.00 (n=2) | within |  |' \
  "$TMP/table.md" || fail "table row B/A: $(cat "$TMP/table.md")"

# The README: only the part between the markers changes, and a second run leaves the same bytes.
printf '# Papers\n\nintro\n<!-- papers-table:begin -->\nold\n<!-- papers-table:end -->\n\nrest\n' \
  >"$TMP/README.md"
"$MESOSIM" paper-table "$TMP/papers/figures.yaml" --runs "$TMP/runs" --readme "$TMP/README.md" \
  >/dev/null 2>&1 || fail "--readme"
cp "$TMP/README.md" "$TMP/README.first"
"$MESOSIM" paper-table "$TMP/papers/figures.yaml" --runs "$TMP/runs" --readme "$TMP/README.md" \
  >/dev/null 2>&1 || fail "--readme again"
cmp -s "$TMP/README.md" "$TMP/README.first" || fail "a second rewrite changed the README"
grep -q '^old$' "$TMP/README.md" && fail "the old table is still there"
[[ "$(head -3 "$TMP/README.md")" == $'# Papers\n\nintro' ]] || fail "the top changed"
[[ "$(tail -2 "$TMP/README.md")" == $'\nrest' ]] || fail "the rest changed"
grep -qF "$(sed -n 3p "$TMP/table.md")" "$TMP/README.md" || fail "the table is not in the README"

printf 'no markers\n' >"$TMP/bare.md"
expect_exit no-markers 2 "bare.md: no marker line '<!-- papers-table:begin -->'" -- \
  "$MESOSIM" paper-table "$TMP/papers/figures.yaml" --runs "$TMP/runs" --readme "$TMP/bare.md"
[[ "$(cat "$TMP/bare.md")" == "no markers" ]] || fail "a README without markers was changed"

# Bad spec, missing figure data, wrong flags.
printf 'experiments:\n  - scenario: drf-example.yaml\n    figures:\n      - {label: x}\n' \
  >"$TMP/papers/bad.yaml"
expect_exit bad-spec 2 "experiments.0.figures.0: missing key 'paper' at .*bad.yaml:4:9" -- \
  "$MESOSIM" paper-table "$TMP/papers/bad.yaml" --runs "$TMP/runs"
sed 's/user-a\]/user-c]/' "$TMP/papers/figures.yaml" >"$TMP/papers/missing.yaml"
expect_exit missing-figure 2 "figure 'user A's tasks': .*no element 'frameworks\[name=user-c\]'" -- \
  "$MESOSIM" paper-table "$TMP/papers/missing.yaml" --runs "$TMP/runs"
expect_exit no-runs-flag 2 '--runs DIR is required' -- \
  "$MESOSIM" paper-table "$TMP/papers/figures.yaml"
expect_exit list-and-runs 2 '--list takes no --runs' -- \
  "$MESOSIM" paper-table "$TMP/papers/figures.yaml" --list --runs "$TMP/runs"
expect_exit no-spec 2 "cannot open the spec file '$TMP/none.yaml'" -- \
  "$MESOSIM" paper-table "$TMP/none.yaml" --list

if ((failures)); then
  echo "$failures failure(s)"
  exit 1
fi
echo "all paper-table CLI checks passed"
