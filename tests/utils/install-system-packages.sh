#!/usr/bin/env bash
# Install the Debian packages that bindep.txt lists for a profile (default: the base set; "test": the test suite's).
# Services shipped by those packages (squid, dnsmasq, firewalld) are NOT started by the package install:
# the tests start their own instances on loopback or inside network namespaces, with their own configurations.
set -euo pipefail
profile="${1:-}"
here="$(cd "$(dirname "$0")/../.." && pwd)"
boot="$here/.build/bindep-venv"

apt_install() {
    [ "$#" -gt 0 ] || return 0
    if [ "$(id -u)" -ne 0 ]; then
        echo "missing system packages (run as root to install): $*" >&2
        exit 1
    fi
    # Keep maintainer scripts from starting daemons that would take ports 53 and 3128 from the tests.
    local policy=/usr/sbin/policy-rc.d created=0
    if [ ! -e "$policy" ]; then
        printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod +x "$policy" && created=1
    fi
    trap '[ "$created" = 1 ] && rm -f "$policy"' RETURN
    if [ ! -f /var/lib/apt/periodic/netallow-updated ] || [ -z "$(find /var/lib/apt/lists -mindepth 1 -maxdepth 1 ! -name lock -print -quit 2>/dev/null)" ]; then
        apt-get update -qq
        mkdir -p /var/lib/apt/periodic && touch /var/lib/apt/periodic/netallow-updated
    fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

# bindep itself runs from a small bootstrap virtual environment.
if ! python3 -c 'import venv, ensurepip' 2>/dev/null; then
    apt_install python3-venv
fi
if [ ! -x "$boot/bin/bindep" ]; then
    python3 -m venv "$boot"
    "$boot/bin/python" -m pip install -q bindep
fi
# bindep -b prints the missing packages and exits 1 when some are missing.
missing="$("$boot/bin/bindep" -b -f "$here/bindep.txt" ${profile:+"$profile"} || true)"
# shellcheck disable=SC2086
apt_install $missing
# Daemons installed by the packages stay stopped: the tests run their own instances.
for svc in squid dnsmasq firewalld; do
    if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet "$svc" 2>/dev/null; then
        systemctl stop "$svc" || true
    fi
done
exit 0
