# shellcheck shell=bash
# Read by verify.yml into a shell task (bash) on the booted host: the state that a failed run must not change.
set -euo pipefail
echo "== ruleset"; nft -s list table inet netallow_apple
echo "== files"; sha256sum /etc/nftables.conf /etc/nftables.d/netallow_apple.nft
