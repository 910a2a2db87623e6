# Copyright (c) 2026, netallow.apple contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The catalog_version rule: every change to the catalog's data bumps the version and adds a changelog fragment.

``fixtures/catalog_version.json`` records the version and a digest of the data it was released with. When the data
changes, this test fails until the version is bumped (scheme ``YYYY.M.N``: the month of ``updated``, then a counter
from 0 within that month), a changelog fragment names the new version, and the new pair is recorded.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[4]
CATALOG_FILE = ROOT / "vars" / "catalog.yml"
LOCK = Path(__file__).resolve().parent / "fixtures" / "catalog_version.json"
CHANGELOGS = ROOT / "changelogs"
VERSION_RE = re.compile(r"^(\d{4})\.(\d{1,2})\.(\d+)$")


def data_digest(raw: dict) -> str:
    """SHA-256 of the catalog's data without its version fields: formatting and comments do not count."""
    data = {key: value for key, value in raw.items() if key not in ("catalog_version", "updated")}
    return hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()


@pytest.fixture(name="raw", scope="module")
def fixture_raw():
    return yaml.safe_load(CATALOG_FILE.read_text(encoding="utf-8"))


@pytest.fixture(name="lock", scope="module")
def fixture_lock():
    return json.loads(LOCK.read_text(encoding="utf-8"))


def check_bump(raw: dict, lock: dict, fragments_text: str) -> list[str]:
    """The rule as a pure function: the problems to fix, empty when the catalog follows it."""
    version = str(raw["catalog_version"])
    digest = data_digest(raw)
    problems = []
    match = VERSION_RE.match(version)
    if not match:
        return [f"catalog_version {version!r} does not follow YYYY.M.N"]
    if f"{match.group(1)}-{int(match.group(2)):02d}" != str(raw.get("updated")):
        problems.append(f"catalog_version {version} and updated {raw.get('updated')!r} name different months")
    if digest != lock["data_sha256"] and version == lock["catalog_version"]:
        problems.append(f"the catalog's data changed but catalog_version is still {version}: bump it "
                        "(YYYY.M.N, see docs/catalog-format.md) and add a changelog fragment naming the new version")
    elif version != lock["catalog_version"]:
        if f"catalog_version {version}" not in fragments_text and f"Catalog {version}" not in fragments_text:
            problems.append(f"no changelog fragment names catalog_version {version}")
        problems.append(f"record the release in {LOCK.name}: "
                        f'{{"catalog_version": "{version}", "data_sha256": "{digest}"}}')
    return problems


def _fragments_text() -> str:
    texts = [p.read_text(encoding="utf-8") for p in sorted((CHANGELOGS / "fragments").glob("*.y*ml"))]
    changelog = CHANGELOGS / "changelog.yaml"
    if changelog.is_file():
        texts.append(changelog.read_text(encoding="utf-8"))
    return "\n".join(texts)


def test_catalog_version_follows_the_data(raw, lock):
    assert check_bump(raw, lock, _fragments_text()) == []


def test_a_data_change_without_a_bump_fails(raw, lock):
    changed = json.loads(json.dumps(raw))
    changed["entries"][0]["tcp"] = changed["entries"][0]["tcp"] + [8443]
    problems = check_bump(changed, lock, _fragments_text())
    assert problems and "data changed but catalog_version is still" in problems[0]


def test_a_bump_needs_a_fragment_and_a_record(raw, lock):
    changed = json.loads(json.dumps(raw))
    changed["entries"][0]["tcp"] = changed["entries"][0]["tcp"] + [8443]
    year, month, number = VERSION_RE.match(raw["catalog_version"]).groups()
    changed["catalog_version"] = f"{year}.{month}.{int(number) + 1}"
    problems = check_bump(changed, lock, "")
    assert problems[0] == f"no changelog fragment names catalog_version {changed['catalog_version']}"
    assert problems[1].startswith("record the release")
    # Recorded and named in a fragment: the rule is met.
    new_lock = {"catalog_version": changed["catalog_version"], "data_sha256": data_digest(changed)}
    assert check_bump(changed, new_lock, f"catalog_version {changed['catalog_version']}") == []


def test_formatting_and_version_fields_do_not_count(raw):
    moved = dict(reversed(list(raw.items())))
    moved["catalog_version"], moved["updated"] = "1999.1.0", "1999-01"
    assert data_digest(moved) == data_digest(raw)
