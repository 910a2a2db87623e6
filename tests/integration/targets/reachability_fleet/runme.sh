#!/usr/bin/env bash
# A fleet of 300 inventory hosts (local connection) probes local servers with the free strategy; a second play
# merges every host's results into one report with a per-target summary across hosts.
set -eux -o pipefail
cd "$(dirname "$0")"
# shellcheck source=../setup_reachability_servers/servers.sh
source ../setup_reachability_servers/servers.sh nareach-fleet 600
# Pipelining: one process per host and task instead of a copied module file.
ANSIBLE_PIPELINING=1 ANSIBLE_FORKS="${NAREACH_FORKS:-16}" ansible-playbook -i inventory.yml runme.yml \
    -e "@${STATE_DIR}/servers.json" -e "out_dir=${STATE_DIR}/out" "$@"
