#!/usr/bin/env bash
# network_gear: offline rendering (ASA, Junos, VyOS) against golden files, then FortiOS through the real
# fortinet.fortios modules and httpapi against a local REST emulator (check mode, apply, re-apply, absent).
set -eux -o pipefail
cd "$(dirname "$0")"
# The collection root holds tests/utils/fortios_emulator; ansible-test runs this script from a copy of the target
# deeper in the tree (tests/output/.tmp/...), so look upwards for it.
COLLECTION_ROOT="$PWD"
while [ ! -f "$COLLECTION_ROOT/tests/utils/fortios_emulator/server.py" ]; do
    [ "$COLLECTION_ROOT" != / ] || { echo "tests/utils/fortios_emulator not found above $PWD" >&2; exit 1; }
    COLLECTION_ROOT="$(dirname "$COLLECTION_ROOT")"
done
WORK="$(mktemp -d "${TMPDIR:-/tmp}/nagear-XXXXXX")"
EMULATOR_PID=""
cleanup() {
    if [ -n "$EMULATOR_PID" ]; then kill "$EMULATOR_PID" 2>/dev/null || true; fi
    rm -rf "$WORK"
}
trap cleanup EXIT
trap "exit 143" INT TERM  # run the EXIT trap (emulator stopped, temp dir removed) when interrupted too
export ANSIBLE_NOCOLOR=1
# cisco.asa and junipernetworks.junos last shipped in the ansible 11.x package: `make .venv-vendor/stamp` extracts
# them next to the venv. ansible-test strips the environment, so look next to the running Python's venv.
VENDOR_DIR="$(python -c 'import os, sys; print(os.path.join(os.path.dirname(sys.prefix), ".venv-vendor", "ansible11"))')"
if [ -d "$VENDOR_DIR/ansible_collections" ]; then
    export ANSIBLE_COLLECTIONS_PATH="${ANSIBLE_COLLECTIONS_PATH:+$ANSIBLE_COLLECTIONS_PATH:}$VENDOR_DIR"
fi

# 1. Render-only mode: the resource modules' rendered state and the renderers' CLI, compared byte for byte.
NAGEAR_OUT="$WORK/out" ansible-playbook -i inventory_rendered.yml rendered.yml "$@"
for vendor in asa junos vyos; do
    diff -u "files/golden/$vendor.txt" "$WORK/out/nagear-$vendor.$vendor.txt"
done
# The ACE is placed at line 3 and sends the service group and the destination group.
grep -qx 'access-list apple-out line 3 extended permit object-group apple-services any object-group apple-destinations log informational' "$WORK/out/nagear-asa.asa.txt"

# 2. FortiOS against the emulator.
python "$COLLECTION_ROOT/tests/utils/fortios_emulator/server.py" --port-file "$WORK/port" \
    --seed files/fortios_seed.json --cert-dir "$WORK" &
EMULATOR_PID=$!
for _ in $(seq 1 100); do [ -s "$WORK/port" ] && break; sleep 0.1; done
PORT="$(cat "$WORK/port")"
cat > "$WORK/inventory_fortios.yml" <<INV
all:
  hosts:
    nagear-fortios:
      ansible_connection: ansible.netcommon.httpapi
      ansible_network_os: fortinet.fortios.fortios
      ansible_host: 127.0.0.1
      ansible_httpapi_port: $PORT
      ansible_httpapi_use_ssl: true
      ansible_httpapi_validate_certs: false
      ansible_httpapi_session_key:
        access_token: test
      ansible_python_interpreter: "{{ ansible_playbook_python }}"
INV
run() { NAGEAR_PHASE="$1" ansible-playbook -i "$WORK/inventory_fortios.yml" fortios.yml "${@:2}"; }
run check --check
run apply | tee "$WORK/apply.log"
grep -Eq 'nagear-fortios +: ok=[0-9]+ +changed=[1-9]' "$WORK/apply.log"
run reapply | tee "$WORK/reapply.log"
grep -Eq 'nagear-fortios +: ok=[0-9]+ +changed=0 ' "$WORK/reapply.log"
run absent
