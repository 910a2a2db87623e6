#!/usr/bin/env bash
# The AWX path, without AWX: (1) ansible-builder create writes the execution environment's build context from
# execution-environment.yml, and ansible-builder introspect resolves the collection's own Python and system
# requirements from the built tarball; (2) ansible-runner runs the fleet playbook the way AWX does, from a private
# data directory (project, inventory, env), and the reports come out of that run. Probes go to 127.0.0.1 only.
set -eux -o pipefail
cd "$(dirname "$0")"
# ansible-test runs a copy of this directory elsewhere and sets ANSIBLE_COLLECTIONS_PATH; by hand, the
# repository must sit at .../ansible_collections/netallow/apple.
collections_root="${ANSIBLE_COLLECTIONS_PATH:-$(cd ../../../../../.. && pwd)}"
collections_root="${collections_root%%:*}"
collection_root="${collections_root}/ansible_collections/netallow/apple"
artifacts="${NAAWX_ARTIFACTS:-${collection_root}/tests/output/artifacts/awx_path}"
work="$(mktemp -d /tmp/naawx-XXXXXX)"
trap 'rm -rf "${work}"' EXIT
mkdir -p "${artifacts}"

# 1. The execution environment's build context.
ee="${work}/ee"
mkdir -p "${ee}"
cp "${collection_root}"/{execution-environment.yml,ee-requirements.yml,requirements.txt,bindep.txt} "${ee}/"
ansible-galaxy collection build --output-path "${ee}/context-collections" "${collection_root}"
(cd "${ee}" && ansible-builder create -f execution-environment.yml --context context --output-filename Containerfile)
ansible-galaxy collection install --force --no-deps -p "${ee}/installed" "${ee}"/context-collections/netallow-apple-*.tar.gz
ansible-builder introspect --write-pip "${ee}/resolved-pip.txt" --write-bindep "${ee}/resolved-bindep.txt" \
    "${ee}/installed"

# 2. The fleet playbook through ansible-runner: a private data directory as AWX lays it out.
pdd="${work}/runner"
mkdir -p "${pdd}/project" "${pdd}/inventory" "${pdd}/env"
cp "${collection_root}/playbooks/fleet_reachability.yml" "${pdd}/project/"
{
    echo "[macs]"
    for index in 1 2 3 4 5; do
        echo "mac-0${index} ansible_connection=local ansible_python_interpreter=$(command -v python)"
    done
    # In the inventory, outside the probed group: it runs no check, and the report counts it without failing.
    echo "[printers]"
    echo "printer-01 ansible_connection=local ansible_python_interpreter=$(command -v python)"
} > "${pdd}/inventory/hosts"
# What the hosts "run": mac-01 a squid include from an older catalog and selection, mac-02 the current one, the
# others nothing. The fleet playbook reads them back with the deployed module.
mkdir -p "${work}/deployed"
ansible-playbook prepare_deployed.yml -e "deployed_dir=${work}/deployed"
# Every probed name resolves to 127.0.0.1 (nothing of Apple's listens there: the run fails fast, on loopback only).
PYTHONPATH="${collections_root}" python - "${pdd}/env/extravars" "${pdd}/reports" "${work}/deployed" <<'PY'
import json
import sys

from ansible_collections.netallow.apple.plugins.action.reachability import select_targets

targets, _skipped = select_targets({"section": ["devicesetup"]})
extravars = {
    "netallow_apple_fleet_sections": ["devicesetup"],
    "netallow_apple_fleet_timeout": 1,
    "netallow_apple_fleet_resolve": {t["probe"]: "127.0.0.1" for t in targets},
    "netallow_apple_fleet_report_dir": sys.argv[2],
    "netallow_apple_fleet_hosts": "macs",
    "netallow_apple_fleet_deployed_paths": [sys.argv[3] + "/{{ inventory_hostname }}.conf"],
    "netallow_apple_fleet_deployed_select": {"section": ["devicesetup"]},
}
with open(sys.argv[1], "w", encoding="utf-8") as handle:
    json.dump(extravars, handle)
PY
printf '{"ANSIBLE_COLLECTIONS_PATH": "%s", "ANSIBLE_NOCOLOR": "1"}\n' "${collections_root}" > "${pdd}/env/envvars"
echo '{"job_timeout": 600, "suppress_ansible_output": false}' > "${pdd}/env/settings"
ansible-runner run "${pdd}" -p fleet_reachability.yml --ident ci || true  # the checks below read rc and status
cp -r "${pdd}/reports" "${artifacts}/" || true
# The job events, one JSON file each, as one list for the checks.
python -c 'import glob, json, sys; json.dump([json.load(open(p)) for p in sorted(glob.glob(sys.argv[1] + "/*.json"))],
                                              open(sys.argv[2], "w"))' "${pdd}/artifacts/ci/job_events" "${work}/events.json"

ansible-playbook runme.yml -e "work=${work}" -e "collection_root=${collection_root}" "$@"
