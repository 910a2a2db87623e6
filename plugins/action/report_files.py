# Copyright (c) 2026, netallow.apple contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Action plugin for netallow.apple.report_files: the reachability reports written as files on the controller."""

from __future__ import annotations

import os

from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase

from ansible_collections.netallow.apple.plugins.modules.report_files import argument_spec
from ansible_collections.netallow.apple.plugins.plugin_utils import _report, _report_files

NAME = "netallow.apple.report_files"


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _requires_connection = False

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        del tmp
        task_vars = task_vars or {}
        _spec, args = self.validate_argument_spec(argument_spec=argument_spec(),
                                                  mutually_exclusive=[("results", "result_var")],
                                                  required_one_of=[("results", "result_var")])
        if not _report_files.PLAIN_NAME.match(args["basename"]):
            raise AnsibleActionFail(f"{NAME}: basename {args['basename']!r} must be a plain file name (letters, "
                                    "digits, '.', '_', '-', not starting with '.')")
        check_mode = bool(self._task.check_mode)
        dest_dir = args["dest_dir"]
        created = False
        if os.path.exists(dest_dir) and not os.path.isdir(dest_dir):
            raise AnsibleActionFail(f"{NAME}: dest_dir {dest_dir!r} is not a directory")
        if not os.path.exists(dest_dir):
            created = True
            if not check_mode:
                try:
                    os.makedirs(dest_dir, mode=0o755)
                except OSError as exc:
                    raise AnsibleActionFail(f"{NAME}: cannot create dest_dir {dest_dir!r}: {exc}") from None
        data = task_vars.get("hostvars", {}) if args["result_var"] else args["results"]
        host = args["host"] or task_vars.get("inventory_hostname") or "localhost"
        index = _report_files.catalog_index()
        files = []
        try:
            for report_format in dict.fromkeys(args["formats"]):
                extension = _report_files.FORMATS[report_format][0]
                pieces = _report_files.report_pieces(report_format, data, args["title"], host=host,
                                                     result=args["result_var"], deployed=args["deployed"],
                                                     index=index)
                path = os.path.join(dest_dir, f"{args['basename']}.{extension}")
                written = _report_files.write_pieces(path, pieces, check_mode=check_mode)
                files.append(dict(written, format=report_format))
        except _report.ReportError as exc:
            raise AnsibleActionFail(f"{NAME}: {exc}") from None
        except OSError as exc:
            raise AnsibleActionFail(f"{NAME}: cannot write the reports in {dest_dir}: {exc}") from None
        result.update(changed=created or any(item["changed"] for item in files), files=files)
        return result
