#!/usr/bin/env bash
# The nftables role against a user's own ruleset in a scratch network namespace: enforce mode refuses the user's
# table, allow mode and removal leave it byte-identical, options cannot inject statements, and a boolean given as a
# string on the command line means what it says.
set -eux -o pipefail
cd "$(dirname "$0")"
# Unique per checkout and per run: other trees run the same target at the same time.
NS="nahard-$(printf '%s' "$PWD" | sha1sum | cut -c1-6)-$$"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/nahard-XXXXXX")"
cleanup() {
    ip netns del "$NS" 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT
trap "exit 143" INT TERM
export ANSIBLE_NOCOLOR=1
ip netns add "$NS"
ip netns exec "$NS" nft -f files/user_table.nft
ip netns exec "$NS" nft list ruleset > "$WORK/user.nft"
cmp "$WORK/user.nft" files/user_table.nft
# The role keeps its markers under /var/lib by default: here they stay in the scratch directory.
play() {
    ansible-playbook -i inventory.ini -e nahard_netns="$NS" -e nahard_work="$WORK" \
        -e __netallow_apple_nftables_state_dir="$WORK/state" "$@"
}

# Ownership, injection and mode preservation.
play ownership.yml "$@"
cmp "$WORK/user.nft" <(ip netns exec "$NS" nft list ruleset)

# "-e name=false" is the string "false": the argument spec accepts it as a boolean and the policy only logs.
play booleans.yml -e netallow_apple_nftables_drop_other=false -e nahard_expect_drop=false "$@"
cmp "$WORK/user.nft" <(ip netns exec "$NS" nft list ruleset)

# A value that is no boolean is refused before any task runs, naming the option.
if play booleans.yml -e netallow_apple_nftables_drop_other=maybe -e nahard_expect_drop=false "$@" > "$WORK/maybe.log" 2>&1; then
    echo "drop_other=maybe was accepted" >&2
    exit 1
fi
grep -q "netallow_apple_nftables_drop_other" "$WORK/maybe.log"
grep -q "Validating arguments against arg spec" "$WORK/maybe.log"
cmp "$WORK/user.nft" <(ip netns exec "$NS" nft list ruleset)

# squid: state absent removes only an include file carrying the role's mark.
play squid.yml "$@"

# firewalld: a --check-config warning about the role's own files fails the role before install (files with a defect
# stand in for the rendered ones); the site's own earlier warning does not.
play firewalld_defect.yml -e @files/firewalld_defect.json "$@"
play firewalld.yml "$@"
