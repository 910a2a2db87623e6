#!/usr/bin/env bash
# Booted Debian hosts for the molecule scenarios: systemd as PID 1 in systemd-nspawn containers, on a bridge of
# their own, reached over SSH as an unprivileged user with sudo.
#
#   nahost.sh rootfs SUITE                  build (once) or reuse the cached root file system; print its path
#   nahost.sh up TAG SUITE NAME KEYFILE.pub start host NAME (overlay over the cached tree) on the bridge of TAG;
#                                           print "NAME ADDRESS"
#   nahost.sh wait TAG NAME [SECONDS]       wait until NAME's systemd is up and its SSH answers (after a reboot too)
#   nahost.sh exec TAG NAME CMD...          run CMD inside NAME (all namespaces of its PID 1)
#   nahost.sh lab TAG NAME SECONDS CMD...   run a lab server of TAG on the controller side (bounded lifetime)
#   nahost.sh labaddr TAG                   print the controller's address on the bridge of TAG
#   nahost.sh down TAG                      stop every host of TAG, unmount, delete the bridge and the state
#
# The cached tree lives in $NAHOST_CACHE (default /var/cache/netallow-apple), keyed by a hash of the suite and the
# package list, so every checkout on a machine shares it; a host writes only to its own overlay. A host reboots
# for real: `systemctl reboot` inside ends systemd-nspawn with status 133 and the supervisor boots it again on the
# same overlay. Every wait is bounded, every container has a bounded lifetime, and `down` leaves nothing behind.
set -euo pipefail

CACHE=${NAHOST_CACHE:-/var/cache/netallow-apple}
STATE_ROOT=${NAHOST_STATE:-/run/netallow-apple-nahost}
LIFETIME=${NAHOST_LIFETIME:-1500}
USER_NAME=netallow
# What the roles and the tests need on a managed host: it has no network beyond its bridge, so all of it is here.
PACKAGES=(systemd systemd-sysv dbus libpam-systemd python3 python3-apt openssh-server sudo iproute2 procps
          nftables dnsmasq squid-openssl firewalld iptables ipset)
# Services the scenarios start themselves (through the roles or their prepare step), not at boot.
DISABLED=(dnsmasq.service squid.service firewalld.service)

die() { echo "nahost: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || die "needs root (systemd-nspawn, overlay mounts, bridges)"

rootfs_path() {  # SUITE
    local key
    key=$(printf '%s\n' "$1" "${PACKAGES[@]}" "${DISABLED[@]}" "$USER_NAME" v1 | sha256sum | cut -c1-12)
    echo "$CACHE/rootfs-$1-$key"
}

cmd_rootfs() {  # SUITE
    local suite=$1 dest
    dest=$(rootfs_path "$suite")
    mkdir -p "$CACHE"
    exec 9>"$CACHE/.lock"
    flock -w 900 9 || die "timed out waiting for another build of $dest"
    if [ ! -f "$dest/.complete" ]; then
        rm -rf "$dest.tmp" "$dest"
        echo "nahost: building $dest (once per machine)" >&2
        local include
        include=$(IFS=,; echo "${PACKAGES[*]}")
        # apt's own mirror configuration; a suite the mirror lacks fails here with mmdebstrap's message.
        # shellcheck disable=SC2016  # mmdebstrap runs each hook with the root directory as "$1"
        timeout 900 mmdebstrap --variant=apt --include="$include" \
            --customize-hook='chroot "$1" useradd --create-home --shell /bin/bash '"$USER_NAME" \
            --customize-hook='echo "'"$USER_NAME"' ALL=(ALL) NOPASSWD: ALL" > "$1/etc/sudoers.d/'"$USER_NAME"'"; chmod 0440 "$1/etc/sudoers.d/'"$USER_NAME"'"' \
            --customize-hook='systemctl --root="$1" disable '"${DISABLED[*]}"' || true' \
            --customize-hook='systemctl --root="$1" enable systemd-networkd.service ssh.service' \
            --customize-hook='rm -f "$1/etc/machine-id"; : > "$1/etc/machine-id"' \
            "$suite" "$dest.tmp" >&2 || { rm -rf "$dest.tmp"; die "mmdebstrap failed for $suite"; }
        touch "$dest.tmp/.complete"
        mv "$dest.tmp" "$dest"
    fi
    flock -u 9
    echo "$dest"
}

# 198.51.100.0/24 in /28 blocks, one per checkout: the first block no interface of this machine uses.
pick_subnet() {  # TAG -> "BASE" (the network address's last octet)
    local tag=$1 used i
    used=$(ip -o -4 addr show | awk '{print $4}')
    for i in $(seq 1 15); do
        if ! grep -q "^198\.51\.100\.$((i * 16 + 1))/" <<<"$used"; then
            echo $((i * 16)); return 0
        fi
    done
    die "no free 198.51.100.0/24 block for $tag"
}

state_dir() { echo "$STATE_ROOT/$1"; }
bridge_name() { echo "nab-$1"; }

ensure_bridge() {  # TAG -> writes $state/base
    local tag=$1 st br base
    st=$(state_dir "$tag"); br=$(bridge_name "$tag")
    mkdir -p "$st"
    exec 8>"$STATE_ROOT/.lock"
    flock -w 60 8 || die "timed out waiting for the address lock"
    if ! ip link show "$br" >/dev/null 2>&1; then
        base=$(pick_subnet "$tag")
        ip link add "$br" type bridge
        ip addr add "198.51.100.$((base + 1))/28" dev "$br"
        ip link set "$br" up
        echo "$base" > "$st/base"
    fi
    flock -u 8
}

cmd_up() {  # TAG SUITE NAME KEYFILE
    local tag=$1 suite=$2 name=$3 key=$4 st lower dir base idx addr
    [ -f "$key" ] || die "no public key at $key"
    lower=$(cmd_rootfs "$suite")
    ensure_bridge "$tag"
    st=$(state_dir "$tag"); base=$(cat "$st/base")
    dir="$st/$name"
    [ ! -e "$dir/pid" ] || die "$name is already up"
    mkdir -p "$dir/upper" "$dir/work" "$dir/root"
    idx=$(find "$st" -mindepth 1 -maxdepth 1 -type d ! -name lab | wc -l)
    addr="198.51.100.$((base + 1 + idx))"
    mount -t overlay overlay -o "lowerdir=$lower,upperdir=$dir/upper,workdir=$dir/work" "$dir/root"
    # Per host: its address on the bridge, its hostname, the controller's key for the unprivileged user.
    mkdir -p "$dir/root/etc/systemd/network"
    printf '[Match]\nName=host0\n\n[Network]\nAddress=%s/28\nLinkLocalAddressing=no\nIPv6AcceptRA=no\n' "$addr" \
        > "$dir/root/etc/systemd/network/80-container-host0.network"
    echo "$name" > "$dir/root/etc/hostname"
    printf '127.0.0.1\tlocalhost\n%s\t%s\n' "$addr" "$name" > "$dir/root/etc/hosts"
    install -d -m 0700 -o 1000 -g 1000 "$dir/root/home/$USER_NAME/.ssh"
    install -m 0600 -o 1000 -g 1000 "$key" "$dir/root/home/$USER_NAME/.ssh/authorized_keys"
    echo "$addr" > "$dir/address"
    # The supervisor: boots the host again when it reboots (status 133), stops at poweroff or after LIFETIME.
    # shellcheck disable=SC2016  # the supervisor script expands its own positional parameters
    setsid bash -c '
        dir=$1 name=$2 br=$3 lifetime=$4
        end=$(( $(date +%s) + lifetime ))
        boots=0
        while [ "$(date +%s)" -lt "$end" ] && [ "$boots" -lt 20 ]; do
            boots=$((boots + 1))
            echo "$boots" > "$dir/boots"
            rc=0
            timeout --signal=TERM --kill-after=20 $(( end - $(date +%s) )) \
                systemd-nspawn --quiet --register=no --keep-unit --boot --console=pipe \
                    --machine="$name" --directory="$dir/root" --network-bridge="$br" \
                    --resolv-conf=off --timezone=off --link-journal=no \
                </dev/null >>"$dir/console.log" 2>&1 || rc=$?
            echo "exit $rc" >> "$dir/console.log"
            [ "$rc" = 133 ] || break
        done
        rm -f "$dir/pid"
    ' nahost-supervisor "$dir" "$name" "$(bridge_name "$tag")" "$LIFETIME" </dev/null >/dev/null 2>&1 &
    echo $! > "$dir/pid"
    echo "$name $addr"
}

# PID 1 of NAME: the systemd whose parent is the systemd-nspawn started by NAME's supervisor.
host_pid1() {  # TAG NAME
    local dir sup nspawn
    dir="$(state_dir "$1")/$2"
    sup=$(cat "$dir/pid" 2>/dev/null) || return 1
    nspawn=$(pgrep -P "$(pgrep -P "$sup" -x timeout | head -n1)" -x systemd-nspawn | head -n1) || return 1
    pgrep -P "$nspawn" | head -n1
}

cmd_wait() {  # TAG NAME [SECONDS]
    local tag=$1 name=$2 limit=${3:-90} end pid addr state
    end=$(( $(date +%s) + limit ))
    addr=$(cat "$(state_dir "$tag")/$name/address")
    while [ "$(date +%s)" -lt "$end" ]; do
        if pid=$(host_pid1 "$tag" "$name") && [ -n "$pid" ]; then
            state=$(nsenter -t "$pid" -a systemctl is-system-running 2>/dev/null || true)
            if { [ "$state" = running ] || [ "$state" = degraded ]; } \
                && timeout 3 bash -c "exec 3<>/dev/tcp/$addr/22" 2>/dev/null; then
                echo "$name $state"; return 0
            fi
        fi
        sleep 1
    done
    tail -n 30 "$(state_dir "$tag")/$name/console.log" >&2 || true
    die "$name did not come up within ${limit}s"
}

cmd_exec() {  # TAG NAME CMD...
    local tag=$1 name=$2 pid
    shift 2
    pid=$(host_pid1 "$tag" "$name") || die "$name is not running"
    exec nsenter -t "$pid" -a "$@"
}

cmd_lab() {  # TAG NAME SECONDS CMD...
    local tag=$1 name=$2 seconds=$3 st
    shift 3
    st=$(state_dir "$tag")
    [ -d "$st" ] || die "no hosts of $tag are up"
    mkdir -p "$st/lab"
    setsid timeout --kill-after=5 "$seconds" "$@" </dev/null >>"$st/lab/$name.log" 2>&1 &
    echo $! > "$st/lab/$name.pid"
}

cmd_labaddr() {  # TAG
    echo "198.51.100.$(( $(cat "$(state_dir "$1")/base") + 1 ))"
}

cmd_down() {  # TAG
    local tag=$1 st dir sup pid i tpids alive f link
    st=$(state_dir "$tag")
    for f in "$st"/lab/*.pid; do
        [ -f "$f" ] || continue
        pid=$(cat "$f")
        kill -TERM "$pid" 2>/dev/null || true
        for i in $(seq 1 10); do kill -0 "$pid" 2>/dev/null || break; sleep 0.3; done
        pkill -KILL -g "$pid" 2>/dev/null || true
    done
    for dir in "$st"/*/; do
        # shellcheck disable=SC2015  # skip what is not a host directory: either test failing means continue
        [ -d "$dir" ] && [ "$(basename "$dir")" != lab ] || continue
        dir=${dir%/}
        if sup=$(cat "$dir/pid" 2>/dev/null); then
            # Ask for an orderly poweroff, then make sure: SIGTERM to systemd-nspawn, then SIGKILL; all bounded.
            # shellcheck disable=SC2015  # a host that is already gone, or a poweroff that fails, is not an error
            pid=$(host_pid1 "$tag" "$(basename "$dir")" 2>/dev/null) && nsenter -t "$pid" -a \
                timeout 5 systemctl poweroff --no-block >/dev/null 2>&1 || true
            for i in $(seq 1 30); do kill -0 "$sup" 2>/dev/null || break; sleep 0.5; done
            # timeout(1) runs systemd-nspawn in a process group of its own and passes the signal on.
            tpids=$(pgrep -P "$sup" -x timeout || true)
            kill -STOP "$sup" 2>/dev/null || true   # no new boot while the current one is stopped
            for pid in $tpids; do kill -TERM "$pid" 2>/dev/null || true; done
            for i in $(seq 1 20); do
                alive=0; for pid in $tpids; do kill -0 "$pid" 2>/dev/null && alive=1; done
                [ "$alive" = 1 ] || break; sleep 0.5
            done
            for pid in $tpids; do pkill -KILL -g "$pid" 2>/dev/null || true; done
            kill -KILL "$sup" 2>/dev/null || true
        fi
        for i in $(seq 1 10); do
            mountpoint -q "$dir/root" || break
            umount "$dir/root" 2>/dev/null || umount -l "$dir/root" || true
            sleep 0.5
        done
        rm -rf "$dir"
    done
    # The kernel removes a container's veth when its network namespace goes, which can lag under load.
    for i in $(seq 1 20); do
        ip -o link show | grep -q " vb-$tag-" || break
        sleep 0.5
    done
    for link in $(ip -o link show | awk -F': ' '{print $2}' | cut -d@ -f1 | grep "^vb-$tag-" || true); do
        ip link del "$link" 2>/dev/null || true
    done
    ip link del "$(bridge_name "$tag")" 2>/dev/null || true
    rm -rf "$st"
}

[ $# -ge 1 ] || die "usage: nahost.sh rootfs|up|wait|exec|down ..."
sub=$1; shift
case $sub in
    rootfs) cmd_rootfs "$@" ;;
    up) cmd_up "$@" ;;
    wait) cmd_wait "$@" ;;
    exec) cmd_exec "$@" ;;
    lab) cmd_lab "$@" ;;
    labaddr) cmd_labaddr "$@" ;;
    down) cmd_down "$@" ;;
    *) die "unknown command $sub (valid: rootfs, up, wait, exec, lab, labaddr, down)" ;;
esac
