#!/usr/bin/env bash
# Every test of the collection, stage by stage, with timings; exits non-zero if any stage fails.
# Called by `make test` after setup (venvs, system packages). Stages can be picked: run-all.sh units integration
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
root="$PWD"
stages=("$@")
[ "${#stages[@]}" -gt 0 ] || stages=(lint units units-219 units-39 docs examples sanity integration integration-219 molecule build)
passed=0 failed=0 failed_names=()
mkdir -p .build/logs
rm -f .build/logs/*.skips  # each test stage writes its list of skips (tests/utils/check_skips.py)
for stage in "${stages[@]}"; do
    start=$(date +%s)
    echo "=== stage: $stage"
    if make --no-print-directory -s "$stage" 2>&1 | tee ".build/logs/$stage.log"; then
        passed=$((passed + 1)); result=passed
    else
        failed=$((failed + 1)); failed_names+=("$stage"); result=FAILED
    fi
    echo "=== stage $stage $result in $(( $(date +%s) - start ))s"
done
cd "$root" || exit 1
echo
echo "=== skipped tests, per stage (allowed only with a reason in tests/skips-allowed.yml)"
for stage in "${stages[@]}"; do
    [ -f ".build/logs/$stage.skips" ] && cat ".build/logs/$stage.skips"
done
echo
if [ "$failed" -gt 0 ]; then
    echo "failed stages: ${failed_names[*]}"
fi
echo "stages: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
