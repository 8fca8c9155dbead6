#!/usr/bin/env bash
# Fuzzes every parser of untrusted input (fuzz/fuzz_targets/) with
# libFuzzer on stable Rust: libfuzzer-sys builds libFuzzer with the C++
# compiler, and the instrumentation is rustc's own sancov pass (what
# cargo-fuzz passes, without its nightly-only sanitizer flags). No other
# tool is installed. See the "Fuzzing" section of docs/security.md.
#
#   scripts/fuzz.sh build                 build every target (release)
#   scripts/fuzz.sh smoke [PERCENT]       each target about a minute (its
#                                         SMOKE_RUNS, scaled by PERCENT, 100)
#                                         from a fixed seed and the committed
#                                         seeds only, FUZZ_JOBS at a time (2);
#                                         what CI runs: the same every time
#   scripts/fuzz.sh long [RUNS] [TARGET…] each target (all by default) until
#                                         RUNS executions (10,000,000), one
#                                         at a time (FUZZ_MAX_SECONDS caps
#                                         each target's time, if set)
#   scripts/fuzz.sh run TARGET [ARGS…]    one target, extra libFuzzer args
#
# Each run starts from the committed seeds (fuzz/corpus/TARGET) and keeps
# what it finds in fuzz/work/TARGET (ignored). A crash, a hang (over 10 s
# on one input) or an allocation over the harness's cap (fuzz/src/lib.rs)
# leaves its input in fuzz/artifacts/TARGET/ and fails the script.
set -euo pipefail
cd "$(dirname "$0")/.."

TARGETS=(ingest_json ingest_ndjson ingest_multipart ingest_csv openalpr_group
    openalpr_results alert_csv audit_export signed_note)
# The smoke's executions per target: what each did in 60 s in CI
# (2 cores, two targets at a time), so about a minute each there.
declare -A SMOKE_RUNS=([ingest_json]=3000000 [ingest_ndjson]=2500000
    [ingest_multipart]=2200000 [ingest_csv]=600000 [openalpr_group]=2600000
    [openalpr_results]=2800000 [alert_csv]=400000 [audit_export]=760000
    [signed_note]=1100000)
HOST=$(rustc -vV | sed -n 's/^host: //p')
BIN=fuzz/target/$HOST/release
# Inputs up to 64 KiB; one input may take 10 s; the process 2 GiB.
LIBFUZZER_ARGS=(-max_len=65536 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1)

build() {
    local bins=()
    for t in "${TARGETS[@]}"; do bins+=(--bin "$t"); done
    # --target keeps the instrumentation off build scripts and proc macros.
    RUSTFLAGS="-Cpasses=sancov-module -Cllvm-args=-sanitizer-coverage-level=4 \
-Cllvm-args=-sanitizer-coverage-inline-8bit-counters \
-Cllvm-args=-sanitizer-coverage-pc-table \
-Cllvm-args=-sanitizer-coverage-trace-compares --cfg fuzzing" \
        cargo build --release --locked --manifest-path fuzz/Cargo.toml \
        --target "$HOST" "${bins[@]}"
}

# Where a run keeps what it finds (WORK/TARGET), its logs (WORK/logs) and
# its crashes (ARTIFACTS/TARGET). The smoke has its own, so it can run
# beside a long run.
WORK=fuzz/work
ARTIFACTS=fuzz/artifacts

# run_one TARGET LIMIT_ARG…: fuzzes one target.
run_one() {
    local t=$1
    shift
    mkdir -p "$WORK/$t" "$ARTIFACTS/$t" "$WORK/logs"
    local rc=0
    "$BIN/$t" "${LIBFUZZER_ARGS[@]}" "$@" -artifact_prefix="$ARTIFACTS/$t/" \
        "$WORK/$t" "fuzz/corpus/$t" >"$WORK/logs/$t.log" 2>&1 || rc=$?
    echo "$rc" >"$WORK/logs/$t.rc"
}

# One line per target: executions, exec/s, crashes, hangs, peak RSS.
report() {
    local failed=0
    printf '%-18s %12s %9s %8s %6s %8s\n' target executions exec/s crashes hangs rss_mb
    for t in "$@"; do
        local log=$WORK/logs/$t.log
        local runs speed rss crashes hangs rc
        runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
        speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
        rss=$(sed -n 's/^stat::peak_rss_mb: *//p' "$log" | tail -1)
        crashes=$(find "$ARTIFACTS/$t" -name 'crash-*' -o -name 'oom-*' -o -name 'leak-*' | wc -l)
        hangs=$(find "$ARTIFACTS/$t" -name 'timeout-*' | wc -l)
        rc=$(cat "$WORK/logs/$t.rc" 2>/dev/null || echo '?')
        printf '%-18s %12s %9s %8s %6s %8s\n' "$t" "${runs:-?}" "${speed:-?}" \
            "$crashes" "$hangs" "${rss:-?}"
        if [ "$rc" != 0 ] || [ "$crashes" != 0 ] || [ "$hangs" != 0 ]; then
            failed=1
            echo "  $t failed (exit $rc); its log: $log" >&2
            grep -m5 -E 'panicked|ERROR|allocation over the cap|Test unit written' \
                "$log" | sed 's/^/    /' >&2 || true
        fi
    done
    return "$failed"
}

mode=${1:-smoke}
shift || true
case "$mode" in
build)
    build
    ;;
smoke)
    # A fixed seed, a fixed number of executions and no corpus but the
    # committed one: a failure here is the same on every machine, and
    # `scripts/fuzz.sh smoke` reproduces it.
    percent=${1:-100}
    build
    WORK=fuzz/work/smoke
    ARTIFACTS=fuzz/artifacts/smoke
    rm -rf "$WORK" "$ARTIFACTS"
    export -f run_one
    export BIN WORK ARTIFACTS
    export LIBFUZZER_ARGS_STR="${LIBFUZZER_ARGS[*]}"
    for t in "${TARGETS[@]}"; do
        echo "$t $((SMOKE_RUNS[$t] * percent / 100))"
    done | xargs -P "${FUZZ_JOBS:-2}" -L1 \
        bash -c 'LIBFUZZER_ARGS=($LIBFUZZER_ARGS_STR); run_one "$1" -seed=1 -runs="$2"' _
    report "${TARGETS[@]}"
    ;;
long)
    runs=${1:-10000000}
    shift || true
    [ $# -gt 0 ] && TARGETS=("$@")
    build
    for t in "${TARGETS[@]}"; do rm -rf "${ARTIFACTS:?}/$t"; done
    for t in "${TARGETS[@]}"; do
        echo "fuzzing $t to $runs executions…"
        run_one "$t" -runs="$runs" ${FUZZ_MAX_SECONDS:+-max_total_time=$FUZZ_MAX_SECONDS}
    done
    report "${TARGETS[@]}"
    ;;
run)
    t=${1:?target}
    shift
    build
    mkdir -p "$WORK/$t" "$ARTIFACTS/$t"
    exec "$BIN/$t" "${LIBFUZZER_ARGS[@]}" -artifact_prefix="$ARTIFACTS/$t/" "$@" \
        "$WORK/$t" "fuzz/corpus/$t"
    ;;
*)
    echo "usage: $0 build | smoke [PERCENT] | long [RUNS] [TARGET…] | run TARGET [ARGS…]" >&2
    exit 2
    ;;
esac
