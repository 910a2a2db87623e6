#!/usr/bin/env bash
# Build the collection tarball, install it into an empty path, and prove the installed copy works on its own.
set -euo pipefail
cd "$(dirname "$0")/../.."
root="$PWD"
work="$root/.build/release"
rm -rf "$work" && mkdir -p "$work/installed"
ansible-galaxy collection build --force --output-path "$work" . >/dev/null
tarball="$(ls "$work"/netallow-apple-*.tar.gz)"
echo "built $(basename "$tarball") ($(du -k "$tarball" | cut -f1) KiB, $(tar -tzf "$tarball" | wc -l) files)"
# Files that must never ship: local state and test output.
if tar -tzf "$tarball" | grep -E '(^|/)(\.venv|\.build|out|collections)/' ; then
    echo "the tarball contains local state" >&2; exit 1
fi
ansible-galaxy collection install --force --no-deps -p "$work/installed" "$tarball" 2>&1 | grep -v 'is not part of the configured' >/dev/null || true
[ -f "$work/installed/ansible_collections/netallow/apple/MANIFEST.json" ] || { echo "install from the tarball failed" >&2; exit 1; }
bundled="$(python -c 'import ansible_collections, os; print(os.path.dirname(ansible_collections.__path__[0]))')"
export ANSIBLE_COLLECTIONS_PATH="$work/installed:$bundled"
python - "$work/installed/ansible_collections/netallow/apple/MANIFEST.json" <<'PY'
import json, sys
info = json.load(open(sys.argv[1]))["collection_info"]
assert (info["namespace"], info["name"]) == ("netallow", "apple"), info
print(f"installed {info['namespace']}.{info['name']} {info['version']}")
PY
ansible-doc -t lookup netallow.apple.endpoints >/dev/null
# The installed collection answers a lookup from its own catalog, away from the source tree.
cd "$work"
out="$(ansible localhost -m ansible.builtin.debug \
       -a "msg={{ query('netallow.apple.endpoints', section='devicemanagement', output='hosts') | length }}" 2>&1)"
echo "$out" | grep -Eq '"msg": "?[1-9][0-9]*"?' || { echo "lookup through the installed collection failed: $out" >&2; exit 1; }
ansible-doc -t lookup netallow.apple.endpoints | head -3 | grep -q "$work/installed" \
    || { echo "ansible-doc did not read the installed copy" >&2; exit 1; }
echo "installed from the tarball and ran a lookup: ok"
