#!/usr/bin/env bash
# Runs every seglog libFuzzer target for a bounded time, one after another (doc/fuzzing.md).
#
#   fuzz/run.sh [SECONDS] [TARGET...]      SECONDS per target (default 60); TARGETs without the
#                                          seglog_fuzz_ prefix (default: all)
#
# Each target starts from a scratch copy of fuzz/corpus/<target>/ (the repository is never written), with
# LeakSanitizer on, -rss_limit_mb=2048 and -timeout=10. Prints the executions per target and exits non-zero
# on any crash, leak, timeout or OOM; the crashing input is left in the scratch directory it names.
# Environment: SEGLOG_FUZZ_BUILD (default build/fuzz), SEGLOG_FUZZ_WORK (default a new mktemp -d).
set -u

here=$(cd "$(dirname "$0")" && pwd)
seconds=${1:-60}
shift || true
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(record_batch index checkpoint topics_json)
build=${SEGLOG_FUZZ_BUILD:-$here/../build/fuzz}
work=${SEGLOG_FUZZ_WORK:-$(mktemp -d "${TMPDIR:-/tmp}/seglog-fuzz.XXXXXX")}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

case $seconds in ''|*[!0-9]*) echo "usage: $0 [SECONDS] [TARGET...]" >&2; exit 2;; esac

failed=0
summary=()
for t in "${targets[@]}"; do
  bin=$build/fuzz/seglog_fuzz_$t
  if [ ! -x "$bin" ]; then
    echo "$bin not built (cmake --preset fuzz && cmake --build --preset fuzz)" >&2
    exit 2
  fi
  corpus=$work/$t/corpus
  artifacts=$work/$t/artifacts/
  mkdir -p "$corpus" "$artifacts"
  [ -d "$here/corpus/$t" ] && cp -R "$here/corpus/$t/." "$corpus/"
  dict=()
  [ -f "$here/$t.dict" ] && dict=(-dict="$here/$t.dict")
  log=$work/$t/fuzz.log
  echo "== seglog_fuzz_$t: ${seconds}s, corpus $corpus"
  "$bin" "${dict[@]}" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$artifacts" "$corpus" </dev/null >"$log" 2>&1
  rc=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  if [ $rc -ne 0 ]; then
    failed=1
    tail -n 60 "$log"
    echo "!! seglog_fuzz_$t failed (exit $rc) after ${execs:-?} executions; log $log; inputs in $artifacts:"
    ls "$artifacts"
  fi
  summary+=("$(printf '%-28s %10s executions in %ss%s' "seglog_fuzz_$t" "${execs:-?}" "$seconds" \
    "$([ $rc -ne 0 ] && echo '  FAILED')")")
done

echo "== summary (work dir $work)"
printf '%s\n' "${summary[@]}"
exit $failed
