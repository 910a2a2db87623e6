#!/usr/bin/env bash
# Every plugin, module and role of the collection renders with ansible-doc, and antsibull-docs finds nothing to fix.
set -euo pipefail
cd "$(dirname "$0")/../.."
make -s --no-print-directory copy >/dev/null
count=0
for type in lookup filter test module role; do
    names="$(ansible-doc -t "$type" -l netallow.apple 2>/dev/null | awk '$1 ~ /^netallow\.apple\./ {print $1}')"
    for name in $names; do
        if ! ansible-doc -t "$type" "$name" >/dev/null 2>.build/logs/ansible-doc.err; then
            echo "ansible-doc -t $type $name failed:" >&2; cat .build/logs/ansible-doc.err >&2; exit 1
        fi
        count=$((count + 1))
    done
done
echo "ansible-doc rendered $count plugins, modules and roles"
[ "$count" -gt 0 ]
cd .build/test/ansible_collections/netallow/apple
antsibull-docs lint-collection-docs --plugin-docs --skip-rstcheck .
echo "antsibull-docs lint-collection-docs: ok"
