#!/usr/bin/env bash
# The documentation site: antsibull-docs writes a page per plugin, module and role from their own documentation
# (plus the guides in docs/docsite/), docs/site/catalog_page.py the catalog page, antsibull-changelog the changelog;
# Sphinx builds it with warnings as errors, then every internal link and anchor is checked.
# Output: .build/docsite/build/html/index.html
set -euo pipefail
cd "$(dirname "$0")/../.."
root="$PWD"
make -s --no-print-directory copy >/dev/null
copy="${root}/.build/test/ansible_collections/netallow/apple"
site="${root}/.build/docsite"
rm -rf "${site}"
mkdir -p "${site}"
cp docs/site/conf.py docs/site/antsibull-docs.cfg "${site}/"
mkdir -m 700 "${site}/rst"
export ANSIBLE_COLLECTIONS_PATH="${root}/.build/test"
antsibull-docs --config-file "${site}/antsibull-docs.cfg" collection --cleanup everything --fail-on-error \
    --use-current --squash-hierarchy --dest-dir "${site}/rst" netallow.apple

PYTHONPATH="${root}/.build/test" python docs/site/catalog_page.py "${site}/rst/catalog.rst"
cp docs/site/ansible_references.rst "${site}/rst/"
# The changelog as antsibull-changelog renders it when the current version is released, fragments included
# (done in the copy, never in the checkout).
version="$(awk '$1 == "version:" {print $2}' galaxy.yml)"
(cd "${copy}" && antsibull-changelog release --version "${version}" --date "$(date -u +%F)" >/dev/null \
    && cp CHANGELOG.rst "${site}/changelog-raw.rst")
{
    echo ".. _ansible_collections.netallow.apple.docsite.changelog:"
    echo
    cat "${site}/changelog-raw.rst"
} > "${site}/rst/changelog.rst"
cat >> "${site}/rst/index.rst" <<'RST'

Reference
---------

.. toctree::
   :maxdepth: 1

   catalog
   changelog
RST

sphinx-build -q -b html -W --keep-going -n -c "${site}" "${site}/rst" "${site}/build/html"
python tests/utils/check_site_links.py "${site}/build/html"
echo "documentation site: ${site}/build/html/index.html"
