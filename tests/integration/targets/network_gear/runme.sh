#!/usr/bin/env bash
# network_gear: offline rendering (ASA, Junos, VyOS) against golden files, then FortiOS through the real
# fortinet.fortios modules and httpapi against a local REST emulator (check mode, apply, re-apply, absent), then
# Check Point through the real check_point.mgmt modules and httpapi against a Management API emulator (check mode,
# a run that fails in the middle, apply, re-apply, absent). Emulators listen on 127.0.0.1, on a port chosen at run
# time, and stop when this script ends (or by themselves after --max-seconds).
set -eux -o pipefail
cd "$(dirname "$0")"
# The collection root holds tests/utils/gear_emulators; ansible-test runs this script from a copy of the target
# deeper in the tree (tests/output/.tmp/...), so look upwards for it.
COLLECTION_ROOT="$PWD"
while [ ! -f "$COLLECTION_ROOT/tests/utils/gear_emulators/_https.py" ]; do
    [ "$COLLECTION_ROOT" != / ] || { echo "tests/utils/gear_emulators not found above $PWD" >&2; exit 1; }
    COLLECTION_ROOT="$(dirname "$COLLECTION_ROOT")"
done
WORK="$(mktemp -d "${TMPDIR:-/tmp}/nagear-XXXXXX")"
EMULATOR_PIDS=()
cleanup() {
    for pid in "${EMULATOR_PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${EMULATOR_PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
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
# The objects' comments carry the stamp line; the golden files write its catalog_version (the shipped catalog's,
# which changes with every catalog update) as @CATALOG_VERSION@.
CATALOG_VERSION="$(sed -n 's/^catalog_version: *"\{0,1\}\([^"]*\)"\{0,1\} *$/\1/p' "$COLLECTION_ROOT/vars/catalog.yml")"
[ -n "$CATALOG_VERSION" ] || { echo "no catalog_version in $COLLECTION_ROOT/vars/catalog.yml" >&2; exit 1; }
for vendor in asa junos vyos; do
    sed "s/@CATALOG_VERSION@/$CATALOG_VERSION/g" "files/golden/$vendor.txt" > "$WORK/golden-$vendor.txt"
    diff -u "$WORK/golden-$vendor.txt" "$WORK/out/nagear-$vendor.$vendor.txt"
done
# The ACE is placed at line 3 and sends the service group and the destination group.
grep -qx 'access-list apple-out line 3 extended permit object-group apple-services any object-group apple-destinations log informational' "$WORK/out/nagear-asa.asa.txt"
echo "network_gear: rendering done after ${SECONDS}s"

# 1b. Without paloaltonetworks.panos (not installable here), applying to PAN-OS stops at the role's first checks,
# naming the collection, and writes nothing. (A device connection without its collection stops even earlier, at
# Ansible's own first task: "network os ... is not supported".)
if missing_out="$(NAGEAR_OUT="$WORK/out-missing" ansible-playbook -i nagear-panos, -c local \
        -e ansible_network_os=paloaltonetworks.panos.panos missing_collection.yml "$@" 2>&1)"; then
    echo "PAN-OS without paloaltonetworks.panos passed" >&2; exit 1
fi
grep -q 'panos needs the collection(s) paloaltonetworks.panos, which Ansible cannot find' <<<"$missing_out" \
    || { echo "$missing_out" >&2; exit 1; }
[ ! -e "$WORK/out-missing" ]

# 2. FortiOS against the emulator.
# start_emulator NAME SCRIPT ARGS...: start it in the background, wait for its port file, set PORT. Each emulator
# serves one section below and is stopped at its end (stop_emulator); --max-seconds bounds it if this script dies.
# An emulator that exits or publishes no port within 30 s stops the test with its name.
start_emulator() {
    mkdir -p "$WORK/$1"
    python "$COLLECTION_ROOT/tests/utils/gear_emulators/$2" --port-file "$WORK/$1/port" --max-seconds 1800 "${@:3}" &
    EMULATOR_PIDS+=($!)
    local started=$SECONDS
    for _ in $(seq 1 300); do
        [ -s "$WORK/$1/port" ] && break
        kill -0 "${EMULATOR_PIDS[-1]}" 2>/dev/null || { echo "the $1 emulator exited before it listened" >&2; exit 1; }
        sleep 0.1
    done
    [ -s "$WORK/$1/port" ] || { echo "the $1 emulator published no port within 30 s" >&2; exit 1; }
    PORT="$(cat "$WORK/$1/port")"
    echo "network_gear: $1 emulator listening on 127.0.0.1:$PORT after $(( SECONDS - started ))s"
}
stop_emulator() {
    local pid="${EMULATOR_PIDS[-1]}"
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    echo "network_gear: $1 done after ${SECONDS}s"
}
start_emulator fortios fortios.py --seed files/fortios_seed.json --cert-dir "$WORK/fortios"
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
run conflict
run check --check
run apply | tee "$WORK/apply.log"
grep -Eq 'nagear-fortios +: ok=[0-9]+ +changed=[1-9]' "$WORK/apply.log"
run reapply | tee "$WORK/reapply.log"
grep -Eq 'nagear-fortios +: ok=[0-9]+ +changed=0 ' "$WORK/reapply.log"
run absent
stop_emulator FortiOS

# 3. Check Point against the Management API emulator, with a password made for this run that must never be logged.
# (Written straight to a file, so that the shell trace does not show it.)
python -c 'import secrets; print(secrets.token_urlsafe(18))' > "$WORK/cp-password"
start_emulator checkpoint checkpoint.py --seed files/checkpoint_seed.json --cert-dir "$WORK/checkpoint" \
    --user ansible --password-file "$WORK/cp-password"
cat > "$WORK/inventory_checkpoint.yml" <<INV
all:
  hosts:
    nagear-checkpoint:
      ansible_connection: ansible.netcommon.httpapi
      ansible_network_os: check_point.mgmt.checkpoint
      ansible_host: 127.0.0.1
      ansible_httpapi_port: $PORT
      ansible_httpapi_use_ssl: true
      ansible_httpapi_validate_certs: false
      ansible_user: ansible
      ansible_password: "{{ lookup('ansible.builtin.file', '$WORK/cp-password') }}"
      ansible_python_interpreter: "{{ ansible_playbook_python }}"
INV
cp_run() { NAGEAR_PHASE="$1" ansible-playbook -i "$WORK/inventory_checkpoint.yml" checkpoint.yml "${@:2}"; }
cp_run check --check
# The group fails on the device after the domains and networks were written into the session: the run fails,
# names the object, and the module discards the session (checked in the after-fail phase).
if cp_run fail > "$WORK/cp-fail.log" 2>&1; then cat "$WORK/cp-fail.log"; echo "the failing run succeeded" >&2; exit 1; fi
cat "$WORK/cp-fail.log"
grep -q "apple-destinations.*the management server refused add-group" "$WORK/cp-fail.log"
grep -q "Unpublished changes were discarded" "$WORK/cp-fail.log"
cp_run after-fail
cp_run apply | tee "$WORK/cp-apply.log"
grep -Eq 'nagear-checkpoint +: ok=[0-9]+ +changed=[1-9]' "$WORK/cp-apply.log"
cp_run reapply | tee "$WORK/cp-reapply.log"
grep -Eq 'nagear-checkpoint +: ok=[0-9]+ +changed=0 ' "$WORK/cp-reapply.log"
cp_run absent | tee "$WORK/cp-absent.log"
if grep -F -f "$WORK/cp-password" "$WORK"/cp-*.log; then echo "the Check Point password was logged" >&2; exit 1; fi
stop_emulator "Check Point"

# 4. VyOS over network_cli against a scripted SSH device (vyos_config compares with "show configuration commands").
python -c 'import secrets; print(secrets.token_urlsafe(18))' > "$WORK/vyos-password"
export NAGEAR_VYOS_STATE="$WORK/vyos/state.json"
start_emulator vyos vyos_ssh.py --state-file "$NAGEAR_VYOS_STATE" --seed files/vyos_seed.txt \
    --user vyos --password-file "$WORK/vyos-password"
cat > "$WORK/inventory_vyos.yml" <<INV
all:
  hosts:
    nagear-vyos:
      ansible_connection: ansible.netcommon.network_cli
      ansible_network_os: vyos.vyos.vyos
      ansible_network_cli_ssh_type: paramiko
      ansible_host: 127.0.0.1
      ansible_port: $PORT
      ansible_user: vyos
      ansible_password: "{{ lookup('ansible.builtin.file', '$WORK/vyos-password') }}"
      ansible_host_key_checking: false
      ansible_paramiko_look_for_keys: false
      ansible_python_interpreter: "{{ ansible_playbook_python }}"
INV
vyos_run() { NAGEAR_PHASE="$1" ansible-playbook -i "$WORK/inventory_vyos.yml" vyos.yml "${@:2}"; }
vyos_run conflict
vyos_run check --check
vyos_run apply | tee "$WORK/vyos-apply.log"
grep -Eq 'nagear-vyos +: ok=[0-9]+ +changed=[1-9]' "$WORK/vyos-apply.log"
vyos_run reapply | tee "$WORK/vyos-reapply.log"
grep -Eq 'nagear-vyos +: ok=[0-9]+ +changed=0 ' "$WORK/vyos-reapply.log"
vyos_run absent | tee "$WORK/vyos-absent.log"
if grep -F -f "$WORK/vyos-password" "$WORK"/vyos-*.log; then echo "the VyOS password was logged" >&2; exit 1; fi
stop_emulator VyOS

# 5. PAN-OS: paloaltonetworks.panos cannot be installed here, so the role renders its task arguments and a stand-in
# applies them through pan-os-python objects with the modules' logic, against an XML API emulator.
export NAGEAR_PANOS_DIR="$WORK/panos" NAGEAR_UTILS="$COLLECTION_ROOT/tests/utils"
mkdir -p "$NAGEAR_PANOS_DIR"
python -c 'import secrets; print(secrets.token_urlsafe(18))' > "$NAGEAR_PANOS_DIR/password"
start_emulator panos panos_xml_api.py --seed files/panos_seed.xml --cert-dir "$WORK/panos" \
    --user admin --password-file "$NAGEAR_PANOS_DIR/password"
export NAGEAR_PANOS_PORT="$PORT"
cat > "$WORK/inventory_panos.yml" <<INV
all:
  hosts:
    nagear-panos:
      ansible_connection: local
      ansible_network_os: paloaltonetworks.panos.panos
      ansible_python_interpreter: "{{ ansible_playbook_python }}"
INV
panos_run() { NAGEAR_PHASE="$1" ansible-playbook -i "$WORK/inventory_panos.yml" panos.yml "${@:2}"; }
panos_run render
panos_run apply | tee "$WORK/panos-apply.log"
panos_run reapply | tee "$WORK/panos-reapply.log"
grep -Eq 'nagear-panos +: ok=[0-9]+ +changed=0 ' "$WORK/panos-reapply.log"
panos_run absent | tee "$WORK/panos-absent.log"
if grep -F -f "$NAGEAR_PANOS_DIR/password" "$WORK"/panos-*.log; then echo "the PAN-OS password was logged" >&2; exit 1; fi
stop_emulator PAN-OS
