#!/usr/bin/env bash
# The main job (playbooks/site.yml) into a temporary directory, then a check of its out/ directory: no broad name
# (*.apple.com, .apple.com, /apple.com/, *.amazonaws.com, 17.0.0.0/8) in any allow-list, *.push.apple.com named in
# every vendor configuration, and per host exactly the ports Apple lists (files/check_out.py).
# The reachability play is left out: it probes Apple's hosts on the internet, and test traffic stays on loopback
# (the reachability targets cover that play's module and reports against local servers).
set -eux -o pipefail
cd "$(dirname "$0")"
TARGET_DIR="$PWD"
# ansible-test runs this script from a copy of the target deeper in the tree: look upwards for the collection.
COLLECTION_ROOT="$PWD"
while [ ! -f "$COLLECTION_ROOT/playbooks/site.yml" ]; do
    [ "$COLLECTION_ROOT" != / ] || { echo "playbooks/site.yml not found above $PWD" >&2; exit 1; }
    COLLECTION_ROOT="$(dirname "$COLLECTION_ROOT")"
done
WORK="$(mktemp -d "${TMPDIR:-/tmp}/namain-XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
trap "exit 143" INT TERM
export ANSIBLE_NOCOLOR=1
# The vendor collections of network_gear (see the network_gear target): next to the running Python's venv.
VENDOR_DIR="$(python -c 'import os, sys; print(os.path.join(os.path.dirname(sys.prefix), ".venv-vendor", "ansible11"))')"
if [ -d "$VENDOR_DIR/ansible_collections" ]; then
    export ANSIBLE_COLLECTIONS_PATH="${ANSIBLE_COLLECTIONS_PATH:+$ANSIBLE_COLLECTIONS_PATH:}$VENDOR_DIR"
fi

# The playbooks write into <their directory>/../out: copy them so out/ lands in the temporary directory.
cp -r "$COLLECTION_ROOT/playbooks" "$WORK/playbooks"
python - "$WORK/playbooks" <<'PY'
import sys
from pathlib import Path

import yaml

playbooks = Path(sys.argv[1])
site = yaml.safe_load((playbooks / "site.yml").read_text(encoding="utf-8"))
offline = [play for play in site if play.get("ansible.builtin.import_playbook") != "reachability.yml"]
assert len(offline) == len(site) - 1 >= 5, "site.yml no longer imports reachability.yml once: update this target"
(playbooks / "site-offline.yml").write_text(yaml.safe_dump(offline, sort_keys=False), encoding="utf-8")
PY
(cd "$WORK/playbooks" && ansible-playbook site-offline.yml "$@")
python "$TARGET_DIR/files/check_out.py" "$WORK/out" "$COLLECTION_ROOT/tests/unit/plugins/plugin_utils/fixtures"

# The allowed test over the default selection says no to the names a shortcut would admit.
ansible-playbook allowed.yml "$@"
