set -euo pipefail
echo "== ruleset"; nft -s list table inet netallow_apple
echo "== files"; sha256sum /etc/nftables.conf /etc/nftables.d/netallow_apple.nft
