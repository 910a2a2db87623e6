# shellcheck shell=bash
# Sourced by the reachability targets: starts the local test servers in the background, waits (bounded) until
# they have written their state, and stops them and removes the state directory when the script exits.
#   source ../setup_reachability_servers/servers.sh <state-dir prefix> <lifetime seconds> [server options...]
# Sets STATE_DIR (with an out/ directory in it) and SERVER_PID.

# The server helper lives with the unit tests; import it from the collection (ansible-test sets
# ANSIBLE_COLLECTIONS_PATH; run by hand, the repository must sit at .../ansible_collections/netallow/apple).
COLLECTIONS_ROOT="${ANSIBLE_COLLECTIONS_PATH:-$(cd ../../../../../.. && pwd)}"
SERVERS_MODULE=ansible_collections.netallow.apple.tests.unit.plugins.module_utils.reachability_servers
STATE_DIR="$(mktemp -d "/tmp/$1-XXXXXX")"
mkdir -p "${STATE_DIR}/out"
PYTHONPATH="${COLLECTIONS_ROOT%%:*}${PYTHONPATH:+:${PYTHONPATH}}" \
    python -m "${SERVERS_MODULE}" --state "${STATE_DIR}/servers.json" --lifetime "$2" "${@:3}" &
SERVER_PID=$!
cleanup() {
    # NAREACH_ARTIFACTS=<dir> keeps the reports (and any screenshot) for a human look.
    if [ -n "${NAREACH_ARTIFACTS:-}" ]; then cp -r "${STATE_DIR}/out/." "${NAREACH_ARTIFACTS}/" || true; fi
    kill "${SERVER_PID}" 2>/dev/null || true
    wait "${SERVER_PID}" 2>/dev/null || true
    rm -rf "${STATE_DIR}"
}
trap cleanup EXIT
for _attempt in $(seq 1 100); do
    [ -s "${STATE_DIR}/servers.json" ] && break
    kill -0 "${SERVER_PID}"
    sleep 0.2
done
