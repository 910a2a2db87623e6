#!/usr/bin/python
# Copyright (c) 2026, netallow.apple contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: deployed
author: netallow.apple contributors (@netallow)
version_added: 1.1.0
short_description: Read back which catalog version and selection a host's allow-list files were rendered from
description:
  - Every file the collection renders (the squid include, the PAC file, the nftables rules and persisted ruleset,
    the dnsmasq C(nftset) lines, the firewalld policy) records in its header (the policy in its description) the
    C(catalog_version), a digest of the selected entries and their names.
  - This module reads those records from the given files on the managed host and compares each with O(current),
    the version and digest found, the current ones, and the names added and removed since.
  - It only reads. Python 3.9 or newer, standard library only.
options:
  paths:
    description:
      - Files to read, for example C(/etc/squid/conf.d/netallow-apple.conf) or C(/etc/nftables.d/netallow-apple.nft).
      - A missing file is reported with RV(files[].exists=false), not as a failure.
    type: list
    elements: path
    required: true
  current:
    description:
      - The stamp of what the controller would render now, that is the C(stamp) of the allow-list model
        (C(query('netallow.apple.endpoints', ...) | netallow.apple.to_allowlist)), with C(catalog_version),
        C(digest) and C(names).
      - Without it the module only reports what it found.
    type: dict
extends_documentation_fragment:
  - netallow.apple.attributes
attributes:
  check_mode:
    details: It only reads.
  platform:
    support: full
    platforms: posix
seealso:
  - plugin: netallow.apple.to_allowlist
    plugin_type: filter
"""

EXAMPLES = r"""
- name: Which catalog version does each gateway's squid include come from, and what changed since?
  netallow.apple.deployed:
    paths: [/etc/squid/conf.d/netallow-apple.conf]
    current: "{{ (query('netallow.apple.endpoints', section=['devicemanagement', 'software'])
                  | netallow.apple.to_allowlist).stamp }}"
  register: apple_deployed

- name: Show the hosts that run an older selection
  ansible.builtin.debug:
    msg: "{{ apple_deployed.files | rejectattr('in_sync') | list }}"
"""

RETURN = r"""
files:
  description: One result per path, in the order given.
  returned: always
  type: list
  elements: dict
  contains:
    path:
      description: The file read.
      type: str
    exists:
      description: Whether the file exists.
      type: bool
    found:
      description: Whether the file holds a netallow.apple stamp.
      type: bool
    catalog_version:
      description: The catalog version the file was rendered from, or null.
      type: str
      sample: 2026.3.1
    digest:
      description: The digest of the selection the file was rendered from, or null.
      type: str
      sample: sha256:0123456789abcdef
    current_version:
      description: The catalog version of O(current), or null.
      type: str
    current_digest:
      description: The digest of O(current), or null.
      type: str
    in_sync:
      description: Whether version and digest match O(current); null without O(current) or without a stamp.
      type: bool
    added:
      description: Names in O(current) that the file does not have yet.
      type: list
      elements: str
    removed:
      description: Names in the file that O(current) no longer has.
      type: list
      elements: str
in_sync:
  description: True when every file holds a stamp that matches O(current); null without O(current).
  returned: always
  type: bool
"""

import os

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.netallow.apple.plugins.module_utils._stamp import compare, read_stamp

MAX_BYTES = 16 * 1024 * 1024


def read_back(path, current):
    """One path's result (pure apart from reading the file)."""
    if not os.path.isfile(path):
        result = compare(None, current)
        result.update(path=path, exists=False)
        return result
    with open(path, "rb") as handle:
        text = handle.read(MAX_BYTES).decode("utf-8", errors="replace")
    result = compare(read_stamp(text), current)
    result.update(path=path, exists=True)
    return result


def main():
    module = AnsibleModule(
        argument_spec={"paths": {"type": "list", "elements": "path", "required": True},
                       "current": {"type": "dict"}},
        supports_check_mode=True,
    )
    current = module.params["current"]
    if current is not None:
        missing = [key for key in ("catalog_version", "digest") if not isinstance(current.get(key), str)]
        if missing:
            module.fail_json(msg=f"current: missing {', '.join(missing)}; pass the model's stamp "
                                 "(query('netallow.apple.endpoints', ...) | netallow.apple.to_allowlist).stamp")
    try:
        files = [read_back(path, current) for path in module.params["paths"]]
    except OSError as exc:
        module.fail_json(msg=f"cannot read {exc.filename}: {exc.strerror}")
    in_sync = None
    if current is not None:
        in_sync = all(item["in_sync"] for item in files)
    module.exit_json(changed=False, files=files, in_sync=in_sync)


if __name__ == "__main__":
    main()
