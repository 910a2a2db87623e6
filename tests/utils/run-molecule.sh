#!/usr/bin/env bash
# Run every molecule scenario under extensions/molecule (or those named), each in full, and report all results.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
scenarios=("$@")
if [ "${#scenarios[@]}" -eq 0 ]; then
    for dir in extensions/molecule/*/; do
        [ -f "$dir/molecule.yml" ] && scenarios+=("$(basename "$dir")")
    done
fi
failed=()
for scenario in "${scenarios[@]}"; do
    start=$(date +%s)
    if molecule test -s "$scenario"; then
        echo "--- molecule $scenario passed in $(( $(date +%s) - start ))s"
    else
        echo "--- molecule $scenario FAILED in $(( $(date +%s) - start ))s"
        failed+=("$scenario")
    fi
done
echo "molecule scenarios: $(( ${#scenarios[@]} - ${#failed[@]} )) passed, ${#failed[@]} failed ${failed[*]:+(${failed[*]})}"
[ "${#failed[@]}" -eq 0 ]
