# Copyright (c) 2026, netallow.apple contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Gate for a proposed catalog file: the JSON schema, the collection's own validator, then every catalog test.

Usage: check_catalog.py CANDIDATE.yml   (the `validate:` command of the task that replaces vars/catalog.yml)
Exits non-zero with the reason on the first failure, so the old catalog stays in place.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CATALOG_TESTS = ("tests/unit/plugins/plugin_utils/test_catalog_data.py",)


def main(candidate: str) -> int:
    try:
        import jsonschema
        import pytest  # noqa: F401 - the catalog tests run under it
        import yaml
    except ImportError as exc:
        print(f"applying a catalog diff needs {exc.name} (pip install -r requirements-test.txt)", file=sys.stderr)
        return 1

    with open(candidate, encoding="utf-8") as handle:
        raw = yaml.safe_load(handle)
    with open(ROOT / "vars" / "catalog.schema.json", encoding="utf-8") as handle:
        schema = json.load(handle)
    errors = sorted(jsonschema.Draft202012Validator(schema).iter_errors(raw), key=lambda e: list(e.path))
    if errors:
        for error in errors[:20]:
            print(f"schema: {'/'.join(str(p) for p in error.path)}: {error.message}", file=sys.stderr)
        return 1
    missing = [t for t in CATALOG_TESTS if not (ROOT / t).is_file()]
    if missing:
        print(f"the catalog tests {', '.join(missing)} are not here: apply a diff from a clone of the repository",
              file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        link = Path(tmp, "ansible_collections", "netallow")
        link.mkdir(parents=True)
        (link / "apple").symlink_to(ROOT)
        env = dict(os.environ, PYTHONPATH=tmp, NETALLOW_APPLE_CATALOG=os.path.abspath(candidate))
        tests = [str(Path(tmp, "ansible_collections", "netallow", "apple", t)) for t in CATALOG_TESTS]
        run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-x", *tests],
                             env=env, cwd=tmp, capture_output=True, text=True, check=False)
    if run.returncode != 0:
        print(run.stdout[-4000:], run.stderr[-2000:], sep="\n", file=sys.stderr)
        return 1
    print(run.stdout.strip().splitlines()[-1])
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: check_catalog.py CANDIDATE.yml")
    sys.exit(main(sys.argv[1]))
