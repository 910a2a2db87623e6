# Copyright (c) 2026, netallow.apple contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Action plugin for netallow.apple.reachability: selects the catalog's targets on the controller, then runs the
module on the managed host with an explicit target list."""

from __future__ import annotations

from ansible import constants as C
from ansible.errors import AnsibleActionFail
from ansible.module_utils.common.text.converters import to_native
from ansible.plugins.action import ActionBase

from ansible_collections.netallow.apple.plugins.module_utils.probes.argspec import SELECTORS, argument_spec
from ansible_collections.netallow.apple.plugins.module_utils.probes.result import summarize
from ansible_collections.netallow.apple.plugins.plugin_utils import _selection
from ansible_collections.netallow.apple.plugins.plugin_utils._catalog import CatalogError

MODULE = "netallow.apple.reachability"


def select_targets(args: dict):
    """Select catalog entries with the lookup's selectors and expand them into targets (controller side)."""
    try:
        return _selection.select_targets(args)
    except CatalogError as exc:
        raise AnsibleActionFail(f"{MODULE}: {to_native(exc)}") from exc


def select_targets_once(args: dict, shared_dir: str | None):
    """:func:`select_targets`, computed once per run for each distinct set of options (see
    :func:`~ansible_collections.netallow.apple.plugins.plugin_utils._selection.select_targets_once`)."""
    # This plugin's select_targets, looked up when called: its errors name the module.
    return _selection.select_targets_once(args, shared_dir, selector=_select_from_catalog)


def _select_from_catalog(args: dict):
    return select_targets(args)


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _requires_connection = True

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        del tmp
        spec = argument_spec()
        validation, args = self.validate_argument_spec(
            argument_spec=spec,
            mutually_exclusive=[("targets", name) for name in SELECTORS if spec[name].get("default") is None],
        )
        del validation
        skipped = []
        if args.get("targets") is None:
            targets, skipped = select_targets_once(args, C.DEFAULT_LOCAL_TMP)
        else:
            targets = args["targets"]
        module_args = {key: value for key, value in self._task.args.items() if key not in SELECTORS}
        module_args.pop("catalog_path", None)
        module_args["targets"] = targets

        module_result = self._execute_module(module_name=MODULE, module_args=module_args, task_vars=task_vars)
        result.update(module_result)
        if args.get("result_shape") == "compact" and isinstance(result.get("passed"), dict):
            # The reports select the same targets again on the controller: the selection, not its skipped entries,
            # is what each host's result carries.
            result["selection"] = _selection.selection_reference(args, targets)
            elapsed = (result.get("summary") or {}).get("elapsed_ms")
            result["summary"] = summarize(list(result.get("results") or []) + skipped, elapsed_ms=elapsed,
                                          passed=len(result["passed"].get("index") or []))
        elif skipped and "results" in result:
            result["results"] = list(result["results"]) + skipped
            elapsed = (result.get("summary") or {}).get("elapsed_ms")
            result["summary"] = summarize(result["results"], elapsed_ms=elapsed)
        return result
