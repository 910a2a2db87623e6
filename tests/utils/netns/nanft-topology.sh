#!/usr/bin/env bash
# Copyright (c) 2026, netallow.apple contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Three network namespaces for firewall tests with real traffic:
#   nanft-<tag>-cli   a client, default route via the gateway
#   nanft-<tag>-gw    the gateway that runs the ruleset under test (forward hook) and dnsmasq
#   nanft-<tag>-srv   the "internet": 17.253.1.1 plays Apple, 203.0.113.10 a CDN, 198.51.100.10 not Apple
#                     (documentation ranges, RFC 5737), each assigned inside this namespace only;
#                     IPv6: 2620:149:a::1 plays Apple, 2001:db8:1::10 not Apple.
# Usage: nanft-topology.sh up|down <tag>     (<tag>: 1-4 lower-case letters/digits, keeps veth names <= 15 chars)
set -euo pipefail

action=${1:?usage: $0 up|down <tag>}
tag=${2:?usage: $0 up|down <tag>}
[[ $tag =~ ^[a-z0-9]{1,4}$ ]] || { echo "tag must be 1-4 of [a-z0-9], got '$tag'" >&2; exit 2; }

cli=nanft-$tag-cli
gw=nanft-$tag-gw
srv=nanft-$tag-srv

down() {
  local ns
  for ns in "$cli" "$gw" "$srv"; do
    if ip netns pids "$ns" >/dev/null 2>&1; then
      # Processes started inside (echo servers, dnsmasq) die with their namespace's last user.
      ip netns pids "$ns" | xargs -r kill 2>/dev/null || true
      ip netns del "$ns" 2>/dev/null || true
    fi
  done
}

up() {
  down
  trap 'down' ERR
  ip netns add "$cli"
  ip netns add "$gw"
  ip netns add "$srv"
  for ns in "$cli" "$gw" "$srv"; do
    ip -n "$ns" link set lo up
    # No duplicate address detection: addresses are usable at once and the link-local ones never stay tentative.
    ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
  done
  ip link add "nanft${tag}c0" netns "$cli" type veth peer name "nanft${tag}c1" netns "$gw"
  ip link add "nanft${tag}s0" netns "$srv" type veth peer name "nanft${tag}s1" netns "$gw"

  ip -n "$cli" link set "nanft${tag}c0" up
  ip -n "$cli" addr add 10.77.1.2/24 dev "nanft${tag}c0"
  ip -n "$cli" addr add fd77:1::2/64 dev "nanft${tag}c0" nodad
  ip -n "$cli" route add default via 10.77.1.1
  ip -n "$cli" -6 route add default via fd77:1::1

  ip -n "$gw" link set "nanft${tag}c1" up
  ip -n "$gw" link set "nanft${tag}s1" up
  ip -n "$gw" addr add 10.77.1.1/24 dev "nanft${tag}c1"
  ip -n "$gw" addr add fd77:1::1/64 dev "nanft${tag}c1" nodad
  ip -n "$gw" addr add 10.77.2.1/24 dev "nanft${tag}s1"
  ip -n "$gw" addr add fd77:2::1/64 dev "nanft${tag}s1" nodad
  ip netns exec "$gw" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
  for dst in 17.253.1.1 203.0.113.10 198.51.100.10; do
    ip -n "$gw" route add "$dst/32" via 10.77.2.2
  done
  ip -n "$gw" -6 route add 2620:149:a::1/128 via fd77:2::2
  ip -n "$gw" -6 route add 2001:db8:1::10/128 via fd77:2::2

  ip -n "$srv" link set "nanft${tag}s0" up
  ip -n "$srv" addr add 10.77.2.2/24 dev "nanft${tag}s0"
  ip -n "$srv" addr add fd77:2::2/64 dev "nanft${tag}s0" nodad
  for addr in 17.253.1.1/32 203.0.113.10/32 198.51.100.10/32; do
    ip -n "$srv" addr add "$addr" dev lo
  done
  ip -n "$srv" addr add 2620:149:a::1/128 dev lo
  ip -n "$srv" addr add 2001:db8:1::10/128 dev lo
  ip -n "$srv" route add default via 10.77.2.1
  ip -n "$srv" -6 route add default via fd77:2::1
  trap - ERR
}

case $action in
  up) up ;;
  down) down ;;
  *) echo "unknown action '$action': use up or down" >&2; exit 2 ;;
esac
