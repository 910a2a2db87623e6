#!/usr/bin/env bash
# Place the offline pip bootstrap stand-in where each installed ansible-test looks for its cached get-pip script.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cache="$HOME/.ansible/test/cache"
mkdir -p "$cache"
for req in "$here"/../../.venv*/lib/python3*/site-packages/ansible_test/_internal/python_requirements.py; do
    [ -f "$req" ] || continue
    version="$(sed -n "s/^ *pip='\([0-9.]*\)',$/\1/p" "$req" | head -n 1)"
    [ -n "$version" ] || { echo "cannot find the pip version ansible-test wants in $req" >&2; exit 1; }
    cp "$here/get_pip_standin.py" "$cache/get_pip_${version//./_}.py"
done
