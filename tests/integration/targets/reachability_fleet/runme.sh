#!/usr/bin/env bash
# A fleet of 300 inventory hosts (local connection) probes local servers with the free strategy; a second play
# merges every host's results into one report with a per-target summary across hosts.
set -eux -o pipefail
cd "$(dirname "$0")"
# The server helper lives with the unit tests; import it from the collection (ansible-test sets
# ANSIBLE_COLLECTIONS_PATH; run by hand, the repository must sit at .../ansible_collections/netallow/apple).
COLLECTIONS_ROOT="${ANSIBLE_COLLECTIONS_PATH:-$(cd ../../../../../.. && pwd)}"
SERVERS_MODULE=ansible_collections.netallow.apple.tests.unit.plugins.module_utils.reachability_servers
STATE_DIR="$(mktemp -d /tmp/nareach-fleet-XXXXXX)"
mkdir -p "${STATE_DIR}/out"
PYTHONPATH="${COLLECTIONS_ROOT%%:*}${PYTHONPATH:+:${PYTHONPATH}}" python -m "${SERVERS_MODULE}" --state "${STATE_DIR}/servers.json" --lifetime 600 &
SERVER_PID=$!
cleanup() {
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
# Pipelining: one process per host and task instead of a copied module file.
ANSIBLE_PIPELINING=1 ANSIBLE_FORKS="${NAREACH_FORKS:-16}" ansible-playbook -i inventory.yml runme.yml \
    -e "@${STATE_DIR}/servers.json" -e "out_dir=${STATE_DIR}/out" "$@"
