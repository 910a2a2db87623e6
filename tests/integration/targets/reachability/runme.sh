#!/usr/bin/env bash
# Starts the local test servers (and a squid CONNECT proxy), runs the playbook, always stops the servers.
set -eux -o pipefail
cd "$(dirname "$0")"
# Python 3.9 for the managed-host run: pyenv's real interpreter (its shim fails unless pyenv selects 3.9).
PY39="${NAREACH_PY39:-}"
if [ -z "$PY39" ]; then
    for candidate in "$(pyenv root 2>/dev/null || echo /nonexistent)"/versions/3.9*/bin/python3.9; do
        if [ -x "$candidate" ]; then PY39="$candidate"; break; fi
    done
fi
# shellcheck source=../setup_reachability_servers/servers.sh
source ../setup_reachability_servers/servers.sh nareach-it 300 --squid
ansible-playbook -i inventory.ini runme.yml \
    -e "state_file=${STATE_DIR}/servers.json" -e "out_dir=${STATE_DIR}/out" -e "py39=${PY39}" "$@"
