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
  - >-
    It also reads them from live state, the nftables tables the nftables role loaded (O(tables)). The first rule of
    the collection's own chain carries the stamp line in its comment (C(netallow_apple: netallow.apple stamp: ...)),
    rewritten whenever the rules change, so it is read first; in enforce mode the table's own C(comment) holds the
    stamp of the table's creation and is read when no rule carries one (RV(tables[].stamp_source)). A comment has
    room for the version and digest, not for the names, so the names added and removed since are known from files
    only (RV(tables[].names_found=false)).
  - It only reads. Python 3.9 or newer, standard library only.
options:
  paths:
    description:
      - Files to read, for example C(/etc/squid/conf.d/netallow-apple.conf) or C(/etc/nftables.d/netallow-apple.nft).
      - At least one of O(paths) and O(tables).
      - A missing file is reported with RV(files[].exists=false), not as a failure.
    type: list
    elements: path
    default: []
  tables:
    description:
      - Live nftables tables to read the stamp from, as C(family name) (for example C(inet netallow_apple)) or a
        bare name (family C(inet)). Runs C(nft list table) and reads the stamp from the comment of the collection's
        rule, or else from the table's own C(comment).
      - In allow mode name the table that holds your dropping chain (for example C(inet filter)); the collection's
        chain C(netallow_apple) there carries the stamp.
      - A missing table is reported with RV(tables[].exists=false), not as a failure.
    type: list
    elements: str
    default: []
    version_added: 2.1.0
  netns:
    description:
      - Read O(tables) inside this network namespace (C(ip netns exec)), as the nftables role does with its own
        C(netallow_apple_nftables_netns).
    type: str
    version_added: 2.1.0
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

- name: Read the stamp from the live nftables table too
  netallow.apple.deployed:
    paths: [/etc/nftables.d/netallow_apple.nft]
    tables: [inet netallow_apple]
    current: "{{ (query('netallow.apple.endpoints') | netallow.apple.to_allowlist).stamp }}"
  register: apple_live

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
    names_found:
      description: Whether the file records the names (every renderer's header does); without them
        RV(files[].added) and RV(files[].removed) stay empty.
      type: bool
tables:
  description:
    - One result per table of O(tables), in the order given, with the keys of RV(files) except RV(files[].path).
  returned: always
  type: list
  elements: dict
  contains:
    table:
      description: The table read, as C(family name).
      type: str
      sample: inet netallow_apple
    exists:
      description: Whether the table exists.
      type: bool
    found:
      description: Whether a rule's or the table's comment holds a netallow.apple stamp.
      type: bool
    stamp_source:
      description:
        - Where the stamp was read, C(rule) (the collection's rule, current since the last change of the rules) or
          C(table) (the table's comment, current since the table was created); null when none was found.
      type: str
      choices: [rule, table]
      version_added: 2.1.0
    names_found:
      description: Whether the names were recorded (never for a table); without them RV(files[].added) and
        RV(files[].removed) stay empty.
      type: bool
in_sync:
  description: True when every file and table holds a stamp that matches O(current); null without O(current).
  returned: always
  type: bool
"""

import os
import re

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.netallow.apple.plugins.module_utils._stamp import compare, read_stamp

MAX_BYTES = 16 * 1024 * 1024


FAMILIES = ("inet", "ip", "ip6", "arp", "bridge", "netdev")
TABLE_NAME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_./-]{0,255}$")


def read_back(path, current):
    """One path's result (pure apart from reading the file)."""
    if not os.path.isfile(path):
        result = compare(None, current)
        result.update(path=path, exists=False, names_found=False)
        return result
    with open(path, "rb") as handle:
        text = handle.read(MAX_BYTES).decode("utf-8", errors="replace")
    stamp = read_stamp(text)
    result = compare(stamp, current)
    result.update(path=path, exists=True, names_found=bool(stamp and stamp.get("names") is not None))
    return result


def parse_table(spec):
    """``(family, name)`` of a O(tables) item, or ValueError naming the item and the valid families."""
    words = str(spec).split()
    if len(words) == 1 and words[0] not in FAMILIES:  # a lone family is a table name forgotten, not a table
        family, name = "inet", words[0]
    elif len(words) == 2:
        family, name = words[0], words[1]
    else:
        family = name = None
    if family not in FAMILIES or not name or not TABLE_NAME_RE.match(name):
        raise ValueError(f"tables: {spec!r} is not 'family name' or a table name; families: {', '.join(FAMILIES)}")
    return family, name


TABLE_COMMENT_RE = re.compile(r'^\tcomment "(?P<comment>[^"]*)"\s*$', re.MULTILINE)


def table_comment(listing):
    """The table's own comment in ``nft list table`` output, or None.

    The text listing, not ``nft -j``: nftables before 1.0.7 leaves table comments out of its JSON. The table's
    own statements are indented by one tab; comments of its chains, sets and rules are deeper.
    """
    match = TABLE_COMMENT_RE.search(listing or "")
    return match.group("comment") if match else None


# A rule's comment, two levels deep, as the nftables renderer writes it into the first rule of its own chain.
RULE_STAMP_RE = re.compile(r'^\t\t[^\n]*\bcomment "netallow_apple: (?P<stamp>netallow\.apple stamp: [^"\n]*)"\s*$',
                           re.MULTILINE)


def live_stamp(listing):
    """``(stamp, source)`` from ``nft list table`` output: the rule's stamp first, the table's comment as fallback.

    The table's comment is written when the table is created and the kernel keeps it afterwards; the rule is
    rewritten with every change of the configuration, so its stamp is the current one.
    """
    for match in RULE_STAMP_RE.finditer(listing or ""):
        stamp = read_stamp(match.group("stamp"))
        if stamp:
            return stamp, "rule"
    stamp = read_stamp(table_comment(listing) or "")
    return (stamp, "table") if stamp else (None, None)


def read_table(run, family, name, current):
    """One table's result; ``run(argv)`` returns ``(rc, stdout, stderr)`` of ``nft list table FAMILY NAME``."""
    rc, out, err = run(["list", "table", family, name])
    label = f"{family} {name}"
    if rc != 0:
        if "No such file or directory" in (err or "") or "does not exist" in (err or ""):
            result = compare(None, current)
            result.update(table=label, exists=False, names_found=False, stamp_source=None)
            return result
        raise RuntimeError(f"nft list table {label} failed (rc {rc}): {(err or out or '').strip()[:500]}")
    stamp, source = live_stamp(out)
    result = compare(stamp, current)
    result.update(table=label, exists=True, names_found=bool(stamp and stamp.get("names") is not None),
                  stamp_source=source)
    return result


def main():
    module = AnsibleModule(
        argument_spec={"paths": {"type": "list", "elements": "path", "default": []},
                       "tables": {"type": "list", "elements": "str", "default": []},
                       "netns": {"type": "str"},
                       "current": {"type": "dict"}},
        required_one_of=[("paths", "tables")],
        supports_check_mode=True,
    )
    current = module.params["current"]
    if current is not None:
        missing = [key for key in ("catalog_version", "digest") if not isinstance(current.get(key), str)]
        if missing:
            module.fail_json(msg=f"current: missing {', '.join(missing)}; pass the model's stamp "
                                 "(query('netallow.apple.endpoints', ...) | netallow.apple.to_allowlist).stamp")
    if not module.params["paths"] and not module.params["tables"]:
        module.fail_json(msg="give paths (files to read), tables (live nftables tables), or both")
    try:
        specs = [parse_table(spec) for spec in module.params["tables"]]
    except ValueError as exc:
        module.fail_json(msg=str(exc))
    try:
        files = [read_back(path, current) for path in module.params["paths"]]
    except OSError as exc:
        module.fail_json(msg=f"cannot read {exc.filename}: {exc.strerror}")
    tables = []
    if specs:
        prefix = [module.get_bin_path("nft", required=True)]
        if module.params["netns"]:
            prefix = [module.get_bin_path("ip", required=True), "netns", "exec", module.params["netns"]] + prefix

        def run(argv):
            return module.run_command(prefix + argv, environ_update={"LC_ALL": "C"})

        try:
            tables = [read_table(run, family, name, current) for family, name in specs]
        except RuntimeError as exc:
            module.fail_json(msg=str(exc))
    in_sync = None
    if current is not None:
        in_sync = all(item["in_sync"] for item in files + tables)
    module.exit_json(changed=False, files=files, tables=tables, in_sync=in_sync)


if __name__ == "__main__":
    main()
