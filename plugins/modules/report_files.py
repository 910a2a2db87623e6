#!/usr/bin/python
# Copyright (c) 2026, netallow.apple contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: report_files
author: netallow.apple contributors (@netallow)
version_added: 2.1.0
short_description: Write the reachability reports of one or many hosts as files on the controller
description:
  - Writes the JUnit XML, Markdown and HTML reports of M(netallow.apple.reachability) results, the same reports as
    the P(netallow.apple.to_junit#filter), P(netallow.apple.to_markdown#filter) and
    P(netallow.apple.to_html#filter) filters give for the same input, byte for byte.
  - Each report is written piece by piece to a temporary file beside its destination, then moved into place, only
    when its content differs from the file there. A fleet's report (hundreds of megabytes of JUnit for thousands of
    hosts) is never held in memory as one string, as a filter's result given to C(ansible.builtin.copy) is.
  - Reads results in both of the module's shapes, O(netallow.apple.reachability#module:result_shape=full) and
    V(compact).
  - The C(netallow.apple.reachability_report) role calls it; use the role unless you need the module's result.
options:
  results:
    description:
      - One registered result of M(netallow.apple.reachability), or a mapping of inventory hostname to registered
        result. Not needed with O(result_var).
    type: raw
  result_var:
    description:
      - The name of the variable every probing host registered its result in. The results are read from
        C(hostvars); inventory hosts without it (they did not run the check) are counted in the reports.
    type: str
  deployed:
    description:
      - What each host runs, from M(netallow.apple.deployed) - one registered result, a mapping of inventory
        hostname to registered result or, with O(result_var), the name of the variable each host registered it in.
    type: raw
  dest_dir:
    description: Directory on the controller to write the reports to; created (mode C(0755)) when missing.
    type: path
    required: true
  basename:
    description: File name without extension - letters, digits, C(.), C(_) and C(-), not starting with C(.).
    type: str
    default: reachability
  formats:
    description: Reports to write - C(junit) (C(.xml)), C(markdown) (C(.md)), C(html) (C(.html)).
    type: list
    elements: str
    choices: [junit, markdown, html]
    default: [junit, markdown, html]
  title:
    description: Title shown in the reports.
    type: str
    default: Apple services reachability
  host:
    description:
      - Host name to show when O(results) is the result of a single host.
      - Defaults to the inventory hostname of the host the task runs for.
    type: str
extends_documentation_fragment:
  - netallow.apple.attributes
  - netallow.apple.attributes.action
attributes:
  check_mode:
    details: In check mode the reports are built and compared with the files, and nothing is written.
  diff_mode:
    details: A fleet's reports are too large to show as a diff; RV(files[].sha256) tells what was written.
  action:
    details: Everything runs on the controller.
  platform:
    support: N/A
    platforms: all
notes:
  - Files are written with mode C(0644). A file whose content is already the report is left alone.
seealso:
  - module: netallow.apple.reachability
  - plugin: netallow.apple.to_junit
    plugin_type: filter
"""

EXAMPLES = r"""
# example: setup: fleet (every host of the previous play registered reach)
- name: Write the JUnit, Markdown and HTML reports of every host of the previous play
  netallow.apple.report_files:
    result_var: reach
    dest_dir: out
    basename: fleet
    title: Apple services from every Mac
  delegate_to: localhost
  run_once: true
"""

RETURN = r"""
files:
  description: One item per report written or compared.
  returned: success
  type: list
  elements: dict
  contains:
    format:
      description: V(junit), V(markdown) or V(html).
      type: str
    path:
      description: The report's path.
      type: str
    changed:
      description: Whether the file was (or in check mode would be) written.
      type: bool
    size:
      description: Bytes of the report.
      type: int
    sha256:
      description: SHA-256 of the report.
      type: str
"""

from ansible.module_utils.basic import AnsibleModule


def argument_spec() -> dict:
    return {
        "results": {"type": "raw"},
        "result_var": {"type": "str"},
        "deployed": {"type": "raw"},
        "dest_dir": {"type": "path", "required": True},
        "basename": {"type": "str", "default": "reachability"},
        "formats": {"type": "list", "elements": "str", "choices": ["junit", "markdown", "html"],
                    "default": ["junit", "markdown", "html"]},
        "title": {"type": "str", "default": "Apple services reachability"},
        "host": {"type": "str"},
    }


def main() -> None:
    module = AnsibleModule(argument_spec=argument_spec(), supports_check_mode=True)
    module.fail_json(msg="netallow.apple.report_files runs on the controller through its action plugin")


if __name__ == "__main__":
    main()
