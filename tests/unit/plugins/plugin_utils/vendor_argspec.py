# Copyright (c) 2026, netallow.apple contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Capture the argument spec an installed vendor module passes to AnsibleModule.

The spec is read from the vendor's own code at test time (never copied), so a vendor change that renames or
retypes an option makes the role's validation test fail.
"""

from __future__ import annotations

import importlib
import os
import sys

# cisco.asa and junipernetworks.junos come from the ansible 11.x package, extracted next to the venv (make
# .venv-vendor/stamp); ansible-test runs from a copy of the collection and strips the environment, so the venv's
# location is the stable hint.
# ansible11-units holds fortios, check_point, vyos, netcommon and utils for ansible-core 2.19 on Python 3.11 (no
# ansible 14.x there); appended last, it never shadows the newer collections a 2.21 venv has installed.
VENDOR_PATHS = tuple(
    os.path.join(base, ".venv-vendor", folder)
    for base in (os.path.join(os.path.dirname(__file__), *([os.pardir] * 4)), os.path.dirname(sys.prefix))
    for folder in ("ansible11", "ansible11-units")
)


class _SpecCaptured(Exception):
    def __init__(self, spec: dict, kwargs: dict):
        super().__init__("captured")
        self.spec = spec
        self.kwargs = kwargs


def _add_vendor_paths() -> None:
    extra = [p for p in os.environ.get("ANSIBLE_COLLECTIONS_PATH", "").split(os.pathsep) if p]
    for path in [*extra, *VENDOR_PATHS]:
        path = os.path.abspath(path)
        if os.path.isdir(os.path.join(path, "ansible_collections")):
            import ansible_collections

            candidate = os.path.join(path, "ansible_collections")
            if candidate not in ansible_collections.__path__:
                ansible_collections.__path__.append(candidate)
            # A namespace package imported before (ansible_collections.ansible, by the templar's plugin look-ups)
            # keeps the search path it was created with: extend it too, or ansible.netcommon is not found there.
            for name, package in list(sys.modules.items()):
                parts = name.split(".")
                if parts[0] == "ansible_collections" and len(parts) in (2, 3) and hasattr(package, "__path__"):
                    folder = os.path.join(candidate, *parts[1:])
                    if os.path.isdir(folder) and folder not in package.__path__:
                        package.__path__.append(folder)


def module_available(fqcn: str) -> bool:
    _add_vendor_paths()
    namespace, collection, name = fqcn.split(".")
    try:
        importlib.import_module(f"ansible_collections.{namespace}.{collection}.plugins.modules.{name}")
    except ImportError:
        return False
    return True


def capture_argspec(fqcn: str) -> tuple[dict, dict]:
    """Return (argument_spec, other AnsibleModule kwargs) of the installed module ``fqcn``."""
    _add_vendor_paths()
    namespace, collection, name = fqcn.split(".")
    module = importlib.import_module(f"ansible_collections.{namespace}.{collection}.plugins.modules.{name}")

    def fake_ansible_module(*args, **kwargs):
        spec = kwargs.pop("argument_spec", args[0] if args else None)
        raise _SpecCaptured(spec, kwargs)

    original = module.AnsibleModule
    module.AnsibleModule = fake_ansible_module
    try:
        module.main()
    except _SpecCaptured as captured:
        return captured.spec, captured.kwargs
    finally:
        module.AnsibleModule = original
    raise AssertionError(f"{fqcn}: main() returned without building an AnsibleModule")


if __name__ == "__main__":  # pragma: no cover - exploration helper
    import json

    print(json.dumps(capture_argspec(sys.argv[1])[0], indent=1, default=str))
