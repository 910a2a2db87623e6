#!/usr/bin/env bash
# Copyright (c) 2026, netallow.apple contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Run a real firewalld inside a test network namespace, with its own D-Bus system bus and a scratch configuration
# directory, in a private mount namespace: nothing of it reaches the host's firewall, D-Bus or /etc.
# Usage: nanft-firewalld.sh start <netns> <config-dir> <log-file>   prints the firewalld pid once it runs
#        nanft-firewalld.sh cmd <pid> <firewall-cmd args...>        runs firewall-cmd against that firewalld
# Stopping: nanft-topology.sh down kills every process of the namespace.
set -euo pipefail

case ${1:-} in
  start)
    netns=${2:?netns}; config=${3:?config dir}; log=${4:?log file}
    [[ $netns == nanft-* ]] || { echo "netns must start with nanft-, got '$netns'" >&2; exit 2; }
    # The inner script runs in the new mount namespace: private /run/dbus and /run/firewalld.
    # shellcheck disable=SC2016  # the inner script expands its own positional parameters
    ip netns exec "$netns" unshare -m --propagation private sh -c '
      set -e
      mount -t tmpfs tmpfs /run/dbus
      mkdir -p /run/firewalld && mount -t tmpfs tmpfs /run/firewalld
      dbus-daemon --system --fork --nopidfile
      exec firewalld --nofork --nopid --system-config "$1" --log-target console' sh "$config" >"$log" 2>&1 &
    for _ in $(seq 1 60); do
      pid=""
      for p in $(ip netns pids "$netns"); do
        cmdline=$( { tr '\0' ' ' <"/proc/$p/cmdline"; } 2>/dev/null || true)
        if [[ $cmdline == *"firewalld --nofork"* ]]; then pid=$p; break; fi
      done
      if [[ -n ${pid:-} ]] && nsenter -t "$pid" -m -n firewall-cmd --state >/dev/null 2>&1; then
        echo "$pid"
        exit 0
      fi
      sleep 0.5
    done
    echo "firewalld did not start in $netns; log:" >&2
    cat "$log" >&2
    exit 1
    ;;
  cmd)
    pid=${2:?pid}; shift 2
    exec nsenter -t "$pid" -m -n firewall-cmd "$@"
    ;;
  *)
    echo "usage: $0 start <netns> <config-dir> <log-file> | cmd <pid> <args...>" >&2
    exit 2
    ;;
esac
