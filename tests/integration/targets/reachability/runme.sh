#!/usr/bin/env bash
# Starts the local test servers (and a squid CONNECT proxy), runs the playbook, always stops the servers.
set -eux -o pipefail
cd "$(dirname "$0")"
# The server helper lives with the unit tests; import it from the collection (ansible-test sets
# ANSIBLE_COLLECTIONS_PATH; run by hand, the repository must sit at .../ansible_collections/netallow/apple).
COLLECTIONS_ROOT="${ANSIBLE_COLLECTIONS_PATH:-$(cd ../../../../../.. && pwd)}"
SERVERS_MODULE=ansible_collections.netallow.apple.tests.unit.plugins.module_utils.reachability_servers
STATE_DIR="$(mktemp -d /tmp/nareach-it-XXXXXX)"
mkdir -p "${STATE_DIR}/out"
# Python 3.9 for the managed-host run: pyenv's real interpreter (its shim fails unless pyenv selects 3.9).
PY39="${NAREACH_PY39:-$(ls "$(pyenv root 2>/dev/null || echo /nonexistent)"/versions/3.9*/bin/python3.9 2>/dev/null | head -n1 || true)}"
PYTHONPATH="${COLLECTIONS_ROOT%%:*}${PYTHONPATH:+:${PYTHONPATH}}" python -m "${SERVERS_MODULE}" --state "${STATE_DIR}/servers.json" --lifetime 300 --squid &
SERVER_PID=$!
cleanup() {
    # NAREACH_ARTIFACTS=<dir> keeps the reports and the screenshot for a human look.
    if [ -n "${NAREACH_ARTIFACTS:-}" ]; then cp -r "${STATE_DIR}/out/." "${NAREACH_ARTIFACTS}/" || true; fi
    kill "${SERVER_PID}" 2>/dev/null || true
    wait "${SERVER_PID}" 2>/dev/null || true
    rm -rf "${STATE_DIR}"
}
trap cleanup EXIT
for _ in $(seq 1 100); do
    [ -s "${STATE_DIR}/servers.json" ] && break
    kill -0 "${SERVER_PID}"
    sleep 0.2
done
ansible-playbook -i inventory.ini runme.yml \
    -e "state_file=${STATE_DIR}/servers.json" -e "out_dir=${STATE_DIR}/out" -e "py39=${PY39}" "$@"
