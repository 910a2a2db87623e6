#!/usr/bin/env bash
# The catalog reader end to end: a local HTTPS server plays support.apple.com, a real squid stands in front of it,
# and playbooks/catalog_update.yml runs against a scratch copy of the catalog. Servers stop when the script exits.
set -eux -o pipefail
cd "$(dirname "$0")"
# ansible-test sets ANSIBLE_COLLECTIONS_PATH; run by hand, the repository must sit at .../ansible_collections/netallow/apple.
COLLECTIONS_ROOT="${ANSIBLE_COLLECTIONS_PATH:-$(cd ../../../../../.. && pwd)}"
COLLECTION="${COLLECTIONS_ROOT%%:*}/ansible_collections/netallow/apple"
WORK="$(mktemp -d /tmp/nacatalog-it-XXXXXX)"
cp "${COLLECTION}/vars/catalog.yml" "${WORK}/catalog.yml"
# Today's article as it would be if Apple matched the catalog, and the same with one host added.
python files/render_catalog_page.py "${WORK}/catalog.yml" "${WORK}/same.html"
python files/render_catalog_page.py "${WORK}/catalog.yml" "${WORK}/next.html" --add devicemanagement:mdm-new.apple.com:443
PYTHONPATH="${COLLECTIONS_ROOT%%:*}${PYTHONPATH:+:${PYTHONPATH}}" python files/article_server.py \
    --state "${WORK}/server.json" --squid --slow 8 --lifetime 300 \
    --page "fr-fr=${COLLECTION}/tests/unit/plugins/plugin_utils/fixtures/article/article-2024-11.fr.html" \
    --page "en-us=${WORK}/same.html" --page "next=${WORK}/next.html" &
SERVER_PID=$!
cleanup() {
    kill "${SERVER_PID}" 2>/dev/null || true
    wait "${SERVER_PID}" 2>/dev/null || true
    rm -rf "${WORK}"
}
trap cleanup EXIT
for _attempt in $(seq 1 150); do
    [ -s "${WORK}/server.json" ] && break
    kill -0 "${SERVER_PID}"
    sleep 0.2
done
ansible-playbook runme.yml -e "work=${WORK}" -e "collection=${COLLECTION}" "$@"
