# shellcheck shell=bash
set -euo pipefail
echo "== ruleset"; nft -s list ruleset
echo "== /etc/nftables.conf"; sha256sum /etc/nftables.conf
echo "== /etc/nftables.d"; ls -A /etc/nftables.d 2>/dev/null || echo "(none)"
echo "== /etc/dnsmasq.d"; ls -A /etc/dnsmasq.d
echo "== /etc/systemd/system"; find /etc/systemd/system | sort
echo "== /usr/local/lib"; ls -A /usr/local/lib
echo "== enabled"; for unit in nftables.service dnsmasq.service netallow-apple-nft-refresh.timer; do
    printf '%s %s\n' "$unit" "$(systemctl is-enabled "$unit" 2>/dev/null || true)"; done
echo "== active"; for unit in nftables.service dnsmasq.service netallow-apple-nft-refresh.timer; do
    printf '%s %s\n' "$unit" "$(systemctl is-active "$unit" 2>/dev/null || true)"; done
echo "== /var/lib"; find /var/lib -mindepth 1 -maxdepth 1 -name "*netallow*" -printf "%f\n" | sort | grep . || echo "(none)"
