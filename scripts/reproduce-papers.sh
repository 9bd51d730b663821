#!/usr/bin/env bash
# Reproduces every paper experiment of scenarios/papers/figures.yaml and rewrites the papers
# table in scenarios/papers/README.md (between its papers-table markers):
#   1. builds mesosim (scripts/build.sh into $MESOSIM_BUILD_DIR, default build/), unless
#      --no-build and the program is already there;
#   2. per experiment, `mesosim compare scenarios/papers/<file> --seeds N --jobs J --out
#      build/papers/<name>` (the folder is emptied first, so no run of an earlier call is mixed
#      in), N from the spec unless --seeds or --quick;
#   3. renders scenarios/papers/plots/<name>.gp, where there is one, to build/papers/<name>.svg;
#   4. `mesosim paper-table scenarios/papers/figures.yaml --runs build/papers --readme
#      scenarios/papers/README.md`.
# With --table-only, steps 1-3 are skipped and the table is remade from the runs already in
# build/papers (after editing a gap sentence in the spec, say).
set -euo pipefail
cd "$(dirname "$0")/.."

usage() {
  cat <<USAGE
usage: scripts/reproduce-papers.sh [--seeds N] [--quick] [--jobs J] [--only NAME] [--no-build] [--table-only]
  --seeds N     seeds per variant for every experiment (default: each experiment's seeds in the spec)
  --quick       a smoke run: 2 seeds per variant (the table says n=2)
  --jobs J      runs at a time (default: the number of cores)
  --only NAME   run only this experiment (the table still needs every experiment's runs)
  --no-build    use the mesosim already built in \$MESOSIM_BUILD_DIR (default build/)
  --table-only  run nothing: remake the table from the runs already in build/papers
USAGE
}

seeds="" jobs="$(nproc)" only="" build=1 run=1
while [[ $# -gt 0 ]]; do
  case "$1" in
    --seeds) [[ $# -ge 2 && $2 =~ ^[1-9][0-9]*$ ]] || { echo "reproduce-papers: --seeds needs a positive integer" >&2; exit 2; }
      seeds="$2"; shift 2 ;;
    --quick) seeds=2; shift ;;
    --jobs) [[ $# -ge 2 && $2 =~ ^[1-9][0-9]*$ ]] || { echo "reproduce-papers: --jobs needs a positive integer" >&2; exit 2; }
      jobs="$2"; shift 2 ;;
    --only) [[ $# -ge 2 ]] || { echo "reproduce-papers: --only needs an experiment name" >&2; exit 2; }
      only="$2"; shift 2 ;;
    --no-build) build=0; shift ;;
    --table-only) build=0 run=0; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "reproduce-papers: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
  esac
done

build_dir="${MESOSIM_BUILD_DIR:-build}"
mesosim="$build_dir/cli/mesosim"
spec=scenarios/papers/figures.yaml
out="$build_dir/papers"

if [[ $build == 1 ]]; then
  echo "== building mesosim in $build_dir"
  if [[ -f "$build_dir/CMakeCache.txt" ]]; then
    cmake --build "$build_dir" -j "$(nproc)" --target mesosim
  else
    scripts/build.sh
  fi
fi
[[ -x $mesosim ]] || { echo "reproduce-papers: no $mesosim (build it, or drop --no-build)" >&2; exit 2; }

# name <TAB> scenario file <TAB> seeds [<TAB> key=value ...], one experiment a line.
experiments="$("$mesosim" paper-table "$spec" --list)"
if [[ -n $only ]] && ! cut -f1 <<<"$experiments" | grep -qx -- "$only"; then
  echo "reproduce-papers: no experiment '$only' in $spec (known: $(cut -f1 <<<"$experiments" | tr '\n' ' '))" >&2
  exit 2
fi

if [[ $run == 1 ]]; then
  mkdir -p "$out"
  while IFS=$'\t' read -r -a fields; do
    name="${fields[0]}" file="${fields[1]}" n="${seeds:-${fields[2]}}"
    [[ -z $only || $only == "$name" ]] || continue
    sets=()
    for s in "${fields[@]:3}"; do sets+=(--set "$s"); done
    echo "== $name: $file, $n seeds per variant, $jobs at a time -> $out/$name"
    rm -rf "${out:?}/$name"
    start=$SECONDS
    "$mesosim" compare "$file" --seeds "$n" --jobs "$jobs" --out "$out/$name" "${sets[@]}" >"$out/$name.compare.txt"
    echo "   done in $((SECONDS - start)) s; the comparison is in $out/$name.compare.txt"
    plot="scenarios/papers/plots/$name.gp"
    if [[ -f $plot ]]; then
      if command -v gnuplot >/dev/null 2>&1; then
        gnuplot -e "dir='$out/$name'; out='$out/$name.svg'" "$plot"
        echo "   plot: $out/$name.svg"
      else
        echo "   (gnuplot not installed: $plot not rendered)"
      fi
    fi
  done <<<"$experiments"
fi

echo "== papers table -> scenarios/papers/README.md"
"$mesosim" paper-table "$spec" --runs "$out" --readme scenarios/papers/README.md
