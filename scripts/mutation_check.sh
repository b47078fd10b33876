#!/usr/bin/env bash
# Proves the tests can fail: applies each deliberate breakage of scripts/mutations.txt, one at a
# time, to a scratch copy of the tree, rebuilds the test binary there and runs the tests the
# mutation names. Every named test must fail; otherwise the mutation survived.
#   scripts/mutation_check.sh [--only NAME]... [--scratch DIR] [--jobs N] [--list]
# --list only lists the mutations and checks that each snippet still applies (exit 1 if not).
# The scratch copy (default build-mutation/, ignored by git) is kept between runs: the first run
# builds it in full, later runs rebuild only what changed. Prints a table; exits 1 if any mutation
# survived, went stale (its snippet is no longer in the file) or did not build, 2 if the named
# tests fail on the unmutated tree. Too slow for every CI run: run it before closing a test issue.
set -euo pipefail
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
mutations_file="$repo_root/scripts/mutations.txt"
scratch="$repo_root/build-mutation"
jobs=2
only=()
list_only=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --only) only+=("$2"); shift ;;
    --scratch) scratch="$2"; shift ;;
    --jobs) jobs="$2"; shift ;;
    --list) list_only=1 ;;
    -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
    *) echo "mutation_check.sh: unknown option '$1' (try --help)" >&2; exit 2 ;;
  esac
  shift
done
tree="$scratch/tree"
build="$scratch/build"
log_dir="$scratch/logs"

log() { printf '\033[1m[mutation]\033[0m %s\n' "$*" >&2; }

# ---- the mutation table (scripts/mutations.txt) ------------------------------------------------
names=() whats=() files=() froms=() tos=() catches=()
parse_mutations() {
  local line key value n=-1
  while IFS= read -r line || [[ -n "$line" ]]; do
    [[ "$line" =~ ^[[:space:]]*(#|$) ]] && continue
    [[ "$line" =~ ^([a-z+]+):[[:space:]]*(.*)$ ]] || { echo "mutations.txt: cannot read line: $line" >&2; exit 2; }
    key="${BASH_REMATCH[1]}" value="${BASH_REMATCH[2]}"
    case "$key" in
      name) n=$((n + 1)); names[n]="$value"; whats[n]=""; files[n]=""; froms[n]=""; tos[n]=""; catches[n]="" ;;
      what) whats[n]="$value" ;;
      file) files[n]="$value" ;;
      from) froms[n]="$value" ;;
      from+) froms[n]+=$'\n'"$value" ;;
      to) tos[n]="$value" ;;
      to+) tos[n]+=$'\n'"$value" ;;
      catch) catches[n]="$value" ;;
      *) echo "mutations.txt: unknown field '$key' in mutation '${names[n]:-?}'" >&2; exit 2 ;;
    esac
  done <"$mutations_file"
  local i
  for i in "${!names[@]}"; do
    if [[ -z "${files[i]}" || -z "${froms[i]}" || -z "${catches[i]}" ]]; then
      echo "mutations.txt: mutation '${names[i]}' needs file, from and catch" >&2
      exit 2
    fi
  done
}

selected() {  # selected INDEX: whether --only lets this mutation run
  [[ ${#only[@]} -eq 0 ]] && return 0
  local name
  for name in "${only[@]}"; do [[ "${names[$1]}" == "$name" ]] && return 0; done
  return 1
}

# ---- the scratch copy ---------------------------------------------------------------------------
# Copies tracked and untracked (not ignored) files whose content changed, removes files gone from
# the checkout, so that ninja recompiles only what differs.
sync_tree() {
  mkdir -p "$tree"
  local listed="$scratch/files.txt" file
  (cd "$repo_root" && git ls-files -co --exclude-standard | sort -u) >"$listed"
  while IFS= read -r file; do
    [[ -f "$repo_root/$file" ]] || continue
    if ! cmp -s "$repo_root/$file" "$tree/$file"; then
      mkdir -p "$(dirname "$tree/$file")"
      cp -p "$repo_root/$file" "$tree/$file"
    fi
  done <"$listed"
  (cd "$tree" && find . -type f -not -path './data/*' | sed 's|^\./||' | sort) | comm -23 - "$listed" |
    while IFS= read -r file; do rm -f "$tree/$file"; done
  [[ -e "$repo_root/data" ]] && ln -sfn "$(readlink -f "$repo_root/data")" "$tree/data"
  return 0
}

build_tests() {  # build_tests LOG
  if [[ ! -f "$build/CMakeCache.txt" ]]; then
    log "configuring $build (first run: a full build follows)"
    nice -n 10 cmake -S "$tree" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release >"$1" 2>&1 || return 1
  fi
  nice -n 10 ninja -C "$build" -j"$jobs" tpq_tests >>"$1" 2>&1
}

# Runs the tests matching the gtest patterns; prints the names of those that failed, one a line.
# A crash (no gtest summary) prints CRASH.
run_tests() {  # run_tests "PATTERN..." LOG
  local filter status=0
  filter="$(xargs <<<"$1" | tr ' ' ':')"
  TPQ_CLI="$build/bin/tpq" TPQ_SOURCE_DIR="$tree" TPQ_REQUIRE_FIXTURES=1 \
    TPQ_FIXTURES_DIR="${TPQ_FIXTURES_DIR:-$(readlink -f "$repo_root/../shared/fixtures")}" \
    nice -n 10 "$build/tests/tpq_tests" --gtest_filter="$filter" >"$2" 2>&1 || status=$?
  if [[ $status -ne 0 ]] && ! grep -q '^\[==========\] .* ran\.' "$2"; then echo CRASH; fi
  sed -n 's/^\[  FAILED  \] \([^ ]*\)$/\1/p; s/^\[  FAILED  \] \([^ ]*\), where .*$/\1/p' "$2" | sort -u
}

ran_count() { sed -n 's/^\[==========\] \([0-9]*\) tests\? from .* ran\..*/\1/p' "$1" | tail -1; }

# Whether every pattern of "PATTERN..." matches a failed test (gtest's * and ? are bash's glob).
verdict() {  # verdict "PATTERN..." "FAILED..." -> CAUGHT | PARTIAL | SURVIVED
  local - pattern test hits=0 total=0 matched
  set -f  # the patterns are globs for [[ == ]], not for file names
  for pattern in $1; do
    total=$((total + 1)) matched=0
    for test in $2; do
      # shellcheck disable=SC2053  # the pattern is a glob on purpose
      if [[ "$test" == CRASH || "$test" == $pattern ]]; then matched=1; break; fi
    done
    hits=$((hits + matched))
  done
  if [[ $hits -eq $total ]]; then echo CAUGHT; elif [[ $hits -gt 0 ]]; then echo PARTIAL; else echo SURVIVED; fi
}

# ---- one mutation ----------------------------------------------------------------------------------
# Replaces the one occurrence of FROM by TO in FILE (under the scratch tree); STALE if FROM occurs
# zero or several times (the code moved on: fix the mutation, never count it as caught).
snippet_status() {  # snippet_status ROOT INDEX -> prints ok | STALE (why)
  local path="$1/${files[$2]}" from="${froms[$2]}" content rest count=0
  [[ -f "$path" ]] || { echo "STALE (no file ${files[$2]})"; return; }
  content="$(cat "$path"; printf x)" content="${content%x}"
  rest="$content"
  while [[ "$rest" == *"$from"* ]]; do count=$((count + 1)); rest="${rest#*"$from"}"; done
  if [[ $count -eq 1 ]]; then echo ok; else echo "STALE ($count occurrences)"; fi
}

apply_mutation() {  # apply_mutation INDEX -> prints ok | STALE (why)
  local path="$tree/${files[$1]}" status content
  status="$(snippet_status "$tree" "$1")"
  if [[ "$status" == ok ]]; then
    content="$(cat "$path"; printf x)" content="${content%x}"
    printf '%s' "${content/"${froms[$1]}"/"${tos[$1]}"}" >"$path"
  fi
  echo "$status"
}

restore_file() { cp "$repo_root/${files[$1]}" "$tree/${files[$1]}"; }

# ---- main ---------------------------------------------------------------------------------------
parse_mutations
if [[ $list_only -eq 1 ]]; then  # and whether each snippet still applies to the checkout (seconds)
  stale=0
  for i in "${!names[@]}"; do
    status="$(snippet_status "$repo_root" "$i")"
    [[ "$status" == ok ]] || stale=1
    printf '%-32s %-22s %s\n    %s\n' "${names[i]}" "$status" "${files[i]}" "${whats[i]}"
  done
  exit "$stale"
fi
mkdir -p "$log_dir"
sync_tree
log "building the unmutated scratch copy ($build)"
build_tests "$log_dir/build-unmutated.log" || { echo "unmutated build failed: $log_dir/build-unmutated.log" >&2; exit 2; }
all_patterns=""
for i in "${!names[@]}"; do selected "$i" && all_patterns+=" ${catches[i]}"; done
log "running the named tests on the unmutated tree"
baseline_failures="$(run_tests "$all_patterns" "$log_dir/tests-unmutated.log")"
if [[ -n "$baseline_failures" ]]; then
  echo "these named tests fail without any mutation (see $log_dir/tests-unmutated.log):" >&2
  echo "$baseline_failures" >&2
  exit 2
fi

rows=()
failed=0
for i in "${!names[@]}"; do
  selected "$i" || continue
  name="${names[i]}"
  log "$name: ${whats[i]}"
  status="$(apply_mutation "$i")"
  detail=""
  if [[ "$status" == ok ]]; then
    if build_tests "$log_dir/build-$name.log"; then
      failures="$(run_tests "${catches[i]}" "$log_dir/tests-$name.log")"
      ran="$(ran_count "$log_dir/tests-$name.log")"
      if [[ "${ran:-0}" -eq 0 && "$failures" != *CRASH* ]]; then
        status="NO-TESTS"
      else
        status="$(verdict "${catches[i]}" "$failures")"
      fi
      detail="$(wc -w <<<"$failures" | tr -d ' ')/${ran:-0} failed"
      [[ "$failures" == *CRASH* ]] && detail="crashed"
    else
      status="BUILD-FAILED"
      detail="$log_dir/build-$name.log"
    fi
    restore_file "$i"
  fi
  [[ "$status" == CAUGHT ]] || failed=1
  rows+=("$(printf '%-32s %-13s %-12s %s' "$name" "$status" "$detail" "${whats[i]}")")
done
# Leave the scratch build matching the checkout again (the last mutated file recompiles).
build_tests "$log_dir/build-restored.log" || true

printf '\n%-32s %-13s %-12s %s\n' "mutation" "result" "named tests" "breakage"
printf '%s\n' "${rows[@]}"
printf '\nlogs: %s\n' "$log_dir"
exit "$failed"
