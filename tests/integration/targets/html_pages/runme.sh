#!/usr/bin/env bash
# The pages people open in a browser: the main job's catalog page, and a 5,000-host reachability report. Each is
# loaded in headless Chromium, searched and filtered like a reader would; screenshots land in the artifacts.
set -eux -o pipefail
cd "$(dirname "$0")"
# ansible-test runs a copy of this directory elsewhere and sets ANSIBLE_COLLECTIONS_PATH; by hand, the
# repository must sit at .../ansible_collections/netallow/apple.
collections_root="${ANSIBLE_COLLECTIONS_PATH:-$(cd ../../../../../.. && pwd)}"
collections_root="${collections_root%%:*}"
collection_root="${collections_root}/ansible_collections/netallow/apple"
artifacts="${NAPAGES_ARTIFACTS:-${collection_root}/tests/output/artifacts/html_pages}"
work="$(mktemp -d /tmp/napages-XXXXXX)"
trap 'rm -rf "${work}"' EXIT
mkdir -p "${artifacts}"

# The catalog page, written by the main job's own playbook.
ansible-playbook "${collection_root}/playbooks/catalog.yml" -e "netallow_apple_out_dir=${work}"
python "${collection_root}/tests/utils/browser_check.py" "${work}/catalog.html" \
    --screenshot "${artifacts}/catalog.png" --steps @catalog-steps.json > "${work}/catalog-browser.json"

# A 5,000-host reachability report, from module results simulated at the module boundary (the fleet benchmark's
# generator, for the device setup, device management and Apple Account sections), through the report filters.
PYTHONPATH="${collections_root}" python "${collection_root}/benchmarks/bench_fleet.py" \
    --one 5000 --selection managed --out "${work}" > "${work}/report-measure.json"
python "${collection_root}/tests/utils/browser_check.py" "${work}/reachability-5000.html" \
    --screenshot "${artifacts}/reachability-5000.png" --steps @report-steps.json > "${work}/report-browser.json"
cp "${work}/report-measure.json" "${work}/report-browser.json" "${artifacts}/"

ansible-playbook runme.yml -e "work=${work}" -e "artifacts=${artifacts}" "$@"
